/* Output files written whole or not at all: data go to a temporary file
 * beside the target, renamed over it only when everything was written.
 * "-" or NULL means stdout. A symlink is followed (its target is
 * replaced, the link kept); a device, FIFO or socket is written through,
 * never replaced by a regular file; a directory is an error. */
#ifndef AUCLUST_OUTFILE_H
#define AUCLUST_OUTFILE_H
#include <stdio.h>

typedef struct {
  FILE *f;
  char *path, *tmp; /* tmp NULL: writing straight to a non-regular file */
  FILE *to;         /* out_open_spooled to stdout or a device: the target, f the spool */
} outfile;

int out_open(outfile *o, const char *path);
/* For output written while the input is still being read (predict and
 * featurize stream): as out_open, but stdout or a device gets the data only
 * at out_commit, from an anonymous temporary file (tmpfile(), in $TMPDIR),
 * so that an error found late leaves no half output there either. */
int out_open_spooled(outfile *o, const char *path);
int out_commit(outfile *o); /* flush, check, rename; AU_EIO on any failure */
void out_abort(outfile *o); /* close and remove the temporary file */
#endif
