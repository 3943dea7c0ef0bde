/* conv_winograd.c — 3x3 convolutions (stride 1, padding 1) by Winograd's
 * minimal filtering F(2x2, 3x3) (Lavin & Gray, "Fast Algorithms for
 * Convolutional Neural Networks", 2016).
 *
 * The output is cut into 2x2 tiles; tile t reads the 4x4 input window that
 * starts one pixel up and left of it. With the constant matrices
 *
 *   B^T = | 1  0 -1  0 |    G = | 1    0    0   |    A^T = | 1  1  1  0 |
 *         | 0  1  1  0 |        | 1/2  1/2  1/2 |          | 0  1 -1 -1 |
 *         | 0 -1  1  0 |        | 1/2 -1/2  1/2 |
 *         | 0  1  0 -1 |        | 0    0    1   |
 *
 * one tile of one output channel n is
 *
 *   Y = A^T [ sum_c (G w[c][n] G^T) (.) (B^T d[c] B) ] A      ((.) elementwise)
 *
 * and the 16 elementwise positions xi are 16 independent matrix products
 * over channels, batched over every tile of a chunk of images:
 *
 *   V[xi][T][C] = input transform     U[xi][C][N] = filter transform
 *   M[xi][T][N] = V[xi] U[xi]         16 cblas_sgemm, M = T, N = out_c, K = C
 *   y           = output transform of M (+ bias)
 *
 * That is 16 multiply-adds per tile and channel pair where im2col does 36:
 * 2.25x fewer. Every stage is linear, so backward is the exact adjoint of
 * each stage in reverse:
 *
 *   dM = A dY A^T                      per tile (zero outside the image)
 *   dU[xi] = V[xi]^T dM[xi]            16 GEMMs, K = T (summed over chunks)
 *   dV[xi] = dM[xi] U[xi]^T            16 GEMMs, K = N
 *   dx += B dV B^T                     scattered back; windows overlap
 *   dw += G^T dU G
 *
 * Numerical error: the transforms only add, subtract and halve, so the
 * result differs from im2col's by rounding of the same order (a few float
 * ulps of the sums); tests/test_layers.c checks both lowerings against
 * finite differences and against each other.
 *
 * Layout: channel-last as everywhere (layers.h), so every transform is a
 * loop over contiguous channels that the compiler vectorises. V and M live
 * in the network's shared col buffer, a chunk of images at a time; U, dU,
 * a row of zeros and per thread a row of discarded writes live in the
 * layer's scratch. V is recomputed in backward rather than kept, as im2col
 * is. The transforms spread a chunk's tile rows over threads (par.h), the
 * input adjoint its images, and the 16 products their positions. */
#include "engine/conv_winograd.h"
#include "engine/par.h"

#include <cblas.h>
#include <string.h>

#define XI 16 /* positions of a transformed 4x4 tile */

bool wino_applies(const layer *l)
{
    return l->k == 3 && l->stride == 1 && l->pad == 1;
}

bool wino_pays(const layer *l)
{
    return l->in.c >= 8;
}

static int tiles_h(const layer *l) { return (l->out.h + 1) / 2; }
static int tiles_w(const layer *l) { return (l->out.w + 1) / 2; }
static size_t tiles_per_image(const layer *l) { return (size_t)tiles_h(l) * tiles_w(l); }

static size_t widest_row(const layer *l)
{
    return (size_t)(l->in.c > l->out_c ? l->in.c : l->out_c);
}

size_t wino_col_floats_per_image(const layer *l)
{
    return XI * tiles_per_image(l) * (size_t)(l->in.c + l->out_c);
}

size_t wino_scratch_floats(const layer *l)
{
    return 2 * XI * (size_t)l->in.c * l->out_c + (1 + PAR_MAX_THREADS) * widest_row(l);
}

