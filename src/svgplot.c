#include "svgplot.h"
#include "err.h"
#include "png.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Layout is computed in whole pixels where it can be, so that %.4g prints
 * exact coordinates and the gaps between cells stay even. */
#define FONT 12    /* base font size, px */
#define TICK_FONT 11
#define TITLE_FONT 14
#define CHAR_W 0.6 /* average glyph width of a sans-serif font, em */
#define NAN_FILL "#999999"
#define GRAD_ID "aucbar"

/* ---- colour -------------------------------------------------------------- */

/* matplotlib's viridis (_cm_listed.py) at t = k/16 */
static const double VIRIDIS[17][3] = {
    {0.267004, 0.004874, 0.329415}, {0.282327, 0.094955, 0.417331},
    {0.278826, 0.175490, 0.483397}, {0.258965, 0.251537, 0.524736},
    {0.229739, 0.322361, 0.545706}, {0.199430, 0.387607, 0.554642},
    {0.172719, 0.448791, 0.557885}, {0.149039, 0.508051, 0.557250},
    {0.128149, 0.565107, 0.550893}, {0.120081, 0.622161, 0.534946},
    {0.153894, 0.680203, 0.504172}, {0.239374, 0.735588, 0.455688},
    {0.360741, 0.785964, 0.387814}, {0.506271, 0.828786, 0.300362},
    {0.668054, 0.861999, 0.196293}, {0.835270, 0.886029, 0.102646},
    {0.993248, 0.906157, 0.143936}};

void colormap_viridis(double t, unsigned char rgb[3]) {
  if (!(t > 0)) t = 0; /* NaN too */
  if (t > 1) t = 1;
  double x = t * 16;
  int k = (int)x;
  if (k > 15) k = 15;
  double w = x - k;
  for (int c = 0; c < 3; c++) {
    double v = VIRIDIS[k][c] + w * (VIRIDIS[k + 1][c] - VIRIDIS[k][c]);
    rgb[c] = (unsigned char)lround(v * 255);
  }
}

/* "#rrggbb" for t in [0,1] (reversed: 1 - t), NaN_FILL for NaN */
static void fill_hex(double t, int reversed, char out[8]) {
  unsigned char c[3];
  if (isnan(t)) {
    memcpy(out, NAN_FILL, 8);
    return;
  }
  colormap_viridis(reversed ? 1 - t : t, c);
  snprintf(out, 8, "#%02x%02x%02x", c[0], c[1], c[2]);
}

/* black or white, whichever reads better on the fill of t */
static const char *ink_on(double t, int reversed) {
  unsigned char c[3];
  if (isnan(t)) return "#000";
  colormap_viridis(reversed ? 1 - t : t, c);
  return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2] > 140 ? "#000" : "#fff";
}

/* ---- text ---------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid or
 * a character XML forbids (surrogates, U+FFFE, U+FFFF). */
static int utf8_seq(const unsigned char *s, size_t n) {
  int len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : 2;
  if (s[0] < 0xC2 || s[0] > 0xF4 || (size_t)len > n) return 0;
  for (int i = 1; i < len; i++)
    if ((s[i] & 0xC0) != 0x80) return 0;
  if (s[0] == 0xE0 && s[1] < 0xA0) return 0; /* overlong */
  if (s[0] == 0xED && s[1] > 0x9F) return 0; /* surrogate */
  if (s[0] == 0xEF && s[1] == 0xBF && s[2] >= 0xBE) return 0;
  if (s[0] == 0xF0 && s[1] < 0x90) return 0; /* overlong */
  if (s[0] == 0xF4 && s[1] > 0x8F) return 0; /* past U+10FFFF */
  return len;
}

/* Writes n bytes of s as XML character data: markup characters escaped,
 * control characters as spaces, invalid UTF-8 as U+FFFD. */
static void put_esc(FILE *f, const char *s, size_t n) {
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; i < n;) {
    unsigned char c = u[i];
    if (c >= 0x80) {
      int len = utf8_seq(u + i, n - i);
      if (len) fwrite(u + i, 1, len, f);
      else fputs("\xEF\xBF\xBD", f);
      i += len ? len : 1;
      continue;
    }
    switch (c) {
    case '&': fputs("&amp;", f); break;
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '"': fputs("&quot;", f); break;
    case '\'': fputs("&apos;", f); break;
    default: fputc(c < 0x20 || c == 0x7F ? ' ' : c, f);
    }
    i++;
  }
}

void svg_put_text(FILE *f, const char *s) { put_esc(f, s, strlen(s)); }

/* characters (code points) in n bytes of s */
static int u8chars(const char *s, size_t n) {
  int k = 0;
  for (size_t i = 0; i < n; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80) k++;
  return k;
}

int svg_text_chars(const char *s) { return u8chars(s, strlen(s)); }

/* estimated width in px of s at font size fs */
static double text_w(const char *s, double fs) {
  return s ? u8chars(s, strlen(s)) * fs * CHAR_W : 0;
}

/* <text> at (x, y); attrs are our own attributes, s is caller text */
static void put_text_n(FILE *f, double x, double y, const char *attrs,
                       const char *s, size_t n) {
  fprintf(f, "<text x=\"%.4g\" y=\"%.4g\"%s>", x, y, attrs ? attrs : "");
  put_esc(f, s, n);
  fputs("</text>\n", f);
}

static void put_text(FILE *f, double x, double y, const char *attrs, const char *s) {
  if (s && *s) put_text_n(f, x, y, attrs, s, strlen(s));
}

/* Text rotated to read bottom to top, centred on (x, y); its glyphs lie to
 * the left of x. */
static void put_vtext(FILE *f, double x, double y, const char *s) {
  char attrs[96];
  snprintf(attrs, sizeof attrs, " text-anchor=\"middle\" transform=\"rotate(-90 %.4g %.4g)\"", x, y);
  put_text(f, x, y, attrs, s);
}

#define MAX_LINES 8

/* Splits s at spaces into at most MAX_LINES lines of at most maxc
 * characters (a longer word keeps a line of its own; the last line takes
 * whatever is left). Returns the number of lines. */
