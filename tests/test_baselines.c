/* The baselines: the random forest (forest.c over cart.c) fits a separable
 * set exactly, is deterministic per seed and round-trips through JSON; the
 * prior predicts its training rows' base rate; both run behind the network
 * interface (instance_train / instance_predict). */
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "check.h"
#include "err.h"
#include "forest.h"
#include "hparams.h"
#include "net.h"
#include "rng.h"

#define N 60
#define NF 6

/* y = 1 when x0 + 2 x1 > 1.5: separable, but by no single axis-aligned cut */
static void make_set(double *X, int *y, uint64_t seed) {
  rng_t r;
  rng_seed(&r, seed);
  for (int i = 0; i < N; i++) {
    for (int j = 0; j < NF; j++) X[i * NF + j] = rng_uniform(&r);
    y[i] = X[i * NF] + 2 * X[i * NF + 1] > 1.5;
  }
}

static int same_forest(const forest *a, const forest *b) {
  return a->ntrees == b->ntrees && a->nnodes == b->nnodes &&
         !memcmp(a->start, b->start, sizeof(int) * (a->ntrees + 1)) &&
         !memcmp(a->feature, b->feature, sizeof(int) * a->nnodes) &&
         !memcmp(a->threshold, b->threshold, sizeof(double) * a->nnodes) &&
         !memcmp(a->left, b->left, sizeof(int) * a->nnodes) && !memcmp(a->right, b->right, sizeof(int) * a->nnodes) &&
         !memcmp(a->n, b->n, sizeof(int) * a->nnodes) && !memcmp(a->n1, b->n1, sizeof(int) * a->nnodes);
}

static void test_forest(void) {
  double X[N * NF];
  int y[N];
  make_set(X, y, 5);
  forest_params fp = {500, 0, 1, 0};
  forest *f = forest_fit(X, y, N, NF, &fp, 1), *g = forest_fit(X, y, N, NF, &fp, 1), *h = forest_fit(X, y, N, NF, &fp, 2);
  CHECK(f && g && h);
  if (!f || !g || !h) return;
  int correct = 0, inrange = 1;
  for (int i = 0; i < N; i++) {
    double p = forest_proba(f, X + i * NF);
    correct += (p > 0.5) == y[i];
    inrange &= p >= 0 && p <= 1;
  }
  CHECK(correct == N); /* 100% training accuracy */
  CHECK(inrange);
  CHECK(f->ntrees == 500);
  CHECK(same_forest(f, g));  /* same seed: the same trees */
  CHECK(!same_forest(f, h)); /* another seed: other bootstraps */
  /* every tree is a bootstrap of N rows and its leaves partition them */
  int ok = 1;
  for (int t = 0; t < f->ntrees; t++) {
    int b = f->start[t], leaves = 0;
    ok &= f->n[b] == N;
    for (int k = b; k < f->start[t + 1]; k++)
      if (f->feature[k] < 0) leaves += f->n[k];
    ok &= leaves == N;
  }
  CHECK(ok);
  /* about sqrt(6) = 2 features per split: the root splits use many features */
  int used[NF] = {0}, distinct = 0;
  for (int t = 0; t < f->ntrees; t++)
    if (f->feature[f->start[t]] >= 0) used[f->feature[f->start[t]]] = 1;
  for (int j = 0; j < NF; j++) distinct += used[j];
  CHECK(distinct >= 4);
  /* all features at every split (max_features = d): every root splits on x0 or x1 */
  forest_params all = {50, 0, 1, NF};
  forest *a = forest_fit(X, y, N, NF, &all, 1);
  int informative = 1;
  for (int t = 0; a && t < a->ntrees; t++) informative &= a->feature[a->start[t]] <= 1;
  CHECK(a && informative);
  forest_free(a);
  /* depth and leaf-size limits hold */
  forest_params lim = {40, 2, 5, 0};
  forest *l = forest_fit(X, y, N, NF, &lim, 3);
  CHECK(l != NULL);
  int lim_ok = 1;
  for (int t = 0; l && t < l->ntrees; t++)
    for (int k = l->start[t]; k < l->start[t + 1]; k++) {
      lim_ok &= l->feature[k] >= 0 || l->n[k] >= 5;
      /* depth <= 2: a node's grandchildren are leaves */
      if (k == l->start[t] && l->feature[k] >= 0) {
        int c[2] = {l->left[k], l->right[k]};
        for (int s = 0; s < 2; s++) {
          int ci = l->start[t] + c[s];
          if (l->feature[ci] >= 0)
            lim_ok &= l->feature[l->start[t] + l->left[ci]] < 0 && l->feature[l->start[t] + l->right[ci]] < 0;
        }
      }
    }
  CHECK(lim_ok);
  forest_free(l);
  /* JSON round trip: the same trees, so the same probabilities bit for bit */
  cJSON *j = forest_to_json(f);
  char *txt = cJSON_PrintUnformatted(j);
  cJSON_Delete(j);
  cJSON *back = cJSON_Parse(txt);
  forest *r = forest_from_json(back, NF, "test");
  CHECK(r && same_forest(f, r));
  cJSON_Delete(back);
  forest_free(r);
  /* damage is refused: a child pointing backwards (a cycle) and a wrong width */
  char *bad = strstr(txt, "\"left\":[");
  if (bad) {
    bad += 8;
    if (*bad == '1') *bad = '0';
  }
  back = cJSON_Parse(txt);
  r = forest_from_json(back, NF, "test");
  CHECK(r == NULL && au_errcode() == AU_EMODEL);
  forest_free(r);
  CHECK(forest_from_json(back, NF + 1, "test") == NULL);
  cJSON_Delete(back);
  free(txt);
  /* bad input */
  int y3[N];
  memcpy(y3, y, sizeof y);
  y3[4] = 2;
  CHECK(forest_fit(X, y3, N, NF, &fp, 1) == NULL && au_errcode() == AU_EDATA);
  forest_free(f); forest_free(g); forest_free(h);
}

