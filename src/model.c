#include "model.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ensemble.h"
#include "err.h"
#include "forest.h"
#include "outfile.h"
#include "readfile.h"
#include "par.h"
#include "progress.h"

void stratified_folds(const int *y, int n, int k, rng_t *r, int *fold) {
  int *idx = xmalloc(sizeof(int) * (n + 1));
  int start = 0; /* continue dealing where the previous class stopped, as sklearn balances fold sizes */
  for (int c = 0; c <= 1; c++) {
    int m = 0;
    for (int i = 0; i < n; i++)
      if ((y[i] == 1) == c) idx[m++] = i;
    rng_shuffle(r, idx, m);
    for (int j = 0; j < m; j++) fold[idx[j]] = (start + j) % k;
    start = (start + m) % k;
  }
  free(idx);
}

/* ---- training -------------------------------------------------------------- */
static void comp_copy(component *o, const component *c) {
  *o = *c;
  o->name = xstrdup(c->name); o->smiles = xstrdup(c->smiles);
  o->canonical = xstrdup(c->canonical); o->role = xstrdup(c->role);
}

static void copy_components(model *m, const recipe_set *rs, const component_table *comp) {
  m->comps.path = xstrdup(comp->path);
  m->comps.c = xcalloc(comp->n + 1, sizeof(component));
  for (int i = 0; i < comp->n; i++) {
    const component *c = &comp->c[i];
    int used = 0;
    for (int j = 0; j < rs->n && !used; j++)
      used = !strcmp(rs->mol[rs->r[j].mol[ROLE_SOLVENT]].canonical, c->canonical) ||
             !strcmp(rs->mol[rs->r[j].mol[ROLE_REDUCTANT]].canonical, c->canonical);
    if (!used) continue;
    comp_copy(&m->comps.c[m->comps.n++], c);
  }
}

static void set_molecules(model *m, int n, char **smiles) {
  m->nmol = n;
  m->smiles = smiles;
  m->names = xcalloc(n + 1, sizeof(char *));
  m->graphs = xcalloc(n + 1, sizeof(molgraph));
  m->gp = xcalloc(n + 1, sizeof(molgraph *));
}

static int train(model *m, const recipe_set *rs, const component_table *comp, const hparams *hp, int ensemble,
                 uint64_t seed, int nthreads, int counted) {
  memset(m, 0, sizeof *m);
  if (ensemble == 1 || ensemble < 0) return au_fail(AU_EUSAGE, "--ensemble must be 0 (one fit) or at least 2");
  if (ensemble > rs->n) return au_fail(AU_EUSAGE, "--ensemble %d exceeds the %d recipes", ensemble, rs->n);
  m->hp = *hp;
  net_layout_init(&m->L, hp, rs->nextra);
  m->nextra = rs->nextra;
  for (int j = 0; j < rs->nextra; j++) m->extra_name[j] = xstrdup(rs->extra_name[j]);
  memcpy(m->from_column, rs->from_column, sizeof m->from_column);
  char **smiles = xmalloc(sizeof(char *) * (rs->nmol + 1));
  for (int i = 0; i < rs->nmol; i++) smiles[i] = xstrdup(rs->mol[i].canonical);
  set_molecules(m, rs->nmol, smiles);
  for (int i = 0; i < rs->nmol; i++) {
    if (molgraph_from_smiles(smiles[i], &m->graphs[i])) { model_free(m); return AU_EDATA; }
    m->gp[i] = &m->graphs[i];
    for (int j = 0; j < rs->n && !m->names[i]; j++) /* the name of its first use */
      for (int k = 0; k < NROLES && !m->names[i]; k++)
        if (rs->r[j].mol[k] == i) m->names[i] = xstrdup(rs->r[j].name[k]);
    if (!m->names[i]) m->names[i] = xstrdup(smiles[i]);
  }
  copy_components(m, rs, comp);
  m->ensemble = ensemble;
  m->seed = seed;
  /* absolute, so heatmap --base ID finds the file from any directory */
  char *abs = strcmp(rs->path, "-") ? realpath(rs->path, NULL) : NULL;
  m->train_file = xstrdup(abs ? abs : rs->path);
  free(abs);
  recipe_opts in = recipe_opts_default(); /* the command line's --delimiter and --column */
  m->train_delimiter = in.delimiter;
  for (int k = 0; k < in.ncolmap; k++) m->train_colmap[m->train_ncolmap++] = xstrdup(in.colmap[k]);
  m->train_rows = rs->n;
  m->ninst = ensemble_size(hp, ensemble);
  m->inst = xcalloc(m->ninst, sizeof(instance));
  dataset d;
  dataset_from_recipes(rs, &d);
  free((void *)d.mols);
  d.mols = m->gp; /* same order as rs->mol */
  int *rows = xmalloc(sizeof(int) * (rs->n + 1));
  for (int i = 0; i < rs->n; i++) rows[i] = i;
  /* an ensemble's instances also give one out-of-fold prediction per recipe: its calibration */
  int rc = ensemble_train(&m->L, &d, rows, rs->n, ensemble, seed, nthreads, counted, m->inst, &m->calib);
  free(rows);
  d.mols = NULL;
  free((void *)d.mol); free((void *)d.x); free((void *)d.y);
  if (rc) model_free(m);
  return rc;
}

