#include "tui/cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rangetest.h"

enum {
    OPT_DATA = 256, OPT_MODEL, OPT_OUT, OPT_TRAIN_SIZE, OPT_BATCH, OPT_THREADS, OPT_SEED,
    OPT_EPOCHS, OPT_ITERS, OPT_EVAL_EVERY, OPT_EVAL_MAX, OPT_QUIET, OPT_POLICY, OPT_POLICY_HELP,
    OPT_LR, OPT_LR_MIN, OPT_LR_MAX, OPT_STEPSIZE, OPT_CYCLE_EPOCHS, OPT_CYCLE_FRAC,
    OPT_PCT_START, OPT_DIV, OPT_FINAL_DIV, OPT_ANNEAL, OPT_THREE_PHASE, OPT_STYLE,
    OPT_MOMENTUM, OPT_GAMMA, OPT_POWER, OPT_MILESTONES, OPT_WD, OPT_DECAY_BIAS, OPT_DECAY_BN,
    OPT_NESTEROV, OPT_BN_MAF, OPT_SWEEP, OPT_STOP_FACTOR, OPT_ASCII, OPT_FPS, OPT_FRAMES,
    OPT_LR_ESTIMATE, OPT_SCREENSHOT, OPT_AUGMENT, OPT_HELP, OPT_VERSION,
    OPT_SGD, OPT_PRESET, OPT_INIT, OPT_INPUT_SHAPE,
};

static const struct option long_opts[] = {
    { "data", required_argument, 0, OPT_DATA },
    { "model", required_argument, 0, OPT_MODEL },
    { "out", required_argument, 0, OPT_OUT },
    { "train-size", required_argument, 0, OPT_TRAIN_SIZE },
    { "batch", required_argument, 0, OPT_BATCH },
    { "threads", required_argument, 0, OPT_THREADS },
    { "seed", required_argument, 0, OPT_SEED },
    { "epochs", required_argument, 0, OPT_EPOCHS },
    { "iters", required_argument, 0, OPT_ITERS },
    { "eval-every", required_argument, 0, OPT_EVAL_EVERY },
    { "eval-max", required_argument, 0, OPT_EVAL_MAX },
    { "quiet", no_argument, 0, OPT_QUIET },
    { "policy", required_argument, 0, OPT_POLICY },
    { "policy-help", no_argument, 0, OPT_POLICY_HELP },
    { "lr", required_argument, 0, OPT_LR },
    { "lr-min", required_argument, 0, OPT_LR_MIN },
    { "lr-max", required_argument, 0, OPT_LR_MAX },
    { "stepsize", required_argument, 0, OPT_STEPSIZE },
    { "cycle-epochs", required_argument, 0, OPT_CYCLE_EPOCHS },
    { "cycle-frac", required_argument, 0, OPT_CYCLE_FRAC },
    { "pct-start", required_argument, 0, OPT_PCT_START },
    { "div-factor", required_argument, 0, OPT_DIV },
    { "final-div-factor", required_argument, 0, OPT_FINAL_DIV },
    { "anneal", required_argument, 0, OPT_ANNEAL },
    { "three-phase", no_argument, 0, OPT_THREE_PHASE },
    { "style", required_argument, 0, OPT_STYLE },
    { "momentum", required_argument, 0, OPT_MOMENTUM },
    { "gamma", required_argument, 0, OPT_GAMMA },
    { "power", required_argument, 0, OPT_POWER },
    { "milestones", required_argument, 0, OPT_MILESTONES },
    { "wd", required_argument, 0, OPT_WD },
    { "decay-bias", no_argument, 0, OPT_DECAY_BIAS },
    { "decay-bn", no_argument, 0, OPT_DECAY_BN },
    { "nesterov", no_argument, 0, OPT_NESTEROV },
    { "sgd", required_argument, 0, OPT_SGD },
    { "bn-maf", required_argument, 0, OPT_BN_MAF },
    { "sweep", required_argument, 0, OPT_SWEEP },
    { "stop-factor", required_argument, 0, OPT_STOP_FACTOR },
    { "preset", required_argument, 0, OPT_PRESET },
    { "ascii", no_argument, 0, OPT_ASCII },
    { "fps", required_argument, 0, OPT_FPS },
    { "frames", required_argument, 0, OPT_FRAMES },
    { "lr-estimate", required_argument, 0, OPT_LR_ESTIMATE },
    { "screenshot", required_argument, 0, OPT_SCREENSHOT },
    { "augment", no_argument, 0, OPT_AUGMENT },
    { "init", required_argument, 0, OPT_INIT },
    { "input-shape", required_argument, 0, OPT_INPUT_SHAPE },
    { "help", no_argument, 0, OPT_HELP },
    { "version", no_argument, 0, OPT_VERSION },
    { 0, 0, 0, 0 },
};

