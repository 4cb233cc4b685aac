/* Small fixed-shape kernels for the networks' dense and sparse layers.
 *
 * The heads' and graph layers' matrices are tiny (8-64 columns, 10-70 rows,
 * 10-60 batch rows): a BLAS call costs more in overhead than in arithmetic.
 * These kernels work on 8-double vectors (one AVX-512 register, two AVX2
 * ones), keep a tile of the output in registers across the reduction and
 * fuse the bias and the activation into the store.
 *
 * Layout: a "packed" matrix has its rows padded with zeros to a multiple of
 * 8 columns (kern_pad); outputs Y have rows of ld >= kern_pad(out) doubles,
 * all of which are written (lanes past `out` hold act(0), or 0 for softmax).
 * Every output element is a sum in a fixed order (k = 0, 1, ..., in-1,
 * starting from the bias), whatever the row, batch or thread: results are
 * identical for any batch composition and thread count. The kernels are
 * compiled for x86-64-v4 (AVX-512), v3 (AVX2 + FMA) and the baseline and
 * one is picked at load time (kern_variant); v3 and v4 use FMA in the same
 * order and agree bit for bit, the baseline (no FMA) to rounding. */
#ifndef AUCLUST_KERN_H
#define AUCLUST_KERN_H
#include <stddef.h>

#include "nn.h"

#define KERN_V 8 /* doubles per vector */
static inline int kern_pad(int n) { return (n + KERN_V - 1) / KERN_V * KERN_V; }

/* "v4", "v3" or "base": the variant in use (the best the CPU has, or the
 * environment's AUCLUST_KERNELS). kern_select switches (tests compare the
 * variants); -1 when the CPU lacks it. */
const char *kern_variant(void);
int kern_select(const char *name);

/* n doubles, 64-byte aligned, zeroed; never NULL (exits like xmalloc). */
double *kern_alloc(size_t n);

/* Epilogues of kern_dense / kern_sparse. */
enum {
  KERN_LINEAR,   /* y = s */
  KERN_RELU,     /* y = max(s, 0) */
  KERN_SIGMOID,  /* y = 1 / (1 + e^-s) */
  KERN_SOFTMAX,  /* y = row-wise softmax over the first `out` lanes; 0 beyond */
  KERN_MASK      /* y = s where M > 0, else 0 (ReLU backward through M = ReLU output) */
};
#define KERN_ACC 16 /* flag: start from Y's contents instead of the bias */

/* Y[i, :] = epi(b + X[i, :in] Wp) for i < n (b NULL = 0; with KERN_ACC the
 * sum starts from Y[i, :]). Wp: [in, ldw] packed; X rows of ldx doubles
 * (any alignment); Y rows of ldy >= kern_pad(out); M rows of ldm (KERN_MASK). */
void kern_dense(int n, int in, int out, const double *X, int ldx, const double *Wp, int ldw, const double *b,
                double *Y, int ldy, int epi, const double *M, int ldm);
/* dW[k, j] += sum_i X[i, k] dY[i, j] (k < in, j < out; dW rows of ldw, any
 * padding) and db[j] += sum_i dY[i, j] when db != NULL. dY rows of ldy. */
void kern_dense_dw(int n, int in, int out, const double *X, int ldx, const double *dY, int ldy, double *dW,
                   int ldw, double *db);
/* Wp[k, :] = W[k, :out] zero-padded to ldp (k < in); W rows of ldw. */
void kern_pack(int in, int out, const double *W, int ldw, double *Wp, int ldp);
/* WTp[j, :] = W[:in, j] zero-padded to ldp (j < out): the packed transpose
 * of the first `in` rows of W[*, out], for dX = dY W^T with kern_dense. */
void kern_pack_t(int in, int out, const double *W, double *WTp, int ldp);

/* Sparse rows: Y[i, :] = epi(b + sum_k X[r, k] Wp[k, :]) with r = rows[i]
 * (rows NULL: r = r0 + i). Wp packed [X->cols, ldw]. */
void kern_sparse(const csr *X, const int *rows, int r0, int n, int out, const double *Wp, int ldw, const double *b,
                 double *Y, int ldy, int epi);
/* dW[k, :out] += X[r, k] dY[i, :out] over the same rows (dW rows of ldw,
 * no padding needed); db[j] += sum_i dY[i, j]. */
void kern_sparse_dw(const csr *X, const int *rows, int r0, int n, int out, const double *dY, int ldy, double *dW,
                    int ldw, double *db);

/* Softmax backward: dX[i, :] = Y[i] * (G[g] - <Y[i], G[g]>), g = grow[i]
 * (grow NULL: g = i); lanes past `out` of dX are set to 0. */
void kern_softmax_back(int n, int out, const double *Y, int ldy, const double *G, int ldg, const int *grow,
                       double *dX, int ldx);

