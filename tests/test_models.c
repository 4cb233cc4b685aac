/* The model layer (DESIGN.md section 3) end to end: every one of the six
 * classifiers fits a small separable data set, training is deterministic
 * per seed, the SNN prediction rule and its cached support-set outputs,
 * stratified folds, cross-validation against a manual loop and for any
 * thread count, model files round-tripping bit for bit, hyperparameters. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "cv.h"
#include "ensemble.h"
#include "err.h"
#include "hparams.h"
#include "model.h"
#include "net.h"
#include "recipes.h"
#include "rng.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

/* ---- a small separable data set built by hand ---------------------------- */
/* molecules 0-3 ligands, 4-5 solvents, 6-7 reductants */
static const char *const toy_smiles[] = {"NCCS", "OC(=O)CCCCCS", "OC(=O)c1ccc(S)cc1", "N[C@@H](CS)C(=O)O",
                                         "O", "CO", "[Na+].[BH4-]", "[C-]#[O+]"};
#define TOY_NMOL 8
#define TOY_N 16
static molgraph toy_mg[TOY_NMOL];
static const molgraph *toy_mp[TOY_NMOL];
static int toy_mol[TOY_N * NROLES], toy_y[TOY_N];
static double toy_x[TOY_N * AU_NDESC];
static dataset toy;

/* Outcome = cold (below 20 C) and basic (pH 10-12) vs hot (80-100 C) and
 * acidic (pH 2-4); every ligand, solvent and reductant occurs with both
 * outcomes, and the other conditions are noise. */
static void toy_build(void) {
  for (int i = 0; i < TOY_NMOL; i++) {
    CHECK(molgraph_from_smiles(toy_smiles[i], &toy_mg[i]) == 0);
    toy_mp[i] = &toy_mg[i];
  }
  rng_t r;
  rng_seed(&r, 2024);
  double lig[4][AU_NDESC];
  for (int l = 0; l < 4; l++)
    for (int j = 0; j < AU_NDESC; j++) lig[l][j] = 10 * rng_uniform(&r);
  for (int i = 0; i < TOY_N; i++) {
    int l = i % 4, s = (i / 4) % 2, d = (i / 8) % 2;
    toy_mol[i * NROLES + ROLE_LIGAND] = l;
    toy_mol[i * NROLES + ROLE_SOLVENT] = 4 + s;
    toy_mol[i * NROLES + ROLE_REDUCTANT] = 6 + d;
    toy_y[i] = (i + i / 4) % 2;
    double *x = toy_x + i * AU_NDESC;
    memcpy(x, lig[l], sizeof lig[l]);
    x[D_LIGAND_MM] = 0.5 + 2.5 * rng_uniform(&r);
    x[D_HAUCL4_MM] = 0.5 + 1.5 * rng_uniform(&r);
    x[D_REDUCTANT_MM] = 1 + 9 * rng_uniform(&r);
    x[D_TEMPERATURE_C] = toy_y[i] ? 20 * rng_uniform(&r) : 80 + 20 * rng_uniform(&r);
    x[D_PH] = toy_y[i] ? 10 + 2 * rng_uniform(&r) : 2 + 2 * rng_uniform(&r);
    x[D_DIELECTRIC] = s ? 33.0 : 80.1;
    x[D_REDOX] = d ? -0.11 : -1.24;
    x[D_AROMATIC] = l == 2;
  }
  toy = (dataset){toy_mp, TOY_NMOL, TOY_N, toy_mol, toy_x, toy_y, AU_NDESC, 0};
}

static void toy_free(void) {
  for (int i = 0; i < TOY_NMOL; i++) molgraph_free(&toy_mg[i]);
}

static void small_hp(const char *kind, int epochs, hparams *hp) {
  CHECK(hparams_default(kind, hp) == 0);
  hp->epochs = epochs;
}

static int params_equal(const net_layout *L, const instance *a, const instance *b) {
  return !memcmp(a->p, b->p, sizeof(double) * L->nparams) && !memcmp(a->lo, b->lo, sizeof a->lo) &&
         !memcmp(a->hi, b->hi, sizeof a->hi) && a->nsup == b->nsup && !memcmp(&a->loss, &b->loss, sizeof a->loss);
}

/* ---- 1. every model separates the toy set ------------------------------- */
/* With this budget (25 epochs of 64 steps) every model fits the toy set for
 * almost every seed; GCNN + SNN stays at 12/16 for a few (5, 24, 49, 60 of
 * 1..60), so the seed is fixed. */
static void test_separable(void) {
  for (int k = 0; k < N_MODEL_KINDS; k++) {
    hparams hp;
    small_hp(model_kind_names[k], 25, &hp);
    net_layout L;
    net_layout_init(&L, &hp, 0);
    instance in;
    double t0 = now();
    CHECK(instance_train(&L, &toy, NULL, 0, 7, &in) == 0);
    double p[TOY_N];
    CHECK(instance_predict(&L, &in, &toy, NULL, 0, p) == 0);
    int correct = 0, inrange = 1;
    for (int i = 0; i < TOY_N; i++) {
      correct += (p[i] > 0.5) == toy_y[i];
      inrange &= p[i] >= 0 && p[i] <= 1;
    }
    fprintf(stderr, "%-11s training accuracy %2d/%d, final loss %.4f, %.2f s\n", model_kind_labels[k], correct, TOY_N,
            in.loss, now() - t0);
    CHECK(correct == TOY_N);
    CHECK(inrange);
    CHECK(in.nsup == TOY_N);
    /* the support set is the training set */
    CHECK(!memcmp(in.sup_x, toy_x, sizeof toy_x));
    CHECK(!memcmp(in.sup_mol, toy_mol, sizeof toy_mol));
    CHECK(!memcmp(in.sup_y, toy_y, sizeof toy_y));
    /* only the SNN keeps support-set outputs */
    CHECK((in.sup_G != NULL) == (hp.head == HEAD_SNN));
    /* a row's probability does not depend on what else is in the batch */
    /* (up to rounding: BLAS may sum a 1-row batch in another order) */
    double worst = 0;
    for (int i = 0; i < TOY_N; i++) {
      double q;
      CHECK(instance_predict(&L, &in, &toy, &i, 1, &q) == 0);
      worst = fmax(worst, fabs(q - p[i]));
    }
    CHECK(worst < 1e-12);
    instance_free(&in);
  }
}

/* ---- 2. determinism ------------------------------------------------------- */
static void test_determinism(void) {
  int rows[12];
  for (int i = 0; i < 12; i++) rows[i] = i + 2; /* a subset, as a fold would be */
  for (int k = 0; k < N_MODEL_KINDS; k++) {
    hparams hp;
    small_hp(model_kind_names[k], 3, &hp);
    hp.dropout = 0.2; /* dropout draws from the same stream */
    net_layout L;
    net_layout_init(&L, &hp, 0);
    instance a, b, c;
    CHECK(instance_train(&L, &toy, rows, 12, 11, &a) == 0);
    CHECK(instance_train(&L, &toy, rows, 12, 11, &b) == 0);
    CHECK(instance_train(&L, &toy, rows, 12, 12, &c) == 0);
    CHECK(params_equal(&L, &a, &b));
    CHECK(memcmp(a.p, c.p, sizeof(double) * L.nparams) != 0);
    double pa[TOY_N], pb[TOY_N], pc[TOY_N];
    CHECK(instance_predict(&L, &a, &toy, NULL, 0, pa) == 0);
    CHECK(instance_predict(&L, &b, &toy, NULL, 0, pb) == 0);
    CHECK(instance_predict(&L, &c, &toy, NULL, 0, pc) == 0);
    CHECK(!memcmp(pa, pb, sizeof pa));
    CHECK(memcmp(pa, pc, sizeof pa) != 0);
    if (hp.head == HEAD_SNN) CHECK(!memcmp(a.sup_G, b.sup_G, sizeof(double) * L.dim[L.nl] * a.nsup));
    instance_free(&a); instance_free(&b); instance_free(&c);
  }
}

/* ---- 2b. early stopping and fp_zero_init ---------------------------------- */
/* early_stop: the inner fit on 4/5 of each class picks an epoch count, and the
 * model is then the plain fit on all rows for that many epochs (the toy set's
 * 16 rows are below budget_rows, so the count is not scaled); too small a
 * class (1/20 of 8 rows is none) leaves the plain fit. fp_zero_init: with a
 * step too small to matter, the fingerprint-reading weights stay near 0 and
 * every other weight near its Glorot draw. */
