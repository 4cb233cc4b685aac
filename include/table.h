/* CSV tables: reading with libcsv (quotes, CRLF, BOM, empty fields, a
 * header in any column order) and writing with minimal quoting. Rows are
 * numbered as a spreadsheet shows them: the header is row 1. */
#ifndef AUCLUST_TABLE_H
#define AUCLUST_TABLE_H
#include <stdio.h>

typedef struct {
  char *path;      /* as given ("-" = stdin) */
  int ncols, nrows;
  char **header;   /* ncols names, trimmed */
  char ***cell;    /* nrows x ncols strings, "" when empty */
  int *rowno;      /* spreadsheet row number of each data row */
  int caprows;     /* rows the cell and rowno arrays have room for */
  char delim;      /* the field delimiter used: ',', ';' or '\t' */
  int detected;    /* 1 when delim was detected rather than given */
  int decimal_comma; /* ';' files (comma-decimal locales): numbers may be "1,5" */
} table;

/* Read a CSV file ("-" = stdin). Errors: AU_EIO (cannot read), AU_EDATA
 * (malformed CSV, no header, a row with a different number of fields). */
int table_read(const char *path, table *t);
int table_read_buffer(const char *name, const char *buf, size_t len, table *t);
int table_col(const table *t, const char *name); /* -1 when absent */

/* ---- delimiters, decimal commas and column names (spreadsheet exports) ----
 * delim 0 detects the delimiter from the header line: the most frequent of
 * ',', ';' and tab outside quotes (ties: comma). A ';' file is taken to come
 * from a comma-decimal locale, so its numbers may use a decimal comma. */
int table_read_delim(const char *path, char delim, table *t);
int table_read_buffer_delim(const char *name, const char *buf, size_t len, char delim, table *t);
/* "comma", "semicolon" or "tab" */
const char *table_delim_name(char delim);
/* A numeric cell as strtod reads it: "1,5" -> "1.5" in a decimal-comma
 * table (buf holds the copy), else s itself. */
const char *table_number_text(const table *t, const char *s, char *buf, size_t n);
/* Renames column `from` to `to` (--column to=from). Returns 0, or AU_EDATA
 * when `from` is absent or `to` is already another column. */
int table_rename(table *t, const char *to, const char *from);
/* The header closest to `name` ignoring case, spaces, punctuation and units
 * in parentheses (edit distance on the rest), or -1 when none is close. */
int table_closest_col(const table *t, const char *name);
void table_free(table *t);

/* ---- streaming: a file read a chunk of rows at a time ----------------------
 * For inputs of any length in bounded memory (predict, featurize). The rows,
 * row numbers and messages are those table_read_delim gives, but errors come
 * in file order as the rows are reached, and there is no file-size cap: a
 * row (its fields' text) is capped at AU_CAP_ROW instead. */
typedef struct table_stream table_stream;
/* Opens path ("-" = stdin) and reads up to its header: t holds the header
 * (and possibly the first rows, returned by the first table_stream_next). */
int table_stream_open(const char *path, char delim, table *t, table_stream **ts);
/* Replaces t's rows by the next ones: at least max unless the file ends;
 * t->nrows == 0 at its end. */
int table_stream_next(table_stream *ts, table *t, int max);
/* Closes the file; t stays for table_free. */
void table_stream_close(table_stream *ts);
/* The bytes read at a time (default 64 KB; 0 restores it): the tests and
 * fuzzers make it tiny so that rows, quotes and CRLF pairs straddle blocks. */
void table_stream_set_block(size_t bytes);

/* Write one field, quoting only when needed. */
void csv_put(FILE *f, const char *s);
/* Write a double with 10 significant digits (readable; descriptors are not
 * known that well); an empty field for NaN. */
void csv_put_num(FILE *f, double v);
#endif
