/* auclust loop: the paper's Figure 2 loop measured against the virtual lab.
 * For each acquisition strategy and seed a campaign (campaign.h) starts
 * from simulated initial recipes and runs rounds of train, suggest a
 * batch, label it with the oracle; the discovery curves are printed as CSV,
 * summarised per strategy and drawn as SVG. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "cli.h"
#include "cmd_common.h"
#include "commands.h"
#include "err.h"
#include "outfile.h"
#include "par.h"
#include "progress.h"
#include "svgplot.h"
#include "table.h"

static const cli_opt opts[] = {
    {"--truth", "-t", "NAME", "the lab: paper-tree or kinetic (required; see auclust simulate --help)"},
    {"--strategy", NULL, "LIST", "comma-separated strategies (default p,ucb,ei,thompson,random)"},
    {"--initial", NULL, "N", "initial recipes, drawn by the simulator (default 12)"},
    {"--rounds", NULL, "R", "rounds of train, suggest, run (default 10)"},
    {"--batch", NULL, "B", "experiments per round (default 4)"},
    {"--seeds", NULL, "S", "campaigns per strategy, seeds --seed .. --seed + S - 1 (default 10)"},
    {"--seed", "-s", "N", "the first seed (default 1)"},
    {"--model", "-m", "KIND", "the model that plans (default gcnn_snn; any kind train accepts)"},
    {"--preset", NULL, "NAME", "default (auclust's defaults) or paper (the authors' architecture and budget exactly)"},
    {"--hparams", NULL, "FILE", "hyperparameters (JSON, e.g. from tune)"},
    {"--set", NULL, "NAME=VALUE", "one hyperparameter (repeatable), e.g. --set epochs=20"},
    {"--ensemble", NULL, "K", "instances of the k-fold ensemble trained each round (default 5; 0 = one fit)"},
    {"--candidates", "-n", "N", "candidate recipes scored per round, split over the ligands (default 20000, at most 1000000)"},
    {"--kappa", NULL, "K", "ucb's weight of the spread (default 1)"},
    {"--min-distance", NULL, "FRAC", "distance rule of the batch, as in suggest (default 0.05)"},
    {"--noise", NULL, "P", "the lab flips each outcome with probability P (default 0)"},
    {"--ligands", NULL, "FILE", "candidate ligands, CSV name,smiles (default: the bundled data/ligands.csv)"},
    {"--components", "-c", "FILE", "components table (water and NaBH4; default: the bundled one)"},
    {"--threads", "-j", "T", "campaigns run in parallel (default: all cores); results do not depend on it"},
    {"--output", "-o", "OUT.csv", "the per-round table (default: stdout)"},
    {"--svg", NULL, "FILE.svg", "the discovery curves"},
    {"--trace", NULL, "FILE.csv", "every experiment of every campaign: what was picked, p_model, p_true, outcome"},
    CLI_INPUT_OPTS,
    CLI_QUIET_OPT,
    {NULL, NULL, NULL, NULL}};

static const cli_spec spec = {
    "loop", "--truth NAME [options]",
    "Runs the closed loop of the paper's Figure 2 with the simulator as the lab: start from\n"
    "--initial recipes the simulator draws and labels, then each round train the model on every\n"
    "recipe run so far, pick --batch candidates (water, NaBH4, the simulator's ligands that carry a\n"
    "gold-binding group and its ranges, rounded to 0.01 mM, 1 C, 0.1 pH) with the strategy, and\n"
    "label them with the oracle. Until the model can be trained (both outcomes in every\n"
    "training fold), a round's picks are random.\n"
    "Output CSV, per strategy and round: the cumulative successes among the suggested experiments\n"
    "and the best true probability among all recipes run (initial ones included), mean and sd over\n"
    "the seeds; the mean true probability of the round's picks (round 0: the initial recipes); the\n"
    "fraction of seeds whose picks came from a trained model. stderr: one summary line per strategy.\n"
    "The results are SYNTHETIC (a simulated lab): the first line of every file says so.",
    opts, 0, 0,
    "example (a cheap model budget, as in README):\n"
    "  auclust loop --truth kinetic --initial 12 --rounds 10 --batch 4 --strategy p,ucb,ei,thompson,random \\\n"
    "      --model gcnn_snn --set epochs=20 --seeds 10 -o loop.csv --svg loop.svg\n"
    "--delimiter and --column apply to the --ligands file (e.g. --column smiles=SMILES)"};

static int parse_strategies(const char *list, campaign_opts *o) {
  char *s = xstrdup(list), *save = NULL;
  int rc = 0;
  o->nstrategy = 0;
  for (char *t = strtok_r(s, ",", &save); t && !rc; t = strtok_r(NULL, ",", &save)) {
    acq_strategy st;
    if ((rc = acq_parse(t, &st))) break;
    for (int i = 0; i < o->nstrategy && !rc; i++)
      if (o->strategy[i] == st) rc = au_fail(AU_EUSAGE, "--strategy: '%s' given twice", t);
    if (!rc) o->strategy[o->nstrategy++] = st;
  }
  if (!rc && !o->nstrategy) rc = au_fail(AU_EUSAGE, "--strategy: no strategy given");
  free(s);
  return rc;
}

static void on_progress(void *ctx, long done, long total) {
  (void)ctx;
  (void)done;
  (void)total;
  progress_add(1);
}

static void synthetic_line(FILE *f, const campaign_opts *o) {
  fprintf(f, "# SYNTHETIC: campaigns against a simulated lab (auclust loop --truth %s, model %s, seeds %llu-%llu), "
          "not experiments\n", sim_truth_names[o->truth], hparams_kind(&o->hp), (unsigned long long)o->seed,
          (unsigned long long)(o->seed + o->seeds - 1));
}

static void write_table(FILE *f, const campaign_result *res) {
  const campaign_opts *o = &res->o;
  synthetic_line(f, o);
  fputs("truth,model,strategy,round,experiments,successes_mean,successes_sd,best_p_true_mean,best_p_true_sd,"
        "batch_p_true_mean,trained\n", f);
  for (int s = 0; s < o->nstrategy; s++)
    for (int r = 0; r <= o->rounds; r++) {
      double sm, ss, bm, bs, nexp = 0, tr = 0, bp = 0, nb = 0;
      campaign_stat(res, s, 0, r, &sm, &ss);
      campaign_stat(res, s, 1, r, &bm, &bs);
      for (int i = 0; i < o->seeds; i++) {
        const campaign_run *run = &res->run[s * o->seeds + i];
        for (int e = 0; e < run->nexp; e++) {
          nexp += run->exp[e].round >= 1 && run->exp[e].round <= r;
          if (run->exp[e].round == r) { bp += run->exp[e].p_true; nb++; }
        }
        tr += run->trained[r];
      }
      fprintf(f, "%s,%s,%s,%d,%.4g,%.4f,%.4f,%.4f,%.4f,%.4f,%.2f\n", sim_truth_names[o->truth], hparams_kind(&o->hp),
              acq_name[o->strategy[s]], r, nexp / o->seeds, sm, ss, bm, bs, nb ? bp / nb : 0, r ? tr / o->seeds : 0);
    }
}

static void write_trace(FILE *f, const campaign_result *res, const sim_ligands *lig) {
  const campaign_opts *o = &res->o;
  synthetic_line(f, o);
  fputs("strategy,seed,round,experiment,ligand,ligand_smiles,ligand_mM,haucl4_mM,reductant_mM,temperature_C,pH,"
        "p_model,p_std,p_true,outcome\n", f);
  for (int s = 0; s < o->nstrategy; s++)
    for (int i = 0; i < o->seeds; i++) {
      const campaign_run *run = &res->run[s * o->seeds + i];
      for (int e = 0; e < run->nexp; e++) {
        const campaign_exp *x = &run->exp[e];
        fprintf(f, "%s,%llu,%d,%d,", acq_name[o->strategy[s]], (unsigned long long)(o->seed + i), x->round, e + 1);
        csv_put(f, lig->name[x->ligand]);
        fputc(',', f);
        csv_put(f, lig->smiles[x->ligand]);
        fprintf(f, ",%.10g,%.10g,%.10g,%.10g,%.10g,", x->cond[0], x->cond[1], x->cond[2], x->cond[3], x->cond[4]);
        if (!isnan(x->p_model)) fprintf(f, "%.4f,%.4f", x->p_model, x->p_std);
        else fputc(',', f);
        fprintf(f, ",%.6f,%d\n", x->p_true, x->outcome);
      }
    }
}

static void summary(const campaign_result *res) {
  const campaign_opts *o = &res->o;
  for (int s = 0; s < o->nstrategy; s++) {
    double sm, ss, bm, bs, b0, b0s, nexp = 0, tr = 0;
    campaign_stat(res, s, 0, o->rounds, &sm, &ss);
    campaign_stat(res, s, 1, o->rounds, &bm, &bs);
    campaign_stat(res, s, 1, 0, &b0, &b0s);
    for (int i = 0; i < o->seeds; i++) {
      const campaign_run *run = &res->run[s * o->seeds + i];
      nexp += run->nexp - o->initial;
      for (int r = 1; r <= o->rounds; r++) tr += run->trained[r];
    }
    nexp /= o->seeds;
    fprintf(stderr,
            "auclust loop: %-8s %5.1f ± %.1f successes in %.0f suggested experiments (%.0f%%); best p_true %.3f ± %.3f "
            "(initial %.3f); model-driven rounds %.0f%%\n",
            acq_name[o->strategy[s]], sm, ss, nexp, nexp > 0 ? 100 * sm / nexp : 0, bm, bs, b0,
            100 * tr / ((double)o->seeds * o->rounds));
  }
}

static int write_svg(const char *path, const campaign_result *res) {
  const campaign_opts *o = &res->o;
  int n = o->rounds + 1, ns = o->nstrategy;
  double *x = xmalloc(sizeof(double) * n), *v = xmalloc(sizeof(double) * 4 * ns * n);
  svg_series *se = xmalloc(sizeof(svg_series) * 2 * ns);
  for (int r = 0; r < n; r++) x[r] = r;
  for (int w = 0; w < 2; w++)
    for (int s = 0; s < ns; s++) {
      double *m = v + ((size_t)(w * ns + s) * 2) * n, *sd = m + n;
      for (int r = 0; r < n; r++) campaign_stat(res, s, w, r, &m[r], &sd[r]);
      se[w * ns + s] = (svg_series){acq_name[o->strategy[s]], m, sd};
    }
  svg_panel pn[2] = {{"successes among suggested experiments", se, ns, 0, NAN},
                     {"best true p(success) found", se + ns, ns, 0, 1}};
  char title[300];
  snprintf(title, sizeof title,
           "Closed loop against a simulated lab (truth %s), model %s: %d initial recipes, batches of %d, mean ± sd over "
           "%d seeds (SYNTHETIC)", sim_truth_names[o->truth], hparams_kind(&o->hp), o->initial, o->batch, o->seeds);
  svg_lines_spec sp = {n, x, "round", pn, 2, title};
  outfile of;
  int rc = out_open(&of, path);
  if (!rc) {
    rc = svg_lines(of.f, &sp);
    if (rc || (rc = out_commit(&of))) out_abort(&of);
  }
  free(x); free(v); free(se);
  return rc;
}

static int write_file(const char *path, const campaign_result *res, const sim_ligands *lig, int trace) {
  outfile of;
  int rc = out_open(&of, path);
  if (rc) return rc;
  if (trace) write_trace(of.f, res, lig);
  else write_table(of.f, res);
  if ((rc = out_commit(&of))) out_abort(&of);
  return rc;
}

int cmd_loop(int argc, char **argv) {
  cli_args a;
  int rc;
  if (cli_start(&spec, argc, argv, &a, &rc)) return rc;
  campaign_opts o = {.noise = 0, .initial = 12, .rounds = 10, .batch = 4, .seeds = 10, .seed = 1, .ensemble = 5,
                     .candidates = 20000, .kappa = 1, .min_dist = 0.05, .threads = par_threads()};
  long initial = o.initial, rounds = o.rounds, batch = o.batch, seeds = o.seeds, ens = o.ensemble, thr = o.threads;
  if (!cli_get(&a, "--truth")) rc = au_fail(AU_EUSAGE, "--truth is required (paper-tree or kinetic)");
  if (rc || (rc = sim_truth_parse(cli_get(&a, "--truth"), &o.truth)) ||
      (rc = parse_strategies(cli_get(&a, "--strategy") ? cli_get(&a, "--strategy") : "p,ucb,ei,thompson,random", &o)) ||
      (rc = cli_int(&a, "--initial", 2, 100000, &initial)) || (rc = cli_int(&a, "--rounds", 1, 10000, &rounds)) ||
      (rc = cli_int(&a, "--batch", 1, 10000, &batch)) || (rc = cli_int(&a, "--seeds", 1, 100000, &seeds)) ||
      (rc = cli_u64(&a, "--seed", &o.seed)) || (rc = cli_int(&a, "--ensemble", 0, 100, &ens)) ||
      (rc = cli_int(&a, "--candidates", 1, 1000000, &o.candidates)) || (rc = cli_double(&a, "--kappa", 0, 1e6, &o.kappa)) ||
      (rc = cli_double(&a, "--min-distance", 0, 1, &o.min_dist)) || (rc = cli_double(&a, "--noise", 0, 0.5, &o.noise)) ||
      (rc = cli_int(&a, "--threads", 1, 4096, &thr)) ||
      (rc = hparams_from_cli(&a, cli_get(&a, "--model") ? cli_get(&a, "--model") : "gcnn_snn", &o.hp))) {
    cli_free(&a);
    return rc;
  }
  if (ens == 1) {
    cli_free(&a);
    return au_fail(AU_EUSAGE, "--ensemble must be 0 (one fit) or at least 2");
  }
  o.initial = (int)initial; o.rounds = (int)rounds; o.batch = (int)batch; o.seeds = (int)seeds;
  o.ensemble = (int)ens; o.threads = (int)thr;
  sim_ligands lig = {0};
  component_table comp = {0};
  char *lp = cli_get(&a, "--ligands") ? xstrdup(cli_get(&a, "--ligands")) : sim_ligands_default_path();
  char *cp = cli_get(&a, "--components") ? xstrdup(cli_get(&a, "--components")) : components_default_path(NULL);
  rc = sim_ligands_load(lp, &lig);
  if (!rc && lig.note) fprintf(stderr, "auclust loop: %s\n", lig.note);
  if (!rc) rc = components_load(cp, &comp);
  free(lp); free(cp);
  campaign_result res = {0};
  if (!rc) {
    progress_begin("loop: campaign rounds", (long)o.nstrategy * o.seeds * o.rounds);
    rc = campaign_run_all(&o, &lig, &comp, on_progress, NULL, &res);
    progress_end();
  }
  if (!rc) rc = write_file(cli_get(&a, "--output"), &res, &lig, 0);
  if (!rc && cli_get(&a, "--trace")) rc = write_file(cli_get(&a, "--trace"), &res, &lig, 1);
  if (!rc && cli_get(&a, "--svg")) rc = write_svg(cli_get(&a, "--svg"), &res);
  if (!rc) summary(&res);
  campaign_free(&res);
  components_free(&comp);
  sim_ligands_free(&lig);
  cli_free(&a);
  return rc;
}