void wino_bind(layer *l, float *scratch)
{
    size_t un = XI * (size_t)l->in.c * l->out_c;
    l->wino_u = scratch;
    l->wino_du = scratch + un;
    l->wino_zero = scratch + 2 * un;
    l->wino_sink = l->wino_zero + widest_row(l);
}

/* The row that thread `slot` writes what falls outside an image into. */
static float *sink_of(const layer *l, int slot)
{
    return l->wino_sink + (size_t)slot * widest_row(l);
}

/* U[xi][C][N] = G w G^T for every (c, n); w is [3][3][C][N]. */
static void filter_transform(const layer *l)
{
    int C = l->in.c, N = l->out_c;
    size_t cn = (size_t)C * N;
    const float *w = l->w;
    float *u = l->wino_u;
    for (size_t i = 0; i < cn; i++) {
        float g[9], t[12];
        for (int k = 0; k < 9; k++)
            g[k] = w[k * cn + i];
        for (int x = 0; x < 3; x++) { /* G g: along ky, per column kx */
            t[0 * 3 + x] = g[0 * 3 + x];
            t[1 * 3 + x] = 0.5f * (g[0 * 3 + x] + g[1 * 3 + x] + g[2 * 3 + x]);
            t[2 * 3 + x] = 0.5f * (g[0 * 3 + x] - g[1 * 3 + x] + g[2 * 3 + x]);
            t[3 * 3 + x] = g[2 * 3 + x];
        }
        for (int y = 0; y < 4; y++) { /* (G g) G^T: along kx */
            const float *r = t + y * 3;
            u[(y * 4 + 0) * cn + i] = r[0];
            u[(y * 4 + 1) * cn + i] = 0.5f * (r[0] + r[1] + r[2]);
            u[(y * 4 + 2) * cn + i] = 0.5f * (r[0] - r[1] + r[2]);
            u[(y * 4 + 3) * cn + i] = r[2];
        }
    }
}

/* dw [3][3][C][N] += G^T dU G, the filter transform's adjoint. */
static void filter_adjoint(layer *l)
{
    int C = l->in.c, N = l->out_c;
    size_t cn = (size_t)C * N;
    const float *du = l->wino_du;
    float *dw = l->dw;
    for (size_t i = 0; i < cn; i++) {
        float t[12];
        for (int y = 0; y < 4; y++) { /* along kx: G^T of the row */
            float a = du[(y * 4 + 0) * cn + i], b = du[(y * 4 + 1) * cn + i],
                  c = du[(y * 4 + 2) * cn + i], d = du[(y * 4 + 3) * cn + i];
            t[y * 3 + 0] = a + 0.5f * (b + c);
            t[y * 3 + 1] = 0.5f * (b - c);
            t[y * 3 + 2] = 0.5f * (b + c) + d;
        }
        for (int x = 0; x < 3; x++) { /* along ky */
            float a = t[0 * 3 + x], b = t[1 * 3 + x], c = t[2 * 3 + x], d = t[3 * 3 + x];
            dw[(0 * 3 + x) * cn + i] += a + 0.5f * (b + c);
            dw[(1 * 3 + x) * cn + i] += 0.5f * (b - c);
            dw[(2 * 3 + x) * cn + i] += 0.5f * (b + c) + d;
        }
    }
}

/* The 16 rows of one tile's 4x4 window: pixel pointers into the image, or
 * `outside` where the window leaves it. */
static void window_rows(const layer *l, float *img, int ty, int tx, size_t row_len,
                        float *outside, float *p[XI])
{
    int H = l->in.h, W = l->in.w;
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) {
            int iy = 2 * ty - 1 + i, ix = 2 * tx - 1 + j;
            bool in = iy >= 0 && iy < H && ix >= 0 && ix < W;
            p[i * 4 + j] = in ? img + ((size_t)iy * W + ix) * row_len : outside;
        }
}

/* The 4 output pixels of tile (ty, tx), or `outside` past the image's edge
 * (an odd height or width). */
