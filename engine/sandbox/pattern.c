/* pattern.c — Lua 5.4 string patterns with a step budget (see pattern.h).
 *
 * Lua's own matcher cannot be interrupted: its instruction-count hook only
 * fires between VM instructions, and one string.find call is a single
 * instruction. This is a matcher with the same semantics (and the same
 * recursion limit and error messages) that counts its work and raises an
 * error once a call has used up its budget. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include "sandbox/pattern.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>

#include <lauxlib.h>

#include "sandbox/sandbox.h"

#define PAT_ESC '%'
#define PAT_SPECIALS "^$*+?.([%-"

/* Same limits as Lua's lstrlib.c, so that results agree. */
#define PAT_MAX_CAPTURES 32
#define PAT_MAX_DEPTH 200

/* Steps charged to the sandbox's budget at a time, and how many make one
 * unit of it (a step is a few nanoseconds, an instruction somewhat more). */
#define BILL_STEPS 4096
#define STEPS_PER_UNIT 4

/* Bytes of a plain find's subject charged as one unit of the budget. */
#define PLAIN_BYTES_PER_STEP 16

/* Bytes of a back-reference comparison charged as one step. */
#define BACKREF_BYTES_PER_STEP 32

/* Capture lengths that are not lengths. */
#define CAP_UNFINISHED (-1)
#define CAP_POSITION (-2)

typedef struct capture {
    const char *start;
    ptrdiff_t len; /* or CAP_UNFINISHED / CAP_POSITION */
} capture_t;

typedef struct matcher {
    lua_State *L;
    const char *src;     /* subject */
    const char *src_end; /* one past its last byte (always a '\0') */
    const char *pat_end; /* one past the pattern's last byte (a '\0') */
    lua_Integer max_steps;
    lua_Integer steps_left;
    lua_Integer unbilled;  /* steps not yet charged to the budget */
    int depth_left; /* nested match() calls still allowed */
    int level;      /* captures started so far */
    capture_t cap[PAT_MAX_CAPTURES];
} matcher_t;

/* State of one string.gmatch iterator, kept in a userdata. */
typedef struct gmatch_state {
    matcher_t m;
    const char *pat;
    size_t pos;           /* where the next search starts */
    const char *last_end; /* end of the previous match, or NULL */
} gmatch_state_t;

static const char *match(matcher_t *m, const char *s, const char *p);

/* ---- budget ---------------------------------------------------------- */

/* Steps taken and not yet charged to the call's budget. */
static void bill(matcher_t *m)
{
    lua_Integer n = m->unbilled;
    m->unbilled = 0;
    sandbox_charge(m->L, n / STEPS_PER_UNIT);
}

/* Steps count against this call's own limit and, in batches of
 * BILL_STEPS, against the call's instruction budget: a pattern call near
 * its limit in a loop (even under pcall) then runs out of budget. */
static void charge_steps(matcher_t *m, lua_Integer n)
{
    if (n > m->steps_left) {
        m->unbilled += m->steps_left;
        bill(m);
        luaL_error(m->L, "pattern too complex (more than %I steps)", m->max_steps);
    }
    m->steps_left -= n;
    if ((m->unbilled += n) >= BILL_STEPS)
        bill(m);
}

static void count_step(matcher_t *m)
{
    charge_steps(m, 1);
}

/* ---- single characters and classes ------------------------------------ */

static int uchar(char c)
{
    return (unsigned char)c;
}

/* Whether c is in class %cl (upper-case cl is the complement); any other
 * cl stands for itself. %z is the '\0' byte. */
