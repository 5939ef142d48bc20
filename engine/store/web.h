/* web.h — the store's reads for the web view's list of flags (`vane
 * serve`, /flags): one page of flags matching the filters, newest first,
 * each with its delivery counts and verdict, paged by id (sql_web.c).
 *
 * Cost: equality filters (rule, source) walk their index (flags_rule,
 * flags_source; entries end with the id, so newest first and id paging are
 * seeks); a time bound is an id bound read from flags_created; severity and
 * the text search q are checked on each row the other filters leave, so a
 * text search alone may read every flag until it fills a page. */
#ifndef VANE_STORE_WEB_H
#define VANE_STORE_WEB_H

#include <stddef.h>

#include "store/store.h"

typedef struct store_web_filter {
    const char *rule, *source;  /* equal to; NULL: any */
    int min_severity;           /* rank (config/severity.h) at or above; <= 0: any */
    const char *since, *until;  /* ISO times: created_at >= since, < until; NULL: unbounded */
    const char *q;              /* in message or title, ASCII case-insensitive; NULL: any */
    long long before, after;    /* the page: ids below before (newest first), or
                                   above after (the page just newer); 0: the newest page */
    size_t limit;               /* rows per page */
} store_web_filter_t;

typedef struct store_web_flag {
    long long id, silence_id;   /* silence_id 0: not silenced */
    char *rule, *severity, *message, *source, *source_name, *title, *link, *created_at;
    char *verdict;              /* "useful", "noise" or NULL */
    long sent, pending, dead;   /* its outbox rows by status */
} store_web_flag_t;

typedef struct store_web_page {
    store_web_flag_t *rows;     /* newest first */
    size_t n;
    int newer, older;           /* more matching flags above / below this page */
} store_web_page_t;

/* One page of flags for f. 0, or -1 with e set (page empty). */
int store_web_flags(store_t *st, const store_web_filter_t *f, store_web_page_t *page, err_t *e);
void store_web_page_free(store_web_page_t *page);

/* The SQL store_web_flags runs for f's filters (not its page), with the
 * id bounds `id > :lo` when lo, `id < :hi` when hi: the rows newest first
 * (oldest first when ascending), or one row's id when probe is set. For
 * the query-plan test. 0, or -1 out of memory. */
int store_web_flags_sql(const store_web_filter_t *f, int lo, int hi, int ascending, int probe,
                        buf_t *out);

#endif
