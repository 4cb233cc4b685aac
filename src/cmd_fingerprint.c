/* auclust fingerprint: GCNN fingerprints of molecules, averaged over the
 * model's instances, and the Euclidean distance matrix between them (the
 * paper's Figure 4). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "err.h"
#include "outfile.h"
#include "recipes.h"
#include "scorer.h"
#include "svgplot.h"
#include "table.h"

static const cli_opt opts[] = {
    {"--role", NULL, "ROLE", "which GCNN: ligand (default), solvent or reductant"},
    {"--output", "-o", "OUT", "distance matrix as .csv (default: stdout) or .svg"},
    {"--svg", NULL, "FILE", "also draw the matrix as SVG"},
    {"--fingerprints", NULL, "FILE", "also write each molecule's fingerprint vector (CSV)"},
    {"--pool", NULL, "HOW", "sum over atoms (the paper's fingerprint) or mean (divided by the atom count);\n"
                            "                             default: the model's own (hyperparameter fingerprint_pool)"},
    {NULL, NULL, NULL, NULL}};

static const cli_spec spec = {
    "fingerprint", "MODEL.json [[NAME=]SMILES ...] [options]",
    "Runs the model's GCNN for a molecule role on each SMILES (NAME=SMILES labels it; without\n"
    "SMILES, the molecules the model was trained with in that role), averages the fingerprint\n"
    "over the instances and prints the Euclidean distance matrix. Only GCNN models have one.\n"
    "The GCNN sums one softmax vector per atom and layer, so a fingerprint's total grows with\n"
    "the molecule: sum-pooled distances largely track the difference in atom count (between the\n"
    "ligands of the bundled data's --preset paper ensemble, r = 0.97 with the heavy-atom\n"
    "difference). --pool mean divides by the atom count for a size-normalised distance; the\n"
    "default is the model's own pooling (the default preset averages, the paper preset sums).",
    opts, 1, -1,
    "examples:\n  auclust fingerprint model.json 'glutathione=N[C@@H](CCC(=O)N[C@@H](CS)C(=O)NCC(=O)O)C(=O)O' \\\n"
    "      'MHA=OC(=O)CCCCCS' 'MPA=OC(=O)CCS' cysteamine=NCCS --svg fig4.svg\n"
    "  auclust fingerprint model.json -o ligands.svg"};

static int role_index(const char *s) {
  for (int r = 0; r < NROLES; r++)
    if (!strcmp(s, role_name[r])) return r;
  return -1;
}

int cmd_fingerprint(int argc, char **argv) {
  cli_args a;
  int rc;
  if (cli_start(&spec, argc, argv, &a, &rc)) return rc;
  int role = role_index(cli_get(&a, "--role") ? cli_get(&a, "--role") : "ligand");
  const char *pool = cli_get(&a, "--pool");
  int mean_pool = pool && !strcmp(pool, "mean");
  if (pool && !mean_pool && strcmp(pool, "sum")) rc = au_fail(AU_EUSAGE, "--pool must be sum or mean, not '%s'", pool);
  else if (role < 0) rc = au_fail(AU_EUSAGE, "--role must be ligand, solvent or reductant");
  if (rc) {
    cli_free(&a);
    return rc;
  }
  model m;
  if ((rc = model_load(&m, a.pos[0]))) { cli_free(&a); return rc; }
  if (!m.L.D) rc = au_fail(AU_EUSAGE, "%s: a %s model has no GCNN fingerprints", a.pos[0], hparams_kind(&m.hp));
  int n = 0, cap = a.npos + m.nmol;
  char **names = xcalloc(cap, sizeof(char *));
  molgraph *g = xcalloc(cap, sizeof(molgraph));
  if (!rc && a.npos > 1) {
    for (int i = 1; i < a.npos && !rc; i++) {
      const char *arg = a.pos[i], *eq = strchr(arg, '=');
      /* '=' is also a SMILES double bond: NAME=SMILES only when the whole is not SMILES */
      char *whole = canonical_smiles(arg);
      int labelled = !whole && eq && eq > arg;
      free(whole);
      const char *smi = labelled ? eq + 1 : arg;
      if ((rc = molgraph_from_smiles(smi, &g[n]))) break;
      names[n++] = labelled ? strndup(arg, eq - arg) : xstrdup(smi);
    }
  } else if (!rc) {
    /* the molecules the training recipes used in this role */
    int *mol, *y;
    double *x;
    int nr = model_training_rows(&m, &mol, &x, &y);
    char *seen = xcalloc(m.nmol + 1, 1);
    for (int i = 0; i < nr && !rc; i++) {
      int k = mol[i * NROLES + role];
      if (seen[k]) continue;
      seen[k] = 1;
      if ((rc = molgraph_from_smiles(m.smiles[k], &g[n]))) break;
      names[n++] = xstrdup(m.names[k]);
    }
    free(seen); free(mol); free(x); free(y);
  }
  int D = m.L.D;
  double *fp = xcalloc((size_t)(n + 1) * (D + 1), sizeof(double)), *dist = xcalloc((size_t)n * n + 1, sizeof(double));
  for (int i = 0; i < n && !rc; i++) {
    rc = model_fingerprint(&m, role, &g[i], fp + (size_t)i * D);
    /* model_fingerprint pools as the model does; convert when asked for the other */
    double f = !pool || mean_pool == m.hp.fingerprint_pool || !g[i].natoms ? 1 : mean_pool ? 1.0 / g[i].natoms : g[i].natoms;
    for (int k = 0; k < D; k++) fp[(size_t)i * D + k] *= f;
  }
  for (int i = 0; i < n && !rc; i++)
    for (int j = 0; j < n; j++) {
      double s = 0;
      for (int k = 0; k < D; k++) s += (fp[i * D + k] - fp[j * D + k]) * (fp[i * D + k] - fp[j * D + k]);
      dist[i * n + j] = sqrt(s);
    }
  const char *out = cli_get(&a, "--output");
  size_t ol = out ? strlen(out) : 0;
  int out_svg = ol > 4 && !strcmp(out + ol - 4, ".svg");
  if (!rc && out && strcmp(out, "-") && !out_svg && !(ol > 4 && !strcmp(out + ol - 4, ".csv")))
    rc = au_fail(AU_EUSAGE, "--output %s: give a .csv or .svg file", out);
  char title[160];
  snprintf(title, sizeof title, "Euclidean distance between %s%s GCNN fingerprints (mean of %d instances)",
           (pool ? mean_pool : m.hp.fingerprint_pool) ? "atom-averaged " : "", role_name[role], m.ninst);
  for (int pass = 0; pass < 3 && !rc; pass++) {
    const char *path = pass == 0 ? out : pass == 1 ? cli_get(&a, "--svg") : cli_get(&a, "--fingerprints");
    int svg = pass == 1 || (pass == 0 && out_svg);
    if (pass > 0 && !path) continue;
    outfile o;
    if ((rc = out_open(&o, path))) break;
    if (svg) {
      rc = svg_matrix(o.f, n, (const char *const *)names, dist, title, "distance");
    } else if (pass == 2) {
      fputs("molecule", o.f);
      for (int k = 0; k < D; k++) fprintf(o.f, ",fp%d", k + 1);
      fputc('\n', o.f);
      for (int i = 0; i < n; i++) {
        csv_put(o.f, names[i]);
        for (int k = 0; k < D; k++) fprintf(o.f, ",%.6f", fp[i * D + k]);
        fputc('\n', o.f);
      }
    } else {
      fputs("molecule", o.f);
      for (int j = 0; j < n; j++) fputc(',', o.f), csv_put(o.f, names[j]);
      fputc('\n', o.f);
      for (int i = 0; i < n; i++) {
        csv_put(o.f, names[i]);
        for (int j = 0; j < n; j++) fprintf(o.f, ",%.4f", dist[i * n + j]);
        fputc('\n', o.f);
      }
    }
    if (rc || (rc = out_commit(&o))) out_abort(&o);
  }
  for (int i = 0; i < n; i++) { free(names[i]); molgraph_free(&g[i]); }
  free(names); free(g); free(fp); free(dist);
  model_free(&m);
  cli_free(&a);
  return rc;
}
