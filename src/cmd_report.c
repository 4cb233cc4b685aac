/* auclust report: one self-contained HTML page for a lab meeting: the data,
 * cross-validation with a baseline, a reliability diagram, a pH x T map, the
 * fingerprint distances, the distilled tree and the model's domain. Glue:
 * CV, calibration and the domain come from the library; the three figures
 * come from the heatmap, fingerprint and distill commands run in-process
 * into temporary files, so the page shows exactly what they write. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cmd_common.h"
#include "commands.h"
#include "cv.h"
#include "domain.h"
#include "err.h"
#include "metrics.h"
#include "outfile.h"
#include "par.h"
#include "progress.h"
#include "svgplot.h"

static const cli_opt opts[] = {
    {"--output", "-o", "REPORT.html", "the page to write (default: report.html)"},
    {"--base", "-b", "ID", "base recipe of the pH x temperature map (default: the first recipe with a pH)"},
    {"--folds", "-f", "K", "cross-validation folds (default 10, fewer when there are fewer recipes)"},
    {"--repeats", "-r", "R", "cross-validation repeats (default 3)"},
    {"--samples", "-n", "N", "distill: random recipes for the tree (default 11095)"},
    {"--threshold", "-t", "P", "distill: a random recipe is a success for the tree when p > P (default 0.5), or\n"
                               "                             median: where the model is more and less confident"},
    {"--seed", "-s", "N", "random seed (default 1)"},
    {"--components", "-c", "FILE", "more solvents/reductants; must agree with the model's on those it has"},
    {"--allow-missing-ph", NULL, NULL, "accept an empty pH in water-like solvents (encoded as the model's ph_missing)"},
    {"--threads", "-j", "N", "worker threads (default: all cores)"},
    CLI_INPUT_OPTS,
    CLI_CALIB_OPT,
    CLI_QUIET_OPT,
    {NULL, NULL, NULL, NULL}};

static const cli_spec spec = {
    "report", "MODEL.json RECIPES.csv -o REPORT.html [options]",
    "Writes one HTML page (inline SVG, no network, no scripts) with: the data summary (recipes,\n"
    "components, provenance and confidence counts); cross-validation of the model's kind and\n"
    "hyperparameters on RECIPES with the prior and random-forest baselines; a reliability diagram\n"
    "of the out-of-fold\n"
    "probabilities; the pH x temperature map of a base recipe; the fingerprint distance matrix\n"
    "(GCNN models); the distilled decision tree with its fidelity; and the domain summary.",
    opts, 2, 2,
    "example:\n  auclust report model.json data/au_nc_recipes.csv -o report.html"};

/* ---- HTML helpers ---------------------------------------------------------- */

static void html_text(FILE *f, const char *s) { svg_put_text(f, s ? s : ""); }

/* Copies an SVG file into the page without its XML declaration. */
static int inline_svg(FILE *f, const char *path) {
  FILE *in = fopen(path, "rb");
  if (!in) return au_fail(AU_EIO, "%s: cannot open: %s", path, strerror(errno));
  char buf[65536];
  size_t n, total = 0;
  int first = 1;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
    char *p = buf;
    if (first && n > 5 && !strncmp(buf, "<?xml", 5)) {
      char *e = memchr(buf, '\n', n);
      if (e) { n -= (size_t)(e + 1 - buf); p = e + 1; }
    }
    first = 0;
    fwrite(p, 1, n, f);
    total += n;
  }
  fclose(in);
  return total ? 0 : au_fail(AU_EIO, "%s: empty figure", path);
}

/* Runs a subcommand with its stderr silenced (its notes would read as the
 * report's); its error, if any, comes back through the error buffer. */
static int run_cmd(int (*fn)(int, char **), const char *name, char **argv, int argc) {
  fflush(stderr);
  int saved = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY);
  if (saved >= 0 && null >= 0) dup2(null, STDERR_FILENO);
  int rc = fn(argc, argv);
  fflush(stderr);
  if (saved >= 0) { dup2(saved, STDERR_FILENO); close(saved); }
  if (null >= 0) close(null);
  if (rc) {
    char msg[900];
    snprintf(msg, sizeof msg, "%s", au_errmsg());
    return au_fail(rc, "%s: %s", name, msg);
  }
  return 0;
}

