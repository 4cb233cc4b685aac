/* mkstemp, fdopen */
#define _POSIX_C_SOURCE 200809L
#include "svgplot.h"
#include "err.h"
#include <math.h>
#include <stdlib.h>
#include <zlib.h>
#include "check.h"
#include "xmlcheck.h"

/* Runs a writer into a temporary file and returns the document
 * (malloc'd), its return code in *rc and its size in *size. */
typedef int (*writer)(FILE *f, const void *arg);

static char *render(writer w, const void *arg, int *rc, long *size) {
  char path[] = "/tmp/test_svgplot_XXXXXX";
  int fd = mkstemp(path);
  FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
  if (!f) return NULL;
  *rc = w(f, arg);
  if (size) *size = ftell(f);
  fclose(f);
  char *doc = xml_slurp(path);
  remove(path);
  return doc;
}

/* Next occurrence of needle at or after p. Not strstr: under AddressSanitizer
 * its interceptor measures the whole rest of the haystack on every call,
 * which made counting in a large SVG quadratic (minutes instead of 0.2 s). */
static const char *find(const char *p, const char *needle) {
  size_t n = strlen(needle);
  for (; *p; p++)
    if (*p == needle[0] && !strncmp(p, needle, n)) return p;
  return NULL;
}

static int count(const char *s, const char *needle) {
  int k = 0;
  for (const char *p = s; (p = find(p, needle)); p += strlen(needle)) k++;
  return k;
}

/* rects in the first <g class="cells"> ... </g> */
static int cell_rects(const char *s) {
  const char *a = strstr(s, "<g class=\"cells\"");
  if (!a) return -1;
  const char *b = strstr(a, "</g>");
  int k = 0;
  for (const char *p = a; (p = find(p, "<rect")) && p < b; p++) k++;
  return k;
}

static int wellformed(const char *s) {
  char err[200];
  if (!s) return 0;
  if (xml_wellformed(s, err, sizeof err)) return 1;
  fprintf(stderr, "not well formed: %s\n", err);
  return 0;
}

/* ---- colour map ---- */

static double luma(const unsigned char c[3]) { return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]; }

static void test_colormap(void) {
  unsigned char c[3], d[3];
  colormap_viridis(0, c); /* #440154 */
  CHECK(abs(c[0] - 0x44) <= 1 && abs(c[1] - 0x01) <= 1 && abs(c[2] - 0x54) <= 1);
  CHECK(c[2] > c[0] && c[2] > c[1] && luma(c) < 60); /* dark, blue-purple */
  colormap_viridis(1, c); /* #fde725 */
  CHECK(abs(c[0] - 0xfd) <= 1 && abs(c[1] - 0xe7) <= 1 && abs(c[2] - 0x25) <= 1);
  CHECK(c[0] > 200 && c[1] > 200 && c[2] < 60); /* yellow */
  colormap_viridis(0.5, c); /* #21918c, teal */
  CHECK(abs(c[0] - 0x21) <= 2 && abs(c[1] - 0x91) <= 2 && abs(c[2] - 0x8c) <= 2);
  /* clipping */
  colormap_viridis(-3, c);
  colormap_viridis(0, d);
  CHECK(!memcmp(c, d, 3));
  colormap_viridis(7, c);
  colormap_viridis(1, d);
  CHECK(!memcmp(c, d, 3));
  colormap_viridis(NAN, c);
  colormap_viridis(0, d);
  CHECK(!memcmp(c, d, 3));
  /* viridis gets lighter all the way */
  double prev = -1;
  int rising = 1;
  for (int k = 0; k <= 100; k++) {
    colormap_viridis(k / 100.0, c);
    if (luma(c) < prev) rising = 0;
    prev = luma(c);
  }
  CHECK(rising);
}

/* ---- heatmap ---- */

static int heatmap_w(FILE *f, const void *a) { return svg_heatmap(f, a); }

static void fill_map(double *v, int nx, int ny) {
  for (int j = 0; j < ny; j++)
    for (int i = 0; i < nx; i++) /* high below ~50 C, as in Figure 5 */
      v[j * nx + i] = 1 / (1 + exp((j - ny / 2.0) / 3.0)) * (0.8 + 0.2 * i / nx);
}

