/* sched_text.c — the schedule as text: policy/style names and their parsers,
 * the one-line description, config lines (write and read back) and the
 * --policy-help text. The contracts are in sched.h; the formulas live in
 * sched.c. */
#include "engine/sched.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- names ------------------------------------------------------------ */

static const char *const policy_names[SCHED_N_POLICIES] = {
    [SCHED_CONST] = "const",          [SCHED_STEP] = "step",
    [SCHED_MULTISTEP] = "multistep",  [SCHED_INV] = "inv",
    [SCHED_TRIANGULAR] = "clr",       [SCHED_TRIANGULAR2] = "triangular2",
    [SCHED_EXP_RANGE] = "exp_range",  [SCHED_1CYCLE] = "1cycle",
    [SCHED_SWEEP_LINEAR] = "sweep-linear", [SCHED_SWEEP_EXP] = "sweep-exp",
};

static const struct { const char *name; sched_policy p; } policy_aliases[] = {
    { "triangular", SCHED_TRIANGULAR },  { "constant", SCHED_CONST },
    { "onecycle", SCHED_1CYCLE },        { "exp-range", SCHED_EXP_RANGE },
    { "sweep_linear", SCHED_SWEEP_LINEAR }, { "sweep_exp", SCHED_SWEEP_EXP },
};

static const char *const style_names[ONECYCLE_N_STYLES] = { "smith", "pytorch", "fastai" };
static const char *const anneal_names[ANNEAL_N] = { "cos", "linear" };

/* names[i], or "?" when i is not an index of names[n]. */
static const char *name_at(const char *const *names, int n, int i)
{
    return i >= 0 && i < n ? names[i] : "?";
}

static int index_of(const char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(name, names[i]))
            return i;
    return -1;
}

const char *sched_policy_name(sched_policy p)
{
    return name_at(policy_names, SCHED_N_POLICIES, (int)p);
}

const char *sched_policy_list(void)
{
    return "const, step, multistep, inv, clr, triangular2, exp_range, 1cycle, "
           "sweep-linear, sweep-exp";
}

int sched_policy_parse(const char *name, sched_policy *out)
{
    int i = index_of(policy_names, SCHED_N_POLICIES, name);
    if (i >= 0) {
        *out = (sched_policy)i;
        return 0;
    }
    for (size_t k = 0; k < sizeof policy_aliases / sizeof policy_aliases[0]; k++)
        if (!strcmp(name, policy_aliases[k].name)) {
            *out = policy_aliases[k].p;
            return 0;
        }
    return -1;
}

const char *sched_style_name(onecycle_style st)
{
    return name_at(style_names, ONECYCLE_N_STYLES, (int)st);
}

int sched_style_parse(const char *name, onecycle_style *out)
{
    int i = index_of(style_names, ONECYCLE_N_STYLES, name);
    if (i >= 0)
        *out = (onecycle_style)i;
    return i >= 0 ? 0 : -1;
}

const char *sched_anneal_name(sched_anneal a)
{
    return name_at(anneal_names, ANNEAL_N, (int)a);
}

int sched_anneal_parse(const char *name, sched_anneal *out)
{
    int i = index_of(anneal_names, ANNEAL_N, name);
    if (i >= 0)
        *out = (sched_anneal)i;
    return i >= 0 ? 0 : -1;
}

/* ---- describe ----------------------------------------------------------- */

typedef struct { char *buf; int len, n; } outbuf;

