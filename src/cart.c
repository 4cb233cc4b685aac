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

/* Best split of [lo, hi) on feature f into best (strictly better only). */
static void scan_feature(fitter *F, int f, int lo, int hi, const int *tot, split *best) {
  int nt = hi - lo, msl = F->p.min_samples_leaf;
  const int *row = F->sorted + (size_t)f * F->n;
  const double *x = F->xc + (size_t)f * F->n;
  memset(F->left, 0, (size_t)F->k * sizeof *F->left);
  for (int i = lo; i < hi - 1; i++) {
    F->left[F->y[row[i]]]++;
    int nl = i - lo + 1, nr = nt - nl;
    if (nr < msl) break;
    double a = x[row[i]], b = x[row[i + 1]];
    if (nl < msl || !(b > a)) continue;
    double g = split_gain(F->left, tot, F->k, nl, nr);
    if (g > best->gain + TIE_RTOL * best->gain) {
      best->feature = f;
      best->nl = nl;
      best->threshold = midpoint(a, b);
      best->gain = g;
    }
  }
}

/* Best split of [lo, hi) over all features (or max_features random ones);
 * feature -1 when none has a positive gain with min_samples_leaf on both
 * sides. */
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
  for (int f = 0; f < F->d; f++) F->feat[f] = f;
  rng_shuffle(&r, F->feat, F->d);
  for (int j = 0; j < F->d && (j < mf || best.feature < 0); j++) scan_feature(F, F->feat[j], lo, hi, tot, &best);
  return best;
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
} namer;

static char *feature_name(const namer *nm, int f) {
  if (nm->feat && nm->feat[f].name) return xstrdup(nm->feat[f].name);
  return strf("x[%d]", f);
}

static char *class_name(const namer *nm, int c) {
  if (nm->cls && nm->cls[c]) return xstrdup(nm->cls[c]);
  return strf("%d", c);
}

/* The test sending samples of node id left (right = 0) or right, e.g.
 * "pH <= 9.5", "T > 40 (C)", or a categorical's label "ligand is aromatic". */
