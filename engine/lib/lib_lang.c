/* lib_lang.c — the language side of vane.phrase: English stems and
 * Simplified Chinese, from Debian's libstemmer (Snowball) and OpenCC.
 *
 *   stem(s)   every word of ASCII letters in s (words are separated by
 *             spaces; s is expected lower-case, as phrase.normalize makes
 *             it) replaced by its Snowball English stem: "extradited" and
 *             "extraditing" become "extradit". Other words (figures,
 *             Chinese, mixed) are kept as they are. One exception to
 *             Snowball: an agent noun keeps its ending ("commissioner",
 *             "prisoner", "minister" — Snowball would make them
 *             "commission", "prison", "minist"), with a plural "s" dropped,
 *             so a word and the person who does it stay apart.
 *   t2s(s)    s with Traditional Chinese characters and phrasings made
 *             Simplified (OpenCC's t2s.json): 盤查 → 盘查. Without OpenCC's
 *             data (package libopencc-data) s is returned as it is, with one
 *             warning per load; so is s when it is not well-formed UTF-8
 *             or holds a NUL byte (OpenCC reads C strings).
 * A value that is not a string is returned as it is. Both are linear in
 * the length of s. The stemmer and the converter are made once per Lua
 * state, on first use, and freed with it (registry userdata with __gc).
 *
 * Each is a row "phrase.NAME" of vanelib_parts[] (vanelib.c), set into the
 * Lua part vane.phrase (engine/lib/lua/phrase.lua). */
#include <lauxlib.h>
#include <string.h>

#include <libstemmer.h>
#include <opencc/opencc.h>

#include "lib/vanelib.h"
#include "util/utf8.h"

#define STEMMER_META "vane.phrase.stemmer"         /* the metatables */
#define OPENCC_META "vane.phrase.opencc"
#define STEMMER_BOX "vane.phrase.stemmer.box"     /* the registry slots */
#define OPENCC_BOX "vane.phrase.opencc.box"
#define OPENCC_CONFIG "t2s.json"
#define MAX_WORD 64 /* longer words are kept whole: no English word needs stemming there */

typedef struct {
    struct sb_stemmer *sb;
} stemmer_box_t;

typedef struct {
    opencc_t cc;
    int failed;
} opencc_box_t;

static int stemmer_gc(lua_State *L)
{
    stemmer_box_t *b = lua_touserdata(L, 1);
    if (b && b->sb)
        sb_stemmer_delete(b->sb);
    b->sb = NULL;
    return 0;
}

static int opencc_gc(lua_State *L)
{
    opencc_box_t *b = lua_touserdata(L, 1);
    if (b && b->cc && b->cc != (opencc_t)-1)
        opencc_close(b->cc);
    b->cc = NULL;
    return 0;
}

/* The box kept in the registry under slot, made on first use (zeroed),
 * with the metatable meta whose __gc frees what it holds when the state
 * closes. */
