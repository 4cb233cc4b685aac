/* Neural graph fingerprint (Duvenaud et al. 2015; the Keras NGF layers the
 * paper used). Hidden graph layer l (l = 0..P-1), input H_l [N, f_l]:
 *   Z_l[a] = [ H_l[a] + sum_{j in nbr(a)} H_l[j] , sum_{bonds of a} E ]   [f_l + 6]
 *   H_{l+1}[a] = relu(Z_l[a] W_{l,deg(a)} + b_{l,deg(a)})                [width]
 * with one weight matrix per atom degree 0..5. Output layer l (0..P):
 *   O_l[a] = softmax([H_l[a], sum_bonds E] Wo_l + bo_l)                  [D]
 * fingerprint(m) = sum_l sum_{a in m} O_l[a]. H_0 = the 62 atom features.
 * A batch of molecules is one disjoint graph; a pass groups the atoms it
 * uses by degree so each degree's matrix is one small kernel call (kern.h);
 * layer 0's inputs are constant and sparse (one-hot), stored as CSR. */
#ifndef AUCLUST_GCNN_H
#define AUCLUST_GCNN_H
#include "molgraph.h"
#include "nn.h"

#define GC_MAXL 4     /* at most 4 hidden graph layers */
#define GC_NDEG 6     /* degree-specific matrices for degrees 0..5 (5 = 5 or more) */

typedef struct {
  int P, width, D;               /* hidden layers, their width, fingerprint length */
  long W[GC_MAXL][GC_NDEG], b[GC_MAXL][GC_NDEG];
  long Wo[GC_MAXL + 1], bo[GC_MAXL + 1];
  long size;                     /* parameters in total */
} gcnn_layout;

/* Lay out a GCNN's parameters starting at offset `base` of a flat block. */
void gcnn_layout_init(gcnn_layout *L, int P, int width, int D, long base);
int gcnn_in_dim(const gcnn_layout *L, int l); /* f_l: 62 for l = 0, width after */
void gcnn_init_params(const gcnn_layout *L, double *params, rng_t *r);

typedef struct {
  int nmol, natoms;
  int *mol_start;              /* atoms of molecule m: [mol_start[m], mol_start[m+1]) */
  int *atom_mol;               /* [natoms] molecule of each atom */
  unsigned char *atom_deg;     /* [natoms] degree class 0..5 */
  int *nbr_start, *nbr;        /* adjacency, CSR */
  double *bsum;                /* [natoms, 6] summed bond features */
  csr z0, u0;                  /* layer-0 inputs [natoms, 68] */
  /* the first atom of the batch with the same degree and z0 row (so the same
   * H_1 and O_1), and with the same u0 row (the same O_0) */
  int *zrep, *urep;
  /* levels l = 2..GC_MAXL: the first atom with the same level-(l-1) label
   * and the same sequence of neighbours' labels (the label of level 1 is
   * zrep): equal H_l, O_l (gcnn_ws) */
  int *lrep[GC_MAXL + 1];
  /* the u0 columns any atom uses, as runs [ulo, uhi): the only rows of the
   * output layer 0's matrix a pass reads (and packs) */
  int nurun, *ulo, *uhi;
  /* each molecule's atoms by degree: molecule m's atoms of degree d are
   * dat[mdeg[m * (GC_NDEG + 1) + d] .. mdeg[m * (GC_NDEG + 1) + d + 1]) */
  int *mdeg, *dat;
} gbatch;

int gbatch_build(gbatch *g, const molgraph *const *mols, int nmol);
void gbatch_free(gbatch *g);

/* Workspace of one pass over some of a batch's molecules: their atoms are
 * renumbered 0..nc-1 grouped by degree, rows padded to whole vectors
 * (kern.h). Atoms whose layer-l outputs are equal bit for bit form a class
 * (Weisfeiler-Lehman refinement, in neighbour order): level 0 = same u0
 * row (same O_0), level 1 = same degree and z0 row (same H_1, O_1), level
 * l >= 2 = same level-(l-1) class and the same sequence of neighbours'
 * level-(l-1) classes (same Z_{l-1}, hence H_l and O_l). Every layer runs
 * once per class; only the fingerprint sums (forward) and the gradients'
 * class sums (backward) run per atom. Sized once for the whole batch;
 * nothing is allocated per pass. */
