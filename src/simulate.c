#include "simulate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binding.h"
#include "err.h"
#include "recipes.h"
#include "table.h"

const char *const sim_truth_names[SIM_NTRUTHS] = {"paper-tree", "kinetic"};

int sim_truth_parse(const char *name, sim_truth *t) {
  for (int i = 0; i < SIM_NTRUTHS; i++)
    if (!strcmp(name, sim_truth_names[i])) { *t = (sim_truth)i; return 0; }
  return au_fail(AU_EUSAGE, "unknown truth '%s' (paper-tree or kinetic)", name);
}

/* Figure 6 of Li et al. 2019 (data set II, aqueous Au25): success when the
 * ligand is aliphatic and ligand:Au < 6 and, if the reductant is below
 * 52 mM, T < 50 C, otherwise pH < 12.8. */
#define TREE_RATIO 6.0
#define TREE_REDUCTANT_MM 52.0
#define TREE_T_C 50.0
#define TREE_PH 12.8

/* The kinetic truth's terms. r = ligand:Au, q = reductant:Au (molar),
 * s(x) = 1 / (1 + exp(-x)). Every constant is a trend's position or width
 * chosen to express what the source reports, not a fitted value. */
const sim_term sim_kinetic_terms[SIM_NTERMS] = {
    {"p_max", "p_max = c0 (the best recipe still fails sometimes)",
     "assumption: reproducibility of the best recipes", {0.95, 0, 0}},
    {"temperature", "f_T = exp(-((T - c0) / w)^2 / 2), w = c1 below c0, c2 above",
     "Chen et al., J. Phys. Chem. C 121, 10743 (2017): 40 C optimal, formation slower cold, "
     "formed Au25 converts when overheated; seed paper Fig. 5/6: the drop near 50 C",
     {40, 50, 15}},
    {"ligand_ratio", "f_r = s((ln r - ln c0) / c2) * s((ln c1 - ln r) / c2)",
     "Chen et al., Chem. Commun. 52, 9522 (2016): thiol:Au series, 0.5 fails, 2-3 succeed, 6 and 10 fail; "
     "seed paper Fig. 6: ligand:Au < 6",
     {0.7, 8, 0.3}},
    {"pH", "f_pH = s((pH - c0) / c2) * s((c1 - pH) / c3)",
     "Yuan et al., Angew. Chem. 2014 (10.1002/anie.201310177): NaOH-mediated NaBH4 method, pH 8 fails; "
     "Yu et al., Chem. Mater. 25, 946 (2013): pH 7 fails, 9-12 succeed; seed paper Fig. 6: pH < 12.8 "
     "(etching in strong base)",
     {8.5, 13.5, 0.5, 0.3}},
    {"reductant_ratio", "f_q = s((ln q - ln c0) / c1)",
     "stoichiometry: Au(III) -> Au(0) takes 3 e-, BH4- gives up to 8 but hydrolyses in water; "
     "Nasaruddin et al., Mol. Catal. 518, 112095 (2022) use NaBH4:Au 4.5",
     {2, 0.3, 0}},
    {"aromatic_in_water", "f_a = c0 for an aromatic ligand in water, else 1",
     "seed paper Fig. 6: successes only with aliphatic ligands; Nasaruddin et al., Nanoscale 10, 23113 "
     "(2018): Au25(p-MBA)18 in water is possible (by CO reduction), so the penalty is not total",
     {0.3, 0, 0}},
};

static double sig(double x) { return x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)); }

double sim_p_true(sim_truth t, const sim_input *x) {
  if (!x->binds_gold || x->haucl4_mM <= 0) return 0;
  double r = x->ligand_mM / x->haucl4_mM, q = x->reductant_mM / x->haucl4_mM;
  if (t == SIM_PAPER_TREE) {
    if (x->aromatic || !(r < TREE_RATIO)) return 0;
    return x->reductant_mM < TREE_REDUCTANT_MM ? x->temperature_C < TREE_T_C : x->pH < TREE_PH;
  }
  if (r <= 0 || q <= 0) return 0; /* no ligand or no reductant: no clusters */
  const sim_term *k = sim_kinetic_terms;
  double T = x->temperature_C, T0 = k[SIM_K_TEMP].c[0];
  double w = T < T0 ? k[SIM_K_TEMP].c[1] : k[SIM_K_TEMP].c[2];
  double fT = exp(-0.5 * ((T - T0) / w) * ((T - T0) / w));
  const double *cr = k[SIM_K_RATIO].c, *cp = k[SIM_K_PH].c, *cq = k[SIM_K_REDUCTANT].c;
  double fr = sig((log(r) - log(cr[0])) / cr[2]) * sig((log(cr[1]) - log(r)) / cr[2]);
  double fp = sig((x->pH - cp[0]) / cp[2]) * sig((cp[1] - x->pH) / cp[3]);
  double fq = sig((log(q) - log(cq[0])) / cq[1]);
  double fa = x->aromatic && x->aqueous ? k[SIM_K_AROMATIC].c[0] : 1;
  return k[SIM_K_PMAX].c[0] * fT * fr * fp * fq * fa;
}

