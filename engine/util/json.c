/* json.c — canonical JSON encoding of Lua values, decoding back into Lua,
 * and a walker over an object's top-level members (see json.h). */
#include "util/json.h"

#include <lauxlib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"

/* Append one byte: the room is there nearly always, so no call. */
static int put_c(buf_t *out, char c)
{
    if (out->len + 2 > out->cap)
        return buf_putc(out, c);
    out->p[out->len++] = c;
    out->p[out->len] = '\0';
    return 0;
}

/* The length of the run at s (n bytes) that goes into a JSON string as
 * it is: printable ASCII but '"' and '\\', and well-formed UTF-8. */
static size_t plain_run(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, bad = 0;
    while (i < n) {
        if (u[i] >= 0x80) {
            size_t k = utf8_seq(s + i, n - i, UTF8_NUL_OK, &bad);
            if (k == 0)
                break;
            i += k;
        } else if (u[i] >= 0x20 && u[i] != '"' && u[i] != '\\') {
            i++;
        } else {
            break;
        }
    }
    return i;
}

/* The escape of the byte at s that plain_run stopped at; *used says how
 * many bytes it stands for (an ill-formed subpart is one U+FFFD). */
static int put_escape(buf_t *out, const char *s, size_t n, size_t *used)
{
    unsigned char c = (unsigned char)*s;
    *used = 1;
    if (c == '"' || c == '\\') {
        char esc[2] = {'\\', (char)c};
        return buf_append(out, esc, 2);
    }
    if (c < 0x20) {
        const char *shortform = c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r" : NULL;
        return shortform ? buf_puts(out, shortform) : buf_printf(out, "\\u%04x", c);
    }
    utf8_seq(s, n, UTF8_NUL_OK, used);
    return buf_puts(out, "\\ufffd");
}

int json_put_string(buf_t *out, const char *s, size_t len)
{
    int rc = buf_reserve(out, len + 2) | put_c(out, '"');
    size_t i = 0;
    while (i < len && rc == 0) {
        size_t run = plain_run(s + i, len - i), used = 0;
        rc = buf_append(out, s + i, run);
        i += run;
        if (i < len && rc == 0) {
            rc = put_escape(out, s + i, len - i, &used);
            i += used;
        }
    }
    return rc ? rc : put_c(out, '"');
}

/* v in decimal, as "%lld" writes it, without going through a format. */
static int put_integer(buf_t *out, long long v)
{
    char tmp[24], *p = tmp + sizeof tmp;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    return buf_append(out, p, (size_t)(tmp + sizeof tmp - p));
}

static int put_number(lua_State *L, int idx, buf_t *out)
{
    if (lua_isinteger(L, idx))
        return put_integer(out, (long long)lua_tointeger(L, idx));
    double d = lua_tonumber(L, idx);
    if (!isfinite(d))
        return -2;
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%.15g", d);
    if (strtod(tmp, NULL) != d)
        snprintf(tmp, sizeof tmp, "%.17g", d);
    if (!strpbrk(tmp, ".eEn"))
        strcat(tmp, ".0"); /* stays a float when read back */
    return buf_puts(out, tmp);
}

/* Where the encoder is: a chain of the keys and indexes on the way down,
 * on the C stack. It is written out as "a.b[2].c" only when a value is
 * refused, so encoding a good value formats no path at all. */
typedef struct path_seg {
    const struct path_seg *up;
    const char *key;        /* an object's key, or NULL for an array's index */
    lua_Integer index;
} path_seg_t;

typedef struct encoder {
    lua_State *L;
    buf_t *out;
    err_t *e;
    char path[256];         /* a path written out, by path_text */
} encoder_t;

static size_t put_seg(const path_seg_t *s, char *out, size_t cap)
{
    size_t n = s->up ? put_seg(s->up, out, cap) : 0;
    if (n >= cap)
        return n;
    int k = s->key ? snprintf(out + n, cap - n, "%s%s", n ? "." : "", s->key)
                   : snprintf(out + n, cap - n, "[%lld]", (long long)s->index);
    return k < 0 ? n : n + (size_t)k;
}

/* The path `at` (NULL: the top) written out for a message. */
static const char *path_text(encoder_t *en, const path_seg_t *at)
{
    en->path[0] = '\0';
    if (at)
        put_seg(at, en->path, sizeof en->path);
    return en->path;
}

static int encode_value(encoder_t *en, int idx, int depth, int empty_object, const path_seg_t *at);

