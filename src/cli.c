#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "progress.h"
#include "recipes.h"

static int find_opt(const cli_spec *s, const char *name, size_t len) {
  for (int i = 0; s->opts[i].name; i++) {
    const cli_opt *o = &s->opts[i];
    if ((strlen(o->name) == len && !strncmp(o->name, name, len)) ||
        (o->alias && strlen(o->alias) == len && !strncmp(o->alias, name, len)))
      return i;
  }
  return -1;
}

int cli_parse(const cli_spec *s, int argc, char **argv, cli_args *a) {
  memset(a, 0, sizeof *a);
  a->spec = s;
  while (s->opts[a->nopt].name) a->nopt++;
  a->count = xcalloc(a->nopt + 1, sizeof(int));
  a->vals = xcalloc(a->nopt + 1, sizeof(char **));
  a->pos = xcalloc(argc + 1, sizeof(char *));
  int only_pos = 0;
  for (int i = 0; i < argc; i++) {
    const char *w = argv[i];
    if (only_pos || w[0] != '-' || !strcmp(w, "-")) { a->pos[a->npos++] = w; continue; }
    if (!strcmp(w, "--")) { only_pos = 1; continue; }
    if (!strcmp(w, "--help") || !strcmp(w, "-h")) { a->help = 1; return 0; }
    const char *eq = strchr(w, '=');
    size_t len = eq && w[1] == '-' ? (size_t)(eq - w) : strlen(w);
    int k = find_opt(s, w, len);
    if (k < 0)
      return au_fail(AU_EUSAGE, "unknown option '%.*s' (see auclust %s --help)", (int)len, w, s->cmd);
    const cli_opt *o = &s->opts[k];
    const char *v = "1";
    if (o->arg) {
      if (eq && w[1] == '-') v = eq + 1;
      else if (i + 1 < argc) v = argv[++i];
      else return au_fail(AU_EUSAGE, "option %s needs a value %s", o->name, o->arg);
    } else if (eq && w[1] == '-') {
      return au_fail(AU_EUSAGE, "option %s takes no value", o->name);
    }
    a->vals[k] = xrealloc(a->vals[k], sizeof(char *) * (a->count[k] + 1));
    a->vals[k][a->count[k]++] = v;
  }
  if (a->npos < s->min_pos)
    return au_fail(AU_EUSAGE, "missing arguments; usage: auclust %s %s", s->cmd, s->usage);
  if (s->max_pos >= 0 && a->npos > s->max_pos)
    return au_fail(AU_EUSAGE, "unexpected argument '%s'; usage: auclust %s %s", a->pos[s->max_pos],
                   s->cmd, s->usage);
  return 0;
}

/* The shared options (CLI_INPUT_OPTS, CLI_QUIET_OPT) take effect here. */
static int apply_shared(const cli_spec *s, cli_args *a) {
  if (find_opt(s, "--quiet", 7) >= 0) progress_quiet(cli_flag(a, "--quiet"));
  if (find_opt(s, "--delimiter", 11) < 0) return 0;
  int k = find_opt(s, "--column", 8);
  return recipes_set_input(cli_get(a, "--delimiter"), k >= 0 ? a->count[k] : 0, k >= 0 ? a->vals[k] : NULL);
}

int cli_start(const cli_spec *s, int argc, char **argv, cli_args *a, int *rc) {
  *rc = cli_parse(s, argc, argv, a);
  if (!*rc && !a->help) *rc = apply_shared(s, a);
  if (!*rc && !a->help) return 0;
  if (a->help) cli_help(s);
  cli_free(a);
  return 1;
}

void cli_free(cli_args *a) {
  for (int k = 0; k < a->nopt; k++) free(a->vals[k]);
  free(a->vals); free(a->count); free(a->pos);
  memset(a, 0, sizeof *a);
}

void cli_help(const cli_spec *s) {
  printf("usage: auclust %s %s\n\n%s\n", s->cmd, s->usage, s->summary);
  if (s->opts[0].name) printf("\noptions:\n");
  for (int i = 0; s->opts[i].name; i++) {
    const cli_opt *o = &s->opts[i];
    char left[64];
    snprintf(left, sizeof left, "%s%s%s%s%s", o->alias ? o->alias : "", o->alias ? ", " : "", o->name,
             o->arg ? " " : "", o->arg ? o->arg : "");
    printf("  %-26s %s\n", left, o->help);
  }
  printf("  %-26s %s\n", "-h, --help", "show this help");
  if (s->epilog) printf("\n%s\n", s->epilog);
}

static int idx(const cli_args *a, const char *name) {
  int k = find_opt(a->spec, name, strlen(name));
  if (k < 0) {
    fprintf(stderr, "auclust: internal error: option %s not declared\n", name);
    abort();
  }
  return k;
}

const char *cli_get(const cli_args *a, const char *name) {
  int k = idx(a, name);
  return a->count[k] ? a->vals[k][a->count[k] - 1] : NULL;
}
int cli_flag(const cli_args *a, const char *name) { return a->count[idx(a, name)] > 0; }
int cli_count(const cli_args *a, const char *name) { return a->count[idx(a, name)]; }
const char *cli_nth(const cli_args *a, const char *name, int i) {
  int k = idx(a, name);
  return i < a->count[k] ? a->vals[k][i] : NULL;
}

int cli_int(const cli_args *a, const char *name, long lo, long hi, long *out) {
  const char *v = cli_get(a, name);
  if (!v) return 0;
  char *end;
  errno = 0;
  long x = strtol(v, &end, 10);
  if (errno || *end || end == v)
    return au_fail(AU_EUSAGE, "%s '%s' is not an integer", name, v);
  if (x < lo || x > hi)
    return au_fail(AU_EUSAGE, "%s %ld is outside %ld..%ld", name, x, lo, hi);
  *out = x;
  return 0;
}

int cli_double(const cli_args *a, const char *name, double lo, double hi, double *out) {
  const char *v = cli_get(a, name);
  if (!v) return 0;
  char *end;
  double x = strtod(v, &end);
  if (*end || end == v || !isfinite(x))
    return au_fail(AU_EUSAGE, "%s '%s' is not a number", name, v);
  if (x < lo || x > hi)
    return au_fail(AU_EUSAGE, "%s %g is outside %g..%g", name, x, lo, hi);
  *out = x;
  return 0;
}

int cli_u64(const cli_args *a, const char *name, uint64_t *out) {
  const char *v = cli_get(a, name);
  if (!v) return 0;
  char *end;
  errno = 0;
  unsigned long long x = strtoull(v, &end, 10);
  if (errno || *end || end == v || v[0] == '-')
    return au_fail(AU_EUSAGE, "%s '%s' is not a non-negative integer", name, v);
  *out = x;
  return 0;
}
