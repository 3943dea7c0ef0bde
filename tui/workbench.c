/* workbench.c — the interactive workbench: event loop, keys, actions.
 *
 * DESIGN. The UI thread (this file) owns the screen and never trains: it
 * sends commands to the session thread (engine/session.h) and, every tick,
 * copies the session's status and the metric rows that are new since the
 * last tick. A tick is the input timeout (1/fps seconds); a key ends the wait
 * at once and is followed by a few short ticks, so its effect, and the
 * session's answer to it, are on screen within tens of milliseconds.
 * Signals only set term_signal; the loop
 * sees it, stops the session (which flushes its run files) and restores the
 * terminal. */
#include "tui/workbench.h"

#include <curses.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/commands.h"
#include "tui/setup.h"

#define LR_STEP 1.25
#define FAST_TICK_MS 15
#define FAST_TICKS 6

static void say(wb *w, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(wb *w, bool error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->msg, sizeof w->msg, fmt, ap);
    va_end(ap);
    w->msg_error = error;
}

static void send(wb *w, const session_cmd *c)
{
    if (session_send(w->session, c))
        say(w, true, "too many commands queued; wait a moment");
}

static bool run_in_progress(const wb *w)
{
    session_state s = w->st.state;
    return s == SESSION_RUNNING || s == SESSION_RANGE_TEST || s == SESSION_PAUSED;
}

static bool training(const wb *w)
{
    return w->st.kind == RUN_TRAIN && (run_in_progress(w) || w->st.state == SESSION_DONE);
}

/* A schedule of `policy` with the workbench's bounds, momentum and length.
 * Step schedules without steps from the command line get the paper's shape:
 * multistep x0.1 at 50 % and 75 % of the run, step every third of it.
 * Returns 0, or -1 with `e` saying why. */
static int make_sched(const wb *w, sched_policy policy, double lr_max, sched *s, lr_err *e)
{
    cli_opts o = *w->opts;
    o.policy = policy;
    o.style = policy == SCHED_1CYCLE && w->opts->style >= 0 ? w->opts->style : -1;
    o.lr_min = fmin(w->lr_min, lr_max);
    o.lr_max = lr_max;
    o.mom_max = w->mom_max;
    o.mom_min = w->mom_min;
    if (w->plan_iters > 0) {
        o.iters = w->plan_iters;
        o.epochs = 0;
    }
    if (policy != SCHED_1CYCLE && policy != SCHED_TRIANGULAR &&
        policy != SCHED_TRIANGULAR2 && policy != SCHED_EXP_RANGE)
        o.mom_min = o.mom_max; /* only cyclic policies cycle momentum */
    if (policy == SCHED_MULTISTEP && o.n_milestones == 0) {
        long total = w->plan_iters > 0 ? w->plan_iters : 1;
        o.n_milestones = 2;
        o.milestones[0] = total / 2 > 0 ? total / 2 : 1;
        o.milestones[1] = total * 3 / 4 > o.milestones[0] ? total * 3 / 4 : o.milestones[0] + 1;
    }
    if (policy == SCHED_STEP && o.stepsize <= 0 && isnan(o.cycle_epochs))
        o.stepsize = w->plan_iters >= 3 ? w->plan_iters / 3 : 1;
    return cli_resolve_sched(&o, w->n_train, s, e);
}

/* Starts `policy` at the bounds in force; the step baseline (key s) runs at
 * a third of the max LR, as a constant LR must sit below a cycle's peak. */
static void start(wb *w, sched_policy policy, bool baseline)
{
    session_cmd c = { .kind = SCMD_START };
    lr_err e;
    if (make_sched(w, policy, baseline ? w->lr_max / 3.0 : w->lr_max, &c.sched, &e)) {
        say(w, true, "cannot start %s: %s", sched_policy_name(policy), e.msg);
        return;
    }
    send(w, &c);
    say(w, false, "starting %s", sched_policy_name(c.sched.policy));
}

