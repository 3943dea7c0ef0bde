/* The workbench's key table and ':' command line: what typed commands mean,
 * and that invalid values are refused with a reason (and no action). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/session.h"
#include "tui/keys.h"

static wb_action parse_ok(const char *line)
{
    wb_action a;
    char err[200] = "";
    cr_assert_eq(keys_parse_command(line, &a, err, sizeof err), 0, "'%s': %s", line, err);
    return a;
}

static void parse_bad(const char *line, const char *reason)
{
    wb_action a;
    char err[200] = "";
    cr_expect_eq(keys_parse_command(line, &a, err, sizeof err), -1, "'%s' accepted", line);
    cr_expect(strstr(err, reason), "'%s': message '%s' lacks '%s'", line, err, reason);
}

Test(keys, lr_command)
{
    wb_action a = parse_ok("lr 0.08 0.8");
    cr_expect_eq(a.kind, ACT_SET_LR);
    cr_expect_eq(a.n_values, 2);
    cr_expect_float_eq(a.a, 0.08, 1e-12);
    cr_expect_float_eq(a.b, 0.8, 1e-12);
    a = parse_ok("  lr 1e-1");
    cr_expect_eq(a.n_values, 1);
    cr_expect(isnan(a.a));
    cr_expect_float_eq(a.b, 0.1, 1e-12);
    parse_bad("lr 0.8 0.08", "MIN must not exceed MAX");
    parse_bad("lr -1", ":lr: '-1' is out of range: give a learning rate from 1e-12");
    parse_bad("lr", "MIN MAX");
    parse_bad("lr abc", "'abc' is not a number");
    parse_bad("lr 1 2 3", "at most 2 values");
    parse_bad("lr nan", "'nan' is out of range");
    parse_bad("lr 0.1x", "'0.1x' is not a number");
    parse_bad("lr 0x10", "'0x10' is not a number"); /* strtod would read 16 */
    parse_bad("reading", ":reading needs one: offer (the default), smith");
    parse_bad("q extra", ":q takes nothing after it");
    parse_bad("export now", ":export takes nothing after it");
    cr_expect_eq(parse_ok("quit  ").kind, ACT_QUIT);
    parse_bad("lr 1e300", "give a learning rate from 1e-12 to 10000");
    parse_bad("policy clr 1e-300 1e300", "out of range");
    char png[300] = "png ";
    memset(png + 4, 'x', 280);
    png[284] = '\0';
    parse_bad(png, ":png: 'xxxx");
    parse_bad(png, "too long");
}

Test(keys, other_commands)
{
    wb_action a = parse_ok("wd 3e-4");
    cr_expect_eq(a.kind, ACT_SET_WD);
    cr_expect_float_eq(a.a, 3e-4, 1e-15);
    parse_bad("wd 2", "give a weight decay from 0");
    a = parse_ok("mom 0.95 0.85");
    cr_expect_eq(a.kind, ACT_SET_MOM);
    cr_expect_float_eq(a.b, 0.85, 1e-12);
    parse_bad("mom 0.85 0.95", "MIN <= MAX");
    parse_bad("mom 1", "give a momentum from 0 to 0.999");
    a = parse_ok("epochs 5");
    cr_expect_eq(a.kind, ACT_SET_EPOCHS);
    parse_bad("iters 2.5", "whole number");
    a = parse_ok("policy 1cycle 0.05 0.5");
    cr_expect_eq(a.kind, ACT_START_POLICY);
    cr_expect_eq(a.policy, SCHED_1CYCLE);
    parse_bad("policy warp", "1cycle");
    parse_bad("policy sweep-linear", "1cycle");
    a = parse_ok("model mlp:256,256");
    cr_expect_eq(a.kind, ACT_SET_MODEL);
    cr_expect_str_eq(a.text, "mlp:256,256");
    parse_bad("model", "spec");
    cr_expect_eq(parse_ok("q").kind, ACT_QUIT);
    cr_expect_eq(parse_ok("png").kind, ACT_PNG);
    parse_bad("fly 3", "unknown command");
    a = parse_ok("reading lr-finder");
    cr_expect_eq(a.kind, ACT_SET_READING);
    cr_expect_eq(a.reading, RANGETEST_READ_LRFINDER);
    cr_expect_eq(parse_ok("reading valley*").reading, RANGETEST_READ_VALLEY_STAR);
    parse_bad("reading valey", "lr-finder");
    parse_bad("reading", "lr-finder");
}

/* :sweep [linear|exp] [MIN] MAX: the kind, the bounds, or both; alone it
 * asks what the next range test sweeps. */
