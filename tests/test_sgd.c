/* The two SGD forms of sgd.h: PyTorch's form against updates computed by
 * hand from torch.optim.SGD's documented rule, and against a reference
 * applied to a whole network over the first iterations of a schedule whose
 * LR and momentum change at every step. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/net.h"
#include "engine/rng.h"
#include "engine/sched.h"
#include "engine/sgd.h"

static void expect_near(double got, double want, const char *what)
{
    cr_expect(fabs(got - want) <= 1e-6 * fmax(1.0, fabs(want)), "%s: %.9g, expected %.9g",
              what, got, want);
}

/* f(theta) = theta^2, g = 2 theta; wd 0.1, momentum 0.9; LR 0.5, 0.5, then a
 * sudden drop to 0.05. torch.optim.SGD (dampening 0): d = g + wd*theta;
 * buf = d on the first step, then mu*buf + d; theta -= lr*buf.
 *   step 0: theta 1,       g 2,      d 2.1,      buf 2.1,      theta 1 - 0.5*2.1 = -0.05
 *   step 1: theta -0.05,   g -0.1,   d -0.105,   buf 1.785,    theta -0.05 - 0.5*1.785 = -0.9425
 *   step 2: theta -0.9425, g -1.885, d -1.97925, buf -0.37275, theta -0.9425 + 0.05*0.37275
 *           = -0.9238625
 * Caffe's form gives the same first two steps (constant LR) but at step 2
 * its velocity still holds steps taken at LR 0.5: v = 0.9*(-0.8925) -
 * 0.05*(-1.97925) = -0.7042875, theta = -1.6467875. */
Test(sgd, torch_form_matches_hand_computed_pytorch_steps)
{
    static const double lr[3] = { 0.5, 0.5, 0.05 };
    static const double torch_theta[3] = { -0.05, -0.9425, -0.9238625 };
    static const double torch_buf[3] = { 2.1, 1.785, -0.37275 };
    static const double caffe_theta[3] = { -0.05, -0.9425, -1.6467875 };
    float th_t = 1.0f, v_t = 0.0f, th_c = 1.0f, v_c = 0.0f;
    for (int i = 0; i < 3; i++) {
        float g_t = 2.0f * th_t, g_c = 2.0f * th_c;
        sgd_update(&th_t, &g_t, &v_t, 1, SGD_TORCH, false, lr[i], 0.9, 0.1);
        sgd_update(&th_c, &g_c, &v_c, 1, SGD_CAFFE, false, lr[i], 0.9, 0.1);
        expect_near(th_t, torch_theta[i], "torch theta");
        expect_near(v_t, torch_buf[i], "torch momentum buffer");
        expect_near(th_c, caffe_theta[i], "caffe theta");
    }
}

/* torch.optim.SGD with nesterov=True: d = g + wd*theta; buf = mu*buf + d
 * (d on the first step); theta -= lr*(d + mu*buf).
 *   step 0: d 2.1, buf 2.1, theta 1 - 0.5*(2.1 + 1.89) = -0.995
 *   step 1: g -1.99, d -2.0895, buf 1.89 - 2.0895 = -0.1995,
 *           theta -0.995 - 0.5*(-2.0895 - 0.17955) = 0.139525 */
Test(sgd, torch_form_nesterov_matches_hand_computed_steps)
{
    static const double want[2] = { -0.995, 0.139525 };
    float th = 1.0f, v = 0.0f;
    for (int i = 0; i < 2; i++) {
        float g = 2.0f * th;
        sgd_update(&th, &g, &v, 1, SGD_TORCH, true, 0.5, 0.9, 0.1);
        expect_near(th, want[i], "nesterov theta");
    }
}

/* A batch-norm MLP over the first iterations of PyTorch's OneCycleLR (LR and
 * momentum change every step): sgd_step in torch form against the same rule
 * applied in double by this test, region by region (decay on dense weights
 * only, as torch users write with a no-decay parameter group for biases and
 * batch norm). The Caffe form must differ, or the comparison proves nothing. */
