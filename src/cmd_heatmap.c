/* auclust heatmap: probability of success over two reaction conditions
 * with the components and the other conditions of a base recipe fixed
 * (Figure 5a,b), or the 5-D grid over the three concentrations with a small
 * pH x temperature map at each point (Figure 5c). Every point is scored by
 * every instance of the ensemble and averaged, as the paper does. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_common.h"
#include "commands.h"
#include "conditions.h"
#include "domain.h"
#include "err.h"
#include "outfile.h"
#include "scorer.h"
#include "svgplot.h"
#include "table.h"

static const cli_opt opts[] = {
    {"--base", "-b", "RECIPE", "base recipe: a one-row CSV file, or the id of a row of --recipes (required)"},
    {"--recipes", "-r", "FILE", "recipe file to look the base id up in (default: the model's training file)"},
    {"--x", "-x", "NAME:LO:HI", "x axis (default pH:7:14)"},
    {"--y", "-y", "NAME:LO:HI", "y axis (default temperature_C:0:80)"},
    {"--grid", "-g", "N", "points per axis of the 2-D map (default 100, at most 1000)"},
    {"--output", "-o", "OUT", "map.svg (picture) or map.csv (x, y, p_mean, p_std); default: CSV on stdout"},
    {"--csv", NULL, "FILE", "also write the values as CSV"},
    {"--grid5d", NULL, NULL, "the 5-D grid: levels of ligand, HAuCl4 and reductant concentration, a small x-y map at each"},
    {"--levels", NULL, "SPEC", "5-D: levels of the concentrations: N round levels (default 10), log:N (logarithmic),\n"
                               "                             or values V1,V2,...; NAME=SPEC for one concentration (repeatable)"},
    {"--inner", NULL, "N", "5-D: points per axis of each small map (default 10); levels^3 x inner^2 at most 1 million"},
    {"--range", NULL, "NAME:LO:HI", "5-D: range of a concentration (default: the training recipes' with the same\n"
                                    "                             components, else the same solvent, else all; repeatable)"},
    {"--overlay", NULL, "WHICH", "training recipes drawn on the map: matching (default: the base's components and\n"
                                 "                             its other conditions) or all (the base's components, any conditions)"},
    {"--no-points", NULL, NULL, "do not overlay training recipes"},
    {"--title", NULL, "TEXT", "the picture's title (default: model, components and the fixed conditions)"},
    {"--vector", NULL, NULL, "SVG: draw the map as one <rect> per point instead of an embedded PNG"},
    {"--components", "-c", "FILE", "more solvents/reductants; must agree with the model's on those it has"},
    {"--similarity-threshold", NULL, "S", "nearest training ligand's Tanimoto similarity below which the ligand is\n"
                                          "                             new_ligand (default 0.4)"},
    {"--allow-missing-ph", NULL, NULL, "accept an empty pH in water-like solvents (encoded as the model's ph_missing)"},
    CLI_INPUT_OPTS,
    CLI_CALIB_OPT,
    {NULL, NULL, NULL, NULL}};

static const cli_spec spec = {
    "heatmap", "MODEL.json --base RECIPE [options]",
    "Maps the probability of success over two of the five reaction conditions (ligand_mM,\n"
    "haucl4_mM, reductant_mM, temperature_C, pH), everything else as in the base recipe.\n"
    "The GCNN runs once per molecule, not once per grid point. The SVG embeds the map as a PNG\n"
    "image (axes, labels and markers stay vector). A pH axis needs a base recipe with a pH.\n"
    "CSV rows end with nearest_ligand, ligand_similarity and domain, as in predict.",
    opts, 1, 1,
    "examples:\n"
    "  auclust heatmap model.json --base A01 -o mha_pH_T.svg\n"
    "  auclust heatmap model.json --base A01 --x ligand_mM:0.5:10 --y temperature_C:0:80 -o map.csv\n"
    "  auclust heatmap model.json --base A01 --overlay all --title 'MHA, water, NaBH4' -o all_points.svg\n"
    "  auclust heatmap model.json --base A01 --grid5d -o grid5d.svg --csv grid5d.csv\n"
    "  auclust heatmap model.json --base A01 --grid5d --levels log:6 --levels ligand_mM=0.5,1,2,4 -o g5.csv"};

typedef struct {
  int nx, ny, cx, cy;
  double x0, x1, y0, y1;
} axes;

static double lin(double a, double b, int i, int n) { return n > 1 ? a + (b - a) * i / (n - 1) : a; }

static void names_title(char *buf, size_t n, const model *m, const base_recipe *b, const char *what) {
  snprintf(buf, n, "%s, %s (%d instance%s): %s / %s / %s", what, model_kind_labels[hparams_kind_index(&m->hp)], m->ninst,
           m->ninst > 1 ? "s" : "", b->r->name[ROLE_LIGAND], b->r->name[ROLE_SOLVENT], b->r->name[ROLE_REDUCTANT]);
}

/* Training recipes with the base's three components, as points on the
 * axes: only those whose other three conditions equal the base's (all = 1:
 * any conditions). Coincident recipes of one class become one point with a
 * count. */
