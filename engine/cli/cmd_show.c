/* cmd_show.c — `vane show FLAG`: one flag's story, what happened and where
 * it went: the flag with its context, its event, the item now and before
 * with what changed, its rule, the silence that kept it back if any, and
 * its delivery to each channel. For people, sections of labelled lines
 * (every stored text escaped, util/termtext.h); with --json one object
 * {"flag", "event", "item", "rule", "silence", "deliveries"}. */
#include "cli/command.h"
#include "cli/story.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel/changes.h"
#include "util/exitcode.h"

typedef struct story {
    store_flag_row_t flag;
    store_event_t *event;          /* NULL: none (or no longer stored) */
    store_item_now_t item;
    int have_item;
    store_silence_row_t silence;
    int have_silence;
    store_delivery_t *deliveries;
    size_t n_deliveries;
} story_t;

static void story_free(story_t *s)
{
    store_flag_row_free(&s->flag);
    store_events_free(s->event, s->event ? 1 : 0);
    store_item_now_free(&s->item);
    store_silence_row_free(&s->silence);
    store_deliveries_free(s->deliveries, s->n_deliveries);
}

/* Read what the flag's story needs beside the flag itself. */
static int read_rest(store_t *st, story_t *s, err_t *e)
{
    const store_flag_row_t *f = &s->flag;
    if (f->event_id && store_event_get(st, f->event_id, &s->event, e) < 0)
        return -1;
    if (f->source && f->key) {
        s->have_item = store_item_get(st, f->source, f->key, &s->item, e);
        if (s->have_item < 0)
            return -1;
    }
    if (f->silence_id) {
        s->have_silence = store_silence_get(st, f->silence_id, &s->silence, e);
        if (s->have_silence < 0)
            return -1;
    }
    return store_deliveries_get(st, f->id, &s->deliveries, &s->n_deliveries, e);
}

/* ---- for people ------------------------------------------------------------------ */

/* "  label     value\n", the value escaped; nothing when it is NULL. */
static int line(buf_t *b, const char *label, const char *value)
{
    if (!value)
        return 0;
    return buf_printf(b, "  %-10s", label) | story_text(b, value) | buf_putc(b, '\n');
}

static int print_flag(buf_t *b, const store_flag_row_t *f)
{
    int rc = buf_printf(b, "flag %lld  ", f->id) | story_text(b, f->severity) |
             buf_puts(b, "  ") | story_text(b, f->rule) | buf_putc(b, '\n');
    rc |= line(b, "message", f->message);
    if (f->source) {
        rc |= buf_printf(b, "  %-10s", "source") | story_text(b, f->source);
        if (f->source_name)
            rc |= buf_puts(b, " (") | story_text(b, f->source_name) | buf_putc(b, ')');
        rc |= buf_putc(b, '\n');
    }
    rc |= line(b, "key", f->key) | line(b, "title", f->title) | line(b, "link", f->link);
    rc |= line(b, "change", f->change) | line(b, "observed", f->observed_at);
    rc |= line(b, "raised", f->created_at);
    if (f->run_id)
        rc |= buf_printf(b, "  %-10s%lld\n", "run", f->run_id);
    return rc;
}

/* What changed, field by field: from the flag's changes (with the word
 * diff of a long text), else from the event's diff. */
static int print_changes(buf_t *b, const story_t *s)
{
    flag_changes_t ch = {0};
    int rc = 0;
    if (s->flag.changes && flag_changes_read(s->flag.changes, &ch) == 0 && ch.n > 0) {
        rc |= buf_puts(b, "\nwhat changed\n");
        for (size_t i = 0; i < ch.n; i++) {
            const flag_change_t *c = &ch.v[i];
            rc |= buf_puts(b, "  ") | story_text(b, c->field) | buf_puts(b, ":\n");
            if (c->old_text)
                rc |= buf_puts(b, "    - ") | story_text(b, c->old_text) | buf_putc(b, '\n');
            if (c->new_text)
                rc |= buf_puts(b, "    + ") | story_text(b, c->new_text) | buf_putc(b, '\n');
            if (c->n_segs) {
                buf_t words = {0};
                rc |= flag_change_text(c, &words) | buf_puts(b, "    ~ ") |
                      story_text(b, buf_str(&words)) | buf_putc(b, '\n');
                buf_free(&words);
            }
        }
    } else if (s->event && s->event->diff) {
        rc |= buf_puts(b, "\nwhat changed\n") | story_diff(b, "  ", s->event->diff, 0);
    }
    flag_changes_free(&ch);
    return rc;
}

