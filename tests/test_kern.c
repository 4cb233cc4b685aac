/* The small kernels of kern.h against plain reference loops, for every
 * variant the CPU has: sums to 1e-13 of the sum of |terms| (the kernels use
 * FMA, the references do not), e^x within 2 ulp of libm, and the properties
 * the training relies on: a row's result never depends on the other rows of
 * the call, and the AVX-512 and AVX2 variants agree bit for bit (the double
 * and the float kernels). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kern.h"
#include "rng.h"

static rng_t R;
static double uni(double s) { return s * (2 * rng_uniform(&R) - 1); }
static void fill(double *x, int n, double s) { for (int i = 0; i < n; i++) x[i] = uni(s); }

/* |a - b| within 1e-13 of the magnitude m of what was summed */
static int close(double a, double b, double m) { return fabs(a - b) <= 1e-13 * (m + 1e-300) || a == b; }

static double ref_exp_ulps(void) {
  double worst = 0;
  enum { N = 4096 };
  double x[N], y[N];
  for (int rep = 0; rep < 50; rep++) {
    for (int i = 0; i < N; i++) x[i] = rep < 25 ? uni(1) * 40 : -708 + 1417 * rng_uniform(&R);
    kern_exp(x, y, N - rep); /* lengths that end mid-vector too */
    for (int i = 0; i < N - rep; i++) {
      double e = exp(x[i]), ulp = nextafter(e, INFINITY) - e;
      double u = fabs(y[i] - e) / ulp;
      if (u > worst) worst = u;
    }
  }
  return worst;
}

static void test_exp(void) {
  double u = ref_exp_ulps();
  fprintf(stderr, "kern_exp (%s): max error %.2f ulp\n", kern_variant(), u);
  CHECK(u <= 2);
  double x[7] = {0, -800, 800, NAN, -708.5, 1e-300, -1e-300}, y[7];
  kern_exp(x, y, 7);
  CHECK(y[0] == 1);
  CHECK(y[1] == 0);
  CHECK(isinf(y[2]) && y[2] > 0);
  CHECK(isnan(y[3]));
  CHECK(y[4] == 0);
  CHECK(y[5] == 1 && y[6] == 1);
}

/* reference Y = epi(b + X W) on unpadded arrays */
static void ref_dense(int n, int in, int out, const double *X, const double *W, const double *b, const double *Y0,
                      const double *M, int epi, int acc, double *Y, double *mag) {
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < out; j++) {
      double s = acc ? Y0[i * out + j] : b ? b[j] : 0, m = fabs(s);
      for (int k = 0; k < in; k++) s += X[i * in + k] * W[k * out + j], m += fabs(X[i * in + k] * W[k * out + j]);
      if (epi == KERN_RELU) s = s > 0 ? s : 0;
      if (epi == KERN_SIGMOID) s = 1 / (1 + exp(-s));
      if (epi == KERN_MASK) s = M[i * out + j] > 0 ? s : 0;
      Y[i * out + j] = s;
      mag[i * out + j] = m;
    }
    if (epi == KERN_SOFTMAX) {
      double mx = -INFINITY, t = 0;
      for (int j = 0; j < out; j++) mx = fmax(mx, Y[i * out + j]);
      for (int j = 0; j < out; j++) t += Y[i * out + j] = exp(Y[i * out + j] - mx);
      for (int j = 0; j < out; j++) Y[i * out + j] /= t, mag[i * out + j] = 1;
    }
  }
}

static int shapes_ok = 1;

