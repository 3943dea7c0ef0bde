/* workbench.c — the interactive workbench: start-up, the event loop, and
 * reading the session (keys and actions are in workbench_actions.c).
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/commands.h"
#include "tui/headless.h"
#include "tui/setup.h"

#define FAST_TICK_MS 15
#define FAST_TICKS 6

/* A training run's legend label: the policy and the LRs in force (after
 * live edits, the edited ones: a ghost is labelled with what it ended on).
 * Short, as a chart keeps 23 characters. */
static void label_run(wb *w)
{
    const sched *sc = &w->st.sched;
    if (sc->policy == SCHED_1CYCLE || sc->policy == SCHED_TRIANGULAR ||
        sc->policy == SCHED_TRIANGULAR2 || sc->policy == SCHED_EXP_RANGE)
        snprintf(w->cur.label, sizeof w->cur.label, "%s %.3g-%.3g",
                 sched_policy_name(sc->policy), sc->lr_min, sc->lr_max);
    else
        snprintf(w->cur.label, sizeof w->cur.label, "%s %.3g", sched_policy_name(sc->policy),
                 sc->lr_max);
}

/* Whether the session's queue can take another key's command, with places
 * to spare (no key sends more than one). */
static bool queue_has_room(wb *w)
{
    return session_queue_room(w->session) >= 4;
}

/* Copies the session's status and new rows; handles a change of run.
 * Returns whether anything the screen shows may have changed. */
static bool poll_session(wb *w)
{
    session_state before = w->st.state;
    unsigned gen_before = w->st.generation;
    session_get_status(w->session, &w->st);
    if (w->st.message_seq != w->msg_seq_seen) {
        w->msg_seq_seen = w->st.message_seq;
        workbench_say(w, w->st.message_error, "%s", w->st.message);
    } else if (w->st.generation != gen_before ||
               (before != w->st.state && w->st.state != SESSION_PAUSED &&
                before != SESSION_PAUSED)) {
        w->msg[0] = '\0'; /* a run started or ended: what was said before is stale */
    }
    if (w->st.generation != gen_before && gen_before > 0)
        w->notice[0] = '\0'; /* the start-up notice lasts through the first run */
    bool changed = false;
    for (;;) {
        unsigned gen;
        size_t from = w->read_pos;
        size_t n = mstore_read_kept(session_metrics(w->session), &from, w->rows,
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
            changed = true;
            if (w->cur.range_test)
                snprintf(w->cur.label, sizeof w->cur.label, "%.40s", w->st.model);
            continue;
        }
        if (w->cur_kind == RUN_TRAIN && w->st.generation == w->generation)
            label_run(w);
        for (size_t i = 0; i < n; i++)
            trace_append(&w->cur, &w->rows[i]);
        w->read_pos = from + n;
        if (n)
            changed = true;
        if (n < w->rows_cap)
            break;
    }
    if (memcmp(&w->st_drawn, &w->st, sizeof w->st)) {
        changed = true;
        w->st_drawn = w->st;
    }
    return changed;
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
    for (int g = 0; g < WB_MAX_GHOSTS; g++) {
        trace_init(&w->ghosts[g]);
        w->ghost_src[g] = -1;
    }
    w->rows_cap = 4096;
    w->rows = malloc(w->rows_cap * sizeof *w->rows);
    w->log_y = true;
    w->ascii = o->ascii;
    w->show_est = o->lr_estimate != 0;
    w->plan_iters = r->sched.total;
    w->reading = RANGETEST_READ_OFFER;
    snprintf(w->notice, sizeof w->notice, "%s", r->notice);
    snprintf(w->x_label, sizeof w->x_label, "iteration");
}

/* The first run's bounds and momentum: the command line's, else 1cycle's
 * defaults; with a policy given, exactly the schedule it resolved to. */
static session_settings first_settings(const cli_opts *o, const run_setup *r)
{
    sched one;
    sched_defaults(&one, SCHED_1CYCLE);
    if (o->policy_given)
        one = r->sched;
    session_settings f = {
        .lr_min = isnan(o->lr_min) || o->policy_given ? one.lr_min : o->lr_min,
        .lr_max = isnan(o->lr_max) || o->policy_given ? one.lr_max : o->lr_max,
        .mom_max = isnan(o->mom_max) || o->policy_given ? one.mom_max : o->mom_max,
        .mom_min = isnan(o->mom_max) || o->policy_given ? one.mom_min : o->mom_min,
        .wd = o->sgd.wd,
    };
    if (f.lr_min > f.lr_max)
        f.lr_min = f.lr_max / 10;
    return f;
}