static int wrap(const char *s, int maxc, size_t start[], size_t len[]) {
  int nl = 0, chars = 0;
  size_t i = 0;
  if (!s) return 0;
  for (;;) {
    while (s[i] == ' ') i++;
    if (!s[i]) break;
    size_t w0 = i;
    while (s[i] && s[i] != ' ') i++;
    int wc = u8chars(s + w0, i - w0);
    if (nl && (chars + 1 + wc <= maxc || nl == MAX_LINES)) {
      len[nl - 1] = i - start[nl - 1];
      chars += 1 + wc;
    } else {
      start[nl] = w0;
      len[nl] = i - w0;
      chars = wc;
      nl++;
    }
  }
  return nl;
}

/* Centred lines of a wrapped title from baseline y. */
static void put_title(FILE *f, const char *title, double cx, double y, double width) {
  size_t st[MAX_LINES], ln[MAX_LINES];
  int maxc = (int)(width / (TITLE_FONT * CHAR_W));
  int n = wrap(title, maxc > 10 ? maxc : 10, st, ln);
  for (int i = 0; i < n; i++)
    put_text_n(f, cx, y + i * (TITLE_FONT + 4),
               " text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\"",
               title + st[i], ln[i]);
}

static int title_lines(const char *title, double width) {
  size_t st[MAX_LINES], ln[MAX_LINES];
  int maxc = (int)(width / (TITLE_FONT * CHAR_W));
  return wrap(title, maxc > 10 ? maxc : 10, st, ln);
}

/* ---- numbers and ticks --------------------------------------------------- */

#define MAX_TICKS 32

/* Ticks at multiples of a 1-2-5 step, about target of them in [lo, hi]. */
static int nice_ticks(double lo, double hi, int target, double t[MAX_TICKS]) {
  if (!(hi > lo)) {
    t[0] = lo;
    return 1;
  }
  double raw = (hi - lo) / (target > 1 ? target : 1);
  double mag = pow(10, floor(log10(raw))), fr = raw / mag;
  double step = (fr < 1.5 ? 1 : fr < 3 ? 2 : fr < 7 ? 5 : 10) * mag;
  int n = 0;
  for (double k = ceil(lo / step - 1e-9); n < MAX_TICKS; k++) {
    double v = k * step;
    if (v > hi + step * 1e-9) break;
    t[n++] = fabs(v) < step * 1e-9 ? 0 : v; /* no "-0" or 1e-17 */
  }
  return n;
}

/* tick label: short, and free of float noise such as 0.30000000000000004 */
static void tick_label(char *buf, size_t n, double v) { snprintf(buf, n, "%.6g", v); }

static double ticks_w(const double *t, int n, double fs) {
  double w = 0;
  char b[32];
  for (int i = 0; i < n; i++) {
    tick_label(b, sizeof b, t[i]);
    if (text_w(b, fs) > w) w = text_w(b, fs);
  }
  return w;
}

/* ---- document ------------------------------------------------------------ */

static void svg_open(FILE *f, int w, int h) {
  fprintf(f,
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
          "viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans,Arial,Helvetica,sans-serif\" "
          "font-size=\"%d\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
          w, h, w, h, FONT);
}

/* Ends the document; a full disk or closed stream shows up here. */
static int svg_close(FILE *f, const char *what) {
  fputs("</svg>\n", f);
  errno = 0;
  if (fflush(f) != 0 || ferror(f))
    return au_fail(AU_EIO, "cannot write the %s SVG: %s", what,
                   errno ? strerror(errno) : "stream error");
  return 0;
}

/* ---- colour bar ---------------------------------------------------------- */

typedef struct {
  double vmin, vmax;
  int reversed;
  const char *label;
} cbar;

#define CBAR_W 16
#define CBAR_GAP 24 /* from the plot */

/* width the colour bar needs, from its left edge */
static int cbar_width(const cbar *c) {
  double t[MAX_TICKS];
  int n = nice_ticks(c->vmin, c->vmax, 5, t);
  return CBAR_W + 7 + (int)ceil(ticks_w(t, n, TICK_FONT)) + 8 + FONT + 8;
}

/* A vertical bar at (x, y), h tall: vmin at the bottom, ticks and their
 * labels on the right, then the label reading upwards. The gradient's stops
 * are the colour map's own anchors, so bar and cells agree. */
