/* sqlite_functions.c — the SQL functions the SQLite store registers on its
 * connection: event_prev and event_diff give a changed event's prev and
 * diff back whole from their packed form (event_pack.h), and
 * event_pack_prev and event_pack_diff pack them (db/sqlite/010's
 * conversion). */
#include "store/db.h"

#include <stdlib.h>
#include <string.h>

#include "store/event_pack.h"


static const char *arg_text(sqlite3_value *v)
{
    return (const char *)sqlite3_value_text(v);
}

/* The function's result: out's text (taken), or SQLite's error. */
static void result_buf(sqlite3_context *ctx, buf_t *out, int ok)
{
    char *text = ok ? buf_steal(out) : NULL;
    buf_free(out);
    if (text)
        sqlite3_result_text(ctx, text, -1, free);
    else
        sqlite3_result_error(ctx, "an event's packed prev or diff does not read back", -1);
}

/* event_prev(item, prev, diff): prev, whole. */
static void fn_event_prev(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *item = arg_text(argv[0]), *prev = arg_text(argv[1]), *diff = arg_text(argv[2]);
    if (!event_is_packed(diff) || !item || !prev) {
        sqlite3_result_value(ctx, argv[1]);
        return;
    }
    buf_t out = {0};
    result_buf(ctx, &out, event_unpack_prev(item, prev, &out) == 0);
}

/* event_diff(item, prev, diff): diff, whole. */
static void fn_event_diff(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *item = arg_text(argv[0]), *prev = arg_text(argv[1]), *diff = arg_text(argv[2]);
    if (!event_is_packed(diff) || !item || !prev) {
        sqlite3_result_value(ctx, argv[2]);
        return;
    }
    if (!event_has_diff(diff)) {
        sqlite3_result_null(ctx); /* a removed event */
        return;
    }
    buf_t out = {0};
    result_buf(ctx, &out, event_unpack_diff(item, prev, diff, &out) == 0);
}

/* event_pack_prev(item, prev, diff) and event_pack_diff(…): the columns as
 * store_event_add writes them for a changed or removed event (whole when
 * it cannot be packed); db/010 converts older rows with them. */
static void pack(sqlite3_context *ctx, sqlite3_value **argv, int want_names)
{
    const char *item = arg_text(argv[0]), *prev = arg_text(argv[1]), *diff = arg_text(argv[2]);
    buf_t delta = {0}, names = {0};
    if (event_is_packed(diff) || !event_pack(item, prev, diff, &delta, &names)) {
        sqlite3_result_value(ctx, argv[want_names ? 2 : 1]);
    } else {
        buf_t *out = want_names ? &names : &delta;
        sqlite3_result_text(ctx, buf_str(out), (int)out->len, SQLITE_TRANSIENT);
    }
    buf_free(&delta);
    buf_free(&names);
}

static void fn_pack_prev(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    pack(ctx, argv, 0);
}

static void fn_pack_diff(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    pack(ctx, argv, 1);
}

int db_register_event_functions(store_t *st, err_t *e)
{
    static const struct {
        const char *name;
        void (*fn)(sqlite3_context *, int, sqlite3_value **);
    } fns[] = {{"event_prev", fn_event_prev}, {"event_diff", fn_event_diff},
               {"event_pack_prev", fn_pack_prev}, {"event_pack_diff", fn_pack_diff}};
    for (size_t i = 0; i < sizeof fns / sizeof *fns; i++)
        if (sqlite3_create_function_v2(st->db, fns[i].name, 3,
                                       SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                       NULL, fns[i].fn, NULL, NULL, NULL) != SQLITE_OK)
            return db_error(st, e, "registering the event functions");
    return 0;
}

