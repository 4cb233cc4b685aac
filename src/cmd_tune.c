/* auclust tune: Gaussian-process Bayesian optimisation of a model's
 * hyperparameters (the paper: 50 trials of skopt's gp_minimize), maximising
 * the cross-validated MCC (mean over repeats of stratified k-fold). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bo.h"
#include "cli.h"
#include "cmd_common.h"
#include "commands.h"
#include "cv.h"
#include "err.h"
#include "jsonfile.h"
#include "outfile.h"
#include "par.h"
#include "progress.h"

static const cli_opt opts[] = {
    {"--model", "-m", "NAME", "gcnn_snn (default), gcnn_dnn, gcnn_svm, snn, dnn or svm"},
    {"--trials", "-n", "N", "objective evaluations (default 50, as the paper)"},
    {"--initial", NULL, "N", "of which Latin-hypercube initial points (default 10)"},
    {"--space", NULL, "SPACE.json", "search space (default: the authors', see below)"},
    {"--repeats", "-r", "R", "CV repeats per trial (default 1)"},
    {"--folds", "-f", "K", "CV folds (default 10)"},
    {"--seed", "-s", "N", "random seed (default 1)"},
    {"--output", "-o", "BEST.json", "best hyperparameters, for train --hparams (default: stdout)"},
    {"--log", NULL, "TRIALS.csv", "one row per trial: every dimension and the objective"},
    {"--hparams", NULL, "FILE", "starting hyperparameters (the dimensions searched override them)"},
    {"--set", NULL, "NAME=VALUE", "fix one hyperparameter (repeatable), e.g. --set epochs=50"},
    {"--components", "-c", "FILE", "solvent/reductant properties (default: components.csv beside RECIPES)"},
    {"--extra-descriptors", NULL, "COL1,COL2", "your own numeric columns (pKa, solubility, ...) added to the descriptors:\n"
                                               "                             scaled like them, stored in the model, required by predict"},
    {"--allow-missing-ph", NULL, NULL, "accept an empty pH in water-like solvents (encoded as ph_missing)"},
    {"--threads", "-j", "N", "worker threads (default: all cores); results do not depend on it"},
    CLI_INPUT_OPTS,
    CLI_QUIET_OPT,
    {NULL, NULL, NULL, NULL}};

static const cli_spec spec = {
    "tune", "RECIPES.csv [options]",
    "Searches hyperparameters with a Gaussian process (Matern 5/2) and expected improvement,\n"
    "maximising the cross-validated Matthews correlation coefficient.",
    opts, 1, 1,
    "default search space (the authors': hidden layer sizes, epochs, feature_vector_dim, an\n"
    "L1/L2 weight, and the GCNN widths for GCNN models):\n"
    "  hidden1 int 5..100, hidden2 int 0..50 (0 = one hidden layer), epochs int 20..200,\n"
    "  feature_vector_dim int 2..30 (SNN heads), l2 log-real 1e-6..0.1,\n"
    "  graph_width int 4..32 and fingerprint_length int 4..20 (GCNN models); the SVM head\n"
    "  has no hidden layers. SPACE.json: [{\"name\": \"epochs\", \"type\": \"int\", \"low\": 20,\n"
    "  \"high\": 200}, {\"name\": \"l2\", \"type\": \"log-real\", \"low\": 1e-6, \"high\": 0.1}, ...]\n\n"
    "example:\n  auclust tune data/au_nc_recipes.csv --model gcnn_snn --trials 50 -o best.json --log trials.csv\n"
    "  auclust train data/au_nc_recipes.csv --model gcnn_snn --hparams best.json --ensemble 10"};

static int default_space(const hparams *hp, bo_space *s) {
  bo_space_init(s);
  int rc = 0;
  if (hp->head != HEAD_SVM) {
    rc = rc ? rc : bo_space_add(s, "hidden1", BO_INT, 5, 100);
    rc = rc ? rc : bo_space_add(s, "hidden2", BO_INT, 0, 50);
  }
  rc = rc ? rc : bo_space_add(s, "epochs", BO_INT, 20, 200);
  if (hp->head == HEAD_SNN) rc = rc ? rc : bo_space_add(s, "feature_vector_dim", BO_INT, 2, 30);
  rc = rc ? rc : bo_space_add(s, "l2", BO_LOG_REAL, 1e-6, 0.1);
  if (hp->use_gcnn) {
    rc = rc ? rc : bo_space_add(s, "graph_width", BO_INT, 4, 32);
    rc = rc ? rc : bo_space_add(s, "fingerprint_length", BO_INT, 4, 20);
  }
  return rc;
}

static int load_space(const char *path, bo_space *s) {
  cJSON *j;
  int rc = json_load(path, AU_EDATA, &j);
  if (rc) return rc;
  rc = bo_space_from_json(j, s);
  cJSON_Delete(j);
  if (rc) {
    char msg[600];
    snprintf(msg, sizeof msg, "%s", au_errmsg());
    return au_fail(rc, "%s: %s", path, msg);
  }
  return 0;
}

/* hidden1 before hidden2: setting hidden2 needs hidden1 in place */
static int apply_point(const bo_space *s, const double *x, hparams *hp) {
  for (int pass = 0; pass < 2; pass++)
    for (int i = 0; i < s->n; i++) {
      int is_h2 = !strcmp(s->dims[i].name, "hidden2");
      if (is_h2 != pass) continue;
      int rc = hparams_set_number(hp, s->dims[i].name, x[i]);
      if (rc) return rc;
    }
  return 0;
}

