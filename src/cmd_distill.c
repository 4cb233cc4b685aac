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
#include "scorer.h"

static const cli_opt opts[] = {
    {"--subset", NULL, "SET", "rows to sample around: set_ii (default; aqueous Au25, the paper's data set II) or all"},
    {"--samples", "-n", "N", "random recipes to fit the tree on (default 11095, as the paper)"},
    {"--test", NULL, "N", "fresh random recipes to score the tree on (default 1000)"},
    {"--max-depth", "-d", "D", "tree depth limit (default 5)"},
    {"--min-leaf", NULL, "N", "fewest recipes in a leaf (default 50)"},
    {"--seed", "-s", "N", "random seed (default 1)"},
    {"--output", "-o", "OUT", "tree.txt (rules; default stdout), tree.dot, tree.svg or tree.json"},
    {"--components", "-c", "FILE", "more solvents/reductants; must agree with the model's on those it has"},
    {"--allow-missing-ph", NULL, NULL, "accept an empty pH in water-like solvents (encoded as the model's ph_missing)"},
    {NULL, NULL, NULL, NULL}};

static const cli_spec spec = {
    "distill", "MODEL.json RECIPES.csv [options]",
    "Draws random recipes: a component combination (ligand, solvent, reducing agent) of the\n"
    "chosen rows, and each of the five conditions uniformly between its lowest and highest\n"
    "value in those rows. The model ensemble labels them (success when mean p > 0.5); a CART\n"
    "tree (Gini) is fitted on the 17 descriptors plus the ligand-to-Au and reductant-to-Au\n"
    "molar ratios. The tree's F1 and MCC against the model on fresh recipes go to stderr.",
    opts, 2, 2,
    "example:\n  auclust distill model.json data/au_nc_recipes.csv --subset set_ii -o tree.svg"};

#define NFEAT (AU_NDESC + 2)
enum { F_LIG_RATIO = AU_NDESC, F_RED_RATIO };

typedef struct {
  int ncombo;
  const recipe **combo;   /* a representative recipe per component combination */
  double lo[AU_NCOND], hi[AU_NCOND];
  scorer **sc;
} sampler;

