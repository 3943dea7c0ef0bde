#include "tui/keys.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const key_binding key_table[] = {
    { 'r', ACT_RANGE_TEST, "r", "run an LR range test (weights start fresh)" },
    { '1', ACT_START_1CYCLE, "1", "start 1cycle with the current bounds" },
    { 'c', ACT_START_CLR, "c", "start CLR (triangular) with the current bounds" },
    { 's', ACT_START_STEP, "s", "start a step-schedule baseline (lr max/3, x0.1 at 50%, 75%)" },
    { ']', ACT_MAX_UP, "]", "raise max LR (x1.25)" },
    { '[', ACT_MAX_DOWN, "[", "lower max LR (/1.25)" },
    { '}', ACT_MIN_UP, "}", "raise min LR (x1.25)" },
    { '{', ACT_MIN_DOWN, "{", "lower min LR (/1.25)" },
    { 'w', ACT_WD_UP, "w", "raise weight decay (log grid: 1e-4, 3e-4, 1e-3...)" },
    { 'W', ACT_WD_DOWN, "W", "lower weight decay" },
    { 'm', ACT_MOM_UP, "m", "raise momentum (+0.01, both ends)" },
    { 'M', ACT_MOM_DOWN, "M", "lower momentum" },
    { 'R', ACT_RESTART, "R", "restart the cycle from this iteration" },
    { ' ', ACT_PAUSE, "space", "pause / resume" },
    { 'p', ACT_PAUSE, "p", "pause / resume" },
    { 'a', ACT_ACCEPT, "a", "accept the range test's suggested bounds" },
    { ':', ACT_CMDLINE, ":", "type a command (see below)" },
    { 'l', ACT_TOGGLE_LOG, "l", "loss axis: log / linear" },
    { 'g', ACT_GHOST, "g", "keep this run as a ghost to compare with the next" },
    { 'G', ACT_CLEAR_GHOSTS, "G", "forget the ghosts" },
    { 'e', ACT_EXPORT, "e", "export: flush the run's CSV files, show where" },
    { 'P', ACT_PNG, "P", "write the panels to a PNG in the run folder" },
    { 'S', ACT_SCREENSHOT, "S", "write a PNG of this screen" },
    { 'x', ACT_TOGGLE_EST, "x", "show / hide the optimal-LR estimate" },
    { 'A', ACT_TOGGLE_ASCII, "A", "braille / ASCII plots" },
    { '?', ACT_HELP, "?", "this help" },
    { 'q', ACT_QUIT, "q", "quit (asks while a run is in progress)" },
};
const size_t key_table_len = sizeof key_table / sizeof key_table[0];

const char *const command_help[] = {
    ":lr MIN MAX    set the LR bounds (:lr MAX keeps the min)",
    ":wd X          weight decay, e.g. :wd 3e-4",
    ":mom MAX [MIN] momentum; a range cycles it (e.g. :mom 0.95 0.85)",
    ":epochs N      length of the next runs (or :iters N)",
    ":policy P [MIN MAX]  start a run: const step multistep inv clr",
    "               triangular2 exp_range 1cycle",
    ":model SPEC    model of the next runs (mlp:512,512, mlp-bn:512,512)",
    ":png [FILE]    write the panels to a PNG",
    ":export        flush the run files    :q  quit",
    NULL,
};

wb_action_kind keys_lookup(int key)
{
    for (size_t i = 0; i < key_table_len; i++)
        if (key_table[i].key == key)
            return key_table[i].action;
    return ACT_NONE;
}

/* Reads up to `max` numbers after the command word. Returns how many, or -1
 * when a token is not a finite number. */
