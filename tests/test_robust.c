/* Regression tests of the defects a hostile test of the tool found (issue
 * 12): each fails on the code before its fix. The command-line side is in
 * tests/cli_robust.sh. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "descriptors.h"
#include "err.h"
#include "model.h"
#include "molgraph.h"

#define HEAD "{\"commonchem\":{\"version\":10},\"defaults\":{\"atom\":{\"z\":6,\"impHs\":0,\"chg\":0,\"nRad\":0},\"bond\":{\"bo\":1}},"

/* 13: a graph with one bond listed four times is refused before bertz_ct
 * (which overflowed its connection buffer) ever sees it. */
static void duplicate_bonds(void) {
  molgraph g;
  const char *js = HEAD "\"molecules\":[{\"atoms\":[{\"z\":6},{\"z\":6},{\"z\":8}],"
                        "\"bonds\":[{\"atoms\":[0,1]},{\"atoms\":[0,1]},{\"atoms\":[1,0]},{\"atoms\":[0,1]},{\"atoms\":[1,2]}]}]}";
  CHECK(molgraph_from_json(js, NULL, &g) == AU_EDATA);
  CHECK(strstr(au_errmsg(), "twice") != NULL);
  const char *ok = HEAD "\"molecules\":[{\"atoms\":[{\"z\":6},{\"z\":6},{\"z\":8}],"
                        "\"bonds\":[{\"atoms\":[0,1]},{\"atoms\":[1,2]}]}]}";
  CHECK(molgraph_from_json(ok, NULL, &g) == 0);
  CHECK(g.nbonds == 2);
  CHECK(isfinite(bertz_ct(&g)));
  molgraph_free(&g);
}

/* 10: extreme commonchem integers are refused, not cast (UBSan found
 * signed and float-to-int overflows). */
static void extreme_integers(void) {
  static const char *const atoms[] = {
      "{\"z\":1e300}", "{\"z\":-5}", "{\"chg\":-2147483648}", "{\"chg\":2147483647}", "{\"impHs\":1e10}",
      "{\"nRad\":-1e300}", "{\"z\":6.5}", "{\"impHs\":\"x\"}"};
  for (size_t i = 0; i < sizeof atoms / sizeof atoms[0]; i++) {
    char js[512];
    snprintf(js, sizeof js, HEAD "\"molecules\":[{\"atoms\":[{\"z\":6},%s,{\"z\":8}],"
                              "\"bonds\":[{\"atoms\":[0,1]},{\"atoms\":[1,2]}]}]}", atoms[i]);
    molgraph g;
    CHECK(molgraph_from_json(js, NULL, &g) == AU_EDATA);
  }
  static const char *const bonds[] = {"[0,1e300]", "[-1e300,1]", "[0.5,1]", "[0,1,2]", "[0]", "[1,1]"};
  for (size_t i = 0; i < sizeof bonds / sizeof bonds[0]; i++) {
    char js[512];
    snprintf(js, sizeof js, HEAD "\"molecules\":[{\"atoms\":[{\"z\":6},{\"z\":6}],\"bonds\":[{\"atoms\":%s}]}]}",
             bonds[i]);
    molgraph g;
    CHECK(molgraph_from_json(js, NULL, &g) == AU_EDATA);
  }
  molgraph g;
  CHECK(molgraph_from_json(HEAD "\"molecules\":[{\"atoms\":[{\"z\":6}],\"bonds\":[]}]}", NULL, &g) == 0);
  molgraph_free(&g);
}

/* 1: a bond of order 0 gave a NaN Bertz complexity (1/0, then 0 * -inf);
 * such SMILES are an error naming the bond. */
static void order_zero_bonds(void) {
  static const char *const bad[] = {"CC:O", "NC:S", "CC~O"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    molgraph g;
    CHECK(molgraph_from_smiles(bad[i], &g) == AU_EDATA);
    CHECK(strstr(au_errmsg(), "has no order") != NULL);
  }
  molgraph g;
  CHECK(molgraph_from_json(HEAD "\"molecules\":[{\"atoms\":[{\"z\":6},{\"z\":6},{\"z\":8}],"
                                "\"bonds\":[{\"atoms\":[0,1],\"bo\":0},{\"atoms\":[1,2]}]}]}",
                           NULL, &g) == AU_EDATA);
  /* aromatic ring bonds are fine, and every complexity is finite */
  static const char *const good[] = {"c1ccccc1S", "Sc1ccncc1", "OC(=O)CCCCCS", "[Na+].[BH4-]", "O"};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    CHECK(molgraph_from_smiles(good[i], &g) == 0);
    CHECK(isfinite(bertz_ct(&g)));
    molgraph_free(&g);
  }
}

/* fuzz_smiles: RDKit perceives 'Cb=9C1=CC=CC91' as aromatic but cannot
 * kekulize it, and its JSON writer leaked the copy it tried: the molecule is
 * refused as data, and an ordinary aromatic ring still converts. */
static void unkekulizable(void) {
  molgraph g;
  CHECK(molgraph_from_smiles("Cb=9C1=CC=CC91", &g) == AU_EDATA);
  CHECK(strstr(au_errmsg(), "Cb=9C1=CC=CC91") != NULL);
  CHECK(molgraph_from_smiles("Cc1ccccc1S", &g) == 0);
  molgraph_free(&g);
}

/* 8: the out-of-memory message carries the command name like every other
 * error. (Skipped under AddressSanitizer, whose allocator aborts instead.) */
static void oom_message(void) {
#if !defined(__SANITIZE_ADDRESS__)
  int fd[2];
  CHECK(pipe(fd) == 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fd[1], 2);
    au_set_command("featurize");
    volatile size_t huge = SIZE_MAX / 4;
    char *p = xmalloc(huge);
    p[0] = 1;
    _exit(0);
  }
  close(fd[1]);
  char buf[256] = {0};
  ssize_t got = read(fd[0], buf, sizeof buf - 1);
  close(fd[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  CHECK(got > 0);
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == AU_ENOMEM);
  CHECK(!strncmp(buf, "auclust featurize: out of memory", 32));
#endif
}

/* 3: model_save refuses a model with a non-finite weight (train used to
 * exit 0 and write -nan, which nothing could load). */
static void save_refuses_nan(void) {
  component_table comps;
  recipe_set rs;
  recipe_opts o = recipe_opts_default();
  CHECK(components_load("data/components.csv", &comps) == 0);
  CHECK(recipes_load("data/au_nc_recipes.csv", &comps, &o, &rs) == 0);
  hparams hp;
  hparams_default("snn", &hp);
  hp.epochs = 1;
  hp.steps_per_epoch = 2;
  model m;
  CHECK(model_train(&m, &rs, &comps, &hp, 0, 1, 1) == 0);
  const char *path = "/tmp/auclust_test_robust_nan.json";
  remove(path);
  CHECK(model_save(&m, path) == 0);
  CHECK(remove(path) == 0);
  m.inst[0].p[m.L.nparams - 1] = NAN;
  CHECK(model_save(&m, path) == AU_ENUM);
  CHECK(fopen(path, "r") == NULL);
  m.inst[0].p[m.L.nparams - 1] = 0;
  m.inst[0].hi[0] = 1e308;
  m.inst[0].lo[0] = -1e308;
  CHECK(model_save(&m, path) == AU_ENUM);
  model_free(&m);
  recipes_free(&rs);
  components_free(&comps);
}

int main(void) {
  save_refuses_nan();
  oom_message();
  order_zero_bonds();
  duplicate_bonds();
  extreme_integers();
  unkekulizable();
  return check_report();
}
