/* units.h — durations ("30s", "1h", "7d", "1h30m") and sizes ("5MB",
 * "512KiB") as written in vane.lua. */
#ifndef VANE_UNITS_H
#define VANE_UNITS_H

/* Seconds in a duration: a sequence of NUMBER UNIT with units s, m, h, d, w
 * (a bare number is seconds). Returns 0, or -1 if the text is not one. */
int units_duration(const char *s, long long *seconds);

/* Bytes in a size: NUMBER [B | KB | MB | GB | KiB | MiB | GiB], case
 * insensitive; KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024 (a bare
 * number is bytes). Returns 0, or -1. */
int units_size(const char *s, long long *bytes);

/* A size for people: "5 MB" or "512 KiB" when bytes is a whole number of
 * those units, else "1234 bytes". */
void units_format_size(long long bytes, char *out, unsigned long n);

#endif
