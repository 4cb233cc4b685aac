/* SVG figures of the paper: probability heatmaps over pH x temperature
 * (Figure 5a,b), the "5-D" grid of small maps over three concentrations
 * (Figure 5c) and the fingerprint distance matrix (Figure 4).
 *
 * Every writer emits one standalone UTF-8 SVG document (width, height,
 * viewBox, sans-serif fonts) to an open stream and returns 0, AU_EDATA for
 * an unusable spec, or AU_EIO when the stream reports an error (the stream
 * is flushed to find out); the message is left in au_errmsg(). All caller
 * text is escaped for XML; invalid UTF-8 becomes U+FFFD. Colours are
 * viridis (dark blue/purple = 0, yellow = 1); NaN cells are grey. */
#ifndef AUCLUST_SVGPLOT_H
#define AUCLUST_SVGPLOT_H
#include <stdio.h>

/* Writes s as XML character data: markup characters escaped, control
 * bytes as spaces, invalid UTF-8 as U+FFFD (shared with the tree writer). */
void svg_put_text(FILE *f, const char *s);
/* Characters (code points) of UTF-8 text, for sizing labels. */
int svg_text_chars(const char *s);
/* viridis at t, clipped to [0,1] (NaN counts as 0): 17 anchors of
 * matplotlib's table, linearly interpolated in sRGB. */
void colormap_viridis(double t, unsigned char rgb[3]);

/* An experiment drawn over a heatmap: cls 1 (any nonzero) = success, drawn
 * as a white circle; 0 = failure, drawn as a black cross. */
typedef struct {
  double x, y;
  int cls;
  int count; /* recipes at this point (drawn once, "3×" / "2○" beside it); 0 counts as 1 */
} svg_point;

/* values[j * nx + i] is the probability of success at
 *   x = xmin + i * (xmax - xmin) / (nx - 1),  y = ymin + j * (ymax - ymin) / (ny - 1)
 * (row j = 0 is the lowest y; with nx = 1 the only column is at xmin): the
 * samples of a mesh grid, as linspace makes them. Each value is drawn as a
 * cell centred on its sample, so the plot reaches half a cell beyond the
 * ranges. Colours span [0, 1]. Points outside the plot are not drawn. */
typedef struct {
  int nx, ny;
  const double *values;
  double xmin, xmax, ymin, ymax;
  const char *xlabel;     /* e.g. "pH" */
  const char *ylabel;     /* e.g. "temperature (°C)" */
  const char *title;      /* wrapped over lines when long; may be NULL */
  const char *cbar_label; /* NULL: "P(success)" */
  const svg_point *points;
  int npoints;
  int vector; /* 1: one <rect> per value inside <g class="cells">; 0: one embedded PNG,
                 <image class="cells">, a pixel per value (a 100 x 100 map: a few kB) */
} svg_heatmap_spec;

int svg_heatmap(FILE *f, const svg_heatmap_spec *s);

/* Small multiples of pH x temperature maps over three concentrations:
 * one panel per level i3 of c3 (e.g. reducing agent); in a panel the tiny
 * maps stand on an n1 x n2 grid, c1 (e.g. ligand) left to right and c2
 * (e.g. HAuCl4) bottom to top. The values are ordered with the tiny map's
 * x fastest:
 *   values[(((i3 * n2 + i2) * n1 + i1) * ny + j) * nx + i]
 * with i, j as in svg_heatmap_spec (j = 0 lowest y); n3*n2*n1*ny*nx in all.
 * 10x10x10 levels of 10x10 maps give a file of about 5 MB as rects. */
typedef struct {
  int n1, n2, n3;
  const double *c1, *c2, *c3; /* level values, n1, n2 and n3 of them */
  const char *c1_name, *c2_name, *c3_name; /* e.g. "ligand", "HAuCl4", "NaBH4" */
  const char *unit;                        /* NULL: "mM" */
  int nx, ny;                              /* tiny map size */
  double xmin, xmax, ymin, ymax;           /* tiny map ranges, as svg_heatmap */
  const char *xlabel, *ylabel;             /* e.g. "pH", "temperature (°C)" */
  const double *values;
  const char *title;      /* may be NULL */
  const char *cbar_label; /* NULL: "P(success)" */
  int vector;             /* 1: <rect>s in <g class="m">; 0: each tiny map an <image class="m"> (PNG) */
} svg_grid5d_spec;

int svg_grid5d(FILE *f, const svg_grid5d_spec *s);

/* An n x n matrix m (row-major, e.g. Euclidean distances between ligand
 * fingerprints) with names on rows and columns (rotated), each value printed
 * (%.3g) in its cell in black or white, whichever contrasts. Colours run
 * from light yellow (the smallest value) to dark purple (the largest),
 * reversed viridis. names or an entry may be NULL (then the index, from 1);
 * title and value_label (the colour bar's) may be NULL. */
int svg_matrix(FILE *f, int n, const char *const *names, const double *m,
               const char *title, const char *value_label);
/* A reliability diagram: for each of nbins bins of predicted probability,
 * the observed fraction of successes (y) against the mean prediction (x),
 * a circle whose area grows with count[k], labelled "n=…"; the diagonal is
 * perfect calibration. Empty bins (count 0) are skipped. */
int svg_reliability(FILE *f, int nbins, const double *mean_p, const double *frac, const int *count,
                    const char *title);

/* Curves over a shared x axis (e.g. the discovery curves of `loop`): panels
 * side by side, one line per series with a shaded band of +-band around
 * it, and one legend below (the first panel's series names; series k has
 * the same colour in every panel, from a colour-blind-safe palette of 8).
 * Each series is a <g class="series"> holding its band <path> (when
 * band != NULL) and its line <polyline>. */
typedef struct {
  const char *name;   /* legend text */
  const double *y;    /* [nx] */
  const double *band; /* [nx] half-widths >= 0, or NULL */
} svg_series;

typedef struct {
  const char *ylabel;
  const svg_series *series;
  int nseries;
  double ymin, ymax; /* NAN: from the data (bands included) */
} svg_panel;

typedef struct {
  int nx;
  const double *x; /* increasing */
  const char *xlabel;
  const svg_panel *panels;
  int npanels;
  const char *title; /* may be NULL */
} svg_lines_spec;

int svg_lines(FILE *f, const svg_lines_spec *s);
#endif