static void test_heatmap(void) {
  int nx = 100, ny = 100;
  double *v = malloc(sizeof *v * nx * ny);
  fill_map(v, nx, ny);
  svg_point pts[] = {{8, 25, 1, 1}, {12, 70, 0, 1}, {10.5, 40, 1, 1}, {30, 30, 0, 1} /* off plot */};
  svg_heatmap_spec s = {nx, ny, v, 7, 14, 0, 100, "pH", "temperature (\xC2\xB0" "C)",
                        "P(success): 6-mercaptohexanoic acid / water / sodium borohydride",
                        NULL, pts, 4, 1};
  int rc;
  long size;
  char *doc = render(heatmap_w, &s, &rc, &size);
  CHECK(rc == 0);
  CHECK(wellformed(doc));
  CHECK(cell_rects(doc) == nx * ny);
  CHECK(strstr(doc, "viewBox=\"0 0 ") && strstr(doc, "width=\"") && strstr(doc, "sans-serif"));
  CHECK(strstr(doc, "temperature (\xC2\xB0" "C)") != NULL); /* UTF-8 intact */
  CHECK(strstr(doc, "P(success)</text>") != NULL);      /* colour bar label */
  CHECK(strstr(doc, ">pH</text>") != NULL);
  CHECK(strstr(doc, ">14</text>") && strstr(doc, ">7</text>")); /* pH ticks */
  CHECK(strstr(doc, "success (n=2)") && strstr(doc, "failure (n=2)"));
  /* 3 markers drawn + 2 in the legend: circles for successes */
  CHECK(count(doc, "<circle") == 2 + 1);
  CHECK(size < 700000);
  fprintf(stderr, "100x100 heatmap: %ld bytes\n", size);
  free(doc);

  /* odd shape, no points, hostile text */
  double w[7 * 5];
  for (int i = 0; i < 35; i++) w[i] = i / 34.0;
  w[3] = NAN;
  svg_heatmap_spec t = {7, 5, w, 7, 14, 10, 80, "pH <&> \"q\" 'a'", "T (\xC2\xB0" "C) & <x>",
                        "A & B <b>title</b> \"quoted\" 'single' \xC2\xB0 \x01 \xff end",
                        "P <ok> & \"sure\"", NULL, 0, 1};
  doc = render(heatmap_w, &t, &rc, NULL);
  CHECK(rc == 0);
  CHECK(wellformed(doc));
  CHECK(cell_rects(doc) == 35);
  CHECK(strstr(doc, "pH &lt;&amp;&gt; &quot;q&quot; &apos;a&apos;") != NULL);
  CHECK(strstr(doc, "T (\xC2\xB0" "C) &amp; &lt;x&gt;") != NULL);
  CHECK(strstr(doc, "\xEF\xBF\xBD") != NULL); /* the stray 0xff */
  CHECK(strchr(doc, '\x01') == NULL);
  CHECK(strstr(doc, "#999999") != NULL); /* the NaN cell */
  CHECK(strstr(doc, "<circle") == NULL);
  free(doc);

  /* a single cell, NULL labels */
  double one = 0.5;
  svg_heatmap_spec u = {1, 1, &one, 7, 7, 25, 25, NULL, NULL, NULL, NULL, NULL, 0, 1};
  doc = render(heatmap_w, &u, &rc, NULL);
  CHECK(rc == 0 && wellformed(doc) && cell_rects(doc) == 1);
  free(doc);

  /* bad specs */
  svg_heatmap_spec bad = s;
  bad.xmax = bad.xmin;
  CHECK(svg_heatmap(stdout, &bad) == AU_EDATA);
  bad = s;
  bad.values = NULL;
  CHECK(svg_heatmap(stdout, &bad) == AU_EDATA);
  free(v);
}

/* ---- 5-D grid ---- */

static int grid_w(FILE *f, const void *a) { return svg_grid5d(f, a); }

static double *grid_values(int n1, int n2, int n3, int nx, int ny) {
  size_t n = (size_t)n1 * n2 * n3 * nx * ny;
  double *v = malloc(sizeof *v * n);
  for (int i3 = 0; i3 < n3; i3++)
    for (int i2 = 0; i2 < n2; i2++)
      for (int i1 = 0; i1 < n1; i1++)
        for (int j = 0; j < ny; j++)
          for (int i = 0; i < nx; i++) {
            size_t at = ((((size_t)i3 * n2 + i2) * n1 + i1) * ny + j) * nx + i;
            v[at] = fmod(0.1 * i1 + 0.07 * i2 + 0.05 * i3, 0.5) + 0.5 * (ny - 1 - j) / ny;
          }
  return v;
}

