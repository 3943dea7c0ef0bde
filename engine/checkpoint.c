/* checkpoint.c — the checkpoint file of checkpoint.h: a sequential writer
 * that folds every byte into the CRC, and a reader that loads the file whole,
 * checks the CRC first and then walks it with bounds checks. */
#include "engine/checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static const char magic[8] = "LRSCKPT\n";
#define BYTE_ORDER_MARK 0x01020304u

/* ---- writing -------------------------------------------------------------- */

typedef struct writer {
    FILE    *f;
    uLong    crc;
    bool     bad;
} writer;

static void put(writer *w, const void *p, size_t n)
{
    if (w->bad || n == 0)
        return;
    w->crc = crc32(w->crc, p, (uInt)n);
    if (fwrite(p, 1, n, w->f) != n)
        w->bad = true;
}

/* Blocks larger than 4 GB do not fit uInt in one crc32 call. */
static void put_block(writer *w, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t done = 0; done < n; done += 1u << 30)
        put(w, b + done, n - done < (1u << 30) ? n - done : 1u << 30);
}

static void put_u32(writer *w, uint32_t v) { put(w, &v, sizeof v); }
static void put_i32(writer *w, int32_t v) { put(w, &v, sizeof v); }
static void put_u64(writer *w, uint64_t v) { put(w, &v, sizeof v); }
static void put_i64(writer *w, int64_t v) { put(w, &v, sizeof v); }
static void put_f64(writer *w, double v) { put(w, &v, sizeof v); }
static void put_u8(writer *w, uint8_t v) { put(w, &v, sizeof v); }

static void put_f64s(writer *w, const double *v, long n)
{
    put_block(w, v, (size_t)n * sizeof *v);
}

/* The range test's sweep and curve (the format in checkpoint.h). */
static void write_range(writer *w, const rangetest *rt)
{
    const rangetest_cfg *c = &rt->cfg;
    put_u32(w, (uint32_t)c->policy);
    put_f64(w, c->lr_min);
    put_f64(w, c->lr_max);
    put_i64(w, c->n_iters);
    put_u8(w, c->end_at_max);
    put_u32(w, (uint32_t)c->stop_smoothing);
    put_f64(w, c->momentum);
    put_i64(w, c->eval_every);
    put_i32(w, c->eval_n);
    put_f64(w, c->stop_factor);
    const rangetest_curve *v = &rt->curve;
    put_i64(w, v->n);
    put_i64(w, v->n_eval);
    put_f64s(w, v->lr, v->n);
    put_f64s(w, v->loss, v->n);
    put_f64s(w, v->loss_smooth, v->n);
    put_f64s(w, v->test_acc, v->n);
    put_f64s(w, v->test_loss, v->n);
    for (long k = 0; k < v->n_eval; k++)
        put_i64(w, v->eval_iter[k]);
    put_f64s(w, v->eval_lr, v->n_eval);
    put_f64s(w, v->eval_acc, v->n_eval);
    put_f64s(w, v->eval_loss, v->n_eval);
    put_u32(w, (uint32_t)v->stop);
    put_i64(w, v->stop_iter);
    put_f64(w, v->stop_lr);
    put_f64(w, v->stop_loss);
    put_f64(w, v->stop_best);
    put_f64(w, v->best_smooth);
    put_f64(w, rt->lrf_smooth);
    put_f64(w, rt->lrf_best);
}

