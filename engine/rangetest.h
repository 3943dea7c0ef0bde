/* rangetest.h — the LR range test (Smith, "Cyclical Learning Rates", section
 * 3.3; fastai's lr_find for the exponential sweep) run inside a trainer,
 * one iteration at a time, and the suggestions read from its curve.
 *
 *     rangetest rt;
 *     rangetest_cfg cfg;
 *     rangetest_cfg_default(&cfg, SCHED_SWEEP_LINEAR, iters_per_epoch);
 *     if (rangetest_begin(&rt, &trainer, &cfg, &err) < 0)
 *         return report(err.msg);              // the trainer is untouched
 *     metrics_row row;
 *     while (rangetest_step(&rt, &row))
 *         ...show row...                       // a UI may stop calling at any time
 *     rangetest_result res;
 *     rangetest_end(&rt, &res);                // trainer restored; res.sugg filled
 *     ...res.curve, res.sugg...
 *     rangetest_result_free(&res);
 *
 * Isolation. rangetest_begin snapshots everything later training depends on:
 * the trainer struct by value (iteration, state, divergence point, loss EMA,
 * schedule, evaluation settings, the batcher's position, epoch and RNG), the
 * batcher's order array, and the net's params, velocity and state (batch-norm
 * running statistics) blocks. Gradients, activations and batch buffers are not
 * saved: every step overwrites them before reading them. rangetest_end copies
 * it all back, so training resumes bit for bit as if the test had never run.
 * The optimal-LR estimate (lrest) is switched off for the test's steps, so
 * its saved iterates are not overwritten and resume unchanged. A field added
 * to the trainer by value is covered by the struct copy; a new buffer the
 * trainer owns through a pointer, read across steps, must be added here.
 *
 * During the test the trainer follows the sweep schedule with its iteration
 * counter at 0 (rows carry iter 0..n-1 of the test), the optimizer velocity
 * starts from zero (the test measures the weights, not the momentum left by
 * earlier training), the loss EMA restarts (bias-corrected, beta 0.98: the
 * trainer's loss_smooth), and evaluations run every eval_every iterations on
 * the first eval_n test images (a fixed subset, so the points compare), plus
 * the trainer's own at epoch ends and at the end of the sweep, one before the
 * first step, and after steps 1, 2, 4, 8... below eval_every (accuracy often
 * rises within the first few steps of a linear sweep; these place the base).
 * The optimal-LR estimate is off. The test stops after n_iters iterations,
 * when the smoothed loss exceeds stop_factor x its best so far (the loss EMA
 * above, as fastai's lr_find; or torch-lr-finder's smoothing, below, with
 * stop_smoothing RANGETEST_SMOOTH_LRFINDER), or when the loss is NaN/Inf.
 *
 * Presets (rangetest_cfg_preset) reproduce each tool's default sweep:
 *   smith      linear 0 -> 3 over one epoch (at least 100 iterations), stop 4x
 *   fastai     lr_find: exponential 1e-7 -> 10, step i at lr_min *
 *              (lr_max/lr_min)^(i/100), 100 iterations, stop at 4x its EMA
 *   lr-finder  torch-lr-finder's range_test with start_lr 1e-7: exponential
 *              to end_lr 10 reached at the last step, (i/99), 100
 *              iterations, stop at 5x its own smoothing
 * The optimizer is lrscope's SGD with momentum in every case (fastai's
 * default is Adam): the presets reproduce the sweeps and the readings, not
 * the other libraries' training.
 *
 * Suggestions (rangetest_suggest; all LRs are read at recorded points, never
 * extrapolated, and no NaN enters them: a rule without enough data gives NaN
 * and says why in a note):
 *
 *   Smith's pair, from held-out accuracy. The accuracy points are smoothed by
 *   a running median (5 points; 3 when there are fewer than 15) and then a
 *   3-point mean, because BN nets' accuracy jumps several points between
 *   evaluations (measured on Fashion-MNIST); the first and last evaluations
 *   are kept as they are (the windows shrink symmetrically at both ends), so
 *   neither the rise from chance nor a collapse at the end is smoothed away.
 *   With start = the lowest smoothed value before the peak and range = peak -
 *   start:
 *     base_lr  the first LR where smoothed accuracy exceeds start + 15% of the
 *              range: where accuracy starts to rise;
 *     plateau  the first LR within `tolerance` of the peak: it stops improving;
 *     max_lr   the last LR, going up from the peak, before smoothed accuracy
 *              first falls more than `tolerance` below it: the largest LR that
 *              still trains as well as the best; tolerance = 5% of the range.
 *              (Smith's "stops improving, turns ragged or falls" names both
 *              ends of a plateau; for ResNet-56 he took the far end, 3.)
 *   The pair (base_lr, max_lr) is Smith's reading for CLR bounds. The
 *   alternatives Smith gives for the lower bound come with it:
 *   max/4..max/3 (CLR) and max/20..max/10 (1cycle; use (max/10, max)). When
 *   max_lr is the last point the curve never fell: the limit lies beyond the
 *   sweep (max_at_end). With fewer than RANGETEST_MIN_EVALS evaluations the
 *   same rules read the smoothed training loss instead (lower is better;
 *   basis LOSS), and the note says so; a fall of the loss under 5 % of its
 *   start reads as not learning. With enough evaluations and an
 *   accuracy range under 2 points (the first evaluation, before any step,
 *   is at chance) the network did not learn in the sweep: nothing is read
 *   (did_not_learn) and nothing is offered. The loss is no guide then: a
 *   net that diverged and died sits at chance, ln 10, and the smoothed loss
 *   falls there from the spike, which read as a "fall" offered LeNet's dead
 *   LRs 0.13-1.3 on a sweep to 3 over 100 steps.
 *
 *   The readings practitioners bring from other tools, exactly as those tools
 *   compute them (engine/readings.c), each applied to the curve the tool would
 *   have recorded on this sweep: its own smoothing and divergence stop, its
 *   slicing, its handling of NaN. A tool's reading is its index into that
 *   curve, so the same index here gives the same LR. Where the tool would
 *   stop with an error (too few points), the reading is NaN with a note.
 *
 *   fastai 2.7 (fastai/callback/schedule.py: lr_find, valley, slide, steep,
 *   minimum; the NaN truncation since 2.5.3; the Recorder's loss in
 *   fastai/learner.py, AvgSmoothLoss): the smoothed loss is the debiased EMA
 *   with beta 0.98, the curve's loss_smooth. lr_find stops once it exceeds
 *   4 x its best so far (that point recorded), and keeps recording NaN to
 *   num_it iterations once the loss is NaN. Its rules read the points
 *   [num_it/10, len - 5) of that record (num_it = the planned iterations),
 *   cut at the first NaN:
 *     valley   lds[i] = length of the longest strictly decreasing subsequence
 *              ending at i; end = the first i with the largest lds, start =
 *              end - lds[end] (one before the subsequence's first point when
 *              it is a contiguous run, after it when it skips points; -1
 *              indexes from the end, as in Python), span = lds[end]; the
 *              pick is start + int(span/3) + int(span/3/2).
 *     slide    g = numpy.gradient of the loss over the index; from the pair
 *              (last, last - 15), step both left while |g[r] - g[l]| > 0.005;
 *              the pick is the left point of the last pair that differed
 *              (the first pair's left point when none did). Needs 16 points.
 *     steep    the left end of the steepest d(loss)/d ln(lr) between
 *              neighbouring points (the first on ties). Needs 2 points.
 *     minimum  the LR of the lowest loss (the first on ties), divided by 10.
 *   fastai holds these values as float32 tensors; lrscope reads the same
 *   rules in double, so points that differ only past float32's 7 digits may
 *   order differently (a tie fastai sees, lrscope does not).
 *
 *   torch-lr-finder 0.2.2 (torch_lr_finder/lr_finder.py: range_test, plot):
 *   its history smooths the raw loss as s = 0.05 loss + 0.95 s_prev, the
 *   first point raw, no debiasing; it stops once s > 5 x its best so far
 *   (that point recorded) and records NaN to the end of the sweep once the
 *   loss is NaN. plot() needs at least 17 points, drops the first 10 and the
 *   last 5, and picks the argmin of numpy.gradient(s) over the index. numpy's
 *   argmin returns the first NaN when there is one: on a sweep that ended in
 *   NaN within the window, that is the last finite point before it, and the
 *   note says so.
 *
 *   lrscope's own variants, on the smoothed loss (loss_smooth) over points
 *   [from, to): the first 10% of the recorded points and the last 5 are
 *   left out (10% of the planned iterations keeps almost nothing of a linear
 *   sweep that diverged early).
 *     valley*  the longest strictly descending subsequence (at least 3
 *              points), followed back to its true first point, which fastai
 *              estimates as end - length: on a clean descent fastai's pick
 *              sits a point early; on a noisy curve, where the subsequence
 *              skips points, the estimate lands inside the descent and the
 *              pick moves toward its end. The pick is the middle of the
 *              index span (fastai's start + 1/3 + 1/6 split).
 *     steep*   the steepest descent of smoothed loss per unit of ln(lr), up
 *              to the minimum (past it the loss rises overall and a descent
 *              is a recovery from a spike), each slope taken over 2% of the
 *              log-LR span (fastai takes neighbouring points, which on a
 *              linear sweep makes the slope mostly noise at large LR, where
 *              ln(lr) steps are tiny). NaN when no slope is negative.
 *
 *   Super-convergence signature (Smith & Topin, "Super-Convergence", section
 *   3): training holds up at large LRs instead of peaking and collapsing. The tail is the
 *   evaluations at LRs >= max(RANGETEST_SIG_LR, the start of the last 20% of
 *   the LRs reached: linear steps for a linear sweep, log steps for an
 *   exponential one). PRESENT when the sweep took at least RANGETEST_SIG_STEPS
 *   steps at lr >= RANGETEST_SIG_LR and the median raw accuracy of the tail
 *   (at least 2 evaluations) is >= 2/3 of the peak smoothed accuracy. ABSENT
 *   when the tail falls below that, or the sweep diverged (NaN/Inf or the stop
 *   factor) before those steps. UNKNOWN otherwise: the sweep ended below the
 *   large LRs, or passed them too fast to tell (an exponential sweep of 100
 *   iterations spends about 12 above 1), or too few evaluations.
 *   Why 2/3: the paper's own example (ResNet-56) holds 65-85% up to LR 3, and
 *   BN nets' held-out accuracy jumps several points between evaluations; a
 *   collapse falls toward chance. Measured on Fashion-MNIST (batch 128, one
 *   epoch, 0 -> 3): the BN MLP's tail holds 75-92% of its peak over seeds and
 *   weight decays 0-5e-4; the plain MLP diverges near 0.42.
 *
 * Nothing here prints; rangetest_write_csv and rangetest_write_suggestions
 * write to the FILE they are given. Errors: lr_err (engine/err.h). */
