/* Every backward pass against central finite differences, layer by layer
 * and for all six models end to end (relative error below 1e-6). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gcnn.h"
#include "kern.h"
#include "net.h"
#include "nn.h"
#include "rng.h"

/* five-point central differences: O(h^4) truncation, ~1e-12 rounding */
#define H 1e-4
#define TOL 1e-6

static rng_t R;
static void fill(double *x, int n, double s) { for (int i = 0; i < n; i++) x[i] = s * (2 * rng_uniform(&R) - 1); }

/* relative error with a floor so that gradients of ~0 compare absolutely */
static double relerr(double a, double b) {
  double d = fabs(a - b), m = fmax(fabs(a), fabs(b));
  return d / fmax(m, 1e-4);
}

/* Generic check: f(x) scalar, g analytic gradient at x (length n). */
typedef double (*lossfn)(double *x, void *ctx);
static double five_point(lossfn f, double *x, int i, double h, void *ctx) {
  double s = x[i];
  x[i] = s + 2 * h; double f2 = f(x, ctx);
  x[i] = s + h; double f1 = f(x, ctx);
  x[i] = s - h; double m1 = f(x, ctx);
  x[i] = s - 2 * h; double m2 = f(x, ctx);
  x[i] = s;
  return (-f2 + 8 * f1 - 8 * m1 + m2) / (12 * h);
}

/* A stencil that straddles a ReLU or |.| kink measures a blend of two
 * slopes; a mismatch is re-measured with a 100x smaller step, which a kink
 * farther than 2h/100 away no longer reaches (a wrong gradient fails both). */
static double check_grad_every(const char *name, lossfn f, double *x, const double *g, int n, void *ctx,
                               int stride, int offset) {
  double worst = 0;
  for (int i = offset % stride; i < n; i += stride) {
    double num = five_point(f, x, i, H, ctx), e = relerr(g[i], num);
    if (e > TOL) {
      double num2 = five_point(f, x, i, H / 100, ctx), e2 = relerr(g[i], num2);
      if (e2 < e) { num = num2; e = e2; }
    }
    if (e > worst) worst = e;
    if (e > TOL) fprintf(stderr, "%s: param %d analytic %.10g numeric %.10g\n", name, i, g[i], num);
  }
  fprintf(stderr, "%-28s max relative error %.2e over %d values\n", name, worst, (n + stride - 1 - offset % stride) / stride);
  return worst;
}
static double check_grad(const char *name, lossfn f, double *x, const double *g, int n, void *ctx) {
  return check_grad_every(name, f, x, g, n, ctx, 1, 0);
}

/* ---- layer checks: loss = sum(c * layer(x)) with random c ---------------- */
typedef struct { int B, in, out; double *X, *W, *b, *c, *Y; int which; } dctx;

static double dense_loss(double *unused, void *v) {
  (void)unused;
  dctx *d = v;
  dense_forward(d->X, d->W, d->b, d->Y, d->B, d->in, d->out);
  double L = 0;
  for (int i = 0; i < d->B * d->out; i++) L += d->c[i] * d->Y[i];
  return L;
}

static void test_dense(void) {
  dctx d = {.B = 5, .in = 4, .out = 3};
  d.X = malloc(sizeof(double) * 20); d.W = malloc(sizeof(double) * 12); d.b = malloc(sizeof(double) * 3);
  d.c = malloc(sizeof(double) * 15); d.Y = malloc(sizeof(double) * 15);
  fill(d.X, 20, 1); fill(d.W, 12, 1); fill(d.b, 3, 1); fill(d.c, 15, 1);
  double dW[12] = {0}, db[3] = {0}, dX[20];
  dense_backward(d.X, d.W, d.c, dW, db, dX, 5, 4, 3);
  CHECK(check_grad("dense dW", dense_loss, d.W, dW, 12, &d) < TOL);
  CHECK(check_grad("dense db", dense_loss, d.b, db, 3, &d) < TOL);
  CHECK(check_grad("dense dX", dense_loss, d.X, dX, 20, &d) < TOL);
  free(d.X); free(d.W); free(d.b); free(d.c); free(d.Y);
}

