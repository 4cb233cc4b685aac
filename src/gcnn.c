#include "gcnn.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "kern.h"

#define NB MG_BOND_FEATS

int gcnn_in_dim(const gcnn_layout *L, int l) { return l == 0 ? MG_ATOM_FEATS : L->width; }

void gcnn_layout_init(gcnn_layout *L, int P, int width, int D, long base) {
  memset(L, 0, sizeof *L);
  L->P = P; L->width = width; L->D = D;
  long o = base;
  for (int l = 0; l < P; l++)
    for (int d = 0; d < GC_NDEG; d++) {
      L->W[l][d] = o; o += (long)(gcnn_in_dim(L, l) + NB) * width;
      L->b[l][d] = o; o += width;
    }
  for (int l = 0; l <= P; l++) {
    L->Wo[l] = o; o += (long)(gcnn_in_dim(L, l) + NB) * D;
    L->bo[l] = o; o += D;
  }
  L->size = o - base;
}

void gcnn_init_params(const gcnn_layout *L, double *p, rng_t *r) {
  for (int l = 0; l < L->P; l++)
    for (int d = 0; d < GC_NDEG; d++) {
      glorot_init(p + L->W[l][d], gcnn_in_dim(L, l) + NB, L->width, r);
      memset(p + L->b[l][d], 0, sizeof(double) * L->width);
    }
  for (int l = 0; l <= L->P; l++) {
    glorot_init(p + L->Wo[l], gcnn_in_dim(L, l) + NB, L->D, r);
    memset(p + L->bo[l], 0, sizeof(double) * L->D);
  }
}

/* ---- batches ------------------------------------------------------------ */
static void csr_from_dense(csr *m, const double *X, int rows, int cols) {
  int nnz = 0;
  for (long i = 0; i < (long)rows * cols; i++) nnz += X[i] != 0;
  m->rows = rows; m->cols = cols;
  m->start = xmalloc(sizeof(int) * (rows + 1));
  m->col = xmalloc(sizeof(int) * (nnz + 1));
  m->val = xmalloc(sizeof(double) * (nnz + 1));
  int k = 0;
  for (int i = 0; i < rows; i++) {
    m->start[i] = k;
    for (int j = 0; j < cols; j++)
      if (X[(size_t)i * cols + j] != 0) { m->col[k] = j; m->val[k++] = X[(size_t)i * cols + j]; }
  }
  m->start[rows] = k;
}

static int deg_class(int d) { return d < GC_NDEG ? d : GC_NDEG - 1; }

/* rep[a] = the first row b <= a of m with the same key (deg, if given) and
 * the same non-zeros bit for bit: an open-addressing hash of the rows */
static void row_classes(const csr *m, const unsigned char *deg, int *rep) {
  int n = m->rows, cap = 16;
  while (cap < 2 * n) cap *= 2;
  int *tab = xmalloc(sizeof(int) * cap);
  for (int i = 0; i < cap; i++) tab[i] = -1;
  for (int a = 0; a < n; a++) {
    uint64_t h = 1469598103934665603ull ^ (deg ? deg[a] : 0);
    for (int k = m->start[a]; k < m->start[a + 1]; k++) {
      uint64_t v;
      memcpy(&v, &m->val[k], sizeof v);
      h = (h ^ (uint64_t)m->col[k]) * 1099511628211ull;
      h = (h ^ v) * 1099511628211ull;
    }
    int len = m->start[a + 1] - m->start[a];
    for (uint64_t s = h & (uint64_t)(cap - 1);; s = (s + 1) & (uint64_t)(cap - 1)) {
      int b = tab[s];
      if (b < 0) { tab[s] = rep[a] = a; break; }
      if ((!deg || deg[a] == deg[b]) && m->start[b + 1] - m->start[b] == len &&
          !memcmp(m->col + m->start[a], m->col + m->start[b], sizeof(int) * len) &&
          !memcmp(m->val + m->start[a], m->val + m->start[b], sizeof(double) * len)) {
        rep[a] = b;
        break;
      }
    }
  }
  free(tab);
}

