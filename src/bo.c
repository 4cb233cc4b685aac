/* Bayesian optimisation: search space, GP surrogate, EI ask/tell loop. */
#include "bo.h"
#include "err.h"
#include "rng.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);
void dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a, const int *lda,
             double *b, const int *ldb, int *info);

#define SQRT5 2.23606797749978969641
#define LOG_2PI 1.83787706640934548356
#define SQRT2 1.41421356237309504880
#define INV_SQRT_2PI 0.39894228040143267794

/* ============================ search space ================================ */

void bo_space_init(bo_space *s) {
  s->n = 0;
  s->dims = NULL;
}

void bo_space_free(bo_space *s) {
  for (int i = 0; i < s->n; i++) free(s->dims[i].name);
  free(s->dims);
  bo_space_init(s);
}

const char *bo_type_name(bo_type t) {
  switch (t) {
  case BO_INT: return "int";
  case BO_REAL: return "real";
  case BO_LOG_REAL: return "log-real";
  }
  return "?";
}

static int type_from_name(const char *s, bo_type *t) {
  if (!strcmp(s, "int") || !strcmp(s, "integer")) *t = BO_INT;
  else if (!strcmp(s, "real")) *t = BO_REAL;
  else if (!strcmp(s, "log-real")) *t = BO_LOG_REAL;
  else return -1;
  return 0;
}

/* 2^53: beyond it doubles no longer hold every integer */
#define INT_LIMIT 9007199254740992.0

static int check_bounds(const char *name, bo_type type, double low, double high) {
  if (!isfinite(low) || !isfinite(high))
    return au_fail(AU_EDATA, "search space: dimension '%s': bounds must be finite", name);
  if (low >= high)
    return au_fail(AU_EDATA, "search space: dimension '%s': low (%g) must be < high (%g)", name,
                   low, high);
  if (type == BO_LOG_REAL && low <= 0)
    return au_fail(AU_EDATA, "search space: dimension '%s': log-real needs low > 0 (got %g)",
                   name, low);
  if (type == BO_INT && (low != floor(low) || high != floor(high) || fabs(low) > INT_LIMIT ||
                         fabs(high) > INT_LIMIT))
    return au_fail(AU_EDATA, "search space: dimension '%s': int bounds must be integers", name);
  return AU_OK;
}

int bo_space_add(bo_space *s, const char *name, bo_type type, double low, double high) {
  if (!name || !*name) return au_fail(AU_EDATA, "search space: dimension %d has an empty name", s->n + 1);
  if (type != BO_INT && type != BO_REAL && type != BO_LOG_REAL)
    return au_fail(AU_EDATA, "search space: dimension '%s': unknown type", name);
  for (int i = 0; i < s->n; i++)
    if (!strcmp(s->dims[i].name, name))
      return au_fail(AU_EDATA, "search space: duplicate dimension name '%s'", name);
  int rc = check_bounds(name, type, low, high);
  if (rc) return rc;
  s->dims = xrealloc(s->dims, (size_t)(s->n + 1) * sizeof *s->dims);
  s->dims[s->n] = (bo_dim){xstrdup(name), type, low, high};
  s->n++;
  return AU_OK;
}

static int json_number(const cJSON *item, const char *key, const char *name, double *v) {
  const cJSON *j = cJSON_GetObjectItemCaseSensitive(item, key);
  if (!j) return au_fail(AU_EDATA, "search space: dimension '%s': missing \"%s\"", name, key);
  if (!cJSON_IsNumber(j))
    return au_fail(AU_EDATA, "search space: dimension '%s': \"%s\" is not a number", name, key);
  *v = j->valuedouble;
  return AU_OK;
}

static int dim_from_json(const cJSON *item, int idx, bo_space *s) {
  if (!cJSON_IsObject(item))
    return au_fail(AU_EDATA, "search space: dimension %d is not an object", idx + 1);
  const cJSON *jn = cJSON_GetObjectItemCaseSensitive(item, "name");
  if (!cJSON_IsString(jn) || !jn->valuestring[0])
    return au_fail(AU_EDATA, "search space: dimension %d: missing \"name\"", idx + 1);
  const char *name = jn->valuestring;
  const cJSON *jt = cJSON_GetObjectItemCaseSensitive(item, "type");
  if (!cJSON_IsString(jt))
    return au_fail(AU_EDATA, "search space: dimension '%s': missing \"type\"", name);
  bo_type t;
  if (type_from_name(jt->valuestring, &t))
    return au_fail(AU_EDATA,
                   "search space: dimension '%s': unknown type '%s' (int, real or log-real)",
                   name, jt->valuestring);
  double lo = 0, hi = 0;
  int rc = json_number(item, "low", name, &lo);
  if (!rc) rc = json_number(item, "high", name, &hi);
  if (!rc) rc = bo_space_add(s, name, t, lo, hi);
  return rc;
}

