/* auclust train: fit one model, or the ensemble of a stratified k-fold split. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "cmd_common.h"
#include "cpupeak.h"
#include "commands.h"
#include "ensemble.h"
#include "err.h"
#include "kern.h"
#include "model.h"
#include "par.h"
#include "progress.h"

static const cli_opt opts[] = {
    {"--model", "-m", "NAME", "gcnn_snn (default), gcnn_dnn, gcnn_svm, snn, dnn, svm, or a baseline: prior, rf"},
    {"--output", "-o", "MODEL.json", "model file to write (default: model.json)"},
    {"--ensemble", "-k", "K", "train the K instances of a stratified K-fold split (the paper: 10); 0 = one fit on all rows (default)"},
    {"--seed", "-s", "N", "random seed (default 1); the same seed gives a byte-identical model"},
    {"--preset", NULL, "NAME", "default (auclust's defaults) or paper (the authors' architecture and budget exactly)"},
    {"--hparams", NULL, "FILE", "hyperparameters from JSON (e.g. the output of auclust tune)"},
    {"--set", NULL, "NAME=VALUE", "one hyperparameter, e.g. --set epochs=50 --set hidden_layers=30,20 (repeatable)"},
    {"--components", "-c", "FILE", "solvent/reductant properties (default: components.csv beside RECIPES, else the bundled table)"},
    {"--extra-descriptors", NULL, "COL1,COL2", "your own numeric columns (pKa, solubility, ...) added to the descriptors:\n"
                                               "                             scaled like them, stored in the model, required by predict"},
    {"--allow-missing-ph", NULL, NULL, "accept an empty pH in water-like solvents (encoded as ph_missing)"},
    {"--threads", "-j", "N", "worker threads (default: all cores); results do not depend on it"},
    {"--profile", NULL, NULL, "print training throughput, counted floating-point operations and the fraction of the core's peak reached"},
    CLI_INPUT_OPTS,
    CLI_QUIET_OPT,
    {NULL, NULL, NULL, NULL}};

static const cli_spec spec = {
    "train", "RECIPES.csv [options]",
    "Trains a classifier of synthesis outcome (1 = atomically precise clusters) on the recipes.\n"
    "The model file holds the hyperparameters, the descriptor scaler, the molecules and\n"
    "components it was trained with, the weights and the support set; `predict`, `heatmap`,\n"
    "`distill` and `suggest` average over its instances.",
    opts, 1, 1,
    "hyperparameters (JSON keys for --hparams and --set), the authors' values (--preset paper):\n"
    "  learning_rate 0.001, hidden_layers [30] (hidden1, hidden2 set single layers),\n"
    "  feature_vector_dim 10, epochs 100, steps_per_epoch 64, pair_size 32, l1 0, l2 0,\n"
    "  dropout 0, fingerprint_length 10, graph_layers 2, graph_width 8, fingerprint_pool 0 (sum),\n"
    "  ratio_inputs 0, ph_missing 7, adam_beta1 0.9, adam_beta2 0.999, adam_epsilon 1e-7,\n"
    "  budget_rows 0 (R > 0: epochs x rows / R above R training rows), lr_decay 0 (1: cosine),\n"
    "  snn_knn 0 (k > 0: an SNN scores by the k most similar of each support set),\n"
    "  fp_l2 0 (L2 penalty on the head weights that read fingerprints only), fp_zero_init 0\n"
    "  (1: those weights start at 0), early_stop 0 (k > 0: the epoch count from a stratified\n"
    "  1/k inner split, then a refit on all rows), float32 0 (1: the training steps and Adam\n"
    "  in single precision, faster; the model file stays double and predicts the same way;\n"
    "  results differ from double training in the later digits; README, Performance), bag 0\n"
    "  (B > 0: each fit is B instances on stratified bootstrap resamples of its rows,\n"
    "  probabilities averaged), input_noise 0 (sd of Gaussian noise added to the 0-1 scaled\n"
    "  descriptor inputs while training), input_group_l1 0 (lambda > 0: a group lasso, lambda\n"
    "  times the L2 norm of each descriptor, ratio or extra input's first-layer weights, so an\n"
    "  input that does not lower the loss enough is dropped whole; README, fifth round),\n"
    "  input_refit 0 (t > 0, with input_group_l1: the relaxed group lasso; the inputs whose\n"
    "  rows the penalised fit left below t x the largest are dropped and the rest refitted\n"
    "  without the penalty, twice the training), molecule_group_l1 0 (lambda > 0: the same\n"
    "  group lasso on the 12 properties of the solvent, reducing agent and ligand only; the\n"
    "  conditions and ratios are never penalised; README, sixth round)\n"
    "auclust's defaults differ (README, 'Defaults and the paper preset'): epochs 25, and\n"
    "  ratio_inputs 1 (log10 ligand:Au and reductant:Au as inputs); GCNN models also\n"
    "  fingerprint_pool 1 (mean), graph_layers 1, graph_width 4, fingerprint_length 4,\n"
    "  budget_rows 48, fp_zero_init 1, fp_l2 3, input_noise 0.1, molecule_group_l1 0.03\n\n"
    "example:\n  auclust train data/au_nc_recipes.csv --model gcnn_snn --ensemble 10 -o snn.json"};

int cmd_train(int argc, char **argv) {
  cli_args a;
  int rc;
  if (cli_start(&spec, argc, argv, &a, &rc)) return rc;
  hparams hp;
  long ens = 0, threads = par_threads();
  uint64_t seed = 1;
  const char *kind = cli_get(&a, "--model");
  if ((rc = hparams_from_cli(&a, kind, &hp)) || (rc = cli_int(&a, "--ensemble", 0, 1000, &ens)) ||
      (rc = cli_u64(&a, "--seed", &seed)) || (rc = cli_int(&a, "--threads", 1, 1024, &threads))) {
    cli_free(&a);
    return rc;
  }
  component_table comp;
  recipe_set rs;
  input_opts io;
  if ((rc = input_opts_from_cli(&a, &hp, &io))) { cli_free(&a); return rc; }
  rc = open_recipes(a.pos[0], cli_get(&a, "--components"), &io, &comp, &rs);
  input_opts_free(&io);
  if (rc) {
    cli_free(&a);
    return rc;
  }
  model m;
  char what[96];
  snprintf(what, sizeof what, "training %s on %d recipes, instances", hparams_kind(&hp), rs.n);
  progress_begin(what, ensemble_size(&hp, (int)ens));
  struct timespec t0, t1, c0, c1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
  rc = model_train_counted(&m, &rs, &comp, &hp, (int)ens, seed, (int)threads);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  progress_end();
  if (!rc && cli_flag(&a, "--profile") && hparams_is_baseline(&hp))
    fprintf(stderr, "profile: a %s baseline has no training steps to profile\n", hparams_kind(&hp));
  else if (!rc && cli_flag(&a, "--profile")) {
    double secs = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
    double cpu = (c1.tv_sec - c0.tv_sec) + 1e-9 * (c1.tv_nsec - c0.tv_nsec);
    double flops = 0, steps = 0, step_cpu = 0, fast = 0;
    for (int k = 0; k < m.ninst; k++) {
      flops += m.inst[k].flops, step_cpu += m.inst[k].step_secs, steps += m.inst[k].steps;
      if (m.inst[k].fast_rate > fast) fast = m.inst[k].fast_rate;
    }
    int used = m.ninst < threads ? m.ninst : (int)threads;
    cpu_peak pk;
    cpu_peak_measure(&pk);
    fprintf(stderr,
            "profile: %.0f steps in %.3f s (cpu %.3f s) on %ld thread%s: %.0f steps/s, %.0f %s/s, %.3g flop/step, "
            "%.3f GFLOP/s\n",
            steps, secs, cpu, threads, threads > 1 ? "s" : "", steps / secs, steps * hp.pair_size / secs,
            hp.head == HEAD_SNN ? "pairs" : "examples", flops / steps, flops / secs * 1e-9);
    fprintf(stderr,
            "profile: peak %.1f GFLOP/s per core = %d flop/cycle (%s) x %.2f GHz (calibrated add loop; cpuinfo %.0f MHz); "
            "FMA loop measures %.1f GFLOP/s; kernels %s\n",
            pk.peak_gflops, pk.flops_per_cycle, pk.why, pk.ghz, pk.cpuinfo_mhz, pk.fma_gflops, kern_variant());
    fprintf(stderr,
            "profile: %.1f %% of peak over %d core%s by wall time, %.1f %% by cpu time; the steps alone: %.3f s of "
            "thread cpu, %.1f %% of peak\n",
            100 * flops / secs * 1e-9 / (pk.peak_gflops * used), used, used > 1 ? "s" : "",
            100 * flops / cpu * 1e-9 / pk.peak_gflops, step_cpu, 100 * flops / step_cpu * 1e-9 / pk.peak_gflops);
    if (fast > 0)
      fprintf(stderr,
              "profile: the fastest epoch: %.3f GFLOP/s, %.1f %% of peak; all the steps' work at that rate: %.3f s "
              "of one core (a shared machine slows the other epochs)\n",
              fast * 1e-9, 100 * fast * 1e-9 / pk.peak_gflops, flops / fast);
    /* float vectors hold twice the lanes: the same units do twice the flops */
    if (hp.float32)
      fprintf(stderr,
              "profile: float32 training: the fractions above are of the double-precision peak; of the "
              "single-precision one (%.1f GFLOP/s, twice the lanes) %.1f %% by wall time, %.1f %% by cpu time, %.1f %% "
              "for the steps alone\n",
              2 * pk.peak_gflops, 50 * flops / secs * 1e-9 / (pk.peak_gflops * used),
              50 * flops / cpu * 1e-9 / pk.peak_gflops, 50 * flops / step_cpu * 1e-9 / pk.peak_gflops);
  }
  if (!rc) {
    const char *out = cli_get(&a, "--output") ? cli_get(&a, "--output") : "model.json";
    rc = model_save(&m, out);
    if (!rc) {
      double loss = 0;
      for (int k = 0; k < m.ninst; k++) loss += m.inst[k].loss / m.ninst;
      if (hparams_is_baseline(&hp))
        fprintf(stderr, "auclust train: %s baseline, %d instance%s -> %s\n", hparams_kind(&hp), m.ninst,
                m.ninst > 1 ? "s" : "", out);
      else
        fprintf(stderr, "auclust train: %s model, %d instance%s, %ld parameters each, mean final training loss %.4f -> %s\n",
                hparams_kind(&hp), m.ninst, m.ninst > 1 ? "s" : "", m.L.nparams, loss, out);
    }
    model_free(&m);
  }
  recipes_free(&rs);
  components_free(&comp);
  cli_free(&a);
  return rc;
}
