/* datetime.h — dates as feeds and APIs write them, read into Unix time, and
 * Unix time written back out, always in UTC and never through the C
 * library's time zone or locale.
 *
 * datetime_parse reads the forms seen in RSS, Atom and JSON APIs:
 *   RFC 822/1123/2822  "Wed, 27 Nov 2024 10:00:00 GMT", "27 Nov 24 10:00 -0500",
 *                      weekday optional, full month names, no seconds, no
 *                      time (midnight), zones +hhmm, UT GMT UTC Z EST EDT CST
 *                      CDT MST MDT PST PDT, GMT+hh:mm, military letters
 *                      (read as -0000, as RFC 2822 says), a trailing
 *                      "(comment)"
 *   US style           "Nov 27, 2024", "November 27, 2024 10:00 EST"
 *   RFC 3339/ISO 8601  "2024-11-26T19:00:00-05:00", fractions of a second,
 *                      "Z", a space for the T, no zone (UTC), date only
 *   compact            "20241203T101500Z" (GDELT), "20241203"
 *   slashes            "2024/11/29", "2024/11/29 10:00:00"
 *   numeric            "11/18/2024", "18.11.2024", "11-18-24 10:30 PM": the
 *                      order of day and month as the caller says, else as a
 *                      day above 12 shows; "03/04/2024" is then ambiguous
 *                      and refused (DATETIME_AMBIGUOUS), never guessed
 *   Chinese            "2024年11月18日", "2024年11月18日 10:30"
 * Times may carry AM or PM ("10:30 PM", "10:30 p.m.") in the RFC 822, US
 * and numeric forms. Text without a zone is UTC, or in the caller's zone.
 * Two-digit years follow RFC 2822 (00-49 are 20xx, 50-99 are 19xx).
 * Every field is range checked (no 31 November, no hour 25); any other
 * text is refused. Input is read only up to its first 128 bytes. */
#ifndef VANE_DATETIME_H
#define VANE_DATETIME_H

#include <stddef.h>

/* Seconds since 1970-01-01T00:00:00Z of the date in s (leading and
 * trailing white space allowed). Returns 0, or -1 if s is NULL or not a
 * date in one of the forms above (an ambiguous numeric date too). */
int datetime_parse(const char *s, long long *epoch_utc);

typedef enum datetime_order { DATETIME_ANY, DATETIME_MDY, DATETIME_DMY } datetime_order_t;

typedef struct datetime_opts {
    datetime_order_t order; /* how to read "03/04/2024"; DATETIME_ANY refuses it */
    const char *zone;       /* for text without a zone: "+08:00", "UTC", "EST", or a
                               tz database name ("America/New_York", util/tzfile.h);
                               NULL: UTC */
} datetime_opts_t;

#define DATETIME_BAD (-1)       /* not a date in a known form */
#define DATETIME_AMBIGUOUS (-2) /* a numeric date whose day and month could be swapped */
#define DATETIME_BAD_ZONE (-3)  /* o->zone is neither an offset nor a zone of the database */

/* datetime_parse with options (o may be NULL). Returns 0 or one of the
 * DATETIME_ codes above; an unknown o->zone is reported whatever s is. */
int datetime_parse_opts(const char *s, const datetime_opts_t *o, long long *epoch_utc);

/* Write t in UTC as fmt says, strftime-style, into out (n bytes, always
 * NUL-terminated when n > 0). Conversions: %Y %C %y %m %d %e %j %H %I %M
 * %S %p %a %A %b %h %B %u %w %F %T %R %D %z (+0000) %Z (UTC) %s %n %t %%;
 * any other %x is copied as written. Names are English whatever the
 * locale. Returns 0, or -1 when the year of t is outside 0..9999 or the
 * result does not fit (out is then ""). */
int datetime_format(long long t, const char *fmt, char *out, size_t n);

#endif
