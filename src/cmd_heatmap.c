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
    {"--grid", "-g", "N", "points per axis of the 2-D map (default 100)"},
    {"--output", "-o", "OUT", "map.svg (picture) or map.csv (x, y, p_mean, p_std); default: CSV on stdout"},
    {"--csv", NULL, "FILE", "also write the values as CSV"},
    {"--grid5d", NULL, NULL, "the 5-D grid: levels of ligand, HAuCl4 and reductant concentration, a small x-y map at each"},
    {"--levels", NULL, "N", "5-D: levels per concentration (default 10)"},
    {"--inner", NULL, "N", "5-D: points per axis of each small map (default 10)"},
    {"--range", NULL, "NAME:LO:HI", "5-D: range of a concentration (default: the training recipes' with the same\n"
                                    "                             components, else the same solvent, else all; repeatable)"},
    {"--no-points", NULL, NULL, "do not overlay the training recipes that share the base's components"},
    {"--components", "-c", "FILE", "more solvents/reductants; must agree with the model's on those it has"},
    {"--similarity-threshold", NULL, "S", "nearest training ligand's Tanimoto similarity below which the ligand is\n"
                                          "                             new_ligand (default 0.4)"},
    {"--allow-missing-ph", NULL, NULL, "accept an empty pH in water-like solvents (encoded as the model's ph_missing)"},
    {NULL, NULL, NULL, NULL}};

static const cli_spec spec = {
    "heatmap", "MODEL.json --base RECIPE [options]",
    "Maps the probability of success over two of the five reaction conditions (ligand_mM,\n"
    "haucl4_mM, reductant_mM, temperature_C, pH), everything else as in the base recipe.\n"
    "The GCNN runs once per molecule, not once per grid point. CSV rows end with\n"
    "nearest_ligand, ligand_similarity and domain, as in predict.",
    opts, 1, 1,
    "examples:\n"
    "  auclust heatmap model.json --base A01 -o mha_pH_T.svg\n"
    "  auclust heatmap model.json --base A01 --x ligand_mM:0.5:10 --y temperature_C:0:80 -o map.csv\n"
    "  auclust heatmap model.json --base A01 --grid5d -o grid5d.svg --csv grid5d.csv"};

typedef struct {
  int nx, ny, cx, cy;
  double x0, x1, y0, y1;
} axes;

static double lin(double a, double b, int i, int n) { return n > 1 ? a + (b - a) * i / (n - 1) : a; }

static void names_title(char *buf, size_t n, const model *m, const base_recipe *b, const char *what) {
  snprintf(buf, n, "%s, %s (%d instance%s): %s / %s / %s", what, model_kind_labels[hparams_kind_index(&m->hp)], m->ninst,
           m->ninst > 1 ? "s" : "", b->r->name[ROLE_LIGAND], b->r->name[ROLE_SOLVENT], b->r->name[ROLE_REDUCTANT]);
}

