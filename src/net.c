#include "net.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "baseline.h"
#include "err.h"
#include "forest.h"
#include "kern.h"
#include "metrics.h"

/* ---- layout -------------------------------------------------------------- */
void net_layout_init(net_layout *L, const hparams *hp, int nextra) {
  memset(L, 0, sizeof *L);
  L->hp = *hp;
  L->nx = AU_NDESC + nextra;
  long o = 0;
  if (hp->use_gcnn) {
    L->D = hp->fingerprint_length;
    for (int r = 0; r < NROLES; r++) {
      gcnn_layout_init(&L->gl[r], hp->graph_layers, hp->graph_width, L->D, o);
      o += L->gl[r].size;
    }
  }
  L->nder = hp->ratio_inputs && !hparams_is_baseline(hp) ? NET_NDERIVED : 0;
  L->in_dim = NROLES * L->D + L->nx + L->nder;
  L->dim[0] = L->in_dim;
  if (hparams_is_baseline(hp)) return; /* no network: no layers, no parameters */
  int nh = hp->head == HEAD_SVM ? 0 : hp->nhidden; /* the SVM is one linear layer */
  for (int i = 0; i < nh; i++) L->dim[i + 1] = hp->hidden[i];
  L->nl = nh + 1;
  L->dim[L->nl] = hp->head == HEAD_SNN ? hp->feature_vector_dim : 2;
  for (int l = 0; l < L->nl; l++) {
    L->W[l] = o; o += (long)L->dim[l] * L->dim[l + 1];
    L->b[l] = o; o += L->dim[l + 1];
  }
  if (hp->head == HEAD_SNN) {
    L->dist_w = o; o += hp->feature_vector_dim;
    L->dist_b = o; o += 1;
  }
  L->nparams = o;
}

static void init_params(const net_layout *L, double *p, rng_t *r) {
  memset(p, 0, sizeof(double) * L->nparams);
  if (L->D)
    for (int k = 0; k < NROLES; k++) gcnn_init_params(&L->gl[k], p, r);
  for (int l = 0; l < L->nl; l++) glorot_init(p + L->W[l], L->dim[l], L->dim[l + 1], r);
  if (L->hp.head == HEAD_SNN) glorot_init(p + L->dist_w, L->hp.feature_vector_dim, 1, r);
  /* cleared after the draws, so every other weight is what it would be without fp_zero_init */
  if (L->hp.fp_zero_init) memset(p + L->W[0], 0, sizeof(double) * net_fp_weights(L));
}

long net_fp_weights(const net_layout *L) { return L->nl ? (long)NROLES * L->D * L->dim[1] : 0; }

/* ---- datasets ------------------------------------------------------------ */
void dataset_from_recipes(const recipe_set *s, dataset *d) {
  const molgraph **mols = xmalloc(sizeof(molgraph *) * (s->nmol + 1));
  for (int i = 0; i < s->nmol; i++) mols[i] = &s->mol[i].g;
  int *mol = xmalloc(sizeof(int) * NROLES * (s->n + 1));
  int nx = AU_NDESC + s->nextra;
  double *x = xmalloc(sizeof(double) * nx * (s->n + 1));
  int *y = xmalloc(sizeof(int) * (s->n + 1));
  for (int i = 0; i < s->n; i++) {
    memcpy(mol + i * NROLES, s->r[i].mol, sizeof(int) * NROLES);
    memcpy(x + (size_t)i * nx, s->r[i].x, sizeof(double) * nx);
    y[i] = s->r[i].outcome;
  }
  *d = (dataset){mols, s->nmol, s->n, mol, x, y, nx, 0};
}

void dataset_free(dataset *d) {
  free((void *)d->mols); free((void *)d->mol); free((void *)d->x); free((void *)d->y);
  memset(d, 0, sizeof *d);
}

static double scaled(const instance *in, int j, double v) {
  double r = in->hi[j] - in->lo[j];
  return r > 0 ? (v - in->lo[j]) / r : v - in->lo[j];
}

void scale_row(const instance *in, int nx, const double *x, double *out) {
  for (int j = 0; j < nx; j++) out[j] = scaled(in, j, x[j]);
}

const char *const net_derived_name[NET_NDERIVED] = {"log10_ligand_au", "log10_reductant_au"};