static void test_early_stop_fp_init(void) {
  for (int k = 0; k < N_MODEL_KINDS; k++) {
    hparams hp;
    small_hp(model_kind_names[k], 6, &hp);
    hp.steps_per_epoch = 4;
    hp.early_stop = 5;
    net_layout L, P;
    net_layout_init(&L, &hp, 0);
    instance a, b, c;
    CHECK(instance_train(&L, &toy, NULL, 0, 11, &a) == 0);
    CHECK(instance_train(&L, &toy, NULL, 0, 11, &b) == 0);
    CHECK(params_equal(&L, &a, &b));
    long inner = 6L * hp.steps_per_epoch, refit = a.steps - inner;
    CHECK(refit % hp.steps_per_epoch == 0 && refit >= hp.steps_per_epoch && refit <= inner);
    hparams plain = hp;
    plain.early_stop = 0;
    plain.epochs = (int)(refit / hp.steps_per_epoch);
    net_layout_init(&P, &plain, 0);
    CHECK(instance_train(&P, &toy, NULL, 0, 11, &c) == 0);
    CHECK(params_equal(&L, &a, &c));
    instance_free(&b); instance_free(&c);
    hp.early_stop = 20;
    plain.epochs = hp.epochs;
    net_layout_init(&L, &hp, 0);
    net_layout_init(&P, &plain, 0);
    CHECK(instance_train(&L, &toy, NULL, 0, 11, &b) == 0);
    CHECK(instance_train(&P, &toy, NULL, 0, 11, &c) == 0);
    CHECK(params_equal(&L, &b, &c) && b.steps == c.steps);
    instance_free(&a); instance_free(&b); instance_free(&c);
    if (!L.D) continue;
    hp.early_stop = 0;
    hp.epochs = 1; hp.steps_per_epoch = 1; hp.learning_rate = 1e-9;
    hp.fp_zero_init = 0;
    net_layout_init(&P, &hp, 0);
    hp.fp_zero_init = 1;
    net_layout_init(&L, &hp, 0);
    CHECK(instance_train(&L, &toy, NULL, 0, 3, &a) == 0);
    CHECK(instance_train(&P, &toy, NULL, 0, 3, &b) == 0);
    long f0 = L.W[0], f1 = L.W[0] + net_fp_weights(&L);
    double fp_max = 0, fp_plain = 0, other = 0;
    for (long i = 0; i < L.nparams; i++)
      if (i >= f0 && i < f1) fp_max = fmax(fp_max, fabs(a.p[i])), fp_plain = fmax(fp_plain, fabs(b.p[i]));
      else other = fmax(other, fabs(a.p[i] - b.p[i]));
    CHECK(fp_max <= 1.01e-9 && fp_plain > 0.1 && other <= 2.02e-9);
    instance_free(&a); instance_free(&b);
  }
}

/* ---- 2c. bagging --------------------------------------------------------- */
/* bag B: B instances per fit, each on a stratified bootstrap resample (both
 * classes keep their sizes) with the scaler and support set of all the rows;
 * deterministic per seed, off for the baselines. */
static void test_bag(void) {
  hparams hp;
  small_hp("gcnn_snn", 3, &hp);
  CHECK(hp.bag == 0 && ensemble_size(&hp, 0) == 1 && ensemble_size(&hp, 10) == 10);
  hp.bag = 3;
  CHECK(ensemble_size(&hp, 0) == 3 && ensemble_size(&hp, 4) == 12);
  hparams rf;
  CHECK(hparams_default("rf", &rf) == 0);
  rf.bag = 3;
  CHECK(ensemble_size(&rf, 0) == 1 && ensemble_size(&rf, 5) == 5);
  for (int k = 0; k < N_MODEL_KINDS; k++) {
    small_hp(model_kind_names[k], 3, &hp);
    hp.steps_per_epoch = 4;
    net_layout L;
    net_layout_init(&L, &hp, 0);
    instance a, b, c;
    CHECK(instance_train_bootstrap(&L, &toy, NULL, 0, 9, &a) == 0);
    CHECK(instance_train_bootstrap(&L, &toy, NULL, 0, 9, &b) == 0);
    CHECK(instance_train(&L, &toy, NULL, 0, 9, &c) == 0);
    CHECK(params_equal(&L, &a, &b));
    CHECK(a.nsup == TOY_N && !memcmp(a.sup_y, toy_y, sizeof toy_y)); /* every row, once */
    CHECK(!memcmp(a.lo, c.lo, sizeof a.lo) && !memcmp(a.hi, c.hi, sizeof a.hi));
    CHECK(memcmp(a.p, c.p, sizeof(double) * L.nparams) != 0); /* fitted on other rows */
    instance_free(&a); instance_free(&b); instance_free(&c);
  }
}

/* Trains a and b on L and c on P from one seed, and checks a == b: the
 * setting under test is deterministic per seed. */
static void train_three(const net_layout *L, const net_layout *P, uint64_t seed, instance *a, instance *b,
                        instance *c) {
  CHECK(instance_train(L, &toy, NULL, 0, seed, a) == 0);
  CHECK(instance_train(L, &toy, NULL, 0, seed, b) == 0);
  CHECK(instance_train(P, &toy, NULL, 0, seed, c) == 0);
  CHECK(params_equal(L, a, b));
}

/* input_noise: training draws noise on the scaled descriptors (the weights
 * change, deterministically per seed); prediction never does */
static void test_input_noise(void) {
  for (int k = 0; k < N_MODEL_KINDS; k++) {
    hparams hp;
    small_hp(model_kind_names[k], 3, &hp);
    hp.steps_per_epoch = 4;
    net_layout L, P;
    hp.input_noise = 0;
    net_layout_init(&P, &hp, 0);
    hp.input_noise = 0.1;
    net_layout_init(&L, &hp, 0);
    instance a, b, c;
    train_three(&L, &P, 4, &a, &b, &c);
    CHECK(memcmp(a.p, c.p, sizeof(double) * L.nparams) != 0);
    double pa[TOY_N], pb[TOY_N];
    CHECK(instance_predict(&L, &a, &toy, NULL, 0, pa) == 0 && instance_predict(&L, &a, &toy, NULL, 0, pb) == 0);
    CHECK(!memcmp(pa, pb, sizeof pa));
    instance_free(&a); instance_free(&b); instance_free(&c);
  }
}

/* The L2 norms of rows [r0, r1) of W[0], offsets from the first
 * non-fingerprint row: their sum, and in *nzero how many are exactly 0. */
static double row_norms(const net_layout *L, const instance *in, int r0, int r1, int *nzero) {
  double t = 0;
  int z = 0, f = (int)(net_fp_weights(L) / L->dim[1]);
  for (int r = f + r0; r < f + r1; r++) {
    const double *w = in->p + L->W[0] + (long)r * L->dim[1];
    double s = 0;
    for (int c = 0; c < L->dim[1]; c++) s += w[c] * w[c];
    t += sqrt(s);
    z += s == 0;
  }
  if (nzero) *nzero = z;
  return t;
}
/* every descriptor (non-fingerprint) row */
static double desc_row_norms(const net_layout *L, const instance *in, int *nzero) {
  return row_norms(L, in, 0, L->dim[0] - (int)(net_fp_weights(L) / L->dim[1]), nzero);
}

/* input_group_l1 (all descriptor rows) and molecule_group_l1 (the molecules'
 * 12 property rows; which rows exactly is checked in test_gradients): the
 * group lasso shrinks its rows (their summed L2 norms fall below the
 * unpenalised fit's), leaves the fingerprint rows to fp_l2, and is
 * deterministic per seed */
static void test_group_l1(int molecule) {
  for (int k = 0; k < N_MODEL_KINDS; k++) {
    hparams hp;
    small_hp(model_kind_names[k], 10, &hp);
    double *lambda = molecule ? &hp.molecule_group_l1 : &hp.input_group_l1;
    *lambda = 0;
    net_layout L, P;
    net_layout_init(&P, &hp, 0);
    *lambda = 0.05;
    net_layout_init(&L, &hp, 0);
    instance a, b, c;
    train_three(&L, &P, 4, &a, &b, &c);
    int r0 = molecule ? AU_NCOND : 0, r1 = molecule ? AU_NDESC : L.dim[0] - (int)(net_fp_weights(&L) / L.dim[1]);
    CHECK(row_norms(&L, &a, r0, r1, NULL) < 0.9 * row_norms(&P, &c, r0, r1, NULL));
    instance_free(&a); instance_free(&b); instance_free(&c);
  }
}

