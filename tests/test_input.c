/* Recipe files from spreadsheets (table.c, recipes.c): delimiter detection
 * on comma, semicolon and tab files with a BOM and CRLF line ends, decimal
 * commas in semicolon files, --delimiter, rows of bare delimiters skipped,
 * the missing-column message (every column, the closest header), and
 * --column mapping. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "descriptors.h"
#include "err.h"
#include "rdkit_cffi.h"
#include "recipes.h"
#include "table.h"

static char tmp_paths[32][64];
static int ntmp;

static const char *write_tmp(const char *bytes) {
  char *p = tmp_paths[ntmp++];
  strcpy(p, "/tmp/test_input_XXXXXX");
  int fd = mkstemp(p);
  if (fd < 0) { perror("mkstemp"); exit(2); }
  size_t len = strlen(bytes);
  if (write(fd, bytes, len) != (ssize_t)len) { perror("write"); exit(2); }
  close(fd);
  return p;
}

/* The same two-row table in three dialects, each with a BOM and CRLF. */
static void test_detect(void) {
  const char *files[3] = {
      "\xEF\xBB\xBF" "id,name,value\r\nA,\"x; y\",1.5\r\nB,z,2\r\n",
      "\xEF\xBB\xBF" "id;name;value\r\nA;\"x, y\";1,5\r\nB;z;2\r\n",
      "\xEF\xBB\xBF" "id\tname\tvalue\r\nA\t\"x; y\"\t1.5\r\nB\tz\t2\r\n"};
  const char want_delim[3] = {',', ';', '\t'};
  const char *want_name[3] = {"x; y", "x, y", "x; y"};
  for (int k = 0; k < 3; k++) {
    table t;
    int rc = table_read(write_tmp(files[k]), &t);
    CHECK(rc == AU_OK);
    if (rc) { fprintf(stderr, "  %s\n", au_errmsg()); continue; }
    CHECK(t.delim == want_delim[k] && t.detected);
    CHECK(t.decimal_comma == (k == 1));
    CHECK(t.ncols == 3 && t.nrows == 2);
    if (t.ncols == 3 && t.nrows == 2) {
      CHECK_STR(t.header[0], "id"); /* the BOM is gone */
      CHECK_STR(t.header[2], "value");
      CHECK_STR(t.cell[0][1], want_name[k]);
      char buf[32];
      double v;
      CHECK(parse_number(table_number_text(&t, t.cell[0][2], buf, sizeof buf), &v) == 0 && v == 1.5);
      CHECK_STR(t.cell[1][0], "B");
    }
    table_free(&t);
  }
  /* a decimal comma is only read as such in a semicolon file */
  table t;
  if (!table_read(write_tmp("a\tb\n\"1,5\"\t2\n"), &t)) {
    char buf[32];
    CHECK(t.delim == '\t' && !t.decimal_comma);
    CHECK_STR(table_number_text(&t, t.cell[0][0], buf, sizeof buf), "1,5");
    table_free(&t);
  }
  /* forcing the delimiter: a semicolon file read as comma has one column */
  if (!table_read_delim(write_tmp("a;b\n1;2\n"), ',', &t)) {
    CHECK(t.ncols == 1 && !t.detected && t.delim == ',');
    table_free(&t);
  }
  /* a delimiter inside quotes in the header does not count */
  if (!table_read(write_tmp("\"a;b;c\",d\n1,2\n"), &t)) {
    CHECK(t.delim == ',' && t.ncols == 2);
    table_free(&t);
  }
  CHECK_STR(table_delim_name(';'), "semicolon");
  CHECK_STR(table_delim_name('\t'), "tab");
}

/* Excel leaves rows of bare delimiters (and blank lines): skipped, and the
 * rows after them keep their spreadsheet numbers. */