static int match_class(int c, int cl)
{
    int res;
    switch (tolower(cl)) {
    case 'a': res = isalpha(c); break;
    case 'c': res = iscntrl(c); break;
    case 'd': res = isdigit(c); break;
    case 'g': res = isgraph(c); break;
    case 'l': res = islower(c); break;
    case 'p': res = ispunct(c); break;
    case 's': res = isspace(c); break;
    case 'u': res = isupper(c); break;
    case 'w': res = isalnum(c); break;
    case 'x': res = isxdigit(c); break;
    case 'z': res = (c == 0); break; /* deprecated, but Lua 5.4 has it */
    default: return cl == c;
    }
    if (isupper(cl))
        res = !res;
    return res != 0;
}

/* Whether c is in the set that starts at '[' in p and whose closing ']' is
 * at close. */
static int match_set(int c, const char *p, const char *close)
{
    int inside = 1;
    if (p[1] == '^') {
        inside = 0;
        p++;
    }
    while (++p < close) {
        if (*p == PAT_ESC) {
            p++;
            if (match_class(c, uchar(*p)))
                return inside;
        } else if (p[1] == '-' && p + 2 < close) {
            if (uchar(p[0]) <= c && c <= uchar(p[2]))
                return inside;
            p += 2;
        } else if (uchar(*p) == c) {
            return inside;
        }
    }
    return !inside;
}

/* Returns the end of the single-character class that starts at p: one past
 * a plain character, an escape or a closing ']'. */
static const char *class_end(matcher_t *m, const char *p)
{
    char first = *p++;
    if (first == PAT_ESC) {
        if (p == m->pat_end)
            luaL_error(m->L, "malformed pattern (ends with '%%')");
        return p + 1;
    }
    if (first != '[')
        return p;
    if (*p == '^')
        p++;
    /* The first character of a set is never its end, so "[]]" is a set. */
    do {
        if (p == m->pat_end)
            luaL_error(m->L, "malformed pattern (missing ']')");
        if (*p++ == PAT_ESC && p < m->pat_end)
            p++;
    } while (*p != ']');
    return p + 1;
}

/* Whether the subject byte at s matches the class p..ep. */
static int single_match(const matcher_t *m, const char *s, const char *p, const char *ep)
{
    if (s >= m->src_end)
        return 0;
    int c = uchar(*s);
    switch (*p) {
    case '.': return 1;
    case PAT_ESC: return match_class(c, uchar(p[1]));
    case '[': return match_set(c, p, ep - 1);
    default: return uchar(*p) == c;
    }
}

/* ---- repetitions ------------------------------------------------------ */

/* Greedy: take as many as possible, then give back one at a time. */
static const char *max_expand(matcher_t *m, const char *s, const char *p, const char *ep)
{
    ptrdiff_t n = 0;
    while (single_match(m, s + n, p, ep)) {
        count_step(m);
        n++;
    }
    for (; n >= 0; n--) {
        count_step(m);
        const char *res = match(m, s + n, ep + 1);
        if (res != NULL)
            return res;
    }
    return NULL;
}

/* Lazy: try the rest of the pattern first, then take one more. */
static const char *min_expand(matcher_t *m, const char *s, const char *p, const char *ep)
{
    for (;;) {
        count_step(m);
        const char *res = match(m, s, ep + 1);
        if (res != NULL)
            return res;
        if (!single_match(m, s, p, ep))
            return NULL;
        s++;
    }
}

/* ---- captures --------------------------------------------------------- */

static const char *start_capture(matcher_t *m, const char *s, const char *p, ptrdiff_t what)
{
    if (m->level >= PAT_MAX_CAPTURES)
        luaL_error(m->L, "too many captures");
    m->cap[m->level].start = s;
    m->cap[m->level].len = what;
    m->level++;
    const char *res = match(m, s, p);
    if (res == NULL)
        m->level--;
    return res;
}

static int innermost_open_capture(const matcher_t *m)
{
    for (int i = m->level - 1; i >= 0; i--)
        if (m->cap[i].len == CAP_UNFINISHED)
            return i;
    return luaL_error(m->L, "invalid pattern capture");
}