static void put_cbar(FILE *f, const cbar *c, double x, double y, double h) {
  unsigned char rgb[3];
  fprintf(f, "<defs><linearGradient id=\"" GRAD_ID "\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">");
  for (int k = 0; k <= 16; k++) {
    colormap_viridis(c->reversed ? 1 - k / 16.0 : k / 16.0, rgb);
    fprintf(f, "<stop offset=\"%.4g\" stop-color=\"#%02x%02x%02x\"/>", k / 16.0, rgb[0], rgb[1], rgb[2]);
  }
  fputs("</linearGradient></defs>\n", f);
  fprintf(f, "<rect x=\"%.4g\" y=\"%.4g\" width=\"%d\" height=\"%.4g\" fill=\"url(#" GRAD_ID ")\" stroke=\"#000\"/>\n",
          x, y, CBAR_W, h);
  double t[MAX_TICKS];
  int n = nice_ticks(c->vmin, c->vmax, 5, t);
  double span = c->vmax > c->vmin ? c->vmax - c->vmin : 1;
  fputs("<path stroke=\"#000\" d=\"", f);
  for (int i = 0; i < n; i++)
    fprintf(f, "M%.4g %.4gh4", x + CBAR_W, y + h - (t[i] - c->vmin) / span * h);
  fputs("\"/>\n", f);
  char b[32];
  for (int i = 0; i < n; i++) {
    tick_label(b, sizeof b, t[i]);
    put_text(f, x + CBAR_W + 7, y + h - (t[i] - c->vmin) / span * h,
             " dy=\"0.35em\" font-size=\"11\"", b);
  }
  double lx = x + CBAR_W + 7 + ceil(ticks_w(t, n, TICK_FONT)) + 8 + FONT;
  put_vtext(f, lx, y + h / 2, c->label ? c->label : "P(success)");
}

/* ---- axes ---------------------------------------------------------------- */

/* data extent of n samples from lo to hi: half a cell beyond each end */
static void extent(int n, double lo, double hi, double *e0, double *e1) {
  double half = n > 1 ? (hi - lo) / (n - 1) / 2 : 0.5;
  *e0 = lo - half;
  *e1 = (n > 1 ? hi : lo) + half;
}

typedef struct {
  double x0, y0, w, h;     /* plot area, px */
  double ex0, ex1, ey0, ey1; /* data extent */
} frame;

static double px(const frame *fr, double x) { return fr->x0 + (x - fr->ex0) / (fr->ex1 - fr->ex0) * fr->w; }
static double py(const frame *fr, double y) { return fr->y0 + fr->h - (y - fr->ey0) / (fr->ey1 - fr->ey0) * fr->h; }

/* Frame, outward ticks and their labels on the bottom and left edges. */
static void put_axes(FILE *f, const frame *fr, const double *xt, int nxt,
                     const double *yt, int nyt) {
  char b[32];
  fprintf(f, "<rect x=\"%.4g\" y=\"%.4g\" width=\"%.4g\" height=\"%.4g\" fill=\"none\" stroke=\"#000\"/>\n",
          fr->x0, fr->y0, fr->w, fr->h);
  fputs("<path stroke=\"#000\" d=\"", f);
  for (int i = 0; i < nxt; i++) fprintf(f, "M%.4g %.4gv5", px(fr, xt[i]), fr->y0 + fr->h);
  for (int i = 0; i < nyt; i++) fprintf(f, "M%.4g %.4gh-5", fr->x0, py(fr, yt[i]));
  fputs("\"/>\n", f);
  for (int i = 0; i < nxt; i++) {
    tick_label(b, sizeof b, xt[i]);
    put_text(f, px(fr, xt[i]), fr->y0 + fr->h + 18, " text-anchor=\"middle\" font-size=\"11\"", b);
  }
  for (int i = 0; i < nyt; i++) {
    tick_label(b, sizeof b, yt[i]);
    put_text(f, fr->x0 - 8, py(fr, yt[i]), " text-anchor=\"end\" dy=\"0.35em\" font-size=\"11\"", b);
  }
}

/* ---- cells --------------------------------------------------------------- */

/* nx*ny unit rects of one map, row j = 0 at the bottom; the caller's
 * transform scales them. One line per row keeps the file diffable. */
static void put_cells(FILE *f, int nx, int ny, const double *v) {
  char hex[8];
  for (int j = ny - 1; j >= 0; j--) {
    for (int i = 0; i < nx; i++) {
      fill_hex(v[(size_t)j * nx + i], 0, hex);
      fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"1\" height=\"1\" fill=\"%s\"/>", i, ny - 1 - j, hex);
    }
    fputc('\n', f);
  }
}

/* The same map as one embedded PNG (a pixel per value, the top row = the
 * highest y) stretched over the plot area: far smaller than one rect per
 * value, and every viewer draws it (pixelated, not smoothed). */
static void put_raster(FILE *f, const char *cls, double x, double y, double w, double h, int nx, int ny,
                       const double *v) {
  unsigned char *rgb = xmalloc((size_t)nx * ny * 3), *png;
  for (int j = 0; j < ny; j++)
    for (int i = 0; i < nx; i++) {
      unsigned char *p = rgb + ((size_t)(ny - 1 - j) * nx + i) * 3;
      double t = v[(size_t)j * nx + i];
      if (isnan(t)) p[0] = p[1] = p[2] = 0x99; /* NAN_FILL */
      else colormap_viridis(t, p);
    }
  size_t n;
  if (png_encode_rgb(rgb, nx, ny, &png, &n)) { free(rgb); return; } /* the stream check reports nothing; an OOM exits */
  fprintf(f, "<image class=\"%s\" x=\"%.4g\" y=\"%.4g\" width=\"%.4g\" height=\"%.4g\" preserveAspectRatio=\"none\" "
             "style=\"image-rendering:pixelated\" href=\"data:image/png;base64,",
          cls, x, y, w, h);
  base64_put(f, png, n);
  fputs("\"/>\n", f);
  free(png);
  free(rgb);
}

static int bad_range(int n, double lo, double hi) {
  return !isfinite(lo) || !isfinite(hi) || (n > 1 && !(hi > lo));
}

/* ---- heatmap ------------------------------------------------------------- */

#define HM_PLOT 400

static void put_marker(FILE *f, double x, double y, int success) {
  if (success) {
    fprintf(f, "<circle cx=\"%.4g\" cy=\"%.4g\" r=\"4\" fill=\"#fff\" stroke=\"#000\"/>\n", x, y);
    return;
  }
  /* a white halo keeps the black cross visible on dark cells */
  fprintf(f, "<path d=\"M%.4g %.4gl8 8m0-8l-8 8\" stroke=\"#fff\" stroke-width=\"3.5\"/>", x - 4, y - 4);
  fprintf(f, "<path d=\"M%.4g %.4gl8 8m0-8l-8 8\" stroke=\"#000\" stroke-width=\"1.5\"/>\n", x - 4, y - 4);
}

static void put_points(FILE *f, const frame *fr, const svg_point *p, int n) {
  fputs("<g class=\"points\">\n", f);
  for (int i = 0; i < n; i++) {
    if (!(p[i].x >= fr->ex0 && p[i].x <= fr->ex1 && p[i].y >= fr->ey0 && p[i].y <= fr->ey1))
      continue;
    double x = px(fr, p[i].x), y = py(fr, p[i].y);
    put_marker(f, x, y, p[i].cls != 0);
    if (p[i].count > 1) { /* successes label above, failures below: both can share a point */
      char b[32];
      snprintf(b, sizeof b, "%d%s", p[i].count, p[i].cls ? "\xE2\x97\x8B" : "\xC3\x97");
      put_text(f, x + 6, p[i].cls ? y - 5 : y + 13,
               " font-size=\"11\" font-weight=\"bold\" fill=\"#fff\" stroke=\"#000\" stroke-width=\"2.5\" "
               "paint-order=\"stroke\" class=\"count\"", b);
    }
  }
  fputs("</g>\n", f);
}

