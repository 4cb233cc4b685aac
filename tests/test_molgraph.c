/* SMILES -> graph tensors (molgraph.c), checked against tensors worked out
 * by hand. Every expectation below was derived from the chemistry in the
 * comments; the same numbers were then cross-checked, once, with Python
 * RDKit 2022.09.3 (scripts/dev/rdkit_reference.py --graph: GetDegree,
 * GetTotalNumHs, GetImplicitValence, GetIsAromatic, GetIsConjugated,
 * IsInRing), which agreed on every atom and bond.
 *
 * Atom feature row (62): element one-hot [0,44) in the Keras NGF order
 *   C N O S F Si P Cl Br Mg Na Ca Fe As Al I B V K Tl Yb Sb Sn Ag Pd Co Se Ti
 *   Zn H Li Ge Cu Au Ni Cd In Mn Zr Cr Pt Hg Pb, unknown(43);
 *   degree 0-5 [44,50); total H 0-4 [50,55); implicit valence 0-5 [55,61);
 *   aromatic [61].
 * Bond feature row (6): single, double, triple, aromatic, conjugated, ring. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "err.h"
#include "molgraph.h"
#include "rdkit_cffi.h"

/* element one-hot indices, counted by hand in the list above */
enum { E_C = 0, E_N = 1, E_O = 2, E_S = 3, E_F = 4, E_NA = 10, E_B = 16, E_AU = 33, E_UNK = 43 };

/* Compare a whole atom row with the row these five values imply: exactly
 * one 1 in each one-hot block, zeros everywhere else. */
static void check_atom_row(const molgraph *g, int a, int elem, int deg, int hs, int iv, int arom, int line) {
  double want[MG_ATOM_FEATS] = {0};
  want[MG_OFF_ELEM + elem] = 1;
  want[MG_OFF_DEGREE + deg] = 1;
  want[MG_OFF_HS + hs] = 1;
  want[MG_OFF_IMPVAL + iv] = 1;
  want[MG_OFF_AROM] = arom;
  const double *r = g->atom_feat + (size_t)a * MG_ATOM_FEATS;
  int bad = 0;
  for (int j = 0; j < MG_ATOM_FEATS; j++)
    if (r[j] != want[j]) bad = 1;
  check_count++;
  if (bad) {
    check_failures++;
    fprintf(stderr, "test_molgraph.c:%d: atom %d feature row differs:\n  got ", line, a);
    for (int j = 0; j < MG_ATOM_FEATS; j++) fprintf(stderr, "%g", r[j]);
    fprintf(stderr, "\n want ");
    for (int j = 0; j < MG_ATOM_FEATS; j++) fprintf(stderr, "%g", want[j]);
    fprintf(stderr, "\n");
  }
  /* the per-atom arrays must say the same thing */
  CHECK(g->degree[a] == deg);
  CHECK(g->hs[a] == hs);
  CHECK(g->impval[a] == iv);
  CHECK(g->aromatic[a] == arom);
}
#define ATOM(g, a, elem, deg, hs, iv, arom) check_atom_row(g, a, elem, deg, hs, iv, arom, __LINE__)

/* Bond b joins atoms x and y (either direction); its feature row is
 * [order==1, order==2, order==3, arom, conj, ring] (aromatic bonds set only
 * the aromatic slot among the first four). */
