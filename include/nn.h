/* Neural-network layers, each a forward/backward pair of plain functions
 * over row-major double arrays (llm.c style). Shapes in the comments:
 * B = rows in the batch. Backward functions ACCUMULATE parameter gradients
 * (+=) and OVERWRITE input gradients (=). */
#ifndef AUCLUST_NN_H
#define AUCLUST_NN_H
#include "rng.h"

/* Dense: Y[B,out] = X[B,in] W[in,out] + b[out] (cblas_dgemm). */
void dense_forward(const double *X, const double *W, const double *b, double *Y, int B, int in, int out);
/* dW[in,out] += X^T dY; db[out] += colsum(dY); dX[B,in] = dY W^T (skipped when dX is NULL) */
void dense_backward(const double *X, const double *W, const double *dY, double *dW, double *db, double *dX,
                    int B, int in, int out);

/* Sparse-input dense layer: X given as CSR rows (row_start[B+1], col[], val[]).
 * The GCNN's first layers see one-hot atom features: ~10 non-zeros in 68. */
typedef struct {
  int rows, cols;
  int *start, *col;
  double *val;
} csr;
void csr_free(csr *m);
/* Y[B,out] = X[B,in] W[in,out] + b for rows r0..r0+B of X */
void sparse_dense_forward(const csr *X, int r0, int B, const double *W, const double *b, double *Y, int out);
/* dW += X^T dY, db += colsum(dY) over rows r0..r0+B */
void sparse_dense_backward(const csr *X, int r0, int B, const double *dY, double *dW, double *db, int out);

/* Elementwise activations; backward uses the forward OUTPUT y. */
void relu_forward(const double *x, double *y, int n);
void relu_backward(const double *y, const double *dy, double *dx, int n);
void sigmoid_forward(const double *x, double *y, int n);
void sigmoid_backward(const double *y, const double *dy, double *dx, int n);
/* Row-wise softmax over [rows, cols]. */
void softmax_forward(const double *x, double *y, int rows, int cols);
void softmax_backward(const double *y, const double *dy, double *dx, int rows, int cols);

/* Siamese L1 distance: D[n,k] = |A[n,k] - B[n,k]|; dA = dD sign(A-B), dB = -dA */
void l1dist_forward(const double *A, const double *Bm, double *D, int n);
void l1dist_backward(const double *A, const double *Bm, const double *dD, double *dA, double *dB, int n);

/* Losses: return the mean loss over rows and write d(loss)/d(input).
 * Binary cross-entropy on logits z[n] with targets t[n] in {0,1}. */
double bce_logits_loss(const double *z, const double *t, double *dz, int n);
/* Softmax cross-entropy on logits z[rows,cols] with class labels y[rows]. */
double softmax_ce_loss(const double *z, const int *y, double *dz, int rows, int cols);
/* Keras categorical hinge on scores s[rows,cols]: max(0, neg - pos + 1),
 * pos = s[y], neg = max over j of (1 - onehot_j) s_j (the true entry counts as 0). */
double cat_hinge_loss(const double *s, const int *y, double *ds, int rows, int cols);

/* L1/L2 weight penalty l1 sum|w| + l2 sum w^2; adds its gradient to dw. */
double weight_penalty(const double *w, double *dw, int n, double l1, double l2);

/* Group lasso lambda * sum_r sqrt(sum_c w[r,c]^2 + 1e-12) over the rows of a
 * row-major [rows, cols] block: drives whole rows (inputs) to zero at once.
 * Adds its gradient to dw. */
double group_penalty(const double *w, double *dw, int rows, int cols, double lambda);

/* Inverted dropout: keeps each unit with probability 1-rate, scales by 1/(1-rate). */
void dropout_forward(double *x, unsigned char *mask, int n, double rate, rng_t *r);
void dropout_backward(double *dx, const unsigned char *mask, int n, double rate);

/* Adam (Kingma & Ba) with Keras' bias-corrected step size, over the
 * parameter runs [lo[r], hi[r]) of a flat block; leaves g = 0 over the runs. */
typedef struct {
  double lr, beta1, beta2, eps;
  long t;
} adam_t;
void adam_step(adam_t *a, int nruns, const long *lo, const long *hi, double *w, double *g, double *m,
               double *v);
/* The same on float weights, gradient and moments (float training). */
void adam_step_f(adam_t *a, int nruns, const long *lo, const long *hi, float *w, float *g, float *m, float *v);

/* Glorot-uniform initialisation of a [fan_in, fan_out] matrix. */
void glorot_init(double *W, int fan_in, int fan_out, rng_t *r);
#endif
