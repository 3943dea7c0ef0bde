/* session_edit.c — the session thread's answer to editing commands (bounds,
 * momentum, weight decay, restart) and its offers.
 *
 * Every edit is computed here, by the session thread, from the session's own
 * current values: "scale the max LR by 1.25" three times in a row gives
 * x1.953 however stale the sender's picture was. The new values are checked
 * (on copies) before anything changes, so a refused edit changes nothing.
 * The meaning of an edit in each session state is in session.h. */
#include "engine/session_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LR_LIMIT 1e4   /* larger bounds are typing mistakes, not experiments */
#define LR_FLOOR 1e-12 /* a smaller max LR trains nothing; keys stop here */
#define MOM_KEY_MAX 0.99 /* the momentum keys step up to here; typed values may pass it */

double session_wd_step(double wd, bool up)
{
    if (wd <= 0)
        return up ? 1e-5 : 0.0;
    /* Half-decade index: 1e-4 -> -8, 3e-4 -> -7 (log10(3) ~ 0.5). */
    double k = round(2.0 * log10(wd)) + (up ? 1 : -1);
    /* read from its decimal form, so that 3e-4 is the double closest to it
     * (3 x 1e-4 is not) and a config shows "3e-4" */
    char text[32];
    snprintf(text, sizeof text, "%de%d", fmod(k, 2.0) == 0.0 ? 1 : 3, (int)floor(k / 2.0));
    double next = strtod(text, NULL);
    return !up && next < 1e-6 ? 0.0 : next;
}

/* An edit being prepared: the next run's settings and, when a run trains,
 * its schedule and weight decay, all on copies. */
typedef struct edit {
    session_settings next;
    sched            run;
    double           run_wd;
    bool             live;          /* a training run takes the edit too */
    const char      *event;         /* events.csv kind */
    char             label[24];     /* marker label (session_status.edit_label) */
    char             detail[160];   /* events.csv detail and message */
    char             say[64];       /* the message's start when not the detail */
    char             note[96];      /* said after the iteration, e.g. a new run length */
    run_edit_kind    kind;          /* the edit of a live run as engine/run replays it */
    double           a, b;
} edit;

static bool bounds_ok(double lo, double hi)
{
    return isfinite(lo) && isfinite(hi) && lo >= 0 && hi >= LR_FLOOR && lo <= hi &&
           hi <= LR_LIMIT;
}

/* New bounds: set (NaN keeps a bound) or scaled. Returns 0, or -1 with a
 * message. */
static int edit_bounds(session *s, edit *ed, const session_cmd *c, bool scale)
{
    double lo = ed->next.lr_min, hi = ed->next.lr_max;
    double rlo = ed->run.lr_min, rhi = ed->run.lr_max;
    if (scale && ((c->a != 1.0 && lo == 0) || (c->b != 1.0 && hi == 0))) {
        SAY(s, true, "refused: a bound of 0 stays 0 when scaled; set it with :lr MIN MAX");
        return -1;
    }
    if (scale) {
        lo *= c->a;
        hi *= c->b;
        rlo *= c->a;
        rhi *= c->b;
    } else {
        hi = isnan(c->b) ? hi : c->b;
        lo = isnan(c->a) ? fmin(lo, hi) : c->a;
        rhi = hi;
        rlo = lo;
    }
    if (scale) { /* a max scaled below the min takes the min along; a tiny min becomes 0 */
        lo = lo < LR_FLOOR ? 0.0 : fmin(lo, hi);
        rlo = rlo < LR_FLOOR ? 0.0 : fmin(rlo, rhi);
    }
    if (!bounds_ok(lo, hi) || (ed->live && !bounds_ok(rlo, rhi))) {
        SAY(s, true, "refused: LR bounds must satisfy 0 <= min <= max, %g <= max <= %g", LR_FLOOR,
            LR_LIMIT);
        return -1;
    }
    bool max_only = c->kind == SCMD_SCALE_BOUNDS ? c->a == 1.0 : isnan(c->a);
    bool min_only = c->kind == SCMD_SCALE_BOUNDS && c->b == 1.0;
    double shown_lo = ed->live ? rlo : lo, shown_hi = ed->live ? rhi : hi;
    if (max_only)
        snprintf(ed->label, sizeof ed->label, "max %.3g", shown_hi);
    else if (min_only)
        snprintf(ed->label, sizeof ed->label, "min %.3g", shown_lo);
    else
        snprintf(ed->label, sizeof ed->label, "lr %.3g-%.3g", shown_lo, shown_hi);
    if (ed->live)
        snprintf(ed->detail, sizeof ed->detail, "lr %.4g..%.4g -> %.4g..%.4g",
                 ed->run.lr_min, ed->run.lr_max, rlo, rhi);
    else
        snprintf(ed->detail, sizeof ed->detail, "lr %.4g..%.4g", lo, hi);
    ed->next.lr_min = lo;
    ed->next.lr_max = hi;
    if (ed->live)
        sched_set_bounds(&ed->run, rlo, rhi);
    ed->kind = RUN_EDIT_BOUNDS;
    ed->a = rlo;
    ed->b = rhi;
    ed->event = "set_bounds";
    return 0;
}

