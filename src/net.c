#include "net.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "err.h"
#include "forest.h"

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
  L->in_dim = NROLES * L->D + L->nx;
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
}

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
  *d = (dataset){mols, s->nmol, s->n, mol, x, y, nx};
}

void dataset_free(dataset *d) {
  free((void *)d->mols); free((void *)d->mol); free((void *)d->x); free((void *)d->y);
  memset(d, 0, sizeof *d);
}

void scale_row(const instance *in, int nx, const double *x, double *out) {
  for (int j = 0; j < nx; j++) {
    double r = in->hi[j] - in->lo[j];
    out[j] = r > 0 ? (x[j] - in->lo[j]) / r : x[j] - in->lo[j];
  }
}

/* ---- a forward/backward pass over a set of rows --------------------------
 * The GCNN runs once per distinct molecule of each role, the head once per
 * distinct row of the batch; pairs and repeated rows reuse them. */
struct pass {
  const net_layout *L;
  const dataset *d;
  int *molpos[NROLES];          /* dataset molecule -> position in the role batch, -1 */
  gbatch gb[NROLES];
  gcnn_ws gw[NROLES];
  double *fp[NROLES], *dfp[NROLES];
  int cap, k;
  int *slot_row;                /* [cap] dataset row in each slot */
  int *row_slot;                /* [d->n] slot of each row, -1 */
  double *act[HP_MAXH + 2], *dact[HP_MAXH + 2], *dpre;
  unsigned char *mask[HP_MAXH + 1];
  double *z, *dz, *dist, *t;    /* per batch entry */
  int *lab, ecap;
};

pass *pass_new(const net_layout *L, const dataset *d, const int *rows, int nrows, int cap) {
  pass *ps = xcalloc(1, sizeof *ps);
  ps->L = L;
  ps->d = d;
  if (!rows) nrows = d->n;
  if (L->D) {
    const molgraph **list = xmalloc(sizeof(molgraph *) * (d->nmol + 1));
    for (int r = 0; r < NROLES; r++) {
      ps->molpos[r] = xmalloc(sizeof(int) * (d->nmol + 1));
      for (int m = 0; m < d->nmol; m++) ps->molpos[r][m] = -1;
      int nm = 0;
      for (int i = 0; i < nrows; i++) {
        int m = d->mol[(rows ? rows[i] : i) * NROLES + r];
        if (ps->molpos[r][m] < 0) { ps->molpos[r][m] = nm; list[nm++] = d->mols[m]; }
      }
      gbatch_build(&ps->gb[r], list, nm);
      gcnn_ws_init(&ps->gw[r], &L->gl[r], ps->gb[r].natoms);
      ps->fp[r] = xcalloc((size_t)nm * L->D + 1, sizeof(double));
      ps->dfp[r] = xcalloc((size_t)nm * L->D + 1, sizeof(double));
    }
    free(list);
  }
  ps->cap = cap;
  ps->slot_row = xmalloc(sizeof(int) * (cap + 1));
  ps->row_slot = xmalloc(sizeof(int) * (d->n + 1));
  for (int i = 0; i < d->n; i++) ps->row_slot[i] = -1;
  int maxd = 0;
  for (int l = 0; l <= L->nl; l++) {
    ps->act[l] = xcalloc((size_t)cap * L->dim[l] + 1, sizeof(double));
    ps->dact[l] = xcalloc((size_t)cap * L->dim[l] + 1, sizeof(double));
    if (l > 0 && l < L->nl) ps->mask[l] = xcalloc((size_t)cap * L->dim[l] + 1, 1);
    if (L->dim[l] > maxd) maxd = L->dim[l];
  }
  ps->dpre = xcalloc((size_t)cap * maxd + 1, sizeof(double));
  return ps;
}

void pass_free(pass *ps) {
  if (!ps) return;
  for (int r = 0; r < NROLES; r++) {
    free(ps->molpos[r]); free(ps->fp[r]); free(ps->dfp[r]);
    if (ps->L->D) { gbatch_free(&ps->gb[r]); gcnn_ws_free(&ps->gw[r]); }
  }
  for (int l = 0; l <= HP_MAXH + 1; l++) { free(ps->act[l]); free(ps->dact[l]); }
  for (int l = 0; l <= HP_MAXH; l++) free(ps->mask[l]);
  free(ps->dpre); free(ps->slot_row); free(ps->row_slot);
  free(ps->z); free(ps->dz); free(ps->dist); free(ps->t); free(ps->lab);
  free(ps);
}

