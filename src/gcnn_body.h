/* The GCNN's forward and backward passes, written once over `real` and
 * included by gcnn.c twice: in double (gcnn_forward_sel, gcnn_backward) and
 * with GC_FLOAT in float (the _f names, for float training). The float
 * pass uses the workspace's buffers (sized for double rows, which are at
 * least as many bytes) as float rows of kern_pad_f lanes. */
#if GC_FLOAT
#define real float
#define GF(name) name##_f
#define KF(name) name##_f
#define RPAD kern_pad_f
#define RV KERN_VF
#else
#define real double
#define GF(name) name
#define KF(name) name
#define RPAD kern_pad
#define RV KERN_V
#endif
#define RB(buf) ((real *)(buf))

/* the bond sums (double in the batch) into a row */
static inline void GF(copy_bsum)(real *d, const double *s) {
#if GC_FLOAT
  for (int f = 0; f < NB; f++) d[f] = (real)s[f];
#else
  memcpy(d, s, sizeof(double) * NB);
#endif
}

/* layer-0 matrix of degree d, packed when the width is not whole vectors */
static const real *GF(w0)(const gcnn_layout *L, const real *p, gcnn_ws *w, int d) {
  if (L->width % RV == 0) return p + L->W[0][d];
  KF(kern_pack)(MG_ATOM_FEATS + NB, L->width, p + L->W[0][d], L->width, RB(RB(w->Wp[0][0])), RPAD(L->width));
  return RB(RB(w->Wp[0][0]));
}

void GF(gcnn_forward_sel)(const gcnn_layout *L, const real *p, const gbatch *g, gcnn_ws *w, const int *sel, int nsel,
                          real *fp) {
  int wd = L->width, D = L->D, big = MG_ATOM_FEATS + NB, ldh = RPAD(wd), ldz = RPAD(wd + NB), ldo = RPAD(D);
  compact(L, g, w, sel, nsel);
  int nc = w->nc;
  double fl = 0;
  memset(RB(w->dfp), 0, sizeof(real) * nsel * ldo); /* the padded fingerprint sums */
  /* hidden layers: H_1 from the sparse layer-0 rows, H_{l+1} from Z_l =
   * [H_l + sum_nbr H_l, bond sums], each once per class */
  for (int l = 0; l < L->P; l++) {
    int n1 = w->ncls[l + 1];
    if (l > 0) {
      KF(kern_nbr_sum)(n1, wd, w->crep[l + 1], w->cprev[l + 1], g->nbr_start, g->nbr, w->bcls[l], RB(w->HC[l]), ldh, RB(w->ZC[l]),
                   ldz, 0);
      /* the bond sums: kept from the last pass when its classes are (kern_nbr_sum
       * writes whole vectors, so only when the width is whole vectors) */
      if (w->fresh || wd % RV)
        for (int i = 0; i < n1; i++) GF(copy_bsum)(RB(w->ZC[l]) + (size_t)i * ldz + wd, g->bsum + (size_t)w->crep[l + 1][i] * NB);
      fl += (double)w->nnbr[l + 1] * wd;
    }
    for (int d = 0; d < GC_NDEG; d++) {
      int c0 = w->cdeg_start[l + 1][d], cnt = w->cdeg_start[l + 1][d + 1] - c0;
      if (!cnt) continue;
      real *out = RB(w->HC[l + 1]) + (size_t)c0 * ldh;
      if (l == 0) {
        KF(kern_sparse)(&g->z0, w->crep[1] + c0, 0, cnt, wd, GF(w0)(L, p, w, d), ldh, p + L->b[0][d], out, ldh, KERN_RELU);
      } else {
        const real *W = p + L->W[l][d];
        if (wd % RV) { KF(kern_pack)(wd + NB, wd, W, wd, RB(w->Wp[l][d]), ldh); W = RB(w->Wp[l][d]); }
        KF(kern_dense)(cnt, wd + NB, wd, RB(w->ZC[l]) + (size_t)c0 * ldz, ldz, W, ldh, p + L->b[l][d], out, ldh, KERN_RELU,
                   NULL, 0);
        fl += 2.0 * cnt * (wd + NB) * wd;
      }
    }
    fl += (l == 0 ? 2.0 * w->nz0 * wd : 0) + 2.0 * n1 * wd; /* products (sparse); bias and ReLU */
  }
  /* output layers, once per class; the fingerprint sums per atom, in atom order */
  for (int l = 0; l <= L->P; l++) {
    int in = l ? wd + NB : big, ncl = w->ncls[l];
    if (l == 0) /* only the rows of the u0 columns the batch uses are read */
      for (int r = 0; r < g->nurun; r++)
        KF(kern_pack)(g->uhi[r] - g->ulo[r], D, p + L->Wo[0] + (size_t)g->ulo[r] * D, D, RB(w->Wop[0]) + (size_t)g->ulo[r] * ldo,
                  ldo);
    else
      KF(kern_pack)(in, D, p + L->Wo[l], D, RB(w->Wop[l]), ldo);
    if (l == 0) {
      KF(kern_sparse)(&g->u0, w->crep[0], 0, ncl, D, RB(w->Wop[0]), ldo, p + L->bo[0], RB(w->OC[0]), ldo, KERN_SOFTMAX);
      fl += 2.0 * w->nu0 * D;
    } else {
      for (int i = 0; i < ncl; i++) {
        memcpy(RB(w->UC[l]) + (size_t)i * ldz, RB(w->HC[l]) + (size_t)i * ldh, sizeof(real) * wd);
        if (w->fresh) GF(copy_bsum)(RB(w->UC[l]) + (size_t)i * ldz + wd, g->bsum + (size_t)w->crep[l][i] * NB);
      }
      KF(kern_dense)(ncl, in, D, RB(w->UC[l]), ldz, RB(w->Wop[l]), ldo, p + L->bo[l], RB(w->OC[l]), ldo, KERN_SOFTMAX, NULL, 0);
      fl += 2.0 * ncl * in * D;
    }
    fl += 6.0 * ncl * D + (double)nc * D; /* bias and softmax (max, subtract, exp, sum, scale); the sums */
    KF(kern_scatter_add)(nc, D, RB(w->OC[l]), ldo, w->csrc[l], w->cmol, RB(w->dfp), ldo);
  }
  for (int i = 0; i < nsel; i++) memcpy(fp + (size_t)i * D, RB(w->dfp) + (size_t)i * ldo, sizeof(real) * D);
  w->flops = fl;
}

