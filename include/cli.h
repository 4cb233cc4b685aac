/* Command-line parsing shared by the subcommands: options first or last,
 * `--name value` or `--name=value`, short aliases, repeatable options,
 * positionals, and `--help` generated from the same table. */
#ifndef AUCLUST_CLI_H
#define AUCLUST_CLI_H
#include <stdint.h>

typedef struct {
  const char *name;  /* "--model" */
  const char *alias; /* "-m" or NULL */
  const char *arg;   /* "NAME", or NULL for a flag */
  const char *help;
} cli_opt;

/* Options shared by the commands that read CSV inputs (recipes, ligand lists;
 * components tables are always detected) and that show
 * progress; cli_start applies them (recipes_set_input, progress_quiet). */
#define CLI_INPUT_OPTS                                                                                       \
  {"--delimiter", NULL, "C", "field delimiter of the input CSV: , ; or tab (default: detected from the header row)"}, \
      {"--column", NULL, "NAME=HEADER", "read the CSV's column HEADER as NAME, e.g. temperature_C=\"Temperature (C)\" (repeatable)"}
#define CLI_QUIET_OPT {"--quiet", "-q", NULL, "no progress display (shown only when stderr is a terminal)"}

typedef struct {
  const char *cmd;     /* "train" */
  const char *usage;   /* "RECIPES.csv --model NAME [options]" */
  const char *summary; /* one paragraph */
  const cli_opt *opts; /* terminated by {NULL} */
  int min_pos, max_pos;
  const char *epilog;  /* examples, notes; may be NULL */
} cli_spec;

typedef struct {
  const cli_spec *spec;
  int nopt;
  int *count;          /* times each option was given */
  const char ***vals;  /* values of each option, in order */
  const char **pos;
  int npos;
  int help;
} cli_args;

/* Returns 0, or AU_EUSAGE with the message set; sets a->help for --help. */
int cli_parse(const cli_spec *s, int argc, char **argv, cli_args *a);
void cli_help(const cli_spec *s);
/* The opening of every subcommand: parse; on --help print it, on an error
 * keep the message. Returns 1 when the command is done (*rc is its exit
 * code), 0 when it should run (a must then be freed with cli_free). */
int cli_start(const cli_spec *s, int argc, char **argv, cli_args *a, int *rc);
void cli_free(cli_args *a);

const char *cli_get(const cli_args *a, const char *name); /* last value or NULL */
int cli_flag(const cli_args *a, const char *name);
int cli_count(const cli_args *a, const char *name);
const char *cli_nth(const cli_args *a, const char *name, int i);
/* Numeric options with range checks; keep *out when absent. */
int cli_int(const cli_args *a, const char *name, long lo, long hi, long *out);
int cli_double(const cli_args *a, const char *name, double lo, double hi, double *out);
int cli_u64(const cli_args *a, const char *name, uint64_t *out);
#endif
