/* Reading a whole input file with a size cap: /dev/zero given as recipes,
 * or a runaway pipe, must end in a one-line error, not in exhausting memory.
 * The caps per kind of file are documented in README (Limits). */
#ifndef AUCLUST_READFILE_H
#define AUCLUST_READFILE_H
#include <stddef.h>

#define AU_CAP_TABLE (256u << 20) /* recipe CSVs and components tables */
#define AU_CAP_MODEL (256u << 20) /* model files */
#define AU_CAP_JSON (1u << 20)    /* hyperparameters, search spaces, bounds */
#define AU_CAP_LIST (16u << 20)   /* suggest --ligands-file */
#define AU_CAP_ROW (1u << 20)     /* one row of a streamed recipe file (predict, featurize) */

/* *buf = the file's bytes, NUL-terminated, *len of them ("-" = stdin).
 * AU_EIO when it cannot be opened or read or is a directory; `big_code`
 * (the kind's documented exit code) when it holds more than `cap` bytes,
 * `what` naming the kind ("recipe table") in the message. */
int read_capped(const char *path, size_t cap, int big_code, const char *what, char **buf, size_t *len);
#endif