/* n if the table's keys are exactly 1..n, else 0 (so also 0 when empty). */
static lua_Integer sequence_length(lua_State *L, int idx)
{
    lua_Integer n = 0, max = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1) {
            lua_pop(L, 1);
            return 0;
        }
        lua_Integer k = lua_tointeger(L, -1);
        if (k > max)
            max = k;
        n++;
    }
    return n == max ? n : 0;
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int encode_array(encoder_t *en, int idx, lua_Integer n, int depth, const path_seg_t *at)
{
    path_seg_t seg = {at, NULL, 0};
    int rc = put_c(en->out, '[');
    for (lua_Integer i = 1; rc == 0 && i <= n; i++) {
        if (i > 1 && put_c(en->out, ','))
            rc = -1;
        seg.index = i;
        lua_rawgeti(en->L, idx, i);
        if (rc == 0)
            rc = encode_value(en, lua_gettop(en->L), depth + 1, 0, &seg);
        lua_pop(en->L, 1);
    }
    return rc ? rc : put_c(en->out, ']');
}

#define INLINE_KEYS 16

/* The keys of the table at idx as strings into *keys (*cap slots, grown
 * from the caller's inline array onto the heap when needed); number keys
 * are converted on copies kept in a table pushed on first need (*anchor),
 * string keys point into the table's own keys. Returns the count, or -1
 * (out of memory) or -2 (a key of another type, e set). */
static long collect_keys(encoder_t *en, int idx, const path_seg_t *at, const char ***keys,
                         size_t *cap, int *anchor)
{
    lua_State *L = en->L;
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        int kt = lua_type(L, -1);
        if (kt != LUA_TSTRING && kt != LUA_TNUMBER) {
            err_set(en->e, "field '%s': table key of type %s", path_text(en, at), luaL_typename(L, -1));
            lua_pop(L, 1);
            return -2;
        }
        if (n == *cap) {
            size_t more = *cap * 2;
            const char **grown = *cap > INLINE_KEYS ? realloc(*keys, more * sizeof **keys)
                                                    : malloc(more * sizeof **keys);
            if (!grown) {
                lua_pop(L, 1);
                return -1;
            }
            if (*cap == INLINE_KEYS)
                memcpy(grown, *keys, n * sizeof **keys);
            *keys = grown;
            *cap = more;
        }
        if (kt == LUA_TSTRING) {
            (*keys)[n++] = lua_tostring(L, -1); /* lives as long as the key */
            continue;
        }
        if (!*anchor) {
            lua_newtable(L);
            lua_insert(L, -2);
            *anchor = lua_gettop(L) - 1;
        }
        lua_pushvalue(L, -1);
        (*keys)[n++] = lua_tostring(L, -1); /* converts the copy, not the key */
        lua_rawseti(L, *anchor, (lua_Integer)n);
    }
    return (long)n;
}

/* Push the value of the table at idx under key k (a key as collect_keys
 * wrote it: a string, or a number's text). */
static void push_member(lua_State *L, int idx, const char *k)
{
    lua_pushstring(L, k);
    if (lua_rawget(L, idx) != LUA_TNIL)
        return;
    lua_pop(L, 1); /* the key was a number */
    lua_rawgeti(L, idx, strtoll(k, NULL, 10));
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushnumber(L, strtod(k, NULL));
        lua_rawget(L, idx);
    }
}

/* Keys are collected as strings (numbers converted), sorted, then written. */
static int encode_object(encoder_t *en, int idx, int depth, const path_seg_t *at)
{
    lua_State *L = en->L;
    const char *inline_keys[INLINE_KEYS], **keys = inline_keys;
    size_t cap = INLINE_KEYS;
    int top = lua_gettop(L), anchor = 0;
    long n = collect_keys(en, idx, at, &keys, &cap, &anchor);
    int rc = n < 0 ? (int)n : 0;
    if (rc == 0) {
        qsort(keys, (size_t)n, sizeof *keys, cmp_keys);
        rc = put_c(en->out, '{');
    }
    path_seg_t seg = {at, NULL, 0};
    for (long i = 0; rc == 0 && i < n; i++) {
        if (i && (rc = put_c(en->out, ',')))
            break;
        if ((rc = json_put_string(en->out, keys[i], strlen(keys[i]))) || (rc = put_c(en->out, ':')))
            break;
        seg.key = keys[i];
        push_member(L, idx, keys[i]);
        rc = encode_value(en, lua_gettop(L), depth + 1, 0, &seg);
        lua_pop(L, 1);
    }
    if (rc == 0)
        rc = put_c(en->out, '}');
    if (keys != inline_keys)
        free(keys);
    lua_settop(L, top);
    return rc;
}