int model_train(model *m, const recipe_set *rs, const component_table *comp, const hparams *hp, int ensemble,
                uint64_t seed, int nthreads) {
  return train(m, rs, comp, hp, ensemble, seed, nthreads, 0);
}

int model_train_counted(model *m, const recipe_set *rs, const component_table *comp, const hparams *hp, int ensemble,
                        uint64_t seed, int nthreads) {
  return train(m, rs, comp, hp, ensemble, seed, nthreads, 1);
}

void model_free(model *m) {
  for (int i = 0; i < m->nmol; i++) {
    free(m->smiles[i]);
    if (m->names) free(m->names[i]);
    molgraph_free(&m->graphs[i]);
  }
  free(m->smiles); free(m->names); free(m->graphs); free(m->gp);
  components_free(&m->comps);
  for (int k = 0; k < m->ninst; k++) instance_free(&m->inst[k]);
  free(m->inst);
  free(m->train_file);
  for (int k = 0; k < m->train_ncolmap; k++) free(m->train_colmap[k]);
  for (int j = 0; j < m->nextra; j++) free(m->extra_name[j]);
  memset(m, 0, sizeof *m);
}

/* ---- tensors: names and shapes come from the layout ------------------------ */
typedef struct {
  char name[64];
  long off;
  int rows, cols;
} tensor_desc;
#define MAX_TENSORS 256

static int net_tensors(const net_layout *L, tensor_desc *t) {
  int n = 0;
  for (int r = 0; r < NROLES && L->D; r++) {
    const gcnn_layout *g = &L->gl[r];
    for (int l = 0; l < g->P; l++)
      for (int d = 0; d < GC_NDEG; d++) {
        int in = gcnn_in_dim(g, l) + MG_BOND_FEATS;
        t[n] = (tensor_desc){"", g->W[l][d], in, g->width};
        snprintf(t[n++].name, 64, "gcnn.%s.hidden%d.degree%d.W", role_name[r], l, d);
        t[n] = (tensor_desc){"", g->b[l][d], 1, g->width};
        snprintf(t[n++].name, 64, "gcnn.%s.hidden%d.degree%d.b", role_name[r], l, d);
      }
    for (int l = 0; l <= g->P; l++) {
      t[n] = (tensor_desc){"", g->Wo[l], gcnn_in_dim(g, l) + MG_BOND_FEATS, g->D};
      snprintf(t[n++].name, 64, "gcnn.%s.output%d.W", role_name[r], l);
      t[n] = (tensor_desc){"", g->bo[l], 1, g->D};
      snprintf(t[n++].name, 64, "gcnn.%s.output%d.b", role_name[r], l);
    }
  }
  for (int l = 0; l < L->nl; l++) {
    t[n] = (tensor_desc){"", L->W[l], L->dim[l], L->dim[l + 1]};
    snprintf(t[n++].name, 64, "head.dense%d.W", l);
    t[n] = (tensor_desc){"", L->b[l], 1, L->dim[l + 1]};
    snprintf(t[n++].name, 64, "head.dense%d.b", l);
  }
  if (L->hp.head == HEAD_SNN) {
    t[n] = (tensor_desc){"head.distance.W", L->dist_w, L->hp.feature_vector_dim, 1};
    n++;
    t[n] = (tensor_desc){"head.distance.b", L->dist_b, 1, 1};
    n++;
  }
  return n;
}

/* ---- saving ---------------------------------------------------------------- */
static cJSON *num_or_null(double v) { return isnan(v) ? cJSON_CreateNull() : cJSON_CreateNumber(v); }

/* cJSON prints numbers with %1.15g when that is merely within an epsilon;
 * weights must read back bit for bit, so arrays are written here with the
 * shortest of %.15g/%.16g/%.17g that strtod maps back exactly. */
static cJSON *exact_array(const double *v, int n) {
  size_t cap = (size_t)n * 26 + 3, len = 0;
  char *b = xmalloc(cap);
  b[len++] = '[';
  for (int i = 0; i < n; i++) {
    char t[32];
    for (int prec = 15; prec <= 17; prec++) {
      snprintf(t, sizeof t, "%.*g", prec, v[i]);
      if (strtod(t, NULL) == v[i]) break;
    }
    len += snprintf(b + len, cap - len, "%s%s", i ? "," : "", t);
  }
  b[len++] = ']';
  b[len] = 0;
  cJSON *r = cJSON_CreateRaw(b);
  free(b);
  return r;
}

