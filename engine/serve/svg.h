/* svg.h — small charts drawn on the server as inline SVG for the web
 * view's pages: a step line of a value over time (an advisory's level), a
 * row of held spans per label over time (its indicators), and bars per
 * period (a rule's flags per week, a source's changes per day).
 *
 * Every chart has its axes and labels, draws with classes only (the page's
 * stylesheet colours them; no style attributes), escapes every text, and
 * gives each point, span and bar its own element with data-* attributes
 * and a <title>, so that tests and browsers can read the values back:
 *   <circle class="pt" data-t="2024-11-20T23:00:00Z" data-v="3">
 *   <rect class="span" data-lane="K" data-from="…" data-to="…">
 *   <rect class="bar" data-label="11-18" data-v="2">
 * An empty series draws the axes and "no data". */
#ifndef VANE_SVG_H
#define VANE_SVG_H

#include <stddef.h>

#include "util/buf.h"

typedef struct svg_point {
    long long t;            /* seconds since the epoch */
    double v;
    const char *title;      /* what the point's tooltip says beside its time and value, or NULL */
} svg_point_t;

typedef struct svg_span {
    long long from, to;     /* held over [from, to) */
} svg_span_t;

typedef struct svg_lane {
    const char *label;      /* the row's name ("K") */
    const svg_span_t *spans;
    size_t n;
} svg_lane_t;

typedef struct svg_bar {
    const char *label;      /* under the bar ("11-18") */
    double v, v2;           /* v2 drawn beside v when the chart has a second series */
} svg_bar_t;

/* The time axis and value axis of a step chart or lanes. */
typedef struct svg_axes {
    const char *title;      /* the chart's accessible name */
    long long t0, t1;       /* the time axis; t1 <= t0: from the points (a day each side for one) */
    double y0, y1;          /* the value axis; y1 <= y0: 0 to the largest value */
    int y_integers;         /* label every whole value from y0 to y1 (levels 1–4) */
} svg_axes_t;

/* A step line through points (sorted by t): each value holds until the
 * next point, the last until the axis's end; a circle per point. */
int svg_steps(buf_t *out, const svg_axes_t *a, const svg_point_t *p, size_t n);

/* A row per lane, a bar over each span where it held. */
int svg_lanes(buf_t *out, const svg_axes_t *a, const svg_lane_t *l, size_t n);

/* Bars in order, with series[0] naming v and series[1] (or NULL) naming
 * v2 (both drawn, side by side, with a legend). */
int svg_bars(buf_t *out, const char *title, const char *const series[2], const svg_bar_t *b,
             size_t n);

#endif
