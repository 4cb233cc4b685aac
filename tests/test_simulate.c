/* The virtual lab's oracles on hand-worked recipes, the gold-binding check,
 * the bundled ligand list, and determinism of the draws per seed. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "err.h"
#include "simulate.h"
#include "table.h"

static double s(double x) { return 1 / (1 + exp(-x)); }

static sim_input aq(double lig, double au, double red, double T, double pH) {
  return (sim_input){lig, au, red, T, pH, 0, 1, 1};
}

static void test_paper_tree(void) {
  /* ligand:Au 2, reductant 4.48 mM (< 52): T decides at 50 C */
  sim_input x = aq(2, 1, 4.48, 25, 12.8);
  CHECK(sim_p_true(SIM_PAPER_TREE, &x) == 1);
  x.temperature_C = 49.9;
  CHECK(sim_p_true(SIM_PAPER_TREE, &x) == 1);
  x.temperature_C = 50; /* "T < 50": 50 fails */
  CHECK(sim_p_true(SIM_PAPER_TREE, &x) == 0);
  x.temperature_C = 25;
  x.pH = 14; /* pH does not matter on the low-reductant branch */
  CHECK(sim_p_true(SIM_PAPER_TREE, &x) == 1);
  /* reductant 60 mM (>= 52): pH decides at 12.8, T does not matter */
  x = aq(10, 5, 60, 80, 12.0);
  CHECK(sim_p_true(SIM_PAPER_TREE, &x) == 1);
  x.pH = 12.8;
  CHECK(sim_p_true(SIM_PAPER_TREE, &x) == 0);
  x = aq(10, 5, 52, 25, 13.2); /* 52 is on the high branch */
  CHECK(sim_p_true(SIM_PAPER_TREE, &x) == 0);
  /* ligand:Au: 5.99 passes, 6 fails */
  x = aq(5.99, 1, 4.48, 25, 12);
  CHECK(sim_p_true(SIM_PAPER_TREE, &x) == 1);
  x.ligand_mM = 6;
  CHECK(sim_p_true(SIM_PAPER_TREE, &x) == 0);
  /* aromatic ligands fail, and so does a ligand without a binding group */
  x = aq(2, 1, 4.48, 25, 12);
  x.aromatic = 1;
  CHECK(sim_p_true(SIM_PAPER_TREE, &x) == 0);
  x = aq(2, 1, 4.48, 25, 12);
  x.binds_gold = 0;
  CHECK(sim_p_true(SIM_PAPER_TREE, &x) == 0);
  /* the paper's validation recipe (cysteamine 1 mM, Au 1.78, NaBH4 2.33, 22 C, pH 13.22) */
  x = aq(1, 1.78, 2.33, 22, 13.22);
  CHECK(sim_p_true(SIM_PAPER_TREE, &x) == 1);
}