static const char *end_capture(matcher_t *m, const char *s, const char *p)
{
    int i = innermost_open_capture(m);
    m->cap[i].len = s - m->cap[i].start;
    const char *res = match(m, s, p);
    if (res == NULL)
        m->cap[i].len = CAP_UNFINISHED;
    return res;
}

/* The capture a back-reference digit refers to; it must be closed. */
static int backref_index(const matcher_t *m, int digit)
{
    int i = digit - '1';
    if (i < 0 || i >= m->level || m->cap[i].len == CAP_UNFINISHED)
        return luaL_error(m->L, "invalid capture index %%%d", i + 1);
    return i;
}

/* ---- pattern items ---------------------------------------------------- *
 * Each item matcher either advances *s and *p and returns 1 (the rest of
 * the pattern is still to be matched), or returns 0 with the final result
 * of the whole match in *s (NULL for failure). */

static int fail_item(const char **s)
{
    *s = NULL;
    return 0;
}

/* %bxy: a balanced run from x to the matching y. */
static int balance_item(matcher_t *m, const char **s, const char **p)
{
    const char *args = *p + 2;
    if (args >= m->pat_end - 1)
        luaL_error(m->L, "malformed pattern (missing arguments to '%%b')");
    const char *t = *s;
    if (*t != *args)
        return fail_item(s);
    int depth = 1;
    while (++t < m->src_end) {
        count_step(m);
        if (*t == args[1]) {
            if (--depth == 0) {
                *s = t + 1;
                *p += 4;
                return 1;
            }
        } else if (*t == args[0]) {
            depth++;
        }
    }
    return fail_item(s);
}

/* %f[set]: the previous byte (or '\0' at the start) is not in the set and
 * the current byte (or '\0' at the end) is. */
static int frontier_item(matcher_t *m, const char **s, const char **p)
{
    const char *set = *p + 2;
    if (*set != '[')
        luaL_error(m->L, "missing '[' after '%%f' in pattern");
    const char *ep = class_end(m, set);
    int prev = *s == m->src ? '\0' : uchar((*s)[-1]);
    if (match_set(prev, set, ep - 1) || !match_set(uchar(**s), set, ep - 1))
        return fail_item(s);
    *p = ep;
    return 1;
}

/* %1-%9: the same text as an earlier capture. */
static int backref_item(matcher_t *m, const char **s, const char **p)
{
    const capture_t *c = &m->cap[backref_index(m, uchar((*p)[1]))];
    if (c->len < 0 || m->src_end - *s < c->len)
        return fail_item(s);
    /* Comparing is linear in the capture, so it is charged, though memcmp
     * is far cheaper per byte than a matcher step. */
    charge_steps(m, c->len / BACKREF_BYTES_PER_STEP);
    if (memcmp(c->start, *s, (size_t)c->len) != 0)
        return fail_item(s);
    *s += c->len;
    *p += 2;
    return 1;
}

/* A single-character class with an optional repetition suffix. */
static int class_item(matcher_t *m, const char **s, const char **p)
{
    const char *ep = class_end(m, *p);
    if (!single_match(m, *s, *p, ep)) {
        if (*ep == '*' || *ep == '?' || *ep == '-') {
            *p = ep + 1;
            return 1;
        }
        return fail_item(s);
    }
    const char *res;
    switch (*ep) {
    case '?':
        res = match(m, *s + 1, ep + 1);
        if (res != NULL) {
            *s = res;
            return 0;
        }
        *p = ep + 1;
        return 1;
    case '+':
        *s = max_expand(m, *s + 1, *p, ep);
        return 0;
    case '*':
        *s = max_expand(m, *s, *p, ep);
        return 0;
    case '-':
        *s = min_expand(m, *s, *p, ep);
        return 0;
    default:
        (*s)++;
        *p = ep;
        return 1;
    }
}