void net_derived(const double *x, double *out) {
  double au = x[D_HAUCL4_MM] + 1e-3;
  out[0] = log10((x[D_LIGAND_MM] + 1e-3) / au);
  out[1] = log10((x[D_REDUCTANT_MM] + 1e-3) / au);
}

void scale_inputs(const net_layout *L, const instance *in, const double *x, double *out) {
  scale_row(in, L->nx, x, out);
  if (!L->nder) return;
  double d[NET_NDERIVED];
  net_derived(x, d);
  for (int j = 0; j < L->nder; j++) out[L->nx + j] = scaled(in, L->nx + j, d[j]);
}

double net_pool_factor(const net_layout *L, const molgraph *g) {
  return L->hp.fingerprint_pool && g->natoms > 0 ? 1.0 / g->natoms : 1.0;
}

#include "net_pass.h"
#define NP_FLOAT 1
#include "net_pass.h"
#undef NP_FLOAT

/* not inlined into fit: scripts/bench counts the steps' instructions in it */
__attribute__((noinline)) double pass_batch_loss(pass *ps, const instance *in, const int *a, const int *b, int nb,
                                                 double *g, rng_t *drop) {
  return batch_loss(ps, in, in->p, a, b, nb, g, drop);
}

/* ---- training ------------------------------------------------------------ */
/* Parameters that can ever receive a gradient from this training set, as
 * [start, end) runs. GCNN rows for atom features no training atom has and
 * matrices of degrees no atom has never do; Adam leaves such parameters
 * exactly unchanged (m = v = 0 gives a zero step), so skipping them changes
 * nothing but the time. */
typedef struct { long *lo, *hi; int n, cap; } runs;

static void run_add(runs *r, long lo, long hi) {
  if (lo >= hi) return;
  if (r->n && r->hi[r->n - 1] == lo) { r->hi[r->n - 1] = hi; return; }
  if (r->n == r->cap) {
    r->cap = r->cap ? 2 * r->cap : 64;
    r->lo = xrealloc(r->lo, sizeof(long) * r->cap);
    r->hi = xrealloc(r->hi, sizeof(long) * r->cap);
  }
  r->lo[r->n] = lo; r->hi[r->n++] = hi;
}

static runs active_params(const net_layout *L, const gbatch gb[NROLES]) {
  runs r = {0};
  enum { C = MG_ATOM_FEATS + MG_BOND_FEATS };
  for (int k = 0; k < NROLES && L->D; k++) {
    const gcnn_layout *g = &L->gl[k];
    const gbatch *b = &gb[k];
    /* layer-0 input columns used by the atoms of each degree, and by any atom */
    unsigned char used[GC_NDEG][C] = {{0}}, usedu[C] = {0}, has[GC_NDEG] = {0};
    for (int a = 0; a < b->natoms; a++) {
      int d = b->atom_deg[a];
      has[d] = 1;
      for (int j = b->z0.start[a]; j < b->z0.start[a + 1]; j++) used[d][b->z0.col[j]] = 1;
      for (int j = b->u0.start[a]; j < b->u0.start[a + 1]; j++) usedu[b->u0.col[j]] = 1;
    }
    /* follow the layout order: hidden layers, then outputs */
    for (int l = 0; l < g->P; l++)
      for (int d = 0; d < GC_NDEG; d++) {
        if (!has[d]) continue;
        if (l == 0) {
          for (int j = 0; j < C; j++)
            if (used[d][j]) run_add(&r, g->W[0][d] + (long)j * g->width, g->W[0][d] + (long)(j + 1) * g->width);
        } else {
          run_add(&r, g->W[l][d], g->W[l][d] + (long)(gcnn_in_dim(g, l) + MG_BOND_FEATS) * g->width);
        }
        run_add(&r, g->b[l][d], g->b[l][d] + g->width);
      }
    for (int l = 0; l <= g->P; l++) {
      if (!b->natoms) continue;
      if (l == 0) {
        for (int j = 0; j < C; j++)
          if (usedu[j]) run_add(&r, g->Wo[0] + (long)j * g->D, g->Wo[0] + (long)(j + 1) * g->D);
      } else {
        run_add(&r, g->Wo[l], g->Wo[l] + (long)(gcnn_in_dim(g, l) + MG_BOND_FEATS) * g->D);
      }
      run_add(&r, g->bo[l], g->bo[l] + g->D);
    }
  }
  run_add(&r, L->W[0], L->nparams); /* the head: everything */
  return r;
}

