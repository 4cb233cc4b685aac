/* auclust predict: probability of success of each recipe, averaged over
 * the model's instances, with the spread between them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "cmd_common.h"
#include "commands.h"
#include "err.h"
#include "model.h"
#include "outfile.h"
#include "table.h"

static const cli_opt opts[] = {
    {"--output", "-o", "OUT.csv", "output file (default: stdout)"},
    {"--individual", NULL, NULL, "add each instance's probability (p_1 .. p_K)"},
    {"--threshold", "-t", "P", "probability above which a recipe is predicted to succeed (default 0.5)"},
    {"--components", "-c", "FILE", "components table for new solvents/reductants; must agree with the model's"},
    {NULL, NULL, NULL, NULL}};

static const cli_spec spec = {
    "predict", "MODEL.json RECIPES.csv [options]",
    "Scores recipes with a trained model. Output CSV: the recipe's id and name columns,\n"
    "its outcome when the file has one, p_success (mean over the model's instances),\n"
    "p_std (their standard deviation), predicted (1 when p_success > threshold) and\n"
    "outside_training_range: the descriptors outside the range the model was trained on\n"
    "(an extrapolation; the probability is then less reliable), separated by ';'.\n"
    "The outcome column is optional; an unseen ligand needs only its SMILES. RECIPES may be '-'.",
    opts, 2, 2,
    "example (the paper's validation recipe, cysteamine in water with NaBH4):\n"
    "  auclust predict model.json cysteamine.csv"};

int cmd_predict(int argc, char **argv) {
  cli_args a;
  int rc;
  if (cli_start(&spec, argc, argv, &a, &rc)) return rc;
  double thr = 0.5;
  if ((rc = cli_double(&a, "--threshold", 0, 1, &thr))) { cli_free(&a); return rc; }
  model m;
  if ((rc = model_load(&m, a.pos[0]))) { cli_free(&a); return rc; }
  component_table comp;
  recipe_set rs;
  if ((rc = open_recipes_for_model(&m, a.pos[1], cli_get(&a, "--components"), &comp, &rs))) {
    model_free(&m);
    cli_free(&a);
    return rc;
  }
  double *p = xmalloc(sizeof(double) * rs.n * m.ninst);
  double lo[AU_NDESC], hi[AU_NDESC]; /* to flag extrapolation */
  model_desc_range(&m, lo, hi);
  outfile out;
  if (!(rc = model_predict(&m, &rs, p)) && !(rc = out_open(&out, cli_get(&a, "--output")))) {
    int indiv = cli_flag(&a, "--individual");
    put_carry_header(out.f, &rs);
    if (rs.has_outcome) fputs(",outcome", out.f);
    fputs(",p_success,p_std,predicted,outside_training_range", out.f);
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
      put_outside_range(out.f, rs.r[i].x, lo, hi);
      for (int k = 0; indiv && k < m.ninst; k++) fprintf(out.f, ",%.4f", p[(size_t)i * m.ninst + k]);
      fputc('\n', out.f);
    }
    if ((rc = out_commit(&out))) out_abort(&out);
  }
  free(p);
  recipes_free(&rs);
  components_free(&comp);
  model_free(&m);
  cli_free(&a);
  return rc;
}
