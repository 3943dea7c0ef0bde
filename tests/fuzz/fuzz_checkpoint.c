/* fuzz_checkpoint.c — libFuzzer harness for the checkpoint reader
 * (engine/checkpoint.c) and a range test's resume (engine/rangetest.c). The
 * input is one checkpoint file; its last four bytes are replaced by the
 * CRC-32 of the rest, so the fuzzer's mutations reach the parser instead of
 * stopping at the checksum. Whatever the bytes, the reader must either give
 * a checkpoint whose counts agree or refuse with a message and nothing kept,
 * never crash, leak or read out of bounds. A range test's checkpoint that
 * fits the harness's run (the seeds' model, data and batch: see seeds.sh)
 * is resumed, stepped a few times and ended, which reads the suggestion
 * rules over the restored curve; a training run's is restored into a
 * trainer of that run and stepped. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "datasets/dataset.h"
#include "engine/checkpoint.h"
#include "engine/net.h"
#include "engine/rangetest.h"
#include "engine/trainer.h"
#include "tests/fuzz/memfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The run the seeds come from: `lrscope range-test --data synthetic
 * --train-size 256 --model linear --batch 32` (seeds.sh). */
#define N_TRAIN 256
#define N_TEST  64
#define BATCH   32
#define MAX_CURVE 100000   /* longer sweeps are read but not resumed (memory) */

static dataset_pair pair;
static net          model, model2;
static trainer      run, run2;    /* for range tests; for training runs */

static void setup(void)
{
    lr_err e;
    net_opts no;
    net_opts_default(&no);
    train_cfg tc;
    train_cfg_default(&tc);
    tc.batch = BATCH;
    rangetest_cfg rc;
    rangetest_cfg_default(&rc, SCHED_SWEEP_LINEAR, N_TRAIN / BATCH);
    sched s;
    rangetest_cfg_sched(&rc, &s);
    sgd_opts so;
    sgd_opts_default(&so);
    if (dataset_make_synthetic(&pair, N_TRAIN, N_TEST, 7, &e) ||
        net_build(&model, "linear", trainer_data_shape(&pair.train), 10, BATCH, &no, 1, &e) ||
        net_build(&model2, "linear", trainer_data_shape(&pair.train), 10, BATCH, &no, 1, &e) ||
        trainer_init(&run, &model, &pair.train, &pair.test, &s, &so, &tc, &e) ||
        trainer_init(&run2, &model2, &pair.train, &pair.test, &s, &so, &tc, &e))
        abort();
}

/* A checkpoint read without error holds what its sizes promise. */
static void check_read(const checkpoint *c)
{
    if (!c->buf || !c->params || !c->velocity || !c->order || c->batch < 1)
        abort();
    if (!c->has_range)
        return;
    const checkpoint_range *g = &c->range;
    if (g->n < 0 || g->n > g->cfg.n_iters || g->n_eval < 0 || g->n_eval > g->n + 1 ||
        (g->n && !g->steps) || (g->n_eval && (!g->eval_iter || !g->evals)))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fuzz_file file;
    if (!file.path[0]) {
        fuzz_file_init(&file, "checkpoint");
        setup();
    }
    if (size < 24 || size > (1u << 20))
        return 0;
    uint8_t *buf = malloc(size);
    if (!buf)
        abort();
    memcpy(buf, data, size);
    uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), buf, (uInt)(size - 4));
    memcpy(buf + size - 4, &crc, 4);
    fuzz_file_set(&file, buf, size);
    free(buf);

    checkpoint c;
    lr_err e = { "" };
    if (checkpoint_read(&c, file.path, &e)) {
        if (!e.msg[0] || c.buf)
            abort();   /* a refusal says why and keeps nothing */
        return 0;
    }
    check_read(&c);
    if (c.has_range && c.range.cfg.n_iters <= MAX_CURVE) {
        rangetest rt;
        if (rangetest_resume(&rt, &run, &c, file.path, &e) == 0) {
            metrics_row row;
            for (int k = 0; k < 3 && rangetest_step(&rt, &row); k++)
                ;
            rangetest_result res;
            rangetest_end(&rt, &res);   /* suggestions over the restored curve */
            rangetest_result_free(&res);
        } else if (!e.msg[0]) {
            abort();
        }
    } else if (!c.has_range) {
        if (checkpoint_restore(&c, &run2, file.path, &e) == 0) {
            metrics_row row;
            for (int k = 0; k < 2 && run2.state == TRAIN_RUNNING; k++)
                trainer_step(&run2, &row);
        } else if (!e.msg[0]) {
            abort();
        }
    }
    checkpoint_free(&c);
    return 0;
}