/* ---- the gold-binding check: the one SMARTS table of binding.c ------------ */
int ligand_binds_gold(const molgraph *g) {
  unsigned mask = 0;
  return !binding_groups(g->canonical, &mask) && mask != 0;
}

/* ---- drawing recipes ------------------------------------------------------ */
const sim_range sim_ranges[SIM_NRANGES] = {
    {"haucl4_mM", 0.5, 5, 0},
    {"ligand:Au", 0.5, 10, 1},
    {"reductant_mM", 1, 100, 0},
    {"temperature_C", 0, 70, 0},
    {"pH", 8, 14, 0},
};

static double draw(const sim_range *s, rng_t *r) {
  double u = rng_uniform(r);
  return s->log_uniform ? exp(log(s->lo) + u * (log(s->hi) - log(s->lo))) : s->lo + u * (s->hi - s->lo);
}

void sim_draw(uint64_t seed, long i, int nlig, double cond[5], int *ligand) {
  rng_t r;
  rng_seed3(&r, seed, 0x51a1, (uint64_t)i);
  *ligand = rng_int(&r, nlig);
  double au = draw(&sim_ranges[SIM_R_HAUCL4], &r), ratio = draw(&sim_ranges[SIM_R_LIGAND_RATIO], &r);
  /* 3 significant digits: what a chemist would write down */
  au = round(au * 100) / 100;
  cond[0] = round(au * ratio * 1000) / 1000;
  cond[1] = au;
  cond[2] = round(draw(&sim_ranges[SIM_R_REDUCTANT], &r) * 10) / 10;
  cond[3] = round(draw(&sim_ranges[SIM_R_TEMPERATURE], &r) * 10) / 10;
  cond[4] = round(draw(&sim_ranges[SIM_R_PH], &r) * 100) / 100;
}

int sim_outcome(double p_true, double noise, rng_t *r) {
  int y = rng_uniform(r) < p_true;
  if (noise > 0 && rng_uniform(r) < noise) y = !y;
  return y;
}

/* ---- the candidate ligands ------------------------------------------------- */
char *sim_ligands_default_path(void) {
  const char *env = getenv("AUCLUST_DATA");
  size_t n = strlen(env ? env : AUCLUST_SOURCE_DIR "/data") + 16;
  char *p = xmalloc(n);
  snprintf(p, n, "%s/ligands.csv", env ? env : AUCLUST_SOURCE_DIR "/data");
  return p;
}

void sim_ligands_free(sim_ligands *l) {
  for (int i = 0; i < l->n; i++) { free(l->name[i]); free(l->smiles[i]); }
  free(l->name); free(l->smiles); free(l->aromatic); free(l->binds); free(l->note);
  memset(l, 0, sizeof *l);
}

int sim_ligands_load(const char *path, sim_ligands *l) {
  memset(l, 0, sizeof *l);
  table t;
  static const char *const need[] = {"name", "smiles"};
  recipe_opts o = recipe_opts_default();
  int rc = recipes_read_table(path, &o, need, 2, &t);
  if (rc) return rc;
  int cn = table_col(&t, "name"), cs = table_col(&t, "smiles");
  char how[600];
  if (recipes_read_note(&t, how, sizeof how)) l->note = xstrdup(how);
  if (!t.nrows) rc = au_fail(AU_EDATA, "%s: no ligands", path);
  l->name = xcalloc(t.nrows + 1, sizeof(char *));
  l->smiles = xcalloc(t.nrows + 1, sizeof(char *));
  l->aromatic = xcalloc(t.nrows + 1, sizeof(int));
  l->binds = xcalloc(t.nrows + 1, sizeof(int));
  for (int i = 0; i < t.nrows && !rc; i++) {
    molgraph g;
    if (molgraph_from_smiles(t.cell[i][cs], &g)) {
      rc = au_fail(AU_EDATA, "%s: row %d, column 'smiles': RDKit cannot parse '%s'", path, t.rowno[i], t.cell[i][cs]);
      break;
    }
    int arom = 0;
    for (int a = 0; a < g.natoms; a++) arom |= g.aromatic[a];
    l->aromatic[l->n] = arom;
    l->binds[l->n] = ligand_binds_gold(&g);
    molgraph_free(&g);
    l->name[l->n] = xstrdup(t.cell[i][cn][0] ? t.cell[i][cn] : t.cell[i][cs]);
    l->smiles[l->n++] = xstrdup(t.cell[i][cs]);
  }
  table_free(&t);
  if (rc) sim_ligands_free(l);
  return rc;
}

