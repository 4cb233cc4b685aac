/* Fast scoring of many recipes that share their components: the GCNN
 * fingerprints and the 12 component descriptors are constant, so each
 * instance's first dense layer folds them into a bias once and only the five
 * reaction conditions are multiplied per recipe. Used by heatmap, distill
 * and suggest; agrees with instance_predict to rounding. */
#ifndef AUCLUST_SCORER_H
#define AUCLUST_SCORER_H
#include "model.h"

typedef struct scorer scorer;

/* mols: the ligand, solvent and reductant graphs; x: a raw descriptor row
 * whose component descriptors (indexes >= AU_NCOND) are used. */
scorer *scorer_new(const model *m, const molgraph *const mols[NROLES], const double *x);
void scorer_free(scorer *s);
/* p[i * ninst + k] = instance k's probability for conditions cond[i*5 .. i*5+4]. */
/* Both return AU_ENUM when a probability is not finite. */
int scorer_eval(const scorer *s, const double *cond, int n, double *p);
/* Mean over instances into mean[i] (and sd[i] when sd != NULL). */
int scorer_eval_mean(const scorer *s, const double *cond, int n, double *mean, double *sd);
/* The instances' GCNN fingerprints of one molecule in a role, averaged (D values). */
int model_fingerprint(const model *m, int role, const molgraph *g, double *fp_mean);
#endif
