#include "hparams.h"

#include <ctype.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "jsonfile.h"

const char *const model_kind_names[N_ALL_KINDS] = {"gcnn_snn", "gcnn_dnn", "gcnn_svm", "snn", "dnn", "svm", "prior", "rf"};
const char *const model_kind_labels[N_ALL_KINDS] = {"GCNN + SNN", "GCNN + DNN", "GCNN + SVM", "SNN", "DNN", "SVM",
                                                    "prior", "RF"};

static int paper_defaults(const char *kind, hparams *hp) {
  char k[32];
  size_t n = 0;
  for (const char *p = kind; *p && n < sizeof k - 1; p++) { /* "GCNN + SNN", "gcnn-snn" -> "gcnn_snn" */
    int sep = *p == '+' || *p == '-' || *p == ' ' || *p == '_';
    if (sep && (n == 0 || k[n - 1] == '_')) continue;
    k[n++] = sep ? '_' : (char)tolower((unsigned char)*p);
  }
  while (n && k[n - 1] == '_') n--;
  k[n] = 0;
  int idx = -1;
  for (int i = 0; i < N_ALL_KINDS; i++)
    if (!strcmp(k, model_kind_names[i])) idx = i;
  if (!strcmp(k, "random_forest")) idx = N_MODEL_KINDS + 1;
  if (idx < 0)
    return au_fail(AU_EUSAGE, "unknown model '%s' (one of gcnn_snn, gcnn_dnn, gcnn_svm, snn, dnn, svm, prior, rf)", kind);
  memset(hp, 0, sizeof *hp);
  hp->use_gcnn = idx < 3;
  hp->head = idx < N_MODEL_KINDS ? (head_kind)(idx % 3) : (head_kind)(HEAD_PRIOR + idx - N_MODEL_KINDS);
  hp->learning_rate = 1e-3;
  hp->adam_beta1 = 0.9;
  hp->adam_beta2 = 0.999;
  hp->adam_epsilon = 1e-7; /* Keras' default */
  hp->hidden[0] = 30;
  hp->nhidden = 1;
  hp->feature_vector_dim = 10;
  hp->epochs = 100;
  hp->steps_per_epoch = 64;
  hp->pair_size = 32;
  hp->fingerprint_length = 10;
  hp->graph_layers = 2;
  hp->graph_width = 8;
  hp->ph_missing = 7.0;
  hp->rf_trees = 500;
  hp->rf_max_depth = 0;
  hp->rf_min_leaf = 1;
  hp->rf_max_features = 0;
  return 0;
}

/* auclust's defaults differ from the paper's only where the virtual lab
 * measured a gain (README "Defaults and the paper preset"). */
static void auclust_defaults(hparams *hp) {
  if (hparams_is_baseline(hp)) return;
  hp->ratio_inputs = 1;       /* ligand:Au and reductant:Au, as the Figure 6 tree splits */
  hp->epochs = 25;            /* 1,600 steps instead of 6,400 */
  if (!hp->use_gcnn) return;
  hp->fingerprint_pool = 1;   /* fingerprints on the scale of the 0-1 descriptors */
  hp->graph_layers = 1;       /* a small GCNN: 5,928 parameters instead of 15,066 */
  hp->graph_width = 4;
  hp->fingerprint_length = 4;
  hp->budget_rows = 48;       /* epochs grow with the training set beyond a 54-recipe set's 9 folds */
  /* the head starts as the descriptor net and the fingerprints earn their
   * weight against a penalty: on a few recipes the GCNN memorised ligands */
  hp->fp_zero_init = 1;
  hp->fp_l2 = 3;
  /* noise on the 0-1 descriptor inputs while training: a smoother head on
   * few recipes (README, fourth round) */
  hp->input_noise = 0.1;
  /* a group lasso on the 12 properties of the molecules (not on the conditions): on a few dozen
   * recipes those columns mostly name a handful of molecules, and the smooth head lost to trees
   * on them (README, sixth round) */
  hp->molecule_group_l1 = 0.03;
}

int hparams_preset(const char *kind, const char *preset, hparams *hp) {
  int paper = preset && !strcmp(preset, "paper");
  if (preset && !paper && strcmp(preset, "default"))
    return au_fail(AU_EUSAGE, "unknown preset '%s' (paper or default)", preset);
  int rc = paper_defaults(kind, hp);
  if (!rc && !paper) auclust_defaults(hp);
  return rc;
}

int hparams_default(const char *kind, hparams *hp) { return hparams_preset(kind, "default", hp); }

int hparams_is_baseline(const hparams *hp) { return hp->head == HEAD_PRIOR || hp->head == HEAD_RF; }
int hparams_kind_index(const hparams *hp) {
  if (hparams_is_baseline(hp)) return N_MODEL_KINDS + (int)hp->head - HEAD_PRIOR;
  return (hp->use_gcnn ? 0 : 3) + (int)hp->head;
}
const char *hparams_kind(const hparams *hp) { return model_kind_names[hparams_kind_index(hp)]; }

