/* CART classification tree: fitting, prediction and the four writers. */
#include "cart.h"
#include "err.h"
#include "rng.h"
#include "svgplot.h"
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Split scores within this relative distance are equal, so rounding noise
 * never decides between equally good splits: the first one found (lowest
 * feature, then lowest threshold) is kept. */
#define TIE_RTOL 1e-12

cart_params cart_defaults(void) {
  cart_params p = {0, 2, 1, 0.0, 0, 0};
  return p;
}

/* ---- fitting ------------------------------------------------------------ */

typedef struct {
  int n, d, k;
  const int *y;
  double *xc;               /* d x n column-major copy: a scan reads one feature */
  int *sorted;              /* d x n sample indices, each row sorted by its feature;
                               a node owns the same range [lo, hi) of every row */
  int *buf;                 /* n, for stable partitioning */
  unsigned char *goes_left; /* n */
  int *left;                /* k class counts left of a candidate threshold */
  double *fgain, *fthr;     /* d: each feature's best gain (-1: none) and threshold at the node */
  int *feat;                /* d, feature order of the current node (max_features) */
  cart_params p;
  cart_tree *t;
  int cap; /* allocated nodes */
} fitter;

typedef struct {
  int feature, nl;
  double threshold, gain;
} split;

/* A node still to be built: its sample range and where to hang it. */
typedef struct {
  int lo, hi, depth, parent, is_right;
} pending;

typedef struct {
  double v;
  int i;
} keyed;

static int cmp_keyed(const void *a, const void *b) {
  const keyed *x = a, *y = b;
  if (x->v != y->v) return x->v < y->v ? -1 : 1;
  return (x->i > y->i) - (x->i < y->i); /* equal values: by index, so stable */
}

static int check_input(const double *X, const int *y, int n, int d, const cart_params *p,
                       int *k) {
  if (!X || !y || n < 1 || d < 1)
    return au_fail(AU_EDATA, "cart: need at least one sample and one feature (n=%d, d=%d)", n, d);
  if (p->min_samples_split < 2 || p->min_samples_leaf < 1 ||
      !(p->min_impurity_decrease >= 0) || isinf(p->min_impurity_decrease))
    return au_fail(AU_EDATA,
                   "cart: bad parameters (min_samples_split %d >= 2, min_samples_leaf %d >= 1, "
                   "min_impurity_decrease %g >= 0 required)",
                   p->min_samples_split, p->min_samples_leaf, p->min_impurity_decrease);
  int kmax = 1; /* at least two classes, so P(class 1) always exists */
  for (int i = 0; i < n; i++) {
    if (y[i] < 0 || y[i] >= CART_MAX_CLASSES)
      return au_fail(AU_EDATA, "cart: label %d of sample %d is outside 0..%d", y[i], i,
                     CART_MAX_CLASSES - 1);
    if (y[i] > kmax) kmax = y[i];
  }
  for (size_t j = 0; j < (size_t)n * d; j++)
    if (!isfinite(X[j]))
      return au_fail(AU_EDATA, "cart: feature %d of sample %d is not finite", (int)(j % d),
                     (int)(j / d));
  *k = kmax + 1;
  return 0;
}

/* Sorts sample indices by each feature once; nodes then partition the rows
 * stably, so no node ever sorts again. */
static void presort(fitter *F, const double *X) {
  int n = F->n, d = F->d;
  keyed *kv = xmalloc((size_t)n * sizeof *kv);
  for (int f = 0; f < d; f++) {
    double *col = F->xc + (size_t)f * n;
    for (int i = 0; i < n; i++) {
      col[i] = X[(size_t)i * d + f];
      kv[i].v = col[i];
      kv[i].i = i;
    }
    qsort(kv, n, sizeof *kv, cmp_keyed);
    int *row = F->sorted + (size_t)f * n;
    for (int i = 0; i < n; i++) row[i] = kv[i].i;
  }
  free(kv);
}

/* Appends a leaf for samples [lo, hi) (of any sorted row) and returns its id. */
static int add_node(fitter *F, int lo, int hi, int depth) {
  cart_tree *t = F->t;
  if (t->n_nodes == F->cap) {
    F->cap = F->cap ? 2 * F->cap : 64;
    t->node = xrealloc(t->node, (size_t)F->cap * sizeof *t->node);
    t->count = xrealloc(t->count, (size_t)F->cap * F->k * sizeof *t->count);
  }
  int id = t->n_nodes++;
  int *cnt = t->count + (size_t)id * F->k;
  memset(cnt, 0, (size_t)F->k * sizeof *cnt);
  for (int i = lo; i < hi; i++) cnt[F->y[F->sorted[i]]]++;
  cart_node *nd = &t->node[id];
  int nt = hi - lo;
  double sq = 0;
  nd->klass = 0;
  for (int c = 0; c < F->k; c++) {
    double q = (double)cnt[c] / nt;
    sq += q * q;
    if (cnt[c] > cnt[nd->klass]) nd->klass = c; /* strict: ties keep the lower */
  }
  nd->feature = -1;
  nd->threshold = 0;
  nd->n_tied = 0;
  nd->merged = 0;
  nd->left = nd->right = -1;
  nd->depth = depth;
  nd->n = nt;
  nd->impurity = 1 - sq;
  return id;
}

/* Gini decrease of a split relative to its node. impurity - wl*GL - wr*GR
 * equals wl*wr*sum_c (pl_c - pr_c)^2 for Gini; this form does not cancel and
 * is exactly 0 when both children have the node's class mix. */
static double split_gain(const int *left, const int *tot, int k, int nl, int nr) {
  double s = 0, nt = (double)nl + nr;
  for (int c = 0; c < k; c++) {
    double diff = (double)left[c] / nl - (double)(tot[c] - left[c]) / nr;
    s += diff * diff;
  }
  return (nl / nt) * (nr / nt) * s;
}

/* The value between a and b (a < b) that sends a left and b right. */
static double midpoint(double a, double b) {
  double m = a / 2 + b / 2; /* no overflow, unlike (a + b) / 2 */
  return m >= b || m < a ? a : m; /* adjacent doubles round onto b */
}

