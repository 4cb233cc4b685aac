/* Campaigns against the virtual lab: the paper's Figure 2 loop (train,
 * suggest a batch, run it, retrain) with the simulator (simulate.h) as the
 * lab, for several acquisition strategies and seeds.
 *
 * One campaign = one (strategy, seed). Seed s uses the stream seed + s:
 *  - its initial recipes are the first `initial` recipes `auclust simulate
 *    --truth T --seed seed+s` draws, labelled the same way;
 *  - each round trains the model on every recipe labelled so far (a
 *    k-fold ensemble of `ensemble` instances, or one fit for 0), scores
 *    candidates of every ligand with a gold-binding group (as suggest:
 *    water, NaBH4, the simulator's ranges, rounded to lab precision) and picks `batch` of them with the strategy
 *    and the distance rule (acquire.h), away from the recipes already run;
 *  - the oracle labels them: the k-th experiment of a seed draws its
 *    outcome from the same random stream under every strategy (common
 *    random numbers), so strategies differ only by what they pick.
 * Until the model can be trained (both outcomes in every training fold),
 * a round's picks are random; `trained` marks the rounds that were not.
 * Campaigns run in parallel, each in its own slot: results do not depend
 * on the thread count. */
#ifndef AUCLUST_CAMPAIGN_H
#define AUCLUST_CAMPAIGN_H
#include <stdint.h>
#include <stdio.h>

#include "acquire.h"
#include "hparams.h"
#include "recipes.h"
#include "simulate.h"

typedef struct {
  sim_truth truth;
  double noise;            /* label noise of the oracle */
  int initial, rounds, batch;
  int nstrategy;
  acq_strategy strategy[ACQ_NSTRATEGY];
  int seeds;
  uint64_t seed;           /* the first seed */
  hparams hp;              /* the model kind and its hyperparameters */
  int ensemble;            /* instances (k-fold), 0 = one fit */
  long candidates;         /* scored per round, split over the ligands */
  double kappa, min_dist;
  int threads;
} campaign_opts;

/* One labelled experiment of a campaign. */
typedef struct {
  int round;     /* 0 = initial */
  int ligand;    /* index into the ligand list */
  double cond[5];
  double p_model, p_std; /* the model's mean and spread when it was picked (NAN: random pick) */
  double p_true;
  int outcome;
} campaign_exp;

/* Per (strategy, seed): the experiments run; per round r = 0..rounds, the
 * cumulative successes among the suggested experiments (round 0: none) and
 * the best true probability among all labelled recipes (initial included). */
typedef struct {
  int nexp;
  campaign_exp *exp;
  double *successes; /* [rounds + 1] */
  double *best;      /* [rounds + 1] */
  int *trained;      /* [rounds + 1] 1 when the round's picks came from a trained model */
} campaign_run;

typedef struct {
  campaign_opts o;
  campaign_run *run; /* [nstrategy * seeds], strategy-major */
} campaign_result;

/* Runs every (strategy, seed). `ligands` and `comp` (the components table,
 * for water and NaBH4) are read only. progress(ctx, done, total) is called
 * after each round of any campaign, serialised, when not NULL. */
int campaign_run_all(const campaign_opts *o, const sim_ligands *ligands, const component_table *comp,
                     void (*progress)(void *ctx, long done, long total), void *ctx, campaign_result *res);
void campaign_free(campaign_result *res);

/* Mean and standard deviation over seeds (sample sd; 0 for one seed) of
 * strategy s's successes (what = 0) or best p_true (what = 1) at round r. */
void campaign_stat(const campaign_result *res, int s, int what, int r, double *mean, double *sd);
#endif
