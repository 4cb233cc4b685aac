/* The two baselines behind the network interface (net.h's instance_*):
 * prior predicts its training rows' success rate for every recipe; rf is a
 * random forest (forest.h) on the raw descriptors (the 17 and any extra
 * descriptors of the layout). Neither has weights
 * or a GCNN; both keep the support set and scaler like every instance. */
#ifndef AUCLUST_BASELINE_H
#define AUCLUST_BASELINE_H
#include <stdint.h>

#include "net.h"

/* Fits in->forest for rf (nothing for prior) on rows of d. */
int baseline_fit(const net_layout *L, const dataset *d, const int *rows, int nrows, uint64_t seed, instance *in);
/* P(success) of one raw descriptor row (L->nx values). */
double baseline_prob(const net_layout *L, const instance *in, const double *x);
/* Training success rate of the instance (its support set). */
double baseline_rate(const instance *in);
#endif