static void check_bond(const molgraph *g, int b, int x, int y, int order, int arom, int conj, int ring, int line) {
  int ends_ok = (g->bond_a[b] == x && g->bond_b[b] == y) || (g->bond_a[b] == y && g->bond_b[b] == x);
  double want[MG_BOND_FEATS] = {0};
  if (arom) want[MG_BOND_AROMATIC] = 1;
  else want[MG_BOND_SINGLE + order - 1] = 1;
  want[MG_BOND_CONJ] = conj;
  want[MG_BOND_RING] = ring;
  const double *r = g->bond_feat + (size_t)b * MG_BOND_FEATS;
  int feat_ok = 1;
  for (int j = 0; j < MG_BOND_FEATS; j++)
    if (r[j] != want[j]) feat_ok = 0;
  check_count++;
  if (!ends_ok || !feat_ok) {
    check_failures++;
    fprintf(stderr,
            "test_molgraph.c:%d: bond %d: ends %d-%d (want %d-%d), features %g%g%g%g%g%g (want %g%g%g%g%g%g)\n",
            line, b, g->bond_a[b], g->bond_b[b], x, y, r[0], r[1], r[2], r[3], r[4], r[5], want[0], want[1],
            want[2], want[3], want[4], want[5]);
  }
  CHECK(g->bond_arom[b] == arom);
  CHECK(g->bond_conj[b] == conj);
  CHECK(g->bond_ring[b] == ring);
  if (!arom) CHECK(g->bond_order[b] == order);
}
#define BOND(g, b, x, y, order, arom, conj, ring) check_bond(g, b, x, y, order, arom, conj, ring, __LINE__)

/* Atom a's neighbours, as a set, are want[0..n); and each neighbour entry's
 * bond really joins a and that neighbour. */
static void check_nbrs(const molgraph *g, int a, const int *want, int n, int line) {
  int lo = g->nbr_start[a], hi = g->nbr_start[a + 1];
  int ok = hi - lo == n;
  for (int i = 0; ok && i < n; i++) {
    int found = 0;
    for (int k = lo; k < hi; k++) found += g->nbr_atom[k] == want[i];
    ok = found == 1;
  }
  for (int k = lo; ok && k < hi; k++) {
    int b = g->nbr_bond[k], o = g->nbr_atom[k];
    ok = b >= 0 && b < g->nbonds &&
         ((g->bond_a[b] == a && g->bond_b[b] == o) || (g->bond_a[b] == o && g->bond_b[b] == a));
  }
  check_count++;
  if (!ok) {
    check_failures++;
    fprintf(stderr, "test_molgraph.c:%d: neighbour list of atom %d is wrong (%d entries, want %d)\n", line, a,
            hi - lo, n);
  }
}
#define NBRS(g, a, ...)                                                      \
  do {                                                                       \
    const int w_[] = {__VA_ARGS__};                                          \
    check_nbrs(g, a, w_, (int)(sizeof w_ / sizeof w_[0]), __LINE__);         \
  } while (0)

/* Invariants every graph must satisfy: each one-hot block has exactly one
 * 1, bond rows exactly one bond type, degree = neighbour count, CSR sizes. */
static void check_invariants(const molgraph *g, const char *what) {
  int bad = 0;
  for (int a = 0; a < g->natoms; a++) {
    const double *r = g->atom_feat + (size_t)a * MG_ATOM_FEATS;
    const int lo[4] = {MG_OFF_ELEM, MG_OFF_DEGREE, MG_OFF_HS, MG_OFF_IMPVAL};
    const int hi[4] = {MG_OFF_DEGREE, MG_OFF_HS, MG_OFF_IMPVAL, MG_OFF_AROM};
    for (int k = 0; k < 4; k++) {
      double s = 0;
      for (int j = lo[k]; j < hi[k]; j++) {
        if (r[j] != 0 && r[j] != 1) bad = 1;
        s += r[j];
      }
      if (s != 1) bad = 1;
    }
    if (r[MG_OFF_AROM] != 0 && r[MG_OFF_AROM] != 1) bad = 1;
    if (g->nbr_start[a + 1] - g->nbr_start[a] != g->degree[a]) bad = 1;
  }
  if (g->nbr_start[0] != 0 || g->nbr_start[g->natoms] != 2 * g->nbonds) bad = 1;
  for (int b = 0; b < g->nbonds; b++) {
    const double *r = g->bond_feat + (size_t)b * MG_BOND_FEATS;
    if (r[0] + r[1] + r[2] + r[3] != 1) bad = 1;
  }
  check_count++;
  if (bad) {
    check_failures++;
    fprintf(stderr, "test_molgraph.c: invariants broken for %s\n", what);
  }
}

