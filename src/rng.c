#include "rng.h"
#include <math.h>

static uint64_t splitmix(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void rng_seed(rng_t *r, uint64_t seed) {
  uint64_t x = seed;
  for (int i = 0; i < 4; i++) r->s[i] = splitmix(&x);
}

void rng_seed3(rng_t *r, uint64_t seed, uint64_t a, uint64_t b) {
  uint64_t x = seed;
  uint64_t h = splitmix(&x);
  x = h ^ (a * 0xd1342543de82ef95ULL);
  h = splitmix(&x);
  x = h ^ (b * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL);
  rng_seed(r, splitmix(&x));
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rng_u64(rng_t *r) {
  uint64_t *s = r->s;
  uint64_t out = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return out;
}

double rng_uniform(rng_t *r) { return (double)(rng_u64(r) >> 11) * 0x1.0p-53; }

double rng_normal(rng_t *r) {
  /* Box-Muller; one of the pair is discarded to keep the state simple */
  double u = rng_uniform(r), v = rng_uniform(r);
  if (u < 1e-300) u = 1e-300;
  return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

int rng_int(rng_t *r, int n) {
  /* Lemire's nearly-divisionless method is overkill here; rejection keeps it unbiased */
  uint64_t lim = UINT64_MAX - UINT64_MAX % (uint64_t)n;
  uint64_t x;
  do x = rng_u64(r); while (x >= lim);
  return (int)(x % (uint64_t)n);
}

void rng_shuffle(rng_t *r, int *a, int n) {
  for (int i = n - 1; i > 0; i--) {
    int j = rng_int(r, i + 1);
    int t = a[i]; a[i] = a[j]; a[j] = t;
  }
}
