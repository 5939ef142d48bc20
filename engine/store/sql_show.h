/* sql_show.h — the SQL of the reads `vane show` and `vane history` make
 * (sql_show.c). Private to engine/store/ and to the test that checks
 * each statement's query plan (tests/test_query_plans.c): every one is a
 * seek of a primary key or an index (events_source_key, flags_event, the
 * outbox's (flag_id, channel)), never a walk of events or flags. */
#ifndef VANE_SQLITE_SHOW_H
#define VANE_SQLITE_SHOW_H

/* Each statement, ?1 (and ?2) bound as the functions of store.h say. */
extern const char db_sql_show_flag[];        /* ?1 flag id */
extern const char db_sql_show_item[];        /* ?1 source, ?2 key */
extern const char db_sql_show_silence[];     /* ?1 silence id */
extern const char db_sql_show_deliveries[];  /* ?1 flag id */
extern const char db_sql_show_versions[];    /* ?1 source, ?2 key */
extern const char db_sql_show_item_flags[];  /* ?1 source, ?2 key */
extern const char db_sql_show_source[];      /* ?1 source */

/* Every statement above, NULL-terminated (for the plan test). */
extern const char *const db_sql_show_all[];

#endif
