/* auclust suggest: the next experiments (the paper's Figure 2 loop).
 * Space-filling candidate recipes inside bounds are scored by the model
 * ensemble; the best ones, kept apart from each other and from recipes
 * already tried, are printed as a recipe CSV ready to be run. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_common.h"
#include "commands.h"
#include "binding.h"
#include "conditions.h"
#include "domain.h"
#include "err.h"
#include "jsonfile.h"
#include "outfile.h"
#include "scorer.h"
#include "table.h"

static const cli_opt opts[] = {
    {"--ligand", "-l", "SMILES", "ligand, or NAME=SMILES (repeatable; comma-separated lists too)"},
    {"--ligands-file", NULL, "FILE", "candidate ligands, one SMILES or NAME=SMILES per line (# comments)"},
    {"--solvent", NULL, "SMILES", "solvent (required; must be in the model's components)"},
    {"--reductant", NULL, "SMILES", "reducing agent (required; must be in the model's components)"},
    {"--bounds", NULL, "BOUNDS.json", "condition bounds: {\"pH\": [7, 14], \"temperature_C\": [0, 80], ...}"},
    {"--range", NULL, "NAME:LO:HI", "one condition's bounds (repeatable; overrides --bounds)"},
    {"--candidates", "-n", "N", "candidate recipes to score (default 100000)"},
    {"--top", "-k", "K", "suggestions to print (default 20)"},
    {"--min-distance", NULL, "FRAC", "two suggestions (or a suggestion and a tried recipe) must differ by at least\n"
                                     "                             this fraction of some condition's range (default 0.05)"},
    {"--exclude", "-x", "RECIPES.csv", "recipes already tried: keep suggestions away from them"},
    {"--seed", "-s", "N", "random seed (default 1)"},
    {"--output", "-o", "OUT.csv", "output file (default: stdout)"},
    {"--components", "-c", "FILE", "more solvents/reductants; must agree with the model's on those it has"},
    {"--allow-any-ligand", NULL, NULL, "also score ligands without a gold-binding group (refused by default)"},
    {"--similarity-threshold", NULL, "S", "nearest training ligand's Tanimoto similarity below which a ligand is\n"
                                          "                             new_ligand (default 0.4)"},
    {"--allow-missing-ph", NULL, NULL, "--exclude: accept an empty pH in water-like solvents"},
    {NULL, NULL, NULL, NULL}};

static const cli_spec spec = {
    "suggest", "MODEL.json --ligand SMILES --solvent SMILES --reductant SMILES [options]",
    "Proposes recipes with a high probability of success. Conditions without bounds range over\n"
    "the model's training data (fixed when the data hold one value); a bound LO = HI fixes one.\n"
    "Output: a recipe CSV (rank, p_success, p_std, and the columns `train` reads) in decreasing\n"
    "probability, with nearest_ligand, ligand_similarity and domain as in predict; add an\n"
    "outcome column after running them and retrain. A ligand without a gold-binding group\n"
    "(thiol, thiolate, disulfide, selenol, phosphine, ...) is refused unless --allow-any-ligand.",
    opts, 1, 1,
    "example:\n  auclust suggest model.json --ligand cysteamine=NCCS --solvent O --reductant '[Na+].[BH4-]' \\\n"
    "      --range pH:7:14 --range temperature_C:0:60 --exclude data/au_nc_recipes.csv --top 10"};

typedef struct {
  char *name, *smiles, *canonical;
} lig_t;

static int add_ligand(lig_t **l, int *n, const char *arg) {
  const char *eq = strchr(arg, '=');
  char *whole = canonical_smiles(arg); /* '=' may be a double bond */
  int labelled = !whole && eq && eq > arg;
  free(whole);
  const char *smi = labelled ? eq + 1 : arg;
  char *can = canonical_smiles(smi);
  if (!can) return au_fail(AU_EUSAGE, "--ligand '%s': RDKit cannot parse the SMILES", arg);
  for (int i = 0; i < *n; i++)
    if (!strcmp((*l)[i].canonical, can)) { free(can); return 0; } /* written twice: keep the first */
  *l = xrealloc(*l, sizeof(lig_t) * (*n + 1));
  (*l)[*n].name = labelled ? strndup(arg, eq - arg) : xstrdup(smi);
  (*l)[*n].smiles = xstrdup(smi);
  (*l)[*n].canonical = can;
  (*n)++;
  return 0;
}

