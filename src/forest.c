#include "forest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cart.h"
#include "err.h"
#include "rng.h"

static void forest_alloc(forest *f, int ntrees, int nnodes) {
  f->ntrees = ntrees;
  f->nnodes = nnodes;
  f->start = xcalloc((size_t)ntrees + 1, sizeof(int));
  f->feature = xmalloc(sizeof(int) * ((size_t)nnodes + 1));
  f->threshold = xmalloc(sizeof(double) * ((size_t)nnodes + 1));
  f->left = xmalloc(sizeof(int) * ((size_t)nnodes + 1));
  f->right = xmalloc(sizeof(int) * ((size_t)nnodes + 1));
  f->n = xmalloc(sizeof(int) * ((size_t)nnodes + 1));
  f->n1 = xmalloc(sizeof(int) * ((size_t)nnodes + 1));
}

static void grow_nodes(forest *f, int cap) {
  f->feature = xrealloc(f->feature, sizeof(int) * cap);
  f->threshold = xrealloc(f->threshold, sizeof(double) * cap);
  f->left = xrealloc(f->left, sizeof(int) * cap);
  f->right = xrealloc(f->right, sizeof(int) * cap);
  f->n = xrealloc(f->n, sizeof(int) * cap);
  f->n1 = xrealloc(f->n1, sizeof(int) * cap);
}

forest *forest_fit(const double *X, const int *y, int n, int d, const forest_params *p, uint64_t seed) {
  if (n < 1 || d < 1 || p->trees < 1 || p->min_leaf < 1) {
    au_fail(AU_EDATA, "random forest: need rows, features, at least one tree and min_leaf >= 1");
    return NULL;
  }
  for (int i = 0; i < n; i++)
    if (y[i] != 0 && y[i] != 1) {
      au_fail(AU_EDATA, "random forest: label of row %d is not 0/1", i + 1);
      return NULL;
    }
  int mf = p->max_features > 0 ? p->max_features : (int)floor(sqrt((double)d));
  if (mf < 1) mf = 1;
  forest *f = xcalloc(1, sizeof *f);
  f->d = d;
  int cap = 64 * p->trees;
  forest_alloc(f, p->trees, cap);
  f->nnodes = 0;
  double *Xb = xmalloc(sizeof(double) * (size_t)n * d);
  int *yb = xmalloc(sizeof(int) * n);
  for (int t = 0; t < p->trees; t++) {
    rng_t r;
    rng_seed3(&r, seed, 11, (uint64_t)t);
    for (int i = 0; i < n; i++) { /* bootstrap: n rows drawn with replacement */
      int j = rng_int(&r, n);
      memcpy(Xb + (size_t)i * d, X + (size_t)j * d, sizeof(double) * d);
      yb[i] = y[j];
    }
    cart_params cp = cart_defaults();
    cp.max_depth = p->max_depth;
    cp.min_samples_leaf = p->min_leaf;
    cp.max_features = mf;
    cp.seed = rng_u64(&r);
    cart_tree *ct = cart_fit(Xb, yb, n, d, &cp);
    if (!ct) { free(Xb); free(yb); forest_free(f); return NULL; }
    if (f->nnodes + ct->n_nodes > cap) {
      while (f->nnodes + ct->n_nodes > cap) cap *= 2;
      grow_nodes(f, cap);
    }
    f->start[t] = f->nnodes;
    for (int k = 0; k < ct->n_nodes; k++) {
      const cart_node *nd = &ct->node[k];
      int o = f->nnodes + k;
      f->feature[o] = nd->feature;
      f->threshold[o] = nd->feature >= 0 ? nd->threshold : 0;
      f->left[o] = nd->left;
      f->right[o] = nd->right;
      f->n[o] = nd->n;
      f->n1[o] = cart_counts(ct, k)[1];
    }
    f->nnodes += ct->n_nodes;
    cart_free(ct);
  }
  f->start[p->trees] = f->nnodes;
  free(Xb);
  free(yb);
  return f;
}

void forest_free(forest *f) {
  if (!f) return;
  free(f->start); free(f->feature); free(f->threshold); free(f->left); free(f->right); free(f->n); free(f->n1);
  free(f);
}

double forest_proba(const forest *f, const double *x) {
  double s = 0;
  for (int t = 0; t < f->ntrees; t++) {
    int b = f->start[t], i = 0;
    while (f->feature[b + i] >= 0) i = x[f->feature[b + i]] <= f->threshold[b + i] ? f->left[b + i] : f->right[b + i];
    s += (double)f->n1[b + i] / f->n[b + i];
  }
  return s / f->ntrees;
}