#ifndef LRSCOPE_RANGETEST_H
#define LRSCOPE_RANGETEST_H

#include <stdbool.h>
#include <stdio.h>

#include "engine/err.h"
#include "engine/sched.h"
#include "engine/trainer.h"

#define RANGETEST_MIN_ITERS   10    /* shortest sweep accepted */
#define RANGETEST_MAX_ITERS   1000000000L /* longest (as the command line's --iters) */
#define RANGETEST_MIN_EVALS   8     /* accuracy points needed for Smith's reading */
#define RANGETEST_SIG_LR      1.0   /* "large": plain nets diverge at 0.3-0.5, BN nets
                                       train through 2-3 on Fashion-MNIST */
#define RANGETEST_SIG_STEPS   20    /* steps at lr >= SIG_LR the signature needs */
#define RANGETEST_DEFAULT_EVAL_N 2000
#define RANGETEST_LRFINDER_SMOOTH 0.05 /* torch-lr-finder's range_test(smooth_f=0.05) */

/* Which smoothed loss the stop factor reads. */
typedef enum {
    RANGETEST_SMOOTH_EMA,       /* the debiased EMA, beta 0.98 (loss_smooth; fastai) */
    RANGETEST_SMOOTH_LRFINDER,  /* torch-lr-finder: 0.05 loss + 0.95 prev, first raw */
} rangetest_smoothing;

