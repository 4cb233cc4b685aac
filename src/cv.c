#include "cv.h"

#include <stdlib.h>
#include <string.h>

#include "ensemble.h"
#include "err.h"
#include "groups.h"
#include "model.h"
#include "net.h"
#include "par.h"
#include "progress.h"

const char *const cv_metric_names[CV_NMETRICS] = {"accuracy", "f1",    "mcc",         "roc_auc",
                                                  "log_loss", "brier", "brier_skill", "ece"};
const char *const cv_metric_labels[CV_NMETRICS] = {"accuracy", "F1",    "MCC",         "ROC AUC",
                                                   "log loss", "Brier", "Brier skill", "ECE"};

typedef struct {
  const cv_opts *o;
  const dataset *d;
  net_layout *L;
  cv_result *res;
} cv_ctx;

/* job = (model * repeats + repeat) * folds + fold; its seed depends on
 * (seed, repeat, fold) only, so every model sees the same splits and streams */
static int cv_job(int job, void *vc) {
  cv_ctx *c = vc;
  int F = c->res->folds, R = c->o->repeats, n = c->d->n;
  int fold = job % F, rep = (job / F) % R, m = job / (F * R);
  const int *fa = c->res->fold + (size_t)rep * n;
  int *train = xmalloc(sizeof(int) * n), *test = xmalloc(sizeof(int) * n), nt = 0, ne = 0;
  for (int i = 0; i < n; i++) {
    if (fa[i] == fold) test[ne++] = i;
    else train[nt++] = i;
  }
  int rc = 0, K = c->o->ensemble;
  if (ne) {
    rng_t r;
    rng_seed3(&r, c->o->seed, 100 + (uint64_t)rep, (uint64_t)fold);
    uint64_t s = rng_u64(&r);
    int ni = ensemble_size(&c->L[m].hp, K);
    instance *in = xcalloc(ni, sizeof(instance));
    platt cal = {0, 1, 0, 0};
    /* K (or a bag): the instances and calibration train --ensemble K would make of this training fold */
    rc = ni > 1 || K ? ensemble_train(&c->L[m], c->d, train, nt, K, s, 1, 0, in, &cal)
                     : instance_train(&c->L[m], c->d, train, nt, s, in);
    if (!rc) {
      double *p = xmalloc(sizeof(double) * ne), *out = c->res->p + ((size_t)m * R + rep) * n;
      for (int i = 0; i < ne; i++) out[test[i]] = 0;
      for (int k = 0; k < ni && !rc; k++) {
        rc = instance_predict(&c->L[m], &in[k], c->d, test, ne, p);
        for (int i = 0; i < ne && !rc; i++) out[test[i]] += platt_apply(&cal, p[i]) / ni;
      }
      free(p);
      for (int k = 0; k < ni; k++) instance_free(&in[k]);
    }
    free(in);
  }
  free(train); free(test);
  progress_add(1); /* one fit of the caller's progress_begin count */
  return rc;
}

int cv_run(const recipe_set *rs, const cv_opts *o, cv_result *res) {
  memset(res, 0, sizeof *res);
  int n = rs->n;
  int F = o->group && o->folds == 0 ? o->ngroups : o->folds;
  if (F < 2) return au_fail(AU_EUSAGE, o->group ? "--folds must be 0 (one group per fold) or at least 2, and there must be 2 groups"
                                                  : "--folds must be at least 2");
  if (F > n) return au_fail(AU_EUSAGE, "--folds %d exceeds the %d recipes", F, n);
  if (o->group && F > o->ngroups)
    return au_fail(AU_EUSAGE, "--folds %d exceeds the %d groups (--folds 0: one group per fold)", F, o->ngroups);
  if (o->ensemble == 1 || o->ensemble < 0) return au_fail(AU_EUSAGE, "--ensemble must be 0 (off) or at least 2");
  dataset d;
  dataset_from_recipes(rs, &d);
  for (int i = 0; i < n; i++)
    if (d.y[i] != 0 && d.y[i] != 1) {
      dataset_free(&d);
      return au_fail(AU_EDATA, "%s: row %d (id %s) has no outcome", rs->path, rs->r[i].row, rs->r[i].id);
    }
  res->n = n; res->nmodels = o->nmodels; res->repeats = o->repeats; res->folds = F;
  res->p = xcalloc((size_t)o->nmodels * o->repeats * n, sizeof(double));
  res->fold = xmalloc(sizeof(int) * o->repeats * n);
  for (int r = 0; r < o->repeats; r++) {
    rng_t g;
    rng_seed3(&g, o->seed, 0, (uint64_t)r);
    if (o->group) grouped_folds(d.y, o->group, n, o->ngroups, F, &g, res->fold + (size_t)r * n);
    else stratified_folds(d.y, n, F, &g, res->fold + (size_t)r * n);
  }
  net_layout *L = xmalloc(sizeof(net_layout) * o->nmodels);
  for (int m = 0; m < o->nmodels; m++) net_layout_init(&L[m], &o->hp[m], rs->nextra);
  cv_ctx c = {o, &d, L, res};
  int rc = par_for(o->nmodels * o->repeats * F, o->nthreads, cv_job, &c);
  free(L);
  dataset_free(&d);
  if (rc) cv_result_free(res);
  return rc;
}

