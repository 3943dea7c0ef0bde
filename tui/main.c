/* main.c — lrscope's entry point: dispatches to the workbench or to a
 * headless subcommand. */
#include <stdio.h>
#include <string.h>

#include "tui/commands.h"
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
};

int main(int argc, char **argv)
{
    if (argc > 1 && argv[1][0] != '-') {
        for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
            if (!strcmp(argv[1], subcommands[i].name))
                return subcommands[i].run(argc - 1, argv + 1);
        fprintf(stderr, "lrscope: unknown command '%s': use train, range-test, plot or bench "
                        "(see lrscope --help)\n", argv[1]);
        return EXIT_BAD_INPUT;
    }
    return workbench_run(argc, argv);
}
