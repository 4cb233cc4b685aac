#include "metrics.h"
#include "check.h"

/* tp=6, fp=2, tn=5, fn=3 (n = 16), by hand:
 *   accuracy  = (6+5)/16          = 0.6875
 *   precision = 6/(6+2)           = 0.75
 *   recall    = 6/(6+3)           = 2/3
 *   F1        = 2*6/(2*6+2+3)     = 12/17
 *   MCC       = (6*5 - 2*3) / sqrt(8*9*7*8) = 24/sqrt(4032)
 *             = 24/(24*sqrt(7))   = 1/sqrt(7) */
static void test_fixed_matrix(void) {
  confusion c = {6, 2, 5, 3};
  CHECK_NEAR(metric_accuracy(c), 0.6875, 1e-12);
  CHECK_NEAR(metric_precision(c), 0.75, 1e-12);
  CHECK_NEAR(metric_recall(c), 2.0 / 3.0, 1e-12);
  CHECK_NEAR(metric_f1(c), 12.0 / 17.0, 1e-12);
  CHECK_NEAR(metric_mcc(c), 1.0 / sqrt(7.0), 1e-12);
}

static void test_count(void) {
  /* the same matrix from labels: 6 TP, 2 FP, 5 TN, 3 FN */
  int y[] = {1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1};
  int p[] = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0};
  confusion c = confusion_count(y, p, 16);
  CHECK(c.tp == 6 && c.fp == 2 && c.tn == 5 && c.fn == 3);
  /* nonzero is positive */
  int y2[] = {2, 0}, p2[] = {-1, 0};
  c = confusion_count(y2, p2, 2);
  CHECK(c.tp == 1 && c.tn == 1 && c.fp == 0 && c.fn == 0);
  c = confusion_count(y, p, 0);
  CHECK(c.tp == 0 && c.fp == 0 && c.tn == 0 && c.fn == 0);
  CHECK(metric_accuracy(c) == 0);
}

static void test_degenerate(void) {
  int y[] = {1, 0, 1, 1, 0, 0, 1}, ones[7], zeros[7], inv[7];
  for (int i = 0; i < 7; i++) ones[i] = 1, zeros[i] = 0, inv[i] = !y[i];
  /* constant predictors: MCC 0, not NaN */
  double m1 = metric_mcc(confusion_count(y, ones, 7));
  double m0 = metric_mcc(confusion_count(y, zeros, 7));
  CHECK(m1 == 0 && !isnan(m1));
  CHECK(m0 == 0 && !isnan(m0));
  /* all-negative prediction: precision, F1 are 0 (zero_division=0) */
  confusion c0 = confusion_count(y, zeros, 7);
  CHECK(metric_precision(c0) == 0 && metric_f1(c0) == 0 && metric_recall(c0) == 0);
  CHECK_NEAR(metric_accuracy(c0), 3.0 / 7.0, 1e-12);
  /* perfect and perfectly inverted */
  confusion cp = confusion_count(y, y, 7), ci = confusion_count(y, inv, 7);
  CHECK_NEAR(metric_mcc(cp), 1.0, 1e-12);
  CHECK_NEAR(metric_mcc(ci), -1.0, 1e-12);
  CHECK_NEAR(metric_f1(cp), 1.0, 1e-12);
  CHECK(metric_f1(ci) == 0);
  /* one-class truth with a perfect predictor: denominator 0 -> 0 as sklearn */
  CHECK(metric_mcc(confusion_count(ones, ones, 7)) == 0);
  confusion empty = {0, 0, 0, 0};
  CHECK(metric_mcc(empty) == 0 && metric_f1(empty) == 0);
}

static void test_mcc_large_counts(void) {
  /* products of four counts ~1e36 overflow 64-bit integers */
  confusion c = {1000000000L, 1000000000L, 1000000000L, 0};
  /* (1e18 - 0)/sqrt(2e9*1e9*2e9*1e9) = 1e18/(2e18) = 0.5 */
  CHECK_NEAR(metric_mcc(c), 0.5, 1e-12);
}

/* y = 1,0,1,0 with p = .8,.3,.6,.1:
 *   log loss = -(ln .8 + ln .7 + ln .6 + ln .9)/4
 *            = (0.22314355 + 0.35667494 + 0.51082562 + 0.10536052)/4
 *            = 0.29900116
 *   Brier    = (.2^2 + .3^2 + .4^2 + .1^2)/4 = 0.30/4 = 0.075 */