typedef struct {
  const char *name;
  int is_int;
  double lo, hi;
  size_t off;
} hp_field;

#define F(n, i, lo, hi) {#n, i, lo, hi, offsetof(hparams, n)}
static const hp_field fields[] = {
    F(learning_rate, 0, 1e-8, 10), F(l1, 0, 0, 100), F(l2, 0, 0, 100), F(dropout, 0, 0, 0.95),
    F(adam_beta1, 0, 0, 0.999999), F(adam_beta2, 0, 0, 0.999999999), F(adam_epsilon, 0, 1e-12, 1),
    F(feature_vector_dim, 1, 1, 1024), F(epochs, 1, 1, 100000), F(steps_per_epoch, 1, 1, 100000),
    F(pair_size, 1, 2, 100000), F(fingerprint_length, 1, 1, 1024), F(graph_layers, 1, 1, 4),
    F(graph_width, 1, 1, 1024), F(fingerprint_pool, 1, 0, 1), F(ratio_inputs, 1, 0, 1), F(snn_knn, 1, 0, 100000), F(budget_rows, 1, 0, 100000), F(lr_decay, 1, 0, 1),
    F(fp_l2, 0, 0, 100), F(input_group_l1, 0, 0, 100), F(molecule_group_l1, 0, 0, 100), F(input_refit, 0, 0, 1), F(fp_zero_init, 1, 0, 1), F(early_stop, 1, 0, 20), F(float32, 1, 0, 1),
    F(bag, 1, 0, 1000), F(input_noise, 0, 0, 10),
    F(ph_missing, 0, 0, 14), F(rf_trees, 1, 1, 100000), F(rf_max_depth, 1, 0, 1000),
    F(rf_min_leaf, 1, 1, 100000), F(rf_max_features, 1, 0, 1024)};
#undef F
static const int nfields = sizeof fields / sizeof fields[0];

int hparams_set_number(hparams *hp, const char *name, double v) {
  if (!strcmp(name, "hidden1") || !strcmp(name, "hidden2") || !strcmp(name, "hidden3") || !strcmp(name, "hidden4")) {
    /* layer k of the hidden list; 0 removes it and the layers after it */
    int k = name[6] - '1';
    if (v != floor(v) || v < 0 || v > 4096) return au_fail(AU_EUSAGE, "%s must be an integer 0..4096, not %g", name, v);
    if (k > hp->nhidden) return au_fail(AU_EUSAGE, "%s given but hidden%d is not set", name, k);
    if (v == 0) {
      if (k == 0) return au_fail(AU_EUSAGE, "hidden1 must be at least 1");
      hp->nhidden = k;
    } else {
      hp->hidden[k] = (int)v;
      if (k == hp->nhidden) hp->nhidden = k + 1;
    }
    return 0;
  }
  for (int i = 0; i < nfields; i++) {
    if (strcmp(name, fields[i].name)) continue;
    if (!isfinite(v) || v < fields[i].lo || v > fields[i].hi || (fields[i].is_int && v != floor(v)))
      return au_fail(AU_EUSAGE, "hyperparameter %s = %g: must be %s in %g..%g", name, v,
                     fields[i].is_int ? "an integer" : "a number", fields[i].lo, fields[i].hi);
    char *p = (char *)hp + fields[i].off;
    if (fields[i].is_int) *(int *)p = (int)v;
    else *(double *)p = v;
    return 0;
  }
  return au_fail(AU_EUSAGE, "unknown hyperparameter '%s'", name);
}

static int parse_hidden_list(hparams *hp, const char *v) {
  int n = 0, h[HP_MAXH];
  const char *p = v;
  while (*p) {
    char *end;
    long x = strtol(p, &end, 10);
    if (end == p || x < 1 || x > 4096 || n == HP_MAXH)
      return au_fail(AU_EUSAGE, "hidden_layers '%s': give 1 to %d sizes in 1..4096, comma-separated", v, HP_MAXH);
    h[n++] = (int)x;
    p = end;
    if (*p == ',' && p[1]) p++;
    else if (*p) return au_fail(AU_EUSAGE, "hidden_layers '%s': unexpected '%c'", v, *p);
  }
  if (!n) return au_fail(AU_EUSAGE, "hidden_layers is empty");
  memcpy(hp->hidden, h, sizeof(int) * n);
  hp->nhidden = n;
  return 0;
}

int hparams_set(hparams *hp, const char *name, const char *value) {
  if (!strcmp(name, "hidden_layers")) return parse_hidden_list(hp, value);
  char *end;
  double v = strtod(value, &end);
  if (end == value || *end) return au_fail(AU_EUSAGE, "hyperparameter %s: '%s' is not a number", name, value);
  return hparams_set_number(hp, name, v);
}

