/* winograd_stages.h — the matrices of conv_winograd.c's two Winograd
 * variants, F(4x4, 3x3) and F(2x2, 5x5), as one-dimensional stages that
 * work on several channels at once.
 *
 * Both variants interpolate at the same six points (0, 1, -1, 2, -2 and
 * infinity), so they share the input transform B^T and differ in the
 * filter transform G (6 x r) and the output transform A^T (m x 6):
 *
 *   B^T = | 4  0 -5  0  1  0 |   G3 = | 1/4    0     0   |   A4^T = | 1 1  1 1  1 0 |
 *         | 0 -4 -4  1  1  0 |        | -1/6 -1/6  -1/6 |          | 0 1 -1 2 -2 0 |
 *         | 0  4 -4 -1  1  0 |        | -1/6  1/6  -1/6 |          | 0 1  1 4  4 0 |
 *         | 0 -2 -1  2  1  0 |        | 1/24  1/12  1/6 |          | 0 1 -1 8 -8 1 |
 *         | 0  2 -1 -2  1  0 |        | 1/24 -1/12  1/6 |
 *         | 0  4  0 -5  0  1 |        | 0      0     1   |   A2^T = | 1 1  1 1  1 0 |
 *                                                                 | 0 1 -1 2 -2 1 |
 *   G5 row i = f_i (1, p_i, p_i^2, p_i^3, p_i^4) at point p_i with the
 *   factor f_i of G3's row (1/4, -1/6, -1/6, 1/24, 1/24), and (0 0 0 0 1).
 *
 * A 2-D transform is a column pass and a row pass of these stages (e.g.
 * B^T d B); each backward stage is the exact adjoint of its forward one.
 * Only conv_winograd.c includes this header. */
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

/* out = A2^T in: 6 -> 2, F(2x2, 5x5)'s output transform. */
static inline void at2_1d(float (*out)[LANES_MAX], int os, float (*in)[LANES_MAX], int is,
                         int lanes)
{
    for (int c = 0; c < lanes; c++) {
        float m0 = in[0][c], m1 = in[is][c], m2 = in[2 * is][c], m3 = in[3 * is][c],
              m4 = in[4 * is][c], m5 = in[5 * is][c];
        out[0][c] = m0 + (m1 + m2) + (m3 + m4);
        out[os][c] = (m1 - m2) + 2.0f * (m3 - m4) + m5;
    }
}

/* out = A2 in: 2 -> 6, its adjoint. */
static inline void a2_1d(float (*out)[LANES_MAX], int os, float (*in)[LANES_MAX], int is,
                         int lanes)
{
    for (int c = 0; c < lanes; c++) {
        float y0 = in[0][c], y1 = in[is][c];
        out[0][c] = y0;
        out[os][c] = y0 + y1;
        out[2 * os][c] = y0 - y1;
        out[3 * os][c] = y0 + 2.0f * y1;
        out[4 * os][c] = y0 - 2.0f * y1;
        out[5 * os][c] = y1;
    }
}

/* out = G5 in: 5 -> 6, F(2x2, 5x5)'s filter transform. */
static inline void g5_1d(float (*out)[LANES_MAX], int os, float (*in)[LANES_MAX], int is,
                         int lanes)
{
    for (int c = 0; c < lanes; c++) {
        float g0 = in[0][c], g1 = in[is][c], g2 = in[2 * is][c], g3 = in[3 * is][c],
              g4 = in[4 * is][c];
        float even = g0 + g2 + g4, odd = g1 + g3;
        float even2 = g0 + 4.0f * g2 + 16.0f * g4, odd2 = 2.0f * g1 + 8.0f * g3;
        out[0][c] = g0 / 4.0f;
        out[os][c] = -(even + odd) / 6.0f;
        out[2 * os][c] = -(even - odd) / 6.0f;
        out[3 * os][c] = (even2 + odd2) / 24.0f;
        out[4 * os][c] = (even2 - odd2) / 24.0f;
        out[5 * os][c] = g4;
    }
}

/* out = G5^T in: 6 -> 5, its adjoint. */
static inline void gt5_1d(float (*out)[LANES_MAX], int os, float (*in)[LANES_MAX], int is,
                         int lanes)
{
    for (int c = 0; c < lanes; c++) {
        float u0 = in[0][c], u1 = in[is][c], u2 = in[2 * is][c], u3 = in[3 * is][c],
              u4 = in[4 * is][c], u5 = in[5 * is][c];
        float s = -(u1 + u2) / 6.0f, d = (u2 - u1) / 6.0f;
        float s2 = (u3 + u4) / 24.0f, d2 = (u3 - u4) / 24.0f;
        out[0][c] = u0 / 4.0f + s + s2;
        out[os][c] = d + 2.0f * d2;
        out[2 * os][c] = s + 4.0f * s2;
        out[3 * os][c] = d + 8.0f * d2;
        out[4 * os][c] = s + 16.0f * s2 + u5;
    }
}

/* The stages by kernel size r (3 or 5): filter transform, its adjoint;
 * by tile side m (4 or 2): output transform, its adjoint. */
static inline void g_r(int r, float (*out)[LANES_MAX], int os, float (*in)[LANES_MAX], int is,
                       int lanes)
{
    if (r == 3)
        g_1d(out, os, in, is, lanes);
    else
        g5_1d(out, os, in, is, lanes);
}

static inline void gt_r(int r, float (*out)[LANES_MAX], int os, float (*in)[LANES_MAX], int is,
                       int lanes)
{
    if (r == 3)
        gt_1d(out, os, in, is, lanes);
    else
        gt5_1d(out, os, in, is, lanes);
}

static inline void at_m(int m, float (*out)[LANES_MAX], int os, float (*in)[LANES_MAX], int is,
                       int lanes)
{
    if (m == 4)
        at_1d(out, os, in, is, lanes);
    else
        at2_1d(out, os, in, is, lanes);
}

static inline void a_m(int m, float (*out)[LANES_MAX], int os, float (*in)[LANES_MAX], int is,
                       int lanes)
{
    if (m == 4)
        a_1d(out, os, in, is, lanes);
    else
        a2_1d(out, os, in, is, lanes);
}

#endif
