#include "cart.h"
#include "err.h"
#include "rng.h"
#include "check.h"
#include <stdlib.h> /* before xmlcheck.h, which uses malloc */
#include "xmlcheck.h"
#include <cjson/cJSON.h>

/* ---- helpers ---------------------------------------------------------------- */

static int is_leaf(const cart_tree *t, int i) { return t->node[i].feature < 0; }

static int internal_nodes(const cart_tree *t) { return t->n_nodes - cart_leaves(t); }

/* 1 when x's path from the root passes node id. */
static int reaches(const cart_tree *t, const double *x, int id) {
  int i = 0;
  for (;;) {
    if (i == id) return 1;
    if (is_leaf(t, i)) return 0;
    const cart_node *nd = &t->node[i];
    i = x[nd->feature] <= nd->threshold ? nd->left : nd->right;
  }
}

static double gini_of(const int *cnt, int k, int n) {
  double s = 0;
  for (int c = 0; c < k; c++) s += ((double)cnt[c] / n) * ((double)cnt[c] / n);
  return 1 - s;
}

/* sklearn's weighted impurity decrease of node id, from the stored nodes. */
static double node_decrease(const cart_tree *t, int id) {
  const cart_node *p = &t->node[id], *l = &t->node[p->left], *r = &t->node[p->right];
  double nt = p->n;
  return nt / t->node[0].n *
         (p->impurity - r->n / nt * r->impurity - l->n / nt * l->impurity);
}

static void random_data(uint64_t seed, double *X, int *y, int n, int d, int classes) {
  rng_t r;
  rng_seed(&r, seed);
  for (int i = 0; i < n * d; i++) X[i] = rng_uniform(&r);
  for (int i = 0; i < n; i++) y[i] = rng_int(&r, classes);
}

/* Structure every fitted tree must have: consistent counts and depths,
 * pre-order numbering, and leaf counts equal to the training samples routed
 * there. */
static void check_structure(const cart_tree *t, const double *X, const int *y, int n) {
  int k = t->n_classes, ok = 1;
  for (int i = 0; i < t->n_nodes; i++) {
    const cart_node *nd = &t->node[i];
    const int *c = cart_counts(t, i);
    int sum = 0;
    for (int j = 0; j < k; j++) sum += c[j];
    ok &= sum == nd->n;
    ok &= fabs(nd->impurity - gini_of(c, k, nd->n)) < 1e-12;
    for (int j = 0; j < k; j++) ok &= c[j] < c[nd->klass] || (c[j] == c[nd->klass] && j >= nd->klass);
    if (is_leaf(t, i)) continue;
    const cart_node *l = &t->node[nd->left], *r = &t->node[nd->right];
    ok &= nd->left == i + 1 && nd->right > nd->left; /* pre-order */
    ok &= l->depth == nd->depth + 1 && r->depth == nd->depth + 1;
    ok &= l->n + r->n == nd->n;
  }
  CHECK(ok);
  int *leafcnt = calloc((size_t)t->n_nodes * k, sizeof *leafcnt);
  for (int i = 0; i < n; i++) leafcnt[cart_apply(t, X + (size_t)i * t->n_features) * k + y[i]]++;
  int same = 1;
  for (int i = 0; i < t->n_nodes; i++)
    if (is_leaf(t, i))
      for (int j = 0; j < k; j++) same &= leafcnt[i * k + j] == cart_counts(t, i)[j];
  CHECK(same);
  free(leafcnt);
}

/* ---- a data set worked out by hand ---------------------------------------- */

/* (x0, x1) -> y; 4 of class 0, 4 of class 1, root Gini = 1 - 2*(1/2)^2 = 1/2.
 *   s0 (3,6)->0  s1 (8,4)->1  s2 (7,7)->0  s3 (4,5)->1
 *   s4 (9,9)->0  s5 (5,1)->1  s6 (1,8)->1  s7 (2,3)->0
 * Root, x1 <= 5.5: left {s1,s3,s5,s7} = 1x0 + 3x1, Gini 1 - (1/16 + 9/16) = 3/8;
 *   right {s0,s2,s4,s6} = 3x0 + 1x1, Gini 3/8; decrease 8/8 * (1/2 - 3/8) = 1/8.
 *   Runner-up x0 <= 1.5: left {s6} pure, right 4x0 + 3x1, Gini 1 - 25/49 = 24/49;
 *   decrease 1/2 - 7/8 * 24/49 = 1/2 - 3/7 = 1/14 < 1/8. (x1 <= 4.5: left
 *   {s5,s7,s1} Gini 4/9, right 3x0 + 2x1 Gini 12/25, decrease
 *   1/2 - 3/8*4/9 - 5/8*12/25 = 1/30; the rest are lower still.)
 * Left child (x0 = 8,4,5,2 with y = 1,1,1,0): x0 <= (2+4)/2 = 3 isolates s7,
 *   both sides pure: decrease 4/8 * (3/8 - 0) = 3/16.
 * Right child (x0 = 3,7,9,1 with y = 0,0,0,1): x0 <= (1+3)/2 = 2 isolates s6:
 *   decrease 4/8 * 3/8 = 3/16.
 * Pre-order: 0 root, 1 left split, 2 leaf {s7}, 3 leaf {s1,s3,s5},
 *   4 right split, 5 leaf {s6}, 6 leaf {s0,s2,s4}. */
static const double HX[] = {3, 6, 8, 4, 7, 7, 4, 5, 9, 9, 5, 1, 1, 8, 2, 3};
static const int HY[] = {0, 1, 0, 1, 0, 1, 1, 0};

