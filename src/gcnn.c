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

/* Level l >= 2: rep[a] = the first atom b <= a whose label (prev) and
 * neighbours' labels in neighbour order equal a's (the order Z sums them
 * in, so equal keys give equal bits); equal keys imply the same degree. */
static int same_key(const gbatch *g, const int *prev, int a, int b) {
  int na = g->nbr_start[a + 1] - g->nbr_start[a];
  if (prev[a] != prev[b] || na != g->nbr_start[b + 1] - g->nbr_start[b]) return 0;
  for (int k = 0; k < na; k++)
    if (prev[g->nbr[g->nbr_start[a] + k]] != prev[g->nbr[g->nbr_start[b] + k]]) return 0;
  return 1;
}

static void level_reps(const gbatch *g, const int *prev, int *rep) {
  int n = g->natoms, cap = 16;
  while (cap < 2 * n) cap *= 2;
  int *tab = xmalloc(sizeof(int) * cap);
  for (int i = 0; i < cap; i++) tab[i] = -1;
  for (int a = 0; a < n; a++) {
    uint64_t h = 1469598103934665603ull ^ (uint64_t)prev[a];
    for (int k = g->nbr_start[a]; k < g->nbr_start[a + 1]; k++) h = (h ^ (uint64_t)prev[g->nbr[k]]) * 1099511628211ull;
    h ^= h >> 29;
    for (uint64_t s = h & (uint64_t)(cap - 1);; s = (s + 1) & (uint64_t)(cap - 1)) {
      int b = tab[s];
      if (b < 0) { tab[s] = rep[a] = a; break; }
      if (same_key(g, prev, a, b)) { rep[a] = b; break; }
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
  unsigned char used[MG_ATOM_FEATS + NB + 1] = {0};
  for (long k = 0; k < g->u0.start[N]; k++) used[g->u0.col[k]] = 1;
  g->ulo = xmalloc(sizeof(int) * (C + 1));
  g->uhi = xmalloc(sizeof(int) * (C + 1));
  for (int j = 0; j < C; j++)
    if (used[j]) {
      if (g->nurun && g->uhi[g->nurun - 1] == j) g->uhi[g->nurun - 1]++;
      else g->ulo[g->nurun] = j, g->uhi[g->nurun++] = j + 1;
    }
  /* each molecule's atoms by degree, in atom order */
  g->mdeg = xmalloc(sizeof(int) * ((size_t)nmol * (GC_NDEG + 1) + 1));
  g->dat = xmalloc(sizeof(int) * (N + 1));
  for (int m = 0, t = 0; m < nmol; m++)
    for (int d = 0; d <= GC_NDEG; d++) {
      g->mdeg[m * (GC_NDEG + 1) + d] = t;
      for (int a = g->mol_start[m]; a < g->mol_start[m + 1] && d < GC_NDEG; a++)
        if (g->atom_deg[a] == d) g->dat[t++] = a;
    }
  for (int l = 2; l <= GC_MAXL; l++) {
    g->lrep[l] = xmalloc(sizeof(int) * (N + 1));
    level_reps(g, l == 2 ? g->zrep : g->lrep[l - 1], g->lrep[l]);
  }
  return 0;
}

void gbatch_free(gbatch *g) {
  free(g->mol_start); free(g->atom_mol); free(g->atom_deg); free(g->nbr_start); free(g->nbr); free(g->bsum);
  csr_free(&g->z0); csr_free(&g->u0);
  free(g->zrep); free(g->urep);
  for (int l = 0; l <= GC_MAXL; l++) free(g->lrep[l]);
  free(g->ulo); free(g->uhi); free(g->mdeg); free(g->dat);
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
  if (w->ldh > ldmax) ldmax = w->ldh;
  w->cmol = xmalloc(sizeof(int) * n);
  w->lsel = xmalloc(sizeof(int) * n);
  w->lsel_cap = (int)n;
  for (int l = 0; l <= L->P; l++) {
    w->first[l] = xmalloc(sizeof(int) * n);
    for (size_t i = 0; i < n; i++) w->first[l][i] = -1;
    w->crep[l] = xmalloc(sizeof(int) * n);
    w->csrc[l] = xmalloc(sizeof(int) * n);
    w->bcls[l] = xmalloc(sizeof(int) * n);
    w->cprev[l] = xmalloc(sizeof(int) * n);
    w->OC[l] = kern_alloc(n * w->ldo);
    if (l == 0) continue;
    w->HC[l] = kern_alloc(n * w->ldh);
    w->dHC[l] = kern_alloc(n * w->ldh);
    w->UC[l] = kern_alloc(n * w->ldz);
    if (l < L->P) w->ZC[l] = kern_alloc(n * w->ldz);
    w->Wop[l] = kern_alloc((size_t)(wd + NB) * w->ldo);
    w->WoT[l] = kern_alloc((size_t)L->D * w->ldh);
  }
  w->Wop[0] = kern_alloc((size_t)big * w->ldo);
  for (int l = 1; l < L->P; l++)
    for (int d = 0; d < GC_NDEG; d++) {
      w->Wp[l][d] = kern_alloc((size_t)(wd + NB) * w->ldh);
      w->WT[l][d] = kern_alloc((size_t)wd * w->ldh);
    }
  /* layer 0 reuses one buffer (float rows are whole vectors less often) */
  if (wd % KERN_VF) w->Wp[0][0] = kern_alloc((size_t)big * w->ldh);
  w->dZ = kern_alloc(n * ldmax);
  w->dL = kern_alloc(n * ldmax);
  w->dfp = kern_alloc(n * w->ldo);
  w->T = kern_alloc(n * ldmax);
}

void gcnn_ws_free(gcnn_ws *w) {
  free(w->cmol); free(w->lsel);
  for (int l = 0; l < GC_LEV; l++) {
    free(w->first[l]);
    free(w->crep[l]); free(w->csrc[l]); free(w->bcls[l]); free(w->cprev[l]);
    free(w->HC[l]); free(w->ZC[l]); free(w->UC[l]); free(w->OC[l]); free(w->dHC[l]);
    free(w->Wop[l]); free(w->WoT[l]);
  }
  for (int l = 0; l < GC_MAXL; l++)
    for (int d = 0; d < GC_NDEG; d++) { free(w->Wp[l][d]); free(w->WT[l][d]); }
  free(w->dZ); free(w->dL); free(w->dfp); free(w->T);
  memset(w, 0, sizeof *w);
}

/* ---- forward ------------------------------------------------------------ */
/* Renumber the selected molecules' atoms, grouped by degree (stable: by
 * selection, then atom order), and find their classes at every level up to
 * P, numbered by first appearance in that order. One pass over the atoms:
 * the batch lists each molecule's atoms by degree (gbatch.dat). The same
 * selection as the last call leaves the workspace as it is. */
static void compact(const gcnn_layout *L, const gbatch *g, gcnn_ws *w, const int *sel, int nsel) {
  if (nsel == w->nsel && w->sel_ok) {
    int same = 1;
    for (int i = 0; i < nsel && same; i++) same = w->lsel[i] == (sel ? sel[i] : i);
    if (same) { w->fresh = 0; return; }
  }
  w->fresh = 1;
  int P = L->P, n[GC_LEV] = {0}, c = 0;
  long nn[GC_LEV] = {0}, nz0 = 0, nu0 = 0;
  for (int d = 0; d < GC_NDEG; d++) {
    w->deg_start[d] = c;
    for (int l = 1; l <= P; l++) w->cdeg_start[l][d] = n[l];
    for (int i = 0; i < nsel; i++) {
      int m = sel ? sel[i] : i;
      for (int t = g->mdeg[m * (GC_NDEG + 1) + d]; t < g->mdeg[m * (GC_NDEG + 1) + d + 1]; t++, c++) {
        int a = g->dat[t];
        w->cmol[c] = i;
        /* level 0: the u0 row */
        int r = g->urep[a], k = w->first[0][r];
        if (k < 0) {
          w->first[0][r] = k = n[0]++;
          w->crep[0][k] = a;
          nu0 += g->u0.start[a + 1] - g->u0.start[a];
        }
        w->csrc[0][c] = k;
        if (P < 1) continue;
        /* level 1: the degree and z0 row */
        r = g->zrep[a], k = w->first[1][r];
        if (k < 0) {
          w->first[1][r] = k = n[1]++;
          w->crep[1][k] = a;
          nz0 += g->z0.start[a + 1] - g->z0.start[a];
        }
        w->csrc[1][c] = w->bcls[1][a] = k;
        /* levels >= 2 (a class of the batch restricted to the selection is
         * a class of the selection) */
        for (int l = 2; l <= P; l++) {
          r = g->lrep[l][a], k = w->first[l][r];
          if (k < 0) {
            w->first[l][r] = k = n[l]++;
            w->crep[l][k] = a;
            w->cprev[l][k] = w->bcls[l - 1][a];
            nn[l] += g->nbr_start[a + 1] - g->nbr_start[a];
          }
          w->csrc[l][c] = w->bcls[l][a] = k;
        }
      }
    }
  }
  w->deg_start[GC_NDEG] = w->nc = c;
  w->nsel = nsel;
  w->nz0 = nz0; w->nu0 = nu0;
  for (int l = 0; l <= P; l++) {
    w->ncls[l] = n[l];
    if (l) w->cdeg_start[l][GC_NDEG] = n[l];
    if (l >= 2) w->nnbr[l] = nn[l];
    const int *rep = l == 0 ? g->urep : l == 1 ? g->zrep : g->lrep[l];
    for (int i = 0; i < n[l]; i++) w->first[l][rep[w->crep[l][i]]] = -1;
  }
  if (nsel > w->lsel_cap) { /* more molecules than atoms (empty ones): once */
    w->lsel = xrealloc(w->lsel, sizeof(int) * nsel);
    w->lsel_cap = nsel;
  }
  for (int i = 0; i < nsel; i++) w->lsel[i] = sel ? sel[i] : i;
  w->sel_ok = 1;
}

#include "gcnn_body.h"
#define GC_FLOAT 1
#include "gcnn_body.h"
#undef GC_FLOAT

void gcnn_forward(const gcnn_layout *L, const double *p, const gbatch *g, gcnn_ws *w, double *fp) {
  gcnn_forward_sel(L, p, g, w, NULL, g->nmol, fp);
}
