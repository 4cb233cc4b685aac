#include "plan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conditions.h"
#include "err.h"
#include "rng.h"
#include "scorer.h"

const char *const plan_ratio_name[PLAN_NRATIO] = {"ligand_to_Au", "reductant_to_Au"};
const double plan_default_step[AU_NCOND] = {0.01, 0.01, 0.01, 1, 0.1};

/* the condition each ratio puts over HAuCl4 */
static const int ratio_cond[PLAN_NRATIO] = {D_LIGAND_MM, D_REDUCTANT_MM};

void plan_space_from_model(plan_space *s, const model *m) {
  memset(s, 0, sizeof *s);
  int *mol, *y;
  double *x;
  int n = model_training_rows(m, &mol, &x, &y);
  for (int c = 0; c < AU_NCOND; c++) { s->lo[c] = INFINITY; s->hi[c] = -INFINITY; }
  for (int r = 0; r < PLAN_NRATIO; r++) { s->rlo[r] = INFINITY; s->rhi[r] = -INFINITY; }
  for (int i = 0; i < n; i++) {
    const double *xi = x + (size_t)i * m->L.nx;
    for (int c = 0; c < AU_NCOND; c++) {
      if (xi[c] < s->lo[c]) s->lo[c] = xi[c];
      if (xi[c] > s->hi[c]) s->hi[c] = xi[c];
    }
    if (!(xi[D_HAUCL4_MM] > 0)) continue;
    for (int r = 0; r < PLAN_NRATIO; r++) {
      double q = xi[ratio_cond[r]] / xi[D_HAUCL4_MM];
      if (q < s->rlo[r]) s->rlo[r] = q;
      if (q > s->rhi[r]) s->rhi[r] = q;
    }
  }
  for (int r = 0; r < PLAN_NRATIO; r++)
    if (!(s->rlo[r] <= s->rhi[r])) { s->rlo[r] = 0; s->rhi[r] = INFINITY; } /* no recipe with gold: no bound */
  free(mol); free(x); free(y);
}

int plan_ratio_index(const char *name) {
  for (int r = 0; r < PLAN_NRATIO; r++)
    if (!strcmp(name, plan_ratio_name[r])) return r;
  return -1;
}

int plan_parse_ratio(const char *spec, int *r, double *lo, double *hi) {
  const char *a = strchr(spec, ':'), *b = a ? strchr(a + 1, ':') : NULL;
  char name[64];
  snprintf(name, sizeof name, "%.*s", a ? (int)(a - spec) : 0, spec);
  if (!a || !b || (*r = plan_ratio_index(name)) < 0)
    return au_fail(AU_EUSAGE, "range '%s': expected ligand_to_Au:LOW:HIGH or reductant_to_Au:LOW:HIGH", spec);
  char *e1, *e2;
  *lo = strtod(a + 1, &e1);
  *hi = strtod(b + 1, &e2);
  if (e1 != b || *e2 || e1 == a + 1 || e2 == b + 1 || !isfinite(*lo) || !isfinite(*hi))
    return au_fail(AU_EUSAGE, "range '%s': LOW and HIGH must be finite numbers", spec);
  if (*lo < 0) return au_fail(AU_EUSAGE, "range '%s': a molar ratio cannot be negative", spec);
  if (!(*lo < *hi)) return au_fail(AU_EUSAGE, "range '%s': empty range (LOW must be below HIGH)", spec);
  return 0;
}

int plan_parse_step(plan_space *s, const char *spec) {
  const char *a = strchr(spec, ':');
  char name[64];
  snprintf(name, sizeof name, "%.*s", a ? (int)(a - spec) : 0, spec);
  int c = a ? cond_index(name) : -1;
  if (c < 0) return au_fail(AU_EUSAGE, "precision '%s': expected CONDITION:STEP, e.g. pH:0.05", spec);
  char *e;
  double v = strtod(a + 1, &e);
  if (e == a + 1 || *e || !isfinite(v) || v <= 0)
    return au_fail(AU_EUSAGE, "precision '%s': STEP must be a number above 0", spec);
  s->step[c] = v;
  return 0;
}

