/* Glue shared by the subcommands: hyperparameters from the command line,
 * recipes with their components table, progress on a terminal. */
#ifndef AUCLUST_CMD_COMMON_H
#define AUCLUST_CMD_COMMON_H
#include <stdio.h>

#include "cli.h"
#include "hparams.h"
#include "model.h"
#include "recipes.h"

/* --hparams FILE then each --set name=value, over the defaults of `kind`
 * (NULL: the model the --hparams file names, else gcnn_snn). */
int hparams_from_cli(const cli_args *a, const char *kind, hparams *hp);
/* Components (path or the default beside the recipes) and the recipes. */
int open_recipes(const char *path, const char *comp_path, double ph_missing, int require_outcome,
                 component_table *comp, recipe_set *rs);
/* Recipes to score with a model: the model's components unless `comp_path`
 * is given, in which case that table must agree with the model's. */
int open_recipes_for_model(const model *m, const char *path, const char *comp_path, component_table *comp,
                           recipe_set *rs);
/* Progress lines on stderr only when it is a terminal. */
void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void progress_done(void);
/* The carried name/provenance columns present in a recipe set, as CSV header/fields. */
void put_carry_header(FILE *f, const recipe_set *rs);
void put_carry_fields(FILE *f, const recipe_set *rs, const recipe *r);
/* Each raw descriptor's range over the model's training sets, and the names
 * of the descriptors of x outside it (';'-separated): an extrapolation, as
 * predict and suggest report it in outside_training_range. */
void model_desc_range(const model *m, double lo[AU_NDESC], double hi[AU_NDESC]);
void put_outside_range(FILE *f, const double *x, const double *lo, const double *hi);
#endif
