/* auclust cv: stratified k-fold cross-validation, repeated; the paper's Table 2. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cmd_common.h"
#include "commands.h"
#include "cv.h"
#include "err.h"
#include "outfile.h"
#include "par.h"
#include "progress.h"
#include "reliability.h"
#include "groups.h"
#include "table.h"

static const cli_opt opts[] = {
    {"--model", "-m", "NAME", "gcnn_snn (default), gcnn_dnn, gcnn_svm, snn, dnn, svm, the baselines prior and rf, or all (the six rows of Table 2, then the two baselines)"},
    {"--folds", "-f", "K", "folds (default 10); with --group-by, 0 = one group per fold (leave-one-group-out)"},
    {"--repeats", "-r", "R", "repeats with different splits and seeds (default 5; 1 = the paper's single split)"},
    {"--group-by", "-g", "COLUMN", "keep recipes with the same value of COLUMN (any CSV column: ligand_smiles,\n"
                                   "                             source_doi, batch, ...) in the same fold; adds accuracy per group"},
    {"--ensemble", "-k", "K", "evaluate what train --ensemble K makes: in each training fold a K-fold ensemble\n"
                              "                             with its own Platt calibration (K times the cost; default 0: one fit)"},
    {"--reliability", NULL, "FILE.svg", "reliability diagram of every model (10 bins, with counts)"},
    {"--seed", "-s", "N", "random seed (default 1)"},
    {"--json", NULL, NULL, "print JSON instead of the table"},
    {"--predictions", "-p", "FILE", "write every out-of-fold probability (CSV)"},
    {"--output", "-o", "FILE", "write the table/JSON here instead of stdout"},
    {"--preset", NULL, "NAME", "default (auclust's defaults) or paper (the authors' architecture and budget exactly)"},
    {"--hparams", NULL, "FILE", "hyperparameters from JSON (applied to every model run)"},
    {"--set", NULL, "NAME=VALUE", "one hyperparameter for every model run (repeatable)"},
    {"--components", "-c", "FILE", "solvent/reductant properties (default: components.csv beside RECIPES)"},
    {"--extra-descriptors", NULL, "COL1,COL2", "your own numeric columns (pKa, solubility, ...) added to the descriptors:\n"
                                               "                             scaled like them, stored in the model, required by predict"},
    {"--allow-missing-ph", NULL, NULL, "accept an empty pH in water-like solvents (encoded as ph_missing)"},
    {"--threads", "-j", "N", "worker threads (default: all cores); results do not depend on it"},
    CLI_INPUT_OPTS,
    CLI_QUIET_OPT,
    {NULL, NULL, NULL, NULL}};

static const cli_spec spec = {
    "cv", "RECIPES.csv [options]",
    "Stratified k-fold cross-validation: each fold's recipes are predicted by a model trained\n"
    "on the other folds. Reports accuracy, F1, MCC, ROC AUC, log loss, Brier score, Brier skill\n"
    "(1 - Brier / Brier of the prior, > 0: better than the base rate), expected calibration\n"
    "error (ECE, 10 equal-width bins) and the confusion matrix (a recipe is predicted to\n"
    "succeed when p > 0.5), as mean and standard deviation over the repeats (n/a with one).\n"
    "--group-by COLUMN keeps the recipes sharing a value of COLUMN in one fold: does the model\n"
    "predict a ligand (a paper, a batch) it has never seen? Folds and repeats run in parallel;\n"
    "results equal a serial run.",
    opts, 1, 1,
    "examples:\n  auclust cv data/au_nc_recipes.csv --model all --repeats 5\n"
    "  auclust cv data/au_nc_recipes.csv --model all --group-by ligand_smiles --folds 0\n"
    "  auclust cv data/au_nc_recipes.csv --model gcnn_snn --json --predictions oof.csv --reliability rel.svg"};

/* printf's widths count bytes; "±" is two bytes and one column */
static void put_cell(FILE *f, const char *cell, int width) {
  int cols = 0;
  for (const char *c = cell; *c; c++) cols += ((unsigned char)*c & 0xC0) != 0x80;
  fputs(cell, f);
  for (int i = cols; i < width; i++) fputc(' ', f);
}

