/* test_svg.c — the web view's SVG charts (serve/svg.h): a step chart has
 * a circle per point carrying its time and value and a path that holds
 * each value until the next point; lanes a rect per held span; bars a rect
 * per value (two series side by side); every text is escaped; an empty
 * series draws the axes and "no data"; one point gets a time axis around
 * it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "serve/svg.h"
#include "util/clock.h"

#define T0 1732143600LL   /* 2024-11-20T23:00:00Z */
#define DAY 86400LL

static size_t count(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* The value of attribute `name` on the k-th element that starts with
 * `start`, into out. */
static void attr_of(const char *s, const char *start, size_t k, const char *name, char *out,
                    size_t cap)
{
    const char *p = strstr(s, start);
    for (size_t i = 0; p && i < k; i++)
        p = strstr(p + 1, start);
    assert_non_null(p);
    const char *end = strchr(p, '>');
    char key[64];
    snprintf(key, sizeof key, " %s=\"", name);
    const char *a = strstr(p, key);
    assert_true(a && a < end);
    a += strlen(key);
    size_t n = strcspn(a, "\"");
    assert_true(n < cap);
    memcpy(out, a, n);
    out[n] = '\0';
}

static void well_formed_ends(const char *s)
{
    assert_true(strncmp(s, "<svg class=\"chart\"", 18) == 0);
    assert_true(strlen(s) > 6 && strcmp(s + strlen(s) - 6, "</svg>") == 0);
    assert_null(strstr(s, "style="));
    assert_null(strstr(s, "<script"));
}

static void step_chart_has_a_point_per_version_and_steps_between(void **state)
{
    (void)state;
    svg_point_t p[] = {{T0, 2, "Level 2"}, {T0 + 2 * DAY, 3, "Level 3"},
                       {T0 + 7 * DAY, 2, "Level 2 again"}};
    svg_axes_t a = {.title = "China: level", .t1 = T0 + 10 * DAY, .t0 = T0, .y0 = 1, .y1 = 4,
                    .y_integers = 1};
    buf_t b = {0};
    assert_int_equal(svg_steps(&b, &a, p, 3), 0);
    const char *s = buf_str(&b);
    well_formed_ends(s);
    assert_int_equal(count(s, "<circle class=\"pt\""), 3);
    char v[64];
    const char *want[] = {"2", "3", "2"};
    const char *when[] = {"2024-11-20T23:00:00Z", "2024-11-22T23:00:00Z", "2024-11-27T23:00:00Z"};
    for (size_t i = 0; i < 3; i++) {
        attr_of(s, "<circle class=\"pt\"", i, "data-v", v, sizeof v);
        assert_string_equal(v, want[i]);
        attr_of(s, "<circle class=\"pt\"", i, "data-t", v, sizeof v);
        assert_string_equal(v, when[i]);
    }
    /* the path: start at the first point, then a horizontal and a vertical
     * move per later point, and a last horizontal to the axis's end */
    attr_of(s, "<path class=\"step\"", 0, "d", v, sizeof v);
    assert_int_equal(count(v, "H"), 3);
    assert_int_equal(count(v, "V"), 2);
    /* level 3 is drawn higher (smaller y) than level 2 */
    char y2[16], y3[16];
    attr_of(s, "<circle class=\"pt\"", 0, "cy", y2, sizeof y2);
    attr_of(s, "<circle class=\"pt\"", 1, "cy", y3, sizeof y3);
    double dy2, dy3;
    assert_int_equal(sscanf(y2, "%lf", &dy2), 1);
    assert_int_equal(sscanf(y3, "%lf", &dy3), 1);
    assert_true(dy3 < dy2);
    /* every level 1–4 is labelled, and the time axis has its dates */
    for (int l = 1; l <= 4; l++) {
        char t[64];
        snprintf(t, sizeof t, "text-anchor=\"end\">%d</text>", l);
        assert_non_null(strstr(s, t));
    }
    assert_non_null(strstr(s, ">2024-11-20</text>"));
    assert_non_null(strstr(s, ">2024-11-30</text>"));
    assert_non_null(strstr(s, "Level 2 again</title>"));
    buf_free(&b);
}

static void every_text_is_escaped(void **state)
{
    (void)state;
    svg_point_t p[] = {{T0, 1, "<script>alert(1)</script> & \"x\""}};
    svg_axes_t a = {.title = "a<b \"c\" & 'd'"};
    buf_t b = {0};
    assert_int_equal(svg_steps(&b, &a, p, 1), 0);
    const char *s = buf_str(&b);
    well_formed_ends(s);
    assert_null(strstr(s, "<script>"));
    assert_non_null(strstr(s, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"));
    assert_non_null(strstr(s, "aria-label=\"a&lt;b &quot;c&quot; &amp; &#39;d&#39;\""));
    buf_free(&b);

    svg_span_t sp[] = {{T0, T0 + DAY}};
    svg_lane_t l[] = {{"K\"><x>", sp, 1}};
    assert_int_equal(svg_lanes(&b, &a, l, 1), 0);
    assert_null(strstr(buf_str(&b), "<x>"));
    assert_non_null(strstr(buf_str(&b), "data-lane=\"K&quot;&gt;&lt;x&gt;\""));
    buf_free(&b);

    svg_bar_t bars[] = {{"<w1>", 2, 0}};
    const char *series[2] = {"flags & co", NULL};
    assert_int_equal(svg_bars(&b, "<t>", series, bars, 1), 0);
    assert_null(strstr(buf_str(&b), "<w1>"));
    assert_null(strstr(buf_str(&b), "<t>"));
    assert_non_null(strstr(buf_str(&b), "data-label=\"&lt;w1&gt;\" data-v=\"2\""));
    assert_non_null(strstr(buf_str(&b), ">flags &amp; co</text>"));
    buf_free(&b);
}

static void empty_series_draw_axes_and_say_no_data(void **state)
{
    (void)state;
    svg_axes_t a = {.title = "nothing", .y0 = 1, .y1 = 4, .y_integers = 1};
    buf_t b = {0};
    assert_int_equal(svg_steps(&b, &a, NULL, 0), 0);
    well_formed_ends(buf_str(&b));
    assert_non_null(strstr(buf_str(&b), ">no data</text>"));
    assert_non_null(strstr(buf_str(&b), "class=\"axis\""));
    assert_int_equal(count(buf_str(&b), "class=\"pt\""), 0);
    assert_null(strstr(buf_str(&b), "class=\"step\""));
    buf_free(&b);
    assert_int_equal(svg_lanes(&b, &a, NULL, 0), 0);
    well_formed_ends(buf_str(&b));
    assert_non_null(strstr(buf_str(&b), ">no data</text>"));
    buf_free(&b);
    assert_int_equal(svg_bars(&b, "none", NULL, NULL, 0), 0);
    well_formed_ends(buf_str(&b));
    assert_non_null(strstr(buf_str(&b), ">no data</text>"));
    assert_int_equal(count(buf_str(&b), "class=\"bar\""), 0);
    buf_free(&b);
}

static void one_point_gets_a_day_each_side(void **state)
{
    (void)state;
    svg_point_t p[] = {{T0, 3, NULL}};
    svg_axes_t a = {.title = "one", .y0 = 1, .y1 = 4, .y_integers = 1};
    buf_t b = {0};
    assert_int_equal(svg_steps(&b, &a, p, 1), 0);
    const char *s = buf_str(&b);
    assert_int_equal(count(s, "<circle class=\"pt\""), 1);
    char cx[16];
    attr_of(s, "<circle class=\"pt\"", 0, "cx", cx, sizeof cx);
    double x;
    assert_int_equal(sscanf(cx, "%lf", &x), 1);
    assert_true(x > 300 && x < 380);   /* in the middle of the axis, not at an end */
    assert_non_null(strstr(s, ">2024-11-19</text>"));
    assert_non_null(strstr(s, ">2024-11-21</text>"));
    assert_non_null(strstr(s, "data-v=\"3\"><title>2024-11-20T23:00:00Z: 3</title>"));
    buf_free(&b);
}

static void lanes_have_a_rect_per_span(void **state)
{
    (void)state;
    svg_span_t k[] = {{T0, T0 + DAY}, {T0 + 3 * DAY, T0 + 5 * DAY}};
    svg_span_t c[] = {{T0, T0 + 5 * DAY}};
    svg_lane_t l[] = {{"K", k, 2}, {"C", c, 1}, {"T", NULL, 0}};
    svg_axes_t a = {.title = "indicators"};
    buf_t b = {0};
    assert_int_equal(svg_lanes(&b, &a, l, 3), 0);
    const char *s = buf_str(&b);
    well_formed_ends(s);
    assert_int_equal(count(s, "<rect class=\"span\""), 3);
    assert_int_equal(count(s, "data-lane=\"K\""), 2);
    assert_int_equal(count(s, "data-lane=\"T\""), 0);
    assert_non_null(strstr(s, ">T</text>"));   /* a lane that never held still has its row */
    char v[64];
    attr_of(s, "<rect class=\"span\"", 1, "data-from", v, sizeof v);
    assert_string_equal(v, "2024-11-23T23:00:00Z");
    attr_of(s, "<rect class=\"span\"", 1, "data-to", v, sizeof v);
    assert_string_equal(v, "2024-11-25T23:00:00Z");
    buf_free(&b);
}

static void bars_scale_to_the_largest_and_two_series_sit_side_by_side(void **state)
{
    (void)state;
    svg_bar_t bars[] = {{"11-04", 0, 1}, {"11-11", 4, 0}, {"11-18", 2, 2}};
    const char *series[2] = {"changes", "fetches"};
    buf_t b = {0};
    assert_int_equal(svg_bars(&b, "per day", series, bars, 3), 0);
    const char *s = buf_str(&b);
    well_formed_ends(s);
    assert_int_equal(count(s, "<rect class=\"bar\" x="), 3 + 1);        /* + the legend's */
    assert_int_equal(count(s, "<rect class=\"bar bar2\" x="), 3 + 1);
    char h4[16], h2[16], v[16];
    attr_of(s, "<rect class=\"bar\" x=", 2, "height", h4, sizeof h4);
    attr_of(s, "<rect class=\"bar\" x=", 3, "height", h2, sizeof h2);
    double a4, a2;
    assert_int_equal(sscanf(h4, "%lf", &a4), 1);
    assert_int_equal(sscanf(h2, "%lf", &a2), 1);
    assert_true(a4 > 100 && a4 < 140);
    assert_true(a2 > a4 / 2 - 1 && a2 < a4 / 2 + 1);
    attr_of(s, "<rect class=\"bar\" x=", 1, "data-v", v, sizeof v);
    assert_string_equal(v, "0");
    assert_non_null(strstr(s, ">4</text>"));   /* the axis's top */
    assert_non_null(strstr(s, ">11-18</text>"));
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(step_chart_has_a_point_per_version_and_steps_between),
        cmocka_unit_test(every_text_is_escaped),
        cmocka_unit_test(empty_series_draw_axes_and_say_no_data),
        cmocka_unit_test(one_point_gets_a_day_each_side),
        cmocka_unit_test(lanes_have_a_rect_per_span),
        cmocka_unit_test(bars_scale_to_the_largest_and_two_series_sit_side_by_side),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