/* Best split of [lo, hi) over all features; feature -1 when none has a
 * positive gain with min_samples_leaf on both sides. */
/* Best split of [lo, hi) on feature f: records its gain and threshold and
 * replaces best when strictly better. */
static void scan_feature(fitter *F, int f, int lo, int hi, const int *tot, split *best) {
  int nt = hi - lo, msl = F->p.min_samples_leaf;
  const int *row = F->sorted + (size_t)f * F->n;
  const double *x = F->xc + (size_t)f * F->n;
  split fb = {-1, 0, 0.0, 0.0}; /* this feature's best */
  memset(F->left, 0, (size_t)F->k * sizeof *F->left);
  for (int i = lo; i < hi - 1; i++) {
    F->left[F->y[row[i]]]++;
    int nl = i - lo + 1, nr = nt - nl;
    if (nr < msl) break;
    double a = x[row[i]], b = x[row[i + 1]];
    if (nl < msl || !(b > a)) continue;
    double g = split_gain(F->left, tot, F->k, nl, nr);
    if (g > fb.gain + TIE_RTOL * fb.gain) fb = (split){f, nl, midpoint(a, b), g};
  }
  F->fgain[f] = fb.feature >= 0 ? fb.gain : -1;
  F->fthr[f] = fb.threshold;
  if (fb.feature >= 0 && fb.gain > best->gain + TIE_RTOL * best->gain) *best = fb;
}

/* Over all features, or max_features random ones (features not scanned
 * keep gain -1). */
static split best_split(fitter *F, int id, int lo, int hi, const int *tot) {
  split best = {-1, 0, 0.0, 0.0};
  int mf = F->p.max_features;
  if (mf <= 0 || mf >= F->d) {
    for (int f = 0; f < F->d; f++) scan_feature(F, f, lo, hi, tot, &best);
    return best;
  }
  /* a random order of the features; the first mf are scanned, then more
   * one at a time until one of them splits */
  rng_t r;
  rng_seed3(&r, F->p.seed, 7, (uint64_t)id);
  for (int f = 0; f < F->d; f++) {
    F->feat[f] = f;
    F->fgain[f] = -1;
  }
  rng_shuffle(&r, F->feat, F->d);
  for (int j = 0; j < F->d && (j < mf || best.feature < 0); j++) scan_feature(F, F->feat[j], lo, hi, tot, &best);
  return best;
}

/* Other features whose best split ties the chosen one's gain: the data
 * cannot tell them apart, so the writers list them with the split. */
static void record_ties(fitter *F, cart_node *nd, double gain) {
  nd->n_tied = 0;
  for (int f = 0; f < F->d && nd->n_tied < CART_MAX_TIED; f++) {
    if (f == nd->feature || F->fgain[f] < 0) continue;
    if (fabs(F->fgain[f] - gain) <= TIE_RTOL * gain) {
      nd->tied_feature[nd->n_tied] = f;
      nd->tied_threshold[nd->n_tied++] = F->fthr[f];
    }
  }
}

/* Chooses the split of node id, or returns 0 when the node stays a leaf. */
static int choose_split(fitter *F, int id, int lo, int hi, split *s) {
  const cart_node *nd = &F->t->node[id];
  const int *tot = cart_counts(F->t, id);
  const cart_params *p = &F->p;
  if (p->max_depth > 0 && nd->depth >= p->max_depth) return 0;
  if (nd->n < p->min_samples_split || nd->n < 2L * p->min_samples_leaf) return 0;
  if (tot[nd->klass] == nd->n) return 0; /* pure */
  *s = best_split(F, id, lo, hi, tot);
  if (s->feature < 0) return 0;
  double weighted = s->gain * nd->n / F->n; /* sklearn's N_t/N scaling */
  return weighted >= p->min_impurity_decrease * (1 - TIE_RTOL);
}

/* Reorders [lo, hi) of every row into left | right, keeping each side sorted. */
static void partition(fitter *F, int lo, int hi, const split *s) {
  const int *frow = F->sorted + (size_t)s->feature * F->n;
  const double *x = F->xc + (size_t)s->feature * F->n;
  for (int i = lo; i < hi; i++) F->goes_left[frow[i]] = x[frow[i]] <= s->threshold;
  for (int g = 0; g < F->d; g++) {
    if (g == s->feature) continue; /* sorted by the split value: already split */
    int *row = F->sorted + (size_t)g * F->n;
    int a = lo, b = 0;
    for (int i = lo; i < hi; i++) {
      int j = row[i];
      if (F->goes_left[j]) row[a++] = j;
      else F->buf[b++] = j;
    }
    memcpy(row + a, F->buf, (size_t)b * sizeof *row);
  }
}

/* Grows the tree depth first with an explicit stack (no recursion limit on
 * unlimited depth); pushing right before left numbers nodes in pre-order. */
static void grow(fitter *F) {
  int cap = 64, sp = 0;
  pending *st = xmalloc((size_t)cap * sizeof *st);
  st[sp++] = (pending){0, F->n, 0, -1, 0};
  while (sp > 0) {
    pending q = st[--sp];
    int id = add_node(F, q.lo, q.hi, q.depth);
    cart_node *nodes = F->t->node;
    if (q.parent >= 0) {
      if (q.is_right) nodes[q.parent].right = id;
      else nodes[q.parent].left = id;
    }
    split s;
    if (!choose_split(F, id, q.lo, q.hi, &s)) continue;
    partition(F, q.lo, q.hi, &s);
    nodes[id].feature = s.feature;
    nodes[id].threshold = s.threshold;
    record_ties(F, &nodes[id], s.gain);
    if (sp + 2 > cap) {
      cap *= 2;
      st = xrealloc(st, (size_t)cap * sizeof *st);
    }
    int mid = q.lo + s.nl;
    st[sp++] = (pending){mid, q.hi, q.depth + 1, id, 1};
    st[sp++] = (pending){q.lo, mid, q.depth + 1, id, 0};
  }
  free(st);
}