static void print_header(FILE *f, const cv_result *res, const cv_opts *o, const recipe_groups *g, const char *path,
                         double secs) {
  if (g && o->folds == 0)
    fprintf(f, "leave-one-group-out CV by %s (%d groups = folds)", g->column, g->ngroups);
  else if (g)
    fprintf(f, "%d-fold CV grouped by %s (%d groups), stratified as far as groups allow", res->folds, g->column, g->ngroups);
  else
    fprintf(f, "%d-fold stratified CV", res->folds);
  fprintf(f, ", %d repeat%s, seed %llu", o->repeats, o->repeats > 1 ? "s" : "", (unsigned long long)o->seed);
  if (o->ensemble) fprintf(f, ", each training fold a calibrated %d-instance ensemble", o->ensemble);
  fprintf(f, ", %s (%d recipes), %.1f s\n\n", path, res->n, secs);
}

static void print_table(FILE *f, const cv_result *res, const int *y, const hparams *hp, int nm, const cv_opts *o,
                        const recipe_groups *g, const char *path, double secs) {
  print_header(f, res, o, g, path, secs);
  put_cell(f, "model", 12);
  for (int j = 0; j < CV_NMETRICS; j++) put_cell(f, cv_metric_labels[j], 16);
  fputs("TP/FP/TN/FN (mean)\n", f);
  for (int m = 0; m < nm; m++) {
    cv_summary s;
    cv_summarise(res, y, m, &s);
    if (m && hparams_is_baseline(&hp[m]) && !hparams_is_baseline(&hp[m - 1]))
      fprintf(f, "---- baselines: the base rate (prior) and a random forest on the descriptors (rf) ----\n");
    put_cell(f, model_kind_labels[hparams_kind_index(&hp[m])], 12);
    for (int j = 0; j < CV_NMETRICS; j++) {
      char cell[48];
      if (isnan(s.mean[j])) snprintf(cell, sizeof cell, "n/a");
      else if (res->repeats > 1) snprintf(cell, sizeof cell, "%.3f ± %.3f", s.mean[j], s.sd[j]);
      else snprintf(cell, sizeof cell, "%.3f ± n/a", s.mean[j]);
      put_cell(f, cell, 16);
    }
    fprintf(f, "%.1f/%.1f/%.1f/%.1f\n", s.cm_mean[0], s.cm_mean[1], s.cm_mean[2], s.cm_mean[3]);
  }
  if (!g) return;
  fprintf(f, "\naccuracy per %s group (p > 0.5 is success; pooled over repeats):\n", g->column);
  put_cell(f, "n", 4);
  put_cell(f, "succ", 6);
  for (int m = 0; m < nm; m++) put_cell(f, model_kind_labels[hparams_kind_index(&hp[m])], 12);
  fputs("group\n", f);
  double *acc = xmalloc(sizeof(double) * nm * g->ngroups);
  for (int m = 0; m < nm; m++) cv_group_accuracy(res, y, g->of, g->ngroups, m, acc + (size_t)m * g->ngroups);
  for (int k = 0; k < g->ngroups; k++) {
    int n = 0, succ = 0;
    for (int i = 0; i < res->n; i++)
      if (g->of[i] == k) { n++; succ += y[i] == 1; }
    fprintf(f, "%-4d%-6d", n, succ);
    for (int m = 0; m < nm; m++) fprintf(f, "%-12.2f", acc[(size_t)m * g->ngroups + k]);
    fprintf(f, "%s\n", g->name[k]);
  }
  free(acc);
}

static cJSON *num_or_null(double v) { return isnan(v) ? cJSON_CreateNull() : cJSON_CreateNumber(v); }

