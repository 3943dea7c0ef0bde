#include "tui/commands.h"

#include "tui/headless.h"

#include <stdio.h>

int commands_fail(const lr_err *e, int status)
{
    fprintf(stderr, "lrscope: %s\n", e->msg);
    return status;
}

int commands_open_run(run *r, const cli_opts *o, const sched *s, const train_cfg *tc,
                      const char *tag, lr_err *e)
{
    char dir[1024];
    if (o->out)
        snprintf(dir, sizeof dir, "%s", o->out);
    else
        runlog_default_dir(dir, sizeof dir, "runs", tag);
    run_spec spec;
    cli_run_spec(o, s, tc, &spec);
    return run_open(r, &spec, dir, cli_write_config, e);
}
