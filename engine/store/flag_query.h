/* flag_query.h — the flags the web view's feed and API list
 * (sqlite_flag_query.c): the newest flags matching the flags page's
 * filters, a page at a time, newest first. Each is handed over as the
 * JSON object `vane flags --json` prints and as its fields. */
#ifndef VANE_FLAG_QUERY_H
#define VANE_FLAG_QUERY_H

#include "store/store.h"
#include "util/buf.h"
#include "util/err.h"

typedef struct store_flag_query {
    const char *rule;        /* this rule's flags, or NULL */
    const char *source;      /* this source's, or NULL */
    const char *since;       /* raised at or after this ISO time, or NULL */
    const char *until;       /* raised before this ISO time, or NULL */
    const char *q;           /* text in the message or the item's title
                                (case-insensitive for ASCII), or NULL */
    int min_severity;        /* severity rank (config/severity.h) at least; 0: any */
    long long before;        /* ids below this (the next page), or 0 */
    long limit;              /* at most this many (> 0) */
} store_flag_query_t;

/* A flag found: the JSON object of `vane flags --json`, and its fields
 * (the strings live until fn returns). Non-zero stops. */
typedef int (*store_flag_found_fn)(void *ud, const char *json, const store_flag_row_t *f);

/* The flags matching q, newest first. 0, or -1 with e set. */
int store_flags_find(store_t *st, const store_flag_query_t *q, store_flag_found_fn fn, void *ud,
                     err_t *e);

#endif
