/* headless.h — what the scripted subcommands share: the stop signals, and
 * progress reporting to stderr (a live line on a terminal, one line per
 * evaluation otherwise).
 *
 * Signals in two stages. main() calls headless_catch_signals() first thing:
 * from then on SIGINT, SIGTERM and SIGHUP end the process at once with
 * status 130 and a message (nothing has been written that needs closing).
 * A command about to create its run folder calls headless_install_signals():
 * from then on the signals only set headless_stop; its loop notices, writes
 * the interruption to the run's files and exits 130. A SIGHUP that was
 * ignored when lrscope started (nohup) stays ignored in both stages. */
#ifndef LRSCOPE_HEADLESS_H
#define LRSCOPE_HEADLESS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine/checkpoint.h"
#include "engine/run.h"
#include "engine/trainer.h"
#include "tui/cli.h"
#include "tui/setup.h"

extern volatile sig_atomic_t headless_stop;   /* the signal received, or 0 */

/* Stage one: the signals end the process with status 130 and a message. */
void headless_catch_signals(void);
/* Stage two: the signals set headless_stop. A signal that came before this
 * call has already ended the process. */
void headless_install_signals(void);
/* Whether `sig` was ignored when lrscope started (SIGHUP under nohup): such
 * a signal is left ignored by every handler lrscope installs. */
bool headless_signal_ignored(int sig);

/* "m:ss" or "h:mm:ss"; "--:--" when seconds is negative or not finite. */
void format_duration(char *buf, size_t len, double seconds);


typedef struct progress {
    bool   tty, quiet;
    double t0, last_draw;
    long   total;
    long   done0;       /* steps already taken when the clock started (a resumed run) */
    double train0;      /* the trainer's train_seconds then */
    double last_test_acc, last_test_loss;
} progress;

/* Starts the clock for a run of `total` iterations from where trainer t
 * stands (its steps and training seconds so far: a resumed run's rate
 * counts only its new steps); decides once whether stderr is a terminal. */
void progress_init(progress *p, const trainer *t, long total, bool quiet);
/* Reports one step, train_seconds being the trainer's (its steps' time, no
 * evaluations): images/s count training steps only, as `lrscope bench`
 * does; the ETA is wall clock. Rows with a test evaluation always print. */
void progress_step(progress *p, const metrics_row *m, int batch, double train_seconds);
/* Ends the live line. */
void progress_done(progress *p);
/* Says on stderr, when r's last checkpoint failed, that `what` (the
 * training, the range test) goes on without it. */
void progress_checkpoint_problem(progress *p, run *r, const char *what);

/* Trains r's run to its end, a divergence, a failed write or a signal, with
 * progress on stderr and the summary on stdout; records the interruption
 * (with a checkpoint) and closes the run. Returns the exit status. Shared
 * by `lrscope train` and `lrscope resume`. */
int  headless_train(run *r, trainer *t, bool quiet);

/* Opens the run (engine/run.h) in its folder (--out, or
 * runs/<date>-<time>-<tag>) with the spec of o, s and tc, and writes its
 * config. */
int commands_open_run(run *r, const cli_opts *o, const sched *s, const train_cfg *tc,
                      const char *tag, lr_err *e);

/* Reads the config of the run folder `dir` into o (after its command-line
 * options: a --threads or --checkpoint-every given there is kept) and its
 * checkpoint into c. Returns 0 to continue the run (checkpoint_free(c)
 * later), 1 when the run has ended (finished or diverged: `e` says so, exit
 * 0), or -1 with `e` naming the file and the problem (exit 2). */
int resume_open(const char *dir, cli_opts *o, checkpoint *c, lr_err *e);

/* Continues the range test of the run folder `dir` from its checkpoint c
 * (resume_open), with the setup r built from o, to its end or a signal, as
 * `lrscope range-test` runs one: the curve and suggestions are written at
 * the end (at once for a test that had ended). Frees c once it is restored.
 * Returns the exit status, or -1 with `e` set when it could not start (the
 * folder is then unchanged). */
int commands_resume_rangetest(const char *dir, const cli_opts *o, run_setup *r,
                              checkpoint *c, lr_err *e);

#endif
