#include "binding.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "molgraph.h"
#include "rdkit_cffi.h"

/* The gold-binding groups. A ligand with none of them has nothing to hold
 * on to a gold surface or cluster, so a model trained on thiolate-protected
 * clusters knows nothing about it. RDKit SMARTS: X = total connections
 * (implicit H included), H = attached hydrogens. */
const char *const binding_group_name[BIND_NGROUPS] = {
    "thiol", "thiolate", "disulfide", "selenol", "selenolate", "diselenide", "phosphine", "alkyne", "alkynide"};
const char *const binding_group_smarts[BIND_NGROUPS] = {
    /* thiol R-SH: the ligands of Au25(SR)18 and nearly all of this data set; also thioacids */
    "[#16X2;H1]",
    /* thiolate R-S-: a deprotonated thiol, as written for sodium salts; also thiocyanate, hydrosulfide */
    "[#16X1-]",
    /* disulfide R-S-S-R: cleaves on gold into two thiolates */
    "[#16X2]-[#16X2]",
    /* selenol R-SeH: Au-Se clusters, e.g. Au25(SePh)18 */
    "[#34X2;H1]",
    /* selenolate R-Se- */
    "[#34X1-]",
    /* diselenide R-Se-Se-R: cleaves like a disulfide */
    "[#34X2]-[#34X2]",
    /* phosphine PR3 (PPh3, TCEP) or phosphite: trivalent neutral P with its lone pair, as in
     * Au11(PPh3)7Cl3; excludes phosphine oxides and phosphates (four connections) */
    "[#15X3+0]",
    /* terminal alkyne R-C#C-H: binds as alkynyl, as in Au36(C#CPh)24 */
    "[CX2;H1]#[#6]",
    /* alkynide R-C#C-: the deprotonated form */
    "[CX1-]#[#6]",
};

static char *qpkl[BIND_NGROUPS];
static size_t qsz[BIND_NGROUPS];
static pthread_once_t qonce = PTHREAD_ONCE_INIT;

/* The queries are parsed once per process and kept for its lifetime. */
static void compile_queries(void) {
  for (int g = 0; g < BIND_NGROUPS; g++) qpkl[g] = get_qmol(binding_group_smarts[g], &qsz[g], "");
}

static char group_list[256];
static pthread_once_t list_once = PTHREAD_ONCE_INIT;

static void fill_group_list(void) {
  size_t len = 0;
  for (int g = 0; g < BIND_NGROUPS; g++)
    len += snprintf(group_list + len, sizeof group_list - len, "%s%s", g ? ", " : "", binding_group_name[g]);
}

const char *binding_group_list(void) {
  pthread_once(&list_once, fill_group_list);
  return group_list;
}

static int match_mask(const char *pkl, size_t sz, unsigned *mask) {
  pthread_once(&qonce, compile_queries);
  *mask = 0;
  for (int g = 0; g < BIND_NGROUPS; g++) {
    if (!qpkl[g]) return au_fail(AU_EDATA, "RDKit rejects the binding-group SMARTS %s", binding_group_smarts[g]);
    char *m = get_substruct_match(pkl, sz, qpkl[g], qsz[g], NULL);
    if (!m) return au_fail(AU_EDATA, "RDKit substructure search failed");
    if (strcmp(m, "{}")) *mask |= 1u << g;
    free_ptr(m);
  }
  return 0;
}

int binding_groups(const char *smiles, unsigned *mask) {
  size_t sz = 0;
  char *pkl = get_mol(smiles, &sz, "");
  if (!pkl) return au_fail(AU_EDATA, "RDKit cannot parse SMILES '%s'", smiles);
  int rc = match_mask(pkl, sz, mask);
  free_ptr(pkl);
  return rc;
}

void binding_describe(unsigned mask, char *buf, size_t n) {
  size_t len = 0;
  if (n) buf[0] = 0;
  for (int g = 0; g < BIND_NGROUPS && len < n; g++)
    if (mask & (1u << g)) len += snprintf(buf + len, n - len, "%s%s", len ? ";" : "", binding_group_name[g]);
}

