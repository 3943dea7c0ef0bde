/* winograd_stages.h — the matrices of conv_winograd.c's two Winograd
 * variants, F(4x4, 3x3) and F(4x4, 5x5), as one-dimensional stages that
 * work on several channels at once.
 *
 * F(4x4, 3x3) interpolates at six points (0, 1, -1, 2, -2, infinity):
 *
 *   B^T = | 4  0 -5  0  1  0 |   G3 = | 1/4    0     0   |   A4^T = | 1 1  1 1  1 0 |
 *         | 0 -4 -4  1  1  0 |        | -1/6 -1/6  -1/6 |          | 0 1 -1 2 -2 0 |
 *         | 0  4 -4 -1  1  0 |        | -1/6  1/6  -1/6 |          | 0 1  1 4  4 0 |
 *         | 0 -2 -1  2  1  0 |        | 1/24  1/12  1/6 |          | 0 1 -1 8 -8 1 |
 *         | 0  2 -1 -2  1  0 |        | 1/24 -1/12  1/6 |
 *         | 0  4  0 -5  0  1 |        | 0      0     1   |
 *
 * F(4x4, 5x5) at eight (0, 1, -1, 1/2, -1/2, 2, -2, infinity), the rows in
 * that order:
 *
 *   B8^T = | 1  0    -21/4  0     21/4  0     -1  0 |   A8^T = | 1 1  1  1    1    1  1 0 |
 *          | 0  1     1    -17/4 -17/4  1      1  0 |          | 0 1 -1 1/2 -1/2   2 -2 0 |
 *          | 0 -1     1     17/4 -17/4 -1      1  0 |          | 0 1  1 1/4  1/4   4  4 0 |
 *          | 0  2     4    -5/2  -5     1/2    1  0 |          | 0 1 -1 1/8 -1/8   8 -8 1 |
 *          | 0 -2     4     5/2  -5    -1/2    1  0 |
 *          | 0  1/2   1/4  -5/2  -5/4   2      1  0 |   G8 row i = f_i (1, p, p^2, p^3, p^4)
 *          | 0 -1/2   1/4   5/2  -5/4  -2      1  0 |   at point p, f = 1, -2/9, -2/9,
 *          | 0 -1     0     21/4  0    -21/4   0  1 |   32/45, 32/45, 1/90, 1/90;
 *                                                       the last row (0 0 0 0 1).
 *
 * (B8^T is the transposed inverse of the points' Vandermonde matrix, each
 * row scaled to a 1 and G8's rows by the inverse factor.) A 2-D transform
 * is a column pass and a row pass of these stages (e.g. B^T d B); each
 * backward stage is the exact adjoint of its forward one. Only
 * conv_winograd.c includes this header. */
#ifndef LRSCOPE_WINOGRAD_STAGES_H
#define LRSCOPE_WINOGRAD_STAGES_H

#include <string.h>

/* The transforms work on `lanes` channels at a time (8 or 16, a constant
 * wherever a stage is inlined), through local arrays of LANES_MAX floats a
 * row: the compiler vectorises fixed-length loops over them, which it will
 * not do across 36 pointers that might alias the output. */
#define LANES_MAX 16

/* 8 floats moved as one, at any float's alignment (a GNU C vector). */
typedef float lane8 __attribute__((vector_size(32), aligned(4), may_alias));

/* dst[k][0..w) = rows[k][c0..c0+w), the rest of each lane row zero.
 * A full row is copied 8 floats a move (lane8): inlined, memcpy moves 16
 * bytes at a time, and a stage's 32-byte load of a row stored so cannot
 * take its data from the store buffer but waits for the stores to retire;
 * a plain loop the compiler vectorised across the rows instead. Side by
 * side (seven rounds) this made resnet:8's Winograd layers about 3 %
 * faster. */
static inline void gather(float dst[][LANES_MAX], float *const *rows, int k_rows, int c0, int w,
                          int lanes)
{
    for (int k = 0; k < k_rows; k++) {
        if (w == lanes) {
            const float *src = rows[k] + c0;
            for (int c = 0; c < lanes; c += 8)
                *(lane8 *)&dst[k][c] = *(const lane8 *)&src[c];
            continue;
        }
        for (int c = 0; c < w; c++)
            dst[k][c] = rows[k][c0 + c];
        for (int c = w; c < lanes; c++)
            dst[k][c] = 0.0f;
    }
}

/* dst[0..w) = src[0..w), w <= lanes. */
static inline void put(float *dst, const float *src, int w, int lanes)
{
    if (w == lanes)
        memcpy(dst, src, (size_t)lanes * sizeof *dst);
    else
        memcpy(dst, src, (size_t)w * sizeof *dst);
}

