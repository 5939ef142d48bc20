/* pg_sql.h — the store's SQL, written for both databases, in the form
 * PostgreSQL reads (pg_store.c runs it):
 *   - parameters `?`, `?NNN` and `:name` become `$N` (SQLite's numbering:
 *     a bare `?` takes the number after the largest so far, a name keeps
 *     the number it was first given);
 *   - `INDEXED BY name` is dropped (PostgreSQL's planner picks indexes);
 *   - a unary `+` before a column (SQLite's way of keeping an index from
 *     being used) is dropped;
 *   - `BEGIN IMMEDIATE` becomes `BEGIN`.
 * Quoted strings, quoted names and comments are copied as they are. */
#ifndef VANE_PG_SQL_H
#define VANE_PG_SQL_H

typedef struct pg_sql {
    char *text;          /* the statement for PostgreSQL */
    int nparams;         /* its parameters, $1 to $nparams */
    char **names;        /* names[i]: the :name of $i+1, or NULL */
    int readonly;        /* 1 when it only reads (SELECT, WITH … SELECT, VALUES) */
} pg_sql_t;

/* Rewrite sql into out. 0, or -1 when out of memory or when a parameter
 * number is out of range. */
int pg_sql_translate(const char *sql, pg_sql_t *out);
void pg_sql_free(pg_sql_t *s);

/* The 1-based number of the parameter written name (":source"), 0 if the
 * statement has none of that name. */
int pg_sql_param_index(const pg_sql_t *s, const char *name);

/* A database URL as it may be shown: its password, in the user part or as
 * a password= parameter, replaced by "…". A malloc'ed string, NULL when
 * out of memory. */
char *pg_url_shown(const char *url);

#endif
