/* test_sched_config.c — schedule defaults and validation, policy names, the
 * one-line description, the config round trip and the --policy-help text. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "engine/sched.h"

#include "tests/sched_check.h"

/* ---- validation ---------------------------------------------------------- */

Test(sched, defaults_are_valid)
{
    lr_err e = { "" };
    for (int p = 0; p < SCHED_N_POLICIES; p++) {
        sched s;
        sched_defaults(&s, (sched_policy)p);
        cr_expect(sched_validate(&s, &e) == 0, "%s: %s", sched_policy_name(s.policy), e.msg);
        cr_expect_eq(s.policy, (sched_policy)p);
    }
    for (int st = 0; st < ONECYCLE_N_STYLES; st++) {
        sched s;
        sched_onecycle_defaults(&s, (onecycle_style)st);
        cr_expect(sched_validate(&s, &e) == 0, "%s: %s", sched_style_name(s.style), e.msg);
        cr_expect_eq(s.style, (onecycle_style)st);
    }
    sched s;
    sched_defaults(&s, SCHED_1CYCLE);
    cr_expect_eq(s.style, ONECYCLE_SMITH);
    cr_expect_eq(s.stepsize, 0);
    cr_expect_eq(s.smith_floor_div, 1000.0);
    sched_onecycle_defaults(&s, ONECYCLE_PYTORCH);
    cr_expect(s.pct_start == 0.3 && s.div_factor == 25.0 && s.final_div_factor == 1e4);
    cr_expect(s.mom_max == 0.95 && s.mom_min == 0.85 && s.cycle_momentum);
    cr_expect(close_to(s.lr_min, s.lr_max / 25.0), "lr_min mirrors the start LR");
    sched_onecycle_defaults(&s, ONECYCLE_FASTAI);
    cr_expect(s.pct_start == 0.25 && s.div_factor == 25.0 && s.final_div_factor == 1e5);
    sched_defaults(&s, SCHED_TRIANGULAR);
    cr_expect(s.stepsize == 2000 && s.mom_max == 0.9 && s.mom_min == 0.8);
}

