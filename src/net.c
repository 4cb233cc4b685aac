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

/* ---- a forward/backward pass over a set of rows --------------------------
 * The GCNN runs once per distinct molecule of each role that the batch uses,
 * the head once per distinct row of the batch; pairs and repeated rows reuse
 * them. Activations are rows padded to whole vectors (kern.h); everything is
 * allocated here, once, so a training step allocates nothing. */
struct pass {
  const net_layout *L;
  const dataset *d;
  int *molpos[NROLES];          /* dataset molecule -> position in the role batch, -1 */
  gbatch gb[NROLES];
  gcnn_ws gw[NROLES];
  int *sel[NROLES], nsel[NROLES]; /* batch molecules this pass uses */
  int *selidx[NROLES];          /* batch molecule -> index in sel, -1 */
  double *fp[NROLES], *dfp[NROLES]; /* [nsel, D] */
  double *pool[NROLES];         /* batch molecule -> net_pool_factor */
  int cap, k;
  int *slot_row;                /* [cap] dataset row in each slot */
  int *row_slot;                /* [d->n] slot of each row, -1 */
  int ld[HP_MAXH + 2];          /* padded row length of each layer */
  double *act[HP_MAXH + 2], *dact[HP_MAXH + 2];
  double *Wp[HP_MAXH + 1], *WT[HP_MAXH + 1]; /* packed weights and transposes */
  unsigned char *mask[HP_MAXH + 1];
  double *z, *dz, *dist, *t, *dd; /* per batch entry */
  int *lab, ecap;
  double flops;                 /* counted floating-point operations so far */
  double *xs;                   /* pass_cache_inputs: [d->n, nx + nder] scaled inputs, */
  unsigned char *xs_ok;         /* each row's filled at its first use */
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
      ps->pool[r] = xmalloc(sizeof(double) * (nm + 1));
      for (int m = 0; m < nm; m++) ps->pool[r][m] = net_pool_factor(L, list[m]);
      ps->sel[r] = xmalloc(sizeof(int) * (nm + 1));
      ps->selidx[r] = xmalloc(sizeof(int) * (nm + 1));
      for (int m = 0; m < nm; m++) ps->selidx[r][m] = -1;
      ps->fp[r] = xcalloc((size_t)nm * L->D + 1, sizeof(double));
      ps->dfp[r] = xcalloc((size_t)nm * L->D + 1, sizeof(double));
    }
    free(list);
  }
  ps->cap = cap;
  ps->slot_row = xmalloc(sizeof(int) * (cap + 1));
  ps->row_slot = xmalloc(sizeof(int) * (d->n + 1));
  for (int i = 0; i < d->n; i++) ps->row_slot[i] = -1;
  for (int l = 0; l <= L->nl; l++) {
    ps->ld[l] = kern_pad(L->dim[l]);
    ps->act[l] = kern_alloc((size_t)cap * ps->ld[l]);
    ps->dact[l] = kern_alloc((size_t)cap * ps->ld[l]);
    if (l > 0 && l < L->nl) ps->mask[l] = xcalloc((size_t)cap * L->dim[l] + 1, 1);
  }
  for (int l = 0; l < L->nl; l++) {
    ps->Wp[l] = kern_alloc((size_t)L->dim[l] * ps->ld[l + 1]);
    ps->WT[l] = kern_alloc((size_t)L->dim[l + 1] * ps->ld[l]);
  }
  return ps;
}

void pass_cache_inputs(pass *ps) {
  if (ps->xs) return;
  ps->xs = xmalloc(sizeof(double) * (ps->L->nx + ps->L->nder) * (ps->d->n + 1));
  ps->xs_ok = xcalloc(ps->d->n + 1, 1);
}

