/* The subset of RDKit's C FFI (MinimalLib cffiwrapper.h, librdkitcffi) that
 * auclust uses. Declared here with the same names and signatures so that the
 * C code builds against the real librdkitcffi or against src/rdkit_shim.cpp,
 * the project's own implementation over RDKit's C++ libraries. */
#ifndef AUCLUST_RDKIT_CFFI_H
#define AUCLUST_RDKIT_CFFI_H
#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif
/* Parse SMILES (or a mol block); returns a malloc'd pickle of *mol_sz bytes,
 * or NULL when RDKit rejects the input. */
char *get_mol(const char *input, size_t *mol_sz, const char *details_json);
char *get_smiles(const char *pkl, size_t pkl_sz, const char *details_json);
/* commonchem JSON (atoms, bonds, rdkitRepresentation extension) */
char *get_json(const char *pkl, size_t pkl_sz, const char *details_json);
/* JSON object of RDKit's registered descriptors (Descriptors::Properties) */
char *get_descriptors(const char *pkl, size_t pkl_sz);
void free_ptr(char *ptr);
char *version(void);
void enable_logging(void);
void disable_logging(void);
#ifdef __cplusplus
}
#endif
#endif
