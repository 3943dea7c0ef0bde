/* test_png.c — the PNG side: the bitmap font, the pixel canvas, the chart
 * renderer, terminal screenshots and the libpng writer.
 *
 * Images are written to a temporary folder and read back with libpng, so
 * the checks see what a viewer would: size and colour type from the file
 * header, and pixels where a line, a data point or a glyph must be (at
 * positions computed from the chart's own mapping) and where nothing must
 * be. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>

#include <dirent.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tui/chart.h"
#include "tui/chart_png.h"
#include "tui/font.h"
#include "tui/png_canvas.h"
#include "tui/png_write.h"
#include "tui/screen_png.h"

#include "tests/testutil.h"

/* ---- temporary folder and reading PNGs back ---------------------------- */

static void tmp_setup(void)
{
    tmpdir_create("png");
}

/* How many entries the temporary folder holds (temporary files included). */
static int tmp_entries(void)
{
    DIR *d = opendir(tmpdir_root());
    int n = 0;
    struct dirent *ent;
    while (d && (ent = readdir(d)) != NULL)
        n += strcmp(ent->d_name, ".") && strcmp(ent->d_name, "..");
    if (d)
        closedir(d);
    return n;
}

typedef struct image {
    int      w, h;
    int      depth, color_type;   /* from the IHDR chunk */
    uint8_t *rgb;
} image;

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reads a PNG written by the program: header fields straight from the file,
 * pixels decoded by libpng as 8-bit RGB. */
static image read_png(const char *path)
{
    image im;
    memset(&im, 0, sizeof im);
    uint8_t head[33];
    FILE *f = fopen(path, "rb");
    cr_assert(f != NULL, "cannot open %s", path);
    cr_assert_eq(fread(head, 1, sizeof head, f), sizeof head, "%s is too short", path);
    fclose(f);
    cr_assert(memcmp(head, "\x89PNG\r\n\x1a\n", 8) == 0, "%s: no PNG signature", path);
    cr_assert(memcmp(head + 12, "IHDR", 4) == 0, "%s: IHDR is not the first chunk", path);
    im.depth = head[24];
    im.color_type = head[25];

    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    cr_assert(png_image_begin_read_from_file(&pi, path), "libpng: %s", pi.message);
    pi.format = PNG_FORMAT_RGB;
    im.w = (int)pi.width;
    im.h = (int)pi.height;
    cr_assert_eq(be32(head + 16), pi.width);
    im.rgb = malloc(PNG_IMAGE_SIZE(pi));
    cr_assert(im.rgb != NULL);
    cr_assert(png_image_finish_read(&pi, NULL, im.rgb, 0, NULL), "libpng: %s", pi.message);
    return im;
}

static png_rgb pixel(const image *im, int x, int y)
{
    cr_assert(x >= 0 && y >= 0 && x < im->w && y < im->h, "pixel (%d, %d) is off the image", x, y);
    const uint8_t *p = im->rgb + 3 * ((size_t)y * (size_t)im->w + (size_t)x);
    return (png_rgb)p[0] << 16 | (png_rgb)p[1] << 8 | p[2];
}

/* How far c has moved from `from` towards `to`, 0..1, by the channel that
 * differs most between them. */
static double towards(png_rgb c, png_rgb from, png_rgb to)
{
    int best = 0;
    double t = 0;
    for (int sh = 0; sh <= 16; sh += 8) {
        int a = (int)(from >> sh & 0xFF), b = (int)(to >> sh & 0xFF), v = (int)(c >> sh & 0xFF);
        if (abs(b - a) > best) {
            best = abs(b - a);
            t = (double)(v - a) / (b - a);
        }
    }
    return t;
}

static int files_equal(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    cr_assert(fa && fb);
    int ca, cb, same = 1;
    do {
        ca = fgetc(fa);
        cb = fgetc(fb);
        same = ca == cb;
    } while (same && ca != EOF);
    fclose(fa);
    fclose(fb);
    return same;
}

TestSuite(png, .init = tmp_setup, .fini = tmpdir_remove);

/* ---- the font ------------------------------------------------------------ */

