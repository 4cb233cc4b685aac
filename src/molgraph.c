#include "molgraph.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "rdkit_cffi.h"

/* The Keras NGF element list, in its order; anything else is "unknown". */
static const int elem_z[MG_NELEM - 1] = {6,  7,  8,  16, 9,  14, 15, 17, 35, 12, 11, 20, 26, 33, 13,
                                         53, 5,  23, 19, 81, 70, 51, 50, 47, 46, 27, 34, 22, 30, 1,
                                         3,  32, 29, 79, 28, 48, 49, 25, 40, 24, 78, 80, 82};

/* Default valence (first of RDKit's allowed valences, -1 = any) and outer
 * electrons, for main-group elements: what RDKit's conjugation rules need. */
static void element_data(int z, int *dv, int *nouter) {
  static const struct { int z, dv, nouter; } t[] = {
      {1, 1, 1},   {3, 1, 1},   {5, 3, 3},   {6, 4, 4},   {7, 3, 5},   {8, 2, 6},   {9, 1, 7},
      {11, 1, 1},  {12, 2, 2},  {13, 3, 3},  {14, 4, 4},  {15, 3, 5},  {16, 2, 6},  {17, 1, 7},
      {19, 1, 1},  {20, 2, 2},  {31, 3, 3},  {32, 4, 4},  {33, 3, 5},  {34, 2, 6},  {35, 1, 7},
      {37, 1, 1},  {38, 2, 2},  {49, 3, 3},  {50, 2, 4},  {51, 3, 5},  {52, 2, 6},  {53, 1, 7},
      {55, 1, 1},  {56, 2, 2},  {81, 1, 3},  {82, 2, 4},  {83, 3, 5},  {84, 2, 6},  {85, 1, 7}};
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
    if (t[i].z == z) { *dv = t[i].dv; *nouter = t[i].nouter; return; }
  *dv = -1; /* transition metals and the rest: never conjugation candidates */
  *nouter = 0;
}

int mg_element_index(int z) {
  for (int i = 0; i < MG_NELEM - 1; i++)
    if (elem_z[i] == z) return i;
  return MG_NELEM - 1;
}

const char *mg_element_symbol(int z) {
  static const char *sym[] = {
      "*",  "H",  "He", "Li", "Be", "B",  "C",  "N",  "O",  "F",  "Ne", "Na", "Mg", "Al", "Si", "P",
      "S",  "Cl", "Ar", "K",  "Ca", "Sc", "Ti", "V",  "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", "Ga",
      "Ge", "As", "Se", "Br", "Kr", "Rb", "Sr", "Y",  "Zr", "Nb", "Mo", "Tc", "Ru", "Rh", "Pd", "Ag",
      "Cd", "In", "Sn", "Sb", "Te", "I",  "Xe", "Cs", "Ba", "La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu",
      "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Hf", "Ta", "W",  "Re", "Os", "Ir", "Pt", "Au",
      "Hg", "Tl", "Pb", "Bi", "Po", "At", "Rn"};
  return z >= 0 && z < (int)(sizeof sym / sizeof sym[0]) ? sym[z] : "?";
}

void molgraph_free(molgraph *g) {
  if (!g) return;
  free(g->z); free(g->charge); free(g->hs); free(g->impval); free(g->degree); free(g->nrad);
  free(g->aromatic); free(g->bracket);
  free(g->bond_a); free(g->bond_b); free(g->bond_order);
  free(g->bond_arom); free(g->bond_conj); free(g->bond_ring);
  free(g->nbr_start); free(g->nbr_atom); free(g->nbr_bond);
  free(g->atom_feat); free(g->bond_feat); free(g->canonical);
  memset(g, 0, sizeof *g);
}

/* ---- bracket atoms from the SMILES text --------------------------------
 * RDKit's implicit valence is 0 for bracket atoms ([nH], [C@@H], [BH4-])
 * and the implicit H count otherwise; commonchem only gives the total H.
 * RDKit keeps SMILES atom order, so the k-th atom token is atom k, except
 * for bracket hydrogens that sanitisation merges into their neighbour.
 * Known gap: the neighbour of a merged [H] (as in [H]OC) counts it as
 * implicit, where RDKit counts it as explicit. */
typedef struct { int bracket, hydrogen; } smiles_tok;