static int print_event(buf_t *b, const story_t *s)
{
    const store_event_t *ev = s->event;
    if (!s->flag.event_id)
        return buf_puts(b, "\nevent     none (a flag about the source, not an item)\n");
    if (!ev)
        return buf_printf(b, "\nevent %lld  no longer stored (pruned)\n", s->flag.event_id);
    int rc = buf_printf(b, "\nevent %lld  ", ev->id) | story_text(b, ev->change) |
             buf_puts(b, ev->baseline ? " (baseline)" : "") | buf_puts(b, "  observed ") |
             story_text(b, ev->observed_at) | buf_putc(b, '\n');
    rc |= print_changes(b, s);
    if (ev->prev)
        rc |= buf_puts(b, "\nbefore (the event's prev)\n") | story_fields(b, "  ", ev->prev);
    if (ev->item && strcmp(ev->change, "removed") != 0)
        rc |= buf_puts(b, "\nafter (the event's item)\n") | story_fields(b, "  ", ev->item);
    return rc;
}

static int print_item(buf_t *b, const story_t *s)
{
    if (!s->flag.source || !s->flag.key)
        return 0;
    if (!s->have_item)
        return buf_puts(b, "\nitem now  not stored\n");
    const store_item_now_t *it = &s->item;
    int rc = buf_puts(b, "\nitem now  first seen ") | story_text(b, it->first_seen) |
             buf_puts(b, ", last seen ") | story_text(b, it->last_seen);
    if (it->removed_at)
        rc |= buf_puts(b, ", removed ") | story_text(b, it->removed_at);
    else if (it->absent_since)
        rc |= buf_puts(b, ", missing from the list since ") | story_text(b, it->absent_since);
    return rc | buf_putc(b, '\n') | story_fields(b, "  ", it->fields);
}

static int print_rule_and_silence(buf_t *b, const story_t *s)
{
    int rc = buf_puts(b, "\nrule      ") | story_text(b, s->flag.rule);
    if (s->flag.rule_title)
        rc |= buf_puts(b, " — ") | story_text(b, s->flag.rule_title);
    rc |= buf_putc(b, '\n');
    if (!s->flag.silence_id)
        return rc | buf_puts(b, "silence   none\n");
    if (!s->have_silence)
        return rc | buf_printf(b, "silence   %lld (no longer stored)\n", s->flag.silence_id);
    const store_silence_row_t *si = &s->silence;
    rc |= buf_printf(b, "silence   %lld  until ", si->id) | story_text(b, si->until) |
          buf_puts(b, "  reason ") | story_text(b, si->reason);
    if (si->removed_at)
        rc |= buf_puts(b, "  (removed ") | story_text(b, si->removed_at) | buf_putc(b, ')');
    return rc | buf_puts(b, "\n  not delivered: the silence covered it\n");
}

static int print_deliveries(buf_t *b, const story_t *s)
{
    if (s->n_deliveries == 0)
        return buf_puts(b, "\ndeliveries  none\n");
    int rc = buf_puts(b, "\ndeliveries\n");
    for (size_t i = 0; i < s->n_deliveries; i++) {
        const store_delivery_t *d = &s->deliveries[i];
        rc |= buf_puts(b, "  ") | story_text(b, d->channel) | buf_puts(b, "  ") |
              story_text(b, d->status) | buf_printf(b, "  attempts %d", d->attempts);
        if (d->sent_at)
            rc |= buf_puts(b, "  sent at ") | story_text(b, d->sent_at);
        if (d->next_attempt && strcmp(d->status, "pending") == 0)
            rc |= buf_puts(b, "  next attempt ") | story_text(b, d->next_attempt);
        rc |= buf_putc(b, '\n');
        if (d->last_error)
            rc |= buf_puts(b, "    last error: ") | story_text(b, d->last_error) |
                  buf_putc(b, '\n');
    }
    return rc;
}

static int print_text(buf_t *b, const story_t *s)
{
    return print_flag(b, &s->flag) | print_event(b, s) | print_item(b, s) |
           print_rule_and_silence(b, s) | print_deliveries(b, s);
}

/* ---- --json ------------------------------------------------------------------------ */

static int json_flag(buf_t *b, const store_flag_row_t *f)
{
    story_json_t j;
    story_json_begin(&j, b);
    story_json_int(&j, "id", f->id);
    story_json_id(&j, "run_id", f->run_id);
    story_json_str(&j, "rule", f->rule);
    story_json_str(&j, "severity", f->severity);
    story_json_str(&j, "message", f->message);
    story_json_str(&j, "source", f->source);
    story_json_str(&j, "key", f->key);
    story_json_str(&j, "change", f->change);
    story_json_id(&j, "event_id", f->event_id);
    story_json_str(&j, "observed_at", f->observed_at);
    story_json_str(&j, "created_at", f->created_at);
    story_json_id(&j, "silence_id", f->silence_id);
    story_json_str(&j, "title", f->title);
    story_json_str(&j, "link", f->link);
    story_json_str(&j, "source_name", f->source_name);
    story_json_str(&j, "rule_title", f->rule_title);
    story_json_raw(&j, "changes", f->changes, "[]");
    return story_json_end(&j);
}

