/* panels_lines.c — the text around the charts: the header, and under the
 * panels the result line, the ghost comparison, the offer, the message and
 * the key bar (or the ':' line); and the help pages.
 *
 * Nothing is cut mid-word: the header wraps its fields over two lines on a
 * narrow screen, and the lines under the panels wrap by words (the offer and
 * the message up to two lines each, the actionable part first), shortened
 * at a word with "..." only when the screen is too short to give them room.
 * The offer has its own line: unrelated messages never hide it. All values
 * shown come from the session's status or from the run's own metrics. */
#include "tui/workbench.h"

#include <curses.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "tui/headless.h"

enum { COL_GOOD = 3, COL_ALERT = 5 };

#define MAX_LINES 8
#define LINE_LEN 512

/* ---- word wrapping -------------------------------------------------------- */

/* Splits text into at most max lines of at most width columns, breaking at
 * spaces; a last line that cannot hold the rest ends in "..." at a word.
 * Returns the number of lines. */
static int wrap(const char *text, int width, int max, char out[][LINE_LEN])
{
    int n = 0;
    const char *p = text;
    while (*p == ' ')
        p++;
    while (*p && n < max) {
        int len = (int)strlen(p);
        if (len <= width) {
            snprintf(out[n++], LINE_LEN, "%s", p);
            break;
        }
        bool last = n == max - 1;
        int limit = last ? width - 3 : width, cut = -1;
        for (int i = 0; i <= limit && i < len; i++)
            if (p[i] == ' ')
                cut = i;
        if (cut <= 0)
            cut = limit; /* one word longer than the line: cut it */
        snprintf(out[n++], LINE_LEN, "%.*s%s", cut, p, last ? "..." : "");
        p += cut;
        while (*p == ' ')
            p++;
    }
    return n;
}

/* ---- the header ------------------------------------------------------------ */

#define HEADER_FIELDS 10

typedef struct field {
    char text[160];
    int  attr;
    int  drop;     /* order in which fields give way on a narrow screen; 0: never */
} field;

