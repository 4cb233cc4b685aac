/* Errors: one message per thread, set where the problem is found, printed
 * once by main (SQLite style: context travels up, one place reports). */
#ifndef AUCLUST_ERR_H
#define AUCLUST_ERR_H
#include <stddef.h>

/* Exit codes, documented in README and `auclust --help`. */
enum {
  AU_OK = 0,
  AU_EUSAGE = 2,  /* bad command line */
  AU_EDATA = 3,   /* bad input data: recipe CSV, components, SMILES, bounds */
  AU_EMODEL = 4,  /* model file corrupt, wrong version/kind/shape/components */
  AU_EIO = 5,     /* cannot read or write a file */
  AU_ENUM = 6,    /* numerical failure (NaN/Inf in training or prediction) */
  AU_ENOMEM = 7   /* out of memory */
};

/* Record an error (printf format) and return its code. */
int au_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *au_errmsg(void);
/* The running subcommand ("train"), for messages; set by main. */
void au_set_command(const char *name);
/* A one-line note on stderr, "auclust CMD: ..." (not an error). */
void au_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int au_errcode(void);
void au_errclear(void);

/* Checked allocation: on failure print and exit(AU_ENOMEM). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* n bytes aligned to `align` (a power of two), rounded up to a multiple of it; free() it. */
void *xaligned(size_t align, size_t n);
char *xstrdup(const char *s);
#endif