static int training_points(const model *m, const base_recipe *b, const axes *ax, int all, svg_point **pts) {
  int *mol, *y;
  double *x;
  int n = model_training_rows(m, &mol, &x, &y), np = 0;
  *pts = xmalloc(sizeof(svg_point) * (n + 1));
  for (int i = 0; i < n; i++) {
    int same = 1;
    for (int k = 0; k < NROLES; k++)
      same &= !strcmp(m->smiles[mol[i * NROLES + k]], b->rs.mol[b->r->mol[k]].canonical);
    const double *xi = x + (size_t)i * m->L.nx;
    for (int c = 0; c < AU_NCOND && same && !all; c++)
      if (c != ax->cx && c != ax->cy) same &= fabs(xi[c] - b->r->x[c]) <= 1e-9 * (1 + fabs(b->r->x[c]));
    double px = xi[ax->cx], py = xi[ax->cy];
    if (!same || px < ax->x0 || px > ax->x1 || py < ax->y0 || py > ax->y1) continue;
    int k = 0;
    while (k < np && !((*pts)[k].x == px && (*pts)[k].y == py && (*pts)[k].cls == y[i])) k++;
    if (k < np) (*pts)[k].count++;
    else (*pts)[np++] = (svg_point){px, py, y[i], 1};
  }
  free(mol); free(x); free(y);
  return np;
}

/* "[6-mercaptohexanoic acid] = 2 mM, [HAuCl4] = 1 mM, 25 °C, pH 12.8": the
 * conditions a map holds fixed, as a chemist writes them. */
static void fixed_text(char *buf, size_t n, const base_recipe *b, const int *vary, int nvary) {
  size_t l = 0;
  buf[0] = 0;
  for (int c = 0; c < AU_NCOND && l < n; c++) {
    int skip = 0;
    for (int k = 0; k < nvary; k++) skip |= vary[k] == c;
    if (skip) continue;
    const char *sep = l ? ", " : "";
    double v = b->r->x[c];
    if (c == D_LIGAND_MM) l += snprintf(buf + l, n - l, "%s[%s] = %g mM", sep, b->r->name[ROLE_LIGAND], v);
    else if (c == D_HAUCL4_MM) l += snprintf(buf + l, n - l, "%s[HAuCl4] = %g mM", sep, v);
    else if (c == D_REDUCTANT_MM) l += snprintf(buf + l, n - l, "%s[%s] = %g mM", sep, b->r->name[ROLE_REDUCTANT], v);
    else if (c == D_TEMPERATURE_C) l += snprintf(buf + l, n - l, "%s%g \xC2\xB0" "C", sep, v);
    else if (b->r->ph_missing) l += snprintf(buf + l, n - l, "%sno pH (organic solvent)", sep);
    else l += snprintf(buf + l, n - l, "%spH %g", sep, v);
  }
}

/* The applicability domain of the grid points: the base's components, and
 * each point's conditions against the training range. */
typedef struct {
  const domain *d;
  domain_verdict v;
  const char *nearest;   /* name of the nearest training ligand */
  const double *base_x;  /* the base recipe's raw descriptors */
  const double *cond;    /* [nrows, AU_NCOND] each point's conditions */
} grid_domain;

