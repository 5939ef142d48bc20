/* rules_eval.c — evaluating the rules on one stored event: the event as a
 * Lua table, which rules apply, when(ev) then message(ev), and the flags
 * that come back (see rules.h). */
#include "rules/rules_int.h"

#include <lauxlib.h>
#include <string.h>

#include "lib/history.h"
#include "util/json.h"
#include "lib/luaset.h"

/* __index of an event: item, prev and diff are decoded from their JSON on
 * first use and kept in the event, so rules that look only at ev.change or
 * ev.source cost no decoding at all. The JSON texts are the closure's
 * upvalues (copies: the event may outlive the C strings). */
static int event_index(lua_State *L)
{
    static const char *const names[] = {"item", "prev", "diff"};
    const char *k = lua_tostring(L, 2);
    for (int i = 0; k && i < 3; i++) {
        if (strcmp(k, names[i]) != 0 || lua_type(L, lua_upvalueindex(i + 1)) != LUA_TSTRING)
            continue;
        size_t len;
        const char *json = lua_tolstring(L, lua_upvalueindex(i + 1), &len);
        err_t e = {{0}};
        if (json_decode_lua(L, json, len, &e) != 0)
            return luaL_error(L, "event field %s: %s", k, e.msg);
        lua_pushvalue(L, 2);
        lua_pushvalue(L, -2);
        lua_rawset(L, 1);
        return 1;
    }
    return 0;
}

static void push_json_or_nil(lua_State *L, const char *json)
{
    if (json)
        lua_pushstring(L, json);
    else
        lua_pushnil(L);
}

/* The event as rules see it, built once and read by every rule. */
static int push_event(lua_State *L, const store_event_t *ev, err_t *e)
{
    (void)e;
    lua_createtable(L, 0, 10);
    int t = lua_gettop(L);
    luaset_integer(L, t, "id", ev->id);
    luaset_string(L, t, "source", ev->source);
    luaset_string(L, t, "key", ev->key);
    luaset_string(L, t, "change", ev->change);
    luaset_boolean(L, t, "baseline", ev->baseline);
    luaset_string(L, t, "observed_at", ev->observed_at);
    lua_createtable(L, 0, 1);
    push_json_or_nil(L, ev->item);
    push_json_or_nil(L, ev->prev);
    push_json_or_nil(L, ev->diff);
    lua_pushcclosure(L, event_index, 3);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, t);
    return 0;
}

static int applies(const rule_t *r, const store_event_t *ev)
{
    if (r->disabled || !r->has_when || (ev->baseline && !r->baseline))
        return 0;
    if (!r->sources)
        return 1;
    for (size_t i = 0; i < r->n_sources; i++)
        if (strcmp(r->sources[i], ev->source) == 0)
            return 1;
    return 0;
}

static int exhausted(const char *msg)
{
    return strstr(msg, "instruction budget") || strstr(msg, "not enough memory");
}

/* Call rule[name](ev) leaving nresults; the rule table and ev are at the
 * given indexes. */
int rules_call_field(rules_t *rs, rule_t *r, int rule, int ev, const char *name, int nres, err_t *e)
{
    lua_State *L = sandbox_lua(rs->sb);
    lua_getfield(L, rule, name);
    lua_pushvalue(L, ev);
    if (sandbox_call(rs->sb, 1, nres, r->chunk, e) != 0) {
        history_reset(L); /* an error may have cut a read short */
        if (exhausted(e->msg))
            r->disabled = 1;
        return -1;
    }
    return 0;
}

/* Is the value at idx one flag written as { message = "…", severity = "…" }? */
static int is_flag_entry(lua_State *L, int idx)
{
    if (!lua_istable(L, idx))
        return 0;
    int t = lua_getfield(L, idx, "message");
    lua_pop(L, 1);
    return t == LUA_TSTRING;
}

/* Push the rule's messages for the event as a list whose entries are
 * strings or { message =, severity = } tables. */
