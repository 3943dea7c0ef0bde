/* replicate_suites.c — the suites of `lrscope replicate` (replicate.h): each
 * experiment is a claim, the paper's words and numbers for it, its runs and
 * the rule that judges them. Budgets are sized for a 2-core CPU: `mini` runs
 * in seconds on the generated data (for tests), `quick` in a few minutes on
 * Fashion-MNIST, `full` in about an hour, `cifar` overnight.
 *
 * The step baselines follow the paper's shape (LR divided by 10 at 5/8 and
 * 7/8 of the run, as 0.35 at 50k and 70k of 80k iterations) at a third of the
 * cycle's maximum, lrscope's step baseline. Nothing here was changed after
 * seeing results. */
#include "engine/replicate.h"

/* ---- claims and what the paper says --------------------------------------- */

#define SIG_CLAIM "Batch-normalised and residual networks keep training at very large " \
    "learning rates (the super-convergence signature); plain networks peak and collapse."
#define SIG_PAPER "Smith & Topin, Super-Convergence, the LR range test of ResNet-56 on " \
    "CIFAR-10 (linear, LR 0 -> 3): test accuracy holds at 65-85 % up to LR 3 instead of " \
    "peaking and collapsing; architectures without the signature (bottleneck ResNet, " \
    "ResNeXt) peak at a small LR."
#define SHORT_CLAIM "1cycle reaches in a fraction of the iterations what a step schedule " \
    "reaches."
#define SHORT_PAPER "Smith & Topin, Super-Convergence, the CIFAR-10 ResNet-56 results (batch " \
    "1000, weight decay 1e-4): one cycle of CLR 0.1-3 over 10k iterations reaches 92.4 % " \
    "against 91.2 % for the step schedule (LR 0.35, divided by 10 at 50k and 70k) over 80k " \
    "iterations; ResNet-20 90.4 % against 88.6 %, ResNet-110 92.1 % against 91.0 % (the " \
    "cycle first; the gain is larger for shallower nets)."
#define WD_CLAIM "Large learning rates regularise, so they need less weight decay; too much " \
    "weight decay hurts at large LR."
#define WD_PAPER "Smith & Topin, Super-Convergence, CIFAR-10 ResNet-56 with CLR 0.1-3: " \
    "weight decay 1e-3 collapses, 1e-4 gives 92.4 %, 1e-5 88.3 %, 1e-6 87.3 %."
#define LIM_CLAIM "The advantage of super-convergence grows as labelled training data shrinks."
#define LIM_PAPER "Smith & Topin, Super-Convergence, the CIFAR-10 ResNet-56 results by " \
    "training-set size (step schedule over 80k iterations against CLR 0.1-3 over 10k): 50k " \
    "images 91.2 vs 92.4 %, 40k 89.1 vs 91.1, 30k 85.7 vs 89.6, 20k 82.7 vs 87.9, 10k 71.4 " \
    "vs 80.6: the gain grows from 1.2 to 9.2 points."
#define BATCH_CLAIM "With large learning rates, larger batches do better (up to a point)."
#define BATCH_PAPER "Smith & Topin, Super-Convergence, the CIFAR-10 ResNet-56 results: batch " \
    "256/512/1000/1536 gives 89.5/91.7/92.4/92.1 %."
#define MOM_CLAIM "Cyclical momentum (high while the LR is low) does at least as well as the " \
    "best constant momentum."
#define MOM_PAPER "Smith, A disciplined approach to neural network hyper-parameters: Part 1 " \
    "(arXiv 1803.09820): momentum cycled 0.95 -> 0.85 while the LR rises, and back while it " \
    "falls, lets larger LRs be used stably. Smith & Topin, Super-Convergence, the CIFAR-10 " \
    "ResNet-56 results: constant momentum 0.80/0.85/0.90/0.95 gives 91.9/92.3/92.4/90.7 %."
#define LREST_CLAIM "The Hessian-free estimate of the optimal LR stays large under a " \
    "cyclical schedule (a wide, flat region of the loss)."