static void test_hand(void) {
  cart_tree *t = cart_fit(HX, HY, 8, 2, NULL);
  CHECK(t != NULL);
  if (!t) return;
  CHECK(t->n_nodes == 7 && t->n_classes == 2 && t->n_features == 2);
  if (t->n_nodes == 7) {
    CHECK(t->node[0].feature == 1);
    CHECK_NEAR(t->node[0].threshold, 5.5, 0);
    CHECK_NEAR(t->node[0].impurity, 0.5, 1e-15);
    CHECK(t->node[0].left == 1 && t->node[0].right == 4);
    CHECK(t->node[1].feature == 0 && t->node[1].n == 4);
    CHECK_NEAR(t->node[1].threshold, 3.0, 0);
    CHECK_NEAR(t->node[1].impurity, 3.0 / 8, 1e-15);
    CHECK(t->node[4].feature == 0 && t->node[4].n == 4);
    CHECK_NEAR(t->node[4].threshold, 2.0, 0);
    CHECK_NEAR(node_decrease(t, 0), 1.0 / 8, 1e-15);
    CHECK_NEAR(node_decrease(t, 1), 3.0 / 16, 1e-15);
    CHECK_NEAR(node_decrease(t, 4), 3.0 / 16, 1e-15);
    CHECK(is_leaf(t, 2) && cart_counts(t, 2)[0] == 1 && cart_counts(t, 2)[1] == 0);
    CHECK(is_leaf(t, 3) && cart_counts(t, 3)[1] == 3 && t->node[3].klass == 1);
    CHECK(is_leaf(t, 5) && t->node[5].klass == 1 && t->node[5].n == 1);
    CHECK(is_leaf(t, 6) && t->node[6].klass == 0 && t->node[6].n == 3);
  }
  CHECK(cart_depth(t) == 2 && cart_leaves(t) == 4);
  int all = 1;
  for (int i = 0; i < 8; i++) all &= cart_predict(t, HX + 2 * i) == HY[i];
  CHECK(all);
  double q[] = {3, 5.5}; /* on both thresholds: equality goes left -> leaf 2 */
  CHECK(cart_apply(t, q) == 2);
  CHECK(cart_proba(t, q, 0) == 1.0 && cart_proba(t, q, 1) == 0.0 && cart_proba(t, q, 2) == 0.0);
  double q2[] = {3.0000001, 5.4}; /* just past x0 <= 3 -> leaf 3, P(1) = 3/3 */
  CHECK(cart_apply(t, q2) == 3 && cart_proba(t, q2, 1) == 1.0);
  check_structure(t, HX, HY, 8);
  cart_free(t);

  /* depth 1: the same root; leaves 1x0+3x1 -> class 1 (P = 3/4), 3x0+1x1 -> 0 */
  cart_params p = cart_defaults();
  p.max_depth = 1;
  t = cart_fit(HX, HY, 8, 2, &p);
  CHECK(t && t->n_nodes == 3 && t->node[0].feature == 1);
  if (t) {
    double a[] = {8, 4}, b[] = {9, 9};
    CHECK(cart_predict(t, a) == 1 && cart_proba(t, a, 1) == 0.75);
    CHECK(cart_predict(t, b) == 0 && cart_proba(t, b, 1) == 0.25);
    cart_free(t);
  }

  /* min_impurity_decrease: the root's 1/8 passes at exactly 1/8 ... */
  p = cart_defaults();
  p.min_impurity_decrease = 0.125;
  t = cart_fit(HX, HY, 8, 2, &p);
  CHECK(t && t->n_nodes == 7);
  cart_free(t);
  /* ... and fails above it: one leaf, a 4/4 tie going to the lower class */
  p.min_impurity_decrease = 0.13;
  t = cart_fit(HX, HY, 8, 2, &p);
  CHECK(t && t->n_nodes == 1 && t->node[0].klass == 0);
  cart_free(t);

  /* min_samples_leaf 3 keeps the root (4 | 4) but forbids splitting a child
   * of 4 */
  p = cart_defaults();
  p.min_samples_leaf = 3;
  t = cart_fit(HX, HY, 8, 2, &p);
  CHECK(t && t->node[0].feature == 1 && t->n_nodes == 3);
  cart_free(t);
}

/* ---- stopping, ties, limits ----------------------------------------------- */

static void test_pure(void) {
  enum { N = 20 };
  double X[N * 3];
  int y[N];
  random_data(1, X, y, N, 3, 1); /* classes = 1: every label 0 */
  cart_tree *t = cart_fit(X, y, N, 3, NULL);
  CHECK(t && t->n_nodes == 1 && cart_leaves(t) == 1 && cart_depth(t) == 0);
  if (t) {
    CHECK(t->n_classes == 2 && t->node[0].klass == 0 && t->node[0].impurity == 0);
    CHECK(cart_predict(t, X) == 0 && cart_proba(t, X, 0) == 1 && cart_proba(t, X, 1) == 0);
  }
  cart_free(t);
  for (int i = 0; i < N; i++) y[i] = 1;
  t = cart_fit(X, y, N, 3, NULL);
  CHECK(t && t->n_nodes == 1 && cart_predict(t, X + 3) == 1);
  cart_free(t);
  /* a pure child stops while its sibling goes on */
  double x1[] = {1, 2, 3, 4, 5};
  int y1[] = {0, 0, 1, 0, 1};
  t = cart_fit(x1, y1, 5, 1, NULL);
  CHECK(t && t->node[0].threshold == 2.5 && is_leaf(t, 1) && t->node[1].n == 2);
  cart_free(t);
}

static int same_tree(const cart_tree *a, const cart_tree *b) {
  if (a->n_nodes != b->n_nodes || a->n_classes != b->n_classes) return 0;
  for (int i = 0; i < a->n_nodes; i++) {
    const cart_node *p = &a->node[i], *q = &b->node[i];
    if (p->feature != q->feature || p->threshold != q->threshold || p->left != q->left ||
        p->right != q->right || p->n != q->n || p->klass != q->klass)
      return 0;
  }
  return !memcmp(a->count, b->count, (size_t)a->n_nodes * a->n_classes * sizeof *a->count);
}

