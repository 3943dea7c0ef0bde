/* test_config.c — the run folder's config read back through the option
 * table, and the validators every typed value goes through (quantity.h):
 * exact parsing, refusals that name the line, the key and what is allowed. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tests/testutil.h"
#include "tui/cli.h"
#include "tui/quantity.h"

static void tmp_setup(void) { tmpdir_create("config"); }
TestSuite(config, .init = tmp_setup, .fini = tmpdir_remove);

static const char *write_file(const char *name, const char *text)
{
    const char *path = tmpdir_path(name);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* argv for cli_parse: "train --config PATH" and `extra` options. */
static int parse_with_config(cli_opts *o, const char *path, const char *extra, lr_err *e)
{
    char *argv[8] = { "train", "--config", (char *)path };
    int argc = 3;
    char buf[128] = "";
    if (extra) {
        snprintf(buf, sizeof buf, "%s", extra);
        for (char *tok = strtok(buf, " "); tok && argc < 8; tok = strtok(NULL, " "))
            argv[argc++] = tok;
    }
    return cli_parse(o, CLI_TRAIN, argc, argv, e);
}

Test(config, what_is_written_reads_back_the_same)
{
    run_spec spec;
    run_spec_default(&spec);
    snprintf(spec.data, sizeof spec.data, "synthetic");
    snprintf(spec.model, sizeof spec.model, "mlp:64,32");
    spec.seed = 42;
    spec.train.batch = 50;
    spec.train.eval_every = 7;
    spec.train.augment = true;
    spec.net.bn_maf = 0.95f;
    spec.sgd.wd = 3e-4;
    spec.sgd.nesterov = true;
    spec.lr_estimate = 25;
    spec.checkpoint_minutes = 2.5;
    sched_defaults(&spec.sched, SCHED_1CYCLE);
    sched_set_bounds(&spec.sched, 0.1 / 3.0, 1.0 / 3.0);
    spec.sched.total = 777;
    spec.edits[spec.n_edits++] = (run_edit){ 100, RUN_EDIT_BOUNDS, 0.01, 0.1 };
    spec.edits[spec.n_edits++] = (run_edit){ 200, RUN_EDIT_RESTART, 0, 0 };
    const char *path = tmpdir_path("config");
    FILE *f = fopen(path, "w");
    cr_assert_eq(cli_write_config(f, &spec), 0);
    fclose(f);

    cli_opts o;
    lr_err e;
    cr_assert_eq(parse_with_config(&o, path, NULL, &e), 0, "%s", e.msg);
    sched s;
    cr_assert_eq(cli_resolve_sched(&o, 1000, &s, &e), 0, "%s", e.msg);
    train_cfg tc = spec.train;
    run_spec back;
    cli_run_spec(&o, &s, &tc, &back);
    cr_expect_str_eq(back.data, "synthetic");
    cr_expect_str_eq(back.model, "mlp:64,32");
    cr_expect_eq(back.seed, 42);
    cr_expect_eq(o.batch, 50);
    cr_expect_eq(o.eval_every, 7);
    cr_expect(o.augment);
    cr_expect_eq(back.net.bn_maf, 0.95f);
    cr_expect_eq(back.sgd.wd, 3e-4);
    cr_expect(back.sgd.nesterov);
    cr_expect_eq(back.lr_estimate, 25);
    cr_expect_eq(back.checkpoint_minutes, 2.5);
    cr_expect(memcmp(&s, &spec.sched, sizeof s) == 0, "the schedule changed on the way");
    cr_assert_eq(back.n_edits, 2);
    cr_expect(back.edits[0].iter == 100 && back.edits[0].kind == RUN_EDIT_BOUNDS &&
              back.edits[0].a == 0.01 && back.edits[0].b == 0.1);
    cr_expect(back.edits[1].iter == 200 && back.edits[1].kind == RUN_EDIT_RESTART);

    /* Later options override it. */
    cr_assert_eq(parse_with_config(&o, path, "--lr-max 0.5 --seed 3", &e), 0, "%s", e.msg);
    cr_assert_eq(cli_resolve_sched(&o, 1000, &s, &e), 0, "%s", e.msg);
    cr_expect_eq(s.lr_max, 0.5);
    cr_expect_eq(s.total, 777);
    cr_expect_eq(o.seed, 3);
}

