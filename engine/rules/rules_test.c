/* rules_test.c — the inline-test runner: each case's event through
 * when/message, the flags compared with its expectation, a failure named
 * by the case's file:line (see rules.h). */
#include "rules/rules_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"

/* Line of the n-th test case in the rule's source (counting `event =` after
 * `tests`), or the line of `tests`, or 1. Tables carry no line numbers, so
 * the source text is the only witness. */
static int test_line(const char *src, long n)
{
    const char *tests = strstr(src, "tests");
    if (!tests)
        return 1;
    int line = 1;
    for (const char *p = src; p < tests; p++)
        line += *p == '\n';
    int found = line;
    long seen = 0;
    for (const char *p = tests; *p; p++) {
        if (*p == '\n')
            line++;
        if (strncmp(p, "event", 5) == 0 && !rules_name_char(p[-1])) {
            const char *q = p + 5;
            while (*q == ' ' || *q == '\t')
                q++;
            if (*q == '=' && q[1] != '=' && ++seen == n)
                return line;
        }
    }
    return found;
}

static void report(rules_test_fn fail, void *ud, const rule_t *r, long n, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void report(rules_test_fn fail, void *ud, const rule_t *r, long n, const char *fmt, ...)
{
    char what[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    buf_t b = {0};
    buf_printf(&b, "%s:%d: rule %s, test %ld: %s", r->chunk, test_line(r->source_text, n), r->id, n, what);
    fail(ud, buf_str(&b));
    buf_free(&b);
}

/* The list of strings at idx, joined for a message. */
static void describe_list(lua_State *L, int idx, buf_t *out)
{
    size_t n = lua_rawlen(L, idx);
    if (n == 0)
        buf_puts(out, "no flag");
    for (size_t i = 1; i <= n; i++) {
        lua_rawgeti(L, idx, (lua_Integer)i);
        buf_printf(out, "%s\"%s\"", i > 1 ? ", " : "", lua_tostring(L, -1));
        lua_pop(L, 1);
    }
}

/* Does the list at got equal the expectation at expect? */
static int expectation_met(lua_State *L, int got, int expect, buf_t *why)
{
    size_t n = lua_rawlen(L, got);
    lua_getfield(L, expect, "flag");
    int want_flag = lua_isnil(L, -1) ? 1 : lua_toboolean(L, -1);
    lua_pop(L, 1);
    int ok = 1;
    if (!want_flag) {
        ok = n == 0;
        if (!ok)
            buf_puts(why, "expected no flag, got ");
    } else if (lua_getfield(L, expect, "messages") == LUA_TTABLE) {
        size_t m = lua_rawlen(L, -1);
        ok = m == n;
        for (size_t i = 1; ok && i <= n; i++) {
            lua_rawgeti(L, -1, (lua_Integer)i);
            lua_rawgeti(L, got, (lua_Integer)i);
            ok = lua_rawequal(L, -1, -2);
            lua_pop(L, 2);
        }
        if (!ok) {
            buf_puts(why, "expected ");
            describe_list(L, lua_gettop(L), why);
            buf_puts(why, ", got ");
        }
    } else if (lua_getfield(L, expect, "message") == LUA_TSTRING) {
        lua_rawgeti(L, got, 1);
        ok = n == 1 && lua_rawequal(L, -1, -2);
        lua_pop(L, 1);
        if (!ok)
            buf_printf(why, "expected \"%s\", got ", lua_tostring(L, -1));
    } else {
        ok = n > 0;
        if (!ok)
            buf_puts(why, "expected a flag, got ");
    }
    if (!ok)
        describe_list(L, got, why);
    return ok;
}

/* Push the messages of the flag list at idx as a list of strings, for
 * comparing with the expectation. When the expectation names a severity,
 * a flag of another severity is described in why (and the list pushed is
 * then empty, so the expectation fails). Returns the new list's index. */
static int flatten_flags(lua_State *L, const rule_t *r, int idx, int expect, buf_t *why)
{
    lua_getfield(L, expect, "severity");
    const char *want = lua_tostring(L, -1);
    int wrong = 0;
    lua_newtable(L);
    int out = lua_gettop(L);
    for (lua_Integer k = 1; k <= (lua_Integer)lua_rawlen(L, idx); k++) {
        const char *severity;
        const char *msg = rules_push_flag(L, idx, k, r, &severity);
        if (want && !wrong && (!severity || strcmp(severity, want) != 0)) {
            buf_printf(why, "severity %s instead of %s; ", severity ? severity : "(invalid)", want);
            wrong = 1;
        }
        lua_pushstring(L, msg ? msg : "");
        lua_rawseti(L, out, k);
        lua_pop(L, 1);
    }
    if (wrong) {
        lua_newtable(L);
        lua_replace(L, out);
    }
    return out;
}

static void run_case(rules_t *rs, rule_t *r, long n, int tcase, rules_test_fn fail, void *ud,
                     long *passed, long *failed)
{
    lua_State *L = sandbox_lua(rs->sb);
    int top = lua_gettop(L);
    if (lua_getfield(L, tcase, "event") != LUA_TTABLE ||
        lua_getfield(L, tcase, "expect") != LUA_TTABLE) {
        report(fail, ud, r, n, "a test needs event = { ... } and expect = { ... }");
        (*failed)++;
        lua_settop(L, top);
        return;
    }
    int ev = top + 1, expect = top + 2;
    err_t e;
    r->disabled = 0;
    if (!r->has_when) {
        report(fail, ud, r, n, "the rule has no when(ev) to test with an event");
        (*failed)++;
        lua_settop(L, top);
        return;
    }
    if (rules_evaluate(rs, r, ev, &e) != 0) {
        char *nl = strchr(e.msg, '\n');
        if (nl)
            *nl = '\0';
        report(fail, ud, r, n, "error: %s", e.msg);
        (*failed)++;
    } else {
        buf_t why = {0};
        if (lua_isnil(L, -1)) { /* evaluate's "no flag" */
            lua_pop(L, 1);
            lua_newtable(L);
        }
        if (expectation_met(L, flatten_flags(L, r, lua_gettop(L), expect, &why), expect, &why)) {
            (*passed)++;
        } else {
            report(fail, ud, r, n, "%s", buf_str(&why));
            (*failed)++;
        }
        buf_free(&why);
    }
    lua_settop(L, top);
}

static int selected(const rule_t *r, const char *const *only, size_t n_only)
{
    if (n_only == 0)
        return 1;
    for (size_t i = 0; i < n_only; i++)
        if (strcmp(only[i], r->id) == 0)
            return 1;
    return 0;
}

int rules_test(rules_t *rs, const char *const *only, size_t n_only, rules_test_fn fail, void *ud,
               long *passed, long *failed)
{
    lua_State *L = sandbox_lua(rs->sb);
    *passed = *failed = 0;
    for (size_t i = 0; i < rs->n; i++) {
        rule_t *r = &rs->list[i];
        if (!selected(r, only, n_only))
            continue;
        lua_rawgeti(L, LUA_REGISTRYINDEX, r->ref);
        if (lua_getfield(L, -1, "tests") == LUA_TTABLE) {
            int tests = lua_gettop(L);
            long n = (long)lua_rawlen(L, tests);
            for (long k = 1; k <= n; k++) {
                lua_rawgeti(L, tests, k);
                run_case(rs, r, k, lua_gettop(L), fail, ud, passed, failed);
                lua_pop(L, 1);
            }
        }
        lua_pop(L, 2);
        r->disabled = 0;
    }
    return 0;
}
