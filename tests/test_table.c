/* CSV tables (table.c, libcsv): BOM, CRLF, quoting, empty fields, header
 * order, errors; csv_put quoting; and a round trip of the bundled recipe
 * set through a rewritten file (BOM, CRLF, shuffled columns, an extra
 * column) that must give identical recipes. Rows are numbered as a
 * spreadsheet shows them (table.h): the header is row 1. */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "descriptors.h"
#include "err.h"
#include "rdkit_cffi.h"
#include "recipes.h"
#include "readfile.h"
#include "table.h"

/* ---- temp files --------------------------------------------------------- */
static char tmp_paths[64][64];
static int ntmp;

static const char *write_tmp(const char *bytes, size_t len) {
  char *p = tmp_paths[ntmp++];
  strcpy(p, "/tmp/test_table_XXXXXX");
  int fd = mkstemp(p);
  if (fd < 0) { perror("mkstemp"); exit(2); }
  if (write(fd, bytes, len) != (ssize_t)len) { perror("write"); exit(2); }
  close(fd);
  return p;
}
#define WRITE_TMP(lit) write_tmp(lit, sizeof(lit) - 1)

static void remove_tmps(void) {
  for (int i = 0; i < ntmp; i++) unlink(tmp_paths[i]);
}

/* ---- reading ------------------------------------------------------------ */

/* One file with everything at once:
 *   - a UTF-8 BOM before the first header name
 *   - CRLF line ends, and no line end after the last record
 *   - a quoted header name, and an unquoted one with spaces around it
 *   - quoted fields with a comma, doubled quotes, a newline, and spaces
 *     that must be kept
 *   - empty fields, including a row empty but for its last field (a row of
 *     only delimiters is skipped: tests/test_input.c)
 * Spreadsheet rows: header 1, then 2, 3, 4 (the record with the embedded
 * newline is still one row), 5, 6. */
static const char tricky[] =
    "\xEF\xBB\xBF"
    "id,\"note\", value ,empty\r\n"
    "A1,\"a, b\",1.5,\r\n"
    "A2,\"say \"\"hi\"\"\",,\r\n"
    "A3,\"line1\nline2\",3,x\r\n"
    ",,,z\r\n"
    "A5,\"  keep  \",-2e-3,\"\"";

static void test_tricky_file(void) {
  const char *path = WRITE_TMP(tricky);
  table t;
  int rc = table_read(path, &t);
  CHECK(rc == AU_OK);
  if (rc) { fprintf(stderr, "  %s\n", au_errmsg()); return; }
  CHECK_STR(t.path, path);
  CHECK(t.ncols == 4);
  CHECK(t.nrows == 5);
  if (t.ncols != 4 || t.nrows != 5) { table_free(&t); return; }
  CHECK_STR(t.header[0], "id"); /* BOM gone */
  CHECK_STR(t.header[1], "note");
  CHECK_STR(t.header[2], "value"); /* trimmed */
  CHECK_STR(t.header[3], "empty");
  const char *want[5][4] = {{"A1", "a, b", "1.5", ""},
                            {"A2", "say \"hi\"", "", ""},
                            {"A3", "line1\nline2", "3", "x"},
                            {"", "", "", "z"},
                            {"A5", "  keep  ", "-2e-3", ""}};
  for (int i = 0; i < 5; i++)
    for (int j = 0; j < 4; j++) CHECK_STR(t.cell[i][j], want[i][j]);
  const int rowno[5] = {2, 3, 4, 5, 6};
  for (int i = 0; i < 5; i++) CHECK(t.rowno[i] == rowno[i]);
  CHECK(table_col(&t, "id") == 0);
  CHECK(table_col(&t, "value") == 2);
  CHECK(table_col(&t, "empty") == 3);
  CHECK(table_col(&t, "missing") == -1);
  CHECK(table_col(&t, "Value") == -1);
  table_free(&t);
  CHECK(t.nrows == 0 && t.cell == NULL && t.header == NULL);

  /* the same bytes from a buffer: same result */
  rc = table_read_buffer("mem", tricky, sizeof tricky - 1, &t);
  CHECK(rc == AU_OK);
  if (!rc) {
    CHECK(t.nrows == 5 && t.ncols == 4);
    CHECK_STR(t.path, "mem");
    if (t.nrows == 5) CHECK_STR(t.cell[2][1], "line1\nline2");
    table_free(&t);
  }
}

