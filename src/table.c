#include "table.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "readfile.h"

typedef struct {
  table *t;
  char **row; /* fields of the row being read */
  int nrow, caprow;
  int rowcount; /* spreadsheet rows seen: records and blank lines, header included */
  int last_c;   /* terminator of the previous row callback */
  int rc;
} reader;

static void on_field(void *s, size_t len, void *data) {
  reader *r = data;
  if (r->nrow == r->caprow) {
    r->caprow = r->caprow ? 2 * r->caprow : 16;
    r->row = xrealloc(r->row, sizeof(char *) * r->caprow);
  }
  char *v = xmalloc(len + 1);
  if (len) memcpy(v, s, len);
  v[len] = 0;
  r->row[r->nrow++] = v;
}

static void drop_row(reader *r) {
  for (int i = 0; i < r->nrow; i++) free(r->row[i]);
  r->nrow = 0;
}

/* No field has any text: a blank line or a row of bare delimiters. */
static int row_is_empty(const reader *r) {
  for (int i = 0; i < r->nrow; i++)
    if (r->row[i][strspn(r->row[i], " \t")]) return 0;
  return 1;
}

/* With CSV_REPALL_NL libcsv reports every unquoted CR and LF as a row end,
 * so blank lines can be counted; the LF of a CRLF pair is not a row. */
static void on_row(int c, void *data) {
  reader *r = data;
  table *t = r->t;
  int crlf = r->nrow == 0 && c == '\n' && r->last_c == '\r';
  r->last_c = c;
  if (crlf) return;
  r->rowcount++;
  if (r->rc) { drop_row(r); return; }
  if (row_is_empty(r)) { drop_row(r); return; } /* blank line, or only delimiters (Excel) */
  if (!t->header) {
    t->ncols = r->nrow;
    t->header = xmalloc(sizeof(char *) * r->nrow);
    memcpy(t->header, r->row, sizeof(char *) * r->nrow);
    r->nrow = 0;
    return;
  }
  if (r->nrow != t->ncols) {
    r->rc = au_fail(AU_EDATA, "%s: row %d has %d fields, the header has %d", t->path, r->rowcount,
                    r->nrow, t->ncols);
    drop_row(r);
    return;
  }
  if ((t->nrows & (t->nrows - 1)) == 0) { /* grow at powers of two */
    int cap = t->nrows ? 2 * t->nrows : 1;
    t->cell = xrealloc(t->cell, sizeof(char **) * cap);
    t->rowno = xrealloc(t->rowno, sizeof(int) * cap);
  }
  char **cells = xmalloc(sizeof(char *) * t->ncols);
  memcpy(cells, r->row, sizeof(char *) * t->ncols);
  t->cell[t->nrows] = cells;
  t->rowno[t->nrows++] = r->rowcount;
  r->nrow = 0;
}

/* ---- delimiters, decimal commas, column names ------------------------------ */

/* The most frequent of , ; tab on the first line outside quotes; ties: comma. */
static char detect_delim(const char *buf, size_t len) {
  static const char cand[3] = {',', ';', '\t'};
  int cnt[3] = {0, 0, 0}, quoted = 0;
  for (size_t i = 0; i < len; i++) {
    char c = buf[i];
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n' || c == '\r') {
      if (cnt[0] + cnt[1] + cnt[2]) break; /* the first line with any delimiter */
      continue;
    }
    for (int k = 0; k < 3; k++) cnt[k] += c == cand[k];
  }
  int best = 0;
  for (int k = 1; k < 3; k++)
    if (cnt[k] > cnt[best]) best = k;
  return cand[best];
}

const char *table_delim_name(char delim) {
  return delim == ';' ? "semicolon" : delim == '\t' ? "tab" : delim == ',' ? "comma" : "other";
}

const char *table_number_text(const table *t, const char *s, char *buf, size_t n) {
  const char *comma = strchr(s, ',');
  if (!t->decimal_comma || !comma || strchr(comma + 1, ',') || strchr(s, '.') || strlen(s) >= n) return s;
  strcpy(buf, s);
  buf[comma - s] = '.';
  return buf;
}

int table_rename(table *t, const char *to, const char *from) {
  int j = table_col(t, from), k = table_col(t, to);
  if (j < 0)
    return au_fail(AU_EDATA, "%s: row 1: --column %s=\"%s\": no column '%s' in the header", t->path, to, from, from);
  if (k >= 0 && k != j)
    return au_fail(AU_EDATA, "%s: row 1: --column %s=\"%s\": the file already has a column '%s'", t->path, to, from, to);
  free(t->header[j]);
  t->header[j] = xstrdup(to);
  return 0;
}

/* Lower-case letters and digits of s: "Temperature (C)" -> "temperaturec",
 * "Ligand_SMILES" -> "ligandsmiles". */
static void squash(const char *s, char *out, size_t n) {
  size_t k = 0;
  for (; *s && k + 1 < n; s++) {
    unsigned char c = (unsigned char)*s;
    if (c >= 'A' && c <= 'Z') c += 32;
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out[k++] = (char)c;
  }
  out[k] = 0;
}

static int edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  int *d = xmalloc(sizeof(int) * (lb + 1));
  for (size_t j = 0; j <= lb; j++) d[j] = (int)j;
  for (size_t i = 1; i <= la; i++) {
    int diag = d[0];
    d[0] = (int)i;
    for (size_t j = 1; j <= lb; j++) {
      int up = d[j], best = diag + (a[i - 1] != b[j - 1]);
      if (up + 1 < best) best = up + 1;
      if (d[j - 1] + 1 < best) best = d[j - 1] + 1;
      diag = up;
      d[j] = best;
    }
  }
  int r = d[lb];
  free(d);
  return r;
}

