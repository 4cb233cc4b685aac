#include "gcnn.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"

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

int gbatch_build(gbatch *g, const molgraph *const *mols, int nmol) {
  memset(g, 0, sizeof *g);
  int N = 0;
  for (int m = 0; m < nmol; m++) N += mols[m]->natoms;
  g->nmol = nmol; g->natoms = N;
  /* stable order: by degree class, then molecule, then atom */
  int *pos = xmalloc(sizeof(int) * (N + 1)); /* pos[global original atom] = sorted index */
  int cnt[GC_NDEG + 1] = {0};
  for (int m = 0; m < nmol; m++)
    for (int a = 0; a < mols[m]->natoms; a++) cnt[deg_class(mols[m]->degree[a]) + 1]++;
  for (int d = 0; d < GC_NDEG; d++) cnt[d + 1] += cnt[d];
  memcpy(g->deg_start, cnt, sizeof cnt);
  int fill[GC_NDEG] = {0};
  for (int m = 0, base = 0; m < nmol; base += mols[m++]->natoms)
    for (int a = 0; a < mols[m]->natoms; a++) {
      int d = deg_class(mols[m]->degree[a]);
      pos[base + a] = cnt[d] + fill[d]++;
    }
  g->atom_mol = xmalloc(sizeof(int) * (N + 1));
  g->nbr_start = xcalloc(N + 1, sizeof(int));
  g->bsum = xcalloc((size_t)N * NB + 1, sizeof(double));
  double *X = xcalloc((size_t)N * MG_ATOM_FEATS + 1, sizeof(double));
  int nnbr = 0;
  for (int m = 0, base = 0; m < nmol; base += mols[m++]->natoms) {
    const molgraph *mg = mols[m];
    for (int a = 0; a < mg->natoms; a++) {
      int s = pos[base + a];
      g->atom_mol[s] = m;
      g->nbr_start[s + 1] = mg->degree[a];
      memcpy(X + (size_t)s * MG_ATOM_FEATS, mg->atom_feat + (size_t)a * MG_ATOM_FEATS, sizeof(double) * MG_ATOM_FEATS);
      for (int k = mg->nbr_start[a]; k < mg->nbr_start[a + 1]; k++)
        for (int f = 0; f < NB; f++) g->bsum[(size_t)s * NB + f] += mg->bond_feat[(size_t)mg->nbr_bond[k] * NB + f];
    }
    nnbr += 2 * mg->nbonds;
  }
  for (int s = 0; s < N; s++) g->nbr_start[s + 1] += g->nbr_start[s];
  g->nbr = xmalloc(sizeof(int) * (nnbr + 1));
  for (int m = 0, base = 0; m < nmol; base += mols[m++]->natoms) {
    const molgraph *mg = mols[m];
    for (int a = 0; a < mg->natoms; a++) {
      int s = pos[base + a], k0 = g->nbr_start[s];
      for (int k = mg->nbr_start[a]; k < mg->nbr_start[a + 1]; k++) g->nbr[k0++] = pos[base + mg->nbr_atom[k]];
    }
  }
  /* layer-0 inputs: z0 = [X + A X | bsum], u0 = [X | bsum] */
  int C = MG_ATOM_FEATS + NB;
  double *Z = xcalloc((size_t)N * C + 1, sizeof(double)), *U = xcalloc((size_t)N * C + 1, sizeof(double));
  for (int s = 0; s < N; s++) {
    double *z = Z + (size_t)s * C, *u = U + (size_t)s * C;
    for (int f = 0; f < MG_ATOM_FEATS; f++) z[f] = u[f] = X[(size_t)s * MG_ATOM_FEATS + f];
    for (int k = g->nbr_start[s]; k < g->nbr_start[s + 1]; k++)
      for (int f = 0; f < MG_ATOM_FEATS; f++) z[f] += X[(size_t)g->nbr[k] * MG_ATOM_FEATS + f];
    for (int f = 0; f < NB; f++) z[MG_ATOM_FEATS + f] = u[MG_ATOM_FEATS + f] = g->bsum[(size_t)s * NB + f];
  }
  csr_from_dense(&g->z0, Z, N, C);
  csr_from_dense(&g->u0, U, N, C);
  free(X); free(Z); free(U); free(pos);
  return 0;
}