/* The one-dimensional stages, each on `lanes` channels at once: `in` and
 * `out` step through their rows by `is` and `os`, so one function serves
 * both the row and the column pass of a 6x6 (or 6x4) tile. */

/* out = B^T in: 6 -> 6, the input transform. */
static inline void bt_1d(float (*out)[LANES_MAX], int os, float (*in)[LANES_MAX], int is,
                         int lanes)
{
    for (int c = 0; c < lanes; c++) {
        float d0 = in[0][c], d1 = in[is][c], d2 = in[2 * is][c], d3 = in[3 * is][c],
              d4 = in[4 * is][c], d5 = in[5 * is][c];
        float s = d4 - d2, t = d1 - d3;
        out[0][c] = 4.0f * d0 - 5.0f * d2 + d4;
        out[os][c] = (d3 + d4) - 4.0f * (d1 + d2);
        out[2 * os][c] = (d4 - d3) + 4.0f * (d1 - d2);
        out[3 * os][c] = s - 2.0f * t;
        out[4 * os][c] = s + 2.0f * t;
        out[5 * os][c] = 4.0f * d1 - 5.0f * d3 + d5;
    }
}

/* out = B in: 6 -> 6, the input transform's adjoint. */
static inline void b_1d(float (*out)[LANES_MAX], int os, float (*in)[LANES_MAX], int is,
                         int lanes)
{
    for (int c = 0; c < lanes; c++) {
        float r0 = in[0][c], r1 = in[is][c], r2 = in[2 * is][c], r3 = in[3 * is][c],
              r4 = in[4 * is][c], r5 = in[5 * is][c];
        out[0][c] = 4.0f * r0;
        out[os][c] = 4.0f * (r2 - r1 + r5) + 2.0f * (r4 - r3);
        out[2 * os][c] = -5.0f * r0 - 4.0f * (r1 + r2) - (r3 + r4);
        out[3 * os][c] = (r1 - r2) + 2.0f * (r3 - r4) - 5.0f * r5;
        out[4 * os][c] = r0 + r1 + r2 + r3 + r4;
        out[5 * os][c] = r5;
    }
}

/* out = A4^T in: 6 -> 4, F(4x4, 3x3)'s output transform. */
static inline void at_1d(float (*out)[LANES_MAX], int os, float (*in)[LANES_MAX], int is,
                         int lanes)
{
    for (int c = 0; c < lanes; c++) {
        float m0 = in[0][c], m1 = in[is][c], m2 = in[2 * is][c], m3 = in[3 * is][c],
              m4 = in[4 * is][c], m5 = in[5 * is][c];
        float a = m1 + m2, b = m1 - m2, p = m3 + m4, q = m3 - m4;
        out[0][c] = m0 + a + p;
        out[os][c] = b + 2.0f * q;
        out[2 * os][c] = a + 4.0f * p;
        out[3 * os][c] = b + 8.0f * q + m5;
    }
}

/* out = A4 in: 4 -> 6, its adjoint. */
static inline void a_1d(float (*out)[LANES_MAX], int os, float (*in)[LANES_MAX], int is,
                         int lanes)
{
    for (int c = 0; c < lanes; c++) {
        float y0 = in[0][c], y1 = in[is][c], y2 = in[2 * is][c], y3 = in[3 * is][c];
        float e = y0 + y2, f = y1 + y3, g = y0 + 4.0f * y2, h = 2.0f * y1 + 8.0f * y3;
        out[0][c] = y0;
        out[os][c] = e + f;
        out[2 * os][c] = e - f;
        out[3 * os][c] = g + h;
        out[4 * os][c] = g - h;
        out[5 * os][c] = y3;
    }
}

/* out = G3 in: 3 -> 6, F(4x4, 3x3)'s filter transform. */
static inline void g_1d(float (*out)[LANES_MAX], int os, float (*in)[LANES_MAX], int is,
                         int lanes)
{
    for (int c = 0; c < lanes; c++) {
        float g0 = in[0][c], g1 = in[is][c], g2 = in[2 * is][c];
        out[0][c] = g0 / 4.0f;
        out[os][c] = -(g0 + g1 + g2) / 6.0f;
        out[2 * os][c] = -(g0 - g1 + g2) / 6.0f;
        out[3 * os][c] = g0 / 24.0f + g1 / 12.0f + g2 / 6.0f;
        out[4 * os][c] = g0 / 24.0f - g1 / 12.0f + g2 / 6.0f;
        out[5 * os][c] = g2;
    }
}

