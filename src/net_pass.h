/* The training and prediction pass (pass_new ... pass_batch_loss), written
 * once over `real` and included by net.c twice: in double (the public
 * pass_* of net.h) and with NP_FLOAT in float (pass_f, static: the float
 * training path, hparams float32). The losses and logits (z, dz, t) and the
 * cached scaled inputs stay double in both. */
#if NP_FLOAT
#define real float
#define PASS pass_f
typedef struct pass_f pass_f;
#define PF(name) name##_f
#define KF(name) name##_f
#define GF(name) name##_f
#define RPAD kern_pad_f
#define RALLOC kern_alloc_f
#define NP_API static __attribute__((unused))
/* float versions of nn.c's helpers, the same arithmetic */
static void sigmoid_backward_f(const float *y, const float *dy, float *dx, int n) {
  for (int i = 0; i < n; i++) dx[i] = dy[i] * y[i] * (1 - y[i]);
}
static void relu_backward_f(const float *y, const float *dy, float *dx, int n) {
  for (int i = 0; i < n; i++) dx[i] = y[i] > 0 ? dy[i] : 0;
}
static void dropout_forward_f(float *x, unsigned char *mask, int n, double rate, rng_t *r) {
  float keep = (float)(1 - rate);
  for (int i = 0; i < n; i++) {
    mask[i] = rng_uniform(r) < 1 - rate;
    x[i] = mask[i] ? x[i] / keep : 0;
  }
}
static void dropout_backward_f(float *dx, const unsigned char *mask, int n, double rate) {
  float keep = (float)(1 - rate);
  for (int i = 0; i < n; i++) dx[i] = mask[i] ? dx[i] / keep : 0;
}
static double weight_penalty_f(const float *w, float *dw, int n, double l1, double l2) {
  if (l1 == 0 && l2 == 0) return 0;
  double L = 0;
  for (int i = 0; i < n; i++) {
    L += l1 * fabs(w[i]) + l2 * w[i] * w[i];
    if (dw) dw[i] += (float)(l1 * (w[i] > 0 ? 1 : (w[i] < 0 ? -1 : 0)) + 2 * l2 * w[i]);
  }
  return L;
}
static double group_penalty_f(const float *w, float *dw, int rows, int cols, double lambda) {
  if (lambda == 0) return 0;
  double L = 0;
  for (int r = 0; r < rows; r++) {
    const float *x = w + (size_t)r * cols;
    double s = 1e-12;
    for (int c = 0; c < cols; c++) s += (double)x[c] * x[c];
    double n = sqrt(s);
    L += lambda * n;
    if (dw)
      for (int c = 0; c < cols; c++) dw[(size_t)r * cols + c] += (float)(lambda * x[c] / n);
  }
  return L;
}
static void scale_inputs_f(const net_layout *L, const instance *in, const double *x, float *out) {
  double t[AU_XMAX + NET_NDERIVED];
  scale_inputs(L, in, x, t);
  for (int j = 0; j < L->nx + L->nder; j++) out[j] = (float)t[j];
}
#define FABS fabsf
#define SIGMOID_BACKWARD sigmoid_backward_f
#define RELU_BACKWARD relu_backward_f
#define DROPOUT_FORWARD dropout_forward_f
#define DROPOUT_BACKWARD dropout_backward_f
#define WEIGHT_PENALTY weight_penalty_f
#define GROUP_PENALTY group_penalty_f
#define SCALE_INPUTS scale_inputs_f
#else
#define real double
#define PASS pass
#define PF(name) name
#define KF(name) name
#define GF(name) name
#define RPAD kern_pad
#define RALLOC kern_alloc
#define NP_API
#define FABS fabs
#define SIGMOID_BACKWARD sigmoid_backward
#define RELU_BACKWARD relu_backward
#define DROPOUT_FORWARD dropout_forward
#define DROPOUT_BACKWARD dropout_backward
#define WEIGHT_PENALTY weight_penalty
#define GROUP_PENALTY group_penalty
#define SCALE_INPUTS scale_inputs
#endif

