#include "recipes.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "binding.h"
#include "err.h"
#include "rdkit_cffi.h"
#include "table.h"

const char *const role_name[NROLES] = {"ligand", "solvent", "reductant"};
const char *const role_smiles_col[NROLES] = {"ligand_smiles", "solvent_smiles", "reductant_smiles"};
const char *const recipe_carry_cols[RECIPE_NCARRY] = {"id", "ligand", "solvent", "reductant", "source_doi", "confidence"};

/* Plain decimals ("12.5", "-0.25") of at most 15 digits: the digits as an
 * integer divided by a power of ten, both exact doubles, so the one
 * correctly rounded division gives strtod's value bit for bit (Clinger's
 * fast path). glibc's strtod costs about 1,500 instructions a number, a
 * fifth of reading a recipe row. 0 when s is not such a number. */
static int plain_decimal(const char *s, double *v) {
  static const double pow10[16] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  int neg = *s == '-';
  if (*s == '-' || *s == '+') s++;
  uint64_t m = 0;
  int digits = 0, frac = -1;
  for (;; s++) {
    if (*s >= '0' && *s <= '9') {
      if (++digits > 15) return 0;
      m = m * 10 + (uint64_t)(*s - '0');
      if (frac >= 0) frac++;
    } else if (*s == '.' && frac < 0) {
      frac = 0;
    } else {
      break;
    }
  }
  while (*s == ' ' || *s == '\t') s++;
  if (!digits || *s) return 0; /* an exponent, "inf", hex, text: strtod decides */
  double x = (double)m / pow10[frac > 0 ? frac : 0];
  *v = neg ? -x : x;
  return 1;
}

int parse_number(const char *s, double *v) {
  char *end;
  while (*s == ' ' || *s == '\t') s++;
  if (!*s) return -1;
  if (plain_decimal(s, v)) return 0;
  *v = strtod(s, &end);
  while (*end == ' ' || *end == '\t') end++;
  return (*end || !isfinite(*v)) ? -1 : 0;
}

char *canonical_smiles(const char *smiles) {
  if (smiles_check_text(smiles)) return NULL;
  size_t sz = 0;
  char *pkl = get_mol(smiles, &sz, "");
  if (!pkl) {
    au_fail(AU_EDATA, "RDKit cannot parse SMILES '%s'", smiles);
    return NULL;
  }
  char *c = get_smiles(pkl, sz, "");
  free_ptr(pkl);
  if (!c) {
    au_fail(AU_EDATA, "RDKit cannot write SMILES for '%s'", smiles);
    return NULL;
  }
  char *r = xstrdup(c);
  free_ptr(c);
  return r;
}

/* ---- components table -------------------------------------------------- */
void components_free(component_table *t) {
  for (int i = 0; i < t->n; i++) {
    free(t->c[i].name); free(t->c[i].smiles); free(t->c[i].canonical); free(t->c[i].role);
  }
  free(t->c);
  free(t->path);
  memset(t, 0, sizeof *t);
}

static int comp_number(const table *tb, int i, int col, double *v, const char *what) {
  if (col < 0 || !tb->cell[i][col][0]) { *v = NAN; return 0; }
  char nb[64];
  if (parse_number(table_number_text(tb, tb->cell[i][col], nb, sizeof nb), v))
    return au_fail(AU_EDATA, "%s: row %d, column '%s': '%s' is not a number", tb->path, tb->rowno[i], what,
                   tb->cell[i][col]);
  return 0;
}

static int missing_columns(const table *t, const char *const *need, int nneed, int cli, const char *why);

int components_load(const char *path, component_table *t) {
  memset(t, 0, sizeof *t);
  table tb;
  int rc = table_read(path, &tb); /* delimiter detected; --delimiter and --column are the recipes' */
  if (rc) return rc;
  static const char *const need[] = {"name", "smiles", "role", "dielectric_constant", "redox_potential_V"};
  if ((rc = missing_columns(&tb, need, 5, 0, NULL))) {
    table_free(&tb);
    return rc;
  }
  int cn = table_col(&tb, "name"), cs = table_col(&tb, "smiles"), cr = table_col(&tb, "role"),
      ce = table_col(&tb, "dielectric_constant"), cv = table_col(&tb, "redox_potential_V");
  t->path = xstrdup(path);
  t->c = xcalloc(tb.nrows, sizeof(component));
  for (int i = 0; i < tb.nrows && !rc; i++) {
    component *c = &t->c[t->n];
    if (!tb.cell[i][cs][0]) {
      rc = au_fail(AU_EDATA, "%s: row %d, column 'smiles': empty", path, tb.rowno[i]);
      break;
    }
    char *can = canonical_smiles(tb.cell[i][cs]);
    if (!can) {
      char msg[600];
      snprintf(msg, sizeof msg, "%s", au_errmsg());
      rc = au_fail(AU_EDATA, "%s: row %d, column 'smiles': %s", path, tb.rowno[i], msg);
      break;
    }
    if (components_find(t, can) >= 0) {
      rc = au_fail(AU_EDATA, "%s: row %d, column 'smiles': '%s' is listed twice", path, tb.rowno[i],
                   tb.cell[i][cs]);
      free(can);
      break;
    }
    c->canonical = can;
    c->name = xstrdup(tb.cell[i][cn]);
    c->smiles = xstrdup(tb.cell[i][cs]);
    c->role = xstrdup(tb.cell[i][cr]);
    t->n++;
    rc = comp_number(&tb, i, ce, &c->dielectric, "dielectric_constant");
    if (!rc) rc = comp_number(&tb, i, cv, &c->redox, "redox_potential_V");
    if (!rc && !isnan(c->dielectric) && c->dielectric <= 0)
      rc = au_fail(AU_EDATA, "%s: row %d, column 'dielectric_constant': %g must be positive", path,
                   tb.rowno[i], c->dielectric);
    for (int q = 0; q < 2 && !rc; q++) {
      int d = q ? D_REDOX : D_DIELECTRIC;
      double v = q ? c->redox : c->dielectric;
      if (!isnan(v) && (v < au_desc_min[d] || v > au_desc_max[d]))
        rc = au_fail(AU_EDATA, "%s: row %d, column '%s': %g is outside %g..%g, the physical bounds of %s", path, tb.rowno[i],
                     au_desc_name[d], v, au_desc_min[d], au_desc_max[d], au_desc_name[d]);
    }
  }
  table_free(&tb);
  if (rc) components_free(t);
  return rc;
}

