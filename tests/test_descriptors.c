/* Ligand descriptors (descriptors.c) against values computed independently
 * with Python RDKit, the ESOL-based solubility estimate worked by hand, and
 * the Table-1 name table.
 *
 * Reference values: RDKit 2022.09.3 (Debian python3-rdkit, /usr/bin/python3),
 * computed with scripts/dev/rdkit_reference.py --descriptors and the same
 * calls typed by hand:
 *   mw         Descriptors.MolWt            (average MW, g/mol)
 *   logp       Crippen.MolLogP
 *   tpsa       rdMolDescriptors.CalcTPSA    (N and O only; S not counted)
 *   hbd, hba   rdMolDescriptors.CalcNumHBD / CalcNumHBA
 *   rot        rdMolDescriptors.CalcNumRotatableBonds (default = strict)
 *   bertz      GraphDescriptors.BertzCT
 *   charge     Chem.GetFormalCharge
 *   arom/heavy aromatic atoms / m.GetNumHeavyAtoms()
 * PubChem, for context only (not used by the checks, and recalled, not
 * re-read in this session): its molecular weights are the same formula
 * weights (glutathione 307.33, L-cysteine 121.16, cysteamine 77.15 g/mol);
 * its XLogP3 is a different logP model than Crippen's; its TPSA (Cactvs)
 * includes S and P contributions, which RDKit's default CalcTPSA leaves
 * out, so thiols come out larger there; and its "complexity" is Cactvs's
 * Bertz/Hendrickson-type index, not RDKit's BertzCT. Those three differ
 * from the values here by design (DESIGN.md section 2 documents the
 * substitutions). */
#include <stdlib.h>

#include "check.h"
#include "descriptors.h"
#include "err.h"
#include "molgraph.h"
#include "rdkit_cffi.h"

typedef struct {
  const char *name, *smiles;
  double mw, logp, tpsa;
  int hbd, hba, rot;
  double bertz;
  int charge, arom_atoms, heavy;
} ref_t;

/* Every distinct ligand of data/au_nc_recipes.csv, cysteamine (the paper's
 * unseen ligand), and a cationic thiol so that the charge sum is tested. */
static const ref_t refs[] = {
    /* name                         SMILES                              mw       logp     tpsa   hbd hba rot bertz         chg ar heavy */
    {"6-mercaptohexanoic acid", "OC(=O)CCCCCS", 148.227, 1.5612, 37.30, 2, 2, 5, 83.12704562, 0, 0, 9},
    {"3-mercaptopropionic acid", "OC(=O)CCS", 106.146, 0.3909, 37.30, 2, 2, 2, 52.75488750, 0, 0, 6},
    {"11-mercaptoundecanoic acid", "OC(=O)CCCCCCCCCCS", 218.362, 3.5117, 37.30, 2, 2, 10, 137.24922110, 0, 0, 14},
    {"L-cysteine", "N[C@@H](CS)C(=O)O", 121.161, -0.6719, 63.32, 3, 3, 2, 75.33515885, 0, 0, 7},
    {"glutathione", "N[C@@H](CCC(=O)N[C@@H](CS)C(=O)NCC(=O)O)C(=O)O", 307.328, -2.2061, 158.82, 6, 6, 9,
     389.18921855, 0, 0, 20},
    {"4-mercaptobenzoic acid", "OC(=O)c1ccc(S)cc1", 154.190, 1.6735, 37.30, 2, 2, 1, 240.28794893, 0, 6, 10},
    {"4-aminothiophenol", "Nc1ccc(S)cc1", 125.196, 1.5575, 26.02, 2, 2, 0, 147.38833891, 0, 6, 8},
    {"2-phenylethanethiol", "SCCc1ccccc1", 138.235, 2.1589, 0.00, 1, 1, 2, 157.47842077, 0, 6, 9},
    {"1-dodecanethiol", "CCCCCCCCCCCCS", 202.407, 4.8371, 0.00, 1, 1, 10, 71.19366194, 0, 0, 13},
    {"mercaptosuccinic acid", "OC(=O)CC(S)C(=O)O", 150.155, -0.1559, 74.60, 3, 3, 3, 132.52932501, 0, 0, 9},
    {"cysteamine", "NCCS", 77.152, -0.1251, 26.02, 2, 2, 1, 8.00000000, 0, 0, 4},
    /* two thiol ligands with HBD != HBA (an ester; an aromatic N) */
    {"methyl 3-mercaptopropionate", "COC(=O)CCS", 120.173, 0.4793, 26.30, 1, 3, 2, 62.71013448, 0, 0, 7},
    {"4-mercaptopyridine", "Sc1ccncc1", 111.169, 1.3703, 12.89, 1, 2, 0, 138.00750423, 0, 6, 7},
    {"thiocholine (cation)", "C[N+](C)(C)CCS", 120.241, 0.6224, 0.00, 1, 1, 2, 46.53206898, 1, 0, 7},
    /* not ligands, but edge cases of the same code: benzene (all-symmetric
     * ring), a salt in two fragments, one atom */
    {"benzene", "c1ccccc1", 78.114, 1.6866, 0.00, 0, 0, 0, 71.96100506, 0, 6, 6},
    {"sodium borohydride", "[Na+].[BH4-]", 37.834, -4.4476, 0.00, 0, 0, 0, 2.0, 0, 0, 2},
    {"water", "O", 18.015, -0.8247, 31.50, 0, 0, 0, 0.0, 0, 0, 1},
};

