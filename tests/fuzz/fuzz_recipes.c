/* The recipe loader over the bundled components table: any bytes give
 * recipes or one AU_EDATA error; loaded recipes have finite descriptors,
 * conditions inside their physical bounds and valid molecule indexes. */
#include <math.h>

#include "fuzz_common.h"
#include "recipes.h"

static component_table comp;

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) {
  fz_init();
  if (!comp.n && components_load(AUCLUST_SOURCE_DIR "/data/components.csv", &comp)) abort();
  fz_file f;
  fz_open(&f, d, n);
  recipe_opts o = recipe_opts_default();
  recipe_set s;
  int rc = recipes_load(f.path, &comp, &o, &s);
  fz_close(&f);
  fz_error_ok(rc, AU_EDATA, AU_EDATA);
  if (rc) return 0;
  FZ_ASSERT(s.n > 0);
  for (int i = 0; i < s.n; i++) {
    const recipe *r = &s.r[i];
    for (int k = 0; k < NROLES; k++) FZ_ASSERT(r->mol[k] >= 0 && r->mol[k] < s.nmol);
    for (int j = 0; j < AU_NDESC + s.nextra; j++) FZ_ASSERT(isfinite(r->x[j]));
    for (int j = 0; j < AU_NDESC; j++)
      if (j < AU_NCOND || s.from_column[j]) FZ_ASSERT(r->x[j] >= au_desc_min[j] || j == D_SOLUBILITY);
    FZ_ASSERT(r->outcome >= -1 && r->outcome <= 1);
    FZ_ASSERT(s.mol[r->mol[ROLE_LIGAND]].has_props);
  }
  recipes_free(&s);
  return 0;
}