int gbatch_build(gbatch *g, const molgraph *const *mols, int nmol) {
  memset(g, 0, sizeof *g);
  int N = 0, nnbr = 0;
  for (int m = 0; m < nmol; m++) N += mols[m]->natoms, nnbr += mols[m]->nbr_start[mols[m]->natoms];
  g->nmol = nmol; g->natoms = N;
  g->mol_start = xmalloc(sizeof(int) * (nmol + 1));
  g->atom_mol = xmalloc(sizeof(int) * (N + 1));
  g->atom_deg = xmalloc(N + 1);
  g->nbr_start = xcalloc(N + 1, sizeof(int));
  g->nbr = xmalloc(sizeof(int) * (nnbr + 1));
  g->bsum = xcalloc((size_t)N * NB + 1, sizeof(double));
  int C = MG_ATOM_FEATS + NB;
  double *Z = xcalloc((size_t)N * C + 1, sizeof(double)), *U = xcalloc((size_t)N * C + 1, sizeof(double));
  int s = 0, k0 = 0;
  for (int m = 0; m < nmol; m++) {
    const molgraph *mg = mols[m];
    g->mol_start[m] = s;
    for (int a = 0; a < mg->natoms; a++, s++) {
      g->atom_mol[s] = m;
      g->atom_deg[s] = (unsigned char)deg_class(mg->degree[a]);
      g->nbr_start[s] = k0;
      for (int k = mg->nbr_start[a]; k < mg->nbr_start[a + 1]; k++) {
        g->nbr[k0++] = g->mol_start[m] + mg->nbr_atom[k];
        for (int f = 0; f < NB; f++) g->bsum[(size_t)s * NB + f] += mg->bond_feat[(size_t)mg->nbr_bond[k] * NB + f];
      }
    }
  }
  g->mol_start[nmol] = s;
  g->nbr_start[N] = k0;
  /* layer-0 inputs: z0 = [X + A X | bsum], u0 = [X | bsum] */
  for (int m = 0; m < nmol; m++) {
    const molgraph *mg = mols[m];
    for (int a = 0; a < mg->natoms; a++) {
      int t = g->mol_start[m] + a;
      double *z = Z + (size_t)t * C, *u = U + (size_t)t * C;
      const double *x = mg->atom_feat + (size_t)a * MG_ATOM_FEATS;
      for (int f = 0; f < MG_ATOM_FEATS; f++) z[f] = u[f] = x[f];
      for (int k = mg->nbr_start[a]; k < mg->nbr_start[a + 1]; k++) {
        const double *xn = mg->atom_feat + (size_t)mg->nbr_atom[k] * MG_ATOM_FEATS;
        for (int f = 0; f < MG_ATOM_FEATS; f++) z[f] += xn[f];
      }
      for (int f = 0; f < NB; f++) z[MG_ATOM_FEATS + f] = u[MG_ATOM_FEATS + f] = g->bsum[(size_t)t * NB + f];
    }
  }
  csr_from_dense(&g->z0, Z, N, C);
  csr_from_dense(&g->u0, U, N, C);
  free(Z); free(U);
  g->zrep = xmalloc(sizeof(int) * (N + 1));
  g->urep = xmalloc(sizeof(int) * (N + 1));
  row_classes(&g->z0, g->atom_deg, g->zrep);
  row_classes(&g->u0, NULL, g->urep);
  return 0;
}

void gbatch_free(gbatch *g) {
  free(g->mol_start); free(g->atom_mol); free(g->atom_deg); free(g->nbr_start); free(g->nbr); free(g->bsum);
  csr_free(&g->z0); csr_free(&g->u0);
  free(g->zrep); free(g->urep);
  memset(g, 0, sizeof *g);
}