static void test_layout(void) {
  /* 43 listed elements + unknown; 44 + 6 degree bins + 5 H bins + 6
   * implicit-valence bins + 1 aromatic = 62; 6 bond features. */
  CHECK(MG_NELEM == 44);
  CHECK(MG_ATOM_FEATS == 62);
  CHECK(MG_BOND_FEATS == 6);
  CHECK(MG_OFF_ELEM == 0);
  CHECK(MG_OFF_DEGREE == 44);
  CHECK(MG_OFF_HS == 50);
  CHECK(MG_OFF_IMPVAL == 55);
  CHECK(MG_OFF_AROM == 61);
  CHECK(MG_OFF_AROM + 1 == MG_ATOM_FEATS);
  CHECK(MG_BOND_SINGLE == 0 && MG_BOND_DOUBLE == 1 && MG_BOND_TRIPLE == 2 && MG_BOND_AROMATIC == 3 &&
        MG_BOND_CONJ == 4 && MG_BOND_RING == 5);
  /* element list by atomic number, in DESIGN.md's order */
  const int z[43] = {6,  7,  8,  16, 9,  14, 15, 17, 35, 12, 11, 20, 26, 33, 13, 53, 5,  23, 19, 81, 70, 51,
                     50, 47, 46, 27, 34, 22, 30, 1,  3,  32, 29, 79, 28, 48, 49, 25, 40, 24, 78, 80, 82};
  const char *sym[43] = {"C",  "N",  "O",  "S",  "F",  "Si", "P",  "Cl", "Br", "Mg", "Na", "Ca", "Fe", "As", "Al",
                         "I",  "B",  "V",  "K",  "Tl", "Yb", "Sb", "Sn", "Ag", "Pd", "Co", "Se", "Ti", "Zn", "H",
                         "Li", "Ge", "Cu", "Au", "Ni", "Cd", "In", "Mn", "Zr", "Cr", "Pt", "Hg", "Pb"};
  for (int i = 0; i < 43; i++) {
    CHECK(mg_element_index(z[i]) == i);
    CHECK_STR(mg_element_symbol(z[i]), sym[i]);
  }
  CHECK(mg_element_index(79) == E_AU);
  /* not in the list: He(2), Xe(54), U(92), and nonsense */
  CHECK(mg_element_index(2) == E_UNK);
  CHECK(mg_element_index(54) == E_UNK);
  CHECK(mg_element_index(92) == E_UNK);
  CHECK(mg_element_index(0) == E_UNK);
  CHECK(mg_element_index(-1) == E_UNK);
  CHECK_STR(mg_element_symbol(54), "Xe");
}

/* Cysteamine NCCS, atoms 0 N, 1 C, 2 C, 3 S; bonds b0 0-1, b1 1-2, b2 2-3.
 * Degrees (heavy neighbours): N 1, C 2, C 2, S 1. Hydrogens from normal
 * valences (N 3, C 4, S 2): N 3-1 = 2, C 4-2 = 2, C 2, S 2-1 = 1. No
 * brackets, so implicit valence = implicit H. No pi bonds anywhere, so no
 * bond is conjugated; no ring closures, so nothing is in a ring. */
static void test_cysteamine(void) {
  molgraph g;
  int rc = molgraph_from_smiles("NCCS", &g);
  CHECK(rc == AU_OK);
  if (rc) return;
  CHECK(g.natoms == 4 && g.nbonds == 3 && g.nfrags == 1);
  CHECK_STR(g.canonical, "NCCS");
  CHECK(g.z[0] == 7 && g.z[1] == 6 && g.z[2] == 6 && g.z[3] == 16);
  ATOM(&g, 0, E_N, 1, 2, 2, 0);
  ATOM(&g, 1, E_C, 2, 2, 2, 0);
  ATOM(&g, 2, E_C, 2, 2, 2, 0);
  ATOM(&g, 3, E_S, 1, 1, 1, 0);
  for (int a = 0; a < 4; a++) CHECK(g.charge[a] == 0 && !g.bracket[a]);
  BOND(&g, 0, 0, 1, 1, 0, 0, 0);
  BOND(&g, 1, 1, 2, 1, 0, 0, 0);
  BOND(&g, 2, 2, 3, 1, 0, 0, 0);
  NBRS(&g, 0, 1);
  NBRS(&g, 1, 0, 2);
  NBRS(&g, 2, 1, 3);
  NBRS(&g, 3, 2);
  check_invariants(&g, "NCCS");
  molgraph_free(&g);
  CHECK(g.natoms == 0 && g.atom_feat == NULL); /* free resets the struct */
  molgraph_free(&g);                           /* and a second free is harmless */
}

