/* cli.c — the option table, getopt_long over it, and --help from it. */
#include "tui/cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rangetest.h"
#include "tui/cli_table.h"

static int parse_policy(cli_opts *o, const char *arg, lr_err *e)
{
    if (sched_policy_parse(arg, &o->policy))
        return lr_fail(e, "'%s' is unknown: use const, step, multistep, inv, clr, "
                          "triangular2, exp_range or 1cycle", arg);
    o->policy_given = true;
    return 0;
}

static int parse_anneal(cli_opts *o, const char *arg, lr_err *e)
{
    sched_anneal an;
    if (sched_anneal_parse(arg, &an))
        return lr_fail(e, "'%s': use cos or linear", arg);
    o->anneal = an;
    return 0;
}

static int parse_style(cli_opts *o, const char *arg, lr_err *e)
{
    onecycle_style st;
    if (sched_style_parse(arg, &st))
        return lr_fail(e, "'%s': use smith, pytorch or fastai", arg);
    o->style = st;
    return 0;
}

static int parse_momentum(cli_opts *o, const char *arg, lr_err *e)
{
    return quantity_momentum_range(arg, &o->mom_max, &o->mom_min, e);
}

static int parse_milestones(cli_opts *o, const char *arg, lr_err *e)
{
    int n = quantity_milestones(arg, o->milestones, SCHED_MAX_MILESTONES, e);
    if (n < 0)
        return -1;
    o->n_milestones = n;
    return 0;
}

static int parse_sweep(cli_opts *o, const char *arg, lr_err *e)
{
    if (!strcmp(arg, "linear")) o->sweep_exp = false;
    else if (!strcmp(arg, "exp")) o->sweep_exp = true;
    else return lr_fail(e, "'%s': use linear (Smith) or exp (fastai)", arg);
    o->policy = o->sweep_exp ? SCHED_SWEEP_EXP : SCHED_SWEEP_LINEAR;
    o->sweep_given = true;
    return 0;
}

static int parse_stop_factor(cli_opts *o, const char *arg, lr_err *e)
{
    double f;
    if (quantity_real(&Q_STOP_FACTOR, arg, &f, e))
        return -1;
    if (f > 0 && f <= 1.0)
        return lr_fail(e, "%s: give 0 (never stop on the loss) or a factor above 1", arg);
    o->stop_factor = f;
    o->stop_factor_given = true;
    return 0;
}

/* --lr is --lr-max under the name the fixed schedules use; which one was
 * given is kept, for the checks of check_sched_options. */
static int parse_lr(cli_opts *o, const char *arg, lr_err *e)
{
    o->lr_given = true;
    return quantity_real(&Q_LR, arg, &o->lr_max, e);
}

static int parse_lr_max(cli_opts *o, const char *arg, lr_err *e)
{
    o->lr_max_given = true;
    return quantity_real(&Q_LR, arg, &o->lr_max, e);
}

static int parse_preset(cli_opts *o, const char *arg, lr_err *e)
{
    rangetest_preset p;
    if (o->mode != CLI_RANGE_TEST)
        return lr_fail(e, "--preset is an option of lrscope range-test");
    if (rangetest_preset_parse(arg, &p, e))
        return -1;
    o->preset = (int)p;
    return 0;
}

static int parse_ghost(cli_opts *o, const char *arg, lr_err *e)
{
    if (o->n_ghosts == (int)(sizeof o->ghosts / sizeof o->ghosts[0]))
        return lr_fail(e, "at most %d ghosts", o->n_ghosts);
    o->ghosts[o->n_ghosts++] = arg;
    return 0;
}

static int parse_sgd_form(cli_opts *o, const char *arg, lr_err *e)
{
    if (sgd_form_parse(arg, &o->sgd.form))
        return lr_fail(e, "'%s': use caffe (v = mu v - lr g; w += v) or torch "
                          "(v = mu v + g; w -= lr v)", arg);
    return 0;
}

static void format_sgd_form(FILE *f, const cli_opts *o)
{
    fprintf(f, "%s\n", sgd_form_name(o->sgd.form));
}