/* ---- sections ---------------------------------------------------------------- */

static int count_distinct(const recipe_set *rs, int role, const char **first_names, int max) {
  int n = 0;
  for (int i = 0; i < rs->n; i++) {
    int seen = 0;
    for (int j = 0; j < i && !seen; j++) seen = rs->r[j].mol[role] == rs->r[i].mol[role];
    if (!seen) {
      if (n < max) first_names[n] = rs->r[i].name[role];
      n++;
    }
  }
  return n;
}

static void section_data(FILE *f, const recipe_set *rs, const char *path) {
  int succ = 0, fail = 0, set2 = 0, conf[4] = {0, 0, 0, 0};
  const char *cn[4] = {"high", "medium", "low", "other or none"};
  int nd = 0;
  const char **dois = xmalloc(sizeof(char *) * (rs->n + 1));
  for (int i = 0; i < rs->n; i++) {
    const recipe *r = &rs->r[i];
    succ += r->outcome == 1;
    fail += r->outcome == 0;
    set2 += r->set_ii == 1;
    const char *c = r->carry[5] ? r->carry[5] : "";
    conf[!strcmp(c, "high") ? 0 : !strcmp(c, "medium") ? 1 : !strcmp(c, "low") ? 2 : 3]++;
    const char *d = r->carry[4];
    if (d && d[0]) {
      int seen = 0;
      for (int k = 0; k < nd && !seen; k++) seen = !strcmp(dois[k], d);
      if (!seen) dois[nd++] = d;
    }
  }
  free(dois);
  fputs("<section id=\"data\"><h2>Data</h2>\n<p>", f);
  html_text(f, path);
  fprintf(f, ": <b>%d recipes</b>, %d successes (atomically precise) and %d failures (mixtures); %d in data set II "
             "(<code>set_ii = 1</code>).</p>\n<table><tr><th>role</th><th>distinct</th><th>names</th></tr>\n",
          rs->n, succ, fail, set2);
  for (int role = 0; role < NROLES; role++) {
    const char *names[12];
    int n = count_distinct(rs, role, names, 12);
    fprintf(f, "<tr><td>%s</td><td>%d</td><td>", role_name[role], n);
    for (int k = 0; k < n && k < 12; k++) {
      if (k) fputs(", ", f);
      html_text(f, names[k]);
    }
    if (n > 12) fprintf(f, " and %d more", n - 12);
    fputs("</td></tr>\n", f);
  }
  fputs("</table>\n<p>Provenance: ", f);
  if (rs->has_carry[4]) fprintf(f, "%d distinct source DOIs; ", nd);
  else fputs("no <code>source_doi</code> column; ", f);
  if (rs->has_carry[5]) {
    fputs("confidence", f);
    for (int k = 0, first = 1; k < 4; k++)
      if (conf[k]) fprintf(f, "%s %s %d", first ? "" : ",", cn[k], conf[k]), first = 0;
  } else {
    fputs("no <code>confidence</code> column", f);
  }
  fputs(".</p></section>\n", f);
}

/* One table row from cv's own summary, so the page shows what `auclust cv` prints. */
static void metrics_row(FILE *f, const char *name, const cv_result *res, const int *y, int m) {
  cv_summary s;
  cv_summarise(res, y, m, &s);
  fputs("<tr><td>", f);
  html_text(f, name);
  fputs("</td>", f);
  for (int j = 0; j < CV_NMETRICS; j++) {
    if (isnan(s.mean[j])) fputs("<td>n/a</td>", f);
    else if (res->repeats < 2 || isnan(s.sd[j])) fprintf(f, "<td>%.3f &plusmn; n/a</td>", s.mean[j]);
    else fprintf(f, "<td>%.3f &plusmn; %.3f</td>", s.mean[j], s.sd[j]);
  }
  fputs("</tr>\n", f);
}

