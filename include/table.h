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
} table;

/* Read a CSV file ("-" = stdin). Errors: AU_EIO (cannot read), AU_EDATA
 * (malformed CSV, no header, a row with a different number of fields). */
int table_read(const char *path, table *t);
int table_read_buffer(const char *name, const char *buf, size_t len, table *t);
int table_col(const table *t, const char *name); /* -1 when absent */
void table_free(table *t);

/* Write one field, quoting only when needed. */
void csv_put(FILE *f, const char *s);
/* Write a double with 10 significant digits (readable; descriptors are not
 * known that well); an empty field for NaN. */
void csv_put_num(FILE *f, double v);
#endif
