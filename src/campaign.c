#include "campaign.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "model.h"
#include "par.h"
#include "plan.h"
#include "rng.h"
#include "scorer.h"

/* stream tags; the outcome's is simulate's, so initial sets equal its draws */
enum { TAG_OUTCOME = 0x0c0e, TAG_MODEL = 0x30de1, TAG_CAND = 0xca4d, TAG_PICK = 0x91c4 };

/* The simulator's drawing ranges, with lab rounding: where initial recipes
 * come from and where suggestions may go. */
static void lab_space(plan_space *s) {
  memset(s, 0, sizeof *s);
  const sim_range *r = sim_ranges;
  s->lo[D_HAUCL4_MM] = r[SIM_R_HAUCL4].lo;
  s->hi[D_HAUCL4_MM] = r[SIM_R_HAUCL4].hi;
  s->rlo[PLAN_LIGAND_TO_AU] = r[SIM_R_LIGAND_RATIO].lo;
  s->rhi[PLAN_LIGAND_TO_AU] = r[SIM_R_LIGAND_RATIO].hi;
  s->lo[D_LIGAND_MM] = s->rlo[PLAN_LIGAND_TO_AU] * s->lo[D_HAUCL4_MM];
  s->hi[D_LIGAND_MM] = s->rhi[PLAN_LIGAND_TO_AU] * s->hi[D_HAUCL4_MM];
  s->rlo[PLAN_REDUCTANT_TO_AU] = 0;
  s->rhi[PLAN_REDUCTANT_TO_AU] = INFINITY;
  s->lo[D_REDUCTANT_MM] = r[SIM_R_REDUCTANT].lo;
  s->hi[D_REDUCTANT_MM] = r[SIM_R_REDUCTANT].hi;
  s->lo[D_TEMPERATURE_C] = r[SIM_R_TEMPERATURE].lo;
  s->hi[D_TEMPERATURE_C] = r[SIM_R_TEMPERATURE].hi;
  s->lo[D_PH] = r[SIM_R_PH].lo;
  s->hi[D_PH] = r[SIM_R_PH].hi;
  memcpy(s->step, plan_default_step, sizeof s->step);
}

typedef struct {
  const campaign_opts *o;
  const sim_ligands *lig;
  const component_table *comp;
  const recipe_set *tmpl; /* one recipe per ligand: water, NaBH4, conditions 0 */
  plan_space space;
  campaign_run *run;
  void (*progress)(void *, long, long);
  void *pctx;
  pthread_mutex_t mu;
  long done, total;
} ctx_t;

static void label(const ctx_t *c, uint64_t seed, campaign_run *run, int round, int l, const double *cond, double pm,
                  double ps) {
  campaign_exp *e = &run->exp[run->nexp];
  sim_input x = {cond[0], cond[1], cond[2], cond[3], cond[4], c->lig->aromatic[l], c->lig->binds[l], 1};
  rng_t g;
  rng_seed3(&g, seed, TAG_OUTCOME, (uint64_t)run->nexp);
  e->round = round;
  e->ligand = l;
  memcpy(e->cond, cond, sizeof e->cond);
  e->p_model = pm;
  e->p_std = ps;
  e->p_true = sim_p_true(c->o->truth, &x);
  e->outcome = sim_outcome(e->p_true, c->o->noise, &g);
  run->nexp++;
}

/* The recipes labelled so far as a recipe set that borrows the template's
 * molecules and strings (free only .r). */
static recipe_set labelled_set(const ctx_t *c, const campaign_run *run) {
  recipe_set rs = *c->tmpl;
  rs.n = run->nexp;
  rs.r = xmalloc(sizeof(recipe) * (run->nexp + 1));
  rs.has_outcome = 1;
  for (int e = 0; e < run->nexp; e++) {
    rs.r[e] = c->tmpl->r[run->exp[e].ligand];
    memcpy(rs.r[e].x, run->exp[e].cond, sizeof(double) * AU_NCOND);
    rs.r[e].outcome = run->exp[e].outcome;
  }
  return rs;
}

/* One round: train (when the data allow), score every ligand's candidates,
 * pick a batch; returns the number of picks written to pick/plig. */