static void point_x(const grid_domain *g, int i, double *x) {
  memcpy(x, g->base_x, sizeof(double) * AU_XMAX);
  memcpy(x, g->cond + (size_t)i * AU_NCOND, sizeof(double) * AU_NCOND);
}

static void point_reasons(const grid_domain *g, int i, char *why, size_t n) {
  double x[AU_XMAX];
  point_x(g, i, x);
  domain_reasons(g->d, &g->v, x, why, n);
}

/* one stderr line, after the output */
static void report_domain(const grid_domain *g, int n) {
  int out = 0;
  double x[AU_XMAX];
  for (int i = 0; i < n; i++) {
    point_x(g, i, x);
    out += domain_outside(g->d, &g->v, x);
  }
  fprintf(stderr, "auclust heatmap: %d of %d grid points are outside the model's domain%s%s%s\n", out, n,
          g->v.reasons[0] ? " (every point: " : "", g->v.reasons, g->v.reasons[0] ? ")" : "");
}

/* comments: NULL, or lines written first, each after "# " */
static int write_csv(const char *path, const char *const *cols, int ncols, const double *vals, int nrows,
                     const grid_domain *g, const char *const *comments, int ncomments) {
  outfile o;
  int rc = out_open(&o, path);
  if (rc) return rc;
  for (int k = 0; k < ncomments; k++) fprintf(o.f, "# %s\n", comments[k]);
  for (int j = 0; j < ncols; j++) fprintf(o.f, "%s%s", j ? "," : "", cols[j]);
  fputs(",nearest_ligand,ligand_similarity,domain\n", o.f);
  char why[1024];
  for (int i = 0; i < nrows; i++) {
    for (int j = 0; j < ncols; j++) fprintf(o.f, "%.6g,", vals[(size_t)i * ncols + j]);
    csv_put(o.f, g->nearest);
    fprintf(o.f, ",%.2f,", g->v.similarity);
    point_reasons(g, i, why, sizeof why);
    csv_put(o.f, why);
    fputc('\n', o.f);
  }
  if ((rc = out_commit(&o))) out_abort(&o);
  return rc;
}

static int ends_with(const char *p, const char *ext) {
  size_t n = p ? strlen(p) : 0, e = strlen(ext);
  return n > e && !strcmp(p + n - e, ext);
}
static int is_svg(const char *p) { return ends_with(p, ".svg"); }

static int map2d(const model *m, const base_recipe *b, scorer *sc, const axes *ax, const cli_args *a, grid_domain *gd) {
  int n = ax->nx * ax->ny;
  double *cond = xmalloc(sizeof(double) * AU_NCOND * n), *mean = xmalloc(sizeof(double) * n),
         *sd = xmalloc(sizeof(double) * n);
  for (int j = 0; j < ax->ny; j++)
    for (int i = 0; i < ax->nx; i++) {
      double *c = cond + (size_t)(j * ax->nx + i) * AU_NCOND;
      memcpy(c, b->r->x, sizeof(double) * AU_NCOND);
      c[ax->cx] = lin(ax->x0, ax->x1, i, ax->nx);
      c[ax->cy] = lin(ax->y0, ax->y1, j, ax->ny);
    }
  if (scorer_eval_mean(sc, cond, n, mean, sd)) { free(cond); free(mean); free(sd); return AU_ENUM; }
  gd->cond = cond;
  const char *out = cli_get(a, "--output"), *csv = cli_get(a, "--csv");
  int rc = 0;
  double *rows = xmalloc(sizeof(double) * 4 * n);
  for (int k = 0; k < n; k++) {
    rows[4 * k] = cond[(size_t)k * AU_NCOND + ax->cx];
    rows[4 * k + 1] = cond[(size_t)k * AU_NCOND + ax->cy];
    rows[4 * k + 2] = mean[k];
    rows[4 * k + 3] = sd[k];
  }
  const char *cols[4] = {au_desc_name[ax->cx], au_desc_name[ax->cy], "p_mean", "p_std"};
  if (is_svg(out)) {
    svg_point *pts = NULL;
    const char *ov = cli_get(a, "--overlay") ? cli_get(a, "--overlay") : "matching";
    int np = cli_flag(a, "--no-points") ? 0 : training_points(m, b, ax, !strcmp(ov, "all"), &pts);
    char title[1024], fixed[512];
    int vary[2] = {ax->cx, ax->cy};
    names_title(title, 400, m, b, "P(success)");
    fixed_text(fixed, sizeof fixed, b, vary, 2);
    if (fixed[0]) snprintf(title + strlen(title), sizeof title - strlen(title), "; %s", fixed);
    if (cli_get(a, "--title")) snprintf(title, sizeof title, "%s", cli_get(a, "--title"));
    svg_heatmap_spec s = {ax->nx, ax->ny, mean, ax->x0, ax->x1, ax->y0, ax->y1, cond_label(ax->cx), cond_label(ax->cy),
                          title, NULL, pts, np, cli_flag(a, "--vector")};
    outfile o;
    if (!(rc = out_open(&o, out))) {
      rc = svg_heatmap(o.f, &s);
      if (rc || (rc = out_commit(&o))) out_abort(&o);
    }
    free(pts);
  } else if (out && strcmp(out, "-") && !ends_with(out, ".csv")) {
    rc = au_fail(AU_EUSAGE, "--output %s: give a .svg or .csv file", out);
  } else {
    rc = write_csv(out, cols, 4, rows, n, gd, NULL, 0);
  }
  if (!rc && csv) rc = write_csv(csv, cols, 4, rows, n, gd, NULL, 0);
  if (!rc) report_domain(gd, n);
  gd->cond = NULL;
  free(rows); free(cond); free(mean); free(sd);
  return rc;
}