static void gcnn_all_forward(pass *ps, const double *p) {
  for (int r = 0; r < NROLES && ps->L->D; r++)
    gcnn_forward(&ps->L->gl[r], p, &ps->gb[r], &ps->gw[r], ps->fp[r]);
}

static int add_slot(pass *ps, int row) {
  if (ps->row_slot[row] < 0) {
    ps->row_slot[row] = ps->k;
    ps->slot_row[ps->k++] = row;
  }
  return ps->row_slot[row];
}

static void clear_slots(pass *ps) {
  for (int i = 0; i < ps->k; i++) ps->row_slot[ps->slot_row[i]] = -1;
  ps->k = 0;
}

/* Head forward over the k slotted rows; act[nl] = G (SNN, sigmoid) or scores. */
static void head_forward(pass *ps, const instance *in, const double *p, rng_t *drop) {
  const net_layout *L = ps->L;
  int k = ps->k, D = L->D;
  for (int i = 0; i < k; i++) {
    int row = ps->slot_row[i];
    double *v = ps->act[0] + (size_t)i * L->in_dim;
    for (int r = 0; r < NROLES && D; r++)
      memcpy(v + r * D, ps->fp[r] + (size_t)ps->molpos[r][ps->d->mol[row * NROLES + r]] * D, sizeof(double) * D);
    scale_row(in, L->nx, ps->d->x + (size_t)row * L->nx, v + NROLES * D);
  }
  for (int l = 0; l < L->nl; l++) {
    int n = k * L->dim[l + 1];
    dense_forward(ps->act[l], p + L->W[l], p + L->b[l], ps->act[l + 1], k, L->dim[l], L->dim[l + 1]);
    if (l + 1 < L->nl) {
      relu_forward(ps->act[l + 1], ps->act[l + 1], n);
      if (drop && L->hp.dropout > 0) dropout_forward(ps->act[l + 1], ps->mask[l + 1], n, L->hp.dropout, drop);
    } else if (L->hp.head == HEAD_SNN) {
      sigmoid_forward(ps->act[l + 1], ps->act[l + 1], n);
    }
  }
}

/* Given dact[nl] (gradient w.r.t. the head output), backpropagate to the
 * parameters and, through the IIV, into the GCNNs. */
static void head_backward(pass *ps, const double *p, double *g, int dropout_on) {
  const net_layout *L = ps->L;
  int k = ps->k, nl = L->nl;
  if (L->hp.head == HEAD_SNN) sigmoid_backward(ps->act[nl], ps->dact[nl], ps->dpre, k * L->dim[nl]);
  else memcpy(ps->dpre, ps->dact[nl], sizeof(double) * k * L->dim[nl]);
  for (int l = nl - 1; l >= 0; l--) {
    int need_dx = l > 0 || L->D;
    dense_backward(ps->act[l], p + L->W[l], ps->dpre, g + L->W[l], g + L->b[l], need_dx ? ps->dact[l] : NULL, k,
                   L->dim[l], L->dim[l + 1]);
    if (l == 0) break;
    int n = k * L->dim[l];
    if (dropout_on) dropout_backward(ps->dact[l], ps->mask[l], n, L->hp.dropout);
    relu_backward(ps->act[l], ps->dact[l], ps->dpre, n);
  }
  if (!L->D) return;
  for (int r = 0; r < NROLES; r++) memset(ps->dfp[r], 0, sizeof(double) * ps->gb[r].nmol * L->D);
  for (int i = 0; i < k; i++) {
    int row = ps->slot_row[i];
    const double *dv = ps->dact[0] + (size_t)i * L->in_dim;
    for (int r = 0; r < NROLES; r++) {
      double *df = ps->dfp[r] + (size_t)ps->molpos[r][ps->d->mol[row * NROLES + r]] * L->D;
      for (int j = 0; j < L->D; j++) df[j] += dv[r * L->D + j];
    }
  }
  for (int r = 0; r < NROLES; r++) gcnn_backward(&L->gl[r], p, &ps->gb[r], &ps->gw[r], ps->dfp[r], g);
}

static void ensure_entries(pass *ps, int nb) {
  if (nb <= ps->ecap) return;
  int dm = ps->L->dim[ps->L->nl];
  ps->ecap = nb;
  ps->z = xrealloc(ps->z, sizeof(double) * nb * 2);
  ps->dz = xrealloc(ps->dz, sizeof(double) * nb * 2);
  ps->t = xrealloc(ps->t, sizeof(double) * nb);
  ps->lab = xrealloc(ps->lab, sizeof(int) * nb);
  ps->dist = xrealloc(ps->dist, sizeof(double) * nb * dm);
}

