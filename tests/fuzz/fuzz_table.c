/* The CSV table reader: any bytes give a table or one AU_EDATA error; a
 * table written back with csv_put reads back cell for cell; the same bytes
 * streamed (tiny blocks, a few rows at a time) give the same rows, or fail
 * where the whole read fails. */
#include "fuzz_common.h"
#include "table.h"

static int all_empty(char **cells, int n) {
  for (int j = 0; j < n; j++)
    if (cells[j][0]) return 0;
  return 1;
}

/* The stream over a file of the same bytes agrees with the whole read t
 * (rc: its result). */
static void check_stream(const uint8_t *d, size_t n, int rc, const table *t) {
  fz_file f;
  fz_open(&f, d, n);
  table_stream_set_block(1 + n % 13);
  table s;
  table_stream *ts;
  int src = table_stream_open(f.path, 0, &s, &ts), row = 0;
  while (!src) {
    if ((src = table_stream_next(ts, &s, 1 + (int)(n % 5))) || !s.nrows) break;
    for (int i = 0; i < s.nrows && !rc; i++, row++) {
      FZ_ASSERT(row < t->nrows && s.rowno[i] == t->rowno[row]);
      for (int j = 0; j < s.ncols; j++) FZ_ASSERT(!strcmp(s.cell[i][j], t->cell[row][j]));
    }
  }
  fz_error_ok(src, AU_EDATA, AU_EDATA);
  FZ_ASSERT(!src == !rc);
  if (!rc) {
    FZ_ASSERT(row == t->nrows && s.ncols == t->ncols && s.delim == t->delim);
    for (int j = 0; j < s.ncols; j++) FZ_ASSERT(!strcmp(s.header[j], t->header[j]));
  }
  table_stream_close(ts);
  table_free(&s);
  table_stream_set_block(0);
  fz_close(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) {
  fz_init();
  table t;
  int rc = table_read_buffer("fuzz.csv", (const char *)d, n, &t);
  fz_error_ok(rc, AU_EDATA, AU_EDATA);
  check_stream(d, n, rc, &t);
  if (rc) return 0;
  FZ_ASSERT(t.ncols > 0 && t.nrows >= 0);
  for (int i = 0; i < t.nrows; i++) {
    FZ_ASSERT(t.rowno[i] >= 2 && (i == 0 || t.rowno[i] > t.rowno[i - 1]));
    for (int j = 0; j < t.ncols; j++) FZ_ASSERT(t.cell[i][j] != NULL);
  }
  /* round trip through the writer, when the table is one the writer can
   * express: a header that is not a comment, no all-empty rows (skipped on
   * reading) */
  int expressible = t.header[0][0] != '#' && !all_empty(t.header, t.ncols) &&
                    strncmp(t.header[0], "\xEF\xBB\xBF", 3); /* a second BOM: the reader strips one */
  for (int i = 0; i < t.nrows && expressible; i++) expressible = !all_empty(t.cell[i], t.ncols);
  for (int j = 0; j < t.ncols && expressible; j++) /* trimmed names: no edge spaces to lose */
    expressible = t.header[j][0] != ' ' && t.header[j][0] != '\t';
  if (expressible) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    for (int j = 0; j < t.ncols; j++) fputs(j ? "," : "", f), csv_put(f, t.header[j]);
    fputc('\n', f);
    for (int i = 0; i < t.nrows; i++) {
      for (int j = 0; j < t.ncols; j++) fputs(j ? "," : "", f), csv_put(f, t.cell[i][j]);
      fputc('\n', f);
    }
    fclose(f);
    table u;
    int rc2 = table_read_buffer_delim("fuzz2.csv", buf, len, ',', &u);
    if (!rc2) {
      FZ_ASSERT(u.ncols == t.ncols && u.nrows == t.nrows);
      for (int j = 0; j < t.ncols; j++) FZ_ASSERT(!strcmp(u.header[j], t.header[j]));
      for (int i = 0; i < t.nrows; i++)
        for (int j = 0; j < t.ncols; j++) FZ_ASSERT(!strcmp(u.cell[i][j], t.cell[i][j]));
      table_free(&u);
    } else {
      fz_error_ok(rc2, AU_EDATA, AU_EDATA);
      /* only a header that reads as a duplicate after trimming may fail */
      FZ_ASSERT(strstr(au_errmsg(), "twice") != NULL);
    }
    free(buf);
  }
  table_free(&t);
  return 0;
}
