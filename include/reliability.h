/* Reliability diagrams (cv --reliability): for each model, the observed
 * success rate against the mean predicted probability in 10 equal-width
 * bins of the prediction (metrics.h's metric_reliability), each bin drawn as
 * a dot labelled with its count, the diagonal of perfect calibration, and a
 * histogram of the counts along the bottom. One panel per model. */
#ifndef AUCLUST_RELIABILITY_H
#define AUCLUST_RELIABILITY_H
#include <stdio.h>

#define REL_BINS 10

typedef struct {
  const char *label; /* e.g. "GCNN + SNN" */
  int count[REL_BINS];
  double mean_p[REL_BINS], frac[REL_BINS];
  double ece;
} reliability_panel;

/* Fills a panel from n probabilities p and outcomes y. */
void reliability_fill(reliability_panel *rp, const char *label, const int *y, const double *p, int n);
/* One standalone SVG; title may be NULL. 0, AU_EDATA (no panels) or AU_EIO. */
int svg_reliability_grid(FILE *f, const reliability_panel *panels, int n, const char *title);
#endif