static cJSON *instance_json(const model *m, const instance *in) {
  int nx = m->L.nx, ns = nx + m->L.nder; /* the scaler: descriptors, then the derived inputs */
  cJSON *o = cJSON_CreateObject();
  cJSON *sc = cJSON_AddObjectToObject(o, "scaler");
  cJSON_AddItemToObject(sc, "min", exact_array(in->lo, ns));
  cJSON_AddItemToObject(sc, "max", exact_array(in->hi, ns));
  cJSON_AddNumberToObject(o, "training_loss", in->loss);
  cJSON *sup = cJSON_AddObjectToObject(o, "support");
  cJSON *sm = cJSON_AddArrayToObject(sup, "molecules"), *sx = cJSON_AddArrayToObject(sup, "descriptors");
  for (int i = 0; i < in->nsup; i++) {
    cJSON_AddItemToArray(sm, cJSON_CreateIntArray(in->sup_mol + i * NROLES, NROLES));
    cJSON_AddItemToArray(sx, exact_array(in->sup_x + (size_t)i * nx, nx));
  }
  cJSON_AddItemToObject(sup, "outcome", cJSON_CreateIntArray(in->sup_y, in->nsup));
  cJSON *ts = cJSON_AddArrayToObject(o, "tensors");
  tensor_desc t[MAX_TENSORS];
  int nt = net_tensors(&m->L, t);
  for (int i = 0; i < nt; i++) {
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "name", t[i].name);
    int shape[2] = {t[i].rows, t[i].cols};
    cJSON_AddItemToObject(e, "shape", cJSON_CreateIntArray(shape, 2));
    cJSON_AddItemToObject(e, "data", exact_array(in->p + t[i].off, t[i].rows * t[i].cols));
    cJSON_AddItemToArray(ts, e);
  }
  if (in->forest) cJSON_AddItemToObject(o, "forest", forest_to_json(in->forest));
  return o;
}

/* Every number a model file holds must read back: a NaN or infinite weight
 * (a diverged fit) is refused here rather than written as -nan. */
static int check_finite_model(const model *m) {
  for (int k = 0; k < m->ninst; k++) {
    const instance *in = &m->inst[k];
    for (long i = 0; in->p && i < m->L.nparams; i++)
      if (!isfinite(in->p[i])) return au_fail(AU_ENUM, "instance %d has a non-finite weight (%g); nothing written", k + 1, in->p[i]);
    for (int j = 0; j < m->L.nx + m->L.nder; j++)
      if (!isfinite(in->lo[j]) || !isfinite(in->hi[j]) || !isfinite(in->hi[j] - in->lo[j]))
        return au_fail(AU_ENUM, "instance %d: the scaler of descriptor %d is not finite; nothing written", k + 1, j + 1);
  }
  return 0;
}

int model_save(const model *m, const char *path) {
  int frc = check_finite_model(m);
  if (frc) return frc;
  cJSON *root = cJSON_CreateObject();
  cJSON_AddStringToObject(root, "format", "auclust-model");
  cJSON_AddNumberToObject(root, "version", MODEL_FORMAT_VERSION);
  cJSON_AddStringToObject(root, "kind", hparams_kind(&m->hp));
  cJSON_AddItemToObject(root, "hparams", hparams_to_json(&m->hp));
  cJSON *tr = cJSON_AddObjectToObject(root, "training");
  cJSON_AddStringToObject(tr, "file", m->train_file ? m->train_file : "");
  cJSON_AddNumberToObject(tr, "rows", m->train_rows);
  if (m->train_delimiter) {
    char dl[2] = {m->train_delimiter, 0};
    cJSON_AddStringToObject(tr, "delimiter", dl);
  }
  if (m->train_ncolmap)
    cJSON_AddItemToObject(tr, "columns", cJSON_CreateStringArray((const char *const *)m->train_colmap, m->train_ncolmap));
  char seed[32];
  snprintf(seed, sizeof seed, "%llu", (unsigned long long)m->seed);
  cJSON_AddStringToObject(tr, "seed", seed);
  cJSON_AddNumberToObject(tr, "ensemble_folds", m->ensemble);
  cJSON_AddStringToObject(tr, "auclust_version", AUCLUST_VERSION);
  cJSON_AddItemToObject(root, "descriptors", cJSON_CreateStringArray(au_desc_name, AU_NDESC));
  /* the user's own descriptors after the 17, and the descriptors the
   * training file gave per recipe: predict needs the same columns */
  cJSON_AddItemToObject(root, "extra_descriptors", cJSON_CreateStringArray((const char *const *)m->extra_name, m->nextra));
  cJSON *fc = cJSON_AddArrayToObject(root, "descriptor_columns");
  for (int d = 0; d < AU_NDESC; d++)
    if (m->from_column[d]) cJSON_AddItemToArray(fc, cJSON_CreateString(au_desc_name[d]));
  cJSON *cs = cJSON_AddArrayToObject(root, "components");
  for (int i = 0; i < m->comps.n; i++) {
    const component *c = &m->comps.c[i];
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "name", c->name);
    cJSON_AddStringToObject(e, "smiles", c->canonical);
    cJSON_AddStringToObject(e, "role", c->role);
    cJSON_AddItemToObject(e, "dielectric_constant", num_or_null(c->dielectric));
    cJSON_AddItemToObject(e, "redox_potential_V", num_or_null(c->redox));
    cJSON_AddItemToArray(cs, e);
  }
  cJSON_AddItemToObject(root, "molecules", cJSON_CreateStringArray((const char *const *)m->smiles, m->nmol));
  cJSON_AddItemToObject(root, "molecule_names", cJSON_CreateStringArray((const char *const *)m->names, m->nmol));
  if (m->calib.fitted) { /* Platt scaling of every instance's probability */
    cJSON *cal = cJSON_AddObjectToObject(root, "calibration");
    cJSON_AddStringToObject(cal, "method", "platt");
    double ab[2] = {m->calib.a, m->calib.b};
    cJSON_AddItemToObject(cal, "a_b", exact_array(ab, 2));
    cJSON_AddNumberToObject(cal, "out_of_fold_predictions", m->calib.n);
  }
  cJSON *is = cJSON_AddArrayToObject(root, "instances");
  for (int k = 0; k < m->ninst; k++) cJSON_AddItemToArray(is, instance_json(m, &m->inst[k]));
  char *txt = cJSON_PrintUnformatted(root);
  cJSON_Delete(root);
  if (!txt) return au_fail(AU_ENOMEM, "cannot format the model as JSON");
  outfile o;
  int rc = out_open(&o, path);
  if (!rc) {
    fputs(txt, o.f);
    fputc('\n', o.f);
    rc = out_commit(&o);
  }
  free(txt);
  return rc;
}

