/* conv_winograd.c — stride-1 convolutions by Winograd's minimal filtering
 * (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks",
 * 2016): F(4x4, 3x3) for 3x3 kernels, F(4x4, 5x5) for 5x5 ones.
 *
 * The output is cut into 4x4 tiles; tile t reads the ta x ta input window
 * (ta = 4 + r - 1: 6 for 3x3, 8 for 5x5) that starts `pad` pixels up and
 * left of it. F(4x4, 3x3) interpolates at six points (0, 1, -1, 2, -2 and
 * infinity), F(4x4, 5x5) at eight (with 1/2 and -1/2): each has its input
 * transform B^T (ta x ta), filter transform G (ta x r) and output
 * transform A^T (4 x ta), in winograd_stages.h as one-dimensional stages.
 *
 * One tile of one output channel n is
 *
 *   Y = A^T [ sum_c (G w[c][n] G^T) (.) (B^T d[c] B) ] A      ((.) elementwise)
 *
 * and the xi = ta^2 elementwise positions (36 or 64) are as many
 * independent matrix products over channels, batched over every tile of a
 * chunk of images:
 *
 *   V[T][xi][C] = input transform     U[xi][C][N] = filter transform
 *   M[T][xi][N] = V[.][xi] U[xi]      ta^2 GEMMs, M = T, N = out_c, K = C
 *   y           = output transform of M (+ bias)
 *
 * That is ta^2 multiply-adds per tile and channel pair where im2col does
 * 16 r^2: 4x fewer for F(4x4, 3x3) (36 against 144), 6.25x for F(4x4, 5x5)
 * (64 against 400). F(2x2, 3x3), 16 per 4 outputs, saves 2.25x; side by
 * side, both laid out by position, F(4x4) trained resnet:8 and cnn-bn
 * 8-10 % faster, its 6x6 windows also reading each input pixel 2.25 times
 * where 4x4 windows read it 4 times. For 5x5 kernels F(4x4, 5x5) replaced
 * F(2x2, 5x5) (36 per 2x2 tile, 2.8x fewer than im2col, its 6x6 windows
 * reading each pixel 9 times where 8x8 ones read it 4 times): its layer
 * in LeNet took half the time, and LeNet trained 1.14-1.46x faster at one
 * thread (both builds at once, one per core, six rounds) and 1.23-1.34x
 * at two. Every stage is linear, so backward is the exact adjoint of each
 * stage in reverse:
 *
 *   dM = A dY A^T                      per tile (zero outside the image)
 *   dU[xi] = V[xi]^T dM[xi]            ta^2 GEMMs, K = T (summed over chunks, slots)
 *   dV[xi] = dM[xi] U[xi]^T            ta^2 GEMMs, K = N
 *   dx += B dV B^T                     scattered back; windows overlap
 *   dw += G^T dU G
 *
 * Numerical error: the constants (4, 5, 8, 1/6, 1/24; 21/4, 17/4, 2/9,
 * 1/90 in the eight-point stages) round more than F(2x2, 3x3)'s adds and
 * halves. Against im2col, F(4x4, 3x3)'s outputs and gradients on 64
 * channels differ by 1.7-3.5e-5 of their RMS (F(2x2, 3x3): 1.6-3.3e-6),
 * F(4x4, 5x5)'s on LeNet's second convolution by 2.8-3.3e-5 (F(2x2, 5x5):
 * 1.3-4.0e-5), far below the noise of SGD; tests/test_conv.c checks both
 * variants against finite differences and against im2col (within 1e-3).
 *
 * Layout: channel-last as everywhere (layers.h), so every transform is a
 * loop over contiguous channels that the compiler vectorises. V and M keep a
 * tile's positions together ([T][xi][C]): each transform reads or writes
 * one contiguous block per tile, and each GEMM reads its position's rows
 * with a stride (lda = xi C), which OpenBLAS's packing absorbs. The
 * position-major layout ([xi][T][C]) spread every tile's writes over 36
 * streams and was 7 % slower on resnet:8. V and M live in the network's
 * shared col buffer, a chunk of images at a time; U, a dU per slot, a row
 * of zeros and per slot a row of discarded writes live in the layer's
 * scratch. V is recomputed in backward rather than kept, as im2col is; U
 * is kept from forward, which transforms the filters once a pass.
 * Threads share the work by slots of the batch (layer_conv.c). */