int bo_space_from_json(const cJSON *json, bo_space *out) {
  bo_space_init(out);
  const cJSON *arr = json;
  if (cJSON_IsObject(json)) arr = cJSON_GetObjectItemCaseSensitive(json, "dimensions");
  if (!cJSON_IsArray(arr))
    return au_fail(AU_EDATA, "search space: expected an array of dimensions or "
                             "{\"dimensions\":[...]}");
  int idx = 0;
  for (const cJSON *it = arr->child; it; it = it->next, idx++) {
    int rc = dim_from_json(it, idx, out);
    if (rc) {
      bo_space_free(out);
      return rc;
    }
  }
  if (out->n == 0) return au_fail(AU_EDATA, "search space: no dimensions");
  return AU_OK;
}

cJSON *bo_space_to_json(const bo_space *s) {
  cJSON *arr = cJSON_CreateArray();
  for (int i = 0; i < s->n; i++) {
    const bo_dim *d = &s->dims[i];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", d->name);
    cJSON_AddStringToObject(o, "type", bo_type_name(d->type));
    cJSON_AddNumberToObject(o, "low", d->low);
    cJSON_AddNumberToObject(o, "high", d->high);
    cJSON_AddItemToArray(arr, o);
  }
  return arr;
}

/* ---- unit-cube maps ---- */

static double clamp(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

static double int_bins(const bo_dim *d) { return d->high - d->low + 1.0; }

double bo_dim_to_unit(const bo_dim *d, double v) {
  v = clamp(v, d->low, d->high);
  switch (d->type) {
  case BO_INT: return (round(v) - d->low + 0.5) / int_bins(d);
  case BO_LOG_REAL: return (log10(v) - log10(d->low)) / (log10(d->high) - log10(d->low));
  case BO_REAL: break;
  }
  return (v - d->low) / (d->high - d->low);
}

double bo_dim_from_unit(const bo_dim *d, double u) {
  u = clamp(u, 0.0, 1.0);
  switch (d->type) {
  case BO_INT: {
    double nb = int_bins(d), k = floor(u * nb);
    return d->low + (k > nb - 1 ? nb - 1 : k);
  }
  case BO_LOG_REAL: {
    double l = log10(d->low), h = log10(d->high);
    /* clamp: pow(10, log10(high)) may overshoot by an ulp */
    return clamp(pow(10.0, l + u * (h - l)), d->low, d->high);
  }
  case BO_REAL: break;
  }
  return d->low + u * (d->high - d->low);
}

double bo_dim_snap(const bo_dim *d, double u) {
  if (d->type != BO_INT) return clamp(u, 0.0, 1.0);
  return bo_dim_to_unit(d, bo_dim_from_unit(d, u));
}

void bo_space_to_unit(const bo_space *s, const double *x, double *u) {
  for (int i = 0; i < s->n; i++) u[i] = bo_dim_to_unit(&s->dims[i], x[i]);
}

void bo_space_from_unit(const bo_space *s, const double *u, double *x) {
  for (int i = 0; i < s->n; i++) x[i] = bo_dim_from_unit(&s->dims[i], u[i]);
}

static void snap_point(const bo_space *s, double *u) {
  for (int i = 0; i < s->n; i++) u[i] = bo_dim_snap(&s->dims[i], u[i]);
}

/* ============================ Gaussian process ============================= */

struct bo_gp {
  int n, d;
  double *X;     /* n x d */
  double *L;     /* Cholesky factor (lower, column-major) of K + noise */
  double *alpha; /* K^-1 y (normalised) */
  double *theta; /* d + 2 */
  double *inv_l2; /* 1 / l_k^2 */
  double sv, ymean, ystd, lml;
};

/* Matern 5/2 as a function of the scaled distance r */
static double matern(double r2, double sv) {
  double r = sqrt(r2);
  return sv * (1.0 + SQRT5 * r + (5.0 / 3.0) * r2) * exp(-SQRT5 * r);
}

static void normalise(const double *y, int n, double *yn, double *mean, double *sd) {
  double m = 0, v = 0;
  for (int i = 0; i < n; i++) m += y[i];
  m /= n;
  for (int i = 0; i < n; i++) v += (y[i] - m) * (y[i] - m);
  v = n > 1 ? sqrt(v / n) : 0;
  /* a constant target carries no scale: keep unit scale rather than divide by 0 */
  if (!(v > 1e-12 * (1 + fabs(m)))) v = 1.0;
  for (int i = 0; i < n; i++) yn[i] = (y[i] - m) / v;
  *mean = m;
  *sd = v;
}

/* Everything one likelihood evaluation needs, allocated once per fit. */
typedef struct {
  int n, d;
  const double *X, *y; /* y normalised */
  double *D;           /* squared coordinate differences, (i*n + j)*d + k */
  double *K, *W, *Linv, *alpha, *inv_l2;
  double *R, *E; /* per pair (lower): scaled distance and exp(-sqrt5 r), for the gradient */
} lml_work;

static void work_init(lml_work *w, const double *X, const double *yn, int n, int d) {
  w->n = n;
  w->d = d;
  w->X = X;
  w->y = yn;
  w->D = xmalloc((size_t)n * n * d * sizeof(double));
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++)
      for (int k = 0; k < d; k++) {
        double t = X[i * d + k] - X[j * d + k];
        w->D[((size_t)i * n + j) * d + k] = t * t;
      }
  w->K = xmalloc((size_t)n * n * sizeof(double));
  w->W = xmalloc((size_t)n * n * sizeof(double));
  w->Linv = xmalloc((size_t)n * n * sizeof(double));
  w->R = xmalloc((size_t)n * n * sizeof(double));
  w->E = xmalloc((size_t)n * n * sizeof(double));
  w->alpha = xmalloc((size_t)n * sizeof(double));
  w->inv_l2 = xmalloc((size_t)d * sizeof(double));
}