static void start_range_test(wb *w)
{
    session_cmd c = { .kind = SCMD_RANGE_TEST, .a = w->opts->stop_factor };
    cli_opts o = *w->opts;
    o.policy = w->opts->sweep_exp ? SCHED_SWEEP_EXP : SCHED_SWEEP_LINEAR;
    rangetest_cfg rc;
    rangetest_cfg_default(&rc, o.policy, w->n_train / (w->opts->batch > 0 ? w->opts->batch : 1));
    sched_defaults(&c.sched, o.policy);
    c.sched.lr_min = isnan(w->opts->lr_min) || w->opts->policy_given ? rc.lr_min
                                                                     : w->opts->lr_min;
    c.sched.lr_max = isnan(w->opts->lr_max) || w->opts->policy_given ? rc.lr_max
                                                                     : w->opts->lr_max;
    c.sched.total = w->opts->iters > 0 && !w->opts->policy_given ? w->opts->iters : rc.n_iters;
    send(w, &c);
    say(w, false, "range test: lr %g -> %g over %ld iterations", c.sched.lr_min,
        c.sched.lr_max, c.sched.total);
}

/* Sends new bounds to the running run (if any) and keeps them for the next. */
static void set_bounds(wb *w, double lo, double hi)
{
    if (!(lo >= 0 && hi > 0 && lo <= hi)) {
        say(w, true, "bounds must satisfy 0 <= min <= max and max > 0");
        return;
    }
    w->lr_min = lo;
    w->lr_max = hi;
    if (training(w)) {
        session_cmd c = { .kind = SCMD_SET_BOUNDS, .a = lo, .b = hi };
        send(w, &c);
    } else {
        say(w, false, "bounds %.3g..%.3g for the next run", lo, hi);
    }
}

static void set_momentum(wb *w, double hi, double lo)
{
    if (!(hi >= 0 && hi < 1 && lo >= 0 && lo <= hi)) {
        say(w, true, "momentum must satisfy 0 <= min <= max < 1");
        return;
    }
    w->mom_max = hi;
    w->mom_min = lo;
    if (training(w)) {
        session_cmd c = { .kind = SCMD_SET_MOMENTUM, .a = hi,
                          .b = w->st.sched.cycle_momentum ? lo : hi };
        send(w, &c);
    }
}

static void set_wd(wb *w, double wd)
{
    w->wd = wd; /* kept here too, so quick presses add up before the session answers */
    session_cmd c = { .kind = SCMD_SET_WD, .a = wd };
    send(w, &c);
}

/* Keeps the most recent run as a ghost. */
static void keep_ghost(wb *w)
{
    run_trace *src = w->cur.steps.n ? &w->cur : w->range.steps.n ? &w->range : NULL;
    if (!src) {
        say(w, true, "no run to keep yet");
        return;
    }
    if (w->n_ghosts == WB_MAX_GHOSTS) {
        trace_free(&w->ghosts[0]);
        memmove(&w->ghosts[0], &w->ghosts[1], (WB_MAX_GHOSTS - 1) * sizeof w->ghosts[0]);
        trace_init(&w->ghosts[WB_MAX_GHOSTS - 1]);
        w->n_ghosts--;
    }
    run_trace *g = &w->ghosts[w->n_ghosts++];
    /* A copy: the source keeps growing while its run goes on. */
    if (trace_copy(g, src)) {
        w->n_ghosts--;
        say(w, true, "out of memory keeping the ghost");
        return;
    }
    g->range_test = src->range_test;
    snprintf(g->label, sizeof g->label, "%.60s", src->label);
    say(w, false, "kept '%s' as a ghost: start another run to compare", g->label);
}

