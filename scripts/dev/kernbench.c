/* Developer tool: one kernel of kern.h at one shape, timed in isolation.
 * Prints the fastest of 200 batches of calls (the mean per call in that
 * batch), so another process on the machine inflates it far less than a
 * whole fit's wall time; use it to compare kernel changes of a few percent.
 *
 *   gcc -O2 -I include scripts/dev/kernbench.c build/libauclust_core.a -lm -o /tmp/kernbench
 *   /tmp/kernbench dense N IN OUT EPI   (EPI: 0 linear, 1 relu, 2 sigmoid, 3 softmax, 4 mask)
 *   /tmp/kernbench dense_dw N IN OUT
 *   /tmp/kernbench adam NPARAMS
 * AUCLUST_KERNELS=v3 (or base) picks another variant, as for auclust. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kern.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static void fill(double *x, size_t n, unsigned *s) {
  for (size_t i = 0; i < n; i++) {
    *s = *s * 1103515245u + 12345u;
    x[i] = (*s >> 8) / 16777216.0 - 0.5;
  }
}

int main(int argc, char **argv) {
  const char *k = argc > 1 ? argv[1] : "";
  int dense = !strcmp(k, "dense"), dw = !strcmp(k, "dense_dw"), adam = !strcmp(k, "adam");
  if (!(dense && argc == 6) && !(dw && argc == 5) && !(adam && argc == 3)) {
    fprintf(stderr, "usage: kernbench dense N IN OUT EPI | dense_dw N IN OUT | adam NPARAMS\n");
    return 2;
  }
  int n = atoi(argv[2]), in = argc > 3 ? atoi(argv[3]) : 0, out = argc > 4 ? atoi(argv[4]) : 0;
  int epi = dense ? atoi(argv[5]) : 0;
  if (n < 1 || n > 1 << 20 || (!adam && (in < 1 || out < 1 || in > 4096 || out > 4096))) {
    fprintf(stderr, "kernbench: shapes out of range\n");
    return 2;
  }
  unsigned seed = 1;
  int ld = kern_pad(out), ldx = kern_pad(in);
  size_t na = adam ? (size_t)n : (size_t)n * (ldx > ld ? ldx : ld) + (size_t)in * ld;
  double *A = kern_alloc(na), *B = kern_alloc(na), *C = kern_alloc(na), *D = kern_alloc(na);
  fill(A, na, &seed); fill(B, na, &seed);
  if (!adam) /* packed weights: zero padding lanes */
    for (int r = 0; r < in; r++)
      for (int j = out; j < ld; j++) B[(size_t)r * ld + j] = 0;
  long lo = 0, hi = n;
  double db[4096];
  memset(db, 0, sizeof db);
  int reps = 2000;
  double best = 1e30;
  for (int batch = 0; batch < 200; batch++) {
    if (adam) { /* Adam consumes g; fresh moments keep m and v far from subnormal within a batch */
      fill(B, na, &seed); fill(C, na, &seed);
      for (size_t i = 0; i < na; i++) D[i] = B[i] * B[i];
    }
    double t0 = now();
    for (int r = 0; r < reps; r++) {
      if (dense) kern_dense(n, in, out, A, ldx, B, ld, NULL, C, ld, epi, C, ld);
      else if (dw) kern_dense_dw(n, in, out, A, ldx, B, ld, C, out, db);
      else kern_adam(1, &lo, &hi, A, B, C, D, 1e-3, 0.9, 0.999, 1e-7);
    }
    double t = (now() - t0) / reps;
    if (t < best) best = t;
  }
  double flops = dense || dw ? 2.0 * n * in * out : 12.0 * n;
  printf("%s (%s) n=%d", k, kern_variant(), n);
  if (!adam) printf(" in=%d out=%d", in, out);
  if (dense) printf(" epi=%d", epi);
  printf(": %.1f ns per call, %.2f ns per %s, %.2f GFLOP/s %s\n", best * 1e9, best * 1e9 / n, adam ? "parameter" : "row",
         flops / best * 1e-9, adam ? "at 12 per parameter" : "in the products");
  free(A); free(B); free(C); free(D);
  return 0;
}