static void test_ties(void) {
  /* columns 1 and 2 are equal, column 0 constant: 1 wins over 2 */
  enum { N = 40 };
  double X[N * 3];
  int y[N];
  rng_t r;
  rng_seed(&r, 7);
  for (int i = 0; i < N; i++) {
    double v = rng_uniform(&r);
    X[3 * i] = 0.5;
    X[3 * i + 1] = X[3 * i + 2] = v;
    y[i] = v > 0.6;
  }
  cart_tree *t = cart_fit(X, y, N, 3, NULL);
  CHECK(t && t->node[0].feature == 1 && t->n_nodes == 3);
  cart_free(t);
  /* swapping the constant to the end: column 0 now wins */
  for (int i = 0; i < N; i++) X[3 * i] = X[3 * i + 1], X[3 * i + 2] = 0.5;
  t = cart_fit(X, y, N, 3, NULL);
  CHECK(t && t->node[0].feature == 0);
  cart_free(t);

  /* one feature, two equally good thresholds: y = 0 1 1 0 at x = 1..4.
   * x <= 1.5: left {0} pure, right {1,1,0} Gini 4/9, decrease 1/2 - 3/4*4/9
   * = 1/6; x <= 3.5 is its mirror image (1/6); x <= 2.5 gives 0. The lower
   * threshold wins. */
  double x1[] = {1, 2, 3, 4};
  int y1[] = {0, 1, 1, 0};
  t = cart_fit(x1, y1, 4, 1, NULL);
  CHECK(t && t->node[0].threshold == 1.5);
  cart_free(t);
  /* the same with the samples listed in reverse: the order of rows is no
   * tie-breaker */
  double x2[] = {4, 3, 2, 1};
  int y2[] = {0, 1, 1, 0};
  t = cart_fit(x2, y2, 4, 1, NULL);
  CHECK(t && t->node[0].threshold == 1.5);
  cart_free(t);
  /* mirrored scaled values: gains equal in exact arithmetic but computed from
   * different counts; the tolerance keeps the lower threshold */
  double x3[] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6};
  int y3[] = {0, 1, 1, 1, 1, 0};
  t = cart_fit(x3, y3, 6, 1, NULL);
  CHECK(t && fabs(t->node[0].threshold - 0.15) < 1e-15);
  cart_free(t);

  /* repeated fits are identical */
  enum { M = 300, D = 5 };
  double *Xr = malloc(sizeof(double) * M * D);
  int *yr = malloc(sizeof(int) * M);
  random_data(11, Xr, yr, M, D, 2);
  cart_tree *a = cart_fit(Xr, yr, M, D, NULL), *b = cart_fit(Xr, yr, M, D, NULL);
  CHECK(a && b && a->n_nodes > 20 && same_tree(a, b));
  cart_free(a);
  cart_free(b);
  free(Xr);
  free(yr);
}

/* Naive best split of the samples reaching node id: every feature, every
 * midpoint, sklearn's decrease formula, first maximum with tolerance. */
static void brute_best(const cart_tree *t, const double *X, const int *y, int n, int id,
                       int msl, int *bf, double *bt, double *bd) {
  int d = t->n_features, k = t->n_classes;
  *bf = -1;
  *bd = 0;
  for (int f = 0; f < d; f++) {
    for (int i = 0; i < n; i++) {
      if (!reaches(t, X + i * d, id)) continue;
      /* candidate: midpoint from this value to the next larger one */
      double a = X[i * d + f], b = INFINITY;
      for (int j = 0; j < n; j++)
        if (reaches(t, X + j * d, id) && X[j * d + f] > a && X[j * d + f] < b) b = X[j * d + f];
      if (isinf(b)) continue;
      double thr = (a + b) / 2;
      int cl[CART_MAX_CLASSES] = {0}, cr[CART_MAX_CLASSES] = {0}, nl = 0, nr = 0;
      for (int j = 0; j < n; j++) {
        if (!reaches(t, X + j * d, id)) continue;
        if (X[j * d + f] <= thr) cl[y[j]]++, nl++;
        else cr[y[j]]++, nr++;
      }
      if (nl < msl || nr < msl) continue;
      double nt = nl + nr;
      int ct[CART_MAX_CLASSES];
      for (int c = 0; c < k; c++) ct[c] = cl[c] + cr[c];
      double dec = nt / n * (gini_of(ct, k, nt) - nr / nt * gini_of(cr, k, nr) -
                             nl / nt * gini_of(cl, k, nl));
      int better = dec > *bd + 1e-9;
      int tie = fabs(dec - *bd) <= 1e-9 && (f < *bf || (f == *bf && thr < *bt));
      if (*bf < 0 ? dec > 1e-12 : better || tie) *bf = f, *bt = thr, *bd = dec;
    }
  }
}

static void test_best_split_brute(void) {
  enum { N = 60, D = 3 };
  double X[N * D];
  int y[N];
  random_data(5, X, y, N, D, 3);
  for (int i = 0; i < N * D; i++) X[i] = floor(X[i] * 8); /* repeated values */
  cart_params p = cart_defaults();
  p.min_samples_leaf = 2;
  cart_tree *t = cart_fit(X, y, N, D, &p);
  CHECK(t && t->n_classes == 3 && t->n_nodes > 5);
  if (!t) return;
  int agree = 1;
  for (int id = 0; id < t->n_nodes; id++) {
    if (is_leaf(t, id)) continue;
    int f;
    double thr = 0, dec;
    brute_best(t, X, y, N, id, 2, &f, &thr, &dec);
    agree &= f == t->node[id].feature && thr == t->node[id].threshold;
    agree &= fabs(dec - node_decrease(t, id)) < 1e-12;
  }
  CHECK(agree);
  check_structure(t, X, y, N);
  cart_free(t);
}

