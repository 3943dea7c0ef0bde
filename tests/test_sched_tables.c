/* test_sched_tables.c — every schedule policy against a reference table.
 *
 * The tables were computed once, outside this code, from the published
 * definitions: PyTorch's CyclicLR and OneCycleLR
 * get_lr, fastai's combine_scheds/SchedCos, Smith's Caffe 1cycle, Caffe's
 * step/multistep/inv, and the two sweep formulas. Past the plan the tables hold
 * the value at total-1, except for the periodic CLR policies. */
#include <criterion/criterion.h>

#include "engine/sched.h"

#include "tests/sched_check.h"

static const ref_row ref_const[] = {
    { 0, 0.1, 0.9 },
    { 50, 0.1, 0.9 },
    { 99, 0.1, 0.9 },
    { 1000, 0.1, 0.9 },
};
static const ref_row ref_step[] = {
    { 0, 0.1, 0.9 },
    { 2, 0.1, 0.9 },
    { 3, 0.05, 0.9 },
    { 5, 0.05, 0.9 },
    { 6, 0.025, 0.9 },
    { 17, 0.003125, 0.9 },
    { 18, 0.0015625, 0.9 },
    { 19, 0.0015625, 0.9 },
    { 25, 0.0015625, 0.9 },
    { 1000000, 0.0015625, 0.9 },
};
static const ref_row ref_multistep[] = {
    { 0, 0.35, 0.9 },
    { 49999, 0.35, 0.9 },
    { 50000, 0.034999999999999996, 0.9 },
    { 69999, 0.034999999999999996, 0.9 },
    { 70000, 0.0035000000000000005, 0.9 },
    { 79999, 0.0035000000000000005, 0.9 },
    { 90000, 0.0035000000000000005, 0.9 },
};
static const ref_row ref_multistep_dup[] = {
    { 0, 1.0, 0.9 },
    { 2, 1.0, 0.9 },
    { 3, 0.25, 0.9 },
    { 7, 0.25, 0.9 },
    { 8, 0.125, 0.9 },
    { 9, 0.125, 0.9 },
    { 50, 0.125, 0.9 },
};
static const ref_row ref_inv[] = {
    { 0, 0.01, 0.9 },
    { 1, 0.009999250065618985, 0.9 },
    { 100, 0.009925650290240803, 0.9 },
    { 5000, 0.007377879464668811, 0.9 },
    { 9999, 0.005946258561103331, 0.9 },
    { 20000, 0.005946258561103331, 0.9 },
};
static const ref_row ref_clr[] = {
    { 0, 0.1, 0.9 },
    { 1, 0.10057999999999995, 0.89998 },
    { 2500, 1.55, 0.8500000000000001 },
    { 4999, 2.99942, 0.8000200000000001 },
    { 5000, 3.0, 0.8 },
    { 5001, 2.99942, 0.8000200000000001 },
    { 7500, 1.55, 0.8500000000000001 },
    { 9999, 0.10057999999999995, 0.89998 },
    { 10000, 0.1, 0.9 },
    { 12500, 1.55, 0.8500000000000001 },
    { 15000, 3.0, 0.8 },
};
static const ref_row ref_tri2[] = {
    { 0, 0.01, 0.9 },
    { 2, 0.05500000000000001, 0.8500000000000001 },
    { 4, 0.1, 0.8 },
    { 6, 0.05500000000000001, 0.8500000000000001 },
    { 8, 0.01, 0.9 },
    { 10, 0.0325, 0.875 },
    { 12, 0.05500000000000001, 0.8500000000000001 },
    { 16, 0.01, 0.9 },
    { 20, 0.0325, 0.875 },
    { 24, 0.01, 0.9 },
    { 40, 0.01, 0.9 },
};
static const ref_row ref_exp_range[] = {
    { 0, 0.001, 0.9 },
    { 1000, 0.00335440709585463, 0.8529118580829075 },
    { 2000, 0.0054345862184085065, 0.81130827563183 },
    { 3000, 0.0030881642519600275, 0.8582367149607995 },
    { 4000, 0.001, 0.9 },
    { 6000, 0.004488343954531024, 0.8302331209093795 },
    { 10000, 0.0037440087858930434, 0.8451198242821392 },
    { 50000, 0.00124891293777122, 0.8950217412445757 },
};
static const ref_row ref_smith[] = {
    { 0, 0.08, 0.95 },
    { 250, 0.26, 0.9249999999999999 },
    { 1000, 0.8, 0.85 },
    { 1001, 0.7992, 0.8501 },
    { 1500, 0.4, 0.8999999999999999 },
    { 1999, 0.0008000000000000008, 0.9499 },
    { 2000, 0.0, 0.95 },
    { 2001, 8e-05, 0.95 },
    { 2499, 8e-05, 0.95 },
    { 5000, 8e-05, 0.95 },
};
static const ref_row ref_smith_derived[] = {
    { 0, 0.08, 0.95 },
    { 4500, 0.8, 0.85 },
    { 8999, 0.00017777777777778782, 0.9499777777777777 },
    { 9000, 0.0, 0.95 },
    { 9001, 8e-05, 0.95 },
    { 9999, 8e-05, 0.95 },
    { 12000, 8e-05, 0.95 },
};
static const ref_row ref_pt_cos[] = {
    { 0, 0.03200000000000003, 0.95 },
    { 1, 0.03425102445272599, 0.9497068978577179 },
    { 10, 0.23613115877128066, 0.9234204220349895 },
    { 28, 0.7977489755472741, 0.850293102142282 },
    { 29, 0.8, 0.85 },
    { 30, 0.7995972282276195, 0.8500503466729342 },
    { 31, 0.7983897240392254, 0.850201285300238 },
    { 50, 0.6351147604605856, 0.8706107373853763 },
    { 98, 0.0004059717723806304, 0.9499496533270657 },
    { 99, 3.2e-06, 0.95 },
    { 150, 3.2e-06, 0.95 },
};
static const ref_row ref_pt_linear[] = {
    { 0, 0.04, 0.95 },
    { 100, 0.42554216867469874, 0.9098393574297189 },
    { 248, 0.996144578313253, 0.8504016064257028 },
    { 249, 1.0, 0.85 },
    { 250, 0.998666672, 0.8501333333333333 },
    { 500, 0.665334672, 0.8834666666666666 },
    { 999, 4.000000000004e-06, 0.95 },
};
static const ref_row ref_pt_three[] = {
    { 0, 0.04999999999999999, 0.95 },
    { 30, 0.2809896173234993, 0.8986689739281112 },
    { 59, 0.5, 0.85 },
    { 60, 0.49968110652727143, 0.8500708652161619 },
    { 80, 0.3733941471032425, 0.8781346339770572 },
    { 118, 0.05, 0.95 },
    { 119, 0.0499813868244797, 0.95 },
    { 150, 0.03326241506594345, 0.95 },
    { 199, 0.0005, 0.95 },
    { 400, 0.0005, 0.95 },
};
static const ref_row ref_fastai[] = {
    { 0, 0.032, 0.95 },
    { 1, 0.03203031902573461, 0.9499960522101908 },
    { 100, 0.2973374741600202, 0.9154508497187474 },
    { 249, 0.7999696809742655, 0.8500039477898091 },
    { 250, 0.8, 0.85 },
    { 251, 0.799996490847547, 0.8500004386484431 },
    { 600, 0.44181496719320845, 0.8947735768366173 },
    { 998, 2.2036548240844667e-05, 0.949998245413924 },
    { 999, 1.1509152453070826e-05, 0.9499995613515568 },
    { 2000, 1.1509152453070826e-05, 0.9499995613515568 },
};
static const ref_row ref_sweep_lin[] = {
    { 0, 0.0, 0.9 },
    { 1, 0.0006, 0.9 },
    { 2500, 1.5, 0.9 },
    { 4999, 2.9994, 0.9 },
    { 6000, 2.9994, 0.9 },
};
static const ref_row ref_sweep_exp[] = {
    { 0, 1e-07, 0.9 },
    { 1, 1.202264434617413e-07, 0.9 },
    { 50, 0.001, 0.9 },
    { 99, 8.317637711026709, 0.9 },
    { 200, 8.317637711026709, 0.9 },
};