static void put(outbuf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(outbuf *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int room = o->n < o->len ? o->len - o->n : 0;
    int k = vsnprintf(room ? o->buf + o->n : NULL, (size_t)room, fmt, ap);
    va_end(ap);
    if (k > 0)
        o->n += k;
}

/* The effective start LR: lr_min, or lr_max/div_factor for 1cycle pytorch/fastai. */
static double start_lr(const sched *s)
{
    if (s->policy == SCHED_1CYCLE && s->style != ONECYCLE_SMITH)
        return s->lr_max / s->div_factor;
    return s->lr_min;
}

int sched_describe(const sched *s, char *buf, int len)
{
    outbuf o = { buf, len > 0 ? len : 0, 0 };
    if (len > 0)
        buf[0] = '\0';
    put(&o, "%s", sched_policy_name(s->policy));
    switch (s->policy) {
    case SCHED_CONST:
        put(&o, " lr=%g", s->lr_max);
        break;
    case SCHED_STEP:
        put(&o, " lr=%g x%g every %ld", s->lr_max, s->gamma, s->stepsize);
        break;
    case SCHED_MULTISTEP:
        put(&o, " lr=%g x%g at", s->lr_max, s->gamma);
        for (int i = 0; i < s->n_milestones && i < SCHED_MAX_MILESTONES; i++)
            put(&o, "%s%ld", i ? "," : " ", s->milestones[i]);
        if (s->n_milestones <= 0)
            put(&o, " -");
        break;
    case SCHED_INV:
        put(&o, " lr=%g gamma=%g power=%g", s->lr_max, s->gamma, s->power);
        break;
    case SCHED_TRIANGULAR:
    case SCHED_TRIANGULAR2:
    case SCHED_EXP_RANGE:
        put(&o, " %g->%g ss=%ld", s->lr_min, s->lr_max, s->stepsize);
        if (s->policy == SCHED_EXP_RANGE)
            put(&o, " gamma=%g", s->gamma);
        break;
    case SCHED_1CYCLE:
        put(&o, " %s", sched_style_name(s->style));
        if (s->style == ONECYCLE_SMITH) {
            put(&o, " %g->%g ss=%ld tail %g", s->lr_min, s->lr_max, sched_half_cycle(s),
                s->lr_min / s->smith_floor_div);
        } else {
            double st = start_lr(s);
            double end = s->style == ONECYCLE_PYTORCH ? st / s->final_div_factor
                                                      : s->lr_max / s->final_div_factor;
            put(&o, " %g->%g->%g pct=%g %s%s", st, s->lr_max, end, s->pct_start,
                sched_anneal_name(s->anneal), s->three_phase ? " 3-phase" : "");
        }
        break;
    case SCHED_SWEEP_LINEAR:
    case SCHED_SWEEP_EXP:
        put(&o, " %g->%g over %ld", s->lr_min, s->lr_max, s->total);
        if (s->stepsize > 0)
            put(&o, " (lr_max at step %ld)", s->stepsize);
        break;
    default:
        break;
    }
    if (s->cycle_momentum)
        put(&o, " mom %g-%g", s->mom_max, s->mom_min);
    else
        put(&o, " mom %g", s->mom_max);
    return o.n;
}

/* ---- config lines and help ---------------------------------------------- */

typedef enum { T_DOUBLE, T_LONG, T_BOOL, T_POLICY, T_STYLE, T_ANNEAL, T_MILESTONES } ptype;

#define ALL_POLICIES ((1u << SCHED_N_POLICIES) - 1u)
#define CLR_POLICIES ((1u << SCHED_TRIANGULAR) | (1u << SCHED_TRIANGULAR2) | \
                      (1u << SCHED_EXP_RANGE))
#define BIT(p) (1u << (p))
#define ALL_STYLES 7u
#define NOT_SMITH (BIT(ONECYCLE_PYTORCH) | BIT(ONECYCLE_FASTAI))

/* One row per field: the config key, how to read it, which policies (and, for
 * 1cycle, which styles) use it, and its help text. */
