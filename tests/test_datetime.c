/* test_datetime.c — datetime.c: the date forms feeds use, each read to the
 * exact second, the texts that must be refused, and formatting in UTC. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "util/datetime.h"

/* 2024-11-27T10:00:00Z and 2024-11-27T00:00:00Z */
#define NOV27_10 1732701600LL
#define NOV27 1732665600LL
/* 2024-11-18T00:00:00Z: the dates as real pages write them */
#define NOV18 1731888000LL

static const struct {
    const char *text;
    long long epoch;
} accepted[] = {
    /* RFC 822 / 1123 / 2822 */
    {"Wed, 27 Nov 2024 10:00:00 GMT", NOV27_10},
    {"Wed, 27 Nov 2024 10:00:00 +0000", NOV27_10},
    {"Wed, 27 Nov 2024 10:00:00 -0000", NOV27_10},
    {"Wed, 27 Nov 2024 10:00:00 UT", NOV27_10},
    {"Wed, 27 Nov 2024 10:00:00 UTC", NOV27_10},
    {"Wed, 27 Nov 2024 10:00:00 Z", NOV27_10},
    {"Wed, 27 Nov 2024 10:00:00 -0500", NOV27_10 + 5 * 3600},
    {"Wed, 27 Nov 2024 10:00:00 +0530", NOV27_10 - 5 * 3600 - 30 * 60},
    {"Wed, 27 Nov 2024 10:00:00 +05:30", NOV27_10 - 5 * 3600 - 30 * 60},
    {"Wed, 27 Nov 2024 10:00:00 EST", NOV27_10 + 5 * 3600},
    {"Wed, 27 Nov 2024 10:00:00 EDT", NOV27_10 + 4 * 3600},
    {"Wed, 27 Nov 2024 10:00:00 CST", NOV27_10 + 6 * 3600},
    {"Wed, 27 Nov 2024 10:00:00 CDT", NOV27_10 + 5 * 3600},
    {"Wed, 27 Nov 2024 10:00:00 MST", NOV27_10 + 7 * 3600},
    {"Wed, 27 Nov 2024 10:00:00 MDT", NOV27_10 + 6 * 3600},
    {"Wed, 27 Nov 2024 10:00:00 PST", NOV27_10 + 8 * 3600},
    {"Wed, 27 Nov 2024 10:00:00 PDT", NOV27_10 + 7 * 3600},
    {"Wed, 27 Nov 2024 10:00:00 gmt", NOV27_10},
    {"Wed, 27 Nov 2024 10:00:00 GMT+08:00", NOV27_10 - 8 * 3600},
    {"Wed, 27 Nov 2024 10:00:00 A", NOV27_10},          /* military: -0000 */
    {"Wed, 27 Nov 2024 10:00:00 +0000 (UTC)", NOV27_10},
    {"Wed, 27 Nov 2024 10:00:00", NOV27_10},            /* no zone: UTC */
    {"27 Nov 2024 10:00:00 GMT", NOV27_10},             /* no weekday */
    {"Wednesday, 27 Nov 2024 10:00:00 GMT", NOV27_10},
    {"Wed, 27 November 2024 10:00:00 GMT", NOV27_10},   /* full month */
    {"Wed, 27 nov 2024 10:00:00 GMT", NOV27_10},
    {"Wed,27 Nov 2024 10:00:00 GMT", NOV27_10},
    {"Wed, 27 Nov 2024 10:00 GMT", NOV27_10},           /* no seconds */
    {"Wed, 27 Nov 2024 9:05 GMT", NOV27 + 9 * 3600 + 5 * 60},
    {"Wed, 27 Nov 2024", NOV27},                        /* no time: midnight UTC */
    {"Wed, 27 Nov 2024 GMT", NOV27},
    {"Wed, 7 Nov 2024", NOV27 - 20 * 86400},
    {"Wed, 27 Nov 24 10:00:00 GMT", NOV27_10},          /* two-digit years */
    {"Fri, 31 Dec 99 23:59:59 GMT", 946684799},
    {"1 Jan 50", -631152000},
    {"1 Jun 49", 2506118400LL},
    {"27-Nov-2024 10:00:00", NOV27_10},
    {"Thu, 29 Feb 2024 12:00:00 GMT", 1709208000},
    {"Tue, 03 Dec 2024 16:22:47 GMT", 1733242967},
    {"Mon, 18 Nov 2024 21:55:40 +0000", 1731966940},
    {"Tue, 07 Oct 2025 21:08:05 GMT", 1759871285},
    {"Wed, 27 Nov 2024 23:59:60 GMT", NOV27 + 86400},   /* a leap second */
    /* US style */
    {"Nov 27, 2024", NOV27},
    {"November 27, 2024 10:00 EST", NOV27_10 + 5 * 3600},
    /* RFC 3339 / ISO 8601 */
    {"2024-11-26T19:00:00-05:00", NOV27},
    {"2024-11-26T19:00:00-0500", NOV27},
    {"2024-11-27T10:00:00Z", NOV27_10},
    {"2024-11-27t10:00:00z", NOV27_10},
    {"2024-11-27T10:00:00.123Z", NOV27_10},
    {"2024-11-27T10:00:00,5+00:00", NOV27_10},
    {"2024-11-27T15:30:00+05:30", NOV27_10},
    {"2024-11-27T10:00:00", NOV27_10},                  /* no zone: UTC */
    {"2024-11-27T10:00", NOV27_10},
    {"2024-11-27 10:00:00", NOV27_10},
    {"2024-11-27 10:00:00 UTC", NOV27_10},
    {"2024-11-27T12:00:00+02", NOV27_10},
    {"2024-11-19T14:00:00-05:00", 1732042800},
    {"2024-11-27", NOV27},
    {"2000-02-29", 951782400},
    {"1970-01-01T00:00:00Z", 0},
    {"1969-12-31T23:59:59Z", -1},
    {"0001-01-01T00:00:00Z", -62135596800LL},
    {"9999-12-31T23:59:59Z", 253402300799LL},
    /* compact (GDELT) and slashes */
    {"20241203T101500Z", 1733220900},
    {"20241203T1015Z", 1733220900},
    {"20241127", NOV27},
    {"2024/11/29", 1732838400},
    {"2024/11/27 10:00:00", NOV27_10},
    {"2024/1/5", 1704412800},
    /* as pages write them: numeric (the order a day above 12 shows),
     * written-out months, Chinese, a 12-hour clock */
    {"11/18/2024", NOV18},
    {"18/11/2024", NOV18},
    {"18.11.2024", NOV18},
    {"11-18-2024", NOV18},
    {"11/18/24", NOV18},
    {"3/3/2024", 1709424000},                         /* day = month: no doubt */
    {"11/18/2024 10:30", NOV18 + 37800},
    {"11/18/2024 10:30 PM", NOV18 + 81000},
    {"11/18/2024 10:30 pm EST", NOV18 + 81000 + 5 * 3600},
    {"November 18, 2024", NOV18},
    {"Nov. 18, 2024", NOV18},
    {"Nov 18, 2024 10:30 a.m. EST", NOV18 + 37800 + 5 * 3600},
    {"Nov 18, 2024 12:05 AM", NOV18 + 300},
    {"Nov 18, 2024 12:05 PM", NOV18 + 43500},
    {"18 November 2024", NOV18},
    {"2024年11月18日", NOV18},
    {"2024 年 11 月 18 日", NOV18},
    {"2024年1月5日", 1704412800},
    {"2024年11月18日 10:30", NOV18 + 37800},
    {"2024-11-18 10:30", NOV18 + 37800},
    /* white space around */
    {"  Wed, 27 Nov 2024 10:00:00 GMT\n", NOV27_10},
    {"\t2024-11-27 \r\n", NOV27},
};

