/* The recipe loader over the bundled components table: any bytes give
 * recipes or one AU_EDATA error; loaded recipes have finite descriptors,
 * conditions inside their physical bounds and valid molecule indexes. The
 * recipe stream (predict, featurize) over the same bytes, in tiny blocks
 * and a few rows at a time, gives the same recipes and notes, or fails
 * where the whole load fails. */
#include <math.h>

#include "fuzz_common.h"
#include "recipes.h"
#include "table.h"

static component_table comp;

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) {
  fz_init();
  if (!comp.n && components_load(AUCLUST_SOURCE_DIR "/data/components.csv", &comp)) abort();
  fz_file f;
  fz_open(&f, d, n);
  recipe_opts o = recipe_opts_default();
  recipe_set s;
  int rc = recipes_load(f.path, &comp, &o, &s);
  fz_error_ok(rc, AU_EDATA, AU_EDATA);
  /* the stream */
  table_stream_set_block(1 + n % 17);
  recipe_set t;
  recipe_stream *st;
  int src = recipes_stream_open(f.path, &comp, &o, &t, &st), i = 0;
  while (!src && !(src = recipes_stream_next(st, 1 + (int)(n % 3))) && t.n)
    for (int q = 0; q < t.n && !rc; q++, i++) {
      const recipe *a = &t.r[q], *b = &s.r[i];
      FZ_ASSERT(i < s.n && !strcmp(a->id, b->id) && a->row == b->row && a->outcome == b->outcome);
      FZ_ASSERT(!memcmp(a->x, b->x, sizeof(double) * (AU_NDESC + s.nextra)));
      for (int k = 0; k < NROLES; k++) FZ_ASSERT(!strcmp(t.mol[a->mol[k]].canonical, s.mol[b->mol[k]].canonical));
    }
  fz_error_ok(src, AU_EDATA, AU_EDATA);
  FZ_ASSERT(!src == !rc);
  if (!rc) {
    FZ_ASSERT(i == s.n && t.nnotes == s.nnotes);
    for (int j = 0; j < t.nnotes; j++) FZ_ASSERT(!strcmp(t.notes[j], s.notes[j]));
  }
  recipes_stream_close(st);
  recipes_free(&t);
  table_stream_set_block(0);
  fz_close(&f);
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