Test(config, bad_files_are_refused_with_the_line_and_key)
{
    cli_opts o;
    lr_err e;
    const char *p = write_file("unknown", "# comment\nmodel = mlp:8\nlearning_rate = 3\n");
    cr_expect_eq(parse_with_config(&o, p, NULL, &e), -1);
    assert_has(e, "unknown line 3: learning_rate: unknown key");

    p = write_file("badvalue", "batch = 12x\n");
    cr_expect_eq(parse_with_config(&o, p, NULL, &e), -1);
    assert_has(e, "line 1: batch: '12x' is not a whole number: give a batch size from 1");

    p = write_file("badsched", "sched.policy = warp\n");
    cr_expect_eq(parse_with_config(&o, p, NULL, &e), -1);
    assert_has(e, "line 1: sched.policy");
    p = write_file("badschedvalue", "sched.lr_min = abc\n");
    cr_expect_eq(parse_with_config(&o, p, NULL, &e), -1);
    assert_has(e, "line 1: sched.lr_min: 'abc' is not a number"); /* the key said once */

    p = write_file("noequals", "model mlp\n");
    cr_expect_eq(parse_with_config(&o, p, NULL, &e), -1);
    assert_has(e, "line 1: 'model mlp' is not a 'key = value' line");

    p = write_file("badedit", "edit = 10 set_bounds 0.1\n");
    cr_expect_eq(parse_with_config(&o, p, NULL, &e), -1);
    assert_has(e, "line 1: edit:");

    cr_expect_eq(parse_with_config(&o, tmpdir_path("missing"), NULL, &e), -1);
    assert_has(e, "missing: No such file or directory");
}

Test(config, values_are_parsed_exactly)
{
    lr_err e;
    double d;
    long l;
    char text[128];
    /* A momentum of 64+ characters is not cut to a different number. */
    char longmom[100] = "0.9";
    memset(longmom + 3, '0', 70);
    longmom[73] = '1';
    longmom[74] = '\0';
    double hi, lo;
    cr_expect_eq(quantity_momentum_range(longmom, &hi, &lo, &e), -1);
    cr_expect_eq(quantity_momentum_range("0.95:0.85", &hi, &lo, &e), 0, "%s", e.msg);
    cr_expect(hi == 0.95 && lo == 0.85);
    cr_expect_eq(quantity_momentum_range("0.85:0.95", &hi, &lo, &e), -1);
    /* Milestones: overflow, empty items, order. */
    long ms[16];
    cr_expect_eq(quantity_milestones("100,99999999999999999999", ms, 16, &e), -1);
    assert_has(e, "out of range");
    cr_expect_eq(quantity_milestones("1,2,", ms, 16, &e), -1);
    assert_has(e, "empty item");
    cr_expect_eq(quantity_milestones(",1", ms, 16, &e), -1);
    cr_expect_eq(quantity_milestones("1,,2", ms, 16, &e), -1);
    cr_expect_eq(quantity_milestones("5,3", ms, 16, &e), -1);
    assert_has(e, "must increase");
    cr_expect_eq(quantity_milestones("1000,1500", ms, 16, &e), 2);
    /* Reals: trailing junk, blanks, range, not-a-number. */
    cr_expect_eq(quantity_real(&Q_LR, "0.1x", &d, &e), -1);
    cr_expect_eq(quantity_real(&Q_LR, " 0.1", &d, &e), -1);
    cr_expect_eq(quantity_real(&Q_LR, "", &d, &e), -1);
    cr_expect_eq(quantity_real(&Q_LR, "nan", &d, &e), -1);
    cr_expect_eq(quantity_real(&Q_LR, "1e300", &d, &e), -1);
    assert_has(e, "give a learning rate from 1e-12 to 10000");
    cr_expect_eq(quantity_real(&Q_LR, "1e-300", &d, &e), -1);
    cr_expect_eq(quantity_real(&Q_LR, "0.25", &d, &e), 0);
    cr_expect_eq(d, 0.25);
    cr_expect_eq(quantity_long(&Q_BATCH, "99999999999999999999999", &l, &e), -1);
    /* Text: empty and too long refused, never cut. */
    cr_expect_eq(quantity_text(&Q_PATH, "", text, sizeof text, &e), -1);
    assert_has(e, "empty");
    char longname[400];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    cr_expect_eq(quantity_text(&Q_PNG_NAME, longname, text, sizeof text, &e), -1);
    assert_has(e, "too long");
}