/* ---- backward ----------------------------------------------------------- */
/* Per class too: a class's rows are equal, so its weight gradient is the
 * row times the sum of its atoms' output gradients, and the softmax
 * backward is linear in dfp (a class's summed gradient is that of its
 * atoms' summed dfp rows). Only those sums run per atom. */
void GF(gcnn_backward)(const gcnn_layout *L, const real *p, const gbatch *g, gcnn_ws *w, const real *dfp,
                       real *grads) {
  int nc = w->nc, wd = L->width, D = L->D, ldh = RPAD(wd), ldz = RPAD(wd + NB), ldo = RPAD(D);
  double fl = 0;
  for (int i = 0; i < w->nsel; i++) memcpy(RB(w->dfp) + (size_t)i * ldo, dfp + (size_t)i * D, sizeof(real) * D);
  for (int l = L->P; l >= 0; l--) {
    /* output layer l: the classes' summed dfp, the softmax backward */
    int ncl = w->ncls[l];
    KF(kern_scatter_sum)(nc, D, RB(w->dfp), ldo, w->cmol, w->csrc[l], RB(w->T), ldo); /* classes: by first appearance */
    KF(kern_softmax_back)(ncl, D, RB(w->OC[l]), ldo, RB(w->T), ldo, NULL, RB(w->dL), ldo);
    fl += (double)nc * D + 5.0 * ncl * D; /* sums; softmax backward; bias */
    if (l == 0) {
      KF(kern_sparse_dw)(&g->u0, w->crep[0], 0, ncl, D, RB(w->dL), ldo, grads + L->Wo[0], D, grads + L->bo[0]);
      fl += 2.0 * w->nu0 * D;
    } else {
      KF(kern_dense_dw)(ncl, wd + NB, D, RB(w->UC[l]), ldz, RB(w->dL), ldo, grads + L->Wo[l], D, grads + L->bo[l]);
      KF(kern_pack_t)(wd, D, p + L->Wo[l], RB(w->WoT[l]), ldh);
      /* the first contribution to dH_l: it starts the class sums (from 0) */
      KF(kern_dense)(ncl, D, wd, RB(w->dL), ldo, RB(w->WoT[l]), ldh, NULL, RB(w->dHC[l]), ldh, KERN_LINEAR, NULL, 0);
      fl += 2.0 * ncl * (wd + NB) * D + 2.0 * ncl * D * wd;
    }
    if (l == L->P) continue;
    /* hidden layer l: its output H_{l+1} now has its full gradient; ReLU */
    int n1 = w->ncls[l + 1];
    KF(kern_relu_back)((size_t)n1 * ldh, RB(w->HC[l + 1]), RB(w->dHC[l + 1]), RB(w->dL));
    fl += 2.0 * n1 * wd; /* ReLU and bias */
    for (int d = 0; d < GC_NDEG; d++) {
      int c0 = w->cdeg_start[l + 1][d], cnt = w->cdeg_start[l + 1][d + 1] - c0;
      if (!cnt) continue;
      const real *dpre = RB(w->dL) + (size_t)c0 * ldh;
      if (l == 0) {
        KF(kern_sparse_dw)(&g->z0, w->crep[1] + c0, 0, cnt, wd, dpre, ldh, grads + L->W[0][d], wd, grads + L->b[0][d]);
      } else {
        KF(kern_dense_dw)(cnt, wd + NB, wd, RB(w->ZC[l]) + (size_t)c0 * ldz, ldz, dpre, ldh, grads + L->W[l][d], wd,
                      grads + L->b[l][d]);
        KF(kern_pack_t)(wd, wd, p + L->W[l][d], RB(w->WT[l][d]), ldh);
        KF(kern_dense)(cnt, wd, wd, dpre, ldh, RB(w->WT[l][d]), ldh, NULL, RB(w->dZ) + (size_t)c0 * ldh, ldh, KERN_LINEAR, NULL, 0);
        fl += 2.0 * cnt * (wd + NB) * wd + 2.0 * cnt * wd * wd;
      }
    }
    if (l == 0) { fl += 2.0 * w->nz0 * wd; continue; } /* layer-0 inputs are constants */
    /* dH_l += dZ to each class's own level-l class and its neighbours' (the
     * adjacency is symmetric) */
    KF(kern_nbr_scatter)(n1, wd, w->crep[l + 1], w->cprev[l + 1], g->nbr_start, g->nbr, w->bcls[l], RB(w->dZ), ldh, RB(w->dHC[l]),
                     ldh);
    fl += (double)(n1 + w->nnbr[l + 1]) * wd;
  }
  w->flops += fl;
}

#undef GF
#undef KF
#undef RPAD
#undef RV
#undef RB
#undef real