static int match_item(matcher_t *m, const char **s, const char **p)
{
    const char *q = *p;
    count_step(m);
    switch (*q) {
    case '(':
        if (q[1] == ')')
            *s = start_capture(m, *s, q + 2, CAP_POSITION);
        else
            *s = start_capture(m, *s, q + 1, CAP_UNFINISHED);
        return 0;
    case ')':
        *s = end_capture(m, *s, q + 1);
        return 0;
    case '$':
        if (q + 1 != m->pat_end)
            break; /* a literal '$' */
        if (*s != m->src_end)
            *s = NULL;
        return 0;
    case PAT_ESC:
        if (q[1] == 'b')
            return balance_item(m, s, p);
        if (q[1] == 'f')
            return frontier_item(m, s, p);
        if (isdigit(uchar(q[1])))
            return backref_item(m, s, p);
        break;
    default:
        break;
    }
    return class_item(m, s, p);
}

/* Matches pattern p at subject position s. Returns the end of the match or
 * NULL. Recursion is bounded like Lua's to protect the C stack. */
static const char *match(matcher_t *m, const char *s, const char *p)
{
    if (m->depth_left-- == 0)
        luaL_error(m->L, "pattern too complex");
    count_step(m);
    while (p != m->pat_end && match_item(m, &s, &p))
        ;
    m->depth_left++;
    return s;
}

/* ---- matcher state ---------------------------------------------------- */

static void matcher_init(matcher_t *m, lua_State *L, const char *s, size_t ls,
                         const char *p, size_t lp, lua_Integer max_steps)
{
    m->L = L;
    m->src = s;
    m->src_end = s + ls;
    m->pat_end = p + lp;
    m->max_steps = max_steps;
    m->steps_left = max_steps;
    m->unbilled = 0;
    m->depth_left = PAT_MAX_DEPTH;
    m->level = 0;
}

/* Before each attempt at a new subject position. */
static void matcher_retry(matcher_t *m)
{
    m->level = 0;
    m->depth_left = PAT_MAX_DEPTH;
}

/* Finds capture i; with no captures, capture 0 is the whole match s..e.
 * Returns the length and sets *start, or for a position capture pushes
 * the position and returns CAP_POSITION. */
static ptrdiff_t capture_span(const matcher_t *m, int i, const char *s, const char *e,
                              const char **start)
{
    if (i >= m->level) {
        if (i != 0)
            luaL_error(m->L, "invalid capture index %%%d", i + 1);
        *start = s;
        return e - s;
    }
    const capture_t *c = &m->cap[i];
    *start = c->start;
    if (c->len == CAP_UNFINISHED)
        luaL_error(m->L, "unfinished capture");
    if (c->len == CAP_POSITION)
        lua_pushinteger(m->L, (c->start - m->src) + 1);
    return c->len;
}

static void push_capture(const matcher_t *m, int i, const char *s, const char *e)
{
    const char *start;
    ptrdiff_t len = capture_span(m, i, s, e, &start);
    if (len != CAP_POSITION)
        lua_pushlstring(m->L, start, (size_t)len);
}

/* Pushes all captures, or the whole match s..e when there are none and s
 * is not NULL. Returns how many values were pushed. */
static int push_captures(const matcher_t *m, const char *s, const char *e)
{
    int n = (m->level == 0 && s != NULL) ? 1 : m->level;
    luaL_checkstack(m->L, n, "too many captures");
    for (int i = 0; i < n; i++)
        push_capture(m, i, s, e);
    return n;
}

/* ---- argument helpers ------------------------------------------------- */

static lua_Integer step_limit(lua_State *L)
{
    return lua_tointeger(L, lua_upvalueindex(1));
}

/* Converts a 1-based, possibly negative, init argument to a 0-based
 * offset; the result may be past the end of the subject. */
static size_t start_offset(lua_Integer init, size_t len)
{
    if (init > 0)
        return (size_t)init - 1;
    if (init == 0 || init < -(lua_Integer)len)
        return 0;
    return len - (size_t)(-init);
}

