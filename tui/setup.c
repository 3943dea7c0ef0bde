#include "tui/setup.h"

#include "engine/gemm.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int setup_threads(int threads)
{
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (int)n : 1;
    }
    return gemm_threads(threads);
}

/* Periodic evaluations read the first 2000 test images (a fixed subset, so
 * points compare); epoch ends and the end of a run read the whole test set.
 * Ten full passes per epoch would cost about half as much as training. */
#define SETUP_EVAL_MAX 2000

/* A multistep drop the run never reaches is most likely a typing slip. */
static void warn_late_milestones(run_setup *r)
{
    const sched *s = &r->sched;
    if (s->policy != SCHED_MULTISTEP)
        return;
    for (int i = 0; i < s->n_milestones; i++) {
        if (s->milestones[i] < s->total)
            continue;
        size_t n = strlen(r->notice);
        snprintf(r->notice + n, sizeof r->notice - n,
                 "%smilestone %ld is past the end of the run (%ld iterations): that drop "
                 "never happens", n ? "; " : "", s->milestones[i], s->total);
        return;
    }
}

int setup_run(run_setup *r, const cli_opts *o, lr_err *e)
{
    memset(r, 0, sizeof *r);
    r->threads = setup_threads(o->threads);
    if (dataset_open(&r->data, o->data, o->seed, r->notice, sizeof r->notice, e))
        return -1;
    if (o->train_size > r->data.train.n) {
        lr_fail(e, "--train-size %d is more than the %d training images of %s", o->train_size,
                r->data.train.n, r->data.train.name);
        goto fail;
    }
    if (o->train_size && o->train_size < r->data.train.n &&
        dataset_take_subset(&r->data.train, o->train_size, o->seed, e))
        goto fail;
    /* The workbench's session builds its own network, in its thread. */
    if (o->mode != CLI_WORKBENCH &&
        net_build(&r->net, o->model, trainer_data_shape(&r->data.train), r->data.train.n_classes,
                  o->batch, &o->net, o->seed, e))
        goto fail;
    if (cli_resolve_sched(o, r->data.train.n, &r->sched, e))
        goto fail;
    train_cfg_default(&r->train);
    r->train.batch = o->batch;
    r->train.seed = o->seed;
    r->train.eval_max = o->eval_max >= 0 ? o->eval_max : SETUP_EVAL_MAX;
    r->train.augment = o->augment;
    r->train.eval_max_end = o->eval_max_end;
    long per_epoch = (r->data.train.n + o->batch - 1) / o->batch;
    r->train.eval_every = o->eval_every >= 0 ? o->eval_every
                                             : (per_epoch >= 10 ? per_epoch / 10 : 1);
    warn_late_milestones(r);
    return 0;
fail:
    setup_free(r);
    return -1;
}

void setup_free(run_setup *r)
{
    net_free(&r->net);
    dataset_pair_free(&r->data);
}