/* Water "O": one O atom, no heavy neighbours (degree 0), valence 2 -> 2 H,
 * implicit valence 2; no bonds; one fragment. */
static void test_water(void) {
  molgraph g;
  int rc = molgraph_from_smiles("O", &g);
  CHECK(rc == AU_OK);
  if (rc) return;
  CHECK(g.natoms == 1 && g.nbonds == 0 && g.nfrags == 1);
  ATOM(&g, 0, E_O, 0, 2, 2, 0);
  CHECK(g.nbr_start[0] == 0 && g.nbr_start[1] == 0);
  check_invariants(&g, "O");
  molgraph_free(&g);
}

/* Sodium borohydride [Na+].[BH4-]: two disconnected atoms, so 2 fragments
 * and 0 bonds. Na: +1, no H, degree 0. B: -1, four H written inside the
 * bracket: total H 4 but implicit valence 0 (bracket atoms carry no
 * implicit H in RDKit). Both are bracket atoms. */
static void test_nabh4(void) {
  molgraph g;
  int rc = molgraph_from_smiles("[Na+].[BH4-]", &g);
  CHECK(rc == AU_OK);
  if (rc) return;
  CHECK(g.natoms == 2 && g.nbonds == 0 && g.nfrags == 2);
  CHECK(g.z[0] == 11 && g.z[1] == 5);
  CHECK(g.charge[0] == 1 && g.charge[1] == -1);
  CHECK(g.bracket[0] && g.bracket[1]);
  ATOM(&g, 0, E_NA, 0, 0, 0, 0);
  ATOM(&g, 1, E_B, 0, 4, 0, 0);
  check_invariants(&g, "[Na+].[BH4-]");
  molgraph_free(&g);

  /* The same salt from its canonical form, atoms in the other order. */
  rc = molgraph_from_smiles("[BH4-].[Na+]", &g);
  CHECK(rc == AU_OK);
  if (rc) return;
  CHECK(g.natoms == 2 && g.nfrags == 2 && g.z[0] == 5 && g.z[1] == 11);
  ATOM(&g, 0, E_B, 0, 4, 0, 0);
  ATOM(&g, 1, E_NA, 0, 0, 0, 0);
  molgraph_free(&g);
}

/* Three fragments, one of them a bonded ion: fragments are counted, not
 * dot-separated pieces of text guessed. "[Na+].[Na+].OC(=O)C([O-])=O"
 * has Na, Na, and a 5-atom oxalate-like anion. */
static void test_three_fragments(void) {
  molgraph g;
  int rc = molgraph_from_smiles("[Na+].[Na+].OC(=O)C([O-])=O", &g);
  CHECK(rc == AU_OK);
  if (rc) return;
  CHECK(g.natoms == 8 && g.nbonds == 5 && g.nfrags == 3);
  int q = 0;
  for (int a = 0; a < g.natoms; a++) q += g.charge[a];
  CHECK(q == 1); /* +1 +1 -1 */
  molgraph_free(&g);
}

