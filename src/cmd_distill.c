/* auclust distill: the paper's "model of the model" (Figure 6). Random
 * recipes drawn uniformly inside the ranges of the chosen rows are labelled
 * by the model ensemble; a CART tree fitted to them states the model's
 * behaviour as rules, and its F1/MCC against the model on fresh random
 * recipes says how faithfully. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cart.h"
#include "cli.h"
#include "cmd_common.h"
#include "commands.h"
#include "conditions.h"
#include "err.h"
#include "metrics.h"
#include "outfile.h"
#include "progress.h"
#include "scorer.h"

static const cli_opt opts[] = {
    {"--subset", NULL, "SET", "rows to sample around: set_ii (default; aqueous Au25, the paper's data set II) or all"},
    {"--samples", "-n", "N", "random recipes to fit the tree on (default 11095, as the paper; at most 200000)"},
    {"--test", NULL, "N", "fresh random recipes to score the tree on (default 1000, at most 200000)"},
    {"--max-depth", "-d", "D", "tree depth limit (default 5)"},
    {"--min-leaf", NULL, "N", "fewest recipes in a leaf (default 50)"},
    {"--threshold", "-t", "P", "a recipe is a success for the tree when the model's mean p > P (default 0.5), or\n"
                               "                             median: the median p of the random recipes (where the model is more confident)"},
    {"--seed", "-s", "N", "random seed (default 1)"},
    {"--output", "-o", "OUT", "tree.txt (rules; default stdout), tree.dot, tree.svg or tree.json"},
    {"--orientation", NULL, "lr|tb", "SVG and DOT: root on the left, read left to right (lr, default, as the paper's\n"
                                     "                             Figure 6), or on top (tb)"},
    {"--no-merge", NULL, NULL, "keep the raw tree: do not merge sibling subtrees that predict one class into a leaf"},
    {"--components", "-c", "FILE", "more solvents/reductants; must agree with the model's on those it has"},
    {"--allow-missing-ph", NULL, NULL, "accept an empty pH in water-like solvents (encoded as the model's ph_missing)"},
    CLI_INPUT_OPTS,
    CLI_CALIB_OPT,
    CLI_QUIET_OPT,
    {NULL, NULL, NULL, NULL}};

static const cli_spec spec = {
    "distill", "MODEL.json RECIPES.csv [options]",
    "Draws random recipes: a component combination (ligand, solvent, reducing agent) of the\n"
    "chosen rows, and each of the five conditions uniformly between its lowest and highest\n"
    "value in those rows. The model ensemble labels them (success when mean p > --threshold,\n"
    "default 0.5; when nearly all get one label, stderr says so: --threshold median then splits\n"
    "them where the model is more and less confident); a CART\n"
    "tree (Gini) is fitted on the 17 descriptors plus the ligand-to-Au and reductant-to-Au\n"
    "molar ratios. The tree's F1 and MCC against the model on fresh recipes go to stderr.\n"
    "Subtrees whose leaves all predict one class are merged into one leaf (the outputs say\n"
    "how many leaves each replaces); a split between whole components is labelled by their\n"
    "names; features that split equally well are listed as tied. Recipes with an empty pH\n"
    "(organic solvents) keep pH at the missing-value code, so no split on pH divides them.",
    opts, 2, 2,
    "examples:\n  auclust distill model.json data/au_nc_recipes.csv --subset set_ii -o tree.svg\n"
    "  auclust distill model.json data/au_nc_recipes.csv --orientation tb --no-merge -o tree_raw.json"};

#define NFEAT (AU_NDESC + 2)
enum { F_LIG_RATIO = AU_NDESC, F_RED_RATIO };

typedef struct {
  int ncombo;
  const recipe **combo;   /* a representative recipe per component combination */
  double lo[AU_NCOND], hi[AU_NCOND];
  scorer **sc;
} sampler;

static int same_combo(const recipe *a, const recipe *b) {
  if (memcmp(a->mol, b->mol, sizeof a->mol) || a->ph_missing != b->ph_missing) return 0;
  for (int j = AU_NCOND; j < AU_XMAX; j++)
    if (a->x[j] != b->x[j]) return 0;
  return 1;
}