void components_fix(const component_table *t, char *buf, size_t n) {
  char *bundled = components_default_path(NULL);
  if (t->from_model)
    snprintf(buf, n, "give a components table that has it with --components FILE (the bundled one is %s)", bundled);
  else
    snprintf(buf, n, "add a row for it to %s (or to a table given with --components FILE)", t->path);
  free(bundled);
}

int components_find(const component_table *t, const char *canonical) {
  for (int i = 0; i < t->n; i++)
    if (!strcmp(t->c[i].canonical, canonical)) return i;
  return -1;
}

char *components_default_path(const char *recipes_path) {
  if (recipes_path && strcmp(recipes_path, "-")) {
    const char *slash = strrchr(recipes_path, '/');
    size_t dir = slash ? (size_t)(slash - recipes_path + 1) : 0;
    char *p = xmalloc(dir + 16);
    memcpy(p, recipes_path, dir);
    strcpy(p + dir, "components.csv");
    struct stat st;
    if (!stat(p, &st)) return p;
    free(p);
  }
  /* $AUCLUST_DATA, else the source tree's data/, else the installed copy */
  const char *env = getenv("AUCLUST_DATA");
  const char *dir = env ? env : AUCLUST_SOURCE_DIR "/data";
  struct stat st;
  if (!env && stat(AUCLUST_SOURCE_DIR "/data/components.csv", &st)) dir = AUCLUST_INSTALL_DATA_DIR;
  size_t n = strlen(dir) + 20;
  char *p = xmalloc(n);
  snprintf(p, n, "%s/components.csv", dir);
  return p;
}

/* ---- SMILES text cache ----------------------------------------------------
 * RDKit canonicalisation dominates reading (200,000 rows: 20 s); rows
 * repeat a few molecules, so each distinct cell text is parsed once: an
 * open-addressing hash table from (text, use) to the molecule index. */
typedef struct {
  char *text;
  int use; /* 0 molecule, 1 molecule with ligand properties, 2 ligand (counter-ions stripped) */
  int mol;
  char *dropped;
} cache_ent;
struct smiles_cache {
  cache_ent *e;
  size_t cap, n;
};

static size_t text_hash(const char *t, int use) {
  uint64_t h = 1469598103934665603ull ^ (uint64_t)use; /* FNV-1a */
  for (; *t; t++) h = (h ^ (unsigned char)*t) * 1099511628211ull;
  return (size_t)h;
}

static cache_ent *cache_slot(struct smiles_cache *c, const char *text, int use) {
  size_t i = text_hash(text, use) & (c->cap - 1);
  while (c->e[i].text && (c->e[i].use != use || strcmp(c->e[i].text, text))) i = (i + 1) & (c->cap - 1);
  return &c->e[i];
}

static const cache_ent *cache_get(recipe_set *s, const char *text, int use) {
  if (!s->cache) return NULL;
  cache_ent *e = cache_slot(s->cache, text, use);
  return e->text ? e : NULL;
}

static void cache_put(recipe_set *s, const char *text, int use, int mol, const char *dropped) {
  if (!s->cache) {
    s->cache = xcalloc(1, sizeof *s->cache);
    s->cache->cap = 64;
    s->cache->e = xcalloc(s->cache->cap, sizeof(cache_ent));
  }
  struct smiles_cache *c = s->cache;
  if (2 * (c->n + 1) > c->cap) { /* keep it at most half full */
    struct smiles_cache big = {xcalloc(2 * c->cap, sizeof(cache_ent)), 2 * c->cap, c->n};
    for (size_t i = 0; i < c->cap; i++)
      if (c->e[i].text) *cache_slot(&big, c->e[i].text, c->e[i].use) = c->e[i];
    free(c->e);
    *c = big;
  }
  cache_ent *e = cache_slot(c, text, use);
  *e = (cache_ent){xstrdup(text), use, mol, dropped ? xstrdup(dropped) : NULL};
  c->n++;
}

