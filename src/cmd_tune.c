/* auclust tune: Gaussian-process Bayesian optimisation of a model's
 * hyperparameters (the paper: 50 trials of skopt's gp_minimize) on a
 * cross-validated objective (MCC by default, mean over repeats of stratified
 * k-fold), modelled as noisy; then the best and the default settings are
 * re-scored on fresh splits, side by side, with a verdict. */
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
    {"--model", "-m", "NAME", "gcnn_snn (default), gcnn_dnn, gcnn_svm, snn, dnn, svm, or the rf baseline"},
    {"--objective", NULL, "NAME", "mcc (default, as the paper), auc (ROC AUC), logloss or brier"},
    {"--trials", "-n", "N", "objective evaluations (default 50, as the paper)"},
    {"--initial", NULL, "N", "of which Latin-hypercube initial points (default 10)"},
    {"--space", NULL, "SPACE.json", "search space (default: the authors', see below)"},
    {"--repeats", "-r", "R", "CV repeats per trial (default 3; one repeat is mostly split noise)"},
    {"--confirm", NULL, "R", "re-score the best and the default setting on R fresh repeats (default 5; 0: skip)"},
    {"--folds", "-f", "K", "CV folds (default 10)"},
    {"--seed", "-s", "N", "random seed (default 1)"},
    {"--output", "-o", "BEST.json", "best hyperparameters, for train --hparams (default: stdout)"},
    {"--log", NULL, "TRIALS.csv", "one row per trial: every dimension and the objective"},
    {"--preset", NULL, "NAME", "default (auclust's defaults) or paper (the authors' architecture and budget exactly)"},
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
    "optimising a cross-validated objective (default: the Matthews correlation coefficient).\n"
    "The objective is noisy (another split gives another score), so each trial averages\n"
    "--repeats repeats and the GP's noise variance is fitted by maximum likelihood, not fixed\n"
    "near zero, and never below the variance the repeats themselves show (sd^2 / repeats,\n"
    "pooled over the trials; the output JSON reports both). The log flags\n"
    "trials whose models predicted one class for every recipe. Afterwards the best and the\n"
    "default setting are re-scored on --confirm fresh repeats (seeds the search never used),\n"
    "printed side by side with their spreads on stderr and written into the JSON with a verdict.",
    opts, 1, 1,
    "default search space (the authors': hidden layer sizes, epochs, feature_vector_dim, an\n"
    "L1/L2 weight, and the GCNN widths for GCNN models):\n"
    "  hidden1 int 5..100, hidden2 int 0..50 (0 = one hidden layer), epochs int 20..200,\n"
    "  feature_vector_dim int 2..30 (SNN heads), l2 log-real 1e-6..0.1,\n"
    "  graph_width int 4..32 and fingerprint_length int 4..20 (GCNN models); the SVM head\n"
    "  has no hidden layers; rf: rf_max_features int 1..17, rf_min_leaf int 1..10,\n"
    "  rf_max_depth int 2..20. SPACE.json: [{\"name\": \"epochs\", \"type\": \"int\", \"low\": 20,\n"
    "  \"high\": 200}, {\"name\": \"l2\", \"type\": \"log-real\", \"low\": 1e-6, \"high\": 0.1}, ...]\n\n"
    "example:\n  auclust tune data/au_nc_recipes.csv --model gcnn_snn --trials 50 -o best.json --log trials.csv\n"
    "  auclust train data/au_nc_recipes.csv --model gcnn_snn --hparams best.json --ensemble 10"};