static void work_free(lml_work *w) {
  free(w->D);
  free(w->K);
  free(w->W);
  free(w->Linv);
  free(w->R);
  free(w->E);
  free(w->alpha);
  free(w->inv_l2);
}

static double scaled_r2(const lml_work *w, int i, int j) {
  const double *Dij = w->D + ((size_t)i * w->n + j) * w->d;
  double r2 = 0;
  for (int k = 0; k < w->d; k++) r2 += Dij[k] * w->inv_l2[k];
  return r2;
}

/* K = k(X,X) + noise I, factorised in place; alpha = K^-1 y.  Returns the
 * log marginal likelihood, or -INFINITY if K is not positive definite. */
static double factor(lml_work *w, const double *theta) {
  int n = w->n, d = w->d, info = 0, one = 1;
  for (int k = 0; k < d; k++) w->inv_l2[k] = exp(-2.0 * theta[k]);
  double sv = exp(theta[d]), noise = exp(theta[d + 1]);
  for (int j = 0; j < n; j++)
    for (int i = j; i < n; i++) {
      size_t ij = (size_t)j * n + i;
      double r2 = scaled_r2(w, i, j), r = sqrt(r2), e = exp(-SQRT5 * r);
      w->R[ij] = r;
      w->E[ij] = e;
      w->K[ij] = sv * (1.0 + SQRT5 * r + (5.0 / 3.0) * r2) * e;
    }
  for (int i = 0; i < n; i++) w->K[i * n + i] += noise;
  dpotrf_("L", &n, w->K, &n, &info);
  if (info != 0) return -INFINITY;
  memcpy(w->alpha, w->y, (size_t)n * sizeof(double));
  dpotrs_("L", &n, &one, w->K, &n, w->alpha, &n, &info);
  if (info != 0) return -INFINITY;
  double lml = -0.5 * n * LOG_2PI;
  for (int i = 0; i < n; i++) lml -= 0.5 * w->y[i] * w->alpha[i] + log(w->K[i * n + i]);
  return isfinite(lml) ? lml : -INFINITY;
}

/* Solve L z = b in place (L lower, column-major).  Plain loops rather than
 * dtrsv/dpotri: multithreaded OpenBLAS rounds those differently with the
 * thread count from ~25 points, and the BO trajectory must not depend on it
 * (dpotrf/dpotrs stay single-threaded below 64 points). */
static void forward_subst_from(const double *L, int n, double *b, int start) {
  for (int j = start; j < n; j++) {
    b[j] /= L[j * n + j];
    const double *col = L + (size_t)j * n;
    for (int i = j + 1; i < n; i++) b[i] -= col[i] * b[j];
  }
}

static void forward_subst(const double *L, int n, double *b) { forward_subst_from(L, n, b, 0); }

/* Lower triangle of K^-1 = L^-T L^-1 into W; Linv is n*n scratch. */
static void chol_inverse(const double *L, int n, double *Linv, double *W) {
  for (int j = 0; j < n; j++) {
    double *z = Linv + (size_t)j * n;
    memset(z, 0, (size_t)n * sizeof(double));
    z[j] = 1.0;
    forward_subst_from(L, n, z, j); /* column j of L^-1; zero above the diagonal */
  }
  /* (K^-1)_ij = sum_k Linv_ki Linv_kj: two contiguous columns */
  for (int j = 0; j < n; j++)
    for (int i = j; i < n; i++) {
      double s = 0;
      for (int k = i; k < n; k++) s += Linv[(size_t)i * n + k] * Linv[(size_t)j * n + k];
      W[(size_t)j * n + i] = s;
    }
}