typedef enum {
    RANGETEST_PRESET_SMITH, RANGETEST_PRESET_FASTAI, RANGETEST_PRESET_LRFINDER,
    RANGETEST_N_PRESETS
} rangetest_preset;

typedef struct rangetest_cfg {
    sched_policy policy;    /* SCHED_SWEEP_LINEAR (Smith) or SCHED_SWEEP_EXP (fastai) */
    double lr_min, lr_max;  /* linear: 0 <= lr_min < lr_max; exp: 0 < lr_min < lr_max */
    long   n_iters;         /* sweep length, >= RANGETEST_MIN_ITERS */
    bool   end_at_max;      /* the last step trains at lr_max (step i at i/(n_iters-1),
                               torch-lr-finder); false: step i at i/n_iters (fastai,
                               Smith), lr_max one step past the end */
    rangetest_smoothing stop_smoothing;
    double momentum;        /* constant during the sweep, in [0, 1) */
    long   eval_every;      /* held-out evaluation every K iterations; 0: none scheduled */
    int    eval_n;          /* on the first eval_n test images; 0: all */
    double stop_factor;     /* stop when smoothed loss > this x best; 0: never (NaN stops) */
} rangetest_cfg;

typedef enum {
    RANGETEST_RUNNING,      /* not stopped yet */
    RANGETEST_COMPLETED,    /* all n_iters iterations done */
    RANGETEST_LOSS_ROSE,    /* smoothed loss > stop_factor x best */
    RANGETEST_NONFINITE,    /* the loss became NaN or Inf */
    RANGETEST_CANCELLED,    /* rangetest_end before the sweep ended */
} rangetest_stop;