/* Glutathione N[C@@H](CCC(=O)N[C@@H](CS)C(=O)NCC(=O)O)C(=O)O: atoms in
 * SMILES order
 *   0 N   1 C@@H  2 C  3 C  4 C(=O)  5 O  6 N(amide)  7 C@@H  8 C  9 S
 *   10 C(=O)  11 O  12 N(amide)  13 C  14 C(=O)  15 O(=)  16 O(H)
 *   17 C(=O)  18 O(=)  19 O(H)
 * = 20 heavy atoms, and (acyclic, connected) 19 bonds.
 * Bonds in SMILES order: b0 0-1, b1 1-2, b2 2-3, b3 3-4, b4 4=5, b5 4-6,
 * b6 6-7, b7 7-8, b8 8-9, b9 7-10, b10 10=11, b11 10-12, b12 12-13,
 * b13 13-14, b14 14=15, b15 14-16, b16 1-17, b17 17=18, b18 17-19.
 * Conjugation: each C=O carbon has a pi bond and one lone-pair neighbour
 * (amide N or hydroxyl O, total degree <= 3), so the C=O and that C-N/C-O
 * are conjugated: b4 b5, b10 b11, b14 b15, b17 b18. The C-C bonds from
 * carbonyl C to an sp3 carbon are not (sp3 C has total degree 4), nor
 * N-C(alpha). [C@@H] atoms are bracket atoms: total H 1, implicit valence
 * 0. Amide N: degree 2, 1 H (valence 3), implicit valence 1. */
static void test_glutathione(void) {
  const char *smi = "N[C@@H](CCC(=O)N[C@@H](CS)C(=O)NCC(=O)O)C(=O)O";
  molgraph g;
  int rc = molgraph_from_smiles(smi, &g);
  CHECK(rc == AU_OK);
  if (rc) return;
  CHECK(g.natoms == 20 && g.nbonds == 19 && g.nfrags == 1);
  /*           elem  deg hs iv arom */
  ATOM(&g, 0, E_N, 1, 2, 2, 0);
  ATOM(&g, 1, E_C, 3, 1, 0, 0); /* [C@@H]: bracket */
  ATOM(&g, 2, E_C, 2, 2, 2, 0);
  ATOM(&g, 3, E_C, 2, 2, 2, 0);
  ATOM(&g, 4, E_C, 3, 0, 0, 0);
  ATOM(&g, 5, E_O, 1, 0, 0, 0);
  ATOM(&g, 6, E_N, 2, 1, 1, 0);
  ATOM(&g, 7, E_C, 3, 1, 0, 0); /* [C@@H]: bracket */
  ATOM(&g, 8, E_C, 2, 2, 2, 0);
  ATOM(&g, 9, E_S, 1, 1, 1, 0);
  ATOM(&g, 10, E_C, 3, 0, 0, 0);
  ATOM(&g, 11, E_O, 1, 0, 0, 0);
  ATOM(&g, 12, E_N, 2, 1, 1, 0);
  ATOM(&g, 13, E_C, 2, 2, 2, 0);
  ATOM(&g, 14, E_C, 3, 0, 0, 0);
  ATOM(&g, 15, E_O, 1, 0, 0, 0);
  ATOM(&g, 16, E_O, 1, 1, 1, 0);
  ATOM(&g, 17, E_C, 3, 0, 0, 0);
  ATOM(&g, 18, E_O, 1, 0, 0, 0);
  ATOM(&g, 19, E_O, 1, 1, 1, 0);
  for (int a = 0; a < 20; a++) CHECK(g.bracket[a] == (a == 1 || a == 7));
  /*          b   x   y  ord arom conj ring */
  BOND(&g, 0, 0, 1, 1, 0, 0, 0);
  BOND(&g, 1, 1, 2, 1, 0, 0, 0);
  BOND(&g, 2, 2, 3, 1, 0, 0, 0);
  BOND(&g, 3, 3, 4, 1, 0, 0, 0);
  BOND(&g, 4, 4, 5, 2, 0, 1, 0);   /* amide C=O */
  BOND(&g, 5, 4, 6, 1, 0, 1, 0);   /* amide C-N */
  BOND(&g, 6, 6, 7, 1, 0, 0, 0);   /* N-C(alpha) */
  BOND(&g, 7, 7, 8, 1, 0, 0, 0);
  BOND(&g, 8, 8, 9, 1, 0, 0, 0);
  BOND(&g, 9, 7, 10, 1, 0, 0, 0);
  BOND(&g, 10, 10, 11, 2, 0, 1, 0); /* amide C=O */
  BOND(&g, 11, 10, 12, 1, 0, 1, 0); /* amide C-N */
  BOND(&g, 12, 12, 13, 1, 0, 0, 0);
  BOND(&g, 13, 13, 14, 1, 0, 0, 0);
  BOND(&g, 14, 14, 15, 2, 0, 1, 0); /* acid C=O */
  BOND(&g, 15, 14, 16, 1, 0, 1, 0); /* acid C-OH */
  BOND(&g, 16, 1, 17, 1, 0, 0, 0);
  BOND(&g, 17, 17, 18, 2, 0, 1, 0);
  BOND(&g, 18, 17, 19, 1, 0, 1, 0);
  NBRS(&g, 1, 0, 2, 17);
  NBRS(&g, 7, 6, 8, 10);
  NBRS(&g, 10, 7, 11, 12);
  NBRS(&g, 9, 8);
  check_invariants(&g, "glutathione");
  molgraph_free(&g);
}

