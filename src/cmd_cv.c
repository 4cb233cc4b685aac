/* auclust cv: stratified k-fold cross-validation, repeated; the paper's Table 2. */
#include <cjson/cJSON.h>
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
#include "table.h"

static const cli_opt opts[] = {
    {"--model", "-m", "NAME", "gcnn_snn (default), gcnn_dnn, gcnn_svm, snn, dnn, svm, the baselines prior and rf, or all (the six rows of Table 2, then the two baselines)"},
    {"--folds", "-f", "K", "folds (default 10)"},
    {"--repeats", "-r", "R", "repeats with different splits and seeds (default 1)"},
    {"--seed", "-s", "N", "random seed (default 1)"},
    {"--json", NULL, NULL, "print JSON instead of the table"},
    {"--predictions", "-p", "FILE", "write every out-of-fold probability (CSV)"},
    {"--output", "-o", "FILE", "write the table/JSON here instead of stdout"},
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
    "on the other folds. Reports accuracy, F1, MCC, log loss, Brier score and the confusion\n"
    "matrix (a recipe is predicted to succeed when p > 0.5), as mean and standard deviation\n"
    "over the repeats. Folds and repeats run in parallel; results equal a serial run.",
    opts, 1, 1,
    "examples:\n  auclust cv data/au_nc_recipes.csv --model all --repeats 10\n"
    "  auclust cv data/au_nc_recipes.csv --model gcnn_snn --json --predictions oof.csv"};

static void print_table(FILE *f, const cv_result *res, const int *y, const hparams *hp, int nm, const cv_opts *o,
                        const char *path, double secs) {
  fprintf(f, "%d-fold stratified CV, %d repeat%s, seed %llu, %s (%d recipes), %.1f s\n\n", o->folds, o->repeats,
          o->repeats > 1 ? "s" : "", (unsigned long long)o->seed, path, res->n, secs);
  fprintf(f, "%-11s %-15s %-15s %-16s %-15s %-15s %s\n", "model", "accuracy", "F1", "MCC", "log loss", "Brier",
          "TP/FP/TN/FN (mean)");
  for (int m = 0; m < nm; m++) {
    cv_summary s;
    cv_summarise(res, y, m, &s);
    if (m && hparams_is_baseline(&hp[m]) && !hparams_is_baseline(&hp[m - 1])) fprintf(f, "baselines:\n");
    fprintf(f, "%-11s", model_kind_labels[hparams_kind_index(&hp[m])]);
    for (int j = 0; j < 5; j++) {
      char cell[32];
      snprintf(cell, sizeof cell, "%.3f ± %.3f", s.mean[j], s.sd[j]);
      fprintf(f, " %-*s", j == CV_MCC ? 17 : 16, cell);
    }
    fprintf(f, "%.1f/%.1f/%.1f/%.1f\n", s.cm_mean[0], s.cm_mean[1], s.cm_mean[2], s.cm_mean[3]);
  }
}

static int print_json(FILE *f, const cv_result *res, const int *y, const hparams *hp, int nm, const cv_opts *o,
                      const char *path) {
  cJSON *root = cJSON_CreateObject();
  cJSON_AddStringToObject(root, "recipes_file", path);
  cJSON_AddNumberToObject(root, "recipes", res->n);
  cJSON_AddNumberToObject(root, "folds", o->folds);
  cJSON_AddNumberToObject(root, "repeats", o->repeats);
  cJSON_AddNumberToObject(root, "seed", (double)o->seed);
  cJSON *models = cJSON_AddArrayToObject(root, "models");
  for (int m = 0; m < nm; m++) {
    cv_summary s;
    cv_summarise(res, y, m, &s);
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "model", hparams_kind(&hp[m]));
    cJSON_AddItemToObject(e, "hparams", hparams_to_json(&hp[m]));
    for (int j = 0; j < 5; j++) {
      cJSON *v = cJSON_AddObjectToObject(e, cv_metric_names[j]);
      cJSON_AddNumberToObject(v, "mean", s.mean[j]);
      cJSON_AddNumberToObject(v, "std", s.sd[j]);
    }
    cJSON *cm = cJSON_AddObjectToObject(e, "confusion_mean");
    const char *cn[4] = {"tp", "fp", "tn", "fn"};
    for (int j = 0; j < 4; j++) cJSON_AddNumberToObject(cm, cn[j], s.cm_mean[j]);
    cJSON_AddItemToArray(models, e);
  }
  char *txt = cJSON_Print(root);
  cJSON_Delete(root);
  if (!txt) return au_fail(AU_ENOMEM, "cannot format JSON");
  fprintf(f, "%s\n", txt);
  free(txt);
  return 0;
}

static int write_predictions(const char *path, const recipe_set *rs, const cv_result *res, const hparams *hp, int nm) {
  outfile o;
  int rc = out_open(&o, path);
  if (rc) return rc;
  put_carry_header(o.f, rs);
  fputs(",outcome,model,repeat,fold,p_success\n", o.f);
  for (int m = 0; m < nm; m++)
    for (int r = 0; r < res->repeats; r++)
      for (int i = 0; i < rs->n; i++) {
        put_carry_fields(o.f, rs, &rs->r[i]);
        fprintf(o.f, ",%d,%s,%d,%d,%.6f\n", rs->r[i].outcome, hparams_kind(&hp[m]), r + 1,
                res->fold[(size_t)r * rs->n + i] + 1, res->p[((size_t)m * res->repeats + r) * rs->n + i]);
      }
  if ((rc = out_commit(&o))) out_abort(&o);
  return rc;
}

int cmd_cv(int argc, char **argv) {
  cli_args a;
  int rc;
  if (cli_start(&spec, argc, argv, &a, &rc)) return rc;
  long folds = 10, repeats = 1, threads = par_threads();
  uint64_t seed = 1;
  if ((rc = cli_int(&a, "--folds", 2, 1000, &folds)) || (rc = cli_int(&a, "--repeats", 1, 10000, &repeats)) ||
      (rc = cli_u64(&a, "--seed", &seed)) || (rc = cli_int(&a, "--threads", 1, 1024, &threads))) {
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
  cv_opts o = {(int)folds, (int)repeats, (int)threads, seed, nm, hp};
  cv_result res;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  progress_begin("cross-validation, fits", (long)nm * repeats * folds);
  rc = cv_run(&rs, &o, &res);
  progress_end();
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (!rc) {
    int *y = xmalloc(sizeof(int) * rs.n);
    for (int i = 0; i < rs.n; i++) y[i] = rs.r[i].outcome;
    outfile out;
    if (!(rc = out_open(&out, cli_get(&a, "--output")))) {
      if (cli_flag(&a, "--json")) rc = print_json(out.f, &res, y, hp, nm, &o, rs.path);
      else print_table(out.f, &res, y, hp, nm, &o, rs.path, (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec));
      if (rc || (rc = out_commit(&out))) out_abort(&out);
    }
    if (!rc && cli_get(&a, "--predictions")) rc = write_predictions(cli_get(&a, "--predictions"), &rs, &res, hp, nm);
    free(y);
    cv_result_free(&res);
  }
  recipes_free(&rs);
  components_free(&comp);
  cli_free(&a);
  return rc;
}