/* LF only, and a final line end: the same cells. A header-only file is a
 * table with no rows (not an error at this level). */
static void test_plain(void) {
  table t;
  const char *p = WRITE_TMP("b,a\n2,1\n");
  CHECK(table_read(p, &t) == AU_OK);
  CHECK(t.ncols == 2 && t.nrows == 1);
  if (t.nrows == 1) {
    CHECK(table_col(&t, "a") == 1 && table_col(&t, "b") == 0);
    CHECK_STR(t.cell[0][table_col(&t, "a")], "1");
    CHECK_STR(t.cell[0][table_col(&t, "b")], "2");
    CHECK(t.rowno[0] == 2);
  }
  table_free(&t);
  p = WRITE_TMP("x,y\r\n");
  CHECK(table_read(p, &t) == AU_OK);
  CHECK(t.ncols == 2 && t.nrows == 0);
  table_free(&t);
}

static void expect_fail(const char *bytes, size_t len, int code, const char *must1, const char *must2,
                        int line) {
  const char *p = write_tmp(bytes, len);
  table t;
  au_errclear();
  int rc = table_read(p, &t);
  const char *m = au_errmsg();
  int ok = rc == code && strstr(m, p) && (!must1 || strstr(m, must1)) && (!must2 || strstr(m, must2));
  check_count++;
  if (!ok) {
    check_failures++;
    fprintf(stderr, "test_table.c:%d: want code %d naming '%s' and '%s'; got %d: %s\n", line, code,
            must1 ? must1 : "", must2 ? must2 : "", rc, m);
  }
  if (!rc) table_free(&t);
  CHECK(strchr(m, '\n') == NULL); /* one line */
}
#define FAIL(lit, code, m1, m2) expect_fail(lit, sizeof(lit) - 1, code, m1, m2, __LINE__)

static void test_errors(void) {
  /* a row with too few / too many fields names its spreadsheet row */
  FAIL("a,b,c\n1,2,3\n4,5\n", AU_EDATA, "row 3", NULL);
  FAIL("a,b,c\r\n1,2,3\r\n4,5,6\r\n7,8,9,10\r\n", AU_EDATA, "row 4", NULL);
  /* after a record spanning two lines, still counted as one row */
  FAIL("a,b\n\"x\ny\",1\n2\n", AU_EDATA, "row 3", NULL);
  /* with a BOM, the header is still row 1 */
  FAIL("\xEF\xBB\xBF" "a,b\n1\n", AU_EDATA, "row 2", NULL);
  /* malformed quoting: text after a closing quote; unterminated quote */
  FAIL("a,b\n\"x\"y,2\n", AU_EDATA, "row 2", NULL);
  FAIL("a,b\n1,2\n3,\"open\n", AU_EDATA, NULL, NULL);
  /* a quote in the middle of an unquoted field */
  FAIL("a,b\n1,x\"y\n", AU_EDATA, NULL, NULL);
  /* NUL bytes: not a text file */
  FAIL("a,b\n1,\0002\n", AU_EDATA, "NUL", NULL);
  FAIL("\xEF\xBB\xBF" "a\0,b\n", AU_EDATA, "NUL", NULL);
  /* empty file, and a BOM alone: no header */
  FAIL("", AU_EDATA, NULL, NULL);
  FAIL("\xEF\xBB\xBF", AU_EDATA, NULL, NULL);
  /* the same column twice */
  FAIL("a,b,a\n1,2,3\n", AU_EDATA, "'a'", NULL);

  /* NUL through the buffer interface too */
  table t;
  CHECK(table_read_buffer("nul", "a\n\0\n", 4, &t) == AU_EDATA);
  CHECK(t.header == NULL && t.nrows == 0);

  /* a missing file is an I/O error naming the path */
  au_errclear();
  CHECK(table_read("/nonexistent/dir/recipes.csv", &t) == AU_EIO);
  CHECK(strstr(au_errmsg(), "/nonexistent/dir/recipes.csv") != NULL);
  /* a directory cannot be read as a file */
  au_errclear();
  CHECK(table_read("/tmp", &t) == AU_EIO);
}

