#include "descriptors.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "rdkit_cffi.h"

const char *const au_desc_name[AU_NDESC] = {
    "ligand_mM",           "haucl4_mM",   "reductant_mM",  "temperature_C",  "pH",
    "dielectric_constant", "ligand_solubility",            "redox_potential_V",
    "ligand_charge",       "ligand_hbd",  "ligand_hba",    "ligand_aromatic", "ligand_mw",
    "ligand_rotatable_bonds", "ligand_complexity", "ligand_tpsa", "ligand_logp"};

const char *const au_desc_unit[AU_NDESC] = {
    "mM", "mM", "mM", "°C", "", "", "log10 mol/L", "V vs SHE", "e", "", "", "", "g/mol", "", "", "Å²", ""};

const char *const au_desc_label[AU_NDESC] = {
    "[ligand]", "[HAuCl4]", "[reductant]", "temperature", "pH", "solvent dielectric constant", "ligand solubility",
    "reductant redox potential", "ligand charge", "ligand H-bond donors", "ligand H-bond acceptors", "aromatic ligand",
    "ligand molecular weight", "ligand rotatable bonds", "ligand complexity (Bertz)", "ligand TPSA", "ligand logP"};

const int au_desc_binary[AU_NDESC] = {[D_AROMATIC] = 1};

const double au_desc_min[AU_NDESC] = {0, 0, 0, -20, 0, 1, -50, -10, -64, 0, 0, 0, 1, 0, 0, 0, -100};
const double au_desc_max[AU_NDESC] = {1e4, 1e4, 1e4, 150, 14, 1000, 10, 10, 64, 1e4, 1e4, 1, 1e5, 1e4, 1e7, 1e5, 100};

int au_desc_index(const char *name) {
  for (int i = 0; i < AU_NDESC; i++)
    if (!strcmp(name, au_desc_name[i])) return i;
  return -1;
}

/* ---- Bertz CT ----------------------------------------------------------
 * Symmetry classes: atoms whose sorted rows of the bond-order-weighted
 * distance matrix agree to 4 decimals (RDKit formats them with %.4f).
 * Connections: pairs of bonds sharing a hinge atom, keyed by the classes
 * involved, plus multiple-bond self connections. CT = atom-type information
 * content + connection information content, in bits. */
typedef struct { int k[3]; double n; } conn_t;

static double info_entropy_bits(const double *v, int n) {
  double tot = 0, h = 0;
  for (int i = 0; i < n; i++) tot += v[i];
  if (tot <= 0) return 0;
  for (int i = 0; i < n; i++)
    if (v[i] > 0) h -= v[i] / tot * log2(v[i] / tot);
  return h;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double bond_value(const molgraph *g, int b) { return g->bond_arom[b] ? 1.5 : g->bond_order[b]; }

static void add_conn(conn_t *c, int *nc, int a, int b, int h, double n) {
  for (int i = 0; i < *nc; i++)
    if (c[i].k[0] == a && c[i].k[1] == b && c[i].k[2] == h) { c[i].n += n; return; }
  c[*nc] = (conn_t){{a, b, h}, n};
  (*nc)++;
}

double bertz_ct(const molgraph *g) {
  int n = g->natoms;
  if (n < 2) return 0.0;
  double *d = xmalloc(sizeof(double) * n * n);
  for (int i = 0; i < n * n; i++) d[i] = 1e8; /* RDKit's value for "not connected" */
  for (int i = 0; i < n; i++) d[i * n + i] = 0;
  for (int b = 0; b < g->nbonds; b++) {
    double w = 1.0 / bond_value(g, b);
    d[g->bond_a[b] * n + g->bond_b[b]] = d[g->bond_b[b] * n + g->bond_a[b]] = w;
  }
  for (int k = 0; k < n; k++)
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++)
        if (d[i * n + k] + d[k * n + j] < d[i * n + j]) d[i * n + j] = d[i * n + k] + d[k * n + j];
  /* symmetry classes, numbered in order of first appearance */
  char **keys = xcalloc(n, sizeof(char *));
  int *cls = xcalloc(n, sizeof(int)), nkeys = 0;
  double *row = xmalloc(sizeof(double) * n);
  for (int i = 0; i < n; i++) {
    memcpy(row, d + i * n, sizeof(double) * n);
    qsort(row, n, sizeof(double), cmp_double);
    size_t cap = (size_t)n * 24 + 1, len = 0;
    char *key = xmalloc(cap);
    for (int j = 0; j < n && j < 100; j++) len += snprintf(key + len, cap - len, "%.4f,", row[j]);
    int c = 0;
    while (c < nkeys && strcmp(keys[c], key)) c++;
    if (c == nkeys) keys[nkeys++] = key;
    else free(key);
    cls[i] = c + 1;
  }
  /* connections around each hinge atom; neighbours in ascending index order */
  int maxconn = 1;
  for (int a = 0; a < n; a++) { int dg = g->degree[a]; maxconn += dg * (dg + 1) / 2 + dg; }
  conn_t *conn = xcalloc(maxconn, sizeof(conn_t));
  int nconn = 0;
  int *nb = xmalloc(sizeof(int) * (n + 1)), *nbb = xmalloc(sizeof(int) * (n + 1));
  for (int a = 0; a < n; a++) {
    int dg = 0;
    for (int k = g->nbr_start[a]; k < g->nbr_start[a + 1]; k++) { nb[dg] = g->nbr_atom[k]; nbb[dg++] = g->nbr_bond[k]; }
    for (int i = 1; i < dg; i++) /* insertion sort by neighbour index */
      for (int j = i; j > 0 && nb[j - 1] > nb[j]; j--) {
        int t = nb[j]; nb[j] = nb[j - 1]; nb[j - 1] = t;
        t = nbb[j]; nbb[j] = nbb[j - 1]; nbb[j - 1] = t;
      }
    for (int i = 0; i < dg; i++) {
      int ci = cls[nb[i]];
      double oi = bond_value(g, nbb[i]);
      if (oi > 1 && nb[i] > a) {
        int lo = cls[a] < ci ? cls[a] : ci, hi = cls[a] < ci ? ci : cls[a];
        add_conn(conn, &nconn, lo, hi, -1, oi * (oi - 1) / 2);
      }
      for (int j = i + 1; j < dg; j++) {
        int cj = cls[nb[j]];
        add_conn(conn, &nconn, ci < cj ? ci : cj, ci < cj ? cj : ci, cls[a], oi * bond_value(g, nbb[j]));
      }
    }
  }
  double ct = 0;
  if (nconn) {
    double *cv = xmalloc(sizeof(double) * nconn), tot = 0;
    for (int i = 0; i < nconn; i++) { cv[i] = conn[i].n; tot += cv[i]; }
    ct += tot * (info_entropy_bits(cv, nconn) + log2(tot));
    free(cv);
  }
  /* atom types by element over heavy atoms */
  double *types = xcalloc(n, sizeof(double));
  int *tz = xcalloc(n, sizeof(int)), nt = 0;
  for (int a = 0; a < n; a++) {
    int t = 0;
    while (t < nt && tz[t] != g->z[a]) t++;
    if (t == nt) tz[nt++] = g->z[a];
    types[t] += 1;
  }
  ct += n * info_entropy_bits(types, nt);
  for (int i = 0; i < nkeys; i++) free(keys[i]);
  free(keys); free(cls); free(row); free(d); free(conn); free(nb); free(nbb); free(types); free(tz);
  return ct;
}

