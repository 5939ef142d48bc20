/* changes.c — reading a flag's "changes" array (see changes.h). */
#include "channel/changes.h"

#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/utf8.h"

static char *text_of(const char *val, size_t len)
{
    buf_t b = {0};
    if (json_string_text(val, len, &b) != 0) {
        buf_free(&b);
        return NULL;
    }
    return buf_steal(&b);
}

static int is_key(const json_member_t *m, const char *name)
{
    return m->keylen == strlen(name) && memcmp(m->key, name, m->keylen) == 0;
}

/* One ["op","text"] pair of a diff. */
static int read_seg(const char *val, size_t len, flag_seg_t *seg)
{
    (void)len;
    const char *cur = val, *v;
    size_t n;
    if (json_array_next(&cur, &v, &n) != 1 || n != 3 || v[0] != '"')
        return -1;
    seg->op = v[1];
    if (seg->op != '=' && seg->op != '-' && seg->op != '+')
        return -1;
    if (json_array_next(&cur, &v, &n) != 1 || v[0] != '"')
        return -1;
    seg->text = text_of(v, n);
    return seg->text ? 0 : -1;
}

static int read_diff(const char *val, flag_change_t *ch)
{
    const char *cur = val, *v;
    size_t n, count = 0;
    int rc;
    while ((rc = json_array_next(&cur, &v, &n)) == 1)
        count++;
    if (rc < 0)
        return -1;
    ch->segs = calloc(count ? count : 1, sizeof *ch->segs);
    if (!ch->segs)
        return -1;
    cur = val;
    while (json_array_next(&cur, &v, &n) == 1) {
        if (read_seg(v, n, &ch->segs[ch->n_segs]) != 0)
            return -1;
        ch->n_segs++;
    }
    return 0;
}

static int read_change(const char *obj, flag_change_t *ch)
{
    const char *cur = obj;
    json_member_t m;
    int rc;
    if (*obj != '{')
        return -1;
    while ((rc = json_object_next(&cur, &m)) == 1) {
        char **slot = is_key(&m, "field") ? &ch->field
                      : is_key(&m, "old") ? &ch->old_text
                      : is_key(&m, "new") ? &ch->new_text : NULL;
        if (slot) {
            free(*slot);
            if (!(*slot = text_of(m.val, m.vallen)))
                return -1;
        } else if (is_key(&m, "diff") && m.val[0] == '[' && !ch->segs) {
            if (read_diff(m.val, ch) != 0)
                return -1;
        }
    }
    return rc < 0 || !ch->field ? -1 : 0;
}

int flag_changes_read(const char *json, flag_changes_t *out)
{
    *out = (flag_changes_t){0};
    if (!json || !*json)
        return 0;
    const char *cur = json, *v;
    size_t n, count = 0;
    int rc;
    if (*json != '[')
        return -1;
    while ((rc = json_array_next(&cur, &v, &n)) == 1)
        count++;
    if (rc < 0)
        return -1;
    if (count == 0)
        return 0;
    out->v = calloc(count, sizeof *out->v);
    if (!out->v)
        return -1;
    cur = json;
    while (json_array_next(&cur, &v, &n) == 1) {
        flag_change_t *ch = &out->v[out->n++];
        if (read_change(v, ch) != 0) {
            flag_changes_free(out);
            return -1;
        }
    }
    return 0;
}

void flag_changes_free(flag_changes_t *c)
{
    for (size_t i = 0; i < c->n; i++) {
        flag_change_t *ch = &c->v[i];
        free(ch->field);
        free(ch->old_text);
        free(ch->new_text);
        for (size_t k = 0; k < ch->n_segs; k++)
            free(ch->segs[k].text);
        free(ch->segs);
    }
    free(c->v);
    *c = (flag_changes_t){0};
}


static int change_text(const flag_change_t *ch, size_t max, buf_t *out)
{
    int rc = 0;
    if (ch->n_segs) {
        for (size_t k = 0; k < ch->n_segs; k++) {
            const flag_seg_t *s = &ch->segs[k];
            rc |= buf_puts(out, s->op == '-' ? "[-" : s->op == '+' ? "{+" : "");
            rc |= utf8_put_oneline(out, s->text, max);
            rc |= buf_puts(out, s->op == '-' ? "-]" : s->op == '+' ? "+}" : "");
        }
        return rc;
    }
    rc |= utf8_put_oneline(out, ch->old_text ? ch->old_text : "(none)", max);
    rc |= buf_puts(out, " \xe2\x86\x92 ");   /* → */
    return rc | utf8_put_oneline(out, ch->new_text ? ch->new_text : "(none)", max);
}

int flag_change_text(const flag_change_t *ch, buf_t *out)
{
    return change_text(ch, (size_t)-1, out) ? -1 : 0;
}

int flag_changes_line(const flag_changes_t *c, size_t max_chars, buf_t *out)
{
    int rc = 0;
    for (size_t i = 0; i < c->n; i++) {
        rc |= buf_printf(out, "%s%s: ", i ? "; " : "", c->v[i].field);
        rc |= change_text(&c->v[i], max_chars, out);
    }
    return rc ? -1 : 0;
}
