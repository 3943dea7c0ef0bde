/* chart.h — the chart model: what to plot, independent of how it is drawn.
 *
 * A chart is a title, an x and a y axis (linear or log10, each end fixed or
 * automatic), up to CHART_MAX_SERIES series, up to CHART_MAX_MARKERS vertical
 * markers and an optional "current position" point. The model also owns the
 * pieces every renderer needs and that must agree between them: the resolved
 * axis ranges, data -> fraction mapping, nice ticks and compact tick labels.
 * It knows nothing of terminals or pixels; the character-grid renderer
 * (chart_text.h) and the PNG renderer both draw from it.
 *
 * The struct is plain fixed-size storage: no allocation, nothing to free. Series
 * data is borrowed, not copied: the chart keeps the caller's x[]/y[] pointers,
 * which must stay valid (and unchanged) while the chart is rendered. Strings
 * (title, names, labels) are copied, truncated to their buffers.
 *
 *     chart c;
 *     chart_init(&c, "loss");
 *     chart_set_axis(&c, CHART_AXIS_X, CHART_LINEAR, "iteration");
 *     chart_set_axis(&c, CHART_AXIS_Y, CHART_LOG10, NULL);
 *     chart_series *raw = chart_add_series(&c, "raw", iters, loss, n);
 *     raw->style = CHART_FAINT;
 *     chart_add_series(&c, "smoothed", iters, smooth, n);
 *     chart_add_marker(&c, 1200, "edit", 3);
 *     ...render...
 *     chart_clear(&c);       next frame: same title and axes, new data
 *
 * What this is not: a general plotting library. There is no per-series axis,
 * no bar charts, no text annotations beyond marker labels. */
#ifndef LRSCOPE_CHART_H
#define LRSCOPE_CHART_H

#include <stddef.h>

#define CHART_MAX_SERIES   12
#define CHART_MAX_MARKERS  16
#define CHART_MAX_TICKS    24
#define CHART_TITLE_LEN    64
#define CHART_NAME_LEN     24
#define CHART_LABEL_LEN    24   /* axis and marker labels */
#define CHART_TICK_LEN     16   /* a tick label, e.g. "-2.5e-4", "12.5k" */
#define CHART_DASHES       3
#define CHART_LEGEND_LEN   (CHART_NAME_LEN + 24)

typedef enum { CHART_LINEAR, CHART_LOG10 } chart_scale;
typedef enum { CHART_AXIS_X, CHART_AXIS_Y } chart_axis_id;

/* How prominent a series is. FAINT: raw, noisy data under a smoothed curve.
 * DIM: planned or ghost curves (e.g. the schedule ahead of the run). Where
 * curves overlap, NORMAL wins over FAINT and DIM whatever the order. */
typedef enum { CHART_NORMAL, CHART_FAINT, CHART_DIM } chart_style;

/* LINE connects consecutive points (NaN breaks the line); POINTS does not. */
typedef enum { CHART_LINE, CHART_POINTS } chart_kind;

typedef struct chart_axis {
    chart_scale scale;
    double      lo, hi;     /* fixed ends; NaN: that end follows the data */
    char        label[CHART_LABEL_LEN];
} chart_axis;

/* Colours are small palette indices that the renderer maps: 0 is the default
 * foreground, 1.. are palette entries (a renderer with fewer colours wraps). */
typedef struct chart_series {
    char          name[CHART_NAME_LEN];   /* legend text; "" keeps it out of the legend */
    const double *x;       /* [n], borrowed; NULL means x[i] = i */
    const double *y;       /* [n], borrowed; NaN/Inf is a gap */
    size_t        n;
    chart_style   style;
    int           color;
    chart_kind    kind;
    int           dash;    /* 0: the style's line (dotted for DIM); 1..CHART_DASHES:
                              distinct dash patterns, so curves of one style (ghosts)
                              tell apart without colour */
    int           value;   /* the legend shows the last finite y after the name */
    char          unit[8]; /* after that value, e.g. "%" */
} chart_series;

typedef struct chart_marker {
    double x;
    char   label[CHART_LABEL_LEN];
    int    color;
} chart_marker;

typedef struct chart {
    char          title[CHART_TITLE_LEN];
    chart_axis    axis[2];                /* indexed by chart_axis_id */
    chart_series  series[CHART_MAX_SERIES];
    int           n_series;
    chart_marker  markers[CHART_MAX_MARKERS];
    int           n_markers;
    int           has_cursor;             /* the "current position" point */
    double        cursor_x, cursor_y;
    int           cursor_color;
} chart;