static void test_grid5d(void) {
  double c1[10], c2[10], c3[10];
  for (int i = 0; i < 10; i++) c1[i] = 0.5 + 0.25 * i, c2[i] = 0.2 + 0.2 * i, c3[i] = 1 + 0.5 * i;
  double *v = grid_values(10, 10, 10, 10, 10);
  svg_grid5d_spec s = {10, 10, 10, c1, c2, c3, "ligand", "HAuCl\xE2\x82\x84", "NaBH\xE2\x82\x84", NULL,
                       10, 10, 7, 14, 0, 100, "pH", "temperature (\xC2\xB0" "C)", v,
                       "P(success) over ligand, HAuCl4 and NaBH4 concentrations, pH and temperature",
                       NULL, 0};
  int rc;
  long size;
  /* the default: each tiny map one embedded PNG (the small grid below checks the rects) */
  char *doc = render(grid_w, &s, &rc, &size);
  CHECK(rc == 0);
  CHECK(wellformed(doc));
  CHECK(count(doc, "<image class=\"m\"") == 1000);
  CHECK(count(doc, "width=\"1\" height=\"1\"") == 0);
  CHECK(size < 1000 * 1000);
  fprintf(stderr, "10x10x10 grid of 10x10 maps: %ld bytes\n", size);
  CHECK(strstr(doc, "NaBH\xE2\x82\x84 = 5.5 mM") != NULL); /* panel title, level 10 */
  CHECK(strstr(doc, "ligand (mM)") && strstr(doc, "HAuCl\xE2\x82\x84 (mM)"));
  CHECK(strstr(doc, "Each small map: pH from 7 to 14 left") != NULL);
  CHECK(strstr(doc, "temperature (\xC2\xB0" "C) from 0 to 100 bottom") != NULL);
  free(doc);

  /* small, uneven, with hostile names; the order of values: map of
   * (i1=1, i2=0, i3=1) is all ones, everything else zero */
  double d1[] = {1, 2}, d2[] = {0.5, 1.5, 2.5}, d3[] = {3, 4};
  int nx = 4, ny = 3;
  size_t map = (size_t)nx * ny, n = 2 * 3 * 2 * map;
  double *w = calloc(n, sizeof *w);
  for (size_t k = 0; k < map; k++) w[(((size_t)1 * 3 + 0) * 2 + 1) * map + k] = 1;
  svg_grid5d_spec t = {2, 3, 2, d1, d2, d3, "L & <x>", "Au \"1\"", "R 'b' \xC2\xB0", "\xC2\xB5M",
                       nx, ny, 7, 14, 10, 80, "pH & <p>", "T (\xC2\xB0" "C)", w, "a <title> & more", "P&", 1};
  doc = render(grid_w, &t, &rc, NULL);
  CHECK(rc == 0);
  CHECK(wellformed(doc));
  CHECK(count(doc, "<g class=\"m\"") == 12);
  CHECK(count(doc, "width=\"1\" height=\"1\"") == (int)n);
  CHECK(strstr(doc, "R &apos;b&apos; \xC2\xB0 = 4 \xC2\xB5M") != NULL);
  CHECK(strstr(doc, "L &amp; &lt;x&gt; (\xC2\xB5M)") != NULL);
  /* the 8th tiny map (panel 2, row 0, column 1) is yellow, the others dark */
  const char *p = doc;
  for (int k = 0; k < 8 && p; k++) p = strstr(p + 1, "<g class=\"m\"");
  CHECK(p != NULL);
  if (p) {
    const char *end = strstr(p, "</g>");
    CHECK(count(p, "#fde725") >= (int)map);
    CHECK(strstr(p, "#fde725") < end && strstr(p, "#440154") > end);
  }
  CHECK(count(doc, "fill=\"#fde725\"") == (int)map);
  free(doc);

  svg_grid5d_spec bad = t;
  bad.c2 = NULL;
  CHECK(svg_grid5d(stdout, &bad) == AU_EDATA);
  free(w);
  free(v);
}

/* ---- matrix ---- */

typedef struct {
  int n;
  const char *const *names;
  const double *m;
  const char *title, *label;
} matrix_args;