static int json_event(buf_t *b, const store_event_t *ev)
{
    if (!ev)
        return buf_puts(b, "null");
    story_json_t j;
    story_json_begin(&j, b);
    story_json_event_members(&j, ev);
    return story_json_end(&j);
}

static int json_item(buf_t *b, const story_t *s)
{
    if (!s->have_item)
        return buf_puts(b, "null");
    story_json_t j;
    story_json_begin(&j, b);
    story_json_str(&j, "source", s->flag.source);
    story_json_str(&j, "key", s->flag.key);
    story_json_raw(&j, "fields", s->item.fields, "null");
    story_json_str(&j, "first_seen", s->item.first_seen);
    story_json_str(&j, "last_seen", s->item.last_seen);
    story_json_str(&j, "removed_at", s->item.removed_at);
    story_json_str(&j, "absent_since", s->item.absent_since);
    return story_json_end(&j);
}

static int json_silence(buf_t *b, const story_t *s)
{
    if (!s->have_silence)
        return buf_puts(b, "null");
    const store_silence_row_t *si = &s->silence;
    story_json_t j;
    story_json_begin(&j, b);
    story_json_int(&j, "id", si->id);
    story_json_str(&j, "rule", si->rule);
    story_json_str(&j, "source", si->source);
    story_json_str(&j, "key", si->key);
    story_json_str(&j, "created_at", si->created_at);
    story_json_str(&j, "until", si->until);
    story_json_str(&j, "reason", si->reason);
    story_json_str(&j, "removed_at", si->removed_at);
    return story_json_end(&j);
}

static int json_delivery(buf_t *b, const store_delivery_t *d)
{
    story_json_t j;
    story_json_begin(&j, b);
    story_json_int(&j, "id", d->id);
    story_json_str(&j, "channel", d->channel);
    story_json_str(&j, "status", d->status);
    story_json_int(&j, "attempts", d->attempts);
    story_json_str(&j, "last_error", d->last_error);
    story_json_str(&j, "next_attempt", d->next_attempt);
    story_json_str(&j, "sent_at", d->sent_at);
    return story_json_end(&j);
}

static int print_json(buf_t *b, const story_t *s)
{
    int rc = buf_puts(b, "{\"flag\":") | json_flag(b, &s->flag);
    rc |= buf_puts(b, ",\"event\":") | json_event(b, s->event);
    rc |= buf_puts(b, ",\"item\":") | json_item(b, s);
    story_json_t rule;
    rc |= buf_puts(b, ",\"rule\":");
    story_json_begin(&rule, b);
    story_json_str(&rule, "id", s->flag.rule);
    story_json_str(&rule, "title", s->flag.rule_title);
    rc |= story_json_end(&rule);
    rc |= buf_puts(b, ",\"silence\":") | json_silence(b, s) | buf_puts(b, ",\"deliveries\":[");
    for (size_t i = 0; i < s->n_deliveries; i++)
        rc |= buf_puts(b, i ? "," : "") | json_delivery(b, &s->deliveries[i]);
    return rc | buf_puts(b, "]}\n");
}

/* ---- the command ------------------------------------------------------------------- */

static int show(store_t *st, long long id, int json)
{
    story_t s = {0};
    err_t e;
    int found = store_flag_get(st, id, &s.flag, &e);
    if (found == 0) {
        fprintf(stderr, "vane: show: no flag %lld in the database (`vane flags` lists them)\n", id);
        return VANE_EXIT_USAGE;
    }
    int code = VANE_EXIT_OK;
    buf_t out = {0};
    if (found < 0 || read_rest(st, &s, &e) != 0) {
        fprintf(stderr, "vane: show: %s\n", e.msg);
        code = VANE_EXIT_FAILED;
    } else if ((json ? print_json(&out, &s) : print_text(&out, &s)) != 0) {
        fprintf(stderr, "vane: show: out of memory\n");
        code = VANE_EXIT_FAILED;
    } else {
        fputs(buf_str(&out), stdout);
    }
    buf_free(&out);
    story_free(&s);
    return code;
}

int cmd_show(const cli_args_t *a)
{
    if (a->n_words != 1)
        return cli_usage_error("show needs one flag id (see vane flags)");
    char *end;
    long long id = strtoll(a->words[0], &end, 10);
    if (*end || end == a->words[0] || id <= 0)
        return cli_usage_error("show needs a flag id (a number), not '%s'", a->words[0]);
    store_t *st;
    int code = story_open(a, &st);
    if (code == 0)
        code = show(st, id, cli_flag(a, CLI_JSON));
    store_close(st);
    return code;
}