/* 4-Mercaptobenzoic acid OC(=O)c1ccc(S)cc1: atoms 0 O(H), 1 C, 2 O(=),
 * 3 c, 4 c, 5 c, 6 c, 7 S, 8 c, 9 c; ring closure 1 joins 9 and 3.
 * Bonds: b0 0-1, b1 1=2, b2 1-3, b3 3:4, b4 4:5, b5 5:6, b6 6-7, b7 6:8,
 * b8 8:9, b9 9:3. Six aromatic atoms (3,4,5,6,8,9) and six aromatic bonds,
 * all conjugated and in the ring. The carboxyl is conjugated with the ring:
 * C1 has the C=O pi bond, its neighbours c3 (aromatic, degree 3) and O0
 * (lone pair) are candidates, so b0, b1, b2 are conjugated. The Ar-SH
 * bond b6 is NOT (RDKit does not count a two-coordinate third-row S(H) as
 * a conjugation partner). Ring CH atoms: degree 2, 1 H, implicit valence
 * 1; c3 and c6: degree 3, no H. */
static void test_mercaptobenzoic(void) {
  molgraph g;
  int rc = molgraph_from_smiles("OC(=O)c1ccc(S)cc1", &g);
  CHECK(rc == AU_OK);
  if (rc) return;
  CHECK(g.natoms == 10 && g.nbonds == 10 && g.nfrags == 1);
  ATOM(&g, 0, E_O, 1, 1, 1, 0);
  ATOM(&g, 1, E_C, 3, 0, 0, 0);
  ATOM(&g, 2, E_O, 1, 0, 0, 0);
  ATOM(&g, 3, E_C, 3, 0, 0, 1);
  ATOM(&g, 4, E_C, 2, 1, 1, 1);
  ATOM(&g, 5, E_C, 2, 1, 1, 1);
  ATOM(&g, 6, E_C, 3, 0, 0, 1);
  ATOM(&g, 7, E_S, 1, 1, 1, 0);
  ATOM(&g, 8, E_C, 2, 1, 1, 1);
  ATOM(&g, 9, E_C, 2, 1, 1, 1);
  BOND(&g, 0, 0, 1, 1, 0, 1, 0);
  BOND(&g, 1, 1, 2, 2, 0, 1, 0);
  BOND(&g, 2, 1, 3, 1, 0, 1, 0);
  BOND(&g, 3, 3, 4, 0, 1, 1, 1);
  BOND(&g, 4, 4, 5, 0, 1, 1, 1);
  BOND(&g, 5, 5, 6, 0, 1, 1, 1);
  BOND(&g, 6, 6, 7, 1, 0, 0, 0);
  BOND(&g, 7, 6, 8, 0, 1, 1, 1);
  BOND(&g, 8, 8, 9, 0, 1, 1, 1);
  BOND(&g, 9, 9, 3, 0, 1, 1, 1);
  int narom = 0, naromb = 0, nring = 0;
  for (int a = 0; a < g.natoms; a++) narom += g.aromatic[a];
  for (int b = 0; b < g.nbonds; b++) naromb += g.bond_arom[b], nring += g.bond_ring[b];
  CHECK(narom == 6 && naromb == 6 && nring == 6);
  NBRS(&g, 3, 1, 4, 9);
  NBRS(&g, 6, 5, 7, 8);
  NBRS(&g, 9, 8, 3);
  check_invariants(&g, "4-mercaptobenzoic acid");
  molgraph_free(&g);
}

