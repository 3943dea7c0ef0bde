/* term.h — the terminal layer: curses set-up and tear-down, colours, the
 * UTF-8 decision, signals, and turning chart cells into curses cells.
 *
 * Terminal hygiene: term_begin() installs handlers so that SIGINT, SIGTERM
 * and SIGHUP only set a flag (the event loop sees it within one tick, stops
 * the session, flushes the run files and calls term_end()), and so that a
 * crash (SIGSEGV, SIGABRT, SIGBUS, SIGFPE) restores the terminal before the
 * process dies. While curses owns the screen, stderr goes to a temporary
 * file, replayed after term_end(), so stray messages cannot garble the
 * display. */
#ifndef LRSCOPE_TERM_H
#define LRSCOPE_TERM_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "tui/chart_text.h"

extern volatile sig_atomic_t term_signal;   /* the signal that asked us to stop, or 0 */

typedef struct term_caps {
    bool utf8;     /* locale is UTF-8: braille and box drawing */
    bool color;    /* colours available and NO_COLOR not set */
} term_caps;

/* "SIGHUP", "SIGINT", "SIGTERM", or "signal N" for another one. */
const char *term_signal_name(int sig);

/* Checks that a full-screen UI can run here: stdout and stdin are terminals
 * and TERM is usable. Returns NULL when it can, else the reason. */
const char *term_unusable_reason(void);

/* Starts curses. `tick_ms` is the input timeout (the frame period). Returns
 * 0, or -1 when curses could not start (the terminal is left as it was). */
int  term_begin(term_caps *caps, bool force_ascii, int tick_ms);
/* Restores the terminal and replays captured stderr. Safe to call twice. */
void term_end(void);

/* Curses attributes for a chart palette index and chart attribute flags. */
int  term_chart_attr(int color, int chart_attr);

/* Copies a rendered chart grid to the screen at (y, x). */
void term_put_cells(const chart_cell *cells, int w, int h, int y, int x);

/* Writes what the screen shows now (characters, colours, attributes) as a
 * PNG. Returns 0, or -1 with a message naming the path in err. */
int  term_screenshot(const char *path, char *err, size_t err_len);

#endif