static void cache_free(recipe_set *s) {
  if (!s->cache) return;
  for (size_t i = 0; i < s->cache->cap; i++) { free(s->cache->e[i].text); free(s->cache->e[i].dropped); }
  free(s->cache->e);
  free(s->cache);
  s->cache = NULL;
}

/* ---- molecules ---------------------------------------------------------- */
static int add_canonical(recipe_set *s, char *can, const char *shown, int need_props);

int recipes_add_molecule(recipe_set *s, const char *smiles, int need_props) {
  const cache_ent *e = cache_get(s, smiles, need_props != 0);
  if (e) return e->mol;
  char *can = canonical_smiles(smiles);
  if (!can) return -1;
  int k = add_canonical(s, can, smiles, need_props);
  if (k >= 0) cache_put(s, smiles, need_props != 0, k, NULL);
  return k;
}

static int add_ligand_uncached(recipe_set *s, const char *smiles, char **dropped);

int recipes_add_ligand(recipe_set *s, const char *smiles, char **dropped) {
  const cache_ent *e = cache_get(s, smiles, 2);
  if (e) {
    if (dropped) *dropped = e->dropped ? xstrdup(e->dropped) : NULL;
    return e->mol;
  }
  char *d = NULL;
  int k = add_ligand_uncached(s, smiles, &d);
  if (k >= 0) cache_put(s, smiles, 2, k, d);
  if (dropped) *dropped = d;
  else free(d);
  return k;
}

static int add_ligand_uncached(recipe_set *s, const char *smiles, char **dropped) {
  char *kept, *drop;
  unsigned mask;
  if (dropped) *dropped = NULL;
  if (smiles_check_text(smiles)) return -1;
  /* a SMILES whose canonical form RDKit cannot read back (c1$ccc1S) is refused
   * before fragment splitting, where RDKit throws and leaks */
  char *can = canonical_smiles(smiles);
  if (!can) return -1;
  molgraph probe;
  int bad = molgraph_from_smiles_as(can, smiles, &probe);
  free(can);
  if (bad) return -1;
  molgraph_free(&probe);
  if (ligand_strip(smiles, &kept, &drop, &mask)) return -1;
  if (drop) /* in canonical terms, so that every spelling of a salt is said once */
    recipes_note(s, "ligand %s: counter-ion%s %s dropped (the fragment with the gold-binding group is kept)", kept,
                 strchr(drop, '.') ? "s" : "", drop);
  int k = add_canonical(s, kept, smiles, 1);
  if (k >= 0) s->mol[k].binding = mask;
  if (dropped) *dropped = drop;
  else free(drop);
  return k;
}

void recipes_note(recipe_set *s, const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  for (int i = 0; i < s->nnotes; i++)
    if (!strcmp(s->notes[i], buf)) return; /* each said once */
  s->notes = xrealloc(s->notes, sizeof(char *) * (s->nnotes + 1));
  s->notes[s->nnotes++] = xstrdup(buf);
}

/* takes ownership of `can`; errors name `shown`, the user's SMILES */
static int add_canonical(recipe_set *s, char *can, const char *shown, int need_props) {
  int k = 0;
  while (k < s->nmol && strcmp(s->mol[k].canonical, can)) k++;
  if (k == s->nmol) {
    molecule m = {0};
    if (molgraph_from_smiles_as(can, shown, &m.g)) { free(can); return -1; }
    m.canonical = can;
    s->mol = xrealloc(s->mol, sizeof(molecule) * (s->nmol + 1));
    s->mol[s->nmol++] = m;
  } else {
    free(can);
  }
  molecule *m = &s->mol[k];
  if (need_props && !m->has_props) {
    /* props from the canonical form, so the value never depends on how the user wrote it */
    if (ligand_props_compute(m->canonical, &m->g, &m->lp)) return -1;
    m->has_props = 1;
  }
  return k;
}

void recipe_fill_ligand(recipe *r, const molecule *lig) {
  const ligand_props *p = &lig->lp;
  r->x[D_CHARGE] = p->charge;
  r->x[D_HBD] = p->hbd;
  r->x[D_HBA] = p->hba;
  r->x[D_AROMATIC] = p->aromatic;
  r->x[D_MW] = p->mw;
  r->x[D_ROTATABLE] = p->rotatable;
  r->x[D_COMPLEXITY] = p->complexity;
  r->x[D_TPSA] = p->tpsa;
  r->x[D_LOGP] = p->logp;
  r->x[D_SOLUBILITY] = ligand_solubility(p, r->x[D_DIELECTRIC]);
}

void recipes_free(recipe_set *s) {
  for (int i = 0; i < s->n; i++) {
    free(s->r[i].id);
    free(s->r[i].dropped);
    for (int k = 0; k < NROLES; k++) free(s->r[i].name[k]);
    for (int k = 0; k < RECIPE_NCARRY; k++) free(s->r[i].carry[k]);
  }
  for (int i = 0; i < s->nmol; i++) { free(s->mol[i].canonical); molgraph_free(&s->mol[i].g); }
  for (int j = 0; j < s->nextra; j++) free(s->extra_name[j]);
  for (int j = 0; j < s->nnotes; j++) free(s->notes[j]);
  free(s->notes);
  cache_free(s);
  free(s->r); free(s->mol); free(s->path);
  memset(s, 0, sizeof *s);
}