/* Spreadsheet row numbers when the file has blank lines: a spreadsheet
 * (LibreOffice, Excel) shows a blank line as an empty row, so in
 *   1: a,b   2: 1,2   3: (blank)   4: 3,4
 * the record "3,4" is row 4, and an error in it must say row 4. */
static void test_blank_line_rows(void) {
  const char ok[] = "a,b\n1,2\n\n3,4\n";
  table t;
  int rc = table_read_buffer("blank", ok, sizeof ok - 1, &t);
  CHECK(rc == AU_OK);
  if (!rc) {
    CHECK(t.nrows == 2); /* the blank line is not a record */
    if (t.nrows == 2) {
      CHECK(t.rowno[0] == 2);
      if (t.rowno[1] != 4)
        fprintf(stderr, "  record after a blank line: rowno %d, a spreadsheet shows row 4\n", t.rowno[1]);
      CHECK(t.rowno[1] == 4);
    }
    table_free(&t);
  }
  FAIL("a,b\n1,2\n\n3\n", AU_EDATA, "row 4", NULL);
  FAIL("a,b\r\n1,2\r\n\r\n3\r\n", AU_EDATA, "row 4", NULL);
}

/* ---- writing ------------------------------------------------------------ */
static char *put_to_string(const char *s) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  csv_put(f, s);
  fclose(f);
  return buf;
}

static char *putnum_to_string(double v) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  csv_put_num(f, v);
  fclose(f);
  return buf;
}

static void test_csv_put(void) {
  const char *in[] = {"plain", "", "a,b", "say \"hi\"", "x\ny", "cr\rhere", " lead", "trail ", "in side", NULL};
  const char *out[] = {"plain", "", "\"a,b\"", "\"say \"\"hi\"\"\"", "\"x\ny\"", "\"cr\rhere\"",
                       "\" lead\"", "\"trail \"", "in side", ""};
  for (int i = 0; i < 10; i++) {
    char *s = put_to_string(in[i]);
    CHECK_STR(s, out[i]);
    free(s);
  }
  /* numbers: NaN is an empty field; short decimals come back as written */
  char *s = putnum_to_string(NAN);
  CHECK_STR(s, "");
  free(s);
  const double v[] = {0, 1.5, -2.2061, 148.227, 12, 1e-5, 2.379, 389.1892186, -1e300};
  for (int i = 0; i < 9; i++) {
    s = putnum_to_string(v[i]);
    double back;
    CHECK(parse_number(s, &back) == 0);
    CHECK(back == v[i]);
    free(s);
  }
  s = putnum_to_string(25);
  CHECK_STR(s, "25");
  free(s);
}

/* Everything csv_put writes, table_read reads back identically: one row
 * of awkward values, written with CRLF and a BOM. */
static void test_put_read_round_trip(void) {
  const char *vals[] = {"a,b", "say \"hi\"", "two\nlines", " lead", "", "trail ", "\"", ",", "plain"};
  const int n = sizeof vals / sizeof vals[0];
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  fputs("\xEF\xBB\xBF", f);
  for (int j = 0; j < n; j++) fprintf(f, "%sc%d", j ? "," : "", j);
  fputs("\r\n", f);
  for (int j = 0; j < n; j++) {
    if (j) fputc(',', f);
    csv_put(f, vals[j]);
  }
  fputs("\r\n", f);
  fclose(f);
  table t;
  int rc = table_read_buffer("rt", buf, len, &t);
  CHECK(rc == AU_OK);
  if (!rc) {
    CHECK(t.nrows == 1 && t.ncols == n);
    if (t.nrows == 1 && t.ncols == n)
      for (int j = 0; j < n; j++) CHECK_STR(t.cell[0][j], vals[j]);
    table_free(&t);
  }
  free(buf);
}