/* input_refit: the relaxed group lasso drops the inputs whose rows the
 * penalised fit shrank below t x the largest and refits the rest without the
 * penalty: dropped rows are exactly 0 in the model (and stay so in float),
 * kept ones are not, and the result is deterministic per seed */
static void test_input_refit(void) {
  for (int k = 0; k < 2 * N_MODEL_KINDS; k++) {
    hparams hp;
    small_hp(model_kind_names[k % N_MODEL_KINDS], 10, &hp);
    hp.float32 = k >= N_MODEL_KINDS;
    hp.input_group_l1 = 0.05;
    net_layout P, L;
    net_layout_init(&P, &hp, 0);
    hp.input_refit = 0.5;
    net_layout_init(&L, &hp, 0);
    instance a, b, c;
    train_three(&L, &P, 4, &a, &b, &c);
    int z, zc, nin = L.dim[0] - (int)(net_fp_weights(&L) / L.dim[1]);
    desc_row_norms(&L, &a, &z);
    desc_row_norms(&P, &c, &zc);
    CHECK(z >= 1 && z < nin);
    CHECK(zc == 0);
    double pa[TOY_N];
    CHECK(instance_predict(&L, &a, &toy, NULL, 0, pa) == 0);
    for (int i = 0; i < TOY_N; i++) CHECK(pa[i] >= 0 && pa[i] <= 1);
    instance_free(&a); instance_free(&b); instance_free(&c);
  }
}

/* ---- 2d. float32: single-precision training ------------------------------ */
/* The float path against the double one, from the same seed (the same
 * initial weights, rounded to float, and the same batches): after 4 steps
 * the predictions agree within 1e-6 (seen: 4e-8 at most), after the
 * separability budget (25 epochs of 64 steps) within 1e-2 on every row
 * (seen: 1.2e-4), and the float model still separates the toy set. Float
 * training is deterministic, and its weights are floats held as doubles. */
static void test_float32(void) {
  for (int k = 0; k < N_MODEL_KINDS; k++)
    for (int budget = 0; budget < 2; budget++) {
      hparams hp;
      small_hp(model_kind_names[k], budget ? 25 : 1, &hp);
      if (!budget) hp.steps_per_epoch = 4;
      net_layout L, F;
      net_layout_init(&L, &hp, 0);
      hp.float32 = 1;
      net_layout_init(&F, &hp, 0);
      instance a, b, c;
      train_three(&F, &L, 7, &b, &c, &a);
      int exact = 1;
      for (long i = 0; i < F.nparams; i++) exact &= (double)(float)b.p[i] == b.p[i];
      CHECK(exact);
      double pa[TOY_N], pb[TOY_N], worst = 0;
      CHECK(instance_predict(&L, &a, &toy, NULL, 0, pa) == 0);
      CHECK(instance_predict(&F, &b, &toy, NULL, 0, pb) == 0);
      int correct = 0;
      for (int i = 0; i < TOY_N; i++) worst = fmax(worst, fabs(pa[i] - pb[i])), correct += (pb[i] > 0.5) == toy_y[i];
      fprintf(stderr, "float32 %-11s %s: max |p_float - p_double| %.2e, training accuracy %d/%d\n",
              model_kind_labels[k], budget ? "25 x 64 steps" : "4 steps", worst, correct, TOY_N);
      CHECK(worst <= (budget ? 1e-2 : 1e-6));
      if (budget) CHECK(correct == TOY_N);
      instance_free(&a); instance_free(&b); instance_free(&c);
    }
}

/* ---- 3. the SNN prediction rule ------------------------------------------- */
static double sigmoid(double z) { return 1 / (1 + exp(-z)); }

/* p = mean_s+ sigma(w.|G(q)-G(s)| + b) / (that + mean_s- ...) */
static double snn_rule(const net_layout *L, const instance *in, const double *Gq) {
  int dm = L->dim[L->nl];
  CHECK(dm == L->hp.feature_vector_dim);
  double sum[2] = {0, 0};
  int n[2] = {0, 0};
  for (int s = 0; s < in->nsup; s++) {
    double z = in->p[L->dist_b];
    for (int j = 0; j < dm; j++) z += in->p[L->dist_w + j] * fabs(Gq[j] - in->sup_G[(size_t)s * dm + j]);
    sum[in->sup_y[s]] += sigmoid(z);
    n[in->sup_y[s]]++;
  }
  double m1 = sum[1] / n[1], m0 = sum[0] / n[0];
  return m1 / (m1 + m0);
}

/* The half net's output G for one row of a dataset, through a one-row
 * support set (instance_prepare computes exactly G of its support rows). */
static void half_net(const net_layout *L, const instance *in, const dataset *d, int row, double *G) {
  instance t = *in;
  int y0 = 0;
  t.nsup = 1;
  t.sup_mol = (int *)d->mol + row * NROLES;
  t.sup_x = (double *)d->x + (size_t)row * AU_NDESC;
  t.sup_y = &y0;
  t.sup_G = NULL;
  CHECK(instance_prepare(L, &t, d->mols, d->nmol) == 0);
  memcpy(G, t.sup_G, sizeof(double) * L->dim[L->nl]);
  free(t.sup_G);
}

static void test_snn_rule(void) {
  const char *kinds[] = {"gcnn_snn", "snn"};
  for (int kk = 0; kk < 2; kk++) {
    hparams hp;
    small_hp(kinds[kk], 3, &hp);
    net_layout L;
    net_layout_init(&L, &hp, 0);
    int dm = L.dim[L.nl];
    instance in;
    CHECK(instance_train(&L, &toy, NULL, 0, 5, &in) == 0);
    size_t gbytes = sizeof(double) * dm * in.nsup;
    double *G0 = malloc(gbytes);
    memcpy(G0, in.sup_G, gbytes);
    /* G is a sigmoid layer */
    int ok = 1;
    for (int i = 0; i < dm * in.nsup; i++) ok &= G0[i] > 0 && G0[i] < 1;
    CHECK(ok);
    /* instance_prepare recomputes exactly what training left behind */
    CHECK(instance_prepare(&L, &in, toy.mols, toy.nmol) == 0);
    CHECK(!memcmp(G0, in.sup_G, gbytes));

    double p[TOY_N];
    CHECK(instance_predict(&L, &in, &toy, NULL, 0, p) == 0);
    /* a training row: its G is its own support entry */
    for (int i = 0; i < TOY_N; i += 5) CHECK_NEAR(p[i], snn_rule(&L, &in, in.sup_G + (size_t)i * dm), 1e-13);
    double G[64];
    half_net(&L, &in, &toy, 3, G);
    /* (equal up to rounding: BLAS may sum a 1-row batch in another order) */
    for (int j = 0; j < dm; j++) CHECK_NEAR(G[j], in.sup_G[3 * dm + j], 1e-14);

    /* an unseen query: another ligand/solvent/reductant mix and conditions */
    int qmol[NROLES] = {2, 5, 6}, qy = 1;
    double qx[AU_NDESC];
    memcpy(qx, toy_x + 5 * AU_NDESC, sizeof qx);
    qx[D_TEMPERATURE_C] = 47;
    qx[D_PH] = 13.5; /* outside the training range: the scaler extrapolates */
    dataset q = {toy_mp, TOY_NMOL, 1, qmol, qx, &qy, AU_NDESC, 0};
    double pq;
    CHECK(instance_predict(&L, &in, &q, NULL, 0, &pq) == 0);
    half_net(&L, &in, &q, 0, G);
    CHECK_NEAR(pq, snn_rule(&L, &in, G), 1e-13);
    CHECK(pq >= 0 && pq <= 1);

    /* predictions read the cached support outputs: tamper with them and the
     * prediction follows the tampered values; instance_prepare restores them */
    for (int s = 0; s < in.nsup; s++)
      for (int j = 0; j < dm; j++) in.sup_G[(size_t)s * dm + j] = in.sup_y[s] ? G[j] : 1 - G[j];
    double pt;
    CHECK(instance_predict(&L, &in, &q, NULL, 0, &pt) == 0);
    CHECK_NEAR(pt, snn_rule(&L, &in, G), 1e-13);
    CHECK(fabs(pt - pq) > 1e-6);
    CHECK(instance_prepare(&L, &in, toy.mols, toy.nmol) == 0);
    CHECK(!memcmp(G0, in.sup_G, gbytes));
    CHECK(instance_predict(&L, &in, &q, NULL, 0, &pt) == 0);
    CHECK(!memcmp(&pt, &pq, sizeof pt));
    free(G0);
    instance_free(&in);
  }
  /* the other heads keep no support outputs */
  hparams hp;
  small_hp("dnn", 1, &hp);
  net_layout L;
  net_layout_init(&L, &hp, 0);
  instance in;
  CHECK(instance_train(&L, &toy, NULL, 0, 5, &in) == 0);
  CHECK(in.sup_G == NULL);
  CHECK(instance_prepare(&L, &in, toy.mols, toy.nmol) == 0 && in.sup_G == NULL);
  instance_free(&in);
}

