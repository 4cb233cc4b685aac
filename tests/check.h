/* Minimal test harness: CHECK keeps going and counts failures; the test's
 * main returns check_report(). */
#ifndef AUCLUST_CHECK_H
#define AUCLUST_CHECK_H
#include <math.h>
#include <stdio.h>
#include <string.h>

static int check_failures, check_count;

#define CHECK(cond)                                                          \
  do {                                                                       \
    check_count++;                                                           \
    if (!(cond)) {                                                           \
      check_failures++;                                                      \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                        \
  } while (0)

#define CHECK_NEAR(a, b, tol)                                                \
  do {                                                                       \
    double check_a_ = (a), check_b_ = (b);                                   \
    check_count++;                                                           \
    if (!(fabs(check_a_ - check_b_) <= (tol))) {                             \
      check_failures++;                                                      \
      fprintf(stderr, "%s:%d: CHECK_NEAR failed: %s = %.12g, %s = %.12g\n",  \
              __FILE__, __LINE__, #a, check_a_, #b, check_b_);               \
    }                                                                        \
  } while (0)

#define CHECK_STR(a, b)                                                      \
  do {                                                                       \
    const char *check_a_ = (a), *check_b_ = (b);                             \
    check_count++;                                                           \
    if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_)) {              \
      check_failures++;                                                      \
      fprintf(stderr, "%s:%d: CHECK_STR failed: \"%s\" != \"%s\"\n",         \
              __FILE__, __LINE__, check_a_ ? check_a_ : "(null)",            \
              check_b_ ? check_b_ : "(null)");                               \
    }                                                                        \
  } while (0)

/* 1 in the AddressSanitizer build (scripts/test's second pass). The few
 * tests that repeat one computation many times for a statistic or a sweep
 * run a subset there, which exercises the same code paths; the Release pass
 * runs them whole. */
#if defined(__SANITIZE_ADDRESS__)
#define CHECK_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CHECK_SANITIZED 1
#endif
#endif
#ifndef CHECK_SANITIZED
#define CHECK_SANITIZED 0
#endif

static inline int check_report(void) {
  fprintf(stderr, "%d checks, %d failed\n", check_count, check_failures);
  return check_failures ? 1 : 0;
}
#endif