/* A non-aromatic ring: cyclohexane C1CCCCC1, 6 ring bonds, none aromatic
 * or conjugated; each C degree 2, 2 H. */
static void test_aliphatic_ring(void) {
  molgraph g;
  int rc = molgraph_from_smiles("C1CCCCC1", &g);
  CHECK(rc == AU_OK);
  if (rc) return;
  CHECK(g.natoms == 6 && g.nbonds == 6 && g.nfrags == 1);
  for (int a = 0; a < 6; a++) ATOM(&g, a, E_C, 2, 2, 2, 0);
  for (int b = 0; b < 6; b++) CHECK(g.bond_ring[b] == 1 && g.bond_arom[b] == 0 && g.bond_conj[b] == 0);
  molgraph_free(&g);
}

/* Xenon [Xe]: not in the element list -> slot 43 (unknown); bracket atom
 * with no H: degree 0, H 0, implicit valence 0. Gold [Au] is in the list
 * (slot 33). Methane "C": total H 4 -> last H bin. */
static void test_single_atoms(void) {
  molgraph g;
  int rc = molgraph_from_smiles("[Xe]", &g);
  CHECK(rc == AU_OK);
  if (!rc) {
    CHECK(g.natoms == 1 && g.nbonds == 0 && g.nfrags == 1 && g.z[0] == 54);
    ATOM(&g, 0, E_UNK, 0, 0, 0, 0);
    molgraph_free(&g);
  }
  rc = molgraph_from_smiles("[Au]", &g);
  CHECK(rc == AU_OK);
  if (!rc) {
    ATOM(&g, 0, E_AU, 0, 0, 0, 0);
    molgraph_free(&g);
  }
  rc = molgraph_from_smiles("C", &g);
  CHECK(rc == AU_OK);
  if (!rc) {
    CHECK(g.natoms == 1 && g.nbonds == 0);
    ATOM(&g, 0, E_C, 0, 4, 4, 0);
    molgraph_free(&g);
  }
  /* Sulfur hexafluoride: S has 6 neighbours, one more than the last degree
   * bin (5); the documented choice is that the last bin means "5 or more".
   * Each row must still be a valid one-hot. */
  rc = molgraph_from_smiles("FS(F)(F)(F)(F)F", &g);
  CHECK(rc == AU_OK);
  if (!rc) {
    CHECK(g.natoms == 7 && g.nbonds == 6 && g.degree[1] == 6);
    const double *r = g.atom_feat + 1 * MG_ATOM_FEATS;
    double s = 0;
    for (int j = MG_OFF_DEGREE; j < MG_OFF_HS; j++) s += r[j];
    CHECK(s == 1 && r[MG_OFF_DEGREE + MG_MAX_DEGREE] == 1); /* bin 5, degree[] still 6 */
    CHECK(r[MG_OFF_ELEM + E_S] == 1 && r[MG_OFF_HS + 0] == 1 && r[MG_OFF_IMPVAL + 0] == 1);
    ATOM(&g, 0, E_F, 1, 0, 0, 0);
    molgraph_free(&g);
  }
}

/* Capture fds 1 and 2 around a parse, so we can check that RDKit printed
 * nothing. In the shim builds logging is off from the first call; with
 * the real librdkitcffi, logging is disabled as main() does. */
typedef struct { int save1, save2; char path[64]; int fd; } capture;
static void capture_start(capture *c) {
  fflush(stdout);
  fflush(stderr);
  strcpy(c->path, "/tmp/test_molgraph_XXXXXX");
  c->fd = mkstemp(c->path);
  c->save1 = dup(1);
  c->save2 = dup(2);
  dup2(c->fd, 1);
  dup2(c->fd, 2);
}
static long capture_end(capture *c) {
  fflush(stdout);
  fflush(stderr);
  dup2(c->save1, 1);
  dup2(c->save2, 2);
  close(c->save1);
  close(c->save2);
  long n = lseek(c->fd, 0, SEEK_END);
  close(c->fd);
  unlink(c->path);
  return n;
}

