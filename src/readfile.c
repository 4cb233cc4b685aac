#include "readfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "err.h"

static int too_big(const char *path, size_t cap, int code, const char *what) {
  return au_fail(code, "%s: larger than the %zu MB limit for a %s", path, cap >> 20 ? cap >> 20 : 1, what);
}

int read_capped(const char *path, size_t cap, int big_code, const char *what, char **buf, size_t *len) {
  *buf = NULL;
  *len = 0;
  int is_stdin = !strcmp(path, "-");
  struct stat st;
  if (!is_stdin && !stat(path, &st)) {
    if (S_ISDIR(st.st_mode)) return au_fail(AU_EIO, "%s: cannot read: it is a directory", path);
    if (S_ISREG(st.st_mode) && (size_t)st.st_size > cap) return too_big(path, cap, big_code, what);
  }
  FILE *f = is_stdin ? stdin : fopen(path, "rb");
  if (!f) return au_fail(AU_EIO, "%s: cannot open: %s", path, strerror(errno));
  /* devices and pipes have no size: read at most cap + 1 bytes */
  size_t n = 0, size = 1 << 16;
  char *b = xmalloc(size + 1);
  size_t got;
  while ((got = fread(b + n, 1, size - n, f)) > 0) {
    n += got;
    if (n > cap) break;
    if (n == size) b = xrealloc(b, (size = size * 2 > cap + 1 ? cap + 1 : size * 2) + 1);
  }
  int bad = ferror(f);
  if (!is_stdin) fclose(f);
  if (bad) { free(b); return au_fail(AU_EIO, "%s: read error", path); }
  if (n > cap) { free(b); return too_big(path, cap, big_code, what); }
  b[n] = 0;
  *buf = b;
  *len = n;
  return 0;
}