typedef struct { const csr *X; double *W, *b, *c, *Y; int B, out; } sctx;
static double sparse_loss(double *u, void *v) {
  (void)u;
  sctx *s = v;
  sparse_dense_forward(s->X, 0, s->B, s->W, s->b, s->Y, s->out);
  double L = 0;
  for (int i = 0; i < s->B * s->out; i++) L += s->c[i] * s->Y[i];
  return L;
}

static void test_sparse(void) {
  int start[4] = {0, 2, 3, 5}, col[5] = {0, 3, 1, 2, 3};
  double val[5] = {1, 2, 1, 3, 1};
  csr X = {3, 4, start, col, val};
  double W[8], b[2], c[6], Y[6], dW[8] = {0}, db[2] = {0};
  fill(W, 8, 1); fill(b, 2, 1); fill(c, 6, 1);
  sparse_dense_backward(&X, 0, 3, c, dW, db, 2);
  sctx s = {&X, W, b, c, Y, 3, 2};
  CHECK(check_grad("sparse dense dW", sparse_loss, W, dW, 8, &s) < TOL);
  CHECK(check_grad("sparse dense db", sparse_loss, b, db, 2, &s) < TOL);
}

typedef struct { int n, rows, cols, kind; double *c, *y, *t; int *lab; unsigned char *mask; double rate; } act_ctx;
enum { A_RELU, A_SIGMOID, A_SOFTMAX, A_BCE, A_CE, A_HINGE, A_PEN, A_DROP, A_GROUP };

static double act_loss(double *x, void *v) {
  act_ctx *a = v;
  double L = 0, tmp[64];
  switch (a->kind) {
    case A_RELU: relu_forward(x, a->y, a->n); break;
    case A_SIGMOID: sigmoid_forward(x, a->y, a->n); break;
    case A_SOFTMAX: softmax_forward(x, a->y, a->rows, a->cols); break;
    case A_BCE: return bce_logits_loss(x, a->t, tmp, a->n);
    case A_CE: return softmax_ce_loss(x, a->lab, tmp, a->rows, a->cols);
    case A_HINGE: return cat_hinge_loss(x, a->lab, tmp, a->rows, a->cols);
    case A_PEN: return weight_penalty(x, NULL, a->n, 0.3, 0.7);
    case A_GROUP: return group_penalty(x, NULL, 4, 3, 0.4);
    case A_DROP:
      memcpy(a->y, x, sizeof(double) * a->n);
      for (int i = 0; i < a->n; i++) a->y[i] = a->mask[i] ? a->y[i] / (1 - a->rate) : 0;
      break;
  }
  for (int i = 0; i < a->n; i++) L += a->c[i] * a->y[i];
  return L;
}

static void test_activations(void) {
  enum { N = 12 };
  double x[N], y[N], c[N], g[N], t[N];
  int lab[4] = {0, 2, 1, 1};
  unsigned char mask[N];
  act_ctx a = {N, 4, 3, 0, c, y, t, lab, mask, 0.25};
  const char *names[] = {"relu", "sigmoid", "softmax", "binary cross-entropy", "softmax cross-entropy",
                         "categorical hinge", "L1/L2 penalty", "dropout", "group lasso"};
  for (int k = A_RELU; k <= A_GROUP; k++) {
    a.kind = k;
    fill(x, N, 2);
    fill(c, N, 1);
    for (int i = 0; i < N; i++) t[i] = rng_uniform(&R) < 0.5, mask[i] = rng_uniform(&R) < 0.75;
    for (int i = 0; i < N; i++) if (fabs(x[i]) < 0.05) x[i] += 0.1; /* keep off the kinks */
    act_loss(x, &a);
    switch (k) {
      case A_RELU: relu_backward(y, c, g, N); break;
      case A_SIGMOID: sigmoid_backward(y, c, g, N); break;
      case A_SOFTMAX: softmax_backward(y, c, g, 4, 3); break;
      case A_BCE: bce_logits_loss(x, t, g, N); break;
      case A_CE: softmax_ce_loss(x, lab, g, 4, 3); break;
      case A_HINGE: cat_hinge_loss(x, lab, g, 4, 3); break;
      case A_PEN: memset(g, 0, sizeof g); weight_penalty(x, g, N, 0.3, 0.7); break;
      case A_DROP: memcpy(g, c, sizeof g); dropout_backward(g, mask, N, 0.25); break;
      case A_GROUP: memset(g, 0, sizeof g); group_penalty(x, g, 4, 3, 0.4); break;
    }
    CHECK(check_grad(names[k], act_loss, x, g, N, &a) < TOL);
  }
}