static void apply_action(wb *w, const wb_action *a)
{
    switch (a->kind) {
    case ACT_NONE:
        break;
    case ACT_RANGE_TEST: start_range_test(w); break;
    case ACT_START_1CYCLE: start(w, SCHED_1CYCLE, false); break;
    case ACT_START_CLR: start(w, SCHED_TRIANGULAR, false); break;
    case ACT_START_STEP: start(w, SCHED_MULTISTEP, true); break;
    case ACT_START_POLICY:
        if (a->n_values == 2)
            w->lr_min = a->a;
        if (a->n_values >= 1)
            w->lr_max = a->b;
        start(w, a->policy, false);
        break;
    case ACT_MAX_UP:
    case ACT_MAX_DOWN:
    case ACT_MIN_UP:
    case ACT_MIN_DOWN: {
        /* Steps scale the bounds of the run on screen (a step baseline runs
         * below the workbench's max), or the next run's when none trains. */
        double lo = training(w) ? w->st.sched.lr_min : w->lr_min;
        double hi = training(w) ? w->st.sched.lr_max : w->lr_max;
        if (a->kind == ACT_MAX_UP)
            hi *= LR_STEP;
        else if (a->kind == ACT_MAX_DOWN)
            hi /= LR_STEP;
        else if (a->kind == ACT_MIN_UP)
            lo *= LR_STEP;
        else
            lo /= LR_STEP;
        set_bounds(w, fmin(lo, hi), hi);
        break;
    }
    case ACT_SET_LR: set_bounds(w, a->n_values == 2 ? a->a : fmin(w->lr_min, a->b), a->b); break;
    case ACT_WD_UP: set_wd(w, keys_wd_step(w->wd, true)); break;
    case ACT_WD_DOWN: set_wd(w, keys_wd_step(w->wd, false)); break;
    case ACT_SET_WD: set_wd(w, a->a); break;
    case ACT_MOM_UP:
        set_momentum(w, fmin(w->mom_max + 0.01, 0.99), fmin(w->mom_min + 0.01, 0.99));
        break;
    case ACT_MOM_DOWN:
        set_momentum(w, fmax(w->mom_max - 0.01, 0.0), fmax(w->mom_min - 0.01, 0.0));
        break;
    case ACT_SET_MOM: set_momentum(w, a->a, a->b); break;
    case ACT_SET_EPOCHS:
    case ACT_SET_ITERS: {
        long it = a->kind == ACT_SET_ITERS ? (long)a->a
                : (long)ceil(a->a * (double)w->n_train / w->opts->batch);
        w->plan_iters = it > 0 ? it : 1;
        say(w, false, "next runs: %ld iterations (%.2f epochs)", w->plan_iters,
            (double)w->plan_iters * w->opts->batch / w->n_train);
        break;
    }
    case ACT_SET_MODEL: {
        session_cmd c = { .kind = SCMD_SET_MODEL };
        snprintf(c.text, sizeof c.text, "%.63s", a->text);
        lr_err e;
        if (net_check_spec(a->text, w->data_shape, w->n_classes, NULL, &e)) {
            say(w, true, "%s", e.msg);
            break;
        }
        send(w, &c);
        break;
    }
    case ACT_RESTART:
        if (training(w)) {
            session_cmd c = { .kind = SCMD_RESTART_CYCLE };
            send(w, &c);
        } else {
            say(w, true, "no training run to restart");
        }
        break;
    case ACT_PAUSE: {
        session_cmd c = { .kind = SCMD_PAUSE };
        send(w, &c);
        break;
    }
    case ACT_ACCEPT:
        if (!w->st.have_suggestion) {
            say(w, true, "no suggestion yet: press r for a range test");
            break;
        }
        set_bounds(w, w->st.sugg_min, w->st.sugg_max);
        say(w, false, "bounds %.3g..%.3g from the range test%s", w->lr_min, w->lr_max,
            training(w) ? " (applied to this run)" : ": press 1 or c to start");
        break;
    case ACT_CMDLINE:
        w->in_cmdline = true;
        w->cmd_len = 0;
        w->cmdline[0] = '\0';
        break;
    case ACT_TOGGLE_LOG: w->log_y = !w->log_y; break;
    case ACT_GHOST: keep_ghost(w); break;
    case ACT_CLEAR_GHOSTS:
        for (int g = 0; g < w->n_ghosts; g++)
            trace_free(&w->ghosts[g]);
        w->n_ghosts = 0;
        say(w, false, "ghosts cleared");
        break;
    case ACT_EXPORT: {
        session_cmd c = { .kind = SCMD_EXPORT };
        send(w, &c);
        break;
    }
    case ACT_PNG:
    case ACT_SCREENSHOT: {
        char path[512], err[256];
        const char *dir = w->st.run_dir[0] ? w->st.run_dir : ".";
        if (a->text[0])
            snprintf(path, sizeof path, "%s", a->text);
        else
            snprintf(path, sizeof path, "%s/%s.png", dir,
                     a->kind == ACT_PNG ? "panels" : "screen");
        int rc = a->kind == ACT_PNG ? panels_write_png(w, path, err, sizeof err)
                                    : term_screenshot(path, err, sizeof err);
        if (rc)
            say(w, true, "%s", err);
        else
            say(w, false, "wrote %s", path);
        break;
    }
    case ACT_TOGGLE_ASCII: w->ascii = !w->ascii; break;
    case ACT_TOGGLE_EST:
        w->show_est = !w->show_est;
        say(w, false, "optimal-LR estimate %s", w->show_est ? "shown" : "hidden");
        break;
    case ACT_HELP: w->help = true; break;
    case ACT_QUIT:
        if (run_in_progress(w))
            w->confirm_quit = true;
        else
            w->quit = true;
        break;
    }
}

