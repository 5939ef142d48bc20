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
 * Two-digit years follow RFC 2822 (00-49 are 20xx, 50-99 are 19xx).
 * Every field is range checked (no 31 November, no hour 25); any other
 * text is refused. Input is read only up to its first 128 bytes. */
#ifndef VANE_DATETIME_H
#define VANE_DATETIME_H

#include <stddef.h>

/* Seconds since 1970-01-01T00:00:00Z of the date in s (leading and
 * trailing white space allowed). Returns 0, or -1 if s is NULL or not a
 * date in one of the forms above. */
int datetime_parse(const char *s, long long *epoch_utc);

/* Write t in UTC as fmt says, strftime-style, into out (n bytes, always
 * NUL-terminated when n > 0). Conversions: %Y %C %y %m %d %e %j %H %I %M
 * %S %p %a %A %b %h %B %u %w %F %T %R %D %z (+0000) %Z (UTC) %s %n %t %%;
 * any other %x is copied as written. Names are English whatever the
 * locale. Returns 0, or -1 when the year of t is outside 0..9999 or the
 * result does not fit (out is then ""). */
int datetime_format(long long t, const char *fmt, char *out, size_t n);

#endif