void cv_prior(const cv_result *res, const int *y, int r, double *pref) {
  const int *fa = res->fold + (size_t)r * res->n;
  double *succ = xcalloc(res->folds, sizeof(double)), *cnt = xcalloc(res->folds, sizeof(double)), S = 0;
  for (int i = 0; i < res->n; i++) {
    succ[fa[i]] += y[i] == 1;
    cnt[fa[i]]++;
    S += y[i] == 1;
  }
  for (int i = 0; i < res->n; i++) {
    double rest = res->n - cnt[fa[i]];
    pref[i] = rest > 0 ? (S - succ[fa[i]]) / rest : 0.5;
  }
  free(succ); free(cnt);
}

static void repeat_metrics(const cv_result *res, const int *y, int m, int r, double *v, confusion *cm) {
  const double *p = res->p + ((size_t)m * res->repeats + r) * res->n;
  int *pred = xmalloc(sizeof(int) * res->n);
  double *pref = xmalloc(sizeof(double) * res->n);
  for (int i = 0; i < res->n; i++) pred[i] = p[i] > 0.5;
  cv_prior(res, y, r, pref);
  *cm = confusion_count(y, pred, res->n);
  v[CV_ACC] = metric_accuracy(*cm);
  v[CV_F1] = metric_f1(*cm);
  v[CV_MCC] = metric_mcc(*cm);
  v[CV_AUC] = metric_auc(y, p, res->n);
  v[CV_LOGLOSS] = metric_logloss(y, p, res->n);
  v[CV_BRIER] = metric_brier(y, p, res->n);
  v[CV_BSS] = metric_brier_skill(y, p, pref, res->n);
  v[CV_ECE] = metric_ece(y, p, res->n);
  free(pred); free(pref);
}

void cv_summarise(const cv_result *res, const int *y, int m, cv_summary *s) {
  int R = res->repeats;
  double *v = xmalloc(sizeof(double) * CV_NMETRICS * R), *col = xmalloc(sizeof(double) * R);
  memset(s, 0, sizeof *s);
  for (int r = 0; r < R; r++) {
    confusion cm;
    repeat_metrics(res, y, m, r, v + CV_NMETRICS * r, &cm);
    s->cm_mean[0] += (double)cm.tp / R; s->cm_mean[1] += (double)cm.fp / R;
    s->cm_mean[2] += (double)cm.tn / R; s->cm_mean[3] += (double)cm.fn / R;
  }
  for (int j = 0; j < CV_NMETRICS; j++) {
    for (int r = 0; r < R; r++) col[r] = v[CV_NMETRICS * r + j];
    metric_mean_std(col, R, &s->mean[j], &s->sd[j]);
  }
  free(v); free(col);
}

void cv_group_accuracy(const cv_result *res, const int *y, const int *group, int ngroups, int m, double *acc) {
  double *cnt = xcalloc(ngroups + 1, sizeof(double));
  for (int g = 0; g < ngroups; g++) acc[g] = 0;
  for (int r = 0; r < res->repeats; r++) {
    const double *p = res->p + ((size_t)m * res->repeats + r) * res->n;
    for (int i = 0; i < res->n; i++) {
      acc[group[i]] += (p[i] > 0.5) == (y[i] == 1);
      cnt[group[i]]++;
    }
  }
  for (int g = 0; g < ngroups; g++) acc[g] = cnt[g] ? acc[g] / cnt[g] : 0;
  free(cnt);
}

double cv_mean_mcc(const cv_result *res, const int *y, int m) {
  cv_summary s;
  cv_summarise(res, y, m, &s);
  return s.mean[CV_MCC];
}

void cv_result_free(cv_result *res) {
  free(res->p); free(res->fold);
  memset(res, 0, sizeof *res);
}