double pass_batch_loss(pass *ps, const instance *in, const int *a, const int *b, int nb, double *g, rng_t *drop) {
  const net_layout *L = ps->L;
  const double *p = in->p;
  int snn = L->hp.head == HEAD_SNN, nl = L->nl, dm = L->dim[nl];
  int dropout_on = g && drop && L->hp.dropout > 0;
  ensure_entries(ps, nb);
  clear_slots(ps);
  for (int i = 0; i < nb; i++) {
    add_slot(ps, a[i]);
    if (snn) add_slot(ps, b[i]);
  }
  gcnn_all_forward(ps, p);
  head_forward(ps, in, p, dropout_on ? drop : NULL);
  double loss;
  int k = ps->k;
  if (g) memset(ps->dact[nl], 0, sizeof(double) * k * dm);
  if (snn) {
    /* z = w . |G(a) - G(b)| + b0; target 1 when both rows are the same class */
    const double *w = p + L->dist_w;
    for (int i = 0; i < nb; i++) {
      const double *ga = ps->act[nl] + (size_t)ps->row_slot[a[i]] * dm, *gb = ps->act[nl] + (size_t)ps->row_slot[b[i]] * dm;
      double *dist = ps->dist + (size_t)i * dm;
      l1dist_forward(ga, gb, dist, dm);
      double z = p[L->dist_b];
      for (int j = 0; j < dm; j++) z += w[j] * dist[j];
      ps->z[i] = z;
      ps->t[i] = ps->d->y[a[i]] == ps->d->y[b[i]];
    }
    loss = bce_logits_loss(ps->z, ps->t, ps->dz, nb);
    if (g) {
      double *dd = xmalloc(sizeof(double) * dm * 3);
      for (int i = 0; i < nb; i++) {
        double *dist = ps->dist + (size_t)i * dm;
        int sa = ps->row_slot[a[i]], sb = ps->row_slot[b[i]];
        for (int j = 0; j < dm; j++) {
          g[L->dist_w + j] += ps->dz[i] * dist[j];
          dd[j] = ps->dz[i] * w[j];
        }
        g[L->dist_b] += ps->dz[i];
        l1dist_backward(ps->act[nl] + (size_t)sa * dm, ps->act[nl] + (size_t)sb * dm, dd, dd + dm, dd + 2 * dm, dm);
        for (int j = 0; j < dm; j++) {
          ps->dact[nl][(size_t)sa * dm + j] += dd[dm + j];
          ps->dact[nl][(size_t)sb * dm + j] += dd[2 * dm + j];
        }
      }
      free(dd);
    }
  } else {
    for (int i = 0; i < nb; i++) {
      memcpy(ps->z + 2 * i, ps->act[nl] + (size_t)ps->row_slot[a[i]] * 2, sizeof(double) * 2);
      ps->lab[i] = ps->d->y[a[i]];
    }
    loss = L->hp.head == HEAD_DNN ? softmax_ce_loss(ps->z, ps->lab, ps->dz, nb, 2)
                                  : cat_hinge_loss(ps->z, ps->lab, ps->dz, nb, 2);
    if (g)
      for (int i = 0; i < nb; i++)
        for (int j = 0; j < 2; j++) ps->dact[nl][(size_t)ps->row_slot[a[i]] * 2 + j] += ps->dz[2 * i + j];
  }
  /* Keras-style kernel regularisation of the head's dense layers */
  for (int l = 0; l < nl; l++)
    loss += weight_penalty(p + L->W[l], g ? g + L->W[l] : NULL, L->dim[l] * L->dim[l + 1], L->hp.l1, L->hp.l2);
  if (snn) loss += weight_penalty(p + L->dist_w, g ? g + L->dist_w : NULL, dm, L->hp.l1, L->hp.l2);
  if (g) head_backward(ps, p, g, dropout_on);
  return loss;
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

/* rows of a layer-0 matrix used by atoms a0..a1 of a sparse input */
static void sparse_rows(runs *r, const csr *X, int a0, int a1, long W, int cols) {
  unsigned char used[MG_ATOM_FEATS + MG_BOND_FEATS] = {0};
  for (int a = a0; a < a1; a++)
    for (int k = X->start[a]; k < X->start[a + 1]; k++) used[X->col[k]] = 1;
  for (int j = 0; j < X->cols; j++)
    if (used[j]) run_add(r, W + (long)j * cols, W + (long)(j + 1) * cols);
}

static runs active_params(const net_layout *L, const pass *ps) {
  runs r = {0};
  for (int k = 0; k < NROLES && L->D; k++) {
    const gcnn_layout *g = &L->gl[k];
    const gbatch *b = &ps->gb[k];
    /* follow the layout order: hidden layers, then outputs */
    for (int l = 0; l < g->P; l++)
      for (int d = 0; d < GC_NDEG; d++) {
        int a0 = b->deg_start[d], a1 = b->deg_start[d + 1];
        if (a1 == a0) continue;
        if (l == 0) sparse_rows(&r, &b->z0, a0, a1, g->W[0][d], g->width);
        else run_add(&r, g->W[l][d], g->W[l][d] + (long)(gcnn_in_dim(g, l) + MG_BOND_FEATS) * g->width);
        run_add(&r, g->b[l][d], g->b[l][d] + g->width);
      }
    for (int l = 0; l <= g->P; l++) {
      if (!b->natoms) continue;
      if (l == 0) sparse_rows(&r, &b->u0, 0, b->natoms, g->Wo[0], g->D);
      else run_add(&r, g->Wo[l], g->Wo[l] + (long)(gcnn_in_dim(g, l) + MG_BOND_FEATS) * g->D);
      run_add(&r, g->bo[l], g->bo[l] + g->D);
    }
  }
  run_add(&r, L->W[0], L->nparams); /* the head: everything */
  return r;
}

static void fit_scaler(instance *in, const dataset *d, const int *rows, int n) {
  for (int j = 0; j < d->nx; j++) { in->lo[j] = INFINITY; in->hi[j] = -INFINITY; }
  for (int i = 0; i < n; i++) {
    const double *x = d->x + (size_t)rows[i] * d->nx;
    for (int j = 0; j < d->nx; j++) {
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

int instance_train(const net_layout *L, const dataset *d, const int *rows_in, int nrows, uint64_t seed,
                   instance *out) {
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

  rng_t r;
  rng_seed(&r, seed);
  fit_scaler(out, d, rows, nrows);
  if (hparams_is_baseline(hp)) {
    free(cls[0]); free(cls[1]);
    if (!(rc = baseline_fit(L, d, rows, nrows, seed, out))) set_support(L, out, d, rows, nrows);
    free(rows);
    if (rc) instance_free(out);
    return rc;
  }
  out->p = xmalloc(sizeof(double) * L->nparams);
  init_params(L, out->p, &r);
  double *g = xmalloc(sizeof(double) * L->nparams), *m = xcalloc(L->nparams, sizeof(double)),
         *v = xcalloc(L->nparams, sizeof(double));
  int nb = hp->pair_size;
  int *a = xmalloc(sizeof(int) * nb), *b = xmalloc(sizeof(int) * nb);
  pass *ps = pass_new(L, d, rows, nrows, 2 * nb);
  runs act = active_params(L, ps);
  adam_t opt = {hp->learning_rate, hp->adam_beta1, hp->adam_beta2, hp->adam_epsilon, 0};
  for (int e = 0; e < hp->epochs && !rc; e++) {
    double sum = 0;
    for (int s = 0; s < hp->steps_per_epoch; s++) {
      draw_batch(hp, cls, ncls, rows, nrows, &r, a, b);
      memset(g, 0, sizeof(double) * L->nparams);
      double loss = pass_batch_loss(ps, out, a, b, nb, g, &r);
      if (!isfinite(loss)) {
        rc = au_fail(AU_ENUM, "training diverged (loss %g at epoch %d); try a smaller learning_rate", loss, e + 1);
        break;
      }
      sum += loss;
      adam_step(&opt, act.n, act.lo, act.hi, out->p, g, m, v);
    }
    out->loss = sum / hp->steps_per_epoch;
  }
  pass_free(ps);
  free(act.lo); free(act.hi);
  free(g); free(m); free(v); free(a); free(b); free(cls[0]); free(cls[1]);
  if (rc) { free(rows); instance_free(out); return rc; }
  set_support(L, out, d, rows, nrows);
  free(rows);
  return instance_prepare(L, out, d->mols, d->nmol);
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
  gcnn_all_forward(ps, in->p);
  for (int s = 0; s < n; s += CHUNK) {
    int cnt = n - s < CHUNK ? n - s : CHUNK;
    ps->k = cnt;
    for (int i = 0; i < cnt; i++) ps->slot_row[i] = rows ? rows[s + i] : s + i;
    head_forward(ps, in, in->p, NULL);
    emit(ps, s, cnt, ctx);
  }
  ps->k = 0;
  pass_free(ps);
}

static void emit_G(const pass *ps, int first, int cnt, void *ctx) {
  int dm = ps->L->dim[ps->L->nl];
  memcpy((double *)ctx + (size_t)first * dm, ps->act[ps->L->nl], sizeof(double) * cnt * dm);
}

int instance_prepare(const net_layout *L, instance *in, const molgraph *const *mols, int nmol) {
  free(in->sup_G);
  in->sup_G = NULL;
  if (L->hp.head != HEAD_SNN) return 0;
  int dm = L->dim[L->nl];
  in->sup_G = xmalloc(sizeof(double) * dm * (in->nsup + 1));
  dataset sup = {mols, nmol, in->nsup, in->sup_mol, in->sup_x, in->sup_y, L->nx};
  head_outputs(L, in, &sup, NULL, in->nsup, emit_G, in->sup_G);
  return 0;
}

static double sigm(double x) { return x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)); }

typedef struct {
  const instance *in;
  double *p;
} pred_ctx;

/* SNN: mean output against the success support set over the sum of both means. */
static void emit_prob(const pass *ps, int first, int cnt, void *vctx) {
  pred_ctx *c = vctx;
  const net_layout *L = ps->L;
  const double *out = ps->act[L->nl];
  for (int i = 0; i < cnt; i++) {
    const double *o = out + (size_t)i * L->dim[L->nl];
    double p;
    if (L->hp.head == HEAD_SNN) {
      int dm = L->dim[L->nl];
      const double *w = c->in->p + L->dist_w;
      double sum[2] = {0, 0};
      int cnt2[2] = {0, 0};
      for (int s = 0; s < c->in->nsup; s++) {
        const double *gs = c->in->sup_G + (size_t)s * dm;
        double z = c->in->p[L->dist_b];
        for (int j = 0; j < dm; j++) z += w[j] * fabs(o[j] - gs[j]);
        sum[c->in->sup_y[s]] += sigm(z);
        cnt2[c->in->sup_y[s]]++;
      }
      double m1 = cnt2[1] ? sum[1] / cnt2[1] : 0, m0 = cnt2[0] ? sum[0] / cnt2[0] : 0;
      p = m1 + m0 > 0 ? m1 / (m1 + m0) : 0.5;
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
  pred_ctx c = {in, p};
  if (hparams_is_baseline(&L->hp))
    for (int i = 0; i < n; i++) p[i] = baseline_prob(L, in, q->x + (size_t)(rows ? rows[i] : i) * L->nx);
  else
    head_outputs(L, in, q, rows, n, emit_prob, &c);
  for (int i = 0; i < n; i++)
    if (!isfinite(p[i])) return au_fail(AU_ENUM, "prediction %d is not a finite number", i + 1);
  return 0;
}

double net_step_flops(const net_layout *L, const dataset *d, const int *rows, int nrows) {
  if (hparams_is_baseline(&L->hp)) return 0; /* no training steps */
  if (!rows) nrows = d->n;
  pass *ps = pass_new(L, d, rows, nrows, 1);
  double f = 0;
  for (int r = 0; r < NROLES && L->D; r++) {
    const gcnn_layout *g = &L->gl[r];
    const gbatch *b = &ps->gb[r];
    double N = b->natoms, nbr = b->nbr_start[b->natoms];
    for (int l = 0; l < g->P; l++) {
      int in = gcnn_in_dim(g, l) + MG_BOND_FEATS;
      if (l == 0) f += 2.0 * 2 * b->z0.start[b->natoms] * g->width; /* forward + dW */
      else f += 3 * 2.0 * N * in * g->width + 2 * nbr * gcnn_in_dim(g, l); /* + dX, gathers */
      f += 2 * N * g->width;                                               /* relu, bias */
    }
    for (int l = 0; l <= g->P; l++) {
      int in = gcnn_in_dim(g, l) + MG_BOND_FEATS;
      if (l == 0) f += 2.0 * 2 * b->u0.start[b->natoms] * g->D;
      else f += 3 * 2.0 * N * in * g->D;
      f += 8 * N * g->D; /* softmax forward and backward, sums */
    }
  }
  /* distinct rows among the batch's draws (2 per SNN pair) */
  int draws = L->hp.pair_size * (L->hp.head == HEAD_SNN ? 2 : 1);
  double k = nrows * (1 - pow(1 - 1.0 / nrows, draws));
  for (int l = 0; l < L->nl; l++) f += (l == 0 && !L->D ? 2 : 3) * 2.0 * k * L->dim[l] * L->dim[l + 1];
  if (L->hp.head == HEAD_SNN) f += 8.0 * L->hp.pair_size * L->dim[L->nl];
  pass_free(ps);
  return f;
}
