/* The fast fixed-components scorer (include/scorer.h) against the reference
 * prediction path: for each of the six model kinds (a small 3-instance
 * ensemble trained on the bundled recipes), scorer_eval equals
 * instance_predict on the same recipes (same molecules and descriptor row,
 * the five conditions substituted) to 1e-10 for every instance and row,
 * including a novel ligand, an organic-solvent recipe, conditions outside
 * the training range, more rows than one chunk and a scaler with a zero
 * range; scorer_eval_mean is the mean and sample standard deviation over
 * instances; model_fingerprint averages the instances' GCNN fingerprints
 * (recomputed by hand with gcnn_forward) and fails with a one-line error for
 * a model without GCNN. With AUCLUST_BIN set, `auclust heatmap` prints the
 * scorer's values on its grid. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cmd_common.h"
#include "conditions.h"
#include "err.h"
#include "gcnn.h"
#include "hparams.h"
#include "model.h"
#include "net.h"
#include "par.h"
#include "recipes.h"
#include "rng.h"
#include "scorer.h"

#define DATA "data/au_nc_recipes.csv"
#define NCOND_ROWS 600 /* more than one 256-row chunk of the scorer, not a multiple of it */
#define TOL 1e-10

/* ---- molecules and descriptor rows to score ----------------------------- */
/* A recipe to score: molecules by index into a graph table, raw descriptors. */
typedef struct {
  const char *what;
  const molgraph *const *mols; /* table */
  int nmol;
  int mol[NROLES];
  const double *x; /* the model's L.nx raw descriptors; conditions replaced */
} base_row;

/* Random conditions, mostly inside the data's ranges, some well outside
 * (the scorer is exact everywhere, not only where the model was trained). */
static void random_conditions(rng_t *r, double *cond, int n) {
  for (int i = 0; i < n; i++) {
    double *c = cond + (size_t)i * AU_NCOND;
    int wide = i % 5 == 4;
    c[D_LIGAND_MM] = (wide ? 30 : 10) * rng_uniform(r);
    c[D_HAUCL4_MM] = (wide ? 20 : 5) * rng_uniform(r);
    c[D_REDUCTANT_MM] = (wide ? 50 : 20) * rng_uniform(r);
    c[D_TEMPERATURE_C] = wide ? -20 + 170 * rng_uniform(r) : 100 * rng_uniform(r);
    c[D_PH] = wide ? 14 * rng_uniform(r) : 7 + 7 * rng_uniform(r);
  }
  /* the first row: every condition 0 */
  memset(cond, 0, sizeof(double) * AU_NCOND);
}

/* Worst |scorer - instance_predict| over rows and instances; also checks
 * scorer_eval_mean against the per-instance values. */