static const char *const rejected[] = {
    "",
    "   ",
    "Thu, 31 Nov 2024",                /* no 31 November */
    "Fri, 29 Feb 2023",                /* not a leap year */
    "Tue, 03 Dec 2024 25:61:00 GMT",
    "Tue, 03 Dec 2024 23:60:00 GMT",
    "Tue, 03 Dec 2024 10:00:61 GMT",
    "2024-12-03T25:61:00Z",
    "2024-13-45",
    "2024-00-10",
    "2024-11-00",
    "0000-01-01",
    "2024-11-27T10:00:00+19:00",       /* offset beyond 18 hours */
    "2024-11-27T10:00:00+05:60",
    "2024-11-27T10:00:00+5",
    "2024-11-27T10:00:00 XYZ",
    "2024-11-27T",
    "2024-11-27T10:00:00A",            /* military zones only in RFC 822 dates */
    "2024-11-27T10",
    "2024-11-27T10:00:00.1234567890Z", /* fraction beyond nine digits */
    "2024-1-27",
    "2024-11-27x",
    "20241",
    "202411271",
    "Wed, 27 Foo 2024",
    "Wed, 27 Nov",
    "Wed, 27 Nov 2024 10",
    "Wed, 27 Nov 2024 10:00:00 GMTX",
    "Wed, 27 Nov 2024 10:00:00 J",     /* J is no zone */
    "Wed, 27 Nov 2024 10:00:00 GMT (no end",
    "Wed, 27 Nov 12345",
    "Wed, 127 Nov 2024",
    "Wed, 27 Nov 2024 100:00",
    "Wed, 27Nov 2024",
    "Someday, 27 Nov 2024",
    "Nov 27 2024x",
    "yesterday",
    "12:00",
    "99999999999999999999999999",
    "2024-11-27T10:00:00Z trailing",
    "03/04/2024",                      /* ambiguous without an order */
    "13/13/2024",
    "11/18/202",
    "11/18",
    "11/18-2024",
    "11/18/2024 13:00 PM",
    "Nov 18, 2024 0:30 AM",
    "2024年13月1日",
    "2024年11月",
    "2024年11月18",
    "2024年11月18日x",
};

