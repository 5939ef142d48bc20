/* lock.c — the run lock (see lock.h). */
#include "run/lock.h"

#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"

static double monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The real path of a file not created yet: realpath() of its folder and
 * its name. */
static int real_new_path(const char *path, char out[PATH_MAX], err_t *e)
{
    char dir[PATH_MAX], folder[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    const char *name = slash ? slash + 1 : dir;
    if (*name == '\0')
        return err_set(e, "the database path %s names a folder", path);
    if (slash == dir)
        snprintf(folder, sizeof folder, "/");
    else if (!realpath(slash ? (*slash = '\0', dir) : ".", folder))
        return err_set(e, "cannot resolve the folder of the database %s: %m", path);
    int n = snprintf(out, PATH_MAX, "%s%s%s", folder, strcmp(folder, "/") ? "/" : "", name);
    return n < PATH_MAX ? 0 : err_set(e, "the database path %s is too long", path);
}

/* Where the symlink at path points, as a path (relative targets are read
 * from the link's folder). -1 when path is not a symlink. */
static int link_target(char path[PATH_MAX])
{
    char target[PATH_MAX];
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n < 0)
        return -1;
    target[n] = '\0';
    char *slash = strrchr(path, '/');
    if (target[0] == '/' || !slash) {
        snprintf(path, PATH_MAX, "%s", target);
        return 0;
    }
    slash[1] = '\0';
    size_t used = strlen(path);
    return snprintf(path + used, PATH_MAX - used, "%s", target) < (int)(PATH_MAX - used) ? 0 : -1;
}

/* The database's real path: realpath() of the file; before the first run
 * creates it, of its folder with its name, after following a symlink that
 * points to the file to be (so the run that creates it and a run through
 * the link lock the same file). */
static int real_db_path(const char *db_path, char out[PATH_MAX], err_t *e)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s", db_path) >= (int)sizeof path)
        return err_set(e, "the database path %s is too long", db_path);
    for (int hops = 0; hops < 40; hops++) {
        if (realpath(path, out))
            return 0;
        if (errno != ENOENT)
            return err_set(e, "cannot resolve the database path %s: %m", db_path);
        if (link_target(path) != 0)
            return real_new_path(path, out, e);
    }
    return err_set(e, "cannot resolve the database path %s: too many symbolic links", db_path);
}

int lock_acquire(const char *db_path, double wait_seconds, int *fd, err_t *e)
{
    *fd = -1;
    if (store_is_server(db_path))
        return 0; /* a shared store hands out the work itself (store.h) */
    char real[PATH_MAX], path[PATH_MAX + 8];
    if (real_db_path(db_path, real, e) != 0)
        return -1;
    snprintf(path, sizeof path, "%s.lock", real);
    int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600); /* beside a private database */
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
