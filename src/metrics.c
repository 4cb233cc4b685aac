#include "metrics.h"
#include <math.h>

#define LOGLOSS_EPS 1e-15

confusion confusion_count(const int *y, const int *pred, int n) {
  confusion c = {0, 0, 0, 0};
  for (int i = 0; i < n; i++) {
    int truth = y[i] != 0, guess = pred[i] != 0;
    if (truth && guess) c.tp++;
    else if (guess) c.fp++;
    else if (truth) c.fn++;
    else c.tn++;
  }
  return c;
}

/* a / b, or 0 for an empty denominator (sklearn's zero_division=0) */
static double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

double metric_accuracy(confusion c) {
  return ratio((double)c.tp + c.tn, (double)c.tp + c.tn + c.fp + c.fn);
}

double metric_precision(confusion c) { return ratio(c.tp, (double)c.tp + c.fp); }

double metric_recall(confusion c) { return ratio(c.tp, (double)c.tp + c.fn); }

double metric_f1(confusion c) {
  /* 2tp / (2tp + fp + fn) equals 2PR/(P+R) and is 0 exactly when P+R = 0 */
  return ratio(2.0 * c.tp, 2.0 * c.tp + c.fp + c.fn);
}

double metric_mcc(confusion c) {
  /* in double: the product of four counts overflows long long long before
   * it overflows a double */
  double tp = c.tp, fp = c.fp, tn = c.tn, fn = c.fn;
  double den = (tp + fp) * (tp + fn) * (tn + fp) * (tn + fn);
  if (!(den > 0)) return 0.0; /* a constant predictor or a one-class y */
  double mcc = (tp * tn - fp * fn) / sqrt(den);
  /* rounding can push |mcc| a hair past 1 */
  return mcc > 1 ? 1 : mcc < -1 ? -1 : mcc;
}

static double clip_prob(double p) {
  /* NaN passes through so a broken model shows up as a NaN loss */
  if (p < LOGLOSS_EPS) return LOGLOSS_EPS;
  if (p > 1 - LOGLOSS_EPS) return 1 - LOGLOSS_EPS;
  return p;
}

double metric_logloss(const int *y, const double *p, int n) {
  if (n <= 0) return 0.0;
  double sum = 0;
  for (int i = 0; i < n; i++) {
    double q = clip_prob(p[i]);
    sum -= y[i] ? log(q) : log1p(-q);
  }
  return sum / n;
}

double metric_brier(const int *y, const double *p, int n) {
  if (n <= 0) return 0.0;
  double sum = 0;
  for (int i = 0; i < n; i++) {
    double d = p[i] - (y[i] ? 1.0 : 0.0);
    sum += d * d;
  }
  return sum / n;
}

void metric_mean_std(const double *v, int n, double *mean, double *std) {
  double m = 0, ss = 0;
  for (int i = 0; i < n; i++) m += v[i];
  if (n > 0) m /= n;
  /* two passes: the one-pass formula cancels badly for close values */
  for (int i = 0; i < n; i++) ss += (v[i] - m) * (v[i] - m);
  if (mean) *mean = m;
  if (std) *std = n > 1 ? sqrt(ss / (n - 1)) : 0.0;
}

void metric_reliability(const int *y, const double *p, int n, int nbins, double *mean_p, double *frac, int *count) {
  for (int k = 0; k < nbins; k++) mean_p[k] = frac[k] = 0, count[k] = 0;
  for (int i = 0; i < n; i++) {
    int k = (int)(p[i] * nbins);
    if (k >= nbins) k = nbins - 1;
    if (k < 0) k = 0;
    count[k]++;
    mean_p[k] += p[i];
    frac[k] += y[i] != 0;
  }
  for (int k = 0; k < nbins; k++) {
    if (count[k]) mean_p[k] /= count[k], frac[k] /= count[k];
    else mean_p[k] = frac[k] = NAN;
  }
}
