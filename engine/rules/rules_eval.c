/* rules_eval.c — evaluating the rules on one stored event: the event as a
 * Lua table in each rule's own state, which rules apply, when(ev) then
 * message(ev), and the flags that come back, read inside the protection
 * (see rules.h and rules_int.h). */
#include "rules/rules_int.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "alert/context.h"
#include "lib/history.h"
#include "util/buf.h"
#include "util/json.h"
#include "lib/luaset.h"

/* The stored event a state's rule is being called on. Each state has one
 * (a userdata in its registry): the event tables it makes read item, prev
 * and diff through it, so making an event copies no JSON text. */
typedef struct event_now {
    const store_event_t *ev;    /* NULL between calls */
} event_now_t;

static const char key_event_now = 'N';   /* registry: the event_now_t */
static const char key_event_meta = 'E';  /* registry: the events' metatable */

/* __index of an event: item, prev and diff are decoded from the stored
 * event's JSON on first use and kept in the event, so rules that look only
 * at ev.change or ev.source cost no decoding at all. They can be read
 * while the rule is called on that event (its id still in ev.id): an event
 * kept in a global and read in a later call has nothing to read. */
static int event_index(lua_State *L)
{
    static const char *const names[] = {"item", "prev", "diff"};
    const event_now_t *now = lua_touserdata(L, lua_upvalueindex(1));
    const store_event_t *ev = now->ev;
    const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : NULL;
    for (int i = 0; k && i < 3; i++) {
        if (strcmp(k, names[i]) != 0)
            continue;
        lua_pushliteral(L, "id");
        lua_rawget(L, 1);
        if (!ev || !lua_isinteger(L, -1) || lua_tointeger(L, -1) != ev->id)
            return luaL_error(L, "ev.%s can be read only while the rule is called on that event", k);
        const char *json = i == 0 ? ev->item : i == 1 ? ev->prev : ev->diff;
        if (!json)
            return 0;
        size_t len = strlen(json);
        err_t e = {{0}};
        sandbox_charge(L, (lua_Integer)(len / 16));
        if (json_decode_lua(L, json, len, &e) != 0)
            return luaL_error(L, "event field %s: %s", k, e.msg);
        lua_pushvalue(L, 2);
        lua_pushvalue(L, -2);
        lua_rawset(L, 1);
        return 1;
    }
    return 0;
}

/* The state's event_now_t, and the events' metatable pushed; both made on
 * first use. */
static event_now_t *push_event_meta(lua_State *L)
{
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &key_event_meta) == LUA_TTABLE) {
        lua_rawgetp(L, LUA_REGISTRYINDEX, &key_event_now);
        event_now_t *now = lua_touserdata(L, -1);
        lua_pop(L, 1);
        return now;
    }
    lua_pop(L, 1);
    event_now_t *now = lua_newuserdatauv(L, sizeof *now, 0);
    now->ev = NULL;
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_event_now);
    lua_createtable(L, 0, 1);
    lua_insert(L, -2);
    lua_pushcclosure(L, event_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_event_meta);
    return now;
}

/* A stored event as a rule sees it: a new table in the rule's own state
 * for every rule and every event, so what one rule writes into ev (or
 * ev.item) reaches no other rule, nor its next event. */
static void push_event(lua_State *L, const void *data)
{
    const store_event_t *ev = data;
    lua_createtable(L, 0, 10);
    int t = lua_gettop(L);
    luaset_integer(L, t, "id", ev->id);
    luaset_string(L, t, "source", ev->source);
    luaset_string(L, t, "key", ev->key);
    luaset_string(L, t, "change", ev->change);
    luaset_boolean(L, t, "baseline", ev->baseline);
    luaset_string(L, t, "observed_at", ev->observed_at);
    event_now_t *now = push_event_meta(L);
    now->ev = ev;
    lua_setmetatable(L, t);
}

/* The call on the event is over: its JSON is no longer to be read. */
static void event_done(lua_State *L)
{
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &key_event_now) == LUA_TUSERDATA)
        ((event_now_t *)lua_touserdata(L, -1))->ev = NULL;
    lua_pop(L, 1);
}

