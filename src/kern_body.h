/* The hot kernels of kern.h, written once over the native vector type and
 * compiled per instruction set by kern_v4.c (AVX-512), kern_v3.c (AVX2 +
 * FMA) and kern_base.c (SSE2); kern.c picks one at load time. Included
 * after a `#pragma GCC target`, with KERN_SFX naming the variant. */
#include <math.h>
#include <string.h>

/* GCC would turn the short clearing loops of padded lanes (and Adam's
 * clearing of g) into memset calls, a call per row of a few lanes */
#pragma GCC optimize("no-tree-loop-distribute-patterns")

#include "kern.h"
#include "kern_impl.h"

/* KERN_FLOAT: the single-precision kernels (kern.h's *_f), the same code
 * over floats; a padding unit is KP = 8 lanes either way */
#if KERN_FLOAT
typedef float real;
typedef int lane_int;
#define KP KERN_VF
#define SQRT sqrtf
#else
typedef double real;
typedef long long lane_int;
#define KP KERN_V
#define SQRT sqrt
#endif
#define PAD(n) (((n) + KP - 1) / KP * KP)
#if defined(__AVX512F__)
/* floats in 256-bit vectors: the rows of the width-8 graph layers need no
 * padding, and Zen 4 runs a 512-bit operation as two 256-bit ones anyway */
#define KV 8
#define RMAX 4
#elif defined(__AVX2__)
#define KV (32 / (int)sizeof(real))
#define RMAX 2
#define REG16 1
#else
#define KV (16 / (int)sizeof(real))
#define RMAX 2
#endif
#define NVMAX 4 /* native vectors per tile row: 16 (AVX-512) or 8 accumulators */
/* Rows of a tile of NV vectors: AVX2 has 16 registers, so narrow tiles take
 * more rows (R x NV accumulators + NV weights + 1 broadcast <= 16); the
 * order of each output's sum does not depend on the tile. */
#if REG16
#define RA(nv) ((nv) == 1 ? 8 : (nv) == 2 ? 4 : (nv) == 3 ? 3 : 2)
#else
#define RA(nv) RMAX
#endif
#define RTOP 8

typedef real vd __attribute__((vector_size(sizeof(real) * KV)));
typedef lane_int vl __attribute__((vector_size(sizeof(real) * KV)));
typedef real vdu __attribute__((vector_size(sizeof(real) * KV), aligned(sizeof(real)), may_alias));
#define INL static inline __attribute__((always_inline))
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define F(name) CAT(name, KERN_SFX)

INL vd ld(const real *p) { return *(const vdu *)p; }
INL void st(real *p, vd x) { *(vdu *)p = x; }
INL vd splat(real x) { return x - (vd){0}; }
/* first c (< KV) lanes from p, zeros after (nothing past them is read):
 * a masked load where the instruction set has one */
/* lane numbers 0, 1, ..., KV-1 */
INL vl lane_idx(void) {
  vl idx;
  for (int i = 0; i < KV; i++) idx[i] = i;
  return idx;
}
#if defined(__AVX512F__)
#include <immintrin.h>
INL vd ldp(const real *p, int c) {
  if (c >= KV) return ld(p);
  unsigned m = (1u << (c > 0 ? c : 0)) - 1;
#if KERN_FLOAT
  return (vd)_mm256_maskz_loadu_ps((__mmask8)m, p);
#else
  return (vd)_mm512_maskz_loadu_pd((__mmask8)m, p);
#endif
}
#elif defined(__AVX2__)
#include <immintrin.h>
INL vd ldp(const real *p, int c) {
  if (c >= KV) return ld(p);
#if KERN_FLOAT
  return (vd)_mm256_maskload_ps(p, (__m256i)(lane_idx() < c));
#else
  return (vd)_mm256_maskload_pd(p, (__m256i)(lane_idx() < c));
#endif
}
#else
INL vd ldp(const real *p, int c) {
  if (c >= KV) return ld(p);
  vd t = splat(0);
  for (int i = 0; i < c; i++) t[i] = p[i];
  return t;
}
#endif
INL vd sel(vl m, vd a, vd b) { return (vd)(((vl)a & m) | ((vl)b & ~m)); }

/* ---- e^x ------------------------------------------------------------------
 * x = n ln2 + r, |r| <= ln2/2 (Cody-Waite split of ln2, exact products for
 * |n| < 2^21); e^r by Taylor to r^13 (truncation < 1e-17 relative); 2^n by
 * building the exponent bits. */