Test(png, font_glyphs_are_distinct_and_inked)
{
    static uint8_t bits[95][FONT_H][FONT_W];
    for (uint32_t ch = 0x20; ch < 0x7F; ch++) {
        int ink = 0;
        cr_assert(font_has(ch), "no glyph for '%c'", (int)ch);
        for (int y = 0; y < FONT_H; y++)
            for (int x = 0; x < FONT_W; x++) {
                bits[ch - 0x20][y][x] = (uint8_t)font_bit(ch, x, y);
                ink += bits[ch - 0x20][y][x];
            }
        cr_assert(ch == ' ' ? ink == 0 : ink > 0, "glyph '%c' has %d ink pixels", (int)ch, ink);
        /* the spacing column and the rows above and below stay blank */
        for (int y = 0; y < FONT_H; y++)
            cr_assert_eq(bits[ch - 0x20][y][FONT_W - 1], 0, "'%c' touches its neighbour", (int)ch);
        for (int x = 0; x < FONT_W; x++)
            cr_assert(!bits[ch - 0x20][0][x] && !bits[ch - 0x20][FONT_H - 1][x]);
    }
    for (int a = 0; a < 95; a++)
        for (int b = a + 1; b < 95; b++)
            cr_assert(memcmp(bits[a], bits[b], sizeof bits[a]) != 0, "'%c' and '%c' look the same",
                      a + 0x20, b + 0x20);
    cr_assert(font_has(0x2026) && !font_has(0x4E2D) && !font_has('\n'));
}

Test(png, utf8_decoding)
{
    const char *s = "a\xc2\xb5\xe2\x80\xa6\xff" "b";
    cr_assert_eq(font_text_len(s), 5);
    cr_assert_eq(font_utf8_next(&s), 'a');
    cr_assert_eq(font_utf8_next(&s), 0xB5);
    cr_assert_eq(font_utf8_next(&s), 0x2026);
    cr_assert_eq(font_utf8_next(&s), 0xFFFD);
    cr_assert_eq(font_utf8_next(&s), 'b');
}

/* ---- the writer ---------------------------------------------------------- */

Test(png, writes_rgb_and_reads_back)
{
    png_canvas cv;
    lr_err e;
    cr_assert_eq(png_canvas_init(&cv, 7, 5, 0x102030, &e), 0);
    png_canvas_rect(&cv, 2, 1, 4, 3, 0xFF8000);       /* pixels (2..3, 1..2) */
    cr_assert_eq(png_write_rgb(tmpdir_path("a.png"), cv.rgb, cv.w, cv.h, &e), 0, "%s", e.msg);
    png_canvas_free(&cv);
    image im = read_png(tmpdir_path("a.png"));
    cr_assert_eq(im.w, 7);
    cr_assert_eq(im.h, 5);
    cr_assert_eq(im.depth, 8);
    cr_assert_eq(im.color_type, 2, "colour type %d, expected 2 (RGB)", im.color_type);
    cr_assert_eq(pixel(&im, 2, 1), 0xFF8000);
    cr_assert_eq(pixel(&im, 3, 2), 0xFF8000);
    cr_assert_eq(pixel(&im, 4, 2), 0x102030);
    cr_assert_eq(pixel(&im, 0, 0), 0x102030);
    cr_assert_eq(tmp_entries(), 1, "a temporary file was left behind");
    free(im.rgb);
}

Test(png, bad_path_fails_and_leaves_nothing)
{
    uint8_t px[3 * 4] = { 0 };
    lr_err e;
    const char *missing = tmpdir_path("no-such-folder/x.png");
    cr_assert_eq(png_write_rgb(missing, px, 2, 2, &e), -1);
    cr_assert(strstr(e.msg, missing) != NULL, "the message does not name the path: %s", e.msg);
    cr_assert_eq(access(missing, F_OK), -1);

    cr_assert_eq(mkdir(tmpdir_path("folder"), 0777), 0);
    cr_assert_eq(png_write_rgb(tmpdir_path("folder"), px, 2, 2, &e), -1);
    cr_assert(strstr(e.msg, "folder") != NULL, "%s", e.msg);
    cr_assert_eq(png_write_rgb("", px, 2, 2, &e), -1);
    cr_assert_eq(tmp_entries(), 1, "something besides the folder was left behind");
}

Test(png, replaces_an_existing_file_whole)
{
    uint8_t a[3] = { 1, 2, 3 }, b[3 * 6] = { 0 };
    lr_err e;
    cr_assert_eq(png_write_rgb(tmpdir_path("x.png"), a, 1, 1, &e), 0, "%s", e.msg);
    cr_assert_eq(png_write_rgb(tmpdir_path("x.png"), b, 3, 2, &e), 0, "%s", e.msg);
    image im = read_png(tmpdir_path("x.png"));
    cr_assert(im.w == 3 && im.h == 2);
    cr_assert_eq(tmp_entries(), 1);
    free(im.rgb);
}

/* ---- the chart renderer -------------------------------------------------- */

static double line_x[11], line_y[11], pt_x[1] = { 5 }, pt_y[1] = { 20 };

