/* workbench_actions.c — what keys and typed commands ask for.
 *
 * Edits are sent as intent ("scale the max LR by 1.25", "one step up the wd
 * grid", "take the offer"): the session thread applies them to its own
 * current values and validates them (engine/session.h), so keys typed faster
 * than the screen updates add up, and the status line shows the session's
 * values. Only what the session does not own is decided here: the plan of
 * the next run (policy, length) and the screen's own toggles. */
#include "tui/workbench.h"

#include <curses.h>
#include <langinfo.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "tui/commands.h"

#define LR_STEP 1.25
#define MOM_STEP 0.01

void workbench_say(wb *w, bool error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->msg, sizeof w->msg, fmt, ap);
    va_end(ap);
    w->msg_error = error;
}

/* A typed character as a message can show it: a control character printed
 * as itself would move the cursor or scroll the screen. */
static const char *typed_name(wint_t ch, char *buf, size_t len)
{
    if (ch == '\r' || ch == '\n')
        return "Enter";
    if (ch == '\t')
        return "Tab";
    if (ch == 127 || ch == 8)
        return "Backspace";
    if (ch < 32)
        snprintf(buf, len, "Ctrl-%c", (char)('@' + ch));
    else if (!iswprint(ch))
        snprintf(buf, len, "U+%04X", (unsigned)ch);
    else
        snprintf(buf, len, "'%lc'", ch);
    return buf;
}

static void send(wb *w, const session_cmd *c)
{
    if (session_send(w->session, c))
        workbench_say(w, true, "too many commands queued; wait a moment");
}

static void send_kind(wb *w, session_cmd_kind kind, double a, double b)
{
    session_cmd c = { .kind = kind, .a = a, .b = b };
    send(w, &c);
}

static bool run_in_progress(const wb *w)
{
    session_state s = w->st.state;
    return s == SESSION_RUNNING || s == SESSION_RANGE_TEST || s == SESSION_PAUSED;
}

/* The plan of a `policy` run with the workbench's length. Its bounds and
 * momentum are placeholders: the session puts its own in when it starts the
 * run. Step schedules without steps from the command line get the paper's
 * shape: multistep x0.1 at 50 % and 75 % of the run, step every third of it.
 * Returns 0, or -1 with `e` saying why. */
