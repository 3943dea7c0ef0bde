/* sched_export.h — a schedule and its optimizer settings as code for another
 * framework: a PyTorch snippet and a fastai snippet that reproduce lrscope's
 * learning rate and momentum at every iteration of the plan.
 *
 * Both are pure functions of (schedule, SGD options, a few facts about the
 * run) to text. Where the framework has a scheduler with the same formula,
 * the snippet calls it with the parameters filled in:
 *
 *     lrscope                 PyTorch                     fastai
 *     1cycle pytorch          OneCycleLR                  functions of the step
 *     1cycle fastai, cos      LambdaLR (+ momentum)       learn.fit_one_cycle
 *     1cycle smith            LambdaLR (+ momentum)       functions of the step
 *     clr, triangular2,       CyclicLR                    functions of the step
 *       exp_range
 *     step / multistep        StepLR / MultiStepLR        functions of the step
 *     const                   LambdaLR                    learn.fit
 *     inv, sweeps, 1cycle     LambdaLR (+ momentum)       functions of the step
 *       fastai linear
 *
 * "Functions of the step" are Python functions lr_at(step) and
 * momentum_at(step) with lrscope's formula and its numbers written out; in
 * fastai they drive a ParamScheduler (which passes the fraction of training
 * done, turned back into a step), in PyTorch a LambdaLR plus a line that sets
 * the momentum before each optimizer step.
 *
 * The plan exported is the one in force: the schedule's current bounds,
 * counted from the start of its current cycle (origin) over `total` steps.
 * The snippets also carry the weight decay (lrscope's coupled L2: a gradient
 * term, torch.optim.SGD's weight_decay, fastai's SGD with decouple_wd=False),
 * which parameters it applies to, the momentum, the batch size and the SGD
 * form (--sgd caffe|torch): for Caffe's form the PyTorch snippet defines a
 * small optimizer with that update, since torch.optim.SGD has PyTorch's. */
#ifndef LRSCOPE_SCHED_EXPORT_H
#define LRSCOPE_SCHED_EXPORT_H

#include "engine/err.h"
#include "engine/sched.h"
#include "engine/sgd.h"

/* Facts about the run that go into comments and constants. */
typedef struct export_info {
    const char *source;          /* where the schedule comes from (a run folder); NULL: none */
    const char *model;           /* model spec; NULL: not stated */
    const char *init;            /* weight initialisation ("he", "torch"); NULL: not stated */
    int         batch;           /* mini-batch size, >= 1 */
    long        iters_per_epoch; /* >= 1: fastai's n_epoch is derived from it; 0: unknown */
    const char *note;            /* one more comment line (e.g. about live edits); NULL: none */
} export_info;

/* The PyTorch snippet / the fastai snippet as a NUL-terminated string in
 * *out, which the caller frees. Returns 0, or -1 with `e` set (and *out
 * NULL) when the schedule does not validate or memory runs out. */
int sched_export_pytorch(const sched *s, const sgd_opts *o, const export_info *x, char **out,
                         lr_err *e);
int sched_export_fastai(const sched *s, const sgd_opts *o, const export_info *x, char **out,
                        lr_err *e);

#endif
