/* kind_file.c — the file kind (also read as "jsonl"): each flag's JSON
 * object on a line of its own, appended to `path` (relative to vane.lua).
 *
 * A message's lines (one, or a digest's N) are built first and written with
 * one write() on a descriptor opened with O_APPEND, so a crash never leaves
 * half a line and two runs never interleave inside a line. If the write is
 * short (disk full, quota), the file is cut back to its size before and the
 * send fails: the next attempt writes the whole message again. The data is
 * then fdatasync'ed so "accepted" survives a power loss (files that cannot
 * be synced, such as pipes or /dev/stdout, are accepted once written). */
#include "channel/kind.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"

typedef struct file_channel {
    char *path;
} file_channel_t;

static int lines_of(const channel_msg_t *m, buf_t *out)
{
    int rc = 0;
    for (size_t i = 0; i < m->n; i++) {
        rc |= buf_puts(out, m->flags[i].json);
        rc |= buf_putc(out, '\n');
    }
    return rc;
}

/* One write of the whole text; on a short write, truncate back to `before`. */
static int append_whole(int fd, const struct stat *st, const buf_t *text, const channel_cfg_t *c,
                        const char *path, err_t *e)
{
    ssize_t n;
    do
        n = write(fd, text->p, text->len);
    while (n < 0 && errno == EINTR);
    if (n == (ssize_t)text->len)
        return 0;
    int saved = errno;
    if (S_ISREG(st->st_mode) && n > 0 && ftruncate(fd, st->st_size) != 0)
        return err_set(e, "channel %s: short write to %s, and cannot cut it back: %m", c->id,
                       path);
    if (n < 0)
        return err_set(e, "channel %s: cannot write %s: %s", c->id, path, strerror(saved));
    return err_set(e, "channel %s: cannot write %s: only %zd of %zu bytes written (%s)", c->id,
                   path, n, text->len, n > 0 ? "cut back" : "nothing written");
}

static int file_send(const channel_cfg_t *c, const channel_msg_t *m, const channel_out_t *o,
                     err_t *e)
{
    (void)o;
    const char *path = c->data ? ((const file_channel_t *)c->data)->path : NULL;
    if (!path)
        return err_set(e, "channel %s: no path", c->id);
    buf_t text = {0};
    if (lines_of(m, &text) != 0) {
        buf_free(&text);
        return err_set(e, "channel %s: out of memory", c->id);
    }
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600); /* flags may quote private pages */
    if (fd < 0) {
        int rc = err_set(e, "channel %s: cannot open %s: %m", c->id, path);
        buf_free(&text);
        return rc;
    }
    struct stat st;
    int rc = fstat(fd, &st) == 0 ? 0 : err_set(e, "channel %s: cannot stat %s: %m", c->id, path);
    if (rc == 0)
        rc = append_whole(fd, &st, &text, c, path, e);
    if (rc == 0 && S_ISREG(st.st_mode) && fdatasync(fd) != 0)
        rc = err_set(e, "channel %s: cannot sync %s: %m", c->id, path);
    if (close(fd) != 0 && rc == 0 && errno != EINTR)
        rc = err_set(e, "channel %s: cannot write %s: %m", c->id, path);
    buf_free(&text);
    return rc;
}

static const char *const file_keys[] = {"path", NULL};

static void *file_parse(decl_t *d)
{
    file_channel_t *f = calloc(1, sizeof *f);
    char *path = decl_path(d, "path");
    if (f)
        f->path = path;
    else
        free(path);
    return f;
}

static void file_check(decl_t *d, const void *data)
{
    const file_channel_t *f = data;
    if (!f || !f->path)
        decl_problem(d, "%s: a file channel needs a path", d->what);
}

static void file_free(void *data)
{
    file_channel_t *f = data;
    if (f)
        free(f->path);
    free(f);
}

const channel_kind_t channel_kind_file = {CHANNEL_KIND_FIELDS(file), .alias = "jsonl"};
