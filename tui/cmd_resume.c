/* cmd_resume.c — `lrscope resume RUN`: continues a run folder headless from
 * its checkpoint, appending to its files; and resume_open, which the
 * workbench's --resume shares. */
#include "tui/commands.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/checkpoint.h"
#include "engine/run.h"
#include "tui/headless.h"
#include "tui/keyfile.h"
#include "tui/setup.h"

/* Whether dir's suggestions.txt is there and says the sweep was whole. */
static bool range_files_written(const char *dir)
{
    char v[8];
    return keyfile_get_in(dir, "suggestions.txt", "partial", v, sizeof v) == 0 &&
           !strcmp(v, "no");
}

int resume_open(const char *dir, cli_opts *o, checkpoint *c, lr_err *e)
{
    char path[1100];
    struct stat st;
    if (stat(dir, &st) || !S_ISDIR(st.st_mode))
        return lr_fail(e, "%s is not a run folder", dir);
    if (run_path(path, sizeof path, dir, "config"))
        return lr_fail(e, "run folder path is too long: %s", dir);
    int threads = o->threads;
    double minutes = o->checkpoint_minutes;
    if (cli_read_config(o, path, e))
        return -1;
    if (threads > 0)
        o->threads = threads;
    if (minutes != RUN_CHECKPOINT_MINUTES)
        o->checkpoint_minutes = minutes;
    run_path(path, sizeof path, dir, CHECKPOINT_FILE);
    if (checkpoint_read(c, path, e))
        return -1;
    uint32_t digest = 0;
    if (c->run.config_digest && run_config_digest(dir, &digest, e) == 0 &&
        digest != c->run.config_digest)
        lr_fail(e, "the checkpoint in %s was not written by the run its config describes (the "
                   "config was changed since, or the checkpoint is another run's): nothing "
                   "resumed", dir);
    if (c->run.config_digest && digest != c->run.config_digest) {
        checkpoint_free(c);
        return -1;
    }
    /* An ended test whose files were not written (a crash or a full disk
     * right after its last checkpoint) gets them from `lrscope resume`. */
    bool written = c->has_range && range_files_written(dir);
    if (c->has_range && c->range.stop != RANGETEST_RUNNING &&
        (written || o->mode != CLI_RESUME)) {
        lr_fail(e, "%s is a range test that ended (%s after %ld iterations): nothing to "
                   "resume%s%s%s", dir, rangetest_stop_name(c->range.stop), c->range.n,
                written ? "" : "; lrscope resume ", written ? "" : dir,
                written ? "" : " writes its missing rangetest.csv and suggestions.txt");
        checkpoint_free(c);
        return 1;
    }
    if (!c->has_range && (c->state == TRAIN_DONE || c->state == TRAIN_DIVERGED)) {
        lr_fail(e, "%s %s at iteration %ld: nothing to resume", dir,
                c->state == TRAIN_DONE ? "finished" : "diverged",
                c->state == TRAIN_DONE ? c->iter : c->diverged_at);
        checkpoint_free(c);
        return 1;
    }
    return 0;
}

int cmd_resume(int argc, char **argv)
{
    lr_err e;
    if (argc < 2 || argv[1][0] == '-') {
        bool help = argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
        fprintf(help ? stdout : stderr,
                "usage: lrscope resume RUN [--threads N] [--quiet] [--checkpoint-every MIN]\n"
                "continues the run in folder RUN from its checkpoint, appending to its files\n");
        return help ? EXIT_OK : EXIT_BAD_INPUT;
    }
    const char *dir = argv[1];
    /* only options that change how a run continues, not what it computes
     * (cli_parse would refuse the others too, without saying why); a negative
     * number is an option's value, which cli_parse checks */
    for (int i = 2; i < argc; i++)
        if (argv[i][0] == '-' && !isdigit((unsigned char)argv[i][1]) && argv[i][1] != '.' &&
            !cli_mode_takes(CLI_RESUME, argv[i])) {
            lr_fail(&e, "%s: a resumed run continues as it was configured; only --threads, "
                        "--quiet and --checkpoint-every may be given", argv[i]);
            return commands_fail(&e, EXIT_BAD_INPUT);
        }
    cli_opts o;
    int rc = cli_parse(&o, CLI_RESUME, argc - 1, argv + 1, &e);
    if (rc)
        return rc > 0 ? EXIT_OK : commands_fail(&e, EXIT_BAD_INPUT);
    checkpoint c;
    rc = resume_open(dir, &o, &c, &e);
    if (rc > 0) {
        if (!o.quiet)
            printf("lrscope: %s\n", e.msg);
        return EXIT_OK;
    }
    if (rc)
        return commands_fail(&e, EXIT_BAD_INPUT);

    int status = EXIT_BAD_INPUT;
    run_setup r;
    trainer t;
    char path[1100];
    run_path(path, sizeof path, dir, CHECKPOINT_FILE);
    if (setup_run(&r, &o, &e)) {
        checkpoint_free(&c);
        return commands_fail(&e, EXIT_BAD_INPUT);
    }
    if (c.has_range) {
        status = commands_resume_rangetest(dir, &o, &r, &c, &e);
        if (status < 0) {
            status = EXIT_BAD_INPUT;
            goto done;
        }
        checkpoint_free(&c);
        setup_free(&r);
        return status;
    }
    if (trainer_init(&t, &r.net, &r.data.train, &r.data.test, &r.sched, &o.sgd, &r.train, &e))
        goto done;
    run this_run;
    run_spec spec;
    cli_run_spec(&o, &r.sched, &r.train, &spec);
    headless_install_signals();   /* from here a signal is written to the run's files */
    if ((spec.lr_estimate > 0 && trainer_enable_lr_estimate(&t, spec.lr_estimate, &e)) ||
        checkpoint_restore(&c, &t, path, &e) ||
        run_resume(&this_run, &spec, dir, &c, cli_write_config, &e)) {
        trainer_free(&t);
        goto done;
    }
    if (!o.quiet)
        fprintf(stderr, "lrscope: resuming %s at iteration %ld of %ld (epoch %.2f), %d "
                        "thread%s\n", dir, t.iter, sched_end(&t.sched),
                trainer_epoch_at(&t, t.iter), r.threads, r.threads == 1 ? "" : "s");
    checkpoint_free(&c);
    status = headless_train(&this_run, &t, o.quiet);
    trainer_free(&t);
    setup_free(&r);
    return status;
done:
    checkpoint_free(&c);
    setup_free(&r);
    return commands_fail(&e, status);
}
