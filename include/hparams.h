/* All hyperparameters in one struct, with the authors' defaults
 * (DESIGN.md section 3), read from and written to JSON. */
#ifndef AUCLUST_HPARAMS_H
#define AUCLUST_HPARAMS_H
#include <cjson/cJSON.h>

#define HP_MAXH 4 /* hidden dense layers */

/* HEAD_PRIOR and HEAD_RF are the two baselines (no network, no GCNN):
 * the training base rate and a random forest on the 17 descriptors. */
typedef enum { HEAD_SNN, HEAD_DNN, HEAD_SVM, HEAD_PRIOR, HEAD_RF } head_kind;

typedef struct {
  int use_gcnn;
  head_kind head;
  double learning_rate, l1, l2, dropout;
  double adam_beta1, adam_beta2, adam_epsilon;
  int hidden[HP_MAXH], nhidden;            /* dense hidden layer sizes */
  int feature_vector_dim;                  /* SNN half-net output size */
  int epochs, steps_per_epoch, pair_size;  /* budget: epochs x steps x pair_size pairs/examples */
  int fingerprint_length, graph_layers, graph_width; /* GCNN: D, P, width */
  int fingerprint_pool;                    /* 0: sum over atoms (paper), 1: mean over atoms */
  int ratio_inputs;                        /* 1: log10 ligand:Au and reductant:Au join the IIV (DESIGN 8) */
  int budget_rows;                         /* 0: fixed epochs (paper); R: epochs x rows / R above R training rows */
  int lr_decay;                            /* 0: constant learning rate (paper), 1: cosine decay to 0 */
  double input_group_l1;                   /* group lasso on the head's first-layer rows of each non-fingerprint input */
  double molecule_group_l1;                /* group lasso on the rows of the 12 molecule properties only (not the conditions) */
  double input_refit;                      /* t > 0 (with input_group_l1): drop inputs whose row norm < t x the largest, refit */
  double fp_l2;                            /* L2 penalty on the head's first-layer weights that read fingerprints only */
  int fp_zero_init;                        /* 1: those weights start at 0 (the model starts as the descriptor net) */
  int early_stop;                          /* k > 0: pick the epoch count on a stratified 1/k inner split, refit */
  double input_noise;                      /* sd of Gaussian noise on the scaled descriptor inputs while training */
  int bag;                                 /* B > 0: each fit is B instances on stratified bootstrap resamples, averaged */
  int snn_knn;                             /* SNN scoring: 0 mean over each support set (paper), k: its k most similar */
  int float32;                             /* 1: training steps in single precision (the model stays double) */
  double ph_missing;                       /* encoding of an empty pH */
  int rf_trees, rf_max_depth, rf_min_leaf; /* random forest: trees, depth (0: unlimited), leaf size */
  int rf_max_features;                     /* features drawn per split, 0: floor(sqrt(17)) */
} hparams;

/* The six models of Table 2 are kinds 0..N_MODEL_KINDS-1; the baselines
 * prior and rf follow them, up to N_ALL_KINDS. */
#define N_MODEL_KINDS 6
#define N_ALL_KINDS 8
extern const char *const model_kind_names[N_ALL_KINDS]; /* gcnn_snn gcnn_dnn gcnn_svm snn dnn svm prior rf */
extern const char *const model_kind_labels[N_ALL_KINDS]; /* "GCNN + SNN", ... as in Table 2, "prior", "RF" */
/* 1 for prior and rf (no network). */
int hparams_is_baseline(const hparams *hp);

/* Defaults for a model kind ("gcnn_snn", "GCNN+SNN", "snn", ...); AU_EUSAGE if unknown.
 * hparams_default gives auclust's defaults (README "Defaults and the paper
 * preset" says how they were chosen); hparams_preset(kind, "paper") the
 * authors' architecture and budget exactly, "default" the same as
 * hparams_default. */
int hparams_default(const char *kind, hparams *hp);
int hparams_preset(const char *kind, const char *preset, hparams *hp);
const char *hparams_kind(const hparams *hp);
int hparams_kind_index(const hparams *hp);
/* name=value for one hyperparameter (the JSON key; hidden1/hidden2 set layer sizes). */
int hparams_set(hparams *hp, const char *name, const char *value);
int hparams_set_number(hparams *hp, const char *name, double v);
int hparams_check(const hparams *hp);
/* 1 when the hyperparameter changes this kind of model (graph_* only for
 * GCNN models, feature_vector_dim only for SNN heads, hidden layers and
 * dropout not for the one-layer SVM head). */
int hparams_relevant(const hparams *hp, const char *name);
/* The "model" recorded in a hyperparameter file (e.g. tune's output), or NULL. */
char *hparams_file_kind(const char *path);
cJSON *hparams_to_json(const hparams *hp);
/* Override fields from a JSON object; unknown keys are an error. `src` names
 * the file for messages. */
int hparams_from_json(const cJSON *o, hparams *hp, const char *src);
int hparams_load_file(const char *path, hparams *hp);
#endif
