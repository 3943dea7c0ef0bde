/* screen_png.h — a terminal screen as a PNG image: screenshots of the
 * workbench for the README and for sharing.
 *
 * The input is a grid of cells as a terminal shows them; the workbench fills
 * it by reading the ncurses screen back. Each cell is drawn on a dark,
 * terminal-like palette at FONT_W x FONT_H font pixels times the scale
 * (rounded to whole pixels, so cells tile without seams), inside a margin of
 * SCREEN_PNG_PAD font pixels:
 *
 *   - characters of the bitmap font (font.h) as glyphs, bold as a heavier
 *     stroke in the bright variant of the colour;
 *   - braille U+2800..U+28FF as its dots on a 2 x 4 grid, so braille charts
 *     look like the terminal's;
 *   - box drawing (light, heavy, dashed and double lines, the corners, tees
 *     and crosses of U+2500..U+257F) as lines through the cell's centre that
 *     join their neighbours, block elements (U+2580..U+259F) as filled parts
 *     of the cell, and the dots and squares charts use (U+2022, U+25CF,
 *     U+25CB, U+25A0) as shapes;
 *   - anything else as a small outlined box.
 *
 * Attributes: BOLD as above, DIM blends the foreground halfway to the
 * background, REVERSE swaps them, UNDERLINE draws a line under the cell. */
#ifndef LRSCOPE_SCREEN_PNG_H
#define LRSCOPE_SCREEN_PNG_H

#include <stdint.h>

#include "engine/err.h"
#include "tui/png_canvas.h"

/* Colours as curses numbers them (COLOR_BLACK..COLOR_WHITE), plus the
 * terminal's default foreground or background. */
typedef enum {
    SCREEN_BLACK, SCREEN_RED, SCREEN_GREEN, SCREEN_YELLOW,
    SCREEN_BLUE, SCREEN_MAGENTA, SCREEN_CYAN, SCREEN_WHITE,
    SCREEN_DEFAULT = 8,     /* any value above 7 counts as the default */
} screen_color;

enum {
    SCREEN_ATTR_BOLD      = 1u << 0,
    SCREEN_ATTR_DIM       = 1u << 1,
    SCREEN_ATTR_REVERSE   = 1u << 2,
    SCREEN_ATTR_UNDERLINE = 1u << 3,
};

typedef struct screen_cell {
    uint32_t ch;       /* Unicode code point; 0 or ' ' is blank */
    uint8_t  fg, bg;   /* screen_color */
    uint8_t  attr;     /* SCREEN_ATTR_* */
} screen_cell;

#define SCREEN_PNG_PAD 4   /* margin around the grid, in font pixels */

/* The geometry at a scale (> 0): a cell is *cw x *ch pixels and the image
 * is *w x *h for cols x rows cells; cell (c, r) starts at
 * (*pad + c * *cw, *pad + r * *ch). Any pointer may be NULL. */
void screen_png_geometry(int cols, int rows, double scale, int *cw, int *ch, int *pad,
                         int *w, int *h);

/* Draws cells[rows * cols] (row-major, cell (c, r) at cells[r * cols + c])
 * onto cv, which must be at least the size screen_png_geometry gives; the
 * whole canvas is first filled with the default background. */
void screen_png_render(const screen_cell *cells, int cols, int rows, double scale,
                       png_canvas *cv);

/* Renders the grid and writes it to path as a PNG (png_write.h: atomically,
 * deterministic bytes). Returns 0, or -1 with e naming the path and the
 * reason (an empty grid, an image too large, a path that cannot be written). */
int screen_png_write(const screen_cell *cells, int cols, int rows, double scale,
                     const char *path, lr_err *e);

#endif
