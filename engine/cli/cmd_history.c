/* cmd_history.c — `vane history SOURCE KEY`: every version of one item,
 * newest first: each event (id, observed time, change) with what changed
 * (changed: field old → new; new: its fields; removed: its last fields),
 * and the flags raised on it. For people, one block per version (every
 * stored text escaped, util/termtext.h); with --json one line per version,
 * the event as `vane events --json` prints it with its "flags". */
#include "cli/command.h"
#include "cli/story.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/exitcode.h"
#include "util/suggest.h"
#include "util/termtext.h"

typedef struct versions {
    store_event_t *evs;
    size_t n;
    store_event_flag_t *flags;   /* newest event first, as evs */
    size_t n_flags;
} versions_t;

/* ---- for people ------------------------------------------------------------------ */

static int text_flags(buf_t *b, const versions_t *v, size_t *f, long long event_id)
{
    int rc = 0;
    for (; *f < v->n_flags && v->flags[*f].event_id == event_id; (*f)++) {
        const store_event_flag_t *fl = &v->flags[*f];
        rc |= buf_printf(b, "  flag %lld  ", fl->id) | story_text(b, fl->severity) |
              buf_puts(b, "  [") | story_text(b, fl->rule) | buf_puts(b, "] ") |
              story_text(b, fl->message) | buf_putc(b, '\n');
    }
    return rc;
}

static int text_version(buf_t *b, const store_event_t *ev)
{
    int rc = buf_printf(b, "event %lld  ", ev->id) | story_text(b, ev->observed_at) |
             buf_puts(b, "  ") | story_text(b, ev->change) |
             buf_puts(b, ev->baseline ? " (baseline)" : "") | buf_putc(b, '\n');
    if (strcmp(ev->change, "changed") == 0)
        return rc | story_diff(b, "  ", ev->diff, 1);
    if (strcmp(ev->change, "removed") == 0)
        return rc | buf_puts(b, "  last seen as:\n") |
               story_fields(b, "    ", ev->prev ? ev->prev : ev->item);
    return rc | story_fields(b, "  ", ev->item);
}

static int print_text(buf_t *b, const versions_t *v)
{
    int rc = 0;
    size_t f = 0;
    for (size_t i = 0; i < v->n; i++) {
        rc |= buf_puts(b, i ? "\n" : "") | text_version(b, &v->evs[i]);
        rc |= text_flags(b, v, &f, v->evs[i].id);
    }
    return rc;
}

/* ---- --json ------------------------------------------------------------------------ */

static int json_flags(buf_t *b, const versions_t *v, size_t *f, long long event_id)
{
    int rc = buf_puts(b, "[");
    for (size_t first = *f; *f < v->n_flags && v->flags[*f].event_id == event_id; (*f)++) {
        const store_event_flag_t *fl = &v->flags[*f];
        story_json_t j;
        rc |= buf_puts(b, *f > first ? "," : "");
        story_json_begin(&j, b);
        story_json_int(&j, "id", fl->id);
        story_json_str(&j, "rule", fl->rule);
        story_json_str(&j, "severity", fl->severity);
        story_json_str(&j, "message", fl->message);
        rc |= story_json_end(&j);
    }
    return rc | buf_puts(b, "]");
}

static int print_json(buf_t *b, const versions_t *v)
{
    int rc = 0;
    size_t f = 0;
    for (size_t i = 0; i < v->n; i++) {
        const store_event_t *ev = &v->evs[i];
        story_json_t j;
        story_json_begin(&j, b);
        story_json_event_members(&j, ev);
        story_json_key(&j, "flags");
        rc |= j.rc | json_flags(b, v, &f, ev->id) | buf_puts(b, "}\n");
    }
    return rc;
}

/* ---- the command ------------------------------------------------------------------- */

/* The stored sources' ids, for a suggestion. */
typedef struct names {
    char **v;
    size_t n, cap;
} names_t;

static int add_name(void *ud, const char *json, int ncols, const char *const *heads,
                    const char *const *cols)
{
    (void)json, (void)heads;
    names_t *k = ud;
    if (ncols < 1 || !cols[0])
        return 0;
    if (k->n == k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 16;
        char **grown = realloc(k->v, cap * sizeof *grown);
        if (!grown)
            return 1;
        k->v = grown;
        k->cap = cap;
    }
    k->v[k->n] = strdup(cols[0]);
    return !k->v[k->n++];
}

/* "no source X in the database" with the closest stored source, if any. */
static void say_unknown_source(store_t *st, const char *source)
{
    names_t k = {0};
    err_t e;
    store_list(st, STORE_LIST_SOURCES, NULL, add_name, &k, &e);   /* no list, no suggestion */
    const char *close = suggest_closest(source, (const char *const *)k.v, k.n);
    fputs("no source ", stderr);
    termtext_fputs(source, stderr);
    fputs(" in the database", stderr);
    if (close) {
        fputs(" (did you mean '", stderr);
        termtext_fputs(close, stderr);
        fputs("'?)", stderr);
    }
    for (size_t i = 0; i < k.n; i++)
        free(k.v[i]);
    free(k.v);
}

/* Say why there is no version: the source or the key is unknown. */
static int unknown(store_t *st, const char *source, const char *key)
{
    int known = 0;
    err_t e;
    if (store_source_known(st, source, &known, &e) != 0) {
        fprintf(stderr, "vane: history: %s\n", e.msg);
        return VANE_EXIT_FAILED;
    }
    fputs("vane: history: ", stderr);
    if (known) {
        fputs("source ", stderr);
        termtext_fputs(source, stderr);
        fputs(" has no item with the key ", stderr);
        termtext_fputs(key, stderr);
    } else {
        say_unknown_source(st, source);
    }
    fputs("; `vane events --source ", stderr);
    termtext_fputs(source, stderr);
    fputs("` lists its items' keys\n", stderr);
    return VANE_EXIT_USAGE;
}

static int history(store_t *st, const char *source, const char *key, int json)
{
    versions_t v = {0};
    err_t e;
    int code = VANE_EXIT_OK;
    buf_t out = {0};
    if (store_item_versions(st, source, key, &v.evs, &v.n, &e) != 0 ||
        store_item_flags(st, source, key, &v.flags, &v.n_flags, &e) != 0) {
        fprintf(stderr, "vane: history: %s\n", e.msg);
        code = VANE_EXIT_FAILED;
    } else if (v.n == 0) {
        code = unknown(st, source, key);
    } else if ((json ? print_json(&out, &v) : print_text(&out, &v)) != 0) {
        fprintf(stderr, "vane: history: out of memory\n");
        code = VANE_EXIT_FAILED;
    } else {
        fputs(buf_str(&out), stdout);
    }
    buf_free(&out);
    store_events_free(v.evs, v.n);
    store_event_flags_free(v.flags, v.n_flags);
    return code;
}

int cmd_history(const cli_args_t *a)
{
    if (a->n_words != 2)
        return cli_usage_error("history needs a source and an item key: vane history SOURCE KEY");
    store_t *st;
    int code = story_open(a, &st);
    if (code == 0)
        code = history(st, a->words[0], a->words[1], cli_flag(a, CLI_JSON));
    store_close(st);
    return code;
}