static void write_body(writer *w, const trainer *t, const checkpoint_run *r)
{
    const net *n = t->net;
    put(w, magic, sizeof magic);
    put_u32(w, CHECKPOINT_VERSION);
    put_u32(w, BYTE_ORDER_MARK);
    char spec[128] = { 0 };
    snprintf(spec, sizeof spec, "%s", n->spec);
    put(w, spec, sizeof spec);
    put_u64(w, n->n_params);
    put_u64(w, n->n_state);
    put_u64(w, (uint64_t)t->train->n);
    put_u32(w, (uint32_t)t->cfg.batch);

    char *text = NULL;
    size_t text_len = 0;
    FILE *mem = open_memstream(&text, &text_len);
    if (!mem || sched_write_config(&t->sched, mem) | fclose(mem)) {
        free(text);
        w->bad = true;
        return;
    }
    put_u32(w, (uint32_t)text_len);
    put(w, text, text_len);
    free(text);
    put_f64(w, t->opt.wd);
    put_u8(w, t->opt.decay_bias);
    put_u8(w, t->opt.decay_bn);
    put_u8(w, t->opt.nesterov);

    put_i64(w, t->iter);
    put_u32(w, (uint32_t)t->state);
    put_i64(w, t->diverged_at);
    put_f64(w, t->ema);
    put_f64(w, t->ema_weight);
    put_f64(w, t->train_seconds);
    put_u32(w, (uint32_t)r->edits_applied);

    const batcher *b = &t->batches;
    put_i32(w, b->pos);
    put_i64(w, b->epoch);
    put(w, b->rng.s, sizeof b->rng.s);
    put_block(w, b->order, (size_t)t->train->n * sizeof *b->order);

    const lrest *le = &t->lrest;
    put_i32(w, le->every);
    for (int k = 0; k < 2; k++)
        put_i64(w, le->every ? le->saved_iter[k] : -1);
    for (int k = 0; k < 2; k++)
        put_f64(w, le->every ? le->saved_lr[k] : 0.0);
    put_f64(w, le->secant);
    put_f64(w, le->hvp);
    put_f64(w, le->secant_avg);
    put_f64(w, le->hvp_avg);
    put_i64(w, le->n_secant);
    put_i64(w, le->n_hvp);
    bool has[2] = { le->every && le->saved_iter[0] >= 0, le->every && le->saved_iter[1] >= 0 };
    put_u8(w, has[0]);
    put_u8(w, has[1]);
    for (int k = 0; k < 2; k++)
        if (has[k])
            put_block(w, le->saved[k], n->n_params * sizeof(float));

    put_block(w, n->params, n->n_params * sizeof(float));
    put_block(w, n->velocity, n->n_params * sizeof(float));
    put_block(w, n->state, n->n_state * sizeof(float));
    put_u8(w, r->range != NULL);
    if (r->range)
        write_range(w, r->range);
    put_u32(w, r->config_digest);
}

/* Makes the rename itself durable. */
static void sync_folder_of(const char *path)
{
    char dir[1100];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* What a failed save leaves behind, for its message: a checkpoint file
 * already at `path` is untouched; there may be none yet (the first save of
 * a run) or something else in its place. */
static const char *what_is_kept(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) ? "the previous checkpoint is kept"
                                                       : "there is no earlier checkpoint";
}

int checkpoint_save(const char *path, const trainer *t, const checkpoint_run *r, lr_err *e)
{
    char tmp[1100];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return lr_fail(e, "checkpoint path is too long: %s", path);
    writer w = { .f = fopen(tmp, "wb"), .crc = crc32(0L, Z_NULL, 0) };
    if (!w.f) {
        int err = errno;
        return lr_fail(e, "cannot write %s: %s (%s)", tmp, strerror(err), what_is_kept(path));
    }
    write_body(&w, t, r);
    uint32_t crc = (uint32_t)w.crc;
    if (!w.bad && fwrite(&crc, sizeof crc, 1, w.f) != 1)
        w.bad = true;
    int err = 0;
    if (w.bad || fflush(w.f) || fsync(fileno(w.f)))
        err = errno ? errno : EIO;
    if (fclose(w.f) && !err)
        err = errno ? errno : EIO;
    if (!err && rename(tmp, path))
        err = errno;
    if (err) {
        unlink(tmp);
        return lr_fail(e, "cannot write the checkpoint %s: %s (%s)", path, strerror(err),
                       what_is_kept(path));
    }
    sync_folder_of(path);
    return 0;
}

/* ---- reading -------------------------------------------------------------- */

typedef struct reader {
    const unsigned char *p, *end;
    bool short_read;
} reader;

static const unsigned char *take(reader *r, size_t n)
{
    if (r->short_read || (size_t)(r->end - r->p) < n) {
        r->short_read = true;
        return NULL;
    }
    const unsigned char *at = r->p;
    r->p += n;
    return at;
}

