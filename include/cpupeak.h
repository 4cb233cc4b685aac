/* The core's double-precision peak, for `train --profile` and scripts/bench:
 * flops per cycle from the microarchitecture (CPUID: vendor, family, vector
 * extensions) times the clock from a calibrated loop of dependent integer
 * additions (one per cycle), best of several runs so that a loaded machine
 * does not lower it. An FMA loop measures what the vector units deliver. */
#ifndef AUCLUST_CPUPEAK_H
#define AUCLUST_CPUPEAK_H

typedef struct {
  int flops_per_cycle;  /* double-precision flops per cycle per core */
  char why[160];        /* how flops_per_cycle was derived */
  double ghz;           /* calibrated clock */
  double cpuinfo_mhz;   /* "cpu MHz" of /proc/cpuinfo, 0 if unknown */
  double peak_gflops;   /* flops_per_cycle * ghz */
  double fma_gflops;    /* measured by an FMA loop (0 if not measured) */
} cpu_peak;

void cpu_peak_measure(cpu_peak *p);
#endif
