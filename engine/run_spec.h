/* run_spec.h — what a run is made of: data, model, optimizer, schedule and
 * its live edits, length, evaluation, seed, threads. Front ends fill it from
 * options or from a config file (tui/cli.h owns the file's keys); engine/run
 * records it in the run folder and replays its edits. */
#ifndef LRSCOPE_RUN_SPEC_H
#define LRSCOPE_RUN_SPEC_H

#include <stdint.h>
#include <stdio.h>

#include "engine/err.h"
#include "engine/net.h"
#include "engine/sched.h"
#include "engine/sgd.h"
#include "engine/trainer.h"

#define RUN_MAX_EDITS 256
#define RUN_CHECKPOINT_MINUTES 5.0

typedef enum {
    RUN_EDIT_BOUNDS,     /* a = lr_min, b = lr_max */
    RUN_EDIT_MOMENTUM,   /* a = mom_max, b = mom_min */
    RUN_EDIT_WD,         /* a = weight decay */
    RUN_EDIT_RESTART,    /* a fresh cycle from this iteration */
    RUN_N_EDIT_KINDS
} run_edit_kind;

/* A live edit, taken before step `iter` (that is, when `iter` steps are done). */
typedef struct run_edit {
    long          iter;
    run_edit_kind kind;
    double        a, b;
} run_edit;

/* Everything a run is made of. Front ends fill it from options or from a
 * config file; the run records it in `config`. */
typedef struct run_spec {
    char      data[512];       /* --data as given; "" is the default (fashion-mnist) */
    char      model[128];
    int       train_size;      /* 0: all */
    int       threads;         /* threads (gemm.h); 0: the number of cores */
    uint64_t  seed;
    net_opts  net;
    sgd_opts  sgd;
    train_cfg train;
    sched     sched;           /* as the run starts; edits come on top */
    int       lr_estimate;     /* every K iterations; 0: off */
    double    checkpoint_minutes; /* 0: only at epoch ends, the end and interruptions */
    run_edit  edits[RUN_MAX_EDITS]; /* in iteration order */
    int       n_edits;
} run_spec;

/* Writes spec as config lines (`key = value`); returns 0 or -1 on a stream
 * error. The front end supplies it: its option table owns the keys. */
typedef int (*run_config_writer)(FILE *f, const run_spec *spec);

/* "set_bounds", "set_momentum", "set_wd", "restart"; the parser accepts the
 * same names and returns 0, or -1 for an unknown one. */
const char *run_edit_name(run_edit_kind k);
int         run_edit_parse(const char *name, run_edit_kind *out);

/* The config line's value for an edit: "ITER KIND [A [B]]", and its parser
 * (0, or -1 with `e` saying what is allowed). */
void run_edit_format(const run_edit *ed, char *buf, size_t len);
int  run_edit_read(const char *text, run_edit *out, lr_err *e);

/* Defaults of every field; data, model and sched are the caller's. */
void run_spec_default(run_spec *s);

#endif