/* "○ success (n=…)   × failure (n=…)" centred at (cx, y) */
static void put_legend(FILE *f, double cx, double y, const svg_point *p, int n) {
  int ns = 0, nf = 0;
  for (int i = 0; i < n; i++) {
    int c = p[i].count > 1 ? p[i].count : 1;
    if (p[i].cls) ns += c;
    else nf += c;
  }
  char a[48], b[48];
  snprintf(a, sizeof a, "success (n=%d)", ns);
  snprintf(b, sizeof b, "failure (n=%d)", nf);
  double wa = text_w(a, FONT), wb = text_w(b, FONT);
  double x = cx - (wa + wb + 50) / 2;
  fputs("<g class=\"legend\">\n", f);
  put_marker(f, x + 5, y - 4, 1);
  put_text(f, x + 14, y, NULL, a);
  put_marker(f, x + wa + 35, y - 4, 0);
  put_text(f, x + wa + 44, y, NULL, b);
  fputs("</g>\n", f);
}

static int heatmap_check(const svg_heatmap_spec *s) {
  if (!s || s->nx < 1 || s->ny < 1 || !s->values)
    return au_fail(AU_EDATA, "heatmap: need nx, ny >= 1 and values");
  if (bad_range(s->nx, s->xmin, s->xmax) || bad_range(s->ny, s->ymin, s->ymax))
    return au_fail(AU_EDATA, "heatmap: x and y ranges must be finite with max > min");
  if (s->npoints < 0 || (s->npoints > 0 && !s->points))
    return au_fail(AU_EDATA, "heatmap: %d points but no point array", s->npoints);
  return 0;
}

int svg_heatmap(FILE *f, const svg_heatmap_spec *s) {
  int rc = heatmap_check(s);
  if (rc) return rc;
  frame fr = {0, 0, HM_PLOT, HM_PLOT, 0, 0, 0, 0};
  extent(s->nx, s->xmin, s->xmax, &fr.ex0, &fr.ex1);
  extent(s->ny, s->ymin, s->ymax, &fr.ey0, &fr.ey1);
  double xt[MAX_TICKS], yt[MAX_TICKS];
  int nxt = nice_ticks(fr.ex0, fr.ex1, 7, xt), nyt = nice_ticks(fr.ey0, fr.ey1, 7, yt);
  cbar cb = {0, 1, 0, s->cbar_label};
  /* left: y label, tick labels, ticks; right: colour bar */
  fr.x0 = 16 + FONT + 10 + (int)ceil(ticks_w(yt, nyt, TICK_FONT)) + 8;
  int width = (int)fr.x0 + HM_PLOT + CBAR_GAP + cbar_width(&cb) + 10;
  int tl = title_lines(s->title, width - 20);
  fr.y0 = tl ? 22 + tl * (TITLE_FONT + 4) : 20;
  int legend = s->npoints > 0;
  int height = (int)fr.y0 + HM_PLOT + 44 + (legend ? 26 : 0) + 12;

  svg_open(f, width, height);
  put_title(f, s->title, width / 2.0, 12 + TITLE_FONT, width - 20);
  if (s->vector) {
    fprintf(f, "<g class=\"cells\" transform=\"translate(%.4g %.4g) scale(%.6g %.6g)\" shape-rendering=\"crispEdges\">\n",
            fr.x0, fr.y0, fr.w / s->nx, fr.h / s->ny);
    put_cells(f, s->nx, s->ny, s->values);
    fputs("</g>\n", f);
  } else {
    put_raster(f, "cells", fr.x0, fr.y0, fr.w, fr.h, s->nx, s->ny, s->values);
  }
  put_axes(f, &fr, xt, nxt, yt, nyt);
  put_text(f, fr.x0 + fr.w / 2, fr.y0 + fr.h + 38, " text-anchor=\"middle\"", s->xlabel);
  put_vtext(f, 16 + FONT, fr.y0 + fr.h / 2, s->ylabel);
  put_cbar(f, &cb, fr.x0 + fr.w + CBAR_GAP, fr.y0, fr.h);
  if (s->npoints > 0) {
    put_points(f, &fr, s->points, s->npoints);
    put_legend(f, fr.x0 + fr.w / 2, fr.y0 + fr.h + 64, s->points, s->npoints);
  }
  return svg_close(f, "heatmap");
}

/* ---- 5-D grid ------------------------------------------------------------ */

/* Per-panel geometry, all whole pixels. */
typedef struct {
  int tile, pitch;     /* tiny map side and tiny map + gap */
  int left, bottom;    /* room for tick labels and axis names */
  int w, h;            /* whole panel, its title included */
  int rotate_x;        /* x tick labels rotated to fit */
} g5_layout;

#define G5_GAP 4
#define G5_FONT 9 /* tick labels */
#define G5_TITLE 20

static double levels_w(const double *c, int n, double fs) {
  double w = 0;
  char b[32];
  for (int i = 0; i < n; i++) {
    snprintf(b, sizeof b, "%.3g", c[i]);
    if (text_w(b, fs) > w) w = text_w(b, fs);
  }
  return w;
}

/* "<name> (<unit>)" for a panel axis */
static void g5_axis_name(char *b, size_t n, const char *name, const char *dflt, const char *unit) {
  snprintf(b, n, "%s (%s)", name ? name : dflt, unit);
}

/* "<c3 name> = <level> <unit>" for a panel title */
static void g5_panel_title(char *b, size_t n, const svg_grid5d_spec *s, int i3) {
  snprintf(b, n, "%s = %.3g %s", s->c3_name ? s->c3_name : "c3", s->c3[i3], s->unit ? s->unit : "mM");
}

static g5_layout g5_plan(const svg_grid5d_spec *s) {
  g5_layout L;
  const char *unit = s->unit ? s->unit : "mM";
  char b[512];
  int side = (s->nx > s->ny ? s->nx : s->ny) * 12 / 5; /* ~2.4 px a cell */
  L.tile = side < 16 ? 16 : side > 40 ? 40 : side;
  L.pitch = L.tile + G5_GAP;
  /* few levels: grow the tiny maps until the axis names and the panel
   * title fit along the grid instead of running into the next panel */
  double need_x = 0, need_y;
  for (int i3 = 0; i3 < s->n3; i3++) {
    g5_panel_title(b, sizeof b, s, i3);
    if (text_w(b, FONT) * 1.15 > need_x) need_x = text_w(b, FONT) * 1.15; /* bold */
  }
  g5_axis_name(b, sizeof b, s->c1_name, "c1", unit);
  if (text_w(b, FONT) > need_x) need_x = text_w(b, FONT);
  g5_axis_name(b, sizeof b, s->c2_name, "c2", unit);
  need_y = text_w(b, FONT) + 8;
  int px = (int)ceil(need_x / s->n1), py = (int)ceil(need_y / s->n2);
  if (px > L.pitch) L.pitch = px;
  if (py > L.pitch) L.pitch = py;
  L.tile = L.pitch - G5_GAP;
  double xw = levels_w(s->c1, s->n1, G5_FONT);
  L.rotate_x = xw > L.pitch - 2;
  int xlab = L.rotate_x ? (int)ceil(xw * 0.71) + G5_FONT : G5_FONT + 4;
  L.bottom = 6 + xlab + 6 + FONT + 6;
  L.left = 6 + FONT + 8 + (int)ceil(levels_w(s->c2, s->n2, G5_FONT)) + 6;
  L.w = L.left + s->n1 * L.pitch + 16;
  L.h = G5_TITLE + s->n2 * L.pitch + L.bottom;
  return L;
}