Test(keys, sweep_command)
{
    /* what each line sets: the kind (SCHED_N_POLICIES: none typed), the
     * bounds typed (MIN NaN when MAX alone) and the length ("over N") */
    static const struct {
        const char  *line;
        sched_policy kind;
        int          n_values;
        double       lr_min, lr_max;
        long         iters;
    } ok[] = {
        { "sweep 0.3", SCHED_N_POLICIES, 1, NAN, 0.3, 0 },
        { "sweep linear 0 0.5", SCHED_SWEEP_LINEAR, 2, 0.0, 0.5, 0 },
        { "sweep exp", SCHED_SWEEP_EXP, 0, NAN, NAN, 0 },
        { "sweep", SCHED_N_POLICIES, 0, NAN, NAN, 0 },
        { "sweep 0 0.3 over 200", SCHED_N_POLICIES, 2, 0.0, 0.3, 200 },
        { "sweep over 50", SCHED_N_POLICIES, 0, NAN, NAN, 50 },
        { "sweep exp over 80", SCHED_SWEEP_EXP, 0, NAN, NAN, 80 },
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        wb_action a = parse_ok(ok[i].line);
        cr_expect_eq(a.kind, ACT_SET_SWEEP, "%s", ok[i].line);
        cr_expect_eq(a.policy, ok[i].kind, "%s: kind", ok[i].line);
        cr_expect_eq(a.n_values, ok[i].n_values, "%s: values", ok[i].line);
        if (ok[i].n_values == 2)
            cr_expect_float_eq(a.a, ok[i].lr_min, 1e-12, "%s: MIN", ok[i].line);
        else
            cr_expect(isnan(a.a), "%s: MIN", ok[i].line);
        if (ok[i].n_values > 0)
            cr_expect_float_eq(a.b, ok[i].lr_max, 1e-12, "%s: MAX", ok[i].line);
        cr_expect_eq(a.sweep_iters, ok[i].iters, "%s: length", ok[i].line);
    }
    static const char *const bad[][2] = {
        { "sweep 0.5 0.5", "MIN must be below MAX" },
        { "sweep exp 0 1", "needs MIN > 0" },
        { "sweep expo 1", "'expo' is not a number" },
        { "sweep linear 0 1 2", "at most 2 values" },
        { "sweep 0 0.3 over", "over N: N iterations" },
        { "sweep over 0", "over N: N iterations" },
        { "sweep over 2.5", "over N: N iterations" },
        { "sweep over 5 6", "over N: N iterations" },
        { "sweep overall 1", "'overall' is not a number" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        parse_bad(bad[i][0], bad[i][1]);
}

Test(keys, table_has_no_duplicate_keys_and_every_key_has_help)
{
    for (size_t i = 0; i < key_table_len; i++) {
        cr_expect(key_table[i].help && key_table[i].help[0]);
        for (size_t j = i + 1; j < key_table_len; j++)
            cr_expect_neq(key_table[i].key, key_table[j].key, "key '%s' bound twice",
                          key_table[i].label);
    }
    cr_expect_eq(keys_lookup('r'), ACT_RANGE_TEST);
    cr_expect_eq(keys_lookup('1'), ACT_START_1CYCLE);
    cr_expect_eq(keys_lookup('Z'), ACT_NONE);
}

Test(keys, weight_decay_log_grid)
{
    cr_expect_float_eq(session_wd_step(1e-4, true), 3e-4, 1e-12);
    cr_expect_float_eq(session_wd_step(3e-4, true), 1e-3, 1e-12);
    cr_expect_float_eq(session_wd_step(1e-3, false), 3e-4, 1e-12);
    cr_expect_float_eq(session_wd_step(3e-4, false), 1e-4, 1e-12);
    cr_expect_float_eq(session_wd_step(5e-4, false), 1e-4, 1e-12); /* off-grid: nearest, then down */
    cr_expect_float_eq(session_wd_step(0, true), 1e-5, 1e-15);
    cr_expect_float_eq(session_wd_step(1e-6, false), 0.0, 1e-15);
    /* exactly the doubles of their decimal forms: a config reads "0.0003" */
    cr_expect_eq(session_wd_step(1e-4, true), 3e-4);
    cr_expect_eq(session_wd_step(3e-4, true), 1e-3);
}

/* The bar comes from the table, fills by rank, never cuts an entry, and
 * always ends with help and quit, whatever the width. */
Test(keys, key_bar_fits_and_ends_with_help_and_quit)
{
    for (int width = 30; width <= 220; width += 7) {
        char bar[512];
        int len = keys_bar(bar, sizeof bar, width, true);
        cr_expect_eq(len, (int)strlen(bar));
        cr_expect(len <= width, "width %d: bar of %d: '%s'", width, len, bar);
        size_t n = strlen(bar);
        cr_expect(n >= 14 && !strcmp(bar + n - 14, "? help  q quit"), "width %d: '%s'",
                  width, bar);
    }
    char wide[512], narrow[512], no_offer[512];
    keys_bar(wide, sizeof wide, 200, true);
    keys_bar(narrow, sizeof narrow, 80, true);
    keys_bar(no_offer, sizeof no_offer, 200, false);
    cr_expect(strstr(wide, "r range test  1 1cycle  a accept"), "%s", wide);
    cr_expect(strstr(wide, "[ ] max"), "%s", wide);
    cr_expect(strstr(narrow, "r range test"), "%s", narrow);
    cr_expect(!strstr(no_offer, "a accept"), "%s", no_offer);
    /* Strictly by rank: what an 80-column bar shows is a prefix of the wide one. */
    size_t k = strlen(narrow) - strlen("  ? help  q quit");
    cr_expect(!strncmp(narrow, wide, k), "'%s' is not a prefix of '%s'", narrow, wide);
}

Test(keys, help_lists_every_key_and_the_commands)
{
    int n = keys_help_count();
    cr_expect_gt(n, (int)key_table_len);
    char line[256];
    keys_help_line(0, line, sizeof line);
    cr_expect(strstr(line, key_table[0].help), "%s", line);
    keys_help_line(n - 1, line, sizeof line);
    cr_expect(strstr(line, ":export"), "%s", line);
    for (int i = 0; i < n; i++) {
        keys_help_line(i, line, sizeof line);
        cr_expect(strlen(line) <= 76, "help line %d is wider than an 80-column box: %s", i, line);
    }
}
