/* auclust predict: probability of success of each recipe, averaged over
 * the model's instances, with the spread between them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "cmd_common.h"
#include "domain.h"
#include "commands.h"
#include "err.h"
#include "model.h"
#include "outfile.h"
#include "table.h"

static const cli_opt opts[] = {
    {"--output", "-o", "OUT.csv", "output file (default: stdout)"},
    {"--individual", NULL, NULL, "add each instance's probability (p_1 .. p_K)"},
    {"--threshold", "-t", "P", "probability above which a recipe is predicted to succeed (default 0.5)"},
    {"--similarity-threshold", NULL, "S", "Tanimoto similarity to the nearest training ligand below which a ligand is\n"
                                          "                             new_ligand (default 0.4)"},
    {"--components", "-c", "FILE", "more solvents/reductants; must agree with the model's on those it has"},
    {"--allow-missing-ph", NULL, NULL, "accept an empty pH in water-like solvents (encoded as the model's ph_missing)"},
    CLI_INPUT_OPTS,
    CLI_CALIB_OPT,
    {NULL, NULL, NULL, NULL}};

static const cli_spec spec = {
    "predict", "MODEL.json RECIPES.csv [options]",
    "Scores recipes with a trained model. Output CSV: the recipe's id and name columns,\n"
    "its outcome when the file has one, p_success (mean over the model's instances),\n"
    "p_std (their standard deviation), predicted (1 when p_success > threshold),\n"
    "nearest_ligand and ligand_similarity (the most similar training ligand, Tanimoto on\n"
    "Morgan fingerprints, radius 2, 2048 bits) and domain: empty when the recipe resembles\n"
    "the training data, else ';'-separated reasons: no_binding_group, new_ligand(sim=S),\n"
    "new_solvent, new_reductant and the descriptors outside the training range. Outside the\n"
    "domain the probability is an extrapolation. The outcome column is optional; an unseen\n"
    "ligand needs only its SMILES. RECIPES may be '-'.",
    opts, 2, 2,
    "example (the paper's validation recipe, cysteamine in water with NaBH4):\n"
    "  auclust predict model.json cysteamine.csv"};

int cmd_predict(int argc, char **argv) {
  cli_args a;
  int rc;
  if (cli_start(&spec, argc, argv, &a, &rc)) return rc;
  double thr = 0.5, sim = DOMAIN_THRESHOLD_DEFAULT;
  if ((rc = cli_double(&a, "--threshold", 0, 1, &thr)) || (rc = cli_double(&a, "--similarity-threshold", 0, 1, &sim))) {
    cli_free(&a);
    return rc;
  }
  model m;
  if ((rc = load_model_cli(&a, "predict", &m))) { cli_free(&a); return rc; }
  component_table comp;
  recipe_set rs;
  input_opts io;
  input_opts_from_cli(&a, NULL, &io);
  if ((rc = open_recipes_for_model(&m, a.pos[1], cli_get(&a, "--components"), &io, &comp, &rs))) {
    model_free(&m);
    cli_free(&a);
    return rc;
  }
  double *p = xmalloc(sizeof(double) * rs.n * m.ninst);
  domain dom;
  domain_verdict *v = xcalloc(rs.n, sizeof(domain_verdict));
  outfile out;
  int outside = 0;
  if (!(rc = domain_init(&dom, &m, sim))) {
    if (!(rc = domain_recipes(&dom, &rs, v)) && !(rc = model_predict(&m, &rs, p)) &&
        !(rc = out_open(&out, cli_get(&a, "--output")))) {
      int indiv = cli_flag(&a, "--individual");
      put_carry_header(out.f, &rs);
      if (rs.has_outcome) fputs(",outcome", out.f);
      fputs(",p_success,p_std,predicted,nearest_ligand,ligand_similarity,domain", out.f);
      for (int k = 0; indiv && k < m.ninst; k++) fprintf(out.f, ",p_%d", k + 1);
      fputc('\n', out.f);
      for (int i = 0; i < rs.n; i++) {
        double mean, sd;
        model_mean_std(&m, p, i, &mean, &sd);
        put_carry_fields(out.f, &rs, &rs.r[i]);
        if (rs.has_outcome) {
          if (rs.r[i].outcome >= 0) fprintf(out.f, ",%d", rs.r[i].outcome);
          else fputc(',', out.f);
        }
        fprintf(out.f, ",%.4f,%.4f,%d,", mean, sd, mean > thr);
        char why[1024];
        domain_reasons(&dom, &v[i], rs.r[i].x, why, sizeof why);
        outside += why[0] != 0;
        csv_put(out.f, v[i].nearest >= 0 ? m.names[v[i].nearest] : "");
        fprintf(out.f, ",%.2f,", v[i].similarity);
        csv_put(out.f, why);
        for (int k = 0; indiv && k < m.ninst; k++) fprintf(out.f, ",%.4f", p[(size_t)i * m.ninst + k]);
        fputc('\n', out.f);
      }
      if ((rc = out_commit(&out))) out_abort(&out);
    }
    domain_free(&dom);
  }
  int nrec = rs.n;
  free(p); free(v);
  recipes_free(&rs);
  components_free(&comp);
  if (!rc) print_calibration_note("predict", &m);
  if (!rc) print_domain_summary(a.spec->cmd, outside, nrec); /* the last line */
  model_free(&m);
  cli_free(&a);
  return rc;
}