/* ---- round trip of the bundled data set --------------------------------- */
static int same_num(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

static void test_dataset_round_trip(void) {
  table orig;
  int rc = table_read("data/au_nc_recipes.csv", &orig);
  CHECK(rc == AU_OK);
  if (rc) { fprintf(stderr, "  %s\n", au_errmsg()); return; }
  CHECK(orig.nrows >= 20); /* the bundled set: a few dozen rows */
  /* the shuffled order: reversed, then the first two swapped, plus an
   * unknown column in the middle whose values need every kind of quoting */
  int nc = orig.ncols, perm[64] = {0};
  CHECK(nc >= 2 && nc <= 64);
  if (nc < 2 || nc > 64) { table_free(&orig); return; }
  for (int j = 0; j < nc; j++) perm[j] = nc - 1 - j;
  int tmp = perm[0]; perm[0] = perm[1]; perm[1] = tmp;
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  fputs("\xEF\xBB\xBF", f);
  for (int k = 0; k < nc; k++) {
    if (k) fputc(',', f);
    if (k == nc / 2) fputs("lab_notebook,", f);
    csv_put(f, orig.header[perm[k]]);
  }
  fputs("\r\n", f);
  for (int i = 0; i < orig.nrows; i++) {
    for (int k = 0; k < nc; k++) {
      if (k) fputc(',', f);
      if (k == nc / 2) {
        char extra[64];
        snprintf(extra, sizeof extra, "p. %d, \"see\"\nover", i);
        csv_put(f, extra);
        fputc(',', f);
      }
      csv_put(f, orig.cell[i][perm[k]]);
    }
    fputs("\r\n", f);
  }
  fclose(f);
  const char *path = write_tmp(buf, len);
  free(buf);

  table back;
  rc = table_read(path, &back);
  CHECK(rc == AU_OK);
  if (rc) { fprintf(stderr, "  %s\n", au_errmsg()); table_free(&orig); return; }
  CHECK(back.ncols == nc + 1 && back.nrows == orig.nrows);
  CHECK(table_col(&back, "lab_notebook") == nc / 2);
  if (back.nrows == orig.nrows) {
    int bad = 0;
    for (int j = 0; j < nc; j++) {
      int c = table_col(&back, orig.header[j]);
      if (c < 0) { bad++; continue; }
      for (int i = 0; i < orig.nrows; i++)
        if (strcmp(back.cell[i][c], orig.cell[i][j])) bad++;
    }
    CHECK(bad == 0);
    for (int i = 0; i < orig.nrows; i++) {
      char extra[64];
      snprintf(extra, sizeof extra, "p. %d, \"see\"\nover", i);
      CHECK_STR(back.cell[i][table_col(&back, "lab_notebook")], extra);
    }
  }
  table_free(&back);
  /* what the recipe loader must count, read from the raw cells */
  int want_n = orig.nrows, want_succ = 0, want_fail = 0, want_set2 = 0;
  int oc = table_col(&orig, "outcome"), sc = table_col(&orig, "set_ii");
  CHECK(oc >= 0 && sc >= 0);
  for (int i = 0; i < orig.nrows && oc >= 0 && sc >= 0; i++) {
    want_succ += !strcmp(orig.cell[i][oc], "1");
    want_fail += !strcmp(orig.cell[i][oc], "0");
    want_set2 += !strcmp(orig.cell[i][sc], "1");
  }
  table_free(&orig);

  /* and as recipes: every descriptor of every recipe identical */
  component_table comp;
  rc = components_load("data/components.csv", &comp);
  CHECK(rc == AU_OK);
  if (rc) { fprintf(stderr, "  %s\n", au_errmsg()); return; }
  recipe_opts o = recipe_opts_default();
  recipe_set a, b;
  int ra = recipes_load("data/au_nc_recipes.csv", &comp, &o, &a);
  int rb = recipes_load(path, &comp, &o, &b);
  CHECK(ra == AU_OK && rb == AU_OK);
  if (ra || rb) {
    fprintf(stderr, "  %s\n", au_errmsg());
    if (!ra) recipes_free(&a);
    if (!rb) recipes_free(&b);
    components_free(&comp);
    return;
  }
  CHECK(a.n == want_n && b.n == a.n);
  CHECK(b.has_outcome && a.has_outcome);
  int nsucc = 0, nfail = 0, nset2 = 0, bad = 0;
  for (int i = 0; i < a.n && i < b.n; i++) {
    const recipe *x = &a.r[i], *y = &b.r[i];
    for (int d = 0; d < AU_NDESC; d++)
      if (!same_num(x->x[d], y->x[d])) {
        bad++;
        fprintf(stderr, "  recipe %s: %s %.17g vs %.17g\n", x->id, au_desc_name[d], x->x[d], y->x[d]);
      }
    for (int d = 0; d < AU_NDESC; d++)
      if (!isfinite(x->x[d])) bad++; /* a loaded recipe has every descriptor */
    if (strcmp(x->id, y->id) || x->ph_missing != y->ph_missing || x->outcome != y->outcome ||
        x->set_ii != y->set_ii || x->row != y->row)
      bad++;
    for (int k = 0; k < NROLES; k++)
      if (strcmp(x->name[k], y->name[k]) || strcmp(a.mol[x->mol[k]].canonical, b.mol[y->mol[k]].canonical))
        bad++;
    for (int k = 0; k < RECIPE_NCARRY; k++)
      if ((x->carry[k] == NULL) != (y->carry[k] == NULL) || (x->carry[k] && strcmp(x->carry[k], y->carry[k])))
        bad++;
    nsucc += x->outcome == 1;
    nfail += x->outcome == 0;
    nset2 += x->set_ii == 1;
  }
  CHECK(bad == 0);
  CHECK(nsucc == want_succ && nfail == want_fail && nsucc + nfail == want_n);
  CHECK(nset2 == want_set2);
  CHECK(a.nmol == b.nmol);
  recipes_free(&a);
  recipes_free(&b);
  components_free(&comp);
}

/* A recipe file written by hand, header in another order than the bundled
 * one, with an unknown column: the values land in the right descriptors. */
static void test_recipes_column_order(void) {
  const char csv[] =
      "\xEF\xBB\xBF"
      "outcome,pH,temperature_C,who,reductant_mM,haucl4_mM,ligand_mM,reductant_smiles,solvent_smiles,"
      "ligand_smiles,id\r\n"
      "1,\"11.5\",4,\"Smith, J.\",2.5,1.0,1.5,[Na+].[BH4-],O,NCCS,X1\r\n"
      "0,,60,,0.5,0.25,3,[C-]#[O+],Cc1ccccc1,OC(=O)CCCCCS,X2\r\n";
  const char *path = WRITE_TMP(csv);
  component_table comp;
  if (components_load("data/components.csv", &comp)) { CHECK(0); return; }
  recipe_opts o = recipe_opts_default();
  recipe_set s;
  int rc = recipes_load(path, &comp, &o, &s);
  CHECK(rc == AU_OK);
  if (rc) { fprintf(stderr, "  %s\n", au_errmsg()); components_free(&comp); return; }
  CHECK(s.n == 2);
  if (s.n == 2) {
    const recipe *r = &s.r[0];
    CHECK_STR(r->id, "X1");
    CHECK(r->row == 2);
    CHECK(r->x[D_LIGAND_MM] == 1.5 && r->x[D_HAUCL4_MM] == 1.0 && r->x[D_REDUCTANT_MM] == 2.5);
    CHECK(r->x[D_TEMPERATURE_C] == 4 && r->x[D_PH] == 11.5 && !r->ph_missing);
    CHECK(r->x[D_DIELECTRIC] == 80.1);  /* water, from components.csv */
    CHECK(r->x[D_REDOX] == -1.24);      /* NaBH4, from components.csv */
    CHECK_NEAR(r->x[D_MW], 77.152, 1e-3); /* cysteamine */
    CHECK(r->outcome == 1);
    CHECK(r->set_ii == -1); /* no set_ii column */
    r = &s.r[1];
    CHECK_STR(r->id, "X2");
    CHECK(r->row == 3);
    CHECK(r->ph_missing && r->x[D_PH] == 7.0); /* empty pH -> the default 7 */
    CHECK(r->x[D_TEMPERATURE_C] == 60 && r->x[D_LIGAND_MM] == 3);
    CHECK(r->x[D_DIELECTRIC] == 2.379); /* toluene */
    CHECK(r->x[D_REDOX] == -0.11);      /* CO */
    CHECK_NEAR(r->x[D_SOLUBILITY], 0.1486366, 1e-4); /* MHA in toluene, see test_descriptors */
    CHECK(r->outcome == 0);
  }
  recipes_free(&s);
  components_free(&comp);
}

/* '#' lines before the header are comments (simulate's synthetic-data
 * line) and count as spreadsheet rows; a '#' later is data. */
static void test_comment_lines(void) {
  static const char buf[] = "# SYNTHETIC DATA, a, b\r\n#second\na,b\n1,2\n#x,3\n";
  table t;
  int rc = table_read_buffer("comments", buf, sizeof buf - 1, &t);
  CHECK(rc == 0);
  if (rc) return;
  CHECK(t.ncols == 2 && t.nrows == 2);
  CHECK_STR(t.header[0], "a");
  CHECK(t.rowno[0] == 4 && t.rowno[1] == 5);
  CHECK_STR(t.cell[1][0], "#x");
  table_free(&t);
  CHECK(table_read_buffer("only", "# nothing\n", 10, &t) == AU_EDATA); /* no header */
}

/* ---- streaming: the rows, numbers and messages of a whole read ----------- */

/* Reads path whole and streamed `max` rows at a time; the tables must agree
 * cell for cell (or both fail with the same message). */
static int check_stream_same(const char *path, char delim, int max) {
  table w, t;
  int rcw = table_read_delim(path, delim, &w);
  char msgw[1024];
  snprintf(msgw, sizeof msgw, "%s", rcw ? au_errmsg() : "");
  table_stream *ts;
  int rc = table_stream_open(path, delim, &t, &ts);
  int row = 0, same = 1;
  while (!rc) {
    if ((rc = table_stream_next(ts, &t, max)) || !t.nrows) break;
    CHECK(t.nrows >= max || t.nrows > 0);
    for (int i = 0; i < t.nrows && !rcw && same; i++, row++) {
      same = row < w.nrows && t.rowno[i] == w.rowno[row];
      for (int j = 0; j < t.ncols && same; j++) same = !strcmp(t.cell[i][j], w.cell[row][j]);
    }
  }
  CHECK(same);
  CHECK(rc == rcw);
  if (rc && rcw) CHECK_STR(au_errmsg(), msgw);
  if (!rc && !rcw) {
    CHECK(row == w.nrows);
    CHECK(t.ncols == w.ncols && t.delim == w.delim && t.detected == w.detected && t.decimal_comma == w.decimal_comma);
    for (int j = 0; j < t.ncols && j < w.ncols; j++) CHECK_STR(t.header[j], w.header[j]);
  }
  if (ts) table_stream_close(ts);
  table_free(&t);
  if (!rcw) table_free(&w);
  return rcw;
}

static void test_stream(void) {
  /* about 200 KB, so that rows, quoted newlines and CRLF pairs straddle the
   * 64 KB blocks: a BOM, comment lines, ';' and decimal commas, blank rows,
   * rows of bare delimiters */
  size_t cap = 400000, n = 0;
  char *b = malloc(cap);
  n += (size_t)sprintf(b + n, "\xEF\xBB\xBF# comment; and a semicolon\r\n#second\r\nid;x;note\r\n");
  for (int i = 0; i < 3000; i++) {
    n += (size_t)sprintf(b + n, "r%d;%d,5;\"line one;\r\nline \"\"two\"\"\"\r\n", i, i);
    if (i % 97 == 0) n += (size_t)sprintf(b + n, "\r\n;;\r\n");
  }
  const char *path = write_tmp(b, n);
  for (int max = 1; max <= 4096; max *= 8) CHECK(check_stream_same(path, 0, max) == 0);
  CHECK(check_stream_same(path, ';', 1000) == 0);
  /* the first 200 rows in tiny blocks: every boundary inside rows, quotes, CRLF pairs */
  const char *nl = b;
  for (int k = 0; k < 200 * 2 + 3; k++) nl = strchr(nl, '\n') + 1;
  const char *small = write_tmp(b, (size_t)(nl - b));
  static const size_t blocks[] = {1, 2, 3, 7, 1000};
  for (size_t k = 0; k < sizeof blocks / sizeof blocks[0]; k++) {
    table_stream_set_block(blocks[k]);
    CHECK(check_stream_same(small, 0, 13) == 0);
  }
  table_stream_set_block(0);
  /* a short row near the end: the same one-line error */
  n += (size_t)sprintf(b + n, "late;1\r\n");
  path = write_tmp(b, n);
  CHECK(check_stream_same(path, 0, 100) == AU_EDATA);
  /* a NUL byte in a later block */
  b[n - 3] = 0;
  path = write_tmp(b, n);
  CHECK(check_stream_same(path, 0, 100) == AU_EDATA);
  /* small files, bad and good */
  CHECK(check_stream_same(WRITE_TMP("a,b\n1,2\n"), 0, 1) == 0);
  check_stream_same(WRITE_TMP("a,b\n"), 0, 1);
  check_stream_same(WRITE_TMP(""), 0, 1);
  check_stream_same(WRITE_TMP("# only a comment"), 0, 1);
  check_stream_same(WRITE_TMP("a,a\n1,2\n"), 0, 1);
  check_stream_same(WRITE_TMP("a,b\n\"1,2\n"), 0, 1);
  /* a stream caps each row (a whole read caps the file) */
  size_t big = AU_CAP_ROW + 100;
  char *r = malloc(big + 16);
  memcpy(r, "a,b\n1,", 6);
  memset(r + 6, 'x', big);
  path = write_tmp(r, big + 6);
  table t;
  table_stream *ts;
  int rc = table_stream_open(path, 0, &t, &ts);
  CHECK(rc == 0);
  if (!rc) {
    rc = table_stream_next(ts, &t, 10);
    CHECK(rc == AU_EDATA && strstr(au_errmsg(), "row 2 is longer than the 1 MB limit"));
    table_stream_close(ts);
    table_free(&t);
  }
  free(r);
  free(b);
}

/* parse_number's fast path for plain decimals gives strtod's bits. */
static void test_parse_number_exact(void) {
  unsigned long long x = 88172645463325252ull;
  int bad = 0;
  for (int i = 0; i < 50000; i++) {
    char buf[40];
    int k = 0;
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    if (x & 1) buf[k++] = '-';
    int nd = 1 + (int)((x >> 1) % 17), dot = (int)((x >> 6) % (nd + 2)) - 1; /* up to 17 digits: both paths */
    for (int d = 0; d < nd; d++) {
      if (d == dot) buf[k++] = '.';
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      buf[k++] = (char)('0' + x % 10);
    }
    if (dot == nd) buf[k++] = '.';
    buf[k] = 0;
    double a, b = strtod(buf, NULL);
    if (parse_number(buf, &a) || memcmp(&a, &b, sizeof a)) {
      if (bad++ < 3) fprintf(stderr, "  parse_number(\"%s\") = %.17g, strtod %.17g\n", buf, a, b);
    }
  }
  CHECK(bad == 0);
  double v;
  CHECK(parse_number("-0", &v) == 0 && v == 0 && signbit(v));
  CHECK(parse_number(" 1.5 ", &v) == 0 && v == 1.5);
  CHECK(parse_number("1e3", &v) == 0 && v == 1000);
  CHECK(parse_number(".", &v) != 0 && parse_number("1.2.3", &v) != 0 && parse_number("inf", &v) != 0);
}

/* The recipe stream gives recipes_load's recipes and notes, whatever the chunk. */
static void test_recipe_stream(void) {
  component_table comp;
  if (components_load("data/components.csv", &comp)) { CHECK(0); return; }
  /* the bundled recipes three times, with a salt and zero concentrations in later chunks */
  FILE *in = fopen("data/au_nc_recipes.csv", "r");
  char *line = NULL;
  size_t cap = 0, n = 0;
  char *buf = NULL;
  FILE *out = open_memstream(&buf, &n);
  int k = 0;
  while (getline(&line, &cap, in) > 0)
    if (k++ == 0) fputs("id,ligand_smiles,solvent_smiles,reductant_smiles,ligand_mM,haucl4_mM,reductant_mM,temperature_C,pH,outcome\n", out);
  fclose(in);
  free(line);
  for (int rep = 0; rep < 40; rep++) {
    fprintf(out, "S%d,OC(=O)CCCCCS,O,[Na+].[BH4-],%d,1,4,25,12,1\n", rep, rep % 7);
    fprintf(out, "T%d,[Na+].[O-]C(=O)CCS,O,[Na+].[BH4-],2,1,%d,25,12,0\n", rep, rep % 5);
  }
  fclose(out);
  const char *path = write_tmp(buf, n);
  free(buf);
  recipe_opts o = recipe_opts_default();
  recipe_set w;
  int rc = recipes_load(path, &comp, &o, &w);
  CHECK(rc == 0);
  if (rc) { fprintf(stderr, "  %s\n", au_errmsg()); components_free(&comp); return; }
  for (int max = 1; max <= 64; max *= 4) {
    recipe_set s;
    recipe_stream *st;
    rc = recipes_stream_open(path, &comp, &o, &s, &st);
    CHECK(rc == 0);
    int i = 0, same = 1;
    while (!rc && !(rc = recipes_stream_next(st, max)) && s.n) {
      for (int q = 0; q < s.n && same; q++, i++) {
        const recipe *a = &s.r[q], *b = &w.r[i];
        same = i < w.n && !strcmp(a->id, b->id) && a->row == b->row && a->outcome == b->outcome &&
               !memcmp(a->x, b->x, sizeof(double) * AU_NDESC) && a->ph_missing == b->ph_missing &&
               !strcmp(a->dropped ? a->dropped : "", b->dropped ? b->dropped : "");
        for (int r = 0; r < NROLES && same; r++)
          same = !strcmp(s.mol[a->mol[r]].canonical, w.mol[b->mol[r]].canonical) && !strcmp(a->name[r], b->name[r]);
      }
    }
    CHECK(rc == 0 && same && i == w.n && recipes_stream_rows(st) == w.n);
    CHECK(s.nnotes == w.nnotes);
    for (int j = 0; j < s.nnotes && j < w.nnotes; j++) CHECK_STR(s.notes[j], w.notes[j]);
    recipes_stream_close(st);
    recipes_free(&s);
  }
  CHECK(w.nnotes >= 3); /* the salt, and both zero concentrations */
  recipes_free(&w);
  /* a bad row in a late chunk: recipes_load's message */
  FILE *f = fopen(path, "a");
  fputs("BAD,OC(=O)CCS,O,[Na+].[BH4-],2,1,4,25,15,1\n", f);
  fclose(f);
  rc = recipes_load(path, &comp, &o, &w);
  char msg[1024];
  snprintf(msg, sizeof msg, "%s", au_errmsg());
  CHECK(rc == AU_EDATA && strstr(msg, "(id BAD), column 'pH'"));
  recipe_set s;
  recipe_stream *st;
  rc = recipes_stream_open(path, &comp, &o, &s, &st);
  while (!rc && !(rc = recipes_stream_next(st, 16)) && s.n) {}
  CHECK(rc == AU_EDATA);
  CHECK_STR(au_errmsg(), msg);
  recipes_stream_close(st);
  recipes_free(&s);
  components_free(&comp);
}

int main(void) {
#ifdef AUCLUST_HAVE_RDKITCFFI
  disable_logging();
#endif
  test_tricky_file();
  test_plain();
  test_errors();
  test_blank_line_rows();
  test_comment_lines();
  test_csv_put();
  test_put_read_round_trip();
  test_dataset_round_trip();
  test_recipes_column_order();
  test_stream();
  test_recipe_stream();
  test_parse_number_exact();
  remove_tmps();
  return check_report();
}
