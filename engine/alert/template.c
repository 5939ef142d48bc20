/* template.c — running a channel's format and match functions in the
 * configuration's sandbox (see template.h). */
#include "alert/template.h"

#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

#include "channel/kind.h"
#include "sandbox/sandbox.h"
#include "store/listing.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/utf8.h"

int template_table_ok(const channel_cfg_t *c)
{
    return c->kind && c->kind->json_body;
}

/* What reading the function's result needs and gives. */
typedef struct result {
    int match;             /* reading match's result, not format's */
    int table_ok;
    buf_t *out;
    template_result_t what;
    int takes;
} result_t;

/* Run under sandbox_run: the result at index 2 read into the result_t at 1. */
static int read_result(lua_State *L)
{
    result_t *r = lua_touserdata(L, 1);
    if (r->match) {
        r->takes = lua_toboolean(L, 2);
        return 0;
    }
    if (lua_type(L, 2) == LUA_TSTRING) {
        size_t n;
        const char *s = lua_tolstring(L, 2, &n);
        if (n == 0)
            return luaL_error(L, "returned an empty string: no message to send");
        if (utf8_repair(s, n, UTF8_NUL_BAD, r->out, NULL) < 0)
            return luaL_error(L, "out of memory");
        r->what = TEMPLATE_TEXT;
        return 0;
    }
    if (lua_type(L, 2) != LUA_TTABLE)
        return luaL_error(L, "returned a %s: return the message's text (a string)%s",
                          luaL_typename(L, 2), r->table_ok ? " or a table" : "");
    if (!r->table_ok)
        return luaL_error(L, "returned a table, which only a one-flag message of a JSON-posting "
                             "kind sends: return the message's text (a string)");
    sandbox_check_plain(L, 2, JSON_MAX_DEPTH, 0);
    err_t e = {0};
    if (json_encode_object(L, 2, r->out, &e) != 0)
        return luaL_error(L, "%s", e.msg);
    r->what = TEMPLATE_JSON;
    return 0;
}

/* Call the function ref on the flag and read its result into r. On
 * failure e says "CHUNK:LINE: channel ID: WHAT: message" (one line). */
static int call(const config_t *cfg, const channel_cfg_t *c, int ref, int line, const char *what,
                const char *flag_json, result_t *r, err_t *e)
{
    sandbox_t *sb = cfg->sandbox;
    if (!sb || ref <= 0)
        return err_set(e, "%s:%d: channel %s: %s: not loaded", cfg->path, line, c->id, what);
    lua_State *L = sandbox_lua(sb);
    int base = lua_gettop(L);
    sandbox_set_now(sb, clock_is_fixed() ? clock_now() : 0);
    err_t ce = {0};
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    int rc = json_decode_lua(L, flag_json, strlen(flag_json), &ce);
    if (rc == 0)
        rc = sandbox_call(sb, 1, 1, cfg->path, &ce);
    if (rc == 0)
        rc = sandbox_run(sb, read_result, r, 1, 0, cfg->path, &ce);
    lua_settop(L, base);
    if (rc == 0)
        return 0;
    int len = (int)strcspn(ce.msg, "\n");
    return err_set(e, "%s:%d: channel %s: %s: %.*s", cfg->path, line, c->id, what, len, ce.msg);
}

int template_format(const config_t *cfg, const channel_cfg_t *c, const char *flag_json,
                    int table_ok, buf_t *out, template_result_t *what, err_t *e)
{
    size_t before = out->len;
    result_t r = {.table_ok = table_ok, .out = out};
    if (call(cfg, c, c->format_ref, c->format_line, "format", flag_json, &r, e) != 0) {
        out->len = before;
        if (out->p)
            out->p[before] = '\0';
        return -1;
    }
    *what = r.what;
    return 0;
}

int template_match(const config_t *cfg, const channel_cfg_t *c, const char *flag_json, int *takes,
                   err_t *e)
{
    result_t r = {.match = 1};
    if (call(cfg, c, c->match_ref, c->match_line, "match", flag_json, &r, e) != 0)
        return -1;
    *takes = r.takes;
    return 0;
}

