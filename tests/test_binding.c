/* Ligand chemistry through RDKit's C API: the gold-binding-group SMARTS
 * table on molecules that must and must not match, counter-ion stripping,
 * and Morgan/Tanimoto similarity against Python RDKit.
 *
 * Reference similarities: RDKit 2022.09.3 (Debian python3-rdkit,
 * /usr/bin/python3), computed once with
 *   scripts/dev/rdkit_reference.py --tanimoto NCCS 'OC(=O)CCS' \
 *     'C[C@H](CS)C(=O)N1CCC[C@H]1C(=O)O' 'N[C@@H](CS)C(=O)O' 'OC(=O)CCCCCS' CCO O \
 *     c1ccccc1 SCCc1ccccc1
 *   scripts/dev/rdkit_reference.py --tanimoto 'Cl.NCCS' NCCS 'O=C([O-])CCS' 'OC(=O)CCS'
 * i.e. AllChem.GetMorganFingerprintAsBitVect(mol, 2, nBits=2048),
 * GetNumOnBits() and DataStructs.TanimotoSimilarity. */
#include <stdlib.h>

#include "binding.h"
#include "check.h"
#include "err.h"
#include "rdkit_cffi.h"
#include "similarity.h"

static unsigned bit(const char *group) {
  for (int g = 0; g < BIND_NGROUPS; g++)
    if (!strcmp(binding_group_name[g], group)) return 1u << g;
  fprintf(stderr, "no group %s\n", group);
  CHECK(0);
  return 0;
}

static void test_table(void) {
  /* every group's SMARTS parses, and the table holds what the README lists */
  for (int g = 0; g < BIND_NGROUPS; g++) {
    size_t sz = 0;
    char *q = get_qmol(binding_group_smarts[g], &sz, "");
    CHECK(q != NULL && sz > 0);
    free_ptr(q);
  }
  CHECK_STR(binding_group_list(), "thiol, thiolate, disulfide, selenol, selenolate, diselenide, phosphine, alkyne, alkynide");
  static const struct { const char *what, *smiles, *group; } yes[] = {
      {"cysteamine", "NCCS", "thiol"},
      {"3-mercaptopropionic acid", "OC(=O)CCS", "thiol"},
      {"2-phenylethanethiol", "SCCc1ccccc1", "thiol"},
      {"thiophenol", "Sc1ccccc1", "thiol"},
      {"glutathione", "N[C@@H](CCC(=O)N[C@@H](CS)C(=O)NCC(=O)O)C(=O)O", "thiol"},
      {"captopril", "C[C@H](CS)C(=O)N1CCC[C@H]1C(=O)O", "thiol"},
      {"ethanethiolate", "CC[S-]", "thiolate"},
      {"sodium thiophenolate", "[Na+].[S-]c1ccccc1", "thiolate"},
      {"dimethyl disulfide", "CSSC", "disulfide"},
      {"cystine", "N[C@@H](CSSC[C@H](N)C(=O)O)C(=O)O", "disulfide"},
      {"benzeneselenol", "[SeH]c1ccccc1", "selenol"},
      {"methaneselenolate", "C[Se-]", "selenolate"},
      {"diphenyl diselenide", "c1ccc(cc1)[Se][Se]c1ccccc1", "diselenide"},
      {"triphenylphosphine", "c1ccc(cc1)P(c1ccccc1)c1ccccc1", "phosphine"},
      {"TCEP", "OC(=O)CCP(CCC(=O)O)CCC(=O)O", "phosphine"},
      {"trimethyl phosphite", "COP(OC)OC", "phosphine"},
      {"phenylacetylene", "C#Cc1ccccc1", "alkyne"},
      {"phenylacetylide", "[C-]#Cc1ccccc1", "alkynide"},
  };
  for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
    unsigned m = 0;
    CHECK(binding_groups(yes[i].smiles, &m) == 0);
    if (!(m & bit(yes[i].group))) fprintf(stderr, "%s (%s) should match %s\n", yes[i].what, yes[i].smiles, yes[i].group);
    CHECK(m & bit(yes[i].group));
  }
  /* exactly one group where only one is present */
  unsigned m = 0;
  CHECK(binding_groups("NCCS", &m) == 0 && m == bit("thiol"));
  CHECK(binding_groups("CSSC", &m) == 0 && m == bit("disulfide"));
  CHECK(binding_groups("CC[S-]", &m) == 0 && m == bit("thiolate"));
  /* two groups in one molecule */
  CHECK(binding_groups("SCCP(C)C", &m) == 0 && m == (bit("thiol") | bit("phosphine")));
  static const struct { const char *what, *smiles; } no[] = {
      {"water", "O"},
      {"ethanol", "CCO"},
      {"sodium chloride", "[Na+].[Cl-]"},
      {"benzene", "c1ccccc1"},
      {"a gold atom", "[Au]"},
      {"sodium borohydride", "[Na+].[BH4-]"},
      {"DMSO (sulfoxide)", "CS(C)=O"},
      {"sodium dodecyl sulfate", "CCCCCCCCCCCCOS(=O)(=O)[O-].[Na+]"},
      {"triphenylphosphine oxide", "O=P(c1ccccc1)(c1ccccc1)c1ccccc1"},
      {"phosphoric acid", "OP(=O)(O)O"},
      {"citric acid", "OC(=O)CC(O)(CC(=O)O)C(=O)O"},
      {"an internal alkyne", "CC#CC"},
  };
  for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
    unsigned mm = 1;
    CHECK(binding_groups(no[i].smiles, &mm) == 0);
    if (mm) fprintf(stderr, "%s (%s) should match no group, got mask %u\n", no[i].what, no[i].smiles, mm);
    CHECK(mm == 0);
  }
  char buf[128];
  binding_describe(bit("thiol") | bit("phosphine"), buf, sizeof buf);
  CHECK_STR(buf, "thiol;phosphine");
  binding_describe(0, buf, sizeof buf);
  CHECK_STR(buf, "");
  CHECK(binding_groups("C1CC", &m) == AU_EDATA); /* unclosed ring */
}