/* min and max of the nx descriptors, then of the nder derived inputs */
static void fit_scaler(const net_layout *L, instance *in, const dataset *d, const int *rows, int n) {
  int nv = d->nx + L->nder;
  for (int j = 0; j < nv; j++) { in->lo[j] = INFINITY; in->hi[j] = -INFINITY; }
  for (int i = 0; i < n; i++) {
    double x[AU_XMAX + NET_NDERIVED];
    memcpy(x, d->x + (size_t)rows[i] * d->nx, sizeof(double) * d->nx);
    if (L->nder) net_derived(x, x + d->nx);
    for (int j = 0; j < nv; j++) {
      if (x[j] < in->lo[j]) in->lo[j] = x[j];
      if (x[j] > in->hi[j]) in->hi[j] = x[j];
    }
  }
}

/* Draw one training batch. SNN: half same-class pairs, half different-class
 * pairs (the paper's Figure 3); DNN/SVM: rows uniformly with replacement. */
static void draw_batch(const hparams *hp, int *const cls[2], const int ncls[2], const int *rows, int nrows, rng_t *r,
                       int *a, int *b) {
  int nb = hp->pair_size;
  if (hp->head != HEAD_SNN) {
    for (int i = 0; i < nb; i++) a[i] = rows[rng_int(r, nrows)];
    return;
  }
  for (int i = 0; i < nb; i++) {
    if (i < nb / 2) {
      int c = rng_int(r, 2);
      if (ncls[c] < 2) c = 1 - c;
      int u = rng_int(r, ncls[c]), v = rng_int(r, ncls[c] - 1);
      if (v >= u) v++;
      a[i] = cls[c][u];
      b[i] = cls[c][v];
    } else {
      int u = cls[1][rng_int(r, ncls[1])], v = cls[0][rng_int(r, ncls[0])];
      if (rng_int(r, 2)) { a[i] = u; b[i] = v; }
      else { a[i] = v; b[i] = u; }
    }
  }
}

/* The training rows become the support set. */
static void set_support(const net_layout *L, instance *out, const dataset *d, const int *rows, int nrows) {
  out->nsup = nrows;
  out->sup_mol = xmalloc(sizeof(int) * NROLES * nrows);
  out->sup_x = xmalloc(sizeof(double) * L->nx * nrows);
  out->sup_y = xmalloc(sizeof(int) * nrows);
  for (int i = 0; i < nrows; i++) {
    memcpy(out->sup_mol + i * NROLES, d->mol + rows[i] * NROLES, sizeof(int) * NROLES);
    memcpy(out->sup_x + (size_t)i * L->nx, d->x + (size_t)rows[i] * L->nx, sizeof(double) * L->nx);
    out->sup_y[i] = d->y[rows[i]];
  }
}

int net_epochs(const hparams *hp, int nrows) {
  if (hp->budget_rows <= 0 || nrows <= hp->budget_rows) return hp->epochs;
  double e = ceil((double)hp->epochs * nrows / hp->budget_rows);
  return e < 1e6 ? (int)e : 1000000;
}

double net_lr_factor(const hparams *hp, long t, long T) {
  if (!hp->lr_decay || T <= 0) return 1;
  return 0.5 * (1 + cos(M_PI * (double)t / (double)T));
}

/* Adam on rows[] for `epochs` epochs from the initial weights of `seed`; out
 * gets the scaler (fitted on srows[]) and weights (not the support set). With nval > 0, after
 * every epoch the val rows are predicted with rows[] as the support set and
 * *best is the epoch count (1..epochs) of their lowest log loss, the first
 * on ties. */
