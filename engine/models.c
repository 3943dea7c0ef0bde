/* models.c — model specs: a parser that maps a name to a builder, and the
 * builders, which emit nodes (engine/net.h). Adding a model is adding a
 * builder and a row of model_table. */
#include "engine/net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MLP_MAX_HIDDEN 64
#define MLP_MAX_WIDTH  65536
#define RESNET_MAX_DEPTH 1202
#define RESNET_MAX_WIDTH 256

const char net_presets_help[] =
    "  linear              softmax regression\n"
    "  mlp[:H1,H2,...]     dense + ReLU per hidden layer (default mlp:512,512)\n"
    "  mlp-bn[:H1,...]     dense + batch norm + ReLU per hidden layer (the default model)\n"
    "  lenet               LeNet: conv5x5x20 ReLU maxpool2 conv5x5x50 ReLU maxpool2\n"
    "                      dense500 ReLU dense\n"
    "  cnn-bn              [conv3x3 + batch norm + ReLU] x 32, 32, maxpool2, x 64, 64,\n"
    "                      maxpool2, global average pool, dense\n"
    "  resnet:N[,W]        CIFAR ResNet (He et al. 2016): depth N = 6n+2 (8, 20, 56, 110),\n"
    "                      stem width W (default 16), projection shortcuts\n";

/* Emits nodes one after another; `at` is the node the next one reads. A
 * failed append sets `failed`, and every later call does nothing. */
typedef struct builder {
    net  *n;
    int   at;
    bool  failed;
} builder;

static int emit(builder *b, const layer *proto, int in0, int in1)
{
    if (b->failed)
        return -1;
    int idx = net_add_node(b->n, proto, in0, in1);
    if (idx < 0)
        b->failed = true;
    else
        b->at = idx;
    return idx;
}

static int add_dense(builder *b, int in, int out, const char *name)
{
    layer l;
    layer_setup(&l, LAYER_DENSE, name);
    l.out_c = out;
    return emit(b, &l, in, NET_NO_INPUT);
}

static int add_conv(builder *b, int in, int out, int k, int stride, int pad, bool bias,
                    const char *name)
{
    layer l;
    layer_setup(&l, LAYER_CONV, name);
    l.out_c = out;
    l.k = k;
    l.stride = stride;
    l.pad = pad;
    l.bias = bias;
    return emit(b, &l, in, NET_NO_INPUT);
}

static int add_simple(builder *b, layer_kind kind, int in, int k, const char *name)
{
    layer l;
    layer_setup(&l, kind, name);
    l.k = k;
    l.stride = k ? k : 1;
    return emit(b, &l, in, NET_NO_INPUT);
}

/* A residual add with a ReLU after it, fused (layers.h). */
static int add_sum_relu(builder *b, int in0, int in1, const char *name)
{
    layer l;
    layer_setup(&l, LAYER_ADD, name);
    l.relu = true;
    return emit(b, &l, in0, in1);
}

static int add_relu(builder *b, int in, const char *name)
{
    return add_simple(b, LAYER_RELU, in, 0, name);
}

/* Batch norm, with a ReLU after it fused when `relu` (layers.h). */
static int add_bn(builder *b, int in, bool relu, const char *name)
{
    layer l;
    layer_setup(&l, LAYER_BATCHNORM, name);
    l.relu = relu;
    return emit(b, &l, in, NET_NO_INPUT);
}

/* A 2x2 max pool; `relu` fuses a ReLU on its output, which equals a ReLU
 * on its input: max(relu(a), relu(b)) = relu(max(a, b)), gradients
 * included, on a quarter of the values. */
static int add_maxpool(builder *b, int in, bool relu, const char *name)
{
    layer l;
    layer_setup(&l, LAYER_MAXPOOL, name);
    l.k = l.stride = 2;
    l.relu = relu;
    return emit(b, &l, in, NET_NO_INPUT);
}

