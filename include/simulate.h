/* A virtual lab: documented, deterministic oracles that label synthesis
 * recipes with a KNOWN truth, for benchmarks, tests and model development.
 * Its labels are synthetic, never experimental.
 *   paper-tree  the seed paper's Figure 6 rules for aqueous Au25 (0 or 1);
 *   kinetic     a smooth success probability, a product of literature
 *               trends (sim_kinetic_terms); outcomes are drawn from it.
 * Under both truths a ligand without a gold-binding group always fails. */
#ifndef AUCLUST_SIMULATE_H
#define AUCLUST_SIMULATE_H
#include "molgraph.h"
#include "rng.h"

typedef enum { SIM_PAPER_TREE, SIM_KINETIC, SIM_NTRUTHS } sim_truth;
extern const char *const sim_truth_names[SIM_NTRUTHS]; /* "paper-tree", "kinetic" */
int sim_truth_parse(const char *name, sim_truth *t);  /* AU_EUSAGE if unknown */

/* What the oracles look at. */
typedef struct {
  double ligand_mM, haucl4_mM, reductant_mM, temperature_C, pH;
  int aromatic;   /* the ligand has an aromatic atom (descriptor ligand_aromatic) */
  int binds_gold; /* the ligand has a gold-binding group (ligand_binds_gold) */
  int aqueous;    /* the solvent is water */
} sim_input;

/* Probability of an atomically precise product: 0 or 1 for paper-tree. */
double sim_p_true(sim_truth t, const sim_input *x);

/* The kinetic truth, one row per multiplicative term: p = p_max * prod f_k.
 * The constants used by sim_p_true live here and nowhere else. */
typedef struct {
  const char *name, *form, *source;
  double c[4]; /* the term's constants, named in `form` */
} sim_term;
enum { SIM_K_PMAX, SIM_K_TEMP, SIM_K_RATIO, SIM_K_PH, SIM_K_REDUCTANT, SIM_K_AROMATIC, SIM_NTERMS };
extern const sim_term sim_kinetic_terms[SIM_NTERMS];

/* 1 when a ligand graph carries a gold-binding group of binding.h's SMARTS
 * table (thiol, thiolate, disulfide, selenol, selenolate, diselenide,
 * phosphine, alkyne, alkynide); thioethers, amines and carboxylates do
 * not count. */
int ligand_binds_gold(const molgraph *g);

/* The ranges recipes are drawn in: uniform in value, or in log value for
 * the ligand:Au ratio. */
typedef struct {
  const char *name;
  double lo, hi;
  int log_uniform;
} sim_range;
enum { SIM_R_HAUCL4, SIM_R_LIGAND_RATIO, SIM_R_REDUCTANT, SIM_R_TEMPERATURE, SIM_R_PH, SIM_NRANGES };
extern const sim_range sim_ranges[SIM_NRANGES];

/* Draw the conditions of recipe number `i` of seed `seed` (each recipe has
 * its own stream, so the first N recipes of a larger draw are the same):
 * cond = ligand_mM, haucl4_mM, reductant_mM, temperature_C, pH, and the
 * index of the ligand among nlig. */
void sim_draw(uint64_t seed, long i, int nlig, double cond[5], int *ligand);
/* The candidate ligands recipes are drawn with: a CSV with name,smiles
 * (data/ligands.csv by default, $AUCLUST_DATA/ligands.csv when set), each
 * with its aromaticity and gold-binding check. The file is read as the
 * command line's --delimiter and --column say (recipes_read_table). */
typedef struct {
  char **name, **smiles;
  int *aromatic, *binds, n;
  char *note; /* how a file not comma-separated was read, for the command to print; or NULL */
} sim_ligands;
char *sim_ligands_default_path(void); /* malloc'd */
int sim_ligands_load(const char *path, sim_ligands *l);
void sim_ligands_free(sim_ligands *l);

/* The outcome: a draw from p_true, then flipped with probability `noise`. */
int sim_outcome(double p_true, double noise, rng_t *r);
#endif
