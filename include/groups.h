/* Groups of recipes for grouped cross-validation: recipes that share the
 * value of one CSV column (ligand, ligand_smiles, source_doi, a lab's batch)
 * always land in the same fold, so a fold asks "does the model predict a
 * group it has never seen?". */
#ifndef AUCLUST_GROUPS_H
#define AUCLUST_GROUPS_H
#include "recipes.h"
#include "rng.h"

typedef struct {
  int n;        /* recipes */
  int ngroups;
  int *of;      /* [n] group of each recipe, numbered by first appearance */
  char **name;  /* [ngroups] the column's value */
  char *column;
} recipe_groups;

/* Reads `column` of the set's file (any column, not only those auclust
 * uses) and groups the recipes by its value; ligand_smiles, solvent_smiles
 * and reductant_smiles group by canonical SMILES (one molecule, however
 * written; a ligand's counter-ions stripped). AU_EDATA when the column is
 * absent (naming the closest header) or a recipe's cell is empty. */
int groups_from_column(const recipe_set *rs, const char *column, recipe_groups *g);
void groups_free(recipe_groups *g);

/* Grouped, stratified k-fold assignment: whole groups are dealt to folds,
 * largest first (groups of equal size in a random order drawn from r), each
 * to the fold where it brings the folds' class counts closest to an even
 * share (ties: the smaller fold, then the lower index). k = 0 or k = ngroups:
 * one group per fold, fold = group (leave-one-group-out, no randomness).
 * Returns the number of folds used, or -1 when k > ngroups. */
int grouped_folds(const int *y, const int *group, int n, int ngroups, int k, rng_t *r, int *fold);
#endif