/* dLML/dtheta_j = 0.5 tr((alpha alpha^T - K^-1) dK/dtheta_j); needs factor() first. */
static void lml_gradient(lml_work *w, const double *theta, double *grad) {
  int n = w->n, d = w->d;
  chol_inverse(w->K, n, w->Linv, w->W);
  double sv = exp(theta[d]), noise = exp(theta[d + 1]);
  memset(grad, 0, (size_t)(d + 2) * sizeof(double));
  for (int j = 0; j < n; j++)
    for (int i = j; i < n; i++) {
      /* off-diagonal pairs appear twice in the trace */
      size_t ij = (size_t)j * n + i;
      double m = (i == j ? 1.0 : 2.0) * (w->alpha[i] * w->alpha[j] - w->W[ij]);
      double r = w->R[ij], e = w->E[ij];
      grad[d] += 0.5 * m * sv * (1.0 + SQRT5 * r + (5.0 / 3.0) * r * r) * e;
      double c = 0.5 * m * (5.0 / 3.0) * sv * (1.0 + SQRT5 * r) * e;
      const double *Dij = w->D + ((size_t)i * n + j) * d;
      for (int k = 0; k < d; k++) grad[k] += c * Dij[k] * w->inv_l2[k];
      if (i == j) grad[d + 1] += 0.5 * m * noise;
    }
}

static double lml_eval(lml_work *w, const double *theta, double *grad) {
  double f = factor(w, theta);
  if (grad && isfinite(f)) lml_gradient(w, theta, grad);
  return f;
}

double bo_gp_loglik(const double *X, const double *y, int n, int d, const double *theta,
                    double *grad) {
  double *yn = xmalloc((size_t)n * sizeof(double)), m, sd;
  normalise(y, n, yn, &m, &sd);
  lml_work w;
  work_init(&w, X, yn, n, d);
  double f = lml_eval(&w, theta, grad);
  work_free(&w);
  free(yn);
  return f;
}

/* ---- hyperparameter fitting: projected BFGS ascent in log space ---- */

static void theta_bounds(int d, double *lo, double *hi) {
  for (int k = 0; k < d; k++) {
    lo[k] = log(BO_GP_LS_MIN);
    hi[k] = log(BO_GP_LS_MAX);
  }
  lo[d] = log(BO_GP_SV_MIN);
  hi[d] = log(BO_GP_SV_MAX);
  lo[d + 1] = log(BO_GP_NOISE_MIN);
  hi[d + 1] = log(BO_GP_NOISE_MAX);
}

static double dot(const double *a, const double *b, int p) {
  double s = 0;
  for (int i = 0; i < p; i++) s += a[i] * b[i];
  return s;
}

/* Inverse-Hessian BFGS update for minimisation of -LML (s step, yv gradient change). */
static void bfgs_update(double *H, const double *s, const double *yv, double *Hy, int p) {
  double sy = dot(s, yv, p);
  for (int i = 0; i < p; i++) Hy[i] = dot(H + i * p, yv, p);
  double yHy = dot(yv, Hy, p);
  for (int i = 0; i < p; i++)
    for (int j = 0; j < p; j++)
      H[i * p + j] += ((sy + yHy) * s[i] * s[j]) / (sy * sy) - (Hy[i] * s[j] + s[i] * Hy[j]) / sy;
}

static void set_identity(double *H, int p) {
  for (int i = 0; i < p * p; i++) H[i] = (i % (p + 1) == 0);
}

/* Search direction -H g (g is the gradient of -LML), frozen where a bound is active. */
static void direction(const double *H, const double *g, const double *x, const double *lo,
                      const double *hi, double *dir, int p) {
  for (int i = 0; i < p; i++) {
    dir[i] = -dot(H + i * p, g, p);
    if ((x[i] <= lo[i] && dir[i] < 0) || (x[i] >= hi[i] && dir[i] > 0)) dir[i] = 0;
  }
}

/* Maximise LML over theta in the box; theta is updated in place, returns the LML. */
static double maximise_lml(lml_work *w, double *theta, const double *lo, const double *hi,
                           int max_iter) {
  int p = w->d + 2;
  double *H = xmalloc((size_t)p * p * sizeof(double));
  double *buf = xmalloc((size_t)6 * p * sizeof(double));
  double *g = buf, *gn = buf + p, *xn = buf + 2 * p, *dir = buf + 3 * p, *s = buf + 4 * p,
         *yv = buf + 5 * p;
  for (int i = 0; i < p; i++) theta[i] = clamp(theta[i], lo[i], hi[i]);
  double f = -lml_eval(w, theta, g); /* minimise f = -LML */
  if (!isfinite(f)) goto done;
  for (int i = 0; i < p; i++) g[i] = -g[i];
  set_identity(H, p);
  int fresh = 1;
  for (int it = 0; it < max_iter; it++) {
    direction(H, g, theta, lo, hi, dir, p);
    if (dot(dir, g, p) >= 0) { /* not a descent direction: restart from steepest descent */
      set_identity(H, p);
      direction(H, g, theta, lo, hi, dir, p);
      fresh = 1;
    }
    double dmax = 0;
    for (int i = 0; i < p; i++) dmax = fmax(dmax, fabs(dir[i]));
    if (dmax < 1e-9) break;
    double t = fmin(1.0, 2.0 / dmax), fn = INFINITY; /* at most 2 log units per step */
    int ok = 0;
    for (int ls = 0; ls < 30 && !ok; ls++, t *= 0.5) {
      for (int i = 0; i < p; i++) xn[i] = clamp(theta[i] + t * dir[i], lo[i], hi[i]);
      for (int i = 0; i < p; i++) s[i] = xn[i] - theta[i];
      fn = -lml_eval(w, xn, gn);
      ok = isfinite(fn) && fn <= f + 1e-4 * dot(g, s, p);
    }
    if (!ok) {
      if (fresh) break;
      set_identity(H, p);
      fresh = 1;
      continue;
    }
    for (int i = 0; i < p; i++) yv[i] = -gn[i] - g[i];
    /* the LML is flat near the optimum (and at the length-scale bounds):
     * more digits change nothing the acquisition can see */
    int done_now = f - fn < 1e-8 * (1 + fabs(f));
    if (dot(s, yv, p) > 1e-12) bfgs_update(H, s, yv, dir, p), fresh = 0;
    memcpy(theta, xn, (size_t)p * sizeof(double));
    for (int i = 0; i < p; i++) g[i] = -gn[i];
    f = fn;
    if (done_now) break;
  }
done:
  free(H);
  free(buf);
  return -f;
}

