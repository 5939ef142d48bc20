/* tzfile.h — a wall-clock time in a named time zone ("America/New_York")
 * to UTC, read from the system's tz database (TZif files under $TZDIR,
 * else /usr/share/zoneinfo) by this code, not through the C library's TZ
 * setting: changing TZ would change the whole process (and race with any
 * thread reading the environment).
 *
 * A name is letters, digits and "_+-" in "/"-separated parts (no ".",
 * so it cannot leave the folder); the file must be a
 * TZif file of at most 256 KiB. The table of transitions is used; a time
 * after its last transition keeps the offset in force then (Debian's
 * files list transitions up to 2037; the rule string at the end of a file
 * is not read). In the hour a clock goes back, the first (earlier) instant
 * is taken; a time that a clock skipped is read with the offset before
 * the change. */
#ifndef VANE_TZFILE_H
#define VANE_TZFILE_H

/* *utc: the instant whose wall-clock time in zone `name` is `local`
 * (seconds since 1970-01-01T00:00:00 as if that were UTC). Returns 0, or
 * -1 when the name is not a valid name of a zone in the database. */
int tzfile_to_utc(const char *name, long long local, long long *utc);

/* 0 when name is a zone of the database, else -1. */
int tzfile_check(const char *name);

#endif