static void test_limits(void) {
  enum { N = 500, D = 4 };
  double *X = malloc(sizeof(double) * N * D);
  int *y = malloc(sizeof(int) * N);
  random_data(3, X, y, N, D, 2); /* pure noise: the tree grows until stopped */

  cart_params p = cart_defaults();
  p.max_depth = 3;
  cart_tree *t = cart_fit(X, y, N, D, &p);
  CHECK(t && cart_depth(t) == 3);
  int ok = 1;
  for (int i = 0; t && i < t->n_nodes; i++) ok &= t->node[i].depth <= 3;
  CHECK(ok);
  if (t) check_structure(t, X, y, N);
  cart_free(t);

  p = cart_defaults();
  p.min_samples_leaf = 9;
  t = cart_fit(X, y, N, D, &p);
  CHECK(t && cart_leaves(t) > 10);
  ok = 1;
  int smallest = N;
  for (int i = 0; t && i < t->n_nodes; i++)
    if (is_leaf(t, i) && t->node[i].n < smallest) smallest = t->node[i].n;
  CHECK(smallest >= 9);
  if (t) check_structure(t, X, y, N);
  cart_free(t);

  p = cart_defaults();
  p.min_samples_split = 40;
  t = cart_fit(X, y, N, D, &p);
  ok = 1;
  for (int i = 0; t && i < t->n_nodes; i++) ok &= is_leaf(t, i) || t->node[i].n >= 40;
  CHECK(t && ok);
  cart_free(t);

  p = cart_defaults();
  p.min_impurity_decrease = 0.002;
  t = cart_fit(X, y, N, D, &p);
  ok = 1;
  for (int i = 0; t && i < t->n_nodes; i++) ok &= is_leaf(t, i) || node_decrease(t, i) >= 0.002 - 1e-12;
  CHECK(t && ok && t->n_nodes > 1);
  cart_free(t);

  /* unlimited: distinct X, so every leaf ends pure */
  t = cart_fit(X, y, N, D, NULL);
  ok = 1;
  for (int i = 0; t && i < t->n_nodes; i++) ok &= !is_leaf(t, i) || t->node[i].impurity == 0;
  CHECK(t && ok);
  if (t) check_structure(t, X, y, N);
  cart_free(t);
  free(X);
  free(y);
}

static void test_separable(void) {
  enum { N = 300, D = 3 };
  double X[N * D];
  int y[N], y3[N];
  random_data(9, X, y, N, D, 2);
  for (int i = 0; i < N; i++) {
    const double *x = X + i * D;
    y[i] = x[0] + 2 * x[1] > 1.2; /* oblique: needs many axis-parallel cuts */
    y3[i] = x[2] < 0.3 ? 0 : x[2] < 0.7 ? 1 : 2;
  }
  cart_tree *t = cart_fit(X, y, N, D, NULL);
  int all = 1;
  for (int i = 0; t && i < N; i++) all &= cart_predict(t, X + i * D) == y[i];
  CHECK(t && all && cart_depth(t) > 2);
  cart_free(t);

  t = cart_fit(X, y3, N, D, NULL);
  CHECK(t && t->n_classes == 3 && t->n_nodes == 5 && t->node[0].feature == 2);
  all = 1;
  for (int i = 0; t && i < N; i++) {
    const double *x = X + i * D;
    double s = cart_proba(t, x, 0) + cart_proba(t, x, 1) + cart_proba(t, x, 2);
    all &= cart_predict(t, x) == y3[i] && fabs(s - 1) < 1e-12;
  }
  CHECK(all);
  cart_free(t);
}

/* Adjacent doubles: the midpoint of 1+u and 1+2u (u = one ulp) rounds to
 * 1+2u, which would send both left; the threshold must fall back to 1+u. */
static void test_adjacent_values(void) {
  double a = nextafter(1.0, 2.0), b = nextafter(a, 2.0);
  double x[] = {b, a, b, a};
  int y[] = {1, 0, 1, 0};
  cart_tree *t = cart_fit(x, y, 4, 1, NULL);
  CHECK(t && t->n_nodes == 3 && t->node[0].threshold == a);
  CHECK(t && cart_predict(t, &a) == 0 && cart_predict(t, &b) == 1);
  cart_free(t);
}

static void test_bad_input(void) {
  double X[] = {1, 2, 3, 4};
  int y[] = {0, 1, -1, 0};
  au_errclear();
  CHECK(cart_fit(X, y, 4, 1, NULL) == NULL && au_errcode() == AU_EDATA);
  y[2] = CART_MAX_CLASSES;
  CHECK(cart_fit(X, y, 4, 1, NULL) == NULL && au_errcode() == AU_EDATA);
  y[2] = 1;
  X[1] = NAN;
  au_errclear();
  CHECK(cart_fit(X, y, 4, 1, NULL) == NULL && au_errcode() == AU_EDATA);
  CHECK(strstr(au_errmsg(), "sample 1") != NULL);
  X[1] = 2;
  CHECK(cart_fit(X, y, 0, 1, NULL) == NULL);
  cart_params p = cart_defaults();
  p.min_samples_leaf = 0;
  CHECK(cart_fit(X, y, 4, 1, &p) == NULL && au_errcode() == AU_EDATA);
  p = cart_defaults();
  p.min_impurity_decrease = NAN;
  CHECK(cart_fit(X, y, 4, 1, &p) == NULL);
  au_errclear();
  cart_tree *t = cart_fit(X, y, 4, 1, NULL);
  CHECK(t != NULL && au_errcode() == 0);
  cart_free(t);
  cart_free(NULL);
}

/* ---- writers ------------------------------------------------------------------ */

enum { WF = 5 };
static const cart_feature FEAT[WF] = {
    {"ligand_aromatic", NULL, 1, "ligand is aliphatic", "ligand is aromatic", NULL},
    {"ligand_to_Au", "mol/mol", 0, NULL, NULL, NULL},
    {"pH", "", 0, NULL, NULL, NULL},
    {"temperature", "\xc2\xb0" "C", 0, NULL, NULL, NULL},
    {"odd <&> \"name\" \\", "a'b", 0, NULL, NULL, NULL},
};
static const char *const CLASSES[] = {"failure", "success"};

