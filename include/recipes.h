/* Recipe CSVs and the components table -> descriptor rows and molecules.
 * Required columns (DESIGN.md section 2): ligand_smiles, solvent_smiles,
 * reductant_smiles, ligand_mM, haucl4_mM, reductant_mM, temperature_C, pH;
 * `outcome` (0/1) for training. Unknown columns are ignored. */
#ifndef AUCLUST_RECIPES_H
#define AUCLUST_RECIPES_H
#include <stddef.h>

#include "descriptors.h"
#include "molgraph.h"
#include "table.h"

enum { ROLE_LIGAND, ROLE_SOLVENT, ROLE_REDUCTANT, NROLES };
extern const char *const role_name[NROLES];       /* "ligand", "solvent", "reductant" */
extern const char *const role_smiles_col[NROLES]; /* "ligand_smiles", ... */

typedef struct {
  char *name, *smiles, *canonical, *role;
  double dielectric, redox; /* NAN when the table leaves them empty */
} component;

typedef struct {
  char *path;
  component *c;
  int n;
  int from_model; /* a model's table (possibly extended by --components) */
} component_table;

int components_load(const char *path, component_table *t);
int components_find(const component_table *t, const char *canonical); /* -1 if absent */
void components_free(component_table *t);
/* Default location: components.csv beside the recipe file, else the bundled one. */
char *components_default_path(const char *recipes_path);
/* How to supply a missing component, for error messages ("add a row for it to ..."). */
void components_fix(const component_table *t, char *buf, size_t n);

/* A distinct molecule of a recipe set (canonical SMILES), its graph and,
 * when used as a ligand, its computed properties and gold-binding groups. */
typedef struct {
  char *canonical;
  molgraph g;
  int has_props;
  ligand_props lp;
  unsigned binding; /* binding.h group bits (ligands only); 0 = none */
} molecule;

#define RECIPE_NCARRY 6
extern const char *const recipe_carry_cols[RECIPE_NCARRY]; /* id, ligand, solvent, reductant, source_doi, confidence */

typedef struct {
  char *id;
  char *name[NROLES];
  int mol[NROLES];     /* index into recipe_set.mol */
  double x[AU_XMAX];   /* raw descriptors, Table 1 order, then the set's extra descriptors */
  int ph_missing;      /* pH cell was empty (organic solvent) */
  char *dropped;       /* ligand fragments dropped as counter-ions ('.'-joined), or NULL */
  int outcome;         /* 0, 1, or -1 when unknown */
  int set_ii;          /* 0, 1, or -1 when the column is absent */
  int row;             /* spreadsheet row in the source file */
  char *carry[RECIPE_NCARRY]; /* NULL when the column is absent */
} recipe;

typedef struct {
  char *path;
  recipe *r;
  int n;
  molecule *mol;
  int nmol;
  int has_outcome; /* the file has an outcome column */
  int has_carry[RECIPE_NCARRY];
  int nextra;                       /* extra descriptor columns, x[AU_NDESC ..] */
  char *extra_name[AU_MAXEXTRA];
  unsigned char from_column[AU_NDESC]; /* a column of that name gave some row its value */
  char **notes;                     /* things the user should hear once (counter-ions */
  int nnotes;                       /* dropped, zero concentrations, override columns) */
  char delim;        /* the file's delimiter, and whether it was detected */
  int delim_detected, decimal_comma;
  struct smiles_cache *cache; /* SMILES cell text -> molecule: each text is parsed once */
} recipe_set;

/* pH is an aqueous quantity: an empty pH is an error in a solvent whose
 * dielectric constant exceeds this (water 80.1, formamide 111), unless
 * allowed. Below it (DMSO 47, methanol 33, THF 7.5) empty means "no pH". */
#define AU_PH_DIELECTRIC_MIN 50.0