/* ---- loading: every field and shape checked ----------------------------------- */
#define BAD(...) (au_fail(AU_EMODEL, __VA_ARGS__))

static int read_doubles(const cJSON *a, double *out, int n, const char *path, const char *what) {
  if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != n)
    return BAD("%s: %s must be an array of %d numbers", path, what, n);
  int i = 0;
  const cJSON *v;
  cJSON_ArrayForEach(v, a) {
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) return BAD("%s: %s[%d] is not a finite number", path, what, i);
    out[i++] = v->valuedouble;
  }
  return 0;
}

static int read_ints(const cJSON *a, int *out, int n, int lo, int hi, const char *path, const char *what) {
  if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != n) return BAD("%s: %s must be an array of %d integers", path, what, n);
  int i = 0;
  const cJSON *v;
  cJSON_ArrayForEach(v, a) {
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < lo || v->valuedouble > hi)
      return BAD("%s: %s[%d] must be an integer in %d..%d", path, what, i, lo, hi);
    out[i++] = v->valueint;
  }
  return 0;
}

static int load_instance(model *m, const cJSON *o, instance *in, const char *path, int k) {
  char what[160];
  int nx = m->L.nx, ns = nx + m->L.nder;
  const cJSON *sc = cJSON_GetObjectItemCaseSensitive(o, "scaler");
  snprintf(what, sizeof what, "instances[%d].scaler.min", k);
  if (read_doubles(cJSON_GetObjectItemCaseSensitive(sc, "min"), in->lo, ns, path, what)) return AU_EMODEL;
  snprintf(what, sizeof what, "instances[%d].scaler.max", k);
  if (read_doubles(cJSON_GetObjectItemCaseSensitive(sc, "max"), in->hi, ns, path, what)) return AU_EMODEL;
  const cJSON *tl = cJSON_GetObjectItemCaseSensitive(o, "training_loss");
  in->loss = cJSON_IsNumber(tl) ? tl->valuedouble : NAN;
  const cJSON *sup = cJSON_GetObjectItemCaseSensitive(o, "support");
  const cJSON *sm = cJSON_GetObjectItemCaseSensitive(sup, "molecules"), *sx = cJSON_GetObjectItemCaseSensitive(sup, "descriptors"),
              *sy = cJSON_GetObjectItemCaseSensitive(sup, "outcome");
  int n = cJSON_GetArraySize(sm);
  if (!cJSON_IsArray(sm) || n < 2 || cJSON_GetArraySize(sx) != n || cJSON_GetArraySize(sy) != n)
    return BAD("%s: instances[%d].support must hold equally long molecules, descriptors and outcome arrays", path, k);
  in->nsup = n;
  in->sup_mol = xmalloc(sizeof(int) * NROLES * n);
  in->sup_x = xmalloc(sizeof(double) * nx * n);
  in->sup_y = xmalloc(sizeof(int) * n);
  for (int i = 0; i < n; i++) {
    snprintf(what, sizeof what, "instances[%d].support.molecules[%d]", k, i);
    if (read_ints(cJSON_GetArrayItem(sm, i), in->sup_mol + i * NROLES, NROLES, 0, m->nmol - 1, path, what)) return AU_EMODEL;
    snprintf(what, sizeof what, "instances[%d].support.descriptors[%d]", k, i);
    if (read_doubles(cJSON_GetArrayItem(sx, i), in->sup_x + (size_t)i * nx, nx, path, what)) return AU_EMODEL;
  }
  snprintf(what, sizeof what, "instances[%d].support.outcome", k);
  if (read_ints(sy, in->sup_y, n, 0, 1, path, what)) return AU_EMODEL;
  tensor_desc t[MAX_TENSORS];
  int nt = net_tensors(&m->L, t);
  const cJSON *ts = cJSON_GetObjectItemCaseSensitive(o, "tensors");
  if (!cJSON_IsArray(ts) || cJSON_GetArraySize(ts) != nt)
    return BAD("%s: instances[%d] must hold %d tensors for a %s model", path, k, nt, hparams_kind(&m->hp));
  in->p = xcalloc(m->L.nparams, sizeof(double));
  for (int i = 0; i < nt; i++) {
    const cJSON *e = cJSON_GetArrayItem(ts, i);
    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(e, "name"), *sh = cJSON_GetObjectItemCaseSensitive(e, "shape");
    if (!cJSON_IsString(nm) || strcmp(nm->valuestring, t[i].name))
      return BAD("%s: instances[%d].tensors[%d] should be %s", path, k, i, t[i].name);
    int shape[2];
    snprintf(what, sizeof what, "%.100s shape", t[i].name);
    if (read_ints(sh, shape, 2, 1, 1 << 20, path, what)) return AU_EMODEL;
    if (shape[0] != t[i].rows || shape[1] != t[i].cols)
      return BAD("%s: instances[%d] tensor %s has shape [%d,%d], the hyperparameters need [%d,%d]", path, k, t[i].name,
                 shape[0], shape[1], t[i].rows, t[i].cols);
    snprintf(what, sizeof what, "instances[%d] tensor %.100s", k, t[i].name);
    if (read_doubles(cJSON_GetObjectItemCaseSensitive(e, "data"), in->p + t[i].off, t[i].rows * t[i].cols, path, what))
      return AU_EMODEL;
  }
  if (m->hp.head == HEAD_RF) {
    snprintf(what, sizeof what, "%s: instances[%d]", path, k);
    if (!(in->forest = forest_from_json(cJSON_GetObjectItemCaseSensitive(o, "forest"), m->L.nx, what))) return AU_EMODEL;
  }
  return 0;
}