static int encode_value(encoder_t *en, int idx, int depth, int empty_object, const path_seg_t *at)
{
    lua_State *L = en->L;
    if (depth > JSON_MAX_DEPTH) {
        err_set(en->e, "field '%s': nested deeper than %d levels (a cycle?)", path_text(en, at),
                JSON_MAX_DEPTH);
        return -2;
    }
    switch (lua_type(L, idx)) {
    case LUA_TNIL:
        return buf_puts(en->out, "null");
    case LUA_TBOOLEAN:
        return buf_puts(en->out, lua_toboolean(L, idx) ? "true" : "false");
    case LUA_TNUMBER: {
        int rc = put_number(L, idx, en->out);
        if (rc == -2)
            err_set(en->e, "field '%s': number is not finite", path_text(en, at));
        return rc;
    }
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        return json_put_string(en->out, s, len);
    }
    case LUA_TTABLE: {
        if (!lua_checkstack(L, 8))
            return -1;
        lua_Integer n = sequence_length(L, idx);
        if (n > 0)
            return encode_array(en, idx, n, depth, at);
        lua_pushnil(L);
        int empty = !lua_next(L, idx);
        if (!empty)
            lua_pop(L, 2);
        if (empty)
            return buf_puts(en->out, empty_object ? "{}" : "[]");
        return encode_object(en, idx, depth, at);
    }
    case LUA_TLIGHTUSERDATA:
        if (lua_touserdata(L, idx) == NULL) /* vane.json.null (cjson's null) */
            return buf_puts(en->out, "null");
        /* fall through */
    default:
        err_set(en->e, "field '%s': cannot store a %s", path_text(en, at), luaL_typename(L, idx));
        return -2;
    }
}

static int encode(lua_State *L, int idx, buf_t *out, err_t *e, int empty_object)
{
    encoder_t en = {L, out, e, ""};
    int top = lua_gettop(L);
    int rc = encode_value(&en, lua_absindex(L, idx), 0, empty_object, NULL);
    lua_settop(L, top);
    if (rc == -1)
        err_set(e, "out of memory encoding JSON");
    return rc ? -1 : 0;
}

int json_encode_lua(lua_State *L, int idx, buf_t *out, err_t *e)
{
    return encode(L, idx, out, e, 0);
}

int json_encode_object(lua_State *L, int idx, buf_t *out, err_t *e)
{
    return encode(L, idx, out, e, 1);
}

/* ---- decoding ---------------------------------------------------------- */

typedef struct decoder {
    lua_State *L;
    const char *start, *p, *end;
    err_t *e;
} decoder_t;

static void skip_ws(decoder_t *d)
{
    while (d->p < d->end && (*d->p == ' ' || *d->p == '\n' || *d->p == '\r' || *d->p == '\t'))
        d->p++;
}

static int fail(decoder_t *d, const char *what)
{
    return err_set(d->e, "JSON: %s at byte %ld", what, (long)(d->p - d->start));
}

static unsigned hex4(const char *p)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return 0x110000;
    }
    return v;
}

/* A decoded \\u escape: \\u0000 is a NUL like any other character (utf8_put
 * would make it U+FFFD, as HTML wants). */
static void put_utf8(luaL_Buffer *b, unsigned cp)
{
    if (cp == 0) {
        luaL_addchar(b, '\0');
        return;
    }
    char tmp[4];
    luaL_addlstring(b, tmp, utf8_put(cp, tmp));
}

static int decode_string(decoder_t *d)
{
    luaL_Buffer b;
    d->p++; /* opening quote */
    /* most strings have no escapes: push them in one piece */
    const char *q = d->p;
    while (q < d->end && *q != '"' && *q != '\\')
        q++;
    if (q < d->end && *q == '"') {
        lua_pushlstring(d->L, d->p, (size_t)(q - d->p));
        d->p = q + 1;
        return 0;
    }
    luaL_buffinit(d->L, &b);
    luaL_addlstring(&b, d->p, (size_t)(q - d->p));
    d->p = q;
    while (d->p < d->end && *d->p != '"') {
        char c = *d->p++;
        if (c != '\\') {
            luaL_addchar(&b, c);
            continue;
        }
        if (d->p >= d->end)
            break;
        c = *d->p++;
        switch (c) {
        case 'n': luaL_addchar(&b, '\n'); break;
        case 't': luaL_addchar(&b, '\t'); break;
        case 'r': luaL_addchar(&b, '\r'); break;
        case 'b': luaL_addchar(&b, '\b'); break;
        case 'f': luaL_addchar(&b, '\f'); break;
        case 'u': {
            if (d->end - d->p < 4)
                return fail(d, "short \\u escape");
            unsigned cp = hex4(d->p);
            d->p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && d->end - d->p >= 6 && d->p[0] == '\\' && d->p[1] == 'u') {
                unsigned lo = hex4(d->p + 2);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    d->p += 6;
                }
            }
            if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                cp = 0xFFFD;
            put_utf8(&b, cp);
            break;
        }
        default: luaL_addchar(&b, c); break;
        }
    }
    if (d->p >= d->end)
        return fail(d, "unterminated string");
    d->p++;
    luaL_pushresult(&b);
    return 0;
}

