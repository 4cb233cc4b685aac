#include "kern.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

#include "kern_impl.h"

/* The variant for this CPU, chosen once at load time; AUCLUST_KERNELS=v4,
 * v3 or base forces one (tests compare them). */
static const kern_impl *K = &kern_impl_base;
static const kern_impl_f *Kf = &kern_impl_basef;
static const char *K_name = "base";

static int have(const char *name) {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  int v3 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  int v4 = v3 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw");
  if (!strcmp(name, "v4")) return v4;
  if (!strcmp(name, "v3")) return v3;
#endif
  return !strcmp(name, "base");
}

int kern_select(const char *name) {
  if (!have(name)) return -1;
#if defined(__x86_64__) && defined(__GNUC__)
  if (!strcmp(name, "v4")) K = &kern_impl_v4, Kf = &kern_impl_v4f;
  if (!strcmp(name, "v3")) K = &kern_impl_v3, Kf = &kern_impl_v3f;
#endif
  if (!strcmp(name, "base")) K = &kern_impl_base, Kf = &kern_impl_basef;
  K_name = K == &kern_impl_base ? "base" : K == &kern_impl_v3 ? "v3" : "v4";
  return 0;
}

__attribute__((constructor)) static void kern_init(void) {
  const char *e = getenv("AUCLUST_KERNELS");
  if (e && !kern_select(e)) return;
  if (kern_select("v4")) kern_select("v3");
}

const char *kern_variant(void) { return K_name; }

double *kern_alloc(size_t n) {
  size_t bytes = ((n ? n : 1) * sizeof(double) + 63) / 64 * 64;
  double *p = xaligned(64, bytes);
  memset(p, 0, bytes);
  return p;
}

float *kern_alloc_f(size_t n) { return (float *)kern_alloc((n + 1) / 2); }

void kern_dense(int n, int in, int out, const double *X, int ldx, const double *Wp, int ldw, const double *b,
                double *Y, int ldy, int epi, const double *M, int ldm) {
  K->dense(n, in, out, X, ldx, Wp, ldw, b, Y, ldy, epi, M, ldm);
}
void kern_dense_dw(int n, int in, int out, const double *X, int ldx, const double *dY, int ldy, double *dW, int ldw,
                   double *db) {
  K->dense_dw(n, in, out, X, ldx, dY, ldy, dW, ldw, db);
}
void kern_sparse(const csr *X, const int *rows, int r0, int n, int out, const double *Wp, int ldw, const double *b,
                 double *Y, int ldy, int epi) {
  K->sparse(X, rows, r0, n, out, Wp, ldw, b, Y, ldy, epi);
}
void kern_sparse_dw(const csr *X, const int *rows, int r0, int n, int out, const double *dY, int ldy, double *dW,
                    int ldw, double *db) {
  K->sparse_dw(X, rows, r0, n, out, dY, ldy, dW, ldw, db);
}
void kern_softmax_back(int n, int out, const double *Y, int ldy, const double *G, int ldg, const int *grow,
                       double *dX, int ldx) {
  K->softmax_back(n, out, Y, ldy, G, ldg, grow, dX, ldx);
}
void kern_exp(const double *x, double *y, int n) { K->exp(x, y, n); }
void kern_adam(int nruns, const long *lo, const long *hi, double *w, double *g, double *m, double *v, double lr_t,
               double b1, double b2, double eps) {
  K->adam(nruns, lo, hi, w, g, m, v, lr_t, b1, b2, eps);
}

/* Rows are 8-70 doubles: plain loops, not a memcpy and a memset call per
 * row (the attribute keeps GCC from turning the loops back into calls). */
#define NO_CALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))
void kern_pack(int in, int out, const double *W, int ldw, double *Wp, int ldp) { K->pack(in, out, W, ldw, Wp, ldp); }