static int gather_ligands(const cli_args *a, lig_t **l, int *n) {
  int rc = 0;
  for (int i = 0; i < cli_count(a, "--ligand") && !rc; i++) {
    char *list = xstrdup(cli_nth(a, "--ligand", i)), *save = NULL;
    for (char *tok = strtok_r(list, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) rc = add_ligand(l, n, tok);
    free(list);
  }
  const char *file = cli_get(a, "--ligands-file");
  if (file && !rc) {
    FILE *f = fopen(file, "r");
    if (!f) return au_fail(AU_EIO, "%s: cannot open", file);
    char line[4096];
    int ln = 0;
    while (!rc && fgets(line, sizeof line, f)) {
      ln++;
      char *s = line;
      while (*s == ' ' || *s == '\t') s++;
      s[strcspn(s, "\r\n")] = 0;
      if (!*s || *s == '#') continue;
      if ((rc = add_ligand(l, n, s))) rc = au_fail(AU_EDATA, "%s: line %d: RDKit cannot parse '%s'", file, ln, s);
    }
    fclose(f);
  }
  if (!rc && !*n) rc = au_fail(AU_EUSAGE, "give at least one --ligand (or --ligands-file)");
  return rc;
}

/* Ligands that cannot bind gold are refused, each said once on stderr
 * (or, when none is left, in the one error line). */
static int refuse_unbound(lig_t *l, int *n) {
  unsigned char *binds = xcalloc(*n + 1, 1);
  int nb = 0, rc = 0;
  for (int i = 0; i < *n && !rc; i++) {
    char *kept, *dropped;
    unsigned mask = 0;
    if (!(rc = ligand_strip(l[i].smiles, &kept, &dropped, &mask))) {
      free(kept); free(dropped);
      nb += binds[i] = mask != 0;
    }
  }
  if (!rc && !nb)
    rc = au_fail(AU_EDATA, "no candidate ligand has a gold-binding group (%s); --allow-any-ligand scores them anyway",
                 binding_group_list());
  int k = 0;
  for (int i = 0; i < *n; i++) {
    if (rc || binds[i]) { l[k++] = l[i]; continue; } /* on an error the caller frees them all */
    fprintf(stderr, "auclust suggest: refusing ligand %s (%s): no gold-binding group (%s); --allow-any-ligand scores it anyway\n",
            l[i].name, l[i].canonical, binding_group_list());
    free(l[i].name); free(l[i].smiles); free(l[i].canonical);
  }
  *n = k;
  free(binds);
  return rc;
}

/* Bounds: training-data ranges, then --bounds, then --range. */
static int read_bounds(const cli_args *a, const model *m, double *lo, double *hi) {
  int *mol, *y;
  double *x;
  int n = model_training_rows(m, &mol, &x, &y);
  for (int c = 0; c < AU_NCOND; c++) {
    lo[c] = INFINITY; hi[c] = -INFINITY;
    for (int i = 0; i < n; i++) {
      double v = x[(size_t)i * m->L.nx + c];
      if (v < lo[c]) lo[c] = v;
      if (v > hi[c]) hi[c] = v;
    }
  }
  free(mol); free(x); free(y);
  int rc = 0;
  const char *bf = cli_get(a, "--bounds");
  if (bf) {
    cJSON *j;
    if ((rc = json_load(bf, AU_EDATA, &j))) return rc;
    if (!cJSON_IsObject(j)) rc = au_fail(AU_EDATA, "%s: bounds must be a JSON object {\"pH\": [7, 14], ...}", bf);
    else if (!cJSON_GetArraySize(j)) rc = au_fail(AU_EDATA, "%s: empty search space (no bounds given)", bf);
    const cJSON *e = NULL;
    if (!rc) cJSON_ArrayForEach(e, j) {
      int c = cond_index(e->string);
      const cJSON *l = cJSON_IsArray(e) ? cJSON_GetArrayItem(e, 0) : cJSON_GetObjectItemCaseSensitive(e, "low");
      const cJSON *h = cJSON_IsArray(e) ? cJSON_GetArrayItem(e, 1) : cJSON_GetObjectItemCaseSensitive(e, "high");
      char what[160];
      snprintf(what, sizeof what, "%s: %s", bf, e->string);
      if (c < 0) rc = au_fail(AU_EDATA, "%s is not a reaction condition (ligand_mM, haucl4_mM, reductant_mM, temperature_C, pH)", what);
      else if (!cJSON_IsNumber(l) || !cJSON_IsNumber(h) || (cJSON_IsArray(e) && cJSON_GetArraySize(e) != 2))
        rc = au_fail(AU_EDATA, "%s: expected [low, high]", what);
      else if (l->valuedouble > h->valuedouble) rc = au_fail(AU_EDATA, "%s: low %g > high %g", what, l->valuedouble, h->valuedouble);
      else if ((rc = cond_check(c, l->valuedouble, what)) || (rc = cond_check(c, h->valuedouble, what))) rc = AU_EDATA;
      if (rc) break;
      lo[c] = l->valuedouble;
      hi[c] = h->valuedouble;
    }
    cJSON_Delete(j);
    if (rc == AU_EDATA && au_errcode() != AU_EDATA) { /* cond_check reports usage errors; this one is file data */
      char msg[600];
      snprintf(msg, sizeof msg, "%s", au_errmsg());
      rc = au_fail(AU_EDATA, "%s", msg);
    }
  }
  for (int i = 0; i < cli_count(a, "--range") && !rc; i++) {
    const char *sp = cli_nth(a, "--range", i);
    int c;
    double l, h;
    rc = parse_range_or_fixed(sp, &c, &l, &h); /* LO = HI fixes a condition */
    if (!rc) { lo[c] = l; hi[c] = h; }
  }
  if (!rc) {
    int free_dims = 0;
    for (int c = 0; c < AU_NCOND; c++) free_dims += hi[c] > lo[c];
    if (!free_dims)
      rc = au_fail(cli_count(a, "--range") ? AU_EUSAGE : AU_EDATA, "empty search space: every condition is fixed (LOW = HIGH)");
  }
  return rc;
}

/* Halton point `i` in base b: the radical inverse, a low-discrepancy sequence. */
static double halton(unsigned long i, int b) {
  double f = 1, r = 0;
  for (; i; i /= b) { f /= b; r += f * (double)(i % b); }
  return r;
}

typedef struct {
  double p, sd;
  int lig;
  long idx;
} cand;

static int cmp_cand(const void *x, const void *y) {
  const cand *a = x, *b = y;
  if (a->p != b->p) return a->p < b->p ? 1 : -1;
  if (a->lig != b->lig) return a->lig - b->lig;
  return (a->idx > b->idx) - (a->idx < b->idx);
}

/* Chebyshev distance in units of each varying condition's range; a fixed
 * condition that differs makes two recipes different experiments. */
static double range_dist(const double *u, const double *v, const double *lo, const double *hi) {
  double d = 0;
  for (int c = 0; c < AU_NCOND; c++) {
    if (!(hi[c] > lo[c])) {
      if (fabs(u[c] - v[c]) > 1e-9 * fmax(1, fabs(u[c]))) return INFINITY;
      continue;
    }
    double t = fabs(u[c] - v[c]) / (hi[c] - lo[c]);
    if (t > d) d = t;
  }
  return d;
}

int cmd_suggest(int argc, char **argv) {
  cli_args a;
  int rc;
  if (cli_start(&spec, argc, argv, &a, &rc)) return rc;
  long ncand = 100000, top = 20;
  double mind = 0.05, sim = DOMAIN_THRESHOLD_DEFAULT;
  uint64_t seed = 1;
  if ((rc = cli_int(&a, "--candidates", 1, 100000000, &ncand)) || (rc = cli_int(&a, "--top", 1, 1000000, &top)) ||
      (rc = cli_double(&a, "--min-distance", 0, 1, &mind)) || (rc = cli_u64(&a, "--seed", &seed)) ||
      (rc = cli_double(&a, "--similarity-threshold", 0, 1, &sim))) {
    cli_free(&a);
    return rc;
  }
  if (!cli_get(&a, "--solvent") || !cli_get(&a, "--reductant")) {
    rc = au_fail(AU_EUSAGE, "--solvent and --reductant are required");
    cli_free(&a);
    return rc;
  }
  lig_t *lig = NULL;
  int nlig = 0;
  model m;
  if ((rc = gather_ligands(&a, &lig, &nlig)) || (!cli_flag(&a, "--allow-any-ligand") && (rc = refuse_unbound(lig, &nlig))) ||
      (rc = model_load(&m, a.pos[0]))) {
    for (int i = 0; i < nlig; i++) { free(lig[i].name); free(lig[i].smiles); free(lig[i].canonical); }
    free(lig);
    cli_free(&a);
    return rc;
  }
  double lo[AU_NCOND], hi[AU_NCOND];
  component_table comp = {0};
  recipe_set built = {0}, ex = {0};
  component_table excomp = {0};
  int have_ex = 0;
  domain dom = {0};
  domain_verdict *verdict = xcalloc(nlig, sizeof(domain_verdict));
  if (m.nextra)
    rc = au_fail(AU_EUSAGE, "%s: the model takes extra descriptors (%s%s) that suggest cannot know for new recipes",
                 a.pos[0], m.extra_name[0], m.nextra > 1 ? ", ..." : "");
  if (!rc) rc = read_bounds(&a, &m, lo, hi);
  if (!rc) rc = model_components(&m, cli_get(&a, "--components"), &comp);
  for (int i = 0; i < nlig && !rc; i++) {
    const char *smi[NROLES] = {lig[i].smiles, cli_get(&a, "--solvent"), cli_get(&a, "--reductant")};
    const char *nm[NROLES] = {lig[i].name, NULL, NULL};
    rc = recipe_build(&built, &comp, smi, nm);
  }
  if (!rc) print_notes(a.spec->cmd, &built);
  if (!rc && !(rc = domain_init(&dom, &m, sim)))
    for (int i = 0; i < nlig && !rc; i++) {
      const recipe *br = &built.r[i];
      rc = domain_components(&dom, built.mol[br->mol[ROLE_LIGAND]].canonical, built.mol[br->mol[ROLE_LIGAND]].binding,
                             built.mol[br->mol[ROLE_SOLVENT]].canonical, built.mol[br->mol[ROLE_REDUCTANT]].canonical,
                             &verdict[i]);
    }
  if (!rc && cli_get(&a, "--exclude")) {
    input_opts io;
    input_opts_from_cli(&a, NULL, &io);
    rc = open_recipes_for_model(&m, cli_get(&a, "--exclude"), cli_get(&a, "--components"), &io, &excomp, &ex);
    have_ex = !rc;
  }
  cand *cs = NULL;
  double *cond = NULL;
  long per = (ncand + nlig - 1) / nlig, total = per * nlig;
  if (!rc) {
    cs = xmalloc(sizeof(cand) * total);
    cond = xmalloc(sizeof(double) * AU_NCOND * total);
    static const int bases[AU_NCOND] = {2, 3, 5, 7, 11};
    rng_t r;
    rng_seed(&r, seed);
    for (int l = 0; l < nlig; l++) {
      double shift[AU_NCOND]; /* a random shift per ligand (Cranley-Patterson rotation) */
      for (int c = 0; c < AU_NCOND; c++) shift[c] = rng_uniform(&r);
      double *cl = cond + (size_t)l * per * AU_NCOND;
      for (long i = 0; i < per; i++)
        for (int c = 0; c < AU_NCOND; c++) {
          double u = halton((unsigned long)i + 1, bases[c]) + shift[c];
          u -= floor(u);
          cl[i * AU_NCOND + c] = hi[c] > lo[c] ? lo[c] + u * (hi[c] - lo[c]) : lo[c];
        }
      const molgraph *mols[NROLES];
      recipe_graphs(&built, &built.r[l], mols);
      scorer *sc = scorer_new(&m, mols, built.r[l].x);
      double *mean = xmalloc(sizeof(double) * per), *sd = xmalloc(sizeof(double) * per);
      scorer_eval_mean(sc, cl, (int)per, mean, sd);
      for (long i = 0; i < per; i++) cs[l * per + i] = (cand){mean[i], sd[i], l, i};
      free(mean); free(sd);
      scorer_free(sc);
    }
    qsort(cs, total, sizeof(cand), cmp_cand);
  }
  outfile o;
  int nch = 0, outside = 0;
  if (!rc && !(rc = out_open(&o, cli_get(&a, "--output")))) {
    fputs("rank,id,ligand,ligand_smiles,solvent,solvent_smiles,reductant,reductant_smiles,ligand_mM,haucl4_mM,"
          "reductant_mM,temperature_C,pH,p_success,p_std,nearest_ligand,ligand_similarity,domain\n", o.f);
    long *chosen = xmalloc(sizeof(long) * top);
    for (long q = 0; q < total && nch < top; q++) {
      const cand *c = &cs[q];
      const double *x = cond + ((size_t)c->lig * per + c->idx) * AU_NCOND;
      int ok = 1;
      for (int j = 0; j < nch && ok; j++) {
        const cand *d = &cs[chosen[j]];
        ok = d->lig != c->lig || range_dist(x, cond + ((size_t)d->lig * per + d->idx) * AU_NCOND, lo, hi) >= mind;
      }
      const recipe *br = &built.r[c->lig];
      for (int j = 0; have_ex && j < ex.n && ok; j++) {
        int same = 1;
        for (int k = 0; k < NROLES; k++)
          same &= !strcmp(ex.mol[ex.r[j].mol[k]].canonical, built.mol[br->mol[k]].canonical);
        ok = !same || range_dist(x, ex.r[j].x, lo, hi) >= mind;
      }
      if (!ok) continue;
      chosen[nch++] = q;
      fprintf(o.f, "%d,S%d,", nch, nch);
      csv_put(o.f, lig[c->lig].name);
      for (int k = 0; k < NROLES; k++) {
        if (k) fputc(',', o.f), csv_put(o.f, br->name[k]);
        fputc(',', o.f), csv_put(o.f, built.mol[br->mol[k]].canonical);
      }
      for (int j = 0; j < AU_NCOND; j++) fprintf(o.f, ",%.6g", x[j]);
      fprintf(o.f, ",%.4f,%.4f,", c->p, c->sd);
      double xr[AU_XMAX];
      char why[1024];
      memcpy(xr, br->x, sizeof xr);
      memcpy(xr, x, sizeof(double) * AU_NCOND);
      domain_reasons(&dom, &verdict[c->lig], xr, why, sizeof why);
      outside += why[0] != 0;
      csv_put(o.f, verdict[c->lig].nearest >= 0 ? m.names[verdict[c->lig].nearest] : "");
      fprintf(o.f, ",%.2f,", verdict[c->lig].similarity);
      csv_put(o.f, why);
      fputc('\n', o.f);
    }
    free(chosen);
    if ((rc = out_commit(&o))) out_abort(&o);
    else if (nch < top)
      fprintf(stderr, "auclust suggest: only %d suggestions respect --min-distance %g among %ld candidates\n", nch, mind, total);
  }
  if (!rc) print_domain_summary(a.spec->cmd, outside, nch);
  free(cs); free(cond);
  if (have_ex) { recipes_free(&ex); components_free(&excomp); }
  recipes_free(&built);
  components_free(&comp);
  domain_free(&dom);
  free(verdict);
  for (int i = 0; i < nlig; i++) { free(lig[i].name); free(lig[i].smiles); free(lig[i].canonical); }
  free(lig);
  model_free(&m);
  cli_free(&a);
  return rc;
}