/* ---- 4. stratified folds --------------------------------------------------- */
static void test_folds(void) {
  const int ns[] = {31, 16, 10, 7, 54, 100};
  const int ks[] = {2, 3, 5, 10};
  for (int a = 0; a < 6; a++)
    for (int b = 0; b < 4; b++) {
      int n = ns[a], k = ks[b];
      if (k > n) continue;
      for (int pattern = 0; pattern < 3; pattern++) {
        int *y = malloc(sizeof(int) * n), *f1 = malloc(sizeof(int) * n), *f2 = malloc(sizeof(int) * n),
            *f3 = malloc(sizeof(int) * n);
        int m[2] = {0, 0};
        for (int i = 0; i < n; i++) {
          y[i] = pattern == 0 ? i % 2 : pattern == 1 ? (i * 7) % 10 < 3 : i < n / 2;
          m[y[i]]++;
        }
        for (int i = 0; i < n; i++) f1[i] = f2[i] = f3[i] = -1;
        rng_t r;
        rng_seed(&r, 99); stratified_folds(y, n, k, &r, f1);
        rng_seed(&r, 99); stratified_folds(y, n, k, &r, f2);
        rng_seed(&r, 100); stratified_folds(y, n, k, &r, f3);
        CHECK(!memcmp(f1, f2, sizeof(int) * n));
        int assigned = 1, balanced = 1, total = 1;
        for (int i = 0; i < n; i++) assigned &= f1[i] >= 0 && f1[i] < k;
        for (int f = 0; f < k; f++) {
          int c[2] = {0, 0};
          for (int i = 0; i < n; i++)
            if (f1[i] == f) c[y[i]]++;
          for (int cl = 0; cl < 2; cl++) balanced &= c[cl] == m[cl] / k || c[cl] == (m[cl] + k - 1) / k;
          total &= c[0] + c[1] == n / k || c[0] + c[1] == (n + k - 1) / k;
        }
        if (!assigned || !balanced || !total)
          fprintf(stderr, "stratified_folds n=%d k=%d pattern %d: assigned %d balanced %d total %d\n", n, k, pattern,
                  assigned, balanced, total);
        CHECK(assigned);
        CHECK(balanced);
        CHECK(total);
        if (n >= 16) CHECK(memcmp(f1, f3, sizeof(int) * n) != 0); /* another seed, another split */
        free(y); free(f1); free(f2); free(f3);
      }
    }
}

/* ---- bundled recipes ------------------------------------------------------- */
static component_table comps;
static recipe_set rs;

static int load_bundled(void) {
  if (components_load("data/components.csv", &comps)) {
    fprintf(stderr, "cannot load data/components.csv: %s (run from the repository root)\n", au_errmsg());
    return 1;
  }
  recipe_opts o = recipe_opts_default();
  o.require_outcome = 1;
  if (recipes_load("data/au_nc_recipes.csv", &comps, &o, &rs)) {
    fprintf(stderr, "cannot load data/au_nc_recipes.csv: %s\n", au_errmsg());
    return 1;
  }
  return 0;
}

/* cv --ensemble K is train --ensemble K on each outer training fold: the
 * model_train of those recipes with the fold job's seed, calibrated,
 * predicting the outer fold (mean over its instances) */
static void test_cv_ensemble(void) {
  hparams hp;
  small_hp("snn", 2, &hp);
  hp.steps_per_epoch = 8;
  cv_opts o = {3, 1, 2, 5, 1, &hp, NULL, 0, 3};
  cv_result res;
  CHECK(cv_run(&rs, &o, &res) == 0);
  int n = rs.n, worst_fold = -1;
  double worst = 0;
  for (int f = 0; f < 3; f++) {
    recipe_set tr = rs, te = rs; /* shallow: the same molecules, a subset of the recipes */
    tr.r = malloc(sizeof(recipe) * n);
    te.r = malloc(sizeof(recipe) * n);
    tr.n = te.n = 0;
    for (int i = 0; i < n; i++) {
      if (res.fold[i] == f) te.r[te.n++] = rs.r[i];
      else tr.r[tr.n++] = rs.r[i];
    }
    rng_t r;
    rng_seed3(&r, 5, 100, (uint64_t)f);
    model m;
    CHECK(model_train(&m, &tr, &comps, &hp, 3, rng_u64(&r), 1) == 0);
    CHECK(m.calib.fitted);
    double *p = malloc(sizeof(double) * te.n * 3);
    CHECK(model_predict(&m, &te, p) == 0);
    for (int j = 0, i = 0; i < n; i++) {
      if (res.fold[i] != f) continue;
      double mean, sd;
      model_mean_std(&m, p, j++, &mean, &sd);
      double e = fabs(mean - res.p[i]);
      if (e > worst) { worst = e; worst_fold = f; }
    }
    free(p);
    model_free(&m);
    free(tr.r); free(te.r);
  }
  if (worst > 1e-12) fprintf(stderr, "cv --ensemble differs from train --ensemble by %g (fold %d)\n", worst, worst_fold);
  CHECK(worst <= 1e-12);
  cv_result_free(&res);
}

/* cv with bag 2 (and no --ensemble) gives each test row the mean of the two
 * instances train makes of its training fold, which differ */
static void test_cv_bag(void) {
  hparams hp;
  small_hp("gcnn_dnn", 2, &hp);
  hp.steps_per_epoch = 8;
  hp.bag = 2;
  cv_opts o = {3, 1, 2, 5, 1, &hp, NULL, 0, 0};
  cv_result res;
  CHECK(cv_run(&rs, &o, &res) == 0);
  int n = rs.n, differ = 0;
  double worst = 0;
  for (int f = 0; f < 3; f++) {
    recipe_set tr = rs, te = rs;
    tr.r = malloc(sizeof(recipe) * n);
    te.r = malloc(sizeof(recipe) * n);
    tr.n = te.n = 0;
    for (int i = 0; i < n; i++) {
      if (res.fold[i] == f) te.r[te.n++] = rs.r[i];
      else tr.r[tr.n++] = rs.r[i];
    }
    rng_t r;
    rng_seed3(&r, 5, 100, (uint64_t)f);
    model m;
    CHECK(model_train(&m, &tr, &comps, &hp, 0, rng_u64(&r), 2) == 0);
    CHECK(m.ninst == 2 && !m.calib.fitted);
    double *p = malloc(sizeof(double) * te.n * 2);
    CHECK(model_predict(&m, &te, p) == 0);
    for (int j = 0, i = 0; i < n; i++) {
      if (res.fold[i] != f) continue;
      double mean, sd;
      model_mean_std(&m, p, j++, &mean, &sd);
      worst = fmax(worst, fabs(mean - res.p[i]));
      differ |= sd > 0;
    }
    free(p);
    model_free(&m);
    free(tr.r); free(te.r);
  }
  CHECK(worst <= 1e-12 && differ);
  cv_result_free(&res);
}