/* A concentration's range: the training recipes with the base's
 * components, else with its reducing agent, else all of them, else +-50%
 * of the base. *origin says which (and how many recipes). */
static void conc_range(const model *m, const base_recipe *b, int c, double *lo, double *hi, char *origin, size_t on) {
  int *mol, *y;
  double *x;
  int n = model_training_rows(m, &mol, &x, &y);
  static const char *const what[3] = {"training recipes with the same components", "training recipes with the same reducing agent",
                                      "all training recipes"};
  int pass;
  for (pass = 0; pass < 3; pass++) {
    *lo = INFINITY; *hi = -INFINITY;
    int rows = 0;
    for (int i = 0; i < n; i++) {
      int same = 1;
      for (int k = 0; k < NROLES && pass < 2; k++)
        if (pass == 0 || k == ROLE_REDUCTANT)
          same &= !strcmp(m->smiles[mol[i * NROLES + k]], b->rs.mol[b->r->mol[k]].canonical);
      if (!same) continue;
      double v = x[(size_t)i * m->L.nx + c];
      if (v < *lo) *lo = v;
      if (v > *hi) *hi = v;
      rows++;
    }
    if (*hi > *lo) {
      snprintf(origin, on, "%s (%d)", what[pass], rows);
      break;
    }
  }
  if (!(*hi > *lo)) {
    *lo = 0.5 * b->r->x[c]; *hi = 1.5 * b->r->x[c] + (b->r->x[c] == 0);
    snprintf(origin, on, "the base recipe's value +-50%% (no training recipes vary it)");
  }
  free(mol); free(x); free(y);
}

/* v rounded to `digits` significant digits. */
static double round_sig(double v, int digits) {
  if (v == 0 || !isfinite(v)) return v;
  double p = pow(10, digits - 1 - (int)floor(log10(fabs(v))));
  return round(v * p) / p;
}

/* Levels of one concentration from a spec: "N" (round, linear), "log:N"
 * (round, logarithmic) or "V1,V2,..." (as given). Linear and log levels
 * span [lo, hi] and are rounded to the fewest significant digits (2 or
 * more) that keep them distinct. Returns the count or -1 with the error. */
