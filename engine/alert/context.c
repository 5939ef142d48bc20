/* context.c — a flag's title, link and changes from its event (see
 * context.h). */
#include "alert/context.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "channel/changes.h"
#include "util/json.h"
#include "util/utf8.h"
#include "util/worddiff.h"

int flag_context_is_link(const char *s)
{
    return s && (strncasecmp(s, "https://", 8) == 0 || strncasecmp(s, "http://", 7) == 0) &&
           !strpbrk(s, " \t\r\n\"<>");
}

/* The text of the string member name of the object json, or NULL. */
static char *member_text(const char *json, const char *name)
{
    const char *cur = json;
    json_member_t m;
    size_t len = strlen(name);
    while (json && *json == '{' && json_object_next(&cur, &m) == 1) {
        if (m.keylen != len || memcmp(m.key, name, len) != 0 || m.val[0] != '"')
            continue;
        buf_t b = {0};
        if (json_string_text(m.val, m.vallen, &b) != 0) {
            buf_free(&b);
            return NULL;
        }
        return buf_steal(&b);
    }
    return NULL;
}


void flag_context_sides(const json_member_t *field, json_member_t *old, json_member_t *new)
{
    const char *cur = field->val;
    json_member_t m;
    *old = *new = (json_member_t){0};
    while (*field->val == '{' && json_object_next(&cur, &m) == 1) {
        if (m.keylen == 3 && memcmp(m.key, "old", 3) == 0)
            *old = m;
        else if (m.keylen == 3 && memcmp(m.key, "new", 3) == 0)
            *new = m;
    }
}

int flag_context_absent(const json_member_t *m)
{
    return !m->val || (m->vallen == 4 && memcmp(m->val, "null", 4) == 0);
}

/* "old" and "new" as the diff's segments of each side, and "diff". */
static int put_long(buf_t *out, const char *a, const char *b)
{
    worddiff_t d;
    if (worddiff(a, b, &d) != 0 || worddiff_shorten(&d) != 0) {
        worddiff_free(&d);
        return -1;
    }
    buf_t side = {0};
    int rc = 0;
    for (int pass = 0; pass < 2; pass++) {
        buf_reset(&side);
        for (size_t i = 0; i < d.n; i++)
            if (d.segs[i].op == '=' || d.segs[i].op == (pass ? '+' : '-'))
                rc |= buf_puts(&side, d.segs[i].text);
        rc |= buf_puts(out, pass ? ",\"new\":" : ",\"old\":");
        rc |= json_put_string(out, buf_str(&side), side.len);
    }
    rc |= buf_puts(out, ",\"diff\":[");
    for (size_t i = 0; i < d.n; i++) {
        rc |= buf_printf(out, "%s[\"%c\",", i ? "," : "", d.segs[i].op);
        rc |= json_put_string(out, d.segs[i].text, strlen(d.segs[i].text));
        rc |= buf_putc(out, ']');
    }
    buf_free(&side);
    worddiff_free(&d);
    return rc | buf_putc(out, ']');
}

static int put_change(buf_t *out, const json_member_t *field)
{
    json_member_t old = {0}, new = {0};
    flag_context_sides(field, &old, &new);
    int rc = buf_puts(out, "{\"field\":");
    rc |= buf_append(out, field->key - 1, field->keylen + 2); /* the key as written: a JSON string */
    if (!flag_context_absent(&old) && !flag_context_absent(&new) && old.val[0] == '"' && new.val[0] == '"') {
        buf_t a = {0}, b = {0};
        rc |= json_string_text(old.val, old.vallen, &a) | json_string_text(new.val, new.vallen, &b);
        if (utf8_count(buf_str(&a)) > CHANGES_LONG || utf8_count(buf_str(&b)) > CHANGES_LONG) {
            rc |= put_long(out, buf_str(&a), buf_str(&b));
            buf_free(&a);
            buf_free(&b);
            return rc | buf_putc(out, '}');
        }
        buf_free(&a);
        buf_free(&b);
    }
    if (!flag_context_absent(&old))
        rc |= buf_puts(out, ",\"old\":") | buf_append(out, old.val, old.vallen);
    if (!flag_context_absent(&new))
        rc |= buf_puts(out, ",\"new\":") | buf_append(out, new.val, new.vallen);
    return rc | buf_putc(out, '}');
}

int flag_context_changes(const char *diff, buf_t *out)
{
    int rc = buf_putc(out, '[');
    if (!diff || *diff != '{')
        return rc | buf_putc(out, ']');
    const char *cur = diff;
    json_member_t m;
    int n = 0, got;
    while ((got = json_object_next(&cur, &m)) == 1) {
        if (n++)
            rc |= buf_putc(out, ',');
        rc |= put_change(out, &m);
    }
    return got < 0 ? -1 : rc | buf_putc(out, ']');
}

int flag_context_of_event(const store_event_t *ev, flag_context_t *out)
{
    *out = (flag_context_t){0};
    const char *fields = ev->item ? ev->item : ev->prev;
    out->title = member_text(fields, "title");
    char *link = member_text(fields, "link");
    if (flag_context_is_link(link))
        out->link = link;
    else if (free(link), flag_context_is_link(ev->key))
        out->link = strdup(ev->key);
    buf_t changes = {0};
    int changed = ev->change && strcmp(ev->change, "changed") == 0;
    int rc = flag_context_changes(changed ? ev->diff : NULL, &changes);
    out->changes = buf_steal(&changes);
    if (rc != 0 || !out->changes) {
        flag_context_free(out);
        return -1;
    }
    return 0;
}

void flag_context_free(flag_context_t *c)
{
    free(c->title);
    free(c->link);
    free(c->changes);
    *c = (flag_context_t){0};
}
