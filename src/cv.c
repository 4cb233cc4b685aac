#include "cv.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "model.h"
#include "net.h"
#include "par.h"
#include "progress.h"

const char *const cv_metric_names[5] = {"accuracy", "f1", "mcc", "log_loss", "brier"};

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
  int F = c->o->folds, R = c->o->repeats, n = c->d->n;
  int fold = job % F, rep = (job / F) % R, m = job / (F * R);
  const int *fa = c->res->fold + (size_t)rep * n;
  int *train = xmalloc(sizeof(int) * n), *test = xmalloc(sizeof(int) * n), nt = 0, ne = 0;
  for (int i = 0; i < n; i++) {
    if (fa[i] == fold) test[ne++] = i;
    else train[nt++] = i;
  }
  int rc = 0;
  if (ne) {
    rng_t r;
    rng_seed3(&r, c->o->seed, 100 + (uint64_t)rep, (uint64_t)fold);
    instance in;
    rc = instance_train(&c->L[m], c->d, train, nt, rng_u64(&r), &in);
    if (!rc) {
      double *p = xmalloc(sizeof(double) * ne);
      rc = instance_predict(&c->L[m], &in, c->d, test, ne, p);
      double *out = c->res->p + ((size_t)m * R + rep) * n;
      for (int i = 0; i < ne && !rc; i++) out[test[i]] = p[i];
      free(p);
      instance_free(&in);
    }
  }
  free(train); free(test);
  progress_add(1); /* one fit of the caller's progress_begin count */
  return rc;
}

int cv_run(const recipe_set *rs, const cv_opts *o, cv_result *res) {
  memset(res, 0, sizeof *res);
  int n = rs->n;
  if (o->folds < 2) return au_fail(AU_EUSAGE, "--folds must be at least 2");
  if (o->folds > n) return au_fail(AU_EUSAGE, "--folds %d exceeds the %d recipes", o->folds, n);
  dataset d;
  dataset_from_recipes(rs, &d);
  for (int i = 0; i < n; i++)
    if (d.y[i] != 0 && d.y[i] != 1) {
      dataset_free(&d);
      return au_fail(AU_EDATA, "%s: row %d (id %s) has no outcome", rs->path, rs->r[i].row, rs->r[i].id);
    }
  res->n = n; res->nmodels = o->nmodels; res->repeats = o->repeats;
  res->p = xcalloc((size_t)o->nmodels * o->repeats * n, sizeof(double));
  res->fold = xmalloc(sizeof(int) * o->repeats * n);
  for (int r = 0; r < o->repeats; r++) {
    rng_t g;
    rng_seed3(&g, o->seed, 0, (uint64_t)r);
    stratified_folds(d.y, n, o->folds, &g, res->fold + (size_t)r * n);
  }
  net_layout *L = xmalloc(sizeof(net_layout) * o->nmodels);
  for (int m = 0; m < o->nmodels; m++) net_layout_init(&L[m], &o->hp[m], rs->nextra);
  cv_ctx c = {o, &d, L, res};
  int rc = par_for(o->nmodels * o->repeats * o->folds, o->nthreads, cv_job, &c);
  free(L);
  dataset_free(&d);
  if (rc) cv_result_free(res);
  return rc;
}

static void repeat_metrics(const cv_result *res, const int *y, int m, int r, double *v, confusion *cm) {
  const double *p = res->p + ((size_t)m * res->repeats + r) * res->n;
  int *pred = xmalloc(sizeof(int) * res->n);
  for (int i = 0; i < res->n; i++) pred[i] = p[i] > 0.5;
  *cm = confusion_count(y, pred, res->n);
  v[CV_ACC] = metric_accuracy(*cm);
  v[CV_F1] = metric_f1(*cm);
  v[CV_MCC] = metric_mcc(*cm);
  v[CV_LOGLOSS] = metric_logloss(y, p, res->n);
  v[CV_BRIER] = metric_brier(y, p, res->n);
  free(pred);
}

void cv_summarise(const cv_result *res, const int *y, int m, cv_summary *s) {
  int R = res->repeats;
  double *v = xmalloc(sizeof(double) * 5 * R), col[5][R > 0 ? R : 1];
  memset(s, 0, sizeof *s);
  for (int r = 0; r < R; r++) {
    confusion cm;
    repeat_metrics(res, y, m, r, v + 5 * r, &cm);
    for (int j = 0; j < 5; j++) col[j][r] = v[5 * r + j];
    s->cm_mean[0] += (double)cm.tp / R; s->cm_mean[1] += (double)cm.fp / R;
    s->cm_mean[2] += (double)cm.tn / R; s->cm_mean[3] += (double)cm.fn / R;
  }
  for (int j = 0; j < 5; j++) metric_mean_std(col[j], R, &s->mean[j], &s->sd[j]);
  free(v);
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
