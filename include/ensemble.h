/* Fold ensembles (the paper's 10 instances of a 10-fold split) on a subset
 * of a dataset, with Platt calibration from their out-of-fold predictions:
 * what `train --ensemble K` stores and what `cv --ensemble K` evaluates
 * inside each outer training fold. */
#ifndef AUCLUST_ENSEMBLE_H
#define AUCLUST_ENSEMBLE_H
#include <stdint.h>

#include "calib.h"
#include "net.h"

/* Trains K instances, instance k on rows[] outside fold k of a stratified
 * K-fold split of rows[] (folds from the stream (seed, 0, 0), instance k from
 * (seed, 1, k)); K = 0: one instance on all rows. In parallel on nthreads.
 * With K >= 2 and cal != NULL, *cal is fitted on the out-of-fold
 * predictions (one per row). progress: count each instance (progress_add). */
int ensemble_train(const net_layout *L, const dataset *d, const int *rows, int nrows, int K, uint64_t seed,
                   int nthreads, int progress, instance *inst, platt *cal);
#endif
