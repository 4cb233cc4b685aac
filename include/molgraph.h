/* SMILES -> molecular graph tensors for the GCNN (Duvenaud et al. 2015
 * neural graph fingerprints, as in the Keras NGF code the paper used).
 * RDKit parses the SMILES through its C API; the commonchem JSON it returns
 * is read with cJSON. */
#ifndef AUCLUST_MOLGRAPH_H
#define AUCLUST_MOLGRAPH_H

#define MG_NELEM 44       /* 43 listed elements + "unknown" */
#define MG_MAX_DEGREE 5   /* degree one-hot 0..5 */
#define MG_ATOM_FEATS 62  /* 44 element + 6 degree + 5 total H + 6 implicit valence + 1 aromatic */
#define MG_MAX_ATOMS 500    /* atoms of one molecule (explicit ones; implicit H not counted): larger ones are refused */
#define MG_MAX_SMILES 5000  /* characters of one SMILES */
#define MG_BOND_FEATS 6   /* single, double, triple, aromatic, conjugated, in ring */

/* offsets of the one-hot blocks inside an atom feature row */
enum { MG_OFF_ELEM = 0, MG_OFF_DEGREE = 44, MG_OFF_HS = 50, MG_OFF_IMPVAL = 55, MG_OFF_AROM = 61 };
enum { MG_BOND_SINGLE = 0, MG_BOND_DOUBLE, MG_BOND_TRIPLE, MG_BOND_AROMATIC, MG_BOND_CONJ, MG_BOND_RING };

typedef struct {
  int natoms, nbonds, nfrags;
  int *z, *charge, *hs, *impval, *degree, *nrad; /* per atom */
  unsigned char *aromatic, *bracket;            /* per atom */
  int *bond_a, *bond_b, *bond_order;            /* per bond; order 1,2,3 (Kekule) */
  unsigned char *bond_arom, *bond_conj, *bond_ring;
  /* neighbour lists in CSR form: atom i's neighbours are
   * nbr_atom[nbr_start[i] .. nbr_start[i+1]) through bonds nbr_bond[..] */
  int *nbr_start, *nbr_atom, *nbr_bond;
  double *atom_feat; /* natoms x MG_ATOM_FEATS */
  double *bond_feat; /* nbonds x MG_BOND_FEATS */
  char *canonical;   /* RDKit canonical SMILES */
} molgraph;

/* Parse a SMILES. On failure returns AU_EDATA with a message naming the SMILES. */
int molgraph_from_smiles(const char *smiles, molgraph *g);
/* The same, with errors naming `shown` (the user's text of a canonical SMILES). */
int molgraph_from_smiles_as(const char *smiles, const char *shown, molgraph *g);
/* Build the graph from RDKit commonchem JSON; `smiles` (may be NULL) is the
 * input SMILES, scanned only to tell bracket atoms (no implicit H) apart. */
int molgraph_from_json(const char *json, const char *smiles, molgraph *g);
void molgraph_free(molgraph *g);
/* 0 when `s` may be handed to RDKit: not empty, printable ASCII without
 * whitespace (RDKit would silently drop the rest after a space), at most
 * MG_MAX_SMILES characters and MG_MAX_ATOMS atoms; else
 * AU_EDATA with a message naming it. */
int smiles_check_text(const char *s);

/* Index of atomic number z in the element one-hot list (MG_NELEM-1 = unknown). */
int mg_element_index(int z);
const char *mg_element_symbol(int z);
#endif
