/* Deterministic random numbers: xoshiro256** seeded by splitmix64.
 * Every job (fold, repeat, instance) derives its own stream from
 * (seed, tags), so results do not depend on thread scheduling. */
#ifndef AUCLUST_RNG_H
#define AUCLUST_RNG_H
#include <stdint.h>

typedef struct { uint64_t s[4]; } rng_t;

void rng_seed(rng_t *r, uint64_t seed);
/* Stream for a tagged job: the same (seed, a, b) always gives the same stream. */
void rng_seed3(rng_t *r, uint64_t seed, uint64_t a, uint64_t b);
uint64_t rng_u64(rng_t *r);
double rng_uniform(rng_t *r);           /* [0, 1) */
double rng_normal(rng_t *r);            /* N(0, 1) */
int rng_int(rng_t *r, int n);           /* 0 .. n-1, n > 0 */
void rng_shuffle(rng_t *r, int *a, int n);
#endif
