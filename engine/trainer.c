#include "engine/trainer.h"

#include "engine/clock.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LOSS_EMA_BETA 0.98

void train_cfg_default(train_cfg *c)
{
    c->batch = 128;
    c->seed = 1;
    c->eval_every = 0;
    c->eval_max = 0;
    c->eval_max_end = 0;
    c->augment = false;
}

int trainer_init(trainer *t, net *n, const dataset *train, const dataset *test,
                 const sched *s, const sgd_opts *o, const train_cfg *c, lr_err *e)
{
    memset(t, 0, sizeof *t);
    if (c->batch < 1 || c->batch > n->max_batch)
        return lr_fail(e, "batch size %d must be between 1 and %d", c->batch, n->max_batch);
    if (c->batch > train->n)
        return lr_fail(e, "batch size %d is larger than the training set (%d images)",
                       c->batch, train->n);
    if (dataset_dim(train) != n->n_in || dataset_dim(test) != n->n_in)
        return lr_fail(e, "the model expects %d inputs but the data has %d per image",
                       n->n_in, dataset_dim(train));
    if (train->n_classes > n->n_classes)
        return lr_fail(e, "the data has %d classes but the model only %d",
                       train->n_classes, n->n_classes);
    if (sched_validate(s, e))
        return -1;
    t->net = n;
    t->train = train;
    t->test = test;
    t->sched = *s;
    t->opt = *o;
    t->cfg = *c;
    t->state = TRAIN_RUNNING;
    t->diverged_at = -1;
    t->x = malloc((size_t)n->max_batch * n->n_in * sizeof *t->x);
    t->y = malloc((size_t)n->max_batch * sizeof *t->y);
    if (!t->x || !t->y) {
        trainer_free(t);
        return lr_fail(e, "out of memory for batch buffers");
    }
    if (batcher_init(&t->batches, train, c->batch, true, c->seed, e)) {
        trainer_free(t);
        return -1;
    }
    t->batches.augment = c->augment;
    return 0;
}

void trainer_free(trainer *t)
{
    lrest_free(&t->lrest);
    free(t->x);
    free(t->y);
    batcher_free(&t->batches);
    memset(t, 0, sizeof *t);
}

int trainer_enable_lr_estimate(trainer *t, int every, lr_err *e)
{
    lrest_free(&t->lrest);
    if (every < 0)
        return lr_fail(e, "the learning-rate estimate interval must be 0 (off) or more, "
                          "not %d", every);
    if (every == 0)
        return 0;
    return lrest_init(&t->lrest, t->net, every, e);
}

double trainer_epoch_at(const trainer *t, long iter)
{
    return (double)iter * t->cfg.batch / t->train->n;
}

void trainer_evaluate(trainer *t, const dataset *d, int max_n, double *loss, double *acc)
{
    int n = max_n > 0 && max_n < d->n ? max_n : d->n;
    int chunk = t->net->max_batch;
    double total_loss = 0.0;
    long correct = 0;
    for (int start = 0; start < n; start += chunk) {
        int B = n - start < chunk ? n - start : chunk;
        int hits;
        dataset_to_float(d, start, B, t->x, t->y);
        total_loss += (double)net_eval_batch(t->net, t->x, t->y, B, &hits) * B;
        correct += hits;
    }
    *loss = total_loss / n;
    *acc = (double)correct / n;
}

train_state trainer_step(trainer *t, metrics_row *row)
{
    memset(row, 0, sizeof *row);
    row->test_loss = row->test_acc = NAN;
    row->lr_est_secant = row->lr_est_hvp = NAN;
    row->iter = t->iter;
    if (t->state != TRAIN_RUNNING) {
        row->loss = row->loss_smooth = row->acc = NAN;
        return t->state;
    }
    double t0 = clock_seconds();
    int B = t->cfg.batch;
    int epochs_done = batcher_next(&t->batches, t->x, t->y);
    int hits;
    float loss = net_train_pass(t->net, t->x, t->y, B, &hits);
    sched_at(&t->sched, t->iter, &row->lr, &row->momentum);
    row->loss = loss;
    row->acc = (double)hits / B;
    if (!isfinite(loss)) {
        t->state = TRAIN_DIVERGED;
        t->diverged_at = t->iter;
        row->loss_smooth = NAN;
        row->epoch = trainer_epoch_at(t, t->iter + 1);
        t->iter++;
        t->train_seconds += clock_seconds() - t0;
        return t->state;
    }
    /* The probe restores everything the step reads, so the step below is
     * the one a run without the estimate takes. */
    row->lr_est_hvp = lrest_before_step(&t->lrest, t->net, &t->opt, t->iter, row->lr,
                                        t->x, t->y, B);
    sgd_step(t->net, &t->opt, row->lr, row->momentum);
    row->lr_est_secant = lrest_after_step(&t->lrest, t->net, t->iter);
    t->ema = LOSS_EMA_BETA * t->ema + (1.0 - LOSS_EMA_BETA) * (double)loss;
    t->ema_weight = LOSS_EMA_BETA * t->ema_weight + (1.0 - LOSS_EMA_BETA);
    row->loss_smooth = t->ema / t->ema_weight;
    t->iter++;
    row->epoch = trainer_epoch_at(t, t->iter);
    bool last = t->iter >= sched_end(&t->sched);
    bool periodic = t->cfg.eval_every > 0 && t->iter % t->cfg.eval_every == 0;
    t->train_seconds += clock_seconds() - t0;
    if (epochs_done || last)
        trainer_evaluate(t, t->test, t->cfg.eval_max_end, &row->test_loss, &row->test_acc);
    else if (periodic)
        trainer_evaluate(t, t->test, t->cfg.eval_max, &row->test_loss, &row->test_acc);
    if (last)
        t->state = TRAIN_DONE;
    return t->state;
}