static int matrix_w(FILE *f, const void *a) {
  const matrix_args *x = a;
  return svg_matrix(f, x->n, x->names, x->m, x->title, x->label);
}

static void test_matrix(void) {
  const char *names[] = {"glutathione", "6-mercaptohexanoic acid", "11-mercaptoundecanoic acid",
                         "3-mercaptopropionic acid & <x> \xC2\xB0"};
  double m[16] = {0,     2.345, 2.91, 2.5,  /* */
                  2.345, 0,     0.512, 0.3333,
                  2.91,  0.512, 0,     0.75,
                  2.5,   0.3333, 0.75, 0};
  matrix_args a = {4, names, m, "Fingerprint Euclidean distance & <similarity>", "distance"};
  int rc;
  char *doc = render(matrix_w, &a, &rc, NULL);
  CHECK(rc == 0);
  CHECK(wellformed(doc));
  CHECK(cell_rects(doc) == 16);
  CHECK(count(doc, ">2.35</text>") == 2 || count(doc, ">2.34</text>") == 2);
  CHECK(count(doc, ">0.512</text>") == 2);
  CHECK(count(doc, ">0.333</text>") == 2);
  CHECK(count(doc, ">2.91</text>") == 2);
  CHECK(count(doc, ">0</text>") >= 4);
  CHECK(count(doc, ">glutathione</text>") == 2);            /* row and column */
  CHECK(count(doc, "rotate(-45") >= 4);                      /* column labels */
  CHECK(strstr(doc, "acid &amp; &lt;x&gt; \xC2\xB0") != NULL);
  CHECK(strstr(doc, "distance</text>") != NULL);
  /* contrast: the largest value sits on dark purple in white ink, zero on
   * light yellow in black */
  CHECK(strstr(doc, "fill=\"#fff\">2.91</text>") != NULL);
  CHECK(strstr(doc, "fill=\"#000\">0</text>") != NULL);
  free(doc);

  /* no names, constant values, NaN */
  double k[4] = {1, 1, 1, NAN};
  matrix_args b = {2, NULL, k, NULL, NULL};
  doc = render(matrix_w, &b, &rc, NULL);
  CHECK(rc == 0 && wellformed(doc) && cell_rects(doc) == 4);
  CHECK(strstr(doc, ">nan</text>") != NULL);
  free(doc);
  CHECK(svg_matrix(stdout, 0, NULL, m, NULL, NULL) == AU_EDATA);
}

/* ---- line plots ---- */

static int lines_w(FILE *f, const void *a) { return svg_lines(f, a); }

/* the points of the k-th <polyline> as x, y pairs; returns how many */
static int polyline_points(const char *doc, int k, double *xy, int max) {
  const char *p = doc;
  for (int i = 0; i <= k; i++) {
    p = strstr(p, "<polyline");
    if (!p) return -1;
    p++;
  }
  p = strstr(p, "points=\"") + 8;
  int n = 0;
  while (n < max && *p != '"') {
    char *e;
    xy[2 * n] = strtod(p, &e);
    xy[2 * n + 1] = strtod(e + 1, &e);
    n++;
    p = e;
    while (*p == ' ') p++;
  }
  return n;
}

