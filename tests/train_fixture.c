/* train_fixture.c — the training run of train_fixture.h. */
#include "tests/train_fixture.h"

#include <criterion/criterion.h>

#include <cblas.h>

train_cfg train_fixture_cfg(uint64_t seed, long eval_every)
{
    train_cfg c;
    train_cfg_default(&c);
    c.batch = 64;
    c.seed = seed;
    c.eval_every = eval_every;
    return c;
}

void train_fixture_init(train_fixture *f, const char *model, const sched *s,
                        const train_cfg *c)
{
    lr_err e;
    openblas_set_num_threads(1);
    cr_assert_eq(dataset_make_synthetic(&f->data, 4000, 1000, 7, &e), 0, "%s", e.msg);
    net_opts no;
    net_opts_default(&no);
    cr_assert_eq(net_build(&f->n, model, trainer_data_shape(&f->data.train), 10, 500, &no, c->seed,
                           &e), 0, "%s", e.msg);
    sgd_opts o;
    sgd_opts_default(&o);
    cr_assert_eq(trainer_init(&f->t, &f->n, &f->data.train, &f->data.test, s, &o, c, &e), 0,
                 "%s", e.msg);
}

void train_fixture_free(train_fixture *f)
{
    trainer_free(&f->t);
    net_free(&f->n);
    dataset_pair_free(&f->data);
}
