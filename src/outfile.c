#include "outfile.h"

#include <errno.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"

int out_open(outfile *o, const char *path) {
  memset(o, 0, sizeof *o);
  if (!path || !strcmp(path, "-")) {
    o->f = stdout;
    return 0;
  }
  struct stat st;
  if (!stat(path, &st)) { /* stat follows symlinks: this is what would be written */
    if (S_ISDIR(st.st_mode)) return au_fail(AU_EIO, "%s: cannot write: it is a directory", path);
    if (!S_ISREG(st.st_mode)) {
      /* a device, FIFO or socket (-o /dev/null, -o /dev/stdout): write through;
       * a rename would replace the node with a regular file */
      if (!(o->f = fopen(path, "w"))) return au_fail(AU_EIO, "%s: cannot open: %s", path, strerror(errno));
      o->path = xstrdup(path);
      return 0;
    }
  }
  /* a symlink to a regular file: replace the target, keep the link */
  char *real = realpath(path, NULL);
  o->path = real ? xstrdup(real) : xstrdup(path);
  free(real);
  size_t n = strlen(o->path) + 16;
  o->tmp = xmalloc(n);
  snprintf(o->tmp, n, "%s.tmpXXXXXX", o->path);
  int fd = mkstemp(o->tmp);
  if (fd >= 0) { /* mkstemp makes 0600 files; give the usual umask-based mode */
    mode_t um = umask(0);
    umask(um);
    fchmod(fd, 0666 & ~um);
  }
  if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
    int e = errno;
    if (fd >= 0) close(fd), unlink(o->tmp);
    free(o->path); free(o->tmp);
    o->path = o->tmp = NULL;
    return au_fail(AU_EIO, "%s: cannot create: %s", path, strerror(e));
  }
  return 0;
}

int out_open_spooled(outfile *o, const char *path) {
  int rc = out_open(o, path);
  if (rc || o->tmp) return rc;
  /* stdout or a device: the data wait in an anonymous temporary file */
  o->to = o->f;
  if (!(o->f = tmpfile())) {
    int e = errno;
    o->f = o->to;
    o->to = NULL;
    out_abort(o);
    return au_fail(AU_EIO, "cannot create a temporary file for the output: %s", strerror(e));
  }
  return 0;
}

/* The spooled data to their target (stdout or a device); 1 when the spool
 * cannot be read back (a failed write shows in ferror(o->f)). */
static int copy_spool(outfile *o) {
  FILE *sp = o->f;
  o->f = o->to;
  o->to = NULL;
  int bad = fflush(sp) != 0 || ferror(sp) || fseek(sp, 0, SEEK_SET);
  char buf[1 << 16];
  size_t got;
  while (!bad && (got = fread(buf, 1, sizeof buf, sp)) > 0)
    if (fwrite(buf, 1, got, o->f) != got) break;
  bad = bad || ferror(sp);
  fclose(sp);
  return bad;
}

int out_commit(outfile *o) {
  if (!o->f) return 0;
  if (o->to && copy_spool(o)) {
    int rc = au_fail(AU_EIO, "%s: write failed: the temporary copy of the output cannot be read back",
                     o->path ? o->path : "standard output");
    out_abort(o);
    return rc;
  }
  int bad = fflush(o->f) != 0 || ferror(o->f);
  int e = errno;
  if (o->f == stdout) {
    o->f = NULL;
    return bad ? au_fail(AU_EIO, "error writing to standard output") : 0;
  }
  if (fclose(o->f)) bad = 1, e = errno;
  o->f = NULL;
  if (!bad && o->tmp && rename(o->tmp, o->path)) bad = 1, e = errno;
  int rc = 0;
  if (bad) {
    if (o->tmp) unlink(o->tmp);
    rc = au_fail(AU_EIO, "%s: write failed: %s", o->path, strerror(e));
  }
  free(o->path); free(o->tmp);
  o->path = o->tmp = NULL;
  return rc;
}

void out_abort(outfile *o) {
  if (o->to) { /* the spool: nothing reaches the target */
    fclose(o->f);
    o->f = o->to;
    o->to = NULL;
  }
  if (o->f && o->f != stdout) {
    fclose(o->f);
    if (o->tmp) unlink(o->tmp);
  }
  o->f = NULL;
  free(o->path); free(o->tmp);
  o->path = o->tmp = NULL;
}