static void default_theta(int d, double *theta) {
  for (int k = 0; k < d; k++) theta[k] = log(0.5);
  theta[d] = 0.0;
  theta[d + 1] = log(1e-4);
}

/* Random start: length scales 0.05..2, signal 0.3..3, noise 1e-6..1e-2
 * (log-uniform); a noisy objective: noise 1e-3..1. */
static void random_theta(int d, rng_t *r, int noisy, double *theta) {
  for (int k = 0; k < d; k++) theta[k] = log(0.05) + rng_uniform(r) * log(2.0 / 0.05);
  theta[d] = log(0.3) + rng_uniform(r) * log(10.0);
  theta[d + 1] = noisy ? log(1e-3) + rng_uniform(r) * log(1e3) : log(1e-6) + rng_uniform(r) * log(1e4);
}

/* Best LML over the given start plus `restarts` random ones. */
static double fit_theta(lml_work *w, double *theta, int restarts, int noisy, double noise_floor,
                        uint64_t seed) {
  int p = w->d + 2;
  double *lo = xmalloc((size_t)4 * p * sizeof(double));
  double *hi = lo + p, *cur = lo + 2 * p, *start = lo + 3 * p;
  theta_bounds(w->d, lo, hi);
  if (noise_floor > 0) { /* measured: it holds even above the usual cap (few, close targets) */
    lo[w->d + 1] = fmax(lo[w->d + 1], log(noise_floor));
    hi[w->d + 1] = fmax(hi[w->d + 1], lo[w->d + 1]);
  }
  memcpy(start, theta, (size_t)p * sizeof(double));
  rng_t r;
  rng_seed3(&r, seed, 0x6a9, 0);
  double best = -INFINITY;
  for (int k = 0; k <= restarts; k++) {
    if (k == 0) memcpy(cur, start, (size_t)p * sizeof(double));
    else random_theta(w->d, &r, noisy, cur);
    double f = maximise_lml(w, cur, lo, hi, 100);
    if (f > best) {
      best = f;
      memcpy(theta, cur, (size_t)p * sizeof(double));
    }
  }
  free(lo);
  return best;
}

static bo_gp *gp_alloc(const double *X, int n, int d) {
  bo_gp *gp = xcalloc(1, sizeof *gp);
  gp->n = n;
  gp->d = d;
  gp->X = xmalloc((size_t)n * d * sizeof(double));
  memcpy(gp->X, X, (size_t)n * d * sizeof(double));
  gp->L = xmalloc((size_t)n * n * sizeof(double));
  gp->alpha = xmalloc((size_t)n * sizeof(double));
  gp->theta = xmalloc((size_t)(d + 2) * sizeof(double));
  gp->inv_l2 = xmalloc((size_t)d * sizeof(double));
  return gp;
}

void bo_gp_free(bo_gp *gp) {
  if (!gp) return;
  free(gp->X);
  free(gp->L);
  free(gp->alpha);
  free(gp->theta);
  free(gp->inv_l2);
  free(gp);
}

/* start: fixed hyperparameters, or the first start of the fit when fit != 0.
 * noise_floor: the fitted noise variance's lower bound in y's units (0: none). */