static int header_fields(wb *w, field *f)
{
    const session_status *st = &w->st;
    int n = 0;
    memset(f, 0, HEADER_FIELDS * sizeof *f);
    snprintf(f[n].text, sizeof f[n].text, " lrscope");
    f[n].drop = 1;
    f[n++].attr = term_chart_attr(0, CHART_ATTR_BOLD);
    snprintf(f[n].text, sizeof f[n].text, "%s", st->data);
    f[n].drop = 3;
    f[n++].attr = 0;
    snprintf(f[n].text, sizeof f[n].text, "%s", st->model);
    f[n++].attr = 0;
    if (st->kind == RUN_RANGE_TEST)
        snprintf(f[n].text, sizeof f[n].text, "range test %s",
                 st->sched.policy == SCHED_SWEEP_EXP ? "exp" : "linear");
    else if (st->kind == RUN_TRAIN && st->sched.policy == SCHED_1CYCLE)
        snprintf(f[n].text, sizeof f[n].text, "1cycle %s", sched_style_name(st->sched.style));
    else if (st->kind == RUN_TRAIN)
        snprintf(f[n].text, sizeof f[n].text, "%s", sched_policy_name(st->sched.policy));
    else
        snprintf(f[n].text, sizeof f[n].text, "no run yet");
    f[n++].attr = 0;
    snprintf(f[n].text, sizeof f[n].text, " %s ", session_state_name(st->state));
    bool alert = st->state == SESSION_DIVERGED || st->state == SESSION_WRITE_FAILED;
    f[n++].attr = (int)A_BOLD | (alert ? term_chart_attr(COL_ALERT, 0) : (int)A_REVERSE);
    if (st->state == SESSION_DIVERGED)
        snprintf(f[n].text, sizeof f[n].text, "at it %ld (lr %.3g)", st->diverged_at,
                 st->diverged_lr);
    else if (st->kind != RUN_NONE)
        snprintf(f[n].text, sizeof f[n].text, "it %ld/%ld  ep %.2f", st->iter, st->total,
                 st->epoch);
    else
        f[n].text[0] = '\0';
    f[n++].attr = 0;
    if (st->state != SESSION_DIVERGED && st->kind != RUN_NONE && st->total != st->first_total) {
        snprintf(f[n].text, sizeof f[n].text, "R: was %ld it", st->first_total);
        f[n].drop = 2;
        f[n++].attr = 0;
    }
    if (st->images_per_s > 0 && (st->state == SESSION_RUNNING ||
                                 st->state == SESSION_RANGE_TEST)) {
        char left[32];
        format_duration(left, sizeof left, st->seconds_per_iter * (double)(st->total - st->iter));
        snprintf(f[n].text, sizeof f[n].text, "%.0f img/s, %s left", st->images_per_s, left);
        f[n].drop = 2;
        f[n++].attr = 0;
    }
    /* The values in force: the run's while one trains, else the next run's. */
    bool live = st->kind == RUN_TRAIN && (st->state == SESSION_RUNNING ||
                                          st->state == SESSION_PAUSED);
    double lo = live ? st->sched.lr_min : st->next.lr_min;
    double hi = live ? st->sched.lr_max : st->next.lr_max;
    double mhi = live ? st->sched.mom_max : st->next.mom_max;
    double mlo = live ? (st->sched.cycle_momentum ? st->sched.mom_min : mhi) : st->next.mom_min;
    bool one_lr = live && (st->sched.policy == SCHED_CONST || st->sched.policy == SCHED_STEP ||
                           st->sched.policy == SCHED_MULTISTEP || st->sched.policy == SCHED_INV);
    char lr[48], mom[32];
    if (one_lr)
        snprintf(lr, sizeof lr, "lr %.3g", hi);
    else
        snprintf(lr, sizeof lr, "lr %.3g..%.3g", lo, hi);
    if (mlo < mhi)
        snprintf(mom, sizeof mom, "mom %.3g..%.3g", mhi, mlo);
    else
        snprintf(mom, sizeof mom, "mom %.3g", mhi);
    snprintf(f[n].text, sizeof f[n].text, "%s%s  %s  wd %.3g  batch %d", live ? "" : "next: ",
             lr, mom, live ? st->wd : st->next.wd, st->batch);
    f[n++].attr = (int)A_BOLD;
    return n;
}

/* Lays the fields out in at most two lines; returns the lines used, or 0
 * when a field would be left out. */
static int header_layout(const field *f, int n, const bool *gone, bool draw)
{
    int row = 0, x = 0;
    for (int i = 0; i < n; i++) {
        int len = (int)strlen(f[i].text);
        if (!len || gone[i])
            continue;
        int sep = x > 0 ? 3 : 0;
        if (x + sep + len > COLS && x > 0) {
            if (row == 1)
                return 0;
            row = 1;
            x = 0;
            sep = 0;
        }
        if (draw) {
            if (sep)
                mvaddstr(row, x, " | ");
            if (f[i].attr)
                attron(f[i].attr);
            mvaddnstr(row, x + sep, f[i].text, COLS - x - sep);
            if (f[i].attr)
                attroff(f[i].attr);
        }
        x += sep + len;
    }
    return row + 1;
}

int lines_header(wb *w, bool draw)
{
    if (w->watch)
        return watch_header(w, draw);
    field f[HEADER_FIELDS];
    bool gone[HEADER_FIELDS] = { false };
    int n = header_fields(w, f), rows;
    /* The least needed fields give way until the rest fit in two lines. */
    for (int drop = 1; !(rows = header_layout(f, n, gone, false)) && drop <= 3; drop++)
        for (int i = 0; i < n; i++)
            gone[i] |= f[i].drop == drop;
    if (!rows)
        rows = 2; /* what is left is cut at the edge */
    if (draw)
        header_layout(f, n, gone, true);
    return rows;
}