static const struct bad_case {
    sched_policy policy;
    onecycle_style style;
    const char *key1, *val1, *key2, *val2;
    const char *needle;       /* the message must contain this */
} bad_cases[] = {
    { SCHED_CONST, 0, "total", "0", NULL, NULL, "at least 1" },
    { SCHED_CONST, 0, "total", "-3", NULL, NULL, "total" },
    { SCHED_CONST, 0, "origin", "-5", NULL, NULL, "origin" },
    { SCHED_CONST, 0, "lr_max", "0", NULL, NULL, "greater than 0" },
    { SCHED_STEP, 0, "lr_max", "-0.1", NULL, NULL, "greater than 0" },
    { SCHED_CONST, 0, "lr_max", "nan", NULL, NULL, "finite" },
    { SCHED_CONST, 0, "lr_max", "inf", NULL, NULL, "finite" },
    { SCHED_STEP, 0, "stepsize", "0", NULL, NULL, "at least 1" },
    { SCHED_STEP, 0, "gamma", "0", NULL, NULL, "gamma" },
    { SCHED_STEP, 0, "gamma", "1e10", "stepsize", "1", "overflow" },
    { SCHED_MULTISTEP, 0, "milestones", "7500,5000", NULL, NULL, "increasing order" },
    { SCHED_MULTISTEP, 0, "milestones", "-1,5", NULL, NULL, "negative" },
    { SCHED_MULTISTEP, 0, "gamma", "-0.1", NULL, NULL, "gamma" },
    { SCHED_INV, 0, "power", "-1", NULL, NULL, "0 or more" },
    { SCHED_INV, 0, "gamma", "-1e-4", NULL, NULL, "0 or more" },
    { SCHED_TRIANGULAR, 0, "stepsize", "0", NULL, NULL, "at least 1" },
    { SCHED_TRIANGULAR2, 0, "stepsize", "-4", NULL, NULL, "half a cycle" },
    { SCHED_TRIANGULAR, 0, "lr_min", "0.5", "lr_max", "0.1", "must not exceed" },
    { SCHED_TRIANGULAR, 0, "lr_min", "-0.01", NULL, NULL, "0 or more" },
    { SCHED_TRIANGULAR, 0, "lr_max", "0", "lr_min", "0", "greater than 0" },
    { SCHED_EXP_RANGE, 0, "gamma", "1.5", NULL, NULL, "(0, 1]" },
    { SCHED_EXP_RANGE, 0, "gamma", "0", NULL, NULL, "(0, 1]" },
    { SCHED_TRIANGULAR, 0, "mom_max", "1", NULL, NULL, "[0, 1)" },
    { SCHED_TRIANGULAR, 0, "mom_max", "-0.1", NULL, NULL, "[0, 1)" },
    { SCHED_TRIANGULAR, 0, "mom_min", "1.2", "mom_max", "0.9", "[0, 1)" },
    { SCHED_TRIANGULAR, 0, "mom_min", "0.95", "mom_max", "0.85", "reversed" },
    { SCHED_CONST, 0, "cycle_momentum", "true", "mom_min", "0.8", "cannot cycle momentum" },
    { SCHED_1CYCLE, ONECYCLE_SMITH, "lr_min", "0", NULL, NULL, "greater than 0" },
    { SCHED_1CYCLE, ONECYCLE_SMITH, "lr_min", "1", "lr_max", "0.5", "must not exceed" },
    { SCHED_1CYCLE, ONECYCLE_SMITH, "stepsize", "-1", NULL, NULL, "at least 1" },
    { SCHED_1CYCLE, ONECYCLE_SMITH, "cycle_frac", "0", NULL, NULL, "(0, 1]" },
    { SCHED_1CYCLE, ONECYCLE_SMITH, "cycle_frac", "1.5", NULL, NULL, "(0, 1]" },
    { SCHED_1CYCLE, ONECYCLE_SMITH, "smith_floor_div", "0.5", NULL, NULL, "at least 1" },
    { SCHED_1CYCLE, ONECYCLE_PYTORCH, "pct_start", "0", NULL, NULL, "(0, 1)" },
    { SCHED_1CYCLE, ONECYCLE_PYTORCH, "pct_start", "1", NULL, NULL, "(0, 1)" },
    { SCHED_1CYCLE, ONECYCLE_FASTAI, "pct_start", "-0.2", NULL, NULL, "(0, 1)" },
    { SCHED_1CYCLE, ONECYCLE_PYTORCH, "three_phase", "true", "pct_start", "0.5", "below 0.5" },
    { SCHED_1CYCLE, ONECYCLE_FASTAI, "three_phase", "true", NULL, NULL, "two phases" },
    { SCHED_1CYCLE, ONECYCLE_PYTORCH, "div_factor", "0.5", NULL, NULL, "div_factor" },
    { SCHED_1CYCLE, ONECYCLE_FASTAI, "final_div_factor", "0", NULL, NULL, "final_div_factor" },
    { SCHED_1CYCLE, ONECYCLE_PYTORCH, "lr_max", "0", NULL, NULL, "greater than 0" },
    { SCHED_1CYCLE, ONECYCLE_PYTORCH, "mom_min", "0.99", NULL, NULL, "reversed" },
    { SCHED_SWEEP_EXP, 0, "lr_min", "0", NULL, NULL, "greater than 0" },
    { SCHED_SWEEP_LINEAR, 0, "lr_min", "-1", NULL, NULL, "0 or more" },
    { SCHED_SWEEP_LINEAR, 0, "lr_min", "4", NULL, NULL, "must not exceed" },
};

Test(sched, validate_refuses_bad_settings)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const struct bad_case *c = &bad_cases[i];
        sched s, before;
        lr_err e = { "" };
        if (c->policy == SCHED_1CYCLE)
            sched_onecycle_defaults(&s, c->style);
        else
            sched_defaults(&s, c->policy);
        cr_assert(sched_set_param(&s, c->key1, c->val1, &e) == 0, "%s", e.msg);
        if (c->key2)
            cr_assert(sched_set_param(&s, c->key2, c->val2, &e) == 0, "%s", e.msg);
        memcpy(&before, &s, sizeof s);
        e.msg[0] = '\0';
        int rc = sched_validate(&s, &e);
        cr_expect_eq(rc, -1, "case %zu (%s %s=%s) was accepted", i,
                     sched_policy_name(c->policy), c->key1, c->val1);
        cr_expect(strstr(e.msg, c->needle) != NULL,
                  "case %zu (%s %s=%s): message \"%s\" lacks \"%s\"", i,
                  sched_policy_name(c->policy), c->key1, c->val1, e.msg, c->needle);
        cr_expect(memcmp(&before, &s, sizeof s) == 0, "validate changed the schedule");
    }
}