static int make_levels(const char *spec, double lo, double hi, double *lev, int max, const char *name) {
  char *end;
  int logl = !strncmp(spec, "log:", 4);
  const char *num = logl ? spec + 4 : spec;
  long n = strtol(num, &end, 10);
  if (!*end && end != num) {
    if (n < 1 || n > max) return au_fail(AU_EUSAGE, "--levels %s: between 1 and %d levels", spec, max), -1;
    if (logl && !(lo > 0))
      return au_fail(AU_EUSAGE, "--levels %s: logarithmic levels of %s need a range above 0, not %g..%g", spec, name, lo, hi), -1;
    for (int digits = 2; digits <= 6; digits++) {
      int distinct = 1;
      for (int i = 0; i < n; i++) {
        double t = n > 1 ? (double)i / (n - 1) : 0;
        lev[i] = round_sig(logl ? lo * pow(hi / lo, t) : lo + (hi - lo) * t, digits);
        if (i && !(lev[i] > lev[i - 1])) distinct = 0;
      }
      if (distinct) break;
    }
    return (int)n;
  }
  int k = 0;
  for (const char *p = spec; *p && k < max;) {
    double v = strtod(p, &end);
    if (end == p || (*end && *end != ',') || !isfinite(v) || v < 0)
      return au_fail(AU_EUSAGE, "--levels %s: expected N, log:N or non-negative values V1,V2,...", spec), -1;
    if (k && !(v > lev[k - 1])) return au_fail(AU_EUSAGE, "--levels %s: values must increase", spec), -1;
    lev[k++] = v;
    p = *end ? end + 1 : end;
  }
  return k;
}

#define MAX_LEVELS 100