Test(sgd, torch_form_on_a_network_follows_pytorch_over_a_schedule)
{
    enum { B = 8, N_IN = 12, STEPS = 6 };
    net a, b;
    net_opts no;
    lr_err e;
    net_opts_default(&no);
    cr_assert(net_build(&a, "mlp-bn:10", (lr_shape){ N_IN, 1, 1 }, 4, B, &no, 5, &e) == 0, "%s", e.msg);
    cr_assert(net_build(&b, "mlp-bn:10", (lr_shape){ N_IN, 1, 1 }, 4, B, &no, 5, &e) == 0, "%s", e.msg);
    size_t np = a.n_params;
    double *theta = malloc(np * sizeof *theta), *buf = calloc(np, sizeof *buf);
    float *caffe = malloc(np * sizeof *caffe);
    for (size_t i = 0; i < np; i++)
        theta[i] = a.params[i];

    float x[B * N_IN];
    int y[B];
    lr_rng r;
    rng_seed(&r, 11);
    for (int i = 0; i < B * N_IN; i++)
        x[i] = rng_normal(&r);
    for (int i = 0; i < B; i++)
        y[i] = (int)rng_below(&r, 4);

    sched s;
    sched_onecycle_defaults(&s, ONECYCLE_PYTORCH);
    s.lr_max = 0.5;
    s.total = 10;
    sgd_opts o;
    sgd_opts_default(&o);
    o.wd = 0.01;
    o.form = SGD_TORCH;
    for (int t = 0; t < STEPS; t++) {
        double lr, mom;
        sched_at(&s, t, &lr, &mom);
        net_train_pass(&a, x, y, B, NULL);
        sgd_step(&a, &o, lr, mom);

        for (size_t i = 0; i < np; i++)
            b.params[i] = (float)theta[i];
        net_train_pass(&b, x, y, B, NULL);
        for (size_t i = 0; i < np; i++) {
            double wd = i < b.n_weights ? o.wd : 0.0;
            double d = (double)b.grads[i] + wd * theta[i];
            buf[i] = t == 0 ? d : mom * buf[i] + d;
            theta[i] -= lr * buf[i];
        }
        double worst = 0.0;
        for (size_t i = 0; i < np; i++)
            worst = fmax(worst, fabs((double)a.params[i] - theta[i]) / fmax(1.0, fabs(theta[i])));
        cr_expect_lt(worst, 1e-5, "step %d: parameters differ from PyTorch's update by %g", t,
                     worst);
    }

    /* The same steps in Caffe's form end elsewhere: the LR changed every step. */
    net_init_params(&b, 5);
    o.form = SGD_CAFFE;
    for (int t = 0; t < STEPS; t++) {
        double lr, mom;
        sched_at(&s, t, &lr, &mom);
        net_train_pass(&b, x, y, B, NULL);
        sgd_step(&b, &o, lr, mom);
    }
    memcpy(caffe, b.params, np * sizeof *caffe);
    double diff = 0.0;
    for (size_t i = 0; i < np; i++)
        diff = fmax(diff, fabs((double)caffe[i] - theta[i]));
    cr_expect_gt(diff, 1e-3, "Caffe's form should differ from PyTorch's when the LR changes");
    free(theta);
    free(buf);
    free(caffe);
    net_free(&a);
    net_free(&b);
}

Test(sgd, form_names_parse_and_print)
{
    sgd_form f = SGD_CAFFE;
    cr_expect_eq(sgd_form_parse("torch", &f), 0);
    cr_expect_eq(f, SGD_TORCH);
    cr_expect_str_eq(sgd_form_name(f), "torch");
    cr_expect_eq(sgd_form_parse("pytorch", &f), -1);
    cr_expect_eq(f, SGD_TORCH, "a refused name leaves the form as it was");
    cr_expect_str_eq(sgd_form_name(SGD_CAFFE), "caffe");
}