static int print_json(FILE *f, const cv_result *res, const int *y, const hparams *hp, int nm, const cv_opts *o,
                      const recipe_groups *g, const char *path) {
  cJSON *root = cJSON_CreateObject();
  cJSON_AddStringToObject(root, "recipes_file", path);
  cJSON_AddNumberToObject(root, "recipes", res->n);
  cJSON_AddNumberToObject(root, "folds", res->folds);
  cJSON_AddNumberToObject(root, "repeats", o->repeats);
  cJSON_AddNumberToObject(root, "seed", (double)o->seed);
  cJSON_AddNumberToObject(root, "ensemble", o->ensemble);
  if (g) {
    cJSON *gr = cJSON_AddObjectToObject(root, "groups");
    cJSON_AddStringToObject(gr, "column", g->column);
    cJSON_AddNumberToObject(gr, "count", g->ngroups);
    cJSON_AddBoolToObject(gr, "leave_one_group_out", o->folds == 0);
  }
  double *acc = g ? xmalloc(sizeof(double) * g->ngroups) : NULL;
  cJSON *models = cJSON_AddArrayToObject(root, "models");
  for (int m = 0; m < nm; m++) {
    cv_summary s;
    cv_summarise(res, y, m, &s);
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "model", hparams_kind(&hp[m]));
    cJSON_AddBoolToObject(e, "baseline", hparams_is_baseline(&hp[m]));
    cJSON_AddItemToObject(e, "hparams", hparams_to_json(&hp[m]));
    for (int j = 0; j < CV_NMETRICS; j++) {
      cJSON *v = cJSON_AddObjectToObject(e, cv_metric_names[j]);
      cJSON_AddItemToObject(v, "mean", num_or_null(s.mean[j]));
      cJSON_AddItemToObject(v, "std", num_or_null(res->repeats > 1 ? s.sd[j] : NAN)); /* null: one repeat */
    }
    cJSON *cm = cJSON_AddObjectToObject(e, "confusion_mean");
    const char *cn[4] = {"tp", "fp", "tn", "fn"};
    for (int j = 0; j < 4; j++) cJSON_AddNumberToObject(cm, cn[j], s.cm_mean[j]);
    if (g) {
      cv_group_accuracy(res, y, g->of, g->ngroups, m, acc);
      cJSON *pg = cJSON_AddArrayToObject(e, "per_group");
      for (int k = 0; k < g->ngroups; k++) {
        int n = 0, succ = 0;
        for (int i = 0; i < res->n; i++)
          if (g->of[i] == k) { n++; succ += y[i] == 1; }
        cJSON *ge = cJSON_CreateObject();
        cJSON_AddStringToObject(ge, "group", g->name[k]);
        cJSON_AddNumberToObject(ge, "recipes", n);
        cJSON_AddNumberToObject(ge, "successes", succ);
        cJSON_AddNumberToObject(ge, "accuracy", acc[k]);
        cJSON_AddItemToArray(pg, ge);
      }
    }
    cJSON_AddItemToArray(models, e);
  }
  free(acc);
  char *txt = cJSON_Print(root);
  cJSON_Delete(root);
  if (!txt) return au_fail(AU_ENOMEM, "cannot format JSON");
  fprintf(f, "%s\n", txt);
  free(txt);
  return 0;
}

static int write_predictions(const char *path, const recipe_set *rs, const cv_result *res, const hparams *hp, int nm,
                             const recipe_groups *g) {
  outfile o;
  int rc = out_open(&o, path);
  if (rc) return rc;
  put_carry_header(o.f, rs);
  if (g) {
    fputc(',', o.f);
    csv_put(o.f, g->column);
  }
  fputs(",outcome,model,repeat,fold,p_success\n", o.f);
  for (int m = 0; m < nm; m++)
    for (int r = 0; r < res->repeats; r++)
      for (int i = 0; i < rs->n; i++) {
        put_carry_fields(o.f, rs, &rs->r[i]);
        if (g) {
          fputc(',', o.f);
          csv_put(o.f, g->name[g->of[i]]);
        }
        fprintf(o.f, ",%d,%s,%d,%d,%.6f\n", rs->r[i].outcome, hparams_kind(&hp[m]), r + 1,
                res->fold[(size_t)r * rs->n + i] + 1, res->p[((size_t)m * res->repeats + r) * rs->n + i]);
      }
  if ((rc = out_commit(&o))) out_abort(&o);
  return rc;
}

/* One panel per model, every out-of-fold prediction of every repeat. */
static int write_reliability(const char *path, const cv_result *res, const int *y, const hparams *hp, int nm,
                             const char *title) {
  int N = res->n * res->repeats;
  int *yy = xmalloc(sizeof(int) * N);
  for (int r = 0; r < res->repeats; r++) memcpy(yy + (size_t)r * res->n, y, sizeof(int) * res->n);
  reliability_panel *rp = xcalloc(nm, sizeof *rp);
  for (int m = 0; m < nm; m++)
    reliability_fill(&rp[m], model_kind_labels[hparams_kind_index(&hp[m])], yy, res->p + (size_t)m * N, N);
  outfile o;
  int rc = out_open(&o, path);
  if (!rc) {
    rc = svg_reliability_grid(o.f, rp, nm, title);
    if (rc || (rc = out_commit(&o))) out_abort(&o);
  }
  free(rp); free(yy);
  return rc;
}