cart_tree *cart_fit(const double *X, const int *y, int n, int d, const cart_params *p) {
  cart_params def = cart_defaults();
  if (!p) p = &def;
  int k = 0;
  if (check_input(X, y, n, d, p, &k)) return NULL;
  fitter F = {0};
  F.n = n;
  F.d = d;
  F.k = k;
  F.y = y;
  F.p = *p;
  F.xc = xmalloc((size_t)n * d * sizeof *F.xc);
  F.sorted = xmalloc((size_t)n * d * sizeof *F.sorted);
  F.buf = xmalloc((size_t)n * sizeof *F.buf);
  F.goes_left = xmalloc((size_t)n);
  F.left = xmalloc((size_t)k * sizeof *F.left);
  F.fgain = xmalloc((size_t)d * sizeof *F.fgain);
  F.fthr = xmalloc((size_t)d * sizeof *F.fthr);
  F.feat = xmalloc((size_t)d * sizeof *F.feat);
  F.t = xcalloc(1, sizeof *F.t);
  F.t->n_features = d;
  F.t->n_classes = k;
  presort(&F, X);
  grow(&F);
  free(F.xc);
  free(F.sorted);
  free(F.buf);
  free(F.goes_left);
  free(F.left);
  free(F.fgain);
  free(F.fthr);
  free(F.feat);
  return F.t;
}

void cart_free(cart_tree *t) {
  if (!t) return;
  free(t->node);
  free(t->count);
  free(t);
}

/* ---- use ---------------------------------------------------------------- */

int cart_apply(const cart_tree *t, const double *x) {
  int i = 0;
  while (t->node[i].feature >= 0) {
    const cart_node *nd = &t->node[i];
    i = x[nd->feature] <= nd->threshold ? nd->left : nd->right;
  }
  return i;
}

int cart_predict(const cart_tree *t, const double *x) {
  return t->node[cart_apply(t, x)].klass;
}

double cart_proba(const cart_tree *t, const double *x, int cls) {
  if (cls < 0 || cls >= t->n_classes) return 0.0;
  int leaf = cart_apply(t, x);
  return (double)cart_counts(t, leaf)[cls] / t->node[leaf].n;
}

int cart_depth(const cart_tree *t) {
  int depth = 0;
  for (int i = 0; i < t->n_nodes; i++)
    if (t->node[i].depth > depth) depth = t->node[i].depth;
  return depth;
}

int cart_leaves(const cart_tree *t) {
  int leaves = 0;
  for (int i = 0; i < t->n_nodes; i++) leaves += t->node[i].feature < 0;
  return leaves;
}

/* ---- merging same-class siblings ----------------------------------------- */

/* Pre-order stores children after parents, so one backward pass finds each
 * subtree's single class (-1: mixed) and its leaf count; the copy then walks
 * an explicit stack, as grow() does, so depth is never a recursion limit. */
cart_tree *cart_merge(const cart_tree *t) {
  int n = t->n_nodes, *cls = xmalloc(sizeof(int) * n), *leaves = xmalloc(sizeof(int) * n);
  for (int i = n - 1; i >= 0; i--) {
    const cart_node *nd = &t->node[i];
    if (nd->feature < 0) {
      cls[i] = nd->klass;
      leaves[i] = nd->merged ? nd->merged : 1;
    } else {
      cls[i] = cls[nd->left] >= 0 && cls[nd->left] == cls[nd->right] ? cls[nd->left] : -1;
      leaves[i] = leaves[nd->left] + leaves[nd->right];
    }
  }
  cart_tree *u = xcalloc(1, sizeof *u);
  u->n_features = t->n_features;
  u->n_classes = t->n_classes;
  u->node = xmalloc((size_t)n * sizeof *u->node);
  u->count = xmalloc((size_t)n * t->n_classes * sizeof *u->count);
  pending *st = xmalloc(sizeof(pending) * (n + 1));
  int sp = 0;
  st[sp++] = (pending){0, 0, 0, -1, 0}; /* lo = source node */
  while (sp > 0) {
    pending q = st[--sp];
    int i = q.lo, id = u->n_nodes++;
    cart_node *nd = &u->node[id];
    *nd = t->node[i];
    nd->depth = q.depth;
    memcpy(u->count + (size_t)id * t->n_classes, cart_counts(t, i), sizeof(int) * t->n_classes);
    if (q.parent >= 0) {
      if (q.is_right) u->node[q.parent].right = id;
      else u->node[q.parent].left = id;
    }
    if (nd->feature < 0) continue;
    if (cls[i] >= 0) { /* one class below: a leaf */
      nd->feature = -1;
      nd->left = nd->right = -1;
      nd->n_tied = 0;
      nd->merged = leaves[i];
      continue;
    }
    st[sp++] = (pending){t->node[i].right, 0, q.depth + 1, id, 1};
    st[sp++] = (pending){t->node[i].left, 0, q.depth + 1, id, 0};
  }
  free(st); free(cls); free(leaves);
  return u;
}

int cart_merged_splits(const cart_tree *t) {
  int k = 0;
  for (int i = 0; i < t->n_nodes; i++)
    if (t->node[i].feature < 0 && t->node[i].merged > 1) k += t->node[i].merged - 1;
  return k;
}

/* ---- labels shared by the writers ---------------------------------------- */

static char *strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *strf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int len = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (len < 0) return xstrdup(""); /* only on an encoding error */
  char *s = xmalloc((size_t)len + 1);
  va_start(ap, fmt);
  vsnprintf(s, (size_t)len + 1, fmt, ap);
  va_end(ap);
  return s;
}

typedef struct {
  const cart_tree *t;
  const cart_feature *feat;
  const char *const *cls;
  const cart_style *st;
} namer;

static namer make_namer(const cart_tree *t, const cart_style *st) {
  namer nm = {t, st->feat, st->class_names, st};
  return nm;
}