static int parse_init(cli_opts *o, const char *arg, lr_err *e)
{
    if (!strcmp(arg, "he")) o->net.init = INIT_HE;
    else if (!strcmp(arg, "torch")) o->net.init = INIT_TORCH;
    else return lr_fail(e, "'%s': use he (He normal) or torch (PyTorch's defaults)", arg);
    return 0;
}

static void format_init(FILE *f, const cli_opts *o)
{
    fprintf(f, "%s\n", o->net.init == INIT_TORCH ? "torch" : "he");
}

static const char *const conv_names[] = { "auto", "im2col", "winograd" };

static int parse_conv(cli_opts *o, const char *arg, lr_err *e)
{
    for (int i = 0; i < 3; i++)
        if (!strcmp(arg, conv_names[i])) {
            o->net.conv = (conv_algo)i;
            return 0;
        }
    return lr_fail(e, "'%s': use auto (Winograd for 3x3 and 5x5 stride-1 convolutions, "
                      "im2col for the rest), im2col or winograd", arg);
}

static void format_conv(FILE *f, const cli_opts *o)
{
    fprintf(f, "%s\n", conv_names[o->net.conv]);
}

static int parse_input_shape(cli_opts *o, const char *arg, lr_err *e)
{
    int ch, h, w, used = 0;
    if (sscanf(arg, "%dx%dx%d%n", &ch, &h, &w, &used) != 3 || arg[used] || ch < 1 || ch > 3 ||
        h < 1 || h > 1024 || w < 1 || w > 1024)
        return lr_fail(e, "'%s': give CxHxW with C from 1 to 3 and H, W from 1 to 1024, "
                          "e.g. 3x32x32", arg);
    o->input_shape = (lr_shape){ ch, h, w };
    return 0;
}

/* The schedule's options, unset: cli_resolve_sched then keeps the default
 * or the config's value. */
static void unset_schedule_options(cli_opts *o)
{
    o->lr_min = o->lr_max = o->gamma = o->power = o->pct_start = NAN;
    o->div_factor = o->final_div_factor = o->cycle_frac = o->cycle_epochs = NAN;
    o->mom_max = o->mom_min = NAN;
    o->stepsize = -1;
    o->style = o->anneal = -1;
    o->three_phase = o->lr_given = o->lr_max_given = false;
    o->n_milestones = 0;
    o->iters = 0;
    o->epochs = 0;
}

/* A config replaces what came before it, the schedule's options included
 * (which would otherwise win over the config's schedule wherever typed). */
static int parse_config(cli_opts *o, const char *arg, lr_err *e)
{
    unset_schedule_options(o);
    return cli_read_config(o, arg, e);
}

#define F(field) offsetof(cli_opts, field)
#define HEAD(title, shown) { .name = title, .type = OT_HEADING, .modes = shown }
/* name, key, type, quantity, field, parser, modes, value name, help */
#define ROW(...) { __VA_ARGS__, NULL, NULL }