static void test_invalid(void) {
  const char *bad[] = {"C1CC", "not_a_smiles", "C(C", "CC)C", "[Foo]", "c1cccc1", "C%1"};
  const int nbad = sizeof bad / sizeof bad[0];
  int rcs[16];
  char msgs[16][256];
  molgraph gs[16];
  capture cap;
  capture_start(&cap);
  for (int i = 0; i < nbad; i++) {
    au_errclear();
    rcs[i] = molgraph_from_smiles(bad[i], &gs[i]);
    snprintf(msgs[i], sizeof msgs[i], "%s", au_errmsg());
  }
  long printed = capture_end(&cap);
  /* nothing from RDKit (or anyone) on stdout or stderr */
  CHECK(printed == 0);
  for (int i = 0; i < nbad; i++) {
    if (rcs[i] != AU_EDATA || !strstr(msgs[i], bad[i]))
      fprintf(stderr, "  invalid SMILES '%s': rc %d, message \"%s\"\n", bad[i], rcs[i], msgs[i]);
    CHECK(rcs[i] == AU_EDATA);
    CHECK(strstr(msgs[i], bad[i]) != NULL); /* the message names the SMILES */
    CHECK(gs[i].natoms == 0 && gs[i].atom_feat == NULL && gs[i].canonical == NULL);
    molgraph_free(&gs[i]); /* safe on a failed graph */
  }
  /* empty and NULL SMILES */
  molgraph g;
  au_errclear();
  CHECK(molgraph_from_smiles("", &g) == AU_EDATA);
  CHECK(au_errcode() == AU_EDATA && au_errmsg()[0] != 0);
  CHECK(strstr(au_errmsg(), "SMILES") != NULL);
  CHECK(g.natoms == 0);
  molgraph_free(&g);
  au_errclear();
  CHECK(molgraph_from_smiles(NULL, &g) == AU_EDATA);
  CHECK(au_errcode() == AU_EDATA);
  molgraph_free(&g);
}

/* molgraph_from_json with input RDKit would never give: rejected, not
 * crashed on. */
static void test_bad_json(void) {
  molgraph g;
  au_errclear();
  CHECK(molgraph_from_json("{not json", "CCX", &g) == AU_EDATA);
  CHECK(strstr(au_errmsg(), "CCX") != NULL);
  CHECK(molgraph_from_json("{\"molecules\":[{\"atoms\":[]}]}", "Q", &g) == AU_EDATA);
  /* a bond to an atom that does not exist */
  CHECK(molgraph_from_json("{\"molecules\":[{\"atoms\":[{\"z\":6},{\"z\":6}],"
                           "\"bonds\":[{\"atoms\":[0,5]}]}]}",
                           "CC", &g) == AU_EDATA);
  CHECK(g.natoms == 0 && g.atom_feat == NULL);
  /* a minimal valid document: two carbons, one bond, 3 H each (ethane) */
  int rc = molgraph_from_json("{\"molecules\":[{\"atoms\":[{\"z\":6,\"impHs\":3},{\"z\":6,\"impHs\":3}],"
                              "\"bonds\":[{\"atoms\":[0,1],\"bo\":1}]}]}",
                              "CC", &g);
  CHECK(rc == AU_OK);
  if (!rc) {
    CHECK(g.natoms == 2 && g.nbonds == 1 && g.nfrags == 1);
    ATOM(&g, 0, E_C, 1, 3, 3, 0);
    ATOM(&g, 1, E_C, 1, 3, 3, 0);
    BOND(&g, 0, 0, 1, 1, 0, 0, 0);
    molgraph_free(&g);
  }
}

int main(void) {
#ifdef AUCLUST_HAVE_RDKITCFFI
  disable_logging(); /* the real librdkitcffi logs by default; main() turns it off */
#endif
  test_layout();
  test_cysteamine();
  test_water();
  test_nabh4();
  test_three_fragments();
  test_glutathione();
  test_mercaptobenzoic();
  test_aliphatic_ring();
  test_single_atoms();
  test_invalid();
  test_bad_json();
  return check_report();
}
