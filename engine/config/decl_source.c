/* decl_source.c — `source { … }` in vane.lua: reading and checking one
 * source declaration (config.h, source_cfg_t). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/decl_request.h"
#include "config/keys.h"
#include "config/loader.h"
#include "util/redact.h"
#include "lib/vanelib.h"
#include "sandbox/sandbox.h"
#include "util/buf.h"
#include "util/json.h"

#define DEFAULT_EVERY 3600
#define DEFAULT_TIMEOUT 30
#define DEFAULT_MAX_BYTES (5LL * 1000 * 1000)
#define DEFAULT_MAX_FOLLOW 50
#define MAX_MAX_FOLLOW 100000
#define MAX_OPTIONS_BYTES (1000 * 1000)

void decl_source_free(source_cfg_t *s)
{
    DECL_FREE(s->id, s->name, s->url, s->url_shown, s->script, s->options_json);
    decl_free_strings(s->ignore);
    decl_free_strings(s->option_keys);
    decl_request_free(&s->http);
}

/* The string keys of the options table at index -1 (checked against what
 * the script declares, config/xref.h). */
static char **option_keys(lua_State *L)
{
    size_t n = 0, cap = 8;
    char **v = calloc(cap + 1, sizeof *v);
    if (!v)
        return NULL;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING)
            continue;
        if (n == cap) {
            char **more = realloc(v, ((cap *= 2) + 1) * sizeof *v);
            if (!more) {
                lua_pop(L, 1);
                break;
            }
            v = more;
        }
        v[n++] = strdup(lua_tostring(L, -1));
        v[n] = NULL;
    }
    return v;
}

#define OPTIONS_MAX_DEPTH 32

static int check_plain_options(lua_State *L)
{
    sandbox_check_plain(L, 1, OPTIONS_MAX_DEPTH, 0);
    return 0;
}

/* options as plain data: a metatable (whose __index or __pairs would run
 * when the script reads them), a cycle, a function or a NaN is a problem
 * of the declaration, not something encoded away in silence. */
static int options_plain(decl_t *d)
{
    lua_pushcfunction(d->L, check_plain_options);
    lua_pushvalue(d->L, -2);
    if (lua_pcall(d->L, 1, 0, 0) == LUA_OK)
        return 1;
    decl_problem(d, "%s: 'options' must be plain data, not %s", d->what,
                 lua_isstring(d->L, -1) ? lua_tostring(d->L, -1) : "that");
    lua_pop(d->L, 1);
    return 0;
}

static char *options_json(decl_t *d)
{
    buf_t b = {0};
    err_t e = {{0}};
    int t = lua_getfield(d->L, d->idx, "options");
    /* the size first: it stops at the cap, where walking a table shared
     * many times would take as long as writing it out */
    size_t size = t == LUA_TTABLE ? vanelib_plain_size(d->L, -1, MAX_OPTIONS_BYTES) : 0;
    if (t == LUA_TTABLE && (size <= MAX_OPTIONS_BYTES || size == SIZE_MAX) && !options_plain(d)) {
        lua_pop(d->L, 1);
        return strdup("{}");
    }
    if (t == LUA_TNIL) {
        buf_puts(&b, "{}");
    } else if (size > MAX_OPTIONS_BYTES && size != SIZE_MAX) {
        decl_problem(d, "%s: 'options' would take more than 1 MB as JSON (a table shared many "
                     "times is written out each time)", d->what);
        buf_puts(&b, "{}");
    } else if (t != LUA_TTABLE || json_encode_object(d->L, -1, &b, &e) != 0) {
        decl_problem(d, "%s: 'options' must be a table of plain values%s%.900s", d->what,
                     t == LUA_TTABLE ? ": " : "", t == LUA_TTABLE ? e.msg : "");
        buf_reset(&b);
        buf_puts(&b, "{}");
    }
    lua_pop(d->L, 1);
    return buf_steal(&b);
}

/* The url as written is kept for the fetcher; messages quote its shown
 * form, so a token read with env "…" is not echoed by `vane check`. */
static void check_url(decl_t *d, const char *url, const char *shown)
{
    if (!url)
        decl_problem(d, "%s: missing url", d->what);
    else if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0 &&
             strncasecmp(url, "file://", 7) != 0)
        decl_problem(d, "%s: url must start with http:// or https:// (got \"%s\")", d->what,
                     shown ? shown : "\xE2\x80\xA6");
}

/* Every field after the id, in the order their problems are reported. */
static void source_fields(decl_t *d, source_cfg_t *s)
{
    s->url = decl_string(d, "url", NULL);
    s->name = decl_string(d, "name", NULL);
    s->url_shown = s->url ? redact_url_dup(s->url) : NULL;
    check_url(d, s->url, s->url_shown);
    s->script = decl_string(d, "script", NULL);
    if (!s->script)
        decl_problem(d, "%s: missing script (the name of a scripts/NAME.lua)", d->what);
    s->every = decl_duration(d, "every", DEFAULT_EVERY);
    s->timeout = decl_duration(d, "timeout", DEFAULT_TIMEOUT);
    s->max_bytes = decl_size(d, "max_bytes", DEFAULT_MAX_BYTES);
    s->removals = decl_bool(d, "removals", 0);
    s->max_follow = decl_count(d, "max_follow", 0, MAX_MAX_FOLLOW, DEFAULT_MAX_FOLLOW);
    s->max_item_bytes = decl_size(d, "max_item_bytes", 0);
    s->keep_documents = decl_duration_or_false(d, "keep_documents", -1);
    s->ignore = decl_strings(d, "ignore", &s->n_ignore);
    decl_request(d, s);
    s->options_json = options_json(d);
    if (lua_getfield(d->L, d->idx, "options") == LUA_TTABLE && !d->bad)
        s->option_keys = option_keys(d->L);
    lua_pop(d->L, 1);
}

const char *const decl_source_keys[] = {"id", "name", "url", "script", "every", "timeout", "max_bytes",
                                          "removals", "max_follow", "ignore", "options",
                                          "max_item_bytes", "keep_documents", NULL};

/* Its own keys, then what it sends (config/decl_request.h). */
static int source_key(const char *key, const void *ud)
{
    (void)ud;
    return decl_listed(decl_source_keys, key) || decl_listed(decl_request_keys, key);
}

static const loader_form_t source_form = {
    .kind = "source", .known = source_key, .id_rule = " (letters, digits and - _ . : only)"};

int decl_source(lua_State *L)
{
    decl_t d;
    source_cfg_t s = {0};
    if (loader_open(L, &d, &source_form, &s.id, &s.line) != 0)
        return 0;
    source_fields(&d, &s);
    if (loader_close(&d, &source_form, s.id))
        loader_keep_source(loader_of(L), &s);
    else
        decl_source_free(&s);
    return 0;
}