static int load_components(model *m, const cJSON *a, const char *path) {
  if (!cJSON_IsArray(a)) return BAD("%s: 'components' must be an array", path);
  m->comps.path = xstrdup(path);
  m->comps.c = xcalloc(cJSON_GetArraySize(a) + 1, sizeof(component));
  const cJSON *e;
  cJSON_ArrayForEach(e, a) {
    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(e, "name"), *sm = cJSON_GetObjectItemCaseSensitive(e, "smiles"),
                *ro = cJSON_GetObjectItemCaseSensitive(e, "role"), *de = cJSON_GetObjectItemCaseSensitive(e, "dielectric_constant"),
                *rv = cJSON_GetObjectItemCaseSensitive(e, "redox_potential_V");
    if (!cJSON_IsString(nm) || !cJSON_IsString(sm) || !cJSON_IsString(ro) || !(cJSON_IsNumber(de) || cJSON_IsNull(de)) ||
        !(cJSON_IsNumber(rv) || cJSON_IsNull(rv)))
      return BAD("%s: components[%d] is malformed", path, m->comps.n);
    component *c = &m->comps.c[m->comps.n++];
    c->name = xstrdup(nm->valuestring);
    c->smiles = xstrdup(sm->valuestring);
    c->canonical = xstrdup(sm->valuestring);
    c->role = xstrdup(ro->valuestring);
    c->dielectric = cJSON_IsNumber(de) ? de->valuedouble : NAN;
    c->redox = cJSON_IsNumber(rv) ? rv->valuedouble : NAN;
  }
  return 0;
}