static void test_dense_shape(int n, int in, int out, int epi, int acc) {
  int ld = kern_pad(out), ldx = in + 3;
  double *X = malloc(sizeof(double) * n * in), *W = malloc(sizeof(double) * in * out), *b = malloc(sizeof(double) * out);
  double *Y0 = malloc(sizeof(double) * n * out), *M = malloc(sizeof(double) * n * out);
  double *Yr = malloc(sizeof(double) * n * out), *mag = malloc(sizeof(double) * n * out);
  double *Xs = kern_alloc((size_t)n * ldx), *Wp = kern_alloc((size_t)in * ld), *Y = kern_alloc((size_t)n * ld);
  double *Mp = kern_alloc((size_t)n * ld), *Y1 = kern_alloc(ld);
  fill(X, n * in, 1); fill(W, in * out, 1); fill(b, out, 1); fill(Y0, n * out, 1); fill(M, n * out, 1);
  for (int i = 0; i < n; i++) {
    memcpy(Xs + (size_t)i * ldx, X + i * in, sizeof(double) * in);
    memcpy(Y + (size_t)i * ld, Y0 + i * out, sizeof(double) * out);
    memcpy(Mp + (size_t)i * ld, M + i * out, sizeof(double) * out);
  }
  kern_pack(in, out, W, out, Wp, ld);
  kern_dense(n, in, out, Xs, ldx, Wp, ld, b, Y, ld, epi | (acc ? KERN_ACC : 0), Mp, ld);
  ref_dense(n, in, out, X, W, b, Y0, M, epi, acc, Yr, mag);
  int ok = 1;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < out; j++) ok &= close(Y[(size_t)i * ld + j], Yr[i * out + j], mag[i * out + j]);
  /* the padding lanes of a softmax row are 0 */
  if (epi == KERN_SOFTMAX)
    for (int i = 0; i < n; i++)
      for (int j = out; j < ld; j++) ok &= Y[(size_t)i * ld + j] == 0;
  /* each row alone gives the same bits */
  if (!acc)
    for (int i = 0; i < n; i++) {
      kern_dense(1, in, out, Xs + (size_t)i * ldx, ldx, Wp, ld, b, Y1, ld, epi, Mp + (size_t)i * ld, ld);
      ok &= !memcmp(Y1, Y + (size_t)i * ld, sizeof(double) * out);
    }
  if (!ok) {
    fprintf(stderr, "kern_dense n=%d in=%d out=%d epi=%d acc=%d: mismatch\n", n, in, out, epi, acc);
    for (int j = 0; j < ld; j++) fprintf(stderr, " %g/%g", Y[j], j < out ? Yr[j] : 0.0);
    fprintf(stderr, "\n");
  }
  shapes_ok &= ok;
  free(X); free(W); free(b); free(Y0); free(M); free(Yr); free(mag);
  free(Xs); free(Wp); free(Y); free(Mp); free(Y1);
}

static void test_dense_dw_shape(int n, int in, int out) {
  int ld = kern_pad(out);
  double *X = malloc(sizeof(double) * n * in), *dY = kern_alloc((size_t)n * ld), *dW = malloc(sizeof(double) * in * out);
  double *dW0 = malloc(sizeof(double) * in * out), *db = malloc(sizeof(double) * out), *db0 = malloc(sizeof(double) * out);
  fill(X, n * in, 1); fill(dY, n * ld, 1); fill(dW0, in * out, 1); fill(db0, out, 1);
  memcpy(dW, dW0, sizeof(double) * in * out);
  memcpy(db, db0, sizeof(double) * out);
  kern_dense_dw(n, in, out, X, in, dY, ld, dW, out, db);
  int ok = 1;
  for (int k = 0; k < in; k++)
    for (int j = 0; j < out; j++) {
      double s = dW0[k * out + j], m = fabs(s);
      for (int i = 0; i < n; i++) s += X[i * in + k] * dY[i * ld + j], m += fabs(X[i * in + k] * dY[i * ld + j]);
      ok &= close(dW[k * out + j], s, m);
    }
  for (int j = 0; j < out; j++) {
    double s = db0[j], m = fabs(s);
    for (int i = 0; i < n; i++) s += dY[i * ld + j], m += fabs(dY[i * ld + j]);
    ok &= close(db[j], s, m);
  }
  /* the transpose route to dX = dY W^T */
  double *W = malloc(sizeof(double) * in * out), *WT = kern_alloc((size_t)out * kern_pad(in));
  double *dX = kern_alloc((size_t)n * kern_pad(in));
  fill(W, in * out, 1);
  kern_pack_t(in, out, W, WT, kern_pad(in));
  kern_dense(n, out, in, dY, ld, WT, kern_pad(in), NULL, dX, kern_pad(in), KERN_LINEAR, NULL, 0);
  for (int i = 0; i < n; i++)
    for (int k = 0; k < in; k++) {
      double s = 0, m = 0;
      for (int j = 0; j < out; j++) s += dY[i * ld + j] * W[k * out + j], m += fabs(dY[i * ld + j] * W[k * out + j]);
      ok &= close(dX[(size_t)i * kern_pad(in) + k], s, m);
    }
  if (!ok) fprintf(stderr, "kern_dense_dw n=%d in=%d out=%d: mismatch\n", n, in, out);
  shapes_ok &= ok;
  free(X); free(dY); free(dW); free(dW0); free(db); free(db0); free(W); free(WT); free(dX);
}

