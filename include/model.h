/* A trained model: one network or an ensemble of fold instances (the
 * paper averages over the ten instances of its 10-fold split), with its
 * molecule table and the components it was trained with. Saved as one
 * JSON file (cJSON), written whole or not at all. */
#ifndef AUCLUST_MODEL_H
#define AUCLUST_MODEL_H
#include <stdint.h>

#include "calib.h"
#include "net.h"
#include "recipes.h"

#define MODEL_FORMAT_VERSION 1

typedef struct {
  hparams hp;
  net_layout L;
  int nmol;
  char **smiles;        /* canonical SMILES of the molecule table */
  char **names;         /* display names (from the recipe name columns) */
  molgraph *graphs;
  const molgraph **gp;  /* pointers into graphs, for datasets */
  component_table comps;/* the components the training recipes used */
  int ninst;
  instance *inst;
  int ensemble;         /* folds of the ensemble split, 0 for a single fit */
  uint64_t seed;
  char *train_file;
  int train_rows;
  /* how the training file was read (--delimiter, --column), to read it
   * again the same way (heatmap --base ID without --recipes) */
  char train_delimiter; /* 0: detected */
  int train_ncolmap;
  char *train_colmap[RECIPE_MAX_COLMAP];
  int nextra;                        /* user descriptors after the 17 (L.nx = AU_NDESC + nextra) */
  char *extra_name[AU_MAXEXTRA];
  unsigned char from_column[AU_NDESC]; /* descriptors the training file gave as columns */
  platt calib;          /* from the ensemble's out-of-fold predictions; not fitted without --ensemble */
  int uncalibrated;     /* 1: model_predict and the scorer give the raw probabilities */
} model;

/* Stratified k-fold assignment (per class: shuffle, then deal round-robin). */
void stratified_folds(const int *y, int n, int k, rng_t *r, int *fold);

/* Train one instance on all rows (ensemble = 0) or the `ensemble` instances
 * of a stratified split, in parallel, and then their Platt calibration. */
int model_train(model *m, const recipe_set *rs, const component_table *comp, const hparams *hp, int ensemble,
                uint64_t seed, int nthreads);
/* The same, each instance counted on the progress line (progress_add): what
 * `train` shows. model_train counts nothing, so a caller with its own
 * progress units (loop's campaign rounds) keeps its count right. */
int model_train_counted(model *m, const recipe_set *rs, const component_table *comp, const hparams *hp, int ensemble,
                        uint64_t seed, int nthreads);
int model_save(const model *m, const char *path);
int model_load(model *m, const char *path);
void model_free(model *m);

/* `user` agrees on every component the model used (AU_EMODEL otherwise). */
int model_check_components(const model *m, const component_table *user);
/* The components table to read recipes for this model with: the model's
 * own, plus the rows of `user_path` (when not NULL) that it lacks, after
 * checking that the rows both have agree. */
int model_components(const model *m, const char *user_path, component_table *out);
/* p[i * ninst + k] = instance k's probability of success for recipe i. */
int model_predict(const model *m, const recipe_set *q, double *p);
/* The same for rows given as a dataset (d->nx must be the model's). */
int model_predict_dataset(const model *m, const dataset *d, double *p);
/* An instance's probability as the model reports it: Platt-calibrated when
 * the model has a calibration and uncalibrated is 0, else p itself. */
double model_calibrated(const model *m, double p);
/* The training recipes (union of the instances' support sets; a recipe the
 * training file repeats comes as often as it was given): molecule triples,
 * raw descriptors ([n, L.nx]) and outcomes; caller frees the arrays. */
int model_training_rows(const model *m, int **mol, double **x, int **y);
/* Mean and standard deviation over instances. */
void model_mean_std(const model *m, const double *p, int i, double *mean, double *sd);
#endif
