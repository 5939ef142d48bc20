/* test_quiet.c — quiet hours (alert/quiet.h): parsing windows, known and
 * unknown zones, windows crossing midnight, their edges, and local time
 * across daylight saving changes (Europe/Paris, America/New_York), and the
 * process's own TZ left as it was. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "alert/quiet.h"
#include "util/clock.h"

static vtime_t at(const char *iso)
{
    vtime_t t;
    assert_int_equal(clock_parse_iso(iso, &t), 0);
    return t;
}

static void windows_parse_and_bad_ones_are_refused(void **state)
{
    (void)state;
    quiet_window_t w;
    assert_int_equal(quiet_window_parse("22:00-07:00", &w), 0);
    assert_int_equal(w.start, 22 * 60);
    assert_int_equal(w.end, 7 * 60);
    assert_int_equal(quiet_window_parse(" 12:30 - 13:45 ", &w), 0);
    assert_int_equal(w.start, 12 * 60 + 30);
    assert_int_equal(w.end, 13 * 60 + 45);
    assert_int_equal(quiet_window_parse("00:00-24:00", &w), -1); /* the whole day: 0 = 24:00 */
    assert_int_equal(quiet_window_parse("18:00-24:00", &w), 0);
    assert_int_equal(w.end, 24 * 60);
    const char *bad[] = {"", "22:00", "25:00-07:00", "22:60-07:00", "7:00-8:00", "22:00-07:00x",
                         "24:00-07:00", "10:00-10:00", "22h-07h", "22:00-24:01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(quiet_window_parse(bad[i], &w), -1);
}

static void zones_are_known_by_the_tz_database(void **state)
{
    (void)state;
    assert_true(quiet_zone_known("UTC"));
    assert_true(quiet_zone_known("Asia/Shanghai"));
    assert_true(quiet_zone_known("Europe/Paris"));
    assert_false(quiet_zone_known("Mars/Olympus_Mons"));
    assert_false(quiet_zone_known("../etc/passwd"));
    assert_false(quiet_zone_known("/etc/passwd"));
    assert_false(quiet_zone_known("Europe"));   /* a folder, not a TZif file */
    assert_false(quiet_zone_known(""));
}

static void a_window_crossing_midnight_and_its_edges(void **state)
{
    (void)state;
    quiet_window_t w = {22 * 60, 7 * 60};
    quiet_t q = {&w, 1, "UTC"};
    vtime_t until = 0;
    assert_false(quiet_active(&q, at("2024-11-20T21:59:59Z"), &until));
    assert_true(quiet_active(&q, at("2024-11-20T22:00:00Z"), &until)); /* start included */
    assert_int_equal(until, at("2024-11-21T07:00:00Z"));
    assert_true(quiet_active(&q, at("2024-11-20T23:59:00Z"), &until));
    assert_int_equal(until, at("2024-11-21T07:00:00Z"));
    assert_true(quiet_active(&q, at("2024-11-21T00:00:00Z"), &until));
    assert_int_equal(until, at("2024-11-21T07:00:00Z"));
    assert_true(quiet_active(&q, at("2024-11-21T06:59:59Z"), &until));
    assert_int_equal(until, at("2024-11-21T07:00:00Z"));
    assert_false(quiet_active(&q, at("2024-11-21T07:00:00Z"), &until)); /* end excluded */
    assert_false(quiet_active(&q, at("2024-11-21T12:00:00Z"), &until));
}

static void a_zone_moves_the_window_and_several_windows_count(void **state)
{
    (void)state;
    quiet_window_t w[] = {{22 * 60, 7 * 60}, {12 * 60, 13 * 60}};
    quiet_t q = {w, 2, "Asia/Shanghai"}; /* UTC+8, no DST */
    vtime_t until = 0;
    /* 15:00Z is 23:00 in Shanghai */
    assert_true(quiet_active(&q, at("2024-11-20T15:00:00Z"), &until));
    assert_int_equal(until, at("2024-11-20T23:00:00Z")); /* 07:00 next day, local */
    char text[96];
    quiet_until_text(&q, until, text);
    assert_string_equal(text, "07:00 Asia/Shanghai");
    assert_false(quiet_active(&q, at("2024-11-20T13:00:00Z"), &until)); /* 21:00 local */
    assert_true(quiet_active(&q, at("2024-11-20T04:30:00Z"), &until));  /* 12:30 local */
    assert_int_equal(until, at("2024-11-20T05:00:00Z"));
}

