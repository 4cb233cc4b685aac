/* Stratified k-fold cross-validation, repeated, over one or several model
 * kinds; every (model, repeat, fold) is an independent job. Optionally
 * grouped (whole groups per fold, groups.h) and with an inner calibrated
 * ensemble per outer training fold (what train --ensemble K produces). */
#ifndef AUCLUST_CV_H
#define AUCLUST_CV_H
#include <stdint.h>

#include "hparams.h"
#include "metrics.h"
#include "recipes.h"

typedef struct {
  int folds, repeats, nthreads; /* folds 0 with groups: one group per fold */
  uint64_t seed;
  int nmodels;
  const hparams *hp; /* [nmodels] */
  const int *group;  /* [n] group of each recipe (grouped folds), or NULL */
  int ngroups;
  int ensemble;      /* >= 2: each outer training fold fits a calibrated K-instance ensemble */
} cv_opts;

typedef struct {
  int n, nmodels, repeats, folds;
  double *p; /* [nmodels][repeats][n] out-of-fold probability of success */
  int *fold; /* [repeats][n] */
} cv_result;

enum { CV_ACC, CV_F1, CV_MCC, CV_AUC, CV_LOGLOSS, CV_BRIER, CV_BSS, CV_ECE, CV_NMETRICS };
extern const char *const cv_metric_names[CV_NMETRICS]; /* JSON keys */
extern const char *const cv_metric_labels[CV_NMETRICS]; /* table headings */

typedef struct {
  /* per repeat, then mean and sample sd over repeats (sd meaningless for
   * one repeat: callers print n/a); BSS = 1 - Brier / Brier of the prior
   * (each fold's training success rate) on the same splits */
  double mean[CV_NMETRICS], sd[CV_NMETRICS];
  double cm_mean[4];     /* tp, fp, tn, fn averaged over repeats */
} cv_summary;

int cv_run(const recipe_set *rs, const cv_opts *o, cv_result *res);
/* Metrics of model m per repeat (prediction = p > 0.5), then mean/sd. */
void cv_summarise(const cv_result *res, const int *y, int m, cv_summary *s);
/* Mean over repeats of model m's MCC (the tuning objective). */
double cv_mean_mcc(const cv_result *res, const int *y, int m);
/* The prior's out-of-fold probabilities of repeat r: each fold's training
 * success rate (pref[n]). */
void cv_prior(const cv_result *res, const int *y, int r, double *pref);
/* Accuracy of model m on each group's recipes, pooled over the repeats. */
void cv_group_accuracy(const cv_result *res, const int *y, const int *group, int ngroups, int m, double *acc);
void cv_result_free(cv_result *res);
#endif