Test(sched, validate_refuses_out_of_range_enums)
{
    sched s;
    lr_err e = { "" };
    sched_defaults(&s, SCHED_CONST);
    s.policy = (sched_policy)99;
    cr_expect_eq(sched_validate(&s, &e), -1);
    cr_expect(strstr(e.msg, "1cycle") != NULL, "lists the policies: %s", e.msg);
    sched_onecycle_defaults(&s, ONECYCLE_PYTORCH);
    s.style = (onecycle_style)7;
    cr_expect_eq(sched_validate(&s, &e), -1);
    cr_expect(strstr(e.msg, "smith, pytorch or fastai") != NULL, "%s", e.msg);
    sched_onecycle_defaults(&s, ONECYCLE_PYTORCH);
    s.anneal = (sched_anneal)9;
    cr_expect_eq(sched_validate(&s, &e), -1);
    cr_expect(strstr(e.msg, "cos or linear") != NULL, "%s", e.msg);
    sched_defaults(&s, SCHED_MULTISTEP);
    s.n_milestones = SCHED_MAX_MILESTONES + 1;
    cr_expect_eq(sched_validate(&s, &e), -1);
    cr_expect(strstr(e.msg, "milestones") != NULL, "%s", e.msg);
    cr_expect_eq(sched_validate(&s, NULL), -1, "a NULL lr_err is allowed");
}

Test(sched, validate_accepts_edges)
{
    lr_err e = { "" };
    sched s = make_clr(SCHED_TRIANGULAR, 0.0, 0.1, 1, 1);  /* base 0, ss 1, total 1 */
    cr_expect(sched_validate(&s, &e) == 0, "%s", e.msg);
    s = make_clr(SCHED_TRIANGULAR, 0.1, 0.1, 10, 100);     /* flat cycle */
    cr_expect(sched_validate(&s, &e) == 0, "%s", e.msg);
    sched_defaults(&s, SCHED_MULTISTEP);
    s.n_milestones = 0;                                    /* no drops */
    cr_expect(sched_validate(&s, &e) == 0, "%s", e.msg);
    sched_onecycle_defaults(&s, ONECYCLE_PYTORCH);
    s.lr_min = 123.0;  /* a stale mirror: ignored, the start is lr_max/div_factor */
    cr_expect(sched_validate(&s, &e) == 0, "%s", e.msg);
    cr_expect(close_to(lr_at(&s, 0), s.lr_max / s.div_factor));
    sched_defaults(&s, SCHED_CONST);
    s.mom_max = 0.0;
    cr_expect(sched_validate(&s, &e) == 0, "%s", e.msg);
}

/* ---- names, description, config, help ----------------------------------- */

Test(sched, policy_names_round_trip)
{
    const char *names[] = { "const", "step", "multistep", "inv", "clr", "triangular2",
                            "exp_range", "1cycle", "sweep-linear", "sweep-exp" };
    for (int p = 0; p < SCHED_N_POLICIES; p++) {
        sched_policy out = SCHED_N_POLICIES;
        cr_expect_str_eq(sched_policy_name((sched_policy)p), names[p]);
        cr_expect_eq(sched_policy_parse(names[p], &out), 0);
        cr_expect_eq(out, (sched_policy)p);
        cr_expect(strstr(sched_policy_list(), names[p]) != NULL);
    }
    sched_policy out = SCHED_N_POLICIES;
    cr_expect(sched_policy_parse("triangular", &out) == 0 && out == SCHED_TRIANGULAR);
    cr_expect(sched_policy_parse("constant", &out) == 0 && out == SCHED_CONST);
    out = SCHED_STEP;
    cr_expect_eq(sched_policy_parse("cosine", &out), -1);
    cr_expect_eq(out, SCHED_STEP, "unchanged on failure");
    cr_expect_eq(sched_policy_parse("", &out), -1);
    cr_expect_str_eq(sched_policy_name((sched_policy)42), "?");

    onecycle_style st;
    cr_expect(sched_style_parse("fastai", &st) == 0 && st == ONECYCLE_FASTAI);
    cr_expect_eq(sched_style_parse("keras", &st), -1);
    sched_anneal an;
    cr_expect(sched_anneal_parse("linear", &an) == 0 && an == ANNEAL_LINEAR);
    cr_expect_str_eq(sched_anneal_name(ANNEAL_COS), "cos");
}

