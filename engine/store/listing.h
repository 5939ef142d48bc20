/* listing.h — between a store implementation and the backend-neutral
 * formatting of what it reads (listing.c). Private to engine/store/.
 *
 * The implementation reads rows as plain values, each a number, a text or
 * nothing, in its database's own text form; listing.c turns them into the
 * JSON objects and table columns that `vane events/flags/sources/runs/
 * outbox` print, the outbox's flag objects and the silences' objects. */
#ifndef VANE_LISTING_H
#define VANE_LISTING_H

#include "store/store.h"

typedef enum store_vtype { STORE_NULL, STORE_NUMBER, STORE_TEXT } store_vtype_t;

typedef struct store_value {
    store_vtype_t type;
    const char *text;   /* a number as the database writes it, or the text; NULL for STORE_NULL */
} store_value_t;

/* The values of each kind's rows, in this order (the implementation's
 * SELECT follows it):
 *   events:  id run_id source key change baseline item prev diff observed_at
 *   flags:   id run_id rule severity message source key change event_id
 *            observed_at created_at silence_id title link source_name
 *            rule_title changes silence_reason
 *   sources: id url last_attempt last_success last_status last_error
 *            failures items next_due baselined
 *   runs:    id started_at finished_at status exit_code sources fetched
 *            unchanged failed events flags errors warnings n_warnings
 *   outbox:  id flag_id channel status attempts last_error next_attempt
 *            sent_at rule source message */
typedef int (*store_values_fn)(void *ud, const store_value_t *v);

/* The implementation's part of store_list: call fn once per row matching f
 * (the newest f->limit of them when it is above 0), in id order; fn
 * returns non-zero to stop. */
int store_list_rows(store_t *st, store_list_kind_t kind, const store_filter_t *f,
                    store_values_fn fn, void *ud, err_t *e);

/* The values of a flag — id rule severity message source key change
 * event_id observed_at created_at run_id title link source_name rule_title
 * changes — as the JSON object an outbox row
 * carries (store_outbox_row_t.flag_json), appended to out. */
int store_flag_json(const store_value_t *v, buf_t *out);

/* The values of a flags row (as listed above) as the JSON object `vane
 * flags --json` prints, appended to out (the web view's API). */
int store_flag_listing_json(const store_value_t *v, buf_t *out);

/* The silence as `vane silence list --json` prints it (s->json is not
 * read), appended to out. */
int store_silence_json(const store_silence_t *s, buf_t *out);

#endif