/* Recipes with a known rule: aliphatic ligand, pH > 9 and ligand:Au <= 6
 * succeed, and so does anything with a large "odd" value. */
static cart_tree *chem_tree(double **Xo, int **yo, int n) {
  double *X = malloc(sizeof(double) * n * WF);
  int *y = malloc(sizeof(int) * n);
  rng_t r;
  rng_seed(&r, 2024);
  for (int i = 0; i < n; i++) {
    double *x = X + i * WF;
    x[0] = rng_int(&r, 2);
    x[1] = 1 + 9 * rng_uniform(&r);
    x[2] = 7 + 7 * rng_uniform(&r);
    x[3] = 4 + 80 * rng_uniform(&r);
    x[4] = rng_uniform(&r);
    y[i] = (x[0] == 0 && x[2] > 9 && x[1] <= 6) || x[4] > 0.85;
  }
  cart_params p = cart_defaults();
  p.max_depth = 5;
  *Xo = X;
  *yo = y;
  return cart_fit(X, y, n, WF, &p);
}

typedef int (*writer)(const cart_tree *, const cart_feature *, const char *const *, FILE *);

static char *render(writer w, const cart_tree *t, const cart_feature *feat,
                    const char *const *cls) {
  FILE *f = tmpfile();
  if (!f) return NULL;
  int rc = w(t, feat, cls, f);
  long n = ftell(f);
  char *s = rc || n < 0 ? NULL : malloc((size_t)n + 1);
  rewind(f);
  if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
    free(s);
    s = NULL;
  }
  if (s) s[n] = 0;
  fclose(f);
  return s;
}

static int count_of(const char *s, const char *needle) {
  int c = 0;
  for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle)) c++;
  return c;
}

static int uses_feature(const cart_tree *t, int f) {
  for (int i = 0; i < t->n_nodes; i++)
    if (t->node[i].feature == f) return 1;
  return 0;
}

static void test_text(const cart_tree *t) {
  char *s = render(cart_write_text, t, FEAT, CLASSES);
  CHECK(s != NULL);
  if (!s) return;
  CHECK(strstr(s, "|--- ligand is aliphatic\n") != NULL);
  CHECK(strstr(s, "|--- ligand is aromatic\n") != NULL);
  CHECK(strstr(s, "ligand_aromatic <=") == NULL); /* no "<= 0.5" for a category */
  CHECK(strstr(s, "ligand_to_Au <= 6.0") && strstr(s, " (mol/mol)\n"));
  CHECK(strstr(s, "|--- pH > 8.9") && !strstr(s, "()")); /* empty unit: none */
  CHECK(count_of(s, "class: ") == cart_leaves(t));
  CHECK(strstr(s, "P(success) = ") != NULL);
  CHECK(count_of(s, "\n") == t->n_nodes - 1 + cart_leaves(t)); /* branches + leaves */
  free(s);
  s = render(cart_write_text, t, NULL, NULL);
  CHECK(s && strstr(s, "x[0] <= 0.5") && strstr(s, "class: 1, P(1) = "));
  free(s);
}

/* Checks DOT braces and quotes balance and that every edge's endpoints are
 * declared nodes; returns the number of edges (-1 when malformed). */
static int dot_edges(const char *s, int n_nodes) {
  int depth = 0, inq = 0, bad = 0;
  for (const char *p = s; *p; p++) {
    if (inq) {
      if (*p == '\\' && p[1]) p++;
      else if (*p == '"') inq = 0;
    } else if (*p == '"') inq = 1;
    else if (*p == '{') depth++;
    else if (*p == '}') bad |= --depth < 0;
  }
  if (inq || depth || bad) return -1;
  char *declared = calloc((size_t)n_nodes + 1, 1);
  int edges = 0;
  for (const char *p = s; (p = strstr(p, "\n  n")); p++) {
    int a, b, len = 0;
    if (sscanf(p, "\n  n%d -> n%d [%n", &a, &b, &len) == 2 && len) {
      edges++;
      continue;
    }
    if (sscanf(p, "\n  n%d [%n", &a, &len) == 1 && len && a >= 0 && a < n_nodes) declared[a] = 1;
  }
  for (const char *p = s; (p = strstr(p, "\n  n")); p++) {
    int a, b, len = 0;
    if (sscanf(p, "\n  n%d -> n%d [%n", &a, &b, &len) == 2 && len &&
        !(a >= 0 && a < n_nodes && declared[a] && b >= 0 && b < n_nodes && declared[b]))
      edges = -1;
  }
  free(declared);
  return edges;
}

static void test_dot(const cart_tree *t) {
  char *s = render(cart_write_dot, t, FEAT, CLASSES);
  CHECK(s != NULL);
  if (!s) return;
  CHECK(!strncmp(s, "digraph", 7));
  CHECK(dot_edges(s, t->n_nodes) == 2 * internal_nodes(t));
  CHECK(count_of(s, "shape=ellipse") == internal_nodes(t));
  CHECK(count_of(s, "shape=box") == cart_leaves(t));
  CHECK(count_of(s, "[label=\"yes\"]") == internal_nodes(t));
  CHECK(strstr(s, "odd <&> \\\"name\\\" \\\\") != NULL); /* quote, backslash escaped */
  CHECK(strstr(s, "ligand is aliphatic") != NULL);
  free(s);
}