const opt_row cli_table[] = {
    HEAD("Data and model", MODES_ALL),
    ROW("data", "data", OT_TEXT, &Q_PATH, F(data), NULL, MODES_RUN, "SPEC",
      "fashion-mnist (default), synthetic, or a folder of IDX\n"
      "(MNIST format, .gz or plain) or CIFAR-10 binary files"),
    ROW("train-size", "train_size", OT_INT, &Q_TRAIN_SIZE, F(train_size), NULL, MODES_RUN, "N",
      "class-balanced subset of N training images (0: all)"),
    ROW("augment", "augment", OT_FLAG, NULL, F(augment), NULL, MODES_RUN, NULL,
      "random crops (4-pixel padding) and horizontal flips"),
    { .name = "model", .key = "model", .type = OT_TEXT, .q = &Q_MODEL, .off = F(model),
      .modes = MODES_NET, .arg = "SPEC", .help = "one of (default mlp-bn:512,512):",
      .more = net_presets_help },
    { .name = "init", .key = "init", .type = OT_FUNC, .parse = parse_init,
      .format = format_init, .modes = MODES_NET, .arg = "he|torch",
      .help = "He normal (default) or PyTorch's default initialisation" },
    { .name = "conv", .key = "conv", .type = OT_FUNC, .parse = parse_conv,
      .format = format_conv, .modes = MODES_NET, .arg = "auto|im2col|winograd",
      .help = "how convolutions become matrix products (default auto:\n"
              "Winograd F(4x4,3x3) and F(4x4,5x5) for 3x3 and 5x5 stride-1\n"
              "ones, im2col for the rest)" },
    ROW("batch", "batch", OT_INT, &Q_BATCH, F(batch), NULL, MODES_NET, "N",
      "mini-batch size (default 128)"),
    ROW("bn-maf", "bn_maf", OT_FLOAT, &Q_BN_MAF, F(net.bn_maf), NULL, MODES_NET, "F",
      "batch-norm moving-average fraction (default 0.9)"),
    ROW("seed", "seed", OT_U64, &Q_SEED, F(seed), NULL, MODES_NET, "N",
      "seed for initialisation, shuffling, subsets (default 1)"),
    ROW("threads", "threads", OT_INT, &Q_THREADS, F(threads), NULL,
      MODES_NET | MODE_BIT(CLI_RESUME), "N",
      "threads for training, GEMMs included (default: number of\n"
      "cores; OpenBLAS itself runs single-threaded inside them)"),
    HEAD("Length and evaluation", MODES_RUN),
    ROW("epochs", NULL, OT_REAL, &Q_EPOCHS, F(epochs), NULL, MODES_RUN, "X",
      "run length in epochs (default 3; a range test: 1)"),
    ROW("iters", NULL, OT_LONG, &Q_ITERS, F(iters), NULL, MODES_RUN, "N",
      "run length in iterations (a range test with --sweep exp: 100)"),
    ROW("eval-every", "eval_every", OT_LONG, &Q_EVAL_EVERY, F(eval_every), NULL, MODES_RUN, "N",
      "test-set evaluation every N iterations (default ~10/epoch)"),
    ROW("eval-max", "eval_max", OT_INT, &Q_EVAL_MAX, F(eval_max), NULL, MODES_RUN, "N",
      "periodic evaluations read the first N test images\n"
      "(default 2000; 0: all); epoch ends read them all"),
    ROW(NULL, "eval_max_end", OT_INT, &Q_EVAL_MAX, F(eval_max_end), NULL, 0, NULL, NULL),
    HEAD("Schedule (lrscope train --policy-help lists each policy's parameters)", MODES_SCHED),
    HEAD("Sweep bounds and optimizer", MODE_BIT(CLI_RANGE_TEST)),
    ROW("policy", NULL, OT_FUNC, NULL, 0, parse_policy, MODES_SCHED, "P",
      "const step multistep inv clr triangular2 exp_range 1cycle"),
    ROW("policy-help", NULL, OT_INFO, NULL, 0, NULL, MODES_SCHED, NULL,
      "each policy's formula, parameters and defaults"),
    ROW("lr", NULL, OT_FUNC, NULL, 0, parse_lr, MODES_SCHED, "X",
      "the learning rate of const/step/multistep/inv"),
    ROW("lr-min", NULL, OT_REAL, &Q_LR_MIN, F(lr_min), NULL, MODES_RUN, "X",
      "the lower cycle bound (CLR, 1cycle) or sweep start"),
    ROW("lr-max", NULL, OT_FUNC, NULL, 0, parse_lr_max, MODES_RUN, "X",
      "the upper cycle bound or sweep end"),
    ROW("stepsize", NULL, OT_LONG, &Q_STEPSIZE, F(stepsize), NULL, MODES_SCHED, "N",
      "iterations in half a cycle (or --cycle-epochs X)"),
    ROW("cycle-epochs", NULL, OT_REAL, &Q_CYCLE_EPOCHS, F(cycle_epochs), NULL, MODES_SCHED, "X",
      "a whole cycle in epochs"),
    ROW("style", NULL, OT_FUNC, NULL, 0, parse_style, MODES_SCHED, "S",
      "1cycle convention: smith (default), pytorch, fastai"),
    ROW("cycle-frac", NULL, OT_REAL, &Q_CYCLE_FRAC, F(cycle_frac), NULL, MODES_SCHED, "F",
      "smith 1cycle: fraction of the run in the cycle"),
    ROW("pct-start", NULL, OT_REAL, &Q_PCT_START, F(pct_start), NULL, MODES_SCHED, "F",
      "pytorch/fastai 1cycle: fraction of the run rising"),
    ROW("div-factor", NULL, OT_REAL, &Q_DIV_FACTOR, F(div_factor), NULL, MODES_SCHED, "F",
      "pytorch/fastai 1cycle: start LR = max/F"),
    ROW("final-div-factor", NULL, OT_REAL, &Q_FINAL_DIV, F(final_div_factor), NULL, MODES_SCHED,
      "F", "pytorch/fastai 1cycle: the end LR's divisor"),
    ROW("anneal", NULL, OT_FUNC, NULL, 0, parse_anneal, MODES_SCHED, "A",
      "pytorch/fastai 1cycle: cos or linear"),
    ROW("three-phase", NULL, OT_FLAG, NULL, F(three_phase), NULL, MODES_SCHED, NULL,
      "pytorch 1cycle in three phases"),
    ROW("momentum", NULL, OT_FUNC, NULL, 0, parse_momentum, MODES_RUN, "MAX[:MIN]",
      "momentum; a range cycles it against the LR"),
    ROW("gamma", NULL, OT_REAL, &Q_GAMMA, F(gamma), NULL, MODES_SCHED, "F",
      "step and multistep drop factor; exp_range, inv"),
    ROW("power", NULL, OT_REAL, &Q_POWER, F(power), NULL, MODES_SCHED, "F", "inv"),
    ROW("milestones", NULL, OT_FUNC, NULL, 0, parse_milestones, MODES_SCHED, "I1,I2,...",
      "multistep: iterations of the drops"),
    ROW("wd", "wd", OT_REAL, &Q_WD, F(sgd.wd), NULL, MODES_ALL, "X",
      "weight decay, coupled L2 (default 1e-4)"),
    ROW("decay-bias", "decay_bias", OT_FLAG, NULL, F(sgd.decay_bias), NULL, MODES_ALL, NULL,
      "weight decay on dense biases too"),
    ROW("decay-bn", "decay_bn", OT_FLAG, NULL, F(sgd.decay_bn), NULL, MODES_ALL, NULL,
      "weight decay on batch-norm scale and shift too"),
    ROW("nesterov", "nesterov", OT_FLAG, NULL, F(sgd.nesterov), NULL, MODES_ALL, NULL,
      "Nesterov momentum"),
    { .name = "sgd", .key = "sgd", .type = OT_FUNC, .parse = parse_sgd_form,
      .format = format_sgd_form, .modes = MODES_ALL, .arg = "caffe|torch",
      .help = "momentum SGD in Caffe's form (default) or PyTorch's" },
    ROW("lr-estimate", "lr_estimate", OT_INT, &Q_LR_ESTIMATE, F(lr_estimate), NULL,
      MODE_BIT(CLI_WORKBENCH) | MODE_BIT(CLI_TRAIN) | MODE_BIT(CLI_BENCH), "K",
      "estimate of the optimal LR (paper section 4) every K\n"
      "iterations; 0: off (default: 50 in the workbench, off headless;\n"
      "bench times its cost when K is given)"),
    HEAD("Output and runs", MODES_RUN),
    ROW("out", NULL, OT_TEXT, &Q_PATH, F(out), NULL, MODES_RUN, "DIR",
      "run folder (default runs/<date>-<time>-<policy>;\n"
      "the workbench puts each of its runs under DIR);\n"
      "a folder that holds a run is refused"),
    ROW("quiet", NULL, OT_FLAG, NULL, F(quiet), NULL, MODES_RUN | MODE_BIT(CLI_RESUME), NULL,
      "no progress output"),
    ROW("config", NULL, OT_FUNC, NULL, 0, parse_config, MODE_BIT(CLI_TRAIN), "RUN/config",
      "repeat a run: its settings, then the options after this one"),
    ROW("checkpoint-every", "checkpoint_every", OT_REAL, &Q_CHECKPOINT_MINUTES,
      F(checkpoint_minutes), NULL,
      MODE_BIT(CLI_WORKBENCH) | MODE_BIT(CLI_TRAIN) | MODE_BIT(CLI_RANGE_TEST) |
      MODE_BIT(CLI_RESUME), "MIN",
      "write a checkpoint every MIN minutes (default 5; 0: only\n"
      "at epoch ends, the end and interruptions)"),
    ROW("resume", NULL, OT_TEXT, &Q_PATH, F(resume), NULL, MODE_BIT(CLI_WORKBENCH), "RUN",
      "open a run folder with its history and continue it"),
    HEAD("Range test", MODE_BIT(CLI_RANGE_TEST) | MODE_BIT(CLI_WORKBENCH)),
    ROW("sweep", NULL, OT_FUNC, NULL, 0, parse_sweep,
      MODE_BIT(CLI_RANGE_TEST) | MODE_BIT(CLI_WORKBENCH), "linear|exp",
      "Smith's linear sweep (default) or fastai's exponential;\n"
      "--lr-min, --lr-max, --iters give its range and length"),
    ROW("stop-factor", NULL, OT_FUNC, NULL, 0, parse_stop_factor,
      MODE_BIT(CLI_RANGE_TEST) | MODE_BIT(CLI_WORKBENCH), "F",
      "stop when smoothed loss > F x best (default 4; 0: never)"),
    ROW("preset", NULL, OT_FUNC, NULL, 0, parse_preset, MODE_BIT(CLI_RANGE_TEST), "P",
      "a tool's default sweep: smith (the default), fastai\n"
      "(= --sweep exp) or lr-finder (torch-lr-finder:\n"
      "1e-7 -> 10 reached at step 100, stop at 5x)"),
    HEAD("Workbench", MODE_BIT(CLI_WORKBENCH)),
    ROW("input-shape", NULL, OT_FUNC, NULL, 0, parse_input_shape,
      MODE_BIT(CLI_BENCH) | MODE_BIT(CLI_CHECK_GRAD), "CxHxW",
      "one example's shape (default 1x28x28; CIFAR: 3x32x32)"),
    ROW("by-layer", NULL, OT_FLAG, NULL, F(by_layer), NULL, MODE_BIT(CLI_BENCH), NULL,
      "also time every layer's forward and backward pass"),
    ROW("ascii", NULL, OT_FLAG, NULL, F(ascii), NULL, MODE_BIT(CLI_WORKBENCH), NULL,
      "ASCII plots instead of braille"),
    ROW("ghost", NULL, OT_FUNC, NULL, 0, parse_ghost, MODE_BIT(CLI_WORKBENCH), "RUN",
      "show a finished run folder as a ghost (repeatable)"),
    ROW("fps", NULL, OT_REAL, &Q_FPS, F(fps), NULL, MODE_BIT(CLI_WORKBENCH), "N",
      "screen refreshes per second (default 5)"),
    ROW("frames", NULL, OT_LONG, &Q_FRAMES, F(frames), NULL, MODE_BIT(CLI_WORKBENCH), "N",
      "exit after N frames (for scripted runs)"),
    ROW("screenshot", NULL, OT_TEXT, &Q_PATH, F(screenshot), NULL, MODE_BIT(CLI_WORKBENCH),
      "FILE", "on exit, write the screen as a PNG"),
    HEAD("", MODES_ALL),
    ROW("help", NULL, OT_INFO, NULL, 0, NULL, MODES_NET | MODE_BIT(CLI_RESUME), NULL, "this text"),
    ROW("version", NULL, OT_INFO, NULL, 0, NULL, MODES_NET, NULL, "the version"),
};
const size_t cli_table_len = sizeof cli_table / sizeof cli_table[0];