/* The recorded sweep. Per-iteration arrays hold only steps with a finite loss
 * (the step that produced NaN/Inf is described by stop_* instead). */
typedef struct rangetest_curve {
    sched_policy policy;
    double  lr_min, lr_max;
    long    n_planned;
    double  stop_factor;            /* the sweep's stop rule (0: none), on ... */
    rangetest_smoothing stop_smoothing; /* ... this smoothed loss */
    long    cap;                    /* capacity of every array */
    long    n;                      /* steps recorded */
    double *lr, *loss, *loss_smooth;/* [n] LR used by step i, its loss, the EMA after it */
    double *test_acc, *test_loss;   /* [n] NaN where step i was not followed by an eval */
    long    n_eval;                 /* evaluation points, in order (at most cap + 1) */
    long   *eval_iter;              /* [n_eval] steps taken before it (0: before any) */
    double *eval_lr, *eval_acc, *eval_loss; /* [n_eval]; eval_lr: LR of the last step
                                       (of the first step for an evaluation before it) */
    rangetest_stop stop;
    long    stop_iter;              /* 0-based step where it stopped (n when completed
                                       or cancelled) */
    double  stop_lr, stop_loss;     /* that step's LR and loss (smoothed as the stop
                                       rule reads it for LOSS_ROSE, raw for NONFINITE);
                                       NaN when completed; when cancelled, the last LR
                                       and NaN */
    double  stop_best;              /* LOSS_ROSE: the best smoothed loss it exceeded */
    double  best_smooth;            /* lowest loss_smooth so far */
    double *work;                   /* [3*(cap+1)] scratch for rangetest_suggest */
    long   *iwork;                  /* [2*(cap+1)] */
} rangetest_curve;