/* ---- result, comparison, offer ------------------------------------------------ */

/* "DONE  test 88.33 %  loss 0.331  in 1407 it, 8.4 s" for a finished training
 * run, what a range test found, or the divergence; "" while a run goes on. */
static void result_text(const wb *w, char *buf, size_t len)
{
    const session_status *st = &w->st;
    buf[0] = '\0';
    if (w->watch) {
        watch_status_text(w, buf, len);
        return;
    }
    if (st->kind == RUN_TRAIN && w->cur_kind == RUN_TRAIN &&
        (st->state == SESSION_DONE || st->state == SESSION_DIVERGED)) {
        trace_reading r;
        if (st->state == SESSION_DIVERGED) {
            snprintf(buf, len, "DIVERGED at iteration %ld (lr %.3g) after %.1f s",
                     st->diverged_at, st->diverged_lr, st->run_seconds);
        } else if (trace_read_at(&w->cur, LONG_MAX, &r)) {
            if (!isnan(r.test_acc))
                snprintf(buf, len, "DONE  test %.2f %%  loss %.3g  in %ld it, %.1f s",
                         r.test_acc, r.test_loss, st->iter, st->run_seconds);
            else
                snprintf(buf, len, "DONE  train loss %.3g  in %ld it, %.1f s", r.train_loss,
                         st->iter, st->run_seconds);
        }
        return;
    }
    if (st->kind != RUN_RANGE_TEST || st->state != SESSION_DONE || !st->have_range)
        return;
    char why[96];
    const rangetest_signature *g = &st->range.sig;
    if (st->range_stop == RANGETEST_COMPLETED)
        snprintf(why, sizeof why, "completed %ld it up to lr %.3g", st->range_iters,
                 st->range_stop_lr);
    else if (st->range_stop == RANGETEST_NONFINITE)
        snprintf(why, sizeof why, "diverged at lr %.3g (it %ld)", st->range_stop_lr,
                 st->range_iters);
    else
        snprintf(why, sizeof why, "stopped at lr %.3g (it %ld): %s", st->range_stop_lr,
                 st->range_iters, rangetest_stop_name(st->range_stop));
    const rangetest_smith *m = &st->range.smith;
    if (m->did_not_learn) {
        int n = isnan(m->loss_drop)
            ? snprintf(buf, len, "DONE range test of %s: %s.  No offer: accuracy stayed at "
                       "%.1f-%.1f %%, it did not learn", st->range_model, why,
                       100.0 * m->acc_lo, 100.0 * m->acc_hi)
            : snprintf(buf, len, "DONE range test of %s: %s.  No offer: the loss fell only "
                       "%.1f %%, it did not learn", st->range_model, why, 100.0 * m->loss_drop);
        /* Read on the loss, the sweep had too few evaluations to tell:
         * a longer one reads accuracy. Otherwise a linear sweep spends most
         * of its steps at large LRs: a tenth of its range is where such a
         * net usually learns. */
        bool linear = st->sched.policy == SCHED_SWEEP_LINEAR;
        if (n > 0 && (size_t)n < len && !isnan(m->loss_drop))
            snprintf(buf + n, len - (size_t)n, "; try a longer sweep: :sweep %s%.3g %.3g over %ld",
                     linear ? "" : "exp ", st->sched.lr_min, st->sched.lr_max,
                     st->range_iters < 10 ? 100 : 10 * st->range_iters);
        else if (n > 0 && (size_t)n < len && linear)
            snprintf(buf + n, len - (size_t)n, "; try :sweep 0 %.3g", st->sched.lr_max / 10.0);
        return;
    }
    int n = snprintf(buf, len, "DONE range test of %s: %s.  signature: %s", st->range_model,
                     why, rangetest_sig_name(g->verdict));
    if (n > 0 && (size_t)n < len && g->verdict != RANGETEST_SIG_UNKNOWN && isnan(g->ratio))
        snprintf(buf + n, len - (size_t)n, " (reached lr %.3g, %ld steps at lr >= %g)",
                 g->lr_reached, g->n_large, RANGETEST_SIG_LR);
    else if (n > 0 && (size_t)n < len && g->verdict != RANGETEST_SIG_UNKNOWN)
        snprintf(buf + n, len - (size_t)n, " (reached lr %.3g, %ld steps at lr >= %g; tail "
                 "accuracy %.1f %% = %.2f x peak %.1f %%)", g->lr_reached, g->n_large,
                 RANGETEST_SIG_LR, 100.0 * g->tail_acc, g->ratio, 100.0 * g->peak_acc);
}