static double compare_base(const model *m, const base_row *b, const double *cond, int n) {
  int K = m->ninst;
  /* the reference: a dataset of n recipes with b's molecules and descriptors */
  int *mol = malloc(sizeof(int) * NROLES * n), nx = m->L.nx;
  double *x = malloc(sizeof(double) * nx * n);
  for (int i = 0; i < n; i++) {
    memcpy(mol + i * NROLES, b->mol, sizeof b->mol);
    memcpy(x + (size_t)i * nx, b->x, sizeof(double) * nx);
    memcpy(x + (size_t)i * nx, cond + (size_t)i * AU_NCOND, sizeof(double) * AU_NCOND);
  }
  dataset d = {b->mols, b->nmol, n, mol, x, NULL, nx, 0};
  double *ref = malloc(sizeof(double) * n * K), *tmp = malloc(sizeof(double) * n);
  for (int k = 0; k < K; k++) {
    CHECK(instance_predict(&m->L, &m->inst[k], &d, NULL, n, tmp) == 0);
    for (int i = 0; i < n; i++) ref[(size_t)i * K + k] = model_calibrated(m, tmp[i]); /* as model_predict */
  }

  const molgraph *g[NROLES];
  for (int r = 0; r < NROLES; r++) g[r] = b->mols[b->mol[r]];
  /* the scorer ignores the conditions in x: poison them */
  double xb[AU_XMAX];
  memcpy(xb, b->x, sizeof xb);
  for (int c = 0; c < AU_NCOND; c++) xb[c] = 1e6 + c;
  scorer *s = scorer_new(m, g, xb);
  double *p = malloc(sizeof(double) * n * K);
  for (size_t i = 0; i < (size_t)n * K; i++) p[i] = NAN;
  scorer_eval(s, cond, n, p);
  double worst = 0;
  int inrange = 1;
  for (size_t i = 0; i < (size_t)n * K; i++) {
    double e = fabs(p[i] - ref[i]);
    if (!(e <= worst)) worst = isnan(e) ? INFINITY : e;
    inrange &= p[i] >= 0 && p[i] <= 1;
  }
  CHECK(inrange);

  /* mean and sample sd over instances */
  double *mean = malloc(sizeof(double) * n), *sd = malloc(sizeof(double) * n), *mean2 = malloc(sizeof(double) * n);
  scorer_eval_mean(s, cond, n, mean, sd);
  scorer_eval_mean(s, cond, n, mean2, NULL);
  double wm = 0, ws = 0, wmm = 0, wref = 0;
  for (int i = 0; i < n; i++) {
    double mu = 0, ss = 0;
    for (int k = 0; k < K; k++) mu += p[(size_t)i * K + k];
    mu /= K;
    for (int k = 0; k < K; k++) ss += (p[(size_t)i * K + k] - mu) * (p[(size_t)i * K + k] - mu);
    double sdv = K > 1 ? sqrt(ss / (K - 1)) : 0;
    wm = fmax(wm, fabs(mean[i] - mu));
    ws = fmax(ws, fabs(sd[i] - sdv));
    wmm = fmax(wmm, fabs(mean2[i] - mean[i]));
    double mm, msd; /* the model layer's mean/sd of the reference agree to TOL */
    model_mean_std(m, ref, i, &mm, &msd);
    wref = fmax(wref, fmax(fabs(mean[i] - mm), fabs(sd[i] - msd)));
  }
  CHECK(wm <= 1e-14);
  CHECK(ws <= 1e-14);
  CHECK(wref <= 2 * TOL);
  CHECK(wmm == 0);

  /* a row's value does not depend on the batch it is scored in */
  double w1 = 0;
  int rows[] = {0, 1, 255, 256, 257, n - 1};
  for (size_t j = 0; j < sizeof rows / sizeof rows[0]; j++) {
    int i = rows[j];
    if (i < 0 || i >= n) continue;
    double *q = malloc(sizeof(double) * K);
    scorer_eval(s, cond + (size_t)i * AU_NCOND, 1, q);
    for (int k = 0; k < K; k++) w1 = fmax(w1, fabs(q[k] - p[(size_t)i * K + k]));
    free(q);
  }
  CHECK(w1 <= 1e-12);

  scorer_free(s);
  free(mol); free(x); free(ref); free(tmp); free(p); free(mean); free(sd); free(mean2);
  return worst;
}

/* ---- fingerprints by hand ------------------------------------------------ */
static void fp_by_hand(const model *m, int k, int role, const molgraph *const *gs, int nmol, double *fp) {
  gbatch gb;
  gcnn_ws ws;
  CHECK(gbatch_build(&gb, gs, nmol) == 0);
  gcnn_ws_init(&ws, &m->L.gl[role], gb.natoms);
  gcnn_forward(&m->L.gl[role], m->inst[k].p, &gb, &ws, fp);
  for (int i = 0; i < nmol; i++) /* mean pooling: divide by the molecule's atoms */
    for (int j = 0; j < m->L.D; j++) fp[(size_t)i * m->L.D + j] *= m->hp.fingerprint_pool ? 1.0 / gs[i]->natoms : 1.0;
  gcnn_ws_free(&ws);
  gbatch_free(&gb);
}

