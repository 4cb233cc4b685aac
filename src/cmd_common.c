#include "cmd_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "progress.h"
#include "table.h"

int hparams_from_cli(const cli_args *a, const char *kind, hparams *hp) {
  const char *f = cli_get(a, "--hparams");
  char *file_kind = !kind && f ? hparams_file_kind(f) : NULL; /* tune's output names its model */
  int rc = hparams_preset(kind ? kind : file_kind ? file_kind : "gcnn_snn", cli_get(a, "--preset"), hp);
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

/* Names for --extra-descriptors: user columns, not the Table-1 descriptors
 * (a column of that name overrides the computed value instead) nor the
 * columns recipes already have a meaning for. */
static int parse_extra(const char *list, input_opts *io) {
  static const char *const taken[] = {"ligand_smiles", "solvent_smiles", "reductant_smiles", "outcome", "id",
                                      "ligand", "solvent", "reductant", "set_ii"};
  io->buf = xstrdup(list);
  char *save = NULL;
  for (char *tok = strtok_r(io->buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    while (*tok == ' ') tok++;
    tok[strcspn(tok, " ")] = 0;
    if (!*tok) continue;
    if (au_desc_index(tok) >= 0)
      return au_fail(AU_EUSAGE, "--extra-descriptors: '%s' is one of the 17 descriptors; a column of that name already "
                                "gives per-recipe values", tok);
    for (size_t k = 0; k < sizeof taken / sizeof taken[0]; k++)
      if (!strcmp(tok, taken[k])) return au_fail(AU_EUSAGE, "--extra-descriptors: '%s' is not a descriptor column", tok);
    for (int j = 0; j < io->o.nextra; j++)
      if (!strcmp(tok, io->extra[j])) return au_fail(AU_EUSAGE, "--extra-descriptors: '%s' is named twice", tok);
    if (io->o.nextra == AU_MAXEXTRA) return au_fail(AU_EUSAGE, "--extra-descriptors: at most %d columns", AU_MAXEXTRA);
    io->extra[io->o.nextra++] = tok;
  }
  if (!io->o.nextra) return au_fail(AU_EUSAGE, "--extra-descriptors: give column names, e.g. pKa,binding_energy");
  return 0;
}

int input_opts_from_cli(const cli_args *a, const hparams *training, input_opts *io) {
  memset(io, 0, sizeof *io);
  io->cmd = a->spec->cmd;
  io->o = recipe_opts_default();
  io->o.extra = io->extra;
  io->o.allow_missing_ph = cli_flag(a, "--allow-missing-ph");
  if (!training) return 0;
  io->o.ph_missing_value = training->ph_missing;
  io->o.require_outcome = io->o.require_binding = 1;
  const char *ex = cli_get(a, "--extra-descriptors");
  int rc = ex ? parse_extra(ex, io) : 0;
  if (rc) input_opts_free(io);
  return rc;
}

void input_opts_free(input_opts *io) {
  free(io->buf);
  memset(io, 0, sizeof *io);
}

void print_notes(const char *cmd, const recipe_set *rs) {
  for (int i = 0; i < rs->nnotes; i++) fprintf(stderr, "auclust %s: %s\n", cmd, rs->notes[i]);
}

void print_domain_summary(const char *cmd, int outside, int n) {
  fprintf(stderr, "auclust %s: %d of %d recipe%s %s outside the model's domain (see column domain)\n", cmd, outside, n,
          n == 1 ? "" : "s", outside == 1 || n == 1 ? "is" : "are");
}

int open_recipes(const char *path, const char *comp_path, const input_opts *io, component_table *comp,
                 recipe_set *rs) {
  char *cp = comp_path ? xstrdup(comp_path) : components_default_path(path);
  int rc = components_load(cp, comp);
  free(cp);
  if (rc) return rc;
  if ((rc = recipes_load(path, comp, &io->o, rs))) components_free(comp);
  else print_notes(io->cmd, rs);
  return rc;
}

static recipe_opts opts_for_model(const model *m, const char *path, const input_opts *io) {
  recipe_opts o = recipe_opts_default();
  /* the model's own training file, and no --delimiter or --column given:
   * read it as training read it */
  if (path && m->train_file && !strcmp(path, m->train_file) && !o.delimiter && !o.ncolmap) {
    o.delimiter = m->train_delimiter;
    o.ncolmap = m->train_ncolmap;
    for (int k = 0; k < m->train_ncolmap; k++) o.colmap[k] = m->train_colmap[k];
  }
  o.allow_missing_ph = io->o.allow_missing_ph;
  o.ph_missing_value = m->hp.ph_missing;
  o.nextra = m->nextra;
  o.extra = (const char *const *)m->extra_name;
  o.need_column = m->from_column;
  o.for_model = 1;
  return o;
}

int open_recipes_for_model(const model *m, const char *path, const char *comp_path, const input_opts *io,
                           component_table *comp, recipe_set *rs) {
  int rc = model_components(m, comp_path, comp);
  if (rc) return rc;
  recipe_opts o = opts_for_model(m, path, io);
  if ((rc = recipes_load(path, comp, &o, rs))) components_free(comp);
  else print_notes(io->cmd, rs);
  return rc;
}

int open_recipes_stream_for_model(const model *m, const char *path, const char *comp_path, const input_opts *io,
                                  component_table *comp, recipe_set *rs, recipe_stream **st) {
  int rc = model_components(m, comp_path, comp);
  if (rc) return rc;
  recipe_opts o = opts_for_model(m, NULL, io);
  if ((rc = recipes_stream_open(path, comp, &o, rs, st))) components_free(comp);
  return rc;
}

int open_recipes_stream(const char *path, const char *comp_path, const input_opts *io, component_table *comp,
                        recipe_set *rs, recipe_stream **st) {
  char *cp = comp_path ? xstrdup(comp_path) : components_default_path(path);
  int rc = components_load(cp, comp);
  free(cp);
  if (rc) return rc;
  if ((rc = recipes_stream_open(path, comp, &io->o, rs, st))) components_free(comp);
  return rc;
}

static int progress_shown;

void progress(const char *fmt, ...) {
  if (!progress_on()) return;
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

int load_model_cli(const cli_args *a, const char *cmd, model *m) {
  (void)cmd;
  int rc = model_load(m, a->pos[0]);
  if (!rc) m->uncalibrated = cli_flag(a, "--uncalibrated");
  return rc;
}

void print_calibration_note(const char *cmd, const model *m) {
  if (!m->calib.fitted)
    fprintf(stderr, "auclust %s: uncalibrated probabilities: the model has no calibration (trained without --ensemble)\n", cmd);
  else if (m->uncalibrated)
    fprintf(stderr, "auclust %s: uncalibrated probabilities (--uncalibrated)\n", cmd);
  else if (m->calib.a == 0) /* calib.h: the out-of-fold ranking was worse than chance */
    fprintf(stderr,
            "auclust %s: the ensemble's %d out-of-fold predictions rank the recipes worse than chance, so its "
            "calibrated probability is the base rate, %.3f, for every recipe (--uncalibrated for the raw ones)\n",
            cmd, m->calib.n, platt_apply(&m->calib, 0.5));
  else
    fprintf(stderr,
            "auclust %s: probabilities Platt-calibrated on the ensemble's %d out-of-fold predictions "
            "(--uncalibrated for the raw ones)\n",
            cmd, m->calib.n);
}
