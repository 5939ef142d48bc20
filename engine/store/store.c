/* store.c — the backend-neutral part of the store (see store.h): freeing
 * what its functions hand back. */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

void source_state_free(source_state_t *s)
{
    free(s->etag);
    free(s->last_modified);
    free(s->body_hash);
    free(s->last_attempt);
    free(s->last_success);
    free(s->next_due);
    memset(s, 0, sizeof *s);
}

void store_items_free(store_item_t *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(items[i].key);
        free(items[i].fields);
    }
    free(items);
}

void store_events_free(store_event_t *evs, size_t n)
{
    for (size_t i = 0; evs && i < n; i++) {
        free(evs[i].source);
        free(evs[i].key);
        free(evs[i].change);
        free(evs[i].item);
        free(evs[i].prev);
        free(evs[i].diff);
        free(evs[i].observed_at);
    }
    free(evs);
}

void store_outbox_free(store_outbox_row_t *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rows[i].flag_json);
        free(rows[i].severity);
        free(rows[i].rule);
        free(rows[i].source);
        free(rows[i].message);
        free(rows[i].key);
        free(rows[i].created_at);
        free(rows[i].next_attempt);
    }
    free(rows);
}