static const char *mode_name(cli_mode m)
{
    static const char *names[] = {
        [CLI_WORKBENCH] = "lrscope", [CLI_TRAIN] = "lrscope train",
        [CLI_RANGE_TEST] = "lrscope range-test", [CLI_BENCH] = "lrscope bench",
        [CLI_CHECK_GRAD] = "lrscope check-grad",
        [CLI_RESUME] = "lrscope resume RUN",
    };
    return names[m];
}

void cli_print_usage(FILE *f, cli_mode mode)
{
    fprintf(f, "usage: %s [options]\n", mode_name(mode));
    if (mode == CLI_WORKBENCH)
        fputs("       lrscope train|range-test|plot|bench [options]   (headless)\n"
              "       lrscope resume RUN [--threads N] [--quiet]      (continue a run)\n"
              "       lrscope export RUN   the run's schedule as PyTorch and fastai code\n", f);
    for (size_t i = 0; i < cli_table_len; i++) {
        const opt_row *r = &cli_table[i];
        if (!(r->modes & MODE_BIT(mode)))
            continue;
        if (r->type == OT_HEADING) {
            fprintf(f, "\n%s%s", r->name, r->name[0] ? ":\n" : "");
            continue;
        }
        char left[48];
        snprintf(left, sizeof left, "--%s%s%s", r->name, r->arg ? " " : "",
                 r->arg ? r->arg : "");
        fprintf(f, "  %-22s ", left);
        for (const char *p = r->help; *p; p++) {
            fputc(*p, f);
            if (*p == '\n')
                fprintf(f, "%25s", "");
        }
        fputc('\n', f);
        if (r->more)
            fputs(r->more, f);
    }
}