Test(sched, describe_one_line)
{
    char buf[128];
    sched s = make_smith(0.08, 0.8, 1000, 2500);
    int n = sched_describe(&s, buf, sizeof buf);
    cr_expect_str_eq(buf, "1cycle smith 0.08->0.8 ss=1000 tail 8e-05 mom 0.95-0.85");
    cr_expect_eq(n, (int)strlen(buf));

    sched_onecycle_defaults(&s, ONECYCLE_PYTORCH);
    sched_describe(&s, buf, sizeof buf);
    cr_expect_str_eq(buf, "1cycle pytorch 0.032->0.8->3.2e-06 pct=0.3 cos mom 0.95-0.85");
    sched_onecycle_defaults(&s, ONECYCLE_FASTAI);
    sched_describe(&s, buf, sizeof buf);
    cr_expect_str_eq(buf, "1cycle fastai 0.032->0.8->8e-06 pct=0.25 cos mom 0.95-0.85");
    sched_defaults(&s, SCHED_TRIANGULAR);
    sched_describe(&s, buf, sizeof buf);
    cr_expect_str_eq(buf, "clr 0.01->0.1 ss=2000 mom 0.9-0.8");
    sched_defaults(&s, SCHED_MULTISTEP);
    sched_describe(&s, buf, sizeof buf);
    cr_expect_str_eq(buf, "multistep lr=0.1 x0.1 at 5000,7500 mom 0.9");
    sched_defaults(&s, SCHED_SWEEP_EXP);
    sched_describe(&s, buf, sizeof buf);
    cr_expect_str_eq(buf, "sweep-exp 1e-07->10 over 100 mom 0.9");

    /* Cut short: still terminated, and the return says how long the line is. */
    sched_defaults(&s, SCHED_TRIANGULAR);
    char small[10];
    n = sched_describe(&s, small, sizeof small);
    cr_expect_eq(n, (int)strlen("clr 0.01->0.1 ss=2000 mom 0.9-0.8"));
    cr_expect_str_eq(small, "clr 0.01-");
    cr_expect_eq(sched_describe(&s, NULL, 0), n);
}

/* Reads a whole stream into buf (NUL-terminated). */
static void slurp(FILE *f, char *buf, size_t len)
{
    rewind(f);
    size_t n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
}

static void expect_config_round_trip(const sched *s)
{
    FILE *f = tmpfile();
    cr_assert(f);
    cr_assert_eq(sched_write_config(s, f), 0);
    rewind(f);
    sched back;
    sched_defaults(&back, SCHED_SWEEP_EXP);  /* different from everything written */
    back.milestones[5] = 99;
    char line[512];
    int n_lines = 0;
    lr_err e = { "" };
    while (fgets(line, sizeof line, f)) {
        char *eq = strstr(line, " = ");
        cr_assert(eq, "config line without ' = ': %s", line);
        *eq = '\0';
        cr_expect(strncmp(line, "sched.", 6) == 0, "key %s is not namespaced", line);
        cr_expect(sched_set_param(&back, line, eq + 3, &e) == 0, "%s", e.msg);
        n_lines++;
    }
    cr_expect_geq(n_lines, 20, "every field is written");

    char a[4096], b[4096];
    slurp(f, a, sizeof a);
    fclose(f);
    f = tmpfile();
    cr_assert(f);
    sched_write_config(&back, f);
    slurp(f, b, sizeof b);
    fclose(f);
    cr_expect_str_eq(a, b);
    for (long t = 0; t < sched_end(s) + 50; t += 1 + sched_end(s) / 37) {
        cr_expect_eq(lr_at(&back, t), lr_at(s, t), "lr differs at t=%ld after reading back", t);
        cr_expect_eq(mom_at(&back, t), mom_at(s, t));
    }
}

