#include "metrics.h"
#include <math.h>
#include <stdlib.h>

#include "err.h"

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

typedef struct {
  double p;
  int y;
} scored;

static int cmp_scored(const void *a, const void *b) {
  double x = ((const scored *)a)->p, z = ((const scored *)b)->p;
  return (x > z) - (x < z);
}

double metric_auc(const int *y, const double *p, int n) {
  scored *s = xmalloc(sizeof *s * (n > 0 ? n : 1));
  long npos = 0;
  for (int i = 0; i < n; i++) {
    s[i] = (scored){p[i], y[i] != 0};
    npos += s[i].y;
  }
  long nneg = n - npos;
  if (!npos || !nneg) { free(s); return NAN; }
  qsort(s, n, sizeof *s, cmp_scored);
  /* Mann-Whitney: sum of the successes' mid-ranks (ties share the mean rank) */
  double rank_sum = 0;
  for (int i = 0; i < n;) {
    int j = i;
    long pos = 0;
    while (j < n && s[j].p == s[i].p) pos += s[j++].y;
    rank_sum += pos * (i + 1 + j) / 2.0; /* mean of ranks i+1 .. j */
    i = j;
  }
  free(s);
  return (rank_sum - npos * (npos + 1) / 2.0) / ((double)npos * nneg);
}

double metric_brier_skill(const int *y, const double *p, const double *pref, int n) {
  double ref = metric_brier(y, pref, n);
  return ref > 0 ? 1 - metric_brier(y, p, n) / ref : 0.0;
}

void metric_reliability(const int *y, const double *p, int n, int nbins, int *count, double *mean_p, double *frac) {
  for (int b = 0; b < nbins; b++) { count[b] = 0; mean_p[b] = frac[b] = 0; }
  for (int i = 0; i < n; i++) {
    int b = (int)floor(p[i] * nbins);
    if (b >= nbins) b = nbins - 1;
    if (b < 0) b = 0;
    count[b]++;
    mean_p[b] += p[i];
    frac[b] += y[i] != 0;
  }
  for (int b = 0; b < nbins; b++)
    if (count[b]) { mean_p[b] /= count[b]; frac[b] /= count[b]; }
}

double metric_ece(const int *y, const double *p, int n) {
  if (n <= 0) return 0.0;
  int c[10];
  double mp[10], fr[10], e = 0;
  metric_reliability(y, p, n, 10, c, mp, fr);
  for (int b = 0; b < 10; b++) e += (double)c[b] / n * fabs(mp[b] - fr[b]);
  return e;
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