#include "engine/conv_winograd.h"
#include "engine/gemm.h"
#include "engine/par.h"
#include "engine/winograd_stages.h"

#include <string.h>

#define TM 4                  /* the output tile's side, both variants */
#define R_MAX 5               /* the largest kernel */
#define TA_MAX (TM + R_MAX - 1) /* the largest input window's side */
#define XI_MAX (TA_MAX * TA_MAX)

/* Each transform of tiles takes 8 or 16 channels a step: 16 where the
 * channels come in sixteens (resnet's 16, 32 and 64), 8 where that leaves
 * fewer padding lanes (LeNet's 20 and 50). Side by side at one thread (five
 * rounds), 16 made resnet:8, cnn-bn and resnet:20 about 4 % faster; for
 * LeNet it was 10 % slower, spending its steps on padding. The filter
 * transforms are small and keep 8. A tile loop is inlined into each caller
 * with its lane count fixed, so its loops over the lanes are vectorised to
 * that width. */
#define FILTER_LANES 8
#define ALWAYS_INLINE inline __attribute__((always_inline))

static int lanes_for(int channels)
{
    return channels % 16 == 0 || channels % 16 > 8 ? 16 : 8;
}

bool wino_applies(const layer *l)
{
    return (l->k == 3 || l->k == 5) && l->stride == 1;
}

/* The side of a tile's input window and of its transform: TM + r - 1, 6
 * for F(4x4, 3x3) and 8 for F(4x4, 5x5); and the transform's positions. */
static int window_side(const layer *l) { return TM + l->k - 1; }
static int positions(const layer *l) { return window_side(l) * window_side(l); }

bool wino_pays(const layer *l)
{
    return l->in.c >= 8;
}

static int tiles_h(const layer *l) { return (l->out.h + TM - 1) / TM; }
static int tiles_w(const layer *l) { return (l->out.w + TM - 1) / TM; }
static size_t tiles_per_image(const layer *l) { return (size_t)tiles_h(l) * tiles_w(l); }

static size_t widest_row(const layer *l)
{
    return (size_t)(l->in.c > l->out_c ? l->in.c : l->out_c);
}

size_t wino_col_floats_per_image(const layer *l)
{
    return (size_t)positions(l) * tiles_per_image(l) * (size_t)(l->in.c + l->out_c);
}

/* Floats of U, [xi][C][N], and of each slot's dU. */
static size_t u_floats(const layer *l)
{
    return (size_t)positions(l) * l->in.c * l->out_c;
}

size_t wino_scratch_floats(const layer *l)
{
    size_t un = u_floats(l);
    return (1 + (size_t)l->slots) * un + (1 + (size_t)l->slots) * widest_row(l);
}

void wino_bind(layer *l, float *scratch)
{
    size_t un = u_floats(l);
    l->wino_u = scratch;
    l->wino_du = scratch + un;
    l->wino_zero = scratch + (1 + (size_t)l->slots) * un;
    l->wino_sink = l->wino_zero + widest_row(l);
}

static float *slot_du(const layer *l, int s)
{
    return l->wino_du + (size_t)s * u_floats(l);
}

/* The row that slot `slot` writes what falls outside an image into. */
static float *sink_of(const layer *l, int slot)
{
    return l->wino_sink + (size_t)slot * widest_row(l);
}

/* U[xi][C][N] = G w G^T for the filter entries (c, n) in [i_lo, i_hi) of
 * C*N; w is [r][r][C][N]. */
