/* The six classifiers of the paper's Table 2 behind one interface: an
 * optional GCNN per molecule role (ligand, solvent, reductant) feeding a
 * head: Siamese (SNN), dense softmax (DNN) or linear hinge (SVM).
 * IIV = [fp_ligand, fp_solvent, fp_reductant, 17 scaled descriptors]. */
#ifndef AUCLUST_NET_H
#define AUCLUST_NET_H
#include <stdint.h>

#include "descriptors.h"
#include "gcnn.h"
#include "hparams.h"
#include "recipes.h"

/* Derived inputs (hparams.ratio_inputs): log10 of the ligand:Au and
 * reductant:Au molar ratios, computed from the raw concentrations with a
 * 1 uM offset that keeps a zero concentration finite; scaled like the
 * descriptors and placed after them in the IIV. */
#define NET_NDERIVED 2
extern const char *const net_derived_name[NET_NDERIVED]; /* "log10_ligand_au", "log10_reductant_au" */
void net_derived(const double *x, double *out);

typedef struct {
  hparams hp;
  int D;                       /* fingerprint length, 0 without GCNN */
  gcnn_layout gl[NROLES];
  int nx;                      /* descriptor inputs: AU_NDESC + extra descriptors */
  int nder;                    /* derived inputs: NET_NDERIVED with ratio_inputs, else 0 */
  int in_dim;                  /* NROLES*D + nx + nder */
  int nl;                      /* dense layers in the head */
  int dim[HP_MAXH + 2];        /* dim[0] = in_dim .. dim[nl] = output */
  long W[HP_MAXH + 1], b[HP_MAXH + 1];
  long dist_w, dist_b;         /* SNN: the unit on |G(x1) - G(x2)| */
  long nparams;
} net_layout;

/* nextra: user descriptors appended to the 17 (0..AU_MAXEXTRA). */
void net_layout_init(net_layout *L, const hparams *hp, int nextra);

/* Weights of the head's first layer that read the fingerprint inputs: they
 * come first in W[0] (row-major [in_dim, dim[1]]), NROLES * D * dim[1] of
 * them; fp_l2 penalises and fp_zero_init clears only these. */
long net_fp_weights(const net_layout *L);

/* Rows to train on or score: molecules by index into a molecule table. */
typedef struct {
  const molgraph *const *mols;
  int nmol;
  int n;
  const int *mol;  /* [n, NROLES] */
  const double *x; /* [n, nx] raw descriptors */
  const int *y;    /* [n] 0/1, or NULL */
  int nx;          /* values per row of x; must equal the layout's nx */
  long row0;       /* rows before these in their file (a streamed chunk), for messages */
} dataset;

/* Point a dataset at a recipe set (allocates the pointer arrays). */
void dataset_from_recipes(const recipe_set *s, dataset *d);
void dataset_free(dataset *d);

/* One trained network: weights, scaler and its training (support) set. */
typedef struct {
  double *p;
  double lo[AU_XMAX + NET_NDERIVED], hi[AU_XMAX + NET_NDERIVED]; /* the first nx + nder are used */
  int nsup;
  int *sup_mol;    /* [nsup, NROLES] indexes into the model's molecule table */
  double *sup_x;   /* [nsup, nx] raw */
  int *sup_y;
  double *sup_G;   /* SNN half-net outputs of the support set (derived) */
  struct forest *forest; /* rf baseline only (baseline.h) */
  double loss;     /* mean training loss over the last epoch */
  double flops;    /* floating-point operations training took (counted, see pass_flops) */
  double step_secs; /* thread cpu time of the training steps */
  long steps;       /* optimiser steps taken */
  double fast_rate; /* flop/s of the fastest epoch's steps (thread cpu): on a shared machine the
                     * neighbours slow some epochs, rarely all */
} instance;

/* Epochs instance_train runs on nrows training rows: hp->epochs, times
 * nrows / hp->budget_rows (rounded up) when budget_rows > 0 and the set is
 * larger, so the number of passes over the training pairs does not fall as
 * the data grow. */
int net_epochs(const hparams *hp, int nrows);
/* Learning-rate multiplier before optimiser step t of T (t = 0 first):
 * 1 without lr_decay; with lr_decay 1 the cosine 0.5 (1 + cos(pi t / T)),
 * from 1 down towards 0 at the last step. */
double net_lr_factor(const hparams *hp, long t, long T);
/* Train on rows[] of d (all rows when rows == NULL). Deterministic per seed.
 * Support molecules index d->mols. */
int instance_train(const net_layout *L, const dataset *d, const int *rows, int nrows, uint64_t seed,
                   instance *out);
/* The same fitted on a stratified bootstrap resample of rows[] (each class
 * drawn with replacement to its own size, from the stream (seed, "boot", 0));
 * the scaler and the support set are all of rows[] (hparams.bag). */
int instance_train_bootstrap(const net_layout *L, const dataset *d, const int *rows, int nrows, uint64_t seed,
                             instance *out);
/* Compute the derived support-set outputs (after training or loading). */
int instance_prepare(const net_layout *L, instance *in, const molgraph *const *mols, int nmol);
/* p[i] = probability of success of rows[i] of q (all rows when rows == NULL). */
int instance_predict(const net_layout *L, const instance *in, const dataset *q, const int *rows, int n, double *p);
void instance_free(instance *in);
/* SNN's probability of success for a query whose half-net output is o
 * (dim[nl] values): the mean output against the success support set over
 * the sum of the means against both support sets (the paper), or with
 * hp.snn_knn = k > 0 the means over the k most similar of each set.
 * buf: scratch of in->nsup doubles (unused when snn_knn is 0). */
double snn_support_prob(const net_layout *L, const instance *in, const double *o, double *buf);


/* ---- lower level, for the gradient checks and the fast scorer ---------- */
typedef struct pass pass;
pass *pass_new(const net_layout *L, const dataset *d, const int *rows, int nrows, int cap);
void pass_free(pass *ps);
/* Keep each row's scaled inputs from its first use on (training: the
 * instance's scaler does not change while the pass lives). */
void pass_cache_inputs(pass *ps);
/* Loss of one training batch and, when grads != NULL, its gradient.
 * SNN: pairs (a[i], b[i]) with targets same[i]; DNN/SVM: rows a[i], b unused. */
double pass_batch_loss(pass *ps, const instance *in, const int *a, const int *b, int nb, double *grads,
                       rng_t *dropout_rng);
/* Floating-point operations of the pass's calls so far: 2 per multiply-add
 * of the dense products and per non-zero of the sparse ones, 1 per
 * elementwise operation (bias, activation, exp, softmax, distances). */
double pass_flops(const pass *ps);
/* Scale nx raw descriptors with the instance's scaler. */
void scale_row(const instance *in, int nx, const double *x, double *out);
/* The layout's nx + nder scaled inputs of a raw row (derived ones included). */
void scale_inputs(const net_layout *L, const instance *in, const double *x, double *out);
/* Per-molecule pooling factor of a fingerprint: 1 (sum) or 1/atoms (mean). */
double net_pool_factor(const net_layout *L, const molgraph *g);
#endif