#if !KERN_FLOAT
INL vd vexp(vd x) {
  const double lo = -708.39, hi = 709.78;
  vd xc = sel(x < lo, splat(lo), x);
  xc = sel(xc > hi, splat(hi), xc);
  const double shift = 0x1.8p52; /* adding it rounds to an integer in the low bits */
  vd t = xc * 0x1.71547652b82fep0 + shift;
  vd n = t - shift;
  vd r = xc - n * 0x1.62e42fee00000p-1; /* ln2 high part: 32 significant bits */
  r = r - n * 0x1.a39ef35793c76p-33;   /* ln2 low part */
  static const double c[14] = {1.0,           1.0,           1.0 / 2,        1.0 / 6,         1.0 / 24,
                               1.0 / 120,     1.0 / 720,     1.0 / 5040,     1.0 / 40320,     1.0 / 362880,
                               1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800.0};
  vd p = splat(c[13]);
  for (int k = 12; k >= 0; k--) p = p * r + c[k];
  vl e = ((vl)t - (vl)splat(shift) + 1023) << 52;
  vd y = p * (vd)e;
  y = sel(x < lo, splat(0), y);
  return sel(x > hi, splat(INFINITY), y);
}

#else
/* float: x = n ln2 + r with Cephes' two-part ln2 (n ln2_hi exact for |n| <
 * 2^15), e^r by Taylor to r^7 (truncation < 1e-8 relative); 0 below
 * -87.33 (subnormal results), +inf above 88.72 */
INL vd vexp(vd x) {
  const float lo = -87.33f, hi = 88.72f;
  vd xc = sel(x < lo, splat(lo), x);
  xc = sel(xc > hi, splat(hi), xc);
  const float shift = 0x1.8p23f;
  vd t = xc * 0x1.715476p0f + shift;
  vd n = t - shift;
  vd r = xc - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  static const float c[8] = {1.0f, 1.0f, 1.0f / 2, 1.0f / 6, 1.0f / 24, 1.0f / 120, 1.0f / 720, 1.0f / 5040};
  vd p = splat(c[7]);
  for (int k = 6; k >= 0; k--) p = p * r + c[k];
  vl e = ((vl)t - (vl)splat(shift) + 127) << 23;
  vd y = p * (vd)e;
  y = sel(x < lo, splat(0), y);
  return sel(x > hi, splat(INFINITY), y);
}
#endif

void F(kern_exp_)(const real *x, real *y, int n) {
  int i = 0;
  for (; i + KV <= n; i += KV) st(y + i, vexp(ld(x + i)));
  if (i < n) {
    vd r = vexp(ldp(x + i, n - i));
    for (int j = 0; i + j < n; j++) y[i + j] = r[j];
  }
}

/* ---- epilogues ------------------------------------------------------------ */
INL vd epilogue(vd s, int epi, const real *m) {
  switch (epi) {
    case KERN_RELU: return sel(s > 0, s, splat(0));
    case KERN_MASK: return sel(ld(m) > 0, s, splat(0));
    case KERN_SIGMOID: {
      vd e = vexp((vd)((vl)s | (vl)splat(-0.0))); /* e^-|s| */
      return sel(s >= 0, splat(1), e) / (1 + e);
    }
    default: return s;
  }
}

/* lanes j0 .. j0+KV-1 that are < out: all ones, else zero */
INL vl lanes_below(int j0, int out) { return lane_idx() < out - j0; }

/* sum of the lanes of a row of KP-lane chunks (acc) in a fixed tree */
INL real hsum8(const vd *acc) {
  real t[KP];
  for (int q = 0; q < KP / KV; q++) st(t + q * KV, acc[q]);
  return ((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7]));
}

/* Row-wise softmax over the first `out` lanes of Y's rows, 0 beyond. The
 * sum adds the row's 8-lane chunks in order, then the 8 lanes as a fixed
 * tree: the same order for every vector width. */
