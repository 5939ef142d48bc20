/* rules_check.c — the per-run check calls: each rule's check(ctx) once,
 * and the list of flags it returns read strictly (see rules.h). */
#include "rules/rules_int.h"

#include <lauxlib.h>
#include <stdlib.h>

#include "lib/history.h"
#include "lib/luaset.h"

int rules_has_checks(const rules_t *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        if (rs->list[i].has_check)
            return 1;
    return 0;
}

/* Push t[name] without metamethods: a rule's tables may carry any. */
static int raw_field(lua_State *L, int t, const char *name)
{
    lua_pushstring(L, name);
    return lua_rawget(L, t);
}

/* A string field of a check's flag, anchored in the table at `anchor` so
 * it outlives the pop; a whole number is taken as its decimal text. NULL
 * when absent; *bad set when present but not a string. */
static const char *flag_text(lua_State *L, int entry, const char *name, int anchor, int *bad)
{
    const char *v = NULL;
    int t = raw_field(L, entry, name);
    if (t == LUA_TSTRING) {
        v = lua_tostring(L, -1);
    } else if (t == LUA_TNUMBER && lua_isinteger(L, -1)) {
        lua_pushfstring(L, "%I", (LUAI_UACINT)lua_tointeger(L, -1));
        lua_replace(L, -2);
        v = lua_tostring(L, -1);
    } else if (t != LUA_TNIL) {
        *bad = 1;
    }
    lua_rawseti(L, anchor, (lua_Integer)lua_rawlen(L, anchor) + 1);
    return v;
}

/* Read entry k of the list a check returned. Returns 0, or -1 with e set. */
static int read_check_flag(lua_State *L, const rule_t *r, int list, lua_Integer k, int anchor,
                           rules_check_flag_t *f, err_t *e)
{
    int bad = 0;
    if (lua_rawgeti(L, list, k) != LUA_TTABLE) {
        lua_pop(L, 1);
        return err_set(e, "%s: rule %s: check's flag %lld must be a table { key =, message = }",
                       r->chunk, r->id, (long long)k);
    }
    int entry = lua_gettop(L);
    f->key = flag_text(L, entry, "key", anchor, &bad);
    f->message = flag_text(L, entry, "message", anchor, &bad);
    f->severity = flag_text(L, entry, "severity", anchor, &bad);
    f->source = flag_text(L, entry, "source", anchor, &bad);
    lua_pop(L, 1);
    if (bad || !f->key || !*f->key || !f->message || !*f->message)
        return err_set(e, "%s: rule %s: check's flag %lld needs a key and a message (strings)",
                       r->chunk, r->id, (long long)k);
    if (!f->severity)
        f->severity = r->severity;
    else if (severity_rank(f->severity) < 0)
        return err_set(e, "%s: rule %s: check's flag %lld: severity must be one of info, low, "
                          "medium, high, critical", r->chunk, r->id, (long long)k);
    return 0;
}

/* The list a check returned (at top) as flags. All or nothing: a check
 * that returns one malformed entry is reported, so that its other keys'
 * episodes are not ended by mistake. */
static int read_check_flags(lua_State *L, const rule_t *r, rules_check_flag_t **out, size_t *n,
                            err_t *e)
{
    int list = lua_gettop(L);
    *out = NULL;
    *n = 0;
    if (lua_isnil(L, list))
        return 0;
    if (!lua_istable(L, list))
        return err_set(e, "%s: rule %s: check returned a %s, not a list of flags", r->chunk, r->id,
                       luaL_typename(L, list));
    size_t len = lua_rawlen(L, list);
    lua_newtable(L); /* anchor, left on the stack for the caller */
    if (len == 0)
        return 0;
    rules_check_flag_t *flags = calloc(len, sizeof *flags);
    if (!flags)
        return err_set(e, "out of memory");
    for (size_t k = 0; k < len; k++) {
        if (read_check_flag(L, r, list, (lua_Integer)k + 1, list + 1, &flags[k], e) != 0) {
            free(flags);
            return -1;
        }
    }
    *out = flags;
    *n = len;
    return 0;
}

static void push_check_ctx(lua_State *L, const char *now, long long run_id)
{
    lua_createtable(L, 0, 2);
    luaset_string(L, -1, "now", now);
    luaset_integer(L, -1, "run_id", (lua_Integer)run_id);
}

/* Call one rule's check and hand the result to fn. Returns 0, 1 when the
 * check failed (reported in errs), -1 when fn failed. */
static int check_one(rules_t *rs, rule_t *r, const char *now, long long run_id, rules_check_fn fn,
                     void *ud, errlist_t *errs, err_t *e)
{
    lua_State *L = sandbox_lua(rs->sb);
    int top = lua_gettop(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, r->ref);
    push_check_ctx(L, now, run_id);
    err_t ce;
    rules_check_flag_t *flags = NULL;
    size_t n = 0;
    int rc = rules_call_field(rs, r, top + 1, top + 2, "check", 1, &ce);
    history_reset(L);
    if (rc == 0)
        rc = read_check_flags(L, r, &flags, &n, &ce);
    if (rc != 0) {
        errlist_add(errs, "%s", ce.msg);
        rc = 1;
    } else {
        rules_check_result_t res = {r->id, r->realert, flags, n};
        rc = fn(ud, &res, e);
    }
    free(flags);
    lua_settop(L, top);
    return rc;
}

int rules_check(rules_t *rs, const char *now, long long run_id, rules_check_fn fn, void *ud,
                errlist_t *errs, err_t *e)
{
    int status = 0;
    for (size_t i = 0; i < rs->n; i++) {
        rule_t *r = &rs->list[i];
        if (!r->has_check || r->disabled)
            continue;
        int rc = check_one(rs, r, now, run_id, fn, ud, errs, e);
        if (rc < 0)
            return -1;
        status |= rc;
    }
    return status;
}