/* ---- workspace ---------------------------------------------------------- */
void gcnn_ws_init(gcnn_ws *w, const gcnn_layout *L, int N) {
  memset(w, 0, sizeof *w);
  w->cap_atoms = N;
  size_t n = N ? N : 1;
  int wd = L->width, big = MG_ATOM_FEATS + NB;
  w->ldh = kern_pad(wd); w->ldz = kern_pad(wd + NB); w->ldo = kern_pad(L->D);
  int ldmax = w->ldz > w->ldo ? w->ldz : w->ldo;
  w->perm = xmalloc(sizeof(int) * n);
  w->cidx = xmalloc(sizeof(int) * n);
  w->cmol = xmalloc(sizeof(int) * n);
  w->zrows = xmalloc(sizeof(int) * n); w->urows = xmalloc(sizeof(int) * n); w->zfc = xmalloc(sizeof(int) * n);
  w->zsrc = xmalloc(sizeof(int) * n); w->usrc = xmalloc(sizeof(int) * n);
  w->zfirst = xmalloc(sizeof(int) * n); w->ufirst = xmalloc(sizeof(int) * n);
  for (size_t i = 0; i < n; i++) w->zfirst[i] = w->ufirst[i] = -1;
  for (int l = 1; l <= L->P; l++) {
    w->H[l] = kern_alloc(n * w->ldh);
    w->dH[l] = kern_alloc(n * w->ldh);
    w->U[l] = kern_alloc(n * w->ldz);
    if (l < L->P) w->Z[l] = kern_alloc(n * w->ldz);
    w->Wop[l] = kern_alloc((size_t)(wd + NB) * w->ldo);
    w->WoT[l] = kern_alloc((size_t)L->D * w->ldh);
  }
  w->Wop[0] = kern_alloc((size_t)big * w->ldo);
  for (int l = 0; l <= L->P; l++) w->O[l] = kern_alloc(n * w->ldo);
  for (int l = 1; l < L->P; l++)
    for (int d = 0; d < GC_NDEG; d++) {
      w->Wp[l][d] = kern_alloc((size_t)(wd + NB) * w->ldh);
      w->WT[l][d] = kern_alloc((size_t)wd * w->ldh);
    }
  if (wd % KERN_V) w->Wp[0][0] = kern_alloc((size_t)big * w->ldh); /* layer 0 reuses one buffer */
  w->dZ = kern_alloc(n * ldmax);
  w->dL = kern_alloc(n * ldmax);
  w->dfp = kern_alloc(n * w->ldo);
  w->T = kern_alloc(n * (ldmax > w->ldh ? ldmax : w->ldh));
  w->UT = kern_alloc(n * w->ldz);
  w->HC = kern_alloc(n * w->ldh);
  w->dHC = kern_alloc(n * w->ldh);
  w->OC[0] = kern_alloc(n * w->ldo);
  w->OC[1] = kern_alloc(n * w->ldo);
}

void gcnn_ws_free(gcnn_ws *w) {
  free(w->perm); free(w->cidx); free(w->cmol);
  free(w->zrows); free(w->urows); free(w->zfc); free(w->zsrc); free(w->usrc); free(w->zfirst); free(w->ufirst);
  free(w->T); free(w->UT); free(w->HC); free(w->dHC); free(w->OC[0]); free(w->OC[1]);
  for (int l = 0; l <= GC_MAXL; l++) {
    free(w->H[l]); free(w->dH[l]); free(w->U[l]); free(w->O[l]); free(w->Wop[l]); free(w->WoT[l]);
  }
  for (int l = 0; l < GC_MAXL; l++) {
    free(w->Z[l]);
    for (int d = 0; d < GC_NDEG; d++) { free(w->Wp[l][d]); free(w->WT[l][d]); }
  }
  free(w->dZ); free(w->dL); free(w->dfp);
  memset(w, 0, sizeof *w);
}