static void get(reader *r, void *out, size_t n)
{
    const unsigned char *at = take(r, n);
    if (at)
        memcpy(out, at, n);
    else
        memset(out, 0, n);
}

static uint32_t get_u32(reader *r) { uint32_t v; get(r, &v, sizeof v); return v; }
static int32_t get_i32(reader *r) { int32_t v; get(r, &v, sizeof v); return v; }
static uint64_t get_u64(reader *r) { uint64_t v; get(r, &v, sizeof v); return v; }
static int64_t get_i64(reader *r) { int64_t v; get(r, &v, sizeof v); return v; }
static double get_f64(reader *r) { double v; get(r, &v, sizeof v); return v; }
static uint8_t get_u8(reader *r) { uint8_t v; get(r, &v, sizeof v); return v; }

static int load_file(checkpoint *c, const char *path, lr_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return lr_fail(e, "cannot read the checkpoint %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
        fclose(f);
        return lr_fail(e, "%s is not a regular file", path);
    }
    c->len = (size_t)st.st_size;
    c->buf = malloc(c->len ? c->len : 1);
    if (!c->buf) {
        fclose(f);
        return lr_fail(e, "out of memory reading the checkpoint %s (%zu bytes)", path, c->len);
    }
    size_t got = fread(c->buf, 1, c->len, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || got != c->len)
        return lr_fail(e, "cannot read the checkpoint %s: read error", path);
    return 0;
}

/* The i-th double of an array in the file (unaligned). */
static double f64_at(const unsigned char *p, size_t i)
{
    double v;
    memcpy(&v, p + i * sizeof v, sizeof v);
    return v;
}

/* What rangetest_curve_push takes: finite LRs and losses; accuracies, where
 * measured, in [0, 1]. steps is f64 [5][n] (checkpoint.h). */
static bool curve_values_ok(const unsigned char *steps, long n)
{
    for (size_t i = 0; i < (size_t)n; i++) {
        double lr = f64_at(steps, i), loss = f64_at(steps, (size_t)n + i);
        double smooth = f64_at(steps, 2 * (size_t)n + i), acc = f64_at(steps, 3 * (size_t)n + i);
        if (!isfinite(lr) || !isfinite(loss) || !isfinite(smooth) ||
            (!isnan(acc) && !(acc >= 0 && acc <= 1)))
            return false;
    }
    return true;
}

/* Evaluation points (f64 [3][n]: lr, accuracy, loss): a finite LR and an
 * accuracy in [0, 1]. */
static bool eval_values_ok(const unsigned char *evals, long n)
{
    for (size_t i = 0; i < (size_t)n; i++) {
        double acc = f64_at(evals, (size_t)n + i);
        if (!isfinite(f64_at(evals, i)) || !(acc >= 0 && acc <= 1))
            return false;
    }
    return true;
}

