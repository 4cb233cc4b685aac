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

/* y = 1 0 1 1 0, p = .9 .8 .4 .8 .1. Success/failure pairs by hand:
 * (.9,.8) 1, (.9,.1) 1, (.4,.8) 0, (.4,.1) 1, (.8,.8) 1/2, (.8,.1) 1 -> AUC 4.5/6.
 * Brier = (.01+.64+.36+.04+.01)/5 = .212; the prior .6 has (.16+.36+.16+.16+.36)/5
 * = .24, so the skill is 1 - .212/.24 = 7/60. */
static void test_auc_skill(void) {
  int y[] = {1, 0, 1, 1, 0};
  double p[] = {0.9, 0.8, 0.4, 0.8, 0.1}, pref[] = {0.6, 0.6, 0.6, 0.6, 0.6};
  CHECK_NEAR(metric_auc(y, p, 5), 0.75, 1e-12);
  CHECK_NEAR(metric_brier_skill(y, p, pref, 5), 7.0 / 60.0, 1e-12);
  CHECK_NEAR(metric_brier_skill(y, pref, pref, 5), 0.0, 1e-15); /* the prior itself */
  /* perfect ranking, inverted ranking, all tied */
  double up[] = {0.9, 0.2, 0.8, 0.7, 0.3}, down[5], tie[5];
  for (int i = 0; i < 5; i++) down[i] = 1 - up[i], tie[i] = 0.5;
  CHECK_NEAR(metric_auc(y, up, 5), 1.0, 1e-12);
  CHECK_NEAR(metric_auc(y, down, 5), 0.0, 1e-12);
  CHECK_NEAR(metric_auc(y, tie, 5), 0.5, 1e-12);
  int one[] = {1, 1, 1};
  CHECK(isnan(metric_auc(one, p, 3))); /* undefined with one class */
  /* a perfect reference: skill defined as 0, not a division by zero */
  double exact[] = {1, 0, 1, 1, 0};
  CHECK(metric_brier_skill(y, p, exact, 5) == 0);
}

/* p = .05 .15 .12 .95 .91 .55 with y = 0 1 0 1 0 1 fill bins 0, 1, 1, 9, 9, 5:
 * bin 0 |.05 - 0| = .05 (1 row), bin 1 |.135 - .5| = .365 (2), bin 5
 * |.55 - 1| = .45 (1), bin 9 |.93 - .5| = .43 (2):
 * ECE = (.05 + 2*.365 + .45 + 2*.43) / 6 = 2.09/6. */
static void test_ece(void) {
  int y[] = {0, 1, 0, 1, 0, 1};
  double p[] = {0.05, 0.15, 0.12, 0.95, 0.91, 0.55};
  CHECK_NEAR(metric_ece(y, p, 6), 2.09 / 6, 1e-12);
  int c[10];
  double mp[10], fr[10];
  metric_reliability(y, p, 6, 10, c, mp, fr);
  CHECK(c[0] == 1 && c[1] == 2 && c[5] == 1 && c[9] == 2 && c[2] == 0);
  CHECK_NEAR(mp[1], 0.135, 1e-12);
  CHECK_NEAR(fr[9], 0.5, 1e-12);
  CHECK(mp[3] == 0 && fr[3] == 0);
  /* p = 1 belongs to the last bin; p = 0 to the first; calibrated bins give 0 */
  int y2[] = {1, 0};
  double p2[] = {1.0, 0.0};
  metric_reliability(y2, p2, 2, 10, c, mp, fr);
  CHECK(c[9] == 1 && c[0] == 1);
  CHECK(metric_ece(y2, p2, 2) == 0);
  CHECK(metric_ece(y2, p2, 0) == 0);
}

int main(void) {
  test_auc_skill();
  test_ece();
  test_fixed_matrix();
  test_count();
  test_degenerate();
  test_mcc_large_counts();
  test_probabilistic();
  test_clipping();
  test_mean_std();
  return check_report();
}