int cli_set_option(cli_opts *o, const opt_row *row, const char *value, lr_err *e)
{
    char *field = (char *)o + row->off;
    long l;
    double d;
    switch (row->type) {
    case OT_FLAG:
        if (!value) {
            *(bool *)field = true;
            return 0;
        }
        if (strcmp(value, "0") && strcmp(value, "1"))
            return lr_fail(e, "'%s' is not allowed: give 1 (on) or 0 (off)", value);
        *(bool *)field = value[0] == '1';
        return 0;
    case OT_INT:
        if (quantity_long(row->q, value, &l, e))
            return -1;
        *(int *)field = (int)l;
        return 0;
    case OT_LONG:
        return quantity_long(row->q, value, (long *)field, e);
    case OT_U64:
        if (quantity_long(row->q, value, &l, e))
            return -1;
        *(uint64_t *)field = (uint64_t)l;
        return 0;
    case OT_REAL:
        return quantity_real(row->q, value, (double *)field, e);
    case OT_FLOAT:
        if (quantity_real(row->q, value, &d, e))
            return -1;
        *(float *)field = (float)d;
        return 0;
    case OT_TEXT: {
        char probe[1024];
        if (quantity_text(row->q, value, probe, sizeof probe, e))
            return -1;
        *(const char **)field = value; /* the caller keeps the text alive */
        return 0;
    }
    case OT_FUNC:
        return row->parse(o, value, e);
    default:
        return lr_fail(e, "this option takes no value");
    }
}