/* The name a reader sees: the label, else the name, else x[i]. */
static char *feature_name(const namer *nm, int f) {
  if (nm->feat && nm->feat[f].label) return xstrdup(nm->feat[f].label);
  if (nm->feat && nm->feat[f].name) return xstrdup(nm->feat[f].name);
  return strf("x[%d]", f);
}

/* The machine name (JSON): the name, else x[i]. */
static char *feature_key(const namer *nm, int f) {
  if (nm->feat && nm->feat[f].name) return xstrdup(nm->feat[f].name);
  return strf("x[%d]", f);
}

static char *class_name(const namer *nm, int c) {
  if (nm->cls && nm->cls[c]) return xstrdup(nm->cls[c]);
  return strf("%d", c);
}

/* The test of feature f at threshold thr sending samples left (right = 0)
 * or right, e.g. "pH <= 9.5", "T > 40 (C)", or a categorical's label
 * "ligand is aromatic". */
static char *feature_test(const namer *nm, int f, double thr, int right) {
  const cart_feature *fd = nm->feat ? &nm->feat[f] : NULL;
  char *name = feature_name(nm, f), *s;
  /* a 0/1 feature splits at 0.5; any other threshold is shown as a number */
  if (fd && fd->categorical && thr >= 0 && thr < 1) {
    const char *lab = right ? fd->label1 : fd->label0;
    s = lab ? xstrdup(lab) : strf("%s = %d", name, right);
  } else {
    int unit = fd && fd->unit && fd->unit[0];
    s = strf("%s %s %.4g%s%s%s", name, right ? ">" : "<=", thr, unit ? " (" : "", unit ? fd->unit : "",
             unit ? ")" : "");
  }
  free(name);
  return s;
}

static char *test_text(const namer *nm, int id, int right) {
  const cart_node *nd = &nm->t->node[id];
  return feature_test(nm, nd->feature, nd->threshold, right);
}

/* A branch as the reader sees it: the caller's label (components) or the test. */
static char *branch_text(const namer *nm, int id, int right) {
  const char *const *bl = nm->st->branch_label[right];
  if (bl && bl[id]) return xstrdup(bl[id]);
  return test_text(nm, id, right);
}

/* "tied: ligand_logp <= 1.2, ligand_tpsa <= 40", or NULL without ties. */
static char *ties_text(const namer *nm, int id) {
  const cart_node *nd = &nm->t->node[id];
  if (nd->feature < 0 || !nd->n_tied) return NULL;
  char *s = xstrdup("tied with ");
  for (int k = 0; k < nd->n_tied; k++) {
    char *tst = feature_test(nm, nd->tied_feature[k], nd->tied_threshold[k], 0);
    char *u = strf("%s%s%s", s, k ? ", " : "", tst);
    free(s); free(tst);
    s = u;
  }
  return s;
}

/* The class whose probability a leaf shows: "success" for a binary tree. */
static int shown_class(const cart_tree *t, int id) {
  return t->n_classes == 2 ? 1 : t->node[id].klass;
}

static double class_fraction(const cart_tree *t, int id, int c) {
  return (double)cart_counts(t, id)[c] / t->node[id].n;
}

static char *proba_text(const namer *nm, int id) {
  int c = shown_class(nm->t, id);
  char *name = class_name(nm, c);
  char *s = strf("P(%s) = %.2f", name, class_fraction(nm->t, id, c));
  free(name);
  return s;
}

/* "n = 129 (120/9)": the paper's samples of the leaf's class / of others. */
static char *count_text(const cart_tree *t, int id) {
  const cart_node *nd = &t->node[id];
  int right = cart_counts(t, id)[nd->klass];
  return strf("n = %d (%d/%d)", nd->n, right, nd->n - right);
}

#define MAX_LINES 5

/* The lines drawn in node id. A decision: its left branch (the caller's
 * label, then the test in parentheses), the tied features, n. A leaf: class,
 * probability, counts, and how many leaves it merges. Free each line. */
static int node_lines(const namer *nm, int id, char *line[MAX_LINES]) {
  const cart_node *nd = &nm->t->node[id];
  int k = 0;
  if (nd->feature >= 0) {
    line[k++] = branch_text(nm, id, 0);
    const char *const *bl = nm->st->branch_label[0];
    if (bl && bl[id]) {
      char *tst = test_text(nm, id, 0);
      line[k++] = strf("(%s)", tst);
      free(tst);
    }
    char *ties = ties_text(nm, id);
    if (ties) line[k++] = ties;
    line[k++] = strf("n = %d", nd->n);
    return k;
  }
  line[k++] = class_name(nm, nd->klass);
  line[k++] = proba_text(nm, id);
  line[k++] = count_text(nm->t, id);
  if (nd->merged > 1) line[k++] = strf("%d leaves merged", nd->merged);
  return k;
}

static void free_lines(char **line, int n) {
  for (int i = 0; i < n; i++) free(line[i]);
}

/* The legend's lines: how to read a node. */
#define LEGEND_LINES 5
static int legend_lines(const namer *nm, char *line[LEGEND_LINES]) {
  char *c0 = class_name(nm, 0), *c1 = class_name(nm, shown_class(nm->t, 0) == 1 ? 1 : 0);
  int k = 0;
  line[k++] = xstrdup("How to read it: a rounded node tests one condition; \"yes\" follows its first line, \"no\" the opposite.");
  line[k++] = strf("A box is a leaf: its class, then P(%s) = the share of its recipes labelled %s.", c1, c1);
  line[k++] = xstrdup("n = 57 (39/18): 57 sampled recipes reach the leaf, 39 of them of its class and 18 of another.");
  if (cart_merged_splits(nm->t) > 0)
    line[k++] = xstrdup("\"k leaves merged\": a subtree whose k leaves all had the same class, drawn as one leaf.");
  if (nm->st->note) line[k++] = xstrdup(nm->st->note);
  free(c0); free(c1);
  return k;
}

static int finish(FILE *f, const char *what) {
  if (fflush(f) != 0 || ferror(f))
    return au_fail(AU_EIO, "cart: cannot write the %s tree: %s", what, strerror(errno));
  return 0;
}