static void strip_case(const char *in, const char *kept, const char *dropped, unsigned mask) {
  char *k = NULL, *d = NULL;
  unsigned m = 99;
  CHECK(ligand_strip(in, &k, &d, &m) == 0);
  CHECK_STR(k, kept);
  if (dropped) CHECK_STR(d, dropped);
  else CHECK(d == NULL);
  CHECK(m == mask);
  free(k); free(d);
}

static void test_strip(void) {
  unsigned thiol = bit("thiol");
  /* cysteamine hydrochloride, as bought; written either way round */
  strip_case("Cl.NCCS", "NCCS", "Cl", thiol);
  strip_case("NCCS.Cl", "NCCS", "Cl", thiol);
  /* sodium 3-mercaptopropionate keeps the carboxylate anion */
  strip_case("[Na+].[O-]C(=O)CCS", "O=C([O-])CCS", "[Na+]", thiol);
  /* several counter-ions */
  strip_case("[Na+].[Na+].[O-]C(=O)CC(S)C(=O)[O-]", "O=C([O-])CC(S)C(=O)[O-]", "[Na+].[Na+]", thiol);
  /* the dropped fragments in SMILES order: every spelling gives one result */
  strip_case("[Na+].NCCS.Cl", "NCCS", "Cl.[Na+]", thiol);
  strip_case("Cl.NCCS.[Na+]", "NCCS", "Cl.[Na+]", thiol);
  /* two binding fragments: the larger one */
  strip_case("CCS.CCCCCCS", "CCCCCCS", "CCS", thiol);
  strip_case("CCCCCCS.CCS", "CCCCCCS", "CCS", thiol);
  /* one fragment, or none binds: kept whole */
  strip_case("NCCS", "NCCS", NULL, thiol);
  strip_case("[Na+].[Cl-]", "[Cl-].[Na+]", NULL, 0);
  char *k, *d;
  unsigned m;
  CHECK(ligand_strip("not smiles", &k, &d, &m) == AU_EDATA && !k && !d);
}