/* datetime_parse_opts: the order of numeric dates and the zone of text
 * without one, fixed or from the system's tz database. */
static void options_give_order_and_zone(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        datetime_order_t order;
        const char *zone;
        long long epoch;
    } cases[] = {
        {"03/04/2024", DATETIME_MDY, NULL, 1709510400},             /* 4 March */
        {"03/04/2024", DATETIME_DMY, NULL, 1712102400},             /* 3 April */
        {"11/18/2024", DATETIME_DMY, NULL, -1},                     /* month 18 */
        {"18/11/2024", DATETIME_DMY, NULL, NOV18},
        {"2024-11-18 10:30", DATETIME_ANY, "+08:00", NOV18 + 37800 - 8 * 3600},
        {"2024-11-18 10:30", DATETIME_ANY, "-0500", NOV18 + 37800 + 5 * 3600},
        {"2024-11-18 10:30", DATETIME_ANY, "UTC", NOV18 + 37800},
        {"2024-11-18 10:30", DATETIME_ANY, "EST", NOV18 + 37800 + 5 * 3600},
        {"2024-11-18 10:30", DATETIME_ANY, "America/New_York", NOV18 + 37800 + 5 * 3600},
        {"2024-07-04 10:30", DATETIME_ANY, "America/New_York", 1720103400},  /* EDT */
        {"2024-03-10 02:30", DATETIME_ANY, "America/New_York", 1710055800},  /* skipped hour */
        {"2024-11-03 01:30", DATETIME_ANY, "America/New_York", 1730611800},  /* repeated hour */
        {"2024年11月18日 10:30", DATETIME_ANY, "Asia/Shanghai", NOV18 + 9000},
        {"11/18/2024", DATETIME_ANY, "Asia/Shanghai", NOV18 - 8 * 3600},
        {"2024-11-18T10:30:00Z", DATETIME_ANY, "Asia/Shanghai", NOV18 + 37800}, /* its own zone */
        {"Mon, 18 Nov 2024 10:30 +0100", DATETIME_ANY, "America/New_York", NOV18 + 37800 - 3600},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        datetime_opts_t o = {cases[i].order, cases[i].zone};
        long long t = 42;
        int rc = datetime_parse_opts(cases[i].text, &o, &t);
        if (cases[i].epoch == -1 ? rc == 0 : rc != 0 || t != cases[i].epoch)
            fail_msg("\"%s\" (%s) -> %d, %lld; want %lld", cases[i].text,
                     cases[i].zone ? cases[i].zone : "no zone", rc, t, cases[i].epoch);
    }
}

static void ambiguous_dates_and_unknown_zones_say_so(void **state)
{
    (void)state;
    long long t = 42;
    datetime_opts_t any = {DATETIME_ANY, NULL};
    assert_int_equal(datetime_parse_opts("03/04/2024", &any, &t), DATETIME_AMBIGUOUS);
    assert_int_equal(datetime_parse_opts("03/04/2024", NULL, &t), DATETIME_AMBIGUOUS);
    assert_int_equal(datetime_parse_opts("yesterday", NULL, &t), DATETIME_BAD);
    static const char *const bad_zones[] = {
        "Mars/Olympus_Mons", "../../etc/passwd", "/etc/localtime", "America", "America/",
        "Asia//Shanghai", "zone.tab", "", "+25:00", "Europe/Paris\n",
    };
    for (size_t i = 0; i < sizeof bad_zones / sizeof bad_zones[0]; i++) {
        datetime_opts_t o = {DATETIME_ANY, bad_zones[i]};
        if (datetime_parse_opts("2024-11-18", &o, &t) != DATETIME_BAD_ZONE)
            fail_msg("zone \"%s\" was accepted", bad_zones[i]);
        if (datetime_parse_opts("not a date", &o, &t) != DATETIME_BAD_ZONE)
            fail_msg("zone \"%s\" not reported for bad text", bad_zones[i]);
    }
    assert_int_equal(t, 42);
}

