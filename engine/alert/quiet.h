/* quiet.h — a channel's quiet hours: windows of local time in a time zone
 * during which its deliveries wait (`quiet = { "22:00-07:00", tz = "…" }`).
 *
 * A window is "HH:MM-HH:MM", start included, end excluded; a start after
 * the end crosses midnight. Times are read in the zone's local time (tz
 * database name, default UTC), so a window follows daylight saving time:
 * 22:00-07:00 in Europe/Paris is 22:00-07:00 on the wall clock all year.
 * A zone is known when the tz database has a TZif file of that name
 * (under $TZDIR, else the system's zoneinfo folder). */
#ifndef VANE_QUIET_H
#define VANE_QUIET_H

#include <stddef.h>

#include "util/clock.h"

typedef struct quiet_window {
    int start, end;       /* minutes after midnight, local time */
} quiet_window_t;

typedef struct quiet {
    quiet_window_t *w;
    size_t n;
    char *tz;             /* tz database name, e.g. "Asia/Shanghai" or "UTC" */
} quiet_t;

/* Read "HH:MM-HH:MM" (hours 00-24, 24:00 only as an end). Returns 0, or
 * -1 when s is not such a window or it is empty (start = end). */
int quiet_window_parse(const char *s, quiet_window_t *w);

/* 1 when tz names a zone of the tz database (a TZif file), else 0. "UTC"
 * is always known. */
int quiet_zone_known(const char *tz);

/* 1 when t falls in one of q's windows, with *until the end of that
 * window (the first time after t that is outside it); 0 otherwise. */
int quiet_active(const quiet_t *q, vtime_t t, vtime_t *until);

/* "HH:MM ZONE": until written in q's local time, for the run's report. */
void quiet_until_text(const quiet_t *q, vtime_t until, char out[96]);

void quiet_free(quiet_t *q);

#endif