int cmd_cv(int argc, char **argv) {
  cli_args a;
  int rc;
  if (cli_start(&spec, argc, argv, &a, &rc)) return rc;
  long folds = 10, repeats = 5, threads = par_threads(), ens = 0;
  uint64_t seed = 1;
  if ((rc = cli_int(&a, "--folds", 0, 1000, &folds)) || (rc = cli_int(&a, "--repeats", 1, 10000, &repeats)) ||
      (rc = cli_u64(&a, "--seed", &seed)) || (rc = cli_int(&a, "--threads", 1, 1024, &threads)) ||
      (rc = cli_int(&a, "--ensemble", 0, 1000, &ens))) {
    cli_free(&a);
    return rc;
  }
  const char *group_col = cli_get(&a, "--group-by"), *rel = cli_get(&a, "--reliability");
  if (!group_col && folds < 2) rc = au_fail(AU_EUSAGE, "--folds must be at least 2 (0 only with --group-by)");
  if (!rc && ens == 1) rc = au_fail(AU_EUSAGE, "--ensemble must be 0 (one fit per fold) or at least 2");
  size_t rl = rel ? strlen(rel) : 0;
  if (!rc && rel && (rl < 4 || strcmp(rel + rl - 4, ".svg")))
    rc = au_fail(AU_EUSAGE, "--reliability '%s': the diagram is SVG, give a FILE.svg", rel);
  if (rc) {
    cli_free(&a);
    return rc;
  }
  const char *kind = cli_get(&a, "--model") ? cli_get(&a, "--model") : "gcnn_snn";
  int all = !strcmp(kind, "all"), nm = all ? N_ALL_KINDS : 1;
  hparams hp[N_ALL_KINDS];
  for (int m = 0; m < nm && !rc; m++) rc = hparams_from_cli(&a, all ? model_kind_names[m] : kind, &hp[m]);
  for (int m = 1; m < nm && !rc; m++)
    if (hp[m].ph_missing != hp[0].ph_missing) rc = au_fail(AU_EUSAGE, "ph_missing must be the same for every model");
  component_table comp;
  recipe_set rs;
  input_opts io = {0};
  if (!rc && !(rc = input_opts_from_cli(&a, &hp[0], &io))) {
    rc = open_recipes(a.pos[0], cli_get(&a, "--components"), &io, &comp, &rs);
    input_opts_free(&io);
  }
  if (rc) {
    cli_free(&a);
    return rc;
  }
  recipe_groups grp, *g = NULL;
  if (group_col) {
    if ((rc = groups_from_column(&rs, group_col, &grp))) {
      recipes_free(&rs);
      components_free(&comp);
      cli_free(&a);
      return rc;
    }
    g = &grp;
  }
  cv_opts o = {(int)folds, (int)repeats, (int)threads, seed, nm, hp, g ? g->of : NULL, g ? g->ngroups : 0, (int)ens};
  cv_result res;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  progress_begin("cross-validation, fits", (long)nm * repeats * (g && !folds ? g->ngroups : folds));
  rc = cv_run(&rs, &o, &res);
  progress_end();
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (!rc) {
    int *y = xmalloc(sizeof(int) * rs.n);
    for (int i = 0; i < rs.n; i++) y[i] = rs.r[i].outcome;
    outfile out;
    if (!(rc = out_open(&out, cli_get(&a, "--output")))) {
      if (cli_flag(&a, "--json")) rc = print_json(out.f, &res, y, hp, nm, &o, g, rs.path);
      else print_table(out.f, &res, y, hp, nm, &o, g, rs.path, (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec));
      if (rc || (rc = out_commit(&out))) out_abort(&out);
    }
    if (!rc && cli_get(&a, "--predictions")) rc = write_predictions(cli_get(&a, "--predictions"), &rs, &res, hp, nm, g);
    if (!rc && rel) {
      char title[512];
      snprintf(title, sizeof title, "reliability of the out-of-fold predictions, %s, %d-fold%s%s, %d repeat%s", rs.path,
               res.folds, g ? " grouped by " : "", g ? g->column : "", res.repeats, res.repeats > 1 ? "s" : "");
      rc = write_reliability(rel, &res, y, hp, nm, title);
    }
    free(y);
    cv_result_free(&res);
  }
  if (g) groups_free(g);
  recipes_free(&rs);
  components_free(&comp);
  cli_free(&a);
  return rc;
}
