#include "tui/term.h"

#include "tui/headless.h"
#include "tui/screen_png.h"

#include <curses.h>
#include <term.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

volatile sig_atomic_t term_signal;

static bool active;
static bool has_color;
static int saved_stderr = -1;
static FILE *captured;

/* Palette index (chart.h) -> curses colour; 0 is the default foreground. */
static const short palette[] = { -1, COLOR_CYAN, COLOR_YELLOW, COLOR_GREEN, COLOR_MAGENTA,
                                 COLOR_RED, COLOR_BLUE, COLOR_WHITE };
#define N_PALETTE ((int)(sizeof palette / sizeof palette[0]))

static void on_stop_signal(int sig)
{
    term_signal = sig;
}

static void on_crash(int sig)
{
    /* endwin is not async-signal-safe, but the process is dying: a usable
     * terminal is worth the risk (htop does the same). Then what went to the
     * captured stderr (an assertion, a sanitizer report) is shown, with
     * calls that are safe here. */
    if (active)
        endwin();
    if (captured && saved_stderr >= 0) {
        int fd = fileno(captured);
        char buf[1024];
        ssize_t n;
        dup2(saved_stderr, STDERR_FILENO);
        lseek(fd, 0, SEEK_SET);
        while ((n = read(fd, buf, sizeof buf)) > 0)
            if (write(STDERR_FILENO, buf, (size_t)n) < 0)
                break;
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

const char *term_signal_name(int sig)
{
    static char other[24];
    switch (sig) {
    case SIGHUP: return "SIGHUP";
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    default:
        snprintf(other, sizeof other, "signal %d", sig);
        return other;
    }
}

const char *term_unusable_reason(void)
{
    if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))
        return "the workbench needs a terminal (stdin and stdout are not both one)";
    const char *t = getenv("TERM");
    if (!t || !*t || !strcmp(t, "dumb"))
        return "the workbench needs a terminal that can move the cursor (TERM is unset or "
               "'dumb')";
    /* initscr() exits the process on an unknown TERM; ask terminfo first. */
    int err = 0;
    if (setupterm(NULL, STDOUT_FILENO, &err) == ERR) {
        static char why[160];
        snprintf(why, sizeof why, "this system's terminfo has no entry for TERM=%.64s", t);
        return why;
    }
    del_curterm(cur_term);
    return NULL;
}

static void capture_stderr(void)
{
    fflush(stderr);
    captured = tmpfile();
    if (!captured)
        return;
    saved_stderr = dup(STDERR_FILENO);
    if (saved_stderr < 0 || dup2(fileno(captured), STDERR_FILENO) < 0) {
        fclose(captured);
        captured = NULL;
    }
}

static void replay_stderr(void)
{
    if (!captured)
        return;
    fflush(stderr);
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    saved_stderr = -1;
    rewind(captured);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, captured)) > 0)
        fwrite(buf, 1, n, stderr);
    fclose(captured);
    captured = NULL;
}

/* Ctrl-S would stop the terminal's output (XON/XOFF): the screen's writes
 * then block, and with them the loop that answers keys and signals, while
 * training goes on. Off in the program's mode, so Ctrl-S is a key like any
 * other; endwin restores the shell's mode. */
static void no_flow_control(void)
{
    struct termios t;
    if (tcgetattr(STDIN_FILENO, &t) == 0) {
        t.c_iflag &= ~(tcflag_t)IXON;
        if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
            def_prog_mode();
    }
}

int term_begin(term_caps *caps, bool force_ascii, int tick_ms)
{
    setlocale(LC_ALL, "");
    const char *cs = nl_langinfo(CODESET);
    caps->utf8 = !force_ascii && cs && !strcmp(cs, "UTF-8");

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (!headless_signal_ignored(SIGHUP))   /* nohup: stays ignored */
        sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = on_crash;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGABRT, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    capture_stderr();
    if (!initscr()) {
        replay_stderr();
        return -1;
    }
    active = true;
    cbreak();
    noecho();
    nonl();
    no_flow_control();
    keypad(stdscr, TRUE);
    curs_set(0);
    timeout(tick_ms);
    set_escdelay(25);
    has_color = has_colors() && !getenv("NO_COLOR");
    if (has_color) {
        start_color();
        use_default_colors();
        for (short i = 1; i < N_PALETTE; i++)
            init_pair(i, palette[i], -1);
    }
    caps->color = has_color;
    return 0;
}

void term_end(void)
{
    if (active) {
        curs_set(1);
        endwin();
        active = false;
    }
    replay_stderr();
}

int term_chart_attr(int color, int chart_attr)
{
    int a = A_NORMAL;
    if (has_color && color > 0)
        a |= COLOR_PAIR(1 + (color - 1) % (N_PALETTE - 1));
    if (chart_attr & CHART_ATTR_DIM)
        a |= A_DIM;
    if (chart_attr & CHART_ATTR_BOLD)
        a |= A_BOLD;
    return a;
}

void term_put_cells(const chart_cell *cells, int w, int h, int y, int x)
{
    for (int r = 0; r < h; r++) {
        for (int c = 0; c < w; c++) {
            const chart_cell *cell = &cells[r * w + c];
            wchar_t wc[2] = { (wchar_t)cell->ch, 0 };
            cchar_t cc;
            attr_t a = (attr_t)term_chart_attr(cell->color, cell->attr);
            short pair = (short)PAIR_NUMBER(a);
            setcchar(&cc, wc, a & ~A_COLOR, pair, NULL);
            mvadd_wch(y + r, x + c, &cc);
        }
    }
}

/* curses colour -> screen_png colour (-1, the terminal's default, maps to
 * SCREEN_DEFAULT). */
static uint8_t screen_color_of(short c)
{
    return c >= 0 && c <= 7 ? (uint8_t)c : SCREEN_DEFAULT;
}

int term_screenshot(const char *path, char *err, size_t err_len)
{
    int rows = LINES, cols = COLS;
    screen_cell *cells = calloc((size_t)rows * cols, sizeof *cells);
    if (!cells) {
        snprintf(err, err_len, "out of memory for the screenshot");
        return -1;
    }
    for (int y = 0; y < rows; y++) {
        for (int x = 0; x < cols; x++) {
            cchar_t cc;
            wchar_t wc[CCHARW_MAX + 1] = { 0 };
            attr_t a = 0;
            short pair = 0, fg = -1, bg = -1;
            screen_cell *s = &cells[y * cols + x];
            s->ch = ' ';
            if (mvin_wch(y, x, &cc) == ERR || getcchar(&cc, wc, &a, &pair, NULL) == ERR)
                continue;
            if (pair > 0)
                pair_content(pair, &fg, &bg);
            s->ch = wc[0] ? (uint32_t)wc[0] : ' ';
            s->fg = screen_color_of(fg);
            s->bg = screen_color_of(bg);
            s->attr = (uint8_t)(((a & A_BOLD) ? SCREEN_ATTR_BOLD : 0) |
                                ((a & A_DIM) ? SCREEN_ATTR_DIM : 0) |
                                ((a & A_REVERSE) ? SCREEN_ATTR_REVERSE : 0));
        }
    }
    lr_err e;
    int rc = screen_png_write(cells, cols, rows, 2.0, path, &e);
    if (rc)
        snprintf(err, err_len, "%s", e.msg);
    free(cells);
    return rc;
}