static const char *mode_name(cli_mode m)
{
    static const char *names[] = {
        [CLI_WORKBENCH] = "lrscope", [CLI_TRAIN] = "lrscope train",
        [CLI_RANGE_TEST] = "lrscope range-test", [CLI_BENCH] = "lrscope bench",
    };
    return names[m];
}

void cli_print_usage(FILE *f, cli_mode mode)
{
    fprintf(f, "usage: %s [options]\n", mode_name(mode));
    if (mode == CLI_WORKBENCH)
        fputs("       lrscope train|range-test|plot|bench [options]   (headless)\n"
              "       lrscope export RUN   the run's schedule as PyTorch and fastai code\n", f);
    fputs(
        "\nData and model:\n"
        "  --data SPEC          fashion-mnist (default), synthetic, or a folder of IDX\n"
        "                       (MNIST format, .gz or plain) or CIFAR-10 binary files\n"
        "  --train-size N       class-balanced subset of N training images\n"
        "  --augment            random crops (4-pixel padding) and horizontal flips\n"
        "  --model SPEC         one of (default mlp-bn:512,512):\n", f);
    fputs(net_presets_help, f);
    fputs(
        "  --init he|torch      He normal (default) or PyTorch's default initialisation\n"
        "  --batch N            mini-batch size (default 128)\n"
        "  --bn-maf F           batch-norm moving-average fraction (default 0.9)\n"
        "  --seed N             seed for initialisation, shuffling, subsets (default 1)\n"
        "  --threads N          OpenBLAS threads (default: number of cores)\n"
        "\nLength and evaluation:\n", f);
    fprintf(f, "  --epochs X | --iters N   run length (default %s)\n",
            mode == CLI_RANGE_TEST ? "1 epoch; 100 iterations for --sweep exp" : "3 epochs");
    fputs(
        "  --eval-every N       test-set evaluation every N iterations (default ~10/epoch)\n"
        "  --eval-max N         periodic evaluations read the first N test images\n"
        "                       (default 2000; 0: all); epoch ends read them all\n"
        "\nSchedule (lrscope train --policy-help lists each policy's parameters):\n"
        "  --policy P           const step multistep inv clr triangular2 exp_range 1cycle\n"
        "  --lr X               the learning rate of const/step/multistep/inv\n"
        "  --lr-min X --lr-max X    cycle bounds (CLR, 1cycle) or sweep range\n"
        "  --stepsize N         iterations in half a cycle (or --cycle-epochs X)\n"
        "  --style S            1cycle convention: smith (default), pytorch, fastai\n"
        "  --cycle-frac F       smith 1cycle: fraction of the run in the cycle\n"
        "  --pct-start F --div-factor F --final-div-factor F --anneal cos|linear\n"
        "  --three-phase        pytorch 1cycle options\n"
        "  --momentum MAX[:MIN] momentum; a range cycles it against the LR\n"
        "  --gamma F --power F --milestones I1,I2,...   step, exp_range, inv\n"
        "  --wd X               weight decay, coupled L2 (default 1e-4)\n"
        "  --decay-bias --decay-bn --nesterov\n"
        "  --sgd caffe|torch    momentum SGD in Caffe's form (default) or PyTorch's\n"
        "\nOutput:\n"
        "  --out DIR            run folder (default runs/<date>-<time>-<policy>;\n"
        "                       the workbench puts each of its runs under DIR)\n"
        "  --quiet              no progress output\n", f);
    if (mode == CLI_BENCH)
        fputs("\n  --input-shape CxHxW  one example's shape (default 1x28x28; CIFAR: 3x32x32)\n",
              f);
    if (mode == CLI_RANGE_TEST || mode == CLI_WORKBENCH)
        fputs("\nRange test:\n"
              "  --sweep linear|exp   Smith's linear sweep (default) or fastai's exponential\n"
              "  --lr-min, --lr-max, --iters   sweep range and length\n"
              "  --stop-factor F      stop when smoothed loss > F x best (default 4; 0: never)\n", f);
    if (mode == CLI_RANGE_TEST)
        fputs("  --preset P           a tool's default sweep: smith (the default), fastai\n"
              "                       (= --sweep exp) or lr-finder (torch-lr-finder:\n"
              "                       1e-7 -> 10 reached at step 100, stop at 5x)\n", f);
    if (mode == CLI_WORKBENCH || mode == CLI_TRAIN)
        fprintf(f, "\n  --lr-estimate K      estimate of the optimal LR (paper section 4) every K\n"
                   "                       iterations; 0: off (default %s)\n",
                mode == CLI_WORKBENCH ? "50" : "off");
    if (mode == CLI_WORKBENCH)
        fputs("\nWorkbench:\n"
              "  --ascii              ASCII plots instead of braille\n"
              "  --fps N              screen refreshes per second (default 5)\n"
              "  --frames N           exit after N frames (for scripted runs)\n"
              "  --screenshot FILE    on exit, write the screen as a PNG\n", f);
    fputs("\n  --help, --version\n", f);
}

