/* sql_reads.h — the SQL of the SQLite store's history reads (`vane
 * events/flags/sources/runs/outbox`, vane.events, `vane replay`), built
 * from the filters that are set. Private to engine/store/ and to the test
 * that checks each statement's query plan (tests/test_query_plans.c).
 *
 * A filter that is not set is not in the SQL, so that SQLite can use an
 * index for every one that is (a `(:x IS NULL OR col = :x)` term keeps it
 * from using any). A time bound is read as an id bound as well: the
 * smallest id at or after the time, from the index on the time column,
 * beside the time test itself, so rows whose time does not follow their
 * id (re-extracted events, runs with --now) are still judged by their
 * time. Parameters are named: :source :key :change :rule :channel :since
 * :until :after :last :floor :limit, each in the SQL only when its filter is set
 * (:limit always; -1 for no limit). Each function appends the statement to
 * out: 0, or -1 when memory ran out. */
#ifndef VANE_SQLITE_READS_H
#define VANE_SQLITE_READS_H

#include "store/store.h"
#include "util/buf.h"

/* vane.history: the newest ?3 events of the item (?1 source, ?2 key), in
 * id order; one statement for every call. */
extern const char db_sql_item[];

/* store_list's statement: f's rows (NULL: no filter), the newest :limit,
 * in id order. With newest, a time bound is written `id > :floor` instead
 * of the smallest id at or after it: the probe of the newest rows
 * (db_probe_newest), events and flags only. */
int db_sql_list(store_list_kind_t kind, const store_filter_t *f, int newest, buf_t *out);

/* vane.events: the newest :limit events matching q (its limit is bound,
 * not written), in id order; newest as for db_sql_list. */
int db_sql_history(const store_history_query_t *q, int newest, buf_t *out);

/* The highest id of events (STORE_LIST_EVENTS) or flags (STORE_LIST_FLAGS). */
extern const char db_sql_last[][32];

/* `vane replay`'s window: the lowest and highest id observed in [:since,
 * :until) (either may be NULL, not both). */
int db_sql_span(const char *since, const char *until, buf_t *out);

/* One page of `vane replay`: the first :limit events after :after (and up
 * to :last when bounded) observed in [:since, :until), in id order. */
int db_sql_range(const char *since, const char *until, int bounded, buf_t *out);

#endif
