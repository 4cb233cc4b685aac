#include "scorer.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "err.h"

typedef struct {
  double *c;   /* [dim1] first-layer bias with everything constant folded in */
  double *Wc;  /* [AU_NCOND, dim1] condition rows of W0 divided by the scaler range */
  double *Wd;  /* [NET_NDERIVED, dim1] the same for the derived ratios (ratio_inputs), else NULL */
} inst_fold;

struct scorer {
  const model *m;
  inst_fold *f; /* per instance */
  double x[AU_XMAX]; /* baselines: the component descriptors, conditions filled per recipe */
};

static void one_fp(const net_layout *L, const double *p, int role, const molgraph *g, double *fp) {
  gbatch gb;
  gcnn_ws ws;
  const molgraph *list[1] = {g};
  gbatch_build(&gb, list, 1);
  gcnn_ws_init(&ws, &L->gl[role], gb.natoms);
  gcnn_forward(&L->gl[role], p, &gb, &ws, fp);
  double f = net_pool_factor(L, g);
  for (int j = 0; j < L->D; j++) fp[j] *= f;
  gcnn_ws_free(&ws);
  gbatch_free(&gb);
}

int model_fingerprint(const model *m, int role, const molgraph *g, double *mean) {
  const net_layout *L = &m->L;
  if (!L->D) return au_fail(AU_EUSAGE, "a %s model has no GCNN fingerprints", hparams_kind(&m->hp));
  double *fp = xmalloc(sizeof(double) * L->D);
  memset(mean, 0, sizeof(double) * L->D);
  for (int k = 0; k < m->ninst; k++) {
    one_fp(L, m->inst[k].p, role, g, fp);
    for (int j = 0; j < L->D; j++) mean[j] += fp[j] / m->ninst;
  }
  free(fp);
  for (int j = 0; j < L->D; j++)
    if (!isfinite(mean[j])) return au_fail(AU_ENUM, "the model gives a non-finite fingerprint for '%s'", g->canonical ? g->canonical : "?");
  return 0;
}

scorer *scorer_new(const model *m, const molgraph *const mols[NROLES], const double *x) {
  const net_layout *L = &m->L;
  int d1 = L->dim[1], D = L->D, in = L->in_dim;
  scorer *s = xcalloc(1, sizeof *s);
  s->m = m;
  s->f = xcalloc(m->ninst, sizeof(inst_fold));
  memcpy(s->x, x, sizeof(double) * L->nx);
  if (hparams_is_baseline(&m->hp)) return s; /* nothing to fold */
  double *iiv = xmalloc(sizeof(double) * in);
  for (int k = 0; k < m->ninst; k++) {
    const instance *it = &m->inst[k];
    for (int r = 0; r < NROLES && D; r++) one_fp(L, it->p, r, mols[r], iiv + r * D);
    scale_inputs(L, it, x, iiv + NROLES * D);
    const double *W0 = it->p + L->W[0];
    inst_fold *f = &s->f[k];
    f->c = xmalloc(sizeof(double) * d1);
    f->Wc = xmalloc(sizeof(double) * AU_NCOND * d1);
    if (L->nder) f->Wd = xmalloc(sizeof(double) * L->nder * d1);
    memcpy(f->c, it->p + L->b[0], sizeof(double) * d1);
    for (int j = 0; j < in; j++) {
      int cond = j - NROLES * D, der = cond - L->nx;
      const double *w = W0 + (size_t)j * d1;
      if ((cond >= 0 && cond < AU_NCOND) || der >= 0) {
        /* scaled = (raw - lo) / range (range 0: raw - lo, as scale_row) */
        double r = it->hi[cond] - it->lo[cond], inv = r > 0 ? 1 / r : 1;
        double *dst = der >= 0 ? f->Wd + der * d1 : f->Wc + cond * d1;
        for (int u = 0; u < d1; u++) {
          dst[u] = w[u] * inv;
          f->c[u] -= it->lo[cond] * inv * w[u];
        }
      } else {
        for (int u = 0; u < d1; u++) f->c[u] += iiv[j] * w[u];
      }
    }
  }
  free(iiv);
  return s;
}

void scorer_free(scorer *s) {
  if (!s) return;
  for (int k = 0; k < s->m->ninst; k++) { free(s->f[k].c); free(s->f[k].Wc); free(s->f[k].Wd); }
  free(s->f);
  free(s);
}

static double sigm(double x) { return x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)); }

#define CH 256