static void test_reference_values(void) {
  for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
    const ref_t *r = &refs[i];
    molgraph g;
    int rc = molgraph_from_smiles(r->smiles, &g);
    CHECK(rc == AU_OK);
    if (rc) continue;
    ligand_props p;
    rc = ligand_props_compute(r->smiles, &g, &p);
    CHECK(rc == AU_OK);
    if (!rc) {
      int before = check_failures;
      CHECK_NEAR(p.mw, r->mw, 1e-3);
      CHECK_NEAR(p.logp, r->logp, 1e-4);
      CHECK_NEAR(p.tpsa, r->tpsa, 1e-3);
      CHECK(p.hbd == r->hbd);
      CHECK(p.hba == r->hba);
      CHECK(p.rotatable == r->rot);
      CHECK_NEAR(p.complexity, r->bertz, 1e-5);
      CHECK_NEAR(bertz_ct(&g), r->bertz, 1e-5);
      CHECK(p.charge == r->charge);
      CHECK(p.aromatic == (r->arom_atoms > 0 ? 1.0 : 0.0));
      CHECK_NEAR(p.aromatic_proportion, (double)r->arom_atoms / r->heavy, 1e-12);
      if (check_failures != before) fprintf(stderr, "  ... for %s (%s)\n", r->name, r->smiles);
    }
    molgraph_free(&g);
  }
}

/* The values must not depend on how the SMILES was written: the same
 * molecule from its RDKit canonical form and from a random atom order. */
static void test_smiles_independent(void) {
  const char *forms[][2] = {{"N[C@@H](CS)C(=O)O", "SC[C@H](N)C(O)=O"},
                            {"OC(=O)c1ccc(S)cc1", "Sc1ccc(cc1)C(O)=O"},
                            {"N[C@@H](CCC(=O)N[C@@H](CS)C(=O)NCC(=O)O)C(=O)O",
                             "OC(=O)CNC(=O)[C@H](CS)NC(=O)CC[C@H](N)C(O)=O"}};
  for (int i = 0; i < 3; i++) {
    molgraph g1, g2;
    ligand_props p1, p2;
    if (molgraph_from_smiles(forms[i][0], &g1)) { CHECK(0); continue; }
    if (molgraph_from_smiles(forms[i][1], &g2)) { CHECK(0); molgraph_free(&g1); continue; }
    CHECK(ligand_props_compute(forms[i][0], &g1, &p1) == 0);
    CHECK(ligand_props_compute(forms[i][1], &g2, &p2) == 0);
    CHECK_STR(g1.canonical, g2.canonical);
    CHECK_NEAR(p1.complexity, p2.complexity, 1e-9);
    CHECK_NEAR(p1.mw, p2.mw, 1e-9);
    CHECK_NEAR(p1.logp, p2.logp, 1e-9);
    CHECK_NEAR(p1.tpsa, p2.tpsa, 1e-9);
    CHECK(p1.hbd == p2.hbd && p1.hba == p2.hba && p1.rotatable == p2.rotatable);
    molgraph_free(&g1);
    molgraph_free(&g2);
  }
}

/* An unparsable SMILES given to ligand_props_compute: AU_EDATA naming it. */
static void test_props_error(void) {
  molgraph g;
  if (molgraph_from_smiles("CCS", &g)) { CHECK(0); return; }
  ligand_props p;
  au_errclear();
  CHECK(ligand_props_compute("C1CC", &g, &p) == AU_EDATA);
  CHECK(strstr(au_errmsg(), "C1CC") != NULL);
  molgraph_free(&g);
}

/* Solubility, worked by hand from the formula documented in descriptors.c:
 *   logS_w = 0.16 - 0.63 logP - 0.0062 MW + 0.066 RB - 0.74 AP   (ESOL)
 *   f = (eps - 10.3) / (80.1 - 10.3), clipped to [0, 1]
 *   logS = logS_w + (1 - f) logP
 *
 * 6-mercaptohexanoic acid (logP 1.5612, MW 148.227, RB 5, AP 0):
 *   0.63*1.5612 = 0.983556; 0.0062*148.227 = 0.9190074; 0.066*5 = 0.33
 *   logS_w = 0.16 - 0.983556 - 0.9190074 + 0.33 = -1.4125634
 *   water (eps 80.1): f = 1          -> logS = -1.4125634
 *   toluene (eps 2.379): f < 0 -> 0  -> logS = -1.4125634 + 1.5612 = 0.1486366
 * 4-mercaptobenzoic acid (logP 1.6735, MW 154.19, RB 1, AP 6/10 = 0.6):
 *   0.63*1.6735 = 1.054305; 0.0062*154.19 = 0.955978; 0.066; 0.74*0.6 = 0.444
 *   logS_w = 0.16 - 1.054305 - 0.955978 + 0.066 - 0.444 = -2.228283
 *   water:   -2.228283
 *   toluene: -2.228283 + 1.6735 = -0.554783
 *   methanol (eps 33.0): f = 22.7/69.8, 1 - f = 47.1/69.8 = 0.674785100...
 *            -2.228283 + 0.6747851 * 1.6735 = -2.228283 + 1.1292529 = -1.0990301 */
