#include "cpupeak.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#endif

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

#if defined(__x86_64__) && defined(__GNUC__)
/* 4 dependent additions per iteration: n * 4 cycles */
static void add_chain(long n) {
  long x = 0;
  for (long i = 0; i < n; i++) __asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0" : "+r"(x));
}

/* 16 independent 512-bit FMA chains: enough to fill two pipes of 4-cycle latency */
__attribute__((target("avx512f"))) static double fma_loop(long n) {
  __m512d m = _mm512_set1_pd(0.999999), c = _mm512_set1_pd(1e-6);
  /* distinct starts, and the asm below hides the values: no chain can be merged or skipped */
#define I(k) _mm512_set1_pd(1e-3 * (k))
  __m512d a0 = I(0), a1 = I(1), a2 = I(2), a3 = I(3), a4 = I(4), a5 = I(5), a6 = I(6), a7 = I(7);
  __m512d a8 = I(8), a9 = I(9), a10 = I(10), a11 = I(11), a12 = I(12), a13 = I(13), a14 = I(14), a15 = I(15);
#undef I
  for (long i = 0; i < n; i++) {
#define S(a) a = _mm512_fmadd_pd(a, m, c)
    S(a0); S(a1); S(a2); S(a3); S(a4); S(a5); S(a6); S(a7);
    S(a8); S(a9); S(a10); S(a11); S(a12); S(a13); S(a14); S(a15);
#undef S
    __asm__ volatile("" : "+v"(a0), "+v"(a1), "+v"(a2), "+v"(a3), "+v"(a4), "+v"(a5), "+v"(a6), "+v"(a7));
    __asm__ volatile("" : "+v"(a8), "+v"(a9), "+v"(a10), "+v"(a11), "+v"(a12), "+v"(a13), "+v"(a14), "+v"(a15));
  }
  __m512d s = _mm512_add_pd(_mm512_add_pd(_mm512_add_pd(a0, a1), _mm512_add_pd(a2, a3)),
                            _mm512_add_pd(_mm512_add_pd(a4, a5), _mm512_add_pd(a6, a7)));
  s = _mm512_add_pd(s, _mm512_add_pd(_mm512_add_pd(_mm512_add_pd(a8, a9), _mm512_add_pd(a10, a11)),
                                     _mm512_add_pd(_mm512_add_pd(a12, a13), _mm512_add_pd(a14, a15))));
  return _mm512_reduce_add_pd(s);
}

static void derive(cpu_peak *p) {
  unsigned a, b, c, d;
  char vendor[13] = {0};
  __cpuid(0, a, b, c, d);
  memcpy(vendor, &b, 4); memcpy(vendor + 4, &d, 4); memcpy(vendor + 8, &c, 4);
  __cpuid(1, a, b, c, d);
  int family = (a >> 8) & 15;
  if (family == 15) family += (a >> 20) & 255;
  __builtin_cpu_init();
  int avx512 = __builtin_cpu_supports("avx512f"), fma = __builtin_cpu_supports("fma");
  int amd = !strcmp(vendor, "AuthenticAMD");
  if (avx512 && (!amd || family >= 0x1a)) {
    p->flops_per_cycle = 32;
    snprintf(p->why, sizeof p->why, "%s family %#x, AVX-512: 2 FMA pipes x 8 doubles x 2", vendor, family);
  } else if (avx512 || fma) {
    p->flops_per_cycle = 16;
    snprintf(p->why, sizeof p->why, "%s family %#x, %s: 2 FMA pipes x 4 doubles x 2", vendor, family,
             avx512 ? "AVX-512 on 256-bit units" : "AVX2+FMA");
  } else {
    p->flops_per_cycle = 4;
    snprintf(p->why, sizeof p->why, "%s family %#x, SSE2: 2 pipes x 2 doubles", vendor, family);
  }
}
#endif

void cpu_peak_measure(cpu_peak *p) {
  memset(p, 0, sizeof *p);
  FILE *f = fopen("/proc/cpuinfo", "r");
  char line[256];
  while (f && fgets(line, sizeof line, f))
    if (!strncmp(line, "cpu MHz", 7) && strchr(line, ':')) { sscanf(strchr(line, ':') + 1, "%lf", &p->cpuinfo_mhz); break; }
  if (f) fclose(f);
#if defined(__x86_64__) && defined(__GNUC__)
  derive(p);
  double best = 1e9;
  long n = 500000; /* 2e6 cycles, under a millisecond */
  for (int r = 0; r < 30; r++) {
    double t = now();
    add_chain(n);
    t = now() - t;
    if (t < best) best = t;
  }
  p->ghz = 4.0 * n / best * 1e-9;
  if (__builtin_cpu_supports("avx512f")) {
    volatile double sink = 0;
    best = 1e9;
    for (int r = 0; r < 10; r++) {
      double t = now();
      sink += fma_loop(n / 4);
      t = now() - t;
      if (t < best) best = t;
    }
    p->fma_gflops = 16.0 * 8 * 2 * (n / 4) / best * 1e-9;
  }
#else
  p->flops_per_cycle = 4;
  snprintf(p->why, sizeof p->why, "unknown architecture: assumed 4");
  p->ghz = p->cpuinfo_mhz / 1000;
#endif
  p->peak_gflops = p->flops_per_cycle * p->ghz;
}
