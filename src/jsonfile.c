#include "jsonfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "readfile.h"

int json_load(const char *path, int bad_code, cJSON **out) {
  *out = NULL;
  char *buf;
  size_t len;
  int rc = read_capped(path, AU_CAP_JSON, bad_code, "JSON file", &buf, &len);
  if (rc) return rc;
  if (strlen(buf) == len) *out = cJSON_ParseWithOpts(buf, NULL, 1); /* a NUL byte inside is damage */
  free(buf);
  if (!*out) return au_fail(bad_code, "%s: not valid JSON", path);
  return 0;
}
