/* Molecular similarity: Morgan (ECFP4-like) bit fingerprints from RDKit's C
 * API, radius 2, 2048 bits, and their Tanimoto coefficient. */
#ifndef AUCLUST_SIMILARITY_H
#define AUCLUST_SIMILARITY_H

#define MORGAN_RADIUS 2
#define MORGAN_BITS 2048
#define MORGAN_BYTES (MORGAN_BITS / 8)

typedef struct {
  unsigned char b[MORGAN_BYTES];
} morgan_fp;

/* 0, or AU_EDATA when RDKit cannot parse the SMILES. */
int morgan_fingerprint(const char *smiles, morgan_fp *fp);
/* |a & b| / |a | b|; 1 for two empty fingerprints, as RDKit's
 * TanimotoSimilarity (a molecule with atoms always sets some bits). */
double tanimoto(const morgan_fp *a, const morgan_fp *b);
#endif
