/* A small XML well-formedness checker for tests of SVG output: one root
 * element, balanced and properly nested tags, quoted attributes, known
 * entity references, no stray '<' or '&' in text. Not a validating parser. */
#ifndef AUCLUST_XMLCHECK_H
#define AUCLUST_XMLCHECK_H
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline int xml_name_char(int c) { return isalnum(c) || c == '-' || c == '_' || c == ':' || c == '.'; }

static inline int xml_entity_ok(const char *p) { /* p at '&' */
  static const char *ents[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
  for (int i = 0; i < 5; i++)
    if (!strncmp(p, ents[i], strlen(ents[i]))) return 1;
  if (p[1] == '#') {
    const char *q = p + 2;
    if (*q == 'x') q++;
    if (!isxdigit((unsigned char)*q)) return 0;
    while (isxdigit((unsigned char)*q)) q++;
    return *q == ';';
  }
  return 0;
}

/* Returns 1 when well formed; else 0 with a reason in err. */
static inline int xml_wellformed(const char *s, char *err, size_t errlen) {
  char stack[64][64];
  int depth = 0, roots = 0;
  const char *p = s;
#define XML_FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return 0; } while (0)
  while (*p) {
    if (*p == '<') {
      if (!strncmp(p, "<?", 2)) { p = strstr(p, "?>"); if (!p) XML_FAIL("unterminated <?"); p += 2; continue; }
      if (!strncmp(p, "<!--", 4)) { p = strstr(p, "-->"); if (!p) XML_FAIL("unterminated comment"); p += 3; continue; }
      if (!strncmp(p, "<!", 2)) { p = strchr(p, '>'); if (!p) XML_FAIL("unterminated <!"); p++; continue; }
      int closing = p[1] == '/';
      p += closing ? 2 : 1;
      char name[64]; size_t n = 0;
      while (xml_name_char((unsigned char)*p) && n < sizeof name - 1) name[n++] = *p++;
      name[n] = 0;
      if (!n) XML_FAIL("empty tag name at offset %ld", (long)(p - s));
      if (closing) {
        while (isspace((unsigned char)*p)) p++;
        if (*p != '>') XML_FAIL("bad closing tag </%s", name);
        p++;
        if (!depth || strcmp(stack[depth - 1], name)) XML_FAIL("mismatched </%s>", name);
        depth--;
        continue;
      }
      for (;;) { /* attributes */
        while (isspace((unsigned char)*p)) p++;
        if (*p == '>' || !strncmp(p, "/>", 2)) break;
        if (!xml_name_char((unsigned char)*p)) XML_FAIL("bad attribute in <%s> at offset %ld", name, (long)(p - s));
        while (xml_name_char((unsigned char)*p)) p++;
        while (isspace((unsigned char)*p)) p++;
        if (*p != '=') XML_FAIL("attribute without value in <%s>", name);
        p++;
        while (isspace((unsigned char)*p)) p++;
        char q = *p;
        if (q != '"' && q != '\'') XML_FAIL("unquoted attribute in <%s>", name);
        p++;
        while (*p && *p != q) {
          if (*p == '<') XML_FAIL("'<' in attribute of <%s>", name);
          if (*p == '&' && !xml_entity_ok(p)) XML_FAIL("bad entity in attribute of <%s>", name);
          p++;
        }
        if (!*p) XML_FAIL("unterminated attribute in <%s>", name);
        p++;
      }
      if (!depth) roots++;
      if (roots > 1) XML_FAIL("more than one root element");
      if (*p == '/') { p += 2; continue; }
      p++;
      if (depth == 64) XML_FAIL("nesting too deep");
      snprintf(stack[depth++], 64, "%s", name);
    } else {
      if (*p == '&' && !xml_entity_ok(p)) XML_FAIL("bad entity in text at offset %ld", (long)(p - s));
      if (!depth && !isspace((unsigned char)*p)) XML_FAIL("text outside the root element");
      p++;
    }
  }
  if (depth) XML_FAIL("unclosed <%s>", stack[depth - 1]);
  if (!roots) XML_FAIL("no root element");
#undef XML_FAIL
  return 1;
}

/* Reads a whole file into a malloc'd string (NULL on failure). */
static inline char *xml_slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc(n + 1);
  if (b && fread(b, 1, n, f) != (size_t)n) { free(b); b = NULL; }
  if (b) b[n] = 0;
  fclose(f);
  return b;
}
#endif
