/* atom.h — an Atom 1.0 feed (RFC 4287) of flags, as text: reading the
 * entries of a feed vane wrote, adding flags, and writing the whole
 * document (the atom kind, kind_atom.c, does the file's I/O).
 *
 * The document, UTF-8, every text escaped for XML once (ill-formed UTF-8
 * and characters XML 1.0 forbids become U+FFFD or spaces):
 *
 *   <feed xmlns="http://www.w3.org/2005/Atom">
 *     <id>FEED-ID</id> <title type="text">…</title> <updated>newest entry's</updated>
 *     [<link rel="self" type="application/atom+xml" href="URL"/>]
 *     <author><name>vane</name></author> <generator version="…">vane</generator>
 *     <entry> … </entry>, newest first
 *
 * and one entry per flag:
 *
 *   <id>FEED-ID/flag/N</id>                 N: the flag's id
 *   <title type="text">[severity] message</title>
 *   <updated> and <published>               the flag's created_at
 *   <link rel="alternate" type="text/html" href="…"/>   when the item's link is http(s)
 *   <author><name>vane</name></author>
 *   <category term="RULE" label="rule title" scheme="tag:vane,2026:rule"/>
 *   <category term="SEVERITY" scheme="tag:vane,2026:severity"/>
 *   <summary type="text">                  the template's text, else the item's
 *                                           title and what changed on one line
 *                                           (cut near 400 characters)
 *   <content type="html">                   payload_flag_html, escaped for XML
 *
 * Entries already in the file are kept byte for byte: atom_read finds each
 * <entry>…</entry> in the text as written (after libxml2 has checked the
 * whole is a well-formed Atom feed whose generator is vane). */
#ifndef VANE_ATOM_H
#define VANE_ATOM_H

#include <stddef.h>

#include "channel/channel.h"
#include "util/buf.h"
#include "util/clock.h"

#define ATOM_NS "http://www.w3.org/2005/Atom"
#define ATOM_ID_PREFIX "tag:vane,2026:"   /* the default feed id: this and the channel's id */

typedef struct atom_feed {
    const char *id;       /* the feed's id (a URI); entries are ID/flag/N */
    const char *title;
    const char *self;     /* the feed's own URL (link rel="self"), or NULL */
} atom_feed_t;

typedef struct atom_entry {
    char *id;             /* its <id> */
    vtime_t updated;      /* its <updated>; 0 when unreadable */
    char *xml;            /* the whole <entry>…</entry> element */
    int fresh;            /* added by this run (else read from the file) */
    long long flag_id;    /* fresh ones: the flag's id */
    size_t pos;           /* read ones: their place in the file */
} atom_entry_t;

typedef struct atom_entries {
    atom_entry_t *v;
    size_t n, cap;
} atom_entries_t;

/* The entries of a feed's text, as written, in file order. 0; or -1 with
 * *why saying what is wrong (not XML, not Atom, not written by vane, an
 * entry not found as written) — the caller must not overwrite such a file —
 * or "out of memory". */
int atom_read(const char *text, size_t len, atom_entries_t *out, const char **why);

/* Add the entry of flag f (created at its created_at, else now) unless an
 * entry with its id is there already (a retry). 0, or -1 when memory ran out. */
int atom_add_flag(const atom_feed_t *feed, const channel_flag_t *f, vtime_t now,
                  atom_entries_t *list);

/* Sort list newest first (by updated; at the same time a run's new flags
 * first, highest id first, then the file's order), drop all but the first
 * max, and write the whole document. 0, or -1 when memory ran out. */
int atom_write(const atom_feed_t *feed, atom_entries_t *list, size_t max, buf_t *out);

void atom_entries_free(atom_entries_t *list);

/* s escaped for XML text (attr: for an attribute value, quotes too):
 * & < > as references, ill-formed UTF-8 and U+FFFE/U+FFFF as U+FFFD,
 * control characters as spaces (newline and tab kept unless oneline). */
int atom_put_text(buf_t *out, const char *s, size_t len, int attr, int oneline);

#endif