static void test_tanimoto(void) {
  static const struct { const char *smiles; int on; } bits[] = {
      {"NCCS", 8}, {"OC(=O)CCS", 13}, {"C[C@H](CS)C(=O)N1CCC[C@H]1C(=O)O", 31}, {"N[C@@H](CS)C(=O)O", 16},
      {"OC(=O)CCCCCS", 17}, {"CCO", 6}, {"O", 1}, {"c1ccccc1", 3}, {"SCCc1ccccc1", 16}, {"Cl.NCCS", 9},
      {"O=C([O-])CCS", 14}};
  for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++) {
    morgan_fp f;
    CHECK(morgan_fingerprint(bits[i].smiles, &f) == 0);
    int on = 0;
    for (int b = 0; b < MORGAN_BYTES; b++) on += __builtin_popcount(f.b[b]);
    if (on != bits[i].on) fprintf(stderr, "%s: %d bits on, RDKit %d\n", bits[i].smiles, on, bits[i].on);
    CHECK(on == bits[i].on);
  }
  static const struct { const char *a, *b; double t; } ref[] = {
      {"NCCS", "OC(=O)CCS", 0.2352941176},
      {"NCCS", "C[C@H](CS)C(=O)N1CCC[C@H]1C(=O)O", 0.0833333333},
      {"NCCS", "N[C@@H](CS)C(=O)O", 0.2000000000},
      {"NCCS", "OC(=O)CCCCCS", 0.1904761905},
      {"NCCS", "CCO", 0.0769230769},
      {"NCCS", "O", 0.0},
      {"OC(=O)CCS", "OC(=O)CCCCCS", 0.5789473684},
      {"OC(=O)CCS", "c1ccccc1", 0.0666666667},
      {"C[C@H](CS)C(=O)N1CCC[C@H]1C(=O)O", "N[C@@H](CS)C(=O)O", 0.2368421053},
      {"C[C@H](CS)C(=O)N1CCC[C@H]1C(=O)O", "SCCc1ccccc1", 0.0930232558},
      {"CCO", "SCCc1ccccc1", 0.0476190476},
      {"c1ccccc1", "SCCc1ccccc1", 0.1875000000},
      {"Cl.NCCS", "NCCS", 0.8888888889},
      {"O=C([O-])CCS", "OC(=O)CCS", 0.5},
  };
  for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++) {
    morgan_fp a, b;
    CHECK(morgan_fingerprint(ref[i].a, &a) == 0 && morgan_fingerprint(ref[i].b, &b) == 0);
    CHECK_NEAR(tanimoto(&a, &b), ref[i].t, 1e-9);
    CHECK_NEAR(tanimoto(&b, &a), ref[i].t, 1e-9);
    CHECK_NEAR(tanimoto(&a, &a), 1.0, 0);
  }
  morgan_fp z0, z1;
  memset(&z0, 0, sizeof z0);
  memset(&z1, 0, sizeof z1);
  CHECK_NEAR(tanimoto(&z0, &z1), 1.0, 0); /* as RDKit: two empty vectors */
  morgan_fp f;
  CHECK(morgan_fingerprint("C1CC", &f) == AU_EDATA);
}

/* the C ABI itself, as librdkitcffi defines it */
static void test_cffi(void) {
  size_t ms = 0, qs = 0, nb = 0;
  char *mol = get_mol("NCCS", &ms, ""), *q = get_qmol("[#16X2;H1]", &qs, ""), *no = get_qmol("[#34]", &qs, "");
  size_t qs2 = 0;
  char *q2 = get_qmol("[#16X2;H1]", &qs2, "");
  CHECK(mol && q2 && no);
  char *hit = get_substruct_match(mol, ms, q2, qs2, ""), *miss = get_substruct_match(mol, ms, no, qs, "");
  CHECK(hit && strstr(hit, "\"atoms\":[3]"));
  CHECK_STR(miss, "{}");
  char *fp = get_morgan_fp_as_bytes(mol, ms, &nb, "{\"radius\":2,\"nBits\":1024}");
  CHECK(fp && nb == 128);
  size_t nf = 0, *fsz = NULL;
  size_t ss = 0;
  char *salt = get_mol("[Na+].[O-]C(=O)CCS", &ss, "");
  char **fr = get_mol_frags(salt, ss, &fsz, &nf, "", NULL);
  CHECK(fr && nf == 2);
  for (size_t i = 0; fr && i < nf; i++) free_ptr(fr[i]);
  free_ptr((char *)fr); free_ptr((char *)fsz);
  CHECK(get_qmol("[#16", &qs, "") == NULL);
  free_ptr(mol); free_ptr(q); free_ptr(q2); free_ptr(no); free_ptr(hit); free_ptr(miss); free_ptr(fp); free_ptr(salt);
}

int main(void) {
  test_table();
  test_strip();
  test_tanimoto();
  test_cffi();
  return check_report();
}