INL void softmax_rows(int n, int out, real *Y, int ldy) {
  /* vectors wholly past `out` would add e^-inf = 0 to the sum: set to 0;
   * only the last vector holding lanes < out is masked (whole ones need not) */
  int op = PAD(out), ol = (out + KV - 1) / KV * KV, full = out / KV * KV;
  const vl mt = lanes_below(full, out);
  const int per = KP / KV; /* native vectors per 8-lane chunk */
  for (int i = 0; i < n; i++) {
    real *y = Y + (size_t)i * ldy;
    vd mv = splat(-INFINITY);
    for (int j = 0; j < full; j += KV) mv = sel(ld(y + j) > mv, ld(y + j), mv);
    if (full < ol) mv = sel(mt, sel(ld(y + full) > mv, ld(y + full), mv), mv);
    real mx = mv[0];
    for (int l = 1; l < KV; l++) mx = mv[l] > mx ? mv[l] : mx;
    vd acc[KP / KV];
    for (int q = 0; q < per; q++) acc[q] = splat(0);
    for (int j = 0, q = 0; j < ol; j += KV, q = (q + 1) % per) {
      vd e = vexp(ld(y + j) - mx);
      if (j == full) e = (vd)((vl)e & mt);
      st(y + j, e);
      acc[q] = acc[q] + e;
    }
    real inv = 1 / hsum8(acc);
    for (int j = 0; j < ol; j += KV) st(y + j, ld(y + j) * inv);
    for (int j = ol; j < op; j += KV) st(y + j, splat(0));
  }
}

/* The same softmax on one row held in NV registers (the whole row: out <=
 * NV * KV), the same operations in the same order as softmax_rows, so the
 * same bits; fused into the tiles it saves the store and reload and lets a
 * tile's rows overlap. */
#define KERN_FUSED 32 /* internal flag: the tile covers whole rows, softmax in registers */
INL void softmax_regs(vd *y, const int NV, int out) {
  const int full = out / KV, per = KP / KV;
  const vl mt = lanes_below(full * KV, out);
  vd mv = splat(-INFINITY);
  for (int v = 0; v < full && v < NV; v++) mv = sel(y[v] > mv, y[v], mv);
  if (full < NV) mv = sel(mt, sel(y[full] > mv, y[full], mv), mv);
  real mx = mv[0];
  for (int l = 1; l < KV; l++) mx = mv[l] > mx ? mv[l] : mx;
  vd acc[KP / KV];
  for (int q = 0; q < per; q++) acc[q] = splat(0);
  for (int v = 0, q = 0; v < NV; v++, q = (q + 1) % per) {
    vd e = vexp(y[v] - mx);
    if (v == full) e = (vd)((vl)e & mt);
    y[v] = e;
    acc[q] = acc[q] + e;
  }
  real inv = 1 / hsum8(acc);
  for (int v = 0; v < NV; v++) y[v] = y[v] * inv;
}

/* softmax_regs on R rows at once, stage by stage (the maxima, the
 * exponentials and sums, the divisions, the scaling), so the rows' long
 * dependency chains overlap: each row's operations are softmax_regs', in
 * its order, so the bits are the same. */
INL void softmax_tile(const int R, vd (*y)[NVMAX], const int NV, int out) {
  const int full = out / KV, per = KP / KV;
  const vl mt = lanes_below(full * KV, out);
  real mx[RTOP], inv[RTOP];
  for (int r = 0; r < R; r++) {
    vd mv = splat(-INFINITY);
    for (int v = 0; v < full && v < NV; v++) mv = sel(y[r][v] > mv, y[r][v], mv);
    if (full < NV) mv = sel(mt, sel(y[r][full] > mv, y[r][full], mv), mv);
    real m0 = mv[0];
    for (int l = 1; l < KV; l++) m0 = mv[l] > m0 ? mv[l] : m0;
    mx[r] = m0;
  }
  vd acc[RTOP][KP / KV];
  for (int r = 0; r < R; r++)
    for (int q = 0; q < per; q++) acc[r][q] = splat(0);
  for (int v = 0, q = 0; v < NV; v++, q = (q + 1) % per)
    for (int r = 0; r < R; r++) {
      vd e = vexp(y[r][v] - mx[r]);
      if (v == full) e = (vd)((vl)e & mt);
      y[r][v] = e;
      acc[r][q] = acc[r][q] + e;
    }
  for (int r = 0; r < R; r++) inv[r] = 1 / hsum8(acc[r]);
  for (int r = 0; r < R; r++)
    for (int v = 0; v < NV; v++) y[r][v] = y[r][v] * inv[r];
}

