#include "tui/keys.h"

#include "tui/quantity.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const key_binding key_table[] = {
    { 'r', ACT_RANGE_TEST, "r", "run an LR range test (weights start fresh)", "range test", 1 },
    { '1', ACT_START_1CYCLE, "1", "start 1cycle with the current bounds (or the offer)",
      "1cycle", 2 },
    { 'c', ACT_START_CLR, "c", "start CLR (triangular) with the current bounds (or the offer)",
      "CLR", 4 },
    { 's', ACT_START_STEP, "s", "start a step-schedule baseline (lr max/3, x0.1 at 50%, 75%)",
      "step", 5 },
    { 'a', ACT_ACCEPT, "a", "accept the offer: its bounds for this run and the next", "accept",
      3 },
    { ']', ACT_MAX_UP, "]", "raise max LR (x1.25)", NULL, 0 },
    { '[', ACT_MAX_DOWN, "[", "lower max LR (/1.25)", NULL, 0 },
    { '}', ACT_MIN_UP, "}", "raise min LR (x1.25)", NULL, 0 },
    { '{', ACT_MIN_DOWN, "{", "lower min LR (/1.25)", NULL, 0 },
    { 'w', ACT_WD_UP, "w", "raise weight decay (log grid: 1e-4, 3e-4, 1e-3...)", NULL, 0 },
    { 'W', ACT_WD_DOWN, "W", "lower weight decay", NULL, 0 },
    { 'm', ACT_MOM_UP, "m", "raise momentum (+0.01, both ends)", NULL, 0 },
    { 'M', ACT_MOM_DOWN, "M", "lower momentum", NULL, 0 },
    { 'R', ACT_RESTART, "R", "restart the cycle from this iteration", "restart", 9 },
    { ' ', ACT_PAUSE, "space", "pause / resume", "pause", 7 },
    { 'p', ACT_PAUSE, "p", "pause / resume", NULL, 0 },
    { ':', ACT_CMDLINE, ":", "type a command (see below)", "cmd", 8 },
    { 'l', ACT_TOGGLE_LOG, "l", "loss axis: log / linear", NULL, 0 },
    { 'g', ACT_GHOST, "g", "keep this run as a ghost to compare with the next", "ghost", 6 },
    { 'G', ACT_CLEAR_GHOSTS, "G", "forget the ghosts", NULL, 0 },
    { 'e', ACT_EXPORT, "e", "export: flush the run's CSV files, show where", NULL, 0 },
    { 'P', ACT_PNG, "P", "write the panels to a PNG in the run folder", "png", 10 },
    { 'S', ACT_SCREENSHOT, "S", "write a PNG of this screen", NULL, 0 },
    { 'x', ACT_TOGGLE_EST, "x", "show / hide the optimal-LR estimate", NULL, 0 },
    { 'A', ACT_TOGGLE_ASCII, "A", "braille / ASCII plots", NULL, 0 },
    { '?', ACT_HELP, "?", "this help", "help", -1 },
    { 'q', ACT_QUIT, "q", "quit (asks while a run is in progress)", "quit", -1 },
};
const size_t key_table_len = sizeof key_table / sizeof key_table[0];

/* The bound keys the bar names as pairs ("[ ] max"), by rank after the
 * single keys of the same rank: they are the live edits a class uses. */
static const struct { const char *text; int rank; } bar_pairs[] = {
    { "[ ] max", 6 }, { "{ } min", 9 }, { "w W wd", 10 }, { "m M mom", 11 },
};

static const char *const command_help[] = {
    ":lr MIN MAX    set the LR bounds (:lr MAX keeps the min)",
    ":wd X          weight decay, e.g. :wd 3e-4",
    ":mom MAX [MIN] momentum; a range cycles it (e.g. :mom 0.95 0.85)",
    ":epochs N      length of the next runs (or :iters N)",
    ":policy P [MIN MAX]  start a run: const step multistep inv clr",
    "               triangular2 exp_range 1cycle",
    ":model SPEC    model of the next runs (mlp:512,512, mlp-bn:512,512)",
    ":sweep [linear|exp] [MIN] MAX [over N]",
    "               the next range test's sweep (r), N iterations long;",
    "               :sweep alone shows it",
    ":reading R     mark a range-test reading: offer (default), smith,",
    "               valley slide steep minimum lr-finder valley* steep*",
    ":ghost RUN     load a finished run folder as a ghost (Tab completes;",
    "               :ghost alone lists recent runs)",
    ":ghost N       show / hide ghost N     :ghost rm N  remove ghost N",
    ":png [FILE]    write the panels to a PNG",
    ":export        the schedule as PyTorch and fastai code    :q  quit",
};

