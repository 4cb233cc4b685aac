/* auclust: one binary, a table of subcommands. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "err.h"
#include "par.h"
#include "rdkit_cffi.h"

static const struct {
  const char *name;
  int (*fn)(int, char **);
  const char *summary;
} commands[] = {
    {"featurize", cmd_featurize, "recipes -> the 17 Table-1 descriptors and molecular graphs"},
    {"train", cmd_train, "train a model (one fit or a k-fold ensemble) and save it"},
    {"predict", cmd_predict, "probability of success of recipes, mean and spread over instances"},
    {"cv", cmd_cv, "k-fold cross-validation (stratified or grouped) of the six models of Table 2 and two baselines"},
    {"heatmap", cmd_heatmap, "probability maps over two conditions, or the 5-D grid (Figure 5)"},
    {"fingerprint", cmd_fingerprint, "GCNN fingerprints of molecules and their distance matrix (Figure 4)"},
    {"distill", cmd_distill, "a decision tree that mimics the model, for rules (Figure 6)"},
    {"tune", cmd_tune, "Gaussian-process Bayesian optimisation of hyperparameters (CV MCC, AUC, log loss or Brier)"},
    {"suggest", cmd_suggest, "the next experiments: top-ranked recipes inside bounds"},
    {"loop", cmd_loop, "the closed loop (Figure 2) against the simulated lab: strategies compared"},
    {"simulate", cmd_simulate, "a virtual lab: recipes labelled by a known (synthetic) truth"},
    {"report", cmd_report, "one HTML page with every figure: data, CV, reliability, map, distances, tree, domain"},
};
static const int ncommands = sizeof commands / sizeof commands[0];

static void usage(FILE *f) {
  fprintf(f,
          "auclust %s: learn which gold-nanocluster syntheses give atomically precise clusters\n"
          "(GCNN fingerprints + Siamese network, Li et al., Adv. Intell. Syst. 2019)\n\n"
          "usage: auclust COMMAND [options] [files]\n\ncommands:\n",
          AUCLUST_VERSION);
  for (int i = 0; i < ncommands; i++) fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
  fprintf(f,
          "\n`auclust COMMAND --help` (or `auclust help COMMAND`) describes each command. `-` as a file means stdin/stdout.\n\n"
          "exit codes:\n"
          "  0  success\n"
          "  2  bad command line\n"
          "  3  bad input data (recipe CSV, components table, SMILES, bounds)\n"
          "  4  bad model file (corrupt, wrong version, kind, shapes or components)\n"
          "  5  a file cannot be read or written\n"
          "  6  numerical failure (NaN or infinity)\n"
          "  7  out of memory\n\n"
          "limits (README, Limits): a molecule has at most 500 atoms and 5000 SMILES characters,\n"
          "printable ASCII without spaces; recipe and components tables and model files at most\n"
          "256 MB, hyperparameter, space and bounds JSON 1 MB, ligand lists 16 MB; every recipe\n"
          "value and override within its physical bounds (e.g. concentrations 0..10000 mM,\n"
          "ligand_logp -100..100); option caps are in each command's --help.\n");
}

int main(int argc, char **argv) {
  disable_logging(); /* RDKit's own log lines stay off the user's terminal */
  par_init_blas();
  /* `auclust help CMD` = `auclust CMD --help`; `help help`, `help --help`: the general help below */
  int help_of_help = argc >= 3 && !strcmp(argv[1], "help") &&
                     (!strcmp(argv[2], "help") || !strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"));
  if (argc >= 3 && !strcmp(argv[1], "help") && !help_of_help) {
    if (argc > 3) {
      fprintf(stderr, "auclust: help takes one command, e.g. auclust help train\n");
      return AU_EUSAGE;
    }
    for (int i = 0; i < ncommands; i++)
      if (!strcmp(argv[2], commands[i].name)) {
        char *hv[] = {"--help", NULL};
        return commands[i].fn(1, hv);
      }
    fprintf(stderr, "auclust: unknown command '%s' (see auclust --help)\n", argv[2]);
    return AU_EUSAGE;
  }
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    usage(stdout);
    return argc < 2 ? AU_EUSAGE : 0;
  }
  if (!strcmp(argv[1], "--version")) {
    char *v = version();
    printf("auclust %s (RDKit %s)\n", AUCLUST_VERSION, v ? v : "?");
    free_ptr(v);
    return 0;
  }
  for (int i = 0; i < ncommands; i++) {
    if (strcmp(argv[1], commands[i].name)) continue;
    au_set_command(commands[i].name);
    int rc = commands[i].fn(argc - 2, argv + 2);
    if (rc) fprintf(stderr, "auclust %s: %s\n", commands[i].name, au_errmsg());
    return rc;
  }
  fprintf(stderr, "auclust: unknown command '%s' (see auclust --help)\n", argv[1]);
  return AU_EUSAGE;
}