static char *test_text(const namer *nm, int id, int right) {
  const cart_node *nd = &nm->t->node[id];
  const cart_feature *fd = nm->feat ? &nm->feat[nd->feature] : NULL;
  char *name = feature_name(nm, nd->feature), *s;
  /* a 0/1 feature splits at 0.5; any other threshold is shown as a number */
  if (fd && fd->categorical && nd->threshold >= 0 && nd->threshold < 1) {
    const char *lab = right ? fd->label1 : fd->label0;
    s = lab ? xstrdup(lab) : strf("%s = %d", name, right);
  } else {
    int unit = fd && fd->unit && fd->unit[0];
    s = strf("%s %s %.4g%s%s%s", name, right ? ">" : "<=", nd->threshold, unit ? " (" : "",
             unit ? fd->unit : "", unit ? ")" : "");
  }
  free(name);
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

#define MAX_LINES 3

/* The lines drawn in node id: the left test and n for a decision, class,
 * probability and counts for a leaf. Returns the count; free each line. */
static int node_lines(const namer *nm, int id, char *line[MAX_LINES]) {
  const cart_node *nd = &nm->t->node[id];
  if (nd->feature >= 0) {
    line[0] = test_text(nm, id, 0);
    line[1] = strf("n = %d", nd->n);
    return 2;
  }
  line[0] = class_name(nm, nd->klass);
  line[1] = proba_text(nm, id);
  line[2] = count_text(nm->t, id);
  return 3;
}

static void free_lines(char **line, int n) {
  for (int i = 0; i < n; i++) free(line[i]);
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
  fprintf(f, "|--- class: %s, %s, %s\n", cls, p, cnt);
  free(cls);
  free(p);
  free(cnt);
}

int cart_write_text(const cart_tree *t, const cart_feature *feat,
                    const char *const *class_names, FILE *f) {
  if (!t || !f) return au_fail(AU_EIO, "cart: no tree or no stream to write");
  namer nm = {t, feat, class_names};
  int *par = parents(t), *st = xmalloc((size_t)t->n_nodes * sizeof *st), sp = 0;
  st[sp++] = 0;
  while (sp > 0) {
    int id = st[--sp], up = par[id];
    if (up >= 0) { /* the branch line leading here, at the parent's indent */
      char *test = test_text(&nm, up, t->node[up].right == id);
      indent_rules(f, t->node[up].depth);
      fprintf(f, "|--- %s\n", test);
      free(test);
    }
    if (t->node[id].feature < 0) {
      text_leaf(&nm, id, f);
      continue;
    }
    st[sp++] = t->node[id].right;
    st[sp++] = t->node[id].left;
  }
  free(par);
  free(st);
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

static void dot_label(char **line, int n, FILE *f) {
  fputc('"', f);
  for (int i = 0; i < n; i++) {
    if (i) fputs("\\n", f);
    put_dot(line[i], f);
  }
  fputc('"', f);
}

int cart_write_dot(const cart_tree *t, const cart_feature *feat,
                   const char *const *class_names, FILE *f) {
  if (!t || !f) return au_fail(AU_EIO, "cart: no tree or no stream to write");
  namer nm = {t, feat, class_names};
  fputs("digraph cart {\n"
        "  node [fontname=\"Helvetica\", fontsize=11];\n"
        "  edge [fontname=\"Helvetica\", fontsize=10];\n",
        f);
  for (int i = 0; i < t->n_nodes; i++) {
    char *line[MAX_LINES];
    int nl = node_lines(&nm, i, line);
    if (t->node[i].feature >= 0)
      fprintf(f, "  n%d [shape=ellipse, label=", i);
    else
      fprintf(f, "  n%d [shape=box, style=\"filled\", fillcolor=\"%s\", label=", i,
              class_colour(t->node[i].klass));
    dot_label(line, nl, f);
    fputs("];\n", f);
    free_lines(line, nl);
  }
  for (int i = 0; i < t->n_nodes; i++) {
    const cart_node *nd = &t->node[i];
    if (nd->feature < 0) continue;
    fprintf(f, "  n%d -> n%d [label=\"yes\"];\n", i, nd->left);
    fprintf(f, "  n%d -> n%d [label=\"no\"];\n", i, nd->right);
  }
  fputs("}\n", f);
  return finish(f, "DOT");
}

/* ---- SVG ------------------------------------------------------------------ */

#define SVG_CHAR_W 7.0  /* mean glyph width at font-size 12 */
#define SVG_LINE_H 15.0 /* baseline to baseline */
#define SVG_ROW_H 100.0 /* centre to centre between depths */
#define SVG_MARGIN 12.0
#define SVG_GAP 16.0 /* least space between neighbouring nodes */


typedef struct {
  char *line[MAX_LINES];
  int nl;
  double x, y, hw, hh; /* centre and half extents */
} svg_box;

/* Sizes every node and places it: leaves in pre-order (= left to right) on
 * evenly spaced columns, each parent centred over its two children. */
static double svg_layout(const namer *nm, svg_box *bx, int *n_leaves) {
  const cart_tree *t = nm->t;
  double col = 90; /* column width: the widest node plus a gap */
  for (int i = 0; i < t->n_nodes; i++) {
    svg_box *b = &bx[i];
    b->nl = node_lines(nm, i, b->line);
    int chars = 0;
    for (int j = 0; j < b->nl; j++)
      if (svg_text_chars(b->line[j]) > chars) chars = svg_text_chars(b->line[j]);
    double w = chars * SVG_CHAR_W, h = b->nl * SVG_LINE_H;
    /* an ellipse with ry = 0.85 h passes the text box's corners at
     * rx = 0.62 w: (0.5 / 0.62)^2 + (0.5 / 0.85)^2 ~ 1 */
    int leaf = t->node[i].feature < 0;
    b->hw = leaf ? w / 2 + 8 : 0.62 * w + 8;
    b->hh = leaf ? h / 2 + 5 : 0.85 * h;
    if (2 * b->hw + SVG_GAP > col) col = 2 * b->hw + SVG_GAP;
  }
  int leaves = 0;
  for (int i = 0; i < t->n_nodes; i++)
    if (t->node[i].feature < 0) bx[i].x = SVG_MARGIN + (leaves++ + 0.5) * col;
  for (int i = t->n_nodes - 1; i >= 0; i--) { /* pre-order: children come later */
    const cart_node *nd = &t->node[i];
    if (nd->feature >= 0) bx[i].x = (bx[nd->left].x + bx[nd->right].x) / 2;
    bx[i].y = SVG_MARGIN + SVG_ROW_H / 2 + nd->depth * SVG_ROW_H;
  }
  *n_leaves = leaves;
  return col;
}

static void svg_edge(const svg_box *p, const svg_box *c, int right, FILE *f) {
  double x0 = p->x, y0 = p->y + p->hh, x1 = c->x, y1 = c->y - c->hh;
  double mx = (x0 + x1) / 2, my = (y0 + y1) / 2;
  fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\"/>\n", x0, y0,
          x1, y1);
  fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" fill=\"#333\">%s</text>\n",
          right ? mx + 5 : mx - 5, my, right ? "start" : "end", right ? "no" : "yes");
}