/* One loss-based suggestion and the numbers behind it; NaN when unavailable. */
typedef struct rangetest_pick {
    long   index;       /* the curve point it was read at; -1 when unavailable */
    double lr;          /* the suggestion */
    double curve_lr;    /* where it was read (minimum: 10 x lr; otherwise lr) */
    double loss;        /* the smoothed loss at curve_lr, as the rule reads it */
    double slope;       /* steep, steep*: d(loss)/d ln(lr) there; lr-finder: the
                           gradient per step; slide: the gradient there; else NaN */
    double span_lo, span_hi; /* valley, valley*: LR span of the descending stretch
                           (valley: from fastai's start estimate) */
    long   n_points;    /* valley, valley*: points in the subsequence; otherwise 0 */
} rangetest_pick;

/* The points a tool's rules read: curve indices [from, to), and what the
 * tool would have done with this sweep. */
typedef struct rangetest_window {
    long from, to;      /* to <= from: nothing left to read */
    char note[240];     /* why readings are missing, or what to know about them */
} rangetest_window;

typedef enum { RANGETEST_FROM_NONE, RANGETEST_FROM_ACC, RANGETEST_FROM_LOSS } rangetest_basis;
typedef enum { RANGETEST_SIG_UNKNOWN, RANGETEST_SIG_ABSENT, RANGETEST_SIG_PRESENT } rangetest_sig;

/* Smith's reading. Values are smoothed accuracy (basis ACC) or smoothed
 * training loss (basis LOSS) at the LR named beside them. */
typedef struct rangetest_smith {
    rangetest_basis basis;
    double base_lr, base_value;
    double max_lr, max_value;
    double plateau_lr, plateau_value;
    double peak_lr, peak_value;
    double start_value, tolerance;
    bool   base_at_first;           /* base is the point right after the start: the rise
                                       happened between two evaluations, base bounds it */
    bool   max_at_end;              /* max is the last point: the limit is past the sweep */
    bool   did_not_learn;           /* enough evaluations, and smoothed accuracy varied by
                                       under 2 points, or too few, and the smoothed loss
                                       fell by under 5 %: nothing is read or offered */
    double acc_lo, acc_hi;          /* the range accuracy stayed in (did_not_learn on it) */
    double loss_drop;               /* the loss's relative fall (did_not_learn on it; its
                                       start_value and peak_value are kept) */
    double clr_base_lo, clr_base_hi;            /* max/4 .. max/3 */
    double onecycle_base_lo, onecycle_base_hi;  /* max/20 .. max/10 */
    char   note[256];
} rangetest_smith;

typedef struct rangetest_signature {
    rangetest_sig verdict;
    double lr_reached;      /* the largest LR trained at with a finite loss */
    long   n_large;         /* steps recorded at lr >= RANGETEST_SIG_LR */
    double tail_from;       /* the tail: evaluations with lr >= tail_from */
    int    n_tail;
    double tail_acc;        /* median raw held-out accuracy over the tail */
    double peak_acc;        /* peak of the smoothed accuracy */
    double ratio;           /* tail_acc / peak_acc */
    char   note[200];
} rangetest_signature;

typedef struct rangetest_suggestions {
    rangetest_window fastai;            /* fastai 2.7 lr_find, exactly */
    rangetest_pick valley, slide, steep, minimum;
    rangetest_window lrfinder;          /* torch-lr-finder 0.2.2, exactly */
    rangetest_pick lr_finder;
    rangetest_window own;               /* lrscope's variants */
    rangetest_pick valley_star, steep_star;
    rangetest_smith smith;
    rangetest_signature sig;
} rangetest_suggestions;

typedef struct rangetest_result {
    rangetest_curve       curve;        /* owned: rangetest_result_free */
    rangetest_suggestions sugg;
} rangetest_result;

/* A test in progress. Between begin and end it borrows the trainer, which
 * must not be stepped or freed by anyone else. */
typedef struct rangetest {
    trainer        *t;
    rangetest_cfg   cfg;
    rangetest_curve curve;
    bool            running;
    trainer         saved;          /* the trainer by value */
    uint32_t       *saved_order;    /* [train->n] the batcher's order */
    float          *saved_params, *saved_velocity;  /* [n_params] */
    float          *saved_state;    /* [n_state] */
    double          lrf_smooth, lrf_best; /* torch-lr-finder's smoothed loss and its best */
} rangetest;