#define LREST_PAPER "Smith & Topin, Super-Convergence, the simplified Hessian-free estimate " \
    "of the optimal LR, computed every iteration of the first 300 of CLR 0.1-3 and every " \
    "10th iteration of a constant-LR run: estimates of 2-6, staying high under CLR, read " \
    "as small curvature, a wide, flat region."

/* ---- run arguments --------------------------------------------------------- */

#define SWEEP "--sweep linear --lr-min 0 --lr-max 3 "
#define ONECYCLE(lo, hi) "--policy 1cycle --lr-min " #lo " --lr-max " #hi " --momentum 0.95:0.85 "
#define STEP(lr, m1, m2) "--policy multistep --lr " #lr " --gamma 0.1 --milestones " #m1 "," #m2 \
    " --momentum 0.9 "

#define RT(name, role, args) { name, REP_RANGE_TEST, SWEEP args, role, 0 }
#define TR(name, role, x, args) { name, REP_TRAIN, args, role, x }

/* ---- mini: the generated data, seconds ------------------------------------ */

/* A checkpoint every 100 steps (epochs of the generated set), so a stopped
 * suite has something to resume. */
#define MINI "--model mlp-bn:128 "

static const rep_experiment mini[] = {
    { "signature", "Range-test signature", SIG_CLAIM, SIG_PAPER, REP_JUDGE_SIGNATURE,
      REP_MEASURE_SIGNATURE, "range", 0, {
        RT("mlp", REP_ROLE_EXPECT_ABSENT, "--model mlp:64 --iters 120 --eval-every 4"),
        RT("mlp-bn", REP_ROLE_EXPECT_PRESENT, "--model mlp-bn:64 --iters 120 --eval-every 4"),
      }, 2 },
    { "short-vs-long", "1cycle against step schedules", SHORT_CLAIM, SHORT_PAPER,
      REP_JUDGE_SHORT_LONG, REP_MEASURE_ACC, "acc,lr", 0, {
        TR("1cycle", REP_ROLE_SHORT, 0, ONECYCLE(0.05, 0.5) MINI "--iters 300"),
        TR("step", REP_ROLE_EQUAL, 0, STEP(0.17, 188, 263) MINI "--iters 300"),
        TR("step-3x", REP_ROLE_LONG, 0, STEP(0.17, 563, 788) MINI "--iters 900"),
      }, 3 },
    { "weight-decay", "Weight decay at a large LR", WD_CLAIM, WD_PAPER, REP_JUDGE_WD,
      REP_MEASURE_ACC, "acc", 0, {
        TR("wd-1e-3", REP_ROLE_NONE, 1e-3, ONECYCLE(0.1, 1) MINI "--iters 300 --wd 1e-3"),
        TR("wd-1e-4", REP_ROLE_NONE, 1e-4, ONECYCLE(0.1, 1) MINI "--iters 300 --wd 1e-4"),
        TR("wd-1e-5", REP_ROLE_NONE, 1e-5, ONECYCLE(0.1, 1) MINI "--iters 300 --wd 1e-5"),
      }, 3 },
};

/* ---- quick: Fashion-MNIST, a few minutes ---------------------------------- */

/* 250 steps 0 -> 3 at batch 128: 165 of them at LR >= 1, 25 evaluations on
 * 500 held-out images. One seed: the conv nets cost most of the suite. */
#define QRT "--iters 250 --eval-every 10 --eval-max 500"
/* 2 epochs of Fashion-MNIST at batch 128 (938 steps), and 3x that. */
#define Q1C "--iters 938"
#define QSTEP STEP(0.33, 586, 821) "--iters 938"
#define QSTEP3 STEP(0.33, 1759, 2462) "--iters 2814"