static void filter_transform(const layer *l, size_t i_lo, size_t i_hi)
{
    enum { lanes = FILTER_LANES };
    size_t cn = (size_t)l->in.c * l->out_c;
    int r = l->k, ta = window_side(l);
    float *w_rows[R_MAX * R_MAX];
    for (int k = 0; k < r * r; k++)
        w_rows[k] = l->w + k * cn;
    for (size_t i0 = i_lo; i0 < i_hi && i0 < cn; i0 += lanes) {
        int w = cn - i0 < lanes ? (int)(cn - i0) : lanes;
        float g[R_MAX * R_MAX][LANES_MAX], t[TA_MAX * R_MAX][LANES_MAX], u[XI_MAX][LANES_MAX];
        gather(g, w_rows, r * r, (int)i0, w, lanes);
        for (int x = 0; x < r; x++) /* G g: down each column kx */
            g_t(ta, t + x, r, g + x, r, lanes);
        for (int y = 0; y < ta; y++) /* (G g) G^T: along each row */
            g_t(ta, u + y * ta, 1, t + y * r, 1, lanes);
        for (int k = 0; k < ta * ta; k++)
            put(l->wino_u + k * cn + i0, u[k], w, lanes);
    }
}

/* dw [r][r][C][N] += G^T dU G for the entries in [i_lo, i_hi), dU being the
 * sum of the slots' (in slot order): the filter transform's adjoint. */
static void filter_adjoint(layer *l, size_t i_lo, size_t i_hi)
{
    enum { lanes = FILTER_LANES };
    size_t cn = (size_t)l->in.c * l->out_c;
    int r = l->k, ta = window_side(l), xi = ta * ta;
    for (size_t i0 = i_lo; i0 < i_hi && i0 < cn; i0 += lanes) {
        int w = cn - i0 < lanes ? (int)(cn - i0) : lanes;
        float u[XI_MAX][LANES_MAX], t[TA_MAX * R_MAX][LANES_MAX], g[R_MAX * R_MAX][LANES_MAX];
        for (int s = 0; s < l->slots; s++) {
            float *du_rows[XI_MAX], part[XI_MAX][LANES_MAX];
            for (int k = 0; k < xi; k++)
                du_rows[k] = slot_du(l, s) + k * cn;
            gather(s ? part : u, du_rows, xi, (int)i0, w, lanes);
            for (int k = 0; s && k < xi; k++)
                for (int c = 0; c < lanes; c++)
                    u[k][c] += part[k][c];
        }
        for (int y = 0; y < ta; y++) /* along each row */
            gt_t(ta, t + y * r, 1, u + y * ta, 1, lanes);
        for (int x = 0; x < r; x++) /* down each column */
            gt_t(ta, g + x, r, t + x, r, lanes);
        for (int k = 0; k < r * r; k++)
            for (int c = 0; c < w; c++)
                l->dw[k * cn + i0 + c] += g[k][c];
    }
}

/* The ta x ta rows of one tile's input window: pixel pointers into the
 * image, or `outside` where the window leaves it (the padding). */
static ALWAYS_INLINE void window_rows(const layer *l, float *img, int ty, int tx, int ta,
                                      float *outside, float *p[XI_MAX])
{
    int H = l->in.h, W = l->in.w;
    size_t C = (size_t)l->in.c;
    for (int i = 0; i < ta; i++)
        for (int j = 0; j < ta; j++) {
            int iy = TM * ty - l->pad + i, ix = TM * tx - l->pad + j;
            bool in = iy >= 0 && iy < H && ix >= 0 && ix < W;
            p[i * ta + j] = in ? img + ((size_t)iy * W + ix) * C : outside;
        }
}

/* The TM x TM output pixels of tile (ty, tx), or `outside` past the
 * image's edge (a size that is not a multiple of TM). */
static void tile_rows(const layer *l, float *img, int ty, int tx, float *outside,
                      float *q[TM * TM])
{
    int H = l->out.h, W = l->out.w, N = l->out_c;
    for (int i = 0; i < TM; i++)
        for (int j = 0; j < TM; j++) {
            int oy = TM * ty + i, ox = TM * tx + j;
            q[i * TM + j] = oy < H && ox < W ? img + ((size_t)oy * W + ox) * N : outside;
        }
}