void pass_free(pass *ps) {
  if (!ps) return;
  free(ps->xs); free(ps->xs_ok);
  for (int r = 0; r < NROLES; r++) {
    free(ps->molpos[r]); free(ps->fp[r]); free(ps->dfp[r]); free(ps->sel[r]); free(ps->selidx[r]); free(ps->pool[r]);
    if (ps->L->D) { gbatch_free(&ps->gb[r]); gcnn_ws_free(&ps->gw[r]); }
  }
  for (int l = 0; l <= HP_MAXH + 1; l++) { free(ps->act[l]); free(ps->dact[l]); }
  for (int l = 0; l <= HP_MAXH; l++) { free(ps->mask[l]); free(ps->Wp[l]); free(ps->WT[l]); }
  free(ps->slot_row); free(ps->row_slot);
  free(ps->z); free(ps->dz); free(ps->dist); free(ps->t); free(ps->lab); free(ps->dd);
  free(ps);
}

double pass_flops(const pass *ps) { return ps->flops; }

/* Fingerprints of the molecules the slotted rows use (all = every molecule
 * of the pass, for prediction in chunks). */
static void gcnn_pass_forward(pass *ps, const double *p, int all) {
  for (int r = 0; r < NROLES && ps->L->D; r++) {
    int *sel = ps->sel[r], *idx = ps->selidx[r];
    for (int i = 0; i < ps->nsel[r]; i++) idx[sel[i]] = -1;
    ps->nsel[r] = 0;
    if (all)
      for (int m = 0; m < ps->gb[r].nmol; m++) idx[m] = ps->nsel[r], sel[ps->nsel[r]++] = m;
    else
      for (int i = 0; i < ps->k; i++) {
        int m = ps->molpos[r][ps->d->mol[ps->slot_row[i] * NROLES + r]];
        if (idx[m] < 0) idx[m] = ps->nsel[r], sel[ps->nsel[r]++] = m;
      }
    gcnn_forward_sel(&ps->L->gl[r], p, &ps->gb[r], &ps->gw[r], sel, ps->nsel[r], ps->fp[r]);
    if (ps->L->hp.fingerprint_pool)
      for (int i = 0; i < ps->nsel[r]; i++)
        for (int j = 0; j < ps->L->D; j++) ps->fp[r][(size_t)i * ps->L->D + j] *= ps->pool[r][sel[i]];
  }
}