#define GC_LEV (GC_MAXL + 1) /* class levels 0..P */
typedef struct {
  int cap_atoms, nc, nsel;
  int *lsel, lsel_cap, sel_ok; /* the selection of the last pass (its renumbering and classes are kept) */
  int fresh;                   /* 1: the last pass renumbered (0: it kept the classes, and the class rows' bond sums) */
  int *cmol;                   /* [cap] selection index of each compact atom's molecule */
  int deg_start[GC_NDEG + 1];  /* compact atoms of degree d */
  int ldh, ldz, ldo;           /* row strides: width, f + 6, D (padded) */
  int ncls[GC_LEV];            /* classes of each level */
  int cdeg_start[GC_LEV][GC_NDEG + 1]; /* levels >= 1: the classes of degree d */
  int *crep[GC_LEV];           /* [cap] batch atom representing each class */
  int *csrc[GC_LEV];           /* [cap] class of each compact atom */
  int *bcls[GC_LEV];           /* [batch natoms] class of each selected batch atom (levels >= 1) */
  int *cprev[GC_LEV];          /* [cap] levels >= 2: level-(l-1) class of each class's representative */
  int *first[GC_LEV];          /* [batch natoms] class of a gbatch representative, -1 */
  long nz0, nu0;               /* non-zeros of the classes' layer-0 rows */
  long nnbr[GC_LEV];           /* neighbours of each level's representatives */
  double *HC[GC_LEV], *ZC[GC_LEV], *UC[GC_LEV], *OC[GC_LEV]; /* class rows: H_l, Z_l (level l+1), [H_l, bonds], O_l */
  double *dHC[GC_LEV];         /* gradient of H_l summed over each class */
  double *dZ, *dL, *dfp, *T;   /* scratch; dfp: padded fingerprints, then their gradients */
  double *Wp[GC_MAXL][GC_NDEG], *WT[GC_MAXL][GC_NDEG], *Wop[GC_MAXL + 1], *WoT[GC_MAXL + 1];
  double flops;                /* floating-point operations of the last forward + backward */
} gcnn_ws;

void gcnn_ws_init(gcnn_ws *w, const gcnn_layout *L, int natoms);
void gcnn_ws_free(gcnn_ws *w);

/* fp[nmol, D] = fingerprints of all the batch's molecules. */
void gcnn_forward(const gcnn_layout *L, const double *params, const gbatch *g, gcnn_ws *w, double *fp);
/* fp[i, D] = fingerprint of molecule sel[i] of the batch, i < nsel: one
 * training step touches only the molecules its rows use. */
void gcnn_forward_sel(const gcnn_layout *L, const double *params, const gbatch *g, gcnn_ws *w, const int *sel,
                      int nsel, double *fp);
/* Given dfp[nsel, D] (one row per molecule of the last forward call),
 * accumulate parameter gradients into grads (same layout). H_1, O_0 and O_1
 * and everything below them are per class in the backward pass too: a
 * class's weight gradient is its rows' inputs times the sum of its atoms'
 * output gradients (summed first, so the order differs from per-atom sums). */
void gcnn_backward(const gcnn_layout *L, const double *params, const gbatch *g, gcnn_ws *w, const double *dfp,
                   double *grads);
/* The same two in float (float training): params, fp, dfp and grads are
 * float arrays of the same layout; a workspace serves one precision. */
void gcnn_forward_sel_f(const gcnn_layout *L, const float *params, const gbatch *g, gcnn_ws *w, const int *sel,
                        int nsel, float *fp);
void gcnn_backward_f(const gcnn_layout *L, const float *params, const gbatch *g, gcnn_ws *w, const float *dfp,
                     float *grads);
#endif