/* ---- a forward/backward pass over a set of rows --------------------------
 * The GCNN runs once per distinct molecule of each role that the batch uses,
 * the head once per distinct row of the batch; pairs and repeated rows reuse
 * them. Activations are rows padded to whole vectors (kern.h); everything is
 * allocated here, once, so a training step allocates nothing. */
struct PASS {
  const net_layout *L;
  const dataset *d;
  int *molpos[NROLES];          /* dataset molecule -> position in the role batch, -1 */
  gbatch gb[NROLES];
  gcnn_ws gw[NROLES];
  int *sel[NROLES], nsel[NROLES]; /* batch molecules this pass uses */
  int *selidx[NROLES];          /* batch molecule -> index in sel, -1 */
#if NP_FLOAT
  int *cur[NROLES];             /* float_select: the molecules the rows use */
  unsigned char *use[NROLES];
#endif
  real *fp[NROLES], *dfp[NROLES]; /* [nsel, D] */
  real *pool[NROLES];         /* batch molecule -> net_pool_factor */
  int cap, k;
  int *slot_row;                /* [cap] dataset row in each slot */
  int *row_slot;                /* [d->n] slot of each row, -1 */
  int ld[HP_MAXH + 2];          /* padded row length of each layer */
  real *act[HP_MAXH + 2], *dact[HP_MAXH + 2];
  real *Wp[HP_MAXH + 1], *WT[HP_MAXH + 1]; /* packed weights and transposes */
  unsigned char *mask[HP_MAXH + 1];
  double *z, *dz, *t;           /* per batch entry: logits, their gradients, targets */
  real *dist, *dd;
  int *lab, ecap;
  double flops;                 /* counted floating-point operations so far */
  double *xs;                   /* pass_cache_inputs: [d->n, nx + nder] scaled inputs, */
  unsigned char *xs_ok;         /* each row's filled at its first use */
};

NP_API PASS *PF(pass_new)(const net_layout *L, const dataset *d, const int *rows, int nrows, int cap) {
  PASS *ps = xcalloc(1, sizeof *ps);
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
      ps->pool[r] = xmalloc(sizeof(real) * (nm + 1));
      for (int m = 0; m < nm; m++) ps->pool[r][m] = net_pool_factor(L, list[m]);
      ps->sel[r] = xmalloc(sizeof(int) * (nm + 1));
      ps->selidx[r] = xmalloc(sizeof(int) * (nm + 1));
      for (int m = 0; m < nm; m++) ps->selidx[r][m] = -1;
#if NP_FLOAT
      ps->cur[r] = xmalloc(sizeof(int) * (nm + 1));
      ps->use[r] = xcalloc(nm + 1, 1);
#endif
      ps->fp[r] = xcalloc((size_t)nm * L->D + 1, sizeof(real));
      ps->dfp[r] = xcalloc((size_t)nm * L->D + 1, sizeof(real));
    }
    free(list);
  }
  ps->cap = cap;
  ps->slot_row = xmalloc(sizeof(int) * (cap + 1));
  ps->row_slot = xmalloc(sizeof(int) * (d->n + 1));
  for (int i = 0; i < d->n; i++) ps->row_slot[i] = -1;
  for (int l = 0; l <= L->nl; l++) {
    ps->ld[l] = RPAD(L->dim[l]);
    ps->act[l] = RALLOC((size_t)cap * ps->ld[l]);
    ps->dact[l] = RALLOC((size_t)cap * ps->ld[l]);
    if (l > 0 && l < L->nl) ps->mask[l] = xcalloc((size_t)cap * L->dim[l] + 1, 1);
  }
  for (int l = 0; l < L->nl; l++) {
    ps->Wp[l] = RALLOC((size_t)L->dim[l] * ps->ld[l + 1]);
    ps->WT[l] = RALLOC((size_t)L->dim[l + 1] * ps->ld[l]);
  }
  return ps;
}

NP_API void PF(pass_cache_inputs)(PASS *ps) {
  if (ps->xs) return;
  ps->xs = xmalloc(sizeof(double) * (ps->L->nx + ps->L->nder) * (ps->d->n + 1));
  ps->xs_ok = xcalloc(ps->d->n + 1, 1);
}

