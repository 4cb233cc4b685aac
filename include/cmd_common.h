/* Glue shared by the subcommands: hyperparameters from the command line,
 * recipes with their components table, progress on a terminal. */
#ifndef AUCLUST_CMD_COMMON_H
#define AUCLUST_CMD_COMMON_H
#include <stdio.h>

#include "cli.h"
#include "hparams.h"
#include "model.h"
#include "recipes.h"

/* --hparams FILE then each --set name=value, over the defaults (or the
 * --preset) of `kind`
 * (NULL: the model the --hparams file names, else gcnn_snn). */
int hparams_from_cli(const cli_args *a, const char *kind, hparams *hp);
/* How a command reads recipe files: --allow-missing-ph, and for the
 * training commands (train, cv, tune) --extra-descriptors COL1,COL2, an
 * outcome and a gold-binding group in every row, and hp's ph_missing. */
typedef struct {
  const char *cmd;   /* for the notes printed after reading */
  recipe_opts o;
  char *buf;         /* storage of the extra names */
  const char *extra[AU_MAXEXTRA];
} input_opts;
int input_opts_from_cli(const cli_args *a, const hparams *training, input_opts *io);
void input_opts_free(input_opts *io);
/* Components (path or the default beside the recipes) and the recipes;
 * prints the recipe set's notes on stderr. */
int open_recipes(const char *path, const char *comp_path, const input_opts *io, component_table *comp,
                 recipe_set *rs);
/* Recipes to score with a model: its components (plus those of comp_path,
 * checked against them), its ph_missing, extra descriptors and descriptor
 * columns; io adds --allow-missing-ph. Prints the notes. */
int open_recipes_for_model(const model *m, const char *path, const char *comp_path, const input_opts *io,
                           component_table *comp, recipe_set *rs);
/* The same two, streamed (recipes.h: recipes_stream_next gives the rows);
 * the notes are complete only after the last chunk: print them then. */
int open_recipes_stream(const char *path, const char *comp_path, const input_opts *io, component_table *comp,
                        recipe_set *rs, recipe_stream **st);
int open_recipes_stream_for_model(const model *m, const char *path, const char *comp_path, const input_opts *io,
                                  component_table *comp, recipe_set *rs, recipe_stream **st);
/* A recipe set's notes (counter-ions, zero concentrations, override
 * columns), one line each: "auclust CMD: note". */
void print_notes(const char *cmd, const recipe_set *rs);
/* "auclust CMD: 3 of 10 recipes are outside the model's domain (see column domain)" */
void print_domain_summary(const char *cmd, int outside, int n);
/* A status line on stderr only when it is a terminal and not --quiet; for
 * counted work with elapsed time and an estimate use progress.h. */
void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void progress_done(void);
/* --uncalibrated, for the commands that score with a model file. */
#define CLI_CALIB_OPT                                                                            \
  {"--uncalibrated", NULL, NULL,                                                                 \
   "raw probabilities; by default those of a model trained with --ensemble are Platt-calibrated"}
/* model_load, then --uncalibrated. */
int load_model_cli(const cli_args *a, const char *cmd, model *m);
/* After a command's output: one line on stderr saying whether its
 * probabilities are calibrated ("auclust CMD: ..."). */
void print_calibration_note(const char *cmd, const model *m);

/* The carried name/provenance columns present in a recipe set, as CSV header/fields. */
void put_carry_header(FILE *f, const recipe_set *rs);
void put_carry_fields(FILE *f, const recipe_set *rs, const recipe *r);
#endif
