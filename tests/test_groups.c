/* Grouped folds: a group is never split, every row is in exactly one fold,
 * the classes stay as balanced as the groups allow, the split is
 * deterministic per seed, and leave-one-group-out on a hand-made set. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "groups.h"
#include "rng.h"

/* n rows in ng groups of random sizes, outcomes random */
static void make(int n, int ng, uint64_t seed, int *group, int *y) {
  rng_t r;
  rng_seed(&r, seed);
  for (int i = 0; i < n; i++) {
    group[i] = i < ng ? i : rng_int(&r, ng); /* every group used */
    y[i] = rng_uniform(&r) < 0.4;
  }
}

static void test_never_split(void) {
  enum { N = 57, NG = 13 };
  int group[N], y[N], fold[N], fold2[N];
  for (uint64_t seed = 1; seed <= 20; seed++) {
    make(N, NG, seed, group, y);
    for (int k = 2; k <= NG; k++) {
      rng_t r;
      rng_seed(&r, seed);
      int used = grouped_folds(y, group, N, NG, k, &r, fold);
      CHECK(used == k);
      int ok = 1, cover = 1, gfold[NG], rows_in[NG + 1] = {0};
      for (int g = 0; g < NG; g++) gfold[g] = -1;
      for (int i = 0; i < N; i++) {
        cover &= fold[i] >= 0 && fold[i] < k; /* exactly one fold per row */
        if (gfold[group[i]] < 0) gfold[group[i]] = fold[i];
        ok &= gfold[group[i]] == fold[i]; /* the whole group in one fold */
        if (fold[i] >= 0 && fold[i] < k) rows_in[fold[i]]++;
      }
      int total = 0;
      for (int f = 0; f < k; f++) total += rows_in[f];
      CHECK(ok && cover && total == N);
      /* deterministic per seed */
      rng_seed(&r, seed);
      grouped_folds(y, group, N, NG, k, &r, fold2);
      CHECK(!memcmp(fold, fold2, sizeof fold));
    }
  }
  /* more folds than groups is refused */
  rng_t r;
  rng_seed(&r, 1);
  make(N, NG, 1, group, y);
  CHECK(grouped_folds(y, group, N, NG, NG + 1, &r, fold) == -1);
}

/* singleton groups: grouped folds are a stratified split (class counts per
 * fold within one of an even share) */
static void test_stratified(void) {
  enum { N = 40 };
  int group[N], y[N], fold[N];
  for (int i = 0; i < N; i++) { group[i] = i; y[i] = i % 5 < 2; } /* 16 successes, 24 failures */
  rng_t r;
  rng_seed(&r, 3);
  CHECK(grouped_folds(y, group, N, N, 4, &r, fold) == 4);
  int c[4][2] = {{0}};
  for (int i = 0; i < N; i++) c[fold[i]][y[i]]++;
  for (int f = 0; f < 4; f++) CHECK(c[f][1] == 4 && c[f][0] == 6);
}

/* three groups by hand: leave-one-group-out puts group g alone in fold g */
static void test_logo(void) {
  int group[] = {0, 1, 1, 2, 0, 2, 2, 1}, y[] = {1, 0, 1, 0, 0, 1, 1, 0}, fold[8];
  rng_t r;
  rng_seed(&r, 5);
  CHECK(grouped_folds(y, group, 8, 3, 0, &r, fold) == 3);
  CHECK(!memcmp(fold, group, sizeof fold));
  CHECK(grouped_folds(y, group, 8, 3, 3, &r, fold) == 3); /* k = groups: the same */
  CHECK(!memcmp(fold, group, sizeof fold));
  /* two folds of three groups: the largest groups (1 and 2, three rows)
   * go to different folds, group 0 joins the fold that balances classes */
  CHECK(grouped_folds(y, group, 8, 3, 2, &r, fold) == 2);
  CHECK(fold[1] != fold[3]);
  CHECK(fold[1] == fold[2] && fold[3] == fold[5] && fold[0] == fold[4]);
}

int main(void) {
  test_never_split();
  test_stratified();
  test_logo();
  return check_report();
}
