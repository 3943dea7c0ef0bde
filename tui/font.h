/* font.h — the bitmap font compiled into lrscope, for PNG figures and
 * screenshots.
 *
 * One cell is FONT_W x FONT_H pixels: each glyph is 5 x 9 pixels drawn from
 * the cell's second row, with one blank column on its right and one blank row
 * above and below, so cells can be packed edge to edge (as on a terminal)
 * without glyphs touching. Capitals and digits are 7 pixels tall (cell rows
 * 1..7, baseline under row 7), lower case has a 5-pixel x-height and
 * 2-pixel descenders (rows 8..9).
 *
 * Coverage: printable ASCII (U+0020..U+007E) plus a few signs a chart label
 * may carry: degree, plus-minus, micro, middle dot, multiplication sign,
 * ellipsis and minus. Everything else is "not in the font": callers draw a
 * replacement (the canvas draws a small box).
 *
 * The UTF-8 decoding at the end is shared by every text renderer: the PNG
 * canvas and the character-grid charts (chart_text.h). */
#ifndef LRSCOPE_FONT_H
#define LRSCOPE_FONT_H

#include <stdbool.h>
#include <stdint.h>

#define FONT_W        6   /* advance per character, in font pixels */
#define FONT_H        11  /* line height, in font pixels */
#define FONT_BASELINE 8   /* first cell row below the baseline */

/* Whether code point ch has a glyph. */
bool font_has(uint32_t ch);

/* Whether pixel (x, y) of ch's cell is ink, with (0, 0) the top left of the
 * cell. 0 outside the cell and for code points without a glyph. */
int font_bit(uint32_t ch, int x, int y);

/* Decodes one UTF-8 character at *s and advances past it. A malformed byte
 * yields `bad` and is skipped alone, so decoding always makes progress.
 * *s must not point at the terminating NUL. */
uint32_t font_utf8_decode(const char **s, uint32_t bad);

/* font_utf8_decode with U+FFFD (the replacement character) for a malformed
 * byte. */
uint32_t font_utf8_next(const char **s);

/* The number of characters (code points) in a UTF-8 string. */
int font_text_len(const char *s);

#endif