/* The current training run against ghost g at the same iteration count:
 * "1cycle 0.07-0.7: 88.33 %  vs  multistep 0.1: 88.13 %  (+0.20) at it 1407".
 * Returns false when there is nothing to compare yet. */
static bool comparison_text(const wb *w, int g, char *buf, size_t len)
{
    const run_trace *cur = &w->cur, *gh = &w->ghosts[g];
    trace_reading a, b;
    bool same_run = w->ghost_run[g][0] && !strcmp(w->ghost_run[g], w->st.run_dir);
    if (w->cur_kind != RUN_TRAIN || gh->range_test || w->ghost_hidden[g] || same_run ||
        !cur->evals.n ||
        !trace_read_at(cur, LONG_MAX, &a) || isnan(a.test_acc) ||
        !trace_read_at(gh, a.iter, &b) || isnan(b.test_acc))
        return false;
    snprintf(buf, len, "%s: %.2f %%  vs  %s: %.2f %%  (%+.2f) at it %ld", cur->label,
             a.test_acc, gh->label, b.test_acc, a.test_acc - b.test_acc, a.iter);
    return true;
}

/* The policy key that restarts `p`, for the divergence offer. */
static const char *restart_key(sched_policy p)
{
    return p == SCHED_1CYCLE ? "1" : p == SCHED_TRIANGULAR ? "c" : p == SCHED_MULTISTEP ? "s"
                                                                                       : NULL;
}

static void offer_text(const wb *w, char *buf, size_t len)
{
    const session_offer *o = &w->st.offer;
    buf[0] = '\0';
    if (o->kind == OFFER_RANGE_TEST && o->overridden)
        snprintf(buf, len, "OFFER press a for lr %.3g..%.3g from the range test of %s (your "
                 "bounds are kept until then)", o->lr_min, o->lr_max, o->model);
    else if (o->kind == OFFER_RANGE_TEST)
        snprintf(buf, len, "OFFER press 1 for 1cycle %.3g..%.3g, c for CLR, a to accept "
                 "(range test of %s)", o->lr_min, o->lr_max, o->model);
    else if (o->kind == OFFER_DIVERGED && restart_key(o->policy))
        snprintf(buf, len, "OFFER press %s to restart %s with lr %.3g..%.3g (below where it "
                 "diverged), a to accept, r for a range test", restart_key(o->policy),
                 sched_policy_name(o->policy), o->lr_min, o->lr_max);
    else if (o->kind == OFFER_DIVERGED)
        snprintf(buf, len, "OFFER press a for lr %.3g..%.3g (below where it diverged), then "
                 ":policy %s to restart; r for a range test", o->lr_min, o->lr_max,
                 sched_policy_name(o->policy));
}

/* ---- the lines under the panels ------------------------------------------------- */

typedef struct block {
    char text[LINE_LEN * 2];        /* the whole text, for wrapping again */
    char lines[MAX_LINES][LINE_LEN];
    int  n, attr;
} block;

/* Adds a block of text wrapped to at most max_lines (nothing for ""). */
static int add_block(block *b, int nb, const char *text, int attr, int max_lines)
{
    if (!text[0])
        return nb;
    snprintf(b[nb].text, sizeof b[nb].text, "%s", text);
    b[nb].attr = attr;
    b[nb].n = wrap(text, COLS - 1, max_lines, b[nb].lines);
    return nb + 1;
}