static int decode_number(decoder_t *d)
{
    const char *s = d->p;
    int is_float = 0;
    if (d->p < d->end && *d->p == '-')
        d->p++;
    while (d->p < d->end && strchr("0123456789.eE+-", *d->p)) {
        if (*d->p == '.' || *d->p == 'e' || *d->p == 'E')
            is_float = 1;
        d->p++;
    }
    char tmp[64];
    size_t n = (size_t)(d->p - s);
    if (n == 0 || n >= sizeof tmp)
        return fail(d, "bad number");
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *end;
    if (!is_float) {
        long long v = strtoll(tmp, &end, 10);
        if (*end == '\0') {
            lua_pushinteger(d->L, v);
            return 0;
        }
    }
    double v = strtod(tmp, &end);
    if (*end != '\0')
        return fail(d, "bad number");
    lua_pushnumber(d->L, v);
    return 0;
}

static int decode_value(decoder_t *d, int depth);

/* If the next byte is c, step over it. Returns 1 when it was. */
static int take(decoder_t *d, char c)
{
    if (d->p >= d->end || *d->p != c)
        return 0;
    d->p++;
    return 1;
}

/* After a member of a container closed by `close`: 1 when another member
 * follows (a ',' was taken), 0 at the end (the close was taken), -1 on
 * error. */
static int next_member(decoder_t *d, char close, const char *expected)
{
    skip_ws(d);
    if (take(d, ','))
        return 1;
    if (take(d, close))
        return 0;
    return fail(d, expected);
}

/* Element i of an array into the table on top. */
static int decode_element(decoder_t *d, int depth, lua_Integer i)
{
    if (decode_value(d, depth + 1))
        return -1;
    lua_rawseti(d->L, -2, i);
    return 0;
}

/* One "key": value pair of an object into the table on top (i unused). */
static int decode_member(decoder_t *d, int depth, lua_Integer i)
{
    (void)i;
    skip_ws(d);
    if (d->p >= d->end || *d->p != '"')
        return fail(d, "expected a key");
    if (decode_string(d))
        return -1;
    skip_ws(d);
    if (!take(d, ':'))
        return fail(d, "expected ':'");
    if (decode_value(d, depth + 1))
        return -1;
    lua_rawset(d->L, -3);
    return 0;
}

/* An array or an object (at its opening bracket) into a new table: its
 * members read by `member` until `close`. */
static int decode_container(decoder_t *d, int depth, char close,
                            int (*member)(decoder_t *, int, lua_Integer), const char *expected)
{
    lua_newtable(d->L);
    d->p++;
    skip_ws(d);
    if (take(d, close))
        return 0;
    int more = 1;
    for (lua_Integer i = 1; more > 0; i++) {
        if (member(d, depth, i))
            return -1;
        more = next_member(d, close, expected);
    }
    return more;
}

static int decode_literal(decoder_t *d, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(d->end - d->p) < n || memcmp(d->p, word, n) != 0)
        return fail(d, "unexpected character");
    d->p += n;
    return 0;
}

static int decode_value(decoder_t *d, int depth)
{
    if (depth > JSON_MAX_DEPTH)
        return fail(d, "nested too deep");
    if (!lua_checkstack(d->L, 4))
        return fail(d, "nested too deep");
    skip_ws(d);
    if (d->p >= d->end)
        return fail(d, "unexpected end");
    switch (*d->p) {
    case '{': return decode_container(d, depth, '}', decode_member, "expected ',' or '}'");
    case '[': return decode_container(d, depth, ']', decode_element, "expected ',' or ']'");
    case '"': return decode_string(d);
    case 't': if (decode_literal(d, "true")) return -1; lua_pushboolean(d->L, 1); return 0;
    case 'f': if (decode_literal(d, "false")) return -1; lua_pushboolean(d->L, 0); return 0;
    case 'n': if (decode_literal(d, "null")) return -1; lua_pushnil(d->L); return 0;
    default: return decode_number(d);
    }
}