/* ---- dense forward: R rows x NV native vectors of output in registers --- */
INL void dense_tile(const int R, const int NV, int in, int cols, const real *X, int ldx, const real *W, int ldw,
                    const real *b, real *Y, int ldy, int flags, const real *M, int ldm) {
  vd a[RTOP][NVMAX];
  for (int v = 0; v < NV; v++) {
    vd b0 = b ? ldp(b + KV * v, cols - KV * v) : splat(0);
    for (int r = 0; r < R; r++) a[r][v] = flags & KERN_ACC ? ld(Y + (size_t)r * ldy + KV * v) : b0;
  }
  for (int k = 0; k < in; k++) {
    vd w[NVMAX];
    for (int v = 0; v < NV; v++) w[v] = ld(W + (size_t)k * ldw + KV * v);
    for (int r = 0; r < R; r++) {
      real x = X[(size_t)r * ldx + k];
      for (int v = 0; v < NV; v++) a[r][v] = a[r][v] + x * w[v];
    }
  }
  int epi = flags & 15;
  if (epi == KERN_SOFTMAX && (flags & KERN_FUSED)) {
    softmax_tile(R, a, NV, cols);
    for (int r = 0; r < R; r++)
      for (int v = 0; v < NV; v++) st(Y + (size_t)r * ldy + KV * v, a[r][v]);
    return;
  }
  if (epi == KERN_SOFTMAX) epi = KERN_LINEAR; /* applied over whole rows afterwards */
  for (int r = 0; r < R; r++)
    for (int v = 0; v < NV; v++)
      st(Y + (size_t)r * ldy + KV * v, epilogue(a[r][v], epi, M ? M + (size_t)r * ldm + KV * v : NULL));
}

/* tiles: R in {RA(NV), 2, 1} rows, NV in 1..NVMAX vectors (column blocks of NVMAX) */
#define TR(T, R, NVc)                       \
  do {                                      \
    if ((R) == RA(NVc)) T(RA(NVc), NVc);    \
    else if ((R) == 2) T(2, NVc);           \
    else T(1, NVc);                         \
  } while (0)
#define DISPATCH(T, R, NV)                  \
  do {                                      \
    switch (NV) {                           \
      case 1: TR(T, R, 1); break;           \
      case 2: TR(T, R, 2); break;           \
      case 3: TR(T, R, 3); break;           \
      default: TR(T, R, 4);                 \
    }                                       \
  } while (0)
/* rows of the next tile: as many as fit, then 2, then 1 */
INL int tile_rows(int left, int nv) {
  (void)nv; /* RA ignores it but for AVX2 */
  return left >= RA(nv) ? RA(nv) : left >= 2 ? 2 : 1;
}
/* native vectors of a column block starting at j0: nv computed ones (those
 * holding a lane < out), np in the padded row */
INL void block_vectors(int j0, int out, int *nv, int *np) {
  int op = PAD(out), p = (op - j0) / KV, l = (out - j0 + KV - 1) / KV;
  *np = p > NVMAX ? NVMAX : p;
  *nv = l > NVMAX ? NVMAX : l;
}

void F(kern_dense_)(int n, int in, int out, const real *X, int ldx, const real *Wp, int ldw, const real *b,
                    real *Y, int ldy, int epi, const real *M, int ldm) {
  int op = PAD(out);
  if ((epi & 15) == KERN_SOFTMAX && op <= NVMAX * KV) epi |= KERN_FUSED; /* one column block: whole rows */
  for (int j0 = 0; j0 < op; j0 += NVMAX * KV) {
    int nv, np, cols = out - j0;
    block_vectors(j0, out, &nv, &np);
    const real *W = Wp + j0, *bb = b ? b + j0 : NULL, *MM = M ? M + j0 : NULL;
    for (int i = 0; i < n;) {
      int R = tile_rows(n - i, nv);
      const real *x = X + (size_t)i * ldx, *m = MM ? MM + (size_t)i * ldm : NULL;
      real *y = Y + (size_t)i * ldy + j0;
#define T(RR, NN) dense_tile(RR, NN, in, cols, x, ldx, W, ldw, bb, y, ldy, epi, m, ldm)
      DISPATCH(T, R, nv);
#undef T
      i += R;
    }
    /* vectors wholly past `out` (AVX2 rows padded to 8): their sums would
     * be 0 + x * 0, so they hold act(0); with KERN_ACC they keep Y */
    if (np > nv && !(epi & KERN_ACC)) {
      int e = epi & 15;
      vd z = epilogue(splat(0), e == KERN_SOFTMAX || e == KERN_MASK ? KERN_LINEAR : e, NULL);
      for (int i = 0; i < n; i++)
        for (int v = nv; v < np; v++) st(Y + (size_t)i * ldy + j0 + KV * v, z);
    }
  }
  if ((epi & 15) == KERN_SOFTMAX && !(epi & KERN_FUSED)) softmax_rows(n, out, Y, ldy);
}

