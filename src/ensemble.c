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
  int nrows, K, B, progress;
  uint64_t seed;
  instance *inst;
  double *oof; /* [B, nrows] bag member b of instance fold[j]'s prediction of rows[j] */
} ens_ctx;

int ensemble_size(const hparams *hp, int K) {
  int B = hp->bag && !hparams_is_baseline(hp) ? hp->bag : 1;
  return (K ? K : 1) * B;
}

/* job = fold k * B + bag member b */
static int ens_job(int job, void *vc) {
  ens_ctx *c = vc;
  int k = job / c->B, b = job % c->B;
  int *tr = xmalloc(sizeof(int) * (c->nrows + 1)), *te = xmalloc(sizeof(int) * (c->nrows + 1)), nt = 0, ne = 0;
  for (int j = 0; j < c->nrows; j++) {
    if (!c->K || c->fold[j] != k) tr[nt++] = c->rows[j];
    else te[ne++] = j;
  }
  rng_t r;
  rng_seed3(&r, c->seed, 1, (uint64_t)k);
  uint64_t s = rng_u64(&r);
  int rc;
  if (c->L->hp.bag && !hparams_is_baseline(&c->L->hp)) {
    rng_seed3(&r, s, 0x626167ULL /* "bag" */, (uint64_t)b);
    rc = instance_train_bootstrap(c->L, c->d, tr, nt, rng_u64(&r), &c->inst[job]);
  } else {
    rc = instance_train(c->L, c->d, tr, nt, s, &c->inst[job]);
  }
  if (!rc && c->oof && ne) {
    double *p = xmalloc(sizeof(double) * ne);
    for (int i = 0; i < ne; i++) tr[i] = c->rows[te[i]];
    rc = instance_predict(c->L, &c->inst[job], c->d, tr, ne, p);
    for (int i = 0; i < ne && !rc; i++) c->oof[(size_t)b * c->nrows + te[i]] = p[i];
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
  int n = ensemble_size(&L->hp, K), B = n / (K ? K : 1);
  double *oof = K && cal ? xmalloc(sizeof(double) * B * (nrows + 1)) : NULL;
  ens_ctx c = {L, d, rows, fold, nrows, K, B, progress, seed, inst, oof};
  int rc = par_for(n, nthreads, ens_job, &c);
  if (cal) cal->fitted = 0;
  /* a row's out-of-fold prediction: the mean over its fold's bag */
  for (int b = 1; b < B && !rc && oof; b++)
    for (int j = 0; j < nrows; j++) oof[j] += oof[(size_t)b * nrows + j];
  for (int j = 0; j < nrows && B > 1 && !rc && oof; j++) oof[j] /= B;
  if (!rc && oof) rc = platt_fit(oof, y, nrows, cal);
  if (rc)
    for (int k = 0; k < n; k++) instance_free(&inst[k]);
  free(oof); free(fold); free(y);
  return rc;
}
