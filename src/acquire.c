#include "acquire.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "rng.h"

const char *const acq_name[ACQ_NSTRATEGY] = {"p", "ucb", "ei", "thompson", "random"};

int acq_parse(const char *name, acq_strategy *s) {
  for (int i = 0; i < ACQ_NSTRATEGY; i++)
    if (!strcmp(name, acq_name[i])) { *s = (acq_strategy)i; return 0; }
  return au_fail(AU_EUSAGE, "unknown strategy '%s' (p, ucb, ei, thompson or random)", name);
}

double acq_ucb(double mean, double sd, double kappa) { return mean + kappa * sd; }

double acq_ei(double mean, double sd, double best) {
  double d = mean - best;
  if (!(sd > 0)) return d > 0 ? d : 0;
  double z = d / sd;
  double Phi = 0.5 * erfc(-z / sqrt(2)), phi = exp(-0.5 * z * z) / sqrt(2 * M_PI);
  return d * Phi + sd * phi;
}

void acq_mean_sd(const double *p, int K, double *mean, double *sd) {
  double s = 0, s2 = 0;
  for (int k = 0; k < K; k++) s += p[k];
  *mean = s / K;
  for (int k = 0; k < K; k++) s2 += (p[k] - *mean) * (p[k] - *mean);
  *sd = K > 1 ? sqrt(s2 / (K - 1)) : 0;
}

double acq_distance(const double *u, const double *v, const double *lo, const double *hi) {
  double d = 0;
  for (int c = 0; c < AU_NCOND; c++) {
    if (!(hi[c] > lo[c])) {
      if (fabs(u[c] - v[c]) > 1e-9 * fmax(1, fabs(u[c]))) return INFINITY;
      continue;
    }
    double t = fabs(u[c] - v[c]) / (hi[c] - lo[c]);
    if (t > d) d = t;
  }
  return d;
}

/* An order of the candidates, walked from `next`: every candidate before it
 * was taken or is too close to a pick, and stays so as the batch grows. */
typedef struct {
  long *idx, next;
} order;

typedef struct {
  const double *key;
  long i;
} keyed;

static int cmp_keyed(const void *a, const void *b) {
  const keyed *u = a, *v = b;
  if (*u->key != *v->key) return *u->key < *v->key ? 1 : -1; /* decreasing */
  return (u->i > v->i) - (u->i < v->i);                     /* ties: candidate order */
}

static void order_by(order *o, const double *key, long n, long stride) {
  keyed *t = xmalloc(sizeof(keyed) * (n + 1));
  for (long i = 0; i < n; i++) t[i] = (keyed){key + i * stride, i};
  qsort(t, n, sizeof(keyed), cmp_keyed);
  o->idx = xmalloc(sizeof(long) * (n + 1));
  for (long i = 0; i < n; i++) o->idx[i] = t[i].i;
  o->next = 0;
  free(t);
}

static int admissible(const acq_pool *pl, const acq_opts *o, long i, const acq_pick *out, int nout) {
  const double *x = pl->cond + i * AU_NCOND;
  for (int j = 0; j < nout; j++) {
    if (pl->group[out[j].idx] != pl->group[i]) continue;
    double d = acq_distance(x, pl->cond + out[j].idx * AU_NCOND, o->lo, o->hi);
    if (!(d > 0) || d < o->min_dist) return 0;
  }
  for (long j = 0; j < o->ntried; j++) {
    if (o->tried_group[j] != pl->group[i]) continue;
    double d = acq_distance(x, o->tried_cond + j * AU_NCOND, o->lo, o->hi);
    if (!(d > 0) || d < o->min_dist) return 0;
  }
  return 1;
}

static long walk(const acq_pool *pl, const acq_opts *o, order *od, const acq_pick *out, int nout) {
  while (od->next < pl->n) {
    long i = od->idx[od->next++];
    if (admissible(pl, o, i, out, nout)) return i;
  }
  return -1;
}

int acq_select(const acq_pool *pl, const acq_opts *o, int k, acq_pick *out) {
  long n = pl->n;
  int K = pl->ninst, nout = 0;
  if (n <= 0 || k <= 0) return 0;
  double *mean = xmalloc(sizeof(double) * (n + 1)), *sd = xmalloc(sizeof(double) * (n + 1));
  for (long i = 0; i < n; i++) acq_mean_sd(pl->p + i * K, K, &mean[i], &sd[i]);
  rng_t r;
  rng_seed3(&r, o->seed, 0xacf, (uint64_t)o->strategy);
  if (o->strategy == ACQ_THOMPSON) {
    order *per = xcalloc(K, sizeof(order)); /* sorted lazily, per instance drawn */
    while (nout < k) {
      int inst = rng_int(&r, K);
      if (!per[inst].idx) order_by(&per[inst], pl->p + inst, n, K);
      long i = walk(pl, o, &per[inst], out, nout);
      if (i < 0) break; /* every candidate is taken or too close: the other orders agree */
      out[nout++] = (acq_pick){i, mean[i], sd[i], pl->p[i * K + inst], inst};
    }
    for (int q = 0; q < K; q++) free(per[q].idx);
    free(per);
  } else {
    double *score = xmalloc(sizeof(double) * (n + 1));
    order od;
    if (o->strategy == ACQ_RANDOM) {
      od.idx = xmalloc(sizeof(long) * (n + 1));
      od.next = 0;
      for (long i = 0; i < n; i++) od.idx[i] = i;
      for (long i = n - 1; i > 0; i--) { /* Fisher-Yates */
        long j = (long)(rng_u64(&r) % (uint64_t)(i + 1)), t = od.idx[i];
        od.idx[i] = od.idx[j];
        od.idx[j] = t;
      }
      for (long i = 0; i < n; i++) score[i] = NAN;
    } else {
      for (long i = 0; i < n; i++)
        score[i] = o->strategy == ACQ_UCB  ? acq_ucb(mean[i], sd[i], o->kappa)
                   : o->strategy == ACQ_EI ? acq_ei(mean[i], sd[i], o->best)
                                           : mean[i];
      order_by(&od, score, n, 1);
    }
    for (long i; nout < k && (i = walk(pl, o, &od, out, nout)) >= 0;)
      out[nout++] = (acq_pick){i, mean[i], sd[i], score[i], -1};
    free(od.idx);
    free(score);
  }
  free(mean); free(sd);
  return nout;
}