/* One panel: level i3 of c3, its n1 x n2 tiny maps, ticks and names. */
static void g5_panel(FILE *f, const svg_grid5d_spec *s, const g5_layout *L,
                     int i3, int ox, int oy) {
  const char *unit = s->unit ? s->unit : "mM";
  char b[512];
  int gx = ox + L->left, gy = oy + G5_TITLE; /* top left of the grid */
  int gw = s->n1 * L->pitch, gh = s->n2 * L->pitch;
  g5_panel_title(b, sizeof b, s, i3);
  put_text(f, gx + gw / 2.0, oy + 14, " text-anchor=\"middle\" font-weight=\"bold\"", b);

  size_t map = (size_t)s->nx * s->ny;
  double sx = (double)L->tile / s->nx, sy = (double)L->tile / s->ny;
  fputs("<g shape-rendering=\"crispEdges\">\n", f);
  for (int i2 = 0; i2 < s->n2 && !ferror(f); i2++)
    for (int i1 = 0; i1 < s->n1; i1++) {
      size_t at = (((size_t)i3 * s->n2 + i2) * s->n1 + i1) * map;
      int x = gx + i1 * L->pitch + G5_GAP / 2;
      int y = gy + (s->n2 - 1 - i2) * L->pitch + G5_GAP / 2;
      if (s->vector) {
        fprintf(f, "<g class=\"m\" transform=\"translate(%d %d) scale(%.6g %.6g)\">\n", x, y, sx, sy);
        put_cells(f, s->nx, s->ny, s->values + at);
        fputs("</g>\n", f);
      } else {
        put_raster(f, "m", x, y, L->tile, L->tile, s->nx, s->ny, s->values + at);
      }
    }
  fputs("</g>\n", f);

  /* axes: bottom and left lines with a tick at each level */
  fprintf(f, "<path stroke=\"#444\" fill=\"none\" d=\"M%d %dV%dH%d", gx, gy, gy + gh, gx + gw);
  for (int i1 = 0; i1 < s->n1; i1++) fprintf(f, "M%d %dv4", gx + i1 * L->pitch + L->pitch / 2, gy + gh);
  for (int i2 = 0; i2 < s->n2; i2++) fprintf(f, "M%d %dh-4", gx, gy + gh - i2 * L->pitch - L->pitch / 2);
  fputs("\"/>\n", f);
  for (int i1 = 0; i1 < s->n1; i1++) {
    int x = gx + i1 * L->pitch + L->pitch / 2, y = gy + gh + 6 + G5_FONT;
    snprintf(b, sizeof b, "%.3g", s->c1[i1]);
    char attrs[96];
    if (L->rotate_x)
      snprintf(attrs, sizeof attrs, " text-anchor=\"end\" font-size=\"9\" transform=\"rotate(-45 %d %d)\"", x, y - 4);
    else
      snprintf(attrs, sizeof attrs, " text-anchor=\"middle\" font-size=\"9\"");
    put_text(f, x, L->rotate_x ? y - 4 : y, attrs, b);
  }
  for (int i2 = 0; i2 < s->n2; i2++) {
    snprintf(b, sizeof b, "%.3g", s->c2[i2]);
    put_text(f, gx - 6, gy + gh - i2 * L->pitch - L->pitch / 2.0,
             " text-anchor=\"end\" dy=\"0.35em\" font-size=\"9\"", b);
  }
  g5_axis_name(b, sizeof b, s->c1_name, "c1", unit);
  put_text(f, gx + gw / 2.0, oy + L->h - 8, " text-anchor=\"middle\"", b);
  g5_axis_name(b, sizeof b, s->c2_name, "c2", unit);
  put_vtext(f, ox + 6 + FONT, gy + gh / 2.0, b);
}

/* A blank tiny map with its axes named and ranged: the key to reading the
 * small maps. */
#define KEY_SIDE 80
#define KEY_H (30 + KEY_SIDE + 30)
static void g5_key(FILE *f, const svg_grid5d_spec *s, int x, int y) {
  char b[32];
  put_text(f, x, y + 12, " font-weight=\"bold\"", "each small map:");
  int bx = x + 30, by = y + 30, k = KEY_SIDE;
  fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#eee\" stroke=\"#000\"/>\n",
          bx, by, k, k);
  /* arrows along x and up y from the bottom left corner */
  fprintf(f, "<path stroke=\"#000\" fill=\"none\" d=\"M%d %dh%dl-5-3m5 3l-5 3M%d %dv%dl-3 5m3-5l3 5\"/>\n",
          bx + 8, by + k - 8, k - 16, bx + 8, by + k - 8, -(k - 16));
  tick_label(b, sizeof b, s->xmin);
  put_text(f, bx, by + k + 12, " text-anchor=\"middle\" font-size=\"10\"", b);
  tick_label(b, sizeof b, s->nx > 1 ? s->xmax : s->xmin);
  put_text(f, bx + k, by + k + 12, " text-anchor=\"middle\" font-size=\"10\"", b);
  put_text(f, bx + k / 2.0, by + k + 26, " text-anchor=\"middle\" font-size=\"10\"", s->xlabel);
  tick_label(b, sizeof b, s->ymin);
  put_text(f, bx - 4, by + k, " text-anchor=\"end\" font-size=\"10\"", b);
  tick_label(b, sizeof b, s->ny > 1 ? s->ymax : s->ymin);
  put_text(f, bx - 4, by + 8, " text-anchor=\"end\" font-size=\"10\"", b);
  fprintf(f, "<g font-size=\"10\">");
  put_vtext(f, bx + k + 16, by + k / 2.0, s->ylabel);
  fputs("</g>\n", f);
}