/* prior and rf through the network interface on a dataset without molecules */
static void test_instances(void) {
  double X[N * AU_NDESC];
  int y[N], mol[N * NROLES] = {0}, rows[40];
  rng_t r;
  rng_seed(&r, 9);
  for (int i = 0; i < N; i++) {
    for (int j = 0; j < AU_NDESC; j++) X[i * AU_NDESC + j] = rng_uniform(&r);
    y[i] = X[i * AU_NDESC + D_TEMPERATURE_C] < 0.3 || X[i * AU_NDESC + D_PH] > 0.8;
  }
  for (int i = 0; i < 40; i++) rows[i] = (i * 7) % N; /* 40 distinct rows */
  dataset d = {NULL, 0, N, mol, X, y, AU_NDESC, 0};
  int succ = 0;
  for (int i = 0; i < 40; i++) succ += y[rows[i]];
  hparams hp;
  CHECK(hparams_default("prior", &hp) == 0 && hparams_is_baseline(&hp));
  CHECK_STR(hparams_kind(&hp), "prior");
  CHECK(hparams_kind_index(&hp) == N_MODEL_KINDS);
  net_layout L;
  net_layout_init(&L, &hp, 0);
  CHECK(L.nparams == 0 && L.D == 0);
  instance in;
  CHECK(instance_train(&L, &d, rows, 40, 3, &in) == 0);
  double p[N];
  CHECK(instance_predict(&L, &in, &d, NULL, 0, p) == 0);
  int base = 1;
  for (int i = 0; i < N; i++) base &= p[i] == (double)succ / 40;
  CHECK(base); /* the training rows' base rate, for every recipe */
  CHECK(in.nsup == 40 && in.forest == NULL);
  instance_free(&in);

  CHECK(hparams_default("RF", &hp) == 0 && hp.head == HEAD_RF && hp.rf_trees == 500);
  CHECK(hparams_kind_index(&hp) == N_MODEL_KINDS + 1);
  CHECK(hparams_relevant(&hp, "rf_trees") && !hparams_relevant(&hp, "learning_rate") &&
        !hparams_relevant(&hp, "hidden1"));
  hparams snn;
  hparams_default("snn", &snn);
  CHECK(!hparams_relevant(&snn, "rf_trees"));
  CHECK(hparams_set(&hp, "rf_trees", "0") == AU_EUSAGE);
  hp.rf_trees = 200;
  net_layout_init(&L, &hp, 0);
  instance a, b;
  CHECK(instance_train(&L, &d, rows, 40, 3, &a) == 0);
  CHECK(instance_train(&L, &d, rows, 40, 3, &b) == 0);
  double pa[N], pb[N];
  CHECK(instance_predict(&L, &a, &d, NULL, 0, pa) == 0);
  CHECK(instance_predict(&L, &b, &d, NULL, 0, pb) == 0);
  CHECK(!memcmp(pa, pb, sizeof pa));
  CHECK(a.forest && a.forest->ntrees == 200);
  int fit = 1;
  for (int i = 0; i < 40; i++) fit &= (pa[rows[i]] > 0.5) == y[rows[i]];
  CHECK(fit);
  /* a row's probability is the same alone or in a batch */
  double q;
  CHECK(instance_predict(&L, &a, &d, rows + 5, 1, &q) == 0 && q == pa[rows[5]]);
  instance_free(&a); instance_free(&b);
}

int main(void) {
  test_forest();
  test_instances();
  return check_report();
}
