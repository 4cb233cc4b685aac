#include "ensemble.h"

#include <stdlib.h>

#include "err.h"
#include "model.h"
#include "par.h"
#include "progress.h"

typedef struct {
  const net_layout *L;
  const dataset *d;
  const int *rows, *fold;
  int nrows, K, progress;
  uint64_t seed;
  instance *inst;
  double *oof; /* [nrows] instance fold[j]'s prediction of rows[j] */
} ens_ctx;

static int ens_job(int k, void *vc) {
  ens_ctx *c = vc;
  int *tr = xmalloc(sizeof(int) * (c->nrows + 1)), *te = xmalloc(sizeof(int) * (c->nrows + 1)), nt = 0, ne = 0;
  for (int j = 0; j < c->nrows; j++) {
    if (!c->K || c->fold[j] != k) tr[nt++] = c->rows[j];
    else te[ne++] = j;
  }
  rng_t r;
  rng_seed3(&r, c->seed, 1, (uint64_t)k);
  int rc = instance_train(c->L, c->d, tr, nt, rng_u64(&r), &c->inst[k]);
  if (!rc && c->oof && ne) {
    double *p = xmalloc(sizeof(double) * ne);
    for (int i = 0; i < ne; i++) tr[i] = c->rows[te[i]];
    rc = instance_predict(c->L, &c->inst[k], c->d, tr, ne, p);
    for (int i = 0; i < ne && !rc; i++) c->oof[te[i]] = p[i];
    free(p);
  }
  free(tr); free(te);
  if (c->progress) progress_add(1); /* one instance */
  return rc;
}

int ensemble_train(const net_layout *L, const dataset *d, const int *rows, int nrows, int K, uint64_t seed,
                   int nthreads, int progress, instance *inst, platt *cal) {
  int *fold = xcalloc(nrows + 1, sizeof(int)), *y = xmalloc(sizeof(int) * (nrows + 1));
  for (int j = 0; j < nrows; j++) y[j] = d->y[rows[j]];
  if (K) {
    rng_t r;
    rng_seed3(&r, seed, 0, 0);
    stratified_folds(y, nrows, K, &r, fold);
  }
  double *oof = K && cal ? xmalloc(sizeof(double) * (nrows + 1)) : NULL;
  ens_ctx c = {L, d, rows, fold, nrows, K, progress, seed, inst, oof};
  int rc = par_for(K ? K : 1, nthreads, ens_job, &c);
  if (cal) cal->fitted = 0;
  if (!rc && oof) rc = platt_fit(oof, y, nrows, cal);
  if (rc)
    for (int k = 0; k < (K ? K : 1); k++) instance_free(&inst[k]);
  free(oof); free(fold); free(y);
  return rc;
}