static double tol(double b) { return 1e-9 * fmax(1, fabs(b)); }

int plan_contains(const plan_space *s, const double *x) {
  for (int c = 0; c < AU_NCOND; c++)
    if (!(x[c] >= s->lo[c] - tol(s->lo[c]) && x[c] <= s->hi[c] + tol(s->hi[c]))) return 0;
  for (int r = 0; r < PLAN_NRATIO; r++) {
    if (s->rlo[r] <= 0 && isinf(s->rhi[r])) continue;
    if (!(x[D_HAUCL4_MM] > 0)) return 0;
    double q = x[ratio_cond[r]] / x[D_HAUCL4_MM];
    if (!(q >= s->rlo[r] * (1 - 1e-9) && q <= s->rhi[r] * (1 + 1e-9))) return 0;
  }
  return 1;
}

/* The multiple of step nearest v; computed as k / (1/step) when 1/step is
 * an integer so that 0.01 steps land on the doubles nearest the decimals. */
static double snap(double step, double k) {
  double inv = 1 / step, ri = round(inv);
  return fabs(inv - ri) < 1e-9 * ri ? k / ri : k * step;
}

int plan_round(const plan_space *s, double *x) {
  for (int c = 0; c < AU_NCOND; c++) {
    double st = s->step[c];
    if (!(st > 0) || !(s->hi[c] > s->lo[c])) continue;
    double k = round(x[c] / st), kl = ceil(s->lo[c] / st - 1e-9), kh = floor(s->hi[c] / st + 1e-9);
    if (kl > kh) return -1;
    x[c] = snap(st, fmin(fmax(k, kl), kh)) + 0.0; /* + 0.0: no "-0" */
  }
  return 0;
}

int plan_decimals(double step) {
  for (int d = 0; d < 9; d++) {
    double v = step * pow(10, d);
    if (fabs(v - round(v)) < 1e-9 * fmax(1, v)) return d;
  }
  return 9;
}

/* Halton point `i` in base b: the radical inverse, a low-discrepancy sequence. */
static double halton(unsigned long i, int b) {
  double f = 1, r = 0;
  for (; i; i /= b) { f /= b; r += f * (double)(i % b); }
  return r;
}

/* The HAuCl4 interval in which both ratio slices are non-empty. */
static void gold_interval(const plan_space *s, double *alo, double *ahi) {
  *alo = s->lo[D_HAUCL4_MM];
  *ahi = s->hi[D_HAUCL4_MM];
  for (int r = 0; r < PLAN_NRATIO; r++) {
    int c = ratio_cond[r];
    double lo = isinf(s->rhi[r]) ? 0 : s->lo[c] / s->rhi[r];
    double hi = s->rlo[r] > 0 ? s->hi[c] / s->rlo[r] : INFINITY;
    if (lo > *alo) *alo = lo;
    if (hi < *ahi) *ahi = hi;
  }
}

typedef struct {
  double x[AU_NCOND];
  long i;
} row_ref;

static int cmp_rows(const void *a, const void *b) {
  const row_ref *u = a, *v = b;
  for (int c = 0; c < AU_NCOND; c++)
    if (u->x[c] != v->x[c]) return u->x[c] < v->x[c] ? -1 : 1;
  return (u->i > v->i) - (u->i < v->i);
}

/* Keep the first of each set of identical rows, in their original order. */
static long dedup(double *cond, long n) {
  row_ref *rr = xmalloc(sizeof(row_ref) * (n + 1));
  char *drop = xcalloc(n + 1, 1);
  for (long i = 0; i < n; i++) {
    memcpy(rr[i].x, cond + i * AU_NCOND, sizeof rr[i].x);
    rr[i].i = i;
  }
  qsort(rr, n, sizeof(row_ref), cmp_rows);
  for (long i = 1; i < n; i++)
    if (!memcmp(rr[i].x, rr[i - 1].x, sizeof rr[i].x)) drop[rr[i].i] = 1;
  long m = 0;
  for (long i = 0; i < n; i++)
    if (!drop[i]) memmove(cond + m++ * AU_NCOND, cond + i * AU_NCOND, sizeof(double) * AU_NCOND);
  free(rr); free(drop);
  return m;
}