/* The range test's part (the format in checkpoint.h) into g. */
static int parse_range(checkpoint_range *g, reader *r, const char *path, lr_err *e)
{
    rangetest_cfg *c = &g->cfg;
    c->policy = (sched_policy)get_u32(r);
    c->lr_min = get_f64(r);
    c->lr_max = get_f64(r);
    c->n_iters = (long)get_i64(r);
    c->end_at_max = get_u8(r);
    c->stop_smoothing = (rangetest_smoothing)get_u32(r);
    c->momentum = get_f64(r);
    c->eval_every = (long)get_i64(r);
    c->eval_n = get_i32(r);
    c->stop_factor = get_f64(r);
    g->n = (long)get_i64(r);
    g->n_eval = (long)get_i64(r);
    if (r->short_read)
        return lr_fail(e, "the checkpoint %s is truncated", path);
    lr_err why;
    if (rangetest_cfg_validate(c, &why))
        return lr_fail(e, "the checkpoint %s has a bad range test: %s", path, why.msg);
    size_t left = (size_t)(r->end - r->p) / 8;
    if (g->n < 0 || g->n > c->n_iters || g->n_eval < 0 || g->n_eval > g->n + 1 ||
        (size_t)g->n > left / 5 || (size_t)g->n_eval > left / 4)
        return lr_fail(e, "the checkpoint %s is corrupt: its range test's sizes do not add "
                          "up", path);
    g->steps = take(r, 5 * (size_t)g->n * sizeof(double));
    g->eval_iter = take(r, (size_t)g->n_eval * sizeof(int64_t));
    g->evals = take(r, 3 * (size_t)g->n_eval * sizeof(double));
    for (long k = 0, prev = 0; g->eval_iter && k < g->n_eval; k++) {
        int64_t it;
        memcpy(&it, g->eval_iter + (size_t)k * sizeof it, sizeof it);
        if (it < prev || it > g->n)
            return lr_fail(e, "the checkpoint %s is corrupt: its range test's evaluation "
                              "points are out of order", path);
        prev = (long)it;
    }
    if ((g->steps && !curve_values_ok(g->steps, g->n)) ||
        (g->evals && !eval_values_ok(g->evals, g->n_eval)))
        return lr_fail(e, "the checkpoint %s is corrupt: its range test's curve holds "
                          "impossible values", path);
    uint32_t stop = get_u32(r);
    g->stop = (rangetest_stop)stop;
    g->stop_iter = (long)get_i64(r);
    g->stop_lr = get_f64(r);
    g->stop_loss = get_f64(r);
    g->stop_best = get_f64(r);
    g->best_smooth = get_f64(r);
    g->lrf_smooth = get_f64(r);
    g->lrf_best = get_f64(r);
    if (r->short_read)
        return lr_fail(e, "the checkpoint %s is truncated", path);
    if (stop > RANGETEST_CANCELLED || g->stop_iter < 0 || g->stop_iter > c->n_iters)
        return lr_fail(e, "the checkpoint %s is corrupt: impossible range-test counters",
                       path);
    return 0;
}

/* A range test's section agrees with the trainer's: the sweep is the
 * schedule, and the steps recorded are the steps taken (all of them while
 * the test runs; the one that gave NaN is not recorded). */
static int range_fits(const checkpoint *c, const char *path, lr_err *e)
{
    const checkpoint_range *g = &c->range;
    sched want;
    rangetest_cfg_sched(&g->cfg, &want);
    const sched *s = &c->sched;
    bool same = s->policy == want.policy && s->lr_min == want.lr_min &&
                s->lr_max == want.lr_max && s->total == want.total &&
                s->stepsize == want.stepsize && s->mom_max == want.mom_max &&
                s->mom_min == want.mom_min;
    bool steps = c->iter <= g->cfg.n_iters && g->n <= c->iter &&
                 (g->stop != RANGETEST_RUNNING || g->n == c->iter);
    if (!same || !steps)
        return lr_fail(e, "the checkpoint %s is corrupt: its range test does not match its "
                          "schedule or iteration", path);
    return 0;
}