static int fit(const net_layout *L, const dataset *d, const int *rows, int nrows, int *const cls[2],
               const int ncls[2], const int *srows, int nsrows, uint64_t seed, int epochs, const int *val, int nval,
               int *best, const unsigned char *drop, instance *out) {
  const hparams *hp = &L->hp;
  int rc = 0;
  rng_t r;
  rng_seed(&r, seed);
  fit_scaler(L, out, d, srows, nsrows);
  out->p = xmalloc(sizeof(double) * L->nparams);
  init_params(L, out->p, &r);
  /* dropped inputs (input_refit): their rows of W[0] start at 0 and Adam never moves them */
  for (int i = 0; drop && i < L->dim[0]; i++)
    if (drop[i]) memset(out->p + L->W[0] + (long)i * L->dim[1], 0, sizeof(double) * L->dim[1]);
  double *g = xcalloc(L->nparams, sizeof(double)), *m = xcalloc(L->nparams, sizeof(double)),
         *v = xcalloc(L->nparams, sizeof(double)), *pv = xmalloc(sizeof(double) * (nval + 1));
  int nb = hp->pair_size;
  int *a = xmalloc(sizeof(int) * nb), *b = xmalloc(sizeof(int) * nb), *yv = xmalloc(sizeof(int) * (nval + 1));
  for (int i = 0; i < nval; i++) yv[i] = d->y[val[i]];
  if (nval) set_support(L, out, d, rows, nrows);
  double best_loss = INFINITY;
  /* float32: the steps and Adam run on float copies of the weights and
   * moments; out->p gets the float weights back (exactly) when it is read */
  int f32 = hp->float32;
  pass *ps = NULL;
  pass_f *psf = NULL;
  float *pf = NULL, *gf = NULL, *mf = NULL, *vf = NULL;
  if (f32) {
    psf = pass_new_f(L, d, rows, nrows, 2 * nb);
    pass_cache_inputs_f(psf);
    pf = xmalloc(sizeof(float) * (L->nparams + 1));
    for (long i = 0; i < L->nparams; i++) pf[i] = (float)out->p[i];
    gf = xcalloc(L->nparams + 1, sizeof(float)); mf = xcalloc(L->nparams + 1, sizeof(float));
    vf = xcalloc(L->nparams + 1, sizeof(float));
  } else {
    ps = pass_new(L, d, rows, nrows, 2 * nb);
    pass_cache_inputs(ps); /* the scaler is fixed: each row is scaled once */
  }
  runs act = active_params(L, f32 ? psf->gb : ps->gb);
  if (drop) { /* the head is the last run: split W[0] around the dropped rows */
    act.hi[act.n - 1] = L->W[0];
    if (act.hi[act.n - 1] == act.lo[act.n - 1]) act.n--;
    for (int i = 0; i < L->dim[0]; i++)
      if (!drop[i]) run_add(&act, L->W[0] + (long)i * L->dim[1], L->W[0] + (long)(i + 1) * L->dim[1]);
    run_add(&act, L->W[0] + (long)L->dim[0] * L->dim[1], L->nparams);
  }
  long nact = 0;
  for (int i = 0; i < act.n; i++) nact += act.hi[i] - act.lo[i];
  adam_t opt = {hp->learning_rate, hp->adam_beta1, hp->adam_beta2, hp->adam_epsilon, 0};
  struct timespec c0, c1;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
  long T = (long)epochs * hp->steps_per_epoch;
  for (int e = 0; e < epochs && !rc; e++) {
    double sum = 0, fl0 = f32 ? pass_flops_f(psf) : pass_flops(ps);
    long t0 = opt.t;
    struct timespec e0, e1;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &e0);
    for (int s = 0; s < hp->steps_per_epoch; s++) {
      if (hp->lr_decay) opt.lr = hp->learning_rate * net_lr_factor(hp, opt.t, T);
      draw_batch(hp, cls, ncls, rows, nrows, &r, a, b);
      double loss = f32 ? batch_loss_f(psf, out, pf, a, b, nb, gf, &r) : pass_batch_loss(ps, out, a, b, nb, g, &r);
      if (!isfinite(loss)) {
        rc = au_fail(AU_ENUM, "training diverged (loss %g at epoch %d); try a smaller learning_rate", loss, e + 1);
        break;
      }
      sum += loss;
      if (f32) adam_step_f(&opt, act.n, act.lo, act.hi, pf, gf, mf, vf);
      else adam_step(&opt, act.n, act.lo, act.hi, out->p, g, m, v);
    }
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &e1);
    double es = (e1.tv_sec - e0.tv_sec) + 1e-9 * (e1.tv_nsec - e0.tv_nsec);
    double ef = (f32 ? pass_flops_f(psf) : pass_flops(ps)) - fl0 + 12.0 * nact * (opt.t - t0);
    if (es > 0 && ef / es > out->fast_rate) out->fast_rate = ef / es;
    out->loss = sum / hp->steps_per_epoch;
    if (f32 && (nval || e + 1 == epochs || rc)) /* read by the validation, and at the end */
      for (long i = 0; i < L->nparams; i++) out->p[i] = pf[i];
    if (nval && !rc && !(rc = instance_prepare(L, out, d->mols, d->nmol)) &&
        !(rc = instance_predict(L, out, d, val, nval, pv))) {
      double vl = metric_logloss(yv, pv, nval);
      if (vl < best_loss) { best_loss = vl; *best = e + 1; }
    }
  }
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
  out->step_secs = (c1.tv_sec - c0.tv_sec) + 1e-9 * (c1.tv_nsec - c0.tv_nsec);
  /* Adam: 12 operations per parameter (sqrt and division counted as one) */
  out->flops = (f32 ? pass_flops_f(psf) : pass_flops(ps)) + 12.0 * nact * opt.t;
  out->steps = opt.t;
  pass_free(ps);
  pass_free_f(psf);
  free(pf); free(gf); free(mf); free(vf);
  free(act.lo); free(act.hi);
  free(g); free(m); free(v); free(pv); free(a); free(b); free(yv);
  return rc;
}

