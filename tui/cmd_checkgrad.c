/* cmd_checkgrad.c — `lrscope check-grad [MODEL]`: every parameter tensor's
 * analytic gradient against finite differences (engine/gradcheck.h), on a
 * small random batch of the given input shape. For anyone adding a layer or
 * a model: a table of tensors with their worst error, exit 0 when the check
 * passes, 1 when it does not. */
#include "tui/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/gradcheck.h"
#include "engine/rng.h"
#include "tui/setup.h"

#define CHECKGRAD_BATCH   8
#define CHECKGRAD_CLASSES 10

static void usage(void)
{
    fputs("usage: lrscope check-grad [MODEL] [options]\n"
          "\n"
          "Compares every parameter tensor's analytic gradient with central finite\n"
          "differences on a random batch; exit 0 when the check passes, 1 when not.\n"
          "\n"
          "  --model SPEC           the model (or MODEL first); see lrscope --help\n"
          "  --input-shape CxHxW    one example's shape (default 1x28x28)\n"
          "  --batch N              examples in the batch (default 8)\n"
          "  --init he|torch        initialisation (default he)\n"
          "  --conv auto|im2col|winograd  how convolutions are lowered (default auto)\n"
          "  --bn-maf F             batch-norm moving-average fraction\n"
          "  --seed N               inputs, labels, parameters and sampled entries\n"
          "  --threads N            threads\n", stdout);
}

/* --batch given on the command line? (the shared default, 128, is far more
 * than finite differences need) */
static bool batch_given(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strncmp(argv[i], "--batch", 7))
            return true;
    return false;
}

int cmd_checkgrad(int argc, char **argv)
{
    cli_opts o;
    lr_err e;
    const char *model = NULL;
    if (argc > 1 && argv[1][0] != '-') { /* check-grad MODEL [options] */
        model = argv[1];
        argv[1] = argv[0];
        argc--;
        argv++;
    }
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage();
            return EXIT_OK;
        }
    int rc = cli_parse(&o, CLI_CHECK_GRAD, argc, argv, &e);
    if (rc)
        return rc > 0 ? EXIT_OK : commands_fail(&e, EXIT_BAD_INPUT);
    if (!model)
        model = o.model;
    setup_threads(o.threads);
    lr_shape shape = o.input_shape.c ? o.input_shape : (lr_shape){ 1, 28, 28 };
    int B = batch_given(argc, argv) ? o.batch : CHECKGRAD_BATCH;
    net n;
    if (net_build(&n, model, shape, CHECKGRAD_CLASSES, B, &o.net, o.seed, &e))
        return commands_fail(&e, EXIT_BAD_INPUT);
    float *x = malloc((size_t)B * n.n_in * sizeof *x);
    int *y = malloc((size_t)B * sizeof *y);
    if (!x || !y) {
        free(x);
        free(y);
        net_free(&n);
        return commands_fail(&(lr_err){ "out of memory" }, EXIT_FAILURE_RUN);
    }
    lr_rng rng;
    rng_seed(&rng, o.seed);
    for (size_t i = 0; i < (size_t)B * n.n_in; i++)
        x[i] = rng_normal(&rng);
    for (int i = 0; i < B; i++)
        y[i] = (int)rng_below(&rng, CHECKGRAD_CLASSES);

    gradcheck_opts go;
    gradcheck_opts_default(&go);
    go.seed = o.seed;
    gradcheck_report r;
    char desc[160];
    net_describe(&n, desc, sizeof desc);
    printf("check-grad %s, input %dx%dx%d, batch %d: %d entries per tensor, h %g, "
           "tolerance %g\n", desc, shape.c, shape.h, shape.w, B, go.per_tensor,
           (double)go.h, go.tol);
    rc = gradcheck_net(&n, x, y, B, &go, &r, &e);
    free(x);
    free(y);
    net_free(&n);
    if (rc)
        return commands_fail(&e, EXIT_FAILURE_RUN);
    printf("%-28s %9s %7s %5s %10s %10s\n", "tensor", "entries", "checked", "bad",
           "max error", "scale");
    for (int i = 0; i < r.n_tensors; i++) {
        const gradcheck_tensor *t = &r.tensors[i];
        printf("%-28s %9zu %7d %5d %10.2e %10.2e\n", t->name, t->n, t->n_checked, t->n_bad,
               t->max_err, t->scale);
    }
    printf("%s: %d of %d entries within %g (largest error %.2e; at most 1 %% may miss, "
           "at ReLU kinks)\n",
           r.passed ? "passed" : "FAILED", r.n_checked - r.n_bad, r.n_checked, go.tol,
           r.max_err);
    int status = r.passed ? EXIT_OK : EXIT_FAILURE_RUN;
    gradcheck_report_free(&r);
    return status;
}