static int parse_double(const char *opt, const char *s, double lo, double hi, double *out,
                        lr_err *e)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !isfinite(v) || v < lo || v > hi)
        return lr_fail(e, "--%s: '%s' is not allowed: give a number from %g to %g", opt, s,
                       lo, hi);
    *out = v;
    return 0;
}

static int parse_long(const char *opt, const char *s, long lo, long hi, long *out, lr_err *e)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < lo || v > hi)
        return lr_fail(e, "--%s: '%s' is not allowed: give a whole number from %ld to %ld",
                       opt, s, lo, hi);
    *out = v;
    return 0;
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
    o->lr_min = o->lr_max = o->gamma = o->power = o->pct_start = NAN;
    o->div_factor = o->final_div_factor = o->cycle_frac = o->cycle_epochs = NAN;
    o->mom_max = o->mom_min = NAN;
    o->stepsize = -1;
    o->style = o->anneal = -1;
    o->stop_factor = 4.0;
    o->preset = -1;
    o->fps = 5.0;
    o->lr_estimate = -1;
    sgd_opts_default(&o->sgd);
    net_opts_default(&o->net);
}

static int parse_momentum(cli_opts *o, const char *s, lr_err *e)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s", s);
    char *colon = strchr(buf, ':');
    if (colon)
        *colon = '\0';
    if (parse_double("momentum", buf, 0.0, 0.999, &o->mom_max, e))
        return -1;
    o->mom_min = o->mom_max;
    if (colon && parse_double("momentum", colon + 1, 0.0, 0.999, &o->mom_min, e))
        return -1;
    if (o->mom_min > o->mom_max)
        return lr_fail(e, "--momentum %s: write the range as MAX:MIN with MAX >= MIN", s);
    return 0;
}

static int parse_milestones(cli_opts *o, const char *s, lr_err *e)
{
    o->n_milestones = 0;
    const char *p = s;
    while (*p) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v < 1)
            return lr_fail(e, "--milestones '%s': give increasing iteration numbers, "
                              "e.g. 5000,7000", s);
        if (o->n_milestones == 16)
            return lr_fail(e, "--milestones: at most 16 milestones");
        if (o->n_milestones && v <= o->milestones[o->n_milestones - 1])
            return lr_fail(e, "--milestones '%s': milestones must increase", s);
        o->milestones[o->n_milestones++] = v;
        p = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            return lr_fail(e, "--milestones '%s': separate iterations with commas", s);
    }
    return 0;
}