/* Keys typed on the ':' line. */
static void cmdline_key(wb *w, wint_t ch, bool is_key)
{
    if (!is_key && (ch == '\r' || ch == '\n')) {
        w->in_cmdline = false;
        wb_action a;
        char err[200];
        if (keys_parse_command(w->cmdline, &a, err, sizeof err))
            say(w, true, "%s", err);
        else
            apply_action(w, &a);
        return;
    }
    if (!is_key && ch == 27) {
        w->in_cmdline = false;
        return;
    }
    if ((is_key && ch == KEY_BACKSPACE) || (!is_key && (ch == 127 || ch == 8))) {
        if (w->cmd_len > 0)
            w->cmdline[--w->cmd_len] = '\0';
        else
            w->in_cmdline = false;
        return;
    }
    if (!is_key && ch >= 32 && ch < 127 && w->cmd_len < (int)sizeof w->cmdline - 1) {
        w->cmdline[w->cmd_len++] = (char)ch;
        w->cmdline[w->cmd_len] = '\0';
    }
}

static void handle_key(wb *w, wint_t ch, bool is_key)
{
    if (is_key && ch == KEY_RESIZE)
        return; /* the next draw relayouts */
    if (w->in_cmdline) {
        cmdline_key(w, ch, is_key);
        return;
    }
    if (w->help) {
        w->help = false;
        return;
    }
    if (w->confirm_quit) {
        w->confirm_quit = false;
        if (!is_key && (ch == 'y' || ch == 'Y'))
            w->quit = true;
        else
            say(w, false, "quit cancelled");
        return;
    }
    wb_action a = { .kind = is_key ? ACT_NONE : keys_lookup((int)ch) };
    if (a.kind == ACT_NONE) {
        if (!is_key && ch != 27)
            say(w, true, "key '%lc' does nothing: press ? for help", (wint_t)ch);
        return;
    }
    apply_action(w, &a);
}