static const struct param {
    const char *key;
    ptype type;
    size_t off;
    unsigned policies, styles;
    const char *help;
} params[] = {
    { "policy", T_POLICY, offsetof(sched, policy), 0, 0, "" },
    { "lr_min", T_DOUBLE, offsetof(sched, lr_min),
      CLR_POLICIES | BIT(SCHED_SWEEP_LINEAR) | BIT(SCHED_SWEEP_EXP) | BIT(SCHED_1CYCLE),
      BIT(ONECYCLE_SMITH), "bottom of the cycle / start of the sweep" },
    { "lr_max", T_DOUBLE, offsetof(sched, lr_max), ALL_POLICIES, ALL_STYLES,
      "the LR, or top of the cycle / end of the sweep" },
    { "total", T_LONG, offsetof(sched, total), ALL_POLICIES, ALL_STYLES,
      "planned iterations" },
    { "origin", T_LONG, offsetof(sched, origin), 0, 0, "" },
    { "stepsize", T_LONG, offsetof(sched, stepsize),
      BIT(SCHED_STEP) | CLR_POLICIES | BIT(SCHED_1CYCLE) | BIT(SCHED_SWEEP_LINEAR) |
      BIT(SCHED_SWEEP_EXP), BIT(ONECYCLE_SMITH),
      "half a cycle (step: between drops; sweep: steps to lr_max; 0: derive)" },
    { "gamma", T_DOUBLE, offsetof(sched, gamma),
      BIT(SCHED_STEP) | BIT(SCHED_MULTISTEP) | BIT(SCHED_INV) | BIT(SCHED_EXP_RANGE), 0,
      "decay factor" },
    { "power", T_DOUBLE, offsetof(sched, power), BIT(SCHED_INV), 0, "decay exponent" },
    { "milestones", T_MILESTONES, offsetof(sched, milestones), BIT(SCHED_MULTISTEP), 0,
      "iterations where the LR drops, comma-separated" },
    { "style", T_STYLE, offsetof(sched, style), BIT(SCHED_1CYCLE), ALL_STYLES,
      "smith, pytorch or fastai" },
    { "cycle_frac", T_DOUBLE, offsetof(sched, cycle_frac), BIT(SCHED_1CYCLE),
      BIT(ONECYCLE_SMITH), "share of the run in the cycle, if stepsize 0" },
    { "smith_floor_div", T_DOUBLE, offsetof(sched, smith_floor_div), BIT(SCHED_1CYCLE),
      BIT(ONECYCLE_SMITH), "tail LR = lr_min / this" },
    { "pct_start", T_DOUBLE, offsetof(sched, pct_start), BIT(SCHED_1CYCLE), NOT_SMITH,
      "fraction of the run spent rising" },
    { "div_factor", T_DOUBLE, offsetof(sched, div_factor), BIT(SCHED_1CYCLE), NOT_SMITH,
      "start LR = lr_max / this" },
    { "final_div_factor", T_DOUBLE, offsetof(sched, final_div_factor), BIT(SCHED_1CYCLE),
      NOT_SMITH, "end = start / this (fastai: lr_max / this)" },
    { "anneal", T_ANNEAL, offsetof(sched, anneal), BIT(SCHED_1CYCLE), NOT_SMITH,
      "cos or linear" },
    { "three_phase", T_BOOL, offsetof(sched, three_phase), BIT(SCHED_1CYCLE),
      BIT(ONECYCLE_PYTORCH), "rise, fall back to start, then anneal to end" },
    { "mom_max", T_DOUBLE, offsetof(sched, mom_max), ALL_POLICIES, ALL_STYLES,
      "momentum (the high end when cycled)" },
    { "mom_min", T_DOUBLE, offsetof(sched, mom_min), CLR_POLICIES | BIT(SCHED_1CYCLE),
      ALL_STYLES, "momentum while the LR is high" },
    { "cycle_momentum", T_BOOL, offsetof(sched, cycle_momentum),
      CLR_POLICIES | BIT(SCHED_1CYCLE), ALL_STYLES, "cycle momentum against the LR" },
};
#define N_PARAMS (sizeof params / sizeof params[0])