static int scan_smiles_atoms(const char *s, smiles_tok *tok, int max) {
  int n = 0;
  for (const char *p = s; *p; p++) {
    int c = (unsigned char)*p;
    if (c == '[') {
      const char *q = p + 1;
      while (isdigit((unsigned char)*q)) q++; /* isotope */
      int hyd = q[0] == 'H' && !islower((unsigned char)q[1]);
      const char *e = strchr(p, ']');
      if (!e) return -1;
      if (n < max) tok[n] = (smiles_tok){1, hyd};
      n++;
      p = e;
    } else if (c == '%') {
      p += 2; /* two-digit ring closure */
      if (!p[-1] || !p[0]) return -1;
    } else if (strchr("BCNOPSFIbcnops*", c)) {
      if ((c == 'C' && p[1] == 'l') || (c == 'B' && p[1] == 'r')) p++;
      if (n < max) tok[n] = (smiles_tok){0, 0};
      n++;
    }
  }
  return n;
}

int smiles_check_text(const char *s) {
  if (!s || !*s) return au_fail(AU_EDATA, "empty SMILES");
  /* RDKit stops at the first space or tab and takes the rest as the
   * molecule's name ("OC(=O)CC CCCS" would be propanoic acid): refuse */
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p <= 0x20 || *p >= 0x7f)
      return au_fail(AU_EDATA, "SMILES '%.200s' contains %s at character %d; a SMILES is printable ASCII without spaces", s,
                     *p == ' ' ? "a space" : *p == '\t' ? "a tab" : *p >= 0x80 ? "a non-ASCII byte" : "a control character",
                     (int)(p - (const unsigned char *)s) + 1);
  /* a dative bond ('->', '<-' outside brackets) has no order for the
   * descriptors or the GCNN, and RDKit's SMILES parser leaks when it
   * rejects some of them in rings (fuzz_smiles): refused before RDKit */
  for (const char *p = s, *open = NULL; *p; p++) {
    if (*p == '[') open = p;
    else if (*p == ']') open = NULL;
    else if (!open && ((p[0] == '-' && p[1] == '>') || (p[0] == '<' && p[1] == '-')))
      return au_fail(AU_EDATA, "SMILES '%.200s' has a dative bond '%.2s' at character %d; write it as a single, double or "
                     "triple bond", s, p, (int)(p - s) + 1);
  }
  /* a wildcard atom is no molecule, and RDKit's kekulization of aromatic
   * rings of them is exponential (60 characters took 30 s; fuzz_smiles) */
  if (strchr(s, '*'))
    return au_fail(AU_EDATA, "SMILES '%.200s' has a wildcard atom '*'; give the actual element", s);
  /* RDKit's stereo perception and the O(n^3) Bertz distance matrix make a
   * few thousand atoms take minutes: the size is capped before parsing */
  size_t len = strlen(s);
  if (len > MG_MAX_SMILES)
    return au_fail(AU_EDATA, "SMILES '%.40s...' is %zu characters long; the limit is %d", s, len, MG_MAX_SMILES);
  int natoms = scan_smiles_atoms(s, NULL, 0);
  if (natoms > MG_MAX_ATOMS)
    return au_fail(AU_EDATA, "SMILES '%.40s...' has %d atoms; the limit is %d atoms per molecule", s, natoms, MG_MAX_ATOMS);
  return 0;
}

static void mark_brackets(molgraph *g, const char *smiles) {
  int cap = (int)strlen(smiles) + 1;
  smiles_tok *tok = xcalloc(cap, sizeof *tok);
  int nt = smiles ? scan_smiles_atoms(smiles, tok, cap) : -1;
  int a = 0;
  for (int t = 0; t < nt && a < g->natoms; t++) {
    if (tok[t].hydrogen && g->z[a] != 1) continue; /* merged into a neighbour */
    g->bracket[a++] = (unsigned char)tok[t].bracket;
  }
  if (nt < 0 || a != g->natoms) /* cannot align: treat every H as implicit */
    memset(g->bracket, 0, g->natoms);
  free(tok);
}

/* ---- RDKit's conjugation rules (MolOps::setConjugation) ---------------- */
static int total_degree(const molgraph *g, int a) { return g->degree[a] + g->hs[a]; }

