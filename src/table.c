#include "table.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

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
  if (r->nrow == 0 || (r->nrow == 1 && !r->row[0][0])) { drop_row(r); return; } /* blank line */
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

int table_read_buffer(const char *name, const char *buf, size_t len, table *t) {
  memset(t, 0, sizeof *t);
  t->path = xstrdup(name);
  if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3)) { buf += 3; len -= 3; } /* UTF-8 BOM */
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

int table_read(const char *path, table *t) {
  memset(t, 0, sizeof *t);
  FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
  if (!f) return au_fail(AU_EIO, "%s: cannot open: %s", path, strerror(errno));
  size_t cap = 1 << 16, len = 0;
  char *buf = xmalloc(cap);
  size_t got;
  while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
    len += got;
    if (len == cap) buf = xrealloc(buf, cap *= 2);
  }
  int bad = ferror(f);
  if (f != stdin) fclose(f);
  if (bad) {
    free(buf);
    return au_fail(AU_EIO, "%s: read error", path);
  }
  int rc = table_read_buffer(path, buf, len, t);
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
  if (!strpbrk(s, ",\"\r\n") && s[0] != ' ' && (!s[0] || s[strlen(s) - 1] != ' ')) {
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
