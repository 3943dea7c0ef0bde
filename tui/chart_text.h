/* chart_text.h — draws a chart (chart.h) into a grid of character cells.
 *
 * The grid is plain memory owned by the caller, W x H cells in row-major
 * order; nothing here touches the terminal. The ncurses layer copies cells to
 * the screen (mapping colour indices and attribute flags to curses
 * attributes); tests dump the grid to a UTF-8 string and compare it with a
 * golden file.
 *
 * Layout inside the W x H rectangle, top to bottom: the title (legend to its
 * right, or on the next row when it does not fit), the y axis label, the plot
 * with y tick labels on its left, the bottom axis, x tick labels, and the x
 * axis label when there is room. A marker is a dotted vertical line with its
 * label on the top plot row. A 46 x 11 chart in braille mode:
 *
 *     loss                         ─ raw  ─ smoothed
 *     nats
 *      │⢳⣄                    ⠅edit
 *     2┤ ⠙⢧⣤⡀                 ⠅
 *      │   ⠙⢿⣦⣀⡀              ⠅
 *     1┤     ⠁⠙⠿⢶⣤⣠⣀⡀         ⠅
 *      │         ⠉⠙⠛⠟⠿⣷⣶⣴⣠⣤⣤⣀⣀⣅⢀⢀⡀
 *      │                ⠉⠉⠉⠋⠋⠛⠟⠿⠿⠿⠟⠟⠿⠿⠾⢿⡿⡿⣷⣿⣾⣷⢴⣷⣾⢶⣶⣦
 *      └┬──────┬──────┬───────┬──────┬──────┬───────
 *       0      50    100     150    200    250
 *                        iteration
 *
 * BRAILLE mode puts 2 x 4 dots in each plot cell (U+2800 + dot bits, box
 * drawing for the axes); ASCII mode puts one sample in each cell and uses only
 * 7-bit characters (lines as - / \ |, points as *). Where several points fall
 * in one dot column, the column covers their whole min..max span, so a
 * one-iteration spike stays visible; NaN breaks a line.
 *
 * Styles: NORMAL is solid; FAINT is solid with CHART_ATTR_DIM; DIM is dotted
 * with CHART_ATTR_DIM (both '.' in ASCII). In a shared cell the later series
 * takes the colour, NORMAL always over FAINT and DIM; braille dots add up.
 *
 * Labels are assumed to be one cell per code point (no double-width text). */
#ifndef LRSCOPE_CHART_TEXT_H
#define LRSCOPE_CHART_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "tui/chart.h"

typedef enum { CHART_TEXT_BRAILLE, CHART_TEXT_ASCII } chart_text_mode;

/* Cell attribute flags. */
enum {
    CHART_ATTR_DIM  = 1u << 0,   /* FAINT and DIM series */
    CHART_ATTR_BOLD = 1u << 1,   /* the title, the cursor point */
};

typedef struct chart_cell {
    uint32_t ch;      /* Unicode code point; ' ' when empty */
    uint8_t  color;   /* chart palette index, 0 = default foreground */
    uint8_t  attr;    /* CHART_ATTR_* */
} chart_cell;

/* Renders c into cells[w * h] (row-major, cell (x, y) at cells[y * w + x]),
 * overwriting every cell. Returns 0, or -1 when the rectangle has no room for
 * a plot of at least 4 columns by 2 rows besides the axes and labels (about
 * 10 x 5 with a title): then the grid holds just the title, cut to fit (and
 * when w or h is <= 0, nothing is written). Reads the series data through the
 * chart's borrowed pointers; allocates nothing. */
int chart_text_render(const chart *c, chart_text_mode mode, chart_cell *cells, int w, int h);

/* Writes the grid as UTF-8 text to buf[cap]: each row with its trailing spaces
 * removed, followed by '\n'. Always NUL-terminates when cap > 0, cutting only
 * between characters. Returns the length the whole text needs (excluding the
 * NUL), like snprintf, so a result >= cap means it was cut. */
size_t chart_text_dump(const chart_cell *cells, int w, int h, char *buf, size_t cap);

#endif
