/* Parallel loops over independent jobs with pthreads. Jobs write their
 * results into slots indexed by job number, so the outcome never depends
 * on the number of threads or their scheduling. */
#ifndef AUCLUST_PAR_H
#define AUCLUST_PAR_H

/* Threads to use: $AUCLUST_THREADS, else the online CPUs. */
int par_threads(void);
/* Calls fn(i, ctx) for i in 0..n-1 on up to nthreads threads. fn returns
 * 0 or an error code; the error of the lowest failing i is re-raised in the
 * calling thread with its message, whatever the thread count (every job
 * below it runs; jobs above it may be skipped). */
int par_for(int n, int nthreads, int (*fn)(int i, void *ctx), void *ctx);
/* BLAS stays single-threaded: parallelism is over jobs. */
void par_init_blas(void);
#endif