static int messages(rules_t *rs, rule_t *r, int rule, int ev, err_t *e)
{
    lua_State *L = sandbox_lua(rs->sb);
    int mt = lua_getfield(L, rule, "message");
    lua_pop(L, 1);
    if (mt == LUA_TFUNCTION) {
        if (rules_call_field(rs, r, rule, ev, "message", 1, e) != 0)
            return -1;
    } else if (mt == LUA_TSTRING) {
        lua_getfield(L, rule, "message");
    } else {
        lua_getfield(L, rule, "title");
        if (!lua_isstring(L, -1)) {
            lua_pop(L, 1);
            lua_pushstring(L, r->id);
        }
    }
    if (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER || is_flag_entry(L, -1)) {
        lua_createtable(L, 1, 0);
        lua_insert(L, -2);
        lua_rawseti(L, -2, 1);
    } else if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_newtable(L);
    } else if (!lua_istable(L, -1)) {
        err_set(e, "%s: rule %s: message returned a %s, not a string or a list of strings",
                r->chunk, r->id, luaL_typename(L, -1));
        lua_pop(L, 1);
        return -1;
    }
    return 0;
}

/* when(ev) then message(ev): pushes the list of messages (empty: no flag). */
int rules_evaluate(rules_t *rs, rule_t *r, int ev, err_t *e)
{
    lua_State *L = sandbox_lua(rs->sb);
    lua_rawgeti(L, LUA_REGISTRYINDEX, r->ref);
    int rule = lua_gettop(L);
    int rc = rules_call_field(rs, r, rule, ev, "when", 1, e);
    if (rc == 0) {
        int hit = lua_toboolean(L, -1);
        lua_pop(L, 1);
        if (hit)
            rc = messages(rs, r, rule, ev, e);
        else
            lua_pushnil(L); /* no flag: cheaper than an empty list */
    }
    if (rc == 0)
        lua_remove(L, rule);
    else
        lua_settop(L, rule - 1);
    return rc;
}

/* Push entry k of a message list and return its text and, in *severity,
 * its severity: the rule's, or the entry's own when it is a table with a
 * `severity` (NULL if that is not a severity name). The pointers stay
 * valid until the entry is popped. */
const char *rules_push_flag(lua_State *L, int list, lua_Integer k, const rule_t *r,
                            const char **severity)
{
    const char *msg = NULL;
    *severity = r->severity;
    int t = lua_rawgeti(L, list, k);
    if (t == LUA_TSTRING || t == LUA_TNUMBER) {
        msg = lua_tostring(L, -1);
    } else if (t == LUA_TTABLE) {
        int entry = lua_gettop(L);
        if (lua_getfield(L, entry, "message") == LUA_TSTRING)
            msg = lua_tostring(L, -1);
        lua_pop(L, 1);
        int st = lua_getfield(L, entry, "severity");
        if (st == LUA_TSTRING)
            *severity = severity_rank(lua_tostring(L, -1)) >= 0 ? lua_tostring(L, -1) : NULL;
        else if (st != LUA_TNIL)
            *severity = NULL;
        lua_pop(L, 1);
    }
    return msg;
}

int rules_eval(rules_t *rs, const store_event_t *ev, rules_flag_fn fn, void *ud, errlist_t *errs,
               err_t *e)
{
    lua_State *L = sandbox_lua(rs->sb);
    int top = lua_gettop(L), status = 0;
    if (push_event(L, ev, e) != 0)
        return -1;
    int evi = lua_gettop(L);
    for (size_t i = 0; i < rs->n; i++) {
        rule_t *r = &rs->list[i];
        if (!applies(r, ev))
            continue;
        err_t re;
        if (rules_evaluate(rs, r, evi, &re) != 0) {
            errlist_add(errs, "%s", re.msg);
            status = 1;
            continue;
        }
        int list = lua_gettop(L);
        size_t n = lua_istable(L, list) ? lua_rawlen(L, list) : 0;
        for (size_t k = 1; k <= n; k++) {
            const char *severity;
            const char *msg = rules_push_flag(L, list, (lua_Integer)k, r, &severity);
            if (!severity) {
                errlist_add(errs, "%s: rule %s: a flag's severity must be one of info, low, "
                            "medium, high, critical", r->chunk, r->id);
                status = 1;
            } else if (msg && *msg) {
                fn(ud, r->id, severity, msg);
            }
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    lua_settop(L, top);
    return status;
}
