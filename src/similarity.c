#include "similarity.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "rdkit_cffi.h"

int morgan_fingerprint(const char *smiles, morgan_fp *fp) {
  size_t sz = 0, nb = 0;
  char *pkl = get_mol(smiles, &sz, "");
  if (!pkl) return au_fail(AU_EDATA, "RDKit cannot parse SMILES '%s'", smiles);
  char details[64];
  snprintf(details, sizeof details, "{\"radius\":%d,\"nBits\":%d}", MORGAN_RADIUS, MORGAN_BITS);
  char *bytes = get_morgan_fp_as_bytes(pkl, sz, &nb, details);
  free_ptr(pkl);
  if (!bytes || nb != MORGAN_BYTES) {
    free_ptr(bytes);
    return au_fail(AU_EDATA, "RDKit cannot compute the Morgan fingerprint of '%s'", smiles);
  }
  memcpy(fp->b, bytes, MORGAN_BYTES);
  free_ptr(bytes);
  return 0;
}

double tanimoto(const morgan_fp *a, const morgan_fp *b) {
  int both = 0, any = 0;
  for (int i = 0; i < MORGAN_BYTES; i++) {
    both += __builtin_popcount(a->b[i] & b->b[i]);
    any += __builtin_popcount(a->b[i] | b->b[i]);
  }
  return any ? (double)both / any : 1.0;
}
