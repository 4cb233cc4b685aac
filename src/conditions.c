#include "conditions.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd_common.h"
#include "err.h"

int cond_index(const char *name) {
  static const struct { const char *alias; int c; } al[] = {
      {"ligand", D_LIGAND_MM}, {"haucl4", D_HAUCL4_MM}, {"HAuCl4", D_HAUCL4_MM}, {"reductant", D_REDUCTANT_MM},
      {"temperature", D_TEMPERATURE_C}, {"T", D_TEMPERATURE_C}, {"ph", D_PH}};
  for (int c = 0; c < AU_NCOND; c++)
    if (!strcmp(name, au_desc_name[c])) return c;
  for (size_t i = 0; i < sizeof al / sizeof al[0]; i++)
    if (!strcmp(name, al[i].alias)) return al[i].c;
  return -1;
}

const char *cond_label(int c) {
  static const char *lab[AU_NCOND] = {"ligand (mM)", "HAuCl4 (mM)", "reducing agent (mM)", "temperature (°C)", "pH"};
  return c >= 0 && c < AU_NCOND ? lab[c] : "?";
}

int cond_check(int c, double v, const char *what) {
  if (!isfinite(v)) return au_fail(AU_EUSAGE, "%s: not a finite number", what);
  if (c == D_PH && (v < 0 || v > 14)) return au_fail(AU_EUSAGE, "%s: pH %g is outside 0-14", what, v);
  if (c == D_TEMPERATURE_C && (v < -20 || v > 150))
    return au_fail(AU_EUSAGE, "%s: temperature %g C is outside -20..150 C", what, v);
  if (c <= D_REDUCTANT_MM && v < 0) return au_fail(AU_EUSAGE, "%s: concentration %g mM is negative", what, v);
  return 0;
}

static int parse_range_impl(const char *spec, int *c, double *lo, double *hi, int allow_fixed) {
  const char *a = strchr(spec, ':'), *b = a ? strchr(a + 1, ':') : NULL;
  if (!a || !b) return au_fail(AU_EUSAGE, "range '%s': expected NAME:LOW:HIGH, e.g. pH:7:14", spec);
  char name[64];
  snprintf(name, sizeof name, "%.*s", (int)(a - spec), spec);
  if ((*c = cond_index(name)) < 0)
    return au_fail(AU_EUSAGE,
                   "range '%s': '%s' is not a reaction condition (ligand_mM, haucl4_mM, reductant_mM, temperature_C, pH)",
                   spec, name);
  char *e1, *e2;
  *lo = strtod(a + 1, &e1);
  *hi = strtod(b + 1, &e2);
  if (e1 != b || *e2 || e1 == a + 1 || e2 == b + 1 || !isfinite(*lo) || !isfinite(*hi))
    return au_fail(AU_EUSAGE, "range '%s': LOW and HIGH must be finite numbers", spec);
  if (!(*lo < *hi) && !(allow_fixed && *lo == *hi))
    return au_fail(AU_EUSAGE, "range '%s': empty range (LOW must be below HIGH)", spec);
  int rc = cond_check(*c, *lo, spec);
  return rc ? rc : cond_check(*c, *hi, spec);
}

int parse_range(const char *spec, int *c, double *lo, double *hi) { return parse_range_impl(spec, c, lo, hi, 0); }
int parse_range_or_fixed(const char *spec, int *c, double *lo, double *hi) {
  return parse_range_impl(spec, c, lo, hi, 1);
}

void recipe_graphs(const recipe_set *rs, const recipe *r, const molgraph *out[NROLES]) {
  for (int k = 0; k < NROLES; k++) out[k] = &rs->mol[r->mol[k]].g;
}

int base_recipe_load(const model *m, const char *spec, const char *recipes, const char *comp_path,
                     const input_opts *io, base_recipe *b) {
  memset(b, 0, sizeof *b);
  struct stat st;
  int is_file = !stat(spec, &st) && S_ISREG(st.st_mode);
  const char *path = is_file ? spec : (recipes ? recipes : m->train_file);
  if (!is_file && (!path || !*path))
    return au_fail(AU_EUSAGE, "--base %s: not a file, and no recipe file to look the id up in (give --recipes)", spec);
  if (!is_file && !recipes && stat(path, &st))
    return au_fail(AU_EIO, "--base %s: the model's training file %s (the path stored in the model) cannot be read: %s; "
                   "give the recipe file with --recipes FILE", spec, path, strerror(errno));
  int rc = open_recipes_for_model(m, path, comp_path, io, &b->comp, &b->rs);
  if (rc) return rc;
  if (is_file) {
    if (b->rs.n != 1) rc = au_fail(AU_EUSAGE, "--base %s: a base recipe file must hold exactly one recipe, not %d", spec, b->rs.n);
    else b->r = &b->rs.r[0];
  } else {
    for (int i = 0; i < b->rs.n && !b->r; i++)
      if (!strcmp(b->rs.r[i].id, spec)) b->r = &b->rs.r[i];
    if (!b->r) rc = au_fail(AU_EUSAGE, "--base %s: no recipe with that id in %s", spec, path);
  }
  if (rc) base_recipe_free(b);
  return rc;
}

void base_recipe_free(base_recipe *b) {
  recipes_free(&b->rs);
  components_free(&b->comp);
  memset(b, 0, sizeof *b);
}

int cond_bounds_from_json(const cJSON *j, const char *bf, double *lo, double *hi) {
  int rc = 0;
  if (!cJSON_IsObject(j)) rc = au_fail(AU_EDATA, "%s: bounds must be a JSON object {\"pH\": [7, 14], ...}", bf);
  else if (!cJSON_GetArraySize(j)) rc = au_fail(AU_EDATA, "%s: empty search space (no bounds given)", bf);
  const cJSON *e = NULL;
  if (!rc) cJSON_ArrayForEach(e, j) {
    int c = cond_index(e->string);
    const cJSON *l = cJSON_IsArray(e) ? cJSON_GetArrayItem(e, 0) : cJSON_GetObjectItemCaseSensitive(e, "low");
    const cJSON *h = cJSON_IsArray(e) ? cJSON_GetArrayItem(e, 1) : cJSON_GetObjectItemCaseSensitive(e, "high");
    char what[160];
    snprintf(what, sizeof what, "%s: %s", bf, e->string);
    if (c < 0) rc = au_fail(AU_EDATA, "%s is not a reaction condition (ligand_mM, haucl4_mM, reductant_mM, temperature_C, pH)", what);
    else if (!cJSON_IsNumber(l) || !cJSON_IsNumber(h) || (cJSON_IsArray(e) && cJSON_GetArraySize(e) != 2))
      rc = au_fail(AU_EDATA, "%s: expected [low, high]", what);
    else if (l->valuedouble > h->valuedouble) rc = au_fail(AU_EDATA, "%s: low %g > high %g", what, l->valuedouble, h->valuedouble);
    else if ((rc = cond_check(c, l->valuedouble, what)) || (rc = cond_check(c, h->valuedouble, what))) rc = AU_EDATA;
    if (rc) break;
    lo[c] = l->valuedouble;
    hi[c] = h->valuedouble;
  }
  if (rc == AU_EDATA && au_errcode() != AU_EDATA) { /* cond_check reports usage errors; this one is file data */
    char msg[600];
    snprintf(msg, sizeof msg, "%s", au_errmsg());
    rc = au_fail(AU_EDATA, "%s", msg);
  }
  return rc;
}
