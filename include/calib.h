/* Platt scaling: a logistic regression of the outcome on the logit of a
 * model's probability, q = sigmoid(a * logit(p) + b), fitted on out-of-fold
 * predictions (train --ensemble K gives one per training recipe). Targets
 * are Platt's smoothed (N+ + 1)/(N+ + 2) and 1/(N- + 2), so a separable set
 * still gives finite coefficients. The slope is constrained to a >= 0: when
 * the out-of-fold predictions rank worse than chance, a = 0 and every
 * calibrated probability is the smoothed base rate (a calibration never
 * reverses the model's ranking). */
#ifndef AUCLUST_CALIB_H
#define AUCLUST_CALIB_H

typedef struct {
  int fitted; /* 0: no calibration (identity) */
  double a, b;
  int n;      /* out-of-fold predictions it was fitted on */
} platt;

/* p is clipped to [1e-6, 1 - 1e-6] before the logit. Newton's method with
 * step halving; AU_ENUM when it does not converge, AU_EDATA for n < 2 or a
 * one-class y. */
int platt_fit(const double *p, const int *y, int n, platt *c);
/* The calibrated probability (p itself when not fitted). */
double platt_apply(const platt *c, double p);
#endif
