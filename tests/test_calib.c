/* Platt scaling: recovers known coefficients from synthetic scores, meets
 * its own optimality conditions exactly, and handles the degenerate cases
 * (one class, constant scores, separable scores). */
#include <stdlib.h>

#include "calib.h"
#include "check.h"
#include "err.h"
#include "rng.h"

static double sigm(double x) { return 1 / (1 + exp(-x)); }

static void test_recovers(void) {
  /* scores whose logit is z ~ N(0, 2^2); outcomes drawn with P = sigmoid(0.5 z - 0.7) */
  int n = 40000;
  double *p = malloc(sizeof(double) * n);
  int *y = malloc(sizeof(int) * n);
  rng_t r;
  rng_seed(&r, 17);
  for (int i = 0; i < n; i++) {
    double z = 2 * rng_normal(&r);
    p[i] = sigm(z);
    y[i] = rng_uniform(&r) < sigm(0.5 * z - 0.7);
  }
  platt c;
  CHECK(platt_fit(p, y, n, &c) == 0);
  CHECK(c.fitted && c.n == n);
  CHECK_NEAR(c.a, 0.5, 0.03); /* standard errors about 0.006 and 0.013 */
  CHECK_NEAR(c.b, -0.7, 0.05);
  /* the fit zeroes the gradient of the cross-entropy against Platt's targets */
  int npos = 0;
  for (int i = 0; i < n; i++) npos += y[i];
  double tp = (npos + 1.0) / (npos + 2.0), tn = 1.0 / (n - npos + 2.0), g0 = 0, g1 = 0;
  for (int i = 0; i < n; i++) {
    double z = log(p[i] / (1 - p[i])), d = sigm(c.a * z + c.b) - (y[i] ? tp : tn);
    g0 += d * z;
    g1 += d;
  }
  CHECK(fabs(g0) < 1e-6 && fabs(g1) < 1e-6);
  CHECK_NEAR(platt_apply(&c, 0.5), sigm(c.b), 1e-15);
  platt none = {0, 3, 4, 0};
  CHECK(platt_apply(&none, 0.3) == 0.3); /* not fitted: the identity */
  free(p); free(y);
}

/* Four points by hand: logits z = -1, -1, 1, 1 with y = 0, 1, 1, 1; Platt's
 * targets are t+ = (3+1)/(3+2) = 4/5 and t- = 1/(1+2) = 1/3. Two distinct
 * logits and two coefficients: the optimum fits each logit's mean target,
 * sigmoid(b - a) = (1/3 + 4/5)/2 = 17/30 and sigmoid(b + a) = 4/5. */
static void test_hand(void) {
  double e = exp(1.0), p[] = {1 / (1 + e), 1 / (1 + e), e / (1 + e), e / (1 + e)};
  int y[] = {0, 1, 1, 1};
  platt c;
  CHECK(platt_fit(p, y, 4, &c) == 0);
  double lo = log((17.0 / 30) / (13.0 / 30)), hi = log(4.0); /* logits of 17/30 and 4/5 */
  CHECK_NEAR(c.a, (hi - lo) / 2, 1e-8);
  CHECK_NEAR(c.b, (hi + lo) / 2, 1e-8);
}

static void test_degenerate(void) {
  double p[] = {0.2, 0.4, 0.6, 0.8};
  int one[] = {1, 1, 1, 1}, sep[] = {0, 0, 1, 1};
  platt c;
  CHECK(platt_fit(p, one, 4, &c) == AU_EDATA && !c.fitted);
  CHECK(platt_fit(p, sep, 1, &c) == AU_EDATA);
  /* separable: finite coefficients thanks to the smoothed targets */
  CHECK(platt_fit(p, sep, 4, &c) == 0 && isfinite(c.a) && isfinite(c.b) && c.a > 0);
  /* constant scores (the prior): b carries the base rate, a stays finite */
  double q[] = {0.6, 0.6, 0.6, 0.6, 0.6};
  int y[] = {1, 0, 1, 0, 0};
  CHECK(platt_fit(q, y, 5, &c) == 0 && isfinite(c.a) && isfinite(c.b));
  /* the calibrated value is the mean smoothed target: (2*(3/4) + 3*(1/5)) / 5 = 0.42 */
  CHECK_NEAR(platt_apply(&c, 0.6), 0.42, 1e-6);
  /* probabilities of exactly 0 and 1 are clipped, not infinite logits */
  double ext[] = {0, 0, 1, 1, 0.5};
  int ye[] = {0, 1, 1, 0, 1};
  CHECK(platt_fit(ext, ye, 5, &c) == 0 && isfinite(c.a) && isfinite(c.b));
}

/* Anti-ranked by hand: logits z = -1, -1, 1, 1 with y = 1, 1, 0, 1. The
 * unconstrained optimum, sigmoid(b - a) = 4/5 and sigmoid(b + a) = 17/30,
 * has a < 0 (the ranking reversed); the fit keeps a = 0, and sigmoid(b) is
 * the mean target (3 * 4/5 + 1/3) / 4 = 41/60, for every p. */
static void test_anti_ranked(void) {
  double e = exp(1.0), p[] = {1 / (1 + e), 1 / (1 + e), e / (1 + e), e / (1 + e)};
  int y[] = {1, 1, 0, 1};
  platt c;
  CHECK(platt_fit(p, y, 4, &c) == 0 && c.fitted);
  CHECK(c.a == 0);
  CHECK_NEAR(c.b, log(41.0 / 19.0), 1e-12);
  CHECK_NEAR(platt_apply(&c, 0.1), 41.0 / 60, 1e-12);
  CHECK_NEAR(platt_apply(&c, 0.9), 41.0 / 60, 1e-12);
}

int main(void) {
  test_anti_ranked();
  test_recovers();
  test_hand();
  test_degenerate();
  return check_report();
}
