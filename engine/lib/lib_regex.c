/* lib_regex.c — vane.regex: PCRE2 regular expressions for scripts and rules.
 *
 *   vane.regex.find(s, pat [, flags [, init]])   start, end, captures... | nil
 *   vane.regex.match(s, pat [, flags [, init]])  captures (or the match) | nil
 *   vane.regex.match_named(s, pat [, flags [, init]])  { name = capture } | nil
 *   vane.regex.gmatch(s, pat [, flags])          iterator over captures / matches
 *   vane.regex.gsub(s, pat, repl [, flags [, max]])  new string, matches
 *   vane.regex.split(s, pat [, flags])           { pieces }
 *   vane.regex.test(s, pat [, flags])            boolean
 *   vane.regex.compile(pat [, flags])            object with the same methods
 *                                                minus pat and flags
 *
 * Patterns are PCRE2 with UTF and UCP always on; flags is a string of
 * i (caseless), m (multiline), s (dotall), x (extended). Positions are
 * 1-based byte positions, inclusive, as in string.find; a group that did not
 * take part in the match is false. Empty matches follow Lua 5.4: an empty
 * match right after the previous match is skipped and the search moves on by
 * one UTF-8 character. repl in gsub is a string ($0..$9, ${name}, ${10},
 * $$), a table (indexed by the first capture, or the whole match) or a
 * function (called with the captures, or the whole match); false or nil
 * keeps the match as it was. split does not return captures.
 *
 * How it works: compiled patterns are full userdata (freed by __gc), so an
 * iterator keeps its pattern alive. The module functions look patterns up in
 * a per-state LRU cache of 64 (flags + pattern) -> registry reference, so a
 * rule calling vane.regex.test per event compiles once; compile() returns
 * the cached object too. One match data block and one match context are
 * shared by every call of the state (captures are copied out before any Lua
 * code runs). The match context bounds the work of a match (match, depth and
 * heap limits) so that a catastrophic pattern fails fast with an error
 * instead of hanging; PCRE2's JIT is not used, so those limits are exact.
 * A subject is checked as UTF-8 by PCRE2 on the first match of a call and
 * not again in the loops of gmatch, gsub and split. PCRE2 allocates
 * through extmem (a general context), so compiled patterns and match
 * frames count against the sandbox's memory ceiling; each match charges
 * its work to the budget (exec). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <lauxlib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/vanelib.h"
#include "lib/luaset.h"
#include "sandbox/extmem.h"
#include "sandbox/sandbox.h"

#define REGEX_MT "vane.regex"
#define STATE_MT "vane.regex.state"
#define CACHE_SIZE 64
#define MATCH_LIMIT 1000000
#define DEPTH_LIMIT 100000
#define HEAP_LIMIT_KIB (64 * 1024)
#define SUBJECT_BYTES_PER_UNIT 16 /* of a search, charged as one unit of the budget */
#define SHOWN_PATTERN 80 /* bytes of a pattern quoted in messages */

typedef struct regex {
    pcre2_code *code;
    uint32_t ncap;       /* capture groups */
} regex_t;               /* user value 1: the pattern, for messages */

typedef struct slot {
    char *pat;           /* NULL: free slot */
    size_t len;
    uint32_t opts;
    uint64_t hash;
    int ref;             /* registry reference to the regex userdata */
    unsigned long used;
} slot_t;

typedef struct rstate {
    pcre2_general_context *gctx; /* allocates through extmem: counted */
    pcre2_compile_context *cctx;
    pcre2_match_data *md;
    uint32_t md_pairs;
    pcre2_match_context *mctx;
    unsigned long clock;
    slot_t slots[CACHE_SIZE];
} rstate_t;

#define STATE(L) ((rstate_t *)lua_touserdata(L, lua_upvalueindex(1)))

/* ---- compiling and the cache ------------------------------------------------ */