/* ---- recipes ------------------------------------------------------------ */
static recipe_opts input_defaults = {.ph_missing_value = 7.0};

recipe_opts recipe_opts_default(void) { return input_defaults; }

int recipes_set_input(const char *delimiter, int ncolmap, const char *const *colmap) {
  recipe_opts o = {.ph_missing_value = 7.0};
  if (delimiter) {
    if (!strcmp(delimiter, "tab") || !strcmp(delimiter, "\\t") || !strcmp(delimiter, "\t")) o.delimiter = '\t';
    else if (!strcmp(delimiter, "comma")) o.delimiter = ',';
    else if (!strcmp(delimiter, "semicolon")) o.delimiter = ';';
    else if (strlen(delimiter) == 1 && delimiter[0] != '"' && delimiter[0] != '\n' && delimiter[0] != '\r')
      o.delimiter = delimiter[0];
    else
      return au_fail(AU_EUSAGE, "--delimiter '%s': give one character, e.g. ';', ',' or tab", delimiter);
  }
  if (ncolmap > RECIPE_MAX_COLMAP) return au_fail(AU_EUSAGE, "--column: at most %d mappings", RECIPE_MAX_COLMAP);
  for (int i = 0; i < ncolmap; i++) {
    const char *eq = strchr(colmap[i], '=');
    if (!eq || eq == colmap[i] || !eq[1])
      return au_fail(AU_EUSAGE, "--column '%s': expected NAME=HEADER, e.g. temperature_C=\"Temperature (C)\"", colmap[i]);
    o.colmap[o.ncolmap++] = colmap[i];
  }
  input_defaults = o;
  return 0;
}

/* --column NAME=HEADER: the file's HEADER column is read as NAME. */
static int apply_colmap(table *t, const recipe_opts *o) {
  for (int i = 0; i < o->ncolmap; i++) {
    const char *eq = strchr(o->colmap[i], '=');
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(eq - o->colmap[i]), o->colmap[i]);
    int rc = table_rename(t, name, eq + 1);
    if (rc) return rc;
  }
  return 0;
}

/* Every missing required column in one message, each with the closest
 * header when one is close: "missing required columns temperature_C (did
 * you mean 'Temperature (C)'?), pH (did you mean 'PH'?)". */
static int missing_columns(const table *t, const char *const *need, int nneed, int cli, const char *why) {
  char msg[2600] = ""; /* 9 columns, each header shown at most 60 characters twice */
  int nmiss = 0;
  size_t len = 0;
  for (int k = 0; k < nneed; k++) {
    if (table_col(t, need[k]) >= 0) continue;
    int j = table_closest_col(t, need[k]);
    for (int q = 0; q < nneed && j >= 0; q++)
      if (!strcmp(t->header[j], need[q])) j = -1; /* a column that is already something else */
    if (len >= sizeof msg) len = sizeof msg - 1; /* msg + len must stay inside msg (found by fuzz_recipes) */
    len += snprintf(msg + len, sizeof msg - len, "%s'%s'", nmiss ? ", " : "", need[k]);
    if (j >= 0 && len < sizeof msg && cli)
      len += snprintf(msg + len, sizeof msg - len, " (did you mean '%.60s'? --column %s=\"%.60s\")", t->header[j], need[k],
                      t->header[j]);
    else if (j >= 0 && len < sizeof msg)
      len += snprintf(msg + len, sizeof msg - len, " (did you mean '%.60s'?)", t->header[j]);
    nmiss++;
  }
  if (!nmiss) return 0;
  char how[96] = "";
  if (t->delim != ',' || t->ncols == 1)
    snprintf(how, sizeof how, "; read as %s-separated (%s%s)", table_delim_name(t->delim),
             t->detected ? "detected" : "given", cli ? "; --delimiter C to force one" : "");
  if (why) return au_fail(AU_EDATA, "%s: row 1: missing column%s %s, %s%s", t->path, nmiss > 1 ? "s" : "", msg, why, how);
  return au_fail(AU_EDATA, "%s: row 1: missing required column%s %s%s", t->path, nmiss > 1 ? "s" : "", msg, how);
}

typedef struct {
  const table *t;
  int i;      /* data row index */
  const char *id;
} rowctx;

static int row_fail(const rowctx *c, const char *col, const char *fmt, const char *a, double v) {
  char what[512];
  snprintf(what, sizeof what, fmt, a, v);
  return au_fail(AU_EDATA, "%s: row %d (id %s), column '%s': %s", c->t->path, c->t->rowno[c->i], c->id, col, what);
}

/* A condition or override number: empty -> *present = 0. */
static int cell_number(const rowctx *c, int col, double *v, int *present) {
  *present = 0;
  if (col < 0) return 0;
  const char *s = c->t->cell[c->i][col];
  if (!s[0]) return 0;
  char nb[64];
  if (parse_number(table_number_text(c->t, s, nb, sizeof nb), v))
    return row_fail(c, c->t->header[col], "'%s' is not a number", s, 0);
  *present = 1;
  return 0;
}