/* The note spelling out the tiny maps' axes (xmalloc'd). */
static char *g5_note_text(const svg_grid5d_spec *s) {
  char a[32], b[32], c[32], d[32];
  tick_label(a, sizeof a, s->xmin);
  tick_label(b, sizeof b, s->nx > 1 ? s->xmax : s->xmin);
  tick_label(c, sizeof c, s->ymin);
  tick_label(d, sizeof d, s->ny > 1 ? s->ymax : s->ymin);
  const char *xl = s->xlabel ? s->xlabel : "x", *yl = s->ylabel ? s->ylabel : "y";
  size_t n = strlen(xl) + strlen(yl) + 256;
  char *note = xmalloc(n);
  snprintf(note, n,
           "Each small map: %s from %s to %s left \xE2\x86\x92 right, %s from %s to %s "
           "bottom \xE2\x86\x92 top; its centre is at the concentrations of its place "
           "in the panel.", xl, a, b, yl, c, d);
  return note;
}

static int g5_check(const svg_grid5d_spec *s) {
  if (!s || s->n1 < 1 || s->n2 < 1 || s->n3 < 1 || s->nx < 1 || s->ny < 1)
    return au_fail(AU_EDATA, "5-D grid: every level count and map size must be >= 1");
  if (!s->c1 || !s->c2 || !s->c3 || !s->values)
    return au_fail(AU_EDATA, "5-D grid: level values and map values are required");
  if (bad_range(s->nx, s->xmin, s->xmax) || bad_range(s->ny, s->ymin, s->ymax))
    return au_fail(AU_EDATA, "5-D grid: map ranges must be finite with max > min");
  return 0;
}

int svg_grid5d(FILE *f, const svg_grid5d_spec *s) {
  int rc = g5_check(s);
  if (rc) return rc;
  g5_layout L = g5_plan(s);
  /* panels in a wide block: rows ~ sqrt(n3 / 2), e.g. 10 levels -> 2 x 5 */
  int rows = (int)floor(sqrt(s->n3 / 2.0) + 0.5);
  if (rows < 1) rows = 1;
  int cols = (s->n3 + rows - 1) / rows;
  cbar cb = {0, 1, 0, s->cbar_label};
  int cbh = 180;
  int side_w = cbar_width(&cb) + 40, side_h = G5_TITLE + cbh + 20 + KEY_H;
  if (side_w < KEY_SIDE + 60) side_w = KEY_SIDE + 60;
  int width = 10 + cols * L.w + 20 + side_w;
  int tl = title_lines(s->title, width - 20);
  int top = tl ? 22 + tl * (TITLE_FONT + 4) : 10;
  int body = rows * L.h > side_h ? rows * L.h : side_h;
  char *note = g5_note_text(s);
  size_t st[MAX_LINES], ln[MAX_LINES];
  int nl = wrap(note, (int)((width - 20) / (FONT * CHAR_W)), st, ln);
  int height = top + body + 10 + nl * (FONT + 4) + 10;

  svg_open(f, width, height);
  put_title(f, s->title, width / 2.0, 12 + TITLE_FONT, width - 20);
  for (int i3 = 0; i3 < s->n3 && !ferror(f); i3++)
    g5_panel(f, s, &L, i3, 10 + (i3 % cols) * L.w, top + (i3 / cols) * L.h);
  int sx = 10 + cols * L.w + 20;
  put_cbar(f, &cb, sx, top + G5_TITLE, cbh);
  g5_key(f, s, sx - 10, top + G5_TITLE + cbh + 20);
  for (int i = 0; i < nl; i++)
    put_text_n(f, 10, top + body + 10 + FONT + i * (FONT + 4), NULL, note + st[i], ln[i]);
  free(note);
  return svg_close(f, "5-D grid");
}

/* ---- distance matrix ----------------------------------------------------- */

static void matrix_range(int n, const double *m, double *lo, double *hi) {
  *lo = INFINITY;
  *hi = -INFINITY;
  for (size_t i = 0; i < (size_t)n * n; i++)
    if (isfinite(m[i])) {
      if (m[i] < *lo) *lo = m[i];
      if (m[i] > *hi) *hi = m[i];
    }
  if (!isfinite(*lo)) *lo = 0, *hi = 1; /* nothing finite */
  if (!(*hi > *lo)) *hi = *lo + 1;      /* one value: a bar that reads */
}

static const char *row_name(const char *const *names, int i, char *buf, size_t n) {
  if (names && names[i]) return names[i];
  snprintf(buf, n, "%d", i + 1);
  return buf;
}

typedef struct {
  int cs, left, top, width, height; /* cell side and margins, px */
  double vfs, lfs;                  /* value and label font sizes */
} mx_layout;

static mx_layout mx_plan(int n, const char *const *names, const double *m,
                         const cbar *cb, const char *title) {
  mx_layout L;
  char b[32];
  L.cs = 560 / n;
  L.cs = L.cs < 18 ? 18 : L.cs > 72 ? 72 : L.cs;
  /* the value font: as large as lets the longest printed value fit */
  int vchars = 1;
  for (size_t i = 0; i < (size_t)n * n; i++) {
    int k = snprintf(b, sizeof b, "%.3g", m[i]);
    if (k > vchars) vchars = k;
  }
  L.vfs = L.cs * 0.85 / (vchars * CHAR_W);
  L.vfs = L.vfs > 13 ? 13 : L.vfs;
  L.lfs = L.cs * 0.8 < FONT ? L.cs * 0.8 : FONT;
  double namew = 0;
  for (int i = 0; i < n; i++) {
    double w = text_w(row_name(names, i, b, sizeof b), L.lfs);
    if (w > namew) namew = w;
  }
  L.left = 12 + (int)ceil(namew) + 8;
  L.width = L.left + n * L.cs + CBAR_GAP + cbar_width(cb) + 10;
  if (L.width < 360) L.width = 360;
  int tl = title_lines(title, L.width - 20);
  L.top = tl ? 22 + tl * (TITLE_FONT + 4) : 16;
  /* column labels rotated by 45 degrees hang below the grid */
  L.height = L.top + n * L.cs + 10 + (int)ceil(namew * 0.71 + L.lfs) + 12;
  return L;
}