static void cli_defaults(cli_opts *o, cli_mode mode)
{
    memset(o, 0, sizeof *o);
    o->mode = mode;
    o->model = NET_DEFAULT_MODEL;
    o->batch = 128;
    o->seed = 1;
    o->eval_every = -1;
    o->eval_max = -1;
    o->policy = mode == CLI_RANGE_TEST ? SCHED_SWEEP_LINEAR : SCHED_CONST;
    unset_schedule_options(o);
    o->stop_factor = 4.0;
    o->preset = -1;
    o->fps = 5.0;
    o->lr_estimate = -1;
    o->checkpoint_minutes = RUN_CHECKPOINT_MINUTES;
    sgd_opts_default(&o->sgd);
    net_opts_default(&o->net);
}

/* getopt_long's table, made once from cli_table (val = row index + 256). */
static struct option long_opts[sizeof cli_table / sizeof cli_table[0] + 1];

static void build_long_opts(void)
{
    size_t n = 0;
    for (size_t i = 0; i < cli_table_len; i++) {
        const opt_row *r = &cli_table[i];
        if (r->type == OT_HEADING || !r->name)
            continue;
        bool takes = r->type != OT_FLAG && r->type != OT_INFO;
        long_opts[n++] = (struct option){ r->name, takes ? required_argument : no_argument,
                                          NULL, 256 + (int)i };
    }
    long_opts[n] = (struct option){ 0, 0, 0, 0 };
}

