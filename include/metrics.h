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

/* Area under the ROC curve = P(p of a random success > p of a random
 * failure), ties counting one half (sklearn's roc_auc_score). NAN when y
 * holds only one class (undefined; callers print "n/a"). */
double metric_auc(const int *y, const double *p, int n);
/* Brier skill score against reference probabilities pref (the prior):
 * 1 - Brier(p) / Brier(pref); > 0 is better than the reference. 0 when the
 * reference is perfect (Brier 0). */
double metric_brier_skill(const int *y, const double *p, const double *pref, int n);
/* Reliability bins: nbins equal-width bins of p, bin b = [b/nbins, (b+1)/nbins)
 * and the last bin closed at 1. count[b] rows, mean_p[b] their mean
 * probability, frac[b] their success fraction (both 0 for an empty bin). */
void metric_reliability(const int *y, const double *p, int n, int nbins, int *count, double *mean_p, double *frac);
/* Expected calibration error over 10 equal-width bins:
 * sum_b count[b] / n * |mean_p[b] - frac[b]|. 0 for n <= 0. */
double metric_ece(const int *y, const double *p, int n);

/* Mean and sample standard deviation (n - 1) of v, e.g. over CV folds;
 * std is 0 for n = 1, both are 0 for n <= 0. */
void metric_mean_std(const double *v, int n, double *mean, double *std);
#endif