typedef struct { double *B, *c; int n; } l1ctx;
static double l1_loss(double *A, void *v) {
  l1ctx *l = v;
  double D[8], L = 0;
  l1dist_forward(A, l->B, D, l->n);
  for (int i = 0; i < l->n; i++) L += l->c[i] * D[i];
  return L;
}
static void test_l1dist(void) {
  double A[8], B[8], c[8], dA[8], dB[8];
  fill(A, 8, 1); fill(B, 8, 1); fill(c, 8, 1);
  l1dist_backward(A, B, c, dA, dB, 8);
  l1ctx l = {B, c, 8};
  CHECK(check_grad("siamese L1 distance", l1_loss, A, dA, 8, &l) < TOL);
  for (int i = 0; i < 8; i++) CHECK(dB[i] == -dA[i]);
}


/* ---- the kernels' fused layers: loss = sum(c * act(X W + b)) -------------
 * forward kern_dense with the epilogue; backward through the activation
 * (sigmoid: y(1-y); ReLU: KERN_MASK; softmax: kern_softmax_back), then
 * kern_dense_dw for dW, db and kern_dense on the packed transpose for dX. */
typedef struct { int n, in, out, epi; double *X, *W, *b, *c, *Wp, *Y; } kctx;
enum { KN = 5, KIN = 7, KOUT = 11, KLD = 16, KLDX = 8 };
static double kern_loss(double *unused, void *v) {
  (void)unused;
  kctx *k = v;
  kern_pack(k->in, k->out, k->W, k->out, k->Wp, KLD);
  kern_dense(k->n, k->in, k->out, k->X, KLDX, k->Wp, KLD, k->b, k->Y, KLD, k->epi, NULL, 0);
  double L = 0;
  for (int i = 0; i < k->n; i++)
    for (int j = 0; j < k->out; j++) L += k->c[i * k->out + j] * k->Y[i * KLD + j];
  return L;
}

static void test_kern_layers(void) {
  const char *names[] = {"kern dense linear", "kern dense+ReLU", "kern dense+sigmoid", "kern dense+softmax"};
  for (int epi = KERN_LINEAR; epi <= KERN_SOFTMAX; epi++) {
    kctx k = {.n = KN, .in = KIN, .out = KOUT, .epi = epi};
    k.X = kern_alloc(KN * KLDX); k.W = malloc(sizeof(double) * KIN * KOUT); k.b = malloc(sizeof(double) * KOUT);
    k.c = malloc(sizeof(double) * KN * KOUT); k.Wp = kern_alloc(KIN * KLD); k.Y = kern_alloc(KN * KLD);
    for (int i = 0; i < KN; i++) fill(k.X + i * KLDX, KIN, 1);
    fill(k.W, KIN * KOUT, 1); fill(k.b, KOUT, 1); fill(k.c, KN * KOUT, 1);
    kern_loss(NULL, &k);
    /* dY: the loss weights through the activation */
    double *G = kern_alloc(KN * KLD), *dY = kern_alloc(KN * KLD), *dX = kern_alloc(KN * KLDX), *WT = kern_alloc(KOUT * KLDX);
    double dW[KIN * KOUT] = {0}, db[KOUT] = {0};
    for (int i = 0; i < KN; i++) memcpy(G + i * KLD, k.c + i * KOUT, sizeof(double) * KOUT);
    if (epi == KERN_SOFTMAX) kern_softmax_back(KN, KOUT, k.Y, KLD, G, KLD, NULL, dY, KLD);
    else
      for (int i = 0; i < KN * KLD; i++)
        dY[i] = epi == KERN_SIGMOID ? G[i] * k.Y[i] * (1 - k.Y[i]) : G[i];
    if (epi == KERN_RELU) {
      /* the mask epilogue applied to the incoming gradient */
      double *tmp = kern_alloc(KN * KLD), *I = kern_alloc(KOUT * KLD);
      for (int j = 0; j < KOUT; j++) I[j * KLD + j] = 1;
      kern_dense(KN, KOUT, KOUT, G, KLD, I, KLD, NULL, tmp, KLD, KERN_MASK, k.Y, KLD);
      memcpy(dY, tmp, sizeof(double) * KN * KLD);
      free(tmp); free(I);
    }
    kern_dense_dw(KN, KIN, KOUT, k.X, KLDX, dY, KLD, dW, KOUT, db);
    kern_pack_t(KIN, KOUT, k.W, WT, KLDX);
    kern_dense(KN, KOUT, KIN, dY, KLD, WT, KLDX, NULL, dX, KLDX, KERN_LINEAR, NULL, 0);
    char nm[64];
    snprintf(nm, sizeof nm, "%s dW", names[epi]);
    CHECK(check_grad(nm, kern_loss, k.W, dW, KIN * KOUT, &k) < TOL);
    snprintf(nm, sizeof nm, "%s db", names[epi]);
    CHECK(check_grad(nm, kern_loss, k.b, db, KOUT, &k) < TOL);
    double dXu[KN * KIN], Xu[KN * KIN];
    for (int i = 0; i < KN; i++) memcpy(dXu + i * KIN, dX + i * KLDX, sizeof(double) * KIN);
    /* perturb X in place through its padded rows */
    for (int i = 0; i < KN; i++) {
      snprintf(nm, sizeof nm, "%s dX row %d", names[epi], i);
      CHECK(check_grad(nm, kern_loss, k.X + i * KLDX, dXu + i * KIN, KIN, &k) < TOL);
    }
    (void)Xu;
    free(k.X); free(k.W); free(k.b); free(k.c); free(k.Wp); free(k.Y); free(G); free(dY); free(dX); free(WT);
  }
}

