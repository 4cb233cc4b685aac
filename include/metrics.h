/* Binary classification metrics (class 1 = success = positive), with
 * scikit-learn's conventions for the degenerate cases so that numbers
 * reported here can be compared with the paper's Table 2. */
#ifndef AUCLUST_METRICS_H
#define AUCLUST_METRICS_H

typedef struct {
  long tp, fp, tn, fn;
} confusion;

/* Counts the confusion matrix of n labels; any nonzero y or pred is the
 * positive class. */
confusion confusion_count(const int *y, const int *pred, int n);

/* Each returns 0 when its denominator is 0 (sklearn zero_division=0). */
double metric_accuracy(confusion c);
double metric_precision(confusion c);
double metric_recall(confusion c);
double metric_f1(confusion c);
/* Matthews correlation coefficient in [-1, 1]. */
double metric_mcc(confusion c);

/* Mean binary cross-entropy of p = P(class 1), p clipped to
 * [1e-15, 1 - 1e-15] so a confident miss costs ~34.5 instead of inf.
 * 0 for n <= 0. */
double metric_logloss(const int *y, const double *p, int n);
/* Mean squared error of p against y in {0,1}. 0 for n <= 0. */
double metric_brier(const int *y, const double *p, int n);

/* Reliability (calibration) of probabilities p of class 1: nbins equal
 * bins of [0, 1] (bin k holds k/nbins <= p < (k+1)/nbins; p = 1 goes in the
 * last); for each, count[k], the mean p (mean_p[k]) and the fraction of
 * y = 1 (frac[k]); NaN for both in an empty bin. */
void metric_reliability(const int *y, const double *p, int n, int nbins, double *mean_p, double *frac, int *count);

/* Mean and sample standard deviation (n - 1) of v, e.g. over CV folds;
 * std is 0 for n = 1, both are 0 for n <= 0. */
void metric_mean_std(const double *v, int n, double *mean, double *std);
#endif