static void tile_rows(const layer *l, float *img, int ty, int tx, float *outside, float *q[4])
{
    int H = l->out.h, W = l->out.w, N = l->out_c;
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            int oy = 2 * ty + i, ox = 2 * tx + j;
            q[i * 2 + j] = oy < H && ox < W ? img + ((size_t)oy * W + ox) * N : outside;
        }
}

/* The transforms work on LANES channels at a time, through local arrays:
 * the compiler vectorises fixed-length loops over them, which it will not do
 * across 16 pointers that might alias the output. */
#define LANES 8

/* dst[k][0..w) = rows[k][c0..c0+w), the rest of each lane row zero. */
static inline void gather(float dst[][LANES], float *const *rows, int k_rows, int c0, int w)
{
    for (int k = 0; k < k_rows; k++) {
        if (w == LANES) {
            memcpy(dst[k], rows[k] + c0, sizeof dst[k]);
            continue;
        }
        for (int c = 0; c < w; c++)
            dst[k][c] = rows[k][c0 + c];
        for (int c = w; c < LANES; c++)
            dst[k][c] = 0.0f;
    }
}

/* dst[0..w) = src[0..w), w <= LANES. */
static void put(float *dst, const float *src, int w)
{
    if (w == LANES)
        memcpy(dst, src, LANES * sizeof *dst);
    else
        memcpy(dst, src, (size_t)w * sizeof *dst);
}

/* V[xi][T][C] = B^T d B for every tile of images x [nb][H][W][C]. */
static void input_transform(const layer *l, const float *x, int nb, float *V, int slot,
                            size_t u0, size_t u1)
{
    (void)slot;
    int C = l->in.c, th = tiles_h(l), tw = tiles_w(l);
    size_t T = (size_t)nb * th * tw, plane = T * C, t = u0 * tw;
    for (size_t u = u0; u < u1; u++) {
        int b = (int)(u / th), ty = (int)(u % th);
        float *img = (float *)x + (size_t)b * shape_size(l->in);
        for (int tx = 0; tx < tw; tx++, t++) {
            float *p[XI];
            window_rows(l, img, ty, tx, (size_t)C, l->wino_zero, p);
            for (int c0 = 0; c0 < C; c0 += LANES) {
                int w = C - c0 < LANES ? C - c0 : LANES;
                float d[XI][LANES], r[XI][LANES], v[XI][LANES];
                gather(d, p, XI, c0, w);
                for (int j = 0; j < 4; j++) /* B^T d: along rows */
                    for (int c = 0; c < LANES; c++) {
                        r[0 + j][c] = d[0 + j][c] - d[8 + j][c];
                        r[4 + j][c] = d[4 + j][c] + d[8 + j][c];
                        r[8 + j][c] = d[8 + j][c] - d[4 + j][c];
                        r[12 + j][c] = d[4 + j][c] - d[12 + j][c];
                    }
                for (int i = 0; i < 4; i++) /* (B^T d) B: along columns */
                    for (int c = 0; c < LANES; c++) {
                        const float *s0 = r[4 * i], *s1 = r[4 * i + 1], *s2 = r[4 * i + 2],
                                    *s3 = r[4 * i + 3];
                        v[4 * i + 0][c] = s0[c] - s2[c];
                        v[4 * i + 1][c] = s1[c] + s2[c];
                        v[4 * i + 2][c] = s2[c] - s1[c];
                        v[4 * i + 3][c] = s1[c] - s3[c];
                    }
                for (int k = 0; k < XI; k++)
                    put(V + k * plane + t * C + c0, v[k], w);
            }
        }
    }
}