/* Training recipes with the base's three components, as points on the axes. */
static int training_points(const model *m, const base_recipe *b, const axes *ax, svg_point **pts) {
  int *mol, *y;
  double *x;
  int n = model_training_rows(m, &mol, &x, &y), np = 0;
  *pts = xmalloc(sizeof(svg_point) * (n + 1));
  for (int i = 0; i < n; i++) {
    int same = 1;
    for (int k = 0; k < NROLES; k++)
      same &= !strcmp(m->smiles[mol[i * NROLES + k]], b->rs.mol[b->r->mol[k]].canonical);
    double px = x[(size_t)i * m->L.nx + ax->cx], py = x[(size_t)i * m->L.nx + ax->cy];
    if (same && px >= ax->x0 && px <= ax->x1 && py >= ax->y0 && py <= ax->y1) (*pts)[np++] = (svg_point){px, py, y[i]};
  }
  free(mol); free(x); free(y);
  return np;
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

static int write_csv(const char *path, const char *const *cols, int ncols, const double *vals, int nrows,
                     const grid_domain *g) {
  outfile o;
  int rc = out_open(&o, path);
  if (rc) return rc;
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
  scorer_eval_mean(sc, cond, n, mean, sd);
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
    int np = cli_flag(a, "--no-points") ? 0 : training_points(m, b, ax, &pts);
    char title[768], fixed[256] = "";
    names_title(title, sizeof title - 256, m, b, "P(success)");
    for (int c = 0, first = 1; c < AU_NCOND; c++) {
      if (c == ax->cx || c == ax->cy) continue;
      size_t l = strlen(fixed);
      snprintf(fixed + l, sizeof fixed - l, "%s%s %g%s", first ? "; " : ", ", c == D_PH ? "pH" : au_desc_name[c],
               b->r->x[c], c == D_PH && b->r->ph_missing ? " (none)" : "");
      first = 0;
    }
    strncat(title, fixed, sizeof title - strlen(title) - 1);
    svg_heatmap_spec s = {ax->nx, ax->ny, mean, ax->x0, ax->x1, ax->y0, ax->y1, cond_label(ax->cx), cond_label(ax->cy),
                          title, NULL, pts, np};
    outfile o;
    if (!(rc = out_open(&o, out))) {
      rc = svg_heatmap(o.f, &s);
      if (rc || (rc = out_commit(&o))) out_abort(&o);
    }
    free(pts);
  } else if (out && strcmp(out, "-") && !ends_with(out, ".csv")) {
    rc = au_fail(AU_EUSAGE, "--output %s: give a .svg or .csv file", out);
  } else {
    rc = write_csv(out, cols, 4, rows, n, gd);
  }
  if (!rc && csv) rc = write_csv(csv, cols, 4, rows, n, gd);
  if (!rc) report_domain(gd, n);
  gd->cond = NULL;
  free(rows); free(cond); free(mean); free(sd);
  return rc;
}

/* Concentration levels: --range, else the range of the training recipes
 * with the same components, else with the same solvent, else of all
 * training recipes, else +-50% of the base. */
static void conc_range(const model *m, const base_recipe *b, int c, double *lo, double *hi) {
  int *mol, *y;
  double *x;
  int n = model_training_rows(m, &mol, &x, &y);
  for (int pass = 0; pass < 3; pass++) {
    *lo = INFINITY; *hi = -INFINITY;
    for (int i = 0; i < n; i++) {
      int same = 1;
      for (int k = 0; k < NROLES && pass < 2; k++)
        if (pass == 0 || k == ROLE_SOLVENT)
          same &= !strcmp(m->smiles[mol[i * NROLES + k]], b->rs.mol[b->r->mol[k]].canonical);
      if (!same) continue;
      double v = x[(size_t)i * m->L.nx + c];
      if (v < *lo) *lo = v;
      if (v > *hi) *hi = v;
    }
    if (*hi > *lo) break;
  }
  if (!(*hi > *lo)) { *lo = 0.5 * b->r->x[c]; *hi = 1.5 * b->r->x[c] + (b->r->x[c] == 0); }
  free(mol); free(x); free(y);
}

