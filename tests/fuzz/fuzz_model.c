/* Model files: load -> predict -> score -> save -> load. Any bytes give a
 * model or one AU_EMODEL error (AU_EIO never: the file exists). A loaded
 * model predicts the bundled recipes with finite probabilities or AU_ENUM
 * (never a NaN printed), scores them the same way, and a saved copy loads
 * back with bit-identical weights, scalers and support sets. */
#include <math.h>

#include "fuzz_common.h"
#include "model.h"
#include "scorer.h"

static void round_trip(const model *m) {
  char path[64];
  snprintf(path, sizeof path, "/tmp/auclust_fuzz_model_%d.json", (int)getpid());
  int rc = model_save(m, path);
  fz_error_ok(rc, AU_ENUM, AU_ENUM); /* a scaler range may overflow to inf: refused, not written */
  if (rc) { FZ_ASSERT(access(path, F_OK) != 0); return; }
  model b;
  rc = model_load(&b, path);
  if (rc) fprintf(stderr, "reloading a saved model: %s\n", au_errmsg());
  FZ_ASSERT(rc == 0);
  remove(path);
  FZ_ASSERT(b.ninst == m->ninst && b.nmol == m->nmol && b.L.nparams == m->L.nparams && b.L.nx == m->L.nx);
  for (int k = 0; k < m->ninst; k++) {
    const instance *x = &m->inst[k], *y = &b.inst[k];
    if (m->L.nparams) FZ_ASSERT(!memcmp(x->p, y->p, sizeof(double) * m->L.nparams));
    FZ_ASSERT(!memcmp(x->lo, y->lo, sizeof(double) * m->L.nx) && !memcmp(x->hi, y->hi, sizeof(double) * m->L.nx));
    FZ_ASSERT(x->nsup == y->nsup);
    FZ_ASSERT(!memcmp(x->sup_x, y->sup_x, sizeof(double) * m->L.nx * x->nsup));
  }
  model_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) {
  fz_init();
  fz_file f;
  fz_open(&f, d, n);
  model m;
  int rc = model_load(&m, f.path);
  fz_close(&f);
  fz_error_ok(rc, AU_EMODEL, AU_EMODEL);
  if (rc) return 0;
  if (m.L.nx == AU_NDESC) { /* extra descriptors would need recipe columns the bundled file lacks */
    recipe_opts o = recipe_opts_default();
    o.ph_missing_value = m.hp.ph_missing;
    recipe_set rs;
    int rc2 = recipes_load(AUCLUST_SOURCE_DIR "/data/au_nc_recipes.csv", &m.comps, &o, &rs);
    fz_error_ok(rc2, AU_EDATA, AU_EDATA); /* the model may lack a component the data use */
    if (!rc2) {
      double *p = malloc(sizeof(double) * rs.n * m.ninst + 1);
      int rc3 = model_predict(&m, &rs, p);
      fz_error_ok(rc3, AU_ENUM, AU_ENUM);
      if (!rc3)
        for (long i = 0; i < (long)rs.n * m.ninst; i++) FZ_ASSERT(isfinite(p[i]) && p[i] >= 0 && p[i] <= 1);
      const molgraph *g[NROLES];
      for (int k = 0; k < NROLES; k++) g[k] = &rs.mol[rs.r[0].mol[k]].g;
      scorer *sc = scorer_new(&m, g, rs.r[0].x);
      double q[64];
      int rc4 = m.ninst <= 64 ? scorer_eval(sc, rs.r[0].x, 1, q) : 0;
      fz_error_ok(rc4, AU_ENUM, AU_ENUM);
      scorer_free(sc);
      free(p);
      recipes_free(&rs);
    }
  }
  round_trip(&m);
  model_free(&m);
  return 0;
}
