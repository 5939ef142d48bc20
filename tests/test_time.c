/* test_time.c — vane.time (lib_time.c) as scripts call it: parse, epoch,
 * format, duration and now, with nil (never an error) for bad input. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "util/clock.h"
#include "sandbox/sandbox.h"
#include "lib/vanelib.h"
#include "luatest.h"

static int teardown(void **state)
{
    clock_set_now(0);
    return luatest_teardown(state);
}

/* src must run without error; it uses eq(got, want). */
static void expect_ok(sandbox_t *sb, const char *src)
{
    static const char prelude[] =
        "local function eq(got, want)\n"
        "  if got ~= want or math.type(got) ~= math.type(want) then\n"
        "    error(('got %s (%s), want %s (%s)'):format(tostring(got), math.type(got) or type(got),\n"
        "          tostring(want), math.type(want) or type(want)), 2)\n"
        "  end\n"
        "end\n";
    err_t e = { "" };
    if (luatest_run(sb, prelude, NULL, 0, NULL, src, &e) != 0)
        fail_msg("%s\n-> %s", src, e.msg);
}

static void parse_gives_utc_iso_or_nil(void **state)
{
    expect_ok(*state,
              "eq(vane.time.parse('Wed, 27 Nov 2024 10:00:00 -0500'), '2024-11-27T15:00:00Z')\n"
              "eq(vane.time.parse('2024-11-26T19:00:00-05:00'), '2024-11-27T00:00:00Z')\n"
              "eq(vane.time.parse('20241203T101500Z'), '2024-12-03T10:15:00Z')\n"
              "eq(vane.time.parse(' 2024/11/29 '), '2024-11-29T00:00:00Z')\n"
              "eq(vane.time.parse('Thu, 31 Nov 2024'), nil)\n"
              "eq(vane.time.parse(''), nil)\n"
              "eq(vane.time.parse(nil), nil)\n"
              "eq(vane.time.parse(20241127), nil)\n"
              "eq(vane.time.parse({}), nil)\n");
}

static void parse_reads_dates_as_pages_write_them(void **state)
{
    expect_ok(*state,
              "eq(vane.time.parse('11/18/2024'), '2024-11-18T00:00:00Z')\n"
              "eq(vane.time.parse('Nov. 18, 2024'), '2024-11-18T00:00:00Z')\n"
              "eq(vane.time.parse('18 November 2024'), '2024-11-18T00:00:00Z')\n"
              "eq(vane.time.parse('2024年11月18日'), '2024-11-18T00:00:00Z')\n"
              "eq(vane.time.parse('2024-11-18 10:30', { zone = 'America/New_York' }), '2024-11-18T15:30:00Z')\n"
              "eq(vane.time.parse('2024-11-18 10:30', { zone = '+08:00' }), '2024-11-18T02:30:00Z')\n"
              "eq(vane.time.parse('03/04/2024', { order = 'dmy' }), '2024-04-03T00:00:00Z')\n"
              "eq(vane.time.parse('03/04/2024', { order = 'mdy' }), '2024-03-04T00:00:00Z')\n"
              "eq(vane.time.epoch('03/04/2024', { order = 'mdy', zone = 'UTC' }), 1709510400)\n"
              "local t, why = vane.time.parse('03/04/2024')\n"
              "eq(t, nil) assert(why:find('ambiguous') and why:find('order'), why)\n"
              "t, why = vane.time.parse('the day after')\n"
              "eq(t, nil) eq(why, 'not a date in a form vane knows')\n"
              "t, why = vane.time.epoch(nil) eq(t, nil) eq(why, 'not a date: a nil')\n"
              "local ok, err = pcall(vane.time.parse, '2024-11-18', { zone = 'Asia/Bejing' })\n"
              "assert(not ok and err:find(\"unknown time zone 'Asia/Bejing'\"), err)\n"
              "ok, err = pcall(vane.time.parse, '2024-11-18', { order = 'ymd' })\n"
              "assert(not ok and err:find('order must be'), err)\n"
              "ok, err = pcall(vane.time.parse, '2024-11-18', 'mdy')\n"
              "assert(not ok)\n");
}

static void epoch_gives_integer_seconds(void **state)
{
    expect_ok(*state,
              "eq(vane.time.epoch('2024-11-27T10:00:00Z'), 1732701600)\n"
              "eq(vane.time.epoch('1969-12-31T23:59:59Z'), -1)\n"
              "eq(vane.time.epoch('25:61'), nil)\n"
              "eq(vane.time.epoch(false), nil)\n");
}

static void format_takes_seconds_or_dates(void **state)
{
    expect_ok(*state,
              "eq(vane.time.format(1732701600), '2024-11-27T10:00:00Z')\n"
              "eq(vane.time.format(1732701600.0), '2024-11-27T10:00:00Z')\n"
              "eq(vane.time.format('Wed, 27 Nov 2024 05:00:00 EST', '%d %B %Y %H:%M %Z'), '27 November 2024 10:00 UTC')\n"
              "eq(vane.time.format(0, '%a %F'), 'Thu 1970-01-01')\n"
              "eq(vane.time.format(1.5), nil)\n"
              "eq(vane.time.format('not a date'), nil)\n"
              "eq(vane.time.format(nil), nil)\n"
              "eq(vane.time.format(1e300), nil)\n"
              "eq(vane.time.format(math.maxinteger), nil)\n"
              "eq(vane.time.format(0, ('%Y'):rep(100)), nil)\n");
}

static void duration_reads_units(void **state)
{
    expect_ok(*state,
              "eq(vane.time.duration('7d'), 604800)\n"
              "eq(vane.time.duration('1h30m'), 5400)\n"
              "eq(vane.time.duration('30'), 30)\n"
              "eq(vane.time.duration('soon'), nil)\n"
              "eq(vane.time.duration(7), nil)\n");
}

static void now_is_the_run_clock(void **state)
{
    clock_set_now(1732701600);
    expect_ok(*state, "eq(vane.time.now(), 1732701600)\n"
                      "eq(vane.time.format(vane.time.now()), '2024-11-27T10:00:00Z')\n");
    clock_set_now(0);
    expect_ok(*state, "assert(vane.time.now() > 1700000000)\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(parse_gives_utc_iso_or_nil, luatest_setup, teardown),
        cmocka_unit_test_setup_teardown(parse_reads_dates_as_pages_write_them, luatest_setup, teardown),
        cmocka_unit_test_setup_teardown(epoch_gives_integer_seconds, luatest_setup, teardown),
        cmocka_unit_test_setup_teardown(format_takes_seconds_or_dates, luatest_setup, teardown),
        cmocka_unit_test_setup_teardown(duration_reads_units, luatest_setup, teardown),
        cmocka_unit_test_setup_teardown(now_is_the_run_clock, luatest_setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