/* Parses the verified body (of format `version`) into c. */
static int parse(checkpoint *c, reader *r, uint32_t version, const char *path, lr_err *e)
{
    get(r, c->spec, sizeof c->spec);
    c->spec[sizeof c->spec - 1] = '\0';
    c->n_params = get_u64(r);
    c->n_state = get_u64(r);
    c->n_order = get_u64(r);
    c->batch = (int)get_u32(r);
    uint32_t text_len = get_u32(r);
    const unsigned char *text = take(r, text_len);
    if (!text)
        return lr_fail(e, "the checkpoint %s is truncated", path);
    sched_defaults(&c->sched, SCHED_CONST);
    for (const unsigned char *line = text; line < text + text_len;) {
        const unsigned char *nl = memchr(line, '\n', (size_t)(text + text_len - line));
        size_t n = nl ? (size_t)(nl - line) : (size_t)(text + text_len - line);
        char buf[256];
        if (n >= sizeof buf)
            return lr_fail(e, "the checkpoint %s is corrupt: a schedule line is too long", path);
        memcpy(buf, line, n);
        buf[n] = '\0';
        char *eq = strchr(buf, '=');
        if (eq) {
            *eq = '\0';
            char *key = buf;
            while (*key == ' ')
                key++;
            for (char *k = eq - 1; k >= key && *k == ' '; k--)
                *k = '\0';
            lr_err pe;
            if (sched_set_param(&c->sched, key, eq + 1, &pe))
                return lr_fail(e, "the checkpoint %s has a bad schedule: %s", path, pe.msg);
        }
        line += n + 1;
    }
    c->sgd.wd = get_f64(r);
    c->sgd.decay_bias = get_u8(r);
    c->sgd.decay_bn = get_u8(r);
    c->sgd.nesterov = get_u8(r);
    c->iter = (long)get_i64(r);
    c->state = (train_state)get_u32(r);
    c->diverged_at = (long)get_i64(r);
    c->ema = get_f64(r);
    c->ema_weight = get_f64(r);
    c->train_seconds = get_f64(r);
    c->run.edits_applied = (int)get_u32(r);
    c->pos = get_i32(r);
    c->epoch = (long)get_i64(r);
    get(r, c->rng.s, sizeof c->rng.s);
    if (c->n_order > (size_t)(r->end - r->p) / sizeof(uint32_t) ||
        c->n_params > (size_t)(r->end - r->p) / sizeof(float) ||
        c->n_state > (size_t)(r->end - r->p) / sizeof(float))
        return lr_fail(e, "the checkpoint %s is truncated or corrupt: its sizes exceed the "
                          "file", path);
    c->order = take(r, c->n_order * sizeof(uint32_t));
    c->lrest_every = get_i32(r);
    for (int k = 0; k < 2; k++)
        c->saved_iter[k] = (long)get_i64(r);
    for (int k = 0; k < 2; k++)
        c->saved_lr[k] = get_f64(r);
    c->secant = get_f64(r);
    c->hvp = get_f64(r);
    c->secant_avg = get_f64(r);
    c->hvp_avg = get_f64(r);
    c->n_secant = (long)get_i64(r);
    c->n_hvp = (long)get_i64(r);
    uint8_t has[2] = { get_u8(r), get_u8(r) };
    for (int k = 0; k < 2; k++)
        c->slot[k] = has[k] ? take(r, c->n_params * sizeof(float)) : NULL;
    c->params = take(r, c->n_params * sizeof(float));
    c->velocity = take(r, c->n_params * sizeof(float));
    c->state_block = take(r, c->n_state * sizeof(float));
    c->has_range = version >= 2 && get_u8(r);
    if (c->has_range && (parse_range(&c->range, r, path, e) || range_fits(c, path, e)))
        return -1;
    c->run.config_digest = version >= 3 ? get_u32(r) : 0;
    if (r->short_read)
        return lr_fail(e, "the checkpoint %s is truncated", path);
    if (r->p != r->end)
        return lr_fail(e, "the checkpoint %s is corrupt: %zu bytes past its end", path,
                       (size_t)(r->end - r->p));
    if (c->state > TRAIN_DIVERGED || c->iter < 0 || c->batch < 1 || c->pos < 0 ||
        (uint64_t)c->pos >= (c->n_order ? c->n_order : 1))
        return lr_fail(e, "the checkpoint %s is corrupt: impossible counters", path);
    for (uint64_t i = 0; i < c->n_order; i++) {
        uint32_t v;
        memcpy(&v, c->order + i * sizeof v, sizeof v);
        if (v >= c->n_order)
            return lr_fail(e, "the checkpoint %s is corrupt: bad batch order", path);
    }
    return 0;
}