/* ---- 5. cross-validation ----------------------------------------------------- */
static void test_cv(void) {
  hparams hp[2];
  small_hp("snn", 2, &hp[0]);
  small_hp("gcnn_dnn", 2, &hp[1]);
  hp[0].steps_per_epoch = hp[1].steps_per_epoch = 16;
  cv_opts o = {4, 2, 1, 77, 2, hp, NULL, 0, 0};
  cv_result r1, r2;
  double t0 = now();
  CHECK(cv_run(&rs, &o, &r1) == 0);
  o.nthreads = 2;
  CHECK(cv_run(&rs, &o, &r2) == 0);
  fprintf(stderr, "cv: 2 models x 2 repeats x 4 folds, twice: %.2f s\n", now() - t0);
  int n = rs.n;
  CHECK(r1.n == n && r1.nmodels == 2 && r1.repeats == 2);
  size_t np = sizeof(double) * 2 * 2 * n;
  CHECK(!memcmp(r1.p, r2.p, np));
  CHECK(!memcmp(r1.fold, r2.fold, sizeof(int) * 2 * n));
  int inrange = 1;
  for (int i = 0; i < 2 * 2 * n; i++) inrange &= r1.p[i] >= 0 && r1.p[i] <= 1;
  CHECK(inrange);

  /* the same numbers by hand: folds from (seed, 0, repeat), each fold's
   * instance from (seed, 100 + repeat, fold), trained without that fold */
  int *y = malloc(sizeof(int) * n), *fold = malloc(sizeof(int) * n), *tr = malloc(sizeof(int) * n),
      *te = malloc(sizeof(int) * n);
  for (int i = 0; i < n; i++) y[i] = rs.r[i].outcome;
  dataset d;
  dataset_from_recipes(&rs, &d);
  double *pm = calloc(2 * 2 * n, sizeof(double)), *pt = malloc(sizeof(double) * n);
  for (int rep = 0; rep < 2; rep++) {
    rng_t g;
    rng_seed3(&g, o.seed, 0, (uint64_t)rep);
    stratified_folds(y, n, o.folds, &g, fold);
    CHECK(!memcmp(fold, r1.fold + (size_t)rep * n, sizeof(int) * n));
    for (int m = 0; m < 2; m++) {
      net_layout L;
      net_layout_init(&L, &hp[m], 0);
      int covered = 0;
      for (int f = 0; f < o.folds; f++) {
        int nt = 0, ne = 0;
        for (int i = 0; i < n; i++) {
          if (fold[i] == f) te[ne++] = i;
          else tr[nt++] = i;
        }
        rng_t s;
        rng_seed3(&s, o.seed, 100 + (uint64_t)rep, (uint64_t)f);
        instance in;
        CHECK(instance_train(&L, &d, tr, nt, rng_u64(&s), &in) == 0);
        /* the fold's own rows are not in its support set */
        int leak = 0;
        for (int i = 0; i < in.nsup; i++)
          for (int j = 0; j < ne; j++) leak |= !memcmp(in.sup_x + (size_t)i * AU_NDESC, d.x + (size_t)te[j] * AU_NDESC,
                                                       sizeof(double) * AU_NDESC) &&
                                              !memcmp(in.sup_mol + i * NROLES, d.mol + te[j] * NROLES, sizeof(int) * NROLES);
        CHECK(!leak);
        CHECK(in.nsup == nt);
        CHECK(instance_predict(&L, &in, &d, te, ne, pt) == 0);
        for (int j = 0; j < ne; j++) pm[((size_t)m * 2 + rep) * n + te[j]] = pt[j];
        covered += ne;
        instance_free(&in);
      }
      CHECK(covered == n);
    }
  }
  CHECK(!memcmp(pm, r1.p, np));
  if (memcmp(pm, r1.p, np))
    for (int i = 0; i < 2 * 2 * n; i++)
      if (pm[i] != r1.p[i]) { fprintf(stderr, "cv p[%d]: cv_run %.17g, manual %.17g\n", i, r1.p[i], pm[i]); break; }

  /* metrics are those of the out-of-fold probabilities */
  cv_summary s;
  cv_summarise(&r1, y, 0, &s);
  CHECK(s.mean[CV_ACC] >= 0 && s.mean[CV_ACC] <= 1);
  CHECK(s.mean[CV_BRIER] >= 0 && s.mean[CV_BRIER] <= 1);
  CHECK_NEAR(s.cm_mean[0] + s.cm_mean[1] + s.cm_mean[2] + s.cm_mean[3], n, 1e-9);
  CHECK_NEAR(cv_mean_mcc(&r1, y, 1), (cv_summarise(&r1, y, 1, &s), s.mean[CV_MCC]), 0);

  /* errors */
  cv_result r3;
  o.folds = 1;
  CHECK(cv_run(&rs, &o, &r3) == AU_EUSAGE);
  o.folds = n + 1;
  CHECK(cv_run(&rs, &o, &r3) == AU_EUSAGE);

  dataset_free(&d);
  free(pm); free(pt); free(y); free(fold); free(tr); free(te);
  cv_result_free(&r1);
  cv_result_free(&r2);
}

/* ---- 6. model files ---------------------------------------------------------- */
static char tmpdir[] = "/tmp/auclust_test_models_XXXXXX";

static char *slurp(const char *path, long *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  *len = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc(*len + 1);
  if (fread(b, 1, *len, f) != (size_t)*len) *len = -1;
  b[*len > 0 ? *len : 0] = 0;
  fclose(f);
  return b;
}

static int same_file(const char *a, const char *b) {
  long la, lb;
  char *x = slurp(a, &la), *y = slurp(b, &lb);
  int same = x && y && la == lb && la > 0 && !memcmp(x, y, la);
  free(x); free(y);
  return same;
}

static char *hp_text(const hparams *hp) {
  cJSON *j = hparams_to_json(hp);
  char *s = cJSON_PrintUnformatted(j);
  cJSON_Delete(j);
  return s;
}

