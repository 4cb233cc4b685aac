#include "calib.h"

#include <math.h>
#include <stdlib.h>

#include "err.h"

#define PCLIP 1e-6

static double logit(double p) {
  if (p < PCLIP) p = PCLIP;
  if (p > 1 - PCLIP) p = 1 - PCLIP;
  return log(p / (1 - p));
}

/* log(1 + e^x) without overflow */
static double softplus(double x) { return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)); }
static double sigm(double x) { return x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)); }

/* Cross-entropy of targets t against sigmoid(a z + b). */
static double loss(const double *z, const double *t, int n, double a, double b) {
  double s = 0;
  for (int i = 0; i < n; i++) {
    double u = a * z[i] + b;
    s += t[i] * softplus(-u) + (1 - t[i]) * softplus(u);
  }
  return s;
}

int platt_fit(const double *p, const int *y, int n, platt *c) {
  c->fitted = 0;
  c->a = 1;
  c->b = 0;
  c->n = 0;
  int npos = 0;
  for (int i = 0; i < n; i++) npos += y[i] == 1;
  if (n < 2 || npos == 0 || npos == n)
    return au_fail(AU_EDATA, "calibration needs out-of-fold predictions of both outcomes (%d successes of %d)", npos, n);
  double *z = malloc(sizeof(double) * n), *t = malloc(sizeof(double) * n);
  if (!z || !t) { free(z); free(t); return au_fail(AU_ENOMEM, "calibration: out of memory"); }
  double tp = (npos + 1.0) / (npos + 2.0), tn = 1.0 / (n - npos + 2.0);
  for (int i = 0; i < n; i++) {
    z[i] = logit(p[i]);
    t[i] = y[i] == 1 ? tp : tn;
  }
  double a = 1, b = 0, f = loss(z, t, n, a, b);
  int ok = 0;
  for (int it = 0; it < 200 && !ok; it++) {
    double g0 = 0, g1 = 0, h00 = 0, h01 = 0, h11 = 0;
    for (int i = 0; i < n; i++) {
      double q = sigm(a * z[i] + b), w = q * (1 - q), d = q - t[i];
      g0 += d * z[i]; g1 += d;
      h00 += w * z[i] * z[i]; h01 += w * z[i]; h11 += w;
    }
    if (fabs(g0) + fabs(g1) < 1e-10 * n) { ok = 1; break; }
    /* damped Newton: the logits may all be (nearly) equal, e.g. the prior */
    double lam = 1e-10 * (h00 + h11) + 1e-300;
    for (int tries = 0; tries < 60; tries++) {
      double A = h00 + lam, B = h01, C = h11 + lam, det = A * C - B * B;
      double da = (C * g0 - B * g1) / det, db = (A * g1 - B * g0) / det;
      double fn = loss(z, t, n, a - da, b - db);
      if (isfinite(fn) && fn <= f) {
        ok = f - fn < 1e-14 * (1 + f) && fabs(da) + fabs(db) < 1e-9;
        a -= da; b -= db; f = fn;
        break;
      }
      lam = lam * 10 + 1e-8 * (h00 + h11 + 1);
    }
  }
  if (a < 0) {
    /* out-of-fold predictions that rank worse than chance: a negative slope
     * would turn the model's ranking upside down. The fit is constrained to
     * a >= 0; its optimum on the boundary is a = 0 with sigmoid(b) the mean
     * target (the loss is convex, so no point with a > 0 does better). */
    double mt = 0;
    for (int i = 0; i < n; i++) mt += t[i];
    mt /= n;
    a = 0;
    b = log(mt / (1 - mt));
  }
  free(z); free(t);
  if (!isfinite(a) || !isfinite(b)) return au_fail(AU_ENUM, "calibration (Platt scaling) did not converge");
  *c = (platt){1, a, b, n};
  return 0;
}

double platt_apply(const platt *c, double p) {
  if (!c->fitted) return p;
  return sigm(c->a * logit(p) + c->b);
}