int plan_candidates(const plan_space *s, long n, uint64_t seed, double *cond, long *count) {
  *count = 0;
  if (!(s->hi[D_HAUCL4_MM] > 0)) return au_fail(AU_EUSAGE, "haucl4_mM must be above 0: without gold there is no cluster");
  for (int c = 0; c < AU_NCOND; c++) {
    double st = s->step[c];
    if (st > 0 && s->hi[c] > s->lo[c] && ceil(s->lo[c] / st - 1e-9) > floor(s->hi[c] / st + 1e-9))
      return au_fail(AU_EUSAGE, "%s range %g-%g holds no multiple of the rounding step %g", au_desc_name[c], s->lo[c],
                     s->hi[c], st);
  }
  double alo, ahi;
  gold_interval(s, &alo, &ahi);
  if (!(alo <= ahi + tol(ahi)) || !(ahi > 0))
    return au_fail(AU_EUSAGE,
                   "no recipe satisfies the bounds with ligand_to_Au in %g-%g and reductant_to_Au in %g-%g "
                   "(widen them with --range ligand_to_Au:LO:HI or reductant_to_Au:LO:HI)",
                   s->rlo[0], s->rhi[0], s->rlo[1], s->rhi[1]);
  if (alo > ahi) alo = ahi;
  static const int bases[AU_NCOND] = {2, 3, 5, 7, 11};
  rng_t r;
  rng_seed(&r, seed);
  double shift[AU_NCOND];
  for (int c = 0; c < AU_NCOND; c++) shift[c] = rng_uniform(&r);
  long m = 0;
  for (long i = 0; i < n; i++) {
    double u[AU_NCOND], *x = cond + m * AU_NCOND;
    for (int c = 0; c < AU_NCOND; c++) {
      u[c] = halton((unsigned long)i + 1, bases[c]) + shift[c];
      u[c] -= floor(u[c]);
    }
    for (int c = D_TEMPERATURE_C; c <= D_PH; c++) x[c] = s->lo[c] + u[c] * (s->hi[c] - s->lo[c]);
    double a = alo + u[D_HAUCL4_MM] * (ahi - alo);
    if (!(a > 0)) continue;
    x[D_HAUCL4_MM] = a;
    for (int q = 0; q < PLAN_NRATIO; q++) {
      int c = ratio_cond[q];
      double lo = fmax(s->lo[c], s->rlo[q] * a), hi = fmin(s->hi[c], s->rhi[q] * a);
      if (hi < lo) hi = lo; /* the interval's ends, to rounding */
      x[c] = fmin(fmax(lo + u[c] * (hi - lo), s->lo[c]), s->hi[c]);
    }
    if (plan_round(s, x) || !plan_contains(s, x)) continue;
    m++;
  }
  *count = dedup(cond, m);
  if (!*count) return au_fail(AU_EUSAGE, "no candidate recipe is left inside the bounds after rounding to lab precision");
  return 0;
}

double plan_incumbent(const model *m) {
  int *mol, *y;
  double *x, best = 0;
  int n = model_training_rows(m, &mol, &x, &y);
  for (int i = 0; i < n; i++) {
    const molgraph *g[NROLES];
    for (int k = 0; k < NROLES; k++) g[k] = m->gp[mol[i * NROLES + k]];
    scorer *sc = scorer_new(m, g, x + (size_t)i * m->L.nx);
    double p = 0;
    if (scorer_eval_mean(sc, x + (size_t)i * m->L.nx, 1, &p, NULL)) p = 0; /* a NaN is no incumbent */
    scorer_free(sc);
    if (p > best) best = p;
  }
  free(mol); free(x); free(y);
  return best;
}