/* The layers after the folded first one, then the head's probability rule. */
static void eval_instance(const model *m, int k, const inst_fold *f, const double *cond, int n, double *p, double *a,
                          double *b, double *sbuf) {
  const net_layout *L = &m->L;
  const instance *it = &m->inst[k];
  int nl = L->nl, K = m->ninst;
  for (int s0 = 0; s0 < n; s0 += CH) {
    int c = n - s0 < CH ? n - s0 : CH, d1 = L->dim[1];
    for (int i = 0; i < c; i++) memcpy(a + (size_t)i * d1, f->c, sizeof(double) * d1);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, c, d1, AU_NCOND, 1.0, cond + (size_t)s0 * AU_NCOND,
                AU_NCOND, f->Wc, d1, 1.0, a, d1);
    if (f->Wd) { /* the derived ratios are not linear in the conditions: computed per recipe */
      double x[AU_NDESC] = {0}, dv[NET_NDERIVED];
      for (int i = 0; i < c; i++) {
        memcpy(x, cond + (size_t)(s0 + i) * AU_NCOND, sizeof(double) * AU_NCOND);
        net_derived(x, dv);
        for (int j = 0; j < L->nder; j++)
          for (int u = 0; u < d1; u++) a[(size_t)i * d1 + u] += dv[j] * f->Wd[j * d1 + u];
      }
    }
    for (int l = 1; l <= nl; l++) {
      int n_out = c * L->dim[l];
      if (l < nl) relu_forward(a, a, n_out);
      else if (L->hp.head == HEAD_SNN) sigmoid_forward(a, a, n_out);
      if (l == nl) break;
      dense_forward(a, it->p + L->W[l], it->p + L->b[l], b, c, L->dim[l], L->dim[l + 1]);
      double *t = a; a = b; b = t;
    }
    int dm = L->dim[nl];
    for (int i = 0; i < c; i++) {
      const double *o = a + (size_t)i * dm;
      double q;
      if (L->hp.head == HEAD_SNN) {
        q = snn_support_prob(L, it, o, sbuf);
      } else {
        q = sigm(o[1] - o[0]);
      }
      p[(size_t)(s0 + i) * K + k] = q;
    }
  }
}

static void eval_baseline(const scorer *s, const double *cond, int n, double *p) {
  const model *m = s->m;
  double x[AU_XMAX];
  memcpy(x, s->x, sizeof x);
  for (int i = 0; i < n; i++) {
    memcpy(x, cond + (size_t)i * AU_NCOND, sizeof(double) * AU_NCOND);
    for (int k = 0; k < m->ninst; k++) p[(size_t)i * m->ninst + k] = baseline_prob(&m->L, &m->inst[k], x);
  }
}

/* A loadable model with extreme (finite) weights can still overflow to
 * NaN: every probability is checked, as instance_predict does. */
static int check_finite(const double *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isfinite(p[i])) return au_fail(AU_ENUM, "the model gives a non-finite probability (%g) for point %zu", p[i], i + 1);
  return 0;
}

static void eval_network(const scorer *s, const double *cond, int n, double *p);

int scorer_eval(const scorer *s, const double *cond, int n, double *p) {
  if (hparams_is_baseline(&s->m->hp)) eval_baseline(s, cond, n, p);
  else eval_network(s, cond, n, p);
  int rc = check_finite(p, (size_t)n * s->m->ninst);
  if (!rc && s->m->calib.fitted && !s->m->uncalibrated)
    for (size_t i = 0; i < (size_t)n * s->m->ninst; i++) p[i] = model_calibrated(s->m, p[i]);
  return rc;
}

static void eval_network(const scorer *s, const double *cond, int n, double *p) {
  const net_layout *L = &s->m->L;
  int maxd = 0;
  for (int l = 0; l <= L->nl; l++) if (L->dim[l] > maxd) maxd = L->dim[l];
  int nsup = 0;
  for (int k = 0; k < s->m->ninst; k++) if (s->m->inst[k].nsup > nsup) nsup = s->m->inst[k].nsup;
  double *a = xmalloc(sizeof(double) * CH * maxd), *b = xmalloc(sizeof(double) * CH * maxd),
         *sbuf = xmalloc(sizeof(double) * (nsup + 1)); /* snn_support_prob's scratch */
  for (int k = 0; k < s->m->ninst; k++) eval_instance(s->m, k, &s->f[k], cond, n, p, a, b, sbuf);
  free(a); free(b); free(sbuf);
}

int scorer_eval_mean(const scorer *s, const double *cond, int n, double *mean, double *sd) {
  int K = s->m->ninst;
  double *p = xmalloc(sizeof(double) * (size_t)n * K);
  int rc = scorer_eval(s, cond, n, p);
  if (rc) { free(p); return rc; }
  for (int i = 0; i < n; i++) {
    double sum = 0, s2 = 0;
    for (int k = 0; k < K; k++) sum += p[(size_t)i * K + k];
    mean[i] = sum / K;
    if (sd) {
      for (int k = 0; k < K; k++) s2 += (p[(size_t)i * K + k] - mean[i]) * (p[(size_t)i * K + k] - mean[i]);
      sd[i] = K > 1 ? sqrt(s2 / (K - 1)) : 0;
    }
  }
  free(p);
  return 0;
}