int keys_help_count(void)
{
    return (int)(key_table_len + 1 + sizeof command_help / sizeof command_help[0]);
}

void keys_help_line(int i, char *out, size_t len)
{
    if (i < (int)key_table_len)
        snprintf(out, len, "%-6s %s", key_table[i].label, key_table[i].help);
    else if (i == (int)key_table_len)
        snprintf(out, len, "typed after ':'");
    else
        snprintf(out, len, "%s", command_help[i - (int)key_table_len - 1]);
}

/* Appends "sep text" when it fits in `room` columns; returns the new length. */
static int bar_add(char *out, size_t len, int at, int room, const char *text)
{
    int need = (at ? 2 : 0) + (int)strlen(text);
    if (at + need > room || at + need >= (int)len)
        return at;
    snprintf(out + at, len - (size_t)at, "%s%s", at ? "  " : "", text);
    return at + need;
}

int keys_bar(char *out, size_t len, int width, bool offer)
{
    char tail[64] = "", bar[256] = "", item[48];
    int tail_len = 0, at = 0;
    for (size_t i = 0; i < key_table_len; i++)
        if (key_table[i].rank < 0) {
            snprintf(item, sizeof item, "%s %s", key_table[i].label, key_table[i].bar);
            tail_len = bar_add(tail, sizeof tail, tail_len, (int)sizeof tail - 1, item);
        }
    int room = width - 1 - 2 - tail_len; /* a space before the bar, two before the tail */
    bool full = false; /* strictly by rank: after the first key that does not fit, none */
    for (int rank = 1; rank <= 16 && !full; rank++) {
        for (size_t i = 0; i < key_table_len && !full; i++) {
            const key_binding *k = &key_table[i];
            if (k->rank != rank || !k->bar || (k->action == ACT_ACCEPT && !offer))
                continue;
            snprintf(item, sizeof item, "%s %s", k->label, k->bar);
            int next = bar_add(bar, sizeof bar, at, room, item);
            full = next == at;
            at = next;
        }
        for (size_t i = 0; i < sizeof bar_pairs / sizeof bar_pairs[0] && !full; i++)
            if (bar_pairs[i].rank == rank) {
                int next = bar_add(bar, sizeof bar, at, room, bar_pairs[i].text);
                full = next == at;
                at = next;
            }
    }
    return snprintf(out, len, " %s%s%s", bar, at ? "  " : "", tail);
}

wb_action_kind keys_lookup(int key)
{
    for (size_t i = 0; i < key_table_len; i++)
        if (key_table[i].key == key)
            return key_table[i].action;
    return ACT_NONE;
}

/* Reads up to `max` values after the command word, the i-th through the
 * validator of q[i] (quantity.h: the command line's and config files' too).
 * Returns how many, or -1 with err naming the command and what is allowed. */
static int read_values(const char *cmd, const char *p, const quantity *const *q, int max,
                       double *v, char *err, size_t err_len)
{
    int n = 0;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            return n;
        size_t len = strcspn(p, " \t");
        char tok[64];
        lr_err e;
        if (n == max) {
            snprintf(err, err_len, ":%s takes at most %d value%s", cmd, max, max == 1 ? "" : "s");
            return -1;
        }
        if (len >= sizeof tok) {
            snprintf(err, err_len, ":%s: '%.20s...' is too long for a number", cmd, p);
            return -1;
        }
        memcpy(tok, p, len);
        tok[len] = '\0';
        if (quantity_real(q[n], tok, &v[n], &e)) {
            snprintf(err, err_len, ":%s: %s", cmd, e.msg);
            return -1;
        }
        n++;
        p += len;
    }
}

/* The first occurrence of `word` in s as a whole word, or NULL. */
static char *word_in(char *s, const char *word)
{
    size_t len = strlen(word);
    for (char *p = strstr(s, word); p; p = strstr(p + 1, word))
        if ((p == s || p[-1] == ' ' || p[-1] == '\t') && (!p[len] || p[len] == ' ' ||
                                                          p[len] == '\t'))
            return p;
    return NULL;
}

static int count_words(const char *p)
{
    int n = 0;
    for (;;) {
        p += strspn(p, " \t");
        if (!*p)
            return n;
        n++;
        p += strcspn(p, " \t");
    }
}