int hparams_check(const hparams *hp) {
  if (hp->nhidden < 1 && hp->head != HEAD_SVM) return au_fail(AU_EUSAGE, "at least one hidden layer is needed");
  /* the refit needs the lasso's choice: alone it would be a silent no-op */
  if (hp->input_refit > 0 && !(hp->input_group_l1 > 0) && !hparams_is_baseline(hp))
    return au_fail(AU_EUSAGE, "input_refit %g needs input_group_l1 > 0 (the group lasso chooses what the refit keeps)",
                   hp->input_refit);
  return 0;
}

int hparams_relevant(const hparams *hp, const char *name) {
  /* a baseline uses only its own settings and the pH encoding */
  if (hparams_is_baseline(hp)) return hp->head == HEAD_RF ? !strncmp(name, "rf_", 3) || !strcmp(name, "ph_missing") : !strcmp(name, "ph_missing");
  if (!strncmp(name, "rf_", 3)) return 0;
  if (!strncmp(name, "graph_", 6) || !strncmp(name, "fingerprint_", 12) || !strncmp(name, "fp_", 3)) return hp->use_gcnn;
  if (!strcmp(name, "feature_vector_dim") || !strcmp(name, "snn_knn")) return hp->head == HEAD_SNN;
  if (!strncmp(name, "hidden", 6) || !strcmp(name, "dropout")) return hp->head != HEAD_SVM;
  return 1;
}

char *hparams_file_kind(const char *path) {
  cJSON *o;
  if (json_load(path, AU_EUSAGE, &o)) { au_errclear(); return NULL; }
  const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, "model");
  if (!cJSON_IsString(k)) k = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "hparams"), "model");
  char *r = cJSON_IsString(k) ? xstrdup(k->valuestring) : NULL;
  cJSON_Delete(o);
  return r;
}

cJSON *hparams_to_json(const hparams *hp) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "model", hparams_kind(hp));
  cJSON_AddItemToObject(o, "hidden_layers", cJSON_CreateIntArray(hp->hidden, hp->nhidden));
  /* every field, zeros included: the file is read over either preset's
   * defaults (a model over the paper's, --hparams over auclust's) */
  for (int i = 0; i < nfields; i++) {
    const char *p = (const char *)hp + fields[i].off;
    /* but float32, input_group_l1 and input_refit only when set: 0 in both presets, so model
     * files without them stay byte-identical to those of builds without them (molecule_group_l1
     * is 0.03 in auclust's defaults, so a paper-preset file must say 0) */
    if (fields[i].off == offsetof(hparams, float32) && !hp->float32) continue;
    if (fields[i].off == offsetof(hparams, input_group_l1) && !hp->input_group_l1) continue;
    if (fields[i].off == offsetof(hparams, input_refit) && !hp->input_refit) continue;
    cJSON_AddNumberToObject(o, fields[i].name, fields[i].is_int ? *(const int *)p : *(const double *)p);
  }
  return o;
}

int hparams_from_json(const cJSON *o, hparams *hp, const char *src) {
  if (!cJSON_IsObject(o)) return au_fail(AU_EUSAGE, "%s: hyperparameters must be a JSON object", src);
  const cJSON *it;
  cJSON_ArrayForEach(it, o) {
    const char *k = it->string;
    if (!strcmp(k, "model")) continue; /* informative; the command line picks the model */
    if (!strcmp(k, "hidden_layers")) {
      int n = cJSON_GetArraySize(it);
      if (!cJSON_IsArray(it) || n < 1 || n > HP_MAXH)
        return au_fail(AU_EUSAGE, "%s: hidden_layers must be an array of 1 to %d sizes", src, HP_MAXH);
      for (int i = 0; i < n; i++) {
        const cJSON *v = cJSON_GetArrayItem(it, i);
        if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 4096 || v->valuedouble != floor(v->valuedouble))
          return au_fail(AU_EUSAGE, "%s: hidden_layers[%d] must be an integer 1..4096", src, i);
        hp->hidden[i] = v->valueint;
      }
      hp->nhidden = n;
      continue;
    }
    if (!cJSON_IsNumber(it)) return au_fail(AU_EUSAGE, "%s: hyperparameter %s must be a number", src, k);
    if (hparams_set_number(hp, k, it->valuedouble)) {
      char msg[512];
      snprintf(msg, sizeof msg, "%s", au_errmsg());
      return au_fail(AU_EUSAGE, "%s: %s", src, msg);
    }
  }
  return 0;
}

int hparams_load_file(const char *path, hparams *hp) {
  cJSON *o;
  int rc = json_load(path, AU_EUSAGE, &o);
  if (rc) return rc;
  /* a tune result file holds {"hparams": {...}, ...}; accept it directly */
  const cJSON *h = cJSON_GetObjectItemCaseSensitive(o, "hparams");
  rc = hparams_from_json(h ? h : o, hp, path);
  cJSON_Delete(o);
  return rc;
}
