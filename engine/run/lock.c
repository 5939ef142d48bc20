/* lock.c — the run lock (see lock.h). */
#include "run/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

static double monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The database's real path: realpath() of the file, or of its folder with
 * the file's name when the file does not exist yet (the first run). */
static int real_db_path(const char *db_path, char out[PATH_MAX], err_t *e)
{
    if (realpath(db_path, out))
        return 0;
    if (errno != ENOENT)
        return err_set(e, "cannot resolve the database path %s: %m", db_path);
    char dir[PATH_MAX], folder[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", db_path);
    char *slash = strrchr(dir, '/');
    const char *name = slash ? slash + 1 : dir;
    if (slash == dir)
        snprintf(folder, sizeof folder, "/");
    else if (!realpath(slash ? (*slash = '\0', dir) : ".", folder))
        return err_set(e, "cannot resolve the folder of the database %s: %m", db_path);
    if (*name == '\0')
        return err_set(e, "the database path %s names a folder", db_path);
    int n = snprintf(out, PATH_MAX, "%s%s%s", folder, strcmp(folder, "/") ? "/" : "", name);
    return n < PATH_MAX ? 0 : err_set(e, "the database path %s is too long", db_path);
}

int lock_acquire(const char *db_path, double wait_seconds, int *fd, err_t *e)
{
    char real[PATH_MAX], path[PATH_MAX + 8];
    if (real_db_path(db_path, real, e) != 0)
        return -1;
    snprintf(path, sizeof path, "%s.lock", real);
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
