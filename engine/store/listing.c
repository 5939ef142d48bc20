/* listing.c — what `vane events/flags/sources/runs/outbox`, the outbox's
 * flags and `vane silence list --json` show of stored rows: their JSON
 * objects and table columns, built from the plain values a store
 * implementation reads (listing.h). Backend-neutral: no SQL here.
 *
 * The output is what SQLite's json_object() and the listings' SQL
 * expressions produced when they were built in SQL, but for strings,
 * which json_put_string writes (so always valid UTF-8); stored JSON
 * (items, diffs, a run's errors; canonical, so without spaces) is written
 * as it is, numbers in the database's text form. */
#include "store/listing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/utf8.h"

/* How a value goes into JSON: as it is (number, string or null), as a
 * boolean (the number 1 is true), as JSON text, or as a JSON array ([]
 * when there is none). */
enum { AS_VALUE = 'v', AS_BOOL = 'b', AS_JSON = 'j', AS_ARRAY = 'a' };

/* A string as JSON: json_put_string's escaping, so every listing line and
 * every flag object a channel sends is valid UTF-8 (ill-formed bytes, from
 * a feed or a rule's message, become U+FFFD). */
static int put_string(buf_t *out, const char *s)
{
    return json_put_string(out, s, strlen(s));
}

static int is_one(const store_value_t *v)
{
    return v->type == STORE_NUMBER && strcmp(v->text, "1") == 0;
}

static int put_value(buf_t *out, char as, const store_value_t *v)
{
    if (as == AS_BOOL)
        return buf_puts(out, is_one(v) ? "true" : "false");
    if (v->type == STORE_NULL)
        return buf_puts(out, as == AS_ARRAY ? "[]" : "null");
    if (v->type == STORE_TEXT && as == AS_VALUE)
        return put_string(out, v->text);
    return buf_puts(out, v->text);
}

/* The object {fields[i]: v[i]} for the named fields (NULL-terminated). */
static int put_object(buf_t *out, const char *const *fields, const char *as,
                      const store_value_t *v)
{
    int rc = buf_putc(out, '{');
    for (size_t i = 0; fields[i] && rc == 0; i++)
        rc = buf_puts(out, i ? ",\"" : "\"") | buf_puts(out, fields[i]) | buf_puts(out, "\":") |
             put_value(out, as[i], &v[i]);
    return rc ? rc : buf_putc(out, '}');
}

static store_value_t text_value(const char *s)
{
    return (store_value_t){s ? STORE_TEXT : STORE_NULL, s};
}

int store_silence_json(const store_silence_t *s, buf_t *out)
{
    static const char *const fields[] = {"id", "rule", "source", "key", "created_at", "until",
                                         "reason", "removed_at", "active", NULL};
    char id[24];
    snprintf(id, sizeof id, "%lld", s->id);
    const store_value_t v[] = {
        {STORE_NUMBER, id}, text_value(s->rule), text_value(s->source), text_value(s->key),
        text_value(s->created_at), text_value(s->until), text_value(s->reason),
        text_value(s->removed_at), {STORE_NUMBER, s->active ? "1" : "0"}};
    return put_object(out, fields, "vvvvvvvvb", v);
}

int store_flag_json(const store_value_t *v, buf_t *out)
{
    static const char *const fields[] = {"id", "rule", "severity", "message", "source", "key",
                                         "change", "event_id", "observed_at", "created_at",
                                         "run_id", "title", "link", "source_name", "rule_title",
                                         "changes", NULL};
    return put_object(out, fields, "vvvvvvvvvvvvvvva", v);
}

/* ---- the listings' table columns that are not a stored value as it is ---- */

/* The text of the string member `name` of the JSON object json, or NULL. */
static const char *member_text(const char *json, const char *name, buf_t *scratch)
{
    const char *cur = json;
    json_member_t m;
    size_t len = strlen(name);
    while (json && json_object_next(&cur, &m) == 1) {
        if (m.keylen == len && memcmp(m.key, name, len) == 0 && m.val[0] == '"') {
            json_string_text(m.val, m.vallen, scratch);
            return buf_str(scratch);
        }
    }
    return NULL;
}

/* The item's title (the last one seen, for a removed item). */
static const char *event_title(const store_value_t *v, buf_t *scratch)
{
    return member_text(v[6].text ? v[6].text : v[7].text, "title", scratch);
}

/* The names of the fields a `changed` event's diff has. */
static const char *event_fields_changed(const store_value_t *v, buf_t *scratch)
{
    const char *cur = v[8].text;
    json_member_t m;
    while (cur && json_object_next(&cur, &m) == 1)
        buf_printf(scratch, "%s%.*s", scratch->len ? ", " : "", (int)m.keylen, m.key);
    return scratch->len ? buf_str(scratch) : NULL;
}

static const char *event_change(const store_value_t *v, buf_t *scratch)
{
    if (!v[4].text || !is_one(&v[5]))
        return v[4].text;
    buf_printf(scratch, "%s (baseline)", v[4].text);
    return buf_str(scratch);
}

static const char *event_column(const store_value_t *v, int col, buf_t *scratch)
{
    if (col == 5)
        return event_title(v, scratch);
    if (col == 6)
        return event_fields_changed(v, scratch);
    return event_change(v, scratch);
}

static const char *flag_message(const store_value_t *v, int col, buf_t *scratch)
{
    (void)col;
    if (!v[4].text || !v[11].text || !v[17].text)
        return v[4].text;
    buf_printf(scratch, "%s [silenced: %s (%s)]", v[4].text, v[11].text, v[17].text);
    return buf_str(scratch);
}

static const char *source_health(const store_value_t *v, int col, buf_t *scratch)
{
    (void)col, (void)scratch;
    if (!v[2].text)
        return "never";
    return v[6].text && atoll(v[6].text) > 0 ? "failing" : "ok";
}

