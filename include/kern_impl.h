/* The table of one instruction-set variant of the hot kernels (kern_body.h),
 * in double (kern_impl) and in float (kern_impl_f); private to kern*.c. */
#ifndef AUCLUST_KERN_IMPL_H
#define AUCLUST_KERN_IMPL_H
#include "kern.h"

#define KERN_IMPL_TABLE(R, NAME)                                                                                     \
  typedef struct {                                                                                                   \
    void (*dense)(int, int, int, const R *, int, const R *, int, const R *, R *, int, int, const R *, int);          \
    void (*dense_dw)(int, int, int, const R *, int, const R *, int, R *, int, R *);                                  \
    void (*sparse)(const csr *, const int *, int, int, int, const R *, int, const R *, R *, int, int);               \
    void (*sparse_dw)(const csr *, const int *, int, int, int, const R *, int, R *, int, R *);                       \
    void (*softmax_back)(int, int, const R *, int, const R *, int, const int *, R *, int);                           \
    void (*exp)(const R *, R *, int);                                                                                \
    void (*adam)(int, const long *, const long *, R *, R *, R *, R *, double, double, double, double);               \
    void (*relu_back)(size_t, const R *, const R *, R *);                                                            \
    void (*nbr_sum)(int, int, const int *, const int *, const int *, const int *, const int *, const R *, int, R *,  \
                    int, int);                                                                                       \
    void (*nbr_scatter)(int, int, const int *, const int *, const int *, const int *, const int *, const R *, int,   \
                        R *, int);                                                                                   \
    void (*scatter_add)(int, int, const R *, int, const int *, const int *, R *, int);                               \
    void (*scatter_sum)(int, int, const R *, int, const int *, const int *, R *, int);                               \
    void (*pack)(int, int, const R *, int, R *, int);                                                                \
  } NAME;
KERN_IMPL_TABLE(double, kern_impl)
KERN_IMPL_TABLE(float, kern_impl_f)

extern const kern_impl kern_impl_v4, kern_impl_v3, kern_impl_base;
extern const kern_impl_f kern_impl_v4f, kern_impl_v3f, kern_impl_basef;
#endif