static void mx_cells(FILE *f, const mx_layout *L, int n, const double *m, double lo, double hi) {
  char hex[8], b[32], attrs[128];
  fputs("<g class=\"cells\">\n", f);
  for (int r = 0; r < n; r++)
    for (int c = 0; c < n; c++) {
      double v = m[(size_t)r * n + c], t = (v - lo) / (hi - lo);
      int x = L->left + c * L->cs, y = L->top + r * L->cs;
      fill_hex(t, 1, hex);
      fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" stroke=\"#fff\"/>",
              x, y, L->cs, L->cs, hex);
      snprintf(b, sizeof b, "%.3g", v);
      snprintf(attrs, sizeof attrs, " text-anchor=\"middle\" dy=\"0.35em\" font-size=\"%.3g\" fill=\"%s\"",
               L->vfs, ink_on(t, 1));
      put_text(f, x + L->cs / 2.0, y + L->cs / 2.0, attrs, b);
    }
  fputs("</g>\n", f);
}

/* names left of the rows and, rotated, below the columns */
static void mx_labels(FILE *f, const mx_layout *L, int n, const char *const *names) {
  char b[32], attrs[160];
  for (int i = 0; i < n; i++) {
    const char *name = row_name(names, i, b, sizeof b);
    double mid = i * L->cs + L->cs / 2.0;
    snprintf(attrs, sizeof attrs, " text-anchor=\"end\" dy=\"0.35em\" font-size=\"%.3g\"", L->lfs);
    put_text(f, L->left - 6, L->top + mid, attrs, name);
    double x = L->left + mid, y = L->top + n * L->cs + 10;
    snprintf(attrs, sizeof attrs,
             " text-anchor=\"end\" dy=\"0.35em\" font-size=\"%.3g\" transform=\"rotate(-45 %.4g %.4g)\"",
             L->lfs, x, y);
    put_text(f, x, y, attrs, name);
  }
}

int svg_matrix(FILE *f, int n, const char *const *names, const double *m,
               const char *title, const char *value_label) {
  if (n < 1 || !m) return au_fail(AU_EDATA, "matrix: need n >= 1 and values");
  double lo, hi;
  matrix_range(n, m, &lo, &hi);
  cbar cb = {lo, hi, 1, value_label ? value_label : "value"};
  mx_layout L = mx_plan(n, names, m, &cb, title);
  svg_open(f, L.width, L.height);
  put_title(f, title, L.width / 2.0, 12 + TITLE_FONT, L.width - 20);
  mx_cells(f, &L, n, m, lo, hi);
  mx_labels(f, &L, n, names);
  put_cbar(f, &cb, L.left + n * L.cs + CBAR_GAP, L.top, n * L.cs);
  return svg_close(f, "matrix");
}

/* ---- reliability diagram ------------------------------------------------- */

#define RD_PLOT 320

int svg_reliability(FILE *f, int nbins, const double *mean_p, const double *frac, const int *count,
                    const char *title) {
  if (nbins < 1 || !mean_p || !frac || !count) return au_fail(AU_EDATA, "reliability: need bins");
  double t[MAX_TICKS];
  int nt = nice_ticks(0, 1, 5, t);
  frame fr = {16 + FONT + 10 + (int)ceil(ticks_w(t, nt, TICK_FONT)) + 8, 0, RD_PLOT, RD_PLOT, 0, 1, 0, 1};
  int width = (int)fr.x0 + RD_PLOT + 20;
  int tl = title_lines(title, width - 20);
  fr.y0 = tl ? 22 + tl * (TITLE_FONT + 4) : 20;
  int height = (int)fr.y0 + RD_PLOT + 50;
  int total = 0;
  for (int k = 0; k < nbins; k++) total += count[k];
  svg_open(f, width, height);
  put_title(f, title, width / 2.0, 12 + TITLE_FONT, width - 20);
  put_axes(f, &fr, t, nt, t, nt);
  fprintf(f, "<path d=\"M%.4g %.4gL%.4g %.4g\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>\n", px(&fr, 0), py(&fr, 0),
          px(&fr, 1), py(&fr, 1));
  fputs("<path class=\"curve\" fill=\"none\" stroke=\"#21918c\" stroke-width=\"1.5\" d=\"", f);
  for (int k = 0, first = 1; k < nbins; k++) {
    if (!count[k]) continue;
    fprintf(f, "%s%.4g %.4g", first ? "M" : "L", px(&fr, mean_p[k]), py(&fr, frac[k]));
    first = 0;
  }
  fputs("\"/>\n<g class=\"bins\">\n", f);
  for (int k = 0; k < nbins; k++) {
    if (!count[k]) continue;
    double x = px(&fr, mean_p[k]), y = py(&fr, frac[k]);
    double r = 3 + 9 * sqrt((double)count[k] / (total > 0 ? total : 1));
    fprintf(f, "<circle cx=\"%.4g\" cy=\"%.4g\" r=\"%.3g\" fill=\"#21918c\" fill-opacity=\"0.6\" stroke=\"#000\"/>\n", x, y, r);
    char b[32];
    snprintf(b, sizeof b, "n=%d", count[k]);
    put_text(f, x + r + 3, y + 4, " font-size=\"10\"", b);
  }
  fputs("</g>\n", f);
  put_text(f, fr.x0 + fr.w / 2, fr.y0 + fr.h + 38, " text-anchor=\"middle\"", "mean predicted P(success)");
  put_vtext(f, 16 + FONT, fr.y0 + fr.h / 2, "observed fraction of successes");
  return svg_close(f, "reliability");
}

/* ---- line plots ---------------------------------------------------------- */

#define LP_W 360
#define LP_H 250
#define LP_GAP 30
/* Okabe & Ito's palette, safe for colour-blind readers */
static const char *const LINE_COLOURS[8] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                            "#E69F00", "#56B4E9", "#000000", "#F0E442"};

