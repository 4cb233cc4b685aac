/* auclust featurize: recipes -> the 17 Table-1 descriptors (raw, unscaled)
 * and, with --json, the molecular graph tensors the GCNN sees. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

#include "binding.h"
#include "cli.h"
#include "cmd_common.h"
#include "commands.h"
#include "err.h"
#include "outfile.h"
#include "recipes.h"
#include "table.h"

/* Rows per chunk of a streamed CSV run: memory is bounded by it and by the
 * distinct molecules, not by the file. */
#define FEATURIZE_CHUNK 4096

static const cli_opt opts[] = {
    {"--components", "-c", "FILE", "solvent/reductant properties (default: components.csv beside RECIPES, else the bundled table)"},
    {"--output", "-o", "OUT", "output file (default: stdout; '-' = stdout)"},
    {"--json", NULL, NULL, "write JSON with the graph tensors instead of CSV"},
    {"--ph-missing", NULL, "PH", "value an empty pH (organic solvent) is encoded as (default 7)"},
    {"--allow-missing-ph", NULL, NULL, "accept an empty pH in water-like solvents too"},
    CLI_INPUT_OPTS,
    {NULL, NULL, NULL, NULL}};

static const cli_spec spec = {
    "featurize", "RECIPES.csv [options]",
    "Computes for every recipe the 17 basic descriptors of the paper's Table 1 (raw values,\n"
    "before the min-max scaling a model applies), the size of each molecule's graph, the\n"
    "ligand's gold-binding groups (ligand_binding) and the counter-ion fragments dropped from\n"
    "it (ligand_dropped). RECIPES.csv may be '-' for stdin.\n"
    "The CSV output streams: the file is read, featurised and written 4,096 rows at a\n"
    "time, in memory bounded by that and the distinct molecules, not by the file's length\n"
    "(no size limit; a row may hold at most 1 MB). An error in any row still leaves no\n"
    "output (stdout gets the rows only once all are read). --json holds the whole file.",
    opts, 1, 1,
    "example:\n  auclust featurize data/au_nc_recipes.csv -o features.csv\n"
    "  auclust featurize data/au_nc_recipes.csv --json -o graphs.json"};

static void write_csv_header(FILE *f, const recipe_set *s) {
  fputs("id,ligand,solvent,reductant", f);
  for (int d = 0; d < AU_NDESC; d++) fprintf(f, ",%s", au_desc_name[d]);
  fputs(",ph_missing,ligand_binding,ligand_dropped", f);
  for (int k = 0; k < NROLES; k++) fprintf(f, ",%s_atoms,%s_bonds", role_name[k], role_name[k]);
  if (s->has_outcome) fputs(",outcome", f);
  fputc('\n', f);
}

static void write_csv_rows(FILE *f, const recipe_set *s) {
  for (int i = 0; i < s->n; i++) {
    const recipe *r = &s->r[i];
    csv_put(f, r->id);
    for (int k = 0; k < NROLES; k++) fputc(',', f), csv_put(f, r->name[k]);
    for (int d = 0; d < AU_NDESC; d++) fputc(',', f), csv_put_num(f, r->x[d]);
    char groups[256];
    binding_describe(s->mol[r->mol[ROLE_LIGAND]].binding, groups, sizeof groups);
    fprintf(f, ",%d,%s,", r->ph_missing, groups);
    csv_put(f, r->dropped ? r->dropped : "");
    for (int k = 0; k < NROLES; k++) {
      const molgraph *g = &s->mol[r->mol[k]].g;
      fprintf(f, ",%d,%d", g->natoms, g->nbonds);
    }
    if (s->has_outcome) {
      if (r->outcome >= 0) fprintf(f, ",%d", r->outcome);
      else fputc(',', f);
    }
    fputc('\n', f);
  }
}

static cJSON *int_rows(const double *m, int rows, int cols) {
  cJSON *a = cJSON_CreateArray();
  for (int i = 0; i < rows; i++) {
    cJSON *r = cJSON_CreateArray();
    for (int j = 0; j < cols; j++) cJSON_AddItemToArray(r, cJSON_CreateNumber(m[(size_t)i * cols + j]));
    cJSON_AddItemToArray(a, r);
  }
  return a;
}

static cJSON *molecule_json(const molecule *m) {
  const molgraph *g = &m->g;
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "smiles", m->canonical);
  cJSON_AddNumberToObject(o, "atoms", g->natoms);
  cJSON_AddNumberToObject(o, "bonds", g->nbonds);
  cJSON_AddNumberToObject(o, "fragments", g->nfrags);
  cJSON_AddItemToObject(o, "atom_features", int_rows(g->atom_feat, g->natoms, MG_ATOM_FEATS));
  cJSON_AddItemToObject(o, "bond_features", int_rows(g->bond_feat, g->nbonds, MG_BOND_FEATS));
  cJSON *ba = cJSON_CreateArray(), *nb = cJSON_CreateArray(), *nbb = cJSON_CreateArray();
  for (int b = 0; b < g->nbonds; b++) {
    int ends[2] = {g->bond_a[b], g->bond_b[b]};
    cJSON_AddItemToArray(ba, cJSON_CreateIntArray(ends, 2));
  }
  for (int a = 0; a < g->natoms; a++) {
    int lo = g->nbr_start[a], n = g->nbr_start[a + 1] - lo;
    cJSON_AddItemToArray(nb, cJSON_CreateIntArray(g->nbr_atom + lo, n));
    cJSON_AddItemToArray(nbb, cJSON_CreateIntArray(g->nbr_bond + lo, n));
  }
  cJSON_AddItemToObject(o, "bond_atoms", ba);
  cJSON_AddItemToObject(o, "neighbours", nb);
  cJSON_AddItemToObject(o, "neighbour_bonds", nbb);
  return o;
}