static const rep_experiment quick[] = {
    { "signature", "Range-test signature: MLP, BN MLP, LeNet, ResNet-8", SIG_CLAIM, SIG_PAPER,
      REP_JUDGE_SIGNATURE, REP_MEASURE_SIGNATURE, "range", 1, {
        RT("mlp", REP_ROLE_EXPECT_ABSENT, "--model mlp:512,512 " QRT),
        RT("mlp-bn", REP_ROLE_EXPECT_PRESENT, "--model mlp-bn:512,512 " QRT),
        RT("lenet", REP_ROLE_EXPECT_ABSENT, "--model lenet " QRT),
        RT("resnet8", REP_ROLE_EXPECT_PRESENT, "--model resnet:8 " QRT),
      }, 4 },
    { "short-vs-long", "1cycle against step schedules (BN MLP)", SHORT_CLAIM, SHORT_PAPER,
      REP_JUDGE_SHORT_LONG, REP_MEASURE_ACC, "acc,lr", 0, {
        TR("1cycle", REP_ROLE_SHORT, 0, ONECYCLE(0.1, 1) Q1C),
        TR("step", REP_ROLE_EQUAL, 0, QSTEP),
        TR("step-3x", REP_ROLE_LONG, 0, QSTEP3),
      }, 3 },
    { "weight-decay", "Weight decay at a large LR (1cycle 0.3-3, BN MLP)", WD_CLAIM, WD_PAPER,
      REP_JUDGE_WD, REP_MEASURE_ACC, "acc", 0, {
        TR("wd-1e-3", REP_ROLE_NONE, 1e-3, ONECYCLE(0.3, 3) Q1C " --wd 1e-3"),
        TR("wd-1e-4", REP_ROLE_NONE, 1e-4, ONECYCLE(0.3, 3) Q1C " --wd 1e-4"),
        TR("wd-1e-5", REP_ROLE_NONE, 1e-5, ONECYCLE(0.3, 3) Q1C " --wd 1e-5"),
      }, 3 },
};

/* ---- full: Fashion-MNIST, about an hour ------------------------------------ */