static void test_model_files(void) {
  char pa[256], pb[256], pc[256];
  snprintf(pa, sizeof pa, "%s/a.json", tmpdir);
  snprintf(pb, sizeof pb, "%s/b.json", tmpdir);
  snprintf(pc, sizeof pc, "%s/c.json", tmpdir);
  int inexact = 0;
  for (int k = 0; k < N_ALL_KINDS; k++) { /* the baselines too: rf stores its trees */
    hparams hp;
    small_hp(model_kind_names[k], 2, &hp);
    hp.steps_per_epoch = 16;
    hp.rf_trees = 30;
    if (k == 0) { hp.hidden[1] = 7; hp.nhidden = 2; hp.l2 = 1e-3; } /* a non-default shape */
    int ens = k % 2 ? 0 : 3;
    model m1, m2, m3;
    CHECK(model_train(&m1, &rs, &comps, &hp, ens, 42, 2) == 0);
    CHECK(m1.ninst == (ens ? ens : 1));
    CHECK(model_save(&m1, pa) == 0);
    CHECK(model_train(&m2, &rs, &comps, &hp, ens, 42, 1) == 0); /* other thread count */
    CHECK(model_save(&m2, pb) == 0);
    CHECK(same_file(pa, pb));
    model_free(&m2);
    CHECK(model_train(&m2, &rs, &comps, &hp, ens, 43, 2) == 0); /* other seed */
    CHECK(model_save(&m2, pb) == 0);
    CHECK(!same_file(pa, pb));
    model_free(&m2);

    CHECK(model_load(&m3, pa) == 0);
    CHECK(m3.ninst == m1.ninst && m3.ensemble == ens && m3.seed == 42 && m3.nmol == m1.nmol);
    CHECK(m3.L.nparams == m1.L.nparams);
    char *h1 = hp_text(&m1.hp), *h3 = hp_text(&m3.hp);
    CHECK_STR(h1, h3);
    free(h1); free(h3);
    CHECK(m3.hp.epochs == 2 && m3.hp.steps_per_epoch == 16 && m3.hp.nhidden == hp.nhidden &&
          m3.hp.use_gcnn == hp.use_gcnn && m3.hp.head == hp.head && m3.hp.l2 == hp.l2);
    /* the loaded weights, support outputs and predictions are the saved ones,
     * bit for bit (the exact check is counted over all kinds, below) */
    int exact = 1;
    double werr = 0, gerr = 0, perr = 0;
    for (int i = 0; i < m1.ninst; i++) {
      exact &= !memcmp(m1.inst[i].p, m3.inst[i].p, sizeof(double) * m1.L.nparams);
      for (long j = 0; j < m1.L.nparams; j++) werr = fmax(werr, fabs(m1.inst[i].p[j] - m3.inst[i].p[j]));
      exact &= !memcmp(m1.inst[i].lo, m3.inst[i].lo, sizeof m1.inst[i].lo) &&
               !memcmp(m1.inst[i].hi, m3.inst[i].hi, sizeof m1.inst[i].hi);
      CHECK(m3.inst[i].nsup == m1.inst[i].nsup);
      CHECK(!memcmp(m1.inst[i].sup_y, m3.inst[i].sup_y, sizeof(int) * m1.inst[i].nsup));
      CHECK(!memcmp(m1.inst[i].sup_mol, m3.inst[i].sup_mol, sizeof(int) * NROLES * m1.inst[i].nsup));
      if (hp.head == HEAD_SNN) {
        CHECK(m3.inst[i].sup_G != NULL);
        int nG = m1.L.dim[m1.L.nl] * m1.inst[i].nsup;
        if (m3.inst[i].sup_G) {
          exact &= !memcmp(m1.inst[i].sup_G, m3.inst[i].sup_G, sizeof(double) * nG);
          for (int j = 0; j < nG; j++) gerr = fmax(gerr, fabs(m1.inst[i].sup_G[j] - m3.inst[i].sup_G[j]));
        }
      } else {
        CHECK(m3.inst[i].sup_G == NULL);
      }
    }
    double *p1 = malloc(sizeof(double) * rs.n * m1.ninst), *p3 = malloc(sizeof(double) * rs.n * m1.ninst);
    CHECK(model_predict(&m1, &rs, p1) == 0);
    CHECK(model_predict(&m3, &rs, p3) == 0);
    exact &= !memcmp(p1, p3, sizeof(double) * rs.n * m1.ninst);
    for (int i = 0; i < rs.n * m1.ninst; i++) perr = fmax(perr, fabs(p1[i] - p3[i]));
    CHECK(werr < 1e-12 && gerr < 1e-12 && perr < 1e-12);
    if (!exact) {
      inexact++;
      fprintf(stderr,
              "%s: model_save/model_load is not exact: max |weight diff| %.3g, |support G diff| %.3g, "
              "|prediction diff| %.3g\n",
              model_kind_names[k], werr, gerr, perr);
    }
    /* an ensemble is calibrated on its out-of-fold predictions, the
     * calibration is stored exactly, and it changes the probabilities */
    CHECK(m1.calib.fitted == (ens > 0));
    CHECK(m3.calib.fitted == m1.calib.fitted && m3.calib.a == m1.calib.a && m3.calib.b == m1.calib.b &&
          m3.calib.n == m1.calib.n);
    if (ens) {
      CHECK(m1.calib.n == rs.n);
      m3.uncalibrated = 1;
      CHECK(model_predict(&m3, &rs, p3) == 0);
      int differ = 0;
      for (int i = 0; i < rs.n * m1.ninst; i++) differ |= fabs(p1[i] - p3[i]) > 1e-9;
      CHECK(differ);
      CHECK_NEAR(p1[0], platt_apply(&m1.calib, p3[0]), 1e-15);
      m3.uncalibrated = 0;
    }
    double mean, sd;
    model_mean_std(&m1, p1, 0, &mean, &sd);
    CHECK(mean >= 0 && mean <= 1 && sd >= 0);
    if (m1.ninst == 1) CHECK(sd == 0 && mean == p1[0]);
    free(p1); free(p3);
    /* a loaded model saves to the same bytes */
    CHECK(model_save(&m3, pc) == 0);
    CHECK(same_file(pa, pc));
    /* the components it was trained with agree with the bundled table,
     * not with one where water's dielectric constant changed */
    CHECK(model_check_components(&m3, &comps) == 0);
    int w = components_find(&comps, "O");
    CHECK(w >= 0);
    if (w >= 0) {
      double keep = comps.c[w].dielectric;
      comps.c[w].dielectric = 78.4;
      CHECK(model_check_components(&m3, &comps) == AU_EMODEL);
      comps.c[w].dielectric = keep;
    }
    model_free(&m1);
    model_free(&m3);
  }
  /* A model file must restore the in-memory model exactly: weights,
   * scaler and support descriptors are doubles written as JSON numbers and
   * need to be printed with enough digits (%.17g) to read back the same. */
  CHECK(inexact == 0);
  /* ensemble sizes */
  hparams hp;
  small_hp("dnn", 1, &hp);
  model m;
  CHECK(model_train(&m, &rs, &comps, &hp, 1, 1, 1) == AU_EUSAGE);
  CHECK(model_train(&m, &rs, &comps, &hp, rs.n + 1, 1, 1) == AU_EUSAGE);
  /* loading errors */
  char pg[300];
  snprintf(pg, sizeof pg, "%s/missing.json", tmpdir);
  CHECK(model_load(&m, pg) == AU_EIO);
  FILE *f = fopen(pb, "wb");
  fputs("{\"format\":\"auclust-model\",\"version\":1,\"kind\":\"dnn\",\"hpar", f);
  fclose(f);
  CHECK(model_load(&m, pb) == AU_EMODEL);
  f = fopen(pb, "wb");
  fputs("{\"format\":\"auclust-model\",\"version\":2}", f);
  fclose(f);
  CHECK(model_load(&m, pb) == AU_EMODEL);
  unlink(pa); unlink(pb); unlink(pc);
}