static int explicit_valence(const molgraph *g, int a) {
  double v = g->bracket[a] ? g->hs[a] : 0;
  for (int k = g->nbr_start[a]; k < g->nbr_start[a + 1]; k++) {
    int b = g->nbr_bond[k];
    v += g->bond_arom[b] ? 1.5 : g->bond_order[b];
  }
  return (int)(v + 0.1);
}

/* electrons an atom can donate to a pi system (MolOps::countAtomElec) */
static int count_atom_elec(const molgraph *g, int a) {
  int dv, nouter;
  element_data(g->z[a], &dv, &nouter);
  if (dv <= 1) return -1;
  int deg = total_degree(g, a);
  if (deg > 3) return -1;
  int nlp = nouter - dv - g->charge[a];
  if (nlp < 0) nlp = 0;
  int res = (dv - deg) + nlp - g->nrad[a];
  if (res > 1 && explicit_valence(g, a) - g->degree[a] > 1) res = 1;
  return res;
}

static int conj_candidate(const molgraph *g, int a) {
  int dv, nouter;
  element_data(g->z[a], &dv, &nouter);
  int ok = g->z[a] <= 10 || (nouter != 5 && nouter != 6) || (nouter == 6 && total_degree(g, a) < 2);
  return ok && count_atom_elec(g, a) > 0;
}

static void set_conjugation(molgraph *g) {
  for (int b = 0; b < g->nbonds; b++) g->bond_conj[b] = g->bond_arom[b];
  for (int a = 0; a < g->natoms; a++) {
    if (!conj_candidate(g, a)) continue;
    int sbo = total_degree(g, a);
    if (sbo < 2 || sbo > 3) continue;
    for (int i = g->nbr_start[a]; i < g->nbr_start[a + 1]; i++) {
      int b1 = g->nbr_bond[i];
      if (!g->bond_arom[b1] && g->bond_order[b1] < 2) continue; /* needs a pi bond here */
      for (int j = g->nbr_start[a]; j < g->nbr_start[a + 1]; j++) {
        if (j == i) continue;
        int a2 = g->nbr_atom[j];
        if (total_degree(g, a2) > 3 || !conj_candidate(g, a2)) continue;
        g->bond_conj[b1] = 1;
        g->bond_conj[g->nbr_bond[j]] = 1;
      }
    }
  }
}

/* ---- JSON reading ------------------------------------------------------ */
/* An integer field in lo..hi, `dflt` when absent. Range-checked on the
 * double: a hand-made file's 1e300 or -2^31 must not overflow anything. */
static int json_int(const cJSON *obj, const char *key, int dflt, int lo, int hi, int *out) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (!v) { *out = dflt; return 0; }
  if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < lo || v->valuedouble > hi)
    return au_fail(AU_EDATA, "molecule graph: '%s' must be an integer in %d..%d", key, lo, hi);
  *out = (int)v->valuedouble;
  return 0;
}

/* ranges of what a molecule can hold: wider than chemistry, narrow enough
 * that sums and differences of them never overflow */
#define MG_MAX_Z 200
#define MG_MAX_HS 64
#define MG_MAX_CHARGE 64
#define MG_MAX_RAD 64

static void set_onehot(double *row, int off, int nbins, int v) {
  if (v < 0) v = 0;
  if (v >= nbins) v = nbins - 1; /* last bin means "this many or more" */
  row[off + v] = 1.0;
}

static void build_features(molgraph *g) {
  g->atom_feat = xcalloc((size_t)g->natoms * MG_ATOM_FEATS, sizeof(double));
  for (int a = 0; a < g->natoms; a++) {
    double *r = g->atom_feat + (size_t)a * MG_ATOM_FEATS;
    r[MG_OFF_ELEM + mg_element_index(g->z[a])] = 1.0;
    set_onehot(r, MG_OFF_DEGREE, 6, g->degree[a]);
    set_onehot(r, MG_OFF_HS, 5, g->hs[a]);
    set_onehot(r, MG_OFF_IMPVAL, 6, g->impval[a]);
    r[MG_OFF_AROM] = g->aromatic[a];
  }
  g->bond_feat = xcalloc((size_t)(g->nbonds ? g->nbonds : 1) * MG_BOND_FEATS, sizeof(double));
  for (int b = 0; b < g->nbonds; b++) {
    double *r = g->bond_feat + (size_t)b * MG_BOND_FEATS;
    if (g->bond_arom[b]) r[MG_BOND_AROMATIC] = 1;
    else if (g->bond_order[b] >= 1 && g->bond_order[b] <= 3) r[MG_BOND_SINGLE + g->bond_order[b] - 1] = 1;
    r[MG_BOND_CONJ] = g->bond_conj[b];
    r[MG_BOND_RING] = g->bond_ring[b];
  }
}