/* A key's step of momentum m: up to MOM_KEY_MAX, down to 0, and never the
 * other way (a typed 0.995 is not lowered by a step up). */
static double step_momentum(double m, double by)
{
    return by > 0 ? fmax(m, fmin(MOM_KEY_MAX, m + by)) : fmax(0.0, m + by);
}

static int edit_momentum(session *s, edit *ed, const session_cmd *c)
{
    double hi = c->a, lo = c->b;
    if (c->kind == SCMD_STEP_MOMENTUM) {
        hi = step_momentum(ed->next.mom_max, c->a);
        lo = step_momentum(ed->next.mom_min, c->a);
        if (hi == ed->next.mom_max && lo == ed->next.mom_min) {
            SAY(s, true, "momentum stays %.3g..%.3g: the keys step it from 0 to %g "
                "(:mom MAX [MIN] sets up to 0.999)", hi, lo, MOM_KEY_MAX);
            return -1;
        }
    }
    if (!(hi >= 0 && hi < 1 && lo >= 0 && lo <= hi)) {
        SAY(s, true, "refused: momentum must satisfy 0 <= min <= max < 1");
        return -1;
    }
    if (ed->live) {
        snprintf(ed->detail, sizeof ed->detail, "momentum %.3g..%.3g -> %.3g..%.3g",
                 ed->run.mom_max, ed->run.mom_min, hi, ed->run.cycle_momentum ? lo : hi);
        ed->kind = RUN_EDIT_MOMENTUM;
        ed->a = hi;
        ed->b = ed->run.cycle_momentum ? lo : hi;
        sched_set_momentum(&ed->run, ed->a, ed->b);
    } else {
        snprintf(ed->detail, sizeof ed->detail, "momentum %.3g..%.3g", hi, lo);
    }
    ed->next.mom_max = hi;
    ed->next.mom_min = lo;
    snprintf(ed->label, sizeof ed->label, "mom %.3g", hi);
    ed->event = "set_momentum";
    return 0;
}

static int edit_wd(session *s, edit *ed, const session_cmd *c)
{
    double wd = c->kind == SCMD_STEP_WD ? session_wd_step(ed->next.wd, c->a > 0) : c->a;
    if (!(wd >= 0 && wd < 1)) {
        SAY(s, true, "refused: weight decay must be from 0 to below 1");
        return -1;
    }
    if (ed->live)
        snprintf(ed->detail, sizeof ed->detail, "weight decay %g -> %g", ed->run_wd, wd);
    else
        snprintf(ed->detail, sizeof ed->detail, "weight decay %g", wd);
    ed->next.wd = wd;
    ed->run_wd = wd;
    ed->kind = RUN_EDIT_WD;
    ed->a = wd;
    snprintf(ed->label, sizeof ed->label, "wd %.3g", wd);
    ed->event = "set_wd";
    return 0;
}

static int edit_restart(session *s, edit *ed)
{
    if (!ed->live) {
        SAY(s, true, "no training run to restart: press 1, c or s to start one");
        return -1;
    }
    long before = sched_end(&ed->run);
    sched_restart(&ed->run, s->trainer.iter);
    ed->kind = RUN_EDIT_RESTART;
    long after = sched_end(&ed->run);
    snprintf(ed->detail, sizeof ed->detail, "cycle restarted");
    snprintf(ed->say, sizeof ed->say, "cycle restarted");
    if (after != before) {
        size_t n = strlen(ed->detail);
        snprintf(ed->detail + n, sizeof ed->detail - n, "; the run now ends at iteration %ld "
                 "(was %ld)", after, before);
        snprintf(ed->note, sizeof ed->note, ": the run now ends at iteration %ld, not %ld",
                 after, before);
    }
    snprintf(ed->label, sizeof ed->label, "R");
    ed->event = "restart";
    return 0;
}