/* Parent of every node (-1 for the root), so the writers need no recursion. */
static int *parents(const cart_tree *t) {
  int *par = xmalloc((size_t)t->n_nodes * sizeof *par);
  par[0] = -1;
  for (int i = 0; i < t->n_nodes; i++)
    if (t->node[i].feature >= 0) par[t->node[i].left] = par[t->node[i].right] = i;
  return par;
}

static const char *const PALETTE[] = {"#f4b6b6", "#b6e3b0", "#b6cdf4",
                                      "#f4dcb0", "#d9b6f4", "#b0e8e8"};

static const char *class_colour(int c) {
  return PALETTE[c % (int)(sizeof PALETTE / sizeof PALETTE[0])];
}

/* ---- text ---------------------------------------------------------------- */

static void indent_rules(FILE *f, int depth) {
  for (int i = 0; i < depth; i++) fputs("|   ", f);
}

static void text_leaf(const namer *nm, int id, FILE *f) {
  char *cls = class_name(nm, nm->t->node[id].klass);
  char *p = proba_text(nm, id), *cnt = count_text(nm->t, id);
  indent_rules(f, nm->t->node[id].depth);
  fprintf(f, "|--- class: %s, %s, %s", cls, p, cnt);
  if (nm->t->node[id].merged > 1) fprintf(f, " [%d leaves merged]", nm->t->node[id].merged);
  fputc('\n', f);
  free(cls);
  free(p);
  free(cnt);
}

static int write_text(const cart_tree *t, const cart_style *st, FILE *f) {
  namer nm = make_namer(t, st);
  if (st->legend) {
    char *ll[LEGEND_LINES];
    int nl = legend_lines(&nm, ll);
    for (int i = 0; i < nl; i++) fprintf(f, "# %s\n", ll[i]);
    free_lines(ll, nl);
  }
  int *par = parents(t), *stk = xmalloc((size_t)t->n_nodes * sizeof *stk), sp = 0;
  stk[sp++] = 0;
  while (sp > 0) {
    int id = stk[--sp], up = par[id];
    if (up >= 0) { /* the branch line leading here, at the parent's indent */
      int right = t->node[up].right == id;
      char *test = branch_text(&nm, up, right);
      indent_rules(f, t->node[up].depth);
      fprintf(f, "|--- %s", test);
      const char *const *bl = st->branch_label[right];
      if (bl && bl[up]) {
        char *tst = test_text(&nm, up, right);
        fprintf(f, " (%s)", tst);
        free(tst);
      }
      char *ties = right ? NULL : ties_text(&nm, up);
      if (ties) fprintf(f, " [%s]", ties);
      fputc('\n', f);
      free(ties);
      free(test);
    }
    if (t->node[id].feature < 0) {
      text_leaf(&nm, id, f);
      continue;
    }
    stk[sp++] = t->node[id].right;
    stk[sp++] = t->node[id].left;
  }
  free(par);
  free(stk);
  return finish(f, "text");
}

/* ---- Graphviz DOT --------------------------------------------------------- */

static void put_dot(const char *s, FILE *f) {
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') fputc('\\', f);
    fputc(c < 0x20 ? ' ' : c, f); /* a raw newline would end the label */
  }
}

static void dot_label(char **line, int n, const char *sep, FILE *f) {
  fputc('"', f);
  for (int i = 0; i < n; i++) {
    if (i) fputs(sep, f);
    put_dot(line[i], f);
  }
  fputc('"', f);
}

static int write_dot(const cart_tree *t, const cart_style *st, FILE *f) {
  namer nm = make_namer(t, st);
  fprintf(f, "digraph cart {\n"
             "  rankdir=%s;\n"
             "  node [fontname=\"Helvetica\", fontsize=11];\n"
             "  edge [fontname=\"Helvetica\", fontsize=10];\n",
          st->left_to_right ? "LR" : "TB");
  for (int i = 0; i < t->n_nodes; i++) {
    char *line[MAX_LINES];
    int nl = node_lines(&nm, i, line);
    if (t->node[i].feature >= 0)
      fprintf(f, "  n%d [shape=ellipse, label=", i);
    else
      fprintf(f, "  n%d [shape=box, style=\"filled\", fillcolor=\"%s\", label=", i,
              class_colour(t->node[i].klass));
    dot_label(line, nl, "\\n", f);
    fputs("];\n", f);
    free_lines(line, nl);
  }
  for (int i = 0; i < t->n_nodes; i++) {
    const cart_node *nd = &t->node[i];
    if (nd->feature < 0) continue;
    fprintf(f, "  n%d -> n%d [label=\"yes\"];\n", i, nd->left);
    fprintf(f, "  n%d -> n%d [label=\"no\"];\n", i, nd->right);
  }
  if (st->legend) {
    char *ll[LEGEND_LINES];
    int nl = legend_lines(&nm, ll);
    fputs("  legend [shape=note, fontsize=10, label=", f);
    dot_label(ll, nl, "\\l", f);
    fputs("];\n", f);
    free_lines(ll, nl);
  }
  fputs("}\n", f);
  return finish(f, "DOT");
}

/* ---- SVG ------------------------------------------------------------------ */

#define SVG_CHAR_W 7.0  /* mean glyph width at font-size 12 */
#define SVG_LINE_H 15.0 /* baseline to baseline */
#define SVG_ROW_H 100.0 /* top to bottom: centre to centre between depths */
#define SVG_MARGIN 12.0
#define SVG_GAP 16.0 /* least space between neighbouring nodes */
#define SVG_LR_GAP 56.0 /* left to right: space between depths, for "yes"/"no" */

#define SVG_WRAP 38     /* characters per line in a node before wrapping */
#define SVG_MAX_LINES 16

typedef struct {
  char *line[SVG_MAX_LINES];
  int nl;
  double x, y, hw, hh; /* centre and half extents */
} svg_box;

/* Byte offset where a line of more than `width` characters breaks: the last
 * space within the first `width` characters, or -1 when there is none. */
