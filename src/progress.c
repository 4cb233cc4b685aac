#include "progress.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int quiet;
static char what[96], note[160];
static long total;
static atomic_long done;
static double t0, last_draw;
static int shown, active;
static pthread_mutex_t draw_lock = PTHREAD_MUTEX_INITIALIZER;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static void fmt_time(char *b, size_t n, double s) {
  long t = s > 0 ? (long)(s + 0.5) : 0;
  if (t >= 3600) snprintf(b, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
  else snprintf(b, n, "%ld:%02ld", t / 60, t % 60);
}

void progress_format(char *buf, size_t n, const char *w, long d, long tot, double el, const char *nt) {
  char e[32], l[48] = "";
  fmt_time(e, sizeof e, el);
  int pct = tot > 0 ? (int)(100.0 * d / tot) : 0;
  if (d > 0 && tot > d) {
    char t[24];
    fmt_time(t, sizeof t, el * (double)(tot - d) / d);
    snprintf(l, sizeof l, ", about %s left", t);
  }
  snprintf(buf, n, "%s: %ld/%ld (%d%%), %s elapsed%s%s%s", w, d, tot, pct, e, l, nt && nt[0] ? "; " : "",
           nt ? nt : "");
}

int progress_on(void) { return !quiet && isatty(STDERR_FILENO); }
void progress_quiet(int q) { quiet = q; }

static void draw(int force) {
  if (!active) return;
  if (force) pthread_mutex_lock(&draw_lock);
  else if (pthread_mutex_trylock(&draw_lock)) return; /* another thread is drawing */
  double t = now();
  if (force || t - last_draw >= 0.1) {
    char line[512];
    progress_format(line, sizeof line, what, atomic_load(&done), total, t - t0, note);
    fprintf(stderr, "\r\033[K%s", line);
    fflush(stderr);
    last_draw = t;
    shown = 1;
  }
  pthread_mutex_unlock(&draw_lock);
}

void progress_begin(const char *w, long tot) {
  active = progress_on();
  if (!active) return;
  snprintf(what, sizeof what, "%s", w);
  note[0] = 0;
  total = tot;
  atomic_store(&done, 0);
  t0 = now();
  draw(1);
}

void progress_add(long k) {
  if (!active) return;
  atomic_fetch_add(&done, k);
  draw(0);
}

void progress_note(const char *fmt, ...) {
  if (!active) return;
  pthread_mutex_lock(&draw_lock);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(note, sizeof note, fmt, ap);
  va_end(ap);
  pthread_mutex_unlock(&draw_lock);
  draw(1);
}

void progress_end(void) {
  if (shown) fputs("\r\033[K", stderr), fflush(stderr);
  shown = active = 0;
}