static void test_svg(const cart_tree *t) {
  char *s = render(cart_write_svg, t, FEAT, CLASSES), err[200] = "";
  CHECK(s != NULL);
  if (!s) return;
  int ok = xml_wellformed(s, err, sizeof err);
  if (!ok) fprintf(stderr, "svg: %s\n", err);
  CHECK(ok);
  CHECK(strstr(s, "<svg ") && strstr(s, " width=\"") && strstr(s, " height=\"") &&
        strstr(s, " viewBox=\"0 0 "));
  CHECK(count_of(s, "<ellipse") == internal_nodes(t));
  CHECK(count_of(s, "<rect") == cart_leaves(t));
  CHECK(count_of(s, "<line") == 2 * internal_nodes(t));
  CHECK(count_of(s, ">yes</text>") == internal_nodes(t));
  CHECK(strstr(s, "odd &lt;&amp;&gt; &quot;name&quot;") != NULL);
  CHECK(strstr(s, ">ligand is aliphatic</text>") != NULL); /* the test, not 0.5 */
  /* the root's two edges (drawn first) start at its centre, midway between
   * the children's centres where they end */
  double ax0, ay0, ax1, ay1, bx0, by0, bx1, by1;
  const char *e1 = strstr(s, "<line "), *e2 = e1 ? strstr(e1 + 1, "<line ") : NULL;
  CHECK(e1 && e2 &&
        sscanf(e1, "<line x1=\"%lf\" y1=\"%lf\" x2=\"%lf\" y2=\"%lf\"", &ax0, &ay0, &ax1, &ay1) == 4 &&
        sscanf(e2, "<line x1=\"%lf\" y1=\"%lf\" x2=\"%lf\" y2=\"%lf\"", &bx0, &by0, &bx1, &by1) == 4 &&
        ax0 == bx0 && fabs(ax0 - (ax1 + bx1) / 2) <= 0.1 && ax1 < bx1);
  /* leaves fit in the picture */
  double w = 0, h = 0;
  CHECK(sscanf(strstr(s, "viewBox=\""), "viewBox=\"0 0 %lf %lf", &w, &h) == 2);
  int inside = 1;
  int nrect = 0;
  for (const char *p = s; (p = strstr(p, "<rect class=\"leaf\" x=\"")); p++, nrect++) {
    double x, y, rw, rh;
    inside &= sscanf(p, "<rect class=\"leaf\" x=\"%lf\" y=\"%lf\" width=\"%lf\" height=\"%lf\"", &x, &y, &rw,
                     &rh) == 4 &&
              x >= 0 && y >= 0 && x + rw <= w && y + rh <= h;
  }
  CHECK(inside && nrect == cart_leaves(t));
  free(s);
  /* a one-leaf tree is a picture too */
  int y1[] = {1, 1};
  double x1[] = {0, 1};
  cart_tree *leaf = cart_fit(x1, y1, 2, 1, NULL);
  s = leaf ? render(cart_write_svg, leaf, NULL, NULL) : NULL;
  CHECK(s && xml_wellformed(s, err, sizeof err) && count_of(s, "<rect") == 1);
  free(s);
  cart_free(leaf);
}

/* Follows the JSON tree as cart_predict follows the nodes. */
static int json_predict(const cJSON *nd, const double *x) {
  while (nd && cJSON_GetObjectItem(nd, "feature")) {
    int f = cJSON_GetObjectItem(nd, "feature_index")->valueint;
    double thr = cJSON_GetObjectItem(nd, "threshold")->valuedouble;
    nd = cJSON_GetObjectItem(nd, x[f] <= thr ? "left" : "right");
  }
  const cJSON *c = nd ? cJSON_GetObjectItem(nd, "class_index") : NULL;
  return c ? c->valueint : -1;
}

static int json_leaves(const cJSON *nd) {
  if (!nd) return 0;
  if (!cJSON_GetObjectItem(nd, "feature")) return cJSON_GetObjectItem(nd, "class") != NULL;
  return json_leaves(cJSON_GetObjectItem(nd, "left")) + json_leaves(cJSON_GetObjectItem(nd, "right"));
}

static void test_json(const cart_tree *t, const double *X, int n) {
  char *s = render(cart_write_json, t, FEAT, CLASSES);
  CHECK(s != NULL);
  cJSON *j = s ? cJSON_Parse(s) : NULL;
  CHECK(j != NULL);
  if (j) {
    const cJSON *tree = cJSON_GetObjectItem(j, "tree");
    const cJSON *feats = cJSON_GetObjectItem(j, "features");
    CHECK(tree && cJSON_IsObject(tree) && json_leaves(tree) == cart_leaves(t));
    const cJSON *name = cJSON_GetObjectItem(tree, "feature");
    CHECK(cJSON_IsString(name) && !strcmp(name->valuestring, FEAT[t->node[0].feature].name));
    CHECK(cJSON_GetObjectItem(tree, "threshold")->valuedouble == t->node[0].threshold);
    CHECK(cJSON_GetArraySize(feats) == WF);
    CHECK_STR(cJSON_GetArrayItem(feats, 4)->valuestring, FEAT[4].name);
    CHECK_STR(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "classes"), 1)->valuestring, "success");
    int same = 1;
    for (int i = 0; i < n; i++) same &= json_predict(tree, X + i * WF) == cart_predict(t, X + i * WF);
    CHECK(same);
    cJSON_Delete(j);
  }
  free(s);
  /* defaults and a single leaf still parse */
  int y1[] = {0, 0};
  double x1[] = {0, 1};
  cart_tree *leaf = cart_fit(x1, y1, 2, 1, NULL);
  s = leaf ? render(cart_write_json, leaf, NULL, NULL) : NULL;
  j = s ? cJSON_Parse(s) : NULL;
  const cJSON *tree = j ? cJSON_GetObjectItem(j, "tree") : NULL;
  CHECK(tree && cJSON_GetObjectItem(tree, "probability")->valuedouble == 0.0);
  cJSON_Delete(j);
  free(s);
  cart_free(leaf);
}

static void test_write_errors(const cart_tree *t) {
  writer ws[] = {cart_write_text, cart_write_dot, cart_write_svg, cart_write_json};
  for (int i = 0; i < 4; i++) {
    FILE *f = fopen("/dev/full", "w"); /* every flush fails with ENOSPC */
    if (!f) return;
    au_errclear();
    CHECK(ws[i](t, FEAT, CLASSES, f) == AU_EIO && au_errcode() == AU_EIO);
    fclose(f);
  }
}