static void test_empty_rows(void) {
  const char *files[2] = {"a,b,c\r\n1,2,3\r\n,,\r\n\r\n4,5,6\r\n, ,\r\n",
                          "a;b;c\n1;2;3\n;;\n;\n4;5;6\n"};
  for (int k = 0; k < 2; k++) {
    table t;
    int rc = table_read(write_tmp(files[k]), &t);
    CHECK(rc == AU_OK);
    if (rc) { fprintf(stderr, "  %s\n", au_errmsg()); continue; }
    CHECK(t.nrows == 2);
    if (t.nrows == 2) {
      CHECK(t.rowno[0] == 2 && t.rowno[1] == 5);
      CHECK_STR(t.cell[1][0], "4");
    }
    table_free(&t);
  }
}

static void test_closest(void) {
  table t;
  if (table_read(write_tmp("Temperature (C),Ligand_SMILES,PH,colour\n1,2,3,4\n"), &t)) { CHECK(0); return; }
  CHECK(table_closest_col(&t, "temperature_C") == 0);
  CHECK(table_closest_col(&t, "ligand_smiles") == 1);
  CHECK(table_closest_col(&t, "pH") == 2);
  CHECK(table_closest_col(&t, "reductant_mM") == -1); /* nothing close */
  CHECK(table_rename(&t, "pH", "PH") == 0 && table_col(&t, "pH") == 2);
  CHECK(table_rename(&t, "x", "nope") == AU_EDATA);
  CHECK(table_rename(&t, "colour", "pH") == AU_EDATA); /* already a column */
  table_free(&t);
  /* parenthesised notes are ignored; a two-letter name is not matched by any two letters */
  if (table_read(write_tmp("ID,PH (measured),Ligand SMILES (canonical; ChemDraw),T\n1,2,3,4\n"), &t)) { CHECK(0); return; }
  CHECK(table_closest_col(&t, "pH") == 1);
  CHECK(table_closest_col(&t, "ligand_smiles") == 2);
  CHECK(table_closest_col(&t, "id") == 0);
  table_free(&t);
  if (table_read(write_tmp("ID,colour\n1,2\n"), &t)) { CHECK(0); return; }
  CHECK(table_closest_col(&t, "pH") == -1);
  table_free(&t);
}

/* A components table's missing columns: all of them, with the closest
 * headers, and no --column (the recipes' option) suggested. */
static void test_components_columns(void) {
  const char *p = write_tmp("Name;SMILES;role;Dielectric constant;redox_potential_V\nwater;O;solvent;80,1;\n");
  component_table comp;
  au_errclear();
  int rc = components_load(p, &comp);
  CHECK(rc == AU_EDATA);
  const char *m = au_errmsg();
  CHECK(strstr(m, "missing required columns 'name' (did you mean 'Name'?), 'smiles' (did you mean 'SMILES'?), "
                  "'dielectric_constant' (did you mean 'Dielectric constant'?)") != NULL);
  CHECK(strstr(m, "--column") == NULL && strstr(m, "--delimiter") == NULL);
  if (!rc) components_free(&comp);
}

/* Every missing column is in the message however long the headers are. */
static void test_long_headers(void) {
  const char *p = write_tmp(
      "ID;Ligand SMILES (canonical, from ChemDraw);Solvent SMILES (canonical, from ChemDraw);"
      "Reductant SMILES (canonical, from ChemDraw);Ligand concentration (mM);HAuCl4 concentration (mM);NaBH4 (mM);"
      "Temperature (degrees C);PH (measured with a glass electrode);Outcome (1 = Au25 by ESI-MS)\r\n"
      "A;NCCS;O;[Na+].[BH4-];2;1;4;25;12;1\r\n");
  component_table comp;
  if (components_load("data/components.csv", &comp)) { CHECK(0); return; }
  recipe_opts o = recipe_opts_default();
  o.require_outcome = 1;
  recipe_set s;
  int rc = recipes_load(p, &comp, &o, &s);
  CHECK(rc == AU_EDATA);
  const char *m = au_errmsg();
  static const char *const cols[] = {"'ligand_smiles'", "'solvent_smiles'", "'reductant_smiles'", "'ligand_mM'",
                                     "'haucl4_mM'", "'reductant_mM'", "'temperature_C'", "'pH'", "'outcome'"};
  for (size_t k = 0; k < sizeof cols / sizeof *cols; k++) CHECK(strstr(m, cols[k]) != NULL);
  CHECK(strstr(m, "'pH' (did you mean 'PH (measured with a glass electrode)'?") != NULL);
  CHECK(strstr(m, "'ligand_smiles' (did you mean 'Ligand SMILES (canonical, from ChemDraw)'?") != NULL);
  CHECK(strstr(m, "semicolon") != NULL); /* the end of the message is there too */
  if (!rc) recipes_free(&s);
  components_free(&comp);
}