static int lines_check(const svg_lines_spec *s) {
  if (!s || s->nx < 2 || !s->x || s->npanels < 1 || !s->panels)
    return au_fail(AU_EDATA, "line plot: need at least 2 x values and a panel");
  for (int i = 0; i < s->nx; i++)
    if (!isfinite(s->x[i]) || (i && !(s->x[i] > s->x[i - 1])))
      return au_fail(AU_EDATA, "line plot: x values must be finite and increasing");
  for (int p = 0; p < s->npanels; p++) {
    const svg_panel *pn = &s->panels[p];
    if (pn->nseries < 1 || !pn->series) return au_fail(AU_EDATA, "line plot: panel %d has no series", p + 1);
    for (int k = 0; k < pn->nseries; k++)
      for (int i = 0; i < s->nx; i++) {
        const svg_series *se = &pn->series[k];
        if (!se->y || !isfinite(se->y[i]) || (se->band && !(se->band[i] >= 0 && isfinite(se->band[i]))))
          return au_fail(AU_EDATA, "line plot: series %d of panel %d has a value that is not finite", k + 1, p + 1);
      }
  }
  return 0;
}

static void lines_extent(const svg_panel *pn, int nx, double *lo, double *hi) {
  *lo = INFINITY;
  *hi = -INFINITY;
  for (int k = 0; k < pn->nseries; k++)
    for (int i = 0; i < nx; i++) {
      double b = pn->series[k].band ? pn->series[k].band[i] : 0, y = pn->series[k].y[i];
      *lo = fmin(*lo, y - b);
      *hi = fmax(*hi, y + b);
    }
  if (!isnan(pn->ymin)) *lo = pn->ymin;
  if (!isnan(pn->ymax)) *hi = pn->ymax;
  if (!(*hi > *lo)) { *lo -= 0.5; *hi += 0.5; }
}

static double clampd(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

static void lines_panel(FILE *f, const svg_lines_spec *s, const svg_panel *pn, const frame *fr, const double *xt,
                        int nxt, const double *yt, int nyt) {
  put_axes(f, fr, xt, nxt, yt, nyt);
  for (int k = 0; k < pn->nseries; k++) {
    const svg_series *se = &pn->series[k];
    const char *col = LINE_COLOURS[k % 8];
    fputs("<g class=\"series\">\n", f);
    if (se->band) {
      fprintf(f, "<path fill=\"%s\" fill-opacity=\"0.15\" stroke=\"none\" d=\"", col);
      for (int i = 0; i < s->nx; i++)
        fprintf(f, "%c%.4g %.4g", i ? 'L' : 'M', px(fr, s->x[i]), py(fr, clampd(se->y[i] + se->band[i], fr->ey0, fr->ey1)));
      for (int i = s->nx - 1; i >= 0; i--)
        fprintf(f, "L%.4g %.4g", px(fr, s->x[i]), py(fr, clampd(se->y[i] - se->band[i], fr->ey0, fr->ey1)));
      fputs("Z\"/>\n", f);
    }
    fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", col);
    for (int i = 0; i < s->nx; i++)
      fprintf(f, "%s%.4g,%.4g", i ? " " : "", px(fr, s->x[i]), py(fr, clampd(se->y[i], fr->ey0, fr->ey1)));
    fputs("\"/>\n</g>\n", f);
  }
  put_text(f, fr->x0 + fr->w / 2, fr->y0 + fr->h + 38, " text-anchor=\"middle\"", s->xlabel);
}

int svg_lines(FILE *f, const svg_lines_spec *s) {
  int rc = lines_check(s);
  if (rc) return rc;
  double xt[MAX_TICKS], yt[8][MAX_TICKS], ylo[8], yhi[8];
  int np = s->npanels < 8 ? s->npanels : 8, nyt[8], left[8];
  int whole = 1; /* whole-number x (rounds): no ticks between them */
  for (int i = 0; i < s->nx; i++) whole &= s->x[i] == round(s->x[i]);
  double span = s->x[s->nx - 1] - s->x[0];
  int nxt = nice_ticks(s->x[0], s->x[s->nx - 1], whole && span < 6 ? (int)span : 6, xt);
  int width = 10;
  for (int p = 0; p < np; p++) {
    lines_extent(&s->panels[p], s->nx, &ylo[p], &yhi[p]);
    nyt[p] = nice_ticks(ylo[p], yhi[p], 6, yt[p]);
    left[p] = 16 + FONT + 10 + (int)ceil(ticks_w(yt[p], nyt[p], TICK_FONT)) + 8;
    width += left[p] + LP_W + (p + 1 < np ? LP_GAP : 10);
  }
  const svg_panel *p0 = &s->panels[0];
  int tl = title_lines(s->title, width - 20), y0 = tl ? 22 + tl * (TITLE_FONT + 4) : 20;
  /* legend: entries in rows that fit the width */
  double lx = 0;
  int lrows = 1;
  for (int k = 0; k < p0->nseries; k++) {
    double w = 34 + text_w(p0->series[k].name, FONT) + 20;
    if (lx > 0 && lx + w > width - 20) { lrows++; lx = 0; }
    lx += w;
  }
  int height = y0 + LP_H + 50 + lrows * 20 + 10;
  svg_open(f, width, height);
  put_title(f, s->title, width / 2.0, 12 + TITLE_FONT, width - 20);
  int x = 10;
  for (int p = 0; p < np; p++) {
    frame fr = {x + left[p], y0, LP_W, LP_H, s->x[0], s->x[s->nx - 1], ylo[p], yhi[p]};
    fprintf(f, "<g class=\"panel\">\n");
    lines_panel(f, s, &s->panels[p], &fr, xt, nxt, yt[p], nyt[p]);
    put_vtext(f, x + 16 + FONT, fr.y0 + fr.h / 2, s->panels[p].ylabel);
    fputs("</g>\n", f);
    x += left[p] + LP_W + LP_GAP;
  }
  fputs("<g class=\"legend\">\n", f);
  lx = 20;
  double ly = y0 + LP_H + 50 + 14;
  for (int k = 0; k < p0->nseries; k++) {
    double w = 34 + text_w(p0->series[k].name, FONT) + 20;
    if (lx > 20 && lx + w > width - 20) { ly += 20; lx = 20; }
    fprintf(f, "<path stroke=\"%s\" stroke-width=\"3\" d=\"M%.4g %.4gh26\"/>\n", LINE_COLOURS[k % 8], lx, ly - 4);
    put_text(f, lx + 32, ly, NULL, p0->series[k].name);
    lx += w;
  }
  fputs("</g>\n", f);
  return svg_close(f, "line plot");
}