/* y = 2x + 1 for x = 0..10 as a line, and one dot at (5, 20), on fixed axes
 * [0, 10] x [0, 25]. */
static void line_chart(chart *c)
{
    for (int i = 0; i <= 10; i++) {
        line_x[i] = i;
        line_y[i] = 2 * i + 1;
    }
    chart_init(c, "a line");
    chart_set_axis(c, CHART_AXIS_X, CHART_LINEAR, "x");
    chart_set_axis(c, CHART_AXIS_Y, CHART_LINEAR, "y");
    chart_set_range(c, CHART_AXIS_X, 0, 10);
    chart_set_range(c, CHART_AXIS_Y, 0, 25);
    chart_add_series(c, "line", line_x, line_y, 11)->color = 1;
    chart_series *s = chart_add_series(c, "dot", pt_x, pt_y, 1);
    s->color = 2;
    s->kind = CHART_POINTS;
}

Test(png, chart_axes_series_and_background)
{
    chart c;
    chart_png_style st;
    chart_png_geom g;
    png_canvas cv;
    lr_err e;
    line_chart(&c);
    chart_png_style_default(&st, 1);
    st.show_grid = false;
    cr_assert_eq(png_canvas_init(&cv, 400, 300, st.bg, &e), 0);
    cr_assert_eq(chart_png_render(&c, &st, &cv, 0, 0, 400, 300, &g), 0);
    cr_assert_eq(png_write_rgb(tmpdir_path("chart.png"), cv.rgb, cv.w, cv.h, &e), 0, "%s", e.msg);
    png_canvas_free(&cv);
    image im = read_png(tmpdir_path("chart.png"));
    cr_assert(im.w == 400 && im.h == 300 && im.color_type == 2);

    /* The frame lies inside the region, and the mapping matches chart_map. */
    cr_assert(g.x0 > 0 && g.x1 < 400 && g.y0 > 0 && g.y1 < 300 && g.x0 < g.x1 && g.y0 < g.y1);
    cr_assert_float_eq(chart_png_px(&g, 5), g.dx0 + chart_map(&g.xr, 5) * (g.dx1 - g.dx0), 1e-9);
    cr_assert(isnan(chart_png_py(&g, (double)NAN)));

    /* Axis lines: left of the frame and along its bottom. */
    int ym = (int)((g.y0 + g.y1) / 2), xm = (int)((g.x0 + g.x1) / 2);
    cr_assert_eq(pixel(&im, (int)g.x0 - 1, ym), st.axis);
    cr_assert_eq(pixel(&im, xm, (int)g.y1), st.axis);

    /* The dot (radius 2.2 px) covers its centre pixel fully. */
    int dx = (int)chart_png_px(&g, 5), dy = (int)chart_png_py(&g, 20);
    cr_assert_eq(pixel(&im, dx, dy), st.palette[1], "dot pixel is %06x", pixel(&im, dx, dy));

    /* The line passes through the pixel of each of its points, and midway. */
    for (double x = 1; x <= 9; x += 0.5) {
        int px = (int)chart_png_px(&g, x), py = (int)chart_png_py(&g, 2 * x + 1);
        double t = towards(pixel(&im, px, py), st.bg, st.palette[0]);
        cr_assert_gt(t, 0.6, "line at x = %g: pixel (%d, %d) is %06x", x, px, py,
                     pixel(&im, px, py));
    }

    /* Far from the line (top left of the plot) and outside everything: paper. */
    cr_assert_eq(pixel(&im, (int)chart_png_px(&g, 1.5), (int)chart_png_py(&g, 18)), st.bg);
    cr_assert_eq(pixel(&im, (int)chart_png_px(&g, 8.5), (int)chart_png_py(&g, 4)), st.bg);
    cr_assert_eq(pixel(&im, 399, 299), st.bg);

    /* The title is ink in the top-left corner. */
    int ink = 0;
    for (int y = 0; y < 30; y++)
        for (int x = 0; x < 60; x++)
            ink += pixel(&im, x, y) == st.fg;
    cr_assert_gt(ink, 20, "no title drawn");
    free(im.rgb);
}

