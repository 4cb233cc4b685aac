/* The search space of an experiment plan (suggest, loop): bounds on the
 * five reaction conditions, bounds on the ligand:Au and reductant:Au molar
 * ratios, and the precision a lab can set each condition to. Candidate
 * recipes are space-filling points of that space, rounded to lab precision
 * and de-duplicated before they are scored. */
#ifndef AUCLUST_PLAN_H
#define AUCLUST_PLAN_H
#include <stdint.h>

#include "descriptors.h"
#include "model.h"

enum { PLAN_LIGAND_TO_AU, PLAN_REDUCTANT_TO_AU, PLAN_NRATIO };
extern const char *const plan_ratio_name[PLAN_NRATIO]; /* "ligand_to_Au", "reductant_to_Au" */

typedef struct {
  double lo[AU_NCOND], hi[AU_NCOND];           /* lo = hi fixes a condition */
  double rlo[PLAN_NRATIO], rhi[PLAN_NRATIO];   /* molar ratios over HAuCl4 */
  double step[AU_NCOND];                       /* rounding step, 0 = none */
} plan_space;

/* The lab precision used by --round: 0.01 mM, 1 C, 0.1 pH. */
extern const double plan_default_step[AU_NCOND];

/* Bounds from the model's training recipes: each condition's and each
 * ratio's range (recipes without gold are skipped for the ratios); no
 * rounding. */
void plan_space_from_model(plan_space *s, const model *m);
/* "ligand_to_Au" / "reductant_to_Au" -> 0 / 1, else -1. */
int plan_ratio_index(const char *name);
/* "NAME:LO:HI" for a ratio: finite, 0 <= LO < HI. AU_EUSAGE otherwise. */
int plan_parse_ratio(const char *spec, int *r, double *lo, double *hi);
/* "NAME:STEP" (a condition name, STEP > 0) -> s->step. AU_EUSAGE otherwise. */
int plan_parse_step(plan_space *s, const char *spec);

/* 1 when conditions x (5 values) lie inside every bound and ratio bound
 * (to a relative 1e-9). */
int plan_contains(const plan_space *s, const double *x);
/* Round each varying condition with a step to the nearest multiple of its
 * step inside its bounds (fixed conditions stay as given). 0, or -1 when a
 * condition's bounds hold no multiple of its step. */
int plan_round(const plan_space *s, double *x);
/* Decimals that print a multiple of `step` exactly (0.01 -> 2, 1 -> 0). */
int plan_decimals(double step);

/* Up to n candidate conditions into cond[n * 5]: a Halton sequence with a
 * random shift drawn from seed (Cranley-Patterson rotation), mapped so that
 * every point respects the ratio bounds (HAuCl4 within the range the ratios
 * allow, then ligand and reductant within the slice that the ratios leave
 * at that HAuCl4), rounded when steps are set, and with exact duplicates
 * and points rounding leaves outside the bounds removed (*count of them
 * remain). AU_EUSAGE when no recipe satisfies the bounds and the ratio
 * bounds together, or a condition's bounds hold no multiple of its step. */
int plan_candidates(const plan_space *s, long n, uint64_t seed, double *cond, long *count);

/* The highest mean probability the model gives one of its own training
 * recipes: the incumbent of expected improvement ("the best success
 * probability observed so far"). */
double plan_incumbent(const model *m);
#endif
