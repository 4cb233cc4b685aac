#include "err.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char errbuf[4096]; /* room for every missing column of a misnamed file */
static _Thread_local int errcode;

int au_fail(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(errbuf, sizeof errbuf, fmt, ap);
  va_end(ap);
  /* one line only: a newline in a user value must not split the message */
  for (char *p = errbuf; *p; p++)
    if (*p == '\n' || *p == '\r') *p = ' ';
  errcode = code;
  return code;
}

const char *au_errmsg(void) { return errbuf; }

static const char *command = "";
void au_set_command(const char *name) { command = name ? name : ""; }

void au_note(const char *fmt, ...) {
  char b[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(b, sizeof b, fmt, ap);
  va_end(ap);
  fprintf(stderr, "auclust%s%s: %s\n", command[0] ? " " : "", command, b);
}
int au_errcode(void) { return errcode; }
void au_errclear(void) { errbuf[0] = 0; errcode = 0; }

static void oom(size_t n) {
  fprintf(stderr, "auclust%s%s: out of memory (%zu bytes)\n", command[0] ? " " : "", command, n);
  exit(AU_ENOMEM);
}
void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) oom(n);
  return p;
}
void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) oom(n * size);
  return p;
}
void *xaligned(size_t align, size_t n) {
  n = (n ? n : 1) + align - 1;
  void *p = aligned_alloc(align, n - n % align);
  if (!p) oom(n);
  return p;
}
void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) oom(n);
  return q;
}
char *xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = xmalloc(n);
  memcpy(p, s, n);
  return p;
}