/* Whether a pattern has no magic characters, '\0' bytes included. */
static int is_plain(const char *p, size_t lp)
{
    size_t at = 0;
    do {
        if (strpbrk(p + at, PAT_SPECIALS) != NULL)
            return 0;
        at += strlen(p + at) + 1;
    } while (at <= lp);
    return 1;
}

/* ---- find and match --------------------------------------------------- */

static int find_plain(lua_State *L, const char *s, size_t ls, size_t init,
                      const char *p, size_t lp)
{
    sandbox_charge(L, (lua_Integer)((ls - init) / PLAIN_BYTES_PER_STEP));
    const char *hit = memmem(s + init, ls - init, p, lp);
    if (hit == NULL) {
        lua_pushnil(L);
        return 1;
    }
    lua_pushinteger(L, (hit - s) + 1);
    lua_pushinteger(L, (hit - s) + (lua_Integer)lp);
    return 2;
}

/* A pattern that starts with '^' is anchored: drop the '^' and say so. */
static int take_anchor(const char **p, size_t *lp)
{
    if (**p != '^')
        return 0;
    (*p)++;
    (*lp)--;
    return 1;
}

static int find_or_match(lua_State *L, int find)
{
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t init = start_offset(luaL_optinteger(L, 3, 1), ls);
    if (init > ls) {
        lua_pushnil(L);
        return 1;
    }
    if (find && (lua_toboolean(L, 4) || is_plain(p, lp)))
        return find_plain(L, s, ls, init, p, lp);

    int anchored = take_anchor(&p, &lp);
    matcher_t m;
    matcher_init(&m, L, s, ls, p, lp, step_limit(L));
    const char *at = s + init;
    do {
        matcher_retry(&m);
        const char *end = match(&m, at, p);
        if (end != NULL) {
            bill(&m);
            if (!find)
                return push_captures(&m, at, end);
            lua_pushinteger(L, (at - s) + 1);
            lua_pushinteger(L, end - s);
            return push_captures(&m, NULL, NULL) + 2;
        }
    } while (at++ < m.src_end && !anchored);
    bill(&m);
    lua_pushnil(L);
    return 1;
}

static int pattern_find(lua_State *L)
{
    return find_or_match(L, 1);
}

static int pattern_match(lua_State *L)
{
    return find_or_match(L, 0);
}

/* ---- gmatch ----------------------------------------------------------- */

/* Upvalues: subject, pattern (kept alive for the pointers), state. */
static int gmatch_next(lua_State *L)
{
    gmatch_state_t *g = lua_touserdata(L, lua_upvalueindex(3));
    matcher_t *m = &g->m;
    m->L = L; /* may be called from another coroutine */
    m->steps_left = m->max_steps;
    size_t len = (size_t)(m->src_end - m->src);
    for (size_t pos = g->pos; pos <= len; pos++) {
        const char *at = m->src + pos;
        matcher_retry(m);
        const char *end = match(m, at, g->pat);
        /* An empty match right where the last one ended does not count. */
        if (end != NULL && end != g->last_end) {
            g->pos = (size_t)(end - m->src);
            g->last_end = end;
            bill(m);
            return push_captures(m, at, end);
        }
    }
    bill(m);
    return 0;
}

static int pattern_gmatch(lua_State *L)
{
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t init = start_offset(luaL_optinteger(L, 3, 1), ls);
    lua_Integer max_steps = step_limit(L);
    lua_settop(L, 2);
    gmatch_state_t *g = lua_newuserdatauv(L, sizeof *g, 0);
    matcher_init(&g->m, L, s, ls, p, lp, max_steps);
    g->pat = p;
    g->pos = init > ls ? ls + 1 : init;
    g->last_end = NULL;
    lua_pushcclosure(L, gmatch_next, 3);
    return 1;
}

/* ---- gsub ------------------------------------------------------------- */

