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
 * (seed, 1, k)); K = 0: one instance on all rows. With hp.bag = B > 0 each of
 * them is B instances (k * B + b), fitted on bootstrap resamples of those
 * rows, member b's seed from the stream (instance k's seed, "bag", b).
 * inst holds ensemble_size(). In parallel on nthreads. With K >= 2 and
 * cal != NULL, *cal is fitted on the out-of-fold predictions (one per row,
 * the mean over a fold's bag). progress: count each instance (progress_add). */
/* Instances ensemble_train makes: max(K, 1), times hp->bag for a network
 * with bag > 0 (each fit becomes that many bootstrap fits, averaged). */
int ensemble_size(const hparams *hp, int K);
int ensemble_train(const net_layout *L, const dataset *d, const int *rows, int nrows, int K, uint64_t seed,
                   int nthreads, int progress, instance *inst, platt *cal);
#endif
