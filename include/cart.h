/* CART classification tree (Gini), the "model of the model" of Figure 6:
 * fitted to recipes labelled by the network, then written out as text
 * rules, a Graphviz flowchart, a self-drawn SVG or JSON.
 * Conventions follow scikit-learn's DecisionTreeClassifier so trees can be
 * compared with the paper's: x[f] <= threshold goes left, thresholds are
 * midpoints between consecutive distinct values, the split maximises
 * N_t/N * (impurity - N_tR/N_t * right_impurity - N_tL/N_t * left_impurity). */
#ifndef AUCLUST_CART_H
#define AUCLUST_CART_H
#include <stdio.h>

/* Labels must lie in 0 .. CART_MAX_CLASSES-1. */
#define CART_MAX_CLASSES 64

typedef struct {
  int max_depth;                /* <= 0: unlimited; the root has depth 0 */
  int min_samples_split;        /* >= 2; a node with fewer is a leaf */
  int min_samples_leaf;         /* >= 1; both children of a split need this many */
  double min_impurity_decrease; /* >= 0; weighted decrease a split must reach */
  /* Random forests: 1 .. n_features-1 features drawn at random per node
   * (from a stream of (seed, node)), more drawn only while none of them can
   * split, as scikit-learn does; 0 or >= n_features: every feature. */
  int max_features;
  unsigned long long seed;
} cart_params;

#define CART_MAX_TIED 6

typedef struct {
  int feature;      /* split feature, -1 at a leaf */
  double threshold; /* x[feature] <= threshold goes left */
  int left, right;  /* child node indices, -1 at a leaf */
  int depth;        /* root = 0 */
  int n;            /* training samples reaching the node */
  int klass;        /* majority class, ties to the lower index */
  double impurity;  /* Gini impurity of the node's samples */
  /* other features whose best split at this node has the same gain (ties
   * the fit broke by feature order), and their thresholds */
  int n_tied;
  int tied_feature[CART_MAX_TIED];
  double tied_threshold[CART_MAX_TIED];
  int merged;       /* leaf of cart_merge: the original leaves it replaces (0: none) */
} cart_node;

/* Nodes are stored in depth-first pre-order, as sklearn's tree_: node[0] is
 * the root, a parent comes before its children and a left subtree before the
 * right one (the writers rely on this). */
typedef struct {
  int n_nodes;
  int n_features;
  int n_classes; /* max(2, 1 + max(y)): binary trees always have class 1 */
  cart_node *node;
  int *count; /* n_nodes x n_classes training class counts */
} cart_tree;

/* How the writers name a feature. A categorical feature is 0/1 (e.g.
 * ligand aromatic = 1, aliphatic = 0): its tests print label0 / label1
 * (e.g. "ligand is aliphatic" / "ligand is aromatic") instead of "<= 0.5".
 * name NULL prints "x[i]"; unit NULL or "" prints none; labels NULL print
 * "name = 0" / "name = 1". */
typedef struct {
  const char *name;
  const char *unit;
  int categorical;
  const char *label0, *label1;
  const char *label; /* what a reader sees instead of name, e.g. "ligand:Au"; NULL: name.
                        JSON keeps name as "feature" and adds this as "label" */
} cart_feature;

/* How a tree is written (cart_write). Zero = the plain writers below. */
typedef struct {
  const cart_feature *feat;       /* n_features entries, or NULL */
  const char *const *class_names; /* n_classes entries, or NULL */
  int left_to_right;              /* SVG and DOT: root on the left (else on top) */
  int legend;                     /* text, DOT, SVG: how to read a node */
  const char *note;               /* one more legend line, or NULL */
  /* per node (n_nodes entries, or NULL): text replacing the test of the
   * left [0] / right [1] branch, e.g. "ligand is MHA or MPA"; the test
   * follows in parentheses */
  const char *const *branch_label[2];
  /* per node (n_nodes entries, or NULL): a count JSON writes on every node
   * as "node_count_name": k, e.g. distill's "n_ph_empty" */
  const char *node_count_name;
  const int *node_count;
} cart_style;

enum { CART_TEXT, CART_DOT, CART_SVG, CART_JSON };
/* One writer for the four formats. Decisions also list their tied
 * features (text: "[tied with ...]", JSON "tied"), merged leaves say so
 * (text "[k leaves merged]", JSON "merged_leaves"; top-level
 * "merged_splits"). */
int cart_write(const cart_tree *t, int format, const cart_style *st, FILE *f);

cart_params cart_defaults(void); /* unlimited depth, 2, 1, 0.0, all features */

/* Fits a tree to X (n x d, row-major, finite) and y (0 .. K-1); p NULL means
 * defaults. Returns NULL with au_fail(AU_EDATA) on bad input or params.
 * Deterministic: ties go to the lowest feature, then the lowest threshold. */
cart_tree *cart_fit(const double *X, const int *y, int n, int d, const cart_params *p);
void cart_free(cart_tree *t);
/* A copy in which every subtree whose leaves all predict one class is one
 * leaf (the paper drew such subtrees as triangles): predictions are
 * unchanged; the new leaf's `merged` holds how many leaves it replaces.
 * The copy's depths are recomputed; node numbers change. */
cart_tree *cart_merge(const cart_tree *t);
/* Splits removed by cart_merge: the sum over merged leaves of merged - 1. */
int cart_merged_splits(const cart_tree *t);

/* x holds n_features values; a NaN feature value goes right. */
int cart_apply(const cart_tree *t, const double *x);   /* leaf node index */
int cart_predict(const cart_tree *t, const double *x); /* leaf's class */
/* Training fraction of class cls in x's leaf; 0 for a class out of range. */
double cart_proba(const cart_tree *t, const double *x, int cls);
int cart_depth(const cart_tree *t);  /* deepest node's depth; a stump is 0 */
int cart_leaves(const cart_tree *t);
/* The node's n_classes class counts. */
static inline const int *cart_counts(const cart_tree *t, int node) {
  return t->count + (size_t)node * t->n_classes;
}

/* Writers. feat (n_features entries) and class_names (n_classes entries) may
 * be NULL. Leaves show the class, P(class 1) (P(leaf class) when K > 2) and
 * the samples as in the paper's Figure 6: "n = 129 (120/9)" = 120 of the
 * leaf's class, 9 of others. Text: indented "|--- test" rules; DOT and SVG:
 * ellipses holding the left branch's test, "yes" edges going left, boxes
 * coloured by class; JSON: {"classes", "features", "tree"} with nested nodes
 * (decision: feature, feature_index, threshold, left, right; leaf: class,
 * class_index, probability = P(class 1); both: node, n, counts, impurity,
 * and cart_style's node count when given).
 * Each returns 0, or AU_EIO when the stream fails (checked after a flush). */
int cart_write_text(const cart_tree *t, const cart_feature *feat,
                    const char *const *class_names, FILE *f);
int cart_write_dot(const cart_tree *t, const cart_feature *feat,
                   const char *const *class_names, FILE *f);
int cart_write_svg(const cart_tree *t, const cart_feature *feat,
                   const char *const *class_names, FILE *f);
int cart_write_json(const cart_tree *t, const cart_feature *feat,
                    const char *const *class_names, FILE *f);
#endif