static int applies(const rule_t *r, const store_event_t *ev)
{
    if (r->excluded || !r->has_when || (ev->baseline && !r->baseline))
        return 0;
    if (!r->sources)
        return 1;
    for (size_t i = 0; i < r->n_sources; i++)
        if (strcmp(r->sources[i], ev->source) == 0)
            return 1;
    return 0;
}

const char *rules_severity(const char *s)
{
    int rank = severity_rank(s);
    return rank < 0 ? NULL : severity_name(rank);
}

void rules_out_free(rules_out_t *o)
{
    for (size_t i = 0; i < o->n; i++) {
        free(o->flags[i].message);
        free(o->flags[i].title);
        free(o->flags[i].link);
    }
    free(o->flags);
    *o = (rules_out_t){0};
}

/* ---- inside the protection ------------------------------------------------- */

static void out_add(lua_State *L, const rule_t *r, rules_out_t *o, const char *msg,
                    const char *severity, const char *title, const char *link)
{
    if (o->n == o->cap) {
        size_t cap = o->cap ? 2 * o->cap : 4;
        rules_out_flag_t *more = realloc(o->flags, cap * sizeof *more);
        if (!more)
            luaL_error(L, "%s: out of memory", r->chunk);
        o->flags = more;
        o->cap = cap;
    }
    rules_out_flag_t *f = &o->flags[o->n];
    *f = (rules_out_flag_t){.severity = severity, .message = strdup(msg),
                            .title = title ? strdup(title) : NULL,
                            .link = link ? strdup(link) : NULL};
    o->n++;
    if (!f->message || (title && !f->title) || (link && !f->link))
        luaL_error(L, "%s: out of memory", r->chunk);
}

/* The text of a string or number at idx (a number is converted on a copy). */
static const char *text_of(lua_State *L, int idx)
{
    if (lua_type(L, idx) == LUA_TSTRING)
        return lua_tostring(L, idx);
    if (lua_type(L, idx) != LUA_TNUMBER)
        return NULL;
    lua_pushvalue(L, idx);
    lua_replace(L, idx);
    return lua_tostring(L, idx);
}

/* The string field name of the flag entry at idx (left on the stack), or
 * NULL when it has none; anything else is the rule's error. */
static const char *entry_text(lua_State *L, const rule_t *r, int idx, const char *name)
{
    int t = lua_getfield(L, idx, name);
    if (t == LUA_TNIL)
        return NULL;
    if (t != LUA_TSTRING)
        luaL_error(L, "%s: rule %s: a flag's %s must be a string, not a %s", r->chunk, r->id,
                   name, luaL_typename(L, -1));
    return lua_tostring(L, -1);
}

/* One entry of a message list at idx: "text" or { message =, severity =,
 * title =, link = } (plain data, checked by the caller). */
static void read_entry(lua_State *L, const rule_t *r, int idx, lua_Integer k, rules_out_t *o)
{
    idx = lua_absindex(L, idx);
    const char *severity = r->severity, *msg = text_of(L, idx), *title = NULL, *link = NULL;
    if (!msg && lua_type(L, idx) == LUA_TTABLE) {
        title = entry_text(L, r, idx, "title");
        link = entry_text(L, r, idx, "link");
        if (link && !flag_context_is_link(link))
            luaL_error(L, "%s: rule %s: a flag's link must be an http:// or https:// URL",
                       r->chunk, r->id);
        lua_pushliteral(L, "message");
        lua_rawget(L, idx);
        msg = text_of(L, lua_gettop(L));
        lua_pushliteral(L, "severity");
        int st = lua_rawget(L, idx);
        if (st != LUA_TNIL && !(st == LUA_TSTRING && (severity = rules_severity(lua_tostring(L, -1)))))
            luaL_error(L, "%s: rule %s: a flag's severity must be one of info, low, medium, "
                       "high, critical", r->chunk, r->id);
    }
    if (!msg && lua_type(L, idx) != LUA_TTABLE)
        luaL_error(L, "%s: rule %s: message entry %I is a %s, not a string", r->chunk, r->id,
                   (LUAI_UACINT)k, luaL_typename(L, idx));
    if (msg && *msg)
        out_add(L, r, o, msg, severity, title, link);
}