/* sparse rows with the fused softmax, as the GCNN's output layer 0 */
typedef struct { const csr *X; int *rows; double *W, *Wp, *b, *c, *Y; } skctx;
static double sparse_kern_loss(double *unused, void *v) {
  (void)unused;
  skctx *s = v;
  kern_pack(6, 10, s->W, 10, s->Wp, 16);
  kern_sparse(s->X, s->rows, 0, 3, 10, s->Wp, 16, s->b, s->Y, 16, KERN_SOFTMAX);
  double L = 0;
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 10; j++) L += s->c[i * 16 + j] * s->Y[i * 16 + j];
  return L;
}

static void test_kern_sparse(void) {
  int start[5] = {0, 2, 3, 6, 6}, col[6] = {0, 5, 1, 2, 3, 5}, rows[3] = {2, 0, 1};
  double val[6];
  fill(val, 6, 2);
  csr X = {4, 6, start, col, val};
  skctx s = {&X, rows, malloc(sizeof(double) * 60), kern_alloc(96), malloc(sizeof(double) * 10), kern_alloc(48),
             kern_alloc(48)};
  fill(s.W, 60, 1); fill(s.b, 10, 1);
  for (int i = 0; i < 3; i++) fill(s.c + i * 16, 10, 1);
  sparse_kern_loss(NULL, &s);
  double *dL = kern_alloc(48), *dWp = kern_alloc(96), dW[60], db[10] = {0};
  kern_softmax_back(3, 10, s.Y, 16, s.c, 16, NULL, dL, 16);
  kern_sparse_dw(&X, rows, 0, 3, 10, dL, 16, dWp, 16, db);
  for (int k = 0; k < 6; k++) memcpy(dW + k * 10, dWp + k * 16, sizeof(double) * 10);
  CHECK(check_grad("kern sparse+softmax dW", sparse_kern_loss, s.W, dW, 60, &s) < TOL);
  CHECK(check_grad("kern sparse+softmax db", sparse_kern_loss, s.b, db, 10, &s) < TOL);
  free(s.W); free(s.Wp); free(s.b); free(s.c); free(s.Y); free(dL); free(dWp);
}

/* ---- GCNN: loss = sum(c * fingerprints) ----------------------------------- */
typedef struct { gcnn_layout L; gbatch g; gcnn_ws w; double *fp, *c; } gctx;
static double gcnn_loss(double *p, void *v) {
  gctx *q = v;
  gcnn_forward(&q->L, p, &q->g, &q->w, q->fp);
  double L = 0;
  for (int i = 0; i < q->g.nmol * q->L.D; i++) L += q->c[i] * q->fp[i];
  return L;
}

/* A pass over some molecules (gcnn_forward_sel) gives each of them the
 * fingerprint bits of the full pass, and the workspace's kept renumbering
 * (same selection as the last call) and its invalidation give the same
 * bits as fresh ones: full, subset, subset again, full again. */