static int sampler_init(sampler *s, const model *m, const recipe_set *rs, int set_ii_only) {
  memset(s, 0, sizeof *s);
  s->combo = xmalloc(sizeof(recipe *) * rs->n);
  for (int j = 0; j < AU_NCOND; j++) { s->lo[j] = INFINITY; s->hi[j] = -INFINITY; }
  int nrows = 0;
  for (int i = 0; i < rs->n; i++) {
    const recipe *r = &rs->r[i];
    if (set_ii_only && r->set_ii != 1) continue;
    nrows++;
    for (int j = 0; j < AU_NCOND; j++) {
      if (j == D_PH && r->ph_missing) continue; /* the code is not a pH */
      if (r->x[j] < s->lo[j]) s->lo[j] = r->x[j];
      if (r->x[j] > s->hi[j]) s->hi[j] = r->x[j];
    }
    int k = 0;
    while (k < s->ncombo && !same_combo(s->combo[k], r)) k++;
    if (k == s->ncombo) s->combo[s->ncombo++] = r;
  }
  if (!nrows)
    return au_fail(AU_EUSAGE, "%s: no rows in the subset%s", rs->path,
                   set_ii_only ? " (no row has set_ii = 1; try --subset all)" : "");
  s->sc = xmalloc(sizeof(scorer *) * s->ncombo);
  for (int k = 0; k < s->ncombo; k++) {
    const molgraph *mols[NROLES];
    recipe_graphs(rs, s->combo[k], mols);
    s->sc[k] = scorer_new(m, mols, s->combo[k]->x);
  }
  return 0;
}

static void sampler_free(sampler *s) {
  for (int k = 0; k < s->ncombo && s->sc; k++) scorer_free(s->sc[k]);
  free(s->sc); free(s->combo);
}

/* n random recipes as tree features X[n, NFEAT] and the model's mean p
 * pr[n]; which[n] gets each one's component combination. */
static int draw_and_score(const sampler *s, int n, rng_t *r, double *X, double *pr, int *which) {
  int rc = 0;
  int *cnt = xcalloc(s->ncombo, sizeof(int));
  for (int i = 0; i < n; i++) cnt[which[i] = rng_int(r, s->ncombo)]++;
  for (int i = 0; i < n; i++) {
    double *x = X + (size_t)i * NFEAT;
    const recipe *c = s->combo[which[i]];
    memcpy(x, c->x, sizeof(double) * AU_NDESC);
    for (int j = 0; j < AU_NCOND; j++) {
      double u = rng_uniform(r); /* drawn for pH too, so the stream does not depend on the solvent */
      if (j == D_PH && c->ph_missing) continue; /* stays at the missing-value code */
      x[j] = s->lo[j] + (s->hi[j] - s->lo[j]) * u;
    }
    x[F_LIG_RATIO] = x[D_HAUCL4_MM] > 0 ? x[D_LIGAND_MM] / x[D_HAUCL4_MM] : 0;
    x[F_RED_RATIO] = x[D_HAUCL4_MM] > 0 ? x[D_REDUCTANT_MM] / x[D_HAUCL4_MM] : 0;
  }
  /* score each combination's recipes in one batch */
  for (int k = 0; k < s->ncombo; k++) {
    if (!cnt[k]) continue;
    double *cond = xmalloc(sizeof(double) * AU_NCOND * cnt[k]), *p = xmalloc(sizeof(double) * cnt[k]);
    int *idx = xmalloc(sizeof(int) * cnt[k]), c = 0;
    for (int i = 0; i < n; i++)
      if (which[i] == k) {
        memcpy(cond + (size_t)c * AU_NCOND, X + (size_t)i * NFEAT, sizeof(double) * AU_NCOND);
        idx[c++] = i;
      }
    if (!rc) rc = scorer_eval_mean(s->sc[k], cond, c, p, NULL); /* a NaN must not read as "failure" */
    for (int j = 0; j < c; j++) pr[idx[j]] = p[j];
    free(cond); free(p); free(idx);
    progress_add(c);
  }
  free(cnt);
  return rc;
}

static const char *const class_names[2] = {"failure", "success"};

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(const double *v, long n) {
  double *w = xmalloc(sizeof(double) * n);
  memcpy(w, v, sizeof(double) * n);
  qsort(w, (size_t)n, sizeof(double), cmp_double);
  double m = n % 2 ? w[n / 2] : 0.5 * (w[n / 2 - 1] + w[n / 2]);
  free(w);
  return m;
}

static void features(cart_feature *f) {
  for (int j = 0; j < AU_NDESC; j++)
    f[j] = (cart_feature){au_desc_name[j], au_desc_unit[j], au_desc_binary[j], NULL, NULL, au_desc_label[j]};
  f[D_AROMATIC].label0 = "aliphatic ligand";
  f[D_AROMATIC].label1 = "aromatic ligand";
  f[F_LIG_RATIO] = (cart_feature){"ligand_to_Au", "mol/mol", 0, NULL, NULL, "ligand:Au"};
  f[F_RED_RATIO] = (cart_feature){"reductant_to_Au", "mol/mol", 0, NULL, NULL, "reductant:Au"};
}