/* A resolved axis range: lo < hi, both finite, both > 0 on a log axis. */
typedef struct chart_range {
    chart_scale scale;
    double      lo, hi;
} chart_range;

typedef struct chart_tick {
    double v;
    char   label[CHART_TICK_LEN];
} chart_tick;

/* Empties *c and sets the title (NULL: none). Both axes become linear, fully
 * automatic and unlabelled. */
void chart_init(chart *c, const char *title);

/* Drops all series, markers and the cursor; keeps title and axes. The usual
 * per-frame reset when the data pointers may have moved. */
void chart_clear(chart *c);

void chart_set_title(chart *c, const char *title);

/* Sets an axis' scale and label (NULL label: keep the current one). */
void chart_set_axis(chart *c, chart_axis_id which, chart_scale scale, const char *label);

/* Fixes either end of an axis; NaN leaves that end automatic. On a log axis
 * an end <= 0 also counts as automatic. */
void chart_set_range(chart *c, chart_axis_id which, double lo, double hi);

/* Appends a series drawing y[i] against x[i] (x NULL: against i) and returns it
 * with style NORMAL, kind LINE and colour 1 + its index, for the caller to
 * adjust. Returns NULL, changing nothing, when CHART_MAX_SERIES are in use. */
chart_series *chart_add_series(chart *c, const char *name, const double *x,
                               const double *y, size_t n);

/* Appends a vertical marker at x with a short label (NULL: none). Returns 0,
 * or -1 changing nothing when CHART_MAX_MARKERS are in use. */
int chart_add_marker(chart *c, double x, const char *label, int color);

/* Shows (or moves) the "current position" point. */
void chart_set_cursor(chart *c, double x, double y, int color);

/* The range an axis is drawn with. Fixed ends are used as given; automatic
 * ends span the finite values of all series on that axis (on a log axis,
 * values <= 0 are ignored). Markers and the cursor do not widen the range.
 * No data gives [0, 1] (log: [1, 10]); a zero or tiny span is widened around
 * the value (linear: by 10% of it each way, or by 1 at zero; log: half a
 * decade each way), moving only automatic ends when one end is fixed. */
chart_range chart_resolve_range(const chart *c, chart_axis_id which);

/* Where v falls in r: 0 at lo, 1 at hi, linear in v or in log10(v). Values
 * outside the range map outside [0, 1]. NaN when v is not finite, or <= 0 on
 * a log range. */
double chart_map(const chart_range *r, double v);

/* The inverse of chart_map: the value at fraction f of the range. */
double chart_unmap(const chart_range *r, double f);

/* Nice ticks inside [lo, hi], ascending, at most max_ticks of them, written to
 * out[0..max_ticks). Returns how many (0 when the range is invalid: lo >= hi,
 * not finite, or lo <= 0 on a log scale).
 *   linear: multiples of the smallest 1-2-5 step that gives <= max_ticks.
 *   log10:  1-2-5 subdivisions (1, 2, 5, 10, 20...) over a span of at most three
 *           decades when they fit; else decades, every k-th decade when they do
 *           not fit; within about one decade, linear ticks when fewer than two
 *           of those fall inside.
 * Labels are chart_format_number with just enough digits to tell ticks apart. */
int chart_ticks(chart_scale scale, double lo, double hi, int max_ticks, chart_tick *out);

/* Formats v compactly with at most sig significant digits (1..9), trailing
 * zeros dropped: "0", "0.5", "2.5", "0.01", "1e-3", "3e-4", "1.5k", "10k",
 * "2M". Exponent form below 0.01; k/M/G suffixes from 1000 to below 1e12, then
 * exponent form again. Writes at most len bytes including the NUL and returns
 * the length it wanted, like snprintf. */
int chart_format_number(double v, int sig, char *buf, size_t len);

/* The legend: indices of the series that have a name, in the order added.
 * Writes at most cap indices to idx and returns how many. */
int chart_legend(const chart *c, int *idx, int cap);

/* The legend text of series i: its name, and when s->value is set its last
 * finite y with 3 significant digits and its unit ("test 88.3 %", "lr 0.412",
 * "train 0.312"). Both renderers draw this text, so the PNG carries the same
 * numbers as the screen. Returns the length like snprintf. */
int chart_legend_text(const chart *c, int i, char *buf, size_t len);

/* The last finite y of a series, NaN when it has none. */
double chart_series_last(const chart_series *s);

#endif