/* ---- reference tables, one policy at a time ---------------------------- */

Test(sched, const_table)
{
    sched s;
    sched_defaults(&s, SCHED_CONST);
    s.lr_max = 0.1;
    s.total = 100;
    CHECK_TABLE(&s, ref_const);
}

Test(sched, step_table)
{
    sched s;
    sched_defaults(&s, SCHED_STEP);
    s.lr_max = 0.1;
    s.gamma = 0.5;
    s.stepsize = 3;
    s.total = 20;
    CHECK_TABLE(&s, ref_step);
}

Test(sched, multistep_table)
{
    /* The paper's step baseline: 0.35, divided by 10 at 50k and 70k of 80k. */
    sched s;
    sched_defaults(&s, SCHED_MULTISTEP);
    s.lr_max = 0.35;
    s.gamma = 0.1;
    s.total = 80000;
    s.milestones[0] = 50000;
    s.milestones[1] = 70000;
    s.n_milestones = 2;
    CHECK_TABLE(&s, ref_multistep);

    /* A repeated milestone drops twice, as PyTorch's MultiStepLR does. */
    s.lr_max = 1.0;
    s.gamma = 0.5;
    s.total = 10;
    s.milestones[0] = 3;
    s.milestones[1] = 3;
    s.milestones[2] = 8;
    s.n_milestones = 3;
    CHECK_TABLE(&s, ref_multistep_dup);
}

