#include "tui/commands.h"

#include <stdio.h>

int commands_fail(const lr_err *e, int status)
{
    fprintf(stderr, "lrscope: %s\n", e->msg);
    return status;
}

int commands_open_runlog(runlog *log, const cli_opts *o, const sched *s,
                         const train_cfg *tc, const char *tag, lr_err *e)
{
    char dir[1024];
    if (o->out)
        snprintf(dir, sizeof dir, "%s", o->out);
    else
        runlog_default_dir(dir, sizeof dir, "runs", tag);
    if (runlog_open(log, dir, e))
        return -1;
    run_settings rs = { .model = o->model, .sgd = &o->sgd, .sched = s, .train = tc,
                        .lr_estimate = o->lr_estimate > 0 ? o->lr_estimate : 0 };
    if (runlog_write_config(log, cli_write_config, rs, o, e)) {
        runlog_close(log, NULL);
        return -1;
    }
    return 0;
}