/* Is the table at idx one flag written as { message = "…" } (raw)? */
static int is_flag_entry(lua_State *L, int idx)
{
    lua_pushliteral(L, "message");
    int t = lua_rawget(L, idx);
    lua_pop(L, 1);
    return t == LUA_TSTRING || t == LUA_TNUMBER;
}

/* What message(ev) returned, at idx: a string, one entry, or a list. */
static void read_messages(lua_State *L, const rule_t *r, int idx, rules_out_t *o)
{
    int type = lua_type(L, idx);
    if (type == LUA_TNIL)
        return;
    if (type == LUA_TSTRING || type == LUA_TNUMBER) {
        read_entry(L, r, idx, 1, o);
        return;
    }
    if (type != LUA_TTABLE)
        luaL_error(L, "%s: rule %s: message returned a %s, not a string or a list of strings",
                   r->chunk, r->id, luaL_typename(L, idx));
    sandbox_check_plain(L, idx, RULES_MAX_DEPTH, 0);
    if (is_flag_entry(L, idx)) {
        read_entry(L, r, idx, 1, o);
        return;
    }
    lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
    for (lua_Integer k = 1; k <= n; k++) {
        lua_rawgeti(L, idx, k);
        read_entry(L, r, -1, k, o);
        lua_settop(L, idx);
    }
}

void rules_evaluate_in(lua_State *L, const rule_t *r, int ev, rules_out_t *out)
{
    ev = lua_absindex(L, ev);
    lua_rawgeti(L, LUA_REGISTRYINDEX, r->when);
    lua_pushvalue(L, ev);
    lua_call(L, 1, 1);
    int hit = lua_toboolean(L, -1);
    lua_pop(L, 1);
    if (!hit)
        return;
    if (r->message != LUA_NOREF) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, r->message);
        lua_pushvalue(L, ev);
        lua_call(L, 1, 1);
    } else {
        lua_pushstring(L, r->message_text ? r->message_text : r->title ? r->title : r->id);
    }
    read_messages(L, r, lua_gettop(L), out);
    lua_settop(L, ev);
}

typedef struct eval_call {
    const rule_t *r;
    rules_push_event_fn push;
    const void *data;
    rules_out_t *out;
} eval_call_t;

/* sandbox_run: the event, when, message, the flags. */
static int eval_protected(lua_State *L)
{
    eval_call_t *c = lua_touserdata(L, 1);
    c->push(L, c->data);
    rules_evaluate_in(L, c->r, lua_gettop(L), c->out);
    return 0;
}

static int limit_kind(sandbox_failure_t f)
{
    return f == SANDBOX_FAIL_BUDGET || f == SANDBOX_FAIL_TIME || f == SANDBOX_FAIL_MEMORY;
}

void rules_name_error(const rule_t *r, const char *field, err_t *e)
{
    size_t n = strlen(r->chunk);
    if (strncmp(e->msg, r->chunk, n) == 0 && e->msg[n] == ':')
        return;
    err_t named;
    err_set(&named, "%s:%d: rule %s: %s: %s", r->chunk, rules_line_of_name(r->source_text, field),
            r->id, field, e->msg);
    *e = named;
}

int rules_evaluate(rule_t *r, rules_push_event_fn push, const void *data, rules_out_t *out,
                   err_t *e)
{
    eval_call_t c = {r, push, data, out};
    if (sandbox_run(r->sb, eval_protected, &c, 0, 0, r->chunk, e) == 0)
        return 0;
    rules_name_error(r, "message", e);
    rules_out_free(out);
    history_reset(sandbox_lua(r->sb)); /* an error may have cut a read short */
    if (limit_kind(sandbox_failure(r->sb)))
        r->disabled = 1;
    return -1;
}

/* ---- on stored events ----------------------------------------------------- */

