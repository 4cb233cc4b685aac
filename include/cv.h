/* Stratified k-fold cross-validation, repeated, over one or several model
 * kinds; every (model, repeat, fold) is an independent job. */
#ifndef AUCLUST_CV_H
#define AUCLUST_CV_H
#include <stdint.h>

#include "hparams.h"
#include "metrics.h"
#include "recipes.h"

typedef struct {
  int folds, repeats, nthreads;
  uint64_t seed;
  int nmodels;
  const hparams *hp; /* [nmodels] */
} cv_opts;

typedef struct {
  int n, nmodels, repeats;
  double *p; /* [nmodels][repeats][n] out-of-fold probability of success */
  int *fold; /* [repeats][n] */
} cv_result;

typedef struct {
  double mean[5], sd[5]; /* accuracy, F1, MCC, log loss, Brier */
  double cm_mean[4];     /* tp, fp, tn, fn averaged over repeats */
} cv_summary;

enum { CV_ACC, CV_F1, CV_MCC, CV_LOGLOSS, CV_BRIER };
extern const char *const cv_metric_names[5];

int cv_run(const recipe_set *rs, const cv_opts *o, cv_result *res);
/* Metrics of model m per repeat (prediction = p > 0.5), then mean/sd. */
void cv_summarise(const cv_result *res, const int *y, int m, cv_summary *s);
/* Mean over repeats of model m's MCC (the tuning objective). */
double cv_mean_mcc(const cv_result *res, const int *y, int m);
void cv_result_free(cv_result *res);
#endif