static int parse_one(cli_opts *o, int c, const char *arg, lr_err *e)
{
    long l = 0;
    double d = 0.0;
    switch (c) {
    case OPT_DATA: o->data = arg; return 0;
    case OPT_MODEL: o->model = arg; return 0;
    case OPT_OUT: o->out = arg; return 0;
    case OPT_QUIET: o->quiet = true; return 0;
    case OPT_TRAIN_SIZE:
        if (parse_long("train-size", arg, 1, 100000000, &l, e)) return -1;
        o->train_size = (int)l;
        return 0;
    case OPT_BATCH:
        if (parse_long("batch", arg, 1, 65536, &l, e)) return -1;
        o->batch = (int)l;
        return 0;
    case OPT_THREADS:
        if (parse_long("threads", arg, 1, 256, &l, e)) return -1;
        o->threads = (int)l;
        return 0;
    case OPT_SEED:
        if (parse_long("seed", arg, 0, 2147483647L, &l, e)) return -1;
        o->seed = (uint64_t)l;
        return 0;
    case OPT_EPOCHS: return parse_double("epochs", arg, 0.001, 100000, &o->epochs, e);
    case OPT_ITERS: return parse_long("iters", arg, 1, 1000000000L, &o->iters, e);
    case OPT_EVAL_EVERY: return parse_long("eval-every", arg, 0, 1000000000L, &o->eval_every, e);
    case OPT_EVAL_MAX:
        if (parse_long("eval-max", arg, 0, 100000000, &l, e)) return -1;
        o->eval_max = (int)l;
        return 0;
    case OPT_POLICY:
        if (sched_policy_parse(arg, &o->policy))
            return lr_fail(e, "--policy '%s' is unknown: use const, step, multistep, inv, clr, "
                              "triangular2, exp_range or 1cycle", arg);
        o->policy_given = true;
        return 0;
    case OPT_LR:
    case OPT_LR_MAX: return parse_double(c == OPT_LR ? "lr" : "lr-max", arg, 1e-12, 1e4,
                                         &o->lr_max, e);
    case OPT_LR_MIN: return parse_double("lr-min", arg, 0.0, 1e4, &o->lr_min, e);
    case OPT_STEPSIZE: return parse_long("stepsize", arg, 1, 1000000000L, &o->stepsize, e);
    case OPT_CYCLE_EPOCHS: return parse_double("cycle-epochs", arg, 0.001, 100000,
                                               &o->cycle_epochs, e);
    case OPT_CYCLE_FRAC: return parse_double("cycle-frac", arg, 0.01, 1.0, &o->cycle_frac, e);
    case OPT_PCT_START: return parse_double("pct-start", arg, 0.001, 0.999, &o->pct_start, e);
    case OPT_DIV: return parse_double("div-factor", arg, 1.0, 1e9, &o->div_factor, e);
    case OPT_FINAL_DIV: return parse_double("final-div-factor", arg, 1.0, 1e12,
                                            &o->final_div_factor, e);
    case OPT_ANNEAL: {
        sched_anneal an;
        if (sched_anneal_parse(arg, &an))
            return lr_fail(e, "--anneal '%s': use cos or linear", arg);
        o->anneal = an;
        return 0;
    }
    case OPT_THREE_PHASE: o->three_phase = true; return 0;
    case OPT_STYLE: {
        onecycle_style st;
        if (sched_style_parse(arg, &st))
            return lr_fail(e, "--style '%s': use smith, pytorch or fastai", arg);
        o->style = st;
        return 0;
    }
    case OPT_MOMENTUM: return parse_momentum(o, arg, e);
    case OPT_GAMMA: return parse_double("gamma", arg, 0.0, 1e3, &o->gamma, e);
    case OPT_POWER: return parse_double("power", arg, 0.0, 100, &o->power, e);
    case OPT_MILESTONES: return parse_milestones(o, arg, e);
    case OPT_WD: return parse_double("wd", arg, 0.0, 1.0, &o->sgd.wd, e);
    case OPT_DECAY_BIAS: o->sgd.decay_bias = true; return 0;
    case OPT_DECAY_BN: o->sgd.decay_bn = true; return 0;
    case OPT_NESTEROV: o->sgd.nesterov = true; return 0;
    case OPT_SGD:
        if (sgd_form_parse(arg, &o->sgd.form))
            return lr_fail(e, "--sgd '%s': use caffe (v = mu v - lr g; w += v) or torch "
                              "(v = mu v + g; w -= lr v)", arg);
        return 0;
    case OPT_BN_MAF:
        if (parse_double("bn-maf", arg, 0.0, 0.9999, &d, e)) return -1;
        o->net.bn_maf = (float)d;
        return 0;
    case OPT_SWEEP:
        if (!strcmp(arg, "linear")) o->sweep_exp = false;
        else if (!strcmp(arg, "exp")) o->sweep_exp = true;
        else return lr_fail(e, "--sweep '%s': use linear (Smith) or exp (fastai)", arg);
        o->policy = o->sweep_exp ? SCHED_SWEEP_EXP : SCHED_SWEEP_LINEAR;
        return 0;
    case OPT_PRESET: {
        rangetest_preset p;
        if (o->mode != CLI_RANGE_TEST)
            return lr_fail(e, "--preset is an option of lrscope range-test");
        if (rangetest_preset_parse(arg, &p, e))
            return -1;
        o->preset = (int)p;
        return 0;
    }
    case OPT_STOP_FACTOR:
        if (parse_double("stop-factor", arg, 0.0, 1e6, &o->stop_factor, e))
            return -1;
        o->stop_factor_given = true;
        if (o->stop_factor > 0 && o->stop_factor <= 1.0)
            return lr_fail(e, "--stop-factor %s: give 0 (never stop on the loss) or a factor "
                              "above 1", arg);
        return 0;
    case OPT_ASCII: o->ascii = true; return 0;
    case OPT_FPS: return parse_double("fps", arg, 0.2, 60, &o->fps, e);
    case OPT_FRAMES: return parse_long("frames", arg, 1, 100000000L, &o->frames, e);
    case OPT_SCREENSHOT: o->screenshot = arg; return 0;
    case OPT_AUGMENT: o->augment = true; return 0;
    case OPT_INIT:
        if (!strcmp(arg, "he")) o->net.init = INIT_HE;
        else if (!strcmp(arg, "torch")) o->net.init = INIT_TORCH;
        else return lr_fail(e, "--init '%s': use he (He normal) or torch (PyTorch's "
                               "defaults)", arg);
        return 0;
    case OPT_INPUT_SHAPE: {
        int ch, h, w, used = 0;
        if (sscanf(arg, "%dx%dx%d%n", &ch, &h, &w, &used) != 3 || arg[used] || ch < 1 ||
            ch > 3 || h < 1 || h > 1024 || w < 1 || w > 1024)
            return lr_fail(e, "--input-shape '%s': give CxHxW with C from 1 to 3 and H, W "
                              "from 1 to 1024, e.g. 3x32x32", arg);
        o->input_shape = (lr_shape){ ch, h, w };
        return 0;
    }
    case OPT_LR_ESTIMATE:
        if (parse_long("lr-estimate", arg, 0, 1000000, &l, e)) return -1;
        o->lr_estimate = (int)l;
        return 0;
    }
    return lr_fail(e, "unknown option");
}