static void check_fingerprints(const model *m, const molgraph *const *extra, int nextra) {
  int D = m->L.D;
  CHECK(D == m->hp.fingerprint_length);
  /* every molecule of the model's table, plus the extra ones, in each role */
  int n = m->nmol + nextra;
  const molgraph **all = malloc(sizeof(molgraph *) * n);
  for (int i = 0; i < m->nmol; i++) all[i] = m->gp[i];
  for (int i = 0; i < nextra; i++) all[m->nmol + i] = extra[i];
  double *batch = malloc(sizeof(double) * n * D), *one = malloc(sizeof(double) * D),
         *mean = malloc(sizeof(double) * D), *hand = malloc(sizeof(double) * D);
  double worst_mean = 0, worst_batch = 0, spread = 0;
  for (int role = 0; role < NROLES; role++) {
    double *bm = calloc((size_t)n * D, sizeof(double)); /* batched, averaged by hand */
    for (int k = 0; k < m->ninst; k++) {
      fp_by_hand(m, k, role, all, n, batch);
      for (int i = 0; i < n * D; i++) bm[i] += batch[i] / m->ninst;
    }
    for (int i = 0; i < n; i++) {
      memset(hand, 0, sizeof(double) * D);
      for (int k = 0; k < m->ninst; k++) {
        fp_by_hand(m, k, role, &all[i], 1, one);
        for (int j = 0; j < D; j++) hand[j] += one[j];
      }
      for (int j = 0; j < D; j++) hand[j] /= m->ninst;
      for (int j = 0; j < D; j++) mean[j] = NAN;
      CHECK(model_fingerprint(m, role, all[i], mean) == 0);
      for (int j = 0; j < D; j++) {
        double e = fabs(mean[j] - hand[j]);
        worst_mean = isnan(e) ? INFINITY : fmax(worst_mean, e);
        worst_batch = fmax(worst_batch, fabs(mean[j] - bm[(size_t)i * D + j]));
        spread = fmax(spread, fabs(mean[j] - bm[j])); /* molecules differ */
      }
    }
    free(bm);
  }
  CHECK(worst_mean <= 1e-12);
  CHECK(worst_batch <= 1e-10);
  CHECK(spread > 1e-6);
  /* the fingerprint is a sum (or mean) of per-atom softmaxes over P+1 layers */
  {
    const molgraph *g = all[0];
    CHECK(model_fingerprint(m, ROLE_LIGAND, g, mean) == 0);
    double s = 0;
    for (int j = 0; j < D; j++) s += mean[j];
    CHECK_NEAR(s, (m->hp.fingerprint_pool ? 1.0 : g->natoms) * (m->hp.graph_layers + 1), 1e-9);
  }
  free(all); free(batch); free(one); free(mean); free(hand);
}

