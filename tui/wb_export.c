/* wb_export.c — the workbench's :export: the schedule in force (live edits
 * included) as PyTorch and fastai code, written next to the run
 * (export_write_files) and shown in a scrollable view over the panels.
 * Everything here runs on the UI thread; the schedule and weight decay come
 * from the session's status, the other SGD settings from the command line
 * (the workbench cannot change them). */
#include "tui/workbench.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sched_export.h"
#include "tui/commands.h"

void wb_export_close(wb *w)
{
    for (int i = 0; i < 2; i++) {
        free(w->export_text[i]);
        w->export_text[i] = NULL;
    }
    w->export_top = 0;
}

void wb_export_code(wb *w)
{
    const session_status *st = &w->st;
    if (st->kind != RUN_TRAIN) {
        workbench_say(w, true, "no training run to export: start one (1, c, s or :policy)");
        return;
    }
    if (!st->run_dir[0]) {
        workbench_say(w, true, "this run has no folder to write the code into");
        return;
    }
    sgd_opts o = w->opts->sgd;
    o.wd = st->wd;
    char note[160] = "";
    if (st->n_edits > 0)
        snprintf(note, sizeof note, "This is the schedule in force at iteration %ld, after "
                 "%d live edit%s.", st->iter, st->n_edits, st->n_edits == 1 ? "" : "s");
    long ipe = st->batch > 0 ? (w->n_train + st->batch - 1) / st->batch : 0;
    export_info x = { .source = st->run_dir, .model = st->model,
                      .init = w->opts->net.init == INIT_TORCH ? "torch" : "he",
                      .batch = st->batch, .iters_per_epoch = ipe,
                      .note = note[0] ? note : NULL };
    char *py, *fa;
    lr_err e;
    if (export_write_files(st->run_dir, &st->sched, &o, &x, &py, &fa, &e)) {
        workbench_say(w, true, "%s", e.msg);
        return;
    }
    wb_export_close(w);
    w->export_text[0] = py;
    w->export_text[1] = fa;
    w->export_which = 0;
    workbench_say(w, false, "wrote %s/schedule_pytorch.py and schedule_fastai.py",
                  st->run_dir);
}

/* The view's box: every line between the header's first line and the key
 * bar, as the help uses. */
static void view_box(int *y0, int *h, int *wd)
{
    *y0 = 1;
    *h = LINES - 2;
    *wd = COLS;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* Up/down and j/k scroll a line, space/PgDn and b/PgUp a page, Home/End
 * and g/G jump to the ends, f or Tab switches PyTorch/fastai, q or Esc
 * closes (the files stay written). */
void wb_export_key(wb *w, wint_t ch, bool is_key)
{
    int y0, h, wd;
    view_box(&y0, &h, &wd);
    int page = h - 2 > 1 ? h - 2 : 1;
    int last = count_lines(w->export_text[w->export_which]) - page;
    if (is_key && ch == KEY_DOWN) w->export_top++;
    else if (is_key && ch == KEY_UP) w->export_top--;
    else if (is_key && ch == KEY_NPAGE) w->export_top += page;
    else if (is_key && ch == KEY_PPAGE) w->export_top -= page;
    else if (is_key && ch == KEY_HOME) w->export_top = 0;
    else if (is_key && ch == KEY_END) w->export_top = last;
    else if (is_key)
        return;
    else if (ch == 'j') w->export_top++;
    else if (ch == 'k') w->export_top--;
    else if (ch == ' ') w->export_top += page;
    else if (ch == 'b') w->export_top -= page;
    else if (ch == 'g') w->export_top = 0;
    else if (ch == 'G') w->export_top = last;
    else if (ch == 'f' || ch == '\t') {
        w->export_which = !w->export_which;
        w->export_top = 0;
        return;
    } else if (ch == 'q' || ch == 27) {
        wb_export_close(w);
        return;
    }
    if (w->export_top > last)
        w->export_top = last;
    if (w->export_top < 0)
        w->export_top = 0;
}

void wb_export_draw(const wb *w)
{
    int y0, h, wd;
    view_box(&y0, &h, &wd);
    const char *text = w->export_text[w->export_which];
    for (int r = 0; r < h; r++) { /* whole lines: nothing of the panels shows through */
        move(y0 + r, 0);
        clrtoeol();
    }
    int n = count_lines(text);
    attron(A_BOLD);
    mvprintw(y0, 1, "%.*s", wd - 2, w->export_which ? "schedule_fastai.py" : "schedule_pytorch.py");
    attroff(A_BOLD);
    printw("%.*s", wd > 40 ? wd - 22 : 0,
           "  (arrows, space, b scroll; f: the other framework; q closes)");
    const char *p = text;
    for (int i = 0; i < w->export_top && *p; i++) {
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : p + strlen(p);
    }
    for (int r = 0; r < h - 2 && *p; r++) {
        const char *nl = strchr(p, '\n');
        int len = nl ? (int)(nl - p) : (int)strlen(p);
        mvprintw(y0 + 1 + r, 1, "%.*s", len < wd - 2 ? len : wd - 2, p);
        p = nl ? nl + 1 : p + len;
    }
    int page = h - 2 > 1 ? h - 2 : 1;
    attron(A_BOLD);
    mvprintw(y0 + h - 1, 1, "lines %d-%d of %d", w->export_top + 1,
             w->export_top + page < n ? w->export_top + page : n, n);
    attroff(A_BOLD);
}