/* "ligand is A or B", "solvent is A, B or C" (at most 4 names, then "+k more"). */
static char *names_text(const char *role, const char **names, int n) {
  size_t len = strlen(role) + 16;
  for (int i = 0; i < n; i++) len += strlen(names[i]) + 8;
  char *s = xmalloc(len + 32), *p = s;
  p += sprintf(p, "%s is ", role);
  int shown = n > 4 ? 3 : n;
  for (int i = 0; i < shown; i++)
    p += sprintf(p, "%s%s", i == 0 ? "" : i + 1 == shown && shown == n ? " or " : ", ", names[i]);
  if (shown < n) sprintf(p, " or %d more", n - shown);
  return s;
}

/* Branch labels of the splits that only separate whole components: a split
 * on a component descriptor sends every sample of a combination the same
 * way. When the ligands (else the solvents, else the reductants) on the two
 * sides are disjoint, the branches are labelled by their names. */
static void component_labels(const cart_tree *t, const sampler *s, const double *X, const int *which, int n,
                             char **lab[2]) {
  int nc = s->ncombo;
  unsigned char *side = xcalloc((size_t)t->n_nodes * nc, 1); /* bit 1: goes left, 2: right */
  for (int i = 0; i < n; i++) {
    const double *x = X + (size_t)i * NFEAT;
    for (int id = 0; t->node[id].feature >= 0;) {
      int left = x[t->node[id].feature] <= t->node[id].threshold;
      side[(size_t)id * nc + which[i]] |= left ? 1 : 2;
      id = left ? t->node[id].left : t->node[id].right;
    }
  }
  const char **names[2] = {xmalloc(sizeof(char *) * nc), xmalloc(sizeof(char *) * nc)};
  for (int id = 0; id < t->n_nodes; id++) {
    int f = t->node[id].feature;
    if (f < AU_NCOND || f >= AU_NDESC) continue; /* conditions and ratios vary within a combination */
    const unsigned char *sd = side + (size_t)id * nc;
    for (int role = 0; role < NROLES; role++) {
      int nn[2] = {0, 0}, clash = 0;
      for (int c = 0; c < nc && !clash; c++) {
        if (!sd[c]) continue;
        int b = sd[c] == 1 ? 0 : 1;
        const char *nm = s->combo[c]->name[role];
        for (int k = 0; k < nn[1 - b]; k++) clash |= !strcmp(names[1 - b][k], nm);
        int seen = 0;
        for (int k = 0; k < nn[b]; k++) seen |= !strcmp(names[b][k], nm);
        if (!seen) names[b][nn[b]++] = nm;
      }
      if (clash || !nn[0] || !nn[1]) continue;
      for (int b = 0; b < 2; b++) lab[b][id] = names_text(role_name[role], names[b], nn[b]);
      break;
    }
  }
  free(names[0]); free(names[1]); free(side);
}

/* Per node of t, the fitted recipes reaching it whose pH is empty: the JSON's
 * "n_ph_empty". They all carry the missing-value code, so at a pH split at
 * most one child has any (tests/cli_distill_ph.sh checks this). */
static int *ph_empty_counts(const cart_tree *t, const sampler *s, const double *X, const int *which, int n) {
  int *cnt = xcalloc((size_t)t->n_nodes + 1, sizeof(int));
  for (int i = 0; i < n; i++) {
    if (!s->combo[which[i]]->ph_missing) continue;
    const double *x = X + (size_t)i * NFEAT;
    for (int id = 0;; id = x[t->node[id].feature] <= t->node[id].threshold ? t->node[id].left : t->node[id].right) {
      cnt[id]++;
      if (t->node[id].feature < 0) break;
    }
  }
  return cnt;
}