int cli_parse(cli_opts *o, cli_mode mode, int argc, char **argv, lr_err *e)
{
    cli_defaults(o, mode);
    optind = 1;
    opterr = 0;
    for (;;) {
        int idx = 0;
        int c = getopt_long(argc, argv, "h", long_opts, &idx);
        if (c == -1)
            break;
        if (c == 'h' || c == OPT_HELP) {
            cli_print_usage(stdout, mode);
            return 1;
        }
        if (c == OPT_VERSION) {
            printf("lrscope %s\n", LRSCOPE_VERSION);
            return 1;
        }
        if (c == OPT_POLICY_HELP) {
            sched_print_help(stdout);
            return 1;
        }
        if (c == '?' || c == ':') {
            const char *bad = argv[optind - 1];
            if (optopt && optopt < 256)
                return lr_fail(e, "unknown option '-%c' (see %s --help)", optopt,
                               mode_name(mode));
            return lr_fail(e, "option '%s' is unknown or lacks its value (see %s --help)",
                           bad, mode_name(mode));
        }
        if (parse_one(o, c, optarg, e))
            return -1;
    }
    if (optind < argc)
        return lr_fail(e, "unexpected argument '%s' (see %s --help)", argv[optind],
                       mode_name(mode));
    if (!isnan(o->lr_min) && !isnan(o->lr_max) && o->lr_min > o->lr_max)
        return lr_fail(e, "--lr-min %g is above --lr-max %g: the minimum must not exceed "
                          "the maximum", o->lr_min, o->lr_max);
    if (o->epochs > 0 && o->iters > 0)
        return lr_fail(e, "give the run length once: --epochs or --iters, not both");
    return 0;
}

