/* rules_test.c — the inline-test runner: each case's event through
 * when/message, the flags compared with its expectation, a failure named
 * by the case's file:line (see rules.h). */
#include "rules/rules_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <lauxlib.h>
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

/* What a test case expects, copied out of the state. */
typedef struct expectation {
    int want_flag;          /* flag = false: 0 */
    char **messages;        /* messages = { … }, or NULL */
    size_t n_messages;
    char *message;          /* message = "…", or NULL */
    char *severity;         /* severity = "…", or NULL */
} expectation_t;

typedef struct test_case {
    const rule_t *r;
    lua_Integer k;
    expectation_t x;
    rules_out_t out;
    int malformed;          /* not event = { … }, expect = { … } */
    const char *stage;      /* the field an error is about: tests, then message */
} test_case_t;

static void expectation_free(expectation_t *x)
{
    for (size_t i = 0; i < x->n_messages; i++)
        free(x->messages[i]);
    free(x->messages);
    free(x->message);
    free(x->severity);
}

static char *copy_string_field(lua_State *L, int t, const char *name)
{
    lua_pushstring(L, name);
    char *v = lua_rawget(L, t) == LUA_TSTRING ? strdup(lua_tostring(L, -1)) : NULL;
    lua_pop(L, 1);
    return v;
}

/* Read expect = { flag =, message =, messages =, severity = } (plain). */
static void read_expectation(lua_State *L, int expect, expectation_t *x)
{
    lua_pushliteral(L, "flag");
    int t = lua_rawget(L, expect);
    x->want_flag = t == LUA_TNIL ? 1 : lua_toboolean(L, -1);
    lua_pop(L, 1);
    x->message = copy_string_field(L, expect, "message");
    x->severity = copy_string_field(L, expect, "severity");
    lua_pushliteral(L, "messages");
    if (lua_rawget(L, expect) == LUA_TTABLE) {
        size_t n = lua_rawlen(L, -1);
        if (!(x->messages = calloc(n + 1, sizeof *x->messages)))
            luaL_error(L, "out of memory");
        for (size_t i = 1; i <= n; i++) {
            lua_rawgeti(L, -1, (lua_Integer)i);
            x->messages[x->n_messages++] = strdup(lua_isstring(L, -1) ? lua_tostring(L, -1) : "");
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
}

static void push_given(lua_State *L, const void *data)
{
    (void)data;
    lua_pushvalue(L, 3); /* the case's event, kept at 3 by case_protected */
}

/* sandbox_run: case k of the rule's tests, read raw, then evaluated. */
static int case_protected(lua_State *L)
{
    test_case_t *c = lua_touserdata(L, 1);
    lua_settop(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->r->tests);
    lua_rawgeti(L, 2, c->k);
    lua_replace(L, 2);
    if (!lua_istable(L, 2) || lua_getmetatable(L, 2)) {
        c->malformed = 1;
        return 0;
    }
    lua_pushliteral(L, "event");
    int et = lua_rawget(L, 2);
    lua_pushliteral(L, "expect");
    int xt = lua_rawget(L, 2);
    if (et != LUA_TTABLE || xt != LUA_TTABLE) {
        c->malformed = 1;
        return 0;
    }
    sandbox_check_plain(L, 4, RULES_MAX_DEPTH, 0);
    read_expectation(L, 4, &c->x);
    c->stage = "message";
    push_given(L, NULL);
    rules_evaluate_in(L, c->r, lua_gettop(L), &c->out);
    return 0;
}

static void describe_list(char *const *msgs, size_t n, buf_t *out)
{
    if (n == 0)
        buf_puts(out, "no flag");
    for (size_t i = 0; i < n; i++)
        buf_printf(out, "%s\"%s\"", i ? ", " : "", msgs[i]);
}

static void describe_out(const rules_out_t *o, buf_t *out)
{
    if (o->n == 0)
        buf_puts(out, "no flag");
    for (size_t i = 0; i < o->n; i++)
        buf_printf(out, "%s\"%s\"", i ? ", " : "", o->flags[i].message);
}

/* Do the flags in o meet the expectation? Why not, in why. A flag of
 * another severity is named as such, never as "no flag". */
static int expectation_met(const expectation_t *x, const rules_out_t *o, buf_t *why)
{
    for (size_t i = 0; x->severity && i < o->n; i++)
        if (strcmp(o->flags[i].severity, x->severity) != 0) {
            buf_printf(why, "expected severity %s, got %s (flag \"%s\")", x->severity,
                       o->flags[i].severity, o->flags[i].message);
            return 0;
        }
    int ok;
    if (!x->want_flag) {
        ok = o->n == 0;
        if (!ok)
            buf_puts(why, "expected no flag, got ");
    } else if (x->messages) {
        ok = x->n_messages == o->n;
        for (size_t i = 0; ok && i < o->n; i++)
            ok = strcmp(x->messages[i], o->flags[i].message) == 0;
        if (!ok) {
            buf_puts(why, "expected ");
            describe_list(x->messages, x->n_messages, why);
            buf_puts(why, ", got ");
        }
    } else if (x->message) {
        ok = o->n == 1 && strcmp(o->flags[0].message, x->message) == 0;
        if (!ok)
            buf_printf(why, "expected \"%s\", got ", x->message);
    } else {
        ok = o->n > 0;
        if (!ok)
            buf_puts(why, "expected a flag, got ");
    }
    if (!ok)
        describe_out(o, why);
    return ok;
}

static void run_case(rule_t *r, long n, rules_test_fn fail, void *ud, long *passed, long *failed)
{
    test_case_t c = {.r = r, .k = n, .stage = "tests"};
    err_t e;
    if (!r->has_when) {
        report(fail, ud, r, n, "the rule has no when(ev) to test with an event");
        (*failed)++;
        return;
    }
    r->disabled = 0;
    int rc = sandbox_run(r->sb, case_protected, &c, 0, 0, r->chunk, &e);
    if (rc != 0) {
        rules_name_error(r, c.stage, &e);
        char *nl = strchr(e.msg, '\n');
        if (nl)
            *nl = '\0';
        report(fail, ud, r, n, "error: %s", e.msg);
        (*failed)++;
    } else if (c.malformed) {
        report(fail, ud, r, n, "a test needs event = { ... } and expect = { ... }");
        (*failed)++;
    } else {
        buf_t why = {0};
        if (expectation_met(&c.x, &c.out, &why)) {
            (*passed)++;
        } else {
            report(fail, ud, r, n, "%s", buf_str(&why));
            (*failed)++;
        }
        buf_free(&why);
    }
    expectation_free(&c.x);
    rules_out_free(&c.out);
}

const char *rules_id(const rules_t *rs, size_t i)
{
    return i < rs->n ? rs->list[i].id : NULL;
}

const char *rules_title(const rules_t *rs, size_t i)
{
    return i < rs->n ? rs->list[i].title : NULL;
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
    *passed = *failed = 0;
    for (size_t i = 0; i < rs->n; i++) {
        rule_t *r = &rs->list[i];
        if (!selected(r, only, n_only) || r->tests == LUA_NOREF)
            continue;
        lua_State *L = sandbox_lua(r->sb);
        lua_rawgeti(L, LUA_REGISTRYINDEX, r->tests);
        long n = (long)lua_rawlen(L, -1); /* raw: no metamethod, no allocation */
        lua_pop(L, 1);
        for (long k = 1; k <= n; k++)
            run_case(r, k, fail, ud, passed, failed);
        r->disabled = 0;
    }
    return 0;
}