bool cli_mode_takes(cli_mode mode, const char *arg)
{
    if (!strcmp(arg, "-h"))
        return true;
    if (strncmp(arg, "--", 2))
        return false;
    size_t len = strcspn(arg + 2, "=");
    for (size_t i = 0; i < cli_table_len; i++) {
        const opt_row *r = &cli_table[i];
        if (r->name && r->type != OT_HEADING && strlen(r->name) == len &&
            !strncmp(arg + 2, r->name, len))
            return (r->modes & MODE_BIT(mode)) != 0;
    }
    return false;
}

/* The schedule options of the command line, with the field each sets and
 * whether it was given. */
typedef struct { const char *opt, *key; bool given; } sched_option;
#define N_SCHED_OPTIONS 14

static void sched_options(const cli_opts *o, sched_option out[N_SCHED_OPTIONS])
{
    const sched_option all[N_SCHED_OPTIONS] = {
        { "--lr-min", "lr_min", !isnan(o->lr_min) },
        { "--stepsize", "stepsize", o->stepsize > 0 },
        { "--cycle-epochs", "stepsize", !isnan(o->cycle_epochs) },
        { "--style", "style", o->style >= 0 },
        { "--cycle-frac", "cycle_frac", !isnan(o->cycle_frac) },
        { "--pct-start", "pct_start", !isnan(o->pct_start) },
        { "--div-factor", "div_factor", !isnan(o->div_factor) },
        { "--final-div-factor", "final_div_factor", !isnan(o->final_div_factor) },
        { "--anneal", "anneal", o->anneal >= 0 },
        { "--three-phase", "three_phase", o->three_phase },
        { "--gamma", "gamma", !isnan(o->gamma) },
        { "--power", "power", !isnan(o->power) },
        { "--milestones", "milestones", o->n_milestones > 0 },
        { "--momentum MAX:MIN", "mom_min", o->mom_min < o->mom_max },
    };
    memcpy(out, all, sizeof all);
}

/* Whether policy p in style st reads option `opt`'s field. A 1cycle of any
 * style takes --lr-min: the PyTorch and fastai styles turn it into their
 * div_factor (cli_resolve_sched). */
static bool option_used(const sched_option *opt, sched_policy p, onecycle_style st)
{
    return sched_param_used(opt->key, p, st) ||
           (p == SCHED_1CYCLE && !strcmp(opt->key, "lr_min"));
}

/* "step, multistep, 1cycle --style pytorch|fastai": the policies that read
 * `opt`'s field, for a message. */
static void users_of(const sched_option *opt, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int p = 0; p < SCHED_N_POLICIES && n < len; p++) {
        if (sched_policy_is_sweep((sched_policy)p))
            continue;
        char styles[64] = "";
        int n_styles = 0, k = 0;
        for (int st = 0; st < ONECYCLE_N_STYLES; st++)
            if (option_used(opt, (sched_policy)p, (onecycle_style)st)) {
                k += snprintf(styles + k, sizeof styles - (size_t)k, "%s%s", n_styles ? "|" : "",
                              sched_style_name((onecycle_style)st));
                n_styles++;
            }
        if (!n_styles)
            continue;
        bool all = p != SCHED_1CYCLE || n_styles == ONECYCLE_N_STYLES;
        n += (size_t)snprintf(buf + n, len - n, "%s%s%s%s", n ? ", " : "",
                              sched_policy_name((sched_policy)p), all ? "" : " --style ",
                              all ? "" : styles);
    }
}

/* A schedule option the run does not read would be ignored without a word.
 * train refuses it, naming the policies that read it; range-test sweeps at
 * one momentum. The workbench keeps them all, for the runs its keys start. */