static void check_selections(gctx *q, const double *p) {
  int n = q->g.nmol, D = q->L.D, sel[2] = {3, 1};
  double *full = malloc(sizeof(double) * n * D), *fp = malloc(sizeof(double) * n * D);
  gcnn_forward(&q->L, p, &q->g, &q->w, full);
  for (int t = 0; t < 2; t++) {
    gcnn_forward_sel(&q->L, p, &q->g, &q->w, sel, 2, fp);
    for (int i = 0; i < 2; i++) CHECK(!memcmp(fp + i * D, full + sel[i] * D, sizeof(double) * D));
  }
  for (int t = 0; t < 2; t++) {
    gcnn_forward(&q->L, p, &q->g, &q->w, fp);
    CHECK(!memcmp(fp, full, sizeof(double) * n * D));
  }
  free(full); free(fp);
}

static void test_gcnn(void) {
  const char *smi[] = {"NCCS", "O", "[Na+].[BH4-]", "OC(=O)c1ccc(S)cc1", "CC(C)(C)CC(C)(C)C(C)(C)C"};
  molgraph mg[5];
  const molgraph *mp[5];
  for (int i = 0; i < 5; i++) { CHECK(molgraph_from_smiles(smi[i], &mg[i]) == 0); mp[i] = &mg[i]; }
  gctx q;
  gcnn_layout_init(&q.L, 2, 4, 5, 0);
  gbatch_build(&q.g, mp, 5);
  gcnn_ws_init(&q.w, &q.L, q.g.natoms);
  double *p = malloc(sizeof(double) * q.L.size), *g = calloc(q.L.size, sizeof(double));
  q.fp = malloc(sizeof(double) * 5 * 5);
  q.c = malloc(sizeof(double) * 5 * 5);
  gcnn_init_params(&q.L, p, &R);
  for (long i = 0; i < q.L.size; i++) p[i] += 0.1 * (2 * rng_uniform(&R) - 1); /* non-zero biases */
  fill(q.c, 25, 1);
  gcnn_loss(p, &q);
  gcnn_backward(&q.L, p, &q.g, &q.w, q.c, g);
  CHECK(check_grad("GCNN (all layers)", gcnn_loss, p, g, (int)q.L.size, &q) < TOL);
  check_selections(&q, p);
  /* fingerprints: each of the P+1 = 3 output layers sums a softmax per atom */
  gcnn_loss(p, &q);
  for (int m = 0; m < 5; m++) {
    double s = 0;
    for (int j = 0; j < 5; j++) s += q.fp[m * 5 + j];
    CHECK_NEAR(s, 3.0 * mg[m].natoms, 1e-9);
  }
  /* atoms with the same layer-0 inputs are computed once per class: the
   * methyls of the last molecule form one; each molecule's fingerprint in
   * the batch is bit for bit the one it gets alone (other classes) */
  int reps = 0;
  for (int a = 0; a < q.g.natoms; a++) reps += q.g.zrep[a] != a;
  CHECK(reps > 0);
  /* level 2 (same class and neighbours' classes): fewer than the atoms,
   * at least the level-1 classes */
  CHECK(q.w.ncls[2] < q.w.nc && q.w.ncls[2] >= q.w.ncls[1]);
  for (int m = 0; m < 5; m++) {
    gbatch one;
    gcnn_ws w1;
    double fp1[5];
    gbatch_build(&one, mp + m, 1);
    gcnn_ws_init(&w1, &q.L, one.natoms);
    gcnn_forward(&q.L, p, &one, &w1, fp1);
    CHECK(!memcmp(fp1, q.fp + m * 5, sizeof fp1));
    gbatch_free(&one); gcnn_ws_free(&w1);
  }
  free(p); free(g); free(q.fp); free(q.c);
  gbatch_free(&q.g); gcnn_ws_free(&q.w);
  /* other depths and widths: the backward pass runs O_0, O_1, H_1 per
   * class and layers from 2 per atom (1 layer; 3 layers, whole vectors) */
  const int cfg[2][3] = {{1, 4, 4}, {3, 8, 10}};
  for (int t = 0; t < 2; t++) {
    gcnn_layout_init(&q.L, cfg[t][0], cfg[t][1], cfg[t][2], 0);
    gbatch_build(&q.g, mp, 5);
    gcnn_ws_init(&q.w, &q.L, q.g.natoms);
    p = malloc(sizeof(double) * q.L.size);
    g = calloc(q.L.size, sizeof(double));
    q.fp = malloc(sizeof(double) * 5 * q.L.D);
    q.c = malloc(sizeof(double) * 5 * q.L.D);
    gcnn_init_params(&q.L, p, &R);
    for (long i = 0; i < q.L.size; i++) p[i] += 0.1 * (2 * rng_uniform(&R) - 1);
    fill(q.c, 5 * q.L.D, 1);
    gcnn_loss(p, &q);
    gcnn_backward(&q.L, p, &q.g, &q.w, q.c, g);
    CHECK(check_grad(t ? "GCNN, 3 layers of 8" : "GCNN, 1 layer of 4", gcnn_loss, p, g, (int)q.L.size, &q) < TOL);
    check_selections(&q, p);
    free(p); free(g); free(q.fp); free(q.c);
    gbatch_free(&q.g); gcnn_ws_free(&q.w);
  }
  for (int i = 0; i < 5; i++) molgraph_free(&mg[i]);
}