static int make_sched(const wb *w, sched_policy policy, sched *s, lr_err *e)
{
    cli_opts o = *w->opts;
    o.policy = policy;
    o.style = policy == SCHED_1CYCLE && w->opts->style >= 0 ? w->opts->style : -1;
    const session_settings *n = &w->st.next;
    o.lr_min = fmin(n->lr_min, n->lr_max);
    o.lr_max = n->lr_max;
    o.mom_max = n->mom_max;
    o.mom_min = n->mom_min;
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

/* Starts `policy` with the session's bounds (or its pending offer); the step
 * baseline (key s) runs at a third of the max LR, as a constant LR must sit
 * below a cycle's peak. The session says what it started: the header and
 * the panels show it. */
void workbench_start(wb *w, sched_policy policy, bool baseline)
{
    session_cmd c = { .kind = SCMD_START, .a = baseline ? 1.0 / 3.0 : 1.0 };
    lr_err e;
    if (make_sched(w, policy, &c.sched, &e)) {
        workbench_say(w, true, "cannot start %s: %s", sched_policy_name(policy), e.msg);
        return;
    }
    send(w, &c);
}

/* The options of the next range test: those `lrscope range-test` would take
 * from the command line (one epoch, or --iters given at start; the sweep's
 * own bounds unless --lr-min and --lr-max were given for it, without a
 * --policy), then what :sweep set in s. */
static cli_opts range_test_opts(const wb *w, const struct wb_sweep *s)
{
    cli_opts o = *w->opts;
    o.policy = w->opts->sweep_exp ? SCHED_SWEEP_EXP : SCHED_SWEEP_LINEAR;
    o.epochs = 0;
    if (w->opts->policy_given) {
        o.lr_min = o.lr_max = o.mom_max = NAN; /* those are the run's, not the sweep's */
        o.iters = 0;
    }
    if (s->kind_set) {
        /* a preset chooses the kind too: one of the other kind gives way */
        bool preset_linear = o.preset == RANGETEST_PRESET_SMITH;
        if (o.preset >= 0 && preset_linear != (s->kind == SCHED_SWEEP_LINEAR))
            o.preset = -1;
        if (o.preset < 0)
            o.policy = s->kind;
    }
    if (s->bounds_set) {
        o.lr_min = s->lr_min;
        o.lr_max = s->lr_max;
    }
    if (s->iters > 0)
        o.iters = s->iters;
    return o;
}

void workbench_range_test(wb *w)
{
    session_cmd c = { .kind = SCMD_RANGE_TEST };
    cli_opts o = range_test_opts(w, &w->sweep);
    lr_err e;
    if (commands_rangetest_cfg(&o, w->n_train, &c.range, &e)) {
        workbench_say(w, true, "cannot start the range test: %s", e.msg);
        return;
    }
    send(w, &c);
}

/* :sweep [linear|exp] [MIN] MAX [over N]: checked as the range test will
 * check it, kept only when valid; a kind alone takes its own bounds (linear
 * 0 -> 3, exp 1e-7 -> 10), "over N" alone keeps the bounds; :sweep alone
 * says what the next range test sweeps. */
static void set_sweep(wb *w, const wb_action *a)
{
    struct wb_sweep s = w->sweep;
    if (a->policy != SCHED_N_POLICIES) {
        s.kind_set = true;
        s.kind = a->policy;
        if (a->n_values == 0) {
            s.bounds_set = true;
            s.lr_min = s.lr_max = NAN;
        }
    }
    if (a->n_values > 0) {
        s.bounds_set = true;
        s.lr_min = a->a; /* NaN for MAX alone: the kind's start */
        s.lr_max = a->b;
    }
    if (a->sweep_iters > 0)
        s.iters = a->sweep_iters;
    cli_opts o = range_test_opts(w, &s);
    if (o.policy == SCHED_SWEEP_EXP && !isnan(o.lr_min) && !(o.lr_min > 0)) {
        /* said here in the workbench's words, not the command line's */
        workbench_say(w, true, ":sweep: an exp sweep needs MIN > 0, e.g. :sweep exp 1e-7 10; "
                      ":sweep linear starts from 0");
        return;
    }
    rangetest_cfg c;
    lr_err e;
    if (commands_rangetest_cfg(&o, w->n_train, &c, &e)) {
        workbench_say(w, true, ":sweep: %s", e.msg);
        return;
    }
    w->sweep = s;
    workbench_say(w, false, "next range test (r): %s sweep %g -> %g over %ld iterations",
                  c.policy == SCHED_SWEEP_EXP ? "exp" : "linear", c.lr_min, c.lr_max,
                  c.n_iters);
}

/* Marks reading r on the range-test panels from now on, and says what it
 * gives on the latest range test (or why it gives nothing). */
static void set_reading(wb *w, rangetest_reading r)
{
    const char *name = rangetest_reading_name(r);
    w->reading = r;
    if (!w->st.have_range) {
        workbench_say(w, false, "reading: %s, marked once a range test has run", name);
        return;
    }
    double lo, hi;
    rangetest_reading_lrs(&w->st.range, r, &lo, &hi);
    if (!isfinite(lo) || !isfinite(hi))
        workbench_say(w, true, "reading %s: none on this range test: %s", name,
                      rangetest_reading_note(&w->st.range, r));
    else if (lo < hi)
        workbench_say(w, false, "reading %s: lr %.3g .. %.3g", name, lo, hi);
    else
        workbench_say(w, false, "reading %s: lr %.3g", name, hi);
}

/* Keeps the most recent run as a ghost. */
/* The ghost kept from the run in folder `run`, or -1. */
static int ghost_of_run(const wb *w, const char *run)
{
    for (int g = 0; run[0] && g < w->n_ghosts; g++)
        if (!strcmp(w->ghost_run[g], run))
            return g;
    return -1;
}

/* Keeps a copy of the latest run (the source keeps growing while its run
 * goes on). Kept again, the same run's ghost catches up instead of taking
 * another slot. */
static void keep_ghost(wb *w)
{
    run_trace *src = w->cur.steps.n ? &w->cur : w->range.steps.n ? &w->range : NULL;
    if (!src) {
        workbench_say(w, true, "no run to keep yet");
        return;
    }
    run_trace copy;
    trace_init(&copy);
    if (trace_copy(&copy, src)) {
        workbench_say(w, true, "out of memory keeping the ghost");
        return;
    }
    int g = ghost_of_run(w, w->st.run_dir);
    if (g >= 0) {
        trace_move(&w->ghosts[g], &copy);
        workbench_say(w, false, "ghost %d '%s' brought up to date", g + 1,
                      w->ghosts[g].label);
        return;
    }
    if (w->n_ghosts == WB_MAX_GHOSTS)
        wb_ghost_remove(w, 0);
    g = w->n_ghosts++;
    trace_move(&w->ghosts[g], &copy);
    w->ghost_hidden[g] = false;
    w->ghost_dir[g][0] = '\0';
    w->ghost_src[g] = -1;
    snprintf(w->ghost_run[g], sizeof w->ghost_run[g], "%s", w->st.run_dir);
    workbench_say(w, false, "kept '%s' as a ghost: start another run to compare",
                  w->ghosts[g].label);
}

/* :ghost RUN, :ghost N, :ghost rm N, and :ghost alone. */
static void ghost_command(wb *w, const wb_action *a)
{
    int g = (int)a->a - 1;
    if ((a->kind == ACT_GHOST_TOGGLE || a->kind == ACT_GHOST_REMOVE) &&
        (g < 0 || g >= w->n_ghosts)) {
        workbench_say(w, true, "no ghost %d: there %s %d (1 is the oldest)", g + 1,
                      w->n_ghosts == 1 ? "is" : "are", w->n_ghosts);
        return;
    }
    if (a->kind == ACT_GHOST_TOGGLE) {
        w->ghost_hidden[g] = !w->ghost_hidden[g];
        workbench_say(w, false, "ghost %d '%s' %s", g + 1, w->ghosts[g].label,
                      w->ghost_hidden[g] ? "hidden" : "shown");
    } else if (a->kind == ACT_GHOST_REMOVE) {
        char label[64];
        snprintf(label, sizeof label, "%s", w->ghosts[g].label);
        wb_ghost_remove(w, g);
        workbench_say(w, false, "ghost %d '%s' removed", g + 1, label);
    } else if (a->kind == ACT_GHOST_LIST) {
        char list[400];
        const char *root = w->opts && w->opts->out ? w->opts->out : "runs";
        wb_recent_runs(root, list, sizeof list);
        if (list[0])
            workbench_say(w, false, "recent runs: %s  (:ghost RUN loads one; Tab completes)",
                          list);
        else
            workbench_say(w, true, "no finished runs under %s/: give a folder, :ghost RUN",
                          root);
    } else {
        lr_err e;
        if (wb_ghost_load(w, a->text, &e))
            workbench_say(w, true, "%s", e.msg);
        else
            workbench_say(w, false, "ghost %d: '%s' from %s", w->n_ghosts,
                          w->ghosts[w->n_ghosts - 1].label, a->text);
    }
}

static void write_png(wb *w, const wb_action *a)
{
    char path[512], err[256];
    const char *dir = w->st.run_dir[0] ? w->st.run_dir : ".";
    if (a->text[0] == '/')
        snprintf(path, sizeof path, "%s", a->text);
    else if (a->text[0]) /* relative names go into the run folder, as :png's help says */
        snprintf(path, sizeof path, "%.250s/%.255s", dir, a->text);
    else
        snprintf(path, sizeof path, "%s/%s.png", dir, a->kind == ACT_PNG ? "panels" : "screen");
    int rc = a->kind == ACT_PNG ? panels_write_png(w, path, err, sizeof err)
                                : term_screenshot(path, err, sizeof err);
    if (rc)
        workbench_say(w, true, "%s", err);
    else
        workbench_say(w, false, "wrote %s", path);
}

static void apply_action(wb *w, const wb_action *a)
{
    switch (a->kind) {
    case ACT_NONE:
        break;
    case ACT_RANGE_TEST: workbench_range_test(w); break;
    case ACT_START_1CYCLE: workbench_start(w, SCHED_1CYCLE, false); break;
    case ACT_START_CLR: workbench_start(w, SCHED_TRIANGULAR, false); break;
    case ACT_START_STEP: workbench_start(w, SCHED_MULTISTEP, true); break;
    case ACT_START_POLICY: {
        session_cmd c = { .kind = SCMD_START, .a = 1.0, .b = a->n_values > 0 };
        lr_err e;
        if (make_sched(w, a->policy, &c.sched, &e)) {
            workbench_say(w, true, "cannot start %s: %s", sched_policy_name(a->policy), e.msg);
            break;
        }
        if (a->n_values > 0) /* typed bounds: the run's, and the next runs' */
            sched_set_bounds(&c.sched, a->n_values == 2 ? a->a : fmin(c.sched.lr_min, a->b),
                             a->b);
        send(w, &c);
        break;
    }
    case ACT_MAX_UP: send_kind(w, SCMD_SCALE_BOUNDS, 1.0, LR_STEP); break;
    case ACT_MAX_DOWN: send_kind(w, SCMD_SCALE_BOUNDS, 1.0, 1.0 / LR_STEP); break;
    case ACT_MIN_UP: send_kind(w, SCMD_SCALE_BOUNDS, LR_STEP, 1.0); break;
    case ACT_MIN_DOWN: send_kind(w, SCMD_SCALE_BOUNDS, 1.0 / LR_STEP, 1.0); break;
    case ACT_SET_LR:
        send_kind(w, SCMD_SET_BOUNDS, a->n_values == 2 ? a->a : (double)NAN, a->b);
        break;
    case ACT_WD_UP: send_kind(w, SCMD_STEP_WD, 1, 0); break;
    case ACT_WD_DOWN: send_kind(w, SCMD_STEP_WD, -1, 0); break;
    case ACT_SET_WD: send_kind(w, SCMD_SET_WD, a->a, 0); break;
    case ACT_MOM_UP: send_kind(w, SCMD_STEP_MOMENTUM, MOM_STEP, 0); break;
    case ACT_MOM_DOWN: send_kind(w, SCMD_STEP_MOMENTUM, -MOM_STEP, 0); break;
    case ACT_SET_MOM: send_kind(w, SCMD_SET_MOMENTUM, a->a, a->b); break;
    case ACT_SET_EPOCHS:
    case ACT_SET_ITERS: {
        long it = a->kind == ACT_SET_ITERS ? (long)a->a
                : (long)ceil(a->a * (double)w->n_train / w->opts->batch);
        w->plan_iters = it > 0 ? it : 1;
        workbench_say(w, false, "next runs: %ld iterations (%.2f epochs)", w->plan_iters,
                      (double)w->plan_iters * w->opts->batch / w->n_train);
        break;
    }
    case ACT_SET_MODEL: {
        session_cmd c = { .kind = SCMD_SET_MODEL };
        snprintf(c.text, sizeof c.text, "%.63s", a->text);
        lr_err e;
        if (net_check_spec(a->text, w->data_shape, w->n_classes, NULL, &e)) {
            workbench_say(w, true, "%s", e.msg);
            break;
        }
        send(w, &c);
        break;
    }
    case ACT_RESTART: send_kind(w, SCMD_RESTART_CYCLE, 0, 0); break;
    case ACT_PAUSE: send_kind(w, SCMD_PAUSE, 0, 0); break;
    case ACT_ACCEPT: send_kind(w, SCMD_ACCEPT_OFFER, 0, 0); break;
    case ACT_CMDLINE:
        w->in_cmdline = true;
        w->cmd_len = 0;
        w->cmdline[0] = '\0';
        break;
    case ACT_TOGGLE_LOG:
        w->log_y = !w->log_y;
        workbench_say(w, false, "loss axis: %s", w->log_y ? "log" : "linear");
        break;
    case ACT_GHOST: keep_ghost(w); break;
    case ACT_GHOST_LOAD:
    case ACT_GHOST_TOGGLE:
    case ACT_GHOST_REMOVE:
    case ACT_GHOST_LIST: ghost_command(w, a); break;
    case ACT_CLEAR_GHOSTS:
        while (w->n_ghosts > 0)
            wb_ghost_remove(w, w->n_ghosts - 1);
        workbench_say(w, false, "ghosts cleared");
        break;
    case ACT_EXPORT: send_kind(w, SCMD_EXPORT, 0, 0); break;
    case ACT_EXPORT_CODE: wb_export_code(w); break;
    case ACT_PNG:
    case ACT_SCREENSHOT: write_png(w, a); break;
    case ACT_TOGGLE_ASCII:
        w->ascii = !w->ascii;
        workbench_say(w, false, "plots: %s", w->ascii || !w->caps.utf8
                                                 ? (w->caps.utf8 ? "ASCII" : "ASCII (the locale "
                                                                   "is not UTF-8)")
                                                 : "braille");
        break;
    case ACT_SET_READING: set_reading(w, a->reading); break;
    case ACT_SET_SWEEP: set_sweep(w, a); break;
    case ACT_TOGGLE_EST:
        w->show_est = !w->show_est;
        workbench_say(w, false, "optimal-LR estimate %s", w->show_est ? "shown" : "hidden");
        break;
    case ACT_HELP: w->help_page = 1; break;
    case ACT_QUIT:
        if (run_in_progress(w))
            w->confirm_quit = true;
        else
            w->quit = true;
        break;
    }
}

/* What `lrscope watch` allows: it only reads, so nothing that asks a session. */
static bool read_only_action(wb_action_kind k)
{
    switch (k) {
    case ACT_TOGGLE_LOG: case ACT_TOGGLE_ASCII: case ACT_PNG: case ACT_SCREENSHOT:
    case ACT_QUIT: case ACT_CMDLINE: case ACT_HELP: case ACT_CLEAR_GHOSTS:
    case ACT_GHOST_LOAD: case ACT_GHOST_TOGGLE: case ACT_GHOST_REMOVE: case ACT_GHOST_LIST:
    case ACT_TOGGLE_EST: case ACT_SET_READING:
        return true;
    default:
        return false;
    }
}

static void apply_checked(wb *w, const wb_action *a)
{
    if (w->watch && !read_only_action(a->kind)) {
        workbench_say(w, true, "watch only reads the logs: that key or command trains, "
                               "and training is the writer's");
        return;
    }
    apply_action(w, a);
}

/* Keys typed on the ':' line. */
static void cmdline_key(wb *w, wint_t ch, bool is_key)
{
    if (!is_key && (ch == '\r' || ch == '\n')) {
        w->in_cmdline = false;
        const char *p = w->cmdline;
        while (*p == ' ')
            p++;
        if (!*p)
            return; /* a bare ':' does nothing, quietly */
        wb_action a;
        char err[200];
        if (keys_parse_command(w->cmdline, &a, err, sizeof err))
            workbench_say(w, true, "%s", err);
        else
            apply_checked(w, &a);
        return;
    }
    if (!is_key && ch == 27) {
        w->in_cmdline = false;
        return;
    }
    if (!is_key && ch == '\t') {
        if (!strncmp(w->cmdline, "ghost ", 6)) {
            wb_complete_path(w->cmdline, sizeof w->cmdline);
            w->cmd_len = (int)strlen(w->cmdline);
        }
        return;
    }
    if ((is_key && ch == KEY_BACKSPACE) || (!is_key && (ch == 127 || ch == 8))) {
        if (w->cmd_len == 0) {
            w->in_cmdline = false;
            return;
        }
        /* a whole character: its UTF-8 continuation bytes, then its first */
        while (w->cmd_len > 1 && ((unsigned char)w->cmdline[w->cmd_len - 1] & 0xC0) == 0x80)
            w->cmd_len--;
        w->cmdline[--w->cmd_len] = '\0';
        return;
    }
    if (is_key || !iswprint(ch))
        return;
    /* In the locale's encoding (UTF-8 for a file name like résumé.png). */
    char mb[MB_LEN_MAX];
    mbstate_t ps;
    memset(&ps, 0, sizeof ps);
    size_t k = wcrtomb(mb, (wchar_t)ch, &ps);
    if (k == (size_t)-1) {
        workbench_say(w, true, "U+%04X cannot be typed in this terminal's character set (%s)",
                      (unsigned)ch, nl_langinfo(CODESET));
        return;
    }
    if (w->cmd_len + (int)k < (int)sizeof w->cmdline) {
        memcpy(w->cmdline + w->cmd_len, mb, k);
        w->cmd_len += (int)k;
        w->cmdline[w->cmd_len] = '\0';
    }
}

/* Help pages: space, PgDn or the down arrow go on; b, PgUp or the up arrow
 * go back; any other key closes. */
static void help_key(wb *w, wint_t ch, bool is_key)
{
    int pages = lines_help_pages();
    bool next = (!is_key && ch == ' ') || (is_key && (ch == KEY_NPAGE || ch == KEY_DOWN));
    bool prev = (!is_key && ch == 'b') || (is_key && (ch == KEY_PPAGE || ch == KEY_UP));
    if (next && w->help_page < pages)
        w->help_page++;
    else if (prev && w->help_page > 1)
        w->help_page--;
    else if (!next && !prev)
        w->help_page = 0;
    else if (next)
        w->help_page = 0; /* past the last page */
}

void workbench_key(wb *w, wint_t ch, bool is_key)
{
    if (is_key && ch == KEY_RESIZE)
        return; /* the next draw relayouts */
    if (w->in_cmdline) {
        cmdline_key(w, ch, is_key);
        return;
    }
    if (w->help_page) {
        help_key(w, ch, is_key);
        return;
    }
    if (w->export_text[0]) {
        wb_export_key(w, ch, is_key);
        return;
    }
    if (w->confirm_quit) {
        w->confirm_quit = false;
        if (!is_key && (ch == 'y' || ch == 'Y'))
            w->quit = true;
        else
            workbench_say(w, false, "quit cancelled");
        return;
    }
    wb_action a = { .kind = is_key ? ACT_NONE : keys_lookup((int)ch) };
    if (a.kind == ACT_NONE) {
        char name[16];
        if (!is_key && ch != 27)
            workbench_say(w, true, "key %s does nothing: press ? for help",
                          typed_name(ch, name, sizeof name));
        return;
    }
    apply_checked(w, &a);
}
