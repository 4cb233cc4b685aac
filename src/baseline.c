#include "baseline.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "forest.h"

int baseline_fit(const net_layout *L, const dataset *d, const int *rows, int nrows, uint64_t seed, instance *in) {
  const hparams *hp = &L->hp;
  int nx = L->nx;
  in->p = xcalloc(1, sizeof(double)); /* no weights; never NULL, like a network's */
  if (hp->head != HEAD_RF) return 0;
  double *X = xmalloc(sizeof(double) * nx * ((size_t)nrows + 1));
  int *y = xmalloc(sizeof(int) * (nrows + 1));
  for (int i = 0; i < nrows; i++) {
    memcpy(X + (size_t)i * nx, d->x + (size_t)rows[i] * nx, sizeof(double) * nx);
    y[i] = d->y[rows[i]];
  }
  forest_params fp = {hp->rf_trees, hp->rf_max_depth, hp->rf_min_leaf, hp->rf_max_features};
  in->forest = forest_fit(X, y, nrows, nx, &fp, seed);
  free(X);
  free(y);
  return in->forest ? 0 : au_errcode();
}

double baseline_rate(const instance *in) {
  int s = 0;
  for (int i = 0; i < in->nsup; i++) s += in->sup_y[i] == 1;
  return in->nsup ? (double)s / in->nsup : 0.5;
}

double baseline_prob(const net_layout *L, const instance *in, const double *x) {
  return L->hp.head == HEAD_RF ? forest_proba(in->forest, x) : baseline_rate(in);
}
