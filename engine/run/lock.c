/* lock.c — the run lock (see lock.h). */
#include "run/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

static double monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int lock_acquire(const char *db_path, double wait_seconds, int *fd, err_t *e)
{
    char path[4096];
    snprintf(path, sizeof path, "%s.lock", db_path);
    int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (f < 0)
        return err_set(e, "cannot open the lock file %s: %m", path);
    double deadline = monotonic() + wait_seconds;
    for (;;) {
        if (flock(f, LOCK_EX | LOCK_NB) == 0) {
            *fd = f;
            return 0;
        }
        if (errno != EWOULDBLOCK && errno != EINTR) {
            err_set(e, "cannot lock %s: %m", path);
            close(f);
            return -1;
        }
        if (monotonic() >= deadline) {
            close(f);
            return LOCK_HELD;
        }
        usleep(50 * 1000);
    }
}

void lock_release(int fd)
{
    if (fd >= 0)
        close(fd);
}