Test(sched, inv_table)
{
    sched s;
    sched_defaults(&s, SCHED_INV); /* Caffe LeNet: 0.01, gamma 1e-4, power 0.75 */
    s.total = 10000;
    CHECK_TABLE(&s, ref_inv);
}

Test(sched, clr_table)
{
    /* The headline CIFAR-10 run: 0.1 -> 3 -> 0.1, stepsize 5000, 10k iterations;
     * momentum cycled 0.9 <-> 0.8 as PyTorch's CyclicLR does. */
    sched s = make_clr(SCHED_TRIANGULAR, 0.1, 3.0, 5000, 10000);
    CHECK_TABLE(&s, ref_clr);
}

Test(sched, triangular2_table)
{
    sched s = make_clr(SCHED_TRIANGULAR2, 0.01, 0.1, 4, 32);
    CHECK_TABLE(&s, ref_tri2);
}

Test(sched, exp_range_table)
{
    sched s = make_clr(SCHED_EXP_RANGE, 0.001, 0.006, 2000, 8000);
    s.gamma = 0.99994;
    CHECK_TABLE(&s, ref_exp_range);
}

Test(sched, smith_1cycle_table)
{
    sched s = make_smith(0.08, 0.8, 1000, 2500);
    CHECK_TABLE(&s, ref_smith);
    cr_expect_eq(sched_half_cycle(&s), 1000);
}

Test(sched, smith_1cycle_stepsize_from_cycle_frac)
{
    sched s = make_smith(0.08, 0.8, 0, 10000);
    s.cycle_frac = 0.9;
    cr_expect_eq(sched_half_cycle(&s), 4500, "0.9 of 10000 is a cycle of 9000, ss 4500");
    CHECK_TABLE(&s, ref_smith_derived);
    s.total = 999;
    cr_expect_eq(sched_half_cycle(&s), 449, "floor(0.9*999/2) = floor(449.55) = 449");
    s.total = 1;
    cr_expect_eq(sched_half_cycle(&s), 1, "never below one iteration");
}

Test(sched, pytorch_1cycle_cos_table)
{
    sched s = make_pytorch(0.8, 100, 0.3, 25.0, 1e4);
    CHECK_TABLE(&s, ref_pt_cos);
}

Test(sched, pytorch_1cycle_linear_table)
{
    sched s = make_pytorch(1.0, 1000, 0.25, 25.0, 1e4);
    s.anneal = ANNEAL_LINEAR;
    CHECK_TABLE(&s, ref_pt_linear);
}

Test(sched, pytorch_1cycle_three_phase_table)
{
    sched s = make_pytorch(0.5, 200, 0.3, 10.0, 100.0);
    s.three_phase = true;
    CHECK_TABLE(&s, ref_pt_three);
}

Test(sched, fastai_1cycle_table)
{
    sched s;
    sched_onecycle_defaults(&s, ONECYCLE_FASTAI); /* 0.25, div 25, div_final 1e5, cos */
    s.total = 1000;
    CHECK_TABLE(&s, ref_fastai);
}

Test(sched, sweep_tables)
{
    sched s;
    sched_defaults(&s, SCHED_SWEEP_LINEAR); /* 0 -> 3 over 5000, the authors' setting */
    CHECK_TABLE(&s, ref_sweep_lin);
    sched_defaults(&s, SCHED_SWEEP_EXP);    /* fastai: 1e-7 -> 10 over 100 */
    CHECK_TABLE(&s, ref_sweep_exp);
}