/* Early stopping (hp.early_stop = k): a stratified 1/k of each class is held
 * out (its own stream of the seed), the net is fitted on the rest for the
 * epochs that many rows get, and *epochs becomes the count of the best
 * validation epoch scaled by the budget of all rows over that of the rest.
 * The caller refits on all rows, so no row is lost to the split. *epochs is
 * left as it is when a class is too small to spare a row (fewer than k, or
 * an SNN class left with one). The inner fit's work is added to *cost. */
static int early_epochs(const net_layout *L, const dataset *d, int *const cls[2], const int ncls[2], uint64_t seed,
                        int *epochs, instance *cost) {
  int k = L->hp.early_stop, nv[2];
  for (int c = 0; c < 2; c++) {
    nv[c] = ncls[c] / k;
    if (nv[c] < 1 || ncls[c] - nv[c] < 2) return 0;
  }
  int n = ncls[0] + ncls[1];
  int *perm = xmalloc(sizeof(int) * n), *inner = xmalloc(sizeof(int) * n), *val = xmalloc(sizeof(int) * n);
  int *icls[2] = {inner, inner + ncls[0] - nv[0]}, nicls[2] = {ncls[0] - nv[0], ncls[1] - nv[1]}, nval = 0;
  rng_t r;
  rng_seed3(&r, seed, 0x6561726c79ULL /* "early" */, 0);
  for (int c = 0, o = 0; c < 2; o += ncls[c], c++) {
    memcpy(perm + o, cls[c], sizeof(int) * ncls[c]);
    rng_shuffle(&r, perm + o, ncls[c]);
    memcpy(val + nval, perm + o, sizeof(int) * nv[c]);
    nval += nv[c];
    memcpy(icls[c], perm + o + nv[c], sizeof(int) * nicls[c]);
  }
  int ninner = nicls[0] + nicls[1], ei = net_epochs(&L->hp, ninner), best = ei;
  instance tmp = {0};
  int rc = fit(L, d, inner, ninner, icls, nicls, inner, ninner, seed, ei, val, nval, &best, NULL, &tmp);
  if (!rc) {
    double e = ceil((double)best * net_epochs(&L->hp, n) / ei);
    *epochs = e < 1e6 ? (int)e : 1000000;
  }
  cost->flops += tmp.flops; cost->step_secs += tmp.step_secs; cost->steps += tmp.steps;
  if (tmp.fast_rate > cost->fast_rate) cost->fast_rate = tmp.fast_rate;
  instance_free(&tmp);
  free(perm); free(inner); free(val);
  return rc;
}

/* The relaxed group lasso (input_refit = t > 0 with input_group_l1 > 0): a
 * first fit with the penalty, then every non-fingerprint input whose W[0] row
 * has an L2 norm below t times the largest such row is dropped (*drop[i] = 1)
 * for the refit, which the caller runs without the penalty from the same seed:
 * the lasso chooses the inputs, and its shrinkage of the kept ones is undone.
 * The first fit's work is added to *cost. */