static bo_gp *gp_fit_from(const double *X, const double *y, int n, int d, const double *start,
                          int fit, int restarts, int noisy, double noise_floor, uint64_t seed) {
  if (n < 1 || d < 1) {
    au_fail(AU_EDATA, "gp: need at least one point and one dimension");
    return NULL;
  }
  for (int i = 0; i < n; i++)
    if (!isfinite(y[i])) {
      au_fail(AU_ENUM, "gp: target %d is not finite", i);
      return NULL;
    }
  bo_gp *gp = gp_alloc(X, n, d);
  double *yn = xmalloc((size_t)n * sizeof(double));
  normalise(y, n, yn, &gp->ymean, &gp->ystd);
  lml_work w;
  work_init(&w, gp->X, yn, n, d);
  memcpy(gp->theta, start, (size_t)(d + 2) * sizeof(double));
  double floor_n = noise_floor / (gp->ystd * gp->ystd); /* in normalised units */
  if (fit) fit_theta(&w, gp->theta, restarts, noisy, floor_n, seed);
  gp->lml = factor(&w, gp->theta);
  if (!isfinite(gp->lml) && fit) { /* fall back to a safe noise level */
    gp->theta[d + 1] = log(fmax(1e-2, floor_n));
    gp->lml = factor(&w, gp->theta);
  }
  if (isfinite(gp->lml)) {
    memcpy(gp->L, w.K, (size_t)n * n * sizeof(double));
    memcpy(gp->alpha, w.alpha, (size_t)n * sizeof(double));
    memcpy(gp->inv_l2, w.inv_l2, (size_t)d * sizeof(double));
    gp->sv = exp(gp->theta[d]);
  }
  work_free(&w);
  free(yn);
  if (!isfinite(gp->lml)) {
    bo_gp_free(gp);
    au_fail(AU_ENUM, "gp: covariance matrix is not positive definite");
    return NULL;
  }
  return gp;
}

bo_gp *bo_gp_fit(const double *X, const double *y, int n, int d, const double *theta,
                 int restarts, uint64_t seed) {
  double *start = xmalloc((size_t)(d > 0 ? d + 2 : 1) * sizeof(double));
  if (theta) memcpy(start, theta, (size_t)(d + 2) * sizeof(double));
  else if (d > 0) default_theta(d, start);
  bo_gp *gp = gp_fit_from(X, y, n, d, start, theta == NULL, restarts, 0, 0, seed);
  free(start);
  return gp;
}

/* Mean and latent variance in normalised units; ks is n scratch doubles. */
static void gp_predict_norm(const bo_gp *gp, const double *x, double *ks, double *mu,
                            double *var) {
  int n = gp->n, d = gp->d;
  for (int i = 0; i < n; i++) {
    double r2 = 0;
    for (int k = 0; k < d; k++) {
      double t = x[k] - gp->X[i * d + k];
      r2 += t * t * gp->inv_l2[k];
    }
    ks[i] = matern(r2, gp->sv);
  }
  *mu = dot(ks, gp->alpha, n);
  forward_subst(gp->L, n, ks);
  double v = gp->sv - dot(ks, ks, n);
  *var = v > 1e-12 * gp->sv ? v : 1e-12 * gp->sv;
}

void bo_gp_predict(const bo_gp *gp, const double *x, double *mean, double *var) {
  double *ks = xmalloc((size_t)gp->n * sizeof(double)), mu, v;
  gp_predict_norm(gp, x, ks, &mu, &v);
  free(ks);
  *mean = gp->ymean + gp->ystd * mu;
  *var = v * gp->ystd * gp->ystd;
}

void bo_gp_theta(const bo_gp *gp, double *theta) {
  memcpy(theta, gp->theta, (size_t)(gp->d + 2) * sizeof(double));
}

double bo_gp_lml(const bo_gp *gp) { return gp->lml; }

/* ============================ optimiser ==================================== */

struct bo_opt {
  bo_space space;
  int d, n_initial, n_candidates, restarts;
  double xi;
  uint64_t seed;
  double *lhs; /* n_initial x d, unit cube */
  int lhs_next, n_asked;
  int n, cap;
  double *U, *Xr, *y; /* told points: unit (snapped), real, value */
  double *theta;      /* last fitted GP hyperparameters: warm start */
  int have_theta;
  int noisy;          /* bo_set_noisy */
  double noise_floor; /* bo_set_noise_floor, in the objective's units */
  double fit_ystd;    /* the scale theta was fitted in (the points told by then) */
};

static void copy_space(const bo_space *src, bo_space *dst) {
  dst->n = src->n;
  dst->dims = xmalloc((size_t)src->n * sizeof *dst->dims);
  for (int i = 0; i < src->n; i++) {
    dst->dims[i] = src->dims[i];
    dst->dims[i].name = xstrdup(src->dims[i].name);
  }
}

/* Latin hypercube: one point per stratum in every dimension. */
static void latin_hypercube(const bo_space *s, int n, uint64_t seed, double *out) {
  rng_t r;
  rng_seed3(&r, seed, 0x1a5, 0);
  int *perm = xmalloc((size_t)n * sizeof(int)), d = s->n;
  for (int k = 0; k < d; k++) {
    for (int i = 0; i < n; i++) perm[i] = i;
    rng_shuffle(&r, perm, n);
    for (int i = 0; i < n; i++) out[i * d + k] = (perm[i] + rng_uniform(&r)) / n;
  }
  for (int i = 0; i < n; i++) snap_point(s, out + i * d);
  free(perm);
}

