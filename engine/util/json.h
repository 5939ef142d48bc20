/* json.h — JSON as vane stores and prints it.
 *
 * Items, previous states and diffs are kept as *canonical* JSON: object keys
 * sorted bytewise, no spaces, integers without a fraction, each maximal
 * ill-formed UTF-8 subpart replaced by one \ufffd (util/utf8.h). Two equal
 * Lua values always give the same text, so fields are compared by comparing
 * their text. The decoder reads JSON back into Lua keeping integers integers
 * (a level stays 3, not 3.0). */
#ifndef VANE_JSON_H
#define VANE_JSON_H

#include <stddef.h>
#include <lua.h>

#include "util/buf.h"
#include "util/err.h"

#define JSON_MAX_DEPTH 64

/* Append the canonical JSON of the Lua value at `idx`. A table whose keys
 * are exactly 1..n (n >= 1) is an array, an empty table is [], any other
 * table an object (number keys written as strings). Functions, userdata,
 * threads, NaN and infinities are refused. Returns 0, or -1 with e set to a
 * message naming the path of the bad value ("field 'x.y': ..."). */
int json_encode_lua(lua_State *L, int idx, buf_t *out, err_t *e);

/* Like json_encode_lua, but an empty table is {} (for a whole item). */
int json_encode_object(lua_State *L, int idx, buf_t *out, err_t *e);

/* Append s (len bytes) as a JSON string literal. */
int json_put_string(buf_t *out, const char *s, size_t len);

/* Decode JSON text and push the value (null becomes nil in arrays' place as
 * a hole, and is dropped from objects). Returns 0, or -1 with e set and
 * nothing pushed. */
int json_decode_lua(lua_State *L, const char *s, size_t len, err_t *e);

/* One member of a JSON object, pointing into the text. */
typedef struct json_member {
    const char *key;   /* the key's literal without quotes (still escaped) */
    size_t keylen;
    const char *val;   /* the value's text */
    size_t vallen;
} json_member_t;

/* Walk the top-level members of an object: set *cursor to the text of the
 * object, then call until it returns 0 (end) or -1 (malformed). */
int json_object_next(const char **cursor, json_member_t *m);

/* Members' keys compared bytewise, as canonical JSON sorts them (<0, 0,
 * >0), and whether two members' values are the same text. */
int json_member_key_cmp(const json_member_t *a, const json_member_t *b);
int json_member_same_value(const json_member_t *a, const json_member_t *b);

/* Walk the elements of an array (compact JSON, as vane writes it): set
 * *cursor to the text of the array, then each call gives the next
 * element's text in *val (vallen bytes); 1 per element, 0 at the end, -1
 * on malformed text. */
int json_array_next(const char **cursor, const char **val, size_t *vallen);

/* Append the text of the JSON string literal s (quotes included, n bytes),
 * unescaped; anything that is not a string literal is appended as it is.
 * Returns 0, or -1 when memory ran out. */
int json_string_text(const char *s, size_t n, buf_t *out);

#endif