static void *registry_box(lua_State *L, const char *slot, const char *meta, size_t size,
                          lua_CFunction gc)
{
    if (lua_getfield(L, LUA_REGISTRYINDEX, slot) == LUA_TUSERDATA) {
        void *b = lua_touserdata(L, -1);
        lua_pop(L, 1);
        return b;
    }
    lua_pop(L, 1);
    void *b = lua_newuserdatauv(L, size, 0);
    memset(b, 0, size);
    if (luaL_newmetatable(L, meta)) {
        lua_pushcfunction(L, gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    lua_setfield(L, LUA_REGISTRYINDEX, slot);
    return b;
}

static struct sb_stemmer *stemmer(lua_State *L)
{
    stemmer_box_t *b = registry_box(L, STEMMER_BOX, STEMMER_META, sizeof *b, stemmer_gc);
    if (!b->sb)
        b->sb = sb_stemmer_new("english", "UTF_8");
    if (!b->sb)
        luaL_error(L, "phrase.stem: the Snowball English stemmer cannot be made (out of memory?)");
    return b->sb;
}

static int all_letters(const char *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (w[i] < 'a' || w[i] > 'z')
            return 0;
    return 1;
}

static int ends_with(const char *w, size_t n, const char *tail)
{
    size_t t = strlen(tail);
    return n >= t && memcmp(w + n - t, tail, t) == 0;
}

/* An agent noun whose -er/-or Snowball cut: keep the word (without a plural s). */
static int agent_noun(const char *w, size_t *n, const char *stem, size_t sn)
{
    size_t m = *n;
    if (ends_with(w, m, "ers") || ends_with(w, m, "ors"))
        m--;
    if (!ends_with(w, m, "er") && !ends_with(w, m, "or"))
        return 0;
    if (ends_with(stem, sn, "er") || ends_with(stem, sn, "or"))
        return 0;
    *n = m;
    return 1;
}

static void add_word(lua_State *L, luaL_Buffer *out, struct sb_stemmer *sb, const char *w, size_t n)
{
    if (n == 0 || n > MAX_WORD || !all_letters(w, n)) {
        luaL_addlstring(out, w, n);
        return;
    }
    const sb_symbol *s = sb_stemmer_stem(sb, (const sb_symbol *)w, (int)n);
    if (!s)
        luaL_error(L, "phrase.stem: out of memory");
    size_t sn = (size_t)sb_stemmer_length(sb);
    if (agent_noun(w, &n, (const char *)s, sn))
        luaL_addlstring(out, w, n);
    else
        luaL_addlstring(out, (const char *)s, sn);
}

static int l_stem(lua_State *L)
{
    lua_settop(L, 1);
    if (lua_type(L, 1) != LUA_TSTRING)
        return 1;
    size_t len;
    const char *s = lua_tolstring(L, 1, &len);
    struct sb_stemmer *sb = stemmer(L);
    luaL_Buffer out;
    luaL_buffinit(L, &out);
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && s[j] != ' ')
            j++;
        add_word(L, &out, sb, s + i, j - i);
        if (j < len)
            luaL_addchar(&out, ' ');
        i = j + 1;
    }
    luaL_pushresult(&out);
    return 1;
}

static opencc_t converter(lua_State *L)
{
    opencc_box_t *b = registry_box(L, OPENCC_BOX, OPENCC_META, sizeof *b, opencc_gc);
    if (!b->cc && !b->failed) {
        b->cc = opencc_open(OPENCC_CONFIG);
        if (b->cc == (opencc_t)-1) {
            b->cc = NULL;
            b->failed = 1;
            vanelib_warn(L, "phrase.t2s: OpenCC cannot open %s (%s); Traditional Chinese is read as it is"
                            " (install libopencc-data)", OPENCC_CONFIG, opencc_error());
        }
    }
    return b->cc;
}

static int has_cjk_lead(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] >= 0xE3)
            return 1;
    return 0;
}

static int l_t2s(lua_State *L)
{
    lua_settop(L, 1);
    if (lua_type(L, 1) != LUA_TSTRING)
        return 1;
    size_t len;
    const char *s = lua_tolstring(L, 1, &len);
    if (!has_cjk_lead(s, len) || utf8_valid(s, len, UTF8_NUL_BAD, NULL) != len)
        return 1;
    opencc_t cc = converter(L);
    if (!cc)
        return 1;
    char *out = opencc_convert_utf8(cc, s, len);
    if (!out)
        return 1;
    lua_pushstring(L, out);
    opencc_convert_utf8_free(out);
    return 1;
}

/* One opener per function: each is a row "phrase.NAME" of vanelib_parts[],
 * added to the Lua part vane.phrase. */
int vane_open_phrase_stem(lua_State *L)
{
    lua_pushcfunction(L, l_stem);
    return 1;
}

int vane_open_phrase_t2s(lua_State *L)
{
    lua_pushcfunction(L, l_t2s);
    return 1;
}