/* Asks for the pixels [y0, y0 + h) x [x0, x0 + w) of an image H x W x ch
 * (clipped to it) to be brought into the cache, for reading or (write) for
 * writing. Each transform asks for the tile PREFETCH_AHEAD places ahead of
 * the one it works on: a tile spans six (or four) image rows, a pattern the
 * hardware's prefetcher picks up late. Timed alone, with the activations
 * coming from memory as in a network, this made the 16- and 32-channel
 * Winograd layers of resnet:8 2-5 % faster (forward and backward) and
 * changed no result. */
#define PREFETCH_AHEAD 2

static void prefetch_rect(const float *img, int H, int W, int ch, int y0, int x0, int h, int w,
                          bool write)
{
    int xa = x0 < 0 ? 0 : x0, xb = x0 + w > W ? W : x0 + w;
    if (xa >= xb)
        return;
    size_t bytes = (size_t)(xb - xa) * ch * sizeof *img;
    for (int y = y0 < 0 ? 0 : y0; y < y0 + h && y < H; y++) {
        const char *row = (const char *)(img + ((size_t)y * W + xa) * ch);
        for (size_t o = 0; o < bytes; o += 64) /* a cache line */
            if (write)
                __builtin_prefetch(row + o, 1);
            else
                __builtin_prefetch(row + o, 0);
    }
}

/* The input window of tile (ty, tx). */
static void prefetch_window(const layer *l, const float *img, int ty, int tx, bool write)
{
    int ta = window_side(l);
    prefetch_rect(img, l->in.h, l->in.w, l->in.c, TM * ty - l->pad, TM * tx - l->pad, ta, ta,
                  write);
}

/* The output pixels of tile (ty, tx). */
static void prefetch_tile(const layer *l, const float *img, int ty, int tx, bool write)
{
    prefetch_rect(img, l->out.h, l->out.w, l->out_c, TM * ty, TM * tx, TM, TM, write);
}

/* V[T][xi][C] = B^T d B for every tile of images x [nb][H][W][C]. */
static ALWAYS_INLINE void input_tiles(const layer *l, const float *x, float *V, int nb, int ta,
                                      int lanes)
{
    int C = l->in.c, th = tiles_h(l), tw = tiles_w(l), xi = ta * ta;
    size_t t = 0;
    for (size_t u = 0; u < (size_t)nb * th; u++) { /* image u / th, tile row u % th */
        int b = (int)(u / th), ty = (int)(u % th);
        float *img = (float *)x + (size_t)b * shape_size(l->in);
        for (int tx = 0; tx < tw; tx++, t++) {
            float *p[XI_MAX];
            window_rows(l, img, ty, tx, ta, l->wino_zero, p);
            prefetch_window(l, img, ty, tx + PREFETCH_AHEAD, false);
            for (int c0 = 0; c0 < C; c0 += lanes) {
                int w = C - c0 < lanes ? C - c0 : lanes;
                float d[XI_MAX][LANES_MAX], r[XI_MAX][LANES_MAX], v[XI_MAX][LANES_MAX];
                gather(d, p, xi, c0, w, lanes);
                for (int j = 0; j < ta; j++) /* B^T d: down each column */
                    bt_t(ta, r + j, ta, d + j, ta, lanes);
                for (int i = 0; i < ta; i++) /* (B^T d) B: along each row */
                    bt_t(ta, v + i * ta, 1, r + i * ta, 1, lanes);
                for (int k = 0; k < xi; k++)
                    put(V + (t * xi + k) * C + c0, v[k], w, lanes);
            }
        }
    }
}

/* Calls a tile loop `fn` with its window side and lane count fixed (6 or
 * 8, and 16 or 8 for `channels`), so that each of the four is compiled
 * with constant loop bounds. */
