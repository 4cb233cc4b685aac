#include "jsonfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

int json_load(const char *path, int bad_code, cJSON **out) {
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) return au_fail(AU_EIO, "%s: cannot open: %s", path, strerror(errno));
  size_t cap = 1 << 12, len = 0, got;
  char *buf = xmalloc(cap + 1);
  while ((got = fread(buf + len, 1, cap - len, f)) > 0)
    if ((len += got) == cap) buf = xrealloc(buf, (cap *= 2) + 1);
  int bad = ferror(f);
  fclose(f);
  buf[len] = 0;
  if (!bad) *out = cJSON_ParseWithOpts(buf, NULL, 1);
  free(buf);
  if (bad) return au_fail(AU_EIO, "%s: read error", path);
  if (!*out) return au_fail(bad_code, "%s: not valid JSON", path);
  return 0;
}