/* ---- ligand properties -------------------------------------------------- */
static int json_number(const cJSON *o, const char *key, double *out, const char *smiles) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  if (!cJSON_IsNumber(v))
    return au_fail(AU_EDATA, "RDKit gave no '%s' descriptor for ligand '%s'", key, smiles);
  *out = v->valuedouble;
  return 0;
}

int ligand_props_compute(const char *smiles, const molgraph *g, ligand_props *p) {
  memset(p, 0, sizeof *p);
  size_t sz = 0;
  char *pkl = get_mol(smiles, &sz, "");
  if (!pkl) return au_fail(AU_EDATA, "RDKit cannot parse ligand SMILES '%s'", smiles);
  char *js = get_descriptors(pkl, sz);
  free_ptr(pkl);
  cJSON *o = js ? cJSON_Parse(js) : NULL;
  free_ptr(js);
  if (!o) return au_fail(AU_EDATA, "RDKit descriptors unavailable for ligand '%s'", smiles);
  int rc = json_number(o, "amw", &p->mw, smiles);
  if (!rc) rc = json_number(o, "CrippenClogP", &p->logp, smiles);
  if (!rc) rc = json_number(o, "tpsa", &p->tpsa, smiles);
  if (!rc) rc = json_number(o, "NumHBD", &p->hbd, smiles);
  if (!rc) rc = json_number(o, "NumHBA", &p->hba, smiles);
  if (!rc) rc = json_number(o, "NumRotatableBonds", &p->rotatable, smiles);
  cJSON_Delete(o);
  if (rc) return rc;
  int charge = 0, narom = 0;
  for (int a = 0; a < g->natoms; a++) { charge += g->charge[a]; narom += g->aromatic[a]; }
  p->charge = charge;
  p->aromatic = narom > 0;
  p->aromatic_proportion = g->natoms ? (double)narom / g->natoms : 0;
  p->complexity = bertz_ct(g);
  return 0;
}

/* Solubility of the ligand in the solvent, log10(mol/L). In water: ESOL
 * (Delaney, J. Chem. Inf. Comput. Sci. 44, 1000 (2004)):
 *   logS_w = 0.16 - 0.63 logP - 0.0062 MW + 0.066 RB - 0.74 AP.
 * In another solvent the octanol/water partition moves it toward the
 * organic phase in proportion to how unlike water the solvent is:
 *   logS = logS_w + (1 - f) logP,  f = (eps - eps_oct)/(eps_w - eps_oct)
 * clipped to [0, 1], eps_oct = 10.3 (1-octanol), eps_w = 80.1. A crude,
 * documented estimate; a recipe column `ligand_solubility` overrides it. */
double ligand_solubility(const ligand_props *p, double eps) {
  double logs_w = 0.16 - 0.63 * p->logp - 0.0062 * p->mw + 0.066 * p->rotatable - 0.74 * p->aromatic_proportion;
  double f = (eps - 10.3) / (80.1 - 10.3);
  if (f < 0) f = 0;
  if (f > 1) f = 1;
  return logs_w + (1 - f) * p->logp;
}
