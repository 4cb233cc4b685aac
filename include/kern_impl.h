/* The table of one instruction-set variant of the hot kernels (kern_body.h);
 * private to kern*.c. */
#ifndef AUCLUST_KERN_IMPL_H
#define AUCLUST_KERN_IMPL_H
#include "kern.h"

typedef struct {
  void (*dense)(int, int, int, const double *, int, const double *, int, const double *, double *, int, int,
                const double *, int);
  void (*dense_dw)(int, int, int, const double *, int, const double *, int, double *, int, double *);
  void (*sparse)(const csr *, const int *, int, int, int, const double *, int, const double *, double *, int, int);
  void (*sparse_dw)(const csr *, const int *, int, int, int, const double *, int, double *, int, double *);
  void (*softmax_back)(int, int, const double *, int, const double *, int, const int *, double *, int);
  void (*exp)(const double *, double *, int);
  void (*adam)(int, const long *, const long *, double *, double *, double *, double *, double, double, double,
               double);
  void (*relu_back)(size_t, const double *, const double *, double *);
  void (*nbr_sum)(int, int, const int *, const int *, const int *, const int *, const int *, const double *, int,
                  double *, int, int);
  void (*nbr_scatter)(int, int, const int *, const int *, const int *, const int *, const int *, const double *, int,
                      double *, int);
  void (*scatter_add)(int, int, const double *, int, const int *, const int *, double *, int);
  void (*scatter_sum)(int, int, const double *, int, const int *, const int *, double *, int);
  void (*pack)(int, int, const double *, int, double *, int);
} kern_impl;

extern const kern_impl kern_impl_v4, kern_impl_v3, kern_impl_base;
#endif