/* Parses "H1,H2,..." into hidden[]; returns the count or -1. */
static int parse_widths(const char *spec, const char *p, int *hidden, lr_err *e)
{
    int n = 0;
    while (*p) {
        char *end;
        long h = strtol(p, &end, 10);
        if (end == p || h < 1 || h > MLP_MAX_WIDTH)
            return lr_fail(e, "model '%s': layer sizes must be integers from 1 to %d", spec,
                           MLP_MAX_WIDTH);
        if (n == MLP_MAX_HIDDEN)
            return lr_fail(e, "model '%s': at most %d hidden layers", spec, MLP_MAX_HIDDEN);
        hidden[n++] = (int)h;
        if (*end == ',' && !end[1])
            return lr_fail(e, "model '%s': a layer size is missing after the last comma", spec);
        if (*end == ',')
            end++;
        else if (*end)
            return lr_fail(e, "model '%s': expected a comma between layer sizes", spec);
        p = end;
    }
    if (n == 0)
        return lr_fail(e, "model '%s': give at least one layer size", spec);
    return n;
}

static int build_mlp(builder *b, const char *spec, const char *args, int K, bool bn,
                     lr_err *e)
{
    int hidden[MLP_MAX_HIDDEN] = { 512, 512 }, n_hidden = 2;
    if (args && (n_hidden = parse_widths(spec, args, hidden, e)) < 0)
        return -1;
    char name[32];
    for (int h = 0; h < n_hidden; h++) {
        snprintf(name, sizeof name, "dense%d", h + 1);
        add_dense(b, b->at, hidden[h], name);
        if (bn) {
            snprintf(name, sizeof name, "bn%d", h + 1);
            add_bn(b, b->at, true, name);
        } else {
            snprintf(name, sizeof name, "relu%d", h + 1);
            add_relu(b, b->at, name);
        }
    }
    snprintf(name, sizeof name, "dense%d", n_hidden + 1);
    return add_dense(b, b->at, K, name);
}

static int build_linear(builder *b, int K)
{
    return add_dense(b, b->at, K, "dense1");
}

static int build_lenet(builder *b, int K)
{
    /* each conv's ReLU runs in the pool after it (add_maxpool) */
    add_conv(b, b->at, 20, 5, 1, 0, true, "conv1");
    add_maxpool(b, b->at, true, "pool1");
    add_conv(b, b->at, 50, 5, 1, 0, true, "conv2");
    add_maxpool(b, b->at, true, "pool2");
    add_dense(b, b->at, 500, "dense1");
    add_relu(b, b->at, "relu3");
    return add_dense(b, b->at, K, "dense2");
}

/* conv3x3 (no bias: batch norm follows) + batch norm + ReLU (fused into
 * the batch norm). */
static int conv_bn_relu(builder *b, int in, int out, int stride, const char *prefix)
{
    char name[32];
    snprintf(name, sizeof name, "%.15s.conv", prefix);
    add_conv(b, in, out, 3, stride, 1, false, name);
    snprintf(name, sizeof name, "%.15s.bn", prefix);
    return add_bn(b, b->at, true, name);
}

static int build_cnn_bn(builder *b, int K)
{
    conv_bn_relu(b, b->at, 32, 1, "c1");
    conv_bn_relu(b, b->at, 32, 1, "c2");
    add_maxpool(b, b->at, false, "pool1");
    conv_bn_relu(b, b->at, 64, 1, "c3");
    conv_bn_relu(b, b->at, 64, 1, "c4");
    add_maxpool(b, b->at, false, "pool2");
    add_simple(b, LAYER_GAP, b->at, 0, "gap");
    return add_dense(b, b->at, K, "dense");
}

/* A basic block: two 3x3 convs with batch norm, and the shortcut added
 * before the last ReLU; a 1x1 conv + batch norm projects the shortcut
 * where the shape changes. */