/* ---- dense weight gradient: KR rows of dW x NV vectors in registers ------ */
INL void dw_tile(const int KR, const int NV, int n, int cols, const real *X, int ldx, const real *dY, int ldy,
                 real *dW, int ldw) {
  vd a[RTOP][NVMAX];
  for (int r = 0; r < KR; r++)
    for (int v = 0; v < NV; v++) a[r][v] = splat(0);
  for (int i = 0; i < n; i++) {
    vd d[NVMAX];
    for (int v = 0; v < NV; v++) d[v] = ld(dY + (size_t)i * ldy + KV * v);
    for (int r = 0; r < KR; r++) {
      real x = X[(size_t)i * ldx + r];
      for (int v = 0; v < NV; v++) a[r][v] = a[r][v] + x * d[v];
    }
  }
  for (int r = 0; r < KR; r++)
    for (int v = 0; v < NV; v++) {
      real *p = dW + (size_t)r * ldw + KV * v;
      int c = cols - KV * v;
      if (c >= KV) st(p, ld(p) + a[r][v]);
      else
        for (int l = 0; l < c; l++) p[l] += a[r][v][l];
    }
}

INL void colsum(int n, int out, const real *dY, int ldy, real *db) {
  for (int j0 = 0; j0 < out; j0 += KV) {
    vd s = splat(0);
    for (int i = 0; i < n; i++) s = s + ld(dY + (size_t)i * ldy + j0);
    for (int l = 0; l < KV && j0 + l < out; l++) db[j0 + l] += s[l];
  }
}

void F(kern_dense_dw_)(int n, int in, int out, const real *X, int ldx, const real *dY, int ldy, real *dW,
                       int ldw, real *db) {
  int op = PAD(out);
  for (int j0 = 0; j0 < op; j0 += NVMAX * KV) {
    int nv, np, cols = out - j0;
    block_vectors(j0, out, &nv, &np); /* vectors past `out` would be dropped */
    for (int k = 0; k < in;) {
      int KR = tile_rows(in - k, nv);
      const real *x = X + k, *d = dY + j0;
      real *w = dW + (size_t)k * ldw + j0;
#define T(RR, NN) dw_tile(RR, NN, n, cols, x, ldx, d, ldy, w, ldw)
      DISPATCH(T, KR, nv);
#undef T
      k += KR;
    }
  }
  if (db) colsum(n, out, dY, ldy, db);
}

/* ---- sparse rows ---------------------------------------------------------- */
INL void sparse_tile(const int NV, const csr *X, int r, int cols, const real *W, int ldw, const real *b, real *y,
                     int epi) {
  vd a[NVMAX];
  for (int v = 0; v < NV; v++) a[v] = b ? ldp(b + KV * v, cols - KV * v) : splat(0);
  for (int k = X->start[r]; k < X->start[r + 1]; k++) {
    const real *w = W + (size_t)X->col[k] * ldw;
    real x = X->val[k];
    for (int v = 0; v < NV; v++) a[v] = a[v] + x * ld(w + KV * v);
  }
  if (epi == KERN_SOFTMAX) { /* fused: the tile is the whole row */
    softmax_regs(a, NV, cols);
    for (int v = 0; v < NV; v++) st(y + KV * v, a[v]);
    return;
  }
  for (int v = 0; v < NV; v++) st(y + KV * v, epilogue(a[v], epi, NULL));
}

/* The fused softmax case on R rows at once (softmax_tile): the same sums
 * as sparse_tile, row by row, then the rows' softmax overlapped. */
