/* cmd_train.c — `lrscope train`: one headless run with a schedule, written
 * to a run folder (metrics.csv, events.csv, config). */
#include "tui/commands.h"

#include <math.h>
#include <stdio.h>

#include "engine/runlog.h"
#include "tui/headless.h"
#include "tui/setup.h"

int cmd_train(int argc, char **argv)
{
    cli_opts o;
    lr_err e;
    int rc = cli_parse(&o, CLI_TRAIN, argc, argv, &e);
    if (rc)
        return rc > 0 ? EXIT_OK : commands_fail(&e, EXIT_BAD_INPUT);
    run_setup r;
    if (setup_run(&r, &o, &e))
        return commands_fail(&e, EXIT_BAD_INPUT);
    if (r.notice[0] && !o.quiet)
        fprintf(stderr, "lrscope: %s\n", r.notice);

    trainer t;
    runlog log;
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
    headless_install_signals();   /* from here a signal is written to the run's files */
    if (commands_open_runlog(&log, &o, &r.sched, &r.train, sched_policy_name(r.sched.policy), &e)) {
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
                r.sched.total, o.batch, r.threads, r.threads == 1 ? "" : "s", log.dir);
    if (!o.quiet && o.lr_estimate > 0)
        fprintf(stderr, "lrscope: optimal-LR estimate (secant and Hessian-vector) every %d "
                        "iteration%s, in metrics.csv\n",
                o.lr_estimate, o.lr_estimate == 1 ? "" : "s");

    progress p;
    progress_init(&p, sched_end(&r.sched), o.quiet);
    metrics_row m;
    double final_acc = NAN, final_loss = NAN;
    train_state st = TRAIN_RUNNING;
    while (st == TRAIN_RUNNING && !headless_stop) {
        st = trainer_step(&t, &m);
        if (runlog_metrics(&log, &m))
            break;   /* the first failed write stops the run */
        progress_step(&p, &m, o.batch);
        if (!isnan(m.test_acc)) {
            final_acc = m.test_acc;
            final_loss = m.test_loss;
        }
    }
    progress_done(&p);

    int status = EXIT_OK;
    char detail[128];
    if (runlog_failed(&log)) {
        status = EXIT_FAILURE_RUN;
    } else if (st == TRAIN_DIVERGED) {
        snprintf(detail, sizeof detail, "loss became %g at lr %g", m.loss, m.lr);
        runlog_event(&log, t.diverged_at, "diverged", detail);
        fprintf(stderr, "lrscope: DIVERGED at iteration %ld (lr %g): try a lower --lr-max\n",
                t.diverged_at, m.lr);
        status = EXIT_DIVERGED;
    } else if (headless_stop) {
        runlog_event(&log, t.iter, "interrupted", "stopped by a signal");
        fprintf(stderr, "lrscope: interrupted at iteration %ld; the run files are complete "
                        "up to there\n", t.iter);
        status = EXIT_INTERRUPTED;
    } else if (st == TRAIN_DONE) {
        runlog_finished(&log, t.iter, t.train_seconds, o.batch);
    }
    if (runlog_close(&log, &e)) {
        fprintf(stderr, "lrscope: %s; training stopped at iteration %ld, the rows before it "
                        "are complete\n", e.msg, m.iter);
        status = EXIT_FAILURE_RUN;
        st = TRAIN_RUNNING;   /* no final summary for a run that did not finish */
    }
    if (!o.quiet && st == TRAIN_DONE)
        printf("final test accuracy %.2f%%, test loss %.4f after %ld iterations (%.2f epochs, "
               "%.1f s)\n", 100.0 * final_acc, final_loss, t.iter,
               trainer_epoch_at(&t, t.iter), t.train_seconds);
    if (!o.quiet && st == TRAIN_DONE && t.lrest.every > 0)
        printf("optimal-LR estimate (running averages): secant %.3g, Hessian-vector %.3g\n",
               t.lrest.secant_avg, t.lrest.hvp_avg);
    trainer_free(&t);
    setup_free(&r);
    return status;
}
