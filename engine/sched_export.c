/* sched_export.c — the PyTorch and fastai snippets of sched_export.h. The
 * text is built in a growing buffer; every number is written with enough
 * digits to read back exactly, so the snippet's schedule is lrscope's, not an
 * approximation of it. The Python formulas below mirror sched.c line by line
 * (same operations in the same order). */
#include "engine/sched_export.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a growing string ----------------------------------------------------- */

typedef struct sbuf {
    char  *s;
    size_t n, cap;
    bool   oom;
} sbuf;

static void put(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(sbuf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (k < 0) {
        b->oom = true;
        return;
    }
    if (b->n + (size_t)k + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + (size_t)k + 1)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->oom = true;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
}

/* A Python float literal that reads back to exactly v: whole numbers below
 * 1e15 as "25.0", others as the shortest %g that round-trips. Sixteen
 * rotating buffers, so one put() may format several numbers. */
static const char *pyf(double v)
{
    static char bufs[16][40];
    static unsigned next;
    char *buf = bufs[next++ % 16];
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(buf, 40, "%.1f", v);
        return buf;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, 40, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    if (!strpbrk(buf, ".eninf"))
        strcat(buf, ".0");
    return buf;
}

static const char *py_bool(bool b)
{
    return b ? "True" : "False";
}

/* ---- what both snippets share ---------------------------------------------- */

/* The plan in force, counted from the start of its current cycle. */
static sched plan_of(const sched *s)
{
    sched p = *s;
    p.origin = 0;
    return p;
}

static bool is_clr(const sched *s)
{
    return s->policy == SCHED_TRIANGULAR || s->policy == SCHED_TRIANGULAR2 ||
           s->policy == SCHED_EXP_RANGE;
}

static void put_header(sbuf *b, const sched *s, const sgd_opts *o, const export_info *x,
                       const char *framework)
{
    char desc[256];
    sched_describe(s, desc, sizeof desc);
    put(b, "# Learning-rate schedule exported by lrscope %s for %s%s%s.\n", LRSCOPE_VERSION,
        framework, x->source ? " from " : "", x->source ? x->source : "");
    put(b, "#   %s\n", desc);
    put(b, "#   %ld iterations (mini-batches) at batch size %d", s->total, x->batch);
    if (x->iters_per_epoch > 0)
        put(b, ", %ld per epoch", x->iters_per_epoch);
    put(b, "\n#   weight decay %s (coupled L2), momentum SGD in %s's form%s\n", pyf(o->wd),
        o->form == SGD_TORCH ? "PyTorch" : "Caffe", o->nesterov ? ", Nesterov" : "");
    if (x->model)
        put(b, "#   model %s%s%s\n", x->model, x->init ? ", initialisation " : "",
            x->init ? x->init : "");
    if (s->origin > 0)
        put(b, "# The run restarted its cycle at iteration %ld; this is the cycle in force,\n"
               "# from its start.\n", s->origin);
    if (x->note)
        put(b, "# %s\n", x->note);
    put(b, "# The schedule counts iterations: it gives lrscope's LR%s at every one\n"
           "# of TOTAL_STEPS. The LRs were found at BATCH_SIZE; at another batch size, look\n"
           "# again.\n",
        s->cycle_momentum ? " and momentum" : "");
}

static void put_constants(sbuf *b, const sched *s, const sgd_opts *o, const export_info *x)
{
    put(b, "TOTAL_STEPS = %ld\n", s->total);
    put(b, "BATCH_SIZE = %d\n", x->batch);
    put(b, "WEIGHT_DECAY = %s\n", pyf(o->wd));
}

/* lr_and_momentum(step): lrscope's sched_at for this plan, in Python. */
static void put_formula(sbuf *b, const sched *s)
{
    put(b, "\n\ndef lr_and_momentum(step):\n"
           "    \"\"\"lrscope's learning rate and momentum at iteration `step` (0-based).\"\"\"\n");
    if (is_clr(s))
        put(b, "    u = max(step, 0)  # cyclical: keeps cycling past TOTAL_STEPS\n");
    else
        put(b, "    u = min(max(step, 0), TOTAL_STEPS - 1)  # holds its last value past the end\n");
    bool mom_set = false;
    switch (s->policy) {
    case SCHED_CONST:
        put(b, "    lr = %s\n", pyf(s->lr_max));
        break;
    case SCHED_STEP:
        put(b, "    lr = %s * %s ** (u // %ld)\n", pyf(s->lr_max), pyf(s->gamma), s->stepsize);
        break;
    case SCHED_MULTISTEP:
        put(b, "    milestones = [");
        for (int i = 0; i < s->n_milestones; i++)
            put(b, "%s%ld", i ? ", " : "", s->milestones[i]);
        put(b, "]\n    lr = %s * %s ** sum(1 for m in milestones if m <= u)\n",
            pyf(s->lr_max), pyf(s->gamma));
        break;
    case SCHED_INV:
        put(b, "    lr = %s * (1.0 + %s * u) ** -%s\n", pyf(s->lr_max), pyf(s->gamma),
            pyf(s->power));
        break;
    case SCHED_TRIANGULAR:
    case SCHED_TRIANGULAR2:
    case SCHED_EXP_RANGE:
        put(b, "    half = %s  # iterations in half a cycle\n"
               "    cycle = math.floor(1.0 + u / (2.0 * half))\n"
               "    x = abs(u / half - 2.0 * cycle + 1.0)\n"
               "    scale = max(0.0, 1.0 - x)\n", pyf((double)s->stepsize));
        if (s->policy == SCHED_TRIANGULAR2)
            put(b, "    scale *= 0.5 ** (cycle - 1.0)\n");
        if (s->policy == SCHED_EXP_RANGE)
            put(b, "    scale *= %s ** u\n", pyf(s->gamma));
        put(b, "    lr = %s + (%s - %s) * scale\n", pyf(s->lr_min), pyf(s->lr_max),
            pyf(s->lr_min));
        put(b, "    mom = %s - (%s - %s) * scale\n", pyf(s->mom_max), pyf(s->mom_max),
            pyf(s->mom_min));
        mom_set = true;
        break;
    case SCHED_1CYCLE:
        mom_set = true;
        if (s->style == ONECYCLE_SMITH) {
            double ss = (double)sched_half_cycle(s);
            put(b, "    ss = %s  # iterations from the base LR up to the top, and from the top "
                   "down to 0\n", pyf(ss));
            put(b, "    if u <= ss:\n"
                   "        lr = %s + (%s - %s) * u / ss\n"
                   "        mom = %s - (%s - %s) * u / ss\n",
                pyf(s->lr_min), pyf(s->lr_max), pyf(s->lr_min), pyf(s->mom_max),
                pyf(s->mom_max), pyf(s->mom_min));
            put(b, "    elif u <= 2.0 * ss:\n"
                   "        lr = %s * (1.0 - (u - ss) / ss)\n"
                   "        mom = %s + (%s - %s) * (u - ss) / ss\n",
                pyf(s->lr_max), pyf(s->mom_min), pyf(s->mom_max), pyf(s->mom_min));
            put(b, "    else:  # the tail: the base LR / %s until the end\n"
                   "        lr = %s / %s\n"
                   "        mom = %s\n",
                pyf(s->smith_floor_div), pyf(s->lr_min), pyf(s->smith_floor_div),
                pyf(s->mom_max));
            break;
        }
        if (s->anneal == ANNEAL_LINEAR)
            put(b, "    def anneal(a, b, p):\n"
                   "        return (b - a) * p + a\n");
        else
            put(b, "    def anneal(a, b, p):\n"
                   "        return b + (a - b) / 2.0 * (math.cos(math.pi * p) + 1.0)\n");
        put(b, "    top = %s\n    start = top / %s\n", pyf(s->lr_max), pyf(s->div_factor));
        if (s->style == ONECYCLE_FASTAI) {
            put(b, "    pos, pct = u / %s, %s  # fastai: the fraction of training done\n"
                   "    if pos < pct:\n"
                   "        p = pos / pct\n"
                   "        lr, mom = anneal(start, top, p), anneal(%s, %s, p)\n"
                   "    else:\n"
                   "        p = (pos - pct) / (1.0 - pct)\n"
                   "        lr, mom = anneal(top, top / %s, p), anneal(%s, %s, p)\n",
                pyf((double)s->total), pyf(s->pct_start), pyf(s->mom_max), pyf(s->mom_min),
                pyf(s->final_div_factor), pyf(s->mom_min), pyf(s->mom_max));
            break;
        }
        /* PyTorch's OneCycleLR phases: (last step, lr from, lr to, mom from, mom to) */
        put(b, "    end = start / %s\n    hi, lo = %s, %s\n    T, pct = %s, %s\n",
            pyf(s->final_div_factor), pyf(s->mom_max), pyf(s->mom_min),
            pyf((double)s->total), pyf(s->pct_start));
        if (s->three_phase)
            put(b, "    phases = [(pct * T - 1.0, start, top, hi, lo),\n"
                   "              (2.0 * pct * T - 2.0, top, start, lo, hi),\n"
                   "              (T - 1.0, start, end, hi, hi)]\n");
        else
            put(b, "    phases = [(pct * T - 1.0, start, top, hi, lo),\n"
                   "              (T - 1.0, top, end, lo, hi)]\n");
        put(b, "    begin = 0.0\n"
               "    for i, (last, lr_a, lr_b, m_a, m_b) in enumerate(phases):\n"
               "        if u <= last or i == len(phases) - 1:\n"
               "            span = last - begin\n"
               "            p = min(1.0, max(0.0, (u - begin) / span)) if span > 0 else 1.0\n"
               "            lr, mom = anneal(lr_a, lr_b, p), anneal(m_a, m_b, p)\n"
               "            break\n"
               "        begin = last\n");
        break;
    case SCHED_SWEEP_LINEAR:
        put(b, "    lr = %s + (%s - %s) * u / %s\n", pyf(s->lr_min), pyf(s->lr_max),
            pyf(s->lr_min), pyf((double)s->total));
        break;
    case SCHED_SWEEP_EXP:
        put(b, "    lr = %s * (%s / %s) ** (u / %s)\n", pyf(s->lr_min), pyf(s->lr_max),
            pyf(s->lr_min), pyf((double)s->total));
        break;
    default:
        break;
    }
    if (!s->cycle_momentum || !mom_set)   /* a held momentum overrides any formula's */
        put(b, "    mom = %s\n", pyf(s->mom_max));
    put(b, "    return lr, mom\n");
}

static char *finish(sbuf *b, char **out, lr_err *e)
{
    if (b->oom || !b->s) {
        free(b->s);
        *out = NULL;
        lr_fail(e, "out of memory while writing the exported schedule");
        return NULL;
    }
    *out = b->s;
    return b->s;
}

static int check(const sched *s, const export_info *x, char **out, lr_err *e)
{
    *out = NULL;
    if (x->batch < 1)
        return lr_fail(e, "cannot export: the batch size %d is not a positive number",
                       x->batch);
    return sched_validate(s, e);
}

/* The run's initialisation, when it was lrscope's He-normal. */
static void put_init(sbuf *b, const export_info *x)
{
    if (x->init && strcmp(x->init, "he"))
        return;   /* --init torch: PyTorch's own default, nothing to do */
    put(b, "\n\ndef init_like_lrscope(model):\n"
           "    \"\"\"The run's initialisation: He normal, weights N(0, 2/fan_in) and biases 0.\n"
           "    PyTorch's default for nn.Linear and nn.Conv2d is about 2.45x smaller, which\n"
           "    moves the LRs that work (`lrscope --init torch` trains with it).\"\"\"\n"
           "    for m in model.modules():\n"
           "        if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d)):\n"
           "            torch.nn.init.kaiming_normal_(m.weight, mode=\"fan_in\", "
           "nonlinearity=\"relu\")\n"
           "            if m.bias is not None:\n"
           "                torch.nn.init.zeros_(m.bias)\n");
}

/* ---- PyTorch ---------------------------------------------------------------- */

/* The scheduler call, when PyTorch has one with lrscope's formula. */
static bool put_torch_native(sbuf *b, const sched *s)
{
    switch (s->policy) {
    case SCHED_STEP:
        put(b, "    return torch.optim.lr_scheduler.StepLR(\n"
               "        optimizer, step_size=%ld, gamma=%s)\n", s->stepsize, pyf(s->gamma));
        return true;
    case SCHED_MULTISTEP:
        put(b, "    return torch.optim.lr_scheduler.MultiStepLR(\n"
               "        optimizer, milestones=[");
        for (int i = 0; i < s->n_milestones; i++)
            put(b, "%s%ld", i ? ", " : "", s->milestones[i]);
        put(b, "], gamma=%s)\n", pyf(s->gamma));
        return true;
    case SCHED_TRIANGULAR:
    case SCHED_TRIANGULAR2:
    case SCHED_EXP_RANGE:
        put(b, "    return torch.optim.lr_scheduler.CyclicLR(\n"
               "        optimizer, base_lr=%s, max_lr=%s, step_size_up=%ld,\n"
               "        step_size_down=%ld, mode=\"%s\", gamma=%s,\n"
               "        cycle_momentum=%s, base_momentum=%s, max_momentum=%s)\n",
            pyf(s->lr_min), pyf(s->lr_max), s->stepsize, s->stepsize,
            s->policy == SCHED_TRIANGULAR ? "triangular"
            : s->policy == SCHED_TRIANGULAR2 ? "triangular2" : "exp_range",
            pyf(s->policy == SCHED_EXP_RANGE ? s->gamma : 1.0), py_bool(s->cycle_momentum),
            pyf(s->mom_min), pyf(s->mom_max));
        return true;
    case SCHED_1CYCLE:
        if (s->style != ONECYCLE_PYTORCH)
            return false;
        put(b, "    return torch.optim.lr_scheduler.OneCycleLR(\n"
               "        optimizer, max_lr=%s, total_steps=TOTAL_STEPS, pct_start=%s,\n"
               "        anneal_strategy=\"%s\", cycle_momentum=%s, base_momentum=%s,\n"
               "        max_momentum=%s, div_factor=%s, final_div_factor=%s,\n"
               "        three_phase=%s)\n",
            pyf(s->lr_max), pyf(s->pct_start), s->anneal == ANNEAL_LINEAR ? "linear" : "cos",
            py_bool(s->cycle_momentum), pyf(s->mom_min), pyf(s->mom_max),
            pyf(s->div_factor), pyf(s->final_div_factor), py_bool(s->three_phase));
        return true;
    default:
        return false;
    }
}

static void put_caffe_sgd(sbuf *b)
{
    put(b, "\n\nclass CaffeSGD(torch.optim.Optimizer):\n"
           "    \"\"\"Momentum SGD in Caffe's form, as lrscope trains by default:\n"
           "    v = momentum * v - lr * (grad + weight_decay * w);  w += v.\n"
           "    torch.optim.SGD is v = momentum * v + grad;  w -= lr * v (lrscope --sgd torch):\n"
           "    the same at a constant LR, different whenever the LR changes.\"\"\"\n\n"
           "    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0, nesterov=False):\n"
           "        defaults = dict(lr=lr, momentum=momentum, weight_decay=weight_decay,\n"
           "                        nesterov=nesterov)\n"
           "        super().__init__(params, defaults)\n\n"
           "    @torch.no_grad()\n"
           "    def step(self, closure=None):\n"
           "        loss = None\n"
           "        if closure is not None:\n"
           "            with torch.enable_grad():\n"
           "                loss = closure()\n"
           "        for group in self.param_groups:\n"
           "            lr, mu, wd = group[\"lr\"], group[\"momentum\"], group[\"weight_decay\"]\n"
           "            for p in group[\"params\"]:\n"
           "                if p.grad is None:\n"
           "                    continue\n"
           "                d = p.grad.add(p, alpha=wd) if wd != 0 else p.grad\n"
           "                state = self.state[p]\n"
           "                if \"velocity\" not in state:\n"
           "                    state[\"velocity\"] = torch.zeros_like(p)\n"
           "                v = state[\"velocity\"]\n"
           "                v_old = v.clone() if group[\"nesterov\"] else None\n"
           "                v.mul_(mu).add_(d, alpha=-lr)\n"
           "                if group[\"nesterov\"]:\n"
           "                    p.add_(v_old, alpha=-mu).add_(v, alpha=1.0 + mu)\n"
           "                else:\n"
           "                    p.add_(v)\n"
           "        return loss\n");
}

static void put_param_groups(sbuf *b, const sgd_opts *o)
{
    put(b, "\n\ndef param_groups(model):\n"
           "    \"\"\"Weight decay where lrscope applies it: ");
    if (o->decay_bias && o->decay_bn) {
        put(b, "on every parameter (--decay-bias\n"
               "    --decay-bn).\"\"\"\n"
               "    return [{\"params\": list(model.parameters()), \"weight_decay\": "
               "WEIGHT_DECAY}]\n");
        return;
    }
    if (!o->decay_bias && !o->decay_bn) {
        put(b, "on the weights of dense and conv\n"
               "    layers, not on biases nor batch-norm scales and shifts (the parameters\n"
               "    with one dimension).\"\"\"\n"
               "    decay = [p for p in model.parameters() if p.ndim > 1]\n"
               "    rest = [p for p in model.parameters() if p.ndim <= 1]\n");
    } else {
        put(b, "on the weights of dense and conv\n"
               "    layers and on %s, not on %s.\"\"\"\n"
               "    decay, rest = [], []\n"
               "    for module in model.modules():\n"
               "        is_bn = isinstance(module, torch.nn.modules.batchnorm._BatchNorm)\n"
               "        for p in module.parameters(recurse=False):\n"
               "            (decay if p.ndim > 1 or %sis_bn else rest).append(p)\n",
            o->decay_bias ? "biases (--decay-bias)" : "batch norm (--decay-bn)",
            o->decay_bias ? "batch-norm scales and shifts" : "biases",
            o->decay_bias ? "not " : "");
    }
    put(b, "    return [{\"params\": decay, \"weight_decay\": WEIGHT_DECAY},\n"
           "            {\"params\": rest, \"weight_decay\": 0.0}]\n");
}

int sched_export_pytorch(const sched *sch, const sgd_opts *o, const export_info *x, char **out,
                         lr_err *e)
{
    if (check(sch, x, out, e))
        return -1;
    sched s = plan_of(sch);
    sbuf b = { 0 };
    sbuf native = { 0 };
    bool has_native = put_torch_native(&native, &s);
    bool set_mom = !has_native && s.cycle_momentum;
    double mom0;   /* the optimizer's momentum: the schedule's first */
    sched_at(&s, 0, NULL, &mom0);

    put_header(&b, sch, o, x, "PyTorch");
    put(&b, "#\n# lrscope's weight decay is coupled L2: WEIGHT_DECAY * w is added to the\n"
            "# gradient, which is what torch.optim.SGD's weight_decay does (not AdamW's\n"
            "# decoupled decay). ");
    if (o->form == SGD_TORCH)
        put(&b, "The run used --sgd torch: torch.optim.SGD's update.\n");
    else
        put(&b, "The run used Caffe's momentum form (lrscope's default), so\n"
                "# make_optimizer builds CaffeSGD below; torch.optim.SGD (PyTorch's form)\n"
                "# trains as `lrscope --sgd torch` does.\n");
    put(&b, "\nimport math\n\nimport torch\n\n");
    put_constants(&b, &s, o, x);
    if (!has_native || set_mom)
        put_formula(&b, &s);
    if (o->form == SGD_CAFFE)
        put_caffe_sgd(&b);
    put_param_groups(&b, o);
    put_init(&b, x);

    /* The optimizer's own LR: StepLR's and MultiStepLR's base (OneCycleLR and
     * CyclicLR set their own at once); LambdaLR multiplies it. */
    double base = has_native ? s.lr_max : 1.0;
    put(&b, "\n\ndef make_optimizer(model):\n"
            "    return %s(\n"
            "        param_groups(model), lr=%s, momentum=%s, nesterov=%s)\n",
        o->form == SGD_CAFFE ? "CaffeSGD" : "torch.optim.SGD", pyf(base), pyf(mom0),
        py_bool(o->nesterov));
    put(&b, "\n\ndef make_scheduler(optimizer):\n"
            "    \"\"\"Call scheduler.step() after every optimizer.step().\"\"\"\n");
    if (has_native)
        put(&b, "%s", native.s ? native.s : "");
    else
        put(&b, "    # The optimizer's lr is 1.0, so the factor LambdaLR applies is the LR.\n"
                "    return torch.optim.lr_scheduler.LambdaLR(\n"
                "        optimizer, lambda step: lr_and_momentum(step)[0])\n");
    free(native.s);
    if (set_mom)
        put(&b, "\n\ndef set_momentum(optimizer, step):\n"
                "    \"\"\"LambdaLR sets only the LR: call this before every optimizer.step().\"\"\"\n"
                "    for group in optimizer.param_groups:\n"
                "        group[\"momentum\"] = lr_and_momentum(step)[1]\n");
    put(&b, "\n\n# In your training script:\n"
            "%s"
            "#     optimizer = make_optimizer(model)\n"
            "#     scheduler = make_scheduler(optimizer)\n"
            "#     for step in range(TOTAL_STEPS):\n"
            "#         inputs, targets = next(batches)  # BATCH_SIZE examples\n"
            "#         optimizer.zero_grad()\n"
            "#         loss_fn(model(inputs), targets).backward()\n"
            "%s"
            "#         optimizer.step()\n"
            "#         scheduler.step()\n",
        x->init && strcmp(x->init, "he") ? "" : "#     init_like_lrscope(model)\n",
        set_mom ? "#         set_momentum(optimizer, step)\n" : "");
    return finish(&b, out, e) ? 0 : -1;
}

/* ---- fastai ------------------------------------------------------------------ */

int sched_export_fastai(const sched *sch, const sgd_opts *o, const export_info *x, char **out,
                        lr_err *e)
{
    if (check(sch, x, out, e))
        return -1;
    sched s = plan_of(sch);
    sbuf b = { 0 };
    long ipe = x->iters_per_epoch > 0 ? x->iters_per_epoch : s.total;
    long n_epoch = (s.total + ipe - 1) / ipe;
    bool whole = n_epoch * ipe == s.total;
    bool one_cycle = s.policy == SCHED_1CYCLE && s.style == ONECYCLE_FASTAI &&
                     s.anneal == ANNEAL_COS;
    bool constant = s.policy == SCHED_CONST;
    double mom0;   /* the optimizer's momentum: the schedule's first */
    sched_at(&s, 0, NULL, &mom0);

    put_header(&b, sch, o, x, "fastai");
    if (one_cycle)
        put(&b, "#\n# fit_one_cycle spreads its schedule over n_epoch * len(dls.train) iterations:\n"
                "# with N_EPOCH epochs of %ld batches it is lrscope's plan%s.\n", ipe,
            whole ? "" : ",\n# stretched to whole epochs (lrscope's run stopped mid-epoch)");
    else if (!constant)
        put(&b, "#\n# The callback below sets the LR and momentum from the iteration number, as\n"
                "# ParamScheduler does from the fraction of training done, and ends training\n"
                "# after TOTAL_STEPS iterations, where lrscope's run ended.\n");
    put(&b, "#\n# fastai's SGD with decouple_wd=False adds WEIGHT_DECAY * w to the gradient\n"
            "# (coupled L2), as lrscope does; the Learner's wd_bn_bias=False (its default)\n"
            "# exempts biases and batch norm, as lrscope does%s.\n"
            "# fastai's momentum has PyTorch's form (v = mom * v + grad; w -= lr * v), as\n"
            "# `lrscope --sgd torch`%s.\n",
        o->decay_bias || o->decay_bn ? " without --decay-bias/--decay-bn" : "",
        o->form == SGD_TORCH ? " (this run)"
                             : "; this run used Caffe's form, which differs when the\n"
                               "# LR changes");
    put(&b, "\nimport math\nfrom functools import partial\n\n"
            "from fastai.callback.core import Callback, CancelFitException\n"
            "from fastai.optimizer import SGD\n\n");
    put_constants(&b, &s, o, x);
    put(&b, "N_EPOCH = %ld\n", n_epoch);
    if (!one_cycle && !constant) {
        put_formula(&b, &s);
        put(&b, "\n\nclass LrscopeSchedule(Callback):\n"
                "    \"\"\"lrscope's schedule by iteration (ParamScheduler's job, exactly).\"\"\"\n"
                "    order = 60\n\n"
                "    def before_batch(self):\n"
                "        if not self.training:\n"
                "            return\n"
                "        if self.train_iter >= TOTAL_STEPS:\n"
                "            raise CancelFitException()\n"
                "        lr, mom = lr_and_momentum(self.train_iter)\n"
                "        self.opt.set_hyper(\"lr\", lr)\n"
                "        self.opt.set_hyper(\"mom\", mom)\n");
    }
    put(&b, "\n\nopt_func = partial(SGD, mom=%s, decouple_wd=False)\n", pyf(mom0));
    put(&b, "\n# In your training script:\n"
            "#     learn = Learner(dls, model, loss_func=..., opt_func=opt_func, wd_bn_bias=%s)\n",
        py_bool(o->decay_bias || o->decay_bn));
    if (o->nesterov)
        put(&b, "#     (lrscope ran with --nesterov; fastai's SGD has no Nesterov option)\n");
    if (!x->init || !strcmp(x->init, "he"))
        put(&b, "#     (lrscope initialised He normal: schedule_pytorch.py's "
                "init_like_lrscope)\n");
    if (one_cycle)
        put(&b, "#     learn.fit_one_cycle(N_EPOCH, lr_max=%s, div=%s, div_final=%s,\n"
                "#                         pct_start=%s, moms=(%s, %s, %s), wd=WEIGHT_DECAY)\n",
            pyf(s.lr_max), pyf(s.div_factor), pyf(s.final_div_factor), pyf(s.pct_start),
            pyf(s.mom_max), s.cycle_momentum ? pyf(s.mom_min) : pyf(s.mom_max),
            pyf(s.mom_max));
    else if (constant)
        put(&b, "#     learn.fit(N_EPOCH, lr=%s, wd=WEIGHT_DECAY)\n", pyf(s.lr_max));
    else
        put(&b, "#     learn.fit(N_EPOCH, lr=%s, wd=WEIGHT_DECAY, cbs=LrscopeSchedule())\n"
                "#     (the callback sets the LR and momentum before every batch)\n",
            pyf(s.lr_max));
    return finish(&b, out, e) ? 0 : -1;
}