/* ---- whole models: loss of a batch of pairs/rows vs. all parameters ------- */
typedef struct { pass *ps; instance *in; int *a, *b, nb; } mctx;
static double model_loss(double *p, void *v) {
  mctx *m = v;
  (void)p; /* p is m->in->p, perturbed in place */
  return pass_batch_loss(m->ps, m->in, m->a, m->b, m->nb, NULL, NULL);
}

/* The group lasso's own sum: the L2 norms (with its 1e-12 smoothing) of rows
 * [r0, r1) of the head's W[0] in p. */
static double w0_row_norms(const net_layout *L, const double *p, int r0, int r1) {
  double norms = 0;
  for (int r = r0; r < r1; r++) {
    const double *w = p + L->W[0] + (long)r * L->dim[1];
    double s2 = 1e-12;
    for (int c = 0; c < L->dim[1]; c++) s2 += w[c] * w[c];
    norms += sqrt(s2);
  }
  return norms;
}

/* every model kind; nextra user descriptors after the 17 (--extra-descriptors) */
static void test_models(int nextra) {
  /* its own stream, so that each call draws the same values whatever ran
   * before (a finite difference across a ReLU kink would fail) */
  rng_t R;
  rng_seed(&R, 42 + (uint64_t)nextra);
  const char *lig[] = {"NCCS", "OC(=O)CCCCCS", "OC(=O)c1ccc(S)cc1", "N[C@@H](CS)C(=O)O"};
  const char *sol[] = {"O", "Cc1ccccc1"}, *red[] = {"[Na+].[BH4-]", "[C-]#[O+]"};
  molgraph mg[8];
  const molgraph *mp[8];
  const char *all[] = {lig[0], lig[1], lig[2], lig[3], sol[0], sol[1], red[0], red[1]};
  for (int i = 0; i < 8; i++) { CHECK(molgraph_from_smiles(all[i], &mg[i]) == 0); mp[i] = &mg[i]; }
  enum { N = 8 };
  int mol[N * 3], y[N], nx = AU_NDESC + nextra;
  double x[N * AU_XMAX];
  for (int i = 0; i < N; i++) {
    mol[i * 3] = i % 4; mol[i * 3 + 1] = 4 + i % 2; mol[i * 3 + 2] = 6 + (i / 2) % 2;
    y[i] = i % 3 == 0;
    for (int j = 0; j < nx; j++) x[i * nx + j] = rng_uniform(&R) * (j + 1);
  }
  dataset d = {mp, 8, N, mol, x, y, nx, 0};
  /* both presets: the paper's (sum pooling, no derived inputs) and auclust's
   * defaults (mean pooling, the derived ratio inputs) */
  for (int k = 0; k < 2 * N_MODEL_KINDS; k++) {
    hparams hp;
    hparams_preset(model_kind_names[k % N_MODEL_KINDS], k < N_MODEL_KINDS ? "paper" : "default", &hp);
    hp.graph_layers = 2;
    hp.hidden[0] = 6; hp.hidden[1] = 5; hp.nhidden = 2;
    hp.feature_vector_dim = 4; hp.fingerprint_length = 3; hp.graph_width = 4;
    hp.l1 = 0.01; hp.l2 = 0.02;
    hp.fp_l2 = 0.03; /* on the fingerprint-reading weights only, on top of l2 */
    hp.input_group_l1 = 0.01; /* on the other rows of W[0]; small: the loss's size sets the stencil's rounding */
    hp.molecule_group_l1 = 0.02; /* on the molecule-property rows of W[0] only, on top of it */
    net_layout L;
    net_layout_init(&L, &hp, nextra);
    CHECK(L.in_dim == NROLES * L.D + nx + L.nder);
    instance in = {0};
    in.p = malloc(sizeof(double) * L.nparams);
    for (long i = 0; i < L.nparams; i++) {
      in.p[i] = 0.5 * (2 * rng_uniform(&R) - 1);
      if (fabs(in.p[i]) < 0.01) in.p[i] += in.p[i] < 0 ? -0.01 : 0.01; /* off the L1 kink at 0 */
    }
    for (int j = 0; j < nx + L.nder; j++) { in.lo[j] = j < nx ? 0 : -1; in.hi[j] = j + 1; }
    int a[6] = {0, 1, 2, 3, 4, 5}, b[6] = {3, 2, 5, 4, 7, 6};
    pass *ps = pass_new(&L, &d, NULL, 0, 12);
    double *g = calloc(L.nparams, sizeof(double));
    pass_batch_loss(ps, &in, a, b, 6, g, NULL);
    mctx m = {ps, &in, a, b, 6};
    char name[64];
    snprintf(name, sizeof name, "model %s (%s), %d extra descriptors", model_kind_labels[k % N_MODEL_KINDS],
             k < N_MODEL_KINDS ? "paper" : "default", nextra);
    /* every parameter in Release; under the sanitizer (CHECK_SANITIZED) every
     * 5th, a different fifth for each model, through the same passes */
    int stride = CHECK_SANITIZED ? 5 : 1;
    CHECK(check_grad_every(name, model_loss, in.p, g, (int)L.nparams, &m, stride, k + nextra) < TOL);
    if (L.D) {
      /* fp_l2 adds fp_l2 * sum w^2 over exactly the first NROLES * D rows of W[0] */
      double with = pass_batch_loss(ps, &in, a, b, 6, NULL, NULL), ss = 0;
      long nfp = net_fp_weights(&L);
      CHECK(nfp == (long)NROLES * L.D * L.dim[1]);
      for (long i = 0; i < nfp; i++) ss += in.p[L.W[0] + i] * in.p[L.W[0] + i];
      L.hp.fp_l2 = 0;
      CHECK_NEAR(with - pass_batch_loss(ps, &in, a, b, 6, NULL, NULL), 0.03 * ss, 1e-12);
    }
    int r0 = (int)(net_fp_weights(&L) / L.dim[1]); /* the first non-fingerprint row of W[0] */
    {
      /* input_group_l1 adds lambda * the L2 norm of each W[0] row after the fingerprint rows */
      double with = pass_batch_loss(ps, &in, a, b, 6, NULL, NULL);
      L.hp.input_group_l1 = 0;
      CHECK_NEAR(with - pass_batch_loss(ps, &in, a, b, 6, NULL, NULL), 0.01 * w0_row_norms(&L, in.p, r0, L.dim[0]), 1e-12);
    }
    {
      /* molecule_group_l1 adds lambda * the L2 norms of exactly the rows of descriptors
       * AU_NCOND..AU_NDESC-1 (none of the conditions', ratios' or extra columns') */
      double with = pass_batch_loss(ps, &in, a, b, 6, NULL, NULL);
      L.hp.molecule_group_l1 = 0;
      CHECK_NEAR(with - pass_batch_loss(ps, &in, a, b, 6, NULL, NULL), 0.02 * w0_row_norms(&L, in.p, r0 + AU_NCOND, r0 + AU_NDESC),
                 1e-12);
    }
    pass_free(ps);
    free(g);
    free(in.p);
  }
  for (int i = 0; i < 8; i++) molgraph_free(&mg[i]);
}

int main(void) {
  rng_seed(&R, 42);
  test_dense();
  test_sparse();
  test_activations();
  test_l1dist();
  test_kern_layers();
  test_kern_sparse();
  test_gcnn();
  test_models(0);
  test_models(2);
  return check_report();
}