/* dx [nb][H][W][C] += B dV B^T of every tile: the input transform's adjoint. */
static void input_adjoint(const layer *l, const float *dV, int nb, float *dx, int slot,
                          size_t u0, size_t u1)
{
    int C = l->in.c, th = tiles_h(l), tw = tiles_w(l);
    size_t T = (size_t)nb * th * tw, plane = T * C, t = u0 * tw;
    for (size_t u = u0; u < u1; u++) {
        int b = (int)(u / th), ty = (int)(u % th);
        float *img = dx + (size_t)b * shape_size(l->in);
        for (int tx = 0; tx < tw; tx++, t++) {
            float *p[XI], *v_rows[XI];
            window_rows(l, img, ty, tx, (size_t)C, sink_of(l, slot), p);
            for (int k = 0; k < XI; k++)
                v_rows[k] = (float *)dV + k * plane + t * C;
            for (int c0 = 0; c0 < C; c0 += LANES) {
                int w = C - c0 < LANES ? C - c0 : LANES;
                float v[XI][LANES], r[XI][LANES], d[XI][LANES];
                gather(v, v_rows, XI, c0, w);
                for (int i = 0; i < 4; i++) /* along columns */
                    for (int c = 0; c < LANES; c++) {
                        float a = v[4 * i][c], bb = v[4 * i + 1][c], cc = v[4 * i + 2][c],
                              dd = v[4 * i + 3][c];
                        r[4 * i + 0][c] = a;
                        r[4 * i + 1][c] = bb - cc + dd;
                        r[4 * i + 2][c] = -a + bb + cc;
                        r[4 * i + 3][c] = -dd;
                    }
                for (int j = 0; j < 4; j++) /* along rows */
                    for (int c = 0; c < LANES; c++) {
                        float a = r[j][c], bb = r[4 + j][c], cc = r[8 + j][c],
                              dd = r[12 + j][c];
                        d[0 + j][c] = a;
                        d[4 + j][c] = bb - cc + dd;
                        d[8 + j][c] = -a + bb + cc;
                        d[12 + j][c] = -dd;
                    }
                /* one window row at a time: outside rows all share the sink */
                for (int k = 0; k < XI; k++)
                    for (int c = 0; c < w; c++)
                        p[k][c0 + c] += d[k][c];
            }
        }
    }
}

/* y [nb][Ho][Wo][N] = A^T M A (+ bias) of every tile. */
static void output_transform(const layer *l, const float *M, int nb, float *y, int slot,
                             size_t u0, size_t u1)
{
    int N = l->out_c, th = tiles_h(l), tw = tiles_w(l);
    size_t T = (size_t)nb * th * tw, plane = T * N, t = u0 * tw;
    float *bias = l->bias ? l->b : l->wino_zero;
    for (size_t u = u0; u < u1; u++) {
        int b = (int)(u / th), ty = (int)(u % th);
        float *img = y + (size_t)b * shape_size(l->out);
        for (int tx = 0; tx < tw; tx++, t++) {
            float *q[4], *m_rows[XI];
            tile_rows(l, img, ty, tx, sink_of(l, slot), q);
            for (int k = 0; k < XI; k++)
                m_rows[k] = (float *)M + k * plane + t * N;
            for (int n0 = 0; n0 < N; n0 += LANES) {
                int w = N - n0 < LANES ? N - n0 : LANES;
                float m[XI][LANES], s[8][LANES], o[4][LANES], bl[1][LANES];
                gather(m, m_rows, XI, n0, w);
                gather(bl, &bias, 1, n0, w);
                for (int j = 0; j < 4; j++) /* A^T m: along rows */
                    for (int c = 0; c < LANES; c++) {
                        s[j][c] = m[j][c] + m[4 + j][c] + m[8 + j][c];
                        s[4 + j][c] = m[4 + j][c] - m[8 + j][c] - m[12 + j][c];
                    }
                for (int i = 0; i < 2; i++) /* (A^T m) A: along columns */
                    for (int c = 0; c < LANES; c++) {
                        const float *r0 = s[4 * i], *r1 = s[4 * i + 1], *r2 = s[4 * i + 2],
                                    *r3 = s[4 * i + 3];
                        o[2 * i + 0][c] = bl[0][c] + r0[c] + r1[c] + r2[c];
                        o[2 * i + 1][c] = bl[0][c] + r1[c] - r2[c] - r3[c];
                    }
                for (int k = 0; k < 4; k++)
                    put(q[k] + n0, o[k], w);
            }
        }
    }
}