NP_API void PF(pass_free)(PASS *ps) {
  if (!ps) return;
  free(ps->xs); free(ps->xs_ok);
  for (int r = 0; r < NROLES; r++) {
#if NP_FLOAT
    free(ps->cur[r]); free(ps->use[r]);
#endif
    free(ps->molpos[r]); free(ps->fp[r]); free(ps->dfp[r]); free(ps->sel[r]); free(ps->selidx[r]); free(ps->pool[r]);
    if (ps->L->D) { gbatch_free(&ps->gb[r]); gcnn_ws_free(&ps->gw[r]); }
  }
  for (int l = 0; l <= HP_MAXH + 1; l++) { free(ps->act[l]); free(ps->dact[l]); }
  for (int l = 0; l <= HP_MAXH; l++) { free(ps->mask[l]); free(ps->Wp[l]); free(ps->WT[l]); }
  free(ps->slot_row); free(ps->row_slot);
  free(ps->z); free(ps->dz); free(ps->dist); free(ps->t); free(ps->lab); free(ps->dd);
  free(ps);
}

NP_API double PF(pass_flops)(const PASS *ps) { return ps->flops; }

/* Fingerprints of the molecules the slotted rows use (all = every molecule
 * of the pass, for prediction in chunks). */
#if NP_FLOAT
/* Float training's molecules of role r: those the slotted rows use, or the
 * last step's with these added when that is at most 1.25 times the atoms,
 * in batch order. Most steps then use the last step's molecules, whose
 * renumbering and classes are kept (compact in gcnn.c); the extra ones'
 * fingerprints go unused and get a zero gradient. Double takes exactly the
 * molecules used, in the order of first use: its bits. */
static void float_select(PASS *ps, int r) {
  int *sel = ps->sel[r], *idx = ps->selidx[r], *cur = ps->cur[r], nold = ps->nsel[r], ncur = 0;
  unsigned char *use = ps->use[r];
  const int *ms = ps->gb[r].mol_start;
  long acur = 0, aall = 0;
  for (int i = 0; i < nold; i++) aall += ms[sel[i] + 1] - ms[sel[i]];
  for (int i = 0; i < ps->k; i++) {
    int m = ps->molpos[r][ps->d->mol[ps->slot_row[i] * NROLES + r]];
    if (use[m]) continue;
    use[m] = 1;
    cur[ncur++] = m;
    acur += ms[m + 1] - ms[m];
    if (idx[m] < 0) aall += ms[m + 1] - ms[m];
  }
  int n = 0;
  if (4 * aall <= 5 * acur) { /* the union: the old ones (sorted) and the new */
    n = nold;
    for (int i = 0; i < ncur; i++)
      if (idx[cur[i]] < 0) sel[n++] = cur[i];
  } else {
    for (int i = 0; i < nold; i++) idx[sel[i]] = -1;
    memcpy(sel, cur, sizeof(int) * ncur);
    n = ncur;
  }
  for (int i = 0; i < ncur; i++) use[cur[i]] = 0;
  for (int i = 1; i < n; i++) {
    int m = sel[i], j = i;
    for (; j > 0 && sel[j - 1] > m; j--) sel[j] = sel[j - 1];
    sel[j] = m;
  }
  for (int i = 0; i < n; i++) idx[sel[i]] = i;
  ps->nsel[r] = n;
}
#endif

static void PF(gcnn_pass_forward)(PASS *ps, const real *p, int all) {
  for (int r = 0; r < NROLES && ps->L->D; r++) {
    int *sel = ps->sel[r], *idx = ps->selidx[r];
#if NP_FLOAT
    if (!all) float_select(ps, r);
    else
#endif
    {
      for (int i = 0; i < ps->nsel[r]; i++) idx[sel[i]] = -1;
      ps->nsel[r] = 0;
      if (all)
        for (int m = 0; m < ps->gb[r].nmol; m++) idx[m] = ps->nsel[r], sel[ps->nsel[r]++] = m;
      else
        for (int i = 0; i < ps->k; i++) {
          int m = ps->molpos[r][ps->d->mol[ps->slot_row[i] * NROLES + r]];
          if (idx[m] < 0) idx[m] = ps->nsel[r], sel[ps->nsel[r]++] = m;
        }
    }
    GF(gcnn_forward_sel)(&ps->L->gl[r], p, &ps->gb[r], &ps->gw[r], sel, ps->nsel[r], ps->fp[r]);
    if (ps->L->hp.fingerprint_pool)
      for (int i = 0; i < ps->nsel[r]; i++)
        for (int j = 0; j < ps->L->D; j++) ps->fp[r][(size_t)i * ps->L->D + j] *= ps->pool[r][sel[i]];
  }
}

