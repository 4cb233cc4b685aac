/* par: whatever the thread count, a job's result lands in its own slot and
 * the lowest failing job's code and message reach the caller; par_init_blas
 * leaves no BLAS worker threads running (the threaded OpenBLAS starts them
 * when it is loaded, and they spin for ~0.1 s of a core per process). */
#include <dirent.h>
#include <string.h>

#include "check.h"
#include "err.h"
#include "par.h"

/* threads of this process, from /proc; -1 without /proc */
static int tasks(void) {
  DIR *d = opendir("/proc/self/task");
  if (!d) return -1;
  int n = 0;
  for (struct dirent *e; (e = readdir(d));)
    if (e->d_name[0] != '.') n++;
  closedir(d);
  return n;
}

static int square(int i, void *ctx) {
  ((long *)ctx)[i] = (long)i * i + 7;
  return 0;
}

static int fail_at_5(int i, void *ctx) {
  ((long *)ctx)[i] = i;
  return i == 5 ? au_fail(AU_EDATA, "job %d failed", i) : 0;
}

/* every job from 5 on fails, the later ones at once and job 5 only after
 * some work, so other threads fail first: the lowest must still win */
static int fail_from_5(int i, void *ctx) {
  volatile long spin = 0;
  if (i == 5)
    for (long k = 0; k < 200000; k++) spin += k;
  ((long *)ctx)[i] = spin;
  return i >= 5 ? au_fail(AU_EMODEL, "job %d failed", i) : 0;
}

int main(void) {
  int before = tasks();
  par_init_blas();
  int after = tasks();
  fprintf(stderr, "threads before par_init_blas %d, after %d\n", before, after);
  if (after >= 0) CHECK(after == 1);

  enum { N = 100 };
  long ref[N], got[N];
  for (int i = 0; i < N; i++) ref[i] = (long)i * i + 7;
  int counts[] = {1, 2, 3, 7, 200};
  for (size_t c = 0; c < sizeof counts / sizeof *counts; c++) {
    memset(got, 0, sizeof got);
    CHECK(par_for(N, counts[c], square, got) == 0);
    CHECK(!memcmp(got, ref, sizeof got));
  }
  CHECK(par_for(0, 4, square, got) == 0); /* no jobs: nothing runs */

  for (int t = 1; t <= 4; t++) {
    int rc = par_for(N, t, fail_at_5, got);
    CHECK(rc == AU_EDATA);
    CHECK(strstr(au_errmsg(), "job 5 failed") != NULL);
  }
  /* the error does not depend on the thread count */
  for (int rep = 0; rep < 20; rep++)
    for (int t = 1; t <= 8; t++) {
      CHECK(par_for(N, t, fail_from_5, got) == AU_EMODEL);
      CHECK(!strcmp(au_errmsg(), "job 5 failed"));
    }
  return check_report();
}