static int write_json(FILE *f, const recipe_set *s, const char *comp_path) {
  cJSON *root = cJSON_CreateObject();
  cJSON_AddStringToObject(root, "recipes_file", s->path);
  cJSON_AddStringToObject(root, "components_file", comp_path);
  cJSON_AddItemToObject(root, "descriptors", cJSON_CreateStringArray(au_desc_name, AU_NDESC));
  cJSON_AddItemToObject(root, "units", cJSON_CreateStringArray(au_desc_unit, AU_NDESC));
  const char *af = "one-hot element (C N O S F Si P Cl Br Mg Na Ca Fe As Al I B V K Tl Yb Sb Sn Ag Pd Co "
                   "Se Ti Zn H Li Ge Cu Au Ni Cd In Mn Zr Cr Pt Hg Pb, unknown) [0-43], degree 0-5 [44-49], "
                   "total H 0-4 [50-54], implicit valence 0-5 [55-60], aromatic [61]";
  cJSON_AddStringToObject(root, "atom_feature_layout", af);
  cJSON_AddStringToObject(root, "bond_feature_layout", "single, double, triple, aromatic, conjugated, in ring");
  cJSON *recs = cJSON_AddArrayToObject(root, "recipes");
  for (int i = 0; i < s->n; i++) {
    const recipe *r = &s->r[i];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", r->id);
    for (int k = 0; k < NROLES; k++) cJSON_AddStringToObject(o, role_name[k], r->name[k]);
    cJSON *d = cJSON_AddObjectToObject(o, "descriptors");
    for (int j = 0; j < AU_NDESC; j++) cJSON_AddNumberToObject(d, au_desc_name[j], r->x[j]);
    cJSON_AddBoolToObject(o, "ph_missing", r->ph_missing);
    char groups[256];
    binding_describe(s->mol[r->mol[ROLE_LIGAND]].binding, groups, sizeof groups);
    cJSON_AddStringToObject(o, "ligand_binding", groups);
    if (r->dropped) cJSON_AddStringToObject(o, "ligand_dropped", r->dropped);
    else cJSON_AddNullToObject(o, "ligand_dropped");
    cJSON *m = cJSON_AddObjectToObject(o, "molecules");
    for (int k = 0; k < NROLES; k++) cJSON_AddNumberToObject(m, role_name[k], r->mol[k]);
    if (r->outcome >= 0) cJSON_AddNumberToObject(o, "outcome", r->outcome);
    cJSON_AddItemToArray(recs, o);
  }
  cJSON *mols = cJSON_AddArrayToObject(root, "molecules");
  for (int i = 0; i < s->nmol; i++) cJSON_AddItemToArray(mols, molecule_json(&s->mol[i]));
  char *txt = cJSON_Print(root);
  cJSON_Delete(root);
  if (!txt) return au_fail(AU_ENOMEM, "cannot format JSON");
  fputs(txt, f);
  fputc('\n', f);
  free(txt);
  return 0;
}

int cmd_featurize(int argc, char **argv) {
  cli_args a;
  int rc;
  if (cli_start(&spec, argc, argv, &a, &rc)) return rc;
  input_opts io;
  input_opts_from_cli(&a, NULL, &io);
  if ((rc = cli_double(&a, "--ph-missing", 0, 14, &io.o.ph_missing_value))) { cli_free(&a); return rc; }
  const char *path = a.pos[0];
  component_table comp;
  recipe_set s;
  outfile out = {0};
  if (!cli_flag(&a, "--json")) { /* CSV: streamed, a chunk of rows at a time */
    recipe_stream *st;
    if (!(rc = open_recipes_stream(path, cli_get(&a, "--components"), &io, &comp, &s, &st))) {
      int opened = 0;
      /* the output is opened after the first chunk, so that a file of one
       * chunk reports a bad row before an unwritable output */
      while (!(rc = recipes_stream_next(st, FEATURIZE_CHUNK)) && s.n) {
        if (!opened) {
          if ((rc = out_open_spooled(&out, cli_get(&a, "--output")))) break;
          opened = 1;
          write_csv_header(out.f, &s);
        }
        write_csv_rows(out.f, &s);
      }
      if (opened) {
        if (!rc) rc = out_commit(&out);
        if (rc) out_abort(&out);
      }
      recipes_stream_close(st);
      if (!rc) print_notes(io.cmd, &s);
      recipes_free(&s);
      components_free(&comp);
    }
    cli_free(&a);
    return rc;
  }
  if (!(rc = open_recipes(path, cli_get(&a, "--components"), &io, &comp, &s))) {
    if (!(rc = out_open(&out, cli_get(&a, "--output")))) {
      rc = write_json(out.f, &s, comp.path);
      rc = rc ? rc : out_commit(&out);
      if (rc) out_abort(&out);
    }
    recipes_free(&s);
    components_free(&comp);
  }
  cli_free(&a);
  return rc;
}
