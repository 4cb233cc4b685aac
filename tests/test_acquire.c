/* Acquisition functions against hand-computed values, and every strategy's
 * choice on a hand-made two-instance model (each instance's probability of
 * five candidate recipes), with the greedy distance rule. */
#include "acquire.h"

#include <stdlib.h>

#include "check.h"
#include "err.h"

static void test_functions(void) {
  /* UCB = mean + kappa sd */
  CHECK_NEAR(acq_ucb(0.5, 0.1, 2), 0.7, 1e-15);
  CHECK_NEAR(acq_ucb(0.5, 0.1, 0), 0.5, 1e-15);
  /* EI, by hand from tables of the normal distribution:
   * mean 0.6, sd 0.1, best 0.5: z = 1, 0.1 Phi(1) + 0.1 phi(1) = 0.1 (0.8413447461 + 0.2419707245) */
  CHECK_NEAR(acq_ei(0.6, 0.1, 0.5), 0.1083315471, 1e-9);
  /* mean 0.4, sd 0.2, best 0.5: z = -0.5, -0.1 Phi(-0.5) + 0.2 phi(0.5) = -0.1 (0.3085375387) + 0.2 (0.3520653268) */
  CHECK_NEAR(acq_ei(0.4, 0.2, 0.5), 0.0395593115, 1e-9);
  /* no spread: the improvement itself, or nothing */
  CHECK_NEAR(acq_ei(0.7, 0, 0.5), 0.2, 1e-15);
  CHECK(acq_ei(0.3, 0, 0.5) == 0);
  /* far below the incumbent EI vanishes but stays >= 0 */
  CHECK(acq_ei(0.01, 0.001, 0.99) >= 0 && acq_ei(0.01, 0.001, 0.99) < 1e-300);
  double m, s, p2[2] = {0.3, 0.85}, p1[1] = {0.4};
  acq_mean_sd(p2, 2, &m, &s);
  CHECK_NEAR(m, 0.575, 1e-15);
  CHECK_NEAR(s, 0.55 / sqrt(2), 1e-15); /* |p0 - p1| / sqrt 2 for two instances */
  acq_mean_sd(p1, 1, &m, &s);
  CHECK(m == 0.4 && s == 0);
  acq_strategy st;
  CHECK(!acq_parse("thompson", &st) && st == ACQ_THOMPSON);
  CHECK(!acq_parse("random", &st) && st == ACQ_RANDOM);
  CHECK(acq_parse("greedy", &st) == AU_EUSAGE);
}

/* Five candidates of one ligand at temperatures 0, 25, 50, 75, 100 (the
 * rest fixed), scored by two instances:
 *   cand  p0    p1    mean   sd      mean+sd  EI(best 0.7)
 *   0     0.30  0.85  0.575  0.3889  0.9639   0.10060
 *   1     0.90  0.15  0.525  0.5303  1.0553   0.13549
 *   2     0.95  0.65  0.800  0.2121  1.0121   0.14386
 *   3     0.85  0.80  0.825  0.0354  0.8604   0.12500
 *   4     0.95  0.68  0.815  0.1909  1.0059   0.14708
 * so the first pick is 3 by p, 1 by ucb (kappa 1), 4 by ei, 2 by instance
 * 0 (2 and 4 tie at 0.95: candidate order) and 0 by instance 1. */
static const double P[5][2] = {{0.30, 0.85}, {0.90, 0.15}, {0.95, 0.65}, {0.85, 0.80}, {0.95, 0.68}};
static double cond[6 * AU_NCOND];
static double prob[6 * 2];
static int group[6];
static const double lo[AU_NCOND] = {1, 1, 2, 0, 12}, hi[AU_NCOND] = {1, 1, 2, 100, 12};

static acq_pool make_pool(int n) {
  for (int i = 0; i < n; i++) {
    double *x = cond + i * AU_NCOND;
    x[0] = 1; x[1] = 1; x[2] = 2; x[3] = 25.0 * i; x[4] = 12;
    prob[2 * i] = P[i % 5][0];
    prob[2 * i + 1] = P[i % 5][1];
    group[i] = 0;
  }
  return (acq_pool){n, 2, cond, group, prob};
}

static acq_opts opts_for(acq_strategy s) {
  return (acq_opts){s, 1.0, 0.7, 0.05, lo, hi, 0, NULL, NULL, 7};
}

static int first_pick(acq_strategy s) {
  acq_pool pl = make_pool(5);
  acq_opts o = opts_for(s);
  acq_pick k[1];
  return acq_select(&pl, &o, 1, k) == 1 ? (int)k[0].idx : -1;
}