#define RECIPE_MAX_COLMAP 32
typedef struct {
  double ph_missing_value; /* what an empty pH is encoded as (default 7) */
  int require_outcome;     /* training: every row needs outcome 0 or 1 */
  int require_binding;     /* training: every ligand needs a gold-binding group */
  int allow_missing_ph;    /* empty pH allowed in water-like solvents too */
  int nextra;              /* extra descriptor columns to read (required, numeric) */
  const char *const *extra;
  const unsigned char *need_column; /* [AU_NDESC] or NULL: descriptor columns the file must have */
  int for_model;           /* the extra and needed columns come from a model (for messages) */
  char delimiter;          /* 0: detect (',', ';' or tab) */
  int ncolmap;             /* --column NAME=HEADER: read column HEADER as NAME */
  const char *colmap[RECIPE_MAX_COLMAP];
} recipe_opts;

/* The defaults, with the delimiter and column map of recipes_set_input. */
recipe_opts recipe_opts_default(void);
/* The command line's --delimiter and --column for every recipe file the
 * command reads (entries "NAME=HEADER"; kept, not copied). AU_EUSAGE on a
 * bad delimiter or mapping. */
int recipes_set_input(const char *delimiter, int ncolmap, const char *const *colmap);
int recipes_load(const char *path, const component_table *comp, const recipe_opts *o, recipe_set *s);
/* The same file read a chunk of rows at a time, in memory bounded by the
 * chunk and the distinct molecules, not by the file (predict, featurize):
 * every row is validated by the code recipes_load uses and gives the same
 * recipe, but an error comes when its row is reached. open reads the
 * header into s (no rows); each next replaces s->r by the following rows
 * (at least max unless the file ends; s->n == 0 at the end, after which s
 * holds the notes recipes_load would give). Molecule indexes stay valid
 * across chunks. close frees the stream, not s. */
typedef struct recipe_stream recipe_stream;
int recipes_stream_open(const char *path, const component_table *comp, const recipe_opts *o, recipe_set *s,
                        recipe_stream **st);
int recipes_stream_next(recipe_stream *st, int max);
long recipes_stream_rows(const recipe_stream *st); /* recipes read so far */
/* Hands the last chunk's rows (*n of them) to the caller, to free with
 * recipe_rows_free; the next chunk goes to new storage, so they stay valid
 * while it is read (predict scores one chunk while it reads the next). */
recipe *recipes_stream_take(recipe_stream *st, int *n);
void recipe_rows_free(recipe *r, int n);
void recipes_stream_close(recipe_stream *st);
/* A CSV input read as recipes_load reads one: o's delimiter (0: detected)
 * and --column map, then the `need` columns checked, every missing one in
 * one AU_EDATA message with the closest header. For every CSV a command
 * reads besides components tables (ligand lists, a file read again). */
int recipes_read_table(const char *path, const recipe_opts *o, const char *const *need, int nneed, table *t);
/* "PATH: read as semicolon-separated (detected), decimal commas accepted"
 * into buf for a table not read as comma-separated (returns 1), else 0. */
int recipes_read_note(const table *t, char *buf, size_t n);
/* Add (or find) a molecule by SMILES in a set; returns its index or -1 with
 * the error set. */
int recipes_add_molecule(recipe_set *s, const char *smiles, int need_props);
/* The same for a ligand: counter-ion fragments are stripped first (binding.h);
 * *dropped (may be NULL) receives the dropped fragments, malloc'd, or NULL. */
int recipes_add_ligand(recipe_set *s, const char *smiles, char **dropped);
/* Record a note for the user (printf format); the set prints none itself. */
void recipes_note(recipe_set *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void recipes_free(recipe_set *s);

/* Append a recipe made from three SMILES and the components table (its
 * conditions left at 0): what `suggest` scores. */
int recipe_build(recipe_set *s, const component_table *comp, const char *const smiles[NROLES],
                 const char *const names[NROLES]);
/* Parse a whole-string finite number; 0 on success. */
int parse_number(const char *s, double *v);
/* Canonical SMILES through RDKit (malloc'd), or NULL with the error set. */
char *canonical_smiles(const char *smiles);
/* Fill the component-derived descriptors of a recipe from its molecules:
 * ligand properties, solubility; used when recipes are synthesised. */
void recipe_fill_ligand(recipe *r, const molecule *lig);
#endif