static void accepted_forms_give_exact_times(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
        long long t = 42;
        if (datetime_parse(accepted[i].text, &t) != 0)
            fail_msg("refused \"%s\"", accepted[i].text);
        if (t != accepted[i].epoch)
            fail_msg("\"%s\" -> %lld, want %lld", accepted[i].text, t, accepted[i].epoch);
    }
}

static void malformed_and_out_of_range_dates_are_refused(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rejected / sizeof rejected[0]; i++) {
        long long t = 42;
        if (datetime_parse(rejected[i], &t) == 0)
            fail_msg("accepted \"%s\" as %lld", rejected[i], t);
        assert_int_equal(t, 42);
    }
    long long t;
    assert_int_equal(datetime_parse(NULL, &t), -1);
}

/* Input longer than the parser reads, and every truncation of a good date:
 * no crash, no read past the end (the sanitizer build checks that). */
static void long_and_cut_inputs_are_safe(void **state)
{
    (void)state;
    char big[4096];
    memset(big, '9', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    long long t;
    assert_int_equal(datetime_parse(big, &t), -1);
    memcpy(big, "2024-11-27", 10);
    memset(big + 10, ' ', 200);
    big[210] = '\0';
    assert_int_equal(datetime_parse(big, &t), -1); /* beyond 128 bytes */
    const char *good = "Wed, 27 Nov 2024 10:00:00 +0000 (UTC)";
    char cut[64];
    for (size_t n = 0; n < strlen(good); n++) {
        memcpy(cut, good, n);
        cut[n] = '\0';
        (void)datetime_parse(cut, &t);
    }
}

static void format_writes_utc(void **state)
{
    (void)state;
    char out[128];
    assert_int_equal(datetime_format(NOV27_10, "%Y-%m-%dT%H:%M:%SZ", out, sizeof out), 0);
    assert_string_equal(out, "2024-11-27T10:00:00Z");
    assert_int_equal(datetime_format(NOV27_10 + 5, "%a, %d %b %Y %T %z", out, sizeof out), 0);
    assert_string_equal(out, "Wed, 27 Nov 2024 10:00:05 +0000");
    assert_int_equal(datetime_format(NOV27, "%A %e %B %y, day %j, %I %p %Z %% %q", out, sizeof out), 0);
    assert_string_equal(out, "Wednesday 27 November 24, day 332, 12 AM UTC % %q");
    assert_int_equal(datetime_format(-1, "%F %R %s %u %w", out, sizeof out), 0);
    assert_string_equal(out, "1969-12-31 23:59 -1 3 3");
    assert_int_equal(datetime_format(0, "%D", out, sizeof out), 0);
    assert_string_equal(out, "01/01/70");
}

static void format_refuses_what_does_not_fit(void **state)
{
    (void)state;
    char out[8];
    assert_int_equal(datetime_format(NOV27, "%Y-%m-%d", out, sizeof out), -1);
    assert_string_equal(out, "");
    assert_int_equal(datetime_format(253402300800LL, "%Y", out, sizeof out), -1);
    assert_int_equal(datetime_format(-62167219201LL, "%Y", out, sizeof out), -1);
    assert_int_equal(datetime_format(-62167219200LL, "%Y", out, sizeof out), 0);
    assert_string_equal(out, "0000");
}

/* Every day from 1900 to 2100 formats and parses back to itself. */
static void format_and_parse_round_trip(void **state)
{
    (void)state;
    char out[64];
    for (long long t = -2208988800LL; t < 4102444800LL; t += 86400 + 3661) {
        long long back;
        assert_int_equal(datetime_format(t, "%Y-%m-%dT%H:%M:%SZ", out, sizeof out), 0);
        assert_int_equal(datetime_parse(out, &back), 0);
        assert_true(back == t);
        assert_int_equal(datetime_format(t, "%a, %d %b %Y %H:%M:%S GMT", out, sizeof out), 0);
        assert_int_equal(datetime_parse(out, &back), 0);
        assert_true(back == t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepted_forms_give_exact_times),
        cmocka_unit_test(malformed_and_out_of_range_dates_are_refused),
        cmocka_unit_test(long_and_cut_inputs_are_safe),
        cmocka_unit_test(options_give_order_and_zone),
        cmocka_unit_test(ambiguous_dates_and_unknown_zones_say_so),
        cmocka_unit_test(format_writes_utc),
        cmocka_unit_test(format_refuses_what_does_not_fit),
        cmocka_unit_test(format_and_parse_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
