/* The progress line (progress.c): counts, percent, elapsed time and the
 * estimate of the time left, against hand-computed values. */
#include "check.h"
#include "progress.h"

int main(void) {
  char b[256];
  /* 30 of 600 done in 12 s: 5 %, 570 * 12 / 30 = 228 s = 3:48 left */
  progress_format(b, sizeof b, "cv", 30, 600, 12.0, NULL);
  CHECK_STR(b, "cv: 30/600 (5%), 0:12 elapsed, about 3:48 left");
  /* nothing done yet: no estimate */
  progress_format(b, sizeof b, "cv", 0, 10, 0.4, "");
  CHECK_STR(b, "cv: 0/10 (0%), 0:00 elapsed");
  /* all done: no estimate; a note after the counts */
  progress_format(b, sizeof b, "tune", 50, 50, 75.0, "best MCC 0.3");
  CHECK_STR(b, "tune: 50/50 (100%), 1:15 elapsed; best MCC 0.3");
  /* an hour and more: h:mm:ss; 1 of 3 in 3700 s leaves 7400 s = 2:03:20 */
  progress_format(b, sizeof b, "x", 1, 3, 3700.0, NULL);
  CHECK_STR(b, "x: 1/3 (33%), 1:01:40 elapsed, about 2:03:20 left");
  /* quiet: never on */
  progress_quiet(1);
  CHECK(progress_on() == 0);
  return check_report();
}