static uint32_t parse_flags(lua_State *L, int idx)
{
    const char *f = luaL_optstring(L, idx, "");
    uint32_t opts = 0;
    for (; *f; f++) {
        switch (*f) {
        case 'i': opts |= PCRE2_CASELESS; break;
        case 'm': opts |= PCRE2_MULTILINE; break;
        case 's': opts |= PCRE2_DOTALL; break;
        case 'x': opts |= PCRE2_EXTENDED; break;
        default:
            luaL_error(L, "bad regex flag '%c' (flags are i, m, s, x)", *f);
        }
    }
    return opts;
}

/* The first bytes of a pattern, cut at a character boundary. */
static void push_shown(lua_State *L, const char *pat, size_t len)
{
    if (len <= SHOWN_PATTERN) {
        lua_pushlstring(L, pat, len);
        return;
    }
    size_t n = SHOWN_PATTERN;
    while (n > 0 && ((unsigned char)pat[n] & 0xC0) == 0x80)
        n--;
    lua_pushfstring(L, "%s...", lua_pushlstring(L, pat, n));
    lua_remove(L, -2);
}

/* Compile into a new regex userdata, left on the stack; raises on a bad
 * pattern. */
static regex_t *compile_new(lua_State *L, const rstate_t *st, const char *pat, size_t len,
                            uint32_t opts)
{
    regex_t *re = lua_newuserdatauv(L, sizeof *re, 1);
    re->code = NULL;
    re->ncap = 0;
    luaL_setmetatable(L, REGEX_MT);
    push_shown(L, pat, len);
    lua_setiuservalue(L, -2, 1);
    int code;
    PCRE2_SIZE off;
    sandbox_charge(L, (lua_Integer)len);
    extmem_reset_refusals();
    re->code = pcre2_compile((PCRE2_SPTR)pat, len, opts | PCRE2_UTF | PCRE2_UCP, &code, &off,
                             st->cctx);
    if (!re->code && extmem_refusals() > 0)
        sandbox_memory_error(L);
    if (!re->code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof msg);
        lua_getiuservalue(L, -1, 1);
        luaL_error(L, "bad regex '%s' at offset %d: %s", lua_tostring(L, -1), (int)off,
                   (const char *)msg);
    }
    pcre2_pattern_info(re->code, PCRE2_INFO_CAPTURECOUNT, &re->ncap);
    return re;
}