/* Hand the flags to fn, up to the rule's max_flags in a run. */
static void pass_flags(rules_t *rs, rule_t *r, const rules_out_t *out, rules_flag_fn fn, void *ud)
{
    long max = r->max_flags > 0 ? r->max_flags : rs->cfg->max_flags;
    for (size_t k = 0; k < out->n; k++) {
        if (rs->limit_flags && max > 0 && r->flagged >= max) {
            r->over++;
            continue;
        }
        r->flagged++;
        const rules_out_flag_t *f = &out->flags[k];
        rules_flag_t flag = {r->id, r->title, f->severity, f->message, f->title, f->link};
        fn(ud, &flag);
    }
}

/* The failure of r on this event: reported in errs and to the callback. */
static int failed(rules_t *rs, const rule_t *r, const char *msg, errlist_t *errs, err_t *e)
{
    sandbox_failure_t kind = sandbox_failure(r->sb);
    errlist_add(errs, "%s", msg);
    if (rs->on_fail && rs->on_fail(rs->fail_ud, r->id, r->fingerprint,
                                   sandbox_failure_name(kind == SANDBOX_OK ? SANDBOX_FAIL_ERROR : kind),
                                   msg) != 0)
        return -1;
    (void)e;
    return 1;
}

/* One rule on one event: 0, 1 when it failed (reported), -1. */
static int eval_one(rules_t *rs, rule_t *r, const store_event_t *ev, rules_flag_fn fn, void *ud,
                    errlist_t *errs, err_t *e)
{
    rules_out_t out = {0};
    err_t re;
    if (r->disabled) {
        /* Out of a limit earlier this run: with a failure callback (a run)
         * the event waits for the next run; the message is the same for
         * every event, so the run prints it once with its count. Without
         * one (replay) the first failure has said it all. */
        if (!rs->on_fail)
            return 0;
        err_set(&re, "%s: rule %s: not evaluated on the rest of this run's events (they stay "
                "pending): it ran out of its %s earlier", r->chunk, r->id,
                sandbox_failure_name(sandbox_failure(r->sb)));
        return failed(rs, r, re.msg, errs, e);
    }
    int rc = rules_evaluate(r, push_event, ev, &out, &re);
    event_done(sandbox_lua(r->sb));
    if (rc != 0)
        return failed(rs, r, re.msg, errs, e);
    pass_flags(rs, r, &out, fn, ud);
    rules_out_free(&out);
    return 0;
}

int rules_eval(rules_t *rs, const store_event_t *ev, rules_flag_fn fn, void *ud, errlist_t *errs,
               err_t *e)
{
    int status = 0;
    for (size_t i = 0; i < rs->n; i++) {
        rule_t *r = &rs->list[i];
        if (!applies(r, ev))
            continue;
        int rc = eval_one(rs, r, ev, fn, ud, errs, e);
        if (rc < 0)
            return -1;
        status |= rc;
    }
    return status;
}

int rules_eval_rule(rules_t *rs, const char *id, const store_event_t *ev, rules_flag_fn fn,
                    void *ud, errlist_t *errs, err_t *e)
{
    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->list[i].id, id) == 0)
            return applies(&rs->list[i], ev) ? eval_one(rs, &rs->list[i], ev, fn, ud, errs, e) : 0;
    return 2;
}

int rules_flag_overflow(rules_t *rs, rules_flag_fn fn, void *ud)
{
    int n = 0;
    for (size_t i = 0; i < rs->n; i++) {
        rule_t *r = &rs->list[i];
        if (r->over == 0)
            continue;
        buf_t b = {0};
        buf_printf(&b, "%s raised %ld more flag%s this run; see vane replay", r->id, r->over,
                   r->over == 1 ? "" : "s");
        rules_flag_t flag = {.rule = r->id, .rule_title = r->title, .severity = r->severity,
                             .message = buf_str(&b)};
        int rc = fn(ud, &flag);
        buf_free(&b);
        if (rc != 0)
            return -1;
        r->over = 0;
        n++;
    }
    return n;
}