static int one_round(const ctx_t *c, uint64_t seed, acq_strategy strat, campaign_run *run, int round, acq_pick *pick,
                     int *npick, double **cond_out, int **group_out, int *trained) {
  const campaign_opts *o = c->o;
  int nlig = c->lig->n, nbind = 0, rc = 0;
  for (int l = 0; l < nlig; l++) nbind += c->lig->binds[l] != 0;
  model m = {0};
  *trained = 0;
  if (strat != ACQ_RANDOM) {
    int n1 = 0;
    for (int e = 0; e < run->nexp; e++) n1 += run->exp[e].outcome;
    recipe_set rs = labelled_set(c, run);
    rng_t r;
    rng_seed3(&r, seed, TAG_MODEL, (uint64_t)round);
    rc = model_train(&m, &rs, c->comp, &o->hp, o->ensemble, rng_u64(&r), 1);
    free(rs.r);
    if (!rc) *trained = 1;
    else if (rc == AU_EDATA && (n1 < 3 || run->nexp - n1 < 3)) { au_errclear(); rc = 0; } /* too few of a class yet */
    else return rc;
  }
  int K = *trained ? m.ninst : 1;
  long per = (o->candidates + nbind - 1) / nbind, n = 0;
  double *cond = xmalloc(sizeof(double) * AU_NCOND * per * nlig), *p = xmalloc(sizeof(double) * K * per * nlig);
  int *group = xmalloc(sizeof(int) * per * nlig);
  for (int l = 0; l < nlig && !rc; l++) {
    if (!c->lig->binds[l]) continue; /* as suggest refuses them */
    rng_t r;
    rng_seed3(&r, seed, TAG_CAND, (uint64_t)round * 100003 + (uint64_t)l); /* the same candidates for every strategy */
    long got;
    if ((rc = plan_candidates(&c->space, per, rng_u64(&r), cond + n * AU_NCOND, &got))) break;
    if (*trained) {
      const molgraph *mols[NROLES];
      for (int k = 0; k < NROLES; k++) mols[k] = &c->tmpl->mol[c->tmpl->r[l].mol[k]].g;
      scorer *s = scorer_new(&m, mols, c->tmpl->r[l].x);
      rc = scorer_eval(s, cond + n * AU_NCOND, (int)got, p + n * K); /* a NaN must not be ranked */
      scorer_free(s);
      if (rc) break;
    } else {
      memset(p + n * K, 0, sizeof(double) * K * got);
    }
    for (long i = 0; i < got; i++) group[n + i] = l;
    n += got;
  }
  if (!rc) {
    double *tc = xmalloc(sizeof(double) * AU_NCOND * (run->nexp + 1));
    int *tg = xmalloc(sizeof(int) * (run->nexp + 1));
    for (int e = 0; e < run->nexp; e++) {
      memcpy(tc + e * AU_NCOND, run->exp[e].cond, sizeof(double) * AU_NCOND);
      tg[e] = run->exp[e].ligand;
    }
    acq_pool pool = {n, K, cond, group, p};
    acq_opts ao = {*trained ? strat : ACQ_RANDOM, o->kappa, *trained && strat == ACQ_EI ? plan_incumbent(&m) : 0,
                   o->min_dist, c->space.lo, c->space.hi, run->nexp, tc, tg, seed * 1000003 + (uint64_t)round};
    *npick = acq_select(&pool, &ao, o->batch, pick);
    free(tc); free(tg);
  }
  free(p);
  if (*trained) model_free(&m);
  *cond_out = cond;
  *group_out = group;
  return rc;
}

