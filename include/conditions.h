/* The five reaction conditions a chemist varies (the first five Table-1
 * descriptors): names, axis labels, range specs "NAME:LO:HI", and the base
 * recipe whose components stay fixed in a map or a search. */
#ifndef AUCLUST_CONDITIONS_H
#define AUCLUST_CONDITIONS_H
#include "cmd_common.h"
#include "model.h"

/* Index 0..4 of a condition name (ligand_mM, haucl4_mM, reductant_mM,
 * temperature_C, pH; also "ligand", "haucl4", "reductant", "temperature",
 * "T"), or -1. */
int cond_index(const char *name);
const char *cond_label(int c); /* "pH", "temperature (°C)", "ligand (mM)", ... */
/* Check one value of a condition: pH in 0..14, temperature in -20..150 C,
 * concentrations >= 0. Returns 0 or AU_EUSAGE naming `what`. */
int cond_check(int c, double v, const char *what);
/* "NAME:LO:HI" -> condition index and range; AU_EUSAGE on a name that is
 * not a condition, a malformed or empty range (LO >= HI), out-of-range values. */
int parse_range(const char *spec, int *c, double *lo, double *hi);
/* The same, but LO = HI is allowed: it fixes the condition. */
int parse_range_or_fixed(const char *spec, int *c, double *lo, double *hi);

/* A base recipe: `spec` is a one-row CSV file, or the id of a row in
 * `recipes` (default: the model's training file). Loaded with the model's
 * components (or comp_path, checked against them). */
typedef struct {
  component_table comp;
  recipe_set rs;
  const recipe *r;
} base_recipe;
int base_recipe_load(const model *m, const char *spec, const char *recipes, const char *comp_path,
                     const input_opts *io, base_recipe *b);
void base_recipe_free(base_recipe *b);
/* The molecule graphs of a recipe's three roles. */
void recipe_graphs(const recipe_set *rs, const recipe *r, const molgraph *out[NROLES]);
/* Bounds from a JSON object {"pH": [7, 14], "temperature_C": {"low": 0, "high": 60}}
 * over lo/hi[AU_NCOND] (conditions absent from it keep their values).
 * AU_EDATA naming `src` and the entry on anything else. */
#include <cjson/cJSON.h>
int cond_bounds_from_json(const cJSON *j, const char *src, double *lo, double *hi);
#endif