static int check_range(const rowctx *c, int d, double v) {
  const char *col = au_desc_name[d];
  switch (d) {
    case D_LIGAND_MM: case D_HAUCL4_MM: case D_REDUCTANT_MM:
      if (v < 0) return row_fail(c, col, "concentration %s%g mM is negative", "", v);
      if (d == D_HAUCL4_MM && v == 0) return row_fail(c, col, "%s0 mM: a synthesis of gold clusters needs gold", "", v);
      break;
    case D_PH:
      if (v < 0 || v > 14) return row_fail(c, col, "pH %s%g is outside 0-14", "", v);
      break;
    case D_TEMPERATURE_C:
      if (v < -20 || v > 150) return row_fail(c, col, "temperature %s%g C is outside -20..150 C", "", v);
      break;
    case D_DIELECTRIC: case D_MW:
      if (v <= 0) return row_fail(c, col, "%s%g must be positive", "", v);
      break;
    case D_HBD: case D_HBA: case D_ROTATABLE: case D_TPSA: case D_COMPLEXITY:
      if (v < 0) return row_fail(c, col, "%s%g must not be negative", "", v);
      break;
    case D_AROMATIC:
      if (v != 0 && v != 1) return row_fail(c, col, "%s%g must be 0 (aliphatic) or 1 (aromatic)", "", v);
      break;
  }
  if (v < au_desc_min[d] || v > au_desc_max[d]) { /* 1e308 would overflow the scaler */
    char f[160];
    snprintf(f, sizeof f, "%%s%%g is outside %g..%g, the physical bounds of %s", au_desc_min[d], au_desc_max[d], col);
    return row_fail(c, col, f, "", v);
  }
  return 0;
}

/* Column indexes of a recipe file's header, found once per file, not per row. */
typedef struct {
  int desc[AU_NDESC];        /* a condition, or a column overriding a computed descriptor; -1 absent */
  int smiles[NROLES], name[NROLES];
  int id, outcome, set_ii;
  int extra[AU_MAXEXTRA];
  int carry[RECIPE_NCARRY];
} recipe_cols;

/* What reading rows needs beyond the set: shared by recipes_load and the
 * stream, so both validate every row with the same code. */
typedef struct {
  const component_table *comp;
  recipe_opts o;             /* a copy: a stream outlives its caller's options */
  recipe_cols c;
  int *comp_of;              /* [molecule] its components-table row, -1 none, -2 not looked up */
  int ncomp_of;
  int nzero[2], zero_row[2]; /* ligand_mM, reductant_mM = 0: how often, first row and id */
  char *zero_id[2];
} loader;

static int component_of(loader *L, const recipe_set *s, int mol) {
  if (mol >= L->ncomp_of) {
    int n = s->nmol + 16;
    L->comp_of = xrealloc(L->comp_of, sizeof(int) * n);
    for (int i = L->ncomp_of; i < n; i++) L->comp_of[i] = -2;
    L->ncomp_of = n;
  }
  if (L->comp_of[mol] == -2) L->comp_of[mol] = components_find(L->comp, s->mol[mol].canonical);
  return L->comp_of[mol];
}

