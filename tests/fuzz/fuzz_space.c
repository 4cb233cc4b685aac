/* tune's search-space JSON and suggest's bounds JSON: a space/bounds or one
 * AU_EDATA (or AU_EUSAGE, for bo_space_add's rules) error; an accepted space
 * has finite, ordered bounds and maps to the unit cube and back; accepted
 * bounds are finite, ordered and inside each condition's physical range. */
#include <cjson/cJSON.h>
#include <math.h>

#include "bo.h"
#include "conditions.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) {
  fz_init();
  char *s = fz_str(d, n);
  cJSON *j = cJSON_Parse(s);
  free(s);
  if (!j) return 0;
  bo_space sp;
  int rc = bo_space_from_json(j, &sp);
  fz_error_ok(rc, AU_EDATA, AU_EUSAGE);
  if (!rc) {
    FZ_ASSERT(sp.n > 0);
    double x[64], u[64], x2[64];
    if (sp.n <= 64) {
      for (int i = 0; i < sp.n; i++) {
        FZ_ASSERT(isfinite(sp.dims[i].low) && isfinite(sp.dims[i].high) && sp.dims[i].low < sp.dims[i].high);
        u[i] = 0.5;
      }
      bo_space_from_unit(&sp, u, x);
      bo_space_to_unit(&sp, x, x2);
      for (int i = 0; i < sp.n; i++) FZ_ASSERT(isfinite(x[i]) && x[i] >= sp.dims[i].low && x[i] <= sp.dims[i].high);
    }
    bo_space_free(&sp);
  }
  double lo[AU_NCOND] = {0, 0, 0, 0, 0}, hi[AU_NCOND] = {1, 1, 1, 1, 1};
  rc = cond_bounds_from_json(j, "bounds.json", lo, hi);
  fz_error_ok(rc, AU_EDATA, AU_EDATA);
  if (!rc)
    for (int c = 0; c < AU_NCOND; c++) {
      FZ_ASSERT(isfinite(lo[c]) && isfinite(hi[c]) && lo[c] <= hi[c]);
      FZ_ASSERT(cond_check(c, lo[c], "lo") == 0 && cond_check(c, hi[c], "hi") == 0);
    }
  cJSON_Delete(j);
  return 0;
}
