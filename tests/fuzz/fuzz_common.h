/* Shared by the libFuzzer harnesses: the oracles every reader must meet.
 * A failure is one message (no newline, not empty) with one of the exit
 * codes the reader documents; anything else, or a crash, a sanitizer
 * report, a non-finite result or a broken round trip, aborts. */
#ifndef AUCLUST_FUZZ_COMMON_H
#define AUCLUST_FUZZ_COMMON_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "err.h"
#include "rdkit_cffi.h"

#define FZ_ASSERT(c)                                                      \
  do {                                                                    \
    if (!(c)) {                                                           \
      fprintf(stderr, "fuzz oracle failed: %s (%s:%d)\n", #c, __FILE__, __LINE__); \
      abort();                                                            \
    }                                                                     \
  } while (0)

/* rc is 0 or one of the allowed codes, with a one-line message */
static inline void fz_error_ok(int rc, int c1, int c2) {
  if (!rc) return;
  if (rc != c1 && rc != c2) fprintf(stderr, "unexpected code %d: %s\n", rc, au_errmsg());
  FZ_ASSERT(rc == c1 || rc == c2);
  FZ_ASSERT(au_errcode() == rc);
  const char *m = au_errmsg();
  FZ_ASSERT(m[0] && !strchr(m, '\n') && !strchr(m, '\r'));
}

/* The input as a file (for the readers that take a path): a memfd, read
 * through /proc/self/fd; closed by fz_close. */
typedef struct { int fd; char path[64]; } fz_file;
static inline void fz_open(fz_file *f, const uint8_t *d, size_t n) {
  f->fd = memfd_create("fuzz", 0);
  FZ_ASSERT(f->fd >= 0);
  for (size_t off = 0; off < n;) {
    ssize_t w = write(f->fd, d + off, n - off);
    FZ_ASSERT(w > 0);
    off += (size_t)w;
  }
  snprintf(f->path, sizeof f->path, "/proc/self/fd/%d", f->fd);
}
static inline void fz_close(fz_file *f) { close(f->fd); }

/* NUL-terminated copy of the input */
static inline char *fz_str(const uint8_t *d, size_t n) {
  char *s = malloc(n + 1);
  FZ_ASSERT(s);
  memcpy(s, d, n);
  s[n] = 0;
  return s;
}

static inline void fz_init(void) {
  static int done;
  if (done) return;
  done = 1;
  disable_logging();
  au_set_command("fuzz");
}
#endif