static int load_row(recipe_set *s, const table *t, int i, loader *L, recipe *r) {
  const recipe_cols *col = &L->c;
  const recipe_opts *o = &L->o;
  const component_table *comp = L->comp;
  int cid = col->id;
  char idbuf[32];
  snprintf(idbuf, sizeof idbuf, "row%d", t->rowno[i]);
  r->id = xstrdup(cid >= 0 && t->cell[i][cid][0] ? t->cell[i][cid] : idbuf);
  r->row = t->rowno[i];
  rowctx c = {t, i, r->id};
  int rc;
  /* molecules */
  for (int k = 0; k < NROLES; k++) {
    const char *smi = t->cell[i][col->smiles[k]];
    if (!smi[0]) return row_fail(&c, role_smiles_col[k], "empty %s SMILES", role_name[k], 0);
    int m = k == ROLE_LIGAND ? recipes_add_ligand(s, smi, &r->dropped) : recipes_add_molecule(s, smi, 0);
    if (m < 0) return row_fail(&c, role_smiles_col[k], "%s", au_errmsg(), 0);
    r->mol[k] = m;
    if (k == ROLE_LIGAND && o->require_binding && !s->mol[m].binding)
      return au_fail(AU_EDATA,
                     "%s: row %d (id %s), column 'ligand_smiles': '%s' has no gold-binding group (%s); "
                     "a model cannot learn cluster synthesis from it",
                     t->path, r->row, r->id, smi, binding_group_list());
    int cn = col->name[k];
    r->name[k] = xstrdup(cn >= 0 && t->cell[i][cn][0] ? t->cell[i][cn] : s->mol[m].canonical);
  }
  /* conditions: required */
  for (int d = 0; d < AU_NCOND; d++) {
    int present;
    if ((rc = cell_number(&c, col->desc[d], &r->x[d], &present))) return rc;
    if (!present) {
      if (d != D_PH) return row_fail(&c, au_desc_name[d], "empty value%s", "", 0);
      r->ph_missing = 1;
      r->x[d] = o->ph_missing_value;
      continue;
    }
    if ((rc = check_range(&c, d, r->x[d]))) return rc;
  }
  /* solvent and reductant properties from the components table, unless overridden */
  int ks = component_of(L, s, r->mol[ROLE_SOLVENT]), kr = component_of(L, s, r->mol[ROLE_REDUCTANT]);
  const struct { int d, role, k; } need[] = {{D_DIELECTRIC, ROLE_SOLVENT, ks}, {D_REDOX, ROLE_REDUCTANT, kr}};
  for (int q = 0; q < 2; q++) {
    int d = need[q].d, present;
    if ((rc = cell_number(&c, col->desc[d], &r->x[d], &present))) return rc;
    if (present) {
      if ((rc = check_range(&c, d, r->x[d]))) return rc;
      s->from_column[d] = 1;
      continue;
    }
    const char *smi = s->mol[r->mol[need[q].role]].canonical;
    if (need[q].k < 0) {
      char fix[512];
      components_fix(comp, fix, sizeof fix);
      return au_fail(AU_EDATA, "%s: row %d (id %s), column '%s': %s '%s' is not in %s; %s, or give a '%s' column",
                     t->path, r->row, r->id, role_smiles_col[need[q].role], role_name[need[q].role], smi,
                     comp->path, fix, au_desc_name[d]);
    }
    const component *cp = &comp->c[need[q].k];
    r->x[d] = d == D_DIELECTRIC ? cp->dielectric : cp->redox;
    if (isnan(r->x[d]))
      return au_fail(AU_EDATA,
                     "%s: row %d (id %s), column '%s': %s '%s' (%s) has no %s in %s; give it in a '%s' column",
                     t->path, r->row, r->id, au_desc_name[d], role_name[need[q].role], smi, cp->name,
                     au_desc_name[d], comp->path, au_desc_name[d]);
  }
  /* ligand descriptors from RDKit, each overridable by its column */
  recipe_fill_ligand(r, &s->mol[r->mol[ROLE_LIGAND]]);
  for (int d = D_SOLUBILITY; d < AU_NDESC; d++) {
    if (d == D_REDOX) continue;
    double v;
    int present;
    if ((rc = cell_number(&c, col->desc[d], &v, &present))) return rc;
    if (!present) continue;
    if ((rc = check_range(&c, d, v))) return rc;
    r->x[d] = v;
    s->from_column[d] = 1;
  }
  /* pH means something in water-like solvents: an empty cell there is a
   * forgotten value, not "no pH" */
  if (r->ph_missing && !o->allow_missing_ph && r->x[D_DIELECTRIC] > AU_PH_DIELECTRIC_MIN)
    return au_fail(AU_EDATA,
                   "%s: row %d (id %s), column 'pH': empty, but the solvent (dielectric constant %g > %g) is "
                   "water-like, where pH matters; give the measured pH (7 for neutral water), or pass "
                   "--allow-missing-ph to encode it as %g",
                   t->path, r->row, r->id, r->x[D_DIELECTRIC], AU_PH_DIELECTRIC_MIN, o->ph_missing_value);
  /* the user's own descriptors */
  for (int j = 0; j < o->nextra; j++) {
    int present, cx = col->extra[j];
    if ((rc = cell_number(&c, cx, &r->x[AU_NDESC + j], &present))) return rc;
    if (!present) return row_fail(&c, o->extra[j], "empty%s: an extra descriptor needs a value in every row", "", 0);
  }
  /* outcome and data set II flag */
  r->outcome = -1;
  int co = col->outcome;
  if (co >= 0 && t->cell[i][co][0]) {
    const char *v = t->cell[i][co];
    if (strcmp(v, "0") && strcmp(v, "1")) return row_fail(&c, "outcome", "'%s' is not 0 or 1", v, 0);
    r->outcome = v[0] - '0';
  } else if (o->require_outcome) {
    return row_fail(&c, "outcome", co < 0 ? "missing%s" : "empty%s: training needs 0 or 1", "", 0);
  }
  r->set_ii = -1;
  int c2 = col->set_ii;
  if (c2 >= 0 && t->cell[i][c2][0]) {
    const char *v = t->cell[i][c2];
    if (strcmp(v, "0") && strcmp(v, "1")) return row_fail(&c, "set_ii", "'%s' is not 0 or 1", v, 0);
    r->set_ii = v[0] - '0';
  }
  for (int k = 0; k < RECIPE_NCARRY; k++) {
    int cc = col->carry[k];
    if (cc >= 0) r->carry[k] = xstrdup(t->cell[i][cc]);
  }
  for (int q = 0; q < 2; q++) /* said once the whole file is read */
    if (r->x[q ? D_REDUCTANT_MM : D_LIGAND_MM] == 0 && L->nzero[q]++ == 0) {
      L->zero_row[q] = r->row;
      L->zero_id[q] = xstrdup(r->id);
    }
  return 0;
}

static void note_overrides(recipe_set *s) {
  char list[512] = "";
  for (int d = 0; d < AU_NDESC; d++)
    if (s->from_column[d]) {
      size_t l = strlen(list);
      snprintf(list + l, sizeof list - l, "%s%s", l ? ", " : "", au_desc_name[d]);
    }
  if (list[0]) recipes_note(s, "per-recipe values used: %s", list);
}

int recipes_read_table(const char *path, const recipe_opts *o, const char *const *need, int nneed, table *t) {
  int rc = table_read_delim(path, o->delimiter, t);
  if (rc) return rc;
  if ((rc = apply_colmap(t, o)) || (rc = missing_columns(t, need, nneed, 1, NULL))) table_free(t);
  return rc;
}