static int same_combo(const recipe *a, const recipe *b) {
  if (memcmp(a->mol, b->mol, sizeof a->mol)) return 0;
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

/* n random recipes as tree features X[n, NFEAT] and model labels y[n]. */
static void draw_and_label(const sampler *s, int n, rng_t *r, double *X, int *y) {
  int *which = xmalloc(sizeof(int) * n), *cnt = xcalloc(s->ncombo, sizeof(int));
  for (int i = 0; i < n; i++) cnt[which[i] = rng_int(r, s->ncombo)]++;
  for (int i = 0; i < n; i++) {
    double *x = X + (size_t)i * NFEAT;
    memcpy(x, s->combo[which[i]]->x, sizeof(double) * AU_NDESC);
    for (int j = 0; j < AU_NCOND; j++) x[j] = s->lo[j] + (s->hi[j] - s->lo[j]) * rng_uniform(r);
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
    scorer_eval_mean(s->sc[k], cond, c, p, NULL);
    for (int j = 0; j < c; j++) y[idx[j]] = p[j] > 0.5;
    free(cond); free(p); free(idx);
  }
  free(which); free(cnt);
}

static const char *const class_names[2] = {"failure", "success"};

static void features(cart_feature *f) {
  for (int j = 0; j < AU_NDESC; j++) f[j] = (cart_feature){au_desc_name[j], au_desc_unit[j], au_desc_binary[j], NULL, NULL};
  f[D_AROMATIC].label0 = "ligand is aliphatic";
  f[D_AROMATIC].label1 = "ligand is aromatic";
  f[D_TEMPERATURE_C].unit = "°C";
  f[F_LIG_RATIO] = (cart_feature){"ligand_to_Au", "mol/mol", 0, NULL, NULL};
  f[F_RED_RATIO] = (cart_feature){"reductant_to_Au", "mol/mol", 0, NULL, NULL};
}

int cmd_distill(int argc, char **argv) {
  cli_args a;
  int rc;
  if (cli_start(&spec, argc, argv, &a, &rc)) return rc;
  long ns = 11095, nt = 1000, depth = 5, leaf = 50;
  uint64_t seed = 1;
  const char *subset = cli_get(&a, "--subset") ? cli_get(&a, "--subset") : "set_ii";
  if ((rc = cli_int(&a, "--samples", 10, 10000000, &ns)) || (rc = cli_int(&a, "--test", 10, 10000000, &nt)) ||
      (rc = cli_int(&a, "--max-depth", 1, 64, &depth)) || (rc = cli_int(&a, "--min-leaf", 1, 10000000, &leaf)) ||
      (rc = cli_u64(&a, "--seed", &seed))) {
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
  int fmt = !out || !strcmp(out, "-") || !strcmp(ext, ".txt") ? 0 : !strcmp(ext, ".dot") ? 1 : !strcmp(ext, ".svg") ? 2
            : ol > 5 && !strcmp(out + ol - 5, ".json") ? 3 : -1;
  if (fmt < 0) {
    rc = au_fail(AU_EUSAGE, "--output %s: give a .txt, .dot, .svg or .json file", out);
    cli_free(&a);
    return rc;
  }
  model m;
  if ((rc = model_load(&m, a.pos[0]))) { cli_free(&a); return rc; }
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
    draw_and_label(&s, (int)ns, &r, X, y);
    draw_and_label(&s, (int)nt, &r, Xt, yt);
    cart_params cp = cart_defaults();
    cp.max_depth = (int)depth;
    cp.min_samples_leaf = (int)leaf;
    cart_tree *t = cart_fit(X, y, (int)ns, NFEAT, &cp);
    if (!t) rc = AU_EDATA;
    if (!rc) {
      for (int i = 0; i < nt; i++) pt[i] = cart_predict(t, Xt + (size_t)i * NFEAT);
      confusion cm = confusion_count(yt, pt, (int)nt);
      int pos = 0;
      for (int i = 0; i < ns; i++) pos += y[i];
      cart_feature f[NFEAT];
      features(f);
      outfile o;
      if (!(rc = out_open(&o, out))) {
        if (fmt == 0) {
          fprintf(o.f, "# decision tree distilled from %s (%s, %d instance%s); %ld random recipes (%s subset), seed %llu\n",
                  a.pos[0], hparams_kind(&m.hp), m.ninst, m.ninst > 1 ? "s" : "", ns, subset, (unsigned long long)seed);
          fprintf(o.f, "# fidelity on %ld fresh recipes: accuracy %.3f, F1 %.3f, MCC %.3f\n", nt, metric_accuracy(cm),
                  metric_f1(cm), metric_mcc(cm));
          rc = cart_write_text(t, f, class_names, o.f);
        } else if (fmt == 1) rc = cart_write_dot(t, f, class_names, o.f);
        else if (fmt == 2) rc = cart_write_svg(t, f, class_names, o.f);
        else rc = cart_write_json(t, f, class_names, o.f);
        if (rc || (rc = out_commit(&o))) out_abort(&o);
      }
      if (!rc) /* after the output, so an error stays the only line */
        fprintf(stderr,
                "auclust distill: %s subset, %d component combination%s; %ld recipes (%.1f%% labelled success by the "
                "model), tree depth %d, %d leaves; on %ld fresh recipes vs the model: accuracy %.3f, F1 %.3f, MCC %.3f\n",
                subset, s.ncombo, s.ncombo > 1 ? "s" : "", ns, 100.0 * pos / ns, cart_depth(t), cart_leaves(t), nt,
                metric_accuracy(cm), metric_f1(cm), metric_mcc(cm));
      cart_free(t);
    }
    free(X); free(Xt); free(y); free(yt); free(pt);
  }
  sampler_free(&s);
  recipes_free(&rs);
  components_free(&comp);
  model_free(&m);
  cli_free(&a);
  return rc;
}
