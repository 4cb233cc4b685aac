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
/* Parse SMARTS into a query pickle (NULL when RDKit rejects it). */
char *get_qmol(const char *input, size_t *mol_sz, const char *details_json);
/* The connected fragments of a molecule: an array of *num_frags malloc'd
 * pickles with their sizes in *frags_pkl_sz_array; NULL on failure. */
char **get_mol_frags(const char *pkl, size_t pkl_sz, size_t **frags_pkl_sz_array, size_t *num_frags,
                     const char *details_json, char **mappings_json);
/* First match of a query as JSON: "{}" when there is none, else an object
 * with "atoms" (and "bonds") indexes. */
char *get_substruct_match(const char *mol_pkl, size_t mol_pkl_sz, const char *query_pkl, size_t query_pkl_sz,
                          const char *options_json);
/* Morgan bit vector, bit i in byte i/8 at 1 << (i%8); details_json
 * {"radius": R, "nBits": N} (defaults 2 and 2048); *nbytes = N/8. */
char *get_morgan_fp_as_bytes(const char *pkl, size_t pkl_sz, size_t *nbytes, const char *details_json);
void free_ptr(char *ptr);
char *version(void);
void enable_logging(void);
void disable_logging(void);
#ifdef __cplusplus
}
#endif
#endif