int recipes_read_note(const table *t, char *buf, size_t n) {
  if (t->delim == ',') return 0;
  snprintf(buf, n, "%s: read as %s-separated%s%s", t->path, table_delim_name(t->delim), t->detected ? " (detected)" : "",
           t->decimal_comma ? ", decimal commas accepted" : "");
  return 1;
}

/* The header: --column mappings, the required columns, the column indexes;
 * then the set's file-wide fields. */
static int begin_file(loader *L, table *t, const char *path, const component_table *comp, const recipe_opts *o,
                      recipe_set *s) {
  memset(L, 0, sizeof *L);
  L->comp = comp;
  L->o = *o;
  int rc = apply_colmap(t, o);
  if (rc) return rc;
  const char *need_req[NROLES + AU_NCOND + 1];
  int nneed = 0;
  for (int k = 0; k < NROLES; k++) need_req[nneed++] = role_smiles_col[k];
  for (int d = 0; d < AU_NCOND; d++) need_req[nneed++] = au_desc_name[d];
  if (o->require_outcome) need_req[nneed++] = "outcome";
  if ((rc = missing_columns(t, need_req, nneed, 1, NULL))) return rc;
  if (o->nextra) /* every one missing, each with the closest header */
    rc = missing_columns(t, (const char *const *)o->extra, o->nextra, 1,
                         o->for_model ? "the model's extra descriptors: it needs them in every recipe"
                                      : "named by --extra-descriptors");
  char need[512] = "";
  for (int d = 0; d < AU_NDESC && !rc && o->need_column; d++)
    if (o->need_column[d] && table_col(t, au_desc_name[d]) < 0) {
      size_t l = strlen(need);
      snprintf(need + l, sizeof need - l, "%s'%s'", l ? ", " : "", au_desc_name[d]);
    }
  if (need[0])
    rc = au_fail(AU_EDATA,
                 "%s: row 1: missing column%s %s: the model was trained with per-recipe values from %s columns; "
                 "give them here too",
                 path, strchr(need, ',') ? "s" : "", need, strchr(need, ',') ? "these" : "this");
  if (rc) return rc;
  recipe_cols *c = &L->c;
  for (int d = 0; d < AU_NDESC; d++) c->desc[d] = table_col(t, au_desc_name[d]);
  for (int k = 0; k < NROLES; k++) {
    c->smiles[k] = table_col(t, role_smiles_col[k]);
    c->name[k] = table_col(t, role_name[k]);
  }
  c->id = table_col(t, "id");
  c->outcome = table_col(t, "outcome");
  c->set_ii = table_col(t, "set_ii");
  for (int j = 0; j < o->nextra; j++) c->extra[j] = table_col(t, o->extra[j]);
  for (int k = 0; k < RECIPE_NCARRY; k++) c->carry[k] = table_col(t, recipe_carry_cols[k]);
  s->path = xstrdup(path);
  s->delim = t->delim;
  s->delim_detected = t->detected;
  s->decimal_comma = t->decimal_comma;
  s->has_outcome = c->outcome >= 0;
  for (int k = 0; k < RECIPE_NCARRY; k++) s->has_carry[k] = c->carry[k] >= 0;
  s->nextra = o->nextra;
  for (int j = 0; j < o->nextra; j++) s->extra_name[j] = xstrdup(o->extra[j]);
  return 0;
}

static void free_rows(recipe_set *s) {
  for (int i = 0; i < s->n; i++) {
    free(s->r[i].id);
    free(s->r[i].dropped);
    for (int k = 0; k < NROLES; k++) free(s->r[i].name[k]);
    for (int k = 0; k < RECIPE_NCARRY; k++) free(s->r[i].carry[k]);
  }
  s->n = 0;
}

/* The table's rows replace the set's; *cap is s->r's room. */
static int load_rows(loader *L, recipe_set *s, const table *t, int *cap) {
  free_rows(s);
  if (t->nrows > *cap) {
    free(s->r);
    s->r = xmalloc(sizeof(recipe) * t->nrows);
    *cap = t->nrows;
  }
  for (int i = 0; i < t->nrows; i++) {
    memset(&s->r[i], 0, sizeof(recipe));
    s->n++;
    int rc = load_row(s, t, i, L, &s->r[i]);
    if (rc) return rc;
  }
  return 0;
}

/* After the last row: what the user should hear about the whole file. */
static void end_file(loader *L, recipe_set *s, const table *t) {
  char how[600];
  if (recipes_read_note(t, how, sizeof how)) recipes_note(s, "%s", how); /* how a spreadsheet export was read */
  note_overrides(s);
  /* a zero concentration is allowed (a control experiment) but said */
  static const char *const meaning[2] = {"without ligand", "without reducing agent"};
  for (int q = 0; q < 2; q++)
    if (L->nzero[q])
      recipes_note(s, "warning: %s = 0 in %d recipe%s (first: row %d, id %s): a synthesis %s",
                   au_desc_name[q ? D_REDUCTANT_MM : D_LIGAND_MM], L->nzero[q], L->nzero[q] > 1 ? "s" : "",
                   L->zero_row[q], L->zero_id[q], meaning[q]);
}