static void test_writers(void) {
  enum { N = 600 };
  double *X;
  int *y;
  cart_tree *t = chem_tree(&X, &y, N);
  CHECK(t != NULL);
  if (t) {
    /* the escaping and category checks below mean something only if used */
    CHECK(uses_feature(t, 0) && uses_feature(t, 1) && uses_feature(t, 2) && uses_feature(t, 4));
    test_text(t);
    test_dot(t);
    test_svg(t);
    test_json(t, X, N);
    test_write_errors(t);
  }
  cart_free(t);
  free(X);
  free(y);
}


/* ---- merging, left-to-right layout, ties (cart_merge, cart_write) ------------- */

/* A tree written by hand (pre-order):
 *   0 x0<=0.5 ? 1 : 4
 *   1   x1<=0.5 ? 2 (class 0, 5/0) : 3 (class 0, 4/1)       -> one leaf
 *   4   x2<=0.5 ? 5 : 8
 *   5     x1<=0.5 ? 6 (class 1, 0/6) : 7 (class 1, 1/3)     -> one leaf
 *   8     leaf (class 0, 2/0)
 * Merged: 0 ? 1 (merged 2) : 2, 2 ? 3 (merged 2) : 4. */
static cart_tree *hand_tree(void) {
  static const int feat[9] = {0, 1, -1, -1, 2, 1, -1, -1, -1}, left[9] = {1, 2, -1, -1, 5, 6, -1, -1, -1},
                   right[9] = {4, 3, -1, -1, 8, 7, -1, -1, -1}, depth[9] = {0, 1, 2, 2, 1, 2, 3, 3, 2};
  static const int cnt[9][2] = {{11, 10}, {9, 1}, {5, 0}, {4, 1}, {3, 9}, {1, 9}, {0, 6}, {1, 3}, {2, 0}};
  cart_tree *t = calloc(1, sizeof *t);
  t->n_nodes = 9;
  t->n_features = 3;
  t->n_classes = 2;
  t->node = calloc(9, sizeof *t->node);
  t->count = calloc(18, sizeof(int));
  for (int i = 0; i < 9; i++) {
    cart_node *nd = &t->node[i];
    nd->feature = feat[i];
    nd->threshold = 0.5;
    nd->left = left[i];
    nd->right = right[i];
    nd->depth = depth[i];
    nd->n = cnt[i][0] + cnt[i][1];
    nd->klass = cnt[i][1] > cnt[i][0];
    t->count[2 * i] = cnt[i][0];
    t->count[2 * i + 1] = cnt[i][1];
  }
  return t;
}

static void test_merge(void) {
  cart_tree *t = hand_tree(), *m = cart_merge(t);
  CHECK(m->n_nodes == 5);
  CHECK(cart_merged_splits(m) == 2 && cart_merged_splits(t) == 0);
  CHECK(cart_leaves(m) == 3 && cart_depth(m) == 2);
  if (m->n_nodes == 5) {
    CHECK(m->node[0].feature == 0 && m->node[0].left == 1 && m->node[0].right == 2);
    CHECK(m->node[1].feature < 0 && m->node[1].merged == 2 && m->node[1].klass == 0 && m->node[1].n == 10);
    CHECK(cart_counts(m, 1)[0] == 9 && cart_counts(m, 1)[1] == 1);
    CHECK(m->node[2].feature == 2 && m->node[2].left == 3 && m->node[2].right == 4 && m->node[2].depth == 1);
    CHECK(m->node[3].merged == 2 && m->node[3].klass == 1 && m->node[3].depth == 2);
    CHECK(m->node[4].feature < 0 && m->node[4].merged == 0 && m->node[4].klass == 0);
  }
  /* the same class everywhere */
  int same = 1;
  for (int k = 0; k < 8; k++) {
    double x[3] = {k & 1, (k >> 1) & 1, (k >> 2) & 1};
    same &= cart_predict(t, x) == cart_predict(m, x);
  }
  CHECK(same);
  /* merging twice changes nothing more; a tree of one class is one leaf */
  cart_tree *m2 = cart_merge(m);
  CHECK(m2->n_nodes == 5 && cart_merged_splits(m2) == 2);
  cart_free(m2);
  for (int i = 0; i < 9; i++) t->node[i].klass = 1;
  m2 = cart_merge(t);
  CHECK(m2->n_nodes == 1 && m2->node[0].merged == 5);
  cart_free(m2);

  /* the writers say what was merged */
  cart_style st = {0};
  st.legend = 1;
  FILE *f = tmpfile();
  char buf[8192];
  size_t n;
  if (f && !cart_write(m, CART_TEXT, &st, f)) {
    rewind(f);
    n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    CHECK(count_of(buf, "[2 leaves merged]") == 2);
    CHECK(strstr(buf, "# n = 57 (39/18)") != NULL); /* the legend */
  }
  if (f) fclose(f);
  f = tmpfile();
  if (f && !cart_write(m, CART_JSON, &st, f)) {
    rewind(f);
    n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    cJSON *j = cJSON_Parse(buf);
    CHECK(j && cJSON_GetObjectItem(j, "merged_splits")->valueint == 2);
    const cJSON *l = j ? cJSON_GetObjectItem(cJSON_GetObjectItem(j, "tree"), "left") : NULL;
    CHECK(l && cJSON_GetObjectItem(l, "merged_leaves") && cJSON_GetObjectItem(l, "merged_leaves")->valueint == 2);
    cJSON_Delete(j);
  }
  if (f) fclose(f);
  cart_free(m);
  cart_free(t);
}

/* Left to right: children right of their parent, leaves top to bottom in
 * pre-order, a parent level with the middle of its children; DOT says
 * rankdir=LR. The hand tree unmerged has 9 nodes. */
