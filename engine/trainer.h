/* trainer.h — one training run: network + optimizer + schedule + data.
 *
 * trainer_step() does one mini-batch: next batch, forward, loss, backward,
 * the schedule's (lr, momentum) at this iteration, one SGD update; then, every
 * eval_every iterations, at each epoch's end and at the last iteration, it
 * evaluates on the test set. It never allocates: every buffer is made in
 * trainer_init. A NaN or Inf loss is not an error but a state, DIVERGED, with
 * the iteration recorded; the parameters are then left as they are.
 *
 * The optimal-LR estimate (engine/lrest.h) is off until
 * trainer_enable_lr_estimate(); when on, it fills the rows' lr_est_* columns
 * without changing the run in any other way. */
#ifndef LRSCOPE_TRAINER_H
#define LRSCOPE_TRAINER_H

#include <stdbool.h>
#include <stdint.h>

#include "datasets/dataset.h"
#include "engine/err.h"
#include "engine/lrest.h"
#include "engine/net.h"
#include "engine/sched.h"
#include "engine/sgd.h"

typedef enum { TRAIN_RUNNING, TRAIN_DONE, TRAIN_DIVERGED } train_state;

typedef struct train_cfg {
    int      batch;
    uint64_t seed;          /* shuffling order */
    long     eval_every;    /* evaluate every N iterations; 0: only at epoch ends */
    int      eval_max;      /* periodic evaluations: the first N test images; 0: all */
    int      eval_max_end;  /* at epoch ends and at the end of the run; 0: all */
    bool     augment;       /* random crop (pad 4) + horizontal flip of training images */
} train_cfg;

/* One row of metrics.csv. Values not measured at this iteration are NaN
 * (written as blank cells). */
typedef struct metrics_row {
    long   iter;            /* 0-based index of the step just taken */
    double epoch;           /* epochs completed after the step (fractional) */
    double lr, momentum;    /* as used by the step */
    double loss;            /* training loss of this mini-batch */
    double loss_smooth;     /* EMA (beta 0.98), bias-corrected */
    double acc;             /* training accuracy of this mini-batch */
    double test_loss, test_acc;
    /* Running averages of the optimal-LR estimates (lrest.h), on the rows of
     * the steps they are measured at (every K-th step); NaN elsewhere and
     * when the estimate is off. */
    double lr_est_secant, lr_est_hvp;
} metrics_row;

typedef struct trainer {
    net            *net;        /* borrowed */
    const dataset  *train, *test;
    batcher         batches;
    sched           sched;
    sgd_opts        opt;
    train_cfg       cfg;
    float          *x;          /* [max_batch][dim] */
    int            *y;          /* [max_batch] */
    long            iter;       /* steps taken */
    train_state     state;
    long            diverged_at;
    double          ema, ema_weight; /* loss EMA and 1 - beta^k for bias correction */
    lrest           lrest;      /* optimal-LR estimate; lrest.every == 0: off */
    double          train_seconds; /* in trainer_step, less its test-set evaluations */
} trainer;

/* The shape of one example of d, as a network reads it. Networks are built
 * for the training batch; evaluation runs in chunks of that size. */
static inline lr_shape trainer_data_shape(const dataset *d)
{
    return (lr_shape){ d->c, d->h, d->w };
}

/* Batch 128, seed 1, evaluation only at epoch ends, on the whole test set. */
void train_cfg_default(train_cfg *c);

/* Borrows n, train and test (they must outlive the trainer); copies s, o, c.
 * Returns 0, or -1 with `e` set (bad batch size, shapes that do not match). */
int  trainer_init(trainer *t, net *n, const dataset *train, const dataset *test,
                  const sched *s, const sgd_opts *o, const train_cfg *c, lr_err *e);
void trainer_free(trainer *t);

/* Turns the optimal-LR estimate on, measured after every `every`-th step
 * (every >= 1), or off (every 0). Allocates its buffers now, so steps still
 * never allocate; calling it again restarts the running averages. May be
 * called at any iteration: a secant sample needs two saved iterates, so the
 * first one may come a window later. Returns 0, or -1 with `e` set and the
 * estimate off (negative `every`, out of memory). trainer_free releases. */
int  trainer_enable_lr_estimate(trainer *t, int every, lr_err *e);

/* Takes one step when RUNNING (a no-op otherwise) and fills `row`. Returns
 * the state after the step: DONE once iter reaches sched_end(). */
train_state trainer_step(trainer *t, metrics_row *row);

/* Mean loss and accuracy on the first `max_n` examples of d (all when 0),
 * in evaluation mode, in chunks of the net's max batch. */
void trainer_evaluate(trainer *t, const dataset *d, int max_n, double *loss, double *acc);

/* Epochs completed after `iter` steps. */
double trainer_epoch_at(const trainer *t, long iter);

#endif
