/* kind_atom.c — the atom kind: an Atom 1.0 feed of the last `entries`
 * flags (default 100), newest first, kept at `path` (relative to vane.lua)
 * for feed readers. The document's shape is atom.h's.
 *
 * Each message rewrites the whole file: the entries already there are read
 * (atom_read: libxml2 checks the file is an Atom feed vane wrote; anything
 * else is an error naming the channel and the file, which is left alone),
 * the message's flags are added (a flag whose entry is already there — a
 * retry — is not added twice), and the newest `entries` are written to a
 * temporary file in the same folder, synced, renamed over the feed, and the
 * folder synced: a reader sees the old feed or the new one, never half of
 * one, and a failed attempt leaves no temporary file behind. The new file
 * keeps the old one's permissions (0600 for a new feed: flags may quote
 * private pages; an empty file made beforehand with the wanted mode is read
 * as a feed without entries). `digest` changes nothing but how many
 * rewrites a run makes. */
#include "util/replace.h"
#include "channel/kind.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "channel/atom.h"
#include "lib/xmlsafe.h"
#include "util/buf.h"
#include "util/clock.h"

#define FEED_MAX_BYTES (64L * 1024 * 1024)   /* a feed file larger than this is not read */
#define ENTRIES_MAX 100000L

typedef struct atom_channel {
    char *path;
    long entries;
    char *title, *url;
    char *id;             /* feed_id, or NULL: ATOM_ID_PREFIX and the channel's id */
} atom_channel_t;

/* ---- reading the feed ------------------------------------------------------------- */

/* The whole file into b; a missing file is empty. */
static int slurp(const channel_cfg_t *c, const char *path, buf_t *b, struct stat *st, err_t *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return 0;
    if (fd < 0)
        return err_set(e, "channel %s: cannot open %s: %m", c->id, path);
    int rc = 0;
    if (fstat(fd, st) != 0)
        rc = err_set(e, "channel %s: cannot stat %s: %m", c->id, path);
    else if (!S_ISREG(st->st_mode))
        rc = err_set(e, "channel %s: %s is not a regular file", c->id, path);
    else if (st->st_size > FEED_MAX_BYTES)
        rc = err_set(e, "channel %s: %s is larger than %ld MB; not overwriting it", c->id, path,
                     FEED_MAX_BYTES / (1024 * 1024));
    char tmp[65536];
    while (rc == 0) {
        ssize_t n = read(fd, tmp, sizeof tmp);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            rc = err_set(e, "channel %s: cannot read %s: %m", c->id, path);
        else if (n == 0)
            break;
        else if (buf_append(b, tmp, (size_t)n) != 0)
            rc = err_set(e, "channel %s: out of memory", c->id);
    }
    close(fd);
    return rc;
}

/* The entries of the feed at path (none when it is missing or empty). */
static int read_feed(const channel_cfg_t *c, const char *path, atom_entries_t *list,
                     mode_t *mode, err_t *e)
{
    buf_t text = {0};
    struct stat st = {.st_mode = 0600};
    int rc = slurp(c, path, &text, &st, e);
    *mode = st.st_mode & 07777;
    const char *why = NULL;
    if (rc == 0 && !xmlsafe_blank(buf_str(&text), text.len) &&
        atom_read(text.p, text.len, list, &why) != 0)
        rc = err_set(e, "channel %s: %s: %s; not overwriting it", c->id, path, why);
    buf_free(&text);
    return rc;
}

/* ---- writing it -------------------------------------------------------------------- */


/* ---- the channel -------------------------------------------------------------------- */

static int atom_send(const channel_cfg_t *c, const channel_msg_t *m, const channel_out_t *o,
                     err_t *e)
{
    (void)o;
    const atom_channel_t *a = c->data;
    if (!a || !a->path)
        return err_set(e, "channel %s: no path", c->id);
    buf_t id = {0}, doc = {0};
    atom_entries_t list = {0};
    mode_t mode = 0600;
    int rc = read_feed(c, a->path, &list, &mode, e);
    if (rc == 0) {
        int bad = a->id ? buf_puts(&id, a->id) : buf_printf(&id, ATOM_ID_PREFIX "%s", c->id);
        atom_feed_t feed = {.id = buf_str(&id), .title = a->title, .self = a->url};
        vtime_t now = clock_now();
        for (size_t i = 0; i < m->n && !bad; i++)
            bad = atom_add_flag(&feed, &m->flags[i], now, &list);
        if (bad || atom_write(&feed, &list, (size_t)a->entries, &doc) != 0)
            rc = err_set(e, "channel %s: out of memory", c->id);
    }
    err_t why;
    if (rc == 0 && replace_file(a->path, &doc, mode, &why) != 0)
        rc = err_set(e, "channel %s: %s", c->id, why.msg);
    atom_entries_free(&list);
    buf_free(&id);
    buf_free(&doc);
    return rc;
}

/* ---- the declaration ------------------------------------------------------------ */

static const char *const atom_keys[] = {"path", "entries", "title", "url", "feed_id", NULL};

static void *atom_parse(decl_t *d)
{
    atom_channel_t *a = calloc(1, sizeof *a);
    char *path = decl_path(d, "path");
    long entries = decl_count(d, "entries", 1, ENTRIES_MAX, 100);
    char *title = decl_string(d, "title", "vane flags");
    char *url = decl_string(d, "url", NULL);
    char *id = decl_string(d, "feed_id", NULL);
    if (!a) {
        DECL_FREE(path, title, url, id);
        return NULL;
    }
    *a = (atom_channel_t){.path = path, .entries = entries, .title = title, .url = url, .id = id};
    return a;
}

static int is_http(const char *s)
{
    return s && (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0);
}

static void atom_check(decl_t *d, const void *data)
{
    const atom_channel_t *a = data;
    if (!a || !a->path)
        decl_problem(d, "%s: an atom channel needs a path", d->what);
    if (a && a->url && !is_http(a->url))
        decl_problem(d, "%s: url must be the feed's http(s) address", d->what);
    if (a && a->id && (!strchr(a->id, ':') || strpbrk(a->id, " <>\"")))
        decl_problem(d, "%s: feed_id must be a URI, such as \"tag:example.org,2026:vane\"",
                     d->what);
}

static void atom_free(void *data)
{
    atom_channel_t *a = data;
    if (!a)
        return;
    DECL_FREE(a->path, a->title, a->url, a->id);
    free(a);
}

const channel_kind_t channel_kind_atom = {CHANNEL_KIND_FIELDS(atom)};