int json_decode_lua(lua_State *L, const char *s, size_t len, err_t *e)
{
    decoder_t d = {L, s, s, s + len, e};
    int top = lua_gettop(L);
    if (decode_value(&d, 0) == 0) {
        skip_ws(&d);
        if (d.p == d.end)
            return 0;
        fail(&d, "trailing characters");
    }
    lua_settop(L, top);
    return -1;
}

/* ---- walking members ---------------------------------------------------- */

/* End of the JSON value starting at p (strings and nesting skipped). */
static const char *value_end(const char *p)
{
    int depth = 0;
    do {
        if (*p == '\0')
            return NULL;
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++)
                if (*p == '\\' && p[1])
                    p++;
            if (!*p)
                return NULL;
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if (*p == '}' || *p == ']') {
            if (depth == 0)
                return p;
            depth--;
        } else if (depth == 0 && *p == ',') {
            return p;
        }
        p++;
    } while (depth > 0 || (*p && *p != ',' && *p != '}' && *p != ']'));
    return p;
}

int json_object_next(const char **cursor, json_member_t *m)
{
    const char *p = *cursor;
    if (*p == '{' || *p == ',')
        p++;
    if (*p == '}')
        return 0;
    if (*p != '"')
        return -1;
    m->key = ++p;
    while (*p && *p != '"')
        p += (*p == '\\' && p[1]) ? 2 : 1;
    if (*p != '"')
        return -1;
    m->keylen = (size_t)(p - m->key);
    if (*++p != ':')
        return -1;
    m->val = ++p;
    const char *end = value_end(p);
    if (!end)
        return -1;
    m->vallen = (size_t)(end - m->val);
    *cursor = end;
    return 1;
}

int json_member_key_cmp(const json_member_t *a, const json_member_t *b)
{
    size_t n = a->keylen < b->keylen ? a->keylen : b->keylen;
    int c = memcmp(a->key, b->key, n);
    return c ? c : a->keylen < b->keylen ? -1 : a->keylen > b->keylen;
}

int json_member_same_value(const json_member_t *a, const json_member_t *b)
{
    return a->vallen == b->vallen && memcmp(a->val, b->val, a->vallen) == 0;
}

int json_array_next(const char **cursor, const char **val, size_t *vallen)
{
    const char *p = *cursor;
    if (*p == '[' || *p == ',')
        p++;
    if (*p == ']')
        return 0;
    if (*p == '\0')
        return -1;
    const char *end = value_end(p);
    if (!end || end == p)
        return -1;
    *val = p;
    *vallen = (size_t)(end - p);
    *cursor = end;
    return 1;
}

/* The code point of the \uXXXX escape at s[*i] (the 'u'), joining a
 * surrogate pair written as two escapes; *i is left on its last digit. */
static unsigned escaped_code_point(const char *s, size_t n, size_t *i)
{
    char hex[5] = {s[*i + 1], s[*i + 2], s[*i + 3], s[*i + 4], 0};
    unsigned cp = (unsigned)strtoul(hex, NULL, 16);
    *i += 4;
    if (cp < 0xd800 || cp >= 0xdc00 || *i + 6 >= n || s[*i + 1] != '\\' || s[*i + 2] != 'u')
        return cp;
    char lo[5] = {s[*i + 3], s[*i + 4], s[*i + 5], s[*i + 6], 0};
    unsigned low = (unsigned)strtoul(lo, NULL, 16);
    if (low < 0xdc00 || low >= 0xe000)
        return cp;
    *i += 6;
    return 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
}

static char unescaped(char c)
{
    switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case 'b': return '\b';
    case 'f': return '\f';
    default: return c;
    }
}

int json_string_text(const char *s, size_t n, buf_t *out)
{
    if (n < 2 || s[0] != '"' || s[n - 1] != '"')
        return buf_append(out, s, n);
    int rc = 0;
    for (size_t i = 1; i + 1 < n; i++) {
        if (s[i] != '\\' || i + 2 >= n) {
            rc |= buf_putc(out, s[i]);
        } else if (s[++i] == 'u' && i + 4 < n) {
            char u8[4];
            rc |= buf_append(out, u8, utf8_put(escaped_code_point(s, n, &i), u8));
        } else {
            rc |= buf_putc(out, unescaped(s[i]));
        }
    }
    return rc ? -1 : 0;
}
