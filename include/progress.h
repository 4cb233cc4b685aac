/* Progress of long work on stderr when it is a terminal: "what: 37/600
 * (6%), 0:12 elapsed, about 3:02 left", rewritten in place. Nothing is ever
 * written when stderr is not a terminal or after progress_quiet(1). One task
 * at a time per process; progress_add may be called from worker threads. */
#ifndef AUCLUST_PROGRESS_H
#define AUCLUST_PROGRESS_H
#include <stddef.h>

void progress_quiet(int quiet);            /* --quiet */
void progress_begin(const char *what, long total); /* starts the clock */
void progress_add(long k);                 /* k more units done; redraws at most 10 times a second */
/* Extra text after the counts, e.g. "best MCC 0.31" (printf format). */
void progress_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void progress_end(void);                   /* clears the line */
/* 1 when progress would be shown (a terminal, not quiet). */
int progress_on(void);

/* The line itself (no control characters): what, done/total, percent,
 * elapsed and, once something is done, the estimate of the time left
 * (elapsed * (total - done) / done). Times as m:ss, or h:mm:ss from an hour. */
void progress_format(char *buf, size_t n, const char *what, long done, long total, double elapsed_s,
                     const char *note);
#endif