/* dM[xi][T][N] = A dY A^T of every tile: the output transform's adjoint. */
static void output_adjoint(const layer *l, const float *dy, int nb, float *dM, int slot,
                           size_t u0, size_t u1)
{
    (void)slot;
    int N = l->out_c, th = tiles_h(l), tw = tiles_w(l);
    size_t T = (size_t)nb * th * tw, plane = T * N, t = u0 * tw;
    for (size_t u = u0; u < u1; u++) {
        int b = (int)(u / th), ty = (int)(u % th);
        float *img = (float *)dy + (size_t)b * shape_size(l->out);
        for (int tx = 0; tx < tw; tx++, t++) {
            float *q[4];
            tile_rows(l, img, ty, tx, l->wino_zero, q);
            for (int n0 = 0; n0 < N; n0 += LANES) {
                int w = N - n0 < LANES ? N - n0 : LANES;
                float y[4][LANES], s[8][LANES], m[XI][LANES];
                gather(y, q, 4, n0, w);
                for (int i = 0; i < 2; i++) /* along columns */
                    for (int c = 0; c < LANES; c++) {
                        float y0 = y[2 * i][c], y1 = y[2 * i + 1][c];
                        s[4 * i + 0][c] = y0;
                        s[4 * i + 1][c] = y0 + y1;
                        s[4 * i + 2][c] = y0 - y1;
                        s[4 * i + 3][c] = -y1;
                    }
                for (int j = 0; j < 4; j++) /* along rows */
                    for (int c = 0; c < LANES; c++) {
                        float y0 = s[j][c], y1 = s[4 + j][c];
                        m[0 + j][c] = y0;
                        m[4 + j][c] = y0 + y1;
                        m[8 + j][c] = y0 - y1;
                        m[12 + j][c] = -y1;
                    }
                for (int k = 0; k < XI; k++)
                    put(dM + k * plane + t * N + n0, m[k], w);
            }
        }
    }
}

/* One transform over the tile rows [u0, u1) of a chunk of nb images, row u
 * being row u % th of image u / th. */
typedef void (*tile_pass)(const layer *l, const float *src, int nb, float *dst, int slot,
                          size_t u0, size_t u1);

typedef struct pass_ctx {
    tile_pass    fn;
    const layer *l;
    const float *src;
    float       *dst;
    int          nb;
    size_t       unit;  /* tile rows per item of the par_for */
} pass_ctx;

static void pass_slice(void *p, int slot, size_t lo, size_t hi)
{
    pass_ctx *c = p;
    c->fn(c->l, c->src, c->nb, c->dst, slot, lo * c->unit, hi * c->unit);
}

/* A transform of a whole chunk, its tile rows spread over threads: the
 * forward transforms and the output adjoint write each tile's own rows, so
 * any split is safe, and a chunk of a few large images is still shared
 * evenly (5 images on 2 threads would leave one idle a sixth of the time). */
static void over_tile_rows(tile_pass fn, const layer *l, const float *src, int nb, float *dst)
{
    pass_ctx c = { fn, l, src, dst, nb, 1 };
    par_for((size_t)nb * tiles_h(l), 1, pass_slice, &c);
}

/* The same, whole images to a thread: the input adjoint scatters into
 * overlapping windows, which only tiles of one image share. */
static void over_images(tile_pass fn, const layer *l, const float *src, int nb, float *dst)
{
    pass_ctx c = { fn, l, src, dst, nb, (size_t)tiles_h(l) };
    par_for((size_t)nb, 1, pass_slice, &c);
}

