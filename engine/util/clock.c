/* clock.c — now, and ISO-8601 parsing and formatting (see clock.h). */
#include "util/clock.h"

#include <ctype.h>
#include <stdio.h>
#include <time.h>

static vtime_t fixed_now;

void clock_set_now(vtime_t t) { fixed_now = t; }
int clock_is_fixed(void) { return fixed_now != 0; }

vtime_t clock_now(void)
{
    return fixed_now ? fixed_now : (vtime_t)time(NULL);
}

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 ? 28 + leap : d[m - 1];
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static vtime_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    vtime_t era = (y >= 0 ? y : y - 399) / 400;
    vtime_t yoe = y - era * 400;
    vtime_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    vtime_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int parse_zone(const char *p, int *offset)
{
    *offset = 0;
    if (*p == '\0' || ((*p == 'Z' || *p == 'z') && p[1] == '\0'))
        return 0;
    if (*p != '+' && *p != '-')
        return -1;
    int sign = *p == '-' ? -1 : 1, hh, mm = 0;
    p++;
    if (digits(&p, 2, &hh) != 0)
        return -1;
    if (*p == ':')
        p++;
    if (*p && digits(&p, 2, &mm) != 0)
        return -1;
    if (*p || hh > 23 || mm > 59)
        return -1;
    *offset = sign * (hh * 3600 + mm * 60);
    return 0;
}

/* YYYY-MM-DD at *p, a real day of the calendar. */
static int parse_date(const char **p, int *y, int *mo, int *d)
{
    if (digits(p, 4, y) || *(*p)++ != '-' || digits(p, 2, mo) || *(*p)++ != '-' ||
        digits(p, 2, d))
        return -1;
    return *mo < 1 || *mo > 12 || *d < 1 || *d > days_in_month(*y, *mo) ? -1 : 0;
}

/* HH:MM[:SS[.fraction]] at *p (the fraction is read and dropped). */
static int parse_time(const char **p, int *h, int *mi, int *se)
{
    if (digits(p, 2, h) || *(*p)++ != ':' || digits(p, 2, mi))
        return -1;
    if (**p == ':') {
        (*p)++;
        if (digits(p, 2, se))
            return -1;
        if (**p == '.' || **p == ',') {
            (*p)++;
            while (isdigit((unsigned char)**p))
                (*p)++;
        }
    }
    return *h > 23 || *mi > 59 || *se > 60 ? -1 : 0;
}

int clock_parse_iso(const char *s, vtime_t *out)
{
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, se = 0, off = 0;
    if (parse_date(&p, &y, &mo, &d) != 0)
        return -1;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (parse_time(&p, &h, &mi, &se) != 0)
            return -1;
    }
    if (parse_zone(p, &off) != 0)
        return -1;
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
    return 0;
}

void clock_format_iso(vtime_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