/* Defaults: linear 0 -> 3 over one epoch (at least 100 iterations; Smith's
 * CIFAR-10 range), exponential 1e-7 -> 10 over 100 (fastai); momentum 0.9;
 * about 40 evaluations on the first RANGETEST_DEFAULT_EVAL_N test images;
 * stop factor 4. The smith and fastai presets. */
void rangetest_cfg_default(rangetest_cfg *c, sched_policy policy, long iters_per_epoch);

/* A tool's default sweep (Presets above), with lrscope's defaults for the
 * rest (momentum, evaluations). */
void rangetest_cfg_preset(rangetest_cfg *c, rangetest_preset p, long iters_per_epoch);

/* "smith", "fastai", "lr-finder". */
const char *rangetest_preset_name(rangetest_preset p);

/* Looks a preset up by name; returns 0, or -1 with a message listing them. */
int  rangetest_preset_parse(const char *name, rangetest_preset *p, lr_err *e);

/* Returns 0, or -1 with a message saying what is allowed. c is unchanged. */
int  rangetest_cfg_validate(const rangetest_cfg *c, lr_err *e);

/* The sweep as a schedule (origin 0, total n_iters). */
void rangetest_cfg_sched(const rangetest_cfg *c, sched *s);

/* Validates cfg, allocates the snapshot and the curve, snapshots t (see
 * Isolation), installs the sweep and takes the first evaluation. Refuses a
 * trainer that has DIVERGED (its weights are not finite). Returns 0, or -1
 * with `e` set, nothing allocated and t untouched. */
int  rangetest_begin(rangetest *rt, trainer *t, const rangetest_cfg *cfg, lr_err *e);

struct checkpoint;

/* Continues the test saved in checkpoint `c` (read from `path`, which the
 * messages name): t is a trainer set up for the same run as the one the test
 * began on, with the weights it had then (both lrscope's range tests start
 * from freshly initialised weights, so the same model, seed, data and batch
 * rebuild them). Snapshots t as rangetest_begin does, restores the sweep's
 * trainer state from c (checkpoint_restore) and the curve recorded so far;
 * no evaluation is taken. The steps that follow are those the uninterrupted
 * test would have taken (same floats at the same thread count). A test that
 * had stopped comes back stopped (running false, its stop as it was):
 * rangetest_end then gives its result without a step. Returns 0, or -1 with
 * `e` set, nothing allocated and t untouched. */
int  rangetest_resume(rangetest *rt, trainer *t, const struct checkpoint *c, const char *path,
                      lr_err *e);

/* One iteration of the sweep; fills `row` as trainer_step does (iter counts
 * from 0 at the test's start). Returns true while the test goes on, false
 * once it has stopped (see curve.stop); after that it only fills row with
 * NaN measurements and returns false. No allocation. */
bool rangetest_step(rangetest *rt, metrics_row *row);

/* Ends the test (CANCELLED when it was still running), restores the trainer
 * exactly, computes the suggestions and moves the curve into `res`. rt is
 * then empty and may begin again. Cannot fail. */
void rangetest_end(rangetest *rt, rangetest_result *res);

void rangetest_result_free(rangetest_result *res);

/* A curve for `cap` steps, empty (n = n_eval = 0, stop RUNNING). Returns 0,
 * or -1 with `e` set and c zeroed. rangetest_curve_free frees it (safe on a
 * zeroed struct). */
int  rangetest_curve_alloc(rangetest_curve *c, long cap, lr_err *e);
void rangetest_curve_free(rangetest_curve *c);

/* Appends one step (n < cap; loss and loss_smooth finite). test_acc and
 * test_loss are NaN when the step was not followed by an evaluation,
 * otherwise an evaluation point is appended too. */
void rangetest_curve_push(rangetest_curve *c, double lr, double loss, double loss_smooth,
                          double test_acc, double test_loss);

