#include "par.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"

void openblas_set_num_threads(int);
/* Only the threaded OpenBLAS has it; weak, so a serial build links too. */
int blas_thread_shutdown_(void) __attribute__((weak));

/* The threaded OpenBLAS starts its workers when it is loaded, before main,
 * and they spin (sched_yield) for about 2^28 cycles before sleeping: some
 * 0.1 s of a second core per process, taken from a parallel job's threads.
 * With one BLAS thread they never get work, so they are stopped at once
 * (OpenBLAS's own fork handler does the same; a later threaded call would
 * start them again). */
void par_init_blas(void) {
  openblas_set_num_threads(1);
  if (blas_thread_shutdown_) blas_thread_shutdown_();
}

int par_threads(void) {
  const char *e = getenv("AUCLUST_THREADS");
  if (e && atoi(e) > 0) return atoi(e);
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (int)n : 1;
}

typedef struct {
  int n;
  int (*fn)(int, void *);
  void *ctx;
  atomic_int next;
  atomic_int stop; /* the lowest failed job so far, n when none */
  int *rc;
  char **msg;
} par_state;

static void *worker(void *arg) {
  par_state *s = arg;
  for (;;) {
    /* jobs are claimed in order, so every job below the lowest failure
     * still runs and the error reported is the one a single thread meets */
    int i = atomic_fetch_add(&s->next, 1);
    if (i >= s->n || i > atomic_load(&s->stop)) break;
    int rc = s->fn(i, s->ctx);
    if (rc) {
      s->rc[i] = rc;
      s->msg[i] = xstrdup(au_errmsg()); /* messages are per thread */
      int lo = atomic_load(&s->stop);
      while (i < lo && !atomic_compare_exchange_weak(&s->stop, &lo, i)) {}
    }
  }
  return NULL;
}

int par_for(int n, int nthreads, int (*fn)(int, void *), void *ctx) {
  if (n <= 0) return 0;
  if (nthreads > n) nthreads = n;
  if (nthreads < 1) nthreads = 1;
  par_state s = {.n = n, .fn = fn, .ctx = ctx};
  atomic_init(&s.next, 0);
  atomic_init(&s.stop, n);
  s.rc = xcalloc(n, sizeof(int));
  s.msg = xcalloc(n, sizeof(char *));
  pthread_t *t = xmalloc(sizeof(pthread_t) * nthreads);
  int started = 0;
  for (int k = 1; k < nthreads; k++)
    if (!pthread_create(&t[started], NULL, worker, &s)) started++;
  worker(&s); /* the calling thread works too */
  for (int k = 0; k < started; k++) pthread_join(t[k], NULL);
  int rc = 0;
  for (int i = 0; i < n; i++) {
    if (s.rc[i] && !rc) rc = au_fail(s.rc[i], "%s", s.msg[i]);
    free(s.msg[i]);
  }
  free(s.rc); free(s.msg); free(t);
  return rc;
}