static int refit_drops(const net_layout *L, const dataset *d, const int *fr, int nf, int *const cls[2],
                       const int ncls[2], const int *rows, int nrows, uint64_t seed, int epochs, instance *cost,
                       unsigned char **drop) {
  instance tmp = {0};
  int rc = fit(L, d, fr, nf, cls, ncls, rows, nrows, seed, epochs, NULL, 0, NULL, NULL, &tmp);
  if (!rc) {
    int f = (int)(net_fp_weights(L) / L->dim[1]);
    double *norm = xcalloc(L->dim[0] + 1, sizeof(double)), top = 0;
    for (int i = f; i < L->dim[0]; i++) {
      const double *w = tmp.p + L->W[0] + (long)i * L->dim[1];
      for (int c = 0; c < L->dim[1]; c++) norm[i] += w[c] * w[c];
      norm[i] = sqrt(norm[i]);
      if (norm[i] > top) top = norm[i];
    }
    *drop = xcalloc(L->dim[0] + 1, 1);
    for (int i = f; i < L->dim[0]; i++) (*drop)[i] = norm[i] < L->hp.input_refit * top;
    free(norm);
  }
  cost->flops += tmp.flops; cost->step_secs += tmp.step_secs; cost->steps += tmp.steps;
  if (tmp.fast_rate > cost->fast_rate) cost->fast_rate = tmp.fast_rate;
  instance_free(&tmp);
  return rc;
}

/* Fits on fit[0..nfit) (rows of d, repeats allowed) when fit != NULL, else on
 * the training rows; the scaler and the support set are always the training
 * rows. */
static int train_rows(const net_layout *L, const dataset *d, const int *rows_in, int nrows, const int *fit_in,
                      int nfit, uint64_t seed, instance *out) {
  memset(out, 0, sizeof *out);
  const hparams *hp = &L->hp;
  if (d->nx != L->nx) return au_fail(AU_EDATA, "descriptor rows hold %d values, the model takes %d", d->nx, L->nx);
  int *rows = xmalloc(sizeof(int) * (d->n + 1));
  if (!rows_in) nrows = d->n;
  for (int i = 0; i < nrows; i++) rows[i] = rows_in ? rows_in[i] : i;
  int *cls[2] = {xmalloc(sizeof(int) * (nrows + 1)), xmalloc(sizeof(int) * (nrows + 1))}, ncls[2] = {0, 0};
  for (int i = 0; i < nrows; i++) {
    int y = d->y[rows[i]];
    if (y != 0 && y != 1) {
      int bad = rows[i] + 1;
      free(rows); free(cls[0]); free(cls[1]);
      return au_fail(AU_EDATA, "training row %d has no outcome", bad);
    }
    cls[y][ncls[y]++] = rows[i];
  }
  int rc = 0;
  if (!ncls[0] || !ncls[1] || (hp->head == HEAD_SNN && ncls[0] < 2 && ncls[1] < 2))
    rc = au_fail(AU_EDATA, "training set needs both outcomes (has %d successes, %d failures)", ncls[1], ncls[0]);
  if (rc) { free(rows); free(cls[0]); free(cls[1]); return rc; }

  if (hparams_is_baseline(hp)) {
    fit_scaler(L, out, d, rows, nrows);
    free(cls[0]); free(cls[1]);
    if (!(rc = baseline_fit(L, d, rows, nrows, seed, out))) set_support(L, out, d, rows, nrows);
    free(rows);
    if (rc) instance_free(out);
    return rc;
  }
  const int *fr = rows;
  int nf = nrows;
  if (fit_in) { /* the fit's rows and their classes replace the training rows' */
    fr = fit_in;
    nf = nfit;
    ncls[0] = ncls[1] = 0;
    cls[0] = xrealloc(cls[0], sizeof(int) * (nf + 1));
    cls[1] = xrealloc(cls[1], sizeof(int) * (nf + 1));
    for (int i = 0; i < nf; i++) cls[d->y[fr[i]]][ncls[d->y[fr[i]]]++] = fr[i];
  }
  int epochs = net_epochs(hp, nf);
  instance cost = {0};
  if (hp->early_stop) rc = early_epochs(L, d, cls, ncls, seed, &epochs, &cost);
  unsigned char *drop = NULL;
  if (!rc && hp->input_group_l1 > 0 && hp->input_refit > 0) rc = refit_drops(L, d, fr, nf, cls, ncls, rows, nrows, seed, epochs, &cost, &drop);
  net_layout L2 = *L; /* the refit: the chosen inputs, unpenalised */
  if (drop) L2.hp.input_group_l1 = 0;
  if (!rc) rc = fit(drop ? &L2 : L, d, fr, nf, cls, ncls, rows, nrows, seed, epochs, NULL, 0, NULL, drop, out);
  free(drop);
  out->flops += cost.flops; out->step_secs += cost.step_secs; out->steps += cost.steps;
  if (cost.fast_rate > out->fast_rate) out->fast_rate = cost.fast_rate;
  free(cls[0]); free(cls[1]);
  if (rc) { free(rows); instance_free(out); return rc; }
  set_support(L, out, d, rows, nrows);
  free(rows);
  return instance_prepare(L, out, d->mols, d->nmol);
}