static int default_space(const hparams *hp, bo_space *s) {
  bo_space_init(s);
  int rc = 0;
  if (hp->head == HEAD_PRIOR) return au_fail(AU_EUSAGE, "the prior baseline has no hyperparameters to tune");
  if (hp->head == HEAD_RF) {
    rc = bo_space_add(s, "rf_max_features", BO_INT, 1, AU_NDESC);
    rc = rc ? rc : bo_space_add(s, "rf_min_leaf", BO_INT, 1, 10);
    rc = rc ? rc : bo_space_add(s, "rf_max_depth", BO_INT, 2, 20);
    return rc;
  }
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

/* The objectives: a cv_summary metric, maximised or minimised. */
typedef struct {
  const char *name, *label;
  int metric, maximise;
} objective;
static const objective objectives[] = {{"mcc", "MCC", CV_MCC, 1},
                                       {"auc", "ROC AUC", CV_AUC, 1},
                                       {"logloss", "log loss", CV_LOGLOSS, 0},
                                       {"brier", "Brier", CV_BRIER, 0}};
/* Metrics in the log and the confirmation block, after the objective. */
static const int shown[] = {CV_MCC, CV_ACC, CV_F1, CV_AUC, CV_LOGLOSS, CV_BRIER, CV_BSS};
#define NSHOWN ((int)(sizeof shown / sizeof shown[0]))

/* Cross-validates hp (R repeats of F folds from seed): the summary and the
 * number of repeats in which the model predicted one class for every recipe. */
static int score(const recipe_set *rs, const hparams *hp, int F, int R, int threads, uint64_t seed, const int *y,
                 cv_summary *s, int *one_class) {
  cv_opts o = {F, R, threads, seed, 1, hp, NULL, 0, 0};
  cv_result res;
  int rc = cv_run(rs, &o, &res);
  if (rc) return rc;
  cv_summarise(&res, y, 0, s);
  *one_class = 0;
  for (int r = 0; r < R; r++) {
    int pos = 0;
    for (int i = 0; i < rs->n; i++) pos += res.p[(size_t)r * rs->n + i] > 0.5;
    *one_class += pos == 0 || pos == rs->n;
  }
  cv_result_free(&res);
  return 0;
}

static cJSON *summary_json(const cv_summary *s, int R) {
  cJSON *o = cJSON_CreateObject();
  for (int j = 0; j < NSHOWN; j++) {
    cJSON *v = cJSON_AddObjectToObject(o, cv_metric_names[shown[j]]);
    cJSON_AddNumberToObject(v, "mean", s->mean[shown[j]]);
    if (R > 1) cJSON_AddNumberToObject(v, "std", s->sd[shown[j]]);
    else cJSON_AddNullToObject(v, "std");
  }
  return o;
}

/* The verdict on best vs default in the objective's direction. */
static void verdict(const objective *ob, const cv_summary *def, const cv_summary *best, int R, char *buf, size_t n,
                    double *gain, double *spread) {
  int j = ob->metric;
  *gain = ob->maximise ? best->mean[j] - def->mean[j] : def->mean[j] - best->mean[j];
  *spread = R > 1 ? fmax(def->sd[j], best->sd[j]) : 0;
  if (R < 2)
    snprintf(buf, n, "one confirmation repeat: no spread to judge a %s gain of %+.3f by", ob->label, *gain);
  else if (*gain <= 0)
    snprintf(buf, n, "the tuned setting is no better than the default on fresh splits (%s %.3f vs %.3f): keep the default",
             ob->label, best->mean[j], def->mean[j]);
  else if (*gain < *spread)
    snprintf(buf, n, "the %s gain (%+.3f) is smaller than the spread over repeats (%.3f): not shown to beat the default",
             ob->label, *gain, *spread);
  else
    snprintf(buf, n, "the tuned setting beats the default by %+.3f %s, more than the spread over repeats (%.3f)", *gain,
             ob->label, *spread);
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
  long trials = 50, initial = 10, repeats = 3, folds = 10, confirm = 5, threads = par_threads();
  uint64_t seed = 1;
  hparams base;
  const char *kind = cli_get(&a, "--model"), *objname = cli_get(&a, "--objective");
  if ((rc = cli_int(&a, "--trials", 1, 100000, &trials)) || (rc = cli_int(&a, "--initial", 1, 100000, &initial)) ||
      (rc = cli_int(&a, "--repeats", 1, 1000, &repeats)) || (rc = cli_int(&a, "--folds", 2, 1000, &folds)) ||
      (rc = cli_int(&a, "--confirm", 0, 1000, &confirm)) || (rc = cli_u64(&a, "--seed", &seed)) ||
      (rc = cli_int(&a, "--threads", 1, 1024, &threads)) || (rc = hparams_from_cli(&a, kind, &base))) {
    cli_free(&a);
    return rc;
  }
  const objective *ob = &objectives[0];
  if (objname) {
    ob = NULL;
    for (size_t i = 0; i < sizeof objectives / sizeof objectives[0]; i++)
      if (!strcmp(objname, objectives[i].name)) ob = &objectives[i];
    if (!ob) {
      rc = au_fail(AU_EUSAGE, "--objective '%s': one of mcc, auc, logloss, brier", objname);
      cli_free(&a);
      return rc;
    }
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
  bo_set_noisy(bo, 1); /* a CV score: another split, another value */
  double *x = xmalloc(sizeof(double) * space.n), *best_x = xmalloc(sizeof(double) * space.n);
  double best = -INFINITY; /* in the maximised direction */
  hparams best_hp = base;
  int one_class_trials = 0;
  double pooled_var = 0; /* sum over trials of sd^2 / R: the split noise each trial's mean carries */
  int n_pooled = 0;
  outfile log = {0};
  const char *on = cv_metric_names[ob->metric];
  if (cli_get(&a, "--log") && !(rc = out_open(&log, cli_get(&a, "--log")))) {
    fputs("trial", log.f);
    for (int i = 0; i < space.n; i++) fprintf(log.f, ",%s", space.dims[i].name);
    fprintf(log.f, ",%s,%s_std", on, on);
    for (int j = 0; j < NSHOWN; j++)
      if (shown[j] != ob->metric && shown[j] != CV_BSS) fprintf(log.f, ",%s", cv_metric_names[shown[j]]);
    fputs(",one_class,seconds\n", log.f);
  }
  progress_begin("tune, CV fits", (trials * repeats + 2 * confirm) * folds);
  for (int t = 0; t < trials && !rc; t++) {
    bo_ask(bo, x);
    hparams hp = base;
    if ((rc = apply_point(&space, x, &hp))) break;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cv_summary s;
    int oc;
    if ((rc = score(&rs, &hp, (int)folds, (int)repeats, (int)threads, seed, y, &s, &oc))) break;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double v = s.mean[ob->metric], up = ob->maximise ? v : -v;
    if ((rc = bo_tell(bo, x, -up))) break;
    if (repeats > 1 && isfinite(s.sd[ob->metric])) {
      pooled_var += s.sd[ob->metric] * s.sd[ob->metric] / (double)repeats;
      bo_set_noise_floor(bo, pooled_var / ++n_pooled);
    }
    one_class_trials += oc > 0;
    if (up > best) { best = up; best_hp = hp; memcpy(best_x, x, sizeof(double) * space.n); }
    if (log.f) {
      fprintf(log.f, "%d", t + 1);
      for (int i = 0; i < space.n; i++) fprintf(log.f, ",%.6g", x[i]);
      fprintf(log.f, ",%.6f,%.6f", v, s.sd[ob->metric]);
      for (int j = 0; j < NSHOWN; j++)
        if (shown[j] != ob->metric && shown[j] != CV_BSS) fprintf(log.f, ",%.6f", s.mean[shown[j]]);
      /* repeats of this trial in which every recipe got the same predicted class */
      fprintf(log.f, ",%d,%.2f\n", oc, (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec));
    }
    progress_note("trial %d/%ld: %s %.3f, best %.3f", t + 1, trials, ob->label, v, ob->maximise ? best : -best);
  }
  /* the best and the default on fresh splits and seeds, never seen by the search */
  cv_summary cdef, cbest;
  int oc_def = 0, oc_best = 0;
  uint64_t cseed = seed ^ 0x5eed5eed5eedULL;
  if (!rc && confirm)
    if (!(rc = score(&rs, &base, (int)folds, (int)confirm, (int)threads, cseed, y, &cdef, &oc_def)))
      rc = score(&rs, &best_hp, (int)folds, (int)confirm, (int)threads, cseed, y, &cbest, &oc_best);
  progress_end();
  if (log.f) {
    if (rc) out_abort(&log);
    else rc = out_commit(&log);
  }
  if (!rc) {
    double share = NAN, nsd = NAN, gain = 0, spread = 0;
    int have_noise = bo_noise(bo, &share, &nsd);
    char vtext[400] = "";
    if (confirm) {
      verdict(ob, &cdef, &cbest, (int)confirm, vtext, sizeof vtext, &gain, &spread);
      if (oc_best == confirm && oc_def < confirm) /* a "best" that never says anything but one class */
        snprintf(vtext + strlen(vtext), sizeof vtext - strlen(vtext), "; the tuned model predicts one class for every recipe");
    }
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "model", hparams_kind(&best_hp));
    cJSON_AddItemToObject(root, "hparams", hparams_to_json(&best_hp));
    cJSON *obj = cJSON_AddObjectToObject(root, "objective");
    char desc[160];
    snprintf(desc, sizeof desc, "cross-validated %s (mean over repeats), %s", ob->label, ob->maximise ? "maximised" : "minimised");
    cJSON_AddStringToObject(obj, "metric", desc);
    cJSON_AddStringToObject(obj, "name", ob->name);
    cJSON_AddNumberToObject(obj, "best", ob->maximise ? best : -best);
    cJSON_AddNumberToObject(obj, "folds", folds);
    cJSON_AddNumberToObject(obj, "repeats", repeats);
    if (have_noise) { /* the GP's fitted noise: how much of the objective is split noise */
      cJSON_AddNumberToObject(obj, "gp_noise_share", share);
      cJSON_AddNumberToObject(obj, "gp_noise_sd", nsd);
    }
    if (n_pooled) /* the floor the GP's noise was held to, measured from the repeats */
      cJSON_AddNumberToObject(obj, "repeat_noise_sd", sqrt(pooled_var / n_pooled));
    cJSON_AddNumberToObject(root, "trials", trials);
    cJSON_AddNumberToObject(root, "one_class_trials", one_class_trials);
    cJSON_AddNumberToObject(root, "seed", (double)seed);
    cJSON_AddItemToObject(root, "space", bo_space_to_json(&space));
    if (confirm) {
      cJSON *c = cJSON_AddObjectToObject(root, "confirmation");
      char cs[32];
      snprintf(cs, sizeof cs, "%llu", (unsigned long long)cseed);
      cJSON_AddNumberToObject(c, "repeats", confirm);
      cJSON_AddStringToObject(c, "seed", cs);
      cJSON_AddItemToObject(c, "default", summary_json(&cdef, (int)confirm));
      cJSON_AddItemToObject(c, "best", summary_json(&cbest, (int)confirm));
      cJSON_AddItemToObject(c, "default_hparams", hparams_to_json(&base));
      cJSON_AddNumberToObject(c, "gain", gain);
      cJSON_AddNumberToObject(c, "spread", spread);
      cJSON_AddBoolToObject(c, "gain_exceeds_spread", confirm > 1 && gain > 0 && gain >= spread);
      cJSON_AddStringToObject(c, "verdict", vtext);
    }
    char *txt = cJSON_Print(root);
    cJSON_Delete(root);
    outfile o;
    if (!(rc = out_open(&o, cli_get(&a, "--output")))) {
      fprintf(o.f, "%s\n", txt);
      if ((rc = out_commit(&o))) out_abort(&o);
    }
    free(txt);
    if (!rc) {
      fprintf(stderr, "auclust tune: %s, %ld trials of %ld repeat%s, best cross-validated %s %.3f", hparams_kind(&best_hp), trials,
              repeats, repeats > 1 ? "s" : "", ob->label, ob->maximise ? best : -best);
      if (have_noise) fprintf(stderr, "; the GP attributes %.0f%% of the objective's variance to noise (sd %.3f)", 100 * share, nsd);
      if (have_noise && n_pooled) fprintf(stderr, ", at least the repeats' own (sd %.3f)", sqrt(pooled_var / n_pooled));
      fputc('\n', stderr);
      if (one_class_trials)
        fprintf(stderr, "auclust tune: %d of %ld trials predicted one class for every recipe in some repeat (log column one_class)\n",
                one_class_trials, trials);
      if (confirm) {
        fprintf(stderr, "auclust tune: confirmation on %ld fresh repeats of %ld-fold CV (seed %llu, not used by the search):\n",
                confirm, folds, (unsigned long long)cseed);
        fprintf(stderr, "  %-12s %-18s %s\n", "metric", "default", "best");
        for (int j = 0; j < NSHOWN; j++) {
          char d[40], b[40];
          int m = shown[j];
          if (confirm > 1) {
            snprintf(d, sizeof d, "%.3f ± %.3f", cdef.mean[m], cdef.sd[m]);
            snprintf(b, sizeof b, "%.3f ± %.3f", cbest.mean[m], cbest.sd[m]);
          } else {
            snprintf(d, sizeof d, "%.3f ± n/a", cdef.mean[m]);
            snprintf(b, sizeof b, "%.3f ± n/a", cbest.mean[m]);
          }
          fprintf(stderr, "  %-12s %-19s %s%s\n", cv_metric_labels[m], d, b, m == ob->metric ? "   (objective)" : "");
        }
        if (oc_def || oc_best)
          fprintf(stderr, "  one class for every recipe in %d (default) and %d (best) of the %ld repeats\n", oc_def, oc_best, confirm);
        fprintf(stderr, "  verdict: %s\n", vtext);
      }
    }
  }
  bo_free(bo);
  free(x); free(best_x); free(y);
  bo_space_free(&space);
  recipes_free(&rs);
  components_free(&comp);
  cli_free(&a);
  return rc;
}