static void test_layout_lr(void) {
  cart_tree *t = hand_tree();
  cart_style st = {0};
  st.left_to_right = 1;
  FILE *f = tmpfile();
  static char buf[65536];
  if (!f || cart_write(t, CART_SVG, &st, f)) { CHECK(0); return; }
  rewind(f);
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = 0;
  fclose(f);
  char err[200] = "";
  CHECK(xml_wellformed(buf, err, sizeof err));
  double cx[9], cy[9];
  int k = 0;
  for (const char *p = buf; k < 9 && (p = strstr(p, "<rect class=\"")); p++) {
    double x, y, w, h;
    const char *q = strstr(p, " x=\"");
    if (q && sscanf(q, " x=\"%lf\" y=\"%lf\" width=\"%lf\" height=\"%lf\"", &x, &y, &w, &h) == 4) {
      cx[k] = x + w / 2;
      cy[k++] = y + h / 2;
    }
  }
  CHECK(k == 9);
  if (k == 9) {
    int ok = 1;
    for (int i = 0; i < 9; i++) {
      const cart_node *nd = &t->node[i];
      if (nd->feature < 0) continue;
      ok &= cx[nd->left] > cx[i] && cx[nd->right] > cx[i];
      ok &= fabs(cy[i] - (cy[nd->left] + cy[nd->right]) / 2) < 0.11;
    }
    CHECK(ok);
    const int leaves[5] = {2, 3, 6, 7, 8}; /* pre-order */
    for (int j = 1; j < 5; j++) CHECK(cy[leaves[j]] > cy[leaves[j - 1]]);
    CHECK(cx[6] > cx[8] && cx[2] == cx[8]); /* columns by depth */
  }
  f = tmpfile();
  if (f && !cart_write(t, CART_DOT, &st, f)) {
    rewind(f);
    n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    CHECK(strstr(buf, "rankdir=LR;") != NULL);
  }
  if (f) fclose(f);
  st.left_to_right = 0;
  f = tmpfile();
  if (f && !cart_write(t, CART_DOT, &st, f)) {
    rewind(f);
    n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    CHECK(strstr(buf, "rankdir=TB;") != NULL);
  }
  if (f) fclose(f);
  cart_free(t);
}

/* Feature 1 is feature 0 doubled, so both split the same samples equally
 * well: the fit keeps feature 0 (the lower index) and lists feature 1 with
 * its own threshold; feature 2 is noise and is not tied. Branch labels
 * replace the test and keep it in parentheses. */
static void test_tie_alternatives(void) {
  enum { N = 8 };
  double X[N * 3];
  int y[N];
  for (int i = 0; i < N; i++) {
    X[3 * i] = i;
    X[3 * i + 1] = 2 * i;
    X[3 * i + 2] = (i * 5) % 8;
    y[i] = i >= 4;
  }
  cart_tree *t = cart_fit(X, y, N, 3, NULL);
  CHECK(t && t->node[0].feature == 0 && t->node[0].threshold == 3.5);
  CHECK(t && t->node[0].n_tied == 1 && t->node[0].tied_feature[0] == 1 && t->node[0].tied_threshold[0] == 7);
  if (!t) return;
  static const cart_feature F[3] = {{"a", "mM", 0, NULL, NULL, "[A]"}, {"b", NULL, 0, NULL, NULL, NULL},
                                    {"c", NULL, 0, NULL, NULL, NULL}};
  const char *l0[3] = {"ligand is X", NULL, NULL}, *l1[3] = {"ligand is Y or Z", NULL, NULL};
  int per_node[3] = {5, 2, 3}; /* a per-node count (distill's n_ph_empty) */
  cart_style st = {F, NULL, 0, 0, NULL, {l0, l1}, "n_marked", per_node};
  FILE *f = tmpfile();
  static char buf[8192];
  if (f && !cart_write(t, CART_TEXT, &st, f)) {
    rewind(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    CHECK(strstr(buf, "|--- ligand is X ([A] <= 3.5 (mM)) [tied with b <= 7]\n") != NULL);
    CHECK(strstr(buf, "|--- ligand is Y or Z ([A] > 3.5 (mM))\n") != NULL);
  }
  if (f) fclose(f);
  f = tmpfile();
  if (f && !cart_write(t, CART_JSON, &st, f)) {
    rewind(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    cJSON *j = cJSON_Parse(buf);
    const cJSON *root = j ? cJSON_GetObjectItem(j, "tree") : NULL;
    const cJSON *tied = root ? cJSON_GetObjectItem(root, "tied") : NULL;
    CHECK(cJSON_GetArraySize(tied) == 1);
    const cJSON *t0 = cJSON_GetArrayItem(tied, 0);
    CHECK(t0 && !strcmp(cJSON_GetObjectItem(t0, "feature")->valuestring, "b") &&
          cJSON_GetObjectItem(t0, "threshold")->valuedouble == 7);
    CHECK(root && !strcmp(cJSON_GetObjectItem(root, "feature")->valuestring, "a") &&
          !strcmp(cJSON_GetObjectItem(root, "label")->valuestring, "[A]"));
    CHECK(root && !strcmp(cJSON_GetObjectItem(root, "left_label")->valuestring, "ligand is X"));
    const cJSON *cnt = root ? cJSON_GetObjectItem(root, "n_marked") : NULL, *lt = root ? cJSON_GetObjectItem(root, "left") : NULL;
    CHECK(cnt && cnt->valueint == 5);
    CHECK(lt && cJSON_GetObjectItem(lt, "n_marked") && cJSON_GetObjectItem(lt, "n_marked")->valueint == 2);
    cJSON_Delete(j);
  }
  if (f) fclose(f);
  cart_free(t);
}

int main(void) {
  test_hand();
  test_pure();
  test_ties();
  test_best_split_brute();
  test_limits();
  test_separable();
  test_adjacent_values();
  test_bad_input();
  test_writers();
  test_merge();
  test_layout_lr();
  test_tie_alternatives();
  return check_report();
}
