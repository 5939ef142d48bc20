/* rules_check.c — the per-run check calls: each rule's check(ctx) once,
 * and the list of flags it returns read strictly (see rules.h). */
#include "alert/context.h"
#include "rules/rules_int.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "lib/history.h"
#include "lib/luaset.h"

int rules_has_checks(const rules_t *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        if (rs->list[i].has_check)
            return 1;
    return 0;
}

/* Push t[name] without metamethods. */
static int raw_field(lua_State *L, int t, const char *name)
{
    lua_pushstring(L, name);
    return lua_rawget(L, t);
}

/* What a check returned, copied out of the state. */
typedef struct check_read {
    const rule_t *r;
    const char *now;
    long long run_id;
    rules_check_flag_t *flags;
    size_t n;
} check_read_t;

static void free_flags(rules_check_flag_t *flags, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        free((char *)flags[k].key);
        free((char *)flags[k].message);
        free((char *)flags[k].source);
        free((char *)flags[k].title);
        free((char *)flags[k].link);
    }
    free(flags);
}

/* A copy of a string field of a check's flag; a whole number is taken as
 * its decimal text. NULL when absent; *bad set when present but not a
 * string. */
static char *flag_text(lua_State *L, int entry, const char *name, int *bad)
{
    char *v = NULL;
    int t = raw_field(L, entry, name);
    if (t == LUA_TSTRING)
        v = strdup(lua_tostring(L, -1));
    else if (t == LUA_TNUMBER && lua_isinteger(L, -1))
        v = strdup(lua_pushfstring(L, "%I", (LUAI_UACINT)lua_tointeger(L, -1)));
    else if (t != LUA_TNIL)
        *bad = 1;
    if ((t == LUA_TSTRING || t == LUA_TNUMBER) && !v && !*bad)
        luaL_error(L, "out of memory");
    lua_settop(L, entry);
    return v;
}

/* Read entry k of the list a check returned into f. */
static void read_check_flag(lua_State *L, const rule_t *r, int list, lua_Integer k,
                            rules_check_flag_t *f)
{
    int bad = 0;
    if (lua_rawgeti(L, list, k) != LUA_TTABLE)
        luaL_error(L, "%s: rule %s: check's flag %I must be a table { key =, message = }",
                   r->chunk, r->id, (LUAI_UACINT)k);
    int entry = lua_gettop(L);
    f->key = flag_text(L, entry, "key", &bad);
    f->message = flag_text(L, entry, "message", &bad);
    char *severity = flag_text(L, entry, "severity", &bad);
    f->source = flag_text(L, entry, "source", &bad);
    f->title = flag_text(L, entry, "title", &bad);
    f->link = flag_text(L, entry, "link", &bad);
    lua_pop(L, 1);
    f->severity = severity ? rules_severity(severity) : r->severity;
    int known = !severity || f->severity;
    free(severity);
    if (!f->severity)
        f->severity = r->severity;
    if (bad || !f->key || !*f->key || !f->message || !*f->message)
        luaL_error(L, "%s: rule %s: check's flag %I needs a key and a message (strings)",
                   r->chunk, r->id, (LUAI_UACINT)k);
    if (!known)
        luaL_error(L, "%s: rule %s: check's flag %I: severity must be one of info, low, "
                   "medium, high, critical", r->chunk, r->id, (LUAI_UACINT)k);
    if (f->link && !flag_context_is_link(f->link))
        luaL_error(L, "%s: rule %s: check's flag %I: link must be an http:// or https:// URL",
                   r->chunk, r->id, (LUAI_UACINT)k);
}

/* sandbox_run: call check(ctx) and read the list it returns. All or
 * nothing: a check that returns one malformed entry is reported, so that
 * its other keys' episodes are not ended by mistake. */
static int check_protected(lua_State *L)
{
    check_read_t *c = lua_touserdata(L, 1);
    const rule_t *r = c->r;
    lua_rawgeti(L, LUA_REGISTRYINDEX, r->check);
    lua_createtable(L, 0, 2);
    luaset_string(L, -1, "now", c->now);
    luaset_integer(L, -1, "run_id", (lua_Integer)c->run_id);
    lua_call(L, 1, 1);
    int list = lua_gettop(L);
    if (lua_isnil(L, list))
        return 0;
    if (!lua_istable(L, list))
        return luaL_error(L, "%s: rule %s: check returned a %s, not a list of flags", r->chunk,
                          r->id, luaL_typename(L, list));
    sandbox_check_plain(L, list, RULES_MAX_DEPTH, 0);
    size_t len = lua_rawlen(L, list);
    if (len == 0)
        return 0;
    if (!(c->flags = calloc(len, sizeof *c->flags)))
        return luaL_error(L, "out of memory");
    for (size_t k = 0; k < len; k++) {
        c->n = k + 1;
        read_check_flag(L, r, list, (lua_Integer)k + 1, &c->flags[k]);
    }
    return 0;
}

/* Call one rule's check and hand the result to fn. Returns 0, 1 when the
 * check failed (reported in errs), -1 when fn failed. */
static int check_one(rule_t *r, const char *now, long long run_id, rules_check_fn fn, void *ud,
                     errlist_t *errs, err_t *e)
{
    check_read_t c = {r, now, run_id, NULL, 0};
    err_t ce;
    int rc = sandbox_run(r->sb, check_protected, &c, 0, 0, r->chunk, &ce);
    history_reset(sandbox_lua(r->sb));
    if (rc != 0) {
        rules_name_error(r, "check", &ce);
        errlist_add(errs, "%s", ce.msg);
        rc = 1;
    } else {
        rules_check_result_t res = {.rule = r->id, .realert = r->realert, .rule_title = r->title,
                                    .flags = c.flags, .n = c.n};
        rc = fn(ud, &res, e);
    }
    free_flags(c.flags, c.n);
    return rc;
}

int rules_check(rules_t *rs, const char *now, long long run_id, rules_check_fn fn, void *ud,
                errlist_t *errs, err_t *e)
{
    int status = 0;
    for (size_t i = 0; i < rs->n; i++) {
        rule_t *r = &rs->list[i];
        if (!r->has_check || r->disabled || r->excluded)
            continue;
        int rc = check_one(r, now, run_id, fn, ud, errs, e);
        if (rc < 0)
            return -1;
        status |= rc;
    }
    return status;
}