static uint64_t hash_of(const char *s, size_t len, uint32_t opts)
{
    uint64_t h = 1469598103934665603ULL ^ opts; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

/* The slot to fill: a free one, else the least recently used (released). */
static slot_t *victim(lua_State *L, rstate_t *st)
{
    slot_t *v = &st->slots[0];
    for (int i = 0; i < CACHE_SIZE; i++) {
        if (!st->slots[i].pat)
            return &st->slots[i];
        if (st->slots[i].used < v->used)
            v = &st->slots[i];
    }
    luaL_unref(L, LUA_REGISTRYINDEX, v->ref);
    free(v->pat);
    v->pat = NULL;
    return v;
}

/* The regex for (pattern at pidx, flags at fidx), from the cache or newly
 * compiled; pushed on the stack (which keeps it alive whatever the cache
 * does meanwhile). */
static regex_t *cached(lua_State *L, rstate_t *st, int pidx, int fidx)
{
    size_t len;
    const char *pat = luaL_checklstring(L, pidx, &len);
    uint32_t opts = parse_flags(L, fidx);
    uint64_t h = hash_of(pat, len, opts);
    for (int i = 0; i < CACHE_SIZE; i++) {
        slot_t *s = &st->slots[i];
        if (s->pat && s->hash == h && s->len == len && s->opts == opts &&
            memcmp(s->pat, pat, len) == 0) {
            s->used = ++st->clock;
            lua_rawgeti(L, LUA_REGISTRYINDEX, s->ref);
            return lua_touserdata(L, -1);
        }
    }
    regex_t *re = compile_new(L, st, pat, len, opts);
    char *copy = malloc(len + 1);
    if (!copy)
        return re; /* works, uncached */
    memcpy(copy, pat, len);
    copy[len] = '\0';
    slot_t *s = victim(L, st);
    lua_pushvalue(L, -1);
    *s = (slot_t){copy, len, opts, h, luaL_ref(L, LUA_REGISTRYINDEX), ++st->clock};
    return re;
}

/* ---- matching -------------------------------------------------------------- */

static int is_utf8_error(int rc)
{
    return rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21;
}

/* Match re against s from byte offset at. Returns 1 (the ovector holds the
 * match) or 0; raises on limits, invalid UTF-8 and other failures. */
static int exec(lua_State *L, rstate_t *st, regex_t *re, int ridx, const char *s, size_t len,
                size_t at, uint32_t opts)
{
    if (st->md_pairs < re->ncap + 1) {
        pcre2_match_data *md = pcre2_match_data_create(re->ncap + 1, st->gctx);
        if (!md)
            sandbox_memory_error(L);
        pcre2_match_data_free(st->md);
        st->md = md;
        st->md_pairs = re->ncap + 1;
    }
    /* The work is charged to the budget: the subject bytes the search may
     * move over, and a match stopped by its limit as the whole limit. The
     * limit is what is left of the budget when that is less, so one match
     * cannot overrun it; the wall-clock deadline bounds the rest. */
    lua_Integer left = sandbox_budget_left(L);
    uint32_t limit = left < MATCH_LIMIT ? (uint32_t)(left > 0 ? left : 1) : MATCH_LIMIT;
    pcre2_set_match_limit(st->mctx, limit);
    sandbox_charge(L, (lua_Integer)((len - at) / SUBJECT_BYTES_PER_UNIT) + 1);
    int rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, at, opts, st->md, st->mctx);
    if (rc >= 0)
        return 1;
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc == PCRE2_ERROR_NOMEMORY)
        sandbox_memory_error(L);
    if (rc == PCRE2_ERROR_MATCHLIMIT)
        sandbox_charge(L, (lua_Integer)limit);
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
        rc == PCRE2_ERROR_HEAPLIMIT) {
        lua_getiuservalue(L, ridx, 1);
        return luaL_error(L, "regex match limit exceeded for pattern '%s'", lua_tostring(L, -1));
    }
    if (rc == PCRE2_ERROR_BADUTFOFFSET)
        return luaL_error(L, "regex: init is not at the start of a UTF-8 character");
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(rc, msg, sizeof msg);
    if (is_utf8_error(rc))
        return luaL_error(L, "subject is not valid UTF-8 (byte %d): %s",
                          (int)pcre2_get_startchar(st->md) + 1, (const char *)msg);
    return luaL_error(L, "regex match failed: %s", (const char *)msg);
}

/* Push the captures of the last match (false for a group that took no
 * part), or the whole match when there are none and whole is set. */
static int push_captures(lua_State *L, const rstate_t *st, const regex_t *re, const char *s,
                         int whole)
{
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(st->md);
    if (re->ncap == 0 && whole) {
        lua_pushlstring(L, s + ov[0], ov[1] - ov[0]);
        return 1;
    }
    luaL_checkstack(L, (int)re->ncap, "too many captures");
    for (uint32_t i = 1; i <= re->ncap; i++) {
        if (ov[2 * i] == PCRE2_UNSET)
            lua_pushboolean(L, 0);
        else
            lua_pushlstring(L, s + ov[2 * i], ov[2 * i + 1] - ov[2 * i]);
    }
    return (int)re->ncap;
}

/* init as string.find takes it, as a byte offset; > len means no match. */
static size_t get_init(lua_State *L, int idx, size_t len)
{
    lua_Integer i = luaL_optinteger(L, idx, 1);
    if (i > 0)
        return (size_t)i - 1 > len ? len + 1 : (size_t)i - 1;
    if (i == 0 || (size_t)-i > len)
        return 0;
    return len - (size_t)-i;
}

static size_t char_len(const char *s, size_t at, size_t len)
{
    unsigned char c = (unsigned char)s[at];
    size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    return at + n > len ? len - at : n;
}

