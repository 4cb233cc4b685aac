#include "nn.h"

#include "kern.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void dense_forward(const double *X, const double *W, const double *b, double *Y, int B, int in, int out) {
  for (int i = 0; i < B; i++) memcpy(Y + (size_t)i * out, b, sizeof(double) * out);
  if (B && in && out)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, out, in, 1.0, X, in, W, out, 1.0, Y, out);
}

void dense_backward(const double *X, const double *W, const double *dY, double *dW, double *db, double *dX,
                    int B, int in, int out) {
  if (!B) return;
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, in, out, B, 1.0, X, in, dY, out, 1.0, dW, out);
  for (int i = 0; i < B; i++)
    for (int j = 0; j < out; j++) db[j] += dY[(size_t)i * out + j];
  if (dX)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, in, out, 1.0, dY, out, W, out, 0.0, dX, in);
}

void csr_free(csr *m) {
  free(m->start); free(m->col); free(m->val);
  memset(m, 0, sizeof *m);
}

void sparse_dense_forward(const csr *X, int r0, int B, const double *W, const double *b, double *Y, int out) {
  for (int i = 0; i < B; i++) {
    double *y = Y + (size_t)i * out;
    memcpy(y, b, sizeof(double) * out);
    for (int k = X->start[r0 + i]; k < X->start[r0 + i + 1]; k++) {
      const double *w = W + (size_t)X->col[k] * out;
      double v = X->val[k];
      for (int j = 0; j < out; j++) y[j] += v * w[j];
    }
  }
}

void sparse_dense_backward(const csr *X, int r0, int B, const double *dY, double *dW, double *db, int out) {
  for (int i = 0; i < B; i++) {
    const double *dy = dY + (size_t)i * out;
    for (int j = 0; j < out; j++) db[j] += dy[j];
    for (int k = X->start[r0 + i]; k < X->start[r0 + i + 1]; k++) {
      double *dw = dW + (size_t)X->col[k] * out;
      double v = X->val[k];
      for (int j = 0; j < out; j++) dw[j] += v * dy[j];
    }
  }
}

void relu_forward(const double *x, double *y, int n) {
  for (int i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0;
}
void relu_backward(const double *y, const double *dy, double *dx, int n) {
  for (int i = 0; i < n; i++) dx[i] = y[i] > 0 ? dy[i] : 0;
}

static double sigm(double x) {
  if (x >= 0) return 1.0 / (1.0 + exp(-x));
  double e = exp(x);
  return e / (1.0 + e);
}
void sigmoid_forward(const double *x, double *y, int n) {
  for (int i = 0; i < n; i++) y[i] = sigm(x[i]);
}
void sigmoid_backward(const double *y, const double *dy, double *dx, int n) {
  for (int i = 0; i < n; i++) dx[i] = dy[i] * y[i] * (1 - y[i]);
}

void softmax_forward(const double *x, double *y, int rows, int cols) {
  for (int i = 0; i < rows; i++) {
    const double *a = x + (size_t)i * cols;
    double *o = y + (size_t)i * cols, mx = a[0], s = 0;
    for (int j = 1; j < cols; j++) if (a[j] > mx) mx = a[j];
    for (int j = 0; j < cols; j++) s += (o[j] = exp(a[j] - mx));
    for (int j = 0; j < cols; j++) o[j] /= s;
  }
}
void softmax_backward(const double *y, const double *dy, double *dx, int rows, int cols) {
  for (int i = 0; i < rows; i++) {
    const double *o = y + (size_t)i * cols, *g = dy + (size_t)i * cols;
    double *d = dx + (size_t)i * cols, dot = 0;
    for (int j = 0; j < cols; j++) dot += o[j] * g[j];
    for (int j = 0; j < cols; j++) d[j] = o[j] * (g[j] - dot);
  }
}

void l1dist_forward(const double *A, const double *Bm, double *D, int n) {
  for (int i = 0; i < n; i++) D[i] = fabs(A[i] - Bm[i]);
}
void l1dist_backward(const double *A, const double *Bm, const double *dD, double *dA, double *dB, int n) {
  for (int i = 0; i < n; i++) {
    double s = A[i] > Bm[i] ? 1 : (A[i] < Bm[i] ? -1 : 0);
    dA[i] = s * dD[i];
    dB[i] = -s * dD[i];
  }
}

double bce_logits_loss(const double *z, const double *t, double *dz, int n) {
  /* log(1 + e^-|z|) form: no overflow for large |z| */
  double L = 0;
  for (int i = 0; i < n; i++) {
    double e = exp(-fabs(z[i])); /* also sigm's exponential: e^-z for z >= 0, e^z below */
    L += (z[i] > 0 ? z[i] : 0) - z[i] * t[i] + log1p(e);
    dz[i] = ((z[i] >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e)) - t[i]) / n;
  }
  return L / n;
}