static void test_probabilistic(void) {
  int y[] = {1, 0, 1, 0};
  double p[] = {0.8, 0.3, 0.6, 0.1};
  CHECK_NEAR(metric_logloss(y, p, 4),
             -(log(0.8) + log(0.7) + log(0.6) + log(0.9)) / 4, 1e-12);
  CHECK_NEAR(metric_logloss(y, p, 4), 0.29900116, 1e-8);
  CHECK_NEAR(metric_brier(y, p, 4), 0.075, 1e-12);
  CHECK(metric_logloss(y, p, 0) == 0 && metric_brier(y, p, 0) == 0);
}

static void test_clipping(void) {
  /* confident misses cost -ln(1e-15) = 34.5388 each, not inf */
  int y[] = {1, 0};
  double p[] = {0.0, 1.0};
  double l = metric_logloss(y, p, 2);
  CHECK(isfinite(l));
  CHECK_NEAR(l, -log(1e-15), 1e-3);
  CHECK_NEAR(l, 34.5388, 1e-3);
  /* confident hits cost ~1e-15, not -0 or NaN */
  int y2[] = {1, 0};
  double p2[] = {1.0, 0.0};
  double l2 = metric_logloss(y2, p2, 2);
  CHECK(isfinite(l2) && l2 >= 0 && l2 < 1e-12);
  /* out-of-range inputs are clipped too */
  double p3[] = {-0.5, 2.0};
  CHECK_NEAR(metric_logloss(y, p3, 2), l, 1e-9);
  CHECK_NEAR(metric_brier(y, p, 2), 1.0, 1e-12);
}

static void test_mean_std(void) {
  double v[] = {2, 4, 4, 4, 5, 5, 7, 9}, mean, std;
  /* mean 5, sum of squares 32, sample variance 32/7 */
  metric_mean_std(v, 8, &mean, &std);
  CHECK_NEAR(mean, 5.0, 1e-12);
  CHECK_NEAR(std, sqrt(32.0 / 7.0), 1e-12);
  metric_mean_std(v + 3, 1, &mean, &std);
  CHECK_NEAR(mean, 4.0, 1e-12);
  CHECK(std == 0);
  metric_mean_std(v, 0, &mean, &std);
  CHECK(mean == 0 && std == 0);
  /* close values: the two-pass formula keeps the small spread */
  double w[] = {1e9 + 1, 1e9 + 2, 1e9 + 3};
  metric_mean_std(w, 3, &mean, &std);
  CHECK_NEAR(std, 1.0, 1e-9);
}

/* Reliability bins by hand: 4 bins of width 0.25.
 *   bin 0: p 0.1, 0.2 (y 0, 0)     -> mean 0.15, frac 0
 *   bin 1: empty                   -> NaN
 *   bin 2: p 0.5, 0.6, 0.7 (1,0,1) -> mean 0.6, frac 2/3
 *   bin 3: p 0.75, 1.0 (1, 1)      -> mean 0.875, frac 1 (p = 1 in the last bin) */
static void test_reliability(void) {
  const int y[7] = {0, 0, 1, 0, 1, 1, 1};
  const double p[7] = {0.1, 0.2, 0.5, 0.6, 0.7, 0.75, 1.0};
  double mp[4], fr[4];
  int c[4];
  metric_reliability(y, p, 7, 4, mp, fr, c);
  CHECK(c[0] == 2 && c[1] == 0 && c[2] == 3 && c[3] == 2);
  CHECK_NEAR(mp[0], 0.15, 1e-12);
  CHECK_NEAR(fr[0], 0.0, 1e-12);
  CHECK(isnan(mp[1]) && isnan(fr[1]));
  CHECK_NEAR(mp[2], 0.6, 1e-12);
  CHECK_NEAR(fr[2], 2.0 / 3, 1e-12);
  CHECK_NEAR(mp[3], 0.875, 1e-12);
  CHECK_NEAR(fr[3], 1.0, 1e-12);
}

int main(void) {
  test_reliability();
  test_fixed_matrix();
  test_count();
  test_degenerate();
  test_mcc_large_counts();
  test_probabilistic();
  test_clipping();
  test_mean_std();
  return check_report();
}