Test(config, the_command_line_refuses_what_it_cannot_use)
{
    cli_opts o;
    lr_err e;
    char *out_empty[] = { "train", "--out", "" };
    cr_expect_eq(cli_parse(&o, CLI_TRAIN, 3, out_empty, &e), -1);
    assert_has(e, "--out: an empty value is not allowed");
    char *ms[] = { "train", "--milestones", "1,2," };
    cr_expect_eq(cli_parse(&o, CLI_TRAIN, 3, ms, &e), -1);
    assert_has(e, "--milestones: '1,2,' has an empty item");
    /* another subcommand's option would be ignored: refused by name */
    static const struct {
        cli_mode    mode;
        const char *option, *message;
    } other[] = {
        { CLI_TRAIN, "--by-layer", "--by-layer is not an option of lrscope train" },
        { CLI_BENCH, "--augment", "--augment is not an option of lrscope bench" },
        { CLI_RANGE_TEST, "--ascii", "--ascii is not an option of lrscope range-test" },
        { CLI_CHECK_GRAD, "--nesterov", "--nesterov is not an option of lrscope check-grad" },
    };
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
        char *argv[] = { "lrscope", (char *)other[i].option };
        cr_expect_eq(cli_parse(&o, other[i].mode, 2, argv, &e), -1, "%s", other[i].option);
        assert_has(e, other[i].message);
    }
    char *ok[] = { "bench", "--by-layer", "--threads", "1" };
    cr_expect_eq(cli_parse(&o, CLI_BENCH, 4, ok, &e), 0, "%s", e.msg);
    cr_expect(o.by_layer);
}

/* A schedule option the run would not read is refused with the policies that
 * read it; the same option where it is read passes. */
Test(config, a_schedule_option_the_policy_ignores_is_refused)
{
    static const struct {
        cli_mode    mode;
        const char *args[6], *message; /* NULL message: accepted */
    } cases[] = {
        { CLI_TRAIN, { "--policy", "1cycle", "--gamma", "0.5" },
          "--gamma has no effect on --policy 1cycle --style smith: step, multistep, inv, "
          "exp_range use it" },
        { CLI_TRAIN, { "--policy", "const", "--stepsize", "4" },
          "--stepsize has no effect on --policy const: step, clr, triangular2, exp_range, "
          "1cycle --style smith use it" },
        { CLI_TRAIN, { "--policy", "1cycle", "--style", "pytorch", "--cycle-frac", "0.5" },
          "--cycle-frac has no effect on --policy 1cycle --style pytorch: 1cycle --style "
          "smith uses it" },
        { CLI_TRAIN, { "--policy", "step", "--momentum", "0.95:0.85" },
          "--momentum MAX:MIN has no effect on --policy step" },
        { CLI_TRAIN, { "--policy", "clr", "--stepsize", "4", "--cycle-epochs", "2" },
          "give the half cycle once: --stepsize or --cycle-epochs, not both" },
        { CLI_RANGE_TEST, { "--gamma", "0.5" }, "--gamma is not an option of lrscope range-test" },
        { CLI_RANGE_TEST, { "--momentum", "0.95:0.85" },
          "--momentum MAX:MIN has no effect on a range test" },
        { CLI_TRAIN, { "--policy", "clr", "--lr", "0.5" },
          "--lr is the LR of const, step, multistep and inv: a cycle's top is --lr-max" },
        { CLI_TRAIN, { "--lr", "0.5", "--lr-max", "0.7" }, "give it or --lr-max, not both" },
        { CLI_TRAIN, { "--policy", "step", "--lr", "0.5", "--stepsize", "5" }, NULL },
        { CLI_TRAIN, { "--policy", "1cycle", "--style", "pytorch", "--lr-min", "0.01" }, NULL },
        { CLI_TRAIN, { "--policy", "step", "--stepsize", "40", "--gamma", "0.5" }, NULL },
        { CLI_TRAIN, { "--policy", "1cycle", "--cycle-epochs", "2" }, NULL },
        { CLI_RANGE_TEST, { "--lr-min", "0.01", "--momentum", "0.9" }, NULL },
        { CLI_WORKBENCH, { "--policy", "const", "--gamma", "0.5", "--pct-start", "0.2" },
          NULL }, /* the workbench keeps them for the runs its keys start */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *argv[7] = { "lrscope" };
        int argc = 1;
        while (argc <= 6 && cases[i].args[argc - 1]) {
            argv[argc] = (char *)cases[i].args[argc - 1];
            argc++;
        }
        cli_opts o;
        lr_err e = { "" };
        int rc = cli_parse(&o, cases[i].mode, argc, argv, &e);
        if (!cases[i].message) {
            cr_expect_eq(rc, 0, "case %zu: %s", i, e.msg);
            continue;
        }
        cr_expect_eq(rc, -1, "case %zu", i);
        assert_has(e, cases[i].message);
    }
}