/* ---- forward ------------------------------------------------------------ */
/* Renumber the selected molecules' atoms, grouped by degree (stable). */
static void compact(const gbatch *g, gcnn_ws *w, const int *sel, int nsel) {
  int cnt[GC_NDEG + 1] = {0};
  for (int i = 0; i < nsel; i++) {
    int m = sel ? sel[i] : i;
    for (int a = g->mol_start[m]; a < g->mol_start[m + 1]; a++) cnt[g->atom_deg[a] + 1]++;
  }
  for (int d = 0; d < GC_NDEG; d++) cnt[d + 1] += cnt[d];
  memcpy(w->deg_start, cnt, sizeof cnt);
  for (int i = 0; i < nsel; i++) {
    int m = sel ? sel[i] : i;
    for (int a = g->mol_start[m]; a < g->mol_start[m + 1]; a++) {
      int c = cnt[g->atom_deg[a]]++;
      w->perm[c] = a; w->cidx[a] = c; w->cmol[c] = i;
    }
  }
  w->nc = w->deg_start[GC_NDEG];
  w->nsel = nsel;
  /* layer-0 classes in compact order (z classes stay within a degree) */
  w->nzu = w->nuu = 0;
  for (int d = 0; d < GC_NDEG; d++) {
    w->zdeg_start[d] = w->nzu;
    for (int c = w->deg_start[d]; c < w->deg_start[d + 1]; c++) {
      int r = g->zrep[w->perm[c]];
      if (w->zfirst[r] < 0) { w->zfirst[r] = w->nzu; w->zfc[w->nzu] = c; w->zrows[w->nzu++] = w->perm[c]; }
      w->zsrc[c] = w->zfirst[r];
    }
  }
  w->zdeg_start[GC_NDEG] = w->nzu;
  for (int c = 0; c < w->nc; c++) {
    int r = g->urep[w->perm[c]];
    if (w->ufirst[r] < 0) { w->ufirst[r] = w->nuu; w->urows[w->nuu++] = w->perm[c]; }
    w->usrc[c] = w->ufirst[r];
  }
  for (int i = 0; i < w->nzu; i++) w->zfirst[g->zrep[w->zrows[i]]] = -1;
  for (int i = 0; i < w->nuu; i++) w->ufirst[g->urep[w->urows[i]]] = -1;
}

/* Y[c] = T[src[c]] for the nc compact atoms (rows of ld doubles) */
static void copy_classes(int nc, const int *src, const double *T, double *Y, int ld) {
  for (int c = 0; c < nc; c++) memcpy(Y + (size_t)c * ld, T + (size_t)src[c] * ld, sizeof(double) * ld);
}

/* Z[c] = [H[c] + sum_nbr H[j], bsum[c]] (H rows of ldh, Z rows of ldz) */
static void gather_z(const gbatch *g, const gcnn_ws *w, const double *H, int f, double *Z) {
  kern_nbr_sum(w->nc, f, w->perm, g->nbr_start, g->nbr, w->cidx, H, w->ldh, Z, w->ldz, 0);
  for (int c = 0; c < w->nc; c++) memcpy(Z + (size_t)c * w->ldz + f, g->bsum + (size_t)w->perm[c] * NB, sizeof(double) * NB);
}

static void concat_bonds(const gbatch *g, const gcnn_ws *w, const double *H, int f, double *U) {
  for (int c = 0; c < w->nc; c++) {
    memcpy(U + (size_t)c * w->ldz, H + (size_t)c * w->ldh, sizeof(double) * f);
    memcpy(U + (size_t)c * w->ldz + f, g->bsum + (size_t)w->perm[c] * NB, sizeof(double) * NB);
  }
}

/* non-zeros of the selected atoms' layer-0 inputs, and their neighbours */
static void sel_counts(const gbatch *g, const gcnn_ws *w, long *nz, long *nu, long *nn) {
  *nz = *nu = *nn = 0;
  for (int c = 0; c < w->nc; c++) {
    int a = w->perm[c];
    *nz += g->z0.start[a + 1] - g->z0.start[a];
    *nu += g->u0.start[a + 1] - g->u0.start[a];
    *nn += g->nbr_start[a + 1] - g->nbr_start[a];
  }
}