double softmax_ce_loss(const double *z, const int *y, double *dz, int rows, int cols) {
  double L = 0;
  softmax_forward(z, dz, rows, cols);
  for (int i = 0; i < rows; i++) {
    double *d = dz + (size_t)i * cols;
    double p = d[y[i]];
    L -= log(p > 1e-300 ? p : 1e-300);
    d[y[i]] -= 1;
    for (int j = 0; j < cols; j++) d[j] /= rows;
  }
  return L / rows;
}

double cat_hinge_loss(const double *s, const int *y, double *ds, int rows, int cols) {
  double L = 0;
  memset(ds, 0, sizeof(double) * rows * cols);
  for (int i = 0; i < rows; i++) {
    const double *r = s + (size_t)i * cols;
    double pos = r[y[i]], neg = 0; /* the true class contributes a 0 entry */
    int arg = -1;
    for (int j = 0; j < cols; j++)
      if (j != y[i] && r[j] > neg) neg = r[j], arg = j;
    double l = neg - pos + 1;
    if (l <= 0) continue;
    L += l;
    ds[(size_t)i * cols + y[i]] -= 1.0 / rows;
    if (arg >= 0) ds[(size_t)i * cols + arg] += 1.0 / rows;
  }
  return L / rows;
}

double weight_penalty(const double *w, double *dw, int n, double l1, double l2) {
  if (l1 == 0 && l2 == 0) return 0;
  double L = 0;
  for (int i = 0; i < n; i++) {
    L += l1 * fabs(w[i]) + l2 * w[i] * w[i];
    if (dw) dw[i] += l1 * (w[i] > 0 ? 1 : (w[i] < 0 ? -1 : 0)) + 2 * l2 * w[i];
  }
  return L;
}

double group_penalty(const double *w, double *dw, int rows, int cols, double lambda) {
  if (lambda == 0) return 0;
  double L = 0;
  for (int r = 0; r < rows; r++) {
    const double *x = w + (size_t)r * cols;
    double s = 1e-12; /* smooth at 0, so a zeroed row has a gradient of 0 */
    for (int c = 0; c < cols; c++) s += x[c] * x[c];
    double n = sqrt(s);
    L += lambda * n;
    if (dw)
      for (int c = 0; c < cols; c++) dw[(size_t)r * cols + c] += lambda * x[c] / n;
  }
  return L;
}

void dropout_forward(double *x, unsigned char *mask, int n, double rate, rng_t *r) {
  double keep = 1 - rate;
  for (int i = 0; i < n; i++) {
    mask[i] = rng_uniform(r) < keep;
    x[i] = mask[i] ? x[i] / keep : 0;
  }
}
void dropout_backward(double *dx, const unsigned char *mask, int n, double rate) {
  double keep = 1 - rate;
  for (int i = 0; i < n; i++) dx[i] = mask[i] ? dx[i] / keep : 0;
}

void adam_step(adam_t *a, int nruns, const long *lo, const long *hi, double *w, double *g, double *m,
               double *v) {
  a->t++;
  double lr_t = a->lr * sqrt(1 - pow(a->beta2, a->t)) / (1 - pow(a->beta1, a->t));
  kern_adam(nruns, lo, hi, w, g, m, v, lr_t, a->beta1, a->beta2, a->eps);
}

void adam_step_f(adam_t *a, int nruns, const long *lo, const long *hi, float *w, float *g, float *m, float *v) {
  a->t++;
  double lr_t = a->lr * sqrt(1 - pow(a->beta2, a->t)) / (1 - pow(a->beta1, a->t));
  kern_adam_f(nruns, lo, hi, w, g, m, v, lr_t, a->beta1, a->beta2, a->eps);
}

void glorot_init(double *W, int fan_in, int fan_out, rng_t *r) {
  double lim = sqrt(6.0 / (fan_in + fan_out));
  for (long i = 0; i < (long)fan_in * fan_out; i++) W[i] = (2 * rng_uniform(r) - 1) * lim;
}