/* s without its parenthesised parts: "PH (measured)" -> "PH ". */
static void drop_parens(const char *s, char *out, size_t n) {
  size_t k = 0;
  int depth = 0;
  for (; *s && k + 1 < n; s++) {
    if (*s == '(') depth++;
    else if (*s == ')' && depth) depth--;
    else if (!depth) out[k++] = *s;
  }
  out[k] = 0;
}

int table_closest_col(const table *t, const char *name) {
  char want[128], have[128], bare[256];
  squash(name, want, sizeof want);
  int best = -1, bestd = 1 << 30;
  /* a third of the letters, at least one: "pH" is not "ID" */
  int limit = (int)strlen(want) / 3 > 1 ? (int)strlen(want) / 3 : 1;
  for (int j = 0; j < t->ncols; j++) {
    /* the whole header ("Temperature (C)" -> temperaturec) and without its
     * parentheses ("PH (measured)" -> ph); the closer counts */
    for (int pass = 0; pass < 2; pass++) {
      if (pass) drop_parens(t->header[j], bare, sizeof bare);
      squash(pass ? bare : t->header[j], have, sizeof have);
      if (!have[0]) continue;
      int d = edit_distance(want, have);
      if (d < bestd) { bestd = d; best = j; }
    }
  }
  return bestd <= limit ? best : -1;
}

int table_read_buffer(const char *name, const char *buf, size_t len, table *t) {
  return table_read_buffer_delim(name, buf, len, 0, t);
}

int table_read_buffer_delim(const char *name, const char *buf, size_t len, char delim, table *t) {
  memset(t, 0, sizeof *t);
  t->path = xstrdup(name);
  if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3)) { buf += 3; len -= 3; } /* UTF-8 BOM */
  t->detected = !delim;
  t->delim = delim ? delim : detect_delim(buf, len);
  t->decimal_comma = t->delim == ';';
  if (memchr(buf, 0, len)) {
    table_free(t);
    return au_fail(AU_EDATA, "%s: not a text CSV file (contains NUL bytes)", name);
  }
  /* '#' lines before the header are comments (simulate marks its synthetic
   * files so); they still count as spreadsheet rows */
  int comments = 0;
  while (len && buf[0] == '#') {
    const char *nl = memchr(buf, '\n', len);
    size_t k = nl ? (size_t)(nl - buf) + 1 : len;
    buf += k;
    len -= k;
    comments++;
  }
  struct csv_parser p;
  if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_REPALL_NL)) {
    table_free(t);
    return au_fail(AU_ENOMEM, "%s: cannot initialise the CSV parser", name);
  }
  csv_set_delim(&p, (unsigned char)t->delim);
  reader r = {.t = t, .rowcount = comments};
  if (csv_parse(&p, buf, len, on_field, on_row, &r) != len || csv_fini(&p, on_field, on_row, &r)) {
    if (!r.rc)
      r.rc = au_fail(AU_EDATA, "%s: malformed CSV near row %d: %s", name, r.rowcount + 1,
                     csv_strerror(csv_error(&p)));
  }
  csv_free(&p);
  drop_row(&r);
  free(r.row);
  if (!r.rc && !t->header) r.rc = au_fail(AU_EDATA, "%s: empty file, no header row", name);
  if (!r.rc) {
    for (int j = 0; j < t->ncols; j++) {
      for (int k = 0; k < j; k++)
        if (t->header[j][0] && !strcmp(t->header[j], t->header[k])) {
          r.rc = au_fail(AU_EDATA, "%s: row 1: column '%s' appears twice", name, t->header[j]);
          break;
        }
      if (r.rc) break;
    }
  }
  if (r.rc) table_free(t);
  return r.rc;
}

int table_read(const char *path, table *t) { return table_read_delim(path, 0, t); }

int table_read_delim(const char *path, char delim, table *t) {
  memset(t, 0, sizeof *t);
  char *buf;
  size_t len;
  int rc = read_capped(path, AU_CAP_TABLE, AU_EDATA, "table (CSV)", &buf, &len);
  if (rc) return rc;
  rc = table_read_buffer_delim(path, buf, len, delim, t);
  free(buf);
  return rc;
}

int table_col(const table *t, const char *name) {
  for (int j = 0; j < t->ncols; j++)
    if (!strcmp(t->header[j], name)) return j;
  return -1;
}

void table_free(table *t) {
  for (int i = 0; i < t->nrows; i++) {
    for (int j = 0; j < t->ncols; j++) free(t->cell[i][j]);
    free(t->cell[i]);
  }
  for (int j = 0; j < t->ncols && t->header; j++) free(t->header[j]);
  free(t->header);
  free(t->cell);
  free(t->rowno);
  free(t->path);
  memset(t, 0, sizeof *t);
}

void csv_put(FILE *f, const char *s) {
  if (!s) s = "";
  /* quote edge blanks (the reader trims unquoted ones), delimiters and quotes; found by fuzz_table */
  size_t n = strlen(s);
  int edge = n && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t');
  if (!strpbrk(s, ",\"\r\n") && !edge) {
    fputs(s, f);
    return;
  }
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"') fputc('"', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

void csv_put_num(FILE *f, double v) {
  if (isnan(v)) return; /* empty field */
  char b[32];
  snprintf(b, sizeof b, "%.10g", v);
  fputs(b, f);
}
