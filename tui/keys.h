/* keys.h — every key of the workbench in one table, and the ':' command
 * line. Adding a key is adding a row; `?` shows the table as it is.
 *
 * Both produce a wb_action; the workbench turns actions into session
 * commands. Parsing a typed command validates its values: an invalid one
 * yields an error message and no action, so it changes nothing. */
#ifndef LRSCOPE_KEYS_H
#define LRSCOPE_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/rangetest.h"
#include "engine/sched.h"

typedef enum {
    ACT_NONE,
    ACT_RANGE_TEST, ACT_START_1CYCLE, ACT_START_CLR, ACT_START_STEP, ACT_START_POLICY,
    ACT_MAX_UP, ACT_MAX_DOWN, ACT_MIN_UP, ACT_MIN_DOWN,
    ACT_WD_UP, ACT_WD_DOWN, ACT_MOM_UP, ACT_MOM_DOWN,
    ACT_SET_LR, ACT_SET_WD, ACT_SET_MOM, ACT_SET_EPOCHS, ACT_SET_ITERS, ACT_SET_MODEL,
    ACT_RESTART, ACT_PAUSE, ACT_ACCEPT, ACT_CMDLINE, ACT_TOGGLE_LOG, ACT_GHOST,
    ACT_CLEAR_GHOSTS, ACT_EXPORT, ACT_PNG, ACT_SCREENSHOT, ACT_TOGGLE_ASCII,
    ACT_TOGGLE_EST, ACT_HELP, ACT_QUIT, ACT_SET_READING, ACT_SET_SWEEP,
    ACT_EXPORT_CODE, ACT_GHOST_LOAD, ACT_GHOST_TOGGLE, ACT_GHOST_REMOVE, ACT_GHOST_LIST,
} wb_action_kind;

typedef struct wb_action {
    wb_action_kind kind;
    double         a, b;        /* values typed after a command */
    int            n_values;
    sched_policy   policy;      /* ACT_START_POLICY; ACT_SET_SWEEP: the sweep typed,
                                   or SCHED_N_POLICIES when none was */
    long           sweep_iters; /* ACT_SET_SWEEP: its length ("over N"), 0 if not typed */
    char           text[128];   /* model spec, file name */
    rangetest_reading reading;  /* ACT_SET_READING */
} wb_action;

typedef struct key_binding {
    int            key;         /* a character or a curses KEY_* code */
    wb_action_kind action;
    const char    *label;       /* how `?` and the key bar name the key */
    const char    *help;
    const char    *bar;         /* the key bar's word for it; NULL: not in the bar */
    int            rank;        /* key bar order: 1 first; the bar fills by rank */
} key_binding;

extern const key_binding key_table[];
extern const size_t key_table_len;

/* The action bound to `key`, or ACT_NONE. */
wb_action_kind keys_lookup(int key);

/* Parses a command line typed after ':' (without the colon). Returns 0 with
 * *out filled, or -1 with a one-line message in err[err_len] saying what is
 * allowed. Values are checked here (finite, in range, min <= max). */
int  keys_parse_command(const char *line, wb_action *out, char *err, size_t err_len);

/* The key bar for a screen `width` columns wide, built from the table: keys
 * by rank while they fit, then always "? help  q quit" (the keys for help
 * and quit, from the table too). Entries are separated by two spaces and
 * never cut; with `offer` false the accept key is left out (nothing to
 * accept). Writes at most len bytes; returns the bar's length in columns. */
int keys_bar(char *out, size_t len, int width, bool offer);

/* The help text, one line each: every key of the table, then the typed
 * commands. Returns the number of lines; line i is written to out. */
int keys_help_count(void);
void keys_help_line(int i, char *out, size_t len);

#endif
