/* sql_charts.h — the SQL of the web view's chart reads
 * (sql_charts.c). Private to engine/store/ and to the test that checks
 * their query plans (tests/test_pages_charts.c): no read walks the events
 * or flags table whole; the advisories list seeks each item's events by
 * (source, key), the rules' weeks read flags_created from the window's
 * start. */
#ifndef VANE_SQLITE_CHARTS_H
#define VANE_SQLITE_CHARTS_H

/* ?1 source; then one of db_sql_charts_advisory_order appended. */
extern const char db_sql_charts_advisories[];
extern const char *const db_sql_charts_advisory_order[];   /* by chart_sort_t */
extern const char db_sql_charts_versions[];        /* ?1 source, ?2 key */
extern const char db_sql_charts_sources[];
extern const char db_sql_charts_source_changes[];  /* ?1 source, ?2 from, ?3 days */
extern const char db_sql_charts_source_failures[]; /* ?1 source, ?2 from, ?3 days */
extern const char db_sql_charts_rules_weeks[];     /* ?1 from */

#endif
