/* auclust predict: probability of success of each recipe, averaged over
 * the model's instances, with the spread between them. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_common.h"
#include "domain.h"
#include "commands.h"
#include "err.h"
#include "model.h"
#include "outfile.h"
#include "par.h"
#include "table.h"

static const cli_opt opts[] = {
    {"--output", "-o", "OUT.csv", "output file (default: stdout)"},
    {"--individual", NULL, NULL, "add each instance's probability (p_1 .. p_K)"},
    {"--threshold", "-t", "P", "probability above which a recipe is predicted to succeed (default 0.5)"},
    {"--similarity-threshold", NULL, "S", "Tanimoto similarity to the nearest training ligand below which a ligand is\n"
                                          "                             new_ligand (default 0.4)"},
    {"--components", "-c", "FILE", "more solvents/reductants; must agree with the model's on those it has"},
    {"--allow-missing-ph", NULL, NULL, "accept an empty pH in water-like solvents (encoded as the model's ph_missing)"},
    CLI_INPUT_OPTS,
    CLI_CALIB_OPT,
    {NULL, NULL, NULL, NULL}};

static const cli_spec spec = {
    "predict", "MODEL.json RECIPES.csv [options]",
    "Scores recipes with a trained model. Output CSV: the recipe's id and name columns,\n"
    "its outcome when the file has one, p_success (mean over the model's instances),\n"
    "p_std (their standard deviation), predicted (1 when p_success > threshold),\n"
    "nearest_ligand and ligand_similarity (the most similar training ligand, Tanimoto on\n"
    "Morgan fingerprints, radius 2, 2048 bits) and domain: empty when the recipe resembles\n"
    "the training data, else ';'-separated reasons: no_binding_group, new_ligand(sim=S),\n"
    "new_solvent, new_reductant and the descriptors outside the training range. Outside the\n"
    "domain the probability is an extrapolation. The outcome column is optional; an unseen\n"
    "ligand needs only its SMILES. RECIPES may be '-'.\n"
    "Streams: RECIPES is read, judged, scored and written 8,192 rows at a time (one chunk\n"
    "scored while the next is read), in memory bounded by that and the distinct molecules,\n"
    "not by the file's length (no size limit; a row may hold at most 1 MB). An error in any\n"
    "row still leaves no output: -o FILE is renamed into place at the end, and stdout or a\n"
    "device gets the rows only once all are scored (they wait in a temporary file).",
    opts, 2, 2,
    "example (the paper's validation recipe, cysteamine in water with NaBH4):\n"
    "  auclust predict model.json cysteamine.csv"};

/* Rows per chunk of the streamed input: the memory for rows, probabilities,
 * verdicts and formatted output is bounded by two chunks in flight,
 * whatever the file's length. */
#define PREDICT_CHUNK 8192

typedef struct {
  const model *m;
  const domain *dom;
  const recipe_set *rs; /* its file-wide fields only (columns present) */
  double thr;
  int indiv;
} writer;

static void put_header(FILE *f, const recipe_set *rs, const writer *w) {
  put_carry_header(f, rs);
  if (rs->has_outcome) fputs(",outcome", f);
  fputs(",p_success,p_std,predicted,nearest_ligand,ligand_similarity,domain", f);
  for (int k = 0; w->indiv && k < w->m->ninst; k++) fprintf(f, ",p_%d", k + 1);
  fputc('\n', f);
}

/* One chunk: its rows (taken from the stream), the molecules they index
 * (shallow copies: reading the next chunk may move the set's table), the
 * verdicts; then the probabilities and the formatted lines. */
typedef struct {
  recipe *r;
  int n;
  molgraph *snap;
  const molgraph **mols;
  dataset d;
  int *mol, *y;
  double *x, *p;
  domain_verdict *v;
  char *text;
  size_t len;
  long outside;
  int rc;
  char *msg;
  const writer *w;
  pthread_t th;
} chunk;

static chunk *chunk_new(recipe_stream *st, const recipe_set *rs, const model *m, long row0) {
  chunk *c = xcalloc(1, sizeof *c);
  c->r = recipes_stream_take(st, &c->n);
  c->snap = xmalloc(sizeof(molgraph) * (rs->nmol + 1));
  c->mols = xmalloc(sizeof(molgraph *) * (rs->nmol + 1));
  for (int i = 0; i < rs->nmol; i++) c->snap[i] = rs->mol[i].g, c->mols[i] = &c->snap[i];
  int nx = AU_NDESC + rs->nextra;
  c->mol = xmalloc(sizeof(int) * NROLES * c->n);
  c->x = xmalloc(sizeof(double) * nx * c->n);
  c->y = xmalloc(sizeof(int) * c->n);
  for (int i = 0; i < c->n; i++) {
    memcpy(c->mol + i * NROLES, c->r[i].mol, sizeof(int) * NROLES);
    memcpy(c->x + (size_t)i * nx, c->r[i].x, sizeof(double) * nx);
    c->y[i] = c->r[i].outcome;
  }
  c->d = (dataset){c->mols, rs->nmol, c->n, c->mol, c->x, c->y, nx, row0};
  c->p = xmalloc(sizeof(double) * c->n * m->ninst);
  c->v = xmalloc(sizeof(domain_verdict) * c->n);
  return c;
}

static void chunk_free(chunk *c) {
  recipe_rows_free(c->r, c->n);
  free(c->snap); free(c->mols); free(c->mol); free(c->x); free(c->y); free(c->p); free(c->v);
  free(c->text); free(c->msg);
  free(c);
}