static void test_lines(void) {
  double x[4] = {0, 1, 2, 3}, a[4] = {0, 1, 2, 4}, b[4] = {0, 2, 3, 3}, sd[4] = {0, 0.5, 0.5, 1};
  double pa[4] = {0.2, 0.5, 0.8, 0.9}, pb[4] = {0.2, 0.3, 0.6, 1};
  svg_series s1[2] = {{"ucb & <p>", a, sd}, {"random", b, NULL}}, s2[2] = {{"ucb & <p>", pa, sd}, {"random", pb, NULL}};
  svg_panel pn[2] = {{"successes", s1, 2, 0, NAN}, {"best p", s2, 2, 0, 1}};
  svg_lines_spec sp = {4, x, "round", pn, 2, "Discovery curves"};
  int rc;
  char *doc = render(lines_w, &sp, &rc, NULL);
  CHECK(rc == 0 && wellformed(doc));
  CHECK(count(doc, "<g class=\"series\">") == 4);
  CHECK(count(doc, "<polyline") == 4);
  CHECK(count(doc, "fill-opacity") == 2); /* bands only where given */
  CHECK(count(doc, "ucb &amp; &lt;p&gt;") == 1); /* one legend entry per series */
  CHECK(strstr(doc, ">round</text>") && strstr(doc, ">best p</text>") && strstr(doc, ">Discovery curves</text>"));
  /* whole-number x: ticks 0 1 2 3 only */
  CHECK(!strstr(doc, ">0.5</text>") && strstr(doc, ">3</text>"));
  /* the points lie on a straight map of the data: equal x steps; in panel 2
   * (0..1) y = 0.2 and 1 at 80% and 0% of the height from the top */
  double xy[8], q[8];
  CHECK(polyline_points(doc, 0, xy, 4) == 4);
  CHECK_NEAR(xy[2] - xy[0], xy[6] - xy[4], 1e-2);
  CHECK(xy[1] > xy[3] && xy[3] > xy[5] && xy[5] > xy[7]); /* rising */
  CHECK(polyline_points(doc, 3, q, 4) == 4);
  double top = q[7], bottom = q[1] + 0.2 / 0.8 * (q[1] - top); /* y(1) and y(0) */
  CHECK_NEAR((q[5] - top) / (bottom - top), 0.4, 1e-3);     /* pb[2] = 0.6 */
  free(doc);
  /* bad input */
  double bad[4] = {0, 1, NAN, 3};
  svg_series s3[1] = {{"x", bad, NULL}};
  svg_panel p3[1] = {{"y", s3, 1, NAN, NAN}};
  svg_lines_spec b3 = {4, x, "r", p3, 1, NULL};
  CHECK(svg_lines(stdout, &b3) == AU_EDATA);
  double xd[4] = {0, 2, 1, 3};
  svg_lines_spec b4 = {4, xd, "r", pn, 1, NULL};
  CHECK(svg_lines(stdout, &b4) == AU_EDATA);
  FILE *f = fopen("/dev/full", "w");
  if (f) {
    CHECK(svg_lines(f, &sp) == AU_EIO);
    fclose(f);
  }
}

/* ---- failing streams ---- */

static void test_io_errors(void) {
  double v[4] = {0, 0.3, 0.6, 1}, c[2] = {1, 2};
  svg_heatmap_spec h = {2, 2, v, 7, 14, 0, 100, "pH", "T", "t", NULL, NULL, 0, 0};
  svg_grid5d_spec g = {2, 2, 1, c, c, c, "a", "b", "c", NULL, 1, 1, 7, 7, 20, 20, "pH", "T", v, NULL, NULL, 0};
  const char *names[] = {"a", "b"};
  for (int mode = 0; mode < 2; mode++) {
    /* /dev/full fails on flush; a stream opened for reading fails at once */
    FILE *f1 = mode ? fopen("/dev/null", "r") : fopen("/dev/full", "w");
    FILE *f2 = mode ? fopen("/dev/null", "r") : fopen("/dev/full", "w");
    FILE *f3 = mode ? fopen("/dev/null", "r") : fopen("/dev/full", "w");
    CHECK(f1 && f2 && f3);
    if (!f1 || !f2 || !f3) return;
    au_errclear();
    CHECK(svg_heatmap(f1, &h) == AU_EIO);
    CHECK(au_errcode() == AU_EIO && strstr(au_errmsg(), "heatmap") && !strchr(au_errmsg(), '\n'));
    CHECK(svg_grid5d(f2, &g) == AU_EIO);
    CHECK(svg_matrix(f3, 2, names, v, "t", "d") == AU_EIO);
    fclose(f1);
    fclose(f2);
    fclose(f3);
  }
  /* a large document fails midway (4 KiB buffers fill long before the end) */
  FILE *f = fopen("/dev/full", "w");
  if (f) {
    double *w = malloc(sizeof *w * 100 * 100);
    fill_map(w, 100, 100);
    svg_heatmap_spec big = {100, 100, w, 7, 14, 0, 100, "pH", "T", NULL, NULL, NULL, 0, 1};
    CHECK(svg_heatmap(f, &big) == AU_EIO);
    fclose(f);
    free(w);
  }
}


/* ---- raster maps: the embedded PNG, decoded here ---- */

/* CRC-32 (ISO 3309, as PNG uses it), bit by bit: independent of zlib's table. */
static unsigned long crc_bitwise(const unsigned char *p, size_t n) {
  unsigned long c = 0xffffffffUL;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320UL ^ (c >> 1) : c >> 1;
  }
  return c ^ 0xffffffffUL;
}