static int check_sched_options(const cli_opts *o, cli_mode mode, lr_err *e)
{
    if (mode != CLI_TRAIN && mode != CLI_RANGE_TEST)
        return 0;
    sched_option opts[N_SCHED_OPTIONS];
    sched_options(o, opts);
    bool based = o->have_base_sched && o->base_sched.policy == o->policy;
    onecycle_style st = o->style >= 0 ? (onecycle_style)o->style
                      : based ? o->base_sched.style : ONECYCLE_SMITH;
    bool cycles = o->policy == SCHED_TRIANGULAR || o->policy == SCHED_TRIANGULAR2 ||
                  o->policy == SCHED_EXP_RANGE || o->policy == SCHED_1CYCLE;
    if (mode == CLI_TRAIN && o->lr_given && (cycles || o->lr_max_given))
        return lr_fail(e, "--lr is the LR of const, step, multistep and inv: %s",
                       o->lr_max_given ? "give it or --lr-max, not both"
                                       : "a cycle's top is --lr-max (and its bottom --lr-min)");
    for (int i = 0; i < N_SCHED_OPTIONS; i++) {
        const sched_option *g = &opts[i];
        if (!g->given)
            continue;
        if (mode == CLI_RANGE_TEST) { /* the table keeps the other options out */
            if (!strcmp(g->key, "mom_min"))
                return lr_fail(e, "%s has no effect on a range test: it sweeps at one "
                                  "momentum", g->opt);
            continue;
        }
        if (option_used(g, o->policy, st))
            continue;
        char users[256];
        users_of(g, users, sizeof users);
        return lr_fail(e, "%s has no effect on --policy %s%s%s: %s use%s it (see --policy-help)",
                       g->opt, sched_policy_name(o->policy),
                       o->policy == SCHED_1CYCLE ? " --style " : "",
                       o->policy == SCHED_1CYCLE ? sched_style_name(st) : "", users,
                       strchr(users, ',') ? "" : "s");
    }
    return 0;
}

int cli_parse(cli_opts *o, cli_mode mode, int argc, char **argv, lr_err *e)
{
    cli_defaults(o, mode);
    build_long_opts();
    optind = 1;
    opterr = 0;
    for (;;) {
        int c = getopt_long(argc, argv, "h", long_opts, NULL);
        if (c == -1)
            break;
        if (c == '?' || c == ':') {
            const char *bad = argv[optind - 1];
            if (optopt && optopt < 256)
                return lr_fail(e, "unknown option '-%c' (see %s --help)", optopt,
                               mode_name(mode));
            return lr_fail(e, "option '%s' is unknown or lacks its value (see %s --help)",
                           bad, mode_name(mode));
        }
        const char *name = c == 'h' ? "help" : cli_table[c - 256].name;
        const opt_row *row = c == 'h' ? NULL : &cli_table[c - 256];
        if (!row || row->type == OT_INFO) {
            if (!strcmp(name, "help"))
                cli_print_usage(stdout, mode);
            else if (!strcmp(name, "version"))
                printf("lrscope %s\n", LRSCOPE_VERSION);
            else
                sched_print_help(stdout);
            return 1;
        }
        /* an option another subcommand takes would be silently ignored here */
        if (!(row->modes & MODE_BIT(mode)))
            return lr_fail(e, "--%s is not an option of %s (see %s --help)%s", name,
                           mode_name(mode), mode_name(mode),
                           mode == CLI_RANGE_TEST && !strcmp(name, "policy")
                           ? ": it sweeps the LR, choose the sweep with --sweep linear|exp" : "");
        lr_err why;
        if (cli_set_option(o, row, optarg, &why))
            return lr_fail(e, "--%s: %s", name, why.msg);
    }
    if (optind < argc)
        return lr_fail(e, "unexpected argument '%s' (see %s --help)", argv[optind],
                       mode_name(mode));
    if (!isnan(o->lr_min) && !isnan(o->lr_max) && o->lr_min > o->lr_max)
        return lr_fail(e, "--lr-min %g is above --lr-max %g: the minimum must not exceed "
                          "the maximum", o->lr_min, o->lr_max);
    if (o->epochs > 0 && o->iters > 0)
        return lr_fail(e, "give the run length once: --epochs or --iters, not both");
    if (o->stepsize > 0 && !isnan(o->cycle_epochs))
        return lr_fail(e, "give the half cycle once: --stepsize or --cycle-epochs, not both");
    return check_sched_options(o, mode, e);
}