/* fingerprint row of role r for dataset row `row` */
static int fp_index(const pass *ps, int r, int row) {
  return ps->selidx[r][ps->molpos[r][ps->d->mol[row * NROLES + r]]];
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

/* Head forward over the k slotted rows; act[nl] = G (SNN, sigmoid) or scores.
 * noise: training only, hp.input_noise > 0 (each slot's scaled descriptor
 * and derived inputs get N(0, input_noise^2) added, drawn in slot order). */
static void head_forward(pass *ps, const instance *in, const double *p, rng_t *drop, rng_t *noise) {
  const net_layout *L = ps->L;
  int k = ps->k, D = L->D;
  for (int i = 0; i < k; i++) {
    int row = ps->slot_row[i];
    double *v = ps->act[0] + (size_t)i * ps->ld[0];
    for (int r = 0; r < NROLES && D; r++)
      memcpy(v + r * D, ps->fp[r] + (size_t)fp_index(ps, r, row) * D, sizeof(double) * D);
    const double *x = ps->d->x + (size_t)row * L->nx;
    int nv = L->nx + L->nder;
    if (!ps->xs) {
      scale_inputs(L, in, x, v + NROLES * D);
    } else {
      double *c = ps->xs + (size_t)row * nv;
      if (!ps->xs_ok[row]) { scale_inputs(L, in, x, c); ps->xs_ok[row] = 1; }
      for (int j = 0; j < nv; j++) v[NROLES * D + j] = c[j];
    }
    if (noise)
      for (int j = 0; j < nv; j++) v[NROLES * D + j] += L->hp.input_noise * rng_normal(noise);
  }
  for (int l = 0; l < L->nl; l++) {
    int last = l + 1 == L->nl, out = L->dim[l + 1], ldo = ps->ld[l + 1];
    int epi = !last ? KERN_RELU : L->hp.head == HEAD_SNN ? KERN_SIGMOID : KERN_LINEAR;
    kern_pack(L->dim[l], out, p + L->W[l], out, ps->Wp[l], ldo);
    kern_dense(k, L->dim[l], out, ps->act[l], ps->ld[l], ps->Wp[l], ldo, p + L->b[l], ps->act[l + 1], ldo, epi, NULL, 0);
    if (!last && drop && L->hp.dropout > 0)
      for (int i = 0; i < k; i++)
        dropout_forward(ps->act[l + 1] + (size_t)i * ldo, ps->mask[l + 1] + (size_t)i * out, out, L->hp.dropout, drop);
    ps->flops += (2.0 * L->dim[l] + 2) * k * out; /* products, bias, activation */
  }
}

/* Given dact[nl] (gradient w.r.t. the head output), backpropagate to the
 * parameters and, through the IIV, into the GCNNs. */
static void head_backward(pass *ps, const double *p, double *g, int dropout_on) {
  const net_layout *L = ps->L;
  int k = ps->k, nl = L->nl;
  if (L->hp.head == HEAD_SNN)
    for (int i = 0; i < k; i++) {
      const double *y = ps->act[nl] + (size_t)i * ps->ld[nl];
      double *dy = ps->dact[nl] + (size_t)i * ps->ld[nl];
      sigmoid_backward(y, dy, dy, L->dim[nl]);
    }
  for (int l = nl - 1; l >= 0; l--) {
    int in = L->dim[l], out = L->dim[l + 1];
    kern_dense_dw(k, in, out, ps->act[l], ps->ld[l], ps->dact[l + 1], ps->ld[l + 1], g + L->W[l], out, g + L->b[l]);
    ps->flops += (2.0 * in + 1) * k * out;
    if (l == 0 && !L->D) break;
    /* dX = dY W^T, times the ReLU derivative of the layer below; of the
     * inputs only the fingerprints (the first NROLES * D) take a gradient */
    int nin = l ? in : NROLES * L->D, ldt = l ? ps->ld[l] : kern_pad(nin);
    kern_pack_t(nin, out, p + L->W[l], ps->WT[l], ldt);
    int mask = l > 0 && !dropout_on;
    kern_dense(k, out, nin, ps->dact[l + 1], ps->ld[l + 1], ps->WT[l], ldt, NULL, ps->dact[l], ps->ld[l],
               mask ? KERN_MASK : KERN_LINEAR, ps->act[l], ps->ld[l]);
    ps->flops += (2.0 * out + (l > 0)) * k * nin;
    if (l > 0 && dropout_on)
      for (int i = 0; i < k; i++) {
        double *dx = ps->dact[l] + (size_t)i * ps->ld[l];
        dropout_backward(dx, ps->mask[l] + (size_t)i * in, in, L->hp.dropout);
        relu_backward(ps->act[l] + (size_t)i * ps->ld[l], dx, dx, in);
      }
  }
  if (!L->D) return;
  for (int r = 0; r < NROLES; r++) memset(ps->dfp[r], 0, sizeof(double) * ps->nsel[r] * L->D);
  for (int i = 0; i < k; i++) {
    int row = ps->slot_row[i];
    const double *dv = ps->dact[0] + (size_t)i * ps->ld[0];
    for (int r = 0; r < NROLES; r++) {
      double *df = ps->dfp[r] + (size_t)fp_index(ps, r, row) * L->D;
      double f = ps->pool[r][ps->molpos[r][ps->d->mol[row * NROLES + r]]];
      for (int j = 0; j < L->D; j++) df[j] += f * dv[r * L->D + j];
    }
  }
  ps->flops += (double)k * NROLES * L->D;
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
  ps->dd = xrealloc(ps->dd, sizeof(double) * dm * 3);
}

double pass_batch_loss(pass *ps, const instance *in, const int *a, const int *b, int nb, double *g, rng_t *drop) {
  const net_layout *L = ps->L;
  const double *p = in->p;
  int snn = L->hp.head == HEAD_SNN, nl = L->nl, dm = L->dim[nl], ldm = ps->ld[nl];
  int dropout_on = g && drop && L->hp.dropout > 0;
  ensure_entries(ps, nb);
  clear_slots(ps);
  for (int i = 0; i < nb; i++) {
    add_slot(ps, a[i]);
    if (snn) add_slot(ps, b[i]);
  }
  gcnn_pass_forward(ps, p, 0);
  head_forward(ps, in, p, dropout_on ? drop : NULL, g && drop && L->hp.input_noise > 0 ? drop : NULL);
  double loss;
  int k = ps->k;
  const double *G = ps->act[nl];
  double *dG = ps->dact[nl];
  if (g) memset(dG, 0, sizeof(double) * k * ldm);
  if (snn) {
    /* z = w . |G(a) - G(b)| + b0; target 1 when both rows are the same class */
    const double *w = p + L->dist_w;
    for (int i = 0; i < nb; i++) {
      const double *ga = G + (size_t)ps->row_slot[a[i]] * ldm, *gb = G + (size_t)ps->row_slot[b[i]] * ldm;
      double *dist = ps->dist + (size_t)i * dm;
      l1dist_forward(ga, gb, dist, dm);
      double z = p[L->dist_b];
      for (int j = 0; j < dm; j++) z += w[j] * dist[j];
      ps->z[i] = z;
      ps->t[i] = ps->d->y[a[i]] == ps->d->y[b[i]];
    }
    loss = bce_logits_loss(ps->z, ps->t, ps->dz, nb);
    ps->flops += 4.0 * nb * dm;
    if (g) {
      double *dd = ps->dd;
      for (int i = 0; i < nb; i++) {
        double *dist = ps->dist + (size_t)i * dm;
        int sa = ps->row_slot[a[i]], sb = ps->row_slot[b[i]];
        for (int j = 0; j < dm; j++) {
          g[L->dist_w + j] += ps->dz[i] * dist[j];
          dd[j] = ps->dz[i] * w[j];
        }
        g[L->dist_b] += ps->dz[i];
        l1dist_backward(G + (size_t)sa * ldm, G + (size_t)sb * ldm, dd, dd + dm, dd + 2 * dm, dm);
        for (int j = 0; j < dm; j++) {
          dG[(size_t)sa * ldm + j] += dd[dm + j];
          dG[(size_t)sb * ldm + j] += dd[2 * dm + j];
        }
      }
      ps->flops += 7.0 * nb * dm;
    }
  } else {
    for (int i = 0; i < nb; i++) {
      memcpy(ps->z + 2 * i, G + (size_t)ps->row_slot[a[i]] * ldm, sizeof(double) * 2);
      ps->lab[i] = ps->d->y[a[i]];
    }
    loss = L->hp.head == HEAD_DNN ? softmax_ce_loss(ps->z, ps->lab, ps->dz, nb, 2)
                                  : cat_hinge_loss(ps->z, ps->lab, ps->dz, nb, 2);
    if (g)
      for (int i = 0; i < nb; i++)
        for (int j = 0; j < 2; j++) dG[(size_t)ps->row_slot[a[i]] * ldm + j] += ps->dz[2 * i + j];
  }
  /* Keras-style kernel regularisation of the head's dense layers */
  for (int l = 0; l < nl; l++)
    loss += weight_penalty(p + L->W[l], g ? g + L->W[l] : NULL, L->dim[l] * L->dim[l + 1], L->hp.l1, L->hp.l2);
  if (snn) loss += weight_penalty(p + L->dist_w, g ? g + L->dist_w : NULL, dm, L->hp.l1, L->hp.l2);
  /* fp_l2: shrinks only the weights that read fingerprints (the first NROLES * D input rows of W[0]),
   * towards the descriptor model; plain l2 would shrink the descriptor weights too */
  loss += weight_penalty(p + L->W[0], g ? g + L->W[0] : NULL, (int)net_fp_weights(L), 0, L->hp.fp_l2);
  if (g) head_backward(ps, p, g, dropout_on);
  for (int r = 0; r < NROLES && L->D; r++) ps->flops += ps->gw[r].flops;
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

static runs active_params(const net_layout *L, const pass *ps) {
  runs r = {0};
  enum { C = MG_ATOM_FEATS + MG_BOND_FEATS };
  for (int k = 0; k < NROLES && L->D; k++) {
    const gcnn_layout *g = &L->gl[k];
    const gbatch *b = &ps->gb[k];
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
               int *best, instance *out) {
  const hparams *hp = &L->hp;
  int rc = 0;
  rng_t r;
  rng_seed(&r, seed);
  fit_scaler(L, out, d, srows, nsrows);
  out->p = xmalloc(sizeof(double) * L->nparams);
  init_params(L, out->p, &r);
  double *g = xcalloc(L->nparams, sizeof(double)), *m = xcalloc(L->nparams, sizeof(double)),
         *v = xcalloc(L->nparams, sizeof(double)), *pv = xmalloc(sizeof(double) * (nval + 1));
  int nb = hp->pair_size;
  int *a = xmalloc(sizeof(int) * nb), *b = xmalloc(sizeof(int) * nb), *yv = xmalloc(sizeof(int) * (nval + 1));
  for (int i = 0; i < nval; i++) yv[i] = d->y[val[i]];
  if (nval) set_support(L, out, d, rows, nrows);
  double best_loss = INFINITY;
  pass *ps = pass_new(L, d, rows, nrows, 2 * nb);
  pass_cache_inputs(ps); /* the scaler is fixed: each row is scaled once */
  runs act = active_params(L, ps);
  long nact = 0;
  for (int i = 0; i < act.n; i++) nact += act.hi[i] - act.lo[i];
  adam_t opt = {hp->learning_rate, hp->adam_beta1, hp->adam_beta2, hp->adam_epsilon, 0};
  struct timespec c0, c1;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
  long T = (long)epochs * hp->steps_per_epoch;
  for (int e = 0; e < epochs && !rc; e++) {
    double sum = 0;
    for (int s = 0; s < hp->steps_per_epoch; s++) {
      if (hp->lr_decay) opt.lr = hp->learning_rate * net_lr_factor(hp, opt.t, T);
      draw_batch(hp, cls, ncls, rows, nrows, &r, a, b);
      double loss = pass_batch_loss(ps, out, a, b, nb, g, &r);
      if (!isfinite(loss)) {
        rc = au_fail(AU_ENUM, "training diverged (loss %g at epoch %d); try a smaller learning_rate", loss, e + 1);
        break;
      }
      sum += loss;
      adam_step(&opt, act.n, act.lo, act.hi, out->p, g, m, v);
    }
    out->loss = sum / hp->steps_per_epoch;
    if (nval && !rc && !(rc = instance_prepare(L, out, d->mols, d->nmol)) &&
        !(rc = instance_predict(L, out, d, val, nval, pv))) {
      double vl = metric_logloss(yv, pv, nval);
      if (vl < best_loss) { best_loss = vl; *best = e + 1; }
    }
  }
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
  out->step_secs = (c1.tv_sec - c0.tv_sec) + 1e-9 * (c1.tv_nsec - c0.tv_nsec);
  /* Adam: 12 operations per parameter (sqrt and division counted as one) */
  out->flops = pass_flops(ps) + 12.0 * nact * opt.t;
  out->steps = opt.t;
  pass_free(ps);
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
  int rc = fit(L, d, inner, ninner, icls, nicls, inner, ninner, seed, ei, val, nval, &best, &tmp);
  if (!rc) {
    double e = ceil((double)best * net_epochs(&L->hp, n) / ei);
    *epochs = e < 1e6 ? (int)e : 1000000;
  }
  cost->flops += tmp.flops; cost->step_secs += tmp.step_secs; cost->steps += tmp.steps;
  instance_free(&tmp);
  free(perm); free(inner); free(val);
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
  if (!rc) rc = fit(L, d, fr, nf, cls, ncls, rows, nrows, seed, epochs, NULL, 0, NULL, out);
  out->flops += cost.flops; out->step_secs += cost.step_secs; out->steps += cost.steps;
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