/* The missing-column error of a recipe file names every missing column, the
 * closest header for each, and how the file was read; --column fixes it. */
static void test_recipes_columns(void) {
  const char *p = write_tmp(
      "id;Ligand_SMILES;solvent_smiles;reductant_smiles;ligand_mM;haucl4_mM;reductant_mM;Temperature (C);PH\r\n"
      "X1;NCCS;O;[Na+].[BH4-];1,5;1;2,5;4;11,5\r\n"
      ";;;;;;;;\r\n");
  component_table comp;
  if (components_load("data/components.csv", &comp)) { CHECK(0); return; }
  recipe_opts o = recipe_opts_default();
  recipe_set s;
  au_errclear();
  int rc = recipes_load(p, &comp, &o, &s);
  CHECK(rc == AU_EDATA);
  const char *m = au_errmsg();
  CHECK(strstr(m, "missing required columns") != NULL);
  CHECK(strstr(m, "'ligand_smiles' (did you mean 'Ligand_SMILES'?") != NULL);
  CHECK(strstr(m, "'temperature_C' (did you mean 'Temperature (C)'?") != NULL);
  CHECK(strstr(m, "'pH' (did you mean 'PH'?") != NULL);
  CHECK(strstr(m, "semicolon") != NULL);
  CHECK(strstr(m, "haucl4") == NULL); /* present columns are not listed */
  if (!rc) recipes_free(&s);

  const char *map[3] = {"ligand_smiles=Ligand_SMILES", "temperature_C=Temperature (C)", "pH=PH"};
  CHECK(recipes_set_input(NULL, 3, map) == 0);
  o = recipe_opts_default();
  rc = recipes_load(p, &comp, &o, &s);
  CHECK(rc == AU_OK);
  if (rc) fprintf(stderr, "  %s\n", au_errmsg());
  else {
    CHECK(s.n == 1 && s.delim == ';' && s.decimal_comma); /* the row of bare delimiters is skipped */
    CHECK(s.r[0].x[D_LIGAND_MM] == 1.5 && s.r[0].x[D_REDUCTANT_MM] == 2.5 && s.r[0].x[D_PH] == 11.5);
    CHECK(s.r[0].x[D_TEMPERATURE_C] == 4);
    recipes_free(&s);
  }
  const char *bad[1] = {"pH"};
  CHECK(recipes_set_input(NULL, 1, bad) == AU_EUSAGE);
  CHECK(recipes_set_input("ab", 0, NULL) == AU_EUSAGE);
  CHECK(recipes_set_input("tab", 0, NULL) == 0 && recipe_opts_default().delimiter == '\t');
  CHECK(recipes_set_input(NULL, 0, NULL) == 0 && recipe_opts_default().delimiter == 0);
  components_free(&comp);
}

int main(void) {
#ifdef AUCLUST_HAVE_RDKITCFFI
  disable_logging();
#endif
  test_detect();
  test_empty_rows();
  test_closest();
  test_long_headers();
  test_components_columns();
  test_recipes_columns();
  for (int i = 0; i < ntmp; i++) unlink(tmp_paths[i]);
  return check_report();
}