INL void sparse_tile_sm(const int R, const int NV, const csr *X, const int *rows, int r0, int cols, const real *W,
                        int ldw, const real *b, real *Y, int ldy) {
  vd a[RTOP][NVMAX];
  for (int r = 0; r < R; r++) {
    int row = rows ? rows[r] : r0 + r;
    for (int v = 0; v < NV; v++) a[r][v] = b ? ldp(b + KV * v, cols - KV * v) : splat(0);
    for (int k = X->start[row]; k < X->start[row + 1]; k++) {
      const real *w = W + (size_t)X->col[k] * ldw;
      real x = X->val[k];
      for (int v = 0; v < NV; v++) a[r][v] = a[r][v] + x * ld(w + KV * v);
    }
  }
  softmax_tile(R, a, NV, cols);
  for (int r = 0; r < R; r++)
    for (int v = 0; v < NV; v++) st(Y + (size_t)r * ldy + KV * v, a[r][v]);
}

void F(kern_sparse_)(const csr *X, const int *rows, int r0, int n, int out, const real *Wp, int ldw, const real *b,
                     real *Y, int ldy, int epi) {
  int op = PAD(out), fused = epi == KERN_SOFTMAX && op <= NVMAX * KV;
  if (fused) { /* one column block, 4 rows at a time */
    int nv, np;
    block_vectors(0, out, &nv, &np);
    vd z = splat(0); /* vectors wholly past `out` */
    for (int i = 0; i < n;) {
      int R = n - i >= 4 ? 4 : n - i >= 2 ? 2 : 1;
      const int *rr = rows ? rows + i : NULL;
      real *y = Y + (size_t)i * ldy;
#define T(RR, NN) sparse_tile_sm(RR, NN, X, rr, r0 + i, out, Wp, ldw, b, y, ldy)
#define TS(NN) do { if (R == 4) T(4, NN); else if (R == 2) T(2, NN); else T(1, NN); } while (0)
      switch (nv) {
        case 1: TS(1); break;
        case 2: TS(2); break;
        case 3: TS(3); break;
        default: TS(4);
      }
#undef TS
#undef T
      for (int r = 0; r < R; r++)
        for (int v = nv; v < np; v++) st(y + (size_t)r * ldy + KV * v, z);
      i += R;
    }
    return;
  }
  int e = epi == KERN_SOFTMAX && !fused ? KERN_LINEAR : epi;
  for (int j0 = 0; j0 < op; j0 += NVMAX * KV) {
    int nv, np, cols = out - j0;
    block_vectors(j0, out, &nv, &np);
    const real *W = Wp + j0, *bb = b ? b + j0 : NULL;
    vd z = epilogue(splat(0), e == KERN_SOFTMAX ? KERN_LINEAR : e, NULL); /* vectors wholly past `out`, as in kern_dense */
    for (int i = 0; i < n; i++) {
      int r = rows ? rows[i] : r0 + i;
      real *y = Y + (size_t)i * ldy + j0;
      switch (nv) {
        case 1: sparse_tile(1, X, r, cols, W, ldw, bb, y, e); break;
        case 2: sparse_tile(2, X, r, cols, W, ldw, bb, y, e); break;
        case 3: sparse_tile(3, X, r, cols, W, ldw, bb, y, e); break;
        default: sparse_tile(4, X, r, cols, W, ldw, bb, y, e);
      }
      for (int v = nv; v < np; v++) st(y + KV * v, z);
    }
  }
  if (epi == KERN_SOFTMAX && !fused) softmax_rows(n, out, Y, ldy);
}

/* dW rows += x d over NV whole vectors, then `tail` lanes (dW rows need no
 * padding): two at a time in a 128-bit vector, the last one alone; each
 * lane is one FMA either way */
#if !KERN_FLOAT
typedef double v2d __attribute__((vector_size(16)));
typedef double v2du __attribute__((vector_size(16), aligned(8), may_alias));
#endif
INL void sparse_dw_rows(const int NV, const csr *X, int r, const real *d, int tail, real *dW, int ldw) {
  vd dv[NVMAX];
  for (int v = 0; v < NV; v++) dv[v] = ld(d + KV * v);
  for (int k = X->start[r]; k < X->start[r + 1]; k++) {
    real *w = dW + (size_t)X->col[k] * ldw, x = X->val[k];
    for (int v = 0; v < NV; v++) st(w + KV * v, ld(w + KV * v) + x * dv[v]);
    int j = NV * KV;
#if KERN_FLOAT
    for (int t = 0; t < tail; t++) w[j + t] += x * d[j + t]; /* lane by lane */
#else
    for (int t = tail; t >= 2; t -= 2, j += 2) {
      v2d wv = *(v2du *)(w + j), dd = *(const v2du *)(d + j);
      *(v2du *)(w + j) = wv + x * dd;
    }
    if (tail & 1) w[j] += x * d[j];
#endif
  }
}

