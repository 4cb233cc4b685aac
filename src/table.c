#include "table.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "err.h"
#include "readfile.h"

typedef struct {
  table *t;
  char **row; /* fields of the row being read */
  int nrow, caprow;
  int rowcount; /* spreadsheet rows seen: records and blank lines, header included */
  int last_c;   /* terminator of the previous row callback */
  size_t rowbytes; /* bytes in the fields of the row being read (streams cap it) */
  int rc;
} reader;

static void on_field(void *s, size_t len, void *data) {
  reader *r = data;
  if (r->nrow == r->caprow) {
    r->caprow = r->caprow ? 2 * r->caprow : 16;
    r->row = xrealloc(r->row, sizeof(char *) * r->caprow);
  }
  r->rowbytes += len + 1;
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
  r->rowbytes = 0;
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
  if (t->nrows == t->caprows) { /* grow at powers of two; a stream reuses the arrays */
    t->caprows = t->caprows ? 2 * t->caprows : 1;
    t->cell = xrealloc(t->cell, sizeof(char **) * t->caprows);
    t->rowno = xrealloc(t->rowno, sizeof(int) * t->caprows);
  }
  char **cells = xmalloc(sizeof(char *) * t->ncols);
  memcpy(cells, r->row, sizeof(char *) * t->ncols);
  t->cell[t->nrows] = cells;
  t->rowno[t->nrows++] = r->rowcount;
  r->nrow = 0;
}

/* ---- delimiters, decimal commas, column names ------------------------------ */

/* The most frequent of , ; tab on the first line outside quotes; ties: comma.
 * *decided (may be NULL) is 1 when that line ended inside buf, so that more
 * bytes could not change the answer. */
static char detect_delim(const char *buf, size_t len, int *decided) {
  static const char cand[3] = {',', ';', '\t'};
  int cnt[3] = {0, 0, 0}, quoted = 0;
  if (decided) *decided = 0;
  for (size_t i = 0; i < len; i++) {
    char c = buf[i];
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n' || c == '\r') {
      if (cnt[0] + cnt[1] + cnt[2]) { /* the first line with any delimiter */
        if (decided) *decided = 1;
        break;
      }
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

/* ---- reading: a whole buffer, or a file as a stream of blocks -------------
 * Both go through the same steps (start_parse, feed, finish_parse,
 * check_header), so a streamed file gives the rows, numbers and messages a
 * whole read gives. */
struct table_stream {
  table *t;
  FILE *f;            /* NULL for a buffer */
  struct csv_parser p;
  int p_init, eof, finished, returned;
  reader r;
  size_t rowcap;      /* streams: the longest row accepted (0: no limit) */
  char *blk;          /* streams: the block buffer */
  size_t blksize;
};

static void feed(table_stream *ts, const char *buf, size_t len) {
  if (ts->r.rc) return;
  if (csv_parse(&ts->p, buf, len, on_field, on_row, &ts->r) != len && !ts->r.rc)
    ts->r.rc = au_fail(AU_EDATA, "%s: malformed CSV near row %d: %s", ts->t->path, ts->r.rowcount + 1,
                       csv_strerror(csv_error(&ts->p)));
  /* a field without its end (a file with no newline) would grow without bound */
  if (!ts->r.rc && ts->rowcap && ts->p.entry_pos + ts->r.rowbytes > ts->rowcap)
    ts->r.rc = au_fail(AU_EDATA, "%s: row %d is longer than the %zu MB limit for a row", ts->t->path,
                       ts->r.rowcount + 1, ts->rowcap >> 20);
}

static void finish_parse(table_stream *ts) {
  ts->finished = 1;
  if (!ts->r.rc && csv_fini(&ts->p, on_field, on_row, &ts->r) && !ts->r.rc)
    ts->r.rc = au_fail(AU_EDATA, "%s: malformed CSV near row %d: %s", ts->t->path, ts->r.rowcount + 1,
                       csv_strerror(csv_error(&ts->p)));
}

/* The BOM, the delimiter, NUL bytes and the '#' lines at the start of buf
 * (the whole file, or enough of its start to decide them), then the parser
 * over the rest. */
static int start_parse(table_stream *ts, const char *buf, size_t len, char delim) {
  table *t = ts->t;
  if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3)) { buf += 3; len -= 3; } /* UTF-8 BOM */
  t->detected = !delim;
  t->delim = delim ? delim : detect_delim(buf, len, NULL);
  t->decimal_comma = t->delim == ';';
  if (memchr(buf, 0, len)) return au_fail(AU_EDATA, "%s: not a text CSV file (contains NUL bytes)", t->path);
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
  if (csv_init(&ts->p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_REPALL_NL))
    return au_fail(AU_ENOMEM, "%s: cannot initialise the CSV parser", t->path);
  ts->p_init = 1;
  csv_set_delim(&ts->p, (unsigned char)t->delim);
  ts->r = (reader){.t = t, .rowcount = comments};
  feed(ts, buf, len);
  return 0;
}

static int check_header(const table *t) {
  if (!t->header) return au_fail(AU_EDATA, "%s: empty file, no header row", t->path);
  for (int j = 0; j < t->ncols; j++)
    for (int k = 0; k < j; k++)
      if (t->header[j][0] && !strcmp(t->header[j], t->header[k]))
        return au_fail(AU_EDATA, "%s: row 1: column '%s' appears twice", t->path, t->header[j]);
  return 0;
}