static void test_strategies(void) {
  CHECK(first_pick(ACQ_P) == 3);
  CHECK(first_pick(ACQ_UCB) == 1);
  CHECK(first_pick(ACQ_EI) == 4);
  /* whole batches: every candidate, in the strategy's order */
  acq_pool pl = make_pool(5);
  acq_pick k[5];
  static const int want[3][5] = {{3, 4, 2, 0, 1}, {1, 2, 4, 0, 3}, {4, 2, 1, 3, 0}};
  for (int s = 0; s < 3; s++) {
    acq_opts o = opts_for((acq_strategy)s);
    CHECK(acq_select(&pl, &o, 5, k) == 5);
    for (int i = 0; i < 5; i++) CHECK(k[i].idx == want[s][i]);
  }
  acq_opts o = opts_for(ACQ_UCB);
  acq_select(&pl, &o, 1, k);
  CHECK_NEAR(k[0].score, 0.525 + 0.75 / sqrt(2), 1e-12);
  CHECK_NEAR(k[0].mean, 0.525, 1e-15);
  o = opts_for(ACQ_EI);
  acq_select(&pl, &o, 1, k);
  CHECK_NEAR(k[0].score, 0.14708, 1e-5);

  /* thompson: each pick is the best remaining candidate of the instance
   * drawn for it; over seeds both instances lead */
  int led[2] = {0, 0};
  for (uint64_t seed = 1; seed <= 20; seed++) {
    o = opts_for(ACQ_THOMPSON);
    o.seed = seed;
    CHECK(acq_select(&pl, &o, 5, k) == 5);
    int taken[5] = {0};
    for (int i = 0; i < 5; i++) {
      int q = k[i].inst, best = -1;
      CHECK(q == 0 || q == 1);
      for (int c = 0; c < 5; c++)
        if (!taken[c] && (best < 0 || P[c][q] > P[best][q])) best = c;
      CHECK(k[i].idx == best);
      CHECK(k[i].score == P[best][q]);
      taken[k[i].idx] = 1;
    }
    led[k[0].inst]++;
    if (k[0].inst == 0) CHECK(k[0].idx == 2);
    else CHECK(k[0].idx == 0);
  }
  CHECK(led[0] > 0 && led[1] > 0);

  /* random: a permutation, another for another seed, scores NAN */
  int differ = 0, first[5];
  for (uint64_t seed = 1; seed <= 5; seed++) {
    o = opts_for(ACQ_RANDOM);
    o.seed = seed;
    CHECK(acq_select(&pl, &o, 5, k) == 5);
    int seen[5] = {0};
    for (int i = 0; i < 5; i++) {
      seen[k[i].idx]++;
      CHECK(isnan(k[i].score) && k[i].inst == -1);
      if (seed == 1) first[i] = (int)k[i].idx;
      else differ |= first[i] != k[i].idx;
    }
    for (int i = 0; i < 5; i++) CHECK(seen[i] == 1);
  }
  CHECK(differ);
  /* the same seed, the same batch */
  acq_pick k2[5];
  o = opts_for(ACQ_THOMPSON);
  acq_select(&pl, &o, 5, k);
  acq_select(&pl, &o, 5, k2);
  for (int i = 0; i < 5; i++) CHECK(k[i].idx == k2[i].idx && k[i].inst == k2[i].inst);
}

static void test_distance_rule(void) {
  /* a sixth candidate at 76 C, one hundredth of the range from candidate 3
   * (75 C), nearly as good: taken only when the rule allows it */
  acq_pool pl = make_pool(6);
  cond[5 * AU_NCOND + 3] = 76;
  prob[10] = 0.84;
  prob[11] = 0.80;
  acq_pick k[6];
  acq_opts o = opts_for(ACQ_P);
  CHECK(acq_select(&pl, &o, 3, k) == 3);
  CHECK(k[0].idx == 3 && k[1].idx == 4 && k[2].idx == 2);
  o.min_dist = 0.005;
  CHECK(acq_select(&pl, &o, 2, k) == 2 && k[0].idx == 3 && k[1].idx == 5);
  /* a candidate identical to a pick is never taken, even at min_dist 0 */
  cond[5 * AU_NCOND + 3] = 75;
  o.min_dist = 0;
  CHECK(acq_select(&pl, &o, 6, k) == 5);
  /* another group (other components) is another experiment */
  group[5] = 1;
  o.min_dist = 0.05;
  CHECK(acq_select(&pl, &o, 2, k) == 2 && k[0].idx == 3 && k[1].idx == 5);
  group[5] = 0;
  /* a tried recipe at 49 C keeps candidate 2 (50 C) out; one of another group does not */
  double tried[AU_NCOND] = {1, 1, 2, 49, 12};
  int tg = 0;
  o = opts_for(ACQ_P);
  o.ntried = 1;
  o.tried_cond = tried;
  o.tried_group = &tg;
  pl = make_pool(5);
  CHECK(acq_select(&pl, &o, 5, k) == 4);
  for (int i = 0; i < 4; i++) CHECK(k[i].idx != 2);
  tg = -1;
  CHECK(acq_select(&pl, &o, 5, k) == 5);
  /* a fixed condition that differs makes two recipes different */
  double u[AU_NCOND] = {1, 1, 2, 50, 12}, v[AU_NCOND] = {1, 1.5, 2, 50, 12};
  CHECK(isinf(acq_distance(u, v, lo, hi)));
  v[1] = 1;
  v[3] = 60;
  CHECK_NEAR(acq_distance(u, v, lo, hi), 0.1, 1e-15);
}

int main(void) {
  test_functions();
  test_strategies();
  test_distance_rule();
  return check_report();
}