/* fingerprint row of role r for dataset row `row` */
static int PF(fp_index)(const PASS *ps, int r, int row) {
  return ps->selidx[r][ps->molpos[r][ps->d->mol[row * NROLES + r]]];
}

static int PF(add_slot)(PASS *ps, int row) {
  if (ps->row_slot[row] < 0) {
    ps->row_slot[row] = ps->k;
    ps->slot_row[ps->k++] = row;
  }
  return ps->row_slot[row];
}

static void PF(clear_slots)(PASS *ps) {
  for (int i = 0; i < ps->k; i++) ps->row_slot[ps->slot_row[i]] = -1;
  ps->k = 0;
}

/* Head forward over the k slotted rows; act[nl] = G (SNN, sigmoid) or scores.
 * noise: training only, hp.input_noise > 0 (each slot's scaled descriptor
 * and derived inputs get N(0, input_noise^2) added, drawn in slot order). */
static void PF(head_forward)(PASS *ps, const instance *in, const real *p, rng_t *drop, rng_t *noise) {
  const net_layout *L = ps->L;
  int k = ps->k, D = L->D;
  for (int i = 0; i < k; i++) {
    int row = ps->slot_row[i];
    real *v = ps->act[0] + (size_t)i * ps->ld[0];
    for (int r = 0; r < NROLES && D; r++)
      memcpy(v + r * D, ps->fp[r] + (size_t)PF(fp_index)(ps, r, row) * D, sizeof(real) * D);
    const double *x = ps->d->x + (size_t)row * L->nx;
    int nv = L->nx + L->nder;
    if (!ps->xs) {
      SCALE_INPUTS(L, in, x, v + NROLES * D);
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
    KF(kern_pack)(L->dim[l], out, p + L->W[l], out, ps->Wp[l], ldo);
    KF(kern_dense)(k, L->dim[l], out, ps->act[l], ps->ld[l], ps->Wp[l], ldo, p + L->b[l], ps->act[l + 1], ldo, epi, NULL, 0);
    if (!last && drop && L->hp.dropout > 0)
      for (int i = 0; i < k; i++)
        DROPOUT_FORWARD(ps->act[l + 1] + (size_t)i * ldo, ps->mask[l + 1] + (size_t)i * out, out, L->hp.dropout, drop);
    ps->flops += (2.0 * L->dim[l] + 2) * k * out; /* products, bias, activation */
  }
}

/* Given dact[nl] (gradient w.r.t. the head output), backpropagate to the
 * parameters and, through the IIV, into the GCNNs. */
static void PF(head_backward)(PASS *ps, const real *p, real *g, int dropout_on) {
  const net_layout *L = ps->L;
  int k = ps->k, nl = L->nl;
  if (L->hp.head == HEAD_SNN)
    for (int i = 0; i < k; i++) {
      const real *y = ps->act[nl] + (size_t)i * ps->ld[nl];
      real *dy = ps->dact[nl] + (size_t)i * ps->ld[nl];
      SIGMOID_BACKWARD(y, dy, dy, L->dim[nl]);
    }
  for (int l = nl - 1; l >= 0; l--) {
    int in = L->dim[l], out = L->dim[l + 1];
    KF(kern_dense_dw)(k, in, out, ps->act[l], ps->ld[l], ps->dact[l + 1], ps->ld[l + 1], g + L->W[l], out, g + L->b[l]);
    ps->flops += (2.0 * in + 1) * k * out;
    if (l == 0 && !L->D) break;
    /* dX = dY W^T, times the ReLU derivative of the layer below; of the
     * inputs only the fingerprints (the first NROLES * D) take a gradient */
    int nin = l ? in : NROLES * L->D, ldt = l ? ps->ld[l] : RPAD(nin);
    KF(kern_pack_t)(nin, out, p + L->W[l], ps->WT[l], ldt);
    int mask = l > 0 && !dropout_on;
    KF(kern_dense)(k, out, nin, ps->dact[l + 1], ps->ld[l + 1], ps->WT[l], ldt, NULL, ps->dact[l], ps->ld[l],
               mask ? KERN_MASK : KERN_LINEAR, ps->act[l], ps->ld[l]);
    ps->flops += (2.0 * out + (l > 0)) * k * nin;
    if (l > 0 && dropout_on)
      for (int i = 0; i < k; i++) {
        real *dx = ps->dact[l] + (size_t)i * ps->ld[l];
        DROPOUT_BACKWARD(dx, ps->mask[l] + (size_t)i * in, in, L->hp.dropout);
        RELU_BACKWARD(ps->act[l] + (size_t)i * ps->ld[l], dx, dx, in);
      }
  }
  if (!L->D) return;
  for (int r = 0; r < NROLES; r++) memset(ps->dfp[r], 0, sizeof(real) * ps->nsel[r] * L->D);
  for (int i = 0; i < k; i++) {
    int row = ps->slot_row[i];
    const real *dv = ps->dact[0] + (size_t)i * ps->ld[0];
    for (int r = 0; r < NROLES; r++) {
      real *df = ps->dfp[r] + (size_t)PF(fp_index)(ps, r, row) * L->D;
      real f = ps->pool[r][ps->molpos[r][ps->d->mol[row * NROLES + r]]];
      if (f == 1) /* sum pooling: the same sums without the products by 1 */
        for (int j = 0; j < L->D; j++) df[j] += dv[r * L->D + j];
      else
        for (int j = 0; j < L->D; j++) df[j] += f * dv[r * L->D + j];
    }
  }
  ps->flops += (double)k * NROLES * L->D;
  for (int r = 0; r < NROLES; r++) GF(gcnn_backward)(&L->gl[r], p, &ps->gb[r], &ps->gw[r], ps->dfp[r], g);
}

static void PF(ensure_entries)(PASS *ps, int nb) {
  if (nb <= ps->ecap) return;
  int dm = ps->L->dim[ps->L->nl];
  ps->ecap = nb;
  ps->z = xrealloc(ps->z, sizeof(double) * nb * 2);
  ps->dz = xrealloc(ps->dz, sizeof(double) * nb * 2);
  ps->t = xrealloc(ps->t, sizeof(double) * nb);
  ps->lab = xrealloc(ps->lab, sizeof(int) * nb);
  ps->dist = xrealloc(ps->dist, sizeof(real) * nb * dm);
  ps->dd = xrealloc(ps->dd, sizeof(real) * dm * 3);
}

static double PF(batch_loss)(PASS *ps, const instance *in, const real *p, const int *a, const int *b, int nb, real *g,
                             rng_t *drop) {
  const net_layout *L = ps->L;
  int snn = L->hp.head == HEAD_SNN, nl = L->nl, dm = L->dim[nl], ldm = ps->ld[nl];
  int dropout_on = g && drop && L->hp.dropout > 0;
  PF(ensure_entries)(ps, nb);
  PF(clear_slots)(ps);
  for (int i = 0; i < nb; i++) {
    PF(add_slot)(ps, a[i]);
    if (snn) PF(add_slot)(ps, b[i]);
  }
  PF(gcnn_pass_forward)(ps, p, 0);
  PF(head_forward)(ps, in, p, dropout_on ? drop : NULL, g && drop && L->hp.input_noise > 0 ? drop : NULL);
  double loss;
  int k = ps->k;
  const real *G = ps->act[nl];
  real *dG = ps->dact[nl];
  if (g) memset(dG, 0, sizeof(real) * k * ldm);
  if (snn) {
    /* z = w . |G(a) - G(b)| + b0; target 1 when both rows are the same class */
    const real *w = p + L->dist_w;
    for (int i = 0; i < nb; i++) {
      const real *ga = G + (size_t)ps->row_slot[a[i]] * ldm, *gb = G + (size_t)ps->row_slot[b[i]] * ldm;
      real *dist = ps->dist + (size_t)i * dm;
      double z = p[L->dist_b];
      for (int j = 0; j < dm; j++) { /* the distance |G(a) - G(b)| and its weighted sum */
        dist[j] = FABS(ga[j] - gb[j]);
        z += w[j] * dist[j];
      }
      ps->z[i] = z;
      ps->t[i] = ps->d->y[a[i]] == ps->d->y[b[i]];
    }
    loss = bce_logits_loss(ps->z, ps->t, ps->dz, nb);
    ps->flops += 4.0 * nb * dm;
    if (g) {
      real *gw = g + L->dist_w;
      for (int i = 0; i < nb; i++) {
        const real *dist = ps->dist + (size_t)i * dm;
        int sa = ps->row_slot[a[i]], sb = ps->row_slot[b[i]];
        const real *ga = G + (size_t)sa * ldm, *gb = G + (size_t)sb * ldm;
        real *dga = dG + (size_t)sa * ldm, *dgb = dG + (size_t)sb * ldm;
        double dz = ps->dz[i];
        for (int j = 0; j < dm; j++) { /* the distance's weight, then the distance backward into dG */
          gw[j] += dz * dist[j];
          /* the sign of G(a) - G(b) (0 when equal), without branches: it is random */
          real ddj = dz * w[j], sg = (real)((ga[j] > gb[j]) - (ga[j] < gb[j]));
          dga[j] += sg * ddj;
          dgb[j] += -sg * ddj;
        }
        g[L->dist_b] += dz;
      }
      ps->flops += 7.0 * nb * dm;
    }
  } else {
    for (int i = 0; i < nb; i++) {
      for (int j = 0; j < 2; j++) ps->z[2 * i + j] = G[(size_t)ps->row_slot[a[i]] * ldm + j];
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
    loss += WEIGHT_PENALTY(p + L->W[l], g ? g + L->W[l] : NULL, L->dim[l] * L->dim[l + 1], L->hp.l1, L->hp.l2);
  if (snn) loss += WEIGHT_PENALTY(p + L->dist_w, g ? g + L->dist_w : NULL, dm, L->hp.l1, L->hp.l2);
  /* fp_l2: shrinks only the weights that read fingerprints (the first NROLES * D input rows of W[0]),
   * towards the descriptor model; plain l2 would shrink the descriptor weights too */
  loss += WEIGHT_PENALTY(p + L->W[0], g ? g + L->W[0] : NULL, (int)net_fp_weights(L), 0, L->hp.fp_l2);
  /* input_group_l1: a group lasso on each descriptor (and ratio, extra) input's row of W[0], so an
   * input that does not pay for itself is dropped whole; fingerprint rows have fp_l2 */
  if (nl) {
    long f = net_fp_weights(L);
    loss += GROUP_PENALTY(p + L->W[0] + f, g ? g + L->W[0] + f : NULL, L->dim[0] - (int)(f / L->dim[1]), L->dim[1],
                          L->hp.input_group_l1);
    /* molecule_group_l1: the same on the rows of the molecules' properties only (descriptors
     * AU_NCOND..AU_NDESC-1: solvent, reducing agent, ligand); conditions, ratios and extra columns
     * are not penalised, so the head always sees the recipe it is asked about */
    long m = f + (long)AU_NCOND * L->dim[1];
    loss += GROUP_PENALTY(p + L->W[0] + m, g ? g + L->W[0] + m : NULL, AU_NDESC - AU_NCOND, L->dim[1],
                          L->hp.molecule_group_l1);
  }
  if (g) PF(head_backward)(ps, p, g, dropout_on);
  for (int r = 0; r < NROLES && L->D; r++) ps->flops += ps->gw[r].flops;
  return loss;
}

#undef real
#undef PASS
#undef PF
#undef KF
#undef GF
#undef RPAD
#undef RALLOC
#undef NP_API
#undef FABS
#undef SIGMOID_BACKWARD
#undef RELU_BACKWARD
#undef DROPOUT_FORWARD
#undef DROPOUT_BACKWARD
#undef WEIGHT_PENALTY
#undef GROUP_PENALTY
#undef SCALE_INPUTS