static int total_lines(const block *b, int nb)
{
    int n = 0;
    for (int i = 0; i < nb; i++)
        n += b[i].n;
    return n;
}

/* Lays out result, comparisons, offer and message in at most `budget`
 * lines (the key bar is extra), two lines each at most. When they do not
 * fit, in this order: the message gets one line, the comparisons (the
 * oldest first), the result, the offer; then the comparisons go. Returns
 * the number of blocks. */
static int bottom_blocks(wb *w, block *b, int budget)
{
    char text[LINE_LEN * 2];
    int nb = 0;
    result_text(w, text, sizeof text);
    int result = nb;
    nb = add_block(b, nb, text, (int)A_BOLD, 2);
    if (nb == result)
        result = -1;
    int first_cmp = nb;
    for (int g = w->n_ghosts - 1; g >= 0 && nb - first_cmp < 2; g--)
        if (comparison_text(w, g, text, sizeof text))
            nb = add_block(b, nb, text, 0, 2);
    int n_cmp = nb - first_cmp, offer = nb;
    offer_text(w, text, sizeof text);
    nb = add_block(b, nb, text, term_chart_attr(COL_GOOD, CHART_ATTR_BOLD), 2);
    if (nb == offer)
        offer = -1;
    int message = nb;
    nb = add_block(b, nb, w->msg[0] ? w->msg : w->notice,
                   w->msg[0] && w->msg_error ? term_chart_attr(COL_ALERT, CHART_ATTR_BOLD) : 0,
                   2);
    if (nb == message)
        message = -1;
    int shrink[2 + 2 + 1], n_shrink = 0; /* blocks in the order they give way */
    if (message >= 0)
        shrink[n_shrink++] = message;
    for (int i = n_cmp - 1; i >= 0; i--)
        shrink[n_shrink++] = first_cmp + i; /* the last added is the oldest ghost */
    if (result >= 0)
        shrink[n_shrink++] = result;
    if (offer >= 0)
        shrink[n_shrink++] = offer;
    for (int k = 0; k < n_shrink && total_lines(b, nb) > budget; k++)
        b[shrink[k]].n = wrap(b[shrink[k]].text, COLS - 1, 1, b[shrink[k]].lines);
    for (int i = n_cmp - 1; i >= 0 && total_lines(b, nb) > budget; i--)
        b[first_cmp + i].n = 0; /* still too many: the comparisons go, the oldest first */
    return nb;
}
/* The end of UTF-8 text s that fits in `cols` columns: s itself when all of
 * it does (typed text longer than the line scrolls to show its end). */
static const char *text_tail(const char *s, int cols)
{
    const char *start = s;
    for (;;) {
        int width = 0, w;
        size_t k;
        mbstate_t ps;
        memset(&ps, 0, sizeof ps);
        wchar_t wc;
        for (const char *p = start; *p; p += k) {
            k = mbrtowc(&wc, p, MB_LEN_MAX, &ps);
            if (k == (size_t)-1 || k == (size_t)-2 || k == 0)
                k = 1, wc = L'?';
            w = wcwidth(wc);
            width += w > 0 ? w : 1;
        }
        if (width <= cols || !*start)
            return start;
        memset(&ps, 0, sizeof ps);
        k = mbrtowc(&wc, start, MB_LEN_MAX, &ps);
        start += k == (size_t)-1 || k == (size_t)-2 || k == 0 ? 1 : k;
    }
}