static int find_bond(const molgraph *g, int a, int b) {
  for (int k = g->nbr_start[a]; k < g->nbr_start[a + 1]; k++)
    if (g->nbr_atom[k] == b) return g->nbr_bond[k];
  return -1;
}

static void build_neighbours(molgraph *g) {
  int n = g->natoms;
  g->nbr_start = xcalloc(n + 1, sizeof(int));
  g->nbr_atom = xcalloc(2 * g->nbonds + 1, sizeof(int));
  g->nbr_bond = xcalloc(2 * g->nbonds + 1, sizeof(int));
  for (int b = 0; b < g->nbonds; b++) { g->nbr_start[g->bond_a[b] + 1]++; g->nbr_start[g->bond_b[b] + 1]++; }
  for (int a = 0; a < n; a++) g->nbr_start[a + 1] += g->nbr_start[a];
  int *fill = xcalloc(n, sizeof(int));
  for (int b = 0; b < g->nbonds; b++) {
    int x = g->bond_a[b], y = g->bond_b[b];
    g->nbr_atom[g->nbr_start[x] + fill[x]] = y; g->nbr_bond[g->nbr_start[x] + fill[x]++] = b;
    g->nbr_atom[g->nbr_start[y] + fill[y]] = x; g->nbr_bond[g->nbr_start[y] + fill[y]++] = b;
  }
  free(fill);
  for (int a = 0; a < n; a++) g->degree[a] = g->nbr_start[a + 1] - g->nbr_start[a];
}

static int count_fragments(const molgraph *g) {
  int *comp = xmalloc(sizeof(int) * (g->natoms + 1)), *stack = xmalloc(sizeof(int) * (g->natoms + 1));
  for (int a = 0; a < g->natoms; a++) comp[a] = -1;
  int nf = 0;
  for (int s = 0; s < g->natoms; s++) {
    if (comp[s] >= 0) continue;
    int top = 0;
    stack[top++] = s;
    comp[s] = nf;
    while (top) {
      int a = stack[--top];
      for (int k = g->nbr_start[a]; k < g->nbr_start[a + 1]; k++)
        if (comp[g->nbr_atom[k]] < 0) { comp[g->nbr_atom[k]] = nf; stack[top++] = g->nbr_atom[k]; }
    }
    nf++;
  }
  free(comp); free(stack);
  return nf;
}

/* A bond listed twice (RDKit never writes one, a hand-made commonchem file
 * may) would break every consumer that assumes a simple graph (bertz_ct
 * sizes its tables by degree). One stamp per atom: linear in the bonds. */
static int check_duplicate_bonds(const molgraph *g, const char *smiles) {
  int *stamp = xmalloc(sizeof(int) * (g->natoms + 1)), rc = 0;
  for (int a = 0; a < g->natoms; a++) stamp[a] = -1;
  for (int a = 0; a < g->natoms && !rc; a++)
    for (int k = g->nbr_start[a]; k < g->nbr_start[a + 1]; k++) {
      int b = g->nbr_atom[k];
      if (stamp[b] == a) {
        rc = au_fail(AU_EDATA, "molecule graph for '%s' lists the bond %d-%d twice", smiles ? smiles : "?", a, b);
        break;
      }
      stamp[b] = a;
    }
  free(stamp);
  return rc;
}

/* commonchem puts one RDKit molecule, all fragments included, in
 * molecules[0]; salts such as [Na+].[BH4-] are one entry. */
