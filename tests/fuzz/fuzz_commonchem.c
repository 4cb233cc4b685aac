/* molgraph_from_json on arbitrary commonchem JSON (a public function RDKit
 * output never stresses): a graph or one AU_EDATA error; a graph is simple
 * (no self or duplicate bonds), in range, and has a finite Bertz CT. */
#include <math.h>

#include "descriptors.h"
#include "fuzz_common.h"
#include "molgraph.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) {
  fz_init();
  char *s = fz_str(d, n);
  molgraph g;
  int rc = molgraph_from_json(s, NULL, &g);
  fz_error_ok(rc, AU_EDATA, AU_EDATA);
  if (!rc) {
    FZ_ASSERT(g.natoms >= 1 && g.natoms <= MG_MAX_ATOMS);
    char *seen = calloc((size_t)g.natoms * g.natoms, 1);
    for (int b = 0; b < g.nbonds; b++) {
      int x = g.bond_a[b], y = g.bond_b[b];
      FZ_ASSERT(x >= 0 && y >= 0 && x < g.natoms && y < g.natoms && x != y);
      FZ_ASSERT(!seen[(size_t)x * g.natoms + y]);
      seen[(size_t)x * g.natoms + y] = seen[(size_t)y * g.natoms + x] = 1;
      FZ_ASSERT(g.bond_order[b] >= 0 && g.bond_order[b] <= 3);
    }
    free(seen);
    FZ_ASSERT(isfinite(bertz_ct(&g)));
    molgraph_free(&g);
  }
  free(s);
  return 0;
}
