/* story.c — what `vane show` and `vane history` share (see story.h). */
#include "cli/story.h"

#include <string.h>

#include "alert/context.h"
#include "util/exitcode.h"
#include "util/json.h"
#include "util/termtext.h"

int story_open(const cli_args_t *a, store_t **st)
{
    config_t cfg;
    int have_cfg = !cli_db_given(a);
    *st = NULL;
    if (have_cfg && cli_load_config(a, &cfg) != 0)
        return VANE_EXIT_USAGE;
    const char *path = cli_db_path(a, have_cfg ? &cfg : NULL);
    int code = cli_need_database(path);
    if (code == 0) {
        err_t e;
        *st = store_open(path, &e);
        if (!*st) {
            fprintf(stderr, "vane: %s\n", e.msg);
            code = VANE_EXIT_FAILED;
        }
    }
    if (have_cfg)
        config_free(&cfg);
    return code;
}

int story_text(buf_t *out, const char *s)
{
    return s ? termtext_put(out, s, strlen(s)) : buf_puts(out, "-");
}

int story_value(buf_t *out, const char *json, size_t len)
{
    if (len == 0 || json[0] != '"')
        return termtext_put(out, json, len);
    buf_t text = {0};
    int rc = json_string_text(json, len, &text);
    if (rc == 0)
        rc = termtext_put(out, buf_str(&text), text.len);
    buf_free(&text);
    return rc;
}

int story_fields(buf_t *out, const char *indent, const char *fields)
{
    const char *cur = fields;
    json_member_t m;
    int rc = 0;
    while (cur && rc == 0 && json_object_next(&cur, &m) == 1) {
        rc = buf_puts(out, indent) | termtext_put(out, m.key, m.keylen) | buf_puts(out, ": ") |
             story_value(out, m.val, m.vallen) | buf_putc(out, '\n');
    }
    return rc;
}

/* "- O" or "+ N" under the field, unless that side lacked it. */
static int side_line(buf_t *out, const char *indent, const char *sign, const json_member_t *m)
{
    if (flag_context_absent(m))
        return 0;
    return buf_puts(out, indent) | buf_puts(out, sign) | story_value(out, m->val, m->vallen) |
           buf_putc(out, '\n');
}

/* "f: O → N" on one line. */
static int arrow_line(buf_t *out, const json_member_t *old, const json_member_t *new)
{
    int rc = buf_putc(out, ' ');
    rc |= flag_context_absent(old) ? buf_puts(out, "(none)")
                                   : story_value(out, old->val, old->vallen);
    rc |= buf_puts(out, " → ");
    rc |= flag_context_absent(new) ? buf_puts(out, "(none)")
                                   : story_value(out, new->val, new->vallen);
    return rc | buf_putc(out, '\n');
}

int story_diff(buf_t *out, const char *indent, const char *diff, int arrows)
{
    const char *cur = diff;
    json_member_t f, old, new;
    int rc = 0;
    buf_t inner = {0};
    rc |= buf_printf(&inner, "%s  ", indent);
    while (cur && rc == 0 && json_object_next(&cur, &f) == 1) {
        flag_context_sides(&f, &old, &new);
        rc = buf_puts(out, indent) | termtext_put(out, f.key, f.keylen) | buf_putc(out, ':');
        if (arrows && old.vallen <= STORY_SHORT && new.vallen <= STORY_SHORT)
            rc |= arrow_line(out, &old, &new);
        else
            rc |= buf_putc(out, '\n') | side_line(out, buf_str(&inner), "- ", &old) |
                  side_line(out, buf_str(&inner), "+ ", &new);
    }
    buf_free(&inner);
    return rc;
}

/* ---- a JSON object, member by member -------------------------------------------- */

void story_json_begin(story_json_t *j, buf_t *b)
{
    *j = (story_json_t){.b = b};
    j->rc = buf_putc(b, '{');
}

void story_json_key(story_json_t *j, const char *name)
{
    j->rc |= buf_puts(j->b, j->n++ ? "," : "") | json_put_string(j->b, name, strlen(name)) |
             buf_putc(j->b, ':');
}

void story_json_str(story_json_t *j, const char *name, const char *s)
{
    story_json_key(j, name);
    j->rc |= s ? json_put_string(j->b, s, strlen(s)) : buf_puts(j->b, "null");
}

void story_json_int(story_json_t *j, const char *name, long long v)
{
    story_json_key(j, name);
    j->rc |= buf_printf(j->b, "%lld", v);
}

void story_json_id(story_json_t *j, const char *name, long long v)
{
    if (v == 0) {
        story_json_key(j, name);
        j->rc |= buf_puts(j->b, "null");
        return;
    }
    story_json_int(j, name, v);
}

void story_json_raw(story_json_t *j, const char *name, const char *json, const char *none)
{
    story_json_key(j, name);
    j->rc |= buf_puts(j->b, json ? json : none);
}

int story_json_end(story_json_t *j)
{
    j->rc |= buf_putc(j->b, '}');
    return j->rc;
}

void story_json_event_members(story_json_t *j, const store_event_t *ev)
{
    story_json_int(j, "id", ev->id);
    story_json_id(j, "run_id", ev->run_id);
    story_json_str(j, "source", ev->source);
    story_json_str(j, "key", ev->key);
    story_json_str(j, "change", ev->change);
    story_json_raw(j, "baseline", ev->baseline ? "true" : "false", NULL);
    story_json_raw(j, "item", ev->item, "null");
    story_json_raw(j, "prev", ev->prev, "null");
    story_json_raw(j, "diff", ev->diff, "null");
    story_json_str(j, "observed_at", ev->observed_at);
}