/* layer-0 matrix of degree d, packed when the width is not whole vectors */
static const double *w0(const gcnn_layout *L, const double *p, gcnn_ws *w, int d) {
  if (L->width % KERN_V == 0) return p + L->W[0][d];
  kern_pack(MG_ATOM_FEATS + NB, L->width, p + L->W[0][d], L->width, w->Wp[0][0], w->ldh);
  return w->Wp[0][0];
}

void gcnn_forward_sel(const gcnn_layout *L, const double *p, const gbatch *g, gcnn_ws *w, const int *sel, int nsel,
                      double *fp) {
  int wd = L->width, D = L->D, big = MG_ATOM_FEATS + NB;
  compact(g, w, sel, nsel);
  int nc = w->nc;
  double fl = 0;
  memset(w->dfp, 0, sizeof(double) * nsel * w->ldo); /* the padded fingerprint sums */
  for (int l = 0; l < L->P; l++) {
    int f = gcnn_in_dim(L, l);
    if (l > 0) gather_z(g, w, w->H[l], f, w->Z[l]);
    for (int d = 0; d < GC_NDEG; d++) {
      int a0 = w->deg_start[d], cnt = w->deg_start[d + 1] - a0;
      if (!cnt) continue;
      double *out = w->H[l + 1] + (size_t)a0 * w->ldh;
      if (l == 0) { /* once per z class, copied below */
        int u0 = w->zdeg_start[d], ucnt = w->zdeg_start[d + 1] - u0;
        kern_sparse(&g->z0, w->zrows + u0, 0, ucnt, wd, w0(L, p, w, d), w->ldh, p + L->b[0][d],
                    w->HC + (size_t)u0 * w->ldh, w->ldh, KERN_RELU);
      } else {
        const double *W = p + L->W[l][d];
        if (wd % KERN_V) { kern_pack(f + NB, wd, W, wd, w->Wp[l][d], w->ldh); W = w->Wp[l][d]; }
        kern_dense(cnt, f + NB, wd, w->Z[l] + (size_t)a0 * w->ldz, w->ldz, W, w->ldh, p + L->b[l][d], out, w->ldh,
                   KERN_RELU, NULL, 0);
        fl += 2.0 * cnt * (f + NB) * wd;
      }
    }
    if (l == 0) copy_classes(nc, w->zsrc, w->HC, w->H[1], w->ldh);
  }
  for (int l = 0; l <= L->P; l++) {
    int in = l ? wd + NB : big;
    kern_pack(in, D, p + L->Wo[l], D, w->Wop[l], w->ldo);
    if (l == 0) { /* once per u class */
      kern_sparse(&g->u0, w->urows, 0, w->nuu, D, w->Wop[0], w->ldo, p + L->bo[0], w->OC[0], w->ldo, KERN_SOFTMAX);
      copy_classes(nc, w->usrc, w->OC[0], w->O[0], w->ldo);
    } else if (l == 1) { /* H_1 and the bond sums: once per z class */
      for (int i = 0; i < w->nzu; i++) {
        memcpy(w->UT + (size_t)i * w->ldz, w->HC + (size_t)i * w->ldh, sizeof(double) * wd);
        memcpy(w->UT + (size_t)i * w->ldz + wd, g->bsum + (size_t)w->zrows[i] * NB, sizeof(double) * NB);
      }
      kern_dense(w->nzu, in, D, w->UT, w->ldz, w->Wop[1], w->ldo, p + L->bo[1], w->OC[1], w->ldo, KERN_SOFTMAX, NULL,
                 0);
      copy_classes(nc, w->zsrc, w->OC[1], w->O[1], w->ldo);
      fl += 2.0 * w->nzu * in * D;
    } else {
      concat_bonds(g, w, w->H[l], wd, w->U[l]);
      kern_dense(nc, in, D, w->U[l], w->ldz, w->Wop[l], w->ldo, p + L->bo[l], w->O[l], w->ldo, KERN_SOFTMAX, NULL, 0);
      fl += 2.0 * nc * in * D;
    }
    kern_scatter_add(nc, D, w->O[l], w->ldo, NULL, w->cmol, w->dfp, w->ldo);
  }
  for (int i = 0; i < nsel; i++) memcpy(fp + (size_t)i * D, w->dfp + (size_t)i * w->ldo, sizeof(double) * D);
  /* the work done: sparse layers by the classes' non-zeros; elementwise:
   * bias and ReLU (2 per hidden unit), bias and softmax (max, subtract, exp,
   * sum, scale: 6 per output unit) per class for H_1, O_0 and O_1, per atom
   * after; the fingerprint sum (1 per output unit and atom), neighbour sums */
  long nz = 0, nu = 0, nn = 0;
  for (int i = 0; i < w->nzu; i++) nz += g->z0.start[w->zrows[i] + 1] - g->z0.start[w->zrows[i]];
  for (int i = 0; i < w->nuu; i++) nu += g->u0.start[w->urows[i] + 1] - g->u0.start[w->urows[i]];
  w->nz0 = nz; w->nu0 = nu;
  for (int c = 0; c < nc; c++) nn += g->nbr_start[w->perm[c] + 1] - g->nbr_start[w->perm[c]];
  double per_out = 6.0 * D * (w->nuu + (L->P >= 1 ? w->nzu : 0) + (L->P - 1.0) * nc) + (L->P + 1.0) * nc * D;
  fl += 2.0 * nz * wd + 2.0 * nu * D + 2.0 * wd * (w->nzu + (L->P - 1.0) * nc) + per_out + (L->P - 1.0) * nn * wd;
  w->flops = fl;
}

