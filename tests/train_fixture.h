/* train_fixture.h — a small training run on the generated data set, shared by
 * the trainer and range-test tests.
 *
 *     sched s;
 *     sched_defaults(&s, SCHED_CONST);
 *     train_cfg c = train_fixture_cfg(1, 50);
 *     train_fixture f;
 *     train_fixture_init(&f, "mlp:64", &s, &c);
 *     ...trainer_step(&f.t, &m)...
 *     train_fixture_free(&f); */
#ifndef LRSCOPE_TRAIN_FIXTURE_H
#define LRSCOPE_TRAIN_FIXTURE_H

#include <stdint.h>

#include "datasets/dataset.h"
#include "engine/net.h"
#include "engine/sched.h"
#include "engine/trainer.h"

typedef struct train_fixture {
    dataset_pair data;
    net          n;
    trainer      t;
} train_fixture;

/* train_cfg_default with batch 64, shuffling from `seed`, and an evaluation
 * every eval_every steps; the caller may adjust the rest. */
train_cfg train_fixture_cfg(uint64_t seed, long eval_every);

/* Sets up a run on the generated set (4000 training and 1000 test images from
 * data seed 7) with OpenBLAS on one thread: `model` with weights drawn from
 * c->seed, default SGD options, schedule *s and settings *c (both copied).
 * Fails the test on any error. */
void train_fixture_init(train_fixture *f, const char *model, const sched *s,
                        const train_cfg *c);

/* Frees what train_fixture_init set up. */
void train_fixture_free(train_fixture *f);

#endif
