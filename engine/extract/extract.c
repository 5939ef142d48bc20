/* extract.c — loading and running source scripts (see extract.h).
 *
 * Each run of a script over one source's document — its list, or one
 * detail page — gets a Lua state of its own, made for the call and closed
 * after it: its own memory ceiling and instruction budget, nothing left
 * behind by the source before, nothing it leaves for the next. A state
 * costs about 2 ms (the `vane` module's shipped Lua parts are compiled
 * again), paid only by sources whose body changed; an unchanged source
 * runs no script. Each script is read and checked once per run
 * (extract_prepare) in a state of its own, and its text kept for the calls. */
#include "extract/extract.h"

#include <ctype.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/xref.h"
#include "extract/collect.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/embedded.h"
#include "util/json.h"
#include "lib/vanelib.h"
#include "lib/luaset.h"

#define DEFAULT_MAX_ITEM_BYTES ((size_t)1000 * 1000)

typedef struct script {
    char *name;
    char *src;          /* the script's text, read once */
    size_t len;
    char *error;        /* why it cannot be used, or NULL */
    int has_detail;
    int declared;       /* it has an options or fields table */
    char **options, **fields;   /* what it declares, NULL-terminated */
    size_t n_options, n_fields;
} script_t;

struct extract {
    const config_t *cfg;
    script_t *scripts;
    size_t n, cap;
    int complete;       /* the last list was the whole list (extract_complete) */
};

extract_t *extract_new(const config_t *cfg, err_t *e)
{
    extract_t *x = calloc(1, sizeof *x);
    if (!x)
        err_set(e, "out of memory");
    else
        x->cfg = cfg;
    return x;
}

void extract_free(extract_t *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->n; i++) {
        free(x->scripts[i].name);
        free(x->scripts[i].src);
        free(x->scripts[i].error);
        for (size_t k = 0; k < x->scripts[i].n_options; k++)
            free(x->scripts[i].options[k]);
        for (size_t k = 0; k < x->scripts[i].n_fields; k++)
            free(x->scripts[i].fields[k]);
        free(x->scripts[i].options);
        free(x->scripts[i].fields);
    }
    free(x->scripts);
    free(x);
}

static int valid_name(const char *name)
{
    if (!*name)
        return 0;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
            return 0;
    return 1;
}

/* Compile and run the script's chunk in sb; leaves what it returns: a
 * function (the list reader), or a table { list = function, detail =
 * function } (read raw: a metatable on it never runs host-side). */
static int load_script(sandbox_t *sb, const script_t *s, const char *chunk, err_t *e)
{
    lua_State *L = sandbox_lua(sb);
    sandbox_push_env(sb);
    int rc = sandbox_load(sb, chunk, s->src, s->len, lua_gettop(L), e);
    lua_remove(L, rc == 0 ? -2 : -1);
    if (rc == 0)
        rc = sandbox_call(sb, 0, 1, chunk, e);
    if (rc != 0)
        return -1;
    if (lua_isfunction(L, -1))
        return 0;
    int list = LUA_TNONE, detail = LUA_TNONE;
    if (lua_istable(L, -1)) {
        lua_pushliteral(L, "list");
        list = lua_rawget(L, -2);
        lua_pushliteral(L, "detail");
        detail = lua_rawget(L, -3);
        lua_pop(L, 2);
    }
    if (list == LUA_TFUNCTION && (detail == LUA_TFUNCTION || detail == LUA_TNIL))
        return 0;
    const char *what = list == LUA_TNONE ? luaL_typename(L, -1)
                       : list != LUA_TFUNCTION ? "table whose 'list' is not a function"
                                                : "table whose 'detail' is not a function";
    return err_set(e, "%s: the script must return a function(doc, options) or a table "
                      "{ list = function(doc, options), detail = function(doc, item, options) }, "
                      "not a %s", chunk, what);
}

/* Push the script's part `part` ("list" or "detail") out of what its chunk
 * returned (at index 1), or nil. */
static void push_part(lua_State *L, const char *part)
{
    if (lua_isfunction(L, 1)) {
        if (strcmp(part, "list") == 0)
            lua_pushvalue(L, 1);
        else
            lua_pushnil(L);
        return;
    }
    lua_pushstring(L, part);
    lua_rawget(L, 1);
}

/* A fresh state with the `vane` module and the script loaded: what its
 * chunk returned is at index 1. NULL with e set. */