/* ---- the heatmap command prints the scorer's values ---------------------- */
static void check_heatmap_cli(const model *m, const recipe_set *rs, int base) {
  const char *bin = getenv("AUCLUST_BIN");
  if (!bin || !*bin) {
    fprintf(stderr, "note: AUCLUST_BIN not set, heatmap cross-check skipped\n");
    return;
  }
  char dir[] = "/tmp/auclust_test_scorer.XXXXXX";
  if (!mkdtemp(dir)) { CHECK(0); return; }
  char mpath[512], cpath[512], cmd[2048];
  snprintf(mpath, sizeof mpath, "%s/m.json", dir);
  snprintf(cpath, sizeof cpath, "%s/map.csv", dir);
  CHECK(model_save(m, mpath) == 0);
  const int nx = 5; /* --grid N: N x N points */
  const double x0 = 0.5, x1 = 10, y0 = 8, y1 = 13;
  snprintf(cmd, sizeof cmd, "'%s' heatmap '%s' --base %s --x ligand_mM:%g:%g --y pH:%g:%g --grid %d -o '%s'", bin, mpath,
           rs->r[base].id, x0, x1, y0, y1, nx, cpath);
  int rc = system(cmd);
  CHECK(rc == 0);
  int n = nx * nx;
  double *cond = malloc(sizeof(double) * AU_NCOND * n), *mean = malloc(sizeof(double) * n), *sd = malloc(sizeof(double) * n);
  for (int j = 0; j < nx; j++)
    for (int i = 0; i < nx; i++) {
      double *c = cond + (size_t)(j * nx + i) * AU_NCOND;
      memcpy(c, rs->r[base].x, sizeof(double) * AU_NCOND);
      c[D_LIGAND_MM] = x0 + (x1 - x0) * i / (nx - 1);
      c[D_PH] = y0 + (y1 - y0) * j / (nx - 1);
    }
  const molgraph *g[NROLES];
  recipe_graphs(rs, &rs->r[base], g);
  scorer *s = scorer_new(m, g, rs->r[base].x);
  scorer_eval_mean(s, cond, n, mean, sd);
  scorer_free(s);
  FILE *f = fopen(cpath, "r");
  CHECK(f != NULL);
  if (f) {
    char line[512];
    CHECK(fgets(line, sizeof line, f) != NULL);
    CHECK_STR(line, "ligand_mM,pH,p_mean,p_std,nearest_ligand,ligand_similarity,domain\n");
    int k = 0;
    double v[4];
    while (fgets(line, sizeof line, f)) {
      CHECK(sscanf(line, "%lf,%lf,%lf,%lf", &v[0], &v[1], &v[2], &v[3]) == 4);
      if (k < n) {
        const double *c = cond + (size_t)k * AU_NCOND;
        CHECK_NEAR(v[0], c[D_LIGAND_MM], 1e-5 * fabs(c[D_LIGAND_MM]) + 1e-12);
        CHECK_NEAR(v[1], c[D_PH], 1e-5 * fabs(c[D_PH]) + 1e-12);
        CHECK_NEAR(v[2], mean[k], 1e-6);
        CHECK_NEAR(v[3], sd[k], 1e-5 * sd[k] + 1e-12);
      }
      k++;
    }
    CHECK(k == n);
    fclose(f);
  }
  remove(cpath);
  remove(mpath);
  rmdir(dir);
  free(cond); free(mean); free(sd);
}

/* ---- per model kind ----------------------------------------------------- */
static int find_row(const recipe_set *rs, const char *id) {
  for (int i = 0; i < rs->n; i++)
    if (!strcmp(rs->r[i].id, id)) return i;
  return -1;
}