/* Copies the session's status and new rows; handles a change of run. */
static void poll_session(wb *w)
{
    session_get_status(w->session, &w->st);
    if (w->st.message_seq != w->msg_seq_seen) {
        w->msg_seq_seen = w->st.message_seq;
        say(w, w->st.message_error, "%s", w->st.message);
    }
    if (w->st.state == SESSION_DIVERGED && w->diverged_gen != w->st.generation) {
        /* Offer the same run again with bounds below where it blew up. */
        w->diverged_gen = w->st.generation;
        w->lr_max = fmin(w->lr_max, w->st.diverged_lr) / 3.0;
        w->lr_min = fmin(w->lr_min, w->lr_max / 10.0);
        sched_policy p = w->st.sched.policy;
        char how[48];
        if (p == SCHED_1CYCLE || p == SCHED_TRIANGULAR || p == SCHED_MULTISTEP)
            snprintf(how, sizeof how, "press %s", p == SCHED_1CYCLE ? "1"
                                                  : p == SCHED_TRIANGULAR ? "c" : "s");
        else
            snprintf(how, sizeof how, "type :policy %s", sched_policy_name(p));
        say(w, true, "DIVERGED at iteration %ld (lr %.3g): %s to restart with lr %.3g..%.3g, "
                     "or r for a range test", w->st.diverged_at, w->st.diverged_lr, how,
            w->lr_min, w->lr_max);
        w->msg_seq_seen = w->st.message_seq;
    }
    if (w->st.range_seq != w->range_seq_seen) {
        w->range_seq_seen = w->st.range_seq;
        if (w->st.have_suggestion) {
            w->lr_min = w->st.sugg_min;
            w->lr_max = w->st.sugg_max;
        }
    }
    for (;;) {
        unsigned gen;
        size_t n = mstore_read_since(session_metrics(w->session), w->read_pos, w->rows,
                                     w->rows_cap, &gen);
        if (gen != w->generation && gen != w->st.generation)
            break; /* the store moved on before the status did: next tick */
        if (gen != w->generation) {
            /* A new run: a finished range test stays as the range panel. */
            if (w->cur_kind == RUN_RANGE_TEST && w->cur.steps.n)
                trace_move(&w->range, &w->cur);
            trace_clear(&w->cur);
            w->generation = gen;
            w->read_pos = 0;
            w->cur_kind = w->st.kind;
            w->cur.range_test = w->cur_kind == RUN_RANGE_TEST;
            /* Legend labels are short (a chart keeps 23 characters): the
             * model for a range test, the policy and its LRs for a run. */
            const sched *sc = &w->st.sched;
            if (w->cur.range_test)
                snprintf(w->cur.label, sizeof w->cur.label, "%.40s", w->st.model);
            else if (sc->policy == SCHED_1CYCLE || sc->policy == SCHED_TRIANGULAR ||
                     sc->policy == SCHED_TRIANGULAR2 || sc->policy == SCHED_EXP_RANGE)
                snprintf(w->cur.label, sizeof w->cur.label, "%s %.3g-%.3g",
                         sched_policy_name(sc->policy), sc->lr_min, sc->lr_max);
            else
                snprintf(w->cur.label, sizeof w->cur.label, "%s %.3g",
                         sched_policy_name(sc->policy), sc->lr_max);
            continue;
        }
        for (size_t i = 0; i < n; i++)
            trace_append(&w->cur, &w->rows[i]);
        w->read_pos += n;
        if (n < w->rows_cap)
            break;
    }
}

static void init_state(wb *w, const cli_opts *o, const run_setup *r)
{
    memset(w, 0, sizeof *w);
    w->opts = o;
    w->n_train = r->data.train.n;
    w->data_shape = trainer_data_shape(&r->data.train);
    w->n_classes = r->data.train.n_classes;
    trace_init(&w->cur);
    trace_init(&w->range);
    for (int g = 0; g < WB_MAX_GHOSTS; g++)
        trace_init(&w->ghosts[g]);
    w->rows_cap = 4096;
    w->rows = malloc(w->rows_cap * sizeof *w->rows);
    w->log_y = true;
    w->ascii = o->ascii;
    w->show_est = o->lr_estimate != 0;
    /* Bounds for the first run: the command line's, else 1cycle defaults. */
    sched one;
    sched_defaults(&one, SCHED_1CYCLE);
    w->lr_min = isnan(o->lr_min) ? one.lr_min : o->lr_min;
    w->lr_max = isnan(o->lr_max) ? one.lr_max : o->lr_max;
    w->mom_max = isnan(o->mom_max) ? one.mom_max : o->mom_max;
    w->mom_min = isnan(o->mom_max) ? one.mom_min : o->mom_min;
    if (w->lr_min > w->lr_max)
        w->lr_min = w->lr_max / 10;
    w->plan_iters = r->sched.total;
    w->wd = o->sgd.wd;
    snprintf(w->notice, sizeof w->notice, "%s", r->notice);
}