static int wrap_at(const char *s, int width) {
  int chars = 0, cut = -1;
  for (int i = 0; s[i]; i++) {
    if (((unsigned char)s[i] & 0xC0) == 0x80) continue;
    if (chars == width) return cut;
    if (s[i] == ' ') cut = i;
    chars++;
  }
  return -1; /* fits */
}

/* Lines of a node, long ones wrapped at spaces (labels listing components
 * would otherwise make the tree as wide as the longest list). */
static int wrapped_lines(const namer *nm, int id, int width, char **out) {
  char *line[MAX_LINES];
  int nl = node_lines(nm, id, line), k = 0;
  for (int j = 0; j < nl; j++) {
    char *rest = line[j];
    int cut;
    while (k < SVG_MAX_LINES - 1 && (cut = wrap_at(rest, width)) > 0) {
      out[k++] = strf("%.*s", cut, rest);
      rest += cut + 1;
    }
    if (k < SVG_MAX_LINES) out[k++] = xstrdup(rest);
    free(line[j]);
  }
  return k;
}

static void svg_size(const namer *nm, svg_box *bx) {
  const cart_tree *t = nm->t;
  for (int i = 0; i < t->n_nodes; i++) {
    svg_box *b = &bx[i];
    b->nl = wrapped_lines(nm, i, SVG_WRAP, b->line);
    int chars = 0;
    for (int j = 0; j < b->nl; j++)
      if (svg_text_chars(b->line[j]) > chars) chars = svg_text_chars(b->line[j]);
    double w = chars * SVG_CHAR_W, h = b->nl * SVG_LINE_H;
    /* an ellipse with ry = 0.85 h passes the text box's corners at
     * rx = 0.62 w: (0.5 / 0.62)^2 + (0.5 / 0.85)^2 ~ 1 */
    int box = t->node[i].feature < 0 || nm->st->left_to_right; /* left to right: rounded boxes */
    b->hw = box ? w / 2 + 8 : 0.62 * w + 8;
    b->hh = box ? h / 2 + 5 : 0.85 * h;
  }
}

/* Top to bottom: leaves in pre-order (= left to right) on evenly spaced
 * columns, each parent centred over its two children. Returns the width. */
static double svg_layout_tb(const cart_tree *t, svg_box *bx, double *height) {
  double col = 90; /* column width: the widest node plus a gap */
  for (int i = 0; i < t->n_nodes; i++)
    if (2 * bx[i].hw + SVG_GAP > col) col = 2 * bx[i].hw + SVG_GAP;
  int leaves = 0;
  for (int i = 0; i < t->n_nodes; i++)
    if (t->node[i].feature < 0) bx[i].x = SVG_MARGIN + (leaves++ + 0.5) * col;
  double row = SVG_ROW_H;
  for (int i = 0; i < t->n_nodes; i++)
    if (2 * bx[i].hh + 40 > row) row = 2 * bx[i].hh + 40;
  for (int i = t->n_nodes - 1; i >= 0; i--) { /* pre-order: children come later */
    const cart_node *nd = &t->node[i];
    if (nd->feature >= 0) bx[i].x = (bx[nd->left].x + bx[nd->right].x) / 2;
    bx[i].y = SVG_MARGIN + row / 2 + nd->depth * row;
  }
  *height = 2 * SVG_MARGIN + (cart_depth(t) + 1) * row;
  return 2 * SVG_MARGIN + leaves * col;
}

/* Left to right (the paper's flowchart): one column per depth as wide as
 * its widest node, leaves in pre-order from the top on evenly spaced rows,
 * each parent level with the middle of its two children. */
static double svg_layout_lr(const cart_tree *t, svg_box *bx, double *height) {
  int depth = cart_depth(t);
  double *colw = xcalloc((size_t)depth + 1, sizeof *colw), *colx = xcalloc((size_t)depth + 1, sizeof *colx);
  double row = 0;
  for (int i = 0; i < t->n_nodes; i++) {
    int d = t->node[i].depth;
    if (2 * bx[i].hw > colw[d]) colw[d] = 2 * bx[i].hw;
    if (t->node[i].feature < 0 && 2 * bx[i].hh + 10 > row) row = 2 * bx[i].hh + 10;
  }
  double x = SVG_MARGIN;
  for (int d = 0; d <= depth; d++) {
    colx[d] = x + colw[d] / 2;
    x += colw[d] + SVG_LR_GAP;
  }
  int leaves = 0;
  for (int i = 0; i < t->n_nodes; i++)
    if (t->node[i].feature < 0) bx[i].y = SVG_MARGIN + (leaves++ + 0.5) * row;
  for (int i = t->n_nodes - 1; i >= 0; i--) {
    const cart_node *nd = &t->node[i];
    if (nd->feature >= 0) bx[i].y = (bx[nd->left].y + bx[nd->right].y) / 2;
    bx[i].x = colx[nd->depth];
  }
  /* a decision taller than the rows it spans would overlap a neighbour:
   * rare (ties lines), so only the picture's height accounts for it */
  double h = 2 * SVG_MARGIN + leaves * row;
  for (int i = 0; i < t->n_nodes; i++)
    if (bx[i].y + bx[i].hh + SVG_MARGIN > h) h = bx[i].y + bx[i].hh + SVG_MARGIN;
  *height = h;
  double w = x - SVG_LR_GAP + SVG_MARGIN;
  free(colw); free(colx);
  return w;
}

static void svg_edge(const svg_box *p, const svg_box *c, int right, int lr, FILE *f) {
  double x0 = lr ? p->x + p->hw : p->x, y0 = lr ? p->y : p->y + p->hh;
  double x1 = lr ? c->x - c->hw : c->x, y1 = lr ? c->y : c->y - c->hh;
  double mx = (x0 + x1) / 2, my = (y0 + y1) / 2;
  fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\"/>\n", x0, y0,
          x1, y1);
  if (lr) /* above the line for "yes" (upwards), below for "no" */
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#333\">%s</text>\n", mx,
            right ? my + 14 : my - 5, right ? "no" : "yes");
  else
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" fill=\"#333\">%s</text>\n",
            right ? mx + 5 : mx - 5, my, right ? "start" : "end", right ? "no" : "yes");
}

