/* store.c — the backend-neutral part of the store (see store.h): freeing
 * what its functions hand back. */
#include "store/store.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof *(a))

/* The offset of member m of struct type T, which must be a char * (this
 * does not compile otherwise). */
#define OWNED(T, m) (offsetof(T, m) + 0 * sizeof((char **){&(T){0}.m}))

/* The strings each struct owns, by offset. */
static const size_t source_state_strings[] = {
    OWNED(source_state_t, etag), OWNED(source_state_t, last_modified),
    OWNED(source_state_t, body_hash), OWNED(source_state_t, last_attempt),
    OWNED(source_state_t, last_success), OWNED(source_state_t, next_due),
    OWNED(source_state_t, definition),
};

static const size_t item_strings[] = {
    OWNED(store_item_t, key), OWNED(store_item_t, fields),
};

static const size_t event_strings[] = {
    OWNED(store_event_t, source), OWNED(store_event_t, key),
    OWNED(store_event_t, change), OWNED(store_event_t, item),
    OWNED(store_event_t, prev), OWNED(store_event_t, diff),
    OWNED(store_event_t, observed_at),
};

static const size_t outbox_strings[] = {
    OWNED(store_outbox_row_t, flag_json), OWNED(store_outbox_row_t, severity),
    OWNED(store_outbox_row_t, rule), OWNED(store_outbox_row_t, source),
    OWNED(store_outbox_row_t, message), OWNED(store_outbox_row_t, key),
    OWNED(store_outbox_row_t, created_at), OWNED(store_outbox_row_t, next_attempt),
    OWNED(store_outbox_row_t, title), OWNED(store_outbox_row_t, link),
    OWNED(store_outbox_row_t, source_name), OWNED(store_outbox_row_t, rule_title),
    OWNED(store_outbox_row_t, change), OWNED(store_outbox_row_t, observed_at),
    OWNED(store_outbox_row_t, changes), OWNED(store_outbox_row_t, page),
};

/* Free the strings at the n offsets of one struct. */
static void free_strings(void *row, const size_t *offsets, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char **p = (char **)((char *)row + offsets[i]);
        free(*p);
    }
}

/* Free the strings of each of the n structs of `size` bytes in rows, then
 * rows. */
static void free_rows(void *rows, size_t n, size_t size, const size_t *offsets, size_t count)
{
    for (size_t i = 0; rows && i < n; i++)
        free_strings((char *)rows + i * size, offsets, count);
    free(rows);
}

void source_state_free(source_state_t *s)
{
    free_strings(s, source_state_strings, COUNT(source_state_strings));
    memset(s, 0, sizeof *s);
}

void store_items_free(store_item_t *items, size_t n)
{
    free_rows(items, n, sizeof *items, item_strings, COUNT(item_strings));
}

void store_events_free(store_event_t *evs, size_t n)
{
    free_rows(evs, n, sizeof *evs, event_strings, COUNT(event_strings));
}

void store_outbox_free(store_outbox_row_t *rows, size_t n)
{
    free_rows(rows, n, sizeof *rows, outbox_strings, COUNT(outbox_strings));
}
