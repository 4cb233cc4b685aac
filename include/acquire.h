/* Acquisition: which candidate recipes to run next, given each model
 * instance's probability of success for each candidate. The ensemble's
 * instances stand in for a posterior: their mean is the estimate, their
 * standard deviation the uncertainty.
 *   p         mean probability (exploitation only)
 *   ucb       mean + kappa * sd
 *   ei        expected improvement over the incumbent `best`, with the
 *             probability taken as normal(mean, sd)
 *   thompson  one instance drawn at random per pick; its probability
 *   random    candidates in a random order (the baseline of random picks)
 * A batch is chosen greedily: the best-scoring candidate that keeps at
 * least min_dist (a fraction of each varying condition's range, Chebyshev)
 * from the batch so far and from recipes already tried with the same
 * components, then the next, so a batch spreads out. */
#ifndef AUCLUST_ACQUIRE_H
#define AUCLUST_ACQUIRE_H
#include <stdint.h>

#include "descriptors.h"

typedef enum { ACQ_P, ACQ_UCB, ACQ_EI, ACQ_THOMPSON, ACQ_RANDOM, ACQ_NSTRATEGY } acq_strategy;
extern const char *const acq_name[ACQ_NSTRATEGY]; /* "p", "ucb", "ei", "thompson", "random" */
int acq_parse(const char *name, acq_strategy *s); /* AU_EUSAGE if unknown */

double acq_ucb(double mean, double sd, double kappa);
/* E[max(P - best, 0)] for P ~ N(mean, sd^2):
 * (mean - best) Phi(z) + sd phi(z), z = (mean - best) / sd; max(mean - best, 0) when sd = 0. */
double acq_ei(double mean, double sd, double best);
/* Mean and sample standard deviation (K - 1; 0 for one instance) of p[0..K-1]. */
void acq_mean_sd(const double *p, int K, double *mean, double *sd);

/* Chebyshev distance between two conditions vectors in units of each
 * varying condition's range (hi - lo); a fixed condition (lo = hi) on which
 * they differ makes them different experiments (infinite distance). */
double acq_distance(const double *u, const double *v, const double *lo, const double *hi);

typedef struct {
  long n;               /* candidates */
  int ninst;            /* model instances */
  const double *cond;   /* [n * AU_NCOND] conditions */
  const int *group;     /* [n] component combination (e.g. the ligand) */
  const double *p;      /* [n * ninst] each instance's probability */
} acq_pool;

typedef struct {
  acq_strategy strategy;
  double kappa;             /* ucb */
  double best;              /* ei: the incumbent */
  double min_dist;          /* see above; a candidate at distance 0 is never taken */
  const double *lo, *hi;    /* [AU_NCOND] distance units */
  long ntried;              /* recipes already run */
  const double *tried_cond; /* [ntried * AU_NCOND] */
  const int *tried_group;   /* [ntried] their groups (-1: other components) */
  uint64_t seed;            /* thompson's draws, random's order */
} acq_opts;

typedef struct {
  long idx;           /* candidate */
  double mean, sd;    /* over instances */
  double score;       /* the acquisition value (thompson: the drawn instance's p; random: NAN) */
  int inst;           /* thompson: the instance drawn, else -1 */
} acq_pick;

/* Up to k picks into out[], best first; returns how many were found. */
int acq_select(const acq_pool *pool, const acq_opts *o, int k, acq_pick *out);
#endif