static void test_kind(int kind, const char *preset, const recipe_set *rs, const component_table *comp,
                      const recipe_set *novel) {
  hparams hp;
  CHECK(hparams_preset(model_kind_names[kind], preset, &hp) == 0);
  hp.epochs = 5;
  hp.steps_per_epoch = 64;
  model m;
  int rc = model_train(&m, rs, comp, &hp, 3, 11 + kind, 3);
  CHECK(rc == 0);
  if (rc) { fprintf(stderr, "%s: %s\n", model_kind_names[kind], au_errmsg()); return; }
  CHECK(m.ninst == 3);
  CHECK((m.L.D > 0) == (hp.use_gcnn != 0));

  /* the model's molecule table is in the recipe set's order */
  const molgraph **rsg = malloc(sizeof(molgraph *) * rs->nmol);
  for (int i = 0; i < rs->nmol; i++) rsg[i] = &rs->mol[i].g;
  const molgraph **nvg = malloc(sizeof(molgraph *) * novel->nmol);
  for (int i = 0; i < novel->nmol; i++) nvg[i] = &novel->mol[i].g;

  rng_t r;
  rng_seed(&r, 1000 + kind);
  double *cond = malloc(sizeof(double) * AU_NCOND * NCOND_ROWS);
  double worst = 0;
  const char *ids[] = {"A01", "O01", NULL};
  ids[2] = rs->r[rs->n - 1].id;
  for (int b = 0; b < 3; b++) {
    int i = find_row(rs, ids[b]);
    CHECK(i >= 0);
    if (i < 0) continue;
    base_row br = {ids[b], rsg, rs->nmol, {0}, rs->r[i].x};
    memcpy(br.mol, rs->r[i].mol, sizeof br.mol);
    random_conditions(&r, cond, NCOND_ROWS);
    double w = compare_base(&m, &br, cond, NCOND_ROWS);
    if (w > TOL) fprintf(stderr, "%s base %s: scorer differs from instance_predict by %g\n", model_kind_names[kind], ids[b], w);
    worst = fmax(worst, w);
  }
  /* recipes with molecules the model has never seen */
  for (int i = 0; i < novel->n; i++) {
    base_row br = {"novel", nvg, novel->nmol, {0}, novel->r[i].x};
    memcpy(br.mol, novel->r[i].mol, sizeof br.mol);
    random_conditions(&r, cond, 300);
    double w = compare_base(&m, &br, cond, 300);
    if (w > TOL) fprintf(stderr, "%s novel recipe %d: scorer differs from instance_predict by %g\n", model_kind_names[kind], i, w);
    worst = fmax(worst, w);
  }
  CHECK(worst <= TOL);
  fprintf(stderr, "%-9s worst |scorer - instance_predict| = %.2g over %d instances\n", model_kind_names[kind], worst,
          m.ninst);

  /* a scaler with a zero range (a condition and a component descriptor
   * constant over an instance's training rows): scale_row's "raw - lo" */
  {
    instance *it = &m.inst[1];
    it->hi[D_PH] = it->lo[D_PH];
    it->hi[D_TEMPERATURE_C] = it->lo[D_TEMPERATURE_C];
    it->hi[D_DIELECTRIC] = it->lo[D_DIELECTRIC];
    CHECK(instance_prepare(&m.L, it, m.gp, m.nmol) == 0);
    int i = find_row(rs, "O01");
    base_row br = {"O01 zero-range", rsg, rs->nmol, {0}, rs->r[i].x};
    memcpy(br.mol, rs->r[i].mol, sizeof br.mol);
    random_conditions(&r, cond, 100);
    double w = compare_base(&m, &br, cond, 100);
    if (w > TOL) fprintf(stderr, "%s zero-range scaler: scorer differs by %g\n", model_kind_names[kind], w);
    CHECK(w <= TOL);
  }

  /* fingerprints */
  if (m.L.D) {
    check_fingerprints(&m, nvg, novel->nmol);
  } else {
    double fp[4] = {7, 7, 7, 7};
    au_errclear();
    rc = model_fingerprint(&m, ROLE_LIGAND, &rs->mol[0].g, fp);
    CHECK(rc == AU_EUSAGE);
    const char *msg = au_errmsg();
    CHECK(msg && *msg && !strchr(msg, '\n'));
    CHECK(msg && strstr(msg, "GCNN") != NULL);
    CHECK(msg && strstr(msg, model_kind_names[kind]) != NULL);
    CHECK(fp[0] == 7 && fp[3] == 7); /* untouched */
  }
  free(cond); free(rsg); free(nvg);
  model_free(&m);
}

/* Two extra descriptors (--extra-descriptors): the scorer folds them into
 * the bias like the component descriptors. */
static void test_extra(recipe_set *rs, const component_table *comp) {
  rs->nextra = 2;
  rs->extra_name[0] = strdup("e1");
  rs->extra_name[1] = strdup("e2");
  for (int i = 0; i < rs->n; i++) {
    rs->r[i].x[AU_NDESC] = rs->r[i].x[D_MW] / 10 + i % 3;
    rs->r[i].x[AU_NDESC + 1] = sin(i);
  }
  hparams hp;
  CHECK(hparams_default("gcnn_snn", &hp) == 0);
  hp.epochs = 3;
  hp.steps_per_epoch = 16;
  model m;
  CHECK(model_train(&m, rs, comp, &hp, 3, 9, 2) == 0);
  CHECK(m.L.nx == AU_NDESC + 2 && m.L.in_dim == NROLES * m.L.D + AU_NDESC + 2 + m.L.nder);
  const molgraph **rsg = malloc(sizeof(molgraph *) * rs->nmol);
  for (int i = 0; i < rs->nmol; i++) rsg[i] = &rs->mol[i].g;
  rng_t r;
  rng_seed(&r, 77);
  double *cond = malloc(sizeof(double) * AU_NCOND * 200);
  for (int i = 0; i < rs->n; i += 7) {
    base_row br = {"extra", rsg, rs->nmol, {0}, rs->r[i].x};
    memcpy(br.mol, rs->r[i].mol, sizeof br.mol);
    random_conditions(&r, cond, 200);
    double w = compare_base(&m, &br, cond, 200);
    if (w > TOL) fprintf(stderr, "extra descriptors, row %d: scorer differs from instance_predict by %g\n", i, w);
    CHECK(w <= TOL);
  }
  free(cond); free(rsg);
  model_free(&m);
  for (int j = 0; j < rs->nextra; j++) free(rs->extra_name[j]);
  rs->nextra = 0;
}