/* The last error, else the message, cut to 80 characters the way SQLite's
 * substr() counts them: a byte of 0xC0 or more with the continuation bytes
 * after it is one character, any other byte is one. */
static const char *outbox_detail(const store_value_t *v, int col, buf_t *scratch)
{
    (void)col;
    const char *s = v[5].text ? v[5].text : v[10].text;
    if (!s)
        return NULL;
    const unsigned char *p = (const unsigned char *)s;
    for (int chars = 0; *p && chars < 80; chars++)
        if (*p++ >= 0xC0)
            while ((*p & 0xC0) == 0x80)
                p++;
    buf_append(scratch, s, (size_t)((const char *)p - s));
    return buf_str(scratch);
}

/* ---- the listings ---------------------------------------------------------- */

#define MAX_COLUMNS 10

typedef struct shape {
    const char *const *fields;        /* the JSON object's names, NULL-terminated */
    const char *as;                   /* how each goes into JSON (AS_*) */
    const char *const *headings;      /* the table's, NULL-terminated */
    signed char pick[MAX_COLUMNS];    /* per column, the value shown; -1: derive() */
    const char *(*derive)(const store_value_t *v, int col, buf_t *scratch);
} shape_t;

static const char *const event_fields[] = {"id", "run_id", "source", "key", "change", "baseline",
                                           "item", "prev", "diff", "observed_at", NULL};
static const char *const event_headings[] = {"id", "observed", "source", "change", "key",
                                             "title", "fields", NULL};
static const char *const flag_fields[] = {"id", "run_id", "rule", "severity", "message", "source",
                                          "key", "change", "event_id", "observed_at",
                                          "created_at", "silence_id", "title", "link",
                                          "source_name", "rule_title", "changes", NULL};
static const char *const flag_headings[] = {"id", "raised", "severity", "rule", "source",
                                            "message", NULL};
static const char *const source_fields[] = {"id", "url", "last_attempt", "last_success",
                                            "last_status", "last_error", "failures", "items",
                                            "next_due", "baselined", NULL};
static const char *const source_headings[] = {"id", "health", "last_success", "http", "failures",
                                              "items", "next_due", "last_error", NULL};
static const char *const run_fields[] = {"id", "started_at", "finished_at", "status", "exit_code",
                                         "sources", "fetched", "unchanged", "failed", "events",
                                         "flags", "errors", "warnings", NULL};
static const char *const run_headings[] = {"id", "started_at", "status", "sources", "fetched",
                                           "failed", "events", "flags", "errors", "warnings",
                                           NULL};
static const char *const outbox_fields[] = {"id", "flag_id", "channel", "status", "attempts",
                                            "last_error", "next_attempt", "sent_at", "rule",
                                            "source", "message", NULL};
static const char *const outbox_headings[] = {"id", "channel", "status", "attempts",
                                              "next_attempt", "rule", "detail", NULL};

static const shape_t shapes[] = {
    [STORE_LIST_EVENTS] = {event_fields, "vvvvvbjjjv", event_headings, {0, 9, 2, -1, 3, -1, -1},
                           event_column},
    [STORE_LIST_FLAGS] = {flag_fields, "vvvvvvvvvvvvvvvva", flag_headings, {0, 10, 3, 2, 5, -1},
                          flag_message},
    [STORE_LIST_SOURCES] = {source_fields, "vvvvvvvvvb", source_headings,
                            {0, -1, 3, 4, 6, 7, 8, 5}, source_health},
    [STORE_LIST_RUNS] = {run_fields, "vvvvvvvvvvvaa", run_headings,
                         {0, 1, 3, 5, 6, 8, 9, 10, 14, 13}, NULL},
    [STORE_LIST_OUTBOX] = {outbox_fields, "vvvvvvvvvvv", outbox_headings,
                           {0, 2, 3, 4, 6, 8, -1}, outbox_detail},
};

typedef struct lister {
    const shape_t *shape;
    int ncols;
    store_row_fn fn;
    void *ud;
    buf_t json, scratch[MAX_COLUMNS];
    int out_of_memory;
} lister_t;

static int on_row(void *ud, const store_value_t *v)
{
    lister_t *l = ud;
    const shape_t *sh = l->shape;
    const char *cols[MAX_COLUMNS];
    buf_reset(&l->json);
    if (put_object(&l->json, sh->fields, sh->as, v) != 0)
        return l->out_of_memory = 1;
    for (int i = 0; i < l->ncols; i++) {
        buf_reset(&l->scratch[i]);
        cols[i] = sh->pick[i] >= 0 ? v[sh->pick[i]].text : sh->derive(v, i, &l->scratch[i]);
    }
    if (l->fn(l->ud, buf_str(&l->json), l->ncols, sh->headings, cols))
        return 1;
    return 0;
}

int store_flag_listing_json(const store_value_t *v, buf_t *out)
{
    const shape_t *sh = &shapes[STORE_LIST_FLAGS];
    return put_object(out, sh->fields, sh->as, v);
}

int store_list(store_t *st, store_list_kind_t kind, const store_filter_t *f, store_row_fn fn,
               void *ud, err_t *e)
{
    lister_t l = {.shape = &shapes[kind], .fn = fn, .ud = ud};
    while (l.shape->headings[l.ncols])
        l.ncols++;
    int rc = store_list_rows(st, kind, f, on_row, &l, e);
    if (rc == 0 && l.out_of_memory)
        rc = err_set(e, "listing: out of memory");
    buf_free(&l.json);
    for (int i = 0; i < MAX_COLUMNS; i++)
        buf_free(&l.scratch[i]);
    return rc;
}