int cmd_distill(int argc, char **argv) {
  cli_args a;
  int rc;
  if (cli_start(&spec, argc, argv, &a, &rc)) return rc;
  long ns = 11095, nt = 1000, depth = 5, leaf = 50;
  double thr = 0.5;
  uint64_t seed = 1;
  const char *ts = cli_get(&a, "--threshold");
  int thr_median = ts && !strcmp(ts, "median");
  const char *subset = cli_get(&a, "--subset") ? cli_get(&a, "--subset") : "set_ii";
  if ((rc = cli_int(&a, "--samples", 10, 200000, &ns)) || (rc = cli_int(&a, "--test", 10, 200000, &nt)) ||
      (rc = cli_int(&a, "--max-depth", 1, 64, &depth)) || (rc = cli_int(&a, "--min-leaf", 1, 10000000, &leaf)) ||
      (!thr_median && (rc = cli_double(&a, "--threshold", 0, 1, &thr))) || (rc = cli_u64(&a, "--seed", &seed))) {
    cli_free(&a);
    return rc;
  }
  if (strcmp(subset, "set_ii") && strcmp(subset, "all")) {
    rc = au_fail(AU_EUSAGE, "--subset must be set_ii or all, not '%s'", subset);
    cli_free(&a);
    return rc;
  }
  const char *out = cli_get(&a, "--output");
  size_t ol = out ? strlen(out) : 0;
  const char *ext = ol > 4 ? out + ol - 4 : "";
  int fmt = !out || !strcmp(out, "-") || !strcmp(ext, ".txt") ? CART_TEXT : !strcmp(ext, ".dot") ? CART_DOT
            : !strcmp(ext, ".svg") ? CART_SVG : ol > 5 && !strcmp(out + ol - 5, ".json") ? CART_JSON : -1;
  const char *orient = cli_get(&a, "--orientation") ? cli_get(&a, "--orientation") : "lr";
  int lr = !strcmp(orient, "lr");
  if (!lr && strcmp(orient, "tb")) {
    rc = au_fail(AU_EUSAGE, "--orientation must be lr (left to right) or tb (top to bottom), not '%s'", orient);
    cli_free(&a);
    return rc;
  }
  if (fmt < 0) {
    rc = au_fail(AU_EUSAGE, "--output %s: give a .txt, .dot, .svg or .json file", out);
    cli_free(&a);
    return rc;
  }
  model m;
  if ((rc = load_model_cli(&a, "distill", &m))) { cli_free(&a); return rc; }
  component_table comp;
  recipe_set rs;
  input_opts io;
  input_opts_from_cli(&a, NULL, &io);
  if ((rc = open_recipes_for_model(&m, a.pos[1], cli_get(&a, "--components"), &io, &comp, &rs))) {
    model_free(&m);
    cli_free(&a);
    return rc;
  }
  sampler s;
  if (!(rc = sampler_init(&s, &m, &rs, !strcmp(subset, "set_ii")))) {
    rng_t r;
    rng_seed(&r, seed);
    double *X = xmalloc(sizeof(double) * NFEAT * ns), *Xt = xmalloc(sizeof(double) * NFEAT * nt);
    int *y = xmalloc(sizeof(int) * ns), *yt = xmalloc(sizeof(int) * nt), *pt = xmalloc(sizeof(int) * nt);
    double *p = xmalloc(sizeof(double) * ns), *p_t = xmalloc(sizeof(double) * nt);
    int *which = xmalloc(sizeof(int) * ns), *which_t = xmalloc(sizeof(int) * nt);
    progress_begin("distill, recipes labelled by the model", ns + nt);
    rc = draw_and_score(&s, (int)ns, &r, X, p, which);
    if (!rc) rc = draw_and_score(&s, (int)nt, &r, Xt, p_t, which_t);
    double med = rc ? 0 : median(p, ns);
    /* the median as printed (%.5g), so that --threshold with the printed value gives the same tree */
    char mbuf[32];
    snprintf(mbuf, sizeof mbuf, "%.5g", med);
    med = strtod(mbuf, NULL);
    if (thr_median) thr = med;
    for (long i = 0; i < ns; i++) y[i] = p[i] > thr;
    for (long i = 0; i < nt; i++) yt[i] = p_t[i] > thr;
    progress_note("fitting the tree");
    cart_params cp = cart_defaults();
    cp.max_depth = (int)depth;
    cp.min_samples_leaf = (int)leaf;
    cart_tree *t = rc ? NULL : cart_fit(X, y, (int)ns, NFEAT, &cp);
    progress_end();
    if (!t && !rc) rc = AU_EDATA;
    if (!rc) {
      for (int i = 0; i < nt; i++) pt[i] = cart_predict(t, Xt + (size_t)i * NFEAT);
      confusion cm = confusion_count(yt, pt, (int)nt);
      int pos = 0;
      for (int i = 0; i < ns; i++) pos += y[i];
      cart_feature f[NFEAT];
      features(f);
      /* merging changes no prediction, so the fidelity above holds for both */
      cart_tree *shown = cli_flag(&a, "--no-merge") ? t : cart_merge(t);
      char **lab[2] = {xcalloc(shown->n_nodes, sizeof(char *)), xcalloc(shown->n_nodes, sizeof(char *))};
      component_labels(shown, &s, X, which, (int)ns, lab);
      int any_ph_missing = 0;
      for (int k = 0; k < s.ncombo; k++) any_ph_missing |= s.combo[k]->ph_missing;
      char note[160];
      snprintf(note, sizeof note, "pH: recipes with an empty pH (organic solvents) keep the code %g, so no pH split divides them.",
               m.hp.ph_missing);
      int *ph_empty = ph_empty_counts(shown, &s, X, which, (int)ns);
      cart_style st = {f, class_names, lr, 1, any_ph_missing ? note : NULL,
                       {(const char *const *)lab[0], (const char *const *)lab[1]}, "n_ph_empty", ph_empty};
      outfile o;
      if (!(rc = out_open(&o, out))) {
        if (fmt == 0) {
          fprintf(o.f, "# decision tree distilled from %s (%s, %d instance%s); %ld random recipes (%s subset), seed %llu\n",
                  a.pos[0], hparams_kind(&m.hp), m.ninst, m.ninst > 1 ? "s" : "", ns, subset, (unsigned long long)seed);
          fprintf(o.f, "# fidelity on %ld fresh recipes: accuracy %.3f, F1 %.3f, MCC %.3f\n", nt, metric_accuracy(cm),
                  metric_f1(cm), metric_mcc(cm));
          if (thr_median) fprintf(o.f, "# labelled a success when the model's mean p > %.5g, the median of the random recipes (--threshold median)\n", thr);
          else if (thr != 0.5) fprintf(o.f, "# labelled a success when the model's mean p > %g (--threshold)\n", thr);
          if (shown != t)
            fprintf(o.f, "# %d split%s merged: sibling subtrees predicting one class are single leaves (--no-merge keeps them)\n",
                    cart_merged_splits(shown), cart_merged_splits(shown) == 1 ? "" : "s");
        }
        rc = cart_write(shown, fmt, &st, o.f);
        if (rc || (rc = out_commit(&o))) out_abort(&o);
      }
      free(ph_empty);
      for (int b = 0; b < 2; b++) {
        for (int i = 0; i < shown->n_nodes; i++) free(lab[b][i]);
        free(lab[b]);
      }
      int shown_leaves = cart_leaves(shown), merged = cart_merged_splits(shown);
      if (shown != t) cart_free(shown);
      if (!rc) /* after the output, so an error stays the only line */
        fprintf(stderr,
                "auclust distill: %s subset, %d component combination%s; %ld recipes (%.1f%% labelled success by the "
                "model), tree depth %d, %d leaves (%d splits merged); on %ld fresh recipes vs the model: accuracy %.3f, "
                "F1 %.3f, MCC %.3f\n",
                subset, s.ncombo, s.ncombo > 1 ? "s" : "", ns, 100.0 * pos / ns, cart_depth(t), shown_leaves, merged, nt,
                metric_accuracy(cm), metric_f1(cm), metric_mcc(cm));
      double pmin = p[0], pmax = p[0];
      for (long i = 1; i < ns; i++) pmin = fmin(pmin, p[i]), pmax = fmax(pmax, p[i]);
      if (!rc && pmax - pmin < 1e-12) /* e.g. a calibration whose out-of-fold ranking was worse than chance */
        fprintf(stderr, "auclust distill: note: the model gives every random recipe the same probability, %.5g: no "
                        "threshold makes a tree of it\n", pmin);
      else if (!rc && (pos > 0.95 * ns || pos < 0.05 * ns)) /* a tree of one class states no rule */
        fprintf(stderr,
                "auclust distill: note: the model calls %.1f%% of the random recipes a %s at p > %g, so the tree has "
                "little to say; their median p is %.5g: --threshold median splits them into where the model is more and "
                "less confident\n",
                100.0 * (pos > 0.5 * ns ? pos : ns - pos) / ns, pos > 0.5 * ns ? "success" : "failure", thr, med);
      cart_free(t);
    }
    free(X); free(Xt); free(y); free(yt); free(pt); free(which); free(which_t); free(p); free(p_t);
  }
  sampler_free(&s);
  recipes_free(&rs);
  components_free(&comp);
  if (!rc) print_calibration_note("distill", &m);
  model_free(&m);
  cli_free(&a);
  return rc;
}