static void test_kinetic(void) {
  /* At the optimum of every term the product is worked out term by term:
   * T = 40 (f_T = 1), r = sqrt(0.7 * 8) (centre of the window in log r),
   * pH 11, q = 20, aliphatic. */
  double r = sqrt(0.7 * 8), hw = log(8 / 0.7) / 2;
  sim_input x = aq(r, 1, 20, 40, 11);
  double fr = s(hw / 0.3) * s(hw / 0.3), fp = s(2.5 / 0.5) * s(2.5 / 0.3), fq = s(log(10) / 0.3);
  CHECK_NEAR(sim_p_true(SIM_KINETIC, &x), 0.95 * fr * fp * fq, 1e-12);
  /* temperature: 25 C is 15 below the optimum (width 50), 55 C is 15 above (width 15) */
  double base = sim_p_true(SIM_KINETIC, &x);
  x.temperature_C = 25;
  CHECK_NEAR(sim_p_true(SIM_KINETIC, &x), base * exp(-0.5 * 0.09), 1e-12);
  x.temperature_C = 55;
  CHECK_NEAR(sim_p_true(SIM_KINETIC, &x), base * exp(-0.5), 1e-12);
  /* the A01 recipe (MHA, thiol:Au 2, NaBH4 4.48 mM, Au 1 mM, 25 C, pH 12.8) by hand */
  x = aq(2, 1, 4.48, 25, 12.8);
  double want = 0.95 * exp(-0.5 * 0.09) * s(log(2 / 0.7) / 0.3) * s(log(8 / 2.0) / 0.3) * s(4.3 / 0.5) *
                s(0.7 / 0.3) * s(log(4.48 / 2) / 0.3);
  CHECK_NEAR(sim_p_true(SIM_KINETIC, &x), want, 1e-12);
  /* aromatic ligand in water: times 0.3; not in another solvent */
  x.aromatic = 1;
  CHECK_NEAR(sim_p_true(SIM_KINETIC, &x), 0.3 * want, 1e-12);
  x.aqueous = 0;
  CHECK_NEAR(sim_p_true(SIM_KINETIC, &x), want, 1e-12);
  /* no binding group, no gold, no ligand or no reductant: 0 */
  x = aq(2, 1, 4.48, 25, 12.8);
  x.binds_gold = 0;
  CHECK(sim_p_true(SIM_KINETIC, &x) == 0);
  x = aq(2, 0, 4.48, 25, 12.8);
  CHECK(sim_p_true(SIM_KINETIC, &x) == 0);
  x = aq(0, 1, 4.48, 25, 12.8);
  CHECK(sim_p_true(SIM_KINETIC, &x) == 0);
  x = aq(2, 1, 0, 25, 12.8);
  CHECK(sim_p_true(SIM_KINETIC, &x) == 0);
  /* the trends: each moves the probability the documented way */
  x = aq(2, 1, 4.48, 25, 12.0);
  double p0 = sim_p_true(SIM_KINETIC, &x);
  x.pH = 7;
  CHECK(sim_p_true(SIM_KINETIC, &x) < 0.1 * p0);
  x.pH = 14;
  CHECK(sim_p_true(SIM_KINETIC, &x) < 0.2 * p0);
  x = aq(0.4, 1, 4.48, 25, 12.0);
  CHECK(sim_p_true(SIM_KINETIC, &x) < 0.25 * p0);
  x = aq(12, 1, 4.48, 25, 12.0);
  CHECK(sim_p_true(SIM_KINETIC, &x) < 0.25 * p0);
  x = aq(2, 1, 1, 25, 12.0); /* NaBH4:Au 1 */
  CHECK(sim_p_true(SIM_KINETIC, &x) < 0.2 * p0);
  x = aq(2, 1, 4.48, 70, 12.0); /* exp(-2) of the optimum */
  CHECK(sim_p_true(SIM_KINETIC, &x) < 0.15 * p0);
  for (int k = 0; k < SIM_NTERMS; k++) CHECK(sim_kinetic_terms[k].source && sim_kinetic_terms[k].source[0]);
}

static int binds(const char *smi) {
  molgraph g;
  if (molgraph_from_smiles(smi, &g)) return -1;
  int b = ligand_binds_gold(&g);
  molgraph_free(&g);
  return b;
}

static void test_binding(void) {
  const char *yes[] = {"NCCS", "OC(=O)CCS", "CC[S-]", "OC(=O)CCCCC1CCSS1", "CSSC", "N[C@@H](C[SeH])C(=O)O", "C[Se-]",
                       "C[Se][Se]C", "c1ccc(P(c2ccccc2)c2ccccc2)cc1", "CP(C)C", "Sc1ccccc1", "[Na+].[O-]C(=O)CCS"};
  const char *no[] = {"O", "CCO", "[Na+].[Cl-]", "c1ccccc1", "[Au]", "CSC", "c1ccsc1", "CP(C)(C)=O", "C[P+](C)(C)C",
                      "OC(=O)CC(O)(CC(=O)O)C(=O)O", "NCC(=O)O", "CC(=S)N", "OS(=O)(=O)O"};
  for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
    int b = binds(yes[i]);
    if (b != 1) fprintf(stderr, "should bind gold: %s\n", yes[i]);
    CHECK(b == 1);
  }
  for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
    int b = binds(no[i]);
    if (b != 0) fprintf(stderr, "should not bind gold: %s\n", no[i]);
    CHECK(b == 0);
  }
}