/* Shortest decimal that reads back to the same double. */
static void fmt_double(char *buf, size_t len, double v)
{
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, len, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

static void fmt_value(const sched *s, const struct param *p, char *buf, size_t len)
{
    const char *f = (const char *)s + p->off;
    double d;
    long l;
    bool b;
    switch (p->type) {
    case T_DOUBLE:
        memcpy(&d, f, sizeof d);
        if (p->off == offsetof(sched, lr_min))
            d = start_lr(s);
        fmt_double(buf, len, d);
        break;
    case T_LONG:
        memcpy(&l, f, sizeof l);
        snprintf(buf, len, "%ld", l);
        break;
    case T_BOOL:
        memcpy(&b, f, sizeof b);
        snprintf(buf, len, "%s", b ? "true" : "false");
        break;
    case T_POLICY: snprintf(buf, len, "%s", sched_policy_name(s->policy)); break;
    case T_STYLE: snprintf(buf, len, "%s", sched_style_name(s->style)); break;
    case T_ANNEAL: snprintf(buf, len, "%s", sched_anneal_name(s->anneal)); break;
    case T_MILESTONES: {
        size_t n = 0;
        buf[0] = '\0';
        for (int i = 0; i < s->n_milestones && i < SCHED_MAX_MILESTONES && n < len; i++)
            n += (size_t)snprintf(buf + n, len - n, "%s%ld", i ? "," : "", s->milestones[i]);
        break;
    }
    }
}

int sched_write_config(const sched *s, FILE *f)
{
    char v[SCHED_MAX_MILESTONES * 22];
    for (size_t i = 0; i < N_PARAMS; i++) {
        fmt_value(s, &params[i], v, sizeof v);
        if (fprintf(f, "sched.%s = %s\n", params[i].key, v) < 0)
            return -1;
    }
    return ferror(f) ? -1 : 0;
}

bool sched_param_used(const char *key, sched_policy p, onecycle_style st)
{
    for (size_t i = 0; i < N_PARAMS; i++)
        if (!strcmp(key, params[i].key))
            return (params[i].policies & BIT(p)) &&
                   (p != SCHED_1CYCLE || (params[i].styles & BIT(st)));
    return false;
}

static bool parse_long_str(const char *v, long *out)
{
    char *end;
    errno = 0;
    long l = strtol(v, &end, 10);
    if (end == v || *end || errno)
        return false;
    *out = l;
    return true;
}

int sched_set_param(sched *s, const char *key, const char *value, lr_err *e)
{
    if (!strncmp(key, "sched.", 6))
        key += 6;
    const struct param *p = NULL;
    for (size_t i = 0; i < N_PARAMS; i++)
        if (!strcmp(key, params[i].key))
            p = &params[i];
    if (!p) {
        char known[512];
        size_t n = 0;
        for (size_t i = 0; i < N_PARAMS && n < sizeof known; i++)
            n += (size_t)snprintf(known + n, sizeof known - n, "%s%s", i ? ", " : "",
                                  params[i].key);
        return lr_fail(e, "unknown schedule setting '%s' (known: %s)", key, known);
    }

    char v[256];
    while (*value == ' ' || *value == '\t')
        value++;
    size_t n = strlen(value);
    while (n && strchr(" \t\r\n", value[n - 1]))
        n--;
    if (n >= sizeof v)
        return lr_fail(e, "sched.%s: the value is too long", key);
    memcpy(v, value, n);
    v[n] = '\0';

    char *f = (char *)s + p->off;
    double d;
    long l;
    char *end;
    switch (p->type) {
    case T_DOUBLE:
        errno = 0;
        d = strtod(v, &end);
        if (end == v || *end)
            return lr_fail(e, "sched.%s: '%s' is not a number", key, v);
        if (errno == ERANGE && fabs(d) == HUGE_VAL) /* underflow keeps its tiny value */
            return lr_fail(e, "sched.%s: '%s' is too large", key, v);
        memcpy(f, &d, sizeof d);
        return 0;
    case T_LONG:
        if (!parse_long_str(v, &l))
            return lr_fail(e, "sched.%s: '%s' is not a whole number", key, v);
        memcpy(f, &l, sizeof l);
        return 0;
    case T_BOOL: {
        bool b;
        if (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "on"))
            b = true;
        else if (!strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "no") ||
                 !strcmp(v, "off"))
            b = false;
        else
            return lr_fail(e, "sched.%s: '%s' is not true or false", key, v);
        memcpy(f, &b, sizeof b);
        return 0;
    }
    case T_POLICY:
        if (sched_policy_parse(v, &s->policy))
            return lr_fail(e, "sched.policy: '%s' is unknown; use one of %s", v,
                           sched_policy_list());
        return 0;
    case T_STYLE:
        if (sched_style_parse(v, &s->style))
            return lr_fail(e, "sched.style: '%s' is unknown; use smith, pytorch or fastai", v);
        return 0;
    case T_ANNEAL:
        if (sched_anneal_parse(v, &s->anneal))
            return lr_fail(e, "sched.anneal: '%s' is unknown; use cos or linear", v);
        return 0;
    case T_MILESTONES: {
        long m[SCHED_MAX_MILESTONES];
        int k = 0;
        for (char *tok = v; *tok;) {
            char *comma = strchr(tok, ',');
            if (comma)
                *comma = '\0';
            while (*tok == ' ')
                tok++;
            size_t tl = strlen(tok);
            while (tl && tok[tl - 1] == ' ')
                tok[--tl] = '\0';
            if (k == SCHED_MAX_MILESTONES)
                return lr_fail(e, "sched.milestones: at most %d are allowed",
                               SCHED_MAX_MILESTONES);
            if (!parse_long_str(tok, &m[k]))
                return lr_fail(e, "sched.milestones: '%s' is not a whole number of "
                                  "iterations", tok);
            k++;
            if (!comma)
                break;
            tok = comma + 1;
        }
        memcpy(s->milestones, m, (size_t)k * sizeof m[0]);
        s->n_milestones = k;
        return 0;
    }
    }
    return lr_fail(e, "sched.%s: cannot be set", key);
}