static void svg_node(const svg_box *b, const cart_node *nd, int lr, FILE *f) {
  if (nd->feature >= 0 && lr)
    fprintf(f,
            "<rect class=\"decision\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"10\" "
            "fill=\"#f7f7f7\" stroke=\"#444\"/>\n",
            b->x - b->hw, b->y - b->hh, 2 * b->hw, 2 * b->hh);
  else if (nd->feature >= 0)
    fprintf(f,
            "<ellipse cx=\"%.1f\" cy=\"%.1f\" rx=\"%.1f\" ry=\"%.1f\" fill=\"#f7f7f7\" "
            "stroke=\"#444\"/>\n",
            b->x, b->y, b->hw, b->hh);
  else
    fprintf(f,
            "<rect class=\"leaf\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
            "stroke=\"#444\"/>\n",
            b->x - b->hw, b->y - b->hh, 2 * b->hw, 2 * b->hh, class_colour(nd->klass));
  for (int j = 0; j < b->nl; j++) {
    /* +4 puts a 12 px line's middle, not its baseline, on the row */
    double y = b->y + (j - (b->nl - 1) / 2.0) * SVG_LINE_H + 4;
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", b->x, y);
    svg_put_text(f, b->line[j]);
    fputs("</text>\n", f);
  }
}

/* Colour keys for the classes present, then the legend's lines. */
static double svg_legend_height(const namer *nm) {
  char *ll[LEGEND_LINES];
  int nl = legend_lines(nm, ll);
  free_lines(ll, nl);
  return 28 + nl * SVG_LINE_H + 8;
}

static double svg_legend_width(const namer *nm) {
  char *ll[LEGEND_LINES];
  int nl = legend_lines(nm, ll), chars = 0;
  for (int i = 0; i < nl; i++)
    if (svg_text_chars(ll[i]) > chars) chars = svg_text_chars(ll[i]);
  free_lines(ll, nl);
  return chars * SVG_CHAR_W * 11 / 12 + 2 * SVG_MARGIN;
}

static void svg_legend(const namer *nm, double y, FILE *f) {
  fprintf(f, "<g class=\"legend\" font-size=\"11\">\n");
  double x = SVG_MARGIN;
  for (int c = 0; c < nm->t->n_classes; c++) {
    char *name = class_name(nm, c);
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"14\" fill=\"%s\" stroke=\"#444\"/>\n", x, y,
            class_colour(c));
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", x + 20, y + 11);
    svg_put_text(f, name);
    fputs("</text>\n", f);
    x += 20 + svg_text_chars(name) * SVG_CHAR_W + 24;
    free(name);
  }
  char *ll[LEGEND_LINES];
  int nl = legend_lines(nm, ll);
  for (int i = 0; i < nl; i++) {
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", SVG_MARGIN, y + 28 + 11 + i * SVG_LINE_H);
    svg_put_text(f, ll[i]);
    fputs("</text>\n", f);
  }
  free_lines(ll, nl);
  fputs("</g>\n", f);
}

static int write_svg(const cart_tree *t, const cart_style *st, FILE *f) {
  namer nm = make_namer(t, st);
  svg_box *bx = xcalloc((size_t)t->n_nodes, sizeof *bx);
  svg_size(&nm, bx);
  double h, w = st->left_to_right ? svg_layout_lr(t, bx, &h) : svg_layout_tb(t, bx, &h);
  double tree_h = h;
  if (st->legend) {
    h += svg_legend_height(&nm);
    double lw = svg_legend_width(&nm);
    if (lw > w) w = lw;
  }
  fprintf(f,
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
          "viewBox=\"0 0 %.0f %.0f\">\n"
          "<title>CART decision tree: %d nodes, %d leaves</title>\n"
          "<g font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n",
          ceil(w), ceil(h), ceil(w), ceil(h), t->n_nodes, cart_leaves(t));
  if (st->legend) fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\" class=\"background\"/>\n");
  for (int i = 0; i < t->n_nodes; i++) { /* edges first: nodes paint over them */
    const cart_node *nd = &t->node[i];
    if (nd->feature < 0) continue;
    svg_edge(&bx[i], &bx[nd->left], 0, st->left_to_right, f);
    svg_edge(&bx[i], &bx[nd->right], 1, st->left_to_right, f);
  }
  for (int i = 0; i < t->n_nodes; i++) {
    svg_node(&bx[i], &t->node[i], st->left_to_right, f);
    free_lines(bx[i].line, bx[i].nl);
  }
  if (st->legend) svg_legend(&nm, tree_h, f);
  fputs("</g>\n</svg>\n", f);
  free(bx);
  return finish(f, "SVG");
}

/* ---- JSON ----------------------------------------------------------------- */

static void put_json(const char *s, FILE *f) {
  fputc('"', f);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
    else if (c < 0x20) fprintf(f, "\\u%04x", c);
    else fputc(c, f);
  }
  fputc('"', f);
}

static void json_indent(int level, FILE *f) {
  for (int i = 0; i < level; i++) fputs("  ", f);
}

/* Fields every node has, then a leaf's or a decision's own ones; a
 * decision's "left"/"right" follow from the caller. */