/* extra_descriptors and descriptor_columns: absent in older files = none */
static int load_descriptor_lists(model *m, const cJSON *root, const char *path) {
  const cJSON *ex = cJSON_GetObjectItemCaseSensitive(root, "extra_descriptors"), *e;
  if (ex && (!cJSON_IsArray(ex) || cJSON_GetArraySize(ex) > AU_MAXEXTRA))
    return BAD("%s: 'extra_descriptors' must be an array of at most %d names", path, AU_MAXEXTRA);
  cJSON_ArrayForEach(e, ex) {
    if (!cJSON_IsString(e) || !e->valuestring[0]) return BAD("%s: extra_descriptors[%d] is not a name", path, m->nextra);
    m->extra_name[m->nextra++] = xstrdup(e->valuestring);
  }
  const cJSON *fc = cJSON_GetObjectItemCaseSensitive(root, "descriptor_columns");
  if (fc && !cJSON_IsArray(fc)) return BAD("%s: 'descriptor_columns' must be an array of descriptor names", path);
  cJSON_ArrayForEach(e, fc) {
    int d = cJSON_IsString(e) ? au_desc_index(e->valuestring) : -1;
    if (d < AU_NCOND) return BAD("%s: descriptor_columns: '%s' is not a component or ligand descriptor", path,
                                 cJSON_IsString(e) ? e->valuestring : "?");
    m->from_column[d] = 1;
  }
  return 0;
}

static int load_root(model *m, const cJSON *root, const char *path) {
  const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(root, "format"), *ver = cJSON_GetObjectItemCaseSensitive(root, "version");
  if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, "auclust-model")) return BAD("%s: not an auclust model file", path);
  if (!cJSON_IsNumber(ver) || ver->valuedouble != MODEL_FORMAT_VERSION)
    return BAD("%s: model format version %g, this auclust reads version %d", path, cJSON_IsNumber(ver) ? ver->valuedouble : -1.0,
               MODEL_FORMAT_VERSION);
  const cJSON *kind = cJSON_GetObjectItemCaseSensitive(root, "kind");
  /* keys a file lacks take the paper's values: files written before the
   * non-paper hyperparameters existed were trained with those */
  if (!cJSON_IsString(kind) || hparams_preset(kind->valuestring, "paper", &m->hp))
    return BAD("%s: unknown model kind", path);
  if (hparams_from_json(cJSON_GetObjectItemCaseSensitive(root, "hparams"), &m->hp, path)) {
    char msg[600];
    snprintf(msg, sizeof msg, "%s", au_errmsg());
    return BAD("%s", msg);
  }
  if (load_descriptor_lists(m, root, path)) return AU_EMODEL;
  net_layout_init(&m->L, &m->hp, m->nextra);
  const cJSON *tr = cJSON_GetObjectItemCaseSensitive(root, "training");
  const cJSON *tf = cJSON_GetObjectItemCaseSensitive(tr, "file"), *trow = cJSON_GetObjectItemCaseSensitive(tr, "rows"),
              *ts = cJSON_GetObjectItemCaseSensitive(tr, "seed"), *te = cJSON_GetObjectItemCaseSensitive(tr, "ensemble_folds");
  m->train_file = xstrdup(cJSON_IsString(tf) ? tf->valuestring : "");
  m->train_rows = cJSON_IsNumber(trow) ? trow->valueint : 0;
  const cJSON *tdl = cJSON_GetObjectItemCaseSensitive(tr, "delimiter"), *tcols = cJSON_GetObjectItemCaseSensitive(tr, "columns");
  if (tdl) {
    if (!cJSON_IsString(tdl) || strlen(tdl->valuestring) != 1 || strchr("\"\r\n", tdl->valuestring[0]))
      return BAD("%s: training.delimiter must be one character", path);
    m->train_delimiter = tdl->valuestring[0];
  }
  if (tcols) {
    if (!cJSON_IsArray(tcols) || cJSON_GetArraySize(tcols) > RECIPE_MAX_COLMAP)
      return BAD("%s: training.columns must be an array of at most %d \"NAME=HEADER\" strings", path, RECIPE_MAX_COLMAP);
    const cJSON *c;
    cJSON_ArrayForEach(c, tcols) {
      const char *eq = cJSON_IsString(c) ? strchr(c->valuestring, '=') : NULL;
      if (!eq || eq == c->valuestring || !eq[1]) return BAD("%s: training.columns: expected \"NAME=HEADER\" strings", path);
      m->train_colmap[m->train_ncolmap++] = xstrdup(c->valuestring);
    }
  }
  m->seed = cJSON_IsString(ts) ? strtoull(ts->valuestring, NULL, 10) : 0;
  m->ensemble = cJSON_IsNumber(te) ? te->valueint : 0;
  const cJSON *descs = cJSON_GetObjectItemCaseSensitive(root, "descriptors");
  if (cJSON_GetArraySize(descs) != AU_NDESC) return BAD("%s: expected %d descriptors", path, AU_NDESC);
  for (int j = 0; j < AU_NDESC; j++) {
    const cJSON *d = cJSON_GetArrayItem(descs, j);
    if (!cJSON_IsString(d) || strcmp(d->valuestring, au_desc_name[j]))
      return BAD("%s: descriptor %d should be %s", path, j, au_desc_name[j]);
  }
  if (load_components(m, cJSON_GetObjectItemCaseSensitive(root, "components"), path)) return AU_EMODEL;
  const cJSON *mols = cJSON_GetObjectItemCaseSensitive(root, "molecules");
  int nmol = cJSON_GetArraySize(mols);
  if (!cJSON_IsArray(mols) || nmol < 1) return BAD("%s: 'molecules' must be a non-empty array", path);
  set_molecules(m, nmol, xcalloc(nmol + 1, sizeof(char *)));
  for (int i = 0; i < nmol; i++) {
    const cJSON *s = cJSON_GetArrayItem(mols, i);
    if (!cJSON_IsString(s)) return BAD("%s: molecules[%d] is not a string", path, i);
    m->smiles[i] = xstrdup(s->valuestring);
    if (molgraph_from_smiles(s->valuestring, &m->graphs[i])) return BAD("%s: molecules[%d] '%s' is not valid SMILES", path, i, s->valuestring);
    m->gp[i] = &m->graphs[i];
  }
  const cJSON *names = cJSON_GetObjectItemCaseSensitive(root, "molecule_names");
  if (names && (!cJSON_IsArray(names) || cJSON_GetArraySize(names) != nmol))
    return BAD("%s: 'molecule_names' must hold %d names", path, nmol);
  for (int i = 0; i < nmol; i++) {
    const cJSON *s = names ? cJSON_GetArrayItem(names, i) : NULL;
    m->names[i] = xstrdup(cJSON_IsString(s) ? s->valuestring : m->smiles[i]);
  }
  const cJSON *cal = cJSON_GetObjectItemCaseSensitive(root, "calibration");
  if (cal) { /* absent: a model without calibration */
    const cJSON *meth = cJSON_GetObjectItemCaseSensitive(cal, "method"), *nn = cJSON_GetObjectItemCaseSensitive(cal, "out_of_fold_predictions");
    double ab[2];
    if (!cJSON_IsString(meth) || strcmp(meth->valuestring, "platt") || !cJSON_IsNumber(nn) ||
        read_doubles(cJSON_GetObjectItemCaseSensitive(cal, "a_b"), ab, 2, path, "calibration.a_b"))
      return BAD("%s: 'calibration' must be {\"method\": \"platt\", \"a_b\": [a, b], \"out_of_fold_predictions\": n}", path);
    m->calib = (platt){1, ab[0], ab[1], nn->valueint};
  }
  const cJSON *is = cJSON_GetObjectItemCaseSensitive(root, "instances");
  int ni = cJSON_GetArraySize(is);
  if (!cJSON_IsArray(is) || ni < 1) return BAD("%s: 'instances' must be a non-empty array", path);
  m->inst = xcalloc(ni, sizeof(instance));
  m->ninst = ni;
  for (int k = 0; k < ni; k++) {
    if (load_instance(m, cJSON_GetArrayItem(is, k), &m->inst[k], path, k)) return AU_EMODEL;
    instance_prepare(&m->L, &m->inst[k], m->gp, m->nmol);
  }
  return 0;
}