/* Appends an evaluation taken before any step (iter 0), at lr. */
void rangetest_curve_push_eval(rangetest_curve *c, double lr, double acc, double loss);

/* Fills s from c (rules above). Uses c's scratch; c's values are unchanged.
 * Curves too short for a rule give NaN with a note. */
void rangetest_suggest(const rangetest_curve *c, rangetest_suggestions *s);

/* The readings of the training loss alone (engine/readings.c): fastai's,
 * torch-lr-finder's and lrscope's, with their windows. Uses c's work[0,
 * cap+1) and iwork. */
void rangetest_read_loss(const rangetest_curve *c, rangetest_suggestions *s);

/* The smoothed held-out accuracy Smith's reading uses, one value per
 * evaluation point, into out [n_eval]; tmp [n_eval] is scratch. Needs
 * n_eval >= 3 (else out is a copy of eval_acc). */
void rangetest_smoothed_accuracy(const rangetest_curve *c, double *tmp, double *out);

/* The maximum LR to offer for a cycle: where smoothed accuracy stops
 * improving (Smith's plateau, the near end of "stops improving, turns ragged
 * or falls"), else Smith's max, else valley*; NaN when none could be read or
 * the network did not learn in the sweep. The far end of the plateau
 * (smith.max_lr) is where training still survives, not where it trains
 * best: on Fashion-MNIST, 1cycle to the far end (2.1) ended below a step
 * schedule, while maxima of 0.3-1 beat it. */
double rangetest_offer_max(const rangetest_suggestions *s);

/* The readings a user can choose to mark on a range-test plot. */
typedef enum {
    RANGETEST_READ_OFFER,       /* (M/10, M): rangetest_offer_max */
    RANGETEST_READ_SMITH,       /* Smith's base and max */
    RANGETEST_READ_VALLEY, RANGETEST_READ_SLIDE, RANGETEST_READ_STEEP,
    RANGETEST_READ_MINIMUM,     /* fastai's four */
    RANGETEST_READ_LRFINDER,    /* torch-lr-finder's */
    RANGETEST_READ_VALLEY_STAR, RANGETEST_READ_STEEP_STAR,  /* lrscope's variants */
    RANGETEST_N_READINGS
} rangetest_reading;

/* "offer", "smith", "valley", "slide", "steep", "minimum", "lr-finder",
 * "valley*", "steep*". */
const char *rangetest_reading_name(rangetest_reading r);

/* Looks a reading up by name; returns 0, or -1 with a message listing them. */
int  rangetest_reading_parse(const char *name, rangetest_reading *r, lr_err *e);

/* The LRs reading r suggests: one (lo = hi) or a pair (offer, smith); NaN
 * when the reading gave none. */
void rangetest_reading_lrs(const rangetest_suggestions *s, rangetest_reading r, double *lo,
                           double *hi);

/* Why reading r gave nothing, or what to know about it: the note of the
 * rule's window ("" when there is none). */
const char *rangetest_reading_note(const rangetest_suggestions *s, rangetest_reading r);

/* "running", "completed", "loss rose", "loss not finite", "cancelled". */
const char *rangetest_stop_name(rangetest_stop s);
/* "ema", "lr-finder". */
const char *rangetest_smoothing_name(rangetest_smoothing s);
/* "present", "absent", "unknown". */
const char *rangetest_sig_name(rangetest_sig s);

/* rangetest.csv: iter,lr,loss,loss_smooth,test_acc,test_loss — one row per
 * recorded step (iter as in metrics.csv), blank cells where not measured; an
 * evaluation taken before the first step is the row with iter -1. lr, loss
 * and loss_smooth are written with the fewest digits that read back as the
 * same double, so another tool's rules applied to the file see the values
 * lrscope read. Returns 0, or -1 when the stream reports a write error. */
int  rangetest_write_csv(const rangetest_curve *c, FILE *f);

/* suggestions.txt: `key = value` lines (and `#` comments) with every
 * suggestion and the numbers behind it. Returns 0, or -1 on a write error. */
int  rangetest_write_suggestions(const rangetest_result *r, FILE *f);

#endif