void gbatch_free(gbatch *g) {
  free(g->atom_mol); free(g->nbr_start); free(g->nbr); free(g->bsum);
  csr_free(&g->z0); csr_free(&g->u0);
  memset(g, 0, sizeof *g);
}

/* ---- workspace ---------------------------------------------------------- */
void gcnn_ws_init(gcnn_ws *w, const gcnn_layout *L, int N) {
  memset(w, 0, sizeof *w);
  w->cap_atoms = N;
  size_t n = N ? N : 1;
  int wd = L->width, C = wd + NB, big = MG_ATOM_FEATS + NB;
  for (int l = 1; l <= L->P; l++) {
    w->H[l] = xcalloc(n * wd, sizeof(double));
    w->dH[l] = xcalloc(n * wd, sizeof(double));
    w->U[l] = xcalloc(n * C, sizeof(double));
    if (l < L->P) w->Z[l] = xcalloc(n * C, sizeof(double));
  }
  for (int l = 0; l <= L->P; l++) w->O[l] = xcalloc(n * L->D, sizeof(double));
  w->dZ = xcalloc(n * (C > big ? C : big), sizeof(double));
  w->dO = xcalloc(n * L->D, sizeof(double));
  w->dL = xcalloc(n * (L->D > wd ? L->D : wd), sizeof(double));
}

void gcnn_ws_free(gcnn_ws *w) {
  for (int l = 0; l <= GC_MAXL; l++) { free(w->H[l]); free(w->dH[l]); free(w->U[l]); free(w->O[l]); }
  for (int l = 0; l < GC_MAXL; l++) free(w->Z[l]);
  free(w->dZ); free(w->dO); free(w->dL);
  memset(w, 0, sizeof *w);
}

/* ---- forward ------------------------------------------------------------ */
/* Z[a] = [H[a] + sum_nbr H[j], bsum[a]] */
static void gather_z(const gbatch *g, const double *H, int f, double *Z) {
  int C = f + NB;
  for (int a = 0; a < g->natoms; a++) {
    double *z = Z + (size_t)a * C;
    memcpy(z, H + (size_t)a * f, sizeof(double) * f);
    for (int k = g->nbr_start[a]; k < g->nbr_start[a + 1]; k++) {
      const double *h = H + (size_t)g->nbr[k] * f;
      for (int j = 0; j < f; j++) z[j] += h[j];
    }
    memcpy(z + f, g->bsum + (size_t)a * NB, sizeof(double) * NB);
  }
}

static void concat_bonds(const gbatch *g, const double *H, int f, double *U) {
  int C = f + NB;
  for (int a = 0; a < g->natoms; a++) {
    memcpy(U + (size_t)a * C, H + (size_t)a * f, sizeof(double) * f);
    memcpy(U + (size_t)a * C + f, g->bsum + (size_t)a * NB, sizeof(double) * NB);
  }
}

