/* svg.c — the web view's server-side SVG charts (see svg.h): step lines,
 * lanes of held spans and bars, with axes, labels and a readable element
 * per value. */
#include "serve/svg.h"

#include <stdio.h>
#include <string.h>

#include "serve/html.h"
#include "util/clock.h"

#define W 640.0             /* every chart's width (viewBox units) */
#define LEFT 48.0           /* room for the value labels or lane names */
#define RIGHT 14.0
#define TOP 12.0
#define BOTTOM 26.0         /* room for the time labels */
#define STEP_H 180.0
#define LANE_H 22.0
#define BAR_H 170.0
#define DAY 86400LL

/* The plotting area and its scales. */
typedef struct frame {
    double h;               /* the chart's height */
    long long t0, t1;
    double y0, y1;
} frame_t;

static double x_of(const frame_t *f, long long t)
{
    double span = (double)(f->t1 - f->t0);
    double r = span > 0 ? (double)(t - f->t0) / span : 0.5;
    if (r < 0) r = 0;
    if (r > 1) r = 1;
    return LEFT + r * (W - LEFT - RIGHT);
}

static double y_of(const frame_t *f, double v)
{
    double span = f->y1 - f->y0;
    double r = span > 0 ? (v - f->y0) / span : 0;
    return f->h - BOTTOM - r * (f->h - TOP - BOTTOM);
}

static int open_svg(buf_t *out, double h, const char *title)
{
    int rc = buf_printf(out, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
                             "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" "
                             "role=\"img\" aria-label=\"", W, h, W, h);
    rc |= html_text(out, title);
    rc |= buf_puts(out, "\"><title>");
    rc |= html_text(out, title);
    rc |= buf_puts(out, "</title>");
    return rc ? -1 : 0;
}

static int text_at(buf_t *out, double x, double y, const char *anchor, const char *s)
{
    int rc = buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">", x, y, anchor);
    rc |= html_text(out, s);
    rc |= buf_puts(out, "</text>");
    return rc ? -1 : 0;
}

static void date_of(long long t, char out[32])
{
    clock_format_iso((vtime_t)t, out);
    out[10] = '\0';
}

/* The axes' lines and the time axis's labels (its ends and middle). */
static int time_axis(buf_t *out, const frame_t *f)
{
    double base = f->h - BOTTOM;
    int rc = buf_printf(out, "<path class=\"axis\" d=\"M%.1f %.1fV%.1fH%.1f\"/>", LEFT, TOP,
                        base, W - RIGHT);
    char d[32];
    date_of(f->t0, d);
    rc |= text_at(out, LEFT, base + 16, "start", d);
    if (f->t1 - f->t0 >= 2 * DAY) {
        date_of(f->t0 + (f->t1 - f->t0) / 2, d);
        rc |= text_at(out, (LEFT + W - RIGHT) / 2, base + 16, "middle", d);
    }
    date_of(f->t1, d);
    rc |= text_at(out, W - RIGHT, base + 16, "end", d);
    return rc ? -1 : 0;
}

static int value_label(buf_t *out, const frame_t *f, double v)
{
    char s[32];
    snprintf(s, sizeof s, "%g", v);
    double y = y_of(f, v);
    int rc = buf_printf(out, "<path class=\"grid\" d=\"M%.1f %.1fH%.1f\"/>", LEFT, y, W - RIGHT);
    rc |= text_at(out, LEFT - 6, y + 4, "end", s);
    return rc ? -1 : 0;
}

static int value_axis(buf_t *out, const frame_t *f, int integers)
{
    int rc = 0;
    if (integers && f->y1 - f->y0 <= 20) {
        for (double v = f->y0; v <= f->y1; v += 1)
            rc |= value_label(out, f, v);
    } else {
        rc |= value_label(out, f, f->y0);
        rc |= value_label(out, f, f->y1);
    }
    return rc ? -1 : 0;
}

static int no_data(buf_t *out, const frame_t *f)
{
    return text_at(out, (LEFT + W - RIGHT) / 2, (TOP + f->h - BOTTOM) / 2, "middle", "no data");
}

/* The time axis from the axes or, when not given, from the times seen. */
static void time_range(const svg_axes_t *a, long long lo, long long hi, int any, frame_t *f)
{
    if (a->t1 > a->t0) {
        f->t0 = a->t0;
        f->t1 = a->t1;
    } else if (!any) {
        f->t0 = 0;
        f->t1 = DAY;
    } else if (hi - lo < DAY) {
        f->t0 = lo - DAY;
        f->t1 = hi + DAY;
    } else {
        f->t0 = lo;
        f->t1 = hi;
    }
}

static int point(buf_t *out, const frame_t *f, const svg_point_t *p)
{
    char iso[32], v[32];
    clock_format_iso((vtime_t)p->t, iso);
    snprintf(v, sizeof v, "%g", p->v);
    int rc = buf_printf(out, "<circle class=\"pt\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\" "
                             "data-t=\"%s\" data-v=\"%s\"><title>%s: %s", x_of(f, p->t),
                        y_of(f, p->v), iso, v, iso, v);
    if (p->title && *p->title) {
        rc |= buf_puts(out, " — ");
        rc |= html_text(out, p->title);
    }
    rc |= buf_puts(out, "</title></circle>");
    return rc ? -1 : 0;
}