/* Takes the pending offer's bounds as a "set bounds" edit. */
static int edit_accept(session *s, edit *ed)
{
    pthread_mutex_lock(&s->lock);
    session_offer o = s->status.offer;
    pthread_mutex_unlock(&s->lock);
    if (o.kind == OFFER_NONE) {
        SAY(s, true, "no offer pending: press r for a range test");
        return -1;
    }
    session_cmd set = { .kind = SCMD_SET_BOUNDS, .a = o.lr_min, .b = o.lr_max };
    if (edit_bounds(s, ed, &set, false))
        return -1;
    pthread_mutex_lock(&s->lock);
    s->status.offer.kind = OFFER_NONE;
    pthread_mutex_unlock(&s->lock);
    char from[32];
    snprintf(from, sizeof from, " from the %s", o.kind == OFFER_RANGE_TEST
                                                   ? "range test" : "divergence advice");
    size_t n = strlen(ed->detail);
    snprintf(ed->detail + n, sizeof ed->detail - n, "%s", from);
    return 0;
}

/* Records an applied edit: events.csv, the marker list, the message. */
static void record(session *s, const edit *ed)
{
    long it = s->have_trainer ? s->trainer.iter : 0;
    if (ed->live && !session_event(s, ed->event, ed->detail))
        return;
    pthread_mutex_lock(&s->lock);
    session_status *ss = &s->status;
    if (ed->live) {
        if (ss->n_edits < SESSION_MAX_EDITS) {
            ss->edit_iter[ss->n_edits] = it;
            snprintf(ss->edit_label[ss->n_edits], sizeof ss->edit_label[0], "%s", ed->label);
        }
        ss->n_edits++;
        ss->sched = s->trainer.sched;
        ss->total = sched_end(&s->trainer.sched);
        ss->wd = s->trainer.opt.wd;
        session_say_locked(s, false, "%s at iteration %ld%s", ed->say[0] ? ed->say : ed->detail,
                           it, ed->note);
    } else {
        session_say_locked(s, false, "%s for the next run", ed->detail);
    }
    ss->next = s->next;
    pthread_mutex_unlock(&s->lock);
}

void session_edit(session *s, const session_cmd *c)
{
    if (s->in_range_test) {
        SAY(s, true, "refused: a range test sweeps with fixed settings; edit after it ends "
                     "(or press 1, c, s to start a run)");
        return;
    }
    edit ed = { .next = s->next, .live = session_training(s) };
    if (ed.live) {
        ed.run = s->trainer.sched;
        ed.run_wd = s->trainer.opt.wd;
    }
    int rc;
    switch (c->kind) {
    case SCMD_SET_BOUNDS: rc = edit_bounds(s, &ed, c, false); break;
    case SCMD_SCALE_BOUNDS: rc = edit_bounds(s, &ed, c, true); break;
    case SCMD_SET_MOMENTUM:
    case SCMD_STEP_MOMENTUM: rc = edit_momentum(s, &ed, c); break;
    case SCMD_SET_WD:
    case SCMD_STEP_WD: rc = edit_wd(s, &ed, c); break;
    case SCMD_RESTART_CYCLE: rc = edit_restart(s, &ed); break;
    case SCMD_ACCEPT_OFFER: rc = edit_accept(s, &ed); break;
    default: return;
    }
    lr_err e;
    if (rc == 0 && ed.live && sched_validate(&ed.run, &e)) {
        SAY(s, true, "refused: %s", e.msg);
        rc = -1;
    }
    if (rc)
        return;
    s->next = ed.next;
    s->sgd.wd = ed.next.wd;
    if (ed.live) {
        s->trainer.sched = ed.run;
        s->trainer.opt.wd = ed.run_wd;
        session_note_edit(s, ed.kind, ed.a, ed.b);
    }
    if (c->kind == SCMD_SET_BOUNDS || c->kind == SCMD_SCALE_BOUNDS) {
        pthread_mutex_lock(&s->lock);
        s->status.offer.overridden = true; /* a start now keeps the user's bounds */
        pthread_mutex_unlock(&s->lock);
    }
    record(s, &ed);
}