/* ---- 7. hyperparameters ------------------------------------------------------- */
static void test_hparams(void) {
  hparams hp, hq;
  /* kinds and the paper's defaults (the paper preset) */
  for (int k = 0; k < N_MODEL_KINDS; k++) {
    CHECK(hparams_preset(model_kind_names[k], "paper", &hp) == 0);
    CHECK_STR(hparams_kind(&hp), model_kind_names[k]);
    CHECK(hparams_kind_index(&hp) == k);
    CHECK(hp.use_gcnn == (k < 3));
    CHECK(hp.learning_rate == 1e-3 && hp.nhidden == 1 && hp.hidden[0] == 30 && hp.feature_vector_dim == 10);
    CHECK(hp.epochs == 100 && hp.steps_per_epoch == 64 && hp.pair_size == 32);
    CHECK(hp.fingerprint_length == 10 && hp.graph_layers == 2 && hp.graph_width == 8);
    CHECK(hparams_check(&hp) == 0);
  }
  CHECK(hparams_default("GCNN+SNN", &hp) == 0 && hp.use_gcnn && hp.head == HEAD_SNN);
  CHECK(hparams_default("gcnn-dnn", &hp) == 0 && hp.use_gcnn && hp.head == HEAD_DNN);
  CHECK(hparams_default("SVM", &hp) == 0 && !hp.use_gcnn && hp.head == HEAD_SVM);
  CHECK(hparams_default("cnn", &hp) == AU_EUSAGE);
  CHECK(hparams_default("", &hp) == AU_EUSAGE);

  /* JSON round trip through text, every field changed */
  CHECK(hparams_default("gcnn_dnn", &hp) == 0);
  CHECK(hparams_set(&hp, "hidden_layers", "17,9,4") == 0);
  CHECK(hparams_set(&hp, "learning_rate", "0.00123456789012345") == 0);
  CHECK(hparams_set(&hp, "l1", "1e-5") == 0);
  CHECK(hparams_set(&hp, "l2", "0.3") == 0);
  CHECK(hparams_set(&hp, "dropout", "0.15") == 0);
  CHECK(hparams_set(&hp, "adam_beta1", "0.85") == 0);
  CHECK(hparams_set(&hp, "adam_beta2", "0.9995") == 0);
  CHECK(hparams_set(&hp, "adam_epsilon", "1e-8") == 0);
  CHECK(hparams_set(&hp, "feature_vector_dim", "12") == 0);
  CHECK(hparams_set(&hp, "epochs", "33") == 0);
  CHECK(hparams_set(&hp, "steps_per_epoch", "21") == 0);
  CHECK(hparams_set(&hp, "pair_size", "8") == 0);
  CHECK(hparams_set(&hp, "fingerprint_length", "6") == 0);
  CHECK(hparams_set(&hp, "graph_layers", "3") == 0);
  CHECK(hparams_set(&hp, "graph_width", "5") == 0);
  CHECK(hparams_set(&hp, "ph_missing", "6.5") == 0);
  CHECK(hp.nhidden == 3 && hp.hidden[0] == 17 && hp.hidden[1] == 9 && hp.hidden[2] == 4);
  cJSON *j = hparams_to_json(&hp);
  char *txt = cJSON_Print(j);
  cJSON_Delete(j);
  cJSON *back = cJSON_Parse(txt);
  CHECK(back != NULL);
  CHECK(hparams_default("gcnn_dnn", &hq) == 0);
  CHECK(hparams_from_json(back, &hq, "test") == 0);
  cJSON_Delete(back);
  CHECK(hq.learning_rate == hp.learning_rate && hq.l1 == hp.l1 && hq.l2 == hp.l2 && hq.dropout == hp.dropout);
  CHECK(hq.adam_beta1 == hp.adam_beta1 && hq.adam_beta2 == hp.adam_beta2 && hq.adam_epsilon == hp.adam_epsilon);
  CHECK(hq.nhidden == 3 && !memcmp(hq.hidden, hp.hidden, sizeof(int) * 3));
  CHECK(hq.feature_vector_dim == 12 && hq.epochs == 33 && hq.steps_per_epoch == 21 && hq.pair_size == 8);
  CHECK(hq.fingerprint_length == 6 && hq.graph_layers == 3 && hq.graph_width == 5 && hq.ph_missing == 6.5);
  char *t1 = hp_text(&hp), *t2 = hp_text(&hq);
  CHECK_STR(t1, t2);
  free(t1); free(t2);
  /* through a file, also as the "hparams" member of a tune result */
  char path[300];
  snprintf(path, sizeof path, "%s/hp.json", tmpdir);
  FILE *f = fopen(path, "w");
  fprintf(f, "{\"mcc\": 0.5, \"hparams\": %s}\n", txt);
  fclose(f);
  CHECK(hparams_default("gcnn_dnn", &hq) == 0);
  CHECK(hparams_load_file(path, &hq) == 0);
  t1 = hp_text(&hp); t2 = hp_text(&hq);
  CHECK_STR(t1, t2);
  free(t1); free(t2);
  free(txt);
  /* the paper preset's zeros survive a round trip over auclust's defaults
   * (train --hparams reads over them; the fuzzer found fp_l2 0 coming back 3) */
  CHECK(hparams_preset("gcnn_snn", "paper", &hp) == 0 && hp.fp_l2 == 0 && hp.fp_zero_init == 0);
  j = hparams_to_json(&hp);
  CHECK(hparams_default("gcnn_snn", &hq) == 0 && hq.fp_l2 != 0 && hq.fp_zero_init != 0);
  CHECK(hparams_from_json(j, &hq, "test") == 0);
  cJSON_Delete(j);
  t1 = hp_text(&hp); t2 = hp_text(&hq);
  CHECK_STR(t1, t2);
  free(t1); free(t2);
  f = fopen(path, "w");
  fputs("{\"epochs\": 5, \"hidden_layers\": [8, 4]}", f);
  fclose(f);
  CHECK(hparams_default("snn", &hq) == 0);
  CHECK(hparams_load_file(path, &hq) == 0 && hq.epochs == 5 && hq.nhidden == 2 && hq.hidden[1] == 4);
  f = fopen(path, "w");
  fputs("{\"epochs\": 5,", f);
  fclose(f);
  CHECK(hparams_load_file(path, &hq) == AU_EUSAGE);
  unlink(path);
  snprintf(path, sizeof path, "%s/none.json", tmpdir);
  CHECK(hparams_load_file(path, &hq) == AU_EIO);

  /* JSON errors */
  const char *badjson[] = {"{\"epoch\": 5}", "{\"epochs\": \"5\"}", "{\"epochs\": 0}", "{\"hidden_layers\": []}",
                           "{\"hidden_layers\": [1,2,3,4,5]}", "{\"hidden_layers\": [0]}", "{\"hidden_layers\": 30}",
                           "{\"hidden_layers\": [2.5]}", "[1]", "{\"dropout\": 1}"};
  for (int i = 0; i < (int)(sizeof badjson / sizeof *badjson); i++) {
    cJSON *o = cJSON_Parse(badjson[i]);
    CHECK(hparams_default("snn", &hq) == 0);
    int rc = hparams_from_json(o, &hq, "bad.json");
    if (rc != AU_EUSAGE) fprintf(stderr, "hparams_from_json accepted %s\n", badjson[i]);
    CHECK(rc == AU_EUSAGE);
    CHECK(strstr(au_errmsg(), "bad.json") != NULL);
    cJSON_Delete(o);
  }

  /* hparams_set errors: unknown, not a number, out of range, not an integer */
  struct { const char *name, *value; } bad[] = {
      {"epoch", "5"}, {"nonsense", "1"}, {"epochs", "0"}, {"epochs", "2.5"}, {"epochs", "abc"}, {"epochs", ""},
      {"epochs", "5x"}, {"learning_rate", "0"}, {"learning_rate", "100"}, {"learning_rate", "nan"},
      {"learning_rate", "inf"}, {"dropout", "0.99"}, {"dropout", "-0.1"}, {"pair_size", "1"}, {"graph_layers", "5"},
      {"graph_layers", "0"}, {"ph_missing", "15"}, {"l2", "-1"}, {"feature_vector_dim", "0"},
      {"hidden_layers", ""}, {"hidden_layers", "0"}, {"hidden_layers", "30,,20"}, {"hidden_layers", "30;20"},
      {"hidden_layers", "1,2,3,4,5"}, {"hidden_layers", "-5"}, {"hidden_layers", "5000"}, {"hidden_layers", "abc"},
      {"hidden1", "0"}, {"hidden1", "2.5"}, {"hidden1", "-1"}, {"hidden1", "5000"}, {"hidden3", "10"},
      {"hidden4", "10"}, {"hidden5", "10"}};
  for (int i = 0; i < (int)(sizeof bad / sizeof *bad); i++) {
    CHECK(hparams_default("gcnn_snn", &hp) == 0);
    memcpy(&hq, &hp, sizeof hp);
    au_errclear();
    int rc = hparams_set(&hp, bad[i].name, bad[i].value);
    if (rc != AU_EUSAGE) fprintf(stderr, "hparams_set accepted %s=%s\n", bad[i].name, bad[i].value);
    CHECK(rc == AU_EUSAGE);
    CHECK(au_errmsg()[0] != 0);
    CHECK(!memcmp(&hp, &hq, sizeof hp)); /* nothing changed */
  }

  /* hidden_layers, hidden1 .. hidden4 */
  CHECK(hparams_default("snn", &hp) == 0);
  CHECK(hparams_set(&hp, "hidden_layers", "30,20") == 0 && hp.nhidden == 2 && hp.hidden[0] == 30 && hp.hidden[1] == 20);
  CHECK(hparams_set(&hp, "hidden_layers", "64") == 0 && hp.nhidden == 1 && hp.hidden[0] == 64);
  CHECK(hparams_set(&hp, "hidden_layers", "1,2,3,4") == 0 && hp.nhidden == 4 && hp.hidden[3] == 4);
  CHECK(hparams_default("snn", &hp) == 0);
  CHECK(hparams_set(&hp, "hidden1", "12") == 0 && hp.nhidden == 1 && hp.hidden[0] == 12);
  CHECK(hparams_set(&hp, "hidden2", "6") == 0 && hp.nhidden == 2 && hp.hidden[1] == 6);
  CHECK(hparams_set(&hp, "hidden3", "3") == 0 && hp.nhidden == 3 && hp.hidden[2] == 3);
  CHECK(hparams_set(&hp, "hidden2", "0") == 0 && hp.nhidden == 1 && hp.hidden[0] == 12); /* drops 2 and 3 */
  CHECK(hparams_set(&hp, "hidden3", "3") == AU_EUSAGE && hp.nhidden == 1);
  CHECK(hparams_set(&hp, "hidden2", "0") == 0 && hp.nhidden == 1);
  CHECK(hparams_set_number(&hp, "epochs", 7) == 0 && hp.epochs == 7);
  CHECK(hparams_set_number(&hp, "epochs", 7.5) == AU_EUSAGE && hp.epochs == 7);
  CHECK(hparams_set(&hp, "learning_rate", "1e-2") == 0 && hp.learning_rate == 1e-2);
  /* the hidden sizes shape the network (the paper preset: 17 descriptor inputs) */
  CHECK(hparams_preset("dnn", "paper", &hp) == 0);
  CHECK(hparams_set(&hp, "hidden_layers", "9,5") == 0);
  net_layout L;
  net_layout_init(&L, &hp, 0);
  CHECK(L.nl == 3 && L.dim[0] == AU_NDESC && L.dim[1] == 9 && L.dim[2] == 5 && L.dim[3] == 2);
  CHECK(L.nparams == (long)AU_NDESC * 9 + 9 + 9 * 5 + 5 + 5 * 2 + 2);
  CHECK(hparams_preset("gcnn_svm", "paper", &hp) == 0);
  net_layout_init(&L, &hp, 0);
  CHECK(L.nl == 1 && L.in_dim == NROLES * 10 + AU_NDESC && L.dim[1] == 2); /* the SVM is one linear layer */
  CHECK(hparams_preset("snn", "paper", &hp) == 0);
  net_layout_init(&L, &hp, 0);
  CHECK(L.nl == 2 && L.dim[2] == 10 && L.nparams == (long)AU_NDESC * 30 + 30 + 30 * 10 + 10 + 10 + 1);
  CHECK(hp.fingerprint_pool == 0 && hp.ratio_inputs == 0 && hp.epochs == 100);
  /* ratio_inputs adds the two derived ratios after the descriptors (and any extras) */
  CHECK(hparams_set(&hp, "ratio_inputs", "1") == 0);
  net_layout_init(&L, &hp, 2);
  CHECK(L.nder == NET_NDERIVED && L.dim[0] == AU_NDESC + 2 + NET_NDERIVED);
  CHECK(hparams_set(&hp, "ratio_inputs", "2") == AU_EUSAGE);
  CHECK(hparams_preset("snn", "papers", &hp) == AU_EUSAGE);
  /* auclust's defaults differ from the paper's as README documents */
  CHECK(hparams_default("gcnn_snn", &hp) == 0);
  CHECK(hp.fingerprint_pool == 1 && hp.ratio_inputs == 1 && hp.graph_layers == 1 && hp.graph_width == 4 &&
        hp.fingerprint_length == 4 && hp.epochs == 25 && hp.hidden[0] == 30 && hp.learning_rate == 1e-3 &&
        hp.budget_rows == 48 && hp.lr_decay == 0 && hp.snn_knn == 0 && hp.fp_zero_init == 1 && hp.fp_l2 == 3 &&
        hp.early_stop == 0 && hp.bag == 0 && hp.input_noise == 0.1 && hp.input_group_l1 == 0 && hp.input_refit == 0 &&
        hp.molecule_group_l1 == 0.03);
  CHECK(hparams_default("dnn", &hp) == 0 && hp.budget_rows == 0 && hp.fp_l2 == 0 && hp.input_noise == 0 &&
        hp.molecule_group_l1 == 0); /* measured on the GCNN models only */
  CHECK(hparams_preset("gcnn_dnn", "paper", &hp) == 0 && hp.fp_zero_init == 0 && hp.fp_l2 == 0 && hp.early_stop == 0 &&
        hp.bag == 0 && hp.input_noise == 0 && hp.input_group_l1 == 0 && hp.molecule_group_l1 == 0);
  CHECK(hparams_default("rf", &hp) == 0 && hp.ratio_inputs == 0); /* the baselines keep their settings */
  /* derived inputs by hand: log10 of ligand:Au 2 and NaBH4:Au 4.48 (1 uM offsets) */
  double x[AU_NDESC] = {2.0, 1.0, 4.48}, dv[NET_NDERIVED];
  net_derived(x, dv);
  CHECK_NEAR(dv[0], log10(2.001 / 1.001), 1e-15);
  CHECK_NEAR(dv[1], log10(4.481 / 1.001), 1e-15);

  /* the training budget: fixed epochs, or growing with the rows beyond budget_rows */
  CHECK(hparams_preset("gcnn_snn", "paper", &hp) == 0 && hp.budget_rows == 0 && hp.lr_decay == 0 && hp.snn_knn == 0);
  hp.epochs = 25;
  CHECK(net_epochs(&hp, 48) == 25 && net_epochs(&hp, 180) == 25);
  CHECK(hparams_set(&hp, "budget_rows", "48") == 0);
  CHECK(net_epochs(&hp, 10) == 25 && net_epochs(&hp, 48) == 25);
  CHECK(net_epochs(&hp, 49) == 26);  /* ceil(25 * 49 / 48) = ceil(25.52) */
  CHECK(net_epochs(&hp, 180) == 94); /* ceil(25 * 180 / 48) = ceil(93.75) */
  /* the cosine schedule over T = 4 steps: 1, (1 + cos(pi/4)) / 2, 1/2, (1 - cos(pi/4)) / 2 */
  CHECK(net_lr_factor(&hp, 2, 4) == 1);
  CHECK(hparams_set(&hp, "lr_decay", "1") == 0);
  CHECK_NEAR(net_lr_factor(&hp, 0, 4), 1, 1e-15);
  CHECK_NEAR(net_lr_factor(&hp, 1, 4), 0.8535533905932737, 1e-15);
  CHECK_NEAR(net_lr_factor(&hp, 2, 4), 0.5, 1e-15);
  CHECK_NEAR(net_lr_factor(&hp, 3, 4), 0.1464466094067262, 1e-15);
  CHECK(hparams_set(&hp, "lr_decay", "2") == AU_EUSAGE && hparams_set(&hp, "snn_knn", "-1") == AU_EUSAGE);
}