static const struct policy_doc {
    const char *what;
    const char *formula;
} policy_docs[SCHED_N_POLICIES] = {
    [SCHED_CONST] = { "constant learning rate", "lr = lr_max" },
    [SCHED_STEP] = { "drop by gamma every stepsize iterations (Caffe step)",
                     "lr = lr_max * gamma^floor(u/stepsize)" },
    [SCHED_MULTISTEP] = { "drop by gamma at each milestone",
                          "lr = lr_max * gamma^(number of milestones <= u)" },
    [SCHED_INV] = { "inverse decay (Caffe inv)", "lr = lr_max * (1 + gamma*u)^(-power)" },
    [SCHED_TRIANGULAR] = { "cyclical LR, triangular (alias: triangular)",
                           "cycle = floor(1 + u/(2*stepsize)), x = |u/stepsize - 2*cycle + 1|\n"
                           "      lr = lr_min + (lr_max - lr_min) * max(0, 1-x)" },
    [SCHED_TRIANGULAR2] = { "cyclical LR whose amplitude halves every cycle",
                            "lr = lr_min + (lr_max - lr_min) * max(0, 1-x) / 2^(cycle-1)" },
    [SCHED_EXP_RANGE] = { "cyclical LR whose amplitude decays as gamma^u",
                          "lr = lr_min + (lr_max - lr_min) * max(0, 1-x) * gamma^u" },
    [SCHED_1CYCLE] = { "one cycle, then annihilation; three styles", NULL },
    [SCHED_SWEEP_LINEAR] = { "LR range test, linear (Smith)",
                             "lr = lr_min + (lr_max - lr_min) * u/total" },
    [SCHED_SWEEP_EXP] = { "LR range test, exponential (fastai lr_find)",
                          "lr = lr_min * (lr_max/lr_min)^(u/total)" },
};

static const char *const style_docs[ONECYCLE_N_STYLES] = {
    [ONECYCLE_SMITH] = "Smith's Caffe 1cycle\n"
                       "      lr_min -> lr_max over ss, a straight line toward 0 over ss,\n"
                       "      then lr_min/smith_floor_div; ss = stepsize or cycle_frac*total/2",
    [ONECYCLE_PYTORCH] = "PyTorch OneCycleLR\n"
                         "      lr_max/div_factor -> lr_max (pct_start of the run)\n"
                         "      -> lr_max/div_factor/final_div_factor, cos or linear",
    [ONECYCLE_FASTAI] = "fastai fit_one_cycle\n"
                        "      lr_max/div_factor -> lr_max (pct_start of the run)\n"
                        "      -> lr_max/final_div_factor, cos",
};

static void print_params(FILE *f, const sched *d, unsigned style_bit)
{
    char v[SCHED_MAX_MILESTONES * 22];
    for (size_t i = 0; i < N_PARAMS; i++) {
        const struct param *p = &params[i];
        if (!(p->policies & BIT(d->policy)))
            continue;
        if (d->policy == SCHED_1CYCLE && !(p->styles & style_bit))
            continue;
        fmt_value(d, p, v, sizeof v);
        fprintf(f, "    %-17s %-10s %s\n", p->key, v, p->help);
    }
}

void sched_print_help(FILE *f)
{
    fprintf(f, "Schedules (u = iteration - origin; origin moves on restart). Momentum is\n"
               "mom_max unless cycle_momentum is set: then clr-type policies use\n"
               "mom = mom_max - (mom_max - mom_min)*scale and 1cycle goes mom_max -> mom_min\n"
               "-> mom_max with the LR. clr, triangular2 and exp_range keep cycling past\n"
               "total; the others hold their last planned value.\n");
    for (int p = 0; p < SCHED_N_POLICIES; p++) {
        sched d;
        fprintf(f, "\n%s: %s\n", policy_names[p], policy_docs[p].what);
        if (p != SCHED_1CYCLE) {
            sched_defaults(&d, (sched_policy)p);
            fprintf(f, "      %s\n  parameters (defaults):\n", policy_docs[p].formula);
            print_params(f, &d, 0);
            continue;
        }
        for (int st = 0; st < ONECYCLE_N_STYLES; st++) {
            sched_onecycle_defaults(&d, (onecycle_style)st);
            fprintf(f, "  style %s: %s\n  parameters (defaults):\n", style_names[st],
                    style_docs[st]);
            print_params(f, &d, BIT(st));
        }
    }
}
