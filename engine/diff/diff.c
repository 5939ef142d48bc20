/* diff.c — item and field diffs by key (see diff.h). */
#include "diff/diff.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/json.h"

/* `follow` is the detail page an item was completed from (run/follow.h):
 * bookkeeping, never news by itself. */
static const char *const always_ignored[] = {"published", "updated", "follow"};

const char *diff_change_name(diff_change_t c)
{
    switch (c) {
    case DIFF_NEW: return "new";
    case DIFF_CHANGED: return "changed";
    case DIFF_REMOVED: return "removed";
    case DIFF_ABSENT: return "absent";
    default: return "quiet";
    }
}

static int name_is(const json_member_t *m, const char *name)
{
    return strlen(name) == m->keylen && memcmp(m->key, name, m->keylen) == 0;
}

static int is_ignored(const json_member_t *m, const diff_opts_t *opts)
{
    for (size_t i = 0; i < sizeof always_ignored / sizeof always_ignored[0]; i++)
        if (name_is(m, always_ignored[i]))
            return 1;
    for (size_t i = 0; opts && i < opts->n_ignore; i++)
        if (name_is(m, opts->ignore[i]))
            return 1;
    return 0;
}

static int put_field_diff(buf_t *out, int *count, const json_member_t *name,
                          const json_member_t *oldv, const json_member_t *newv)
{
    int rc = buf_puts(out, (*count)++ ? ",\"" : "\"");
    rc |= buf_append(out, name->key, name->keylen);
    rc |= buf_puts(out, "\":{\"old\":");
    rc |= oldv ? buf_append(out, oldv->val, oldv->vallen) : buf_puts(out, "null");
    rc |= buf_puts(out, ",\"new\":");
    rc |= newv ? buf_append(out, newv->val, newv->vallen) : buf_puts(out, "null");
    rc |= buf_putc(out, '}');
    return rc ? -1 : 0;
}

/* One step of the merge walk: advance a cursor, or mark it finished. */
static int advance(const char **cur, json_member_t *m, int *done, err_t *e)
{
    int rc = json_object_next(cur, m);
    if (rc < 0)
        return err_set(e, "malformed stored JSON near \"%.40s\"", *cur);
    *done = rc == 0;
    return 0;
}

int diff_fields(const char *old_fields, const char *new_fields, const diff_opts_t *opts,
                buf_t *out, int *changed, int *quiet, err_t *e)
{
    const char *a = old_fields, *b = new_fields;
    json_member_t ma, mb;
    int a_done = 1, b_done = 1, count = 0;
    *changed = *quiet = 0;
    if (advance(&a, &ma, &a_done, e) || advance(&b, &mb, &b_done, e))
        return -1;
    if (buf_putc(out, '{'))
        return -1;
    while (!a_done || !b_done) {
        int c = a_done ? 1 : b_done ? -1 : json_member_key_cmp(&ma, &mb);
        const json_member_t *name = c <= 0 ? &ma : &mb;
        const json_member_t *oldv = c <= 0 ? &ma : NULL, *newv = c >= 0 ? &mb : NULL;
        int differs = c != 0 || !json_member_same_value(&ma, &mb);
        if (differs) {
            if (is_ignored(name, opts))
                (*quiet)++;
            else if (put_field_diff(out, &count, name, oldv, newv) != 0)
                return -1;
        }
        if (c <= 0 && advance(&a, &ma, &a_done, e))
            return -1;
        if (c >= 0 && advance(&b, &mb, &b_done, e))
            return -1;
    }
    *changed = count;
    return buf_putc(out, '}');
}

static int item_cmp(const void *x, const void *y)
{
    return strcmp(((const diff_item_t *)x)->key, ((const diff_item_t *)y)->key);
}

void diff_sort(diff_item_t *cur, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (strcmp(cur[i - 1].key, cur[i].key) > 0) {
            qsort(cur, n, sizeof *cur, item_cmp);
            return;
        }
}

/* The stored item is missing from the new list: removed, or absent without
 * removals; nothing if it was already gone. */
static int emit_missing(const store_item_t *o, const diff_opts_t *opts, diff_emit_fn emit, void *ud)
{
    if (o->removed || o->absent)
        return 0;
    return emit(ud, opts->removals ? DIFF_REMOVED : DIFF_ABSENT, o->key, NULL, o->fields, NULL);
}

