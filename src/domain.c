#include "domain.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

int domain_init(domain *d, const model *m, double threshold) {
  memset(d, 0, sizeof *d);
  d->m = m;
  d->threshold = threshold;
  d->nx = m->L.nx;
  for (int j = 0; j < d->nx; j++) { d->lo[j] = INFINITY; d->hi[j] = -INFINITY; }
  for (int k = 0; k < m->ninst; k++)
    for (int j = 0; j < d->nx; j++) {
      if (m->inst[k].lo[j] < d->lo[j]) d->lo[j] = m->inst[k].lo[j];
      if (m->inst[k].hi[j] > d->hi[j]) d->hi[j] = m->inst[k].hi[j];
    }
  int *mol, *y;
  double *x;
  int n = model_training_rows(m, &mol, &x, &y);
  unsigned char *is_lig = xcalloc(m->nmol + 1, 1);
  d->solvent = xcalloc(m->nmol + 1, 1);
  d->reductant = xcalloc(m->nmol + 1, 1);
  for (int i = 0; i < n; i++) {
    is_lig[mol[i * NROLES + ROLE_LIGAND]] = 1;
    d->solvent[mol[i * NROLES + ROLE_SOLVENT]] = 1;
    d->reductant[mol[i * NROLES + ROLE_REDUCTANT]] = 1;
  }
  free(mol); free(x); free(y);
  d->lig = xmalloc(sizeof(int) * (m->nmol + 1));
  d->fp = xmalloc(sizeof(morgan_fp) * (m->nmol + 1));
  int rc = 0;
  for (int i = 0; i < m->nmol && !rc; i++)
    if (is_lig[i]) {
      d->lig[d->nlig] = i;
      rc = morgan_fingerprint(m->smiles[i], &d->fp[d->nlig++]);
    }
  free(is_lig);
  if (rc) domain_free(d);
  return rc;
}

void domain_free(domain *d) {
  free(d->lig); free(d->fp); free(d->solvent); free(d->reductant);
  memset(d, 0, sizeof *d);
}

static int seen(const domain *d, const unsigned char *role, const char *smiles) {
  for (int i = 0; i < d->m->nmol; i++)
    if (role[i] && !strcmp(d->m->smiles[i], smiles)) return 1;
  return 0;
}

static void add_reason(char *buf, size_t n, const char *r) {
  size_t l = strlen(buf);
  snprintf(buf + l, n - l, "%s%s", l ? ";" : "", r);
}

int domain_components(const domain *d, const char *ligand, unsigned binding, const char *solvent,
                      const char *reductant, domain_verdict *v) {
  v->nearest = -1;
  v->similarity = 0;
  v->reasons[0] = 0;
  morgan_fp fp;
  int rc = morgan_fingerprint(ligand, &fp);
  if (rc) return rc;
  for (int i = 0; i < d->nlig; i++) {
    double s = tanimoto(&fp, &d->fp[i]);
    if (s > v->similarity || v->nearest < 0) { v->similarity = s; v->nearest = d->lig[i]; }
  }
  if (!binding) add_reason(v->reasons, sizeof v->reasons, "no_binding_group");
  if (v->similarity < d->threshold) {
    char r[48];
    snprintf(r, sizeof r, "new_ligand(sim=%.2f)", v->similarity);
    add_reason(v->reasons, sizeof v->reasons, r);
  }
  if (!seen(d, d->solvent, solvent)) add_reason(v->reasons, sizeof v->reasons, "new_solvent");
  if (!seen(d, d->reductant, reductant)) add_reason(v->reasons, sizeof v->reasons, "new_reductant");
  return 0;
}

void domain_reasons(const domain *d, const domain_verdict *v, const double *x, char *out, size_t n) {
  snprintf(out, n, "%s", v->reasons);
  for (int j = 0; j < d->nx; j++)
    if (!(x[j] >= d->lo[j] && x[j] <= d->hi[j]))
      add_reason(out, n, j < AU_NDESC ? au_desc_name[j] : d->m->extra_name[j - AU_NDESC]);
}

int domain_outside(const domain *d, const domain_verdict *v, const double *x) {
  if (v->reasons[0]) return 1;
  for (int j = 0; j < d->nx; j++)
    if (!(x[j] >= d->lo[j] && x[j] <= d->hi[j])) return 1;
  return 0;
}

/* Verdicts by component triple: an open-addressing hash table. */
struct domain_memo {
  int (*key)[NROLES]; /* NULL-equivalent: key[0] < 0 */
  domain_verdict *v;
  size_t cap, n;
};

static size_t triple_slot(const struct domain_memo *m, const int *k) {
  uint64_t h = 1469598103934665603ull;
  for (int r = 0; r < NROLES; r++) h = (h ^ (uint64_t)(unsigned)k[r]) * 1099511628211ull;
  size_t i = (size_t)h & (m->cap - 1);
  while (m->key[i][0] >= 0 && memcmp(m->key[i], k, sizeof(int) * NROLES)) i = (i + 1) & (m->cap - 1);
  return i;
}

static void memo_grow(struct domain_memo *m) {
  struct domain_memo g = {xmalloc(sizeof(int[NROLES]) * (m->cap ? 2 * m->cap : 64)), NULL, m->cap ? 2 * m->cap : 64,
                          m->n};
  g.v = xmalloc(sizeof(domain_verdict) * g.cap);
  for (size_t i = 0; i < g.cap; i++) g.key[i][0] = -1;
  for (size_t i = 0; i < m->cap; i++)
    if (m->key[i][0] >= 0) {
      size_t j = triple_slot(&g, m->key[i]);
      memcpy(g.key[j], m->key[i], sizeof(int) * NROLES);
      g.v[j] = m->v[i];
    }
  free(m->key);
  free(m->v);
  *m = g;
}

int domain_recipes_memo(const domain *d, const recipe_set *rs, domain_memo **memo, domain_verdict *v) {
  if (!*memo) *memo = xcalloc(1, sizeof **memo);
  struct domain_memo *m = *memo;
  for (int i = 0; i < rs->n; i++) {
    const recipe *r = &rs->r[i];
    if (2 * (m->n + 1) > m->cap) memo_grow(m);
    size_t j = triple_slot(m, r->mol);
    if (m->key[j][0] < 0) {
      const molecule *lig = &rs->mol[r->mol[ROLE_LIGAND]];
      int rc = domain_components(d, lig->canonical, lig->binding, rs->mol[r->mol[ROLE_SOLVENT]].canonical,
                                 rs->mol[r->mol[ROLE_REDUCTANT]].canonical, &m->v[j]);
      if (rc) return rc;
      memcpy(m->key[j], r->mol, sizeof(int) * NROLES);
      m->n++;
    }
    v[i] = m->v[j];
  }
  return 0;
}

void domain_memo_free(domain_memo *m) {
  if (!m) return;
  free(m->key);
  free(m->v);
  free(m);
}

int domain_recipes(const domain *d, const recipe_set *rs, domain_verdict *v) {
  domain_memo *m = NULL;
  int rc = domain_recipes_memo(d, rs, &m, v);
  domain_memo_free(m);
  return rc;
}