static int fail(char *err, size_t len, const char *msg)
{
    snprintf(err, len, "%s", msg);
    return -1;
}

int keys_parse_command(const char *line, wb_action *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    while (*line == ' ')
        line++;
    char word[32];
    size_t k = 0;
    while (line[k] && line[k] != ' ' && k < sizeof word - 1) {
        word[k] = line[k];
        k++;
    }
    word[k] = '\0';
    const char *rest = line + k;
    double v[2] = { 0, 0 };
    /* :lr MIN MAX or :lr MAX; the same for :policy's bounds. */
    const quantity *const bounds2[] = { &Q_LR_MIN, &Q_LR }, *const bounds1[] = { &Q_LR };

    bool bare = rest[strspn(rest, " ")] == '\0';
    if (!strcmp(word, "q") || !strcmp(word, "quit") || !strcmp(word, "export")) {
        if (!bare) /* ':q now' is not a quit someone meant to type */
            return fail(err, err_len, word[0] == 'e' ? ":export takes nothing after it"
                                                     : ":q takes nothing after it");
        out->kind = word[0] == 'e' ? ACT_EXPORT_CODE : ACT_QUIT;
        return 0;
    }
    if (!strcmp(word, "png") || !strcmp(word, "model")) {
        while (*rest == ' ')
            rest++;
        if (!strcmp(word, "model") && !*rest)
            return fail(err, err_len, ":model needs a spec, e.g. :model mlp:512,512");
        out->kind = !strcmp(word, "png") ? ACT_PNG : ACT_SET_MODEL;
        lr_err e;
        if (*rest && quantity_text(out->kind == ACT_PNG ? &Q_PNG_NAME : &Q_MODEL, rest,
                                   out->text, sizeof out->text, &e)) {
            snprintf(err, err_len, ":%s: %s", word, e.msg);
            return -1;
        }
        return 0;
    }
    if (!strcmp(word, "ghost")) {
        while (*rest == ' ')
            rest++;
        char *end;
        bool rm = !strncmp(rest, "rm ", 3);
        long g = strtol(rm ? rest + 3 : rest, &end, 10);
        bool number = end != (rm ? rest + 3 : rest) && !*end;
        if (rm && (!number || g < 1 || g > 9))
            return fail(err, err_len, ":ghost rm N removes ghost N (1 is the oldest)");
        out->kind = !*rest ? ACT_GHOST_LIST : rm ? ACT_GHOST_REMOVE
                  : number ? ACT_GHOST_TOGGLE : ACT_GHOST_LOAD;
        out->a = (double)g;
        snprintf(out->text, sizeof out->text, "%s", rest);
        return 0;
    }
    if (!strcmp(word, "reading")) {
        while (*rest == ' ')
            rest++;
        lr_err e;
        if (!*rest)
            return fail(err, err_len, ":reading needs one: offer (the default), smith, valley, "
                                      "slide, steep, minimum, lr-finder, valley* or steep*");
        if (rangetest_reading_parse(rest, &out->reading, &e))
            return fail(err, err_len, e.msg);
        out->kind = ACT_SET_READING;
        return 0;
    }
    if (!strcmp(word, "sweep")) {
        while (*rest == ' ')
            rest++;
        out->policy = SCHED_N_POLICIES;
        size_t w = strcspn(rest, " \t");
        if (w == 6 && !strncmp(rest, "linear", 6))
            out->policy = SCHED_SWEEP_LINEAR;
        else if (w == 3 && !strncmp(rest, "exp", 3))
            out->policy = SCHED_SWEEP_EXP;
        const char *nums = out->policy == SCHED_N_POLICIES ? rest : rest + w;
        char bounds[128];
        snprintf(bounds, sizeof bounds, "%s", nums);
        char *over = word_in(bounds, "over");
        out->sweep_iters = 0;
        if (over) {
            const quantity *const q[] = { &Q_ITERS };
            double it;
            if (read_values("sweep", over + 4, q, 1, &it, err, err_len) != 1)
                return fail(err, err_len, ":sweep ... over N: N iterations, a positive whole "
                                          "number");
            out->sweep_iters = (long)it;
            *over = '\0';
        }
        int n = read_values("sweep", bounds, count_words(bounds) == 1 ? bounds1 : bounds2, 2, v,
                            err, err_len);
        if (n < 0)
            return -1;
        if (n == 2 && !(v[0] < v[1]))
            return fail(err, err_len, ":sweep [linear|exp] [MIN] MAX: MIN must be below MAX");
        if (n == 2 && out->policy == SCHED_SWEEP_EXP && !(v[0] > 0.0))
            return fail(err, err_len, ":sweep exp MIN MAX: an exponential sweep needs MIN > 0 "
                                      "(fastai starts at 1e-7)");
        out->kind = ACT_SET_SWEEP;
        out->n_values = n;
        out->a = n == 2 ? v[0] : (double)NAN;
        out->b = n > 0 ? v[n - 1] : (double)NAN;
        return 0;
    }
    if (!strcmp(word, "policy")) {
        while (*rest == ' ')
            rest++;
        char name[32];
        size_t j = 0;
        while (rest[j] && rest[j] != ' ' && j < sizeof name - 1) {
            name[j] = rest[j];
            j++;
        }
        name[j] = '\0';
        if (sched_policy_parse(name, &out->policy) || sched_policy_is_sweep(out->policy))
            return fail(err, err_len, ":policy takes const, step, multistep, inv, clr, "
                                      "triangular2, exp_range or 1cycle [MIN MAX]");
        const char *nums = rest + j;
        int n = read_values("policy", nums, count_words(nums) == 1 ? bounds1 : bounds2, 2, v,
                            err, err_len);
        if (n < 0)
            return -1;
        if (n == 2 && v[0] > v[1])
            return fail(err, err_len, ":policy P [MIN MAX]: MIN must not exceed MAX");
        out->kind = ACT_START_POLICY;
        out->n_values = n;
        out->a = n == 2 ? v[0] : (double)NAN;
        out->b = n == 2 ? v[1] : n == 1 ? v[0] : (double)NAN;
        return 0;
    }
    if (!strcmp(word, "lr")) {
        int n = read_values("lr", rest, count_words(rest) == 1 ? bounds1 : bounds2, 2, v, err,
                            err_len);
        if (n < 0)
            return -1;
        if (n < 1)
            return fail(err, err_len,
                        ":lr MIN MAX (or :lr MAX): give the bounds, e.g. :lr 0.05 0.5");
        if (n == 2 && v[0] > v[1])
            return fail(err, err_len, ":lr MIN MAX (or :lr MAX): MIN must not exceed MAX");
        out->kind = ACT_SET_LR;
        out->n_values = n;
        out->a = n == 2 ? v[0] : (double)NAN;
        out->b = v[n - 1];
        return 0;
    }
    if (!strcmp(word, "wd")) {
        const quantity *const q[] = { &Q_WD };
        int n = read_values("wd", rest, q, 1, v, err, err_len);
        if (n < 0)
            return -1;
        if (n != 1)
            return fail(err, err_len, ":wd X: weight decay from 0 to below 1, e.g. :wd 1e-4");
        out->kind = ACT_SET_WD;
        out->a = v[0];
        out->n_values = 1;
        return 0;
    }
    if (!strcmp(word, "mom")) {
        const quantity *const q[] = { &Q_MOMENTUM, &Q_MOMENTUM };
        int n = read_values("mom", rest, q, 2, v, err, err_len);
        if (n < 0)
            return -1;
        if (n < 1 || (n == 2 && v[1] > v[0]))
            return fail(err, err_len, ":mom MAX [MIN]: momentum in [0, 1), MIN <= MAX");
        out->kind = ACT_SET_MOM;
        out->a = v[0];
        out->b = n == 2 ? v[1] : v[0];
        out->n_values = n;
        return 0;
    }
    if (!strcmp(word, "epochs") || !strcmp(word, "iters")) {
        bool ep = word[0] == 'e';
        const quantity *const q[] = { ep ? &Q_EPOCHS : &Q_ITERS };
        int n = read_values(word, rest, q, 1, v, err, err_len);
        if (n < 0)
            return -1;
        if (n != 1)
            return fail(err, err_len, ep ? ":epochs N: a positive number of epochs"
                                         : ":iters N: a positive whole number");
        out->kind = ep ? ACT_SET_EPOCHS : ACT_SET_ITERS;
        out->a = v[0];
        out->n_values = 1;
        return 0;
    }
    char msg[160];
    snprintf(msg, sizeof msg, "unknown command '%s': try lr, wd, mom, epochs, iters, policy, "
                              "model, sweep, reading, ghost, png, export, q", word);
    return fail(err, err_len, msg);
}