/* out = G3^T in: 6 -> 3, its adjoint. */
static inline void gt_1d(float (*out)[LANES_MAX], int os, float (*in)[LANES_MAX], int is,
                         int lanes)
{
    for (int c = 0; c < lanes; c++) {
        float u0 = in[0][c], u1 = in[is][c], u2 = in[2 * is][c], u3 = in[3 * is][c],
              u4 = in[4 * is][c], u5 = in[5 * is][c];
        out[0][c] = u0 / 4.0f - (u1 + u2) / 6.0f + (u3 + u4) / 24.0f;
        out[os][c] = (u2 - u1) / 6.0f + (u3 - u4) / 12.0f;
        out[2 * os][c] = -(u1 + u2) / 6.0f + (u3 + u4) / 6.0f + u5;
    }
}

/* F(4x4, 5x5)'s eight-point stages (points 0, 1, -1, 1/2, -1/2, 2, -2
 * and infinity, in the order of the rows). */

/* out = B8^T in: 8 -> 8, the input transform. */
static inline void bt8_1d(float (*out)[LANES_MAX], int os, float (*in)[LANES_MAX], int is,
                          int lanes)
{
    for (int c = 0; c < lanes; c++) {
        float d0 = in[0][c], d1 = in[is][c], d2 = in[2 * is][c], d3 = in[3 * is][c],
              d4 = in[4 * is][c], d5 = in[5 * is][c], d6 = in[6 * is][c], d7 = in[7 * is][c];
        float a1 = d2 + d6 - 4.25f * d4, b1 = d1 + d5 - 4.25f * d3;
        float a2 = 4.0f * d2 - 5.0f * d4 + d6, b2 = 2.0f * d1 - 2.5f * d3 + 0.5f * d5;
        float a3 = 0.25f * d2 - 1.25f * d4 + d6, b3 = 0.5f * d1 - 2.5f * d3 + 2.0f * d5;
        out[0][c] = (d0 - d6) + 5.25f * (d4 - d2);
        out[os][c] = a1 + b1;
        out[2 * os][c] = a1 - b1;
        out[3 * os][c] = a2 + b2;
        out[4 * os][c] = a2 - b2;
        out[5 * os][c] = a3 + b3;
        out[6 * os][c] = a3 - b3;
        out[7 * os][c] = (d7 - d1) + 5.25f * (d3 - d5);
    }
}

/* out = B8 in: 8 -> 8, its adjoint. */
static inline void b8_1d(float (*out)[LANES_MAX], int os, float (*in)[LANES_MAX], int is,
                         int lanes)
{
    for (int c = 0; c < lanes; c++) {
        float r0 = in[0][c], r7 = in[7 * is][c];
        float p1 = in[is][c] + in[2 * is][c], m1 = in[is][c] - in[2 * is][c];
        float p2 = in[3 * is][c] + in[4 * is][c], m2 = in[3 * is][c] - in[4 * is][c];
        float p3 = in[5 * is][c] + in[6 * is][c], m3 = in[5 * is][c] - in[6 * is][c];
        out[0][c] = r0;
        out[os][c] = m1 + 2.0f * m2 + 0.5f * m3 - r7;
        out[2 * os][c] = -5.25f * r0 + p1 + 4.0f * p2 + 0.25f * p3;
        out[3 * os][c] = -4.25f * m1 - 2.5f * (m2 + m3) + 5.25f * r7;
        out[4 * os][c] = 5.25f * r0 - 4.25f * p1 - 5.0f * p2 - 1.25f * p3;
        out[5 * os][c] = m1 + 0.5f * m2 + 2.0f * m3 - 5.25f * r7;
        out[6 * os][c] = -r0 + p1 + p2 + p3;
        out[7 * os][c] = r7;
    }
}

/* out = A8^T in: 8 -> 4, the output transform. */
static inline void at8_1d(float (*out)[LANES_MAX], int os, float (*in)[LANES_MAX], int is,
                          int lanes)
{
    for (int c = 0; c < lanes; c++) {
        float p1 = in[is][c] + in[2 * is][c], m1 = in[is][c] - in[2 * is][c];
        float p2 = in[3 * is][c] + in[4 * is][c], m2 = in[3 * is][c] - in[4 * is][c];
        float p3 = in[5 * is][c] + in[6 * is][c], m3 = in[5 * is][c] - in[6 * is][c];
        out[0][c] = in[0][c] + p1 + p2 + p3;
        out[os][c] = m1 + 0.5f * m2 + 2.0f * m3;
        out[2 * os][c] = p1 + 0.25f * p2 + 4.0f * p3;
        out[3 * os][c] = m1 + 0.125f * m2 + 8.0f * m3 + in[7 * is][c];
    }
}