static int map5d(const model *m, const base_recipe *b, scorer *sc, const axes *ax, const cli_args *a, int L,
                 grid_domain *gd) {
  double lo[3], hi[3];
  int set[3] = {0, 0, 0}, rc = 0;
  for (int i = 0; i < cli_count(a, "--range"); i++) {
    int c;
    double l, h;
    if ((rc = parse_range(cli_nth(a, "--range", i), &c, &l, &h))) return rc;
    if (c > D_REDUCTANT_MM) return au_fail(AU_EUSAGE, "--range %s: only concentrations have 5-D ranges", cli_nth(a, "--range", i));
    lo[c] = l; hi[c] = h; set[c] = 1;
  }
  for (int c = 0; c < 3; c++)
    if (!set[c]) conc_range(m, b, c, &lo[c], &hi[c]);
  double lev[3][L];
  for (int c = 0; c < 3; c++)
    for (int i = 0; i < L; i++) lev[c][i] = lin(lo[c], hi[c], i, L);
  int nx = ax->nx, ny = ax->ny;
  long n = (long)L * L * L * nx * ny;
  if (n > 20000000)
    return au_fail(AU_EUSAGE, "--grid5d: %d^3 levels x %d x %d maps is %ld points; keep it under 20 million", L, nx, ny, n);
  double *cond = xmalloc(sizeof(double) * AU_NCOND * n), *mean = xmalloc(sizeof(double) * n), *sd = xmalloc(sizeof(double) * n);
  long k = 0;
  for (int i3 = 0; i3 < L; i3++)
    for (int i2 = 0; i2 < L; i2++)
      for (int i1 = 0; i1 < L; i1++)
        for (int j = 0; j < ny; j++)
          for (int i = 0; i < nx; i++, k++) {
            double *c = cond + k * AU_NCOND;
            memcpy(c, b->r->x, sizeof(double) * AU_NCOND);
            c[D_LIGAND_MM] = lev[0][i1]; c[D_HAUCL4_MM] = lev[1][i2]; c[D_REDUCTANT_MM] = lev[2][i3];
            c[ax->cx] = lin(ax->x0, ax->x1, i, nx);
            c[ax->cy] = lin(ax->y0, ax->y1, j, ny);
          }
  scorer_eval_mean(sc, cond, (int)n, mean, sd);
  gd->cond = cond;
  const char *out = cli_get(a, "--output"), *csv = cli_get(a, "--csv");
  const char *cols[7] = {"ligand_mM", "haucl4_mM", "reductant_mM", au_desc_name[ax->cx], au_desc_name[ax->cy], "p_mean", "p_std"};
  double *rows = xmalloc(sizeof(double) * 7 * n);
  for (long q = 0; q < n; q++) {
    const double *c = cond + q * AU_NCOND;
    double r[7] = {c[0], c[1], c[2], c[ax->cx], c[ax->cy], mean[q], sd[q]};
    memcpy(rows + 7 * q, r, sizeof r);
  }
  if (is_svg(out)) {
    char title[768];
    names_title(title, sizeof title, m, b, "P(success) over concentrations");
    svg_grid5d_spec s = {L, L, L, lev[0], lev[1], lev[2], "ligand", "HAuCl4", b->r->name[ROLE_REDUCTANT], "mM", nx, ny,
                         ax->x0, ax->x1, ax->y0, ax->y1, cond_label(ax->cx), cond_label(ax->cy), mean, title, NULL};
    outfile o;
    if (!(rc = out_open(&o, out))) {
      rc = svg_grid5d(o.f, &s);
      if (rc || (rc = out_commit(&o))) out_abort(&o);
    }
  } else if (out && strcmp(out, "-") && !ends_with(out, ".csv")) {
    rc = au_fail(AU_EUSAGE, "--output %s: give a .svg or .csv file", out);
  } else {
    rc = write_csv(out, cols, 7, rows, (int)n, gd);
  }
  if (!rc && csv) rc = write_csv(csv, cols, 7, rows, (int)n, gd);
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
  long grid = 100, levels = 10, inner = 10;
  double sim = DOMAIN_THRESHOLD_DEFAULT;
  axes ax = {0};
  const char *xs = cli_get(&a, "--x") ? cli_get(&a, "--x") : "pH:7:14";
  const char *ys = cli_get(&a, "--y") ? cli_get(&a, "--y") : "temperature_C:0:80";
  if (!cli_get(&a, "--base")) rc = au_fail(AU_EUSAGE, "--base RECIPE is required");
  if (!rc) rc = cli_int(&a, "--grid", 1, 2000, &grid);
  if (!rc) rc = cli_int(&a, "--levels", 1, 100, &levels);
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
  if ((rc = model_load(&m, a.pos[0]))) { cli_free(&a); return rc; }
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
    if (!rc) {
      gd.nearest = gd.v.nearest >= 0 ? m.names[gd.v.nearest] : "";
      const molgraph *mols[NROLES];
      recipe_graphs(&b.rs, b.r, mols);
      scorer *sc = scorer_new(&m, mols, b.r->x);
      rc = g5 ? map5d(&m, &b, sc, &ax, &a, (int)levels, &gd) : map2d(&m, &b, sc, &ax, &a, &gd);
      scorer_free(sc);
    }
    domain_free(&dom);
  }
  base_recipe_free(&b);
  model_free(&m);
  cli_free(&a);
  return rc;
}
