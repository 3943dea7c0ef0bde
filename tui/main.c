/* main.c — lrscope's entry point: dispatches to the workbench or to a
 * headless subcommand.
 *
 * The stop signals are caught from the first instruction on (before any data
 * is loaded), so SIGINT, SIGTERM and SIGHUP always end lrscope with status
 * 130 and a message; what they do later (flush a run's files first) is up to
 * the command. Standard output is checked once everything is printed: a
 * result that could not be written is a failure (status 1), not a success. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tui/commands.h"
#include "tui/headless.h"
#include "tui/setup.h"
#include "tui/workbench.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} subcommands[] = {
    { "train", cmd_train },
    { "bench", cmd_bench },
    { "range-test", cmd_rangetest },
    { "plot", cmd_plot },
    { "export", cmd_export },
    { "check-grad", cmd_checkgrad },
    { "resume", cmd_resume },
    { "export-weights", cmd_export_weights },
    { "watch", watch_run },
    { "replicate", cmd_replicate },
};

static int dispatch(int argc, char **argv)
{
    if (argc > 1 && argv[1][0] != '-') {
        for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
            if (!strcmp(argv[1], subcommands[i].name))
                return subcommands[i].run(argc - 1, argv + 1);
        fprintf(stderr, "lrscope: unknown command '%s': use train, range-test, resume, plot, export, export-weights, "
                        "watch, replicate, bench or check-grad "
                        "(see lrscope --help)\n", argv[1]);
        return EXIT_BAD_INPUT;
    }
    return workbench_run(argc, argv);
}

/* stdout is fully buffered when it is a file or a pipe: a full disk shows
 * only when the last of it is flushed. */
static int check_stdout(int status)
{
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout))
        return status;
    fprintf(stderr, "lrscope: cannot write to standard output: %s\n",
            errno ? strerror(errno) : "write error");
    return status == EXIT_OK ? EXIT_FAILURE_RUN : status;
}

int main(int argc, char **argv)
{
    headless_catch_signals();
    return check_stdout(dispatch(argc, argv));
}