static void test_sparse(void) {
  /* 5 rows of a 12-column sparse matrix, one of them empty */
  int start[6] = {0, 3, 3, 5, 9, 10}, col[10] = {0, 4, 11, 2, 3, 0, 1, 7, 11, 5};
  double val[10];
  fill(val, 10, 2);
  csr X = {5, 12, start, col, val};
  int rows[3] = {3, 0, 1};
  for (int out = 1; out <= 40; out += 3) {
    int ld = kern_pad(out), ok = 1;
    double *W = malloc(sizeof(double) * 12 * out), *b = malloc(sizeof(double) * out), *Wp = kern_alloc(12 * ld);
    double *Y = kern_alloc(3 * ld), *dY = kern_alloc(3 * ld), *dW = kern_alloc(12 * ld), *db = calloc(out, sizeof(double));
    fill(W, 12 * out, 1); fill(b, out, 1); fill(dY, 3 * ld, 1);
    kern_pack(12, out, W, out, Wp, ld);
    for (int epi = KERN_LINEAR; epi <= KERN_SOFTMAX; epi++) {
      kern_sparse(&X, rows, 0, 3, out, Wp, ld, b, Y, ld, epi);
      double dense[12], Yr[40], mag[40];
      for (int i = 0; i < 3; i++) {
        memset(dense, 0, sizeof dense);
        for (int k = start[rows[i]]; k < start[rows[i] + 1]; k++) dense[col[k]] = val[k];
        ref_dense(1, 12, out, dense, W, b, NULL, NULL, epi, 0, Yr, mag);
        for (int j = 0; j < out; j++) ok &= close(Y[i * ld + j], Yr[j], mag[j]);
      }
    }
    kern_sparse_dw(&X, rows, 0, 3, out, dY, ld, dW, ld, db);
    for (int c = 0; c < 12; c++)
      for (int j = 0; j < out; j++) {
        double s = 0, m = 0;
        for (int i = 0; i < 3; i++)
          for (int k = start[rows[i]]; k < start[rows[i] + 1]; k++)
            if (col[k] == c) s += val[k] * dY[i * ld + j], m += fabs(val[k] * dY[i * ld + j]);
        ok &= close(dW[c * ld + j], s, m);
      }
    for (int j = 0; j < out; j++) ok &= close(db[j], dY[j] + dY[ld + j] + dY[2 * ld + j], 3);
    if (!ok) fprintf(stderr, "kern_sparse out=%d: mismatch\n", out);
    CHECK(ok);
    free(W); free(b); free(Wp); free(Y); free(dY); free(dW); free(db);
  }
}

static void test_softmax_back(void) {
  int n = 5, out = 11, ld = kern_pad(out), grow[5] = {2, 0, 2, 1, 1}, ok = 1;
  double *Y = kern_alloc(n * ld), *G = kern_alloc(3 * ld), *dX = kern_alloc(n * ld);
  for (int i = 0; i < n; i++) {
    double s = 0;
    for (int j = 0; j < out; j++) s += Y[i * ld + j] = rng_uniform(&R);
    for (int j = 0; j < out; j++) Y[i * ld + j] /= s;
  }
  for (int i = 0; i < 3; i++) fill(G + i * ld, out, 1);
  kern_softmax_back(n, out, Y, ld, G, ld, grow, dX, ld);
  for (int i = 0; i < n; i++) {
    const double *y = Y + i * ld, *g = G + grow[i] * ld;
    double dot = 0;
    for (int j = 0; j < out; j++) dot += y[j] * g[j];
    for (int j = 0; j < out; j++) ok &= close(dX[i * ld + j], y[j] * (g[j] - dot), 2);
    for (int j = out; j < ld; j++) ok &= dX[i * ld + j] == 0;
  }
  CHECK(ok);
  free(Y); free(G); free(dX);
}