void gcnn_forward(const gcnn_layout *L, const double *p, const gbatch *g, gcnn_ws *w, double *fp) {
  int N = g->natoms, wd = L->width, D = L->D;
  for (int l = 0; l < L->P; l++) {
    int f = gcnn_in_dim(L, l);
    if (l > 0) gather_z(g, w->H[l], f, w->Z[l]);
    for (int d = 0; d < GC_NDEG; d++) {
      int a0 = g->deg_start[d], cnt = g->deg_start[d + 1] - a0;
      if (!cnt) continue;
      double *out = w->H[l + 1] + (size_t)a0 * wd;
      if (l == 0) sparse_dense_forward(&g->z0, a0, cnt, p + L->W[0][d], p + L->b[0][d], out, wd);
      else dense_forward(w->Z[l] + (size_t)a0 * (f + NB), p + L->W[l][d], p + L->b[l][d], out, cnt, f + NB, wd);
    }
    relu_forward(w->H[l + 1], w->H[l + 1], N * wd);
  }
  memset(fp, 0, sizeof(double) * g->nmol * D);
  for (int l = 0; l <= L->P; l++) {
    if (l == 0) sparse_dense_forward(&g->u0, 0, N, p + L->Wo[0], p + L->bo[0], w->O[0], D);
    else {
      concat_bonds(g, w->H[l], wd, w->U[l]);
      dense_forward(w->U[l], p + L->Wo[l], p + L->bo[l], w->O[l], N, wd + NB, D);
    }
    softmax_forward(w->O[l], w->O[l], N, D);
    for (int a = 0; a < N; a++) {
      double *f = fp + (size_t)g->atom_mol[a] * D;
      const double *o = w->O[l] + (size_t)a * D;
      for (int j = 0; j < D; j++) f[j] += o[j];
    }
  }
}

/* ---- backward ----------------------------------------------------------- */
void gcnn_backward(const gcnn_layout *L, const double *p, const gbatch *g, gcnn_ws *w, const double *dfp,
                   double *grads) {
  int N = g->natoms, wd = L->width, D = L->D, C = wd + NB;
  for (int l = 1; l <= L->P; l++) memset(w->dH[l], 0, sizeof(double) * N * wd);
  for (int l = L->P; l >= 0; l--) {
    /* output layer l: every atom's softmax receives its molecule's dfp */
    for (int a = 0; a < N; a++) memcpy(w->dO + (size_t)a * D, dfp + (size_t)g->atom_mol[a] * D, sizeof(double) * D);
    softmax_backward(w->O[l], w->dO, w->dL, N, D);
    if (l == 0) sparse_dense_backward(&g->u0, 0, N, w->dL, grads + L->Wo[0], grads + L->bo[0], D);
    else {
      dense_backward(w->U[l], p + L->Wo[l], w->dL, grads + L->Wo[l], grads + L->bo[l], w->dZ, N, C, D);
      for (int a = 0; a < N; a++)
        for (int j = 0; j < wd; j++) w->dH[l][(size_t)a * wd + j] += w->dZ[(size_t)a * C + j];
    }
    if (l == L->P) continue;
    /* hidden layer l: its output H_{l+1} now has its full gradient */
    relu_backward(w->H[l + 1], w->dH[l + 1], w->dL, N * wd);
    int f = gcnn_in_dim(L, l);
    for (int d = 0; d < GC_NDEG; d++) {
      int a0 = g->deg_start[d], cnt = g->deg_start[d + 1] - a0;
      if (!cnt) continue;
      const double *dpre = w->dL + (size_t)a0 * wd;
      if (l == 0) sparse_dense_backward(&g->z0, a0, cnt, dpre, grads + L->W[0][d], grads + L->b[0][d], wd);
      else dense_backward(w->Z[l] + (size_t)a0 * (f + NB), p + L->W[l][d], dpre, grads + L->W[l][d],
                          grads + L->b[l][d], w->dZ + (size_t)a0 * (f + NB), cnt, f + NB, wd);
    }
    if (l == 0) continue; /* layer-0 inputs are constants */
    /* dH_l[a] += dS[a] + sum_nbr dS[j] (the adjacency is symmetric) */
    for (int a = 0; a < N; a++) {
      double *dh = w->dH[l] + (size_t)a * f;
      const double *ds = w->dZ + (size_t)a * (f + NB);
      for (int j = 0; j < f; j++) dh[j] += ds[j];
      for (int k = g->nbr_start[a]; k < g->nbr_start[a + 1]; k++) {
        const double *dn = w->dZ + (size_t)g->nbr[k] * (f + NB);
        for (int j = 0; j < f; j++) dh[j] += dn[j];
      }
    }
  }
}