Test(png, chart_log_axis_and_dashed_style)
{
    static const double lx[2] = { 1e-3, 1 }, ly[2] = { 1, 1 }, px_[1] = { 0.01 }, py_[1] = { 0.5 };
    chart c;
    chart_png_style st;
    chart_png_geom g;
    png_canvas cv;
    lr_err e;
    chart_init(&c, NULL);
    chart_set_axis(&c, CHART_AXIS_X, CHART_LOG10, "lr");
    chart_set_range(&c, CHART_AXIS_Y, 0, 2);
    chart_series *s = chart_add_series(&c, "plan", lx, ly, 2);
    s->style = CHART_DIM;
    s = chart_add_series(&c, "", px_, py_, 1);
    s->kind = CHART_POINTS;
    chart_png_style_default(&st, 2);
    st.show_grid = false;
    cr_assert_eq(png_canvas_init(&cv, 600, 400, st.bg, &e), 0);
    cr_assert_eq(chart_png_render(&c, &st, &cv, 0, 0, 600, 400, &g), 0);

    /* 0.01 is one decade of three from the left end. */
    cr_assert_float_eq(chart_png_px(&g, 0.01), g.dx0 + (g.dx1 - g.dx0) / 3, 1e-6);
    cr_assert_eq(png_canvas_get(&cv, (int)chart_png_px(&g, 0.01), (int)chart_png_py(&g, 0.5)),
                 st.palette[1]);
    cr_assert(isnan(chart_png_px(&g, 0)), "0 has no place on a log axis");

    /* DIM is dashed: along the line there is ink and there are gaps. */
    int y = (int)chart_png_py(&g, 1), on = 0, off = 0;
    for (int x = (int)g.dx0 + 10; x < (int)g.dx1 - 10; x++)
        if (png_canvas_get(&cv, x, y) == st.bg)
            off++;
        else
            on++;
    cr_assert(on > 20 && off > 20, "dashes: %d pixels inked, %d not", on, off);
    png_canvas_free(&cv);
}

Test(png, chart_region_is_respected)
{
    chart c;
    chart_png_style st;
    png_canvas cv;
    lr_err e;
    line_chart(&c);
    chart_add_marker(&c, 4, "edit", 3);
    chart_set_cursor(&c, 6, 13, 1);
    chart_png_style_default(&st, 1);
    cr_assert_eq(png_canvas_init(&cv, 500, 300, st.bg, &e), 0);
    cr_assert_eq(chart_png_render(&c, &st, &cv, 100, 50, 300, 200, NULL), 0);
    for (int y = 0; y < 300; y++)
        for (int x = 0; x < 500; x++)
            if (x < 100 || x >= 400 || y < 50 || y >= 250)
                cr_assert_eq(png_canvas_get(&cv, x, y), st.bg, "ink outside the region at (%d, %d)",
                             x, y);
    /* Too small a region: -1, and no crash. */
    cr_assert_eq(chart_png_render(&c, &st, &cv, 0, 0, 40, 20, NULL), -1);
    png_canvas_free(&cv);
}

Test(png, same_input_same_bytes)
{
    chart c;
    lr_err e;
    line_chart(&c);
    chart_png_panel p[2] = { { &c, 0, 0, 0, 0 }, { &c, 0, 0, 0, 0 } };
    chart_png_grid(p, 2, 2, 640, 240);
    cr_assert(p[1].x == 320 && p[1].w == 320 && p[1].h == 240);
    cr_assert_eq(chart_png_write(p, 2, 640, 240, 1.5, tmpdir_path("f1.png"), &e), 0, "%s", e.msg);
    cr_assert_eq(chart_png_write(p, 2, 640, 240, 1.5, tmpdir_path("f2.png"), &e), 0, "%s", e.msg);
    cr_assert(files_equal(tmpdir_path("f1.png"), tmpdir_path("f2.png")), "two renders differ");
    image im = read_png(tmpdir_path("f1.png"));
    cr_assert(im.w == 960 && im.h == 360, "figure is %d x %d", im.w, im.h);
    free(im.rgb);
    cr_assert_eq(chart_png_write(p, 2, 640, 240, 1, tmpdir_path("none/f.png"), &e), -1);
}

/* ---- screenshots --------------------------------------------------------- */