int model_load(model *m, const char *path) {
  memset(m, 0, sizeof *m);
  char *buf;
  size_t len;
  int rc0 = read_capped(path, AU_CAP_MODEL, AU_EMODEL, "model file", &buf, &len);
  if (rc0) return rc0;
  /* the whole file must be one JSON document: trailing bytes mean damage */
  cJSON *root = strlen(buf) == len ? cJSON_ParseWithOpts(buf, NULL, 1) : NULL;
  free(buf);
  if (!root) return BAD("%s: not a valid model file (truncated or corrupted JSON)", path);
  int rc = load_root(m, root, path);
  cJSON_Delete(root);
  if (rc) model_free(m);
  return rc;
}

/* ---- using a model ------------------------------------------------------------ */
static int same_value(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

int model_check_components(const model *m, const component_table *user) {
  for (int i = 0; i < m->comps.n; i++) {
    const component *c = &m->comps.c[i];
    int k = components_find(user, c->canonical);
    if (k < 0) continue;
    const component *u = &user->c[k];
    int de = !same_value(c->dielectric, u->dielectric), re = !same_value(c->redox, u->redox);
    if (de || re)
      return au_fail(AU_EMODEL,
                     "%s: %s of '%s' (%s) is %g here but %g in the table the model was trained with; "
                     "retrain or leave out --components",
                     user->path, de ? "dielectric_constant" : "redox_potential_V", c->name, c->canonical,
                     de ? u->dielectric : u->redox, de ? c->dielectric : c->redox);
  }
  return 0;
}

int model_components(const model *m, const char *user_path, component_table *out) {
  component_table user = {0};
  int rc;
  memset(out, 0, sizeof *out);
  if (user_path) {
    if ((rc = components_load(user_path, &user))) return rc;
    if ((rc = model_check_components(m, &user))) { components_free(&user); return rc; }
  }
  out->from_model = 1;
  out->c = xcalloc(m->comps.n + user.n + 1, sizeof(component));
  for (int i = 0; i < m->comps.n; i++) comp_copy(&out->c[out->n++], &m->comps.c[i]);
  for (int i = 0; i < user.n; i++) /* what the model's table lacks */
    if (components_find(out, user.c[i].canonical) < 0) comp_copy(&out->c[out->n++], &user.c[i]);
  size_t len = strlen(user_path ? user_path : "") + 40;
  out->path = xmalloc(len);
  if (user_path) snprintf(out->path, len, "the model's components and %s", user_path);
  else snprintf(out->path, len, "the model's components");
  components_free(&user);
  return 0;
}

typedef struct {
  const model *m;
  const dataset *q;
  double *p;
} pred_ctx;

static int predict_job(int k, void *vc) {
  pred_ctx *c = vc;
  int n = c->q->n;
  double *tmp = xmalloc(sizeof(double) * (n + 1));
  int rc = instance_predict(&c->m->L, &c->m->inst[k], c->q, NULL, n, tmp);
  for (int i = 0; i < n && !rc; i++) c->p[(size_t)i * c->m->ninst + k] = model_calibrated(c->m, tmp[i]);
  free(tmp);
  return rc;
}

double model_calibrated(const model *m, double p) { return m->uncalibrated ? p : platt_apply(&m->calib, p); }

int model_predict(const model *m, const recipe_set *q, double *p) {
  dataset d;
  dataset_from_recipes(q, &d);
  int rc = model_predict_dataset(m, &d, p);
  dataset_free(&d);
  return rc;
}

int model_predict_dataset(const model *m, const dataset *d, double *p) {
  pred_ctx c = {m, d, p};
  return par_for(m->ninst, par_threads(), predict_job, &c);
}

static int same_row(const int *ma, const double *xa, int ya, const int *mb, const double *xb, int yb, int nx) {
  return ya == yb && !memcmp(ma, mb, sizeof(int) * NROLES) && !memcmp(xa, xb, sizeof(double) * nx);
}

/* Instances share most of their support rows, so rows are merged by value;
 * a recipe listed twice in the training file (a repeated synthesis) stays
 * twice: its count is the most copies any one support set holds. */
int model_training_rows(const model *m, int **mol, double **x, int **y) {
  int cap = 0, n = 0, nx = m->L.nx;
  for (int k = 0; k < m->ninst; k++) cap += m->inst[k].nsup;
  int *dm = xmalloc(sizeof(int) * NROLES * (cap + 1)), *dy = xmalloc(sizeof(int) * (cap + 1));
  int *mult = xcalloc(cap + 1, sizeof(int)), *here = xcalloc(cap + 1, sizeof(int));
  double *dx = xmalloc(sizeof(double) * nx * (cap + 1));
  for (int k = 0; k < m->ninst; k++) {
    memset(here, 0, sizeof(int) * (cap + 1));
    for (int i = 0; i < m->inst[k].nsup; i++) {
      const int *mi = m->inst[k].sup_mol + i * NROLES;
      const double *xi = m->inst[k].sup_x + (size_t)i * nx;
      int yi = m->inst[k].sup_y[i], j = 0;
      while (j < n && !same_row(dm + j * NROLES, dx + (size_t)j * nx, dy[j], mi, xi, yi, nx)) j++;
      if (j == n) {
        memcpy(dm + n * NROLES, mi, sizeof(int) * NROLES);
        memcpy(dx + (size_t)n * nx, xi, sizeof(double) * nx);
        dy[n++] = yi;
      }
      if (++here[j] > mult[j]) mult[j] = here[j];
    }
  }
  int total = 0;
  for (int j = 0; j < n; j++) total += mult[j];
  *mol = xmalloc(sizeof(int) * NROLES * (total + 1));
  *x = xmalloc(sizeof(double) * nx * (total + 1));
  *y = xmalloc(sizeof(int) * (total + 1));
  int t = 0;
  for (int j = 0; j < n; j++)
    for (int c = 0; c < mult[j]; c++, t++) {
      memcpy(*mol + t * NROLES, dm + j * NROLES, sizeof(int) * NROLES);
      memcpy(*x + (size_t)t * nx, dx + (size_t)j * nx, sizeof(double) * nx);
      (*y)[t] = dy[j];
    }
  free(dm); free(dy); free(dx); free(mult); free(here);
  return total;
}

void model_mean_std(const model *m, const double *p, int i, double *mean, double *sd) {
  double s = 0, s2 = 0;
  int K = m->ninst;
  for (int k = 0; k < K; k++) s += p[(size_t)i * K + k];
  *mean = s / K;
  for (int k = 0; k < K; k++) s2 += (p[(size_t)i * K + k] - *mean) * (p[(size_t)i * K + k] - *mean);
  *sd = K > 1 ? sqrt(s2 / (K - 1)) : 0;
}
