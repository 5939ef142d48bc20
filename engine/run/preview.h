/* preview.h — what a source's script extracts, before it counts.
 *
 * `vane preview SOURCE` fetches the source (without validators: the page as
 * it is now) or reads a saved page, decodes it as a run does and runs the
 * source's script on it. Nothing is stored and no database is opened: the
 * items, the script's warnings (a selector that matched nothing, a date it
 * could not read) and the fetch's status come back to the caller to print.
 * Detail pages are not read: items keep their `follow`. */
#ifndef VANE_RUN_PREVIEW_H
#define VANE_RUN_PREVIEW_H

#include <stddef.h>

#include "config/config.h"
#include "diff/diff.h"
#include "util/err.h"

typedef struct preview {
    diff_item_t *items;   /* key and canonical JSON fields, in the script's order */
    size_t n;
    errlist_t warnings;   /* "source ID: …", as a run words them */
    long status;          /* the HTTP status, 0 for a file */
    char url[2048];       /* where the page came from (the final url, or the file) */
} preview_t;

/* Fetch source s (or read file when not NULL) and run its script. Returns
 * 0 with *p filled (free with preview_free), or -1 with e set to why the
 * fetch or the script failed ("source ID: …"); p's warnings are kept
 * either way. */
int preview_source(const config_t *cfg, const source_cfg_t *s, const char *file, preview_t *p,
                   err_t *e);
void preview_free(preview_t *p);

#endif
