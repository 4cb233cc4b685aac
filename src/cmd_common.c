#include "cmd_common.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "table.h"

int hparams_from_cli(const cli_args *a, const char *kind, hparams *hp) {
  const char *f = cli_get(a, "--hparams");
  char *file_kind = !kind && f ? hparams_file_kind(f) : NULL; /* tune's output names its model */
  int rc = hparams_default(kind ? kind : file_kind ? file_kind : "gcnn_snn", hp);
  free(file_kind);
  if (rc) return rc;
  if (f && (rc = hparams_load_file(f, hp))) return rc;
  for (int i = 0; i < cli_count(a, "--set"); i++) {
    const char *kv = cli_nth(a, "--set", i), *eq = strchr(kv, '=');
    if (!eq) return au_fail(AU_EUSAGE, "--set '%s': expected name=value", kv);
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(eq - kv), kv);
    if ((rc = hparams_set(hp, name, eq + 1))) return rc;
  }
  return hparams_check(hp);
}

int open_recipes(const char *path, const char *comp_path, double ph_missing, int require_outcome,
                 component_table *comp, recipe_set *rs) {
  char *cp = comp_path ? xstrdup(comp_path) : components_default_path(path);
  int rc = components_load(cp, comp);
  free(cp);
  if (rc) return rc;
  recipe_opts o = recipe_opts_default();
  o.ph_missing_value = ph_missing;
  o.require_outcome = require_outcome;
  if ((rc = recipes_load(path, comp, &o, rs))) components_free(comp);
  return rc;
}

int open_recipes_for_model(const model *m, const char *path, const char *comp_path, component_table *comp,
                           recipe_set *rs) {
  int rc;
  if (comp_path) {
    if ((rc = components_load(comp_path, comp))) return rc;
    if ((rc = model_check_components(m, comp))) { components_free(comp); return rc; }
  } else {
    /* the model's own table: what it was trained with */
    memset(comp, 0, sizeof *comp);
    comp->path = xstrdup("the model's components");
    comp->c = xcalloc(m->comps.n + 1, sizeof(component));
    for (int i = 0; i < m->comps.n; i++) {
      component *d = &comp->c[comp->n++];
      *d = m->comps.c[i];
      d->name = xstrdup(d->name); d->smiles = xstrdup(d->smiles);
      d->canonical = xstrdup(d->canonical); d->role = xstrdup(d->role);
    }
  }
  recipe_opts o = recipe_opts_default();
  o.ph_missing_value = m->hp.ph_missing;
  if ((rc = recipes_load(path, comp, &o, rs))) components_free(comp);
  return rc;
}

static int progress_shown;

void progress(const char *fmt, ...) {
  if (!isatty(STDERR_FILENO)) return;
  va_list ap;
  va_start(ap, fmt);
  fputs("\r\033[K", stderr);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fflush(stderr);
  progress_shown = 1;
}

void progress_done(void) {
  if (progress_shown) fputs("\r\033[K", stderr);
  progress_shown = 0;
}

void put_carry_header(FILE *f, const recipe_set *rs) {
  fputs("id", f);
  for (int k = 1; k < RECIPE_NCARRY; k++)
    if (rs->has_carry[k]) fprintf(f, ",%s", recipe_carry_cols[k]);
}

void put_carry_fields(FILE *f, const recipe_set *rs, const recipe *r) {
  csv_put(f, r->id);
  for (int k = 1; k < RECIPE_NCARRY; k++)
    if (rs->has_carry[k]) fputc(',', f), csv_put(f, r->carry[k]);
}

void model_desc_range(const model *m, double lo[AU_NDESC], double hi[AU_NDESC]) {
  for (int j = 0; j < AU_NDESC; j++) { lo[j] = INFINITY; hi[j] = -INFINITY; }
  for (int k = 0; k < m->ninst; k++)
    for (int j = 0; j < AU_NDESC; j++) {
      if (m->inst[k].lo[j] < lo[j]) lo[j] = m->inst[k].lo[j];
      if (m->inst[k].hi[j] > hi[j]) hi[j] = m->inst[k].hi[j];
    }
}

void put_outside_range(FILE *f, const double *x, const double *lo, const double *hi) {
  for (int j = 0, first = 1; j < AU_NDESC; j++) {
    if (x[j] >= lo[j] && x[j] <= hi[j]) continue;
    fprintf(f, "%s%s", first ? "" : ";", au_desc_name[j]);
    first = 0;
  }
}
