/* The legend with values, legends that wrap rather than drop series, dash
 * patterns that tell ghosts apart without colour, and marker labels that
 * move to a second row rather than vanish. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tui/chart.h"
#include "tui/chart_text.h"

#define NaN ((double)NAN)
#define W 60
#define H 16

static chart_cell cells[W * H];
static char text[W * H * 4 + H + 1];

static const char *render(const chart *c, chart_text_mode mode, int w, int h)
{
    cr_assert_eq(chart_text_render(c, mode, cells, w, h), 0);
    chart_text_dump(cells, w, h, text, sizeof text);
    return text;
}

static const double xs[5] = { 0, 1, 2, 3, 4 };

Test(chart_legend, text_carries_the_last_finite_value)
{
    static const double acc[5] = { 50, 70, 88.3, 88.33, NaN };
    static const double loss[5] = { 2, 1, 0.5, 0.312, 0.3119 };
    static const double tiny[5] = { 1, 0.1, 0.01, 0.001, 0.00322 };
    chart c;
    chart_init(&c, "t");
    chart_series *a = chart_add_series(&c, "test", xs, acc, 5);
    a->value = 1;
    snprintf(a->unit, sizeof a->unit, "%%");
    chart_add_series(&c, "train", xs, loss, 5)->value = 1;
    chart_add_series(&c, "lr", xs, tiny, 5)->value = 1;
    chart_add_series(&c, "plan", xs, loss, 5);
    char buf[CHART_LEGEND_LEN];
    chart_legend_text(&c, 0, buf, sizeof buf);
    cr_expect_str_eq(buf, "test 88.3 %");
    chart_legend_text(&c, 1, buf, sizeof buf);
    cr_expect_str_eq(buf, "train 0.312");
    chart_legend_text(&c, 2, buf, sizeof buf);
    cr_expect_str_eq(buf, "lr 3.22e-3");
    chart_legend_text(&c, 3, buf, sizeof buf);
    cr_expect_str_eq(buf, "plan");
    cr_expect(strstr(render(&c, CHART_TEXT_ASCII, W, H), "test 88.3 %"), "%s", text);
}

/* Five long entries on a 40-column chart: all of them shown, over rows. */
Test(chart_legend, wraps_instead_of_dropping_series)
{
    static const double y[5] = { 1, 2, 3, 4, 5 };
    static const char *names[] = { "1cycle 0.0697-0.697", "multistep 0.232", "clr 0.1-1",
                                   "train", "test" };
    chart c;
    chart_init(&c, "loss");
    for (int i = 0; i < 5; i++)
        chart_add_series(&c, names[i], xs, y, 5)->value = 1;
    render(&c, CHART_TEXT_BRAILLE, 40, H);
    for (int i = 0; i < 5; i++)
        cr_expect(strstr(text, names[i]), "'%s' dropped:\n%s", names[i], text);
}

/* Two dim series (ghosts) on one row: different dash patterns in braille,
 * different glyphs in ASCII. */
Test(chart_legend, ghosts_have_distinct_dash_patterns)
{
    static const double x[2] = { 0, 100 }, y1[2] = { 1, 1 }, y2[2] = { 3, 3 };
    chart c;
    chart_init(&c, NULL);
    chart_set_range(&c, CHART_AXIS_Y, 0, 4);
    chart_series *a = chart_add_series(&c, "", x, y1, 2), *b = chart_add_series(&c, "", x, y2, 2);
    a->style = b->style = CHART_DIM;
    a->dash = 1;
    b->dash = 2;
    cr_assert_eq(chart_text_render(&c, CHART_TEXT_BRAILLE, cells, W, H), 0);
    /* The rows each line is drawn on, and their patterns of lit cells. */
    char rows[H][W + 1];
    int n_rows = 0;
    for (int y = 0; y < H; y++) {
        int lit = 0;
        for (int col = 0; col < W; col++) {
            uint32_t ch = cells[y * W + col].ch;
            rows[n_rows][col] = ch > 0x2800 && ch <= 0x28FF ? '#' : ' ';
            lit |= rows[n_rows][col] == '#';
        }
        rows[n_rows][W] = '\0';
        if (lit)
            n_rows++;
    }
    cr_assert_eq(n_rows, 2, "two lines expected");
    cr_expect_str_neq(rows[0], rows[1], "same pattern:\n%s\n%s", rows[0], rows[1]);
    cr_expect(strstr(rows[0], "# ") || strstr(rows[1], "# "), "a dashed line has gaps");
    const char *t = render(&c, CHART_TEXT_ASCII, W, H);
    cr_expect(strchr(t, '.') && strchr(t, ':'), "ASCII glyphs '.' and ':' expected:\n%s", t);
}

/* Two markers close together: the second label goes to the next row. */
Test(chart_legend, clashing_marker_labels_take_a_second_row)
{
    static const double x[2] = { 0, 100 }, y[2] = { 0, 1 };
    chart c;
    chart_init(&c, NULL);
    chart_add_series(&c, "", x, y, 2);
    chart_add_marker(&c, 40, "max 0.5", 5);
    chart_add_marker(&c, 42, "wd 3e-4", 5);
    render(&c, CHART_TEXT_ASCII, W, H);
    cr_expect(strstr(text, "max 0.5") && strstr(text, "wd 3e-4"), "%s", text);
    const char *a = strstr(text, "max 0.5"), *b = strstr(text, "wd 3e-4");
    cr_expect(strchr(a, '\n') < b || strchr(b, '\n') < a, "labels on one row:\n%s", text);
}