/* `shown` is the SMILES error messages name: what the user wrote. */
static int from_json(const char *json, const char *smiles, const char *shown, molgraph *g) {
  memset(g, 0, sizeof *g);
  cJSON *root = cJSON_Parse(json);
  if (!root) return au_fail(AU_EDATA, "RDKit returned unreadable JSON for '%s'", shown);
  int rc = AU_OK;
  const cJSON *defs = cJSON_GetObjectItemCaseSensitive(root, "defaults");
  const cJSON *da = cJSON_GetObjectItemCaseSensitive(defs, "atom");
  const cJSON *db = cJSON_GetObjectItemCaseSensitive(defs, "bond");
  const cJSON *mols = cJSON_GetObjectItemCaseSensitive(root, "molecules");
  const cJSON *mol = cJSON_GetArrayItem(mols, 0);
  const cJSON *atoms = cJSON_GetObjectItemCaseSensitive(mol, "atoms");
  const cJSON *bonds = cJSON_GetObjectItemCaseSensitive(mol, "bonds");
  if (!cJSON_IsArray(atoms) || cJSON_GetArraySize(atoms) == 0) {
    rc = au_fail(AU_EDATA, "SMILES '%s' has no atoms", shown);
    goto out;
  }
  int n = g->natoms = cJSON_GetArraySize(atoms);
  int nb = g->nbonds = cJSON_IsArray(bonds) ? cJSON_GetArraySize(bonds) : 0;
  if (n > MG_MAX_ATOMS || nb > 4 * MG_MAX_ATOMS) {
    rc = au_fail(AU_EDATA, "molecule '%s' has %d atoms and %d bonds; the limit is %d atoms", shown, n, nb,
                 MG_MAX_ATOMS);
    goto out;
  }
  int dz = 6, dh = 0, dc = 0, dr = 0, dbo = 1;
  if ((rc = json_int(da, "z", 6, 0, MG_MAX_Z, &dz)) || (rc = json_int(da, "impHs", 0, 0, MG_MAX_HS, &dh)) ||
      (rc = json_int(da, "chg", 0, -MG_MAX_CHARGE, MG_MAX_CHARGE, &dc)) || (rc = json_int(da, "nRad", 0, 0, MG_MAX_RAD, &dr)) ||
      (rc = json_int(db, "bo", 1, 0, 3, &dbo)))
    goto out;
  g->z = xcalloc(n, sizeof(int)); g->charge = xcalloc(n, sizeof(int)); g->hs = xcalloc(n, sizeof(int));
  g->impval = xcalloc(n, sizeof(int)); g->degree = xcalloc(n, sizeof(int)); g->nrad = xcalloc(n, sizeof(int));
  g->aromatic = xcalloc(n, 1); g->bracket = xcalloc(n, 1);
  g->bond_a = xcalloc(nb + 1, sizeof(int)); g->bond_b = xcalloc(nb + 1, sizeof(int));
  g->bond_order = xcalloc(nb + 1, sizeof(int));
  g->bond_arom = xcalloc(nb + 1, 1); g->bond_conj = xcalloc(nb + 1, 1); g->bond_ring = xcalloc(nb + 1, 1);
  const cJSON *at = atoms->child;
  for (int a = 0; a < n; a++, at = at->next)
    if ((rc = json_int(at, "z", dz, 0, MG_MAX_Z, &g->z[a])) || (rc = json_int(at, "impHs", dh, 0, MG_MAX_HS, &g->hs[a])) ||
        (rc = json_int(at, "chg", dc, -MG_MAX_CHARGE, MG_MAX_CHARGE, &g->charge[a])) ||
        (rc = json_int(at, "nRad", dr, 0, MG_MAX_RAD, &g->nrad[a])))
      goto out;
  const cJSON *bd = nb ? bonds->child : NULL;
  for (int b = 0; b < nb; b++, bd = bd->next) {
    const cJSON *ends = cJSON_GetObjectItemCaseSensitive(bd, "atoms");
    const cJSON *e0 = cJSON_GetArrayItem(ends, 0), *e1 = cJSON_GetArrayItem(ends, 1);
    double dx = cJSON_IsNumber(e0) ? e0->valuedouble : -1, dy = cJSON_IsNumber(e1) ? e1->valuedouble : -1;
    if (!(dx >= 0 && dy >= 0 && dx < n && dy < n) || dx != floor(dx) || dy != floor(dy) || dx == dy ||
        cJSON_GetArraySize(ends) != 2) {
      rc = au_fail(AU_EDATA, "RDKit JSON for '%s' has a malformed bond", shown);
      goto out;
    }
    g->bond_a[b] = (int)dx; g->bond_b[b] = (int)dy;
    if ((rc = json_int(bd, "bo", dbo, 0, 3, &g->bond_order[b]))) goto out;
  }
  build_neighbours(g);
  if ((rc = check_duplicate_bonds(g, shown))) goto out;
  /* aromaticity and rings live in RDKit's extension block */
  const cJSON *exts = cJSON_GetObjectItemCaseSensitive(mol, "extensions");
  const cJSON *ext;
  cJSON_ArrayForEach(ext, exts) {
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(ext, "name");
    if (!cJSON_IsString(name) || strcmp(name->valuestring, "rdkitRepresentation")) continue;
    const cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(ext, "aromaticAtoms"))
      if (cJSON_IsNumber(v) && v->valueint >= 0 && v->valueint < n) g->aromatic[v->valueint] = 1;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(ext, "aromaticBonds"))
      if (cJSON_IsNumber(v) && v->valueint >= 0 && v->valueint < nb) g->bond_arom[v->valueint] = 1;
    const cJSON *ring;
    cJSON_ArrayForEach(ring, cJSON_GetObjectItemCaseSensitive(ext, "atomRings")) {
      int len = cJSON_GetArraySize(ring);
      for (int i = 0; i < len; i++) {
        const cJSON *p = cJSON_GetArrayItem(ring, i), *q = cJSON_GetArrayItem(ring, (i + 1) % len);
        if (!cJSON_IsNumber(p) || !cJSON_IsNumber(q)) continue;
        if (p->valueint < 0 || p->valueint >= n || q->valueint < 0 || q->valueint >= n) continue;
        int b = find_bond(g, p->valueint, q->valueint);
        if (b >= 0) g->bond_ring[b] = 1;
      }
    }
  }
  /* order 0 (a non-ring aromatic bond as in CC:O, a query bond ~, a dative
   * bond): no weight for the descriptors (Bertz CT would be 1/0) nor a bond
   * type for the GCNN; refused rather than guessed */
  for (int b = 0; b < nb; b++)
    if (!g->bond_arom[b] && g->bond_order[b] == 0) {
      rc = au_fail(AU_EDATA,
                   "SMILES '%s': the bond between atoms %d and %d has no order (a non-ring aromatic ':', a query '~' "
                   "or a dative bond); write it as a single, double or triple bond",
                   shown, g->bond_a[b] + 1, g->bond_b[b] + 1);
      goto out;
    }
  mark_brackets(g, smiles ? smiles : "");
  for (int a = 0; a < n; a++) g->impval[a] = g->bracket[a] ? 0 : g->hs[a];
  set_conjugation(g);
  g->nfrags = count_fragments(g);
  build_features(g);
