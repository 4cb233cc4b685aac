/* auclust suggest: the next experiments (the paper's Figure 2 loop).
 * Space-filling candidate recipes inside the bounds (conditions and molar
 * ratios), rounded to lab precision, are scored by every instance of the
 * model; an acquisition strategy picks a batch, kept apart from each other
 * and from recipes already tried, printed as a recipe CSV ready to be run. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acquire.h"
#include "binding.h"
#include "cli.h"
#include "cmd_common.h"
#include "commands.h"
#include "conditions.h"
#include "domain.h"
#include "err.h"
#include "jsonfile.h"
#include "outfile.h"
#include "plan.h"
#include "readfile.h"
#include "rng.h"
#include "scorer.h"
#include "table.h"

static const cli_opt opts[] = {
    {"--ligand", "-l", "SMILES", "ligand, or NAME=SMILES (repeatable; comma-separated lists too)"},
    {"--ligands-file", NULL, "FILE", "candidate ligands, one SMILES or NAME=SMILES per line (# comments; blank lines\n"
                                           "                             and lines of bare delimiters skipped)"},
    {"--solvent", NULL, "SMILES", "solvent (required; must be in the model's components)"},
    {"--reductant", NULL, "SMILES", "reducing agent (required; must be in the model's components)"},
    {"--bounds", NULL, "BOUNDS.json", "condition bounds: {\"pH\": [7, 14], \"temperature_C\": [0, 80], ...}"},
    {"--range", NULL, "NAME:LO:HI", "one condition's bounds, or a molar ratio's: ligand_to_Au, reductant_to_Au\n"
                                   "                             (repeatable; overrides --bounds)"},
    {"--round", NULL, NULL, "round conditions to lab precision before scoring: 0.01 mM, 1 C, 0.1 pH"},
    {"--precision", NULL, "NAME:STEP", "round one condition to multiples of STEP (repeatable), e.g. pH:0.05"},
    {"--strategy", NULL, "S", "p (highest mean probability, default), ucb (mean + kappa sd), ei (expected\n"
                             "                             improvement), thompson (one instance drawn per pick), random"},
    {"--kappa", NULL, "K", "ucb's weight of the spread over instances (default 1)"},
    {"--incumbent", NULL, "P", "ei's best probability so far (default: the highest the model gives a training recipe)"},
    {"--candidates", "-n", "N", "candidate recipes to score (default 100000, at most 1000000)"},
    {"--top", "-k", "K", "suggestions to print (default 20, at most 1000; top x candidates at most 2e8)"},
    {"--min-distance", NULL, "FRAC", "two suggestions (or a suggestion and a tried recipe) must differ by at least\n"
                                     "                             this fraction of some condition's range (default 0.05)"},
    {"--exclude", "-x", "RECIPES.csv", "recipes already tried: keep suggestions away from them (and their ids)"},
    {"--id-prefix", NULL, "TEXT", "ids of the suggestions: TEXT1, TEXT2, ... (default a date stamp, S20250131-142501-)"},
    {"--seed", "-s", "N", "random seed (default 1)"},
    {"--output", "-o", "OUT.csv", "output file (default: stdout)"},
    {"--components", "-c", "FILE", "more solvents/reductants; must agree with the model's on those it has"},
    {"--allow-any-ligand", NULL, NULL, "also score ligands without a gold-binding group (refused by default)"},
    {"--similarity-threshold", NULL, "S", "nearest training ligand's Tanimoto similarity below which a ligand is\n"
                                          "                             new_ligand (default 0.4)"},
    {"--allow-missing-ph", NULL, NULL, "--exclude: accept an empty pH in water-like solvents"},
    CLI_INPUT_OPTS,
    CLI_CALIB_OPT,
    {NULL, NULL, NULL, NULL}};

static const cli_spec spec = {
    "suggest", "MODEL.json --ligand SMILES --solvent SMILES --reductant SMILES [options]",
    "Proposes the next experiments. Conditions and the ligand:Au and reductant:Au molar ratios\n"
    "without bounds range over the model's training data (a condition is fixed when the data hold\n"
    "one value); a bound LO = HI fixes a condition. A batch of --top is chosen greedily by the\n"
    "strategy, each pick at least --min-distance from the others and from --exclude'd recipes.\n"
    "Output: a recipe CSV (rank, id, the columns `train` reads, p_success and p_std over the\n"
    "instances, the molar ratios, the strategy's score, and nearest_ligand, ligand_similarity and\n"
    "domain as in predict) in the order picked; add an outcome column after running them and\n"
    "retrain. A note on stderr says when the suggestions' p_success lie within one p_std of each\n"
    "other (the model cannot rank them). A ligand without a gold-binding group (thiol, thiolate,\n"
    "disulfide, selenol, phosphine, ...) is refused unless --allow-any-ligand.",
    opts, 1, 1,
    "example:\n  auclust suggest model.json --ligand cysteamine=NCCS --solvent O --reductant '[Na+].[BH4-]' \\\n"
    "      --range pH:7:14 --range temperature_C:0:60 --exclude data/au_nc_recipes.csv --top 10 \\\n"
    "      --strategy ucb --round --id-prefix R2-"};

typedef struct {
  char *name, *smiles, *canonical;
} lig_t;

/* `where` names the source in errors ("--ligand 'X'", "FILE: line N"); `code` is its exit code */
static int add_ligand(lig_t **l, int *n, const char *arg, int code, const char *where) {
  const char *eq = strchr(arg, '=');
  char *whole = canonical_smiles(arg); /* '=' may be a double bond */
  int labelled = !whole && eq && eq > arg;
  free(whole);
  const char *smi = labelled ? eq + 1 : arg;
  char *can = canonical_smiles(smi);
  if (!can) {
    char msg[600];
    snprintf(msg, sizeof msg, "%s", au_errmsg());
    return au_fail(code, "%s: %s", where, msg);
  }
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
    for (char *tok = strtok_r(list, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
      char where[300];
      snprintf(where, sizeof where, "--ligand '%.200s'", tok);
      rc = add_ligand(l, n, tok, AU_EUSAGE, where);
    }
    free(list);
  }
  const char *file = cli_get(a, "--ligands-file");
  if (file && !rc) {
    char *buf;
    size_t len;
    if ((rc = read_capped(file, AU_CAP_LIST, AU_EDATA, "ligand list", &buf, &len))) return rc;
    int ln = 0;
    /* whole lines of any length: a long comment is never split into candidates */
    for (char *line = buf, *next; !rc && line < buf + len; line = next) {
      char *nl = memchr(line, '\n', (size_t)(buf + len - line));
      next = nl ? nl + 1 : buf + len;
      if (nl) *nl = 0;
      ln++;
      char *s = line;
      while (*s == ' ' || *s == '\t') s++;
      s[strcspn(s, "\r")] = 0;
      for (size_t e = strlen(s); e > 0 && (s[e - 1] == ' ' || s[e - 1] == '\t'); e--) s[e - 1] = 0;
      /* blank, a comment, or only delimiters (a spreadsheet's empty row): no candidate */
      if (!*s || *s == '#' || !s[strspn(s, ",;\t ")]) continue;
      char where[300];
      snprintf(where, sizeof where, "%.200s: line %d", file, ln);
      rc = add_ligand(l, n, s, AU_EDATA, where);
    }
    free(buf);
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

/* Bounds: training-data ranges, then --bounds, then --range; rounding steps. */
static int read_space(const cli_args *a, const model *m, plan_space *sp) {
  plan_space_from_model(sp, m);
  double *lo = sp->lo, *hi = sp->hi;
  int rc = 0;
  const char *bf = cli_get(a, "--bounds");
  if (bf) {
    cJSON *j;
    if ((rc = json_load(bf, AU_EDATA, &j))) return rc;
    rc = cond_bounds_from_json(j, bf, lo, hi);
    cJSON_Delete(j);
  }
  for (int i = 0; i < cli_count(a, "--range") && !rc; i++) {
    const char *rs = cli_nth(a, "--range", i), *colon = strchr(rs, ':');
    char name[64];
    snprintf(name, sizeof name, "%.*s", colon ? (int)(colon - rs) : 0, rs);
    int c, q;
    double l, h;
    if (plan_ratio_index(name) >= 0) {
      if (!(rc = plan_parse_ratio(rs, &q, &l, &h))) { sp->rlo[q] = l; sp->rhi[q] = h; }
    } else if (!(rc = parse_range_or_fixed(rs, &c, &l, &h))) { /* LO = HI fixes a condition */
      lo[c] = l;
      hi[c] = h;
    }
  }
  if (!rc) {
    int free_dims = 0;
    for (int c = 0; c < AU_NCOND; c++) free_dims += hi[c] > lo[c];
    if (!free_dims)
      rc = au_fail(cli_count(a, "--range") ? AU_EUSAGE : AU_EDATA, "empty search space: every condition is fixed (LOW = HIGH)");
  }
  if (!rc && cli_flag(a, "--round")) memcpy(sp->step, plan_default_step, sizeof sp->step);
  for (int i = 0; i < cli_count(a, "--precision") && !rc; i++) rc = plan_parse_step(sp, cli_nth(a, "--precision", i));
  return rc;
}

/* The candidates of every ligand, scored by every instance. */
typedef struct {
  acq_pool pool;
  double *cond, *p;
  int *group;
} scored;

static int score_candidates(const model *m, const recipe_set *built, int nlig, const plan_space *sp, long ncand,
                            uint64_t seed, scored *sc) {
  long per = (ncand + nlig - 1) / nlig, n = 0;
  int K = m->ninst;
  memset(sc, 0, sizeof *sc);
  sc->cond = xmalloc(sizeof(double) * AU_NCOND * per * nlig);
  sc->p = xmalloc(sizeof(double) * K * per * nlig);
  sc->group = xmalloc(sizeof(int) * per * nlig);
  for (int l = 0; l < nlig; l++) {
    rng_t r;
    rng_seed3(&r, seed, 0x5a9, (uint64_t)l); /* each ligand its own shift of the sequence */
    long got;
    int rc = plan_candidates(sp, per, rng_u64(&r), sc->cond + n * AU_NCOND, &got);
    if (rc) return rc;
    const molgraph *mols[NROLES];
    recipe_graphs(built, &built->r[l], mols);
    scorer *s = scorer_new(m, mols, built->r[l].x);
    rc = scorer_eval(s, sc->cond + n * AU_NCOND, (int)got, sc->p + n * K); /* NaNs must not be ranked */
    scorer_free(s);
    if (rc) return rc;
    for (long i = 0; i < got; i++) sc->group[n + i] = l;
    n += got;
  }
  sc->pool = (acq_pool){n, K, sc->cond, sc->group, sc->p};
  return 0;
}

static void scored_free(scored *sc) { free(sc->cond); free(sc->p); free(sc->group); }

/* 1 when id is prefix followed by one of 1..n (as printed, no leading zero). */
static int is_our_id(const char *id, const char *prefix, int n) {
  size_t lp = strlen(prefix);
  if (strncmp(id, prefix, lp)) return 0;
  const char *d = id + lp;
  if (*d < '1' || *d > '9') return 0;
  long k = 0;
  for (; *d; d++) {
    if (*d < '0' || *d > '9' || k > n) return 0;
    k = k * 10 + (*d - '0');
  }
  return k <= n;
}

/* The id prefix: --id-prefix, which must not give an id already in the
 * excluded recipes, or a date stamp made unique against them. */
static int id_prefix(const cli_args *a, const recipe_set *ex, int n, char *out, size_t cap) {
  const char *given = cli_get(a, "--id-prefix");
  char base[64];
  time_t t = time(NULL);
  struct tm tm;
  strftime(base, sizeof base, "S%Y%m%d-%H%M%S", localtime_r(&t, &tm));
  for (int attempt = 1;; attempt++) {
    if (given) snprintf(out, cap, "%s", given);
    else if (attempt == 1) snprintf(out, cap, "%s-", base);
    else snprintf(out, cap, "%s.%d-", base, attempt);
    int clash = -1;
    for (int j = 0; ex && j < ex->n && clash < 0; j++)
      if (is_our_id(ex->r[j].id, out, n)) clash = j;
    if (clash < 0) return 0;
    if (given)
      return au_fail(AU_EUSAGE, "--id-prefix %s: id '%s' is already used in %s (row %d); choose another prefix", given,
                     ex->r[clash].id, ex->path, ex->r[clash].row);
  }
}

static void put_cond(FILE *f, double v, double step) {
  if (step > 0) fprintf(f, ",%.*f", plan_decimals(step), v);
  else fprintf(f, ",%.6g", v);
}

int cmd_suggest(int argc, char **argv) {
  cli_args a;
  int rc;
  if (cli_start(&spec, argc, argv, &a, &rc)) return rc;
  long ncand = 100000, top = 20;
  double mind = 0.05, kappa = 1, incumbent = NAN, sim = DOMAIN_THRESHOLD_DEFAULT;
  uint64_t seed = 1;
  acq_strategy strat = ACQ_P;
  if ((rc = cli_int(&a, "--candidates", 1, 1000000, &ncand)) || (rc = cli_int(&a, "--top", 1, 1000, &top)) ||
      (rc = cli_double(&a, "--min-distance", 0, 1, &mind)) || (rc = cli_u64(&a, "--seed", &seed)) ||
      (rc = cli_double(&a, "--similarity-threshold", 0, 1, &sim)) || (rc = cli_double(&a, "--kappa", 0, 1e6, &kappa)) || (rc = cli_double(&a, "--incumbent", 0, 1, &incumbent)) ||
      (cli_get(&a, "--strategy") && (rc = acq_parse(cli_get(&a, "--strategy"), &strat)))) {
    cli_free(&a);
    return rc;
  }
  if (top * ncand > 200000000) { /* choosing is O(top x candidates) distance checks */
    rc = au_fail(AU_EUSAGE, "--top %ld with --candidates %ld: top x candidates must be at most 2e8", top, ncand);
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
      (rc = load_model_cli(&a, "suggest", &m))) {
    for (int i = 0; i < nlig; i++) { free(lig[i].name); free(lig[i].smiles); free(lig[i].canonical); }
    free(lig);
    cli_free(&a);
    return rc;
  }
  plan_space sp;
  component_table comp = {0};
  recipe_set built = {0}, ex = {0};
  component_table excomp = {0};
  int have_ex = 0;
  domain dom = {0};
  domain_verdict *verdict = xcalloc(nlig, sizeof(domain_verdict));
  if (m.nextra)
    rc = au_fail(AU_EUSAGE, "%s: the model takes extra descriptors (%s%s) that suggest cannot know for new recipes",
                 a.pos[0], m.extra_name[0], m.nextra > 1 ? ", ..." : "");
  if (!rc) rc = read_space(&a, &m, &sp);
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
  char prefix[300];
  if (!rc) rc = id_prefix(&a, have_ex ? &ex : NULL, (int)top, prefix, sizeof prefix);
  scored sc = {0};
  if (!rc) rc = score_candidates(&m, &built, nlig, &sp, ncand, seed, &sc);
  /* the excluded recipes with a ligand's components, by ligand */
  double *tc = NULL;
  int *tg = NULL;
  long nt = 0;
  if (!rc && have_ex) {
    tc = xmalloc(sizeof(double) * AU_NCOND * (ex.n + 1));
    tg = xmalloc(sizeof(int) * (ex.n + 1));
    for (int j = 0; j < ex.n; j++) {
      int g = -1;
      for (int l = 0; l < nlig && g < 0; l++) {
        int same = 1;
        for (int k = 0; k < NROLES; k++)
          same &= !strcmp(ex.mol[ex.r[j].mol[k]].canonical, built.mol[built.r[l].mol[k]].canonical);
        if (same) g = l;
      }
      if (g < 0) continue;
      memcpy(tc + nt * AU_NCOND, ex.r[j].x, sizeof(double) * AU_NCOND);
      tg[nt++] = g;
    }
  }
  if (!rc && strat == ACQ_EI) {
    if (isnan(incumbent)) incumbent = plan_incumbent(&m);
    fprintf(stderr, "auclust suggest: expected improvement over p = %.4f%s\n", incumbent,
            cli_get(&a, "--incumbent") ? "" : ", the highest the model gives a training recipe");
  }
  acq_pick *pick = NULL;
  int npick = 0;
  if (!rc) {
    acq_opts o = {strat, kappa, incumbent, mind, sp.lo, sp.hi, nt, tc, tg, seed};
    pick = xmalloc(sizeof(acq_pick) * top);
    npick = acq_select(&sc.pool, &o, (int)top, pick);
  }
  outfile o;
  int outside = 0;
  if (!rc && !(rc = out_open(&o, cli_get(&a, "--output")))) {
    fputs("rank,id,ligand,ligand_smiles,solvent,solvent_smiles,reductant,reductant_smiles,ligand_mM,haucl4_mM,"
          "reductant_mM,temperature_C,pH,p_success,p_std,ligand_to_Au,reductant_to_Au,strategy,score,"
          "nearest_ligand,ligand_similarity,domain\n", o.f);
    for (int q = 0; q < npick; q++) {
      const acq_pick *c = &pick[q];
      const double *x = sc.cond + c->idx * AU_NCOND;
      int l = sc.group[c->idx];
      const recipe *br = &built.r[l];
      fprintf(o.f, "%d,", q + 1);
      csv_put(o.f, prefix);
      fprintf(o.f, "%d,", q + 1);
      csv_put(o.f, lig[l].name);
      for (int k = 0; k < NROLES; k++) {
        if (k) fputc(',', o.f), csv_put(o.f, br->name[k]);
        fputc(',', o.f), csv_put(o.f, built.mol[br->mol[k]].canonical);
      }
      for (int j = 0; j < AU_NCOND; j++) put_cond(o.f, x[j], sp.step[j]);
      fprintf(o.f, ",%.4f,%.4f,%.4g,%.4g,%s,", c->mean, c->sd, x[D_LIGAND_MM] / x[D_HAUCL4_MM],
              x[D_REDUCTANT_MM] / x[D_HAUCL4_MM], acq_name[strat]);
      if (!isnan(c->score)) fprintf(o.f, "%.4g", c->score);
      double xr[AU_XMAX];
      char why[1024];
      memcpy(xr, br->x, sizeof xr);
      memcpy(xr, x, sizeof(double) * AU_NCOND);
      domain_reasons(&dom, &verdict[l], xr, why, sizeof why);
      outside += why[0] != 0;
      fputc(',', o.f);
      csv_put(o.f, verdict[l].nearest >= 0 ? m.names[verdict[l].nearest] : "");
      fprintf(o.f, ",%.2f,", verdict[l].similarity);
      csv_put(o.f, why);
      fputc('\n', o.f);
    }
    if ((rc = out_commit(&o))) out_abort(&o);
    else {
      if (npick < top)
        fprintf(stderr, "auclust suggest: only %d suggestions respect --min-distance %g among %ld candidates\n", npick,
                mind, sc.pool.n);
      double pmin = INFINITY, pmax = -INFINITY, sdm = 0;
      for (int q = 0; q < npick; q++) {
        pmin = fmin(pmin, pick[q].mean);
        pmax = fmax(pmax, pick[q].mean);
        sdm += pick[q].sd / npick;
      }
      if (npick >= 2 && pmax - pmin < 1e-12) /* e.g. a calibration of slope 0 (calib.h) */
        fprintf(stderr,
                "auclust suggest: note: the %d suggestions all get p_success %.3f: the model cannot rank them, "
                "treat them as equally promising\n",
                npick, pmin);
      else if (npick >= 2 && pmax - pmin < sdm)
        fprintf(stderr,
                "auclust suggest: note: the %d suggestions' p_success span %.3f, less than their mean p_std %.3f: "
                "the model cannot rank them, treat them as equally promising\n",
                npick, pmax - pmin, sdm);
    }
  }
  free(pick); free(tc); free(tg);
  scored_free(&sc);
  if (have_ex) { recipes_free(&ex); components_free(&excomp); }
  recipes_free(&built);
  components_free(&comp);
  domain_free(&dom);
  free(verdict);
  for (int i = 0; i < nlig; i++) { free(lig[i].name); free(lig[i].smiles); free(lig[i].canonical); }
  free(lig);
  if (!rc) print_calibration_note("suggest", &m);
  if (!rc) print_domain_summary(a.spec->cmd, outside, npick); /* the last line */
  model_free(&m);
  cli_free(&a);
  return rc;
}