Test(sched, config_round_trip)
{
    sched s;
    sched_defaults(&s, SCHED_MULTISTEP);
    s.lr_max = 0.1 + 0.2;  /* needs 17 digits */
    s.milestones[2] = 9000;
    s.n_milestones = 3;
    s.origin = 42;
    expect_config_round_trip(&s);
    for (int p = 0; p < SCHED_N_POLICIES; p++) {
        sched_defaults(&s, (sched_policy)p);
        expect_config_round_trip(&s);
    }
    sched_onecycle_defaults(&s, ONECYCLE_PYTORCH);
    s.three_phase = true;
    s.anneal = ANNEAL_LINEAR;
    s.lr_max = 1.0 / 3.0;
    s.lr_min = 7.0;  /* stale mirror: the written value is the effective start */
    expect_config_round_trip(&s);
    sched_onecycle_defaults(&s, ONECYCLE_FASTAI);
    s.cycle_momentum = false;
    expect_config_round_trip(&s);
    sched_defaults(&s, SCHED_MULTISTEP);
    s.n_milestones = 0;
    expect_config_round_trip(&s);

    FILE *f = tmpfile();
    cr_assert(f);
    sched_onecycle_defaults(&s, ONECYCLE_PYTORCH);
    s.lr_min = 7.0;
    sched_write_config(&s, f);
    char text[4096];
    slurp(f, text, sizeof text);
    fclose(f);
    cr_expect(strstr(text, "sched.lr_min = 0.032\n") != NULL, "%s", text);
    cr_expect(strstr(text, "sched.policy = 1cycle\n") != NULL);
    cr_expect(strstr(text, "sched.style = pytorch\n") != NULL);
    cr_expect(strstr(text, "sched.three_phase = false\n") != NULL);
}

Test(sched, set_param_refuses_bad_values)
{
    sched s, before;
    lr_err e = { "" };
    sched_defaults(&s, SCHED_MULTISTEP);
    memcpy(&before, &s, sizeof s);
    const struct { const char *key, *value, *needle; } bad[] = {
        { "warmup", "3", "unknown schedule setting" },
        { "sched.lr_max", "abc", "not a number" },
        { "lr_max", "0.1x", "not a number" },
        { "lr_max", "", "not a number" },
        { "lr_max", "1e999", "too large" },
        { "total", "12a", "whole number" },
        { "total", "1e3", "whole number" },
        { "total", "99999999999999999999999", "whole number" },
        { "three_phase", "maybe", "true or false" },
        { "policy", "cosine", "const, step" },
        { "style", "keras", "smith, pytorch or fastai" },
        { "anneal", "poly", "cos or linear" },
        { "milestones", "100,x", "whole number" },
        { "milestones", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17", "at most 16" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        e.msg[0] = '\0';
        cr_expect_eq(sched_set_param(&s, bad[i].key, bad[i].value, &e), -1, "%s = %s",
                     bad[i].key, bad[i].value);
        cr_expect(strstr(e.msg, bad[i].needle) != NULL, "%s = %s: \"%s\" lacks \"%s\"",
                  bad[i].key, bad[i].value, e.msg, bad[i].needle);
        cr_expect(memcmp(&before, &s, sizeof s) == 0, "%s = %s changed the schedule",
                  bad[i].key, bad[i].value);
    }
    /* A value too small for a normal double is still that number (a file
     * written with a subnormal bound reads back). */
    cr_expect_eq(sched_set_param(&s, "lr_min", "9.88131e-324", &e), 0, "%s", e.msg);
    cr_expect(s.lr_min > 0 && s.lr_min < 1e-320, "%g", s.lr_min);
    cr_expect_eq(sched_set_param(&s, "milestones", " 10, 20 ,30 \n", &e), 0, "%s", e.msg);
    cr_expect(s.n_milestones == 3 && s.milestones[1] == 20 && s.milestones[2] == 30);
    cr_expect_eq(sched_set_param(&s, "policy", "triangular", &e), 0);
    cr_expect_eq(s.policy, SCHED_TRIANGULAR);
    cr_expect_eq(sched_set_param(&s, "sched.anneal", "linear\n", &e), 0);
    cr_expect_eq(s.anneal, ANNEAL_LINEAR);
}

Test(sched, help_lists_every_policy)
{
    FILE *f = tmpfile();
    cr_assert(f);
    sched_print_help(f);
    static char text[32768];
    slurp(f, text, sizeof text);
    fclose(f);
    for (int p = 0; p < SCHED_N_POLICIES; p++) {
        char head[32];
        snprintf(head, sizeof head, "\n%s: ", sched_policy_name((sched_policy)p));
        cr_expect(strstr(text, head) != NULL, "help lacks %s", head + 1);
    }
    cr_expect(strstr(text, "style smith") && strstr(text, "style pytorch") &&
              strstr(text, "style fastai"));
    cr_expect(strstr(text, "smith_floor_div") && strstr(text, "final_div_factor") &&
              strstr(text, "milestones") && strstr(text, "100000"));
    cr_expect(strlen(text) < sizeof text - 1, "help fits");
}
