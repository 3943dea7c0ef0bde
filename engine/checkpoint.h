/* checkpoint.h — everything the next training step depends on, in one file.
 *
 * A checkpoint holds the network's flat blocks (parameters, momentum buffers,
 * batch-norm statistics), the schedule with every live edit and restart
 * folded in, the optimizer settings (weight decay may have been edited), the
 * batcher's position, epoch, RNG state and permutation, the loss EMA, the
 * optimal-LR estimate's saved iterates and averages, and the iteration. A run
 * restored from it takes exactly the steps the uninterrupted run would have
 * taken: same floats, same rows (at the same thread count). A range test's
 * checkpoint also holds its sweep and the curve recorded so far, so the test
 * goes on where it stopped (rangetest_resume).
 *
 * Format (version 3, host byte order, checked by a byte-order mark):
 *     "LRSCKPT\n"  u32 version  u32 0x01020304
 *     char spec[128]  u64 n_params  u64 n_state  u64 n_order  u32 batch
 *     u32 len + the schedule as sched_write_config text
 *     f64 wd  u8 decay_bias decay_bn nesterov
 *     i64 iter  u32 state  i64 diverged_at  f64 ema ema_weight train_seconds
 *     u32 edits_applied
 *     i32 pos  i64 epoch  u32 rng[4]  u32 order[n_order]
 *     i32 every  i64 saved_iter[2]  f64 saved_lr[2] secant hvp secant_avg hvp_avg
 *     i64 n_secant n_hvp  u8 has_slot[2]  f32 slot[n_params] per present slot
 *     f32 params[n_params]  f32 velocity[n_params]  f32 state[n_state]
 *     u8 range_test, and when it is 1 (engine/rangetest.h):
 *       u32 policy  f64 lr_min lr_max  i64 n_iters  u8 end_at_max
 *       u32 stop_smoothing  f64 momentum  i64 eval_every  i32 eval_n  f64 stop_factor
 *       i64 n n_eval  f64 lr loss loss_smooth test_acc test_loss [n each]
 *       i64 eval_iter[n_eval]  f64 eval_lr eval_acc eval_loss [n_eval each]
 *       u32 stop  i64 stop_iter  f64 stop_lr stop_loss stop_best best_smooth
 *       f64 lrf_smooth lrf_best
 *     u32 config_digest (run_config_digest of the run's config; 0: none)
 *     u32 CRC-32 (zlib) of every byte before it
 * Version 2 is version 3 without config_digest, version 1 also without the
 * range_test byte (training runs only); all three are read.
 *
 * Writing is atomic: a temporary file beside the target, fsync, rename, fsync
 * of the folder. A failed write (disk full) removes the temporary file and
 * leaves the previous checkpoint as it was. */
#ifndef LRSCOPE_CHECKPOINT_H
#define LRSCOPE_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "engine/err.h"
#include "engine/rangetest.h"
#include "engine/trainer.h"

#define CHECKPOINT_VERSION 3
#define CHECKPOINT_FILE "checkpoint"

/* What a run keeps beside the trainer. */
typedef struct checkpoint_run {
    int              edits_applied; /* replayed edits of the run spec already in the schedule */
    const rangetest *range;         /* the range test the trainer runs; NULL: a training run */
    uint32_t         config_digest; /* of the config the run was started from; 0: none */
} checkpoint_run;

/* A range test's part of a checkpoint; the arrays are views into the file's
 * bytes (unaligned: copy them out with memcpy). */
typedef struct checkpoint_range {
    rangetest_cfg        cfg;
    long                 n, n_eval;     /* steps and evaluation points recorded */
    const unsigned char *steps;         /* f64 [5][n]: lr, loss, loss_smooth, test_acc,
                                           test_loss */
    const unsigned char *eval_iter;     /* i64 [n_eval] */
    const unsigned char *evals;         /* f64 [3][n_eval]: eval_lr, eval_acc, eval_loss */
    rangetest_stop       stop;
    long                 stop_iter;
    double               stop_lr, stop_loss, stop_best, best_smooth;
    double               lrf_smooth, lrf_best;
} checkpoint_range;

/* A checkpoint read and verified; the pointers are views into buf. */
typedef struct checkpoint {
    unsigned char *buf;
    size_t         len;
    char           spec[128];
    uint64_t       n_params, n_state, n_order;
    int            batch;
    sched          sched;
    sgd_opts       sgd;
    long           iter, diverged_at;
    train_state    state;
    double         ema, ema_weight, train_seconds;
    checkpoint_run run;
    int            pos;
    long           epoch;
    lr_rng         rng;
    const unsigned char *order;
    int            lrest_every;
    long           saved_iter[2];
    double         saved_lr[2], secant, hvp, secant_avg, hvp_avg;
    long           n_secant, n_hvp;
    const unsigned char *slot[2];          /* NULL: empty */
    const unsigned char *params, *velocity, *state_block;
    bool           has_range;               /* a range test's checkpoint */
    checkpoint_range range;
} checkpoint;

/* Writes t (and r) to `path` atomically. Returns 0, or -1 with `e` naming the
 * file and the OS's reason; the previous file at `path` is then intact. */
int  checkpoint_save(const char *path, const trainer *t, const checkpoint_run *r, lr_err *e);

/* Reads and verifies `path`: magic, version, byte order, sizes that add up,
 * CRC. Returns 0, or -1 with `e` naming the file and the problem (missing,
 * truncated, corrupt, another version). checkpoint_free releases. */
int  checkpoint_read(checkpoint *c, const char *path, lr_err *e);
void checkpoint_free(checkpoint *c);

/* Copies parameters, velocity and batch-norm statistics into n, after
 * checking that n has the checkpoint's model spec and block sizes. Returns 0,
 * or -1 with `e` naming `path` and the mismatch; n is then unchanged. */
int  checkpoint_restore_net(const checkpoint *c, net *n, const char *path, lr_err *e);

/* Restores the whole training state into t, initialised for the same run
 * (same net, data and batch; the optimal-LR estimate enabled as it was).
 * Returns 0, or -1 with `e` naming the mismatch; t is then unchanged. */
int  checkpoint_restore(const checkpoint *c, trainer *t, const char *path, lr_err *e);

#endif