bo_opt *bo_new(const bo_space *s, int n_initial, uint64_t seed) {
  if (!s || s->n < 1) {
    au_fail(AU_EDATA, "bo: empty search space");
    return NULL;
  }
  bo_opt *o = xcalloc(1, sizeof *o);
  copy_space(s, &o->space);
  o->d = s->n;
  o->n_initial = n_initial < 1 ? 1 : n_initial;
  o->n_candidates = 10000;
  o->restarts = 2;
  o->xi = 0.01;
  o->seed = seed;
  o->lhs = xmalloc((size_t)o->n_initial * o->d * sizeof(double));
  latin_hypercube(&o->space, o->n_initial, seed, o->lhs);
  o->theta = xmalloc((size_t)(o->d + 2) * sizeof(double));
  return o;
}

void bo_free(bo_opt *o) {
  if (!o) return;
  bo_space_free(&o->space);
  free(o->lhs);
  free(o->U);
  free(o->Xr);
  free(o->y);
  free(o->theta);
  free(o);
}

void bo_set_candidates(bo_opt *o, int n) { o->n_candidates = n < 1 ? 1 : n; }
void bo_set_restarts(bo_opt *o, int n) { o->restarts = n < 0 ? 0 : n; }
void bo_set_xi(bo_opt *o, double xi) { o->xi = xi; }
void bo_set_noisy(bo_opt *o, int noisy) { o->noisy = noisy; }
void bo_set_noise_floor(bo_opt *o, double var) { o->noise_floor = isfinite(var) && var > 0 ? var : 0; }

int bo_noise(const bo_opt *o, double *share, double *sd) {
  if (!o->have_theta || o->n < 1) return 0;
  double v = o->fit_ystd, sv = exp(o->theta[o->d]), nv = exp(o->theta[o->d + 1]);
  if (share) *share = nv / (sv + nv);
  if (sd) *sd = sqrt(nv) * v;
  return 1;
}
int bo_n_told(const bo_opt *o) { return o->n; }

/* Evaluated already?  Unit points are snapped, so a tiny tolerance suffices. */
static int seen(const bo_opt *o, const double *u) {
  for (int i = 0; i < o->n; i++) {
    int same = 1;
    for (int k = 0; k < o->d && same; k++) same = fabs(o->U[i * o->d + k] - u[k]) < 1e-9;
    if (same) return 1;
  }
  return 0;
}

static void random_unit(const bo_opt *o, rng_t *r, double *u) {
  for (int k = 0; k < o->d; k++) u[k] = rng_uniform(r);
  snap_point(&o->space, u);
}

/* A random point not evaluated yet (the last draw if the space seems exhausted). */
static void random_unseen(const bo_opt *o, rng_t *r, double *u) {
  for (int t = 0; t < 1000; t++) {
    random_unit(o, r, u);
    if (!seen(o, u)) return;
  }
}

static double expected_improvement(double mu, double var, double best, double xi) {
  double s = sqrt(var), imp = best - mu - xi, z = imp / s;
  double ei = imp * 0.5 * erfc(-z / SQRT2) + s * exp(-0.5 * z * z) * INV_SQRT_2PI;
  return ei > 0 ? ei : 0;
}

typedef struct {
  const bo_opt *o;
  const bo_gp *gp;
  double best; /* lowest normalised target */
  double *ks;  /* scratch */
} acq_ctx;

static double acq(const acq_ctx *a, const double *u) {
  double mu, var;
  gp_predict_norm(a->gp, u, a->ks, &mu, &var);
  return expected_improvement(mu, var, a->best, a->o->xi);
}

/* Gaussian perturbation search from u (in place): accept improvements, halve
 * the step after repeated failures.  Returns the final acquisition value. */
static double refine(const acq_ctx *a, rng_t *r, double *u, double f, double *trial) {
  int d = a->o->d, fails = 0;
  double step = 0.05;
  for (int it = 0; it < 150 && step > 1e-4; it++) {
    for (int k = 0; k < d; k++) trial[k] = clamp(u[k] + step * rng_normal(r), 0.0, 1.0);
    snap_point(&a->o->space, trial);
    double ft = acq(a, trial);
    if (ft > f && !seen(a->o, trial)) {
      memcpy(u, trial, (size_t)d * sizeof(double));
      f = ft;
      fails = 0;
    } else if (++fails >= 10) {
      step *= 0.5;
      fails = 0;
    }
  }
  return f;
}

#define N_REFINE 5

/* Insert candidate index c with value f into the top list (descending). */
static void keep_top(int *top, double *topf, int *ntop, int c, double f) {
  if (*ntop == N_REFINE && f <= topf[N_REFINE - 1]) return;
  int i = *ntop < N_REFINE ? (*ntop)++ : N_REFINE - 1;
  for (; i > 0 && topf[i - 1] < f; i--) {
    top[i] = top[i - 1];
    topf[i] = topf[i - 1];
  }
  top[i] = c;
  topf[i] = f;
}

