/* quiet.c — quiet hours: parsing windows, knowing zones, and whether a
 * time is inside a window (see quiet.h).
 *
 * Local time in a zone is computed with the C library: TZ is set to the
 * zone for the conversion (localtime_r, mktime) and put back as it was
 * right after, so the rest of vane keeps its own notion of local time. */
#include "alert/quiet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY_MINUTES (24 * 60)

/* "HH:MM" at *p, advancing it; -1 when it is not one. */
static int read_clock(const char **p, int allow_24)
{
    const char *s = *p;
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' || s[2] != ':' || s[3] < '0' ||
        s[3] > '5' || s[4] < '0' || s[4] > '9')
        return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (h > 24 || (h == 24 && (m != 0 || !allow_24)))
        return -1;
    *p = s + 5;
    return h * 60 + m;
}

int quiet_window_parse(const char *s, quiet_window_t *w)
{
    const char *p = s;
    while (*p == ' ')
        p++;
    int start = read_clock(&p, 0);
    while (*p == ' ')
        p++;
    if (start < 0 || *p++ != '-')
        return -1;
    while (*p == ' ')
        p++;
    int end = read_clock(&p, 1);
    while (*p == ' ')
        p++;
    if (end < 0 || *p || start == end % DAY_MINUTES)
        return -1;
    w->start = start;
    w->end = end;
    return 0;
}

int quiet_zone_known(const char *tz)
{
    if (!tz || !*tz)
        return 0;
    if (strcmp(tz, "UTC") == 0)
        return 1;
    if (tz[0] == '/' || tz[0] == '.' || strstr(tz, "..") || strspn(tz, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                                       "abcdefghijklmnopqrstuvwxyz"
                                                                       "0123456789/_+-") != strlen(tz))
        return 0;
    const char *dir = getenv("TZDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", tz);
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char magic[4];
    int ok = fread(magic, 1, 4, f) == 4 && memcmp(magic, "TZif", 4) == 0;
    fclose(f);
    return ok;
}

/* TZ set to tz for a conversion; *saved (malloc'ed or NULL) restores it. */
static char *zone_enter(const char *tz)
{
    const char *old = getenv("TZ");
    char *saved = old ? strdup(old) : NULL;
    setenv("TZ", tz && *tz ? tz : "UTC", 1);
    tzset();
    return saved;
}

static void zone_leave(char *saved)
{
    if (saved)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
    free(saved);
}

/* The time of minute-of-day `minutes` on local day tm (plus `days`). */
static vtime_t local_at(const struct tm *day, int days, int minutes)
{
    struct tm t = {.tm_year = day->tm_year, .tm_mon = day->tm_mon,
                   .tm_mday = day->tm_mday + days + minutes / DAY_MINUTES,
                   .tm_hour = (minutes % DAY_MINUTES) / 60, .tm_min = minutes % 60,
                   .tm_isdst = -1};
    return (vtime_t)mktime(&t);
}

/* Whether minute m of the day is in w; *days_to_end is 0 when the window
 * ends today, 1 when tomorrow. */
static int in_window(const quiet_window_t *w, int m, int *days_to_end)
{
    if (w->start < w->end) {
        *days_to_end = 0;
        return m >= w->start && m < w->end;
    }
    *days_to_end = m >= w->start;
    return m >= w->start || m < w->end;
}

/* Whether t is in one of q's windows, with *end the end of the first
 * window found that holds it. */
static int window_end(const quiet_t *q, vtime_t t, vtime_t *end)
{
    char *saved = zone_enter(q->tz);
    time_t tt = (time_t)t;
    struct tm lt;
    int found = 0;
    if (localtime_r(&tt, &lt)) {
        int m = lt.tm_hour * 60 + lt.tm_min, days;
        for (size_t i = 0; !found && i < q->n; i++) {
            if (!in_window(&q->w[i], m, &days))
                continue;
            found = 1;
            *end = local_at(&lt, days, q->w[i].end);
            if (*end <= t) /* a clock set back inside the window (DST) */
                *end = t + 60;
        }
    }
    zone_leave(saved);
    return found;
}

int quiet_active(const quiet_t *q, vtime_t t, vtime_t *until)
{
    vtime_t end;
    if (!q || q->n == 0 || !window_end(q, t, &end))
        return 0;
    /* windows that overlap or touch make one quiet stretch */
    for (size_t i = 0; i < q->n; i++) {
        vtime_t next;
        if (!window_end(q, end, &next))
            break;
        end = next;
    }
    *until = end;
    return 1;
}

void quiet_until_text(const quiet_t *q, vtime_t until, char out[96])
{
    char *saved = zone_enter(q->tz);
    time_t tt = (time_t)until;
    struct tm lt;
    if (localtime_r(&tt, &lt))
        snprintf(out, 96, "%02d:%02d %s", lt.tm_hour, lt.tm_min, q->tz ? q->tz : "UTC");
    else
        snprintf(out, 96, "?");
    zone_leave(saved);
}

void quiet_free(quiet_t *q)
{
    if (!q)
        return;
    free(q->w);
    free(q->tz);
    free(q);
}