static int map5d(const model *m, const base_recipe *b, scorer *sc, const axes *ax, const cli_args *a, grid_domain *gd) {
  double lo[3], hi[3];
  int set[3] = {0, 0, 0}, rc = 0;
  char origin[3][160];
  for (int i = 0; i < cli_count(a, "--range"); i++) {
    int c;
    double l, h;
    if ((rc = parse_range(cli_nth(a, "--range", i), &c, &l, &h))) return rc;
    if (c > D_REDUCTANT_MM) return au_fail(AU_EUSAGE, "--range %s: only concentrations have 5-D ranges", cli_nth(a, "--range", i));
    lo[c] = l; hi[c] = h; set[c] = 1;
    snprintf(origin[c], sizeof origin[c], "--range");
  }
  for (int c = 0; c < 3; c++)
    if (!set[c]) conc_range(m, b, c, &lo[c], &hi[c], origin[c], sizeof origin[c]);
  /* --levels: the last spec without a name for all, then NAME=SPEC for one */
  const char *spec[3] = {"10", "10", "10"};
  for (int i = 0; i < cli_count(a, "--levels"); i++) {
    const char *v = cli_nth(a, "--levels", i), *eq = strchr(v, '=');
    if (!eq) { spec[0] = spec[1] = spec[2] = v; continue; }
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(eq - v), v);
    int c = cond_index(name);
    if (c < 0 || c > D_REDUCTANT_MM)
      return au_fail(AU_EUSAGE, "--levels %s: '%s' is not a concentration (ligand_mM, haucl4_mM, reductant_mM)", v, name);
    spec[c] = eq + 1;
  }
  double lev[3][MAX_LEVELS];
  int nl[3];
  for (int c = 0; c < 3; c++)
    if ((nl[c] = make_levels(spec[c], lo[c], hi[c], lev[c], MAX_LEVELS, au_desc_name[c])) < 0) return AU_EUSAGE;
  /* where the levels came from: stderr now, the CSV's first lines later */
  char note[3][1024];
  for (int c = 0; c < 3; c++) {
    size_t l = (size_t)snprintf(note[c], sizeof note[c], "%s levels (mM): ", au_desc_name[c]);
    for (int i = 0; i < nl[c] && l < sizeof note[c]; i++)
      l += snprintf(note[c] + l, sizeof note[c] - l, "%s%g", i ? " " : "", lev[c][i]);
    if (l < sizeof note[c])
      snprintf(note[c] + l, sizeof note[c] - l, "; range %g..%g from %s", lo[c], hi[c], origin[c]);
  }
  int nx = ax->nx, ny = ax->ny;
  long n = (long)nl[0] * nl[1] * nl[2] * nx * ny;
  if (n > 1000000) /* 1e6 points: 0.1 GB of CSV; beyond, time and output grow without bound */
    return au_fail(AU_EUSAGE, "--grid5d: %d x %d x %d levels x %d x %d maps is %ld points; the limit is 1 million", nl[0],
                   nl[1], nl[2], nx, ny, n);
  double *cond = xmalloc(sizeof(double) * AU_NCOND * n), *mean = xmalloc(sizeof(double) * n), *sd = xmalloc(sizeof(double) * n);
  long k = 0;
  for (int i3 = 0; i3 < nl[2]; i3++)
    for (int i2 = 0; i2 < nl[1]; i2++)
      for (int i1 = 0; i1 < nl[0]; i1++)
        for (int j = 0; j < ny; j++)
          for (int i = 0; i < nx; i++, k++) {
            double *c = cond + k * AU_NCOND;
            memcpy(c, b->r->x, sizeof(double) * AU_NCOND);
            c[D_LIGAND_MM] = lev[0][i1]; c[D_HAUCL4_MM] = lev[1][i2]; c[D_REDUCTANT_MM] = lev[2][i3];
            c[ax->cx] = lin(ax->x0, ax->x1, i, nx);
            c[ax->cy] = lin(ax->y0, ax->y1, j, ny);
          }
  if (scorer_eval_mean(sc, cond, (int)n, mean, sd)) { free(cond); free(mean); free(sd); return AU_ENUM; }
  gd->cond = cond;
  const char *out = cli_get(a, "--output"), *csv = cli_get(a, "--csv");
  const char *cols[7] = {"ligand_mM", "haucl4_mM", "reductant_mM", au_desc_name[ax->cx], au_desc_name[ax->cy], "p_mean", "p_std"};
  const char *cm[3] = {note[0], note[1], note[2]};
  double *rows = xmalloc(sizeof(double) * 7 * n);
  for (long q = 0; q < n; q++) {
    const double *c = cond + q * AU_NCOND;
    double r[7] = {c[0], c[1], c[2], c[ax->cx], c[ax->cy], mean[q], sd[q]};
    memcpy(rows + 7 * q, r, sizeof r);
  }
  if (is_svg(out)) {
    char title[1024], fixed[512];
    int vary[5] = {D_LIGAND_MM, D_HAUCL4_MM, D_REDUCTANT_MM, ax->cx, ax->cy};
    names_title(title, 400, m, b, "P(success) over concentrations");
    fixed_text(fixed, sizeof fixed, b, vary, 5);
    if (fixed[0]) snprintf(title + strlen(title), sizeof title - strlen(title), "; %s", fixed);
    if (cli_get(a, "--title")) snprintf(title, sizeof title, "%s", cli_get(a, "--title"));
    char c1[160];
    snprintf(c1, sizeof c1, "[%s]", b->r->name[ROLE_LIGAND]);
    svg_grid5d_spec s = {nl[0], nl[1], nl[2], lev[0], lev[1], lev[2], c1, "[HAuCl4]", b->r->name[ROLE_REDUCTANT], "mM", nx, ny,
                         ax->x0, ax->x1, ax->y0, ax->y1, cond_label(ax->cx), cond_label(ax->cy), mean, title, NULL,
                         cli_flag(a, "--vector")};
    outfile o;
    if (!(rc = out_open(&o, out))) {
      rc = svg_grid5d(o.f, &s);
      if (rc || (rc = out_commit(&o))) out_abort(&o);
    }
  } else if (out && strcmp(out, "-") && !ends_with(out, ".csv")) {
    rc = au_fail(AU_EUSAGE, "--output %s: give a .svg or .csv file", out);
  } else {
    rc = write_csv(out, cols, 7, rows, (int)n, gd, cm, 3);
  }
  if (!rc && csv) rc = write_csv(csv, cols, 7, rows, (int)n, gd, cm, 3);
  for (int c = 0; c < 3 && !rc; c++) au_note("%s", note[c]); /* after the output, so an error stays the only line */
  if (!rc) report_domain(gd, (int)n);
  gd->cond = NULL;
  free(rows); free(cond); free(mean); free(sd);
  return rc;
}

