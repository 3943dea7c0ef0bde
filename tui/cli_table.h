/* cli_table.h — the option table behind cli.h, shared by its two files:
 * cli.c (getopt_long, --help) and cli_config.c (config reader and writer).
 * Adding an option is adding a row to cli_table in cli.c. */
#ifndef LRSCOPE_CLI_TABLE_H
#define LRSCOPE_CLI_TABLE_H

#include <stddef.h>

#include "tui/cli.h"
#include "tui/quantity.h"

typedef enum {
    OT_HEADING,   /* a section title of --help, nothing else */
    OT_FLAG,      /* bool, no value on the command line; 0 or 1 in config */
    OT_INT, OT_LONG, OT_U64, OT_REAL, OT_FLOAT,
    OT_TEXT,      /* const char *, kept as given */
    OT_FUNC,      /* parsed by the row's own function */
    OT_INFO,      /* --help, --version, --policy-help: print and stop */
} opt_type;

#define MODE_BIT(m) (1u << (m))
#define MODES_RUN (MODE_BIT(CLI_WORKBENCH) | MODE_BIT(CLI_TRAIN) | MODE_BIT(CLI_RANGE_TEST))
/* a schedule's own options: a range test's sweep takes none of them */
#define MODES_SCHED (MODE_BIT(CLI_WORKBENCH) | MODE_BIT(CLI_TRAIN))
#define MODES_ALL (MODES_RUN | MODE_BIT(CLI_BENCH))
/* the network's options, which check-grad takes too */
#define MODES_NET (MODES_ALL | MODE_BIT(CLI_CHECK_GRAD))

typedef struct opt_row {
    const char     *name;      /* --name; the title for OT_HEADING */
    const char     *key;       /* config key, or NULL: not a run setting */
    opt_type        type;
    const quantity *q;         /* range and words of the value */
    size_t          off;       /* the field in cli_opts */
    int           (*parse)(cli_opts *o, const char *arg, lr_err *e); /* OT_FUNC */
    unsigned        modes;     /* the subcommands that take it (and show it in --help) */
    const char     *arg;       /* how --help names the value */
    const char     *help;      /* may hold '\n' for more lines */
    /* OT_FUNC rows with a config key: writes the value for the config. */
    void          (*format)(FILE *f, const cli_opts *o);
    const char     *more;      /* printed after the row's help, as it is */
} opt_row;

extern const opt_row cli_table[];
extern const size_t cli_table_len;

/* Stores `value` into the row's field of o through its quantity's
 * validator. Returns 0, or -1 with `e` saying what is allowed. */
int cli_set_option(cli_opts *o, const opt_row *row, const char *value, lr_err *e);

#endif
