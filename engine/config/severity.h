/* severity.h — the severity vocabulary of flags, watches and channels:
 * info, low, medium, high, critical, in rising order. */
#ifndef VANE_SEVERITY_H
#define VANE_SEVERITY_H

/* The names as listed in messages about an unknown one. */
#define SEVERITY_NAMES "info, low, medium, high, critical"

/* The rank 0..4 of a severity name, or -1 for an unknown name (or NULL). */
int severity_rank(const char *name);

/* The name of rank 0..4, "unknown" for any other rank. */
const char *severity_name(int rank);

#endif
