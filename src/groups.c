#include "groups.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "table.h"

int groups_from_column(const recipe_set *rs, const char *column, recipe_groups *g) {
  memset(g, 0, sizeof *g);
  table t;
  recipe_opts o = recipe_opts_default(); /* the --column map the recipes were read with */
  o.delimiter = rs->delim;
  int rc = recipes_read_table(rs->path, &o, NULL, 0, &t);
  if (rc) return rc;
  int c = table_col(&t, column);
  if (c < 0) {
    int near = table_closest_col(&t, column);
    rc = au_fail(AU_EDATA, "%s: row 1: no column '%s' to group by%s%s%s", rs->path, column, near >= 0 ? " (did you mean '" : "",
                 near >= 0 ? t.header[near] : "", near >= 0 ? "'?)" : "");
    table_free(&t);
    return rc;
  }
  g->n = rs->n;
  g->of = xmalloc(sizeof(int) * (rs->n + 1));
  g->name = xmalloc(sizeof(char *) * (rs->n + 1));
  g->column = xstrdup(column);
  int j = 0; /* recipes keep the file's order; skipped rows have no recipe */
  for (int i = 0; i < rs->n && !rc; i++) {
    while (j < t.nrows && t.rowno[j] != rs->r[i].row) j++;
    if (j == t.nrows) {
      rc = au_fail(AU_EDATA, "%s: row %d: not found again while reading column '%s'", rs->path, rs->r[i].row, column);
      break;
    }
    const char *v = t.cell[j][c];
    /* a molecule column groups by molecule: its canonical SMILES, however spelt */
    for (int k = 0; k < NROLES; k++)
      if (!strcmp(column, role_smiles_col[k]) && *v) v = rs->mol[rs->r[i].mol[k]].canonical;
    if (!*v) {
      rc = au_fail(AU_EDATA, "%s: row %d (id %s), column '%s': empty; every recipe needs a group to group by it",
                   rs->path, rs->r[i].row, rs->r[i].id, column);
      break;
    }
    int k = 0;
    while (k < g->ngroups && strcmp(g->name[k], v)) k++;
    if (k == g->ngroups) g->name[g->ngroups++] = xstrdup(v);
    g->of[i] = k;
  }
  table_free(&t);
  if (rc) groups_free(g);
  return rc;
}

void groups_free(recipe_groups *g) {
  for (int k = 0; k < g->ngroups; k++) free(g->name[k]);
  free(g->name); free(g->of); free(g->column);
  memset(g, 0, sizeof *g);
}

typedef struct {
  int id, size, key;
} gsize;

static int cmp_size(const void *a, const void *b) {
  const gsize *x = a, *y = b;
  if (x->size != y->size) return y->size - x->size;
  return x->key - y->key;
}

int grouped_folds(const int *y, const int *group, int n, int ngroups, int k, rng_t *r, int *fold) {
  if (k == 0 || k == ngroups) {
    for (int i = 0; i < n; i++) fold[i] = group[i];
    return ngroups;
  }
  if (k > ngroups || k < 0) return -1;
  int (*gc)[2] = xcalloc(ngroups, sizeof *gc), (*fc)[2] = xcalloc(k, sizeof *fc), tot[2] = {0, 0};
  for (int i = 0; i < n; i++) {
    gc[group[i]][y[i] == 1]++;
    tot[y[i] == 1]++;
  }
  int *perm = xmalloc(sizeof(int) * ngroups), *to = xmalloc(sizeof(int) * ngroups);
  for (int g = 0; g < ngroups; g++) perm[g] = g;
  rng_shuffle(r, perm, ngroups);
  gsize *o = xmalloc(sizeof *o * ngroups);
  for (int g = 0; g < ngroups; g++) o[g] = (gsize){g, gc[g][0] + gc[g][1], 0};
  for (int j = 0; j < ngroups; j++) o[perm[j]].key = j; /* random order among equal sizes */
  qsort(o, ngroups, sizeof *o, cmp_size);
  double share[2] = {(double)tot[0] / k, (double)tot[1] / k};
  for (int j = 0; j < ngroups; j++) {
    int g = o[j].id, best = -1;
    double best_cost = 0;
    for (int f = 0; f < k; f++) {
      /* change of sum over classes of (count - share)^2 when g joins fold f */
      double cost = 0;
      for (int c = 0; c < 2; c++) {
        double a = fc[f][c] - share[c], b = a + gc[g][c];
        cost += b * b - a * a;
      }
      int size = fc[f][0] + fc[f][1], bsize = best >= 0 ? fc[best][0] + fc[best][1] : 0;
      if (best < 0 || cost < best_cost - 1e-9 || (cost <= best_cost + 1e-9 && size < bsize)) {
        best = f;
        best_cost = cost;
      }
    }
    to[g] = best;
    fc[best][0] += gc[g][0];
    fc[best][1] += gc[g][1];
  }
  for (int i = 0; i < n; i++) fold[i] = to[group[i]];
  free(gc); free(fc); free(perm); free(to); free(o);
  return k;
}
