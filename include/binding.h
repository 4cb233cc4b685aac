/* Ligand chemistry: whether a ligand carries a group that binds gold (a
 * small SMARTS table, one place, matched by RDKit through its C API), and
 * counter-ion stripping of ligands written as salts ("Cl.NCCS"). */
#ifndef AUCLUST_BINDING_H
#define AUCLUST_BINDING_H
#include <stddef.h>

#define BIND_NGROUPS 9
/* Group names in table order: "thiol", "thiolate", ... */
extern const char *const binding_group_name[BIND_NGROUPS];
extern const char *const binding_group_smarts[BIND_NGROUPS];

/* Bit g of *mask set when group g occurs in the molecule. Returns 0, or
 * AU_EDATA when RDKit cannot parse the SMILES. */
int binding_groups(const char *smiles, unsigned *mask);
/* "thiol;disulfide" for a mask ("" for 0), into buf. */
void binding_describe(unsigned mask, char *buf, size_t n);
/* The group names, comma-separated, for messages: "thiol, thiolate, ...". */
const char *binding_group_list(void);

/* A ligand's fragments: keep the fragment that carries a binding group (the
 * one with most heavy atoms if several; ties: the smaller canonical SMILES).
 * When no fragment binds, or there is one fragment, the ligand is kept
 * whole. *kept: canonical SMILES of what is kept; *dropped: the dropped
 * fragments' canonical SMILES in sorted order joined by '.', or NULL (so
 * every spelling of a salt gives the same result); *mask: the groups of
 * what is kept. Both strings malloc'd. Returns 0 or AU_EDATA. */
int ligand_strip(const char *smiles, char **kept, char **dropped, unsigned *mask);
#endif
