/* Random forest of CART trees (the rf baseline): each tree is grown by
 * cart_fit on a bootstrap sample of the rows, drawing max_features random
 * features at every node; P(class 1) is the mean over the trees of the
 * leaf's training success fraction (scikit-learn's RandomForestClassifier
 * with bootstrap=True). Deterministic per seed: tree t draws from the stream
 * (seed, t) and the trees are grown in order, so no thread count enters. */
#ifndef AUCLUST_FOREST_H
#define AUCLUST_FOREST_H
#include <cjson/cJSON.h>
#include <stdint.h>

typedef struct {
  int trees;        /* >= 1 */
  int max_depth;    /* <= 0: unlimited */
  int min_leaf;     /* >= 1 */
  int max_features; /* <= 0: max(1, floor(sqrt(d))); >= d: every feature */
} forest_params;

/* The trees, flattened: tree t owns nodes start[t] .. start[t+1]-1, in
 * cart's pre-order, child indices relative to the tree's first node. */
typedef struct forest {
  int ntrees, nnodes, d;
  int *start;       /* [ntrees + 1] */
  int *feature;     /* [nnodes] split feature, -1 at a leaf */
  double *threshold;/* [nnodes] x[feature] <= threshold goes left */
  int *left, *right;/* [nnodes] */
  int *n, *n1;      /* [nnodes] training (bootstrap) rows and successes at the node */
} forest;

/* X: n x d row-major, finite; y: 0/1. NULL with au_fail on bad input. */
forest *forest_fit(const double *X, const int *y, int n, int d, const forest_params *p, uint64_t seed);
void forest_free(forest *f);
/* Mean over the trees of the leaf success fraction for the row x (d values). */
double forest_proba(const forest *f, const double *x);
/* {"features": d, "trees": [{"feature", "threshold", "left", "right", "n", "n_success"}...]};
 * thresholds are written with 17 digits so they read back exactly. */
cJSON *forest_to_json(const forest *f);
/* Checks every index and count; NULL with au_fail(AU_EMODEL, "src: ...") when damaged. */
forest *forest_from_json(const cJSON *o, int d, const char *src);
#endif
