/* flag_query.h — the flags the web view's feed and API list
 * (sql_flag_query.c): the newest flags matching the flags page's
 * filters, a page at a time, newest first. Each is handed over as the
 * JSON object `vane flags --json` prints and as its fields. */
#ifndef VANE_FLAG_QUERY_H
#define VANE_FLAG_QUERY_H

#include "store/store.h"
#include "store/web.h"
#include "util/buf.h"
#include "util/err.h"


/* A flag found: the JSON object of `vane flags --json`, and its fields
 * (the strings live until fn returns). Non-zero stops. */
typedef int (*store_flag_found_fn)(void *ud, const char *json, const store_flag_row_t *f);

/* The flags matching f (the flags page's filter: its before and limit,
 * never after), newest first. 0, or -1 with e set. */
int store_flags_find(store_t *st, const store_web_filter_t *f, store_flag_found_fn fn, void *ud,
                     err_t *e);

#endif
