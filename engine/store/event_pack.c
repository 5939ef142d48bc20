/* event_pack.c — a changed event's prev and diff packed and unpacked (see
 * event_pack.h). Both sides walk the canonical JSON objects by member,
 * keys in bytewise order, as diff/diff.c compares them. */
#include "store/event_pack.h"

#include <string.h>

#include "util/json.h"

/* The next member of an object, or *done at its end. 0, or -1 if malformed. */
static int step(const char **cur, json_member_t *m, int *done)
{
    int rc = json_object_next(cur, m);
    *done = rc != 1;
    return rc < 0 ? -1 : 0;
}

/* "key": then the value's text between open and close (each may be ""). */
static int put_member(buf_t *out, int *count, const json_member_t *key, const char *open,
                      const char *val, size_t vallen, const char *close)
{
    int rc = buf_puts(out, (*count)++ ? ",\"" : "\"");
    rc |= buf_append(out, key->key, key->keylen);
    rc |= buf_puts(out, "\":");
    rc |= buf_puts(out, open);
    rc |= buf_append(out, val, vallen);
    rc |= buf_puts(out, close);
    return rc ? -1 : 0;
}

/* The delta of prev against item: a merge walk of the two objects. */
static int make_delta(const char *item, const char *prev, buf_t *out)
{
    const char *a = prev, *b = item;
    json_member_t ma, mb;
    int a_done, b_done, count = 0, rc = 0;
    if (step(&a, &ma, &a_done) || step(&b, &mb, &b_done) || buf_putc(out, '{'))
        return -1;
    while (rc == 0 && (!a_done || !b_done)) {
        int c = a_done ? 1 : b_done ? -1 : json_member_key_cmp(&ma, &mb);
        if (c < 0 || (c == 0 && !json_member_same_value(&ma, &mb)))
            rc = put_member(out, &count, &ma, "[", ma.val, ma.vallen, "]");
        else if (c > 0)
            rc = put_member(out, &count, &mb, "[", "", 0, "]");
        if (rc == 0 && c <= 0)
            rc = step(&a, &ma, &a_done);
        if (rc == 0 && c >= 0)
            rc = step(&b, &mb, &b_done);
    }
    return rc == 0 ? buf_putc(out, '}') : -1;
}

/* The names of a whole diff's members, as a JSON array. */
static int make_names(const char *diff, buf_t *out)
{
    const char *cur = diff;
    json_member_t m;
    int rc, n = 0;
    if (buf_putc(out, '['))
        return -1;
    while ((rc = json_object_next(&cur, &m)) == 1)
        if (buf_puts(out, n++ ? ",\"" : "\"") || buf_append(out, m.key, m.keylen) ||
            buf_putc(out, '"'))
            return -1;
    return rc < 0 ? -1 : buf_putc(out, ']');
}

/* Does unpacking give prev and diff back exactly? */
static int round_trips(const char *item, const char *prev, const char *diff, const char *delta,
                       const char *names)
{
    buf_t p = {0}, d = {0};
    int ok = event_unpack_prev(item, delta, &p) == 0 && strcmp(buf_str(&p), prev) == 0;
    if (ok && diff)
        ok = event_has_diff(names) && event_unpack_diff(item, delta, names, &d) == 0 &&
             strcmp(buf_str(&d), diff) == 0;
    else if (ok)
        ok = !event_has_diff(names);
    buf_free(&p);
    buf_free(&d);
    return ok;
}

int event_pack(const char *item, const char *prev, const char *diff, buf_t *delta, buf_t *names)
{
    if (!item || !prev || (diff && *diff != '{') || (!diff && strcmp(item, prev) != 0))
        return 0;
    size_t d0 = delta->len, n0 = names->len;
    if (make_delta(item, prev, delta) == 0 && make_names(diff ? diff : "{}", names) == 0 &&
        round_trips(item, prev, diff, buf_str(delta) + d0, buf_str(names) + n0))
        return 1;
    delta->len = d0;
    names->len = n0;
    if (delta->p)
        delta->p[d0] = '\0';
    if (names->p)
        names->p[n0] = '\0';
    return 0;
}

int event_is_packed(const char *diff)
{
    return diff && *diff == '[';
}