static void test_adam(void) {
  enum { N = 37 };
  double w[N], g[N], g0[N], m[N], v[N], w2[N], m2[N], v2[N];
  fill(w, N, 1); fill(g, N, 1); fill(m, N, 0.1);
  memcpy(g0, g, sizeof g);
  for (int i = 0; i < N; i++) v[i] = rng_uniform(&R) * 0.01;
  memcpy(w2, w, sizeof w); memcpy(m2, m, sizeof m); memcpy(v2, v, sizeof v);
  long lo[2] = {0, 20}, hi[2] = {13, N};
  kern_adam(2, lo, hi, w, g, m, v, 1e-3, 0.9, 0.999, 1e-7);
  int ok = 1;
  for (int i = 0; i < N; i++) {
    int in = i < 13 || i >= 20;
    if (in) {
      m2[i] = 0.9 * m2[i] + 0.1 * g0[i];
      v2[i] = 0.999 * v2[i] + 0.001 * g0[i] * g0[i];
      w2[i] -= 1e-3 * m2[i] / (sqrt(v2[i]) + 1e-7);
    }
    ok &= close(w[i], w2[i], 1) && close(m[i], m2[i], 1) && close(v[i], v2[i], 1);
    if (!in) ok &= w[i] == w2[i] && g[i] == g0[i]; /* outside the runs: untouched */
    else ok &= g[i] == 0;                          /* inside: the gradient is consumed */
  }
  CHECK(ok);
}

/* ---- the float kernels (float32 training) against the double ones ------ */
/* On inputs that are floats, each float result is within 2e-5 of the
 * magnitude of what was summed (47 terms at 6e-8 each, plus e^x's error)
 * of the double kernel's; e^x within 4 float ulp of libm's; a row's result
 * does not depend on the other rows of the call. */
static int closef(double f, double d, double m) { return fabs(f - d) <= 2e-5 * (m + 1e-30) || f == d; }
static float *to_f(const double *x, size_t n) {
  float *y = kern_alloc_f(n);
  for (size_t i = 0; i < n; i++) y[i] = (float)x[i];
  return y;
}
/* x rounded to floats, in place */
static void fround(double *x, size_t n) { for (size_t i = 0; i < n; i++) x[i] = (float)x[i]; }

static int float_dense_shape(int n, int in, int out, int epi) {
  int ld = kern_pad(out), ldf = kern_pad_f(out), ok = 1;
  double *X = kern_alloc((size_t)n * in), *W = kern_alloc((size_t)in * out), *b = kern_alloc(out);
  double *M = kern_alloc((size_t)n * ld), *Wp = kern_alloc((size_t)in * ld), *Y = kern_alloc((size_t)n * ld);
  double *Yr = kern_alloc((size_t)n * out), *mag = kern_alloc((size_t)n * out), *Mr = kern_alloc((size_t)n * out);
  fill(X, n * in, 1); fill(W, in * out, 1); fill(b, out, 1); fill(M, n * ld, 1);
  fround(X, n * in); fround(W, in * out); fround(b, out);
  for (int i = 0; i < n; i++)
    for (int j = 0; j < out; j++) Mr[i * out + j] = M[(size_t)i * ld + j];
  float *Xf = to_f(X, (size_t)n * in), *Wf = to_f(W, (size_t)in * out), *bf = to_f(b, out);
  float *Mf = kern_alloc_f((size_t)n * ldf), *Wpf = kern_alloc_f((size_t)in * ldf), *Yf = kern_alloc_f((size_t)n * ldf);
  float *Y1 = kern_alloc_f(ldf);
  for (int i = 0; i < n; i++)
    for (int j = 0; j < out; j++) Mf[(size_t)i * ldf + j] = (float)M[(size_t)i * ld + j];
  kern_pack(in, out, W, out, Wp, ld);
  kern_pack_f(in, out, Wf, out, Wpf, ldf);
  kern_dense(n, in, out, X, in, Wp, ld, b, Y, ld, epi, M, ld);
  kern_dense_f(n, in, out, Xf, in, Wpf, ldf, bf, Yf, ldf, epi, Mf, ldf);
  ref_dense(n, in, out, X, W, b, NULL, Mr, epi, 0, Yr, mag);
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < out; j++) ok &= closef(Yf[(size_t)i * ldf + j], Y[(size_t)i * ld + j], mag[i * out + j]);
    if (epi == KERN_SOFTMAX)
      for (int j = out; j < ldf; j++) ok &= Yf[(size_t)i * ldf + j] == 0;
    kern_dense_f(1, in, out, Xf + (size_t)i * in, in, Wpf, ldf, bf, Y1, ldf, epi, Mf + (size_t)i * ldf, ldf);
    ok &= !memcmp(Y1, Yf + (size_t)i * ldf, sizeof(float) * out);
  }
  /* the weight gradient and the transpose route, against the double kernels */
  double *dW = kern_alloc((size_t)in * out), *db = kern_alloc(out), *WT = kern_alloc((size_t)out * kern_pad(in));
  double *dX = kern_alloc((size_t)n * kern_pad(in));
  float *dWf = kern_alloc_f((size_t)in * out), *dbf = kern_alloc_f(out), *WTf = kern_alloc_f((size_t)out * kern_pad_f(in));
  float *dXf = kern_alloc_f((size_t)n * kern_pad_f(in)), *Ydf = kern_alloc_f((size_t)n * ldf);
  double *Yd = kern_alloc((size_t)n * ld);
  for (int i = 0; i < n; i++)
    for (int j = 0; j < out; j++) Yd[(size_t)i * ld + j] = Ydf[(size_t)i * ldf + j] = (float)uni(1);
  kern_dense_dw(n, in, out, X, in, Yd, ld, dW, out, db);
  kern_dense_dw_f(n, in, out, Xf, in, Ydf, ldf, dWf, out, dbf);
  for (int q = 0; q < in * out; q++) ok &= closef(dWf[q], dW[q], n);
  for (int j = 0; j < out; j++) ok &= closef(dbf[j], db[j], n);
  kern_pack_t(in, out, W, WT, kern_pad(in));
  kern_pack_t_f(in, out, Wf, WTf, kern_pad_f(in));
  kern_dense(n, out, in, Yd, ld, WT, kern_pad(in), NULL, dX, kern_pad(in), KERN_LINEAR, NULL, 0);
  kern_dense_f(n, out, in, Ydf, ldf, WTf, kern_pad_f(in), NULL, dXf, kern_pad_f(in), KERN_LINEAR, NULL, 0);
  for (int i = 0; i < n; i++)
    for (int k = 0; k < in; k++) ok &= closef(dXf[(size_t)i * kern_pad_f(in) + k], dX[(size_t)i * kern_pad(in) + k], out);
  if (!ok) fprintf(stderr, "float kernels n=%d in=%d out=%d epi=%d: mismatch\n", n, in, out, epi);
  free(X); free(W); free(b); free(M); free(Wp); free(Y); free(Yr); free(mag); free(Mr);
  free(Xf); free(Wf); free(bf); free(Mf); free(Wpf); free(Yf); free(Y1);
  free(dW); free(db); free(WT); free(dX); free(dWf); free(dbf); free(WTf); free(dXf); free(Ydf); free(Yd);
  return ok;
}