void F(kern_sparse_dw_)(const csr *X, const int *rows, int r0, int n, int out, const real *dY, int ldy, real *dW,
                        int ldw, real *db) {
  for (int j0 = 0; j0 < out; j0 += NVMAX * KV) {
    int lanes = out - j0 < NVMAX * KV ? out - j0 : NVMAX * KV, nv = lanes / KV, tail = lanes - nv * KV;
    for (int i = 0; i < n; i++) {
      int r = rows ? rows[i] : r0 + i;
      const real *d = dY + (size_t)i * ldy + j0;
      real *w = dW + j0;
      switch (nv) {
        case 0: sparse_dw_rows(0, X, r, d, tail, w, ldw); break;
        case 1: sparse_dw_rows(1, X, r, d, tail, w, ldw); break;
        case 2: sparse_dw_rows(2, X, r, d, tail, w, ldw); break;
        case 3: sparse_dw_rows(3, X, r, d, tail, w, ldw); break;
        default: sparse_dw_rows(4, X, r, d, tail, w, ldw);
      }
    }
  }
  if (db) colsum(n, out, dY, ldy, db);
}

void F(kern_softmax_back_)(int n, int out, const real *Y, int ldy, const real *G, int ldg, const int *grow,
                           real *dX, int ldx) {
  /* vectors past `out` add 0; only the last one holding lanes < out is masked */
  int op = PAD(out), ol = (out + KV - 1) / KV * KV, full = out / KV * KV;
  /* mall (all ones when full > 0) keeps each product rounded before the sum,
   * as the masked lanes are: no FMA */
  const vl mt = lanes_below(full, out), mall = lanes_below(0, out);
  const int per = KP / KV;
  for (int i = 0; i < n; i++) {
    const real *y = Y + (size_t)i * ldy, *g = G + (size_t)(grow ? grow[i] : i) * ldg;
    vd acc[KP / KV];
    for (int q = 0; q < per; q++) acc[q] = splat(0);
    int q = 0;
    for (int j = 0; j < full; j += KV, q = (q + 1) % per) acc[q] = acc[q] + (vd)((vl)(ld(y + j) * ld(g + j)) & mall);
    if (full < ol) acc[q] = acc[q] + (vd)((vl)(ld(y + full) * ld(g + full)) & mt);
    real dot = hsum8(acc);
    real *d = dX + (size_t)i * ldx;
    for (int j = 0; j < full; j += KV) st(d + j, ld(y + j) * (ld(g + j) - dot));
    if (full < ol) st(d + full, (vd)((vl)(ld(y + full) * (ld(g + full) - dot)) & mt));
    for (int j = ol; j < op; j += KV) st(d + j, splat(0));
  }
}

/* dX = Y > 0 ? dY : 0 over n reals (whole vectors) */
void F(kern_relu_back_)(size_t n, const real *Y, const real *dY, real *dX) {
  for (size_t i = 0; i < n; i += KV) st(dX + i, sel(ld(Y + i) > 0, ld(dY + i), splat(0)));
}

/* Z[i, :f] (+)= H[self[i] (or i)] + sum over k in [start[a], start[a+1]) of
 * H[map[nbr[k]], :f], a = atoms[i]: the graph convolution's neighbour sums
 * (rows padded to whole vectors; f <= ldh). With acc the sum is added to Z. */
void F(kern_nbr_sum_)(int n, int f, const int *atoms, const int *self, const int *start, const int *nbr,
                      const int *map, const real *H, int ldh, real *Z, int ldz, int acc) {
  int fp = PAD(f);
  for (int i = 0; i < n; i++) {
    int a = atoms[i];
    real *z = Z + (size_t)i * ldz;
    const real *h = H + (size_t)(self ? self[i] : i) * ldh;
    for (int j = 0; j < fp; j += KV) {
      vd s = ld(h + j);
      for (int k = start[a]; k < start[a + 1]; k++) s = s + ld(H + (size_t)map[nbr[k]] * ldh + j);
      st(z + j, acc ? ld(z + j) + s : s);
    }
  }
}

/* The transpose of kern_nbr_sum: dH[self[i]] += dZ[i] and dH[map[nbr[k]]]
 * += dZ[i] for the neighbours k of atoms[i], in the order of i, then k. */
