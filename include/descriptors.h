/* The 17 basic descriptors of the paper's Table 1, and the ligand
 * properties computed from SMILES with RDKit. */
#ifndef AUCLUST_DESCRIPTORS_H
#define AUCLUST_DESCRIPTORS_H
#include "molgraph.h"

#define AU_NDESC 17
#define AU_NCOND 5 /* the first five descriptors are the reaction conditions */
/* A model's input vector is the 17 descriptors followed by up to
 * AU_MAXEXTRA user columns (--extra-descriptors); AU_XMAX is the capacity
 * of a raw descriptor row. */
#define AU_MAXEXTRA 16
#define AU_XMAX (AU_NDESC + AU_MAXEXTRA)

enum {
  D_LIGAND_MM, D_HAUCL4_MM, D_REDUCTANT_MM, D_TEMPERATURE_C, D_PH, /* conditions */
  D_DIELECTRIC, D_SOLUBILITY,                                      /* solvent */
  D_REDOX,                                                         /* reducing agent */
  D_CHARGE, D_HBD, D_HBA, D_AROMATIC, D_MW, D_ROTATABLE, D_COMPLEXITY, D_TPSA, D_LOGP /* ligand */
};

/* Column names (CSV headers, override columns) and units, in order. */
extern const char *const au_desc_name[AU_NDESC];
extern const char *const au_desc_unit[AU_NDESC];
/* What a chemist reads on a figure: "[ligand]", "ligand solubility", ... */
extern const char *const au_desc_label[AU_NDESC];
/* 1 for 0/1 descriptors (aromatic) */
extern const int au_desc_binary[AU_NDESC];
int au_desc_index(const char *name); /* -1 if not a descriptor */
/* Physical bounds of each descriptor, the limits of a recipe's value or
 * override column and of a components table (README, Limits): wider than
 * any real synthesis, narrow enough that scaling never overflows. */
extern const double au_desc_min[AU_NDESC], au_desc_max[AU_NDESC];

/* Ligand descriptors (D_CHARGE..D_LOGP) plus what the solubility estimate needs. */
typedef struct {
  double charge, hbd, hba, aromatic, mw, rotatable, complexity, tpsa, logp;
  double aromatic_proportion; /* aromatic heavy atoms / heavy atoms */
} ligand_props;

/* Compute from a parsed graph (RDKit descriptors through the C API). */
int ligand_props_compute(const char *smiles, const molgraph *g, ligand_props *out);

/* Bertz CT graph complexity (J. Am. Chem. Soc. 103, 3599 (1981)), computed
 * like RDKit's GraphDescriptors.BertzCT: stands in for PubChem complexity. */
double bertz_ct(const molgraph *g);

/* log10 molar solubility of the ligand, estimated (see descriptors.c). */
double ligand_solubility(const ligand_props *p, double solvent_dielectric);
#endif