void session_settle_start(session *s, const session_cmd *cmd, sched *sc)
{
    double max_factor = cmd->a > 0 ? cmd->a : 1.0;
    pthread_mutex_lock(&s->lock);
    session_offer *o = &s->status.offer;
    if (cmd->b != 0 && bounds_ok(sc->lr_min, sc->lr_max)) {
        s->next.lr_min = sc->lr_min;
        s->next.lr_max = sc->lr_max;
        o->overridden = true;
        s->status.next = s->next;
    } else if (o->kind != OFFER_NONE && !o->overridden) {
        s->next.lr_min = o->lr_min;
        s->next.lr_max = o->lr_max;
        o->kind = OFFER_NONE;
        s->status.next = s->next;
    }
    /* Divergence advice is about the run that diverged: a new run, started
     * with other bounds, withdraws it (a range test's offer stays for later). */
    if (o->kind == OFFER_DIVERGED)
        o->kind = OFFER_NONE;
    pthread_mutex_unlock(&s->lock);
    double hi = s->next.lr_max * max_factor;
    sched_set_bounds(sc, fmin(s->next.lr_min, hi), hi);
    sched_set_momentum(sc, s->next.mom_max,
                       sc->cycle_momentum ? s->next.mom_min : s->next.mom_max);
}

static void publish_offer(session *s, offer_kind kind, double lo, double hi,
                          sched_policy policy)
{
    pthread_mutex_lock(&s->lock);
    session_offer *o = &s->status.offer;
    *o = (session_offer){ .kind = kind, .seq = o->seq + 1, .lr_min = lo, .lr_max = hi,
                          .policy = policy };
    /* the model it was read on: s->model may already name the next run's */
    snprintf(o->model, sizeof o->model, "%.*s", (int)sizeof o->model - 1, s->net.spec);
    pthread_mutex_unlock(&s->lock);
}

void session_offer_range(session *s)
{
    double hi = rangetest_offer_max(&s->last_range.sugg);
    bool ok = isfinite(hi) && hi > 0;
    /* No clear bounds withdraws an older offer: it was read on another curve. */
    publish_offer(s, ok ? OFFER_RANGE_TEST : OFFER_NONE, ok ? hi / 10.0 : (double)NAN,
                  ok ? hi : (double)NAN, SCHED_1CYCLE);
}

void session_offer_diverged(session *s, double lr)
{
    /* Restart well below where this run blew up, and below where this
     * model's range test diverged or its loss rose when one was run: a third
     * of the lower of the two. Without a range test of this model the LR
     * where the run blew up is a weak bound (a run can climb past the stable
     * LR for a few steps before the loss explodes): a tenth of it. */
    double cap = isfinite(lr) && lr > 0 ? lr : s->trainer.sched.lr_max, div = 10.0;
    const rangetest_curve *c = &s->last_range.curve;
    if (!strcmp(s->last_range_model, s->net.spec) && c->n > 0) {
        div = 3.0;
        if ((c->stop == RANGETEST_NONFINITE || c->stop == RANGETEST_LOSS_ROSE) &&
            isfinite(c->stop_lr) && c->stop_lr > 0)
            cap = fmin(cap, c->stop_lr);
    }
    double hi = cap / div;
    publish_offer(s, OFFER_DIVERGED, fmin(s->next.lr_min, hi / 10.0), hi,
                  s->trainer.sched.policy);
}

bool session_edit_label(const char *kind, const char *detail, char *out, size_t len)
{
    double a, b, c, d;
    if (!strcmp(kind, "set_bounds")) {
        if (sscanf(detail, "lr %lf..%lf -> %lf..%lf", &a, &b, &c, &d) != 4)
            snprintf(out, len, "lr");
        else if (a == c)
            snprintf(out, len, "max %.3g", d);
        else if (b == d)
            snprintf(out, len, "min %.3g", c);
        else
            snprintf(out, len, "lr %.3g-%.3g", c, d);
    } else if (!strcmp(kind, "set_momentum")) {
        if (sscanf(detail, "momentum %lf..%lf -> %lf..%lf", &a, &b, &c, &d) == 4)
            snprintf(out, len, "mom %.3g", c);
        else
            snprintf(out, len, "mom");
    } else if (!strcmp(kind, "set_wd")) {
        if (sscanf(detail, "weight decay %lf -> %lf", &a, &b) == 2)
            snprintf(out, len, "wd %.3g", b);
        else
            snprintf(out, len, "wd");
    } else if (!strcmp(kind, "restart")) {
        snprintf(out, len, "R");
    } else {
        return false;
    }
    return true;
}