static char *frag_smiles(const char *pkl, size_t sz) {
  char *c = get_smiles(pkl, sz, "");
  if (!c) return NULL;
  char *r = xstrdup(c);
  free_ptr(c);
  return r;
}

static int heavy_atoms(const char *smiles) {
  molgraph g;
  if (molgraph_from_smiles(smiles, &g)) return 0;
  int n = 0;
  for (int a = 0; a < g.natoms; a++) n += g.z[a] != 1;
  molgraph_free(&g);
  return n;
}

typedef struct {
  char *smiles;
  unsigned mask;
  int heavy;
} frag_t;

static int cmp_frag_smiles(const void *a, const void *b) {
  return strcmp(((const frag_t *)a)->smiles, ((const frag_t *)b)->smiles);
}

/* a before b: binds, then more heavy atoms, then the smaller SMILES */
static int frag_better(const frag_t *a, const frag_t *b) {
  if (!a->mask != !b->mask) return a->mask != 0;
  if (a->heavy != b->heavy) return a->heavy > b->heavy;
  return strcmp(a->smiles, b->smiles) < 0;
}

int ligand_strip(const char *smiles, char **kept, char **dropped, unsigned *mask) {
  *kept = *dropped = NULL;
  *mask = 0;
  size_t sz = 0;
  char *pkl = get_mol(smiles, &sz, "");
  if (!pkl) return au_fail(AU_EDATA, "RDKit cannot parse SMILES '%s'", smiles);
  size_t nf = 0, *fsz = NULL;
  char **fp = get_mol_frags(pkl, sz, &fsz, &nf, NULL, NULL);
  int rc = 0;
  frag_t *f = xcalloc(nf + 1, sizeof(frag_t));
  if (!fp || !nf) rc = au_fail(AU_EDATA, "RDKit cannot split '%s' into fragments", smiles);
  for (size_t i = 0; i < nf && !rc; i++) {
    if (!(f[i].smiles = frag_smiles(fp[i], fsz[i]))) rc = au_fail(AU_EDATA, "RDKit cannot write a fragment of '%s'", smiles);
    else rc = match_mask(fp[i], fsz[i], &f[i].mask);
    f[i].heavy = rc ? 0 : heavy_atoms(f[i].smiles);
  }
  size_t best = 0;
  for (size_t i = 1; i < nf && !rc; i++)
    if (frag_better(&f[i], &f[best])) best = i;
  if (!rc && nf > 1) { /* the kept one first, the dropped ones in SMILES order: any spelling, one result */
    frag_t t = f[0]; f[0] = f[best]; f[best] = t;
    best = 0;
    qsort(f + 1, nf - 1, sizeof(frag_t), cmp_frag_smiles);
  }
  if (!rc && (nf == 1 || !f[best].mask)) {
    /* nothing to choose by: the whole ligand, its groups those of any fragment */
    if (!(*kept = frag_smiles(pkl, sz))) rc = au_fail(AU_EDATA, "RDKit cannot write SMILES for '%s'", smiles);
    for (size_t i = 0; i < nf; i++) *mask |= f[i].mask;
  } else if (!rc) {
    *kept = xstrdup(f[best].smiles);
    *mask = f[best].mask;
    size_t len = 0;
    for (size_t i = 0; i < nf; i++) len += i == best ? 0 : strlen(f[i].smiles) + 1;
    *dropped = xcalloc(len + 1, 1);
    for (size_t i = 0; i < nf; i++) {
      if (i == best) continue;
      if (**dropped) strcat(*dropped, ".");
      strcat(*dropped, f[i].smiles);
    }
  }
  for (size_t i = 0; i < nf; i++) { free(f[i].smiles); if (fp) free_ptr(fp[i]); }
  free(f);
  free_ptr((char *)fp);
  free_ptr((char *)fsz);
  free_ptr(pkl);
  if (rc) { free(*kept); free(*dropped); *kept = *dropped = NULL; *mask = 0; }
  return rc;
}