/* dX = (Y > 0 ? dY : 0) over n doubles, n a multiple of 8 (padded rows). */
void kern_relu_back(size_t n, const double *Y, const double *dY, double *dX);
/* Graph-convolution neighbour sums over padded rows (f <= ldh):
 * Z[i, :f] = H[s, :f] + sum_{k in [start[a], start[a+1])} H[map[nbr[k]], :f]
 * with a = atoms[i], s = self[i] (self NULL: s = i); with acc != 0 the sum
 * is added to Z[i] instead. Lanes between f and kern_pad(f) are summed too
 * (they hold zeros). */
void kern_nbr_sum(int n, int f, const int *atoms, const int *self, const int *start, const int *nbr, const int *map,
                  const double *H, int ldh, double *Z, int ldz, int acc);
/* Its transpose: dH[self[i]] += dZ[i], then dH[map[nbr[k]]] += dZ[i] for
 * k in [start[a], start[a+1]), a = atoms[i], for i = 0, 1, ..., n-1. */
void kern_nbr_scatter(int n, int f, const int *atoms, const int *self, const int *start, const int *nbr,
                      const int *map, const double *dZ, int ldz, double *dH, int ldh);

/* Y[idx[i], :] += X[xidx[i], :] for i < n (xidx NULL: X[i, :]), over
 * kern_pad(out) lanes of padded rows, in the order of i. */
void kern_scatter_add(int n, int out, const double *X, int ldx, const int *xidx, const int *idx, double *Y, int ldy);
/* The same into rows numbered by first appearance in idx (idx[i] is at most
 * 1 + the largest before it): a row's first appearance sets it, so Y needs
 * no clearing. */
void kern_scatter_sum(int n, int out, const double *X, int ldx, const int *xidx, const int *idx, double *Y, int ldy);

/* y[i] = e^x[i]: range reduction to |r| <= ln2/2 and a degree-13 Taylor
 * polynomial, within 2 ulp of the correctly rounded value on [-708, 709];
 * 0 below -708.39 (the true value is subnormal there), +inf above 709.78. */
void kern_exp(const double *x, double *y, int n);

/* Adam over parameter runs (as adam_step); vectorised, same arithmetic.
 * The gradient is consumed: g is set to 0 over the runs, so the next step
 * accumulates into it without a separate clearing pass. */
void kern_adam(int nruns, const long *lo, const long *hi, double *w, double *g, double *m, double *v, double lr_t,
               double b1, double b2, double eps);

/* The same kernels in single precision (float training, hparams float32):
 * rows padded to KERN_VF = 8 floats (256-bit vectors, also on AVX-512), the
 * same arguments with float arrays. Each output is still a sum in a fixed order,
 * so results do not depend on the batch or thread count, and the AVX-512
 * and AVX2 variants agree bit for bit as the double ones do. */
#define KERN_VF 8
static inline int kern_pad_f(int n) { return (n + KERN_VF - 1) / KERN_VF * KERN_VF; }
/* n floats, 64-byte aligned, zeroed */
float *kern_alloc_f(size_t n);
void kern_dense_f(int n, int in, int out, const float *X, int ldx, const float *Wp, int ldw, const float *b, float *Y,
                  int ldy, int epi, const float *M, int ldm);
void kern_dense_dw_f(int n, int in, int out, const float *X, int ldx, const float *dY, int ldy, float *dW, int ldw,
                     float *db);
void kern_pack_f(int in, int out, const float *W, int ldw, float *Wp, int ldp);
void kern_pack_t_f(int in, int out, const float *W, float *WTp, int ldp);
void kern_sparse_f(const csr *X, const int *rows, int r0, int n, int out, const float *Wp, int ldw, const float *b,
                   float *Y, int ldy, int epi);
void kern_sparse_dw_f(const csr *X, const int *rows, int r0, int n, int out, const float *dY, int ldy, float *dW,
                      int ldw, float *db);
void kern_softmax_back_f(int n, int out, const float *Y, int ldy, const float *G, int ldg, const int *grow, float *dX,
                         int ldx);
void kern_relu_back_f(size_t n, const float *Y, const float *dY, float *dX);
void kern_nbr_sum_f(int n, int f, const int *atoms, const int *self, const int *start, const int *nbr, const int *map,
                    const float *H, int ldh, float *Z, int ldz, int acc);
void kern_nbr_scatter_f(int n, int f, const int *atoms, const int *self, const int *start, const int *nbr,
                        const int *map, const float *dZ, int ldz, float *dH, int ldh);
void kern_scatter_add_f(int n, int out, const float *X, int ldx, const int *xidx, const int *idx, float *Y, int ldy);
void kern_scatter_sum_f(int n, int out, const float *X, int ldx, const int *xidx, const int *idx, float *Y, int ldy);
void kern_exp_f(const float *x, float *y, int n); /* within a few ulp of expf on [-87.3, 88.7] */
void kern_adam_f(int nruns, const long *lo, const long *hi, float *w, float *g, float *m, float *v, double lr_t,
                 double b1, double b2, double eps);
#endif