/* Iterating over the matches of a subject (gmatch, gsub, split). */
typedef struct scan {
    size_t pos;       /* where to search next */
    size_t last;      /* end of the previous match, or SIZE_MAX */
    uint32_t opts;    /* PCRE2_NO_UTF_CHECK once the subject was checked */
} scan_t;

/* The next match (Lua 5.4 rules for empty matches); *ms, *me its bounds. */
static int scan_next(lua_State *L, rstate_t *st, regex_t *re, int ridx, const char *s, size_t len,
                     scan_t *sc, size_t *ms, size_t *me)
{
    while (sc->pos <= len) {
        int found = exec(L, st, re, ridx, s, len, sc->pos, sc->opts);
        sc->opts |= PCRE2_NO_UTF_CHECK;
        if (!found)
            break;
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(st->md);
        if (ov[0] == ov[1] && ov[0] == sc->last) {
            if (ov[0] >= len)
                break;
            sc->pos = ov[0] + char_len(s, ov[0], len);
            continue;
        }
        *ms = ov[0];
        *me = ov[1];
        sc->last = sc->pos = ov[1];
        return 1;
    }
    sc->pos = len + 1;
    return 0;
}

/* ---- the operations, on a regex at ridx ------------------------------------------ */

static int do_find(lua_State *L, regex_t *re, int ridx, int sidx, int iidx, int positions)
{
    size_t len;
    const char *s = luaL_checklstring(L, sidx, &len);
    size_t at = get_init(L, iidx, len);
    if (at > len || !exec(L, STATE(L), re, ridx, s, len, at, 0)) {
        luaL_pushfail(L);
        return 1;
    }
    if (!positions)
        return push_captures(L, STATE(L), re, s, 1);
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(STATE(L)->md);
    lua_pushinteger(L, (lua_Integer)ov[0] + 1);
    lua_pushinteger(L, (lua_Integer)ov[1]);
    return 2 + push_captures(L, STATE(L), re, s, 0);
}

static int do_match_named(lua_State *L, regex_t *re, int ridx, int sidx, int iidx)
{
    size_t len;
    const char *s = luaL_checklstring(L, sidx, &len);
    size_t at = get_init(L, iidx, len);
    rstate_t *st = STATE(L);
    if (at > len || !exec(L, st, re, ridx, s, len, at, 0)) {
        luaL_pushfail(L);
        return 1;
    }
    uint32_t count, size;
    PCRE2_SPTR table;
    pcre2_pattern_info(re->code, PCRE2_INFO_NAMECOUNT, &count);
    pcre2_pattern_info(re->code, PCRE2_INFO_NAMEENTRYSIZE, &size);
    pcre2_pattern_info(re->code, PCRE2_INFO_NAMETABLE, &table);
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(st->md);
    lua_createtable(L, 0, (int)count);
    for (uint32_t i = 0; i < count; i++, table += size) {
        int n = (table[0] << 8) | table[1];
        if (ov[2 * n] == PCRE2_UNSET)
            continue; /* with (?J), another group of the name may have matched */
        lua_pushlstring(L, s + ov[2 * n], ov[2 * n + 1] - ov[2 * n]);
        lua_setfield(L, -2, (const char *)table + 2);
    }
    return 1;
}

static int do_test(lua_State *L, regex_t *re, int ridx, int sidx)
{
    size_t len;
    const char *s = luaL_checklstring(L, sidx, &len);
    lua_pushboolean(L, exec(L, STATE(L), re, ridx, s, len, 0, 0));
    return 1;
}

