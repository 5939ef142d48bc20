/* clock.h — the run's notion of "now" and ISO-8601 times.
 *
 * Times are seconds since the Unix epoch, UTC. `--now` fixes the clock for
 * tests and replays; everything in vane asks clock_now() rather than time(). */
#ifndef VANE_CLOCK_H
#define VANE_CLOCK_H

typedef long long vtime_t;

/* Fix now to t (0: use the real clock again). */
void clock_set_now(vtime_t t);
vtime_t clock_now(void);
/* Non-zero when --now fixed the clock. */
int clock_is_fixed(void);

/* Parse "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fff]]" with "Z", "+hh:mm",
 * "+hhmm" or no zone (UTC). A space may stand for the T. Fields are range
 * checked (no 31 November, no hour 25). Returns 0, or -1. */
int clock_parse_iso(const char *s, vtime_t *out);

/* Write t as "YYYY-MM-DDTHH:MM:SSZ" (21 bytes with the NUL). */
void clock_format_iso(vtime_t t, char out[32]);

#endif
