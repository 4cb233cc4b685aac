/* The applicability domain of a trained model: whether a recipe resembles
 * what the model was trained on. A recipe is outside when its ligand has no
 * gold-binding group, when no training ligand is similar to it (Tanimoto
 * on Morgan fingerprints below a threshold), when its solvent or reducing
 * agent never occurred in training, or when a descriptor lies outside the
 * training range. The reasons read like "new_ligand(sim=0.23);pH". */
#ifndef AUCLUST_DOMAIN_H
#define AUCLUST_DOMAIN_H
#include "model.h"
#include "similarity.h"

#define DOMAIN_THRESHOLD_DEFAULT 0.4

typedef struct {
  const model *m;
  double threshold;      /* similarity below which a ligand is new */
  int nlig;              /* distinct training ligands */
  int *lig;              /* their indexes into m's molecule table */
  morgan_fp *fp;
  unsigned char *solvent, *reductant; /* [m->nmol]: used in that role in training */
  int nx;
  double lo[AU_XMAX], hi[AU_XMAX];    /* the training range (all instances) */
} domain;

/* The ligand and components part of a verdict. */
typedef struct {
  int nearest;           /* most similar training ligand (index into m's molecules) */
  double similarity;     /* its Tanimoto similarity */
  char reasons[256];     /* "" when the components are inside */
} domain_verdict;

int domain_init(domain *d, const model *m, double threshold);
void domain_free(domain *d);
/* ligand: canonical SMILES and its binding-group mask; solvent, reductant:
 * canonical SMILES. Returns 0 or AU_EDATA (RDKit cannot fingerprint it). */
int domain_components(const domain *d, const char *ligand, unsigned binding, const char *solvent,
                      const char *reductant, domain_verdict *v);
/* The verdict's reasons followed by the descriptors of x (d->nx raw
 * values) outside the training range, ';'-separated, into out. */
void domain_reasons(const domain *d, const domain_verdict *v, const double *x, char *out, size_t n);
/* 1 when the verdict or a descriptor of x puts the recipe outside (what
 * domain_reasons would say, without writing it). */
int domain_outside(const domain *d, const domain_verdict *v, const double *x);
/* Verdicts of every recipe of a set, each ligand fingerprinted once;
 * v[i] for recipe i. */
int domain_recipes(const domain *d, const recipe_set *rs, domain_verdict *v);
/* The same with the verdicts kept across calls in *memo (NULL at first;
 * free with domain_memo_free): the chunks of a streamed file share their
 * molecule table, so each triple is judged once per file. */
typedef struct domain_memo domain_memo;
int domain_recipes_memo(const domain *d, const recipe_set *rs, domain_memo **memo, domain_verdict *v);
void domain_memo_free(domain_memo *m);
#endif