int cli_resolve_sched(const cli_opts *o, long n_train, sched *s, lr_err *e)
{
    sched_defaults(s, o->policy);
    long per_epoch = (n_train + o->batch - 1) / o->batch;
    if (per_epoch < 1)
        per_epoch = 1;
    if (o->iters > 0)
        s->total = o->iters;
    else if (o->epochs > 0)
        s->total = (long)ceil(o->epochs * (double)n_train / o->batch);
    else if (sched_policy_is_sweep(o->policy))
        s->total = per_epoch;  /* a range test: one epoch's worth */
    else
        s->total = 3 * per_epoch;
    if (s->total < 1)
        s->total = 1;
    if (o->style >= 0 && o->policy == SCHED_1CYCLE) {
        long total = s->total;
        sched_onecycle_defaults(s, (onecycle_style)o->style);
        s->total = total;
    }
    /* For PyTorch/fastai 1cycle the start LR is lr_max/div_factor: a new
     * maximum alone keeps the factor, as those libraries do; a minimum sets
     * the factor (sched_set_bounds). */
    if (!isnan(o->lr_min))
        sched_set_bounds(s, o->lr_min, isnan(o->lr_max) ? s->lr_max : o->lr_max);
    else if (!isnan(o->lr_max))
        s->lr_max = o->lr_max;
    if (s->policy == SCHED_1CYCLE && s->style != ONECYCLE_SMITH)
        s->lr_min = s->lr_max / s->div_factor;
    if (!isnan(o->gamma))
        s->gamma = o->gamma;
    if (!isnan(o->power))
        s->power = o->power;
    if (!isnan(o->pct_start))
        s->pct_start = o->pct_start;
    if (!isnan(o->div_factor))
        s->div_factor = o->div_factor;
    if (!isnan(o->final_div_factor))
        s->final_div_factor = o->final_div_factor;
    if (!isnan(o->cycle_frac))
        s->cycle_frac = o->cycle_frac;
    if (o->anneal >= 0)
        s->anneal = (sched_anneal)o->anneal;
    if (o->three_phase)
        s->three_phase = true;
    if (!isnan(o->mom_max)) {
        s->mom_max = o->mom_max;
        s->mom_min = o->mom_min;
        s->cycle_momentum = o->mom_min < o->mom_max;
    }
    bool clr = s->policy == SCHED_TRIANGULAR || s->policy == SCHED_TRIANGULAR2 ||
               s->policy == SCHED_EXP_RANGE;
    if (o->stepsize > 0)
        s->stepsize = o->stepsize;
    else if (!isnan(o->cycle_epochs))
        s->stepsize = (long)fmax(1.0, round(o->cycle_epochs * (double)per_epoch / 2.0));
    else if (clr) /* 2 epochs per half cycle (the paper's lower end), one cycle at least */
        s->stepsize = (long)fmax(1.0, fmin(2.0 * (double)per_epoch, (double)(s->total / 2)));
    if (o->n_milestones) {
        memcpy(s->milestones, o->milestones, sizeof o->milestones);
        s->n_milestones = o->n_milestones;
    }
    return sched_validate(s, e);
}

void cli_write_config(FILE *f, const run_settings *rs, const void *opts)
{
    const cli_opts *o = opts;
    const train_cfg *tc = rs->train;
    fprintf(f, "# lrscope %s run settings\n", LRSCOPE_VERSION);
    fprintf(f, "data = %s\n", o->data ? o->data : "fashion-mnist");
    fprintf(f, "model = %s\n", rs->model);
    fprintf(f, "train_size = %d\nbatch = %d\nseed = %llu\nthreads = %d\n", o->train_size,
            tc->batch, (unsigned long long)o->seed, o->threads);
    fprintf(f, "bn_maf = %g\naugment = %d\n", (double)o->net.bn_maf, tc->augment);
    fprintf(f, "init = %s\n", o->net.init == INIT_TORCH ? "torch" : "he");
    fprintf(f, "eval_every = %ld\neval_max = %d\neval_max_end = %d\n", tc->eval_every,
            tc->eval_max, tc->eval_max_end);
    fprintf(f, "lr_estimate = %d\n", rs->lr_estimate);
    fprintf(f, "wd = %g\ndecay_bias = %d\ndecay_bn = %d\nnesterov = %d\n", rs->sgd->wd,
            rs->sgd->decay_bias, rs->sgd->decay_bn, rs->sgd->nesterov);
    fprintf(f, "sgd = %s\n", sgd_form_name(rs->sgd->form));
    sched_write_config(rs->sched, f);
}