static void test_float_kernels(void) {
  static const int ns[] = {1, 3, 5, 30}, ins[] = {1, 14, 47}, outs[] = {1, 8, 10, 16, 30, 33, 70};
  int ok = 1;
  for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
    for (size_t c = 0; c < sizeof ins / sizeof *ins; c++)
      for (size_t d = 0; d < sizeof outs / sizeof *outs; d++)
        for (int epi = KERN_LINEAR; epi <= KERN_MASK; epi++) ok &= float_dense_shape(ns[a], ins[c], outs[d], epi);
  CHECK(ok);
  /* e^x */
  enum { N = 4099 };
  float x[N], y[N];
  double worst = 0;
  for (int i = 0; i < N; i++) x[i] = (float)(-87 + 175.0 * rng_uniform(&R));
  kern_exp_f(x, y, N);
  for (int i = 0; i < N; i++) {
    float e = expf(x[i]), ulp = nextafterf(e, INFINITY) - e;
    worst = fmax(worst, fabs((double)y[i] - e) / ulp);
  }
  fprintf(stderr, "kern_exp_f (%s): max error %.2f float ulp\n", kern_variant(), worst);
  CHECK(worst <= 4);
  float xs[5] = {0, -200, 200, NAN, 1e-30f}, ys[5];
  kern_exp_f(xs, ys, 5);
  CHECK(ys[0] == 1 && ys[1] == 0 && isinf(ys[2]) && isnan(ys[3]) && ys[4] == 1);
  /* sparse rows, softmax backward, Adam: against the double kernels */
  int start[4] = {0, 3, 3, 6}, col[6] = {0, 4, 11, 2, 3, 7}, rows[3] = {2, 0, 1};
  double val[6];
  fill(val, 6, 2);
  fround(val, 6);
  csr X = {3, 12, start, col, val};
  for (int out = 1; out <= 40; out += 3) {
    int ld = kern_pad(out), ldf = kern_pad_f(out);
    double *W = kern_alloc(12 * ld), *b = kern_alloc(ld), *Y = kern_alloc(3 * ld), *dW = kern_alloc(12 * ld),
           *db = kern_alloc(ld), *G = kern_alloc(3 * ld), *dX = kern_alloc(3 * ld);
    fill(W, 12 * ld, 1); fill(b, ld, 1); fill(G, 3 * ld, 1);
    fround(W, 12 * ld); fround(b, ld); fround(G, 3 * ld);
    float *Wf = kern_alloc_f(12 * ldf), *bf = to_f(b, ld), *Yf = kern_alloc_f(3 * ldf), *dWf = kern_alloc_f(12 * ldf),
          *dbf = kern_alloc_f(ldf), *Gf = kern_alloc_f(3 * ldf), *dXf = kern_alloc_f(3 * ldf), *Yg = kern_alloc_f(3 * ldf);
    double *Ygd = kern_alloc(3 * ld);
    for (int r = 0; r < 12; r++)
      for (int j = 0; j < out; j++) Wf[r * ldf + j] = (float)W[r * ld + j];
    for (int r = 0; r < 3; r++)
      for (int j = 0; j < out; j++) Gf[r * ldf + j] = (float)G[r * ld + j];
    for (int epi = KERN_LINEAR; epi <= KERN_SOFTMAX; epi++) {
      kern_sparse(&X, rows, 0, 3, out, W, ld, b, Y, ld, epi);
      kern_sparse_f(&X, rows, 0, 3, out, Wf, ldf, bf, Yf, ldf, epi);
      for (int r = 0; r < 3; r++)
        for (int j = 0; j < out; j++) ok &= closef(Yf[r * ldf + j], Y[r * ld + j], 10);
    }
    /* Y holds softmax rows: the softmax backward of G through them */
    for (int r = 0; r < 3; r++)
      for (int j = 0; j < out; j++) Ygd[r * ld + j] = Yg[r * ldf + j] = Yf[r * ldf + j];
    kern_softmax_back(3, out, Ygd, ld, G, ld, NULL, dX, ld);
    kern_softmax_back_f(3, out, Yg, ldf, Gf, ldf, NULL, dXf, ldf);
    for (int r = 0; r < 3; r++)
      for (int j = 0; j < out; j++) ok &= closef(dXf[r * ldf + j], dX[r * ld + j], 2);
    kern_sparse_dw(&X, rows, 0, 3, out, G, ld, dW, ld, db);
    kern_sparse_dw_f(&X, rows, 0, 3, out, Gf, ldf, dWf, ldf, dbf);
    for (int r = 0; r < 12; r++)
      for (int j = 0; j < out; j++) ok &= closef(dWf[r * ldf + j], dW[r * ld + j], 6);
    for (int j = 0; j < out; j++) ok &= closef(dbf[j], db[j], 3);
    free(W); free(b); free(Y); free(dW); free(db); free(G); free(dX); free(Ygd);
    free(Wf); free(bf); free(Yf); free(dWf); free(dbf); free(Gf); free(dXf); free(Yg);
  }
  CHECK(ok);
  enum { NA = 37 };
  double w[NA], g[NA], m[NA], v[NA];
  float wf[NA], gf[NA], mf[NA], vf[NA];
  fill(w, NA, 1); fill(g, NA, 1); fill(m, NA, 0.1);
  for (int i = 0; i < NA; i++) v[i] = rng_uniform(&R) * 0.01;
  fround(w, NA); fround(g, NA); fround(m, NA); fround(v, NA);
  for (int i = 0; i < NA; i++) wf[i] = (float)w[i], gf[i] = (float)g[i], mf[i] = (float)m[i], vf[i] = (float)v[i];
  long lo[1] = {0}, hi[1] = {NA};
  kern_adam(1, lo, hi, w, g, m, v, 1e-3, 0.9, 0.999, 1e-7);
  kern_adam_f(1, lo, hi, wf, gf, mf, vf, 1e-3, 0.9, 0.999, 1e-7);
  for (int i = 0; i < NA; i++) ok &= closef(wf[i], w[i], 1) && closef(mf[i], m[i], 1) && closef(vf[i], v[i], 1) && gf[i] == 0;
  CHECK(ok);
}