int instance_train(const net_layout *L, const dataset *d, const int *rows, int nrows, uint64_t seed, instance *out) {
  return train_rows(L, d, rows, nrows, NULL, 0, seed, out);
}

int instance_train_bootstrap(const net_layout *L, const dataset *d, const int *rows, int nrows, uint64_t seed,
                             instance *out) {
  if (!rows) nrows = d->n;
  int *cls[2] = {xmalloc(sizeof(int) * (nrows + 1)), xmalloc(sizeof(int) * (nrows + 1))}, ncls[2] = {0, 0}, ok = 1;
  for (int i = 0; i < nrows; i++) {
    int r = rows ? rows[i] : i, y = d->y[r];
    if (y == 0 || y == 1) cls[y][ncls[y]++] = r;
    else ok = 0;
  }
  /* per class, as many draws with replacement as the class has rows: both
   * outcomes stay, in their proportions */
  int *fit = xmalloc(sizeof(int) * (nrows + 1)), nf = 0;
  rng_t r;
  rng_seed3(&r, seed, 0x626f6f74ULL /* "boot" */, 0);
  for (int c = 0; c < 2 && ok; c++)
    for (int i = 0; i < ncls[c]; i++) fit[nf++] = cls[c][rng_int(&r, ncls[c])];
  int rc = train_rows(L, d, rows, nrows, ok ? fit : NULL, nf, seed, out); /* !ok: its message names the row */
  free(cls[0]); free(cls[1]); free(fit);
  return rc;
}

void instance_free(instance *in) {
  forest_free(in->forest);
  free(in->p); free(in->sup_mol); free(in->sup_x); free(in->sup_y); free(in->sup_G);
  memset(in, 0, sizeof *in);
}

/* ---- prediction ---------------------------------------------------------- */
#define CHUNK 1024

/* Head outputs act[nl] for rows of q, in chunks; calls back per chunk. */
static void head_outputs(const net_layout *L, const instance *in, const dataset *q, const int *rows, int n,
                         void (*emit)(const pass *, int first, int cnt, void *), void *ctx) {
  pass *ps = pass_new(L, q, rows, n, CHUNK);
  gcnn_pass_forward(ps, in->p, 1);
  for (int s = 0; s < n; s += CHUNK) {
    int cnt = n - s < CHUNK ? n - s : CHUNK;
    ps->k = cnt;
    for (int i = 0; i < cnt; i++) ps->slot_row[i] = rows ? rows[s + i] : s + i;
    head_forward(ps, in, in->p, NULL, NULL);
    emit(ps, s, cnt, ctx);
  }
  ps->k = 0;
  pass_free(ps);
}

static void emit_G(const pass *ps, int first, int cnt, void *ctx) {
  int dm = ps->L->dim[ps->L->nl];
  for (int i = 0; i < cnt; i++)
    memcpy((double *)ctx + (size_t)(first + i) * dm, ps->act[ps->L->nl] + (size_t)i * ps->ld[ps->L->nl],
           sizeof(double) * dm);
}