out:
  cJSON_Delete(root);
  if (rc) molgraph_free(g);
  return rc;
}

int molgraph_from_json(const char *json, const char *smiles, molgraph *g) {
  return from_json(json, smiles, smiles ? smiles : "?", g);
}

int molgraph_from_smiles(const char *smiles, molgraph *g) { return molgraph_from_smiles_as(smiles, smiles, g); }

int molgraph_from_smiles_as(const char *smiles, const char *shown, molgraph *g) {
  memset(g, 0, sizeof *g);
  int rc0 = smiles_check_text(shown && strcmp(shown, smiles) ? shown : smiles);
  if (!rc0) rc0 = smiles_check_text(smiles);
  if (rc0) return rc0;
  size_t sz = 0;
  char *pkl = get_mol(smiles, &sz, "");
  if (!pkl || !sz) {
    free_ptr(pkl);
    if (shown && strcmp(shown, smiles)) /* RDKit wrote a canonical form it cannot read back (c1$ccc1S) */
      return au_fail(AU_EDATA, "RDKit reads SMILES '%s' but cannot read back its own canonical form '%s'", shown, smiles);
    return au_fail(AU_EDATA, "RDKit cannot parse SMILES '%s'", smiles);
  }
  char *json = get_json(pkl, sz, "");
  char *can = get_smiles(pkl, sz, "");
  free_ptr(pkl);
  int rc;
  if (!json || !can) rc = au_fail(AU_EDATA, "RDKit cannot convert SMILES '%s'", shown);
  else rc = from_json(json, smiles, shown, g);
  if (!rc) g->canonical = xstrdup(can);
  free_ptr(json);
  free_ptr(can);
  return rc;
}