/* out = A8 in: 4 -> 8, its adjoint. */
static inline void a8_1d(float (*out)[LANES_MAX], int os, float (*in)[LANES_MAX], int is,
                         int lanes)
{
    for (int c = 0; c < lanes; c++) {
        float y0 = in[0][c], y1 = in[is][c], y2 = in[2 * is][c], y3 = in[3 * is][c];
        float e1 = y0 + y2, o1 = y1 + y3;
        float e2 = y0 + 4.0f * y2, o2 = 2.0f * y1 + 8.0f * y3;
        float e3 = y0 + 0.25f * y2, o3 = 0.5f * y1 + 0.125f * y3;
        out[0][c] = y0;
        out[os][c] = e1 + o1;
        out[2 * os][c] = e1 - o1;
        out[3 * os][c] = e3 + o3;
        out[4 * os][c] = e3 - o3;
        out[5 * os][c] = e2 + o2;
        out[6 * os][c] = e2 - o2;
        out[7 * os][c] = y3;
    }
}

/* out = G8 in: 5 -> 8, the filter transform. */
static inline void g8_1d(float (*out)[LANES_MAX], int os, float (*in)[LANES_MAX], int is,
                         int lanes)
{
    for (int c = 0; c < lanes; c++) {
        float g0 = in[0][c], g1 = in[is][c], g2 = in[2 * is][c], g3 = in[3 * is][c],
              g4 = in[4 * is][c];
        float e1 = g0 + g2 + g4, o1 = g1 + g3;
        float e2 = g0 + 4.0f * g2 + 16.0f * g4, o2 = 2.0f * g1 + 8.0f * g3;
        float e3 = 16.0f * g0 + 4.0f * g2 + g4, o3 = 8.0f * g1 + 2.0f * g3;
        out[0][c] = g0;
        out[os][c] = -2.0f * (e1 + o1) / 9.0f;
        out[2 * os][c] = -2.0f * (e1 - o1) / 9.0f;
        out[3 * os][c] = 2.0f * (e3 + o3) / 45.0f;
        out[4 * os][c] = 2.0f * (e3 - o3) / 45.0f;
        out[5 * os][c] = (e2 + o2) / 90.0f;
        out[6 * os][c] = (e2 - o2) / 90.0f;
        out[7 * os][c] = g4;
    }
}

/* out = G8^T in: 8 -> 5, its adjoint. */
static inline void gt8_1d(float (*out)[LANES_MAX], int os, float (*in)[LANES_MAX], int is,
                          int lanes)
{
    for (int c = 0; c < lanes; c++) {
        float p1 = -2.0f * (in[is][c] + in[2 * is][c]) / 9.0f;
        float m1 = -2.0f * (in[is][c] - in[2 * is][c]) / 9.0f;
        float p2 = 2.0f * (in[3 * is][c] + in[4 * is][c]) / 45.0f;
        float m2 = 2.0f * (in[3 * is][c] - in[4 * is][c]) / 45.0f;
        float p3 = (in[5 * is][c] + in[6 * is][c]) / 90.0f;
        float m3 = (in[5 * is][c] - in[6 * is][c]) / 90.0f;
        out[0][c] = in[0][c] + p1 + 16.0f * p2 + p3;
        out[os][c] = m1 + 8.0f * m2 + 2.0f * m3;
        out[2 * os][c] = p1 + 4.0f * p2 + 4.0f * p3;
        out[3 * os][c] = m1 + 2.0f * m2 + 8.0f * m3;
        out[4 * os][c] = p1 + p2 + 16.0f * p3 + in[7 * is][c];
    }
}

/* The stages of a variant, by the side of its transformed tile: TA 6 for
 * F(4x4, 3x3), 8 for F(4x4, 5x5) (a constant wherever they are inlined). */
#define STAGE(name, six, eight)                                                                 \
    static inline void name(int ta, float (*out)[LANES_MAX], int os, float (*in)[LANES_MAX],   \
                            int is, int lanes)                                                 \
    {                                                                                          \
        if (ta == 6)                                                                           \
            six(out, os, in, is, lanes);                                                       \
        else                                                                                   \
            eight(out, os, in, is, lanes);                                                     \
    }
STAGE(bt_t, bt_1d, bt8_1d) /* input transform, TA -> TA */
STAGE(b_t, b_1d, b8_1d)    /* its adjoint */
STAGE(at_t, at_1d, at8_1d) /* output transform, TA -> 4 */
STAGE(a_t, a_1d, a8_1d)    /* its adjoint */
STAGE(g_t, g_1d, g8_1d)    /* filter transform, r -> TA */
STAGE(gt_t, gt_1d, gt8_1d) /* its adjoint */
#undef STAGE

#endif