int lines_bottom(wb *w, bool draw)
{
    block b[6];
    int budget = LINES / 4 > 2 ? LINES / 4 - 1 : 2;
    int nb = bottom_blocks(w, b, budget), n = total_lines(b, nb);
    if (n > budget)
        n = budget;
    n += 1; /* the key bar */
    if (!draw)
        return n;
    int y = LINES - n;
    for (int i = 0; i < nb; i++)
        for (int k = 0; k < b[i].n && y < LINES - 1; k++, y++) {
            move(y, 0);
            clrtoeol();
            if (b[i].attr)
                attron(b[i].attr);
            mvaddstr(y, 1, b[i].lines[k]);
            if (b[i].attr)
                attroff(b[i].attr);
        }
    move(LINES - 1, 0);
    clrtoeol();
    if (w->in_cmdline) {
        const char *tail = text_tail(w->cmdline, COLS - 2);
        printw("%c%s", tail == w->cmdline ? ':' : '<', tail);
        curs_set(1);
        return n;
    }
    curs_set(0);
    if (w->confirm_quit) {
        attron(A_BOLD);
        /* the question first: a narrow terminal cuts the line's end */
        printw(" A run is in progress. Quit anyway? (y/n)  lrscope --resume continues it.");
        attroff(A_BOLD);
        return n;
    }
    char bar[LINE_LEN];
    keys_bar(bar, sizeof bar, COLS - 1, w->st.offer.kind != OFFER_NONE);
    addstr(w->watch ? watch_key_bar() : bar);
    return n;
}

/* ---- help ------------------------------------------------------------------------ */

/* The help box: every line between the header's first line and the key
 * bar, text at most 100 columns wide, centred. */
static void help_box(int *y0, int *x0, int *h, int *wd)
{
    *wd = COLS - 2 < 100 ? COLS - 2 : 100;
    *h = LINES - 2;
    *y0 = 1;
    *x0 = (COLS - *wd) / 2;
}

/* A help line that continues the entry above it (indented). */
static bool continues_entry(int i)
{
    char line[LINE_LEN];
    keys_help_line(i, line, sizeof line);
    return line[0] == ' ';
}

/* The first help line of page `page` (1-based; past the last page, at
 * least the line count). A page holds per_page lines, and an entry that
 * would straddle its end moves whole to the next page unless it is longer
 * than a page. */
static int page_start(int page, int per_page)
{
    int n = keys_help_count(), start = 0;
    for (int p = 1; p < page && start < n; p++) {
        int end = start + per_page, first = end;
        while (first < n && first > start && continues_entry(first))
            first--;
        start = first > start ? first : end;
    }
    return start;
}

static int help_per_page(void)
{
    int y0, x0, h, wd;
    help_box(&y0, &x0, &h, &wd);
    return h - 4 > 1 ? h - 4 : 1;
}

int lines_help_pages(void)
{
    int pages = 1, per_page = help_per_page();
    while (page_start(pages + 1, per_page) < keys_help_count())
        pages++;
    return pages;
}

void lines_help(wb *w)
{
    int y0, x0, h, wd;
    help_box(&y0, &x0, &h, &wd);
    int per_page = help_per_page(), pages = lines_help_pages();
    int page = w->help_page > pages ? pages : w->help_page;
    int first = page_start(page, per_page), last = page_start(page + 1, per_page);
    for (int r = 0; r < h; r++) { /* whole lines: nothing of the panels shows through */
        move(y0 + r, 0);
        clrtoeol();
    }
    attron(A_BOLD);
    if (pages > 1)
        mvprintw(y0 + 1, x0 + 2, "%.*s", wd - 4, "lrscope keys");
    else
        mvprintw(y0 + 1, x0 + 2, "%.*s", wd - 4, "lrscope keys (any key closes this help)");
    attroff(A_BOLD);
    char line[LINE_LEN];
    for (int k = first; k < last && k < keys_help_count(); k++) {
        keys_help_line(k, line, sizeof line);
        mvprintw(y0 + 2 + k - first, x0 + 2, "%.*s", wd - 4, line);
    }
    if (pages > 1) {
        snprintf(line, sizeof line, "page %d/%d: space next, b back, any other key closes",
                 page, pages);
        attron(A_BOLD);
        mvprintw(y0 + h - 1, x0 + 2, "%.*s", wd - 4, line);
        attroff(A_BOLD);
    }
}