int event_has_diff(const char *names)
{
    return strcmp(names, "[]") != 0;
}

/* A delta's value: 1 with the old value's text, 0 when the field was
 * absent ([]), -1 when it is not an array of at most one value. */
static int old_value(const json_member_t *m, const char **val, size_t *len)
{
    if (m->vallen < 2 || m->val[0] != '[' || m->val[m->vallen - 1] != ']')
        return -1;
    *val = m->val + 1;
    *len = m->vallen - 2;
    return *len > 0;
}

int event_unpack_prev(const char *item, const char *delta, buf_t *out)
{
    const char *a = item, *b = delta, *val;
    json_member_t ma, mb;
    int a_done, b_done, count = 0, rc = 0;
    size_t len;
    if (step(&a, &ma, &a_done) || step(&b, &mb, &b_done) || buf_putc(out, '{'))
        return -1;
    while (rc == 0 && (!a_done || !b_done)) {
        int c = a_done ? 1 : b_done ? -1 : json_member_key_cmp(&ma, &mb);
        if (c < 0)
            rc = put_member(out, &count, &ma, "", ma.val, ma.vallen, "");
        else {
            int had = old_value(&mb, &val, &len);
            rc = had < 0 ? -1 : had ? put_member(out, &count, &mb, "", val, len, "") : 0;
        }
        if (rc == 0 && c <= 0)
            rc = step(&a, &ma, &a_done);
        if (rc == 0 && c >= 0)
            rc = step(&b, &mb, &b_done);
    }
    return rc == 0 ? buf_putc(out, '}') : -1;
}

/* The member of obj named name: 1 found, 0 not, -1 malformed. */
static int find(const char *obj, const char *name, size_t len, json_member_t *m)
{
    const char *cur = obj;
    int rc;
    while ((rc = json_object_next(&cur, m)) == 1)
        if (m->keylen == len && memcmp(m->key, name, len) == 0)
            return 1;
    return rc;
}

/* The next name of a names array (*cur at its start, then after each
 * name): 1 with the name's text (still escaped), 0 at the end, -1 if
 * malformed. */
static int next_name(const char **cur, const char **name, size_t *len)
{
    const char *p = *cur;
    if (*p == ']')
        return 0;
    if (*p != '[' && *p != ',')
        return -1;
    if (*++p == ']')
        return 0;
    if (*p != '"')
        return -1;
    *name = ++p;
    while (*p && *p != '"')
        p += *p == '\\' && p[1] ? 2 : 1;
    if (*p != '"')
        return -1;
    *len = (size_t)(p - *name);
    *cur = p + 1;
    return 1;
}

/* One field of the diff: "name":{"old":O,"new":N}. */
static int put_field(const char *item, const char *delta, const char *name, size_t len,
                     int *count, buf_t *out)
{
    json_member_t in_item, in_delta, key = {name, len, NULL, 0};
    int has_new = find(item, name, len, &in_item), has_delta = find(delta, name, len, &in_delta);
    const char *old = "null", *new = has_new == 1 ? in_item.val : "null";
    size_t old_len = 4, new_len = has_new == 1 ? in_item.vallen : 4;
    int had = has_delta == 1 ? old_value(&in_delta, &old, &old_len) : 0;
    if (has_new < 0 || has_delta < 0 || had < 0)
        return -1;
    if (has_delta == 1 && had == 0) /* absent before */
        old = "null", old_len = 4;
    else if (!has_delta && has_new) /* not in the delta: the same before */
        old = in_item.val, old_len = in_item.vallen;
    int rc = put_member(out, count, &key, "{\"old\":", old, old_len, ",\"new\":");
    rc |= buf_append(out, new, new_len);
    rc |= buf_putc(out, '}');
    return rc ? -1 : 0;
}

int event_unpack_diff(const char *item, const char *delta, const char *names, buf_t *out)
{
    const char *cur = names, *name;
    size_t len;
    int rc, count = 0;
    if (buf_putc(out, '{'))
        return -1;
    while ((rc = next_name(&cur, &name, &len)) == 1)
        if (put_field(item, delta, name, len, &count, out) != 0)
            return -1;
    return rc < 0 ? -1 : buf_putc(out, '}');
}