static void json_fields(const namer *nm, int id, FILE *f) {
  const cart_tree *t = nm->t;
  const cart_node *nd = &t->node[id];
  int lv = nd->depth + 2;
  json_indent(lv, f);
  fprintf(f, "\"node\": %d,\n", id);
  json_indent(lv, f);
  fprintf(f, "\"n\": %d,\n", nd->n);
  if (nm->st->node_count && nm->st->node_count_name) {
    json_indent(lv, f);
    put_json(nm->st->node_count_name, f);
    fprintf(f, ": %d,\n", nm->st->node_count[id]);
  }
  json_indent(lv, f);
  fputs("\"counts\": [", f);
  for (int c = 0; c < t->n_classes; c++) fprintf(f, "%s%d", c ? ", " : "", cart_counts(t, id)[c]);
  fprintf(f, "],\n");
  json_indent(lv, f);
  fprintf(f, "\"impurity\": %.10g,\n", nd->impurity);
  json_indent(lv, f);
  if (nd->feature < 0) {
    char *cls = class_name(nm, nd->klass);
    fputs("\"class\": ", f);
    put_json(cls, f);
    fprintf(f, ",\n");
    json_indent(lv, f);
    fprintf(f, "\"class_index\": %d,\n", nd->klass);
    if (nd->merged > 1) {
      json_indent(lv, f);
      fprintf(f, "\"merged_leaves\": %d,\n", nd->merged);
    }
    json_indent(lv, f);
    fprintf(f, "\"probability\": %.10g", class_fraction(t, id, 1)); /* P(class 1) */
    free(cls);
    return;
  }
  char *name = feature_key(nm, nd->feature), *label = feature_name(nm, nd->feature);
  fputs("\"feature\": ", f);
  put_json(name, f);
  fprintf(f, ",\n");
  json_indent(lv, f);
  fputs("\"label\": ", f);
  put_json(label, f);
  fprintf(f, ",\n");
  json_indent(lv, f);
  fprintf(f, "\"feature_index\": %d,\n", nd->feature);
  for (int right = 0; right < 2; right++) {
    const char *const *bl = nm->st->branch_label[right];
    if (!bl || !bl[id]) continue;
    json_indent(lv, f);
    fputs(right ? "\"right_label\": " : "\"left_label\": ", f);
    put_json(bl[id], f);
    fprintf(f, ",\n");
  }
  json_indent(lv, f);
  fputs("\"tied\": [", f);
  for (int k = 0; k < nd->n_tied; k++) {
    char *tn = feature_key(nm, nd->tied_feature[k]);
    fputs(k ? ", {\"feature\": " : "{\"feature\": ", f);
    put_json(tn, f);
    fprintf(f, ", \"feature_index\": %d, \"threshold\": %.17g}", nd->tied_feature[k], nd->tied_threshold[k]);
    free(tn);
  }
  fprintf(f, "],\n");
  json_indent(lv, f);
  fprintf(f, "\"threshold\": %.17g", nd->threshold); /* round-trips exactly */
  free(name);
  free(label);
}

static void json_header(const namer *nm, FILE *f) {
  const cart_tree *t = nm->t;
  fprintf(f, "{\n  \"n_features\": %d,\n  \"n_classes\": %d,\n  \"merged_splits\": %d,\n  \"classes\": [",
          t->n_features, t->n_classes, cart_merged_splits(t));
  for (int c = 0; c < t->n_classes; c++) {
    char *name = class_name(nm, c);
    if (c) fputs(", ", f);
    put_json(name, f);
    free(name);
  }
  fputs("],\n  \"features\": [", f);
  for (int j = 0; j < t->n_features; j++) {
    char *name = feature_key(nm, j);
    if (j) fputs(", ", f);
    put_json(name, f);
    free(name);
  }
  fputs("],\n  \"tree\": ", f);
}

static int write_json(const cart_tree *t, const cart_style *st, FILE *f) {
  namer nm = make_namer(t, st);
  json_header(&nm, f);
  /* explicit stack of (node, phase): 0 = open, 1 = left done, 2 = right done */
  int *id = xmalloc((size_t)(t->n_nodes + 1) * sizeof *id);
  int *phase = xmalloc((size_t)(t->n_nodes + 1) * sizeof *phase), sp = 0;
  id[sp] = 0;
  phase[sp++] = 0;
  while (sp > 0) {
    int top = sp - 1, i = id[top];
    const cart_node *nd = &t->node[i];
    int lv = nd->depth + 2;
    if (phase[top] == 0) {
      fputs("{\n", f);
      json_fields(&nm, i, f);
    }
    if (nd->feature < 0 || phase[top] == 2) {
      fputc('\n', f);
      json_indent(lv - 1, f);
      fputc('}', f);
      sp--;
      continue;
    }
    fputs(",\n", f);
    json_indent(lv, f);
    fputs(phase[top] == 0 ? "\"left\": " : "\"right\": ", f);
    id[sp] = phase[top] == 0 ? nd->left : nd->right;
    phase[top]++;
    phase[sp++] = 0;
  }
  fputs("\n}\n", f);
  free(id);
  free(phase);
  return finish(f, "JSON");
}

/* ---- entry points ----------------------------------------------------------- */

int cart_write(const cart_tree *t, int format, const cart_style *st, FILE *f) {
  if (!t || !f || !st) return au_fail(AU_EIO, "cart: no tree or no stream to write");
  switch (format) {
  case CART_TEXT: return write_text(t, st, f);
  case CART_DOT: return write_dot(t, st, f);
  case CART_SVG: return write_svg(t, st, f);
  case CART_JSON: return write_json(t, st, f);
  }
  return au_fail(AU_EUSAGE, "cart: unknown output format %d", format);
}

static int write_plain(const cart_tree *t, int format, const cart_feature *feat, const char *const *class_names,
                       FILE *f) {
  cart_style st = {0};
  st.feat = feat;
  st.class_names = class_names;
  return cart_write(t, format, &st, f);
}

int cart_write_text(const cart_tree *t, const cart_feature *feat, const char *const *class_names, FILE *f) {
  return write_plain(t, CART_TEXT, feat, class_names, f);
}
int cart_write_dot(const cart_tree *t, const cart_feature *feat, const char *const *class_names, FILE *f) {
  return write_plain(t, CART_DOT, feat, class_names, f);
}
int cart_write_svg(const cart_tree *t, const cart_feature *feat, const char *const *class_names, FILE *f) {
  return write_plain(t, CART_SVG, feat, class_names, f);
}
int cart_write_json(const cart_tree *t, const cart_feature *feat, const char *const *class_names, FILE *f) {
  return write_plain(t, CART_JSON, feat, class_names, f);
}