#define BY_SHAPE(l, channels, fn, ...)                                                         \
    do {                                                                                       \
        bool wide_ = lanes_for(channels) == 16;                                                \
        if (window_side(l) == 6)                                                               \
            wide_ ? fn(__VA_ARGS__, 6, 16) : fn(__VA_ARGS__, 6, 8);                            \
        else                                                                                   \
            wide_ ? fn(__VA_ARGS__, 8, 16) : fn(__VA_ARGS__, 8, 8);                            \
    } while (0)

static void input_transform(const layer *l, const float *x, float *V, int nb)
{
    BY_SHAPE(l, l->in.c, input_tiles, l, x, V, nb);
}

/* dx [nb][H][W][C] += B dV B^T of every tile: the input transform's adjoint. */
static ALWAYS_INLINE void input_adjoint_tiles(const layer *l, const float *dV, float *dx,
                                              int slot, int nb, int ta, int lanes)
{
    int C = l->in.c, th = tiles_h(l), tw = tiles_w(l), xi = ta * ta;
    size_t t = 0;
    for (size_t u = 0; u < (size_t)nb * th; u++) { /* image u / th, tile row u % th */
        int b = (int)(u / th), ty = (int)(u % th);
        float *img = dx + (size_t)b * shape_size(l->in);
        for (int tx = 0; tx < tw; tx++, t++) {
            float *p[XI_MAX], *v_rows[XI_MAX];
            window_rows(l, img, ty, tx, ta, sink_of(l, slot), p);
            prefetch_window(l, img, ty, tx + PREFETCH_AHEAD, true);
            for (int k = 0; k < xi; k++)
                v_rows[k] = (float *)dV + (t * xi + k) * C;
            for (int c0 = 0; c0 < C; c0 += lanes) {
                int w = C - c0 < lanes ? C - c0 : lanes;
                float v[XI_MAX][LANES_MAX], r[XI_MAX][LANES_MAX], d[XI_MAX][LANES_MAX];
                gather(v, v_rows, xi, c0, w, lanes);
                for (int i = 0; i < ta; i++) /* along each row */
                    b_t(ta, r + i * ta, 1, v + i * ta, 1, lanes);
                for (int j = 0; j < ta; j++) /* down each column */
                    b_t(ta, d + j, ta, r + j, ta, lanes);
                /* one window row at a time: outside rows all share the sink */
                for (int k = 0; k < xi; k++)
                    for (int c = 0; c < w; c++)
                        p[k][c0 + c] += d[k][c];
            }
        }
    }
}

static void input_adjoint(const layer *l, const float *dV, float *dx, int slot, int nb)
{
    BY_SHAPE(l, l->in.c, input_adjoint_tiles, l, dV, dx, slot, nb);
}

/* y [nb][Ho][Wo][N] = A^T M A (+ bias) of every tile. */
static ALWAYS_INLINE void output_tiles(const layer *l, const float *M, float *y, int slot,
                                       int nb, int ta, int lanes)
{
    int N = l->out_c, th = tiles_h(l), tw = tiles_w(l), xi = ta * ta;
    size_t t = 0;
    float *bias = l->bias ? l->b : l->wino_zero;
    for (size_t u = 0; u < (size_t)nb * th; u++) { /* image u / th, tile row u % th */
        int b = (int)(u / th), ty = (int)(u % th);
        float *img = y + (size_t)b * shape_size(l->out);
        for (int tx = 0; tx < tw; tx++, t++) {
            float *q[TM * TM], *m_rows[XI_MAX];
            tile_rows(l, img, ty, tx, sink_of(l, slot), q);
            prefetch_tile(l, img, ty, tx + PREFETCH_AHEAD, true);
            for (int k = 0; k < xi; k++)
                m_rows[k] = (float *)M + (t * xi + k) * N;
            for (int n0 = 0; n0 < N; n0 += lanes) {
                int w = N - n0 < lanes ? N - n0 : lanes;
                float mt[XI_MAX][LANES_MAX], s[TM * TA_MAX][LANES_MAX];
                float o[TM * TM][LANES_MAX], bl[1][LANES_MAX];
                gather(mt, m_rows, xi, n0, w, lanes);
                gather(bl, &bias, 1, n0, w, lanes);
                for (int j = 0; j < ta; j++) /* A^T m: down each column */
                    at_t(ta, s + j, ta, mt + j, ta, lanes);
                for (int i = 0; i < TM; i++) /* (A^T m) A: along each row */
                    at_t(ta, o + i * TM, 1, s + i * ta, 1, lanes);
                for (int k = 0; k < TM * TM; k++) {
                    for (int c = 0; c < lanes; c++)
                        o[k][c] += bl[0][c];
                    put(q[k] + n0, o[k], w, lanes);
                }
            }
        }
    }
}