static int basic_block(builder *b, int in, int in_c, int out_c, int stride, const char *p)
{
    char name[32];
    int x = in;
    snprintf(name, sizeof name, "%.15s.1", p);
    conv_bn_relu(b, x, out_c, stride, name);
    snprintf(name, sizeof name, "%.15s.2.conv", p);
    add_conv(b, b->at, out_c, 3, 1, 1, false, name);
    snprintf(name, sizeof name, "%.15s.2.bn", p);
    int main_path = add_bn(b, b->at, false, name);
    int shortcut = x;
    if (stride != 1 || in_c != out_c) {
        snprintf(name, sizeof name, "%.15s.proj", p);
        add_conv(b, x, out_c, 1, stride, 0, false, name);
        snprintf(name, sizeof name, "%.15s.proj.bn", p);
        shortcut = add_bn(b, b->at, false, name);
    }
    snprintf(name, sizeof name, "%.15s.add", p);
    return add_sum_relu(b, main_path, shortcut, name);
}

static int build_resnet(builder *b, const char *spec, const char *args, int K, lr_err *e)
{
    char *end;
    long depth = args ? strtol(args, &end, 10) : 0, width = 16;
    if (!args || end == args)
        return lr_fail(e, "model '%s': give the depth, resnet:N with N = 6n+2 "
                          "(8, 20, 56, 110)", spec);
    if (*end == ',') {
        const char *w = end + 1;
        width = strtol(w, &end, 10);
        if (end == w || width < 1 || width > RESNET_MAX_WIDTH)
            return lr_fail(e, "model '%s': the width must be an integer from 1 to %d", spec,
                           RESNET_MAX_WIDTH);
    }
    if (*end)
        return lr_fail(e, "model '%s': expected resnet:N or resnet:N,W", spec);
    if (depth < 8 || depth > RESNET_MAX_DEPTH || (depth - 2) % 6)
        return lr_fail(e, "model '%s': the depth must be 6n+2 between 8 and %d "
                          "(8, 20, 56, 110, ...)", spec, RESNET_MAX_DEPTH);
    int n_blocks = (int)(depth - 2) / 6, W = (int)width;
    conv_bn_relu(b, b->at, W, 1, "stem");
    int c = W;
    char prefix[16];
    for (int stage = 0; stage < 3; stage++) {
        int out_c = W << stage;
        for (int k = 0; k < n_blocks; k++) {
            snprintf(prefix, sizeof prefix, "s%db%d", stage + 1, k + 1);
            basic_block(b, b->at, c, out_c, stage > 0 && k == 0 ? 2 : 1, prefix);
            c = out_c;
        }
    }
    add_simple(b, LAYER_GAP, b->at, 0, "gap");
    return add_dense(b, b->at, K, "dense");
}

int models_emit(net *n, const char *spec, int K, lr_err *e)
{
    builder b = { .n = n, .at = NET_INPUT };
    const char *colon = strchr(spec, ':');
    size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
    const char *args = colon ? colon + 1 : NULL;
#define IS(name) (len == strlen(name) && !strncmp(spec, name, len))
    int rc;
    if (IS("linear") || IS("lenet") || IS("cnn-bn")) {
        if (args)
            return lr_fail(e, "model '%s': '%.*s' takes no arguments", spec, (int)len, spec);
        rc = IS("linear") ? build_linear(&b, K) : IS("lenet") ? build_lenet(&b, K)
                                                              : build_cnn_bn(&b, K);
    } else if (IS("mlp") || IS("mlp-bn")) {
        rc = build_mlp(&b, spec, args, K, IS("mlp-bn"), e);
    } else if (IS("resnet")) {
        rc = build_resnet(&b, spec, args, K, e);
    } else {
        return lr_fail(e, "unknown model '%s': use linear, mlp:H1,H2,..., mlp-bn:H1,..., "
                          "lenet, cnn-bn or resnet:N[,W]", spec);
    }
#undef IS
    if (b.failed)
        return lr_fail(e, "out of memory building model '%s'", spec);
    return rc < 0 ? -1 : 0;
}