int checkpoint_read(checkpoint *c, const char *path, lr_err *e)
{
    memset(c, 0, sizeof *c);
    if (load_file(c, path, e))
        goto fail;
    size_t head = sizeof magic + 8;
    if (c->len < head || memcmp(c->buf, magic, sizeof magic)) {
        lr_fail(e, "%s is not an lrscope checkpoint (bad magic)", path);
        goto fail;
    }
    uint32_t version, bom;
    memcpy(&version, c->buf + sizeof magic, 4);
    memcpy(&bom, c->buf + sizeof magic + 4, 4);
    if (bom != BYTE_ORDER_MARK) {
        lr_fail(e, "the checkpoint %s was written on a machine of another byte order", path);
        goto fail;
    }
    if (version < 1 || version > CHECKPOINT_VERSION) {
        lr_fail(e, "the checkpoint %s has format version %u; this lrscope reads versions 1 "
                   "to %d", path, version, CHECKPOINT_VERSION);
        goto fail;
    }
    if (c->len < head + 4) {
        lr_fail(e, "the checkpoint %s is truncated", path);
        goto fail;
    }
    uint32_t stored;
    memcpy(&stored, c->buf + c->len - 4, 4);
    uLong crc = crc32(0L, Z_NULL, 0);
    for (size_t done = 0; done < c->len - 4; done += 1u << 30) {
        size_t n = c->len - 4 - done < (1u << 30) ? c->len - 4 - done : 1u << 30;
        crc = crc32(crc, c->buf + done, (uInt)n);
    }
    if ((uint32_t)crc != stored) {
        lr_fail(e, "the checkpoint %s is truncated or corrupt (CRC mismatch)", path);
        goto fail;
    }
    reader r = { .p = c->buf + head, .end = c->buf + c->len - 4 };
    if (parse(c, &r, version, path, e))
        goto fail;
    return 0;
fail:
    checkpoint_free(c);
    return -1;
}

void checkpoint_free(checkpoint *c)
{
    free(c->buf);
    memset(c, 0, sizeof *c);
}

int checkpoint_restore_net(const checkpoint *c, net *n, const char *path, lr_err *e)
{
    if (strcmp(c->spec, n->spec) || c->n_params != n->n_params || c->n_state != n->n_state)
        return lr_fail(e, "the checkpoint %s is for model %s (%llu parameters), not %s "
                          "(%zu parameters)", path, c->spec, (unsigned long long)c->n_params,
                       n->spec, n->n_params);
    memcpy(n->params, c->params, n->n_params * sizeof(float));
    memcpy(n->velocity, c->velocity, n->n_params * sizeof(float));
    memcpy(n->state, c->state_block, n->n_state * sizeof(float));
    return 0;
}

int checkpoint_restore(const checkpoint *c, trainer *t, const char *path, lr_err *e)
{
    if (c->n_order != (uint64_t)t->train->n || c->batch != t->cfg.batch)
        return lr_fail(e, "the checkpoint %s was made with %llu training images in batches of "
                          "%d, not %d in batches of %d", path, (unsigned long long)c->n_order,
                       c->batch, t->train->n, t->cfg.batch);
    if (c->lrest_every != t->lrest.every)
        return lr_fail(e, "the checkpoint %s measured the LR estimate every %d iterations, "
                          "this run every %d", path, c->lrest_every, t->lrest.every);
    if (sched_validate(&c->sched, e))
        return -1;
    if (checkpoint_restore_net(c, t->net, path, e))
        return -1;
    t->sched = c->sched;
    t->opt = c->sgd;
    t->iter = c->iter;
    t->state = c->state;
    t->diverged_at = c->diverged_at;
    t->ema = c->ema;
    t->ema_weight = c->ema_weight;
    t->train_seconds = c->train_seconds;
    batcher *b = &t->batches;
    b->pos = c->pos;
    b->epoch = c->epoch;
    b->rng = c->rng;
    memcpy(b->order, c->order, c->n_order * sizeof *b->order);
    lrest *le = &t->lrest;
    if (le->every) {
        for (int k = 0; k < 2; k++) {
            le->saved_iter[k] = c->slot[k] ? c->saved_iter[k] : -1;
            le->saved_lr[k] = c->saved_lr[k];
            if (c->slot[k])
                memcpy(le->saved[k], c->slot[k], t->net->n_params * sizeof(float));
        }
        le->secant = c->secant;
        le->hvp = c->hvp;
        le->secant_avg = c->secant_avg;
        le->hvp_avg = c->hvp_avg;
        le->n_secant = c->n_secant;
        le->n_hvp = c->n_hvp;
    }
    return 0;
}