static void test_solubility(void) {
  ligand_props mha = {.logp = 1.5612, .mw = 148.227, .rotatable = 5, .aromatic_proportion = 0};
  CHECK_NEAR(ligand_solubility(&mha, 80.1), -1.4125634, 1e-9);
  CHECK_NEAR(ligand_solubility(&mha, 2.379), 0.1486366, 1e-9);
  /* clipping: a dielectric above water's is treated as water, one below
   * octanol's as fully organic */
  CHECK_NEAR(ligand_solubility(&mha, 120.0), -1.4125634, 1e-9);
  CHECK_NEAR(ligand_solubility(&mha, 10.3), 0.1486366, 1e-9);
  ligand_props mba = {.logp = 1.6735, .mw = 154.19, .rotatable = 1, .aromatic_proportion = 0.6};
  CHECK_NEAR(ligand_solubility(&mba, 80.1), -2.228283, 1e-9);
  CHECK_NEAR(ligand_solubility(&mba, 2.379), -0.554783, 1e-9);
  CHECK_NEAR(ligand_solubility(&mba, 33.0), -2.228283 + 47.1 / 69.8 * 1.6735, 1e-9);
  CHECK_NEAR(ligand_solubility(&mba, 33.0), -1.0990301, 1e-6);
  /* the same numbers from the properties RDKit computes for 4-MBA */
  molgraph g;
  if (molgraph_from_smiles("OC(=O)c1ccc(S)cc1", &g)) { CHECK(0); return; }
  ligand_props p;
  CHECK(ligand_props_compute("OC(=O)c1ccc(S)cc1", &g, &p) == 0);
  CHECK_NEAR(ligand_solubility(&p, 80.1), -2.228283, 1e-4);
  CHECK_NEAR(ligand_solubility(&p, 2.379), -0.554783, 1e-4);
  molgraph_free(&g);
}

/* Table 1 of the paper, in its order: 5 reaction conditions, 2 solvent,
 * 1 reducing agent, 9 ligand descriptors. */
static void test_names(void) {
  const char *want[17] = {"ligand_mM",         "haucl4_mM",          "reductant_mM",          "temperature_C",
                          "pH",                "dielectric_constant", "ligand_solubility",    "redox_potential_V",
                          "ligand_charge",     "ligand_hbd",          "ligand_hba",           "ligand_aromatic",
                          "ligand_mw",         "ligand_rotatable_bonds", "ligand_complexity", "ligand_tpsa",
                          "ligand_logp"};
  CHECK(AU_NDESC == 17);
  CHECK(AU_NCOND == 5);
  for (int i = 0; i < 17; i++) {
    CHECK_STR(au_desc_name[i], want[i]);
    CHECK(au_desc_index(want[i]) == i);
    CHECK(au_desc_unit[i] != NULL);
    CHECK(au_desc_binary[i] == (i == D_AROMATIC));
  }
  /* the enum agrees with the table */
  CHECK(D_LIGAND_MM == 0 && D_PH == 4 && D_DIELECTRIC == 5 && D_SOLUBILITY == 6 && D_REDOX == 7);
  CHECK(D_CHARGE == 8 && D_HBD == 9 && D_HBA == 10 && D_AROMATIC == 11 && D_MW == 12);
  CHECK(D_ROTATABLE == 13 && D_COMPLEXITY == 14 && D_TPSA == 15 && D_LOGP == 16);
  CHECK(au_desc_index("nonsense") == -1);
  CHECK(au_desc_index("") == -1);
  CHECK(au_desc_index("ligand_smiles") == -1);
  CHECK(au_desc_index("outcome") == -1);
  CHECK(au_desc_index("ligand_mM ") == -1); /* exact names only */
  CHECK_STR(au_desc_unit[D_LIGAND_MM], "mM");
  CHECK_STR(au_desc_unit[D_HAUCL4_MM], "mM");
  CHECK_STR(au_desc_unit[D_REDUCTANT_MM], "mM");
  CHECK_STR(au_desc_unit[D_MW], "g/mol");
  CHECK_STR(au_desc_unit[D_REDOX], "V vs SHE");
}

int main(void) {
#ifdef AUCLUST_HAVE_RDKITCFFI
  disable_logging();
#endif
  test_reference_values();
  test_smiles_independent();
  test_props_error();
  test_solubility();
  test_names();
  return check_report();
}