/* The model's kind and hyperparameters, then the two baselines, on the same
 * splits; the reliability diagram of the model's out-of-fold probabilities. */
static int section_cv(FILE *f, const model *m, const recipe_set *rs, int folds, int repeats, uint64_t seed,
                      int threads, const char *svg_tmp) {
  int *y = xmalloc(sizeof(int) * rs->n);
  for (int i = 0; i < rs->n; i++) y[i] = rs->r[i].outcome;
  hparams hp[3] = {m->hp};
  int nm = 1, rc = 0;
  for (const char *const *k = (const char *const[]){"prior", "rf", NULL}; *k && !rc; k++)
    if (strcmp(hparams_kind(&m->hp), *k)) {
      rc = hparams_default(*k, &hp[nm]);
      hp[nm].ph_missing = m->hp.ph_missing;
      nm++;
    }
  cv_opts o = {folds, repeats, threads, seed, nm, hp, NULL, 0, 0};
  cv_result res;
  progress_begin("report: cross-validation, fits", (long)nm * folds * repeats);
  if (!rc) rc = cv_run(rs, &o, &res);
  progress_end();
  if (rc) { free(y); return rc; }
  fprintf(f, "<section id=\"cv\"><h2>Cross-validation</h2>\n<p>Stratified %d-fold cross-validation, %d repeat%s "
             "(seed %llu), of a fresh %s model with this model's hyperparameters and of the baselines, on the same "
             "splits of these %d recipes; mean &plusmn; standard deviation over the repeats, a success predicted when "
             "p &gt; 0.5; Brier skill = 1 &minus; Brier / Brier of the prior (&gt; 0: better than the base rate); "
             "ECE = expected calibration error over 10 bins.</p>\n"
             "<table><tr><th>model</th><th>accuracy</th><th>F1</th><th>MCC</th><th>ROC AUC</th><th>log loss</th>"
             "<th>Brier</th><th>Brier skill</th><th>ECE</th></tr>\n",
          folds, repeats, repeats > 1 ? "s" : "", (unsigned long long)seed, model_kind_labels[hparams_kind_index(&m->hp)],
          rs->n);
  for (int k = 0; k < nm; k++) {
    char name[96];
    snprintf(name, sizeof name, "%s%s", model_kind_labels[hparams_kind_index(&hp[k])],
             k == 0 ? "" : !strcmp(hparams_kind(&hp[k]), "prior") ? " (baseline: training folds' success rate)"
                                                                  : " (baseline: random forest on the descriptors)");
    metrics_row(f, name, &res, y, k);
  }
  fputs("</table>\n<p class=\"note\">Compare the six models of Table 2 with <code>auclust cv RECIPES.csv --model "
        "all</code>.</p>\n</section>\n", f);
  /* reliability of the model's pooled out-of-fold probabilities */
  int nb = 5, cnt[5];
  double mp[5], fr[5];
  int *yy = xmalloc(sizeof(int) * rs->n * repeats);
  for (int r = 0; r < repeats; r++) memcpy(yy + (size_t)r * rs->n, y, sizeof(int) * rs->n);
  metric_reliability(yy, res.p, rs->n * repeats, nb, cnt, mp, fr);
  outfile o2;
  if (!(rc = out_open(&o2, svg_tmp))) {
    char title[160];
    snprintf(title, sizeof title, "Reliability of the out-of-fold P(success) of %s, %d predictions",
             model_kind_labels[hparams_kind_index(&m->hp)], rs->n * repeats);
    rc = svg_reliability(o2.f, nb, mp, fr, cnt, title);
    if (rc || (rc = out_commit(&o2))) out_abort(&o2);
  }
  if (!rc) {
    fputs("<section id=\"reliability\"><h2>Reliability</h2>\n<figure id=\"fig-reliability\">", f);
    rc = inline_svg(f, svg_tmp);
    fprintf(f, "<figcaption>Out-of-fold probabilities of the cross-validation above in %d bins of width %.2g: "
               "observed fraction of successes against the mean prediction; the dashed diagonal is perfect "
               "calibration.</figcaption></figure></section>\n", nb, 1.0 / nb);
  }
  free(yy); free(y);
  cv_result_free(&res);
  return rc;
}