static store_value_t text(const char *s)
{
    return (store_value_t){s ? STORE_TEXT : STORE_NULL, s};
}

static store_value_t number(long long n, char buf[32], int null_if_zero)
{
    snprintf(buf, 32, "%lld", n);
    return (store_value_t){n || !null_if_zero ? STORE_NUMBER : STORE_NULL,
                           n || !null_if_zero ? buf : NULL};
}

int template_flag_json(const store_flag_t *f, buf_t *out)
{
    char id[32], event[32], run[32];
    const store_value_t v[16] = {
        number(f->id, id, 0), text(f->rule), text(f->severity), text(f->message),
        text(f->source), text(f->key), text(f->change), number(f->event_id, event, 1),
        text(f->observed_at), text(f->created_at), number(f->run_id, run, 1), text(f->title),
        text(f->link), text(f->source_name), text(f->rule_title),
        {f->changes ? STORE_NUMBER : STORE_NULL, f->changes}};
    return store_flag_json(v, out);
}

/* ---- the sample flag ------------------------------------------------------------ */

#define SAMPLE_RULE "advisory-level-change"
#define SAMPLE_MESSAGE                                                                          \
    "Madagascar: Level 3: Reconsider Travel \xE2\x86\x92 Level 2: Exercise Increased Caution"
#define SAMPLE_TITLE "Madagascar - Level 2: Exercise Increased Caution"
#define SAMPLE_LINK "https://example.org/advisories/madagascar"
#define SAMPLE_CHANGES                                                                          \
    "[{\"field\":\"level\",\"new\":\"Level 2: Exercise Increased Caution\","                  \
    "\"old\":\"Level 3: Reconsider Travel\"},"                                                  \
    "{\"diff\":[[\"=\",\"The Department of State has \"],[\"-\",\"raised\"],[\"+\","        \
    "\"lowered\"],[\"=\",\" the level.\"]],\"field\":\"summary\","                            \
    "\"new\":\"The Department of State has lowered the level.\","                             \
    "\"old\":\"The Department of State has raised the level.\"}]"

static const char sample_json[] =
    "{\"id\":0,\"rule\":\"" SAMPLE_RULE "\",\"severity\":\"high\",\"message\":\"" SAMPLE_MESSAGE
    "\",\"source\":\"travel-advisories\",\"key\":\"madagascar\",\"change\":\"changed\","
    "\"event_id\":0,\"observed_at\":\"2024-11-22T23:00:00Z\","
    "\"created_at\":\"2024-11-22T23:00:01Z\",\"run_id\":0,\"title\":\"" SAMPLE_TITLE
    "\",\"link\":\"" SAMPLE_LINK "\",\"source_name\":\"U.S. Travel Advisories\","
    "\"rule_title\":\"Travel advisory level changed\",\"changes\":" SAMPLE_CHANGES "}";

void template_sample(channel_flag_t *f)
{
    *f = (channel_flag_t){
        .id = 0, .json = sample_json, .severity = "high", .rule = SAMPLE_RULE,
        .source = "travel-advisories", .key = "madagascar",
        .message = SAMPLE_MESSAGE,
        .created_at = "2024-11-22T23:00:01Z", .title = SAMPLE_TITLE, .link = SAMPLE_LINK,
        .source_name = "U.S. Travel Advisories", .rule_title = "Travel advisory level changed",
        .change = "changed", .observed_at = "2024-11-22T23:00:00Z", .changes = SAMPLE_CHANGES};
}

int template_render_sample(const config_t *cfg, const channel_cfg_t *c, buf_t *out,
                           template_result_t *what, err_t *e)
{
    *what = TEMPLATE_TEXT;
    if (c->format_ref <= 0)
        return 0;
    return template_format(cfg, c, sample_json, !c->digest && template_table_ok(c), out, what, e);
}