static int campaign_job(int j, void *vc) {
  ctx_t *c = vc;
  const campaign_opts *o = c->o;
  int si = j / o->seeds;
  uint64_t seed = o->seed + (uint64_t)(j % o->seeds);
  acq_strategy strat = o->strategy[si];
  campaign_run *run = &c->run[j];
  run->exp = xcalloc(o->initial + (size_t)o->rounds * o->batch + 1, sizeof(campaign_exp));
  run->successes = xcalloc(o->rounds + 1, sizeof(double));
  run->best = xcalloc(o->rounds + 1, sizeof(double));
  run->trained = xcalloc(o->rounds + 1, sizeof(int));
  for (int k = 0; k < o->initial; k++) {
    double cond[5];
    int l;
    sim_draw(seed, k, c->lig->n, cond, &l);
    label(c, seed, run, 0, l, cond, NAN, NAN);
  }
  double best = 0, succ = 0;
  for (int e = 0; e < run->nexp; e++) best = fmax(best, run->exp[e].p_true);
  run->best[0] = best;
  acq_pick *pick = xmalloc(sizeof(acq_pick) * (o->batch + 1));
  int rc = 0;
  for (int r = 1; r <= o->rounds && !rc; r++) {
    int npick = 0, trained;
    double *cond = NULL;
    int *group = NULL;
    rc = one_round(c, seed, strat, run, r, pick, &npick, &cond, &group, &trained);
    for (int q = 0; q < npick && !rc; q++) {
      long i = pick[q].idx;
      label(c, seed, run, r, group[i], cond + i * AU_NCOND, trained ? pick[q].mean : NAN, trained ? pick[q].sd : NAN);
      const campaign_exp *e = &run->exp[run->nexp - 1];
      succ += e->outcome;
      best = fmax(best, e->p_true);
    }
    free(cond); free(group);
    run->trained[r] = trained;
    run->successes[r] = succ;
    run->best[r] = best;
    if (c->progress) {
      pthread_mutex_lock(&c->mu);
      c->progress(c->pctx, ++c->done, c->total);
      pthread_mutex_unlock(&c->mu);
    }
  }
  free(pick);
  return rc;
}

int campaign_run_all(const campaign_opts *o, const sim_ligands *ligands, const component_table *comp,
                     void (*progress)(void *, long, long), void *pctx, campaign_result *res) {
  memset(res, 0, sizeof *res);
  if (o->ensemble > o->initial)
    return au_fail(AU_EUSAGE, "--ensemble %d needs at least as many initial recipes (--initial %d)", o->ensemble, o->initial);
  int rc = 0, nbind = 0;
  for (int l = 0; l < ligands->n; l++) nbind += ligands->binds[l] != 0;
  if (!nbind) return au_fail(AU_EDATA, "no candidate ligand has a gold-binding group: nothing to suggest");
  recipe_set tmpl = {0};
  for (int l = 0; l < ligands->n && !rc; l++) {
    const char *smi[NROLES] = {ligands->smiles[l], "O", "[Na+].[BH4-]"};
    const char *nm[NROLES] = {ligands->name[l], NULL, NULL};
    rc = recipe_build(&tmpl, comp, smi, nm);
  }
  if (rc) { recipes_free(&tmpl); return rc; }
  tmpl.path = xstrdup("auclust loop (simulated lab)");
  res->o = *o;
  int njobs = o->nstrategy * o->seeds;
  res->run = xcalloc(njobs + 1, sizeof(campaign_run));
  ctx_t c = {.o = o, .lig = ligands, .comp = comp, .tmpl = &tmpl, .run = res->run, .progress = progress, .pctx = pctx};
  lab_space(&c.space);
  c.total = (long)njobs * o->rounds;
  pthread_mutex_init(&c.mu, NULL);
  rc = par_for(njobs, o->threads, campaign_job, &c);
  pthread_mutex_destroy(&c.mu);
  recipes_free(&tmpl);
  if (rc) campaign_free(res);
  return rc;
}

void campaign_free(campaign_result *res) {
  for (int j = 0; res->run && j < res->o.nstrategy * res->o.seeds; j++) {
    free(res->run[j].exp); free(res->run[j].successes); free(res->run[j].best); free(res->run[j].trained);
  }
  free(res->run);
  memset(res, 0, sizeof *res);
}

void campaign_stat(const campaign_result *res, int s, int what, int r, double *mean, double *sd) {
  int n = res->o.seeds;
  double sum = 0, s2 = 0;
  for (int i = 0; i < n; i++) {
    const campaign_run *run = &res->run[s * n + i];
    sum += what ? run->best[r] : run->successes[r];
  }
  *mean = sum / n;
  for (int i = 0; i < n; i++) {
    const campaign_run *run = &res->run[s * n + i];
    double d = (what ? run->best[r] : run->successes[r]) - *mean;
    s2 += d * d;
  }
  *sd = n > 1 ? sqrt(s2 / (n - 1)) : 0;
}