Test(png, screen_braille_and_letter)
{
    /* Braille with dots 1 and 8 (top left, bottom right), an 'A', and a
     * reversed blank cell. */
    screen_cell cells[3] = {
        { 0x2881, SCREEN_DEFAULT, SCREEN_DEFAULT, 0 },
        { 'A', SCREEN_DEFAULT, SCREEN_DEFAULT, 0 },
        { ' ', SCREEN_GREEN, SCREEN_DEFAULT, SCREEN_ATTR_REVERSE },
    };
    lr_err e;
    int cw, ch, pad, w, h;
    screen_png_geometry(3, 1, 2, &cw, &ch, &pad, &w, &h);
    cr_assert(cw == 2 * FONT_W && ch == 2 * FONT_H && w == 2 * pad + 3 * cw && h == 2 * pad + ch);
    cr_assert_eq(screen_png_write(cells, 3, 1, 2, tmpdir_path("s.png"), &e), 0, "%s", e.msg);
    image im = read_png(tmpdir_path("s.png"));
    cr_assert(im.w == w && im.h == h && im.color_type == 2);

    png_rgb bg = pixel(&im, 0, 0), fg = 0;
    /* Braille dots sit at (1/4 or 3/4 of the width, (2 row + 1)/8 of the height). */
    static const int dot_col[8] = { 0, 0, 0, 1, 1, 1, 0, 1 }, dot_row[8] = { 0, 1, 2, 0, 1, 2, 3, 3 };
    for (int bit = 0; bit < 8; bit++) {
        int x = pad + (int)(cw * (0.25 + 0.5 * dot_col[bit]));
        int y = pad + (int)(ch * (0.125 + 0.25 * dot_row[bit]));
        png_rgb c = pixel(&im, x, y);
        if (bit == 0 || bit == 7) {
            cr_assert_neq(c, bg, "braille dot %d is not drawn", bit + 1);
            fg = c;
        } else {
            cr_assert_eq(c, bg, "braille dot %d is drawn but not set", bit + 1);
        }
    }
    /* The letter: every ink pixel of the font is ink at the centre of its 2 x 2
     * block; a blank font pixel with no ink around it stays background. */
    int x0 = pad + cw, n_ink = 0, n_blank = 0;
    for (int fy = 1; fy < FONT_H - 1; fy++)
        for (int fx = 1; fx < FONT_W - 1; fx++) {
            png_rgb c = pixel(&im, x0 + 2 * fx, pad + 2 * fy);
            if (font_bit('A', fx, fy)) {
                cr_assert_eq(c, fg, "'A' pixel (%d, %d) is %06x", fx, fy, c);
                n_ink++;
            } else if (!font_bit('A', fx - 1, fy) && !font_bit('A', fx + 1, fy) &&
                       !font_bit('A', fx, fy - 1) && !font_bit('A', fx, fy + 1)) {
                cr_assert_eq(c, bg, "'A' blank pixel (%d, %d) is %06x", fx, fy, c);
                n_blank++;
            }
        }
    cr_assert(n_ink > 10 && n_blank > 0);
    /* Reverse video: the blank cell is filled with its foreground colour. */
    cr_assert_neq(pixel(&im, pad + 2 * cw + cw / 2, pad + ch / 2), bg);
    free(im.rgb);

    cr_assert_eq(screen_png_write(cells, 3, 1, 2, tmpdir_path("s2.png"), &e), 0);
    cr_assert(files_equal(tmpdir_path("s.png"), tmpdir_path("s2.png")));
    cr_assert_eq(screen_png_write(cells, 0, 1, 2, tmpdir_path("s3.png"), &e), -1);
}

Test(png, screen_box_drawing_joins_cells)
{
    /* "─┼─" over "│" : the horizontal line runs through all three cells at
     * the same row, and the cross joins the vertical below it. */
    screen_cell cells[6];
    static const uint32_t text[6] = { 0x2500, 0x253C, 0x2500, ' ', 0x2502, 0x4E2D };
    for (int i = 0; i < 6; i++)
        cells[i] = (screen_cell){ text[i], SCREEN_DEFAULT, SCREEN_DEFAULT, 0 };
    png_canvas cv;
    lr_err e;
    int cw, ch, pad, w, h;
    screen_png_geometry(3, 2, 1, &cw, &ch, &pad, &w, &h);
    cr_assert_eq(png_canvas_init(&cv, w, h, 0, &e), 0);
    screen_png_render(cells, 3, 2, 1, &cv);
    png_rgb bg = png_canvas_get(&cv, 0, 0);
    int mid = pad + (ch - 1) / 2, cx = pad + cw + (cw - 1) / 2;   /* 1-pixel lines */
    for (int x = pad; x < pad + 3 * cw; x++)
        cr_assert_neq(png_canvas_get(&cv, x, mid), bg, "the horizontal line breaks at x = %d", x);
    for (int y = mid; y < pad + 2 * ch; y++)
        cr_assert_neq(png_canvas_get(&cv, cx, y), bg, "the vertical line breaks at y = %d", y);
    cr_assert_eq(png_canvas_get(&cv, pad + cw / 2, pad + 1), bg);
    /* An unknown character is drawn as a box, not left blank. */
    int ink = 0;
    for (int y = pad + ch; y < pad + 2 * ch; y++)
        for (int x = pad + 2 * cw; x < pad + 3 * cw; x++)
            ink += png_canvas_get(&cv, x, y) != bg;
    cr_assert_gt(ink, 6);
    png_canvas_free(&cv);
}