static sandbox_t *open_state(const extract_t *x, const script_t *s, err_t *e)
{
    char chunk[300];
    snprintf(chunk, sizeof chunk, "scripts/%s.lua", s->name);
    sandbox_t *sb = sandbox_new(&x->cfg->limits, e);
    if (!sb)
        return NULL;
    /* One script run over one document — building the arguments, the
     * call, reading the items — ends within one call_timeout in all (each
     * detail page has a state, so a deadline, of its own). */
    long ms = x->cfg->limits.timeout_ms;
    sandbox_set_deadline(sb, ms > 0 ? ms : SANDBOX_DEFAULT_TIMEOUT_MS);
    sandbox_set_now(sb, clock_is_fixed() ? clock_now() : 0);
    if (vanelib_install(sb, VANE_FOR_SCRIPTS, e) != 0 || load_script(sb, s, chunk, e) != 0) {
        sandbox_free(sb);
        return NULL;
    }
    return sb;
}

static script_t *find_script(extract_t *x, const char *name)
{
    for (size_t i = 0; i < x->n; i++)
        if (strcmp(x->scripts[i].name, name) == 0)
            return &x->scripts[i];
    return NULL;
}

/* The script's text into s, from the configuration's scripts/ folder or
 * the shipped ones; s->error when there is none. */
static void read_script(const extract_t *x, script_t *s)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/scripts/%s.lua", x->cfg->dir, s->name);
    s->src = buf_read_all(path, &s->len);
    if (s->src)
        return;
    char chunk[300];
    snprintf(chunk, sizeof chunk, "scripts/%s.lua", s->name);
    const embedded_file_t *f = embedded_find(chunk);
    if (f && (s->src = malloc(f->len + 1)) != NULL) {
        memcpy(s->src, f->data, f->len);
        s->src[f->len] = '\0';
        s->len = f->len;
        return;
    }
    err_t e = {{0}};
    err_set(&e, "no script '%s': neither %s nor a shipped script of that name", s->name, path);
    s->error = strdup(e.msg);
}

/* Add a copy of the string at index -1 to *v (n used); 0, or -1 out of
 * memory. */
static int add_name(lua_State *L, char ***v, size_t *n)
{
    char **more = realloc(*v, (*n + 2) * sizeof *more);
    if (!more)
        return -1;
    *v = more;
    more[*n] = strdup(lua_tostring(L, -1));
    more[++*n] = NULL;
    return 0;
}

/* The script's declaration `part` of what its chunk returned (at index
 * 1): "options", a table of name = "what it is", or "fields", a list of
 * names; the names into *v. Returns 1 when declared, 0 when not, -1 (with
 * e set) when malformed. */
