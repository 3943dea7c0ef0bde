/* cmd_export_weights.c — `lrscope export-weights RUN -o FILE.npz`: the
 * trained parameters and batch-norm statistics of a run's checkpoint as
 * NumPy arrays with names and shapes, for numpy.load and PyTorch.
 *
 * Names are the layer's name and PyTorch's words: "dense1.weight",
 * "dense1.bias", "bn1.weight" (scale), "bn1.bias" (shift),
 * "bn1.running_mean", "bn1.running_var", "stage1.block1.conv.weight"...
 * Shapes are lrscope's layouts: a dense weight is (in, out) (transpose it
 * for torch.nn.Linear); a convolution's is (kh, kw, in_channels, out)
 * (permute(3, 2, 0, 1) for torch.nn.Conv2d); images are stored channel-last,
 * so a dense layer reading a multi-channel image reads it in (H, W, C) order. */
#include "tui/commands.h"

#include <stdio.h>
#include <string.h>

#include "engine/checkpoint.h"
#include "engine/run.h"
#include "tui/headless.h"
#include "tui/npz.h"
#include "tui/setup.h"

/* The network's tensors, derived from its nodes' layers (one function, so a
 * net-level accessor can replace it). Calls add(name, data, shape, n_dims)
 * for each; stops at the first failure and returns -1. */
static int each_tensor(const net *n, npz_writer *z, lr_err *e)
{
    for (int i = 0; i < n->n_nodes; i++) {
        const layer *l = &n->nodes[i].l;
        char name[64];
        long shape[4];
        switch (l->kind) {
        case LAYER_DENSE:
            shape[0] = (long)shape_size(l->in);
            shape[1] = l->out_c;
            snprintf(name, sizeof name, "%s.weight", l->name);
            if (npz_add(z, name, l->w, shape, 2, e))
                return -1;
            break;
        case LAYER_CONV:
            shape[0] = shape[1] = l->k;
            shape[2] = l->in.c;
            shape[3] = l->out_c;
            snprintf(name, sizeof name, "%s.weight", l->name);
            if (npz_add(z, name, l->w, shape, 4, e))
                return -1;
            break;
        case LAYER_BATCHNORM: {
            shape[0] = l->out.c;
            const struct { const char *what; const float *data; } parts[] = {
                { "weight", l->w }, { "bias", l->b },
                { "running_mean", l->run_mean }, { "running_var", l->run_var },
            };
            for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
                snprintf(name, sizeof name, "%s.%s", l->name, parts[k].what);
                if (npz_add(z, name, parts[k].data, shape, 1, e))
                    return -1;
            }
            continue;
        }
        default:
            continue;
        }
        if (l->bias && l->b) {
            shape[0] = l->out_c;
            snprintf(name, sizeof name, "%s.bias", l->name);
            if (npz_add(z, name, l->b, shape, 1, e))
                return -1;
        }
    }
    return 0;
}

static int usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: lrscope export-weights RUN -o FILE.npz\n"
            "writes the parameters and batch-norm statistics of RUN's checkpoint as NumPy\n"
            "arrays (numpy.load(FILE)): dense weights (in, out), convolutions (kh, kw, in, out)\n");
    return status;
}

int cmd_export_weights(int argc, char **argv)
{
    const char *dir = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return usage(EXIT_OK);
        if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc)
            out = argv[++i];
        else if (argv[i][0] != '-' && !dir)
            dir = argv[i];
        else {
            fprintf(stderr, "lrscope: export-weights: unexpected '%s'\n", argv[i]);
            return usage(EXIT_BAD_INPUT);
        }
    }
    if (!dir || !out || !*out)
        return usage(EXIT_BAD_INPUT);
    lr_err e;
    char path[1100];
    if (run_path(path, sizeof path, dir, "config")) {
        lr_fail(&e, "run folder path is too long: %s", dir);
        return commands_fail(&e, EXIT_BAD_INPUT);
    }
    char ckpt[1100];
    run_path(ckpt, sizeof ckpt, dir, CHECKPOINT_FILE);
    checkpoint c;
    if (checkpoint_read(&c, ckpt, &e))
        return commands_fail(&e, EXIT_BAD_INPUT);
    if (c.has_range) {
        checkpoint_free(&c);
        lr_fail(&e, "%s is a range test: its weights are the sweep's, not a trained model's; "
                    "export a training run", dir);
        return commands_fail(&e, EXIT_BAD_INPUT);
    }
    if (c.state == TRAIN_DIVERGED) {
        lr_fail(&e, "%s diverged at iteration %ld: its weights are the ones the loss blew up "
                    "with, not a trained model's; export a run that trained", dir,
                c.diverged_at);
        checkpoint_free(&c);
        return commands_fail(&e, EXIT_BAD_INPUT);
    }
    char *args[] = { "export-weights", "--config", path, "--quiet" };
    cli_opts o;
    if (cli_parse(&o, CLI_TRAIN, 4, args, &e)) {
        checkpoint_free(&c);
        return commands_fail(&e, EXIT_BAD_INPUT);
    }
    snprintf(path, sizeof path, "%s", ckpt);
    run_setup r;
    if (setup_run(&r, &o, &e)) {
        checkpoint_free(&c);
        return commands_fail(&e, EXIT_BAD_INPUT);
    }
    int status = EXIT_BAD_INPUT;
    npz_writer z;
    if (checkpoint_restore_net(&c, &r.net, path, &e) == 0) {
        status = EXIT_FAILURE_RUN;
        if (npz_open(&z, out, &e) == 0) {
            if (each_tensor(&r.net, &z, &e))
                npz_abort(&z);
            else if (npz_close(&z, &e) == 0)
                status = EXIT_OK;
        }
    }
    if (status == EXIT_OK)
        printf("wrote %s: %d arrays of %s at iteration %ld (%s)\n", out, z.n, r.net.spec,
               c.iter, c.state == TRAIN_DONE ? "finished" : "not finished");
    else
        commands_fail(&e, status);
    checkpoint_free(&c);
    setup_free(&r);
    return status;
}