static void svg_node(const svg_box *b, const cart_node *nd, FILE *f) {
  if (nd->feature >= 0)
    fprintf(f,
            "<ellipse cx=\"%.1f\" cy=\"%.1f\" rx=\"%.1f\" ry=\"%.1f\" fill=\"#f7f7f7\" "
            "stroke=\"#444\"/>\n",
            b->x, b->y, b->hw, b->hh);
  else
    fprintf(f,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
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

int cart_write_svg(const cart_tree *t, const cart_feature *feat,
                   const char *const *class_names, FILE *f) {
  if (!t || !f) return au_fail(AU_EIO, "cart: no tree or no stream to write");
  namer nm = {t, feat, class_names};
  svg_box *bx = xcalloc((size_t)t->n_nodes, sizeof *bx);
  int leaves;
  double col = svg_layout(&nm, bx, &leaves);
  double w = 2 * SVG_MARGIN + leaves * col;
  double h = 2 * SVG_MARGIN + (cart_depth(t) + 1) * SVG_ROW_H;
  fprintf(f,
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
          "viewBox=\"0 0 %.0f %.0f\">\n"
          "<title>CART decision tree: %d nodes, %d leaves</title>\n"
          "<g font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n",
          ceil(w), ceil(h), ceil(w), ceil(h), t->n_nodes, leaves);
  for (int i = 0; i < t->n_nodes; i++) { /* edges first: nodes paint over them */
    const cart_node *nd = &t->node[i];
    if (nd->feature < 0) continue;
    svg_edge(&bx[i], &bx[nd->left], 0, f);
    svg_edge(&bx[i], &bx[nd->right], 1, f);
  }
  for (int i = 0; i < t->n_nodes; i++) {
    svg_node(&bx[i], &t->node[i], f);
    free_lines(bx[i].line, bx[i].nl);
  }
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
    json_indent(lv, f);
    fprintf(f, "\"probability\": %.10g", class_fraction(t, id, 1)); /* P(class 1) */
    free(cls);
    return;
  }
  char *name = feature_name(nm, nd->feature);
  fputs("\"feature\": ", f);
  put_json(name, f);
  fprintf(f, ",\n");
  json_indent(lv, f);
  fprintf(f, "\"feature_index\": %d,\n", nd->feature);
  json_indent(lv, f);
  fprintf(f, "\"threshold\": %.17g", nd->threshold); /* round-trips exactly */
  free(name);
}

static void json_header(const namer *nm, FILE *f) {
  const cart_tree *t = nm->t;
  fprintf(f, "{\n  \"n_features\": %d,\n  \"n_classes\": %d,\n  \"classes\": [", t->n_features,
          t->n_classes);
  for (int c = 0; c < t->n_classes; c++) {
    char *name = class_name(nm, c);
    if (c) fputs(", ", f);
    put_json(name, f);
    free(name);
  }
  fputs("],\n  \"features\": [", f);
  for (int j = 0; j < t->n_features; j++) {
    char *name = feature_name(nm, j);
    if (j) fputs(", ", f);
    put_json(name, f);
    free(name);
  }
  fputs("],\n  \"tree\": ", f);
}

int cart_write_json(const cart_tree *t, const cart_feature *feat,
                    const char *const *class_names, FILE *f) {
  if (!t || !f) return au_fail(AU_EIO, "cart: no tree or no stream to write");
  namer nm = {t, feat, class_names};
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