static int read_declared(lua_State *L, const script_t *s, const char *part, char ***v, size_t *n,
                         err_t *e)
{
    int opts = strcmp(part, "options") == 0, top = lua_gettop(L);
    if (!lua_istable(L, 1))
        return 0;
    lua_pushstring(L, part);
    int t = lua_rawget(L, 1);
    int rc = t == LUA_TTABLE ? 1 : t == LUA_TNIL ? 0 : -1;
    lua_pushnil(L);
    while (rc == 1 && lua_next(L, -2)) {
        int name = opts ? -2 : -1;
        if (lua_type(L, name) != LUA_TSTRING)
            rc = -1;
        lua_pushvalue(L, name);
        if (rc == 1 && add_name(L, v, n) != 0)
            rc = -2;
        lua_pop(L, 2);
    }
    lua_settop(L, top);
    if (rc == -1)
        err_set(e, "scripts/%s.lua: '%s' must be %s", s->name, part,
                opts ? "a table { name = \"what it is\", … }" : "a list of field names");
    else if (rc == -2)
        err_set(e, "out of memory");
    return rc < 0 ? -1 : rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read the script and load it once in a state of its own: does it compile,
 * run, and return the right shape? */
static void check_script(const extract_t *x, script_t *s)
{
    read_script(x, s);
    if (s->error)
        return;
    err_t e = {{0}};
    sandbox_t *sb = open_state(x, s, &e);
    if (!sb) {
        s->error = strdup(e.msg);
        return;
    }
    lua_State *L = sandbox_lua(sb);
    int o = read_declared(L, s, "options", &s->options, &s->n_options, &e);
    if (o > 0)
        qsort(s->options, s->n_options, sizeof *s->options, cmp_names);
    int f = o < 0 ? 0 : read_declared(L, s, "fields", &s->fields, &s->n_fields, &e);
    if (o < 0 || f < 0)
        s->error = strdup(e.msg);
    s->declared = o > 0 || f > 0;
    push_part(L, "detail");
    s->has_detail = lua_isfunction(L, -1);
    sandbox_free(sb);
}

int extract_prepare(extract_t *x, const char *name, err_t *e)
{
    script_t *s = find_script(x, name);
    if (!s) {
        if (!valid_name(name))
            return err_set(e, "bad script name '%s' (letters, digits, - and _)", name);
        if (x->n == x->cap) {
            size_t cap = x->cap ? x->cap * 2 : 8;
            script_t *more = realloc(x->scripts, cap * sizeof *more);
            if (!more)
                return err_set(e, "out of memory");
            x->scripts = more;
            x->cap = cap;
        }
        s = &x->scripts[x->n];
        *s = (script_t){.name = strdup(name)};
        if (!s->name)
            return err_set(e, "out of memory");
        x->n++;
        check_script(x, s);
    }
    return s->error ? err_set(e, "%s", s->error) : 0;
}

void extract_declared(extract_t *x, const char *name, xref_script_t *out)
{
    const script_t *s = find_script(x, name);
    *out = (xref_script_t){.name = name};
    if (!s || s->error || !s->declared)
        return;
    *out = (xref_script_t){name, 1, (const char *const *)s->options, s->n_options,
                           (const char *const *)s->fields, s->n_fields};
}

int extract_script_text(extract_t *x, const char *name, const char **text, size_t *len)
{
    err_t e = {{0}};
    if (extract_prepare(x, name, &e) != 0)
        return -1;
    const script_t *s = find_script(x, name);
    *text = s->src;
    *len = s->len;
    return 0;
}

int extract_has_detail(extract_t *x, const char *script)
{
    err_t e = {{0}};
    return extract_prepare(x, script, &e) == 0 && find_script(x, script)->has_detail;
}

/* doc = { body, url, status, source, charset, headers = { name = value } } */
static void push_doc(lua_State *L, const extract_doc_t *d)
{
    lua_createtable(L, 0, 7);
    luaset_lstring(L, -1, "body", d->body ? d->body : "", d->len);
    luaset_string(L, -1, "url", d->url);
    luaset_integer(L, -1, "status", d->status);
    luaset_string(L, -1, "source", d->source);
    luaset_string(L, -1, "charset", d->charset ? d->charset : "utf-8");
    lua_newtable(L);
    for (const char *p = d->headers; p && *p;) {
        const char *nl = strchr(p, '\n'), *colon = strchr(p, ':');
        if (!nl)
            nl = p + strlen(p);
        if (colon && colon < nl) {
            luaL_Buffer b;
            luaL_buffinit(L, &b);
            for (const char *c = p; c < colon; c++)
                luaL_addchar(&b, (char)tolower((unsigned char)*c));
            luaL_pushresult(&b);
            const char *v = colon + 1;
            while (v < nl && (*v == ' ' || *v == '\t'))
                v++;
            lua_pushlstring(L, v, (size_t)(nl - v));
            lua_rawset(L, -3);
        }
        p = *nl ? nl + 1 : nl;
    }
    lua_setfield(L, -2, "headers");
}

/* What a call's arguments are made of; see push_args. */
typedef struct args {
    const extract_doc_t *doc;
    const char *key, *fields;   /* detail: the item */
} args_t;

static void push_json(lua_State *L, const char *json)
{
    err_t e = {{0}};
    if (json_decode_lua(L, json, strlen(json), &e) != 0)
        luaL_error(L, "%s", e.msg);
}

/* Run with sandbox_run (the body may be larger than the state's ceiling).
 * list: pushes doc, options. detail: pushes item, its follow, doc, item,
 * options (the first two stay below the call). */
static int push_args(lua_State *L)
{
    const args_t *a = lua_touserdata(L, 1);
    if (a->fields) {
        push_json(L, a->fields);
        if (!lua_istable(L, -1))
            luaL_error(L, "item '%s': stored fields are not an object", a->key);
        luaset_string(L, -1, "key", a->key);
        lua_getfield(L, -1, "follow");
    }
    push_doc(L, a->doc);
    if (a->fields)
        lua_pushvalue(L, -3);
    push_json(L, a->doc->options_json ? a->doc->options_json : "{}");
    return a->fields ? 5 : 2;
}

/* "scripts/NAME.lua:LINE", LINE where the function on top was defined. */
static void function_at(lua_State *L, const char *script, char *out, size_t n)
{
    lua_Debug ar;
    lua_pushvalue(L, -1);
    if (!lua_isfunction(L, -1))
        lua_pop(L, 1);
    if (lua_isfunction(L, -1) && lua_getinfo(L, ">S", &ar) && ar.linedefined > 0)
        snprintf(out, n, "scripts/%s.lua:%d", script, ar.linedefined);
    else
        snprintf(out, n, "scripts/%s.lua", script);
}

/* The state for one call, with the call's arguments pushed and the
 * script's part inserted below them. NULL with e set. */
static sandbox_t *begin_call(extract_t *x, const char *script, const char *part,
                             const args_t *a, char *where, size_t n, err_t *e)
{
    if (a->doc->len == 0) {
        err_set(e, "empty body");
        return NULL;
    }
    if (extract_prepare(x, script, e) != 0)
        return NULL;
    sandbox_t *sb = open_state(x, find_script(x, script), e);
    if (!sb)
        return NULL;
    lua_State *L = sandbox_lua(sb);
    int nargs = a->fields ? 3 : 2;
    if (sandbox_run(sb, push_args, (void *)a, 0, nargs + (a->fields ? 2 : 0), script, e) != 0) {
        sandbox_free(sb);
        return NULL;
    }
    push_part(L, part);
    function_at(L, script, where, n);
    lua_insert(L, -(nargs + 1));
    return sb;
}

/* Read what the call left on top with fn (collect_list/collect_detail),
 * which takes nargs values. On failure e names the script's function. */
static int collect(sandbox_t *sb, lua_CFunction fn, collect_t *c, int nargs, err_t *e)
{
    if (sandbox_run(sb, fn, c, nargs, 0, c->chunk, e) == 0)
        return 0;
    e->msg[strcspn(e->msg, "\n")] = '\0'; /* a C function's traceback says nothing */
    if (c->checking && sandbox_failure(sb) == SANDBOX_FAIL_ERROR)
        err_prefix(e, "%s: refused what the script returned: ", c->chunk);
    return -1;
}

static size_t item_cap(const extract_t *x, const extract_doc_t *doc)
{
    if (doc->max_item_bytes > 0)
        return doc->max_item_bytes;
    return x->cfg->max_item_bytes > 0 ? (size_t)x->cfg->max_item_bytes : DEFAULT_MAX_ITEM_BYTES;
}

int extract_items(extract_t *x, const char *script, const extract_doc_t *doc, diff_item_t **items,
                  size_t *n, errlist_t *warnings, err_t *e)
{
    *items = NULL;
    *n = 0;
    char where[300], prefix[300];
    args_t a = {doc, NULL, NULL};
    sandbox_t *sb = begin_call(x, script, "list", &a, where, sizeof where, e);
    if (!sb)
        return -1;
    lua_State *L = sandbox_lua(sb);
    snprintf(prefix, sizeof prefix, "source %s", doc->source);
    vanelib_take_warnings(L, NULL, prefix); /* none left over from loading */
    int rc = sandbox_call(sb, 2, 1, where, e);
    vanelib_take_warnings(L, warnings, prefix);
    collect_t c = {.source = doc->source, .chunk = where, .max_item_bytes = item_cap(x, doc),
                   .warnings = warnings};
    if (rc == 0)
        rc = collect(sb, collect_list, &c, 1, e);
    if (rc == 0) {
        x->complete = c.complete;
        *items = c.items;
        *n = c.n;
        c.items = NULL;
        c.n = 0;
    }
    collect_free(&c);
    sandbox_free(sb);
    return rc;
}

int extract_detail(extract_t *x, const char *script, const extract_doc_t *doc, const char *key,
                   const char *fields, char **out, errlist_t *warnings, err_t *e)
{
    *out = NULL;
    char where[300], prefix[1200];
    args_t a = {doc, key, fields};
    sandbox_t *sb = begin_call(x, script, "detail", &a, where, sizeof where, e);
    if (!sb)
        return -1;
    lua_State *L = sandbox_lua(sb);
    snprintf(prefix, sizeof prefix, "source %s: page %s", doc->source, doc->url);
    vanelib_take_warnings(L, NULL, prefix);
    int rc = sandbox_call(sb, 3, 1, where, e);
    vanelib_take_warnings(L, warnings, prefix);
    collect_t c = {.source = doc->source, .chunk = where, .max_item_bytes = item_cap(x, doc),
                   .warnings = warnings};
    if (rc == 0) {
        if (lua_isnil(L, -1)) { /* detail filled the item in */
            lua_pop(L, 1);
            lua_pushvalue(L, -2);
        }
        lua_pushvalue(L, -2); /* the follow */
        rc = collect(sb, collect_detail, &c, 2, e);
    }
    if (rc == 0) {
        *out = c.fields;
        c.fields = NULL;
    }
    collect_free(&c);
    sandbox_free(sb);
    return rc;
}

int extract_complete(const extract_t *x)
{
    return x->complete;
}

void extract_items_free(diff_item_t *items, size_t n)
{
    for (size_t i = 0; items && i < n; i++) {
        free(items[i].key);
        free(items[i].fields);
    }
    free(items);
}
