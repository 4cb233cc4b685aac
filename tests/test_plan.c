/* The search space of suggest and loop: ratio bounds and lab rounding are
 * respected by every candidate, duplicates removed, impossible spaces
 * refused. */
#include "plan.h"

#include <stdlib.h>

#include "check.h"
#include "err.h"

static int multiple(double v, double step) { return fabs(v / step - round(v / step)) < 1e-9; }

static plan_space space(void) {
  plan_space s = {.lo = {0.1, 0.5, 1, 0, 8}, .hi = {20, 5, 100, 70, 14}, .rlo = {0.5, 2}, .rhi = {6, 60}};
  return s;
}

static void test_candidates(void) {
  long n = 4000, got;
  double *c = malloc(sizeof(double) * AU_NCOND * n);
  for (int rounded = 0; rounded <= 1; rounded++) {
    plan_space s = space();
    if (rounded) memcpy(s.step, plan_default_step, sizeof s.step);
    CHECK(!plan_candidates(&s, n, 5, c, &got));
    CHECK(got > (rounded ? n / 2 : n - 1) && got <= n);
    int bad = 0, dup = 0;
    double rmin = INFINITY, rmax = 0;
    for (long i = 0; i < got; i++) {
      const double *x = c + i * AU_NCOND;
      for (int k = 0; k < AU_NCOND; k++) bad += x[k] < s.lo[k] || x[k] > s.hi[k];
      double r = x[0] / x[1], q = x[2] / x[1];
      bad += r < 0.5 * (1 - 1e-12) || r > 6 * (1 + 1e-12) || q < 2 * (1 - 1e-12) || q > 60 * (1 + 1e-12);
      if (r < rmin) rmin = r;
      if (r > rmax) rmax = r;
      if (rounded)
        for (int k = 0; k < AU_NCOND; k++) bad += !multiple(x[k], plan_default_step[k]);
      for (long j = 0; j < i && i < 600; j++) dup += !memcmp(x, c + j * AU_NCOND, sizeof(double) * AU_NCOND);
      CHECK(plan_contains(&s, x));
    }
    CHECK(bad == 0);
    CHECK(dup == 0);
    /* the ratio range is used, not just a corner of it */
    CHECK(rmin < 0.6 && rmax > 5.5);
  }
  /* rounding collapses a small space: duplicates go */
  plan_space s = space();
  memcpy(s.step, plan_default_step, sizeof s.step);
  s.lo[3] = 20; s.hi[3] = 22; s.lo[4] = 12; s.hi[4] = 12.2;
  s.lo[0] = s.hi[0] = 2; s.lo[1] = s.hi[1] = 1; s.lo[2] = s.hi[2] = 4;
  CHECK(!plan_candidates(&s, n, 5, c, &got));
  CHECK(got == 3 * 3); /* 20, 21, 22 C x pH 12.0, 12.1, 12.2 */
  /* the same seed, the same candidates; another seed, others */
  double *d = malloc(sizeof(double) * AU_NCOND * n);
  long got2;
  s = space();
  plan_candidates(&s, 100, 5, c, &got);
  plan_candidates(&s, 100, 5, d, &got2);
  CHECK(got == got2 && !memcmp(c, d, sizeof(double) * AU_NCOND * got));
  plan_candidates(&s, 100, 6, d, &got2);
  CHECK(memcmp(c, d, sizeof(double) * AU_NCOND * got));
  free(d);
  /* impossible: ligand at most 1 mM but at least 2 x HAuCl4 >= 0.5 mM */
  s = space();
  s.hi[0] = 0.9;
  s.rlo[0] = 2;
  CHECK(plan_candidates(&s, n, 5, c, &got) == AU_EUSAGE && got == 0);
  /* a range with no multiple of its step */
  s = space();
  s.lo[4] = 7.01; s.hi[4] = 7.04;
  s.step[4] = 0.1;
  CHECK(plan_candidates(&s, n, 5, c, &got) == AU_EUSAGE);
  free(c);
}

static void test_round(void) {
  plan_space s = space();
  memcpy(s.step, plan_default_step, sizeof s.step);
  double x[AU_NCOND] = {1.23456, 0.98765, 12.3449, 22.5001, 9.96};
  CHECK(!plan_round(&s, x));
  CHECK(x[0] == 1.23 && x[1] == 0.99 && x[2] == 12.34 && x[3] == 23 && x[4] == 10.0);
  /* the nearest multiple inside the bounds */
  s.hi[4] = 13.95;
  double y[AU_NCOND] = {1, 1, 2, 69.7, 13.97};
  CHECK(!plan_round(&s, y) && fabs(y[4] - 13.9) < 1e-12 && y[3] == 70);
  /* no "-0": -0.2 C rounds to +0 */
  s.lo[3] = -5;
  double w[AU_NCOND] = {1, 1, 2, -0.2, 12};
  CHECK(!plan_round(&s, w) && w[3] == 0 && !signbit(w[3]));
  /* fixed conditions stay as given */
  s.lo[3] = s.hi[3] = 22.25;
  double z[AU_NCOND] = {1, 1, 2, 22.25, 12};
  CHECK(!plan_round(&s, z) && z[3] == 22.25);
  CHECK(plan_decimals(0.01) == 2 && plan_decimals(1) == 0 && plan_decimals(0.1) == 1 && plan_decimals(0.25) == 2 &&
        plan_decimals(0.05) == 2 && plan_decimals(5) == 0);
}

static void test_parse(void) {
  int r;
  double lo, hi;
  CHECK(!plan_parse_ratio("ligand_to_Au:0.5:6", &r, &lo, &hi) && r == PLAN_LIGAND_TO_AU && lo == 0.5 && hi == 6);
  CHECK(!plan_parse_ratio("reductant_to_Au:2:60", &r, &lo, &hi) && r == PLAN_REDUCTANT_TO_AU);
  CHECK(plan_parse_ratio("ligand_to_Au:6:0.5", &r, &lo, &hi) == AU_EUSAGE);
  CHECK(plan_parse_ratio("ligand_to_Au:-1:2", &r, &lo, &hi) == AU_EUSAGE);
  CHECK(plan_parse_ratio("ligand_to_Au:x:2", &r, &lo, &hi) == AU_EUSAGE);
  CHECK(plan_parse_ratio("ligand_to_Au:1", &r, &lo, &hi) == AU_EUSAGE);
  CHECK(plan_parse_ratio("gold_to_Au:1:2", &r, &lo, &hi) == AU_EUSAGE);
  plan_space s = space();
  CHECK(!plan_parse_step(&s, "pH:0.05") && s.step[4] == 0.05);
  CHECK(!plan_parse_step(&s, "temperature_C:5") && s.step[3] == 5);
  CHECK(plan_parse_step(&s, "pH:0") == AU_EUSAGE);
  CHECK(plan_parse_step(&s, "pH:-1") == AU_EUSAGE);
  CHECK(plan_parse_step(&s, "stirring:1") == AU_EUSAGE);
  CHECK(plan_parse_step(&s, "pH") == AU_EUSAGE);
}

int main(void) {
  test_candidates();
  test_round();
  test_parse();
  return check_report();
}
