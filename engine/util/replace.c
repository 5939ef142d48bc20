/* replace.c — replacing a file whole by rename (see replace.h). */
#include "util/replace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(int fd, const buf_t *b)
{
    size_t done = 0;
    while (done < b->len) {
        ssize_t n = write(fd, b->p + done, b->len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

/* Sync the folder holding path, so the rename survives a power loss. */
static void sync_folder(const char *path)
{
    char *dir = strdup(path);
    if (!dir)
        return;
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    int fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

int replace_file(const char *path, const buf_t *text, mode_t mode, err_t *e)
{
    buf_t tmp = {0};
    if (buf_printf(&tmp, "%s.tmp-XXXXXX", path) != 0) {
        buf_free(&tmp);
        return err_set(e, "out of memory");
    }
    int fd = mkostemp(tmp.p, O_CLOEXEC);
    if (fd < 0) {
        int rc = err_set(e, "cannot create a file beside %s: %m", path);
        buf_free(&tmp);
        return rc;
    }
    int rc = 0;
    if (fchmod(fd, mode) != 0 || write_all(fd, text) != 0)
        rc = err_set(e, "cannot write beside %s: %m", path);
    else if (fsync(fd) != 0)
        rc = err_set(e, "cannot sync beside %s: %m", path);
    if (close(fd) != 0 && rc == 0 && errno != EINTR)
        rc = err_set(e, "cannot write beside %s: %m", path);
    if (rc == 0 && rename(tmp.p, path) != 0)
        rc = err_set(e, "cannot replace %s: %m", path);
    if (rc != 0)
        unlink(tmp.p);
    else
        sync_folder(path);
    buf_free(&tmp);
    return rc;
}