/* Upvalues: state, subject, regex, position, end of last match, checked. */
static int gmatch_step(lua_State *L)
{
    size_t len;
    const char *s = lua_tolstring(L, lua_upvalueindex(2), &len);
    regex_t *re = lua_touserdata(L, lua_upvalueindex(3));
    scan_t sc = {(size_t)lua_tointeger(L, lua_upvalueindex(4)),
                 (size_t)lua_tointeger(L, lua_upvalueindex(5)),
                 lua_toboolean(L, lua_upvalueindex(6)) ? PCRE2_NO_UTF_CHECK : 0};
    size_t ms, me;
    int found = scan_next(L, STATE(L), re, lua_upvalueindex(3), s, len, &sc, &ms, &me);
    lua_pushinteger(L, (lua_Integer)sc.pos);
    lua_replace(L, lua_upvalueindex(4));
    lua_pushinteger(L, (lua_Integer)sc.last);
    lua_replace(L, lua_upvalueindex(5));
    lua_pushboolean(L, 1);
    lua_replace(L, lua_upvalueindex(6));
    return found ? push_captures(L, STATE(L), re, s, 1) : 0;
}

static int do_gmatch(lua_State *L, int ridx, int sidx)
{
    luaL_checkstring(L, sidx);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, sidx);
    lua_pushvalue(L, ridx);
    lua_pushinteger(L, 0);
    lua_pushinteger(L, -1); /* SIZE_MAX: no match yet */
    lua_pushboolean(L, 0);
    lua_pushcclosure(L, gmatch_step, 6);
    return 1;
}

/* Append repl (a string) for the current match: $0..$9, ${n}, ${name}, $$. */
static void add_template(lua_State *L, luaL_Buffer *b, const regex_t *re, const PCRE2_SIZE *ov,
                         const char *s, const char *r, size_t rlen)
{
    for (size_t i = 0; i < rlen; i++) {
        if (r[i] != '$') {
            luaL_addchar(b, r[i]);
            continue;
        }
        long n = -1;
        if (++i < rlen && r[i] == '$') {
            luaL_addchar(b, '$');
            continue;
        } else if (i < rlen && r[i] >= '0' && r[i] <= '9') {
            n = r[i] - '0';
        } else if (i < rlen && r[i] == '{') {
            const char *close = memchr(r + i, '}', rlen - i);
            if (close) {
                char name[128];
                size_t nlen = (size_t)(close - r - i - 1);
                if (nlen > 0 && nlen < sizeof name) {
                    memcpy(name, r + i + 1, nlen);
                    name[nlen] = '\0';
                    char *end;
                    n = strtol(name, &end, 10);
                    if (*end || name[0] < '0' || name[0] > '9')
                        n = pcre2_substring_number_from_name(re->code, (PCRE2_SPTR)name);
                    if (n < 0)
                        luaL_error(L, "no group '%s' in the pattern for replacement '${%s}'",
                                   name, name);
                }
                i = (size_t)(close - r);
            }
        }
        if (n < 0)
            luaL_error(L, "invalid use of '$' in replacement string (use $0..$9, ${name}, $$)");
        if ((uint32_t)n > re->ncap)
            luaL_error(L, "invalid capture index $%d in replacement string", (int)n);
        if (ov[2 * n] != PCRE2_UNSET)
            luaL_addlstring(b, s + ov[2 * n], ov[2 * n + 1] - ov[2 * n]);
    }
}

/* Append the replacement for the match [ms, me) (lstrlib's add_value). */
static void add_value(lua_State *L, luaL_Buffer *b, rstate_t *st, const regex_t *re,
                      const char *s, size_t ms, size_t me, int repl)
{
    int t = lua_type(L, repl);
    if (t == LUA_TSTRING || t == LUA_TNUMBER) {
        size_t rlen;
        const char *r = lua_tolstring(L, repl, &rlen);
        add_template(L, b, re, pcre2_get_ovector_pointer(st->md), s, r, rlen);
        return;
    }
    if (t == LUA_TFUNCTION) {
        lua_pushvalue(L, repl);
        int n = push_captures(L, st, re, s, 1);
        lua_call(L, n, 1);
    } else {
        push_captures(L, st, re, s, 1);
        lua_settop(L, lua_gettop(L) - (re->ncap > 1 ? (int)re->ncap - 1 : 0));
        lua_gettable(L, repl);
    }
    if (!lua_toboolean(L, -1)) {
        lua_pop(L, 1);
        luaL_addlstring(b, s + ms, me - ms);
    } else if (!lua_isstring(L, -1)) {
        luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    } else {
        luaL_addvalue(b);
    }
}