int svg_steps(buf_t *out, const svg_axes_t *a, const svg_point_t *p, size_t n)
{
    frame_t f = {.h = STEP_H, .y0 = a->y0, .y1 = a->y1};
    long long lo = n ? p[0].t : 0, hi = n ? p[n - 1].t : 0;
    double top = 0;
    for (size_t i = 0; i < n; i++)
        if (p[i].v > top)
            top = p[i].v;
    if (f.y1 <= f.y0) {
        f.y0 = 0;
        f.y1 = top > 0 ? top : 1;
    }
    time_range(a, lo, hi, n > 0, &f);
    int rc = open_svg(out, f.h, a->title);
    rc |= value_axis(out, &f, a->y_integers);
    rc |= time_axis(out, &f);
    if (n == 0) {
        rc |= no_data(out, &f);
    } else {
        rc |= buf_printf(out, "<path class=\"step\" d=\"M%.1f %.1f", x_of(&f, p[0].t),
                         y_of(&f, p[0].v));
        for (size_t i = 1; i < n; i++)
            rc |= buf_printf(out, "H%.1fV%.1f", x_of(&f, p[i].t), y_of(&f, p[i].v));
        rc |= buf_printf(out, "H%.1f\"/>", x_of(&f, f.t1));
        for (size_t i = 0; i < n; i++)
            rc |= point(out, &f, &p[i]);
    }
    rc |= buf_puts(out, "</svg>");
    return rc ? -1 : 0;
}

static int span_rect(buf_t *out, const frame_t *f, const char *lane, const svg_span_t *s, double y)
{
    char from[32], to[32];
    clock_format_iso((vtime_t)s->from, from);
    clock_format_iso((vtime_t)s->to, to);
    double x0 = x_of(f, s->from), x1 = x_of(f, s->to);
    int rc = buf_printf(out, "<rect class=\"span\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                             "height=\"%.1f\" data-lane=\"", x0, y + 3, x1 - x0 > 2 ? x1 - x0 : 2,
                        LANE_H - 6);
    rc |= html_text(out, lane);
    rc |= buf_printf(out, "\" data-from=\"%s\" data-to=\"%s\"><title>", from, to);
    rc |= html_text(out, lane);
    rc |= buf_printf(out, ": %s – %s</title></rect>", from, to);
    return rc ? -1 : 0;
}

int svg_lanes(buf_t *out, const svg_axes_t *a, const svg_lane_t *l, size_t n)
{
    frame_t f = {.h = TOP + BOTTOM + LANE_H * (double)(n ? n : 1)};
    long long lo = 0, hi = 0;
    int any = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < l[i].n; j++) {
            if (!any || l[i].spans[j].from < lo) lo = l[i].spans[j].from;
            if (!any || l[i].spans[j].to > hi) hi = l[i].spans[j].to;
            any = 1;
        }
    time_range(a, lo, hi, any, &f);
    int rc = open_svg(out, f.h, a->title);
    rc |= time_axis(out, &f);
    if (n == 0)
        rc |= no_data(out, &f);
    for (size_t i = 0; i < n; i++) {
        double y = TOP + LANE_H * (double)i;
        rc |= text_at(out, LEFT - 6, y + LANE_H / 2 + 4, "end", l[i].label);
        for (size_t j = 0; j < l[i].n; j++)
            rc |= span_rect(out, &f, l[i].label, &l[i].spans[j], y);
    }
    rc |= buf_puts(out, "</svg>");
    return rc ? -1 : 0;
}

static int bar(buf_t *out, const frame_t *f, const char *cls, const char *label, double v,
               double x, double w)
{
    char s[32];
    snprintf(s, sizeof s, "%g", v);
    double y = y_of(f, v), base = f->h - BOTTOM;
    int rc = buf_printf(out, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                             "height=\"%.1f\" data-label=\"", cls, x, y, w, base - y);
    rc |= html_text(out, label);
    rc |= buf_printf(out, "\" data-v=\"%s\"><title>", s);
    rc |= html_text(out, label);
    rc |= buf_printf(out, ": %s</title></rect>", s);
    return rc ? -1 : 0;
}

static int legend(buf_t *out, const char *const series[2])
{
    int rc = 0;
    for (int i = 0; i < 2 && series[i]; i++) {
        double x = LEFT + 8 + 140 * i;
        rc |= buf_printf(out, "<rect class=\"%s\" x=\"%.1f\" y=\"4\" width=\"10\" height=\"10\"/>",
                         i ? "bar bar2" : "bar", x);
        rc |= text_at(out, x + 14, 13, "start", series[i]);
    }
    return rc ? -1 : 0;
}

int svg_bars(buf_t *out, const char *title, const char *const series[2], const svg_bar_t *b,
             size_t n)
{
    frame_t f = {.h = BAR_H, .y0 = 0, .y1 = 1};
    int two = series && series[1];
    for (size_t i = 0; i < n; i++) {
        if (b[i].v > f.y1) f.y1 = b[i].v;
        if (two && b[i].v2 > f.y1) f.y1 = b[i].v2;
    }
    int rc = open_svg(out, f.h, title);
    rc |= value_axis(out, &f, 1);
    rc |= buf_printf(out, "<path class=\"axis\" d=\"M%.1f %.1fV%.1fH%.1f\"/>", LEFT, TOP,
                     f.h - BOTTOM, W - RIGHT);
    if (series)
        rc |= legend(out, series);
    if (n == 0)
        rc |= no_data(out, &f);
    double slot = n ? (W - LEFT - RIGHT) / (double)n : 0, w = slot * (two ? 0.4 : 0.7);
    for (size_t i = 0; i < n; i++) {
        double x = LEFT + slot * (double)i + slot * 0.1;
        rc |= bar(out, &f, "bar", b[i].label, b[i].v, x, w);
        if (two)
            rc |= bar(out, &f, "bar bar2", b[i].label, b[i].v2, x + w, w);
        rc |= text_at(out, LEFT + slot * ((double)i + 0.5), f.h - BOTTOM + 16, "middle",
                      b[i].label);
    }
    rc |= buf_puts(out, "</svg>");
    return rc ? -1 : 0;
}