/* kern_pack_t, in double and in float */
#define PACK_T(NAME, R) \
NO_CALLS void NAME(int in, int out, const R *W, R *WTp, int ldp) { \
  int j0 = 0; \
  /* four output rows at a time: each W row gives four neighbouring values */ \
  for (; j0 + 4 <= out; j0 += 4) { \
    R *t0 = WTp + (size_t)j0 * ldp, *t1 = t0 + ldp, *t2 = t1 + ldp, *t3 = t2 + ldp; \
    const R *w = W + j0; \
    for (int k = 0; k < in; k++, w += out) { \
      R a = w[0], b = w[1], c = w[2], d = w[3]; \
      t0[k] = a; t1[k] = b; t2[k] = c; t3[k] = d; \
    } \
    for (int k = in; k < ldp; k++) t0[k] = t1[k] = t2[k] = t3[k] = 0; \
  } \
  for (int j = j0; j < out; j++) { \
    R *t = WTp + (size_t)j * ldp; \
    for (int k = 0; k < in; k++) t[k] = W[(size_t)k * out + j]; \
    for (int k = in; k < ldp; k++) t[k] = 0; \
  } \
}
PACK_T(kern_pack_t, double)
PACK_T(kern_pack_t_f, float)
void kern_relu_back(size_t n, const double *Y, const double *dY, double *dX) { K->relu_back(n, Y, dY, dX); }
void kern_nbr_sum(int n, int f, const int *atoms, const int *self, const int *start, const int *nbr, const int *map,
                  const double *H, int ldh, double *Z, int ldz, int acc) {
  K->nbr_sum(n, f, atoms, self, start, nbr, map, H, ldh, Z, ldz, acc);
}
void kern_nbr_scatter(int n, int f, const int *atoms, const int *self, const int *start, const int *nbr,
                      const int *map, const double *dZ, int ldz, double *dH, int ldh) {
  K->nbr_scatter(n, f, atoms, self, start, nbr, map, dZ, ldz, dH, ldh);
}
void kern_scatter_add(int n, int out, const double *X, int ldx, const int *xidx, const int *idx, double *Y, int ldy) {
  K->scatter_add(n, out, X, ldx, xidx, idx, Y, ldy);
}
void kern_scatter_sum(int n, int out, const double *X, int ldx, const int *xidx, const int *idx, double *Y, int ldy) {
  K->scatter_sum(n, out, X, ldx, xidx, idx, Y, ldy);
}

/* the float kernels */
void kern_dense_f(int n, int in, int out, const float *X, int ldx, const float *Wp, int ldw, const float *b, float *Y,
                  int ldy, int epi, const float *M, int ldm) {
  Kf->dense(n, in, out, X, ldx, Wp, ldw, b, Y, ldy, epi, M, ldm);
}
void kern_dense_dw_f(int n, int in, int out, const float *X, int ldx, const float *dY, int ldy, float *dW, int ldw,
                     float *db) {
  Kf->dense_dw(n, in, out, X, ldx, dY, ldy, dW, ldw, db);
}
void kern_pack_f(int in, int out, const float *W, int ldw, float *Wp, int ldp) { Kf->pack(in, out, W, ldw, Wp, ldp); }
void kern_sparse_f(const csr *X, const int *rows, int r0, int n, int out, const float *Wp, int ldw, const float *b,
                   float *Y, int ldy, int epi) {
  Kf->sparse(X, rows, r0, n, out, Wp, ldw, b, Y, ldy, epi);
}
void kern_sparse_dw_f(const csr *X, const int *rows, int r0, int n, int out, const float *dY, int ldy, float *dW,
                      int ldw, float *db) {
  Kf->sparse_dw(X, rows, r0, n, out, dY, ldy, dW, ldw, db);
}
void kern_softmax_back_f(int n, int out, const float *Y, int ldy, const float *G, int ldg, const int *grow, float *dX,
                         int ldx) {
  Kf->softmax_back(n, out, Y, ldy, G, ldg, grow, dX, ldx);
}
void kern_relu_back_f(size_t n, const float *Y, const float *dY, float *dX) { Kf->relu_back(n, Y, dY, dX); }
void kern_nbr_sum_f(int n, int f, const int *atoms, const int *self, const int *start, const int *nbr, const int *map,
                    const float *H, int ldh, float *Z, int ldz, int acc) {
  Kf->nbr_sum(n, f, atoms, self, start, nbr, map, H, ldh, Z, ldz, acc);
}
void kern_nbr_scatter_f(int n, int f, const int *atoms, const int *self, const int *start, const int *nbr,
                        const int *map, const float *dZ, int ldz, float *dH, int ldh) {
  Kf->nbr_scatter(n, f, atoms, self, start, nbr, map, dZ, ldz, dH, ldh);
}
void kern_scatter_add_f(int n, int out, const float *X, int ldx, const int *xidx, const int *idx, float *Y, int ldy) {
  Kf->scatter_add(n, out, X, ldx, xidx, idx, Y, ldy);
}
void kern_scatter_sum_f(int n, int out, const float *X, int ldx, const int *xidx, const int *idx, float *Y, int ldy) {
  Kf->scatter_sum(n, out, X, ldx, xidx, idx, Y, ldy);
}
void kern_exp_f(const float *x, float *y, int n) { Kf->exp(x, y, n); }
void kern_adam_f(int nruns, const long *lo, const long *hi, float *w, float *g, float *m, float *v, double lr_t,
                 double b1, double b2, double eps) {
  Kf->adam(nruns, lo, hi, w, g, m, v, lr_t, b1, b2, eps);
}