static void free_state(wb *w)
{
    trace_free(&w->cur);
    trace_free(&w->range);
    for (int g = 0; g < WB_MAX_GHOSTS; g++)
        trace_free(&w->ghosts[g]);
    free(w->rows);
    free(w->cells);
}

int workbench_run(int argc, char **argv)
{
    cli_opts o;
    lr_err e;
    int rc = cli_parse(&o, CLI_WORKBENCH, argc, argv, &e);
    if (rc)
        return rc > 0 ? EXIT_OK : commands_fail(&e, EXIT_BAD_INPUT);
    const char *why = term_unusable_reason();
    if (why) {
        fprintf(stderr, "lrscope: %s.\nFor scripts and pipes use the headless commands: "
                        "lrscope train, lrscope range-test, lrscope plot (see --help).\n", why);
        return EXIT_BAD_INPUT;
    }
    run_setup r;
    if (setup_run(&r, &o, &e))
        return commands_fail(&e, EXIT_BAD_INPUT);
    if (o.lr_estimate < 0)
        o.lr_estimate = WB_LR_ESTIMATE_EVERY;
    session_cfg sc = { .data = &r.data, .model = o.model, .net = o.net, .sgd = o.sgd,
                       .train = r.train, .runs_root = o.out ? o.out : "runs",
                       .lr_estimate = o.lr_estimate, .seed = o.seed,
                       .write_config = cli_write_config, .config_ctx = &o };
    wb w;
    init_state(&w, &o, &r);
    w.session = session_start(&sc, &e);
    if (!w.session) {
        free_state(&w);
        setup_free(&r);
        return commands_fail(&e, EXIT_FAILURE_RUN);
    }
    int tick_ms = (int)lround(1000.0 / o.fps);
    if (term_begin(&w.caps, o.ascii, tick_ms)) {
        session_stop(w.session, NULL);
        free_state(&w);
        setup_free(&r);
        fprintf(stderr, "lrscope: cannot start the terminal UI (TERM=%s)\n", getenv("TERM"));
        return EXIT_FAILURE_RUN;
    }
    if (w.notice[0])
        say(&w, false, "%s", w.notice);
    /* Given a policy, start that run; otherwise begin with a range test. */
    if (o.policy_given)
        start(&w, o.policy, false);
    else
        start_range_test(&w);

    /* After a key, a few short ticks: the session answers a command within
     * one training step, and its effect should be on screen well inside
     * 100 ms, not one full frame later. */
    long frames = 0;
    int fast_ticks = 0;
    while (!w.quit && !term_signal) {
        poll_session(&w);
        panels_draw(&w);
        refresh();
        if (o.frames && ++frames >= o.frames)
            break;
        wint_t ch;
        timeout(fast_ticks > 0 ? FAST_TICK_MS : tick_ms);
        if (fast_ticks > 0)
            fast_ticks--;
        int kind = get_wch(&ch);
        while (kind != ERR && !w.quit) {
            handle_key(&w, ch, kind == KEY_CODE_YES);
            nodelay(stdscr, TRUE); /* drain what else is pending, then redraw */
            kind = get_wch(&ch);
            fast_ticks = FAST_TICKS;
        }
    }
    char shot_err[256] = "";
    if (o.screenshot && term_screenshot(o.screenshot, shot_err, sizeof shot_err) == 0)
        shot_err[0] = '\0';
    lr_err write_err;
    bool write_failed = session_stop(w.session, &write_err) != 0; /* flushes the files */
    term_end();
    if (write_failed)
        fprintf(stderr, "lrscope: %s\n", write_err.msg);
    if (shot_err[0])
        fprintf(stderr, "lrscope: %s\n", shot_err);
    if (term_signal)
        fprintf(stderr, "lrscope: stopped by signal %d; run files flushed\n", (int)term_signal);
    if (w.st.run_dir[0])
        fprintf(stderr, "lrscope: last run in %s/\n", w.st.run_dir);
    free_state(&w);
    setup_free(&r);
    return term_signal ? EXIT_INTERRUPTED : write_failed ? EXIT_FAILURE_RUN : EXIT_OK;
}