/* A single fit (ensemble 0): one instance, sd 0. */
static void test_single(const recipe_set *rs, const component_table *comp) {
  hparams hp;
  CHECK(hparams_default("gcnn_snn", &hp) == 0);
  hp.epochs = 2;
  hp.steps_per_epoch = 16;
  model m;
  CHECK(model_train(&m, rs, comp, &hp, 0, 5, 1) == 0);
  CHECK(m.ninst == 1);
  int i = find_row(rs, "A01");
  const molgraph *g[NROLES];
  recipe_graphs(rs, &rs->r[i], g);
  scorer *s = scorer_new(&m, g, rs->r[i].x);
  double cond[3 * AU_NCOND], p[3], mean[3], sd[3];
  rng_t r;
  rng_seed(&r, 3);
  random_conditions(&r, cond, 3);
  scorer_eval(s, cond, 3, p);
  scorer_eval_mean(s, cond, 3, mean, sd);
  for (int k = 0; k < 3; k++) {
    CHECK(mean[k] == p[k]);
    CHECK(sd[k] == 0);
  }
  scorer_free(s);
  check_heatmap_cli(&m, rs, i); /* heatmap on a one-instance model too */
  model_free(&m);
}

int main(void) {
  par_init_blas();
  component_table comp;
  recipe_set rs;
  input_opts io = {.cmd = "test_scorer", .o = recipe_opts_default()};
  io.o.require_outcome = 1;
  int rc = open_recipes(DATA, NULL, &io, &comp, &rs);
  CHECK(rc == 0);
  if (rc) {
    fprintf(stderr, "cannot load %s: %s\n", DATA, au_errmsg());
    return check_report();
  }
  /* novel recipes: an unseen ligand in water with NaBH4, an unseen ligand in
   * methanol, and a known ligand (glutathione) */
  recipe_set novel = {0};
  const char *const nv[][NROLES] = {{"OCCCCS", "O", "[Na+].[BH4-]"},
                                    {"Sc1ccc(cc1)C(F)(F)F", "CO", "[Na+].[BH4-]"},
                                    {"N[C@@H](CCC(=O)N[C@@H](CS)C(=O)NCC(=O)O)C(=O)O", "O", "[Na+].[BH4-]"}};
  for (int i = 0; i < 3; i++) {
    int e = recipe_build(&novel, &comp, nv[i], NULL);
    CHECK(e == 0);
    if (e) fprintf(stderr, "recipe_build %d: %s\n", i, au_errmsg());
  }
  CHECK(novel.n == 3);

  for (int k = 0; k < N_MODEL_KINDS; k++) {
    test_kind(k, "default", &rs, &comp, &novel);
  }
  /* the paper preset: sum pooling, no derived inputs */
  test_kind(0, "paper", &rs, &comp, &novel);
  test_kind(4, "paper", &rs, &comp, &novel);
  /* the heatmap cross-check on an ensemble too */
  {
    hparams hp;
    CHECK(hparams_default("gcnn_dnn", &hp) == 0);
    hp.epochs = 2;
    hp.steps_per_epoch = 16;
    model m;
    CHECK(model_train(&m, &rs, &comp, &hp, 3, 9, 3) == 0);
    check_heatmap_cli(&m, &rs, find_row(&rs, "A02"));
    model_free(&m);
  }
  test_single(&rs, &comp);
  test_extra(&rs, &comp);
  recipes_free(&novel);
  recipes_free(&rs);
  components_free(&comp);
  return check_report();
}