static int do_gsub(lua_State *L, regex_t *re, int ridx, int sidx, int repl, int maxidx)
{
    size_t len;
    const char *s = luaL_checklstring(L, sidx, &len);
    int t = lua_type(L, repl);
    luaL_argexpected(L, t == LUA_TNUMBER || t == LUA_TSTRING || t == LUA_TFUNCTION ||
                            t == LUA_TTABLE, repl, "string/function/table");
    lua_Integer max = luaL_optinteger(L, maxidx, LUA_MAXINTEGER);
    rstate_t *st = STATE(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    scan_t sc = {0, SIZE_MAX, 0};
    size_t copied = 0, ms, me;
    lua_Integer n = 0;
    while (n < max && scan_next(L, st, re, ridx, s, len, &sc, &ms, &me)) {
        luaL_addlstring(&b, s + copied, ms - copied);
        add_value(L, &b, st, re, s, ms, me, repl);
        copied = me;
        n++;
    }
    luaL_addlstring(&b, s + copied, len - copied);
    luaL_pushresult(&b);
    lua_pushinteger(L, n);
    return 2;
}

/* Pieces between matches; an empty match at either end does not split. */
static int do_split(lua_State *L, regex_t *re, int ridx, int sidx)
{
    size_t len;
    const char *s = luaL_checklstring(L, sidx, &len);
    rstate_t *st = STATE(L);
    lua_newtable(L);
    scan_t sc = {0, SIZE_MAX, 0};
    size_t from = 0, ms, me;
    lua_Integer n = 0;
    while (scan_next(L, st, re, ridx, s, len, &sc, &ms, &me)) {
        if (ms == me && (ms == 0 || ms == len))
            continue;
        lua_pushlstring(L, s + from, ms - from);
        lua_rawseti(L, -2, ++n);
        from = me;
    }
    lua_pushlstring(L, s + from, len - from);
    lua_rawseti(L, -2, ++n);
    return 1;
}

/* ---- vane.regex.* (pattern and flags as arguments) ---------------------------------- */

/* Fix the stack at nargs and push the regex for (pat at 2, flags at fidx). */
static regex_t *arg_regex(lua_State *L, int nargs, int fidx)
{
    lua_settop(L, nargs);
    return cached(L, STATE(L), 2, fidx);
}

static int l_find(lua_State *L)
{
    regex_t *re = arg_regex(L, 4, 3);
    return do_find(L, re, 5, 1, 4, 1);
}

static int l_match(lua_State *L)
{
    regex_t *re = arg_regex(L, 4, 3);
    return do_find(L, re, 5, 1, 4, 0);
}

static int l_match_named(lua_State *L)
{
    regex_t *re = arg_regex(L, 4, 3);
    return do_match_named(L, re, 5, 1, 4);
}

static int l_gmatch(lua_State *L)
{
    arg_regex(L, 3, 3);
    return do_gmatch(L, 4, 1);
}

static int l_gsub(lua_State *L)
{
    regex_t *re = arg_regex(L, 5, 4);
    return do_gsub(L, re, 6, 1, 3, 5);
}

static int l_split(lua_State *L)
{
    regex_t *re = arg_regex(L, 3, 3);
    return do_split(L, re, 4, 1);
}

static int l_test(lua_State *L)
{
    regex_t *re = arg_regex(L, 3, 3);
    return do_test(L, re, 4, 1);
}

static int l_compile(lua_State *L)
{
    lua_settop(L, 2);
    cached(L, STATE(L), 1, 2);
    return 1;
}

/* ---- methods of a compiled pattern --------------------------------------------------- */

static regex_t *self(lua_State *L)
{
    regex_t *re = luaL_checkudata(L, 1, REGEX_MT);
    luaL_argcheck(L, re->code != NULL, 1, "pattern not compiled");
    return re;
}

static int m_find(lua_State *L)
{
    return do_find(L, self(L), 1, 2, 3, 1);
}

static int m_match(lua_State *L)
{
    return do_find(L, self(L), 1, 2, 3, 0);
}

static int m_match_named(lua_State *L)
{
    return do_match_named(L, self(L), 1, 2, 3);
}

static int m_gmatch(lua_State *L)
{
    self(L);
    return do_gmatch(L, 1, 2);
}

static int m_gsub(lua_State *L)
{
    return do_gsub(L, self(L), 1, 2, 3, 4);
}

static int m_split(lua_State *L)
{
    return do_split(L, self(L), 1, 2);
}

static int m_test(lua_State *L)
{
    return do_test(L, self(L), 1, 2);
}

static int m_tostring(lua_State *L)
{
    self(L);
    lua_getiuservalue(L, 1, 1);
    lua_pushfstring(L, "vane.regex(%s)", lua_tostring(L, -1));
    return 1;
}

static int m_gc(lua_State *L)
{
    regex_t *re = luaL_checkudata(L, 1, REGEX_MT);
    pcre2_code_free(re->code);
    re->code = NULL;
    return 0;
}

static int state_gc(lua_State *L)
{
    rstate_t *st = lua_touserdata(L, 1);
    pcre2_match_data_free(st->md);
    pcre2_match_context_free(st->mctx);
    pcre2_compile_context_free(st->cctx);
    pcre2_general_context_free(st->gctx);
    st->md = NULL;
    st->mctx = NULL;
    st->cctx = NULL;
    st->gctx = NULL;
    for (int i = 0; i < CACHE_SIZE; i++) {
        free(st->slots[i].pat);
        st->slots[i].pat = NULL;
    }
    return 0;
}

static const luaL_Reg functions[] = {
    {"find", l_find},   {"match", l_match}, {"match_named", l_match_named},
    {"gmatch", l_gmatch}, {"gsub", l_gsub}, {"split", l_split},
    {"test", l_test},   {"compile", l_compile}, {NULL, NULL},
};

static const luaL_Reg methods[] = {
    {"find", m_find},   {"match", m_match}, {"match_named", m_match_named},
    {"gmatch", m_gmatch}, {"gsub", m_gsub}, {"split", m_split},
    {"test", m_test},   {NULL, NULL},
};

/* A new state (match context with the limits, empty cache), on the stack. */
static rstate_t *new_state(lua_State *L)
{
    rstate_t *st = lua_newuserdatauv(L, sizeof *st, 0);
    memset(st, 0, sizeof *st);
    if (luaL_newmetatable(L, STATE_MT)) {
        lua_pushcfunction(L, state_gc);
        lua_setfield(L, -2, "__gc");
        luaset_boolean(L, -1, "__metatable", 0);
    }
    lua_setmetatable(L, -2);
    st->gctx = pcre2_general_context_create(extmem_pcre2_malloc, extmem_pcre2_free, NULL);
    st->cctx = st->gctx ? pcre2_compile_context_create(st->gctx) : NULL;
    st->mctx = st->cctx ? pcre2_match_context_create(st->gctx) : NULL;
    if (!st->mctx)
        sandbox_memory_error(L);
    pcre2_set_match_limit(st->mctx, MATCH_LIMIT);
    pcre2_set_depth_limit(st->mctx, DEPTH_LIMIT);
    pcre2_set_heap_limit(st->mctx, HEAP_LIMIT_KIB);
    return st;
}

int vane_open_regex(lua_State *L)
{
    new_state(L);
    int state = lua_gettop(L);
    if (luaL_newmetatable(L, REGEX_MT)) {
        lua_newtable(L);
        lua_pushvalue(L, state);
        luaL_setfuncs(L, methods, 1);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, m_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, m_tostring);
        lua_setfield(L, -2, "__tostring");
        luaset_boolean(L, -1, "__metatable", 0);
    }
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, state);
    luaL_setfuncs(L, functions, 1);
    lua_remove(L, state);
    return 1;
}