static void windows_that_touch_or_overlap_make_one_stretch(void **state)
{
    (void)state;
    quiet_window_t w[] = {{22 * 60, 2 * 60}, {1 * 60, 5 * 60}, {5 * 60, 7 * 60}};
    quiet_t q = {w, 3, "UTC"};
    vtime_t until = 0;
    assert_true(quiet_active(&q, at("2024-11-20T23:00:00Z"), &until));
    assert_int_equal(until, at("2024-11-21T07:00:00Z"));
    assert_true(quiet_active(&q, at("2024-11-21T04:00:00Z"), &until));
    assert_int_equal(until, at("2024-11-21T07:00:00Z"));
}

static void local_time_follows_daylight_saving(void **state)
{
    (void)state;
    quiet_window_t w = {22 * 60, 7 * 60};
    quiet_t q = {&w, 1, "Europe/Paris"};
    vtime_t until = 0;
    /* winter, UTC+1: 21:30Z is 22:30 local */
    assert_true(quiet_active(&q, at("2024-01-15T21:30:00Z"), &until));
    assert_int_equal(until, at("2024-01-16T06:00:00Z"));
    /* summer, UTC+2: 20:30Z is 22:30 local; 21:30Z in winter terms would be wrong */
    assert_true(quiet_active(&q, at("2024-07-15T20:30:00Z"), &until));
    assert_int_equal(until, at("2024-07-16T05:00:00Z"));
    assert_false(quiet_active(&q, at("2024-07-15T19:30:00Z"), &until)); /* 21:30 local */
    /* the night clocks go forward (31 March 2024, 02:00 -> 03:00): the
     * window still ends at 07:00 local, now UTC+2 */
    assert_true(quiet_active(&q, at("2024-03-30T22:00:00Z"), &until)); /* 23:00 local */
    assert_int_equal(until, at("2024-03-31T05:00:00Z"));
    /* the night they go back (27 October 2024, 03:00 -> 02:00): ends 07:00 UTC+1 */
    assert_true(quiet_active(&q, at("2024-10-26T21:00:00Z"), &until)); /* 23:00 local */
    assert_int_equal(until, at("2024-10-27T06:00:00Z"));
    char text[96];
    quiet_until_text(&q, until, text);
    assert_string_equal(text, "07:00 Europe/Paris");
}

static void a_window_ending_in_a_skipped_hour(void **state)
{
    (void)state;
    /* 02:30 does not exist in New York on 10 March 2024: the window ends
     * when the clock jumps, never before the time asked about */
    quiet_window_t w = {23 * 60, 2 * 60 + 30};
    quiet_t q = {&w, 1, "America/New_York"};
    vtime_t until = 0, t = at("2024-03-10T06:30:00Z"); /* 01:30 EST */
    assert_true(quiet_active(&q, t, &until));
    assert_true(until > t);
    assert_true(until <= at("2024-03-10T07:30:00Z"));
}

static void the_process_tz_is_left_as_it_was(void **state)
{
    (void)state;
    quiet_window_t w = {22 * 60, 7 * 60};
    quiet_t q = {&w, 1, "Asia/Shanghai"};
    vtime_t until;
    setenv("TZ", "America/New_York", 1);
    quiet_active(&q, at("2024-11-20T15:00:00Z"), &until);
    assert_string_equal(getenv("TZ"), "America/New_York");
    unsetenv("TZ");
    quiet_active(&q, at("2024-11-20T15:00:00Z"), &until);
    assert_null(getenv("TZ"));
}

static void no_windows_is_never_quiet(void **state)
{
    (void)state;
    vtime_t until = 0;
    assert_false(quiet_active(NULL, at("2024-11-20T23:00:00Z"), &until));
    quiet_t q = {NULL, 0, "UTC"};
    assert_false(quiet_active(&q, at("2024-11-20T23:00:00Z"), &until));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(windows_parse_and_bad_ones_are_refused),
        cmocka_unit_test(zones_are_known_by_the_tz_database),
        cmocka_unit_test(a_window_crossing_midnight_and_its_edges),
        cmocka_unit_test(a_zone_moves_the_window_and_several_windows_count),
        cmocka_unit_test(windows_that_touch_or_overlap_make_one_stretch),
        cmocka_unit_test(local_time_follows_daylight_saving),
        cmocka_unit_test(a_window_ending_in_a_skipped_hour),
        cmocka_unit_test(the_process_tz_is_left_as_it_was),
        cmocka_unit_test(no_windows_is_never_quiet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
