/* auclust simulate: a virtual lab. Draws recipes and labels them with a known
 * truth (simulate.h), or labels given recipes. Every output says it is synthetic. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_common.h"
#include "commands.h"
#include "err.h"
#include "outfile.h"
#include "recipes.h"
#include "simulate.h"
#include "table.h"

static const cli_opt opts[] = {
    {"--truth", "-t", "NAME", "paper-tree (the seed paper's Figure 6 rules) or kinetic (smooth literature trends); required"},
    {"--n", "-n", "N", "recipes to draw (default 54, the paper's data-set size)"},
    {"--seed", "-s", "S", "random seed (default 1); the same seed gives the same file, and the first N recipes of a larger draw"},
    {"--noise", NULL, "P", "flip each outcome with probability P, 0..0.5 (default 0)"},
    {"--ligands", NULL, "FILE", "candidate ligands, CSV with name,smiles (default: the bundled data/ligands.csv)"},
    {"--label", "-l", "RECIPES.csv", "label these recipes instead of drawing: adds (or replaces) outcome and p_true"},
    {"--components", "-c", "FILE", "with --label: solvent/reductant properties (default: components.csv beside RECIPES)"},
    {"--output", "-o", "FILE.csv", "write here instead of stdout"},
    CLI_INPUT_OPTS,
    {NULL, NULL, NULL, NULL}};

static const cli_spec spec = {
    "simulate", "--truth NAME [--n N --seed S | --label RECIPES.csv] [options]",
    "A virtual lab with a known truth, for benchmarks, tests and model development before lab\n"
    "time is spent. Draws aqueous NaBH4 recipes (ligands from the bundled list, conditions\n"
    "inside documented ranges) and labels them; or labels the recipes of a file. The labels\n"
    "are SYNTHETIC: every output starts with a '#' line saying so, which auclust's readers skip.\n"
    "Columns added: outcome (0/1) and p_true (the truth's probability of success).",
    opts, 0, 0,
    "truths (a ligand without a gold-binding group always fails under both):\n"
    "  paper-tree  success iff the ligand is aliphatic, ligand:Au < 6 and, if reductant < 52 mM,\n"
    "              T < 50 C, else pH < 12.8 (Li et al. 2019, Figure 6, aqueous Au25)\n"
    "  kinetic     p = 0.95 f_T f_ratio f_pH f_reductant f_aromatic (README lists every term, its\n"
    "              constants and source); outcome drawn from p\n"
    "drawn conditions: HAuCl4 0.5-5 mM, ligand:Au 0.5-10 (log-uniform), NaBH4 1-100 mM,\n"
    "  T 0-70 C, pH 8-14 (uniform), water, sodium borohydride\n\n"
    "examples:\n"
    "  auclust simulate --truth paper-tree --n 54 --seed 7 -o lab.csv\n"
    "  auclust simulate --truth kinetic --label next.csv -o next_labelled.csv\n"
  "--delimiter and --column apply to the --label file and to --ligands; the output is always a\n"
  "comma-separated file with auclust's column names (decimal commas written as points)"};

static void synthetic_header(FILE *f, sim_truth truth, uint64_t seed, double noise, const char *what) {
  fprintf(f,
          "# SYNTHETIC DATA, not experiments: %s by auclust simulate --truth %s (seed %llu, noise %g); "
          "see README 'simulate'\n",
          what, sim_truth_names[truth], (unsigned long long)seed, noise);
}

static int draw_recipes(FILE *f, sim_truth truth, long n, uint64_t seed, double noise, const sim_ligands *l) {
  synthetic_header(f, truth, seed, noise, "recipes drawn and labelled");
  fputs("id,ligand,ligand_smiles,solvent,solvent_smiles,reductant,reductant_smiles,ligand_mM,haucl4_mM,"
        "reductant_mM,temperature_C,pH,outcome,p_true,set_ii\n", f);
  for (long i = 0; i < n; i++) {
    double c[5];
    int k;
    sim_draw(seed, i, l->n, c, &k);
    sim_input x = {c[0], c[1], c[2], c[3], c[4], l->aromatic[k], l->binds[k], 1};
    double p = sim_p_true(truth, &x);
    rng_t r;
    rng_seed3(&r, seed, 0x0c0e, (uint64_t)i); /* the outcome's own stream: --noise leaves the recipes unchanged */
    fprintf(f, "S%04ld,", i + 1);
    csv_put(f, l->name[k]);
    fputc(',', f);
    csv_put(f, l->smiles[k]);
    fprintf(f, ",water,O,sodium borohydride,[Na+].[BH4-],%.10g,%.10g,%.10g,%.10g,%.10g,%d,%.6f,1\n", c[0], c[1], c[2],
            c[3], c[4], sim_outcome(p, noise, &r), p);
  }
  return 0;
}