static void loader_free(loader *L) {
  free(L->comp_of);
  free(L->zero_id[0]);
  free(L->zero_id[1]);
  memset(L, 0, sizeof *L);
}

int recipes_load(const char *path, const component_table *comp, const recipe_opts *o, recipe_set *s) {
  memset(s, 0, sizeof *s);
  table t;
  int rc = table_read_delim(path, o->delimiter, &t);
  if (rc) return rc;
  loader L;
  int cap = 0;
  rc = begin_file(&L, &t, path, comp, o, s);
  if (!rc && t.nrows == 0) rc = au_fail(AU_EDATA, "%s: no recipes (only a header)", path);
  if (!rc) rc = load_rows(&L, s, &t, &cap);
  if (!rc) end_file(&L, s, &t);
  loader_free(&L);
  table_free(&t);
  if (rc) recipes_free(s);
  return rc;
}

/* ---- streaming ---------------------------------------------------------- */
struct recipe_stream {
  table t;
  table_stream *ts;
  recipe_set *s;
  loader L;
  int cap;   /* room in s->r */
  long rows; /* recipes read so far */
  int ended;
};

int recipes_stream_open(const char *path, const component_table *comp, const recipe_opts *o, recipe_set *s,
                        recipe_stream **out) {
  memset(s, 0, sizeof *s);
  *out = NULL;
  recipe_stream *st = xcalloc(1, sizeof *st);
  st->s = s;
  int rc = table_stream_open(path, o->delimiter, &st->t, &st->ts);
  if (rc) { free(st); return rc; }
  if ((rc = begin_file(&st->L, &st->t, path, comp, o, s))) {
    recipes_stream_close(st);
    return rc;
  }
  *out = st;
  return 0;
}

int recipes_stream_next(recipe_stream *st, int max) {
  recipe_set *s = st->s;
  int rc = table_stream_next(st->ts, &st->t, max);
  free_rows(s);
  if (rc) return rc;
  if (st->t.nrows == 0) {
    if (!st->rows) return au_fail(AU_EDATA, "%s: no recipes (only a header)", s->path);
    if (!st->ended) end_file(&st->L, s, &st->t);
    st->ended = 1;
    return 0;
  }
  st->rows += st->t.nrows;
  return load_rows(&st->L, s, &st->t, &st->cap);
}

long recipes_stream_rows(const recipe_stream *st) { return st->rows; }

recipe *recipes_stream_take(recipe_stream *st, int *n) {
  recipe *r = st->s->r;
  *n = st->s->n;
  st->s->r = NULL;
  st->s->n = 0;
  st->cap = 0;
  return r;
}

void recipe_rows_free(recipe *r, int n) {
  recipe_set s = {.r = r, .n = n};
  free_rows(&s);
  free(r);
}

void recipes_stream_close(recipe_stream *st) {
  if (!st) return;
  table_stream_close(st->ts);
  table_free(&st->t);
  loader_free(&st->L);
  free(st);
}

int recipe_build(recipe_set *s, const component_table *comp, const char *const smiles[NROLES],
                 const char *const names[NROLES]) {
  recipe r = {0};
  r.outcome = r.set_ii = -1;
  for (int k = 0; k < NROLES; k++) {
    int m = k == ROLE_LIGAND ? recipes_add_ligand(s, smiles[k], &r.dropped) : recipes_add_molecule(s, smiles[k], 0);
    if (m < 0) { free(r.dropped); return au_errcode(); }
    r.mol[k] = m;
  }
  const molecule *sol = &s->mol[r.mol[ROLE_SOLVENT]], *red = &s->mol[r.mol[ROLE_REDUCTANT]];
  int ks = components_find(comp, sol->canonical), kr = components_find(comp, red->canonical);
  char fix[512];
  components_fix(comp, fix, sizeof fix);
  int bad_s = ks < 0 || isnan(comp->c[ks].dielectric), bad_r = kr < 0 || isnan(comp->c[kr].redox);
  if (bad_s || bad_r) {
    free(r.dropped);
    return au_fail(AU_EDATA, "%s '%s' has no %s in %s; %s", bad_s ? "solvent" : "reductant",
                   bad_s ? sol->canonical : red->canonical, bad_s ? "dielectric_constant" : "redox_potential_V",
                   comp->path, fix);
  }
  r.x[D_DIELECTRIC] = comp->c[ks].dielectric;
  r.x[D_REDOX] = comp->c[kr].redox;
  recipe_fill_ligand(&r, &s->mol[r.mol[ROLE_LIGAND]]);
  for (int k = 0; k < NROLES; k++) {
    const char *nm = names && names[k] ? names[k] : NULL;
    if (!nm) nm = k == ROLE_SOLVENT ? comp->c[ks].name : k == ROLE_REDUCTANT ? comp->c[kr].name : s->mol[r.mol[k]].canonical;
    r.name[k] = xstrdup(nm);
  }
  char id[32];
  snprintf(id, sizeof id, "built%d", s->n + 1);
  r.id = xstrdup(id);
  s->r = xrealloc(s->r, sizeof(recipe) * (s->n + 1));
  s->r[s->n++] = r;
  return 0;
}