void F(kern_nbr_scatter_)(int n, int f, const int *atoms, const int *self, const int *start, const int *nbr,
                          const int *map, const real *dZ, int ldz, real *dH, int ldh) {
  int fp = PAD(f);
  for (int i = 0; i < n; i++) {
    int a = atoms[i];
    const real *z = dZ + (size_t)i * ldz;
    real *h = dH + (size_t)self[i] * ldh;
    for (int j = 0; j < fp; j += KV) st(h + j, ld(h + j) + ld(z + j));
    for (int k = start[a]; k < start[a + 1]; k++) {
      h = dH + (size_t)map[nbr[k]] * ldh;
      for (int j = 0; j < fp; j += KV) st(h + j, ld(h + j) + ld(z + j));
    }
  }
}

void F(kern_adam_)(int nruns, const long *lo, const long *hi, real *restrict w, real *restrict g,
                   real *restrict m, real *restrict v, double lr_t, double b1, double b2, double eps) {
  const real lr = (real)lr_t, c1 = (real)b1, d1 = (real)(1 - b1), c2 = (real)b2, d2 = (real)(1 - b2), ep = (real)eps;
  for (int r = 0; r < nruns; r++)
    for (long i = lo[r]; i < hi[r]; i++) {
      real gi = g[i];
      g[i] = 0; /* consumed: the next step accumulates from zero */
      m[i] = c1 * m[i] + d1 * gi;
      v[i] = c2 * v[i] + d2 * gi * gi;
      w[i] -= lr * m[i] / (SQRT(v[i]) + ep);
    }
}

/* Y[idx[i], :] += X[xidx[i] (or i), :] over padded rows of `out` (kern_pad)
 * lanes; with first, Y's rows are numbered by first appearance in idx and
 * that first appearance stores instead of adding (no clearing pass) */
INL void scatter(int n, int out, const real *X, int ldx, const int *xidx, const int *idx, real *Y, int ldy,
                 const int first) {
  int op = PAD(out), next = 0;
  for (int i = 0; i < n; i++) {
    real *y = Y + (size_t)idx[i] * ldy;
    const real *x = X + (size_t)(xidx ? xidx[i] : i) * ldx;
    if (first && idx[i] == next) {
      next++;
      for (int j = 0; j < op; j += KV) st(y + j, ld(x + j));
    } else {
      for (int j = 0; j < op; j += KV) st(y + j, ld(y + j) + ld(x + j));
    }
  }
}
void F(kern_scatter_add_)(int n, int out, const real *X, int ldx, const int *xidx, const int *idx, real *Y,
                          int ldy) {
  scatter(n, out, X, ldx, xidx, idx, Y, ldy, 0);
}
void F(kern_scatter_sum_)(int n, int out, const real *X, int ldx, const int *xidx, const int *idx, real *Y,
                          int ldy) {
  scatter(n, out, X, ldx, xidx, idx, Y, ldy, 1);
}

/* Wp[k, :] = W[k, :out] then zeros to ldq: whole vectors, one partial
 * (rows of whole vectors; else lane by lane) */
void F(kern_pack_)(int in, int out, const real *W, int ldw, real *Wp, int ldq) {
  int full = out / KV * KV, ol = (out + KV - 1) / KV * KV;
  for (int k = 0; k < in; k++) {
    const real *w = W + (size_t)k * ldw;
    real *p = Wp + (size_t)k * ldq;
    if (ldq % KV) {
      for (int j = 0; j < ldq; j++) p[j] = j < out ? w[j] : 0;
      continue;
    }
    for (int j = 0; j < full; j += KV) st(p + j, ld(w + j));
    if (full < out) st(p + full, ldp(w + full, out - full));
    for (int j = ol; j < ldq; j += KV) st(p + j, splat(0));
  }
}

#if KERN_FLOAT
const kern_impl_f F(kern_impl_) =
#else
const kern_impl F(kern_impl_) =
#endif
    {F(kern_dense_), F(kern_dense_dw_), F(kern_sparse_), F(kern_sparse_dw_),
                                 F(kern_softmax_back_), F(kern_exp_), F(kern_adam_),  F(kern_relu_back_),
                                 F(kern_nbr_sum_), F(kern_nbr_scatter_), F(kern_scatter_add_), F(kern_scatter_sum_),
                                 F(kern_pack_)};