static int b64v(int ch) {
  const char *A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const char *q = ch ? strchr(A, ch) : NULL;
  return q ? (int)(q - A) : -1;
}

/* Decodes base64 up to the closing quote; returns the byte count or -1. */
static long b64decode(const char *s, unsigned char *out, long cap) {
  long n = 0;
  int acc = 0, bits = 0;
  for (; *s && *s != '"'; s++) {
    if (*s == '=') continue;
    int v = b64v(*s);
    if (v < 0) return -1;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n >= cap) return -1;
      out[n++] = (unsigned char)(acc >> bits);
      acc &= (1 << bits) - 1;
    }
  }
  return n;
}

static unsigned long be32(const unsigned char *p) {
  return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

static void test_raster(void) {
  enum { NX = 3, NY = 2 };
  double v[NX * NY] = {0, 0.25, 0.5, 0.75, 1, NAN}; /* row j = 0 (lowest y) first */
  svg_heatmap_spec s = {NX, NY, v, 7, 14, 0, 80, "pH", "T", "raster", NULL, NULL, 0, 0};
  int rc;
  char *doc = render(heatmap_w, &s, &rc, NULL);
  CHECK(rc == 0 && wellformed(doc));
  CHECK(count(doc, "<image class=\"cells\"") == 1 && cell_rects(doc) == -1); /* no rect group */
  const char *b = doc ? strstr(doc, "href=\"data:image/png;base64,") : NULL;
  CHECK(b != NULL);
  if (!b) { free(doc); return; }
  static unsigned char png[4096];
  long n = b64decode(b + strlen("href=\"data:image/png;base64,"), png, sizeof png);
  CHECK(n > 8 + 25 + 12 + 12);
  static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  CHECK(n > 8 && !memcmp(png, sig, 8));
  /* chunks: IHDR, IDAT, IEND, each CRC right */
  const char *want[3] = {"IHDR", "IDAT", "IEND"};
  long at = 8;
  unsigned char *idat = NULL;
  unsigned long idat_n = 0;
  for (int k = 0; k < 3 && at + 12 <= n; k++) {
    unsigned long len = be32(png + at);
    CHECK(!memcmp(png + at + 4, want[k], 4));
    CHECK(at + 12 + (long)len <= n && be32(png + at + 8 + len) == crc_bitwise(png + at + 4, len + 4));
    if (k == 0) {
      CHECK(len == 13 && be32(png + at + 8) == NX && be32(png + at + 12) == NY);
      CHECK(png[at + 16] == 8 && png[at + 17] == 2 && png[at + 20] == 0); /* 8-bit RGB, no interlace */
    }
    if (k == 1) { idat = png + at + 8; idat_n = len; }
    at += 12 + (long)len;
  }
  CHECK(at == n);
  /* pixels: top row = highest y, viridis of each value, NaN grey */
  unsigned char raw[NY * (1 + 3 * NX)];
  uLongf rn = sizeof raw;
  CHECK(idat && uncompress(raw, &rn, idat, idat_n) == Z_OK && rn == sizeof raw);
  int same = 1;
  for (int r = 0; r < NY; r++) {
    same &= raw[r * (1 + 3 * NX)] == 0; /* filter: none */
    for (int i = 0; i < NX; i++) {
      double t = v[(NY - 1 - r) * NX + i];
      unsigned char c[3] = {0x99, 0x99, 0x99};
      if (!isnan(t)) colormap_viridis(t, c);
      same &= !memcmp(raw + r * (1 + 3 * NX) + 1 + 3 * i, c, 3);
    }
  }
  CHECK(same);
  free(doc);
  /* a 100 x 100 map in well under 100 kB */
  double *w = malloc(sizeof *w * 10000);
  fill_map(w, 100, 100);
  svg_heatmap_spec big = {100, 100, w, 7, 14, 0, 100, "pH", "T", NULL, NULL, NULL, 0, 0};
  long size;
  doc = render(heatmap_w, &big, &rc, &size);
  CHECK(rc == 0 && size < 100000);
  fprintf(stderr, "100x100 raster heatmap: %ld bytes\n", size);
  free(doc);
  free(w);
}

int main(void) {
  test_colormap();
  test_heatmap();
  test_grid5d();
  test_matrix();
  test_lines();
  test_io_errors();
  test_raster();
  return check_report();
}