static void free_state(wb *w)
{
    trace_free(&w->cur);
    trace_free(&w->range);
    for (int g = 0; g < WB_MAX_GHOSTS; g++)
        trace_free(&w->ghosts[g]);
    free(w->rows);
    free(w->cells);
    wb_export_close(w);
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
    checkpoint resume;
    if (o.resume && (rc = resume_open(o.resume, &o, &resume, &e)) != 0) {
        if (rc > 0)
            printf("lrscope: %s\n", e.msg);
        return rc > 0 ? EXIT_OK : commands_fail(&e, EXIT_BAD_INPUT);
    }
    run_setup r;
    if (setup_run(&r, &o, &e)) {
        if (o.resume)
            checkpoint_free(&resume);
        return commands_fail(&e, EXIT_BAD_INPUT);
    }
    if (o.lr_estimate < 0)
        o.lr_estimate = WB_LR_ESTIMATE_EVERY;
    session_cfg sc = { .data = &r.data, .model = o.model, .net = o.net, .sgd = o.sgd,
                       .train = r.train, .runs_root = o.out ? o.out : "runs",
                       .lr_estimate = o.lr_estimate, .seed = o.seed,
                       .write_config = cli_write_config, .resume_dir = o.resume,
                       .resume_from = o.resume ? &resume : NULL,
                       .first = first_settings(&o, &r) };
    cli_run_spec(&o, &r.sched, &r.train, &sc.spec);
    wb w;
    init_state(&w, &o, &r);
    for (int g = 0; g < o.n_ghosts; g++) {
        if (wb_ghost_load(&w, o.ghosts[g], &e)) {
            if (o.resume)
                checkpoint_free(&resume);
            free_state(&w);
            setup_free(&r);
            return commands_fail(&e, EXIT_BAD_INPUT);
        }
    }
    w.session = session_start(&sc, &e);
    if (o.resume)
        checkpoint_free(&resume);
    if (!w.session) {
        free_state(&w);
        setup_free(&r);
        return commands_fail(&e, o.resume ? EXIT_BAD_INPUT : EXIT_FAILURE_RUN);
    }
    int tick_ms = (int)lround(1000.0 / o.fps);
    if (term_begin(&w.caps, o.ascii, tick_ms)) {
        session_stop(w.session, NULL);
        free_state(&w);
        setup_free(&r);
        fprintf(stderr, "lrscope: cannot start the terminal UI (TERM=%s)\n", getenv("TERM"));
        return EXIT_FAILURE_RUN;
    }
    poll_session(&w); /* the session's settings, which the first start reads */
    /* Given a policy, start that run; otherwise begin with a range test. */
    if (o.resume)
        ; /* the session continues the run */
    else if (o.policy_given)
        workbench_start(&w, o.policy, false);
    else
        workbench_range_test(&w);

    /* After a key, a few short ticks: the session answers a command within
     * one training step, and its effect should be on screen well inside
     * 100 ms, not one full frame later. */
    /* A frame with nothing new (no rows, the same status, no key, no
     * resize) draws nothing: an idle workbench costs no CPU. */
    long frames = 0;
    int fast_ticks = 0;
    bool dirty = true;
    while (!w.quit && !term_signal) {
        dirty |= poll_session(&w);
        if (dirty) {
            panels_draw(&w);
            refresh();
            dirty = false;
        }
        if (o.frames && ++frames >= o.frames)
            break;
        wint_t ch;
        timeout(fast_ticks > 0 ? FAST_TICK_MS : tick_ms);
        if (fast_ticks > 0)
            fast_ticks--;
        /* Keys are drained until none is pending, then the screen redrawn.
         * While the session's queue is nearly full, keys are left in the
         * terminal's buffer for a later tick: a held key is slowed, not lost. */
        int kind = queue_has_room(&w) ? get_wch(&ch) : (napms(FAST_TICK_MS), ERR);
        while (kind != ERR && !w.quit) {
            workbench_key(&w, ch, kind == KEY_CODE_YES);
            dirty = true;
            fast_ticks = FAST_TICKS;
            nodelay(stdscr, TRUE);
            kind = queue_has_room(&w) ? get_wch(&ch) : ERR;
        }
    }
    char shot_err[256] = "";
    if (o.screenshot && term_screenshot(o.screenshot, shot_err, sizeof shot_err) == 0)
        shot_err[0] = '\0';
    if (term_signal)
        session_set_stop_reason(w.session, term_signal_name(term_signal));
    poll_session(&w);
    session_state last = w.st.state;
    bool mid_run = last == SESSION_RUNNING || last == SESSION_RANGE_TEST ||
                   last == SESSION_PAUSED;
    lr_err write_err;
    bool write_failed = session_stop(w.session, &write_err) != 0; /* flushes the files */
    term_end();
    if (write_failed)
        fprintf(stderr, "lrscope: %s\n", write_err.msg);
    if (shot_err[0])
        fprintf(stderr, "lrscope: %s\n", shot_err);
    if (term_signal)
        fprintf(stderr, "lrscope: stopped by %s; run files flushed\n",
                term_signal_name(term_signal));
    if (w.st.run_dir[0] && mid_run && !write_failed)
        fprintf(stderr, "lrscope: last run in %s/, stopped before its end; continue it "
                        "with: lrscope --resume %s\n", w.st.run_dir, w.st.run_dir);
    else if (w.st.run_dir[0])
        fprintf(stderr, "lrscope: last run in %s/\n", w.st.run_dir);
    free_state(&w);
    setup_free(&r);
    return term_signal                  ? EXIT_INTERRUPTED
           : write_failed || shot_err[0] ? EXIT_FAILURE_RUN
                                         : EXIT_OK;
}