static void stream_release(table_stream *ts) {
  if (ts->p_init) csv_free(&ts->p);
  ts->p_init = 0;
  drop_row(&ts->r);
  free(ts->r.row);
  ts->r.row = NULL;
  ts->r.caprow = 0;
}

int table_read_buffer_delim(const char *name, const char *buf, size_t len, char delim, table *t) {
  memset(t, 0, sizeof *t);
  t->path = xstrdup(name);
  table_stream ts = {.t = t};
  int rc = start_parse(&ts, buf, len, delim);
  if (!rc) {
    finish_parse(&ts);
    rc = ts.r.rc;
  }
  stream_release(&ts);
  if (!rc) rc = check_header(t);
  if (rc) table_free(t);
  return rc;
}

#define STREAM_PREFIX_MAX (16u << 20) /* start of a file read to find its delimiter */
static size_t stream_block = 64u << 10;

void table_stream_set_block(size_t bytes) { stream_block = bytes ? bytes : 64u << 10; }

/* Enough of a file's start to decide what start_parse decides: the BOM,
 * the end of the leading '#' lines, the delimiter line. */
static int prefix_ready(const char *buf, size_t len, char delim) {
  if (memchr(buf, 0, len)) return 1; /* not text: refused at once */
  if (len < 3) return 0;
  if (!memcmp(buf, "\xEF\xBB\xBF", 3)) buf += 3, len -= 3;
  size_t i = 0;
  while (i < len && buf[i] == '#') {
    const char *nl = memchr(buf + i, '\n', len - i);
    if (!nl) return 0;
    i = (size_t)(nl - buf) + 1;
  }
  if (i == len) return 0;
  int decided = 1;
  if (!delim) detect_delim(buf, len, &decided);
  return decided;
}

/* One more block of the file into the parser; sets eof. */
static void read_block(table_stream *ts) {
  char *buf = ts->blk;
  size_t got = fread(buf, 1, ts->blksize, ts->f);
  if (got < ts->blksize) {
    if (ferror(ts->f) && !ts->r.rc) ts->r.rc = au_fail(AU_EIO, "%s: read error", ts->t->path);
    ts->eof = 1;
  }
  if (memchr(buf, 0, got) && !ts->r.rc)
    ts->r.rc = au_fail(AU_EDATA, "%s: not a text CSV file (contains NUL bytes)", ts->t->path);
  feed(ts, buf, got);
  if (ts->eof && !ts->finished) finish_parse(ts);
}

int table_stream_open(const char *path, char delim, table *t, table_stream **out) {
  *out = NULL;
  memset(t, 0, sizeof *t);
  int is_stdin = !strcmp(path, "-");
  struct stat st;
  if (!is_stdin && !stat(path, &st) && S_ISDIR(st.st_mode))
    return au_fail(AU_EIO, "%s: cannot read: it is a directory", path);
  FILE *f = is_stdin ? stdin : fopen(path, "rb");
  if (!f) return au_fail(AU_EIO, "%s: cannot open: %s", path, strerror(errno));
  t->path = xstrdup(path);
  table_stream *ts = xcalloc(1, sizeof *ts);
  ts->t = t;
  ts->f = f;
  ts->rowcap = AU_CAP_ROW;
  ts->blksize = stream_block;
  ts->blk = xmalloc(ts->blksize);
  /* the start, doubling the read until it decides the delimiter and comments */
  size_t len = 0, cap = stream_block;
  char *pre = xmalloc(cap);
  int rc = 0;
  for (;;) {
    size_t got = fread(pre + len, 1, cap - len, f);
    len += got;
    if (len < cap) {
      if (ferror(f)) rc = au_fail(AU_EIO, "%s: read error", path);
      ts->eof = 1;
      break;
    }
    if (prefix_ready(pre, len, delim) || cap >= STREAM_PREFIX_MAX) break;
    pre = xrealloc(pre, cap *= 2);
  }
  if (!rc) rc = start_parse(ts, pre, len, delim);
  free(pre);
  if (!rc && ts->eof) finish_parse(ts);
  while (!rc && !ts->r.rc && !t->header && !ts->eof) read_block(ts);
  if (!rc) rc = ts->r.rc;
  if (!rc) rc = check_header(t);
  if (rc) {
    table_stream_close(ts);
    table_free(t);
    return rc;
  }
  *out = ts;
  return 0;
}

int table_stream_next(table_stream *ts, table *t, int max) {
  if (ts->returned) { /* the rows given last time make room */
    for (int i = 0; i < t->nrows; i++) {
      for (int j = 0; j < t->ncols; j++) free(t->cell[i][j]);
      free(t->cell[i]);
    }
    t->nrows = 0;
  }
  ts->returned = 1;
  while (!ts->r.rc && t->nrows < max && !ts->eof) read_block(ts);
  return ts->r.rc;
}

void table_stream_close(table_stream *ts) {
  if (!ts) return;
  stream_release(ts);
  if (ts->f && ts->f != stdin) fclose(ts->f);
  free(ts->blk);
  free(ts);
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