static int emit_compared(const store_item_t *o, const diff_item_t *c, const diff_opts_t *opts,
                         diff_emit_fn emit, void *ud, buf_t *tmp, err_t *e)
{
    if (o->removed)
        return emit(ud, DIFF_NEW, c->key, c->fields, NULL, NULL);
    if (strcmp(o->fields, c->fields) == 0) /* an absent item back: clear its mark */
        return o->absent ? emit(ud, DIFF_QUIET, c->key, c->fields, o->fields, NULL) : 0;
    int changed, quiet;
    buf_reset(tmp);
    if (diff_fields(o->fields, c->fields, opts, tmp, &changed, &quiet, e) != 0)
        return err_prefix(e, "item %s: ", c->key), -2;
    if (changed)
        return emit(ud, DIFF_CHANGED, c->key, c->fields, o->fields, buf_str(tmp));
    return emit(ud, DIFF_QUIET, c->key, c->fields, o->fields, NULL);
}

int diff_items(const store_item_t *old, size_t n_old, diff_item_t *cur, size_t n_cur,
               const diff_opts_t *opts, diff_emit_fn emit, void *ud, err_t *e)
{
    static const diff_opts_t none = {0};
    if (!opts)
        opts = &none;
    diff_sort(cur, n_cur);
    buf_t tmp = {0};
    size_t i = 0, j = 0;
    int rc = 0;
    while (rc == 0 && (i < n_old || j < n_cur)) {
        int c = i == n_old ? 1 : j == n_cur ? -1 : strcmp(old[i].key, cur[j].key);
        if (c < 0)
            rc = emit_missing(&old[i++], opts, emit, ud);
        else if (c > 0)
            rc = emit(ud, DIFF_NEW, cur[j].key, cur[j].fields, NULL, NULL), j++;
        else
            rc = emit_compared(&old[i++], &cur[j++], opts, emit, ud, &tmp, e);
    }
    buf_free(&tmp);
    return rc ? -1 : 0;
}

typedef struct storing {
    const diff_target_t *t;
    int rebaseline;        /* new and removed events are baseline */
    long events;
    err_t *e;
} storing_t;

/* The item's new state in the items table. */
static int store_state(const diff_target_t *t, diff_change_t change, const char *key,
                       const char *fields, err_t *e)
{
    if (change == DIFF_REMOVED)
        return store_item_mark_removed(t->st, t->source, key, t->now, e);
    if (change == DIFF_ABSENT)
        return store_item_mark_absent(t->st, t->source, key, t->now, e);
    return store_item_put(t->st, t->source, key, fields, t->now, e);
}

/* diff_items' callback for diff_store: the item's state and its event. */
static int store_change(void *ud, diff_change_t change, const char *key, const char *fields,
                        const char *prev, const char *diff)
{
    storing_t *s = ud;
    const diff_target_t *t = s->t;
    int rc = store_state(t, change, key, fields, s->e);
    if (rc != 0 || change == DIFF_QUIET || change == DIFF_ABSENT)
        return rc;
    int baseline = t->baseline || (s->rebaseline && change != DIFF_CHANGED);
    store_event_t ev = {.run_id = t->run_id, .source = (char *)t->source, .key = (char *)key,
                        .change = (char *)diff_change_name(change), .baseline = baseline,
                        .item = (char *)(change == DIFF_REMOVED ? prev : fields),
                        .prev = (char *)prev, .diff = (char *)diff, .observed_at = (char *)t->now};
    s->events++;
    return store_event_add(t->st, &ev, s->e);
}

/* Does this fetch reshape the source? Never on its first fetch. */
static void judge_reshape(const diff_target_t *t, const store_item_t *old, size_t n_old,
                          diff_item_t *items, size_t n, diff_result_t *res)
{
    if (t->baseline || n_old == 0)
        return;
    diff_sort(items, n);
    reshape_count(old, n_old, items, n, &res->reshape);
    res->reshaped = reshape_is(res->reshape.listed, res->reshape.left, res->reshape.arrived);
    res->rebaselined = res->reshaped && t->may_rebaseline;
}

int diff_store(const diff_target_t *t, diff_item_t *items, size_t n, diff_result_t *res, err_t *e)
{
    store_item_t *old = NULL;
    size_t n_old = 0;
    memset(res, 0, sizeof *res);
    int rc = store_items_load(t->st, t->source, &old, &n_old, e);
    if (rc == 0) {
        judge_reshape(t, old, n_old, items, n, res);
        storing_t s = {t, res->rebaselined, 0, e};
        rc = diff_items(old, n_old, items, n, &t->opts, store_change, &s, e);
        res->events = s.events;
    }
    store_items_free(old, n_old);
    return rc;
}