void gcnn_forward(const gcnn_layout *L, const double *p, const gbatch *g, gcnn_ws *w, double *fp) {
  gcnn_forward_sel(L, p, g, w, NULL, g->nmol, fp);
}

/* ---- backward ----------------------------------------------------------- */
void gcnn_backward(const gcnn_layout *L, const double *p, const gbatch *g, gcnn_ws *w, const double *dfp,
                   double *grads) {
  int nc = w->nc, wd = L->width, D = L->D, ldh = w->ldh, ldo = w->ldo;
  double fl = 0, rows = 0; /* rows: output rows of the bias sums (1 flop per unit) */
  for (int i = 0; i < w->nsel; i++) memcpy(w->dfp + (size_t)i * ldo, dfp + (size_t)i * D, sizeof(double) * D);
  for (int l = L->P; l >= 0; l--) {
    if (l >= 2) { /* output layer l, per atom: every atom's softmax receives its molecule's dfp */
      kern_softmax_back(nc, D, w->O[l], ldo, w->dfp, ldo, w->cmol, w->dL, ldo);
      kern_dense_dw(nc, wd + NB, D, w->U[l], w->ldz, w->dL, ldo, grads + L->Wo[l], D, grads + L->bo[l]);
      kern_pack_t(wd, D, p + L->Wo[l], w->WoT[l], ldh);
      /* the first contribution to dH_l: it starts the sum (from 0) */
      kern_dense(nc, D, wd, w->dL, ldo, w->WoT[l], ldh, NULL, w->dH[l], ldh, KERN_LINEAR, NULL, 0);
      fl += 4.0 * nc * D + 2.0 * nc * (wd + NB) * D + 2.0 * nc * D * wd;
      rows += nc;
    } else { /* O_0 (u classes) and O_1 (z classes): once per class. The
              * softmax backward is linear in dfp, so a class's summed
              * gradient is that of its atoms' summed dfp rows */
      int ncls = l ? w->nzu : w->nuu;
      const int *src = l ? w->zsrc : w->usrc;
      memset(w->T, 0, sizeof(double) * ncls * ldo);
      kern_scatter_add(nc, D, w->dfp, ldo, w->cmol, src, w->T, ldo);
      kern_softmax_back(ncls, D, w->OC[l], ldo, w->T, ldo, NULL, w->dL, ldo);
      fl += (double)nc * D + 4.0 * ncls * D;
      rows += ncls;
      if (l == 0) {
        kern_sparse_dw(&g->u0, w->urows, 0, ncls, D, w->dL, ldo, grads + L->Wo[0], D, grads + L->bo[0]);
        fl += 2.0 * w->nu0 * D;
      } else {
        kern_dense_dw(ncls, wd + NB, D, w->UT, w->ldz, w->dL, ldo, grads + L->Wo[1], D, grads + L->bo[1]);
        kern_pack_t(wd, D, p + L->Wo[1], w->WoT[1], ldh);
        /* the first contribution to H_1's class sums: it starts them */
        kern_dense(ncls, D, wd, w->dL, ldo, w->WoT[1], ldh, NULL, w->dHC, ldh, KERN_LINEAR, NULL, 0);
        fl += 2.0 * ncls * (wd + NB) * D + 2.0 * ncls * D * wd;
      }
    }
    if (l == L->P) continue;
    if (l == 0) { /* hidden layer 0, per z class: ReLU, then the sparse weight gradients */
      kern_relu_back((size_t)w->nzu * ldh, w->HC, w->dHC, w->dL);
      for (int d = 0; d < GC_NDEG; d++) {
        int c0 = w->zdeg_start[d], cnt = w->zdeg_start[d + 1] - c0;
        if (cnt)
          kern_sparse_dw(&g->z0, w->zrows + c0, 0, cnt, wd, w->dL + (size_t)c0 * ldh, ldh, grads + L->W[0][d], wd,
                         grads + L->b[0][d]);
      }
      fl += 2.0 * w->nz0 * wd + 2.0 * w->nzu * wd; /* products; ReLU and bias */
      continue;
    }
    /* hidden layer l >= 1, per atom: its output H_{l+1} now has its full gradient; ReLU */
    kern_relu_back((size_t)nc * ldh, w->H[l + 1], w->dH[l + 1], w->dL);
    int f = wd, ldf = kern_pad(f);
    for (int d = 0; d < GC_NDEG; d++) {
      int a0 = w->deg_start[d], cnt = w->deg_start[d + 1] - a0;
      if (!cnt) continue;
      const double *dpre = w->dL + (size_t)a0 * ldh;
      kern_dense_dw(cnt, f + NB, wd, w->Z[l] + (size_t)a0 * w->ldz, w->ldz, dpre, ldh, grads + L->W[l][d], wd,
                    grads + L->b[l][d]);
      kern_pack_t(f, wd, p + L->W[l][d], w->WT[l][d], ldf);
      kern_dense(cnt, wd, f, dpre, ldh, w->WT[l][d], ldf, NULL, w->dZ + (size_t)a0 * ldf, ldf, KERN_LINEAR, NULL, 0);
      fl += 2.0 * cnt * (f + NB) * wd + 2.0 * cnt * wd * f;
    }
    fl += 2.0 * nc * wd; /* ReLU and bias */
    /* dH_l[c] += dZ[c] + sum_nbr dZ[j] (the adjacency is symmetric); for
     * l = 1 per atom, then added into the z classes */
    if (l >= 2) {
      kern_nbr_sum(nc, f, w->perm, g->nbr_start, g->nbr, w->cidx, w->dZ, ldf, w->dH[l], ldh, 1);
    } else {
      kern_nbr_sum(nc, f, w->perm, g->nbr_start, g->nbr, w->cidx, w->dZ, ldf, w->dH[1], ldh, 0);
      kern_scatter_add(nc, f, w->dH[1], ldh, NULL, w->zsrc, w->dHC, ldh);
      fl += (double)nc * wd;
    }
  }
  /* bias sums of the output layers; neighbour sums */
  long nz, nu, nn;
  sel_counts(g, w, &nz, &nu, &nn);
  fl += rows * D + (L->P - 1.0) * (nc + nn) * wd;
  w->flops += fl;
}