static void run_all(void) {
  static const int ns[] = {1, 2, 3, 4, 5, 9, 26}, ins[] = {1, 3, 14, 47}, outs[] = {1, 2, 8, 10, 16, 30, 33, 70};
  shapes_ok = 1;
  for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
    for (size_t c = 0; c < sizeof ins / sizeof *ins; c++)
      for (size_t d = 0; d < sizeof outs / sizeof *outs; d++) {
        for (int epi = KERN_LINEAR; epi <= KERN_MASK; epi++) test_dense_shape(ns[a], ins[c], outs[d], epi, 0);
        test_dense_shape(ns[a], ins[c], outs[d], KERN_LINEAR, 1);
        test_dense_shape(ns[a], ins[c], outs[d], KERN_MASK, 1);
        test_dense_dw_shape(ns[a], ins[c], outs[d]);
      }
  CHECK(shapes_ok);
  test_exp();
  test_sparse();
  test_softmax_back();
  test_adam();
  test_float_kernels();
}

/* The v4 and v3 variants: one fixed input through every kernel, same bits. */
static void fingerprint(double *out) {
  rng_t save = R;
  rng_seed(&R, 7);
  int n = 13, in = 29, o = 21, ld = kern_pad(o);
  double *X = kern_alloc(n * in), *Wp = kern_alloc(in * ld), *b = kern_alloc(ld), *Y = kern_alloc(n * ld);
  double *dW = kern_alloc(in * o), *db = kern_alloc(o), x[50];
  fill(X, n * in, 1); fill(Wp, in * ld, 1); fill(b, o, 1); fill(x, 50, 30);
  memset(out, 0, sizeof(double) * 4);
  for (int epi = KERN_LINEAR; epi <= KERN_SOFTMAX; epi++) {
    kern_dense(n, in, o, X, in, Wp, ld, b, Y, ld, epi, NULL, 0);
    for (int i = 0; i < n * ld; i++) out[0] = out[0] * 1.0000001 + Y[i];
  }
  kern_dense_dw(n, in, o, X, in, Y, ld, dW, o, db);
  for (int i = 0; i < in * o; i++) out[1] = out[1] * 1.0000001 + dW[i];
  kern_exp(x, x, 50);
  for (int i = 0; i < 50; i++) out[2] = out[2] * 1.0000001 + x[i];
  /* the float kernels too */
  int ldf = kern_pad_f(o);
  float *Xf = kern_alloc_f(n * in), *Wf = kern_alloc_f(in * ldf), *bf = kern_alloc_f(ldf), *Yf = kern_alloc_f(n * ldf);
  float *dWf = kern_alloc_f(in * o), *dbf = kern_alloc_f(o), xf[50];
  for (int i = 0; i < n * in; i++) Xf[i] = (float)uni(1);
  for (int i = 0; i < in * ldf; i++) Wf[i] = i % ldf < o ? (float)uni(1) : 0; /* packed: zero padding */
  for (int i = 0; i < o; i++) bf[i] = (float)uni(1);
  for (int i = 0; i < 50; i++) xf[i] = (float)uni(30);
  for (int epi = KERN_LINEAR; epi <= KERN_SOFTMAX; epi++) {
    kern_dense_f(n, in, o, Xf, in, Wf, ldf, bf, Yf, ldf, epi, NULL, 0);
    for (int i = 0; i < n * ldf; i++) out[3] = out[3] * 1.0000001 + Yf[i];
  }
  kern_dense_dw_f(n, in, o, Xf, in, Yf, ldf, dWf, o, dbf);
  kern_exp_f(xf, xf, 50);
  for (int i = 0; i < in * o; i++) out[3] = out[3] * 1.0000001 + dWf[i];
  for (int i = 0; i < 50; i++) out[3] = out[3] * 1.0000001 + xf[i];
  free(Xf); free(Wf); free(bf); free(Yf); free(dWf); free(dbf);
  free(X); free(Wp); free(b); free(Y); free(dW); free(db);
  R = save;
}

int main(void) {
  rng_seed(&R, 11);
  const char *variants[] = {"v4", "v3", "base"};
  double fp[3][4];
  int have[3];
  for (int v = 0; v < 3; v++) {
    have[v] = kern_select(variants[v]) == 0;
    if (!have[v]) { fprintf(stderr, "variant %s: not on this CPU\n", variants[v]); continue; }
    fprintf(stderr, "variant %s\n", variants[v]);
    run_all();
    fingerprint(fp[v]);
  }
  CHECK(have[2]);
  if (have[0] && have[1]) CHECK(!memcmp(fp[0], fp[1], sizeof fp[0]));
  return check_report();
}
