/* SMILES -> graph -> descriptors: any text gives a graph or one AU_EDATA
 * error; a graph has consistent neighbour lists, one-hot feature rows, at
 * most MG_MAX_ATOMS atoms, and finite descriptors (Bertz CT included). */
#include <math.h>

#include "descriptors.h"
#include "fuzz_common.h"
#include "molgraph.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) {
  fz_init();
  if (n > 2 * MG_MAX_SMILES) return 0; /* refused by length alone; keep the fuzzer on parsing */
  char *s = fz_str(d, n);
  molgraph g;
  int rc = molgraph_from_smiles(s, &g);
  fz_error_ok(rc, AU_EDATA, AU_EDATA);
  if (!rc) {
    FZ_ASSERT(g.natoms >= 1 && g.natoms <= MG_MAX_ATOMS && g.canonical);
    FZ_ASSERT(g.nbr_start[g.natoms] == 2 * g.nbonds);
    for (int a = 0; a < g.natoms; a++) {
      double sum = 0;
      for (int j = 0; j < MG_OFF_AROM; j++) sum += g.atom_feat[(size_t)a * MG_ATOM_FEATS + j];
      FZ_ASSERT(sum == 4); /* element, degree, H count, implicit valence: one bin each */
    }
    for (int b = 0; b < g.nbonds; b++) FZ_ASSERT(g.bond_a[b] != g.bond_b[b]);
    ligand_props p;
    int rc2 = ligand_props_compute(g.canonical, &g, &p);
    fz_error_ok(rc2, AU_EDATA, AU_EDATA);
    if (!rc2) {
      double v[] = {p.charge, p.hbd, p.hba, p.aromatic, p.mw, p.rotatable, p.complexity, p.tpsa, p.logp, p.aromatic_proportion};
      for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) FZ_ASSERT(isfinite(v[i]));
      FZ_ASSERT(p.complexity >= 0);
      FZ_ASSERT(isfinite(ligand_solubility(&p, 80.1)));
    }
    molgraph_free(&g);
  }
  free(s);
  return 0;
}