static int section_domain(FILE *f, const model *m, const recipe_set *rs) {
  domain d;
  int rc = domain_init(&d, m, DOMAIN_THRESHOLD_DEFAULT);
  if (rc) return rc;
  domain_verdict *v = xcalloc(rs->n + 1, sizeof *v);
  if ((rc = domain_recipes(&d, rs, v))) { free(v); domain_free(&d); return rc; }
  fputs("<section id=\"domain\"><h2>Domain</h2>\n", f);
  int outside = 0;
  char why[1024];
  for (int i = 0; i < rs->n; i++) {
    domain_reasons(&d, &v[i], rs->r[i].x, why, sizeof why);
    outside += why[0] != 0;
  }
  fprintf(f, "<p><b>%d of %d</b> recipes lie outside the model's domain (a ligand without a gold-binding group or "
             "with Tanimoto similarity below %.2g to every training ligand, a solvent or reducing agent never seen "
             "in training, or a descriptor outside the training range).</p>\n",
          outside, rs->n, d.threshold);
  if (outside) {
    fputs("<table><tr><th>id</th><th>nearest training ligand</th><th>similarity</th><th>outside because of</th></tr>\n", f);
    for (int i = 0; i < rs->n; i++) {
      domain_reasons(&d, &v[i], rs->r[i].x, why, sizeof why);
      if (!why[0]) continue;
      fputs("<tr><td>", f);
      html_text(f, rs->r[i].id);
      fputs("</td><td>", f);
      html_text(f, v[i].nearest >= 0 ? m->names[v[i].nearest] : "");
      fprintf(f, "</td><td>%.2f</td><td>", v[i].similarity);
      html_text(f, why);
      fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
  }
  fputs("</section>\n", f);
  free(v);
  domain_free(&d);
  return 0;
}

/* A figure from a subcommand's SVG file. */
static int figure(FILE *f, const char *id, const char *title, const char *svg, const char *caption) {
  fprintf(f, "<section id=\"%s\"><h2>%s</h2>\n<figure id=\"fig-%s\">", id, title, id);
  int rc = inline_svg(f, svg);
  fputs("<figcaption>", f);
  html_text(f, caption);
  fputs("</figcaption></figure></section>\n", f);
  return rc;
}

/* "# fidelity on 1000 fresh recipes: ..." from the text tree */
/* The tree's fidelity and labelling lines, and its leaf count. */
static void read_fidelity(const char *path, char *out, size_t n, char *lab, size_t nl, int *leaves) {
  out[0] = lab[0] = 0;
  *leaves = 0;
  FILE *in = fopen(path, "r");
  char line[1024];
  while (in && fgets(line, sizeof line, in)) {
    line[strcspn(line, "\n")] = 0;
    if (!strncmp(line, "# fidelity", 10)) snprintf(out, n, "%.200s", line + 2);
    else if (!strncmp(line, "# labelled", 10)) snprintf(lab, nl, "%.200s", line + 2);
    else if (line[0] != '#' && strstr(line, "class: ")) ++*leaves;
  }
  if (in) fclose(in);
}

int cmd_report(int argc, char **argv) {
  cli_args a;
  int rc;
  if (cli_start(&spec, argc, argv, &a, &rc)) return rc;
  long folds = 10, repeats = 3, samples = 11095, threads = par_threads();
  uint64_t seed = 1;
  if ((rc = cli_int(&a, "--folds", 2, 1000, &folds)) || (rc = cli_int(&a, "--repeats", 1, 1000, &repeats)) ||
      (rc = cli_int(&a, "--samples", 10, 200000, &samples)) || (rc = cli_u64(&a, "--seed", &seed)) ||
      (rc = cli_int(&a, "--threads", 1, 1024, &threads))) {
    cli_free(&a);
    return rc;
  }
  const char *mpath = a.pos[0], *rpath = a.pos[1];
  const char *thr = cli_get(&a, "--threshold") ? cli_get(&a, "--threshold") : "0.5";
  const char *out = cli_get(&a, "--output") ? cli_get(&a, "--output") : "report.html";
  size_t ol = strlen(out);
  if (ol < 6 || (strcmp(out + ol - 5, ".html") && strcmp(out + ol - 4, ".htm"))) {
    rc = au_fail(AU_EUSAGE, "--output %s: give an .html file", out);
    cli_free(&a);
    return rc;
  }
  model m;
  if ((rc = model_load(&m, mpath))) { cli_free(&a); return rc; }
  m.uncalibrated = cli_flag(&a, "--uncalibrated");
  input_opts io;
  component_table comp;
  recipe_set rs;
  input_opts_from_cli(&a, NULL, &io);
  if ((rc = open_recipes_for_model(&m, rpath, cli_get(&a, "--components"), &io, &comp, &rs))) {
    model_free(&m);
    cli_free(&a);
    return rc;
  }
  for (int i = 0; i < rs.n && !rc; i++)
    if (rs.r[i].outcome < 0)
      rc = au_fail(AU_EDATA, "%s: row %d (id %s), column 'outcome': the report cross-validates, so every recipe needs "
                   "an outcome (0 or 1)", rpath, rs.r[i].row, rs.r[i].id);
  if (folds > rs.n) folds = rs.n;
  const recipe *base = NULL;
  const char *want = cli_get(&a, "--base");
  int any_set2 = 0;
  for (int i = 0; i < rs.n; i++) {
    if (want ? !strcmp(rs.r[i].id, want) : (!base && !rs.r[i].ph_missing)) base = base ? base : &rs.r[i];
    any_set2 |= rs.r[i].set_ii == 1;
  }
  if (!rc && want && !base) rc = au_fail(AU_EUSAGE, "--base %s: no recipe with that id in %s", want, rpath);
  /* temporary figures beside the output */
  char tmp[5][4096];
  const char *ext[5] = {"heatmap.svg", "distances.svg", "tree.svg", "tree.txt", "distances.csv"};
  char *rel = xmalloc(ol + 32);
  snprintf(rel, ol + 32, "%s.reliability.svg", out);
  for (int k = 0; k < 5; k++) snprintf(tmp[k], sizeof tmp[k], "%s.%s", out, ext[k]);
  outfile page = {0};
  if (!rc) rc = out_open(&page, out);
  if (!rc) {
    FILE *f = page.f;
    char stamp[64];
    time_t now = time(NULL);
    strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M UTC", gmtime(&now));
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>auclust report: ", f);
    html_text(f, mpath);
    fputs("</title>\n<style>body{font-family:DejaVu Sans,Arial,Helvetica,sans-serif;max-width:1200px;margin:1em auto;"
          "padding:0 1em;color:#222}h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:1.5em}"
          "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}"
          "figure{margin:.5em 0;overflow-x:auto}figure svg{max-width:100%;height:auto}figcaption{font-size:.9em;"
          "color:#555}.note{font-size:.9em;color:#555}code{background:#f4f4f4;padding:0 3px}</style>\n</head><body>\n", f);
    fputs("<h1>auclust report</h1>\n<p>Model <code>", f);
    html_text(f, mpath);
    fprintf(f, "</code>: %s, %d instance%s, %d training recipes; data <code>", model_kind_labels[hparams_kind_index(&m.hp)],
            m.ninst, m.ninst > 1 ? "s" : "", m.train_rows);
    html_text(f, rpath);
    fprintf(f, "</code>; auclust %s, %s.</p>\n", AUCLUST_VERSION, stamp);
    section_data(f, &rs, rpath);
    rc = section_cv(f, &m, &rs, (int)folds, (int)repeats, seed, (int)threads, rel);
    char sd[32], ns[32];
    snprintf(sd, sizeof sd, "%llu", (unsigned long long)seed);
    snprintf(ns, sizeof ns, "%ld", samples);
    const char *delim = cli_get(&a, "--delimiter");
    /* the same --delimiter, --allow-missing-ph and --column for the commands that read RECIPES */
    char *in_args[4 + 2 * RECIPE_MAX_COLMAP];
    int nin = 0;
    if (cli_flag(&a, "--uncalibrated")) in_args[nin++] = "--uncalibrated"; /* the map and the tree */
    if (delim) in_args[nin++] = "--delimiter", in_args[nin++] = (char *)delim;
    if (cli_flag(&a, "--allow-missing-ph")) in_args[nin++] = "--allow-missing-ph";
    for (int i = 0; i < cli_count(&a, "--column") && nin + 2 <= (int)(sizeof in_args / sizeof *in_args); i++)
      in_args[nin++] = "--column", in_args[nin++] = (char *)cli_nth(&a, "--column", i);
    if (!rc && base) {
      char *hv[17 + 2 * RECIPE_MAX_COLMAP] = {(char *)mpath, "--base", base->id, "--recipes", (char *)rpath, "-o", tmp[0]};
      int hn = 7;
      for (int i = 0; i < nin; i++) hv[hn++] = in_args[i];
      if (!(rc = run_cmd(cmd_heatmap, "heatmap", hv, hn))) {
        char cap[512];
        snprintf(cap, sizeof cap, "Mean P(success) over the ensemble at the components and concentrations of recipe %s, "
                 "over pH and temperature; markers: training recipes with those components and concentrations.", base->id);
        rc = figure(f, "heatmap", "pH &times; temperature map", tmp[0], cap);
      }
    } else if (!rc) {
      fputs("<section id=\"heatmap\"><h2>pH &times; temperature map</h2><p class=\"note\">No recipe has a pH: no map."
            "</p></section>\n", f);
    }
    if (!rc && m.L.D) {
      char *fv[] = {(char *)mpath, "--svg", tmp[1], "-o", tmp[4]};
      if (!(rc = run_cmd(cmd_fingerprint, "fingerprint", fv, 5)))
        rc = figure(f, "distances", "Fingerprint distances", tmp[1],
                    "Euclidean distances between the model's ligands' GCNN fingerprints, averaged over the instances "
                    "(the paper's Figure 4).");
    } else if (!rc) {
      fputs("<section id=\"distances\"><h2>Fingerprint distances</h2><p class=\"note\">This model has no GCNN, so no "
            "fingerprints.</p></section>\n", f);
    }
    for (int k = 2; k < 4 && !rc; k++) {
      char *dv[13 + 3 + 2 * RECIPE_MAX_COLMAP + 1] = {(char *)mpath, (char *)rpath, "--subset", any_set2 ? "set_ii" : "all",
                                             "--samples", ns, "--seed", sd, "-o", tmp[k], "--quiet",
                                             "--threshold", (char *)thr};
      int dn = 13;
      for (int i = 0; i < nin; i++) dv[dn++] = in_args[i];
      rc = run_cmd(cmd_distill, "distill", dv, dn);
    }
    if (!rc) {
      char fid[256], lab[256], cap[1024];
      int leaves;
      read_fidelity(tmp[3], fid, sizeof fid, lab, sizeof lab, &leaves);
      snprintf(cap, sizeof cap, "A CART tree fitted to %ld random recipes of the %s rows labelled by the model (the paper's "
               "Figure 6): %s; %s.%s", samples, any_set2 ? "data set II" : "file's",
               lab[0] ? lab + strlen("labelled ") : "a success when the model's mean p > 0.5", fid,
               leaves == 1 ? " The model gives every random recipe one label here, so the tree is one leaf: "
                             "auclust report --threshold median draws where the model is more and less confident." : "");
      rc = figure(f, "tree", "Distilled decision tree", tmp[2], cap);
    }
    if (!rc) rc = section_domain(f, &m, &rs);
    fputs("</body></html>\n", f);
    if (rc || (rc = out_commit(&page))) out_abort(&page);
  }
  for (int k = 0; k < 5; k++) unlink(tmp[k]);
  unlink(rel);
  free(rel);
  if (!rc) print_calibration_note("report", &m); /* of the map and the tree */
  if (!rc) au_note("wrote %s", out);
  recipes_free(&rs);
  components_free(&comp);
  input_opts_free(&io);
  model_free(&m);
  cli_free(&a);
  return rc;
}