static void output_transform(const layer *l, const float *M, float *y, int slot, int nb)
{
    BY_SHAPE(l, l->out_c, output_tiles, l, M, y, slot, nb);
}

/* dM[T][xi][N] = A dY A^T of every tile: the output transform's adjoint. */
static ALWAYS_INLINE void output_adjoint_tiles(const layer *l, const float *dy, float *dM,
                                               int nb, int ta, int lanes)
{
    int N = l->out_c, th = tiles_h(l), tw = tiles_w(l), xi = ta * ta;
    size_t t = 0;
    for (size_t u = 0; u < (size_t)nb * th; u++) { /* image u / th, tile row u % th */
        int b = (int)(u / th), ty = (int)(u % th);
        float *img = (float *)dy + (size_t)b * shape_size(l->out);
        for (int tx = 0; tx < tw; tx++, t++) {
            float *q[TM * TM];
            tile_rows(l, img, ty, tx, l->wino_zero, q);
            prefetch_tile(l, img, ty, tx + PREFETCH_AHEAD, false);
            for (int n0 = 0; n0 < N; n0 += lanes) {
                int w = N - n0 < lanes ? N - n0 : lanes;
                float y[TM * TM][LANES_MAX], s[TM * TA_MAX][LANES_MAX];
                float mt[XI_MAX][LANES_MAX];
                gather(y, q, TM * TM, n0, w, lanes);
                for (int i = 0; i < TM; i++) /* along each row */
                    a_t(ta, s + i * ta, 1, y + i * TM, 1, lanes);
                for (int j = 0; j < ta; j++) /* down each column */
                    a_t(ta, mt + j, ta, s + j, ta, lanes);
                for (int k = 0; k < xi; k++)
                    put(dM + (t * xi + k) * N + n0, mt[k], w, lanes);
            }
        }
    }
}

static void output_adjoint(const layer *l, const float *dy, float *dM, int nb)
{
    BY_SHAPE(l, l->out_c, output_adjoint_tiles, l, dy, dM, nb);
}

/* The ta^2 products of one chunk of T tiles: M = V U forward; backward
 * dU (+)= V^T dM, then dV = dM U^T over V when din is wanted (V is no
 * longer needed once the dU products are done).
 *
 * M and dV are zeroed by one memset each and the products add to them
 * (beta 1): given beta 0, OpenBLAS zeroes C itself one row at a time, a
 * memset call per row of N floats, the rows 36 N apart; a profile of
 * resnet:8 put 3.6 % of its step there. Alone, the 36 forward products of
 * a 16-channel chunk ran 20 % faster after one memset of M. In training,
 * the 16-channel layers ran 7-9 % faster forward and 2 % faster backward
 * (side by side), the wider ones as fast as before. The sums are the same
 * to the bit: 0 + x is x. */