/* Probabilities of every instance, then the chunk's output lines. */
static void chunk_score(chunk *c) {
  const writer *w = c->w;
  const model *m = w->m;
  if ((c->rc = model_predict_dataset(m, &c->d, c->p))) {
    c->msg = xstrdup(au_errmsg()); /* messages are per thread */
    return;
  }
  FILE *f = open_memstream(&c->text, &c->len);
  if (!f) {
    c->rc = AU_ENOMEM;
    c->msg = xstrdup("out of memory formatting the output");
    return;
  }
  recipe_set view = *w->rs; /* the file-wide fields, this chunk's rows */
  for (int i = 0; i < c->n; i++) {
    const recipe *r = &c->r[i];
    double mean, sd;
    model_mean_std(m, c->p, i, &mean, &sd);
    put_carry_fields(f, &view, r);
    if (view.has_outcome) {
      if (r->outcome >= 0) fprintf(f, ",%d", r->outcome);
      else fputc(',', f);
    }
    fprintf(f, ",%.4f,%.4f,%d,", mean, sd, mean > w->thr);
    char why[1024];
    domain_reasons(w->dom, &c->v[i], r->x, why, sizeof why);
    c->outside += why[0] != 0;
    csv_put(f, c->v[i].nearest >= 0 ? m->names[c->v[i].nearest] : "");
    fprintf(f, ",%.2f,", c->v[i].similarity);
    csv_put(f, why);
    for (int k = 0; w->indiv && k < m->ninst; k++) fprintf(f, ",%.4f", c->p[(size_t)i * m->ninst + k]);
    fputc('\n', f);
  }
  if (fclose(f)) {
    c->rc = AU_ENOMEM;
    c->msg = xstrdup("out of memory formatting the output");
  }
}

static void *chunk_thread(void *arg) {
  chunk_score(arg);
  return NULL;
}

/* Scores c in the background when threads are allowed, else at once. */
static void chunk_start(chunk *c, int background) {
  if (!background || pthread_create(&c->th, NULL, chunk_thread, c)) {
    chunk_score(c);
    c->th = 0;
    background = 0;
  }
  if (!background) c->th = 0;
}

/* Waits for c; re-raises its error in this thread. */
static int chunk_wait(chunk *c, int background) {
  if (background && c->th) pthread_join(c->th, NULL);
  return c->rc ? au_fail(c->rc, "%s", c->msg) : 0;
}

int cmd_predict(int argc, char **argv) {
  cli_args a;
  int rc;
  if (cli_start(&spec, argc, argv, &a, &rc)) return rc;
  double thr = 0.5, sim = DOMAIN_THRESHOLD_DEFAULT;
  if ((rc = cli_double(&a, "--threshold", 0, 1, &thr)) || (rc = cli_double(&a, "--similarity-threshold", 0, 1, &sim))) {
    cli_free(&a);
    return rc;
  }
  model m;
  if ((rc = load_model_cli(&a, "predict", &m))) { cli_free(&a); return rc; }
  component_table comp;
  recipe_set rs;
  recipe_stream *st;
  input_opts io;
  input_opts_from_cli(&a, NULL, &io);
  if ((rc = open_recipes_stream_for_model(&m, a.pos[1], cli_get(&a, "--components"), &io, &comp, &rs, &st))) {
    model_free(&m);
    cli_free(&a);
    return rc;
  }
  /* A pipeline of two chunks: this thread reads and judges chunk i + 1
   * while chunk i is scored and formatted in the background, then writes
   * chunk i. The output is opened once the first chunk is scored, so that a
   * file of one chunk reports a bad row or a failed prediction before an
   * unwritable output, as a whole read did. */
  int background = par_threads() > 1;
  domain dom;
  int have_dom = 0, opened = 0;
  domain_memo *memo = NULL;
  outfile out = {0};
  writer w = {&m, &dom, &rs, thr, cli_flag(&a, "--individual")};
  chunk *busy = NULL;
  long outside = 0, row0 = 0;
  for (;;) {
    chunk *c = NULL;
    if (!(rc = recipes_stream_next(st, PREDICT_CHUNK)) && rs.n) {
      if (!have_dom && !(rc = domain_init(&dom, &m, sim))) have_dom = 1;
      if (!rc) {
        c = chunk_new(st, &rs, &m, row0);
        c->w = &w;
        row0 += c->n;
        recipe_set view = rs;
        view.r = c->r;
        view.n = c->n;
        if ((rc = domain_recipes_memo(&dom, &view, &memo, c->v))) chunk_free(c), c = NULL;
      }
    }
    if (busy) { /* the previous chunk: wait for it, write it */
      int brc = chunk_wait(busy, background);
      if (!rc) rc = brc; /* else the reading error, which came first in the file, stands */
      if (!rc && !opened) {
        if (!(rc = out_open_spooled(&out, cli_get(&a, "--output")))) {
          opened = 1;
          put_header(out.f, &rs, &w);
        }
      }
      if (!rc) {
        fwrite(busy->text, 1, busy->len, out.f);
        outside += busy->outside;
      }
      chunk_free(busy);
      busy = NULL;
    }
    if (rc || !c) {
      if (c) chunk_free(c);
      break;
    }
    chunk_start(c, background);
    busy = c;
  }
  if (opened) {
    if (!rc) rc = out_commit(&out);
    if (rc) out_abort(&out);
  }
  long nrec = recipes_stream_rows(st);
  recipes_stream_close(st);
  domain_memo_free(memo);
  if (have_dom) domain_free(&dom);
  if (!rc) {
    print_notes(a.spec->cmd, &rs);
    print_calibration_note("predict", &m);
    print_domain_summary(a.spec->cmd, (int)outside, (int)nrec); /* the last line */
  }
  recipes_free(&rs);
  components_free(&comp);
  model_free(&m);
  cli_free(&a);
  return rc;
}