/* The SNN's scoring rule over the support set, by hand: one output unit,
 * similarity sigmoid(-|o - g|), query o = 0; successes at g = 0, 1, 3 and
 * failures at g = 0.5, 2. */
static double sg(double z) { return 1 / (1 + exp(-z)); }
static void test_snn_scoring(void) {
  hparams hp;
  CHECK(hparams_preset("snn", "paper", &hp) == 0);
  hp.feature_vector_dim = 1;
  net_layout L;
  net_layout_init(&L, &hp, 0);
  CHECK(L.dim[L.nl] == 1);
  double *p = calloc(L.nparams, sizeof(double)), G[5] = {0, 0.5, 1, 2, 3}, o = 0, buf[5];
  int y[5] = {1, 0, 1, 0, 1};
  p[L.dist_w] = -1;
  instance in = {.p = p, .nsup = 5, .sup_y = y, .sup_G = G};
  double s1[3] = {sg(0), sg(-1), sg(-3)}, s0[2] = {sg(-0.5), sg(-2)};
  double m1 = (s1[0] + s1[1] + s1[2]) / 3, m0 = (s0[0] + s0[1]) / 2;
  CHECK_NEAR(snn_support_prob(&L, &in, &o, buf), m1 / (m1 + m0), 1e-15); /* the paper: mean of each set */
  L.hp.snn_knn = 1; /* the most similar of each set */
  CHECK_NEAR(snn_support_prob(&L, &in, &o, buf), s1[0] / (s1[0] + s0[0]), 1e-15);
  L.hp.snn_knn = 2; /* two successes, both failures */
  CHECK_NEAR(snn_support_prob(&L, &in, &o, buf), (s1[0] + s1[1]) / 2 / ((s1[0] + s1[1]) / 2 + m0), 1e-15);
  L.hp.snn_knn = 5; /* more than either set holds: the means again */
  CHECK_NEAR(snn_support_prob(&L, &in, &o, buf), m1 / (m1 + m0), 1e-15);
  free(p);
}

int main(void) {
  double t0 = now();
  if (!mkdtemp(tmpdir)) { perror("mkdtemp"); return 1; }
  toy_build();
  test_hparams();
  test_snn_scoring();
  test_folds();
  test_separable();
  fprintf(stderr, "separable: %.2f s\n", now() - t0);
  test_determinism();
  test_early_stop_fp_init();
  test_bag();
  test_input_noise();
  test_group_l1(0);
  test_group_l1(1);
  test_input_refit();
  test_float32();
  test_snn_rule();
  fprintf(stderr, "determinism + SNN rule: %.2f s\n", now() - t0);
  if (load_bundled()) {
    CHECK(!"bundled recipes load");
  } else {
    test_cv();
    test_cv_ensemble();
    test_cv_bag();
    fprintf(stderr, "cv: %.2f s\n", now() - t0);
    test_model_files();
    fprintf(stderr, "model files: %.2f s\n", now() - t0);
    recipes_free(&rs);
    components_free(&comps);
  }
  toy_free();
  rmdir(tmpdir);
  return check_report();
}
