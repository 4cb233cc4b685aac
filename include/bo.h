/* Bayesian optimisation of hyperparameters (the paper's gp_minimize, 50 trials):
 * a search space of int / real / log-real dimensions, a Gaussian-process
 * surrogate (Matern 5/2, ARD) on the unit cube, and an ask/tell minimiser
 * using expected improvement.  Deterministic for a given seed. */
#ifndef AUCLUST_BO_H
#define AUCLUST_BO_H
#include <cjson/cJSON.h>
#include <stdint.h>

/* ---- search space --------------------------------------------------------- */
typedef enum { BO_INT, BO_REAL, BO_LOG_REAL } bo_type;

typedef struct {
  char *name;
  bo_type type;
  double low, high; /* inclusive; low < high always (low == high is an error) */
} bo_dim;

typedef struct {
  int n;
  bo_dim *dims;
} bo_space;

void bo_space_init(bo_space *s);
void bo_space_free(bo_space *s);
/* Add one dimension.  AU_EDATA (message names the dimension) on: empty name,
 * duplicate name, non-finite bounds, low >= high, log-real with low <= 0,
 * int with non-integral bounds.  The space is unchanged on error. */
int bo_space_add(bo_space *s, const char *name, bo_type type, double low, double high);
/* Parse [{"name":..,"type":"int"|"real"|"log-real","low":..,"high":..},...]
 * or {"dimensions":[...]} ("integer" is accepted for "int").  Besides the
 * bo_space_add errors: unknown/missing type, missing name/low/high and an
 * empty space are AU_EDATA.  *out is overwritten; it is left empty on error. */
int bo_space_from_json(const cJSON *json, bo_space *out);
/* The array form above; caller owns the result. */
cJSON *bo_space_to_json(const bo_space *s);
const char *bo_type_name(bo_type t);

/* Unit-cube maps.  real: linear; log-real: linear in log10; int: [0,1] is cut
 * into high-low+1 equal bins and a value maps to the centre of its bin.
 * from_unit clamps u to [0,1]; to_unit clamps v to [low,high] (ints rounded). */
double bo_dim_to_unit(const bo_dim *d, double v);
double bo_dim_from_unit(const bo_dim *d, double u);
/* u moved to the centre of its integer bin (identity for real dimensions). */
double bo_dim_snap(const bo_dim *d, double u);
void bo_space_to_unit(const bo_space *s, const double *x, double *u);
void bo_space_from_unit(const bo_space *s, const double *u, double *x);

/* ---- Gaussian process (exposed for testing and reuse) ---------------------- */
/* theta, in log space, length d+2: [log l_1..log l_d, log signal variance,
 * log noise variance], in units of the normalised (zero-mean, unit-variance)
 * targets.  Bounds used when fitting: */
#define BO_GP_LS_MIN 0.01
#define BO_GP_LS_MAX 100.0
#define BO_GP_SV_MIN 0.01
#define BO_GP_SV_MAX 100.0
#define BO_GP_NOISE_MIN 1e-6
#define BO_GP_NOISE_MAX 2.0 /* a pure-noise objective has noise ~1 */

typedef struct bo_gp bo_gp;

/* Fit to n points X (row-major n x d, normally in [0,1]^d) with targets y.
 * theta NULL: maximise the log marginal likelihood from a default start plus
 * `restarts` random starts; else use theta as given (no fitting).
 * Returns NULL with AU_ENUM / AU_EDATA set on failure. */
bo_gp *bo_gp_fit(const double *X, const double *y, int n, int d, const double *theta,
                 int restarts, uint64_t seed);
/* Posterior mean and latent-function variance at x, in the units of y. */
void bo_gp_predict(const bo_gp *gp, const double *x, double *mean, double *var);
void bo_gp_theta(const bo_gp *gp, double *theta);
double bo_gp_lml(const bo_gp *gp); /* log marginal likelihood (normalised y) */
void bo_gp_free(bo_gp *gp);
/* Log marginal likelihood of y (normalised inside) at theta and, if grad is
 * not NULL, its gradient w.r.t. theta.  -INFINITY if K is not positive definite. */
double bo_gp_loglik(const double *X, const double *y, int n, int d, const double *theta,
                    double *grad);

/* ---- optimiser (ask/tell, minimisation) ------------------------------------ */
/* Reproducibility: a seed fixes the whole sequence of asks.  From 64 told
 * points on, OpenBLAS's threaded Cholesky may round differently with the
 * thread count; set OPENBLAS_NUM_THREADS=1 if such runs must be bit-identical. */
typedef struct bo_opt bo_opt;

/* The space is copied.  n_initial Latin-hypercube points come first (at least 1). */
bo_opt *bo_new(const bo_space *s, int n_initial, uint64_t seed);
void bo_free(bo_opt *o);
/* Tuning knobs (defaults: 10000 candidates, 2 GP restarts, xi 0.01).  xi is in
 * units of the normalised targets, so it does not depend on the scale of y. */
void bo_set_candidates(bo_opt *o, int n);
void bo_set_restarts(bo_opt *o, int n);
void bo_set_xi(bo_opt *o, double xi);
/* A noisy objective (e.g. a cross-validated score): the GP's noise
 * variance is still fitted by maximum likelihood, but its starts cover
 * 1e-3..1 of the targets' variance instead of 1e-6..1e-2, so the fit does
 * not settle on interpolating the noise. */
void bo_set_noisy(bo_opt *o, int noisy);
/* A measured noise level: the GP's noise variance may not fall below var,
 * in the objective's units (tune: the variance of a trial's mean over its
 * CV repeats, sd^2 / R pooled over the trials). Without it, a few points in
 * many dimensions are fitted best by interpolating them, noise and all.
 * 0 (the default) or a non-finite var: no floor beyond BO_GP_NOISE_MIN. */
void bo_set_noise_floor(bo_opt *o, double var);
/* The last fitted surrogate's noise: *share = noise / (signal + noise)
 * variance, *sd = noise standard deviation in the objective's units.
 * 0 (nothing set) before the first fit. */
int bo_noise(const bo_opt *o, double *share, double *sd);
/* Next point to evaluate, in the real space (ints hold integral values).
 * Never repeats an evaluated point unless every candidate tried was seen. */
void bo_ask(bo_opt *o, double *x_out);
/* Record f(x) = y.  AU_ENUM for non-finite y, AU_EDATA for x outside the
 * space (message names the dimension).  Ints are rounded. */
int bo_tell(bo_opt *o, const double *x, double y);
/* Lowest y told so far (x_best filled if not NULL); INFINITY if none. */
double bo_best(const bo_opt *o, double *x_best);
int bo_n_told(const bo_opt *o);
#endif