static int read_numbers(const char *p, double *v, int max, const char **bad)
{
    int n = 0;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        char *end;
        double x = strtod(p, &end);
        if (end == p || !isfinite(x) || (*end && *end != ' ' && *end != '\t')) {
            *bad = p;
            return -1;
        }
        if (n == max) {
            *bad = p;
            return -1;
        }
        v[n++] = x;
        p = end;
    }
    return n;
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
    const char *bad = NULL;

    if (!strcmp(word, "q") || !strcmp(word, "quit")) {
        out->kind = ACT_QUIT;
        return 0;
    }
    if (!strcmp(word, "export")) {
        out->kind = ACT_EXPORT;
        return 0;
    }
    if (!strcmp(word, "png") || !strcmp(word, "model")) {
        while (*rest == ' ')
            rest++;
        if (!strcmp(word, "model") && !*rest)
            return fail(err, err_len, ":model needs a spec, e.g. :model mlp:512,512");
        out->kind = !strcmp(word, "png") ? ACT_PNG : ACT_SET_MODEL;
        snprintf(out->text, sizeof out->text, "%s", rest);
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
        int n = read_numbers(rest + j, v, 2, &bad);
        if (n < 0 || (n == 2 && (v[0] < 0 || v[1] <= 0 || v[0] > v[1])) ||
            (n == 1 && v[0] <= 0))
            return fail(err, err_len, ":policy P [MIN MAX]: LRs must be positive, MIN <= MAX");
        out->kind = ACT_START_POLICY;
        out->n_values = n;
        out->a = n == 2 ? v[0] : (double)NAN;
        out->b = n == 2 ? v[1] : n == 1 ? v[0] : (double)NAN;
        return 0;
    }
    int n = read_numbers(rest, v, 2, &bad);
    if (!strcmp(word, "lr")) {
        if (n < 1 || v[0] < 0 || (n == 2 && (v[1] <= 0 || v[0] > v[1])) ||
            (n == 1 && v[0] <= 0) || v[n - 1] > 1e4)
            return fail(err, err_len, ":lr MIN MAX (or :lr MAX): positive LRs up to 1e4, "
                                      "MIN <= MAX");
        out->kind = ACT_SET_LR;
        out->n_values = n;
        out->a = n == 2 ? v[0] : (double)NAN;
        out->b = v[n - 1];
        return 0;
    }
    if (!strcmp(word, "wd")) {
        if (n != 1 || v[0] < 0 || v[0] >= 1)
            return fail(err, err_len, ":wd X: weight decay from 0 to below 1, e.g. :wd 1e-4");
        out->kind = ACT_SET_WD;
        out->a = v[0];
        out->n_values = 1;
        return 0;
    }
    if (!strcmp(word, "mom")) {
        if (n < 1 || v[0] < 0 || v[0] >= 1 || (n == 2 && (v[1] < 0 || v[1] > v[0])))
            return fail(err, err_len, ":mom MAX [MIN]: momentum in [0, 1), MIN <= MAX");
        out->kind = ACT_SET_MOM;
        out->a = v[0];
        out->b = n == 2 ? v[1] : v[0];
        out->n_values = n;
        return 0;
    }
    if (!strcmp(word, "epochs") || !strcmp(word, "iters")) {
        bool ep = word[0] == 'e';
        if (n != 1 || v[0] <= 0 || v[0] > 1e7 || (!ep && v[0] != floor(v[0])))
            return fail(err, err_len, ep ? ":epochs N: a positive number of epochs"
                                         : ":iters N: a positive whole number");
        out->kind = ep ? ACT_SET_EPOCHS : ACT_SET_ITERS;
        out->a = v[0];
        out->n_values = 1;
        return 0;
    }
    char msg[160];
    snprintf(msg, sizeof msg, "unknown command '%s': try lr, wd, mom, epochs, iters, policy, "
                              "model, png, export, q", word);
    return fail(err, err_len, msg);
}

double keys_wd_step(double wd, bool up)
{
    if (wd <= 0)
        return up ? 1e-5 : 0.0;
    /* Half-decade index: 1e-4 -> -8, 3e-4 -> -7 (log10(3) ~ 0.5). */
    double k = round(2.0 * log10(wd)) + (up ? 1 : -1);
    double decade = pow(10.0, floor(k / 2.0));
    double next = fmod(k, 2.0) == 0.0 ? decade : 3.0 * decade;
    return !up && next < 1e-6 ? 0.0 : next;
}