/* The bundled list: at least 30 ligands, all parse, the binding_group column
 * agrees with the check (all bind gold: train and cv refuse a ligand that
 * does not), and cysteamine (the paper's unseen validation ligand) is absent. */
static void test_ligand_list(void) {
  table t;
  CHECK(table_read("data/ligands.csv", &t) == 0);
  int cs = table_col(&t, "smiles"), cg = table_col(&t, "binding_group");
  CHECK(cs >= 0 && cg >= 0);
  CHECK(t.nrows >= 30);
  int n_none = 0, n_arom = 0;
  for (int i = 0; i < t.nrows && cs >= 0 && cg >= 0; i++) {
    molgraph g;
    int rc = molgraph_from_smiles(t.cell[i][cs], &g);
    CHECK(rc == 0);
    if (rc) continue;
    CHECK(ligand_binds_gold(&g) == !!strcmp(t.cell[i][cg], "none"));
    n_none += !ligand_binds_gold(&g);
    for (int a = 0; a < g.natoms; a++)
      if (g.aromatic[a]) { n_arom++; break; }
    CHECK(strcmp(g.canonical, "NCCS") != 0);
    molgraph_free(&g);
  }
  CHECK(n_none == 0 && n_arom >= 1); /* every candidate can be trained on (issue 9); aromatic ones fail paper-tree */
  table_free(&t);
}

static void test_draws(void) {
  double c[5], d[5];
  int k, l;
  int differ = 0;
  for (long i = 0; i < 500; i++) {
    sim_draw(7, i, 41, c, &k);
    sim_draw(7, i, 41, d, &l); /* the same seed and index: the same recipe */
    CHECK(k == l && !memcmp(c, d, sizeof c));
    CHECK(k >= 0 && k < 41);
    double au = c[1], ratio = c[0] / c[1];
    CHECK(au >= sim_ranges[SIM_R_HAUCL4].lo - 0.005 && au <= sim_ranges[SIM_R_HAUCL4].hi + 0.005);
    CHECK(ratio >= sim_ranges[SIM_R_LIGAND_RATIO].lo * 0.99 && ratio <= sim_ranges[SIM_R_LIGAND_RATIO].hi * 1.01);
    CHECK(c[2] >= sim_ranges[SIM_R_REDUCTANT].lo && c[2] <= sim_ranges[SIM_R_REDUCTANT].hi);
    CHECK(c[3] >= sim_ranges[SIM_R_TEMPERATURE].lo && c[3] <= sim_ranges[SIM_R_TEMPERATURE].hi);
    CHECK(c[4] >= sim_ranges[SIM_R_PH].lo && c[4] <= sim_ranges[SIM_R_PH].hi);
    sim_draw(8, i, 41, d, &l);
    differ += memcmp(c, d, sizeof c) != 0;
  }
  CHECK(differ == 500); /* another seed, other recipes */
  /* outcomes: p = 0 and 1 are certain without noise; noise 0.5 flips about half */
  rng_t r;
  rng_seed(&r, 3);
  int ones = 0, flips = 0;
  for (int i = 0; i < 4000; i++) {
    ones += sim_outcome(1, 0, &r) + sim_outcome(0, 0, &r);
    flips += sim_outcome(1, 0.5, &r) == 0;
  }
  CHECK(ones == 4000);
  CHECK(flips > 1800 && flips < 2200);
  sim_truth t;
  CHECK(sim_truth_parse("kinetic", &t) == 0 && t == SIM_KINETIC);
  CHECK(sim_truth_parse("paper-tree", &t) == 0 && t == SIM_PAPER_TREE);
  CHECK(sim_truth_parse("tree", &t) == AU_EUSAGE);
}

int main(void) {
  test_paper_tree();
  test_kinetic();
  test_binding();
  test_ligand_list();
  test_draws();
  return check_report();
}