int cmd_tune(int argc, char **argv) {
  cli_args a;
  int rc;
  if (cli_start(&spec, argc, argv, &a, &rc)) return rc;
  long trials = 50, initial = 10, repeats = 1, folds = 10, threads = par_threads();
  uint64_t seed = 1;
  hparams base;
  const char *kind = cli_get(&a, "--model");
  if ((rc = cli_int(&a, "--trials", 1, 100000, &trials)) || (rc = cli_int(&a, "--initial", 1, 100000, &initial)) ||
      (rc = cli_int(&a, "--repeats", 1, 1000, &repeats)) || (rc = cli_int(&a, "--folds", 2, 1000, &folds)) ||
      (rc = cli_u64(&a, "--seed", &seed)) || (rc = cli_int(&a, "--threads", 1, 1024, &threads)) ||
      (rc = hparams_from_cli(&a, kind, &base))) {
    cli_free(&a);
    return rc;
  }
  bo_space space;
  rc = cli_get(&a, "--space") ? load_space(cli_get(&a, "--space"), &space) : default_space(&base, &space);
  if (rc) { cli_free(&a); return rc; }
  /* every dimension must name a hyperparameter this model has, valid at both ends */
  int space_rc = cli_get(&a, "--space") ? AU_EDATA : AU_EUSAGE;
  for (int i = 0; i < space.n && !rc; i++) {
    const bo_dim *dm = &space.dims[i];
    hparams t = base;
    if (!hparams_relevant(&base, dm->name)) {
      rc = au_fail(space_rc, "search dimension '%s' does not affect %s models", dm->name, hparams_kind(&base));
      break;
    }
    for (int end = 0; end < 2 && !rc; end++)
      if (hparams_set_number(&t, dm->name, end ? dm->high : dm->low)) {
        char msg[400];
        snprintf(msg, sizeof msg, "%s", au_errmsg());
        rc = au_fail(space_rc, "search dimension '%s' [%g, %g]: %s", dm->name, dm->low, dm->high, msg);
      }
  }
  component_table comp;
  recipe_set rs;
  input_opts io = {0};
  if (!rc && !(rc = input_opts_from_cli(&a, &base, &io))) {
    rc = open_recipes(a.pos[0], cli_get(&a, "--components"), &io, &comp, &rs);
    input_opts_free(&io);
  }
  if (rc) {
    bo_space_free(&space);
    cli_free(&a);
    return rc;
  }
  int *y = xmalloc(sizeof(int) * rs.n);
  for (int i = 0; i < rs.n; i++) y[i] = rs.r[i].outcome;
  bo_opt *bo = bo_new(&space, (int)(initial < trials ? initial : trials), seed);
  double *x = xmalloc(sizeof(double) * space.n), *best_x = xmalloc(sizeof(double) * space.n);
  double best = -INFINITY;
  hparams best_hp = base;
  outfile log = {0};
  if (cli_get(&a, "--log") && !(rc = out_open(&log, cli_get(&a, "--log")))) {
    fputs("trial", log.f);
    for (int i = 0; i < space.n; i++) fprintf(log.f, ",%s", space.dims[i].name);
    fputs(",mcc,mcc_std,accuracy,f1,seconds\n", log.f);
  }
  progress_begin("tune, CV fits", trials * folds * repeats);
  for (int t = 0; t < trials && !rc; t++) {
    bo_ask(bo, x);
    hparams hp = base;
    if ((rc = apply_point(&space, x, &hp))) break;
    cv_opts o = {(int)folds, (int)repeats, (int)threads, seed, 1, &hp};
    cv_result res;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if ((rc = cv_run(&rs, &o, &res))) break;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    cv_summary s;
    cv_summarise(&res, y, 0, &s);
    cv_result_free(&res);
    double mcc = s.mean[CV_MCC];
    if ((rc = bo_tell(bo, x, -mcc))) break;
    if (mcc > best) { best = mcc; best_hp = hp; memcpy(best_x, x, sizeof(double) * space.n); }
    if (log.f) {
      fprintf(log.f, "%d", t + 1);
      for (int i = 0; i < space.n; i++) fprintf(log.f, ",%.6g", x[i]);
      fprintf(log.f, ",%.6f,%.6f,%.6f,%.6f,%.2f\n", mcc, s.sd[CV_MCC], s.mean[CV_ACC], s.mean[CV_F1],
              (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec));
    }
    progress_note("trial %d/%ld: MCC %.3f, best %.3f", t + 1, trials, mcc, best);
  }
  progress_end();
  if (log.f) {
    if (rc) out_abort(&log);
    else rc = out_commit(&log);
  }
  if (!rc) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "model", hparams_kind(&best_hp));
    cJSON_AddItemToObject(root, "hparams", hparams_to_json(&best_hp));
    cJSON *obj = cJSON_AddObjectToObject(root, "objective");
    cJSON_AddStringToObject(obj, "metric", "cross-validated MCC (mean over repeats), maximised");
    cJSON_AddNumberToObject(obj, "best", best);
    cJSON_AddNumberToObject(obj, "folds", folds);
    cJSON_AddNumberToObject(obj, "repeats", repeats);
    cJSON_AddNumberToObject(root, "trials", trials);
    cJSON_AddNumberToObject(root, "seed", (double)seed);
    cJSON_AddItemToObject(root, "space", bo_space_to_json(&space));
    char *txt = cJSON_Print(root);
    cJSON_Delete(root);
    outfile o;
    if (!(rc = out_open(&o, cli_get(&a, "--output")))) {
      fprintf(o.f, "%s\n", txt);
      if ((rc = out_commit(&o))) out_abort(&o);
    }
    free(txt);
    if (!rc)
      fprintf(stderr, "auclust tune: %s, %ld trials, best cross-validated MCC %.3f\n", hparams_kind(&best_hp), trials, best);
  }
  bo_free(bo);
  free(x); free(best_x); free(y);
  bo_space_free(&space);
  recipes_free(&rs);
  components_free(&comp);
  cli_free(&a);
  return rc;
}
