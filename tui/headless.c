#include "tui/headless.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/clock.h"
#include "tui/setup.h"

volatile sig_atomic_t headless_stop;

/* Set once the command polls headless_stop; until then a signal exits. */
static volatile sig_atomic_t deferred;
static bool caught, hup_ignored;

static void on_signal(int sig)
{
    if (deferred) {
        headless_stop = sig;
        return;
    }
    /* Only async-signal-safe calls here. */
    const char *msg = sig == SIGINT  ? "lrscope: interrupted by SIGINT\n"
                    : sig == SIGTERM ? "lrscope: interrupted by SIGTERM\n"
                                     : "lrscope: interrupted by SIGHUP\n";
    if (write(STDERR_FILENO, msg, strlen(msg)) < 0) {
        /* nothing else to try */
    }
    _exit(EXIT_INTERRUPTED);
}

bool headless_signal_ignored(int sig)
{
    return sig == SIGHUP && hup_ignored;
}

void headless_catch_signals(void)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    caught = true;
    if (sigaction(SIGHUP, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
        hup_ignored = true;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (!hup_ignored)
        sigaction(SIGHUP, &sa, NULL);
}

void headless_install_signals(void)
{
    deferred = 1;
    if (!caught)
        headless_catch_signals();
}

void progress_init(progress *p, const trainer *t, long total, bool quiet)
{
    memset(p, 0, sizeof *p);
    p->tty = isatty(STDERR_FILENO);
    p->quiet = quiet;
    p->total = total;
    p->done0 = t->iter;
    p->train0 = t->train_seconds;
    p->t0 = clock_seconds();
    p->last_test_acc = p->last_test_loss = NAN;
}

/* A loss for the progress line: 4 decimals, or 4 digits once it has blown
 * up (a diverging run's 1e25 would push the accuracy off the line). */
static const char *loss_text(double v, char *buf, size_t len)
{
    snprintf(buf, len, fabs(v) < 1e5 ? "%.4f" : "%.4g", v);
    return buf;
}

void format_duration(char *buf, size_t len, double seconds)
{
    if (!isfinite(seconds) || seconds < 0) {
        snprintf(buf, len, "--:--");
        return;
    }
    long s = lround(seconds);
    if (s >= 3600)
        snprintf(buf, len, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, len, "%ld:%02ld", s / 60, s % 60);
}

void progress_step(progress *p, const metrics_row *m, int batch, double train_seconds)
{
    if (p->quiet)
        return;
    bool evaluated = !isnan(m->test_acc);
    if (evaluated) {
        p->last_test_acc = m->test_acc;
        p->last_test_loss = m->test_loss;
    }
    double now = clock_seconds();
    if (!evaluated && (!p->tty || now - p->last_draw < 0.1))
        return;
    p->last_draw = now;
    long done = m->iter + 1, timed = done - p->done0;
    double elapsed = now - p->t0;
    double trained = train_seconds - p->train0;
    double ips = trained > 0 ? (double)timed * batch / trained : 0.0;
    char eta[32];
    format_duration(eta, sizeof eta, timed > 0 ? elapsed / (double)timed *
                                                 (double)(p->total - done) : -1.0);
    char test[64] = "", loss[16], test_loss[16];
    if (!isnan(p->last_test_acc))
        snprintf(test, sizeof test, "  test loss %s acc %5.2f%%",
                 loss_text(p->last_test_loss, test_loss, sizeof test_loss),
                 100.0 * p->last_test_acc);
    fprintf(stderr, "%s%7ld/%ld  epoch %6.2f  lr %-9.4g mom %.3f  loss %s%s  %6.0f img/s  %s%s",
            p->tty ? "\r\033[K" : "", done, p->total, m->epoch, m->lr, m->momentum,
            loss_text(m->loss_smooth, loss, sizeof loss), test, ips, p->tty ? "ETA " : "",
            p->tty ? eta : "");
    if (!p->tty)
        fputc('\n', stderr);
    fflush(stderr);
}

void progress_done(progress *p)
{
    if (!p->quiet && p->tty)
        fputc('\n', stderr);
}

void progress_checkpoint_problem(progress *p, run *r, const char *what)
{
    const char *problem = run_checkpoint_problem(r);
    if (!problem)
        return;
    progress_done(p);
    fprintf(stderr, "lrscope: %s; %s goes on\n", problem, what);
}