static int label_recipes(FILE *f, sim_truth truth, uint64_t seed, double noise, const char *path, const char *comp_path) {
  if (!strcmp(path, "-")) return au_fail(AU_EUSAGE, "--label needs a file (it is read twice), not '-'");
  component_table comp;
  recipe_set rs;
  input_opts io = {.cmd = "simulate", .o = recipe_opts_default()};
  int rc = open_recipes(path, comp_path, &io, &comp, &rs);
  if (rc) return rc;
  table t; /* read again as the recipes were (--delimiter, --column), to copy every column */
  if ((rc = recipes_read_table(path, &io.o, NULL, 0, &t))) goto done_rs;
  if (t.nrows != rs.n) {
    rc = au_fail(AU_EDATA, "%s: %d table rows but %d recipes", path, t.nrows, rs.n);
    goto done;
  }
  synthetic_header(f, truth, seed, noise, "outcome and p_true assigned");
  int skip_o = table_col(&t, "outcome"), skip_p = table_col(&t, "p_true"), first = 1;
  for (int j = 0; j < t.ncols; j++)
    if (j != skip_o && j != skip_p) { if (!first) fputc(',', f); csv_put(f, t.header[j]); first = 0; }
  fputs(first ? "outcome,p_true\n" : ",outcome,p_true\n", f);
  for (int i = 0; i < rs.n; i++) {
    const recipe *r = &rs.r[i];
    const molecule *lig = &rs.mol[r->mol[ROLE_LIGAND]];
    sim_input x = {r->x[D_LIGAND_MM], r->x[D_HAUCL4_MM], r->x[D_REDUCTANT_MM], r->x[D_TEMPERATURE_C], r->x[D_PH],
                   r->x[D_AROMATIC] != 0, lig->binding != 0,
                   !strcmp(rs.mol[r->mol[ROLE_SOLVENT]].canonical, "O")};
    double p = sim_p_true(truth, &x);
    rng_t g;
    rng_seed3(&g, seed, 0x0c0e, (uint64_t)i);
    first = 1;
    for (int j = 0; j < t.ncols; j++) {
      if (j == skip_o || j == skip_p) continue;
      /* the output is comma-separated: a decimal comma ("1,5") is written 1.5 */
      char nb[64];
      double v;
      const char *cell = table_number_text(&t, t.cell[i][j], nb, sizeof nb);
      if (cell != t.cell[i][j] && parse_number(cell, &v)) cell = t.cell[i][j];
      if (!first) fputc(',', f);
      csv_put(f, cell);
      first = 0;
    }
    fprintf(f, "%s%d,%.6f\n", first ? "" : ",", sim_outcome(p, noise, &g), p);
  }
done:
  table_free(&t);
done_rs:
  recipes_free(&rs);
  components_free(&comp);
  return rc;
}

int cmd_simulate(int argc, char **argv) {
  cli_args a;
  int rc;
  if (cli_start(&spec, argc, argv, &a, &rc)) return rc;
  long n = 54;
  uint64_t seed = 1;
  double noise = 0;
  sim_truth truth = SIM_PAPER_TREE;
  const char *label = cli_get(&a, "--label");
  if (!cli_get(&a, "--truth")) rc = au_fail(AU_EUSAGE, "--truth is required (paper-tree or kinetic)");
  else if (label && cli_get(&a, "--n")) rc = au_fail(AU_EUSAGE, "--n draws recipes; --label labels a file: give one");
  if (rc || (rc = sim_truth_parse(cli_get(&a, "--truth"), &truth)) || (rc = cli_int(&a, "--n", 1, 10000000, &n)) ||
      (rc = cli_u64(&a, "--seed", &seed)) || (rc = cli_double(&a, "--noise", 0, 0.5, &noise))) {
    cli_free(&a);
    return rc;
  }
  sim_ligands l = {0};
  if (!label) {
    const char *lp = cli_get(&a, "--ligands");
    char *def = sim_ligands_default_path();
    rc = sim_ligands_load(lp ? lp : def, &l);
    free(def);
    if (rc) { cli_free(&a); return rc; }
    if (l.note) fprintf(stderr, "auclust simulate: %s\n", l.note);
  }
  outfile o;
  if (!(rc = out_open(&o, cli_get(&a, "--output")))) {
    rc = label ? label_recipes(o.f, truth, seed, noise, label, cli_get(&a, "--components"))
               : draw_recipes(o.f, truth, n, seed, noise, &l);
    if (rc || (rc = out_commit(&o))) out_abort(&o);
  }
  sim_ligands_free(&l);
  cli_free(&a);
  return rc;
}
