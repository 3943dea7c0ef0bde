/* headless.h — what the scripted subcommands share: an interrupt flag set by
 * SIGINT, SIGTERM and SIGHUP (the loop notices it, flushes the run files and
 * exits 130), and progress reporting to stderr: a live line on a terminal,
 * one line per evaluation otherwise. */
#ifndef LRSCOPE_HEADLESS_H
#define LRSCOPE_HEADLESS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine/trainer.h"

extern volatile sig_atomic_t headless_stop;

void headless_install_signals(void);

/* "m:ss" or "h:mm:ss"; "--:--" when seconds is negative or not finite. */
void format_duration(char *buf, size_t len, double seconds);


typedef struct progress {
    bool   tty, quiet;
    double t0, last_draw;
    long   total;
    double last_test_acc, last_test_loss;
} progress;

/* Starts the clock for a run of `total` iterations; decides once whether
 * stderr is a terminal. */
void progress_init(progress *p, long total, bool quiet);
/* Reports one step; rows with a test evaluation always print. */
void progress_step(progress *p, const metrics_row *m, int batch);
/* Ends the live line. */
void progress_done(progress *p);

#endif