int cmd_heatmap(int argc, char **argv) {
  cli_args a;
  int rc;
  if (cli_start(&spec, argc, argv, &a, &rc)) return rc;
  int g5 = cli_flag(&a, "--grid5d");
  long grid = 100, inner = 10;
  double sim = DOMAIN_THRESHOLD_DEFAULT;
  axes ax = {0};
  const char *xs = cli_get(&a, "--x") ? cli_get(&a, "--x") : "pH:7:14";
  const char *ys = cli_get(&a, "--y") ? cli_get(&a, "--y") : "temperature_C:0:80";
  if (!cli_get(&a, "--base")) rc = au_fail(AU_EUSAGE, "--base RECIPE is required");
  if (!rc) rc = cli_int(&a, "--grid", 1, 1000, &grid);
  const char *ov = cli_get(&a, "--overlay");
  if (!rc && ov && strcmp(ov, "matching") && strcmp(ov, "all"))
    rc = au_fail(AU_EUSAGE, "--overlay must be matching or all, not '%s'", ov);
  if (!rc) rc = cli_int(&a, "--inner", 1, 100, &inner);
  if (!rc) rc = cli_double(&a, "--similarity-threshold", 0, 1, &sim);
  if (!rc) rc = parse_range(xs, &ax.cx, &ax.x0, &ax.x1);
  if (!rc) rc = parse_range(ys, &ax.cy, &ax.y0, &ax.y1);
  if (!rc && ax.cx == ax.cy) rc = au_fail(AU_EUSAGE, "--x and --y are both %s", au_desc_name[ax.cx]);
  if (!rc && g5 && (ax.cx <= D_REDUCTANT_MM || ax.cy <= D_REDUCTANT_MM))
    rc = au_fail(AU_EUSAGE, "--grid5d: the small maps' axes cannot be concentrations (they are the grid)");
  if (rc) { cli_free(&a); return rc; }
  ax.nx = ax.ny = (int)(g5 ? inner : grid);
  model m;
  if ((rc = load_model_cli(&a, "heatmap", &m))) { cli_free(&a); return rc; }
  base_recipe b;
  input_opts io;
  input_opts_from_cli(&a, NULL, &io);
  domain dom;
  if (!(rc = base_recipe_load(&m, cli_get(&a, "--base"), cli_get(&a, "--recipes"), cli_get(&a, "--components"), &io, &b)) &&
      !(rc = domain_init(&dom, &m, sim))) {
    grid_domain gd = {&dom, {0}, "", b.r->x, NULL};
    const molecule *lig = &b.rs.mol[b.r->mol[ROLE_LIGAND]];
    rc = domain_components(&dom, lig->canonical, lig->binding, b.rs.mol[b.r->mol[ROLE_SOLVENT]].canonical,
                           b.rs.mol[b.r->mol[ROLE_REDUCTANT]].canonical, &gd.v);
    if (!rc && b.r->ph_missing && (ax.cx == D_PH || ax.cy == D_PH)) {
      rc = g5 ? au_fail(AU_EUSAGE, "--base %s: the base recipe has no pH (empty: its solvent %s is not water), and the "
                        "small maps of --grid5d are pH x temperature: no 5-D grid for it", cli_get(&a, "--base"),
                        b.r->name[ROLE_SOLVENT])
              : au_fail(AU_EUSAGE, "--base %s: the base recipe has no pH (empty: its solvent %s is not water), so a pH "
                        "axis means nothing; map two other conditions, e.g. --x ligand_mM:0.5:10 --y temperature_C:0:80",
                        cli_get(&a, "--base"), b.r->name[ROLE_SOLVENT]);
    }
    if (!rc) {
      gd.nearest = gd.v.nearest >= 0 ? m.names[gd.v.nearest] : "";
      const molgraph *mols[NROLES];
      recipe_graphs(&b.rs, b.r, mols);
      scorer *sc = scorer_new(&m, mols, b.r->x);
      rc = g5 ? map5d(&m, &b, sc, &ax, &a, &gd) : map2d(&m, &b, sc, &ax, &a, &gd);
      scorer_free(sc);
    }
    domain_free(&dom);
  }
  base_recipe_free(&b);
  if (!rc) print_calibration_note("heatmap", &m);
  model_free(&m);
  cli_free(&a);
  return rc;
}
