/* exitcode.h — the exit statuses of vane, defined here and nowhere else.
 * Commands and the run return one of these; main() hands it to the shell
 * (the numbers are listed in `vane --help` and the README). */
#ifndef VANE_EXITCODE_H
#define VANE_EXITCODE_H

#define VANE_EXIT_OK 0
#define VANE_EXIT_FAILED 1    /* finished, but a source, rule or channel failed */
#define VANE_EXIT_USAGE 2     /* usage or configuration error: nothing done */
#define VANE_EXIT_LOCKED 75   /* another run holds the lock (EX_TEMPFAIL) */

#endif