/* The chunk's V and M inside the shared col buffer. */
static void chunk_buffers(const layer *l, int nb, float **V, float **M)
{
    size_t T = (size_t)nb * tiles_per_image(l);
    *V = l->col;
    *M = l->col + XI * T * (size_t)l->in.c;
}

/* The 16 products of a chunk: independent, so they are spread over the
 * threads whole (par.h), each a single-threaded cblas_sgemm. */
typedef struct xi_ctx {
    layer *l;
    float *V, *M;       /* V [16][T][C], M (or dM) [16][T][N] */
    int    T;
    float  beta_du;     /* backward: 0 for the first chunk, 1 after */
    bool   backward, din;
} xi_ctx;

static void xi_slice(void *p, int slot, size_t lo, size_t hi)
{
    (void)slot;
    const xi_ctx *c = p;
    layer *l = c->l;
    int C = l->in.c, N = l->out_c, T = c->T;
    size_t cn = (size_t)C * N;
    for (size_t xi = lo; xi < hi; xi++) {
        float *v = c->V + xi * T * C, *m = c->M + xi * T * N;
        if (!c->backward) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, N, C, 1.0f, v, C,
                        l->wino_u + xi * cn, N, 0.0f, m, N);
            continue;
        }
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, C, N, T, 1.0f, v, C, m, N,
                    c->beta_du, l->wino_du + xi * cn, N);
        if (c->din) /* dV overwrites V, which this position no longer needs */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, C, N, 1.0f, m, N,
                        l->wino_u + xi * cn, N, 0.0f, v, C);
    }
}

void wino_forward(layer *l, const layer_io *io)
{
    size_t in_img = shape_size(l->in), out_img = shape_size(l->out);
    filter_transform(l);
    for (int b0 = 0; b0 < io->B; b0 += l->col_images) {
        int nb = io->B - b0 < l->col_images ? io->B - b0 : l->col_images;
        int T = nb * (int)tiles_per_image(l);
        float *V, *M;
        chunk_buffers(l, nb, &V, &M);
        over_tile_rows(input_transform, l, io->in[0] + (size_t)b0 * in_img, nb, V);
        xi_ctx c = { .l = l, .V = V, .M = M, .T = T };
        par_for(XI, 1, xi_slice, &c);
        over_tile_rows(output_transform, l, M, nb, io->out + (size_t)b0 * out_img);
    }
}

void wino_backward(layer *l, const layer_io *io)
{
    size_t in_img = shape_size(l->in), out_img = shape_size(l->out);
    filter_transform(l); /* the weights forward used: backward needs no state from it */
    for (int b0 = 0; b0 < io->B; b0 += l->col_images) {
        int nb = io->B - b0 < l->col_images ? io->B - b0 : l->col_images;
        int T = nb * (int)tiles_per_image(l);
        float *V, *dM;
        chunk_buffers(l, nb, &V, &dM);
        over_tile_rows(input_transform, l, io->in[0] + (size_t)b0 * in_img, nb, V);
        const float *dy = io->dout + (size_t)b0 * out_img;
        over_tile_rows(output_adjoint, l, dy, nb, dM);
        xi_ctx c = { .l = l, .V = V, .M = dM, .T = T, .beta_du = b0 ? 1.0f : 0.0f,
                     .backward = true, .din = io->din[0] != NULL };
        par_for(XI, 1, xi_slice, &c);
        if (io->din[0]) {
            float *dx = io->din[0] + (size_t)b0 * in_img;
            if (!io->din_acc[0])
                memset(dx, 0, (size_t)nb * in_img * sizeof *dx);
            over_images(input_adjoint, l, V, nb, dx);
        }
    }
    filter_adjoint(l);
}

void wino_gemm_shape(const layer *l, int *rows_per_image, int *k, int *times)
{
    *rows_per_image = (int)tiles_per_image(l);
    *k = l->in.c;
    *times = XI;
}