/* Appends a replacement string with %0-%9 and %% expanded. */
static void add_template(const matcher_t *m, luaL_Buffer *b, const char *s, const char *e)
{
    size_t len;
    const char *t = lua_tolstring(m->L, 3, &len);
    const char *esc;
    while ((esc = memchr(t, PAT_ESC, len)) != NULL) {
        luaL_addlstring(b, t, (size_t)(esc - t));
        char c = esc[1]; /* the replacement ends in '\0', so this is safe */
        if (c == PAT_ESC) {
            luaL_addchar(b, PAT_ESC);
        } else if (c == '0') {
            luaL_addlstring(b, s, (size_t)(e - s));
        } else if (isdigit(uchar(c))) {
            const char *start;
            ptrdiff_t n = capture_span(m, c - '1', s, e, &start);
            if (n == CAP_POSITION)
                luaL_addvalue(b);
            else
                luaL_addlstring(b, start, (size_t)n);
        } else {
            luaL_error(m->L, "invalid use of '%c' in replacement string", PAT_ESC);
        }
        len -= (size_t)(esc + 2 - t);
        t = esc + 2;
    }
    luaL_addlstring(b, t, len);
}

/* Appends the replacement for the match s..e. Returns whether it differs
 * from keeping the match (a nil or false from a table or function keeps
 * it). */
static int add_replacement(const matcher_t *m, luaL_Buffer *b, const char *s, const char *e,
                           int repl_type)
{
    lua_State *L = m->L;
    if (repl_type == LUA_TFUNCTION) {
        lua_pushvalue(L, 3);
        int n = push_captures(m, s, e);
        lua_call(L, n, 1);
    } else if (repl_type == LUA_TTABLE) {
        push_capture(m, 0, s, e);
        lua_gettable(L, 3);
    } else {
        add_template(m, b, s, e);
        return 1;
    }
    if (!lua_toboolean(L, -1)) {
        lua_pop(L, 1);
        luaL_addlstring(b, s, (size_t)(e - s));
        return 0;
    }
    if (!lua_isstring(L, -1))
        return luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    luaL_addvalue(b);
    return 1;
}

static int pattern_gsub(lua_State *L)
{
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    int repl_type = lua_type(L, 3);
    lua_Integer max_n = luaL_optinteger(L, 4, (lua_Integer)ls + 1);
    luaL_argexpected(L, repl_type == LUA_TNUMBER || repl_type == LUA_TSTRING ||
                     repl_type == LUA_TFUNCTION || repl_type == LUA_TTABLE,
                     3, "string/function/table");
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    int anchored = take_anchor(&p, &lp);
    matcher_t m;
    matcher_init(&m, L, s, ls, p, lp, step_limit(L));
    const char *at = s;
    const char *last_end = NULL;
    lua_Integer n = 0;
    int changed = 0;
    while (n < max_n) {
        matcher_retry(&m);
        const char *end = match(&m, at, p);
        if (end != NULL && end != last_end) {
            n++;
            changed |= add_replacement(&m, &b, at, end, repl_type);
            at = last_end = end;
        } else if (at < m.src_end) {
            luaL_addchar(&b, *at++);
        } else {
            break;
        }
        if (anchored)
            break;
    }
    bill(&m);
    if (changed) {
        luaL_addlstring(&b, at, (size_t)(m.src_end - at));
        luaL_pushresult(&b);
    } else {
        lua_pushvalue(L, 1);
    }
    lua_pushinteger(L, n);
    return 2;
}

/* ---- registration ----------------------------------------------------- */

static const luaL_Reg pattern_funcs[] = {
    {"find", pattern_find},
    {"match", pattern_match},
    {"gmatch", pattern_gmatch},
    {"gsub", pattern_gsub},
    {NULL, NULL},
};

void pattern_register(lua_State *L, long max_steps)
{
    lua_pushinteger(L, (lua_Integer)max_steps);
    luaL_setfuncs(L, pattern_funcs, 1);
}