#define FRT "--iters 469 --eval-every 10 --eval-max 1000"
/* ResNet-8 on 10k images: 400 steps (5 epochs), and 3x that. */
#define R8 "--model resnet:8 --train-size 10000 "
#define LIM(n, size) \
    TR("1cycle-" n, REP_ROLE_A, size, ONECYCLE(0.1, 1) Q1C " --train-size " #size), \
    TR("step-3x-" n, REP_ROLE_B, size, QSTEP3 " --train-size " #size)

static const rep_experiment full[] = {
    { "signature", "Range-test signature: MLP, BN MLP, LeNet, BN CNN, ResNet-8", SIG_CLAIM,
      SIG_PAPER, REP_JUDGE_SIGNATURE, REP_MEASURE_SIGNATURE, "range", 0, {
        RT("mlp", REP_ROLE_EXPECT_ABSENT, "--model mlp:512,512 " FRT),
        RT("mlp-bn", REP_ROLE_EXPECT_PRESENT, "--model mlp-bn:512,512 " FRT),
        RT("lenet", REP_ROLE_EXPECT_ABSENT, "--model lenet " FRT),
        RT("cnn-bn", REP_ROLE_EXPECT_PRESENT, "--model cnn-bn " FRT),
        RT("resnet8", REP_ROLE_EXPECT_PRESENT, "--model resnet:8 " FRT),
      }, 5 },
    { "short-vs-long", "1cycle against step schedules (BN MLP)", SHORT_CLAIM, SHORT_PAPER,
      REP_JUDGE_SHORT_LONG, REP_MEASURE_ACC, "acc,lr", 0, {
        TR("1cycle", REP_ROLE_SHORT, 0, ONECYCLE(0.1, 1) Q1C),
        TR("step", REP_ROLE_EQUAL, 0, QSTEP),
        TR("step-3x", REP_ROLE_LONG, 0, QSTEP3),
      }, 3 },
    { "short-vs-long-resnet8", "1cycle against step schedules (ResNet-8, 10k images)",
      SHORT_CLAIM, SHORT_PAPER, REP_JUDGE_SHORT_LONG, REP_MEASURE_ACC, "acc,lr", 0, {
        TR("1cycle", REP_ROLE_SHORT, 0, R8 ONECYCLE(0.1, 1) "--iters 400"),
        TR("step", REP_ROLE_EQUAL, 0, R8 STEP(0.33, 250, 350) "--iters 400"),
        TR("step-3x", REP_ROLE_LONG, 0, R8 STEP(0.33, 750, 1050) "--iters 1200"),
      }, 3 },
    { "weight-decay", "Weight decay at a large LR (1cycle 0.3-3, BN MLP)", WD_CLAIM, WD_PAPER,
      REP_JUDGE_WD, REP_MEASURE_ACC, "acc", 0, {
        TR("wd-1e-3", REP_ROLE_NONE, 1e-3, ONECYCLE(0.3, 3) Q1C " --wd 1e-3"),
        TR("wd-3e-4", REP_ROLE_NONE, 3e-4, ONECYCLE(0.3, 3) Q1C " --wd 3e-4"),
        TR("wd-1e-4", REP_ROLE_NONE, 1e-4, ONECYCLE(0.3, 3) Q1C " --wd 1e-4"),
        TR("wd-3e-5", REP_ROLE_NONE, 3e-5, ONECYCLE(0.3, 3) Q1C " --wd 3e-5"),
        TR("wd-1e-5", REP_ROLE_NONE, 1e-5, ONECYCLE(0.3, 3) Q1C " --wd 1e-5"),
        TR("wd-1e-6", REP_ROLE_NONE, 1e-6, ONECYCLE(0.3, 3) Q1C " --wd 1e-6"),
      }, 6 },
    { "limited-data", "Limited training data (BN MLP, 1cycle vs a 3x longer step)",
      LIM_CLAIM, LIM_PAPER, REP_JUDGE_LIMITED, REP_MEASURE_ACC, "acc", 0, {
        LIM("5k", 5000), LIM("10k", 10000), LIM("20k", 20000),
        TR("1cycle-all", REP_ROLE_A, 60000, ONECYCLE(0.1, 1) Q1C),
        TR("step-3x-all", REP_ROLE_B, 60000, QSTEP3),
      }, 8 },
    { "batch-size", "Batch size at equal epochs (1cycle 0.1-1, BN MLP, 2 epochs)",
      BATCH_CLAIM, BATCH_PAPER, REP_JUDGE_LARGER_BATCH, REP_MEASURE_ACC, "acc", 0, {
        TR("batch-64", REP_ROLE_NONE, 64, ONECYCLE(0.1, 1) "--batch 64 --iters 1875"),
        TR("batch-128", REP_ROLE_NONE, 128, ONECYCLE(0.1, 1) "--batch 128 --iters 938"),
        TR("batch-256", REP_ROLE_NONE, 256, ONECYCLE(0.1, 1) "--batch 256 --iters 469"),
        TR("batch-512", REP_ROLE_NONE, 512, ONECYCLE(0.1, 1) "--batch 512 --iters 235"),
        TR("batch-1024", REP_ROLE_NONE, 1024, ONECYCLE(0.1, 1) "--batch 1024 --iters 118"),
      }, 5 },
    { "momentum", "Cyclical against constant momentum (1cycle 0.3-3, BN MLP)", MOM_CLAIM,
      MOM_PAPER, REP_JUDGE_BETTER, REP_MEASURE_ACC, "acc", 0, {
        TR("cyclical", REP_ROLE_A, 0, ONECYCLE(0.3, 3) Q1C),
        TR("const-0.85", REP_ROLE_B, 0.85, ONECYCLE(0.3, 3) Q1C " --momentum 0.85"),
        TR("const-0.9", REP_ROLE_B, 0.9, ONECYCLE(0.3, 3) Q1C " --momentum 0.9"),
        TR("const-0.95", REP_ROLE_B, 0.95, ONECYCLE(0.3, 3) Q1C " --momentum 0.95"),
      }, 4 },
    { "lr-estimate", "The optimal-LR estimate under CLR and under a constant LR",
      LREST_CLAIM, LREST_PAPER, REP_JUDGE_LREST, REP_MEASURE_LREST, "lr", 0, {
        TR("clr", REP_ROLE_A, 0, "--policy clr --lr-min 0.1 --lr-max 3 --stepsize 150 "
                                 "--momentum 0.9 --iters 300 --lr-estimate 1"),
        TR("const", REP_ROLE_B, 0, "--policy const --lr 0.1 --momentum 0.9 --iters 3000 "
                                   "--lr-estimate 10"),
      }, 2 },
};

/* ---- cifar: CIFAR-10 with ResNets, overnight ------------------------------- */

/* The paper's batch 1000 (50 steps per epoch), wd 1e-4, --augment. The step
 * schedule is the paper's, 0.35 /10 at 5/8 and 7/8, at 3x the cycle's length. */
#define C20 "--model resnet:20 --batch 1000 --augment --wd 1e-4 "
#define C56 "--model resnet:56 --batch 1000 --augment --wd 1e-4 "

static const rep_experiment cifar[] = {
    { "signature", "Range-test signature: ResNet-20 on CIFAR-10", SIG_CLAIM, SIG_PAPER,
      REP_JUDGE_SIGNATURE, REP_MEASURE_SIGNATURE, "range", 0, {
        RT("resnet20", REP_ROLE_EXPECT_PRESENT, C20 "--iters 200 --eval-every 5 --eval-max 1000"),
      }, 1 },
    { "short-vs-long", "ResNet-20: 1cycle and CLR 0.1-3 against the step schedule",
      SHORT_CLAIM, SHORT_PAPER, REP_JUDGE_SHORT_LONG, REP_MEASURE_ACC, "acc,lr", 0, {
        TR("1cycle", REP_ROLE_SHORT, 0, C20 ONECYCLE(0.1, 3) "--iters 1000"),
        TR("clr", REP_ROLE_NONE, 0, C20 "--policy clr --lr-min 0.1 --lr-max 3 --stepsize 500 "
                                        "--momentum 0.9 --iters 1000"),
        TR("step", REP_ROLE_EQUAL, 0, C20 STEP(0.35, 625, 875) "--iters 1000"),
        TR("step-3x", REP_ROLE_LONG, 0, C20 STEP(0.35, 1875, 2625) "--iters 3000"),
      }, 4 },
};

static const rep_experiment cifar56[] = {
    { "short-vs-long", "ResNet-56: 1cycle 0.1-3 against the step schedule", SHORT_CLAIM,
      SHORT_PAPER, REP_JUDGE_SHORT_LONG, REP_MEASURE_ACC, "acc,lr", 0, {
        TR("1cycle", REP_ROLE_SHORT, 0, C56 ONECYCLE(0.1, 3) "--iters 1000"),
        TR("step", REP_ROLE_EQUAL, 0, C56 STEP(0.35, 625, 875) "--iters 1000"),
        TR("step-3x", REP_ROLE_LONG, 0, C56 STEP(0.35, 1875, 2625) "--iters 3000"),
      }, 3 },
};

#define N(a) (int)(sizeof a / sizeof a[0])

const rep_suite rep_suites[] = {
    { "mini", "seconds on the generated data; for tests", 2, 0, "synthetic", mini, N(mini) },
    { "quick", "a few minutes on 2 cores, Fashion-MNIST", 2, 0, "fashion-mnist", quick,
      N(quick) },
    { "full", "about an hour on 2 cores, Fashion-MNIST", 3, 0, "fashion-mnist", full, N(full) },
    { "cifar", "a night on 2 cores; needs --data pointing at CIFAR-10", 1, 1, NULL, cifar,
      N(cifar) },
    { "cifar-resnet56", "the cifar suite's comparison with ResNet-56 (several nights)", 1, 1,
      NULL, cifar56, N(cifar56) },
};

const int rep_n_suites = N(rep_suites);
