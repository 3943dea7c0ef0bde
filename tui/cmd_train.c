/* cmd_train.c — `lrscope train`: one headless run with a schedule, written
 * to a run folder (metrics.csv, events.csv, config, checkpoint), and the
 * loop that `lrscope resume` shares. */
#include "tui/commands.h"

#include <math.h>
#include <stdio.h>

#include "engine/run.h"
#include "tui/headless.h"
#include "tui/setup.h"

int headless_train(run *r, trainer *t, bool quiet)
{
    progress p;
    progress_init(&p, t, sched_end(&t->sched), quiet);
    metrics_row m;
    double final_acc = NAN, final_loss = NAN;
    lr_err e;
    int status = EXIT_OK;
    while (t->state == TRAIN_RUNNING && !headless_stop) {
        if (run_step(r, t, &m, &e)) {
            /* The first failed write stops the run. */
            progress_done(&p);
            fprintf(stderr, "lrscope: %s; training stopped at iteration %ld, the rows before "
                            "it are complete\n", e.msg, t->iter);
            status = EXIT_FAILURE_RUN;
            break;
        }
        progress_checkpoint_problem(&p, r, "training");
        progress_step(&p, &m, t->cfg.batch, t->train_seconds);
        if (!isnan(m.test_acc)) {
            final_acc = m.test_acc;
            final_loss = m.test_loss;
        }
    }
    progress_done(&p);

    if (status == EXIT_OK && t->state == TRAIN_DIVERGED) {
        fprintf(stderr, "lrscope: DIVERGED at iteration %ld (lr %g): try a lower %s\n",
                t->diverged_at, m.lr, t->sched.policy == SCHED_CONST ? "--lr" : "--lr-max");
        status = EXIT_DIVERGED;
    } else if (status == EXIT_OK && headless_stop) {
        if (run_interrupt(r, t, "stopped by a signal", &e))
            fprintf(stderr, "lrscope: %s\n", e.msg);
        fprintf(stderr, "lrscope: interrupted at iteration %ld; the run files are complete "
                        "up to there; continue with: lrscope resume %s\n", t->iter, r->log.dir);
        status = EXIT_INTERRUPTED;
    }
    if (run_close(r, &e) && status != EXIT_FAILURE_RUN) {
        fprintf(stderr, "lrscope: %s\n", e.msg);
        status = EXIT_FAILURE_RUN;
    }
    if (status == EXIT_FAILURE_RUN)
        return status;   /* no summary for a run that did not finish */
    if (!quiet && t->state == TRAIN_DONE)
        printf("final test accuracy %.2f%%, test loss %.4f after %ld iterations (%.2f epochs, "
               "%.1f s)\n", 100.0 * final_acc, final_loss, t->iter,
               trainer_epoch_at(t, t->iter), t->train_seconds);
    if (!quiet && t->state == TRAIN_DONE && t->lrest.every > 0)
        printf("optimal-LR estimate (running averages): secant %.3g, Hessian-vector %.3g\n",
               t->lrest.secant_avg, t->lrest.hvp_avg);
    return status;
}

int cmd_train(int argc, char **argv)
{
    cli_opts o;
    lr_err e;
    int rc = cli_parse(&o, CLI_TRAIN, argc, argv, &e);
    if (rc)
        return rc > 0 ? EXIT_OK : commands_fail(&e, EXIT_BAD_INPUT);
    if (o.out && runlog_refuse_used(o.out, &e)) /* before the data is loaded */
        return commands_fail(&e, EXIT_BAD_INPUT);
    run_setup r;
    if (setup_run(&r, &o, &e))
        return commands_fail(&e, EXIT_BAD_INPUT);
    if (r.notice[0] && !o.quiet)
        fprintf(stderr, "lrscope: %s\n", r.notice);

    trainer t;
    if (trainer_init(&t, &r.net, &r.data.train, &r.data.test, &r.sched, &o.sgd, &r.train, &e)) {
        setup_free(&r);
        return commands_fail(&e, EXIT_BAD_INPUT);
    }
    /* Headless runs measure the optimal-LR estimate only when asked. */
    if (o.lr_estimate > 0 && trainer_enable_lr_estimate(&t, o.lr_estimate, &e)) {
        trainer_free(&t);
        setup_free(&r);
        return commands_fail(&e, EXIT_FAILURE_RUN);
    }
    run this_run;
    headless_install_signals();   /* from here a signal is written to the run's files */
    if (commands_open_run(&this_run, &o, &r.sched, &r.train, sched_policy_name(r.sched.policy),
                          &e)) {
        trainer_free(&t);
        setup_free(&r);
        return commands_fail(&e, EXIT_FAILURE_RUN);
    }
    char desc[160], model[160];
    sched_describe(&r.sched, desc, sizeof desc);
    net_describe(&r.net, model, sizeof model);
    if (!o.quiet)
        fprintf(stderr, "lrscope: %s on %s (%d train, %d test), %s, %ld iterations, "
                        "batch %d, %d thread%s\nlrscope: writing %s/\n",
                model, r.data.train.name, r.data.train.n, r.data.test.n, desc,
                r.sched.total, o.batch, r.threads, r.threads == 1 ? "" : "s", this_run.log.dir);
    if (!o.quiet && o.lr_estimate > 0)
        fprintf(stderr, "lrscope: optimal-LR estimate (secant and Hessian-vector) every %d "
                        "iteration%s, in metrics.csv\n",
                o.lr_estimate, o.lr_estimate == 1 ? "" : "s");
    int status = headless_train(&this_run, &t, o.quiet);
    trainer_free(&t);
    setup_free(&r);
    return status;
}