/* Maximise EI: random unseen candidates, then refine the best few. */
static void propose(const bo_opt *o, const bo_gp *gp, rng_t *r, double *u_out) {
  int d = o->d, m = o->n_candidates;
  acq_ctx a = {o, gp, INFINITY, xmalloc((size_t)gp->n * sizeof(double))};
  for (int i = 0; i < o->n; i++) a.best = fmin(a.best, (o->y[i] - gp->ymean) / gp->ystd);
  double *cand = xmalloc((size_t)m * d * sizeof(double)), *trial = xmalloc((size_t)d * sizeof(double));
  int top[N_REFINE], ntop = 0;
  double topf[N_REFINE];
  for (int c = 0; c < m; c++) {
    random_unit(o, r, cand + (size_t)c * d);
    if (!seen(o, cand + (size_t)c * d)) keep_top(top, topf, &ntop, c, acq(&a, cand + (size_t)c * d));
  }
  if (ntop == 0) { /* every candidate was seen (tiny int space) */
    random_unseen(o, r, u_out);
  } else {
    double bestf = -1;
    for (int t = 0; t < ntop; t++) {
      double *u = cand + (size_t)top[t] * d;
      double f = refine(&a, r, u, topf[t], trial);
      if (f > bestf) {
        bestf = f;
        memcpy(u_out, u, (size_t)d * sizeof(double));
      }
    }
  }
  free(trial);
  free(cand);
  free(a.ks);
}

static bo_gp *fit_surrogate(bo_opt *o) {
  if (!o->have_theta) {
    default_theta(o->d, o->theta);
    if (o->noisy) o->theta[o->d + 1] = log(0.3); /* start from "mostly signal, some noise" */
  }
  bo_gp *gp = gp_fit_from(o->U, o->y, o->n, o->d, o->theta, 1, o->restarts, o->noisy, o->noise_floor,
                          o->seed ^ (uint64_t)o->n * 0x9e3779b97f4a7c15ULL);
  if (gp) {
    bo_gp_theta(gp, o->theta);
    o->fit_ystd = gp->ystd;
    o->have_theta = 1;
  }
  return gp;
}

void bo_ask(bo_opt *o, double *x_out) {
  int d = o->d;
  double *u = xmalloc((size_t)d * sizeof(double));
  rng_t r;
  rng_seed3(&r, o->seed, 0xb0, (uint64_t)o->n_asked++);
  if (o->lhs_next < o->n_initial) {
    memcpy(u, o->lhs + (size_t)o->lhs_next++ * d, (size_t)d * sizeof(double));
    if (seen(o, u)) random_unseen(o, &r, u);
  } else {
    bo_gp *gp = o->n >= 2 ? fit_surrogate(o) : NULL;
    if (gp) propose(o, gp, &r, u);
    else random_unseen(o, &r, u);
    bo_gp_free(gp);
  }
  bo_space_from_unit(&o->space, u, x_out);
  free(u);
}

int bo_tell(bo_opt *o, const double *x, double y) {
  if (!isfinite(y)) return au_fail(AU_ENUM, "bo: objective value is not finite (%g)", y);
  for (int k = 0; k < o->d; k++) {
    const bo_dim *dm = &o->space.dims[k];
    double tol = 1e-9 * (dm->high - dm->low);
    if (!isfinite(x[k]) || x[k] < dm->low - tol || x[k] > dm->high + tol)
      return au_fail(AU_EDATA, "bo: value %g of dimension '%s' is outside [%g, %g]", x[k],
                     dm->name, dm->low, dm->high);
  }
  if (o->n == o->cap) {
    o->cap = o->cap ? 2 * o->cap : 16;
    o->U = xrealloc(o->U, (size_t)o->cap * o->d * sizeof(double));
    o->Xr = xrealloc(o->Xr, (size_t)o->cap * o->d * sizeof(double));
    o->y = xrealloc(o->y, (size_t)o->cap * sizeof(double));
  }
  double *u = o->U + (size_t)o->n * o->d, *xr = o->Xr + (size_t)o->n * o->d;
  bo_space_to_unit(&o->space, x, u);
  for (int k = 0; k < o->d; k++) {
    const bo_dim *dm = &o->space.dims[k];
    xr[k] = dm->type == BO_INT ? round(clamp(x[k], dm->low, dm->high)) : clamp(x[k], dm->low, dm->high);
  }
  o->y[o->n++] = y;
  return AU_OK;
}

double bo_best(const bo_opt *o, double *x_best) {
  int b = -1;
  for (int i = 0; i < o->n; i++)
    if (b < 0 || o->y[i] < o->y[b]) b = i;
  if (b < 0) return INFINITY;
  if (x_best) memcpy(x_best, o->Xr + (size_t)b * o->d, (size_t)o->d * sizeof(double));
  return o->y[b];
}