int instance_prepare(const net_layout *L, instance *in, const molgraph *const *mols, int nmol) {
  free(in->sup_G);
  in->sup_G = NULL;
  if (L->hp.head != HEAD_SNN) return 0;
  int dm = L->dim[L->nl];
  in->sup_G = xmalloc(sizeof(double) * dm * (in->nsup + 1));
  dataset sup = {mols, nmol, in->nsup, in->sup_mol, in->sup_x, in->sup_y, L->nx, 0};
  head_outputs(L, in, &sup, NULL, in->nsup, emit_G, in->sup_G);
  return 0;
}

static double sigm(double x) { return x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)); }

typedef struct {
  const instance *in;
  double *p;
  double *buf; /* [nsup] scratch for snn_support_prob */
} pred_ctx;

/* Mean of the k largest of v[0..n) (k <= n), by partial selection; v is
 * reordered. Summed largest first, so the result does not depend on the
 * order the support set is stored in beyond ties. */
static double mean_top(double *v, int n, int k) {
  double s = 0;
  for (int i = 0; i < k; i++) {
    int b = i;
    for (int j = i + 1; j < n; j++)
      if (v[j] > v[b]) b = j;
    double t = v[i]; v[i] = v[b]; v[b] = t;
    s += v[i];
  }
  return s / k;
}

double snn_support_prob(const net_layout *L, const instance *in, const double *o, double *buf) {
  int dm = L->dim[L->nl], k = L->hp.snn_knn;
  const double *w = in->p + L->dist_w;
  double sum[2] = {0, 0};
  int cnt2[2] = {0, 0};
  for (int s = 0; s < in->nsup; s++) {
    const double *gs = in->sup_G + (size_t)s * dm;
    double z = in->p[L->dist_b];
    for (int j = 0; j < dm; j++) z += w[j] * fabs(o[j] - gs[j]);
    int y = in->sup_y[s];
    double q = sigm(z);
    sum[y] += q;
    if (k > 0) buf[y ? in->nsup - 1 - cnt2[1] : cnt2[0]] = q; /* failures from the front, successes from the back */
    cnt2[y]++;
  }
  double m1 = cnt2[1] ? sum[1] / cnt2[1] : 0, m0 = cnt2[0] ? sum[0] / cnt2[0] : 0;
  if (k > 0) {
    /* the k most similar of each class (all of a class smaller than k) */
    if (cnt2[0]) m0 = mean_top(buf, cnt2[0], k < cnt2[0] ? k : cnt2[0]);
    if (cnt2[1]) m1 = mean_top(buf + cnt2[0], cnt2[1], k < cnt2[1] ? k : cnt2[1]);
  }
  return m1 + m0 > 0 || isnan(m1 + m0) ? m1 / (m1 + m0) : 0.5; /* a NaN stays NaN, to be caught */
}

static void emit_prob(const pass *ps, int first, int cnt, void *vctx) {
  pred_ctx *c = vctx;
  const net_layout *L = ps->L;
  const double *out = ps->act[L->nl];
  for (int i = 0; i < cnt; i++) {
    const double *o = out + (size_t)i * ps->ld[L->nl];
    double p;
    if (L->hp.head == HEAD_SNN) {
      p = snn_support_prob(L, c->in, o, c->buf);
    } else if (L->hp.head == HEAD_DNN) {
      p = sigm(o[1] - o[0]); /* softmax over two classes */
    } else {
      p = sigm(o[1] - o[0]); /* SVM: softmax of the two hinge scores */
    }
    c->p[first + i] = p;
  }
}

int instance_predict(const net_layout *L, const instance *in, const dataset *q, const int *rows, int n, double *p) {
  if (!rows) n = q->n;
  if (!n) return 0;
  if (q->nx != L->nx) return au_fail(AU_EDATA, "descriptor rows hold %d values, the model takes %d", q->nx, L->nx);
  pred_ctx c = {in, p, L->hp.head == HEAD_SNN ? xmalloc(sizeof(double) * (in->nsup + 1)) : NULL};
  if (hparams_is_baseline(&L->hp))
    for (int i = 0; i < n; i++) p[i] = baseline_prob(L, in, q->x + (size_t)(rows ? rows[i] : i) * L->nx);
  else
    head_outputs(L, in, q, rows, n, emit_prob, &c);
  for (int i = 0; i < n; i++)
    if (!isfinite(p[i])) { free(c.buf); return au_fail(AU_ENUM, "prediction %ld is not a finite number", q->row0 + i + 1); }
  free(c.buf);
  return 0;
}