static cJSON *exact17(const double *v, int n) {
  size_t cap = (size_t)n * 26 + 3, len = 0;
  char *b = xmalloc(cap);
  b[len++] = '[';
  for (int i = 0; i < n; i++) len += snprintf(b + len, cap - len, "%s%.17g", i ? "," : "", v[i]);
  b[len++] = ']';
  b[len] = 0;
  cJSON *r = cJSON_CreateRaw(b);
  free(b);
  return r;
}

cJSON *forest_to_json(const forest *f) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "features", f->d);
  cJSON *ts = cJSON_AddArrayToObject(o, "trees");
  for (int t = 0; t < f->ntrees; t++) {
    int b = f->start[t], m = f->start[t + 1] - b;
    cJSON *e = cJSON_CreateObject();
    cJSON_AddItemToObject(e, "feature", cJSON_CreateIntArray(f->feature + b, m));
    cJSON_AddItemToObject(e, "threshold", exact17(f->threshold + b, m));
    cJSON_AddItemToObject(e, "left", cJSON_CreateIntArray(f->left + b, m));
    cJSON_AddItemToObject(e, "right", cJSON_CreateIntArray(f->right + b, m));
    cJSON_AddItemToObject(e, "n", cJSON_CreateIntArray(f->n + b, m));
    cJSON_AddItemToObject(e, "n_success", cJSON_CreateIntArray(f->n1 + b, m));
    cJSON_AddItemToArray(ts, e);
  }
  return o;
}

/* The array a of m integers (or finite numbers when dbl) into out; -1 on a bad entry. */
static int read_arr(const cJSON *a, int m, int *iout, double *dout) {
  if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != m) return -1;
  int i = 0;
  const cJSON *v;
  cJSON_ArrayForEach(v, a) {
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) return -1;
    if (dout) dout[i] = v->valuedouble;
    else {
      if (v->valuedouble != floor(v->valuedouble) || fabs(v->valuedouble) > 1e9) return -1;
      iout[i] = (int)v->valuedouble;
    }
    i++;
  }
  return 0;
}

forest *forest_from_json(const cJSON *o, int d, const char *src) {
  const cJSON *fd = cJSON_GetObjectItemCaseSensitive(o, "features"), *ts = cJSON_GetObjectItemCaseSensitive(o, "trees");
  if (!cJSON_IsNumber(fd) || fd->valuedouble != d) {
    au_fail(AU_EMODEL, "%s: forest must have %d features", src, d);
    return NULL;
  }
  int nt = cJSON_GetArraySize(ts), total = 0;
  if (!cJSON_IsArray(ts) || nt < 1) {
    au_fail(AU_EMODEL, "%s: forest.trees must be a non-empty array", src);
    return NULL;
  }
  const cJSON *e;
  cJSON_ArrayForEach(e, ts) total += cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(e, "feature"));
  forest *f = xcalloc(1, sizeof *f);
  f->d = d;
  forest_alloc(f, nt, total);
  int t = 0, b = 0;
  cJSON_ArrayForEach(e, ts) {
    int m = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(e, "feature"));
    f->start[t] = b;
    int bad = m < 1 || read_arr(cJSON_GetObjectItemCaseSensitive(e, "feature"), m, f->feature + b, NULL) ||
              read_arr(cJSON_GetObjectItemCaseSensitive(e, "threshold"), m, NULL, f->threshold + b) ||
              read_arr(cJSON_GetObjectItemCaseSensitive(e, "left"), m, f->left + b, NULL) ||
              read_arr(cJSON_GetObjectItemCaseSensitive(e, "right"), m, f->right + b, NULL) ||
              read_arr(cJSON_GetObjectItemCaseSensitive(e, "n"), m, f->n + b, NULL) ||
              read_arr(cJSON_GetObjectItemCaseSensitive(e, "n_success"), m, f->n1 + b, NULL);
    /* pre-order: children come after their node, so every walk ends at a leaf */
    for (int k = 0; k < m && !bad; k++) {
      int i = b + k, leaf = f->feature[i] < 0;
      bad = f->feature[i] < -1 || f->feature[i] >= d || f->n[i] < 1 || f->n1[i] < 0 || f->n1[i] > f->n[i] ||
            (!leaf && (f->left[i] <= k || f->left[i] >= m || f->right[i] <= k || f->right[i] >= m));
    }
    if (bad) {
      au_fail(AU_EMODEL, "%s: forest tree %d is damaged (bad index, count or shape)", src, t);
      forest_free(f);
      return NULL;
    }
    b += m;
    t++;
  }
  f->start[nt] = b;
  return f;
}