static void products(const layer *l, float *V, float *M, int T, float *du, bool backward,
                     bool accumulate, bool din)
{
    int C = l->in.c, N = l->out_c, xi_n = positions(l), ldv = xi_n * C, ldm = xi_n * N;
    size_t cn = (size_t)C * N;
    const float *U = l->wino_u;
    if (!backward) {
        memset(M, 0, (size_t)T * ldm * sizeof *M);
        for (size_t xi = 0; xi < (size_t)xi_n; xi++)
            gemm_here(false, false, T, N, C, 1.0f, V + xi * C, ldv, U + xi * cn, N, 1.0f,
                      M + xi * N, ldm);
        return;
    }
    for (size_t xi = 0; xi < (size_t)xi_n; xi++)
        gemm_here(true, false, C, N, T, 1.0f, V + xi * C, ldv, M + xi * N, ldm,
                  accumulate ? 1.0f : 0.0f, du + xi * cn, N);
    if (!din)
        return;
    memset(V, 0, (size_t)T * ldv * sizeof *V);
    for (size_t xi = 0; xi < (size_t)xi_n; xi++)
        gemm_here(false, true, T, C, N, 1.0f, M + xi * N, ldm, U + xi * cn, N, 1.0f,
                  V + xi * C, ldv);
}

void wino_forward_slot(const layer *l, const layer_io *io, int s)
{
    size_t in_img = shape_size(l->in), out_img = shape_size(l->out), lo, hi;
    conv_slot_images(l, io->B, s, &lo, &hi);
    float *V = conv_slot_col(l, s);
    for (size_t b0 = lo; b0 < hi; b0 += (size_t)l->col_images) {
        int nb = hi - b0 < (size_t)l->col_images ? (int)(hi - b0) : l->col_images;
        int T = nb * (int)tiles_per_image(l);
        float *M = V + (size_t)positions(l) * T * l->in.c;
        input_transform(l, io->in[0] + b0 * in_img, V, nb);
        products(l, V, M, T, NULL, false, false, false);
        output_transform(l, M, io->out + b0 * out_img, s, nb);
    }
}

void wino_backward_slot(const layer *l, const layer_io *io, int s)
{
    size_t in_img = shape_size(l->in), out_img = shape_size(l->out), lo, hi;
    conv_slot_images(l, io->B, s, &lo, &hi);
    float *V = conv_slot_col(l, s), *du = slot_du(l, s);
    if (lo == hi)
        memset(du, 0, u_floats(l) * sizeof *du);
    for (size_t b0 = lo; b0 < hi; b0 += (size_t)l->col_images) {
        int nb = hi - b0 < (size_t)l->col_images ? (int)(hi - b0) : l->col_images;
        int T = nb * (int)tiles_per_image(l);
        float *dM = V + (size_t)positions(l) * T * l->in.c, *dx = io->din[0];
        input_transform(l, io->in[0] + b0 * in_img, V, nb);
        output_adjoint(l, io->dout + b0 * out_img, dM, nb);
        products(l, V, dM, T, du, true, b0 > lo, dx != NULL);
        if (!dx)
            continue;
        dx += b0 * in_img;
        if (!io->din_acc[0])
            memset(dx, 0, (size_t)nb * in_img * sizeof *dx);
        input_adjoint(l, V, dx, s, nb);
    }
}

/* At least this many blocks of FILTER_LANES filter entries per thread: a small
 * layer's filter transform stays on one thread. */
#define FILTER_GRAIN 64

typedef struct filter_ctx {
    layer *l;
    bool   adjoint;
} filter_ctx;

static void filter_slice(void *p, int slot, size_t lo, size_t hi)
{
    (void)slot;
    const filter_ctx *c = p;
    if (c->adjoint)
        filter_adjoint(c->l, lo * FILTER_LANES, hi * FILTER_LANES);
    else
        filter_transform(c->l, lo * FILTER_LANES, hi * FILTER_LANES);
}

static void filters(layer *l, bool adjoint)
{
    size_t cn = (size_t)l->in.c * l->out_c;
    filter_ctx c = { l, adjoint };
    par_for((cn + FILTER_LANES - 1) / FILTER_LANES, FILTER_GRAIN, filter_slice, &c);
}

void wino_transform_filters(layer *l) { filters(l, false); }

void wino_gather_filter_grads(layer *l) { filters(l, true); }

void wino_gemm_shape(const layer *l, int *rows_per_image, int *k, int *times)
{
    *rows_per_image = (int)tiles_per_image(l);
    *k = l->in.c;
    *times = positions(l);
}
