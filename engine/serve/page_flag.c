/* page_flag.c — GET /flags/{id}: one flag with its rule, event, what
 * changed, the item before and after, the silence that covered it, its
 * deliveries and its verdict with the form to give one; POST
 * /flags/{id}/verdict records the verdict. */
#include "serve/page_flags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/xref.h"
#include "rules/rules.h"
#include "serve/html.h"
#include "serve/view_diff.h"
#include "util/clock.h"
#include "util/url.h"

/* One <dt>/<dd> pair with the value escaped ("—" for NULL). */
static int fact(buf_t *b, const char *label, const char *value)
{
    return buf_printf(b, "<dt>%s</dt><dd>", label) |
           (value ? html_text(b, value) : buf_puts(b, "\xe2\x80\x94")) | buf_puts(b, "</dd>");
}

static int fact_time(buf_t *b, const char *label, const char *iso)
{
    return buf_printf(b, "<dt>%s</dt><dd>", label) | html_time(b, iso) | buf_puts(b, "</dd>");
}

/* The file of the loaded rule id ("rules/x.lua"), or NULL. */
static const char *rule_file(const serve_req_t *r, const char *id)
{
    struct rules *rs = r->ctx->rules;
    for (size_t i = 0; rs && i < rules_count(rs); i++) {
        if (strcmp(rules_id(rs, i), id) == 0) {
            xref_rule_t x;
            rules_xref(rs, i, &x);
            return x.chunk;
        }
    }
    return NULL;
}

static int facts(const serve_req_t *r, buf_t *b, const store_flag_row_t *f)
{
    int rc = buf_puts(b, "<dl class=\"facts\"><dt>Severity</dt><dd>") |
             html_severity(b, f->severity) | buf_puts(b, "</dd>");
    rc |= buf_puts(b, "<dt>Rule</dt><dd><a href=\"/rules#") | url_encode_component(b, f->rule) |
          buf_puts(b, "\">") | html_text(b, f->rule) | buf_puts(b, "</a>");
    if (f->rule_title)
        rc |= buf_puts(b, " — ") | html_text(b, f->rule_title);
    const char *file = rule_file(r, f->rule);
    if (file)
        rc |= buf_puts(b, " <span class=\"muted\">(") | html_text(b, file) | buf_puts(b, ")</span>");
    rc |= buf_puts(b, "</dd>") | fact(b, "Message", f->message);
    rc |= buf_puts(b, "<dt>Source</dt><dd>") | html_text(b, f->source);
    if (f->source_name)
        rc |= buf_puts(b, " — ") | html_text(b, f->source_name);
    rc |= buf_puts(b, "</dd>") | fact(b, "Key", f->key);
    rc |= buf_puts(b, "<dt>Item</dt><dd>") | view_item_title(b, f->title, f->key, f->link);
    if (f->source && f->key)
        rc |= buf_puts(b, " · <a class=\"history\" href=\"") | view_item_href(b, f->source, f->key) |
              buf_puts(b, "\">history</a>");
    rc |= buf_puts(b, "</dd>") | fact(b, "Change", f->change);
    rc |= fact_time(b, "Observed", f->observed_at) | fact_time(b, "Raised", f->created_at);
    if (f->run_id)
        rc |= buf_printf(b, "<dt>Run</dt><dd>%lld</dd>", f->run_id);
    return rc | buf_puts(b, "</dl>\n");
}

/* Its event, what changed, the item before and after. */
static int event_part(buf_t *b, const store_flag_row_t *f, const store_event_t *ev)
{
    int rc = buf_puts(b, "<h2>What changed</h2>\n");
    if (ev)
        rc |= buf_printf(b, "<p>Event %lld: ", ev->id) | html_text(b, ev->change) |
              buf_puts(b, ", observed ") | html_time(b, ev->observed_at) | buf_puts(b, "</p>\n");
    size_t before = b->len;
    rc |= view_changes_of(b, f->changes, ev ? ev->diff : NULL);
    if (b->len == before)
        rc |= buf_puts(b, "<p class=\"muted\">No field changed (a new or removed item, or a "
                          "flag without an event).</p>\n");
    if (!ev)
        return rc;
    rc |= buf_puts(b, "<h2>The item before</h2>\n") | view_fields(b, ev->prev);
    rc |= buf_puts(b, "<h2>The item after</h2>\n") |
          view_fields(b, strcmp(ev->change, "removed") == 0 ? NULL : ev->item);
    return rc;
}

static int silence_part(buf_t *b, const store_silence_row_t *s)
{
    int rc = buf_puts(b, "<h2>Silenced</h2>\n<dl class=\"facts\">");
    rc |= buf_printf(b, "<dt>Silence</dt><dd>%lld</dd>", s->id) | fact(b, "Reason", s->reason);
    rc |= fact_time(b, "Until", s->until);
    if (s->removed_at)
        rc |= fact_time(b, "Removed", s->removed_at);
    return rc | buf_puts(b, "</dl>\n");
}

static int deliveries_part(buf_t *b, const store_delivery_t *d, size_t n)
{
    int rc = buf_puts(b, "<h2>Deliveries</h2>\n");
    if (!n)
        return rc | buf_puts(b, "<p class=\"muted\">No channel routed this flag.</p>\n");
    rc |= buf_puts(b, "<table class=\"deliveries\"><thead><tr><th>Channel</th><th>Status</th>"
                      "<th class=\"num\">Attempts</th><th>Last error</th><th>Next attempt</th>"
                      "<th>Sent</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < n; i++) {
        rc |= buf_puts(b, "<tr><td>") | html_text(b, d[i].channel) | buf_puts(b, "</td><td>") |
              html_text(b, d[i].status) | buf_printf(b, "</td><td class=\"num\">%d</td><td>",
                                                     d[i].attempts) |
              html_text(b, d[i].last_error) | buf_puts(b, "</td><td>") |
              html_time(b, d[i].next_attempt) | buf_puts(b, "</td><td>") |
              html_time(b, d[i].sent_at) | buf_puts(b, "</td></tr>\n");
    }
    return rc | buf_puts(b, "</tbody></table>\n");
}

static int verdict_part(const serve_req_t *r, buf_t *b, long long id, const store_verdict_t *v,
                        int found)
{
    int rc = buf_puts(b, "<h2>Verdict</h2>\n");
    if (found) {
        rc |= buf_puts(b, "<p class=\"verdict\"><strong>") | html_text(b, v->verdict) |
              buf_puts(b, "</strong> by ") | html_text(b, v->who) | buf_puts(b, ", ") |
              html_time(b, v->at) | buf_puts(b, "</p>\n");
        if (v->note && *v->note)
            rc |= buf_puts(b, "<blockquote class=\"note\">") | html_text(b, v->note) |
                  buf_puts(b, "</blockquote>\n");
    } else {
        rc |= buf_puts(b, "<p class=\"muted\">No verdict yet.</p>\n");
    }
    int useful = found && strcmp(v->verdict, "useful") == 0;
    int noise = found && strcmp(v->verdict, "noise") == 0;
    rc |= buf_printf(b, "<form class=\"verdict\" method=\"post\" action=\"/flags/%lld/verdict\">"
                        "<input type=\"hidden\" name=\"csrf\" value=\"", id) |
          html_text(b, r->csrf) | buf_puts(b, "\">");
    rc |= buf_printf(b, "<label><input type=\"radio\" name=\"verdict\" value=\"useful\"%s required>"
                        " useful</label> <label><input type=\"radio\" name=\"verdict\" "
                        "value=\"noise\"%s> noise</label>",
                     useful ? " checked" : "", noise ? " checked" : "");
    rc |= buf_puts(b, "<label>Note<textarea name=\"note\" rows=\"2\" maxlength=\"2000\">") |
          html_text(b, found ? v->note : NULL) |
          buf_puts(b, "</textarea></label><button type=\"submit\">Save verdict</button></form>\n");
    return rc;
}

/* The parts read for the page. */
typedef struct story {
    store_flag_row_t f;
    store_event_t *ev;
    store_silence_row_t silence;
    int silenced;
    store_delivery_t *d;
    size_t n_d;
    store_verdict_t v;
    int judged;
} story_t;

static void story_free(story_t *s)
{
    store_flag_row_free(&s->f);
    if (s->ev)
        store_events_free(s->ev, 1);
    store_silence_row_free(&s->silence);
    store_deliveries_free(s->d, s->n_d);
    if (s->judged)
        store_verdict_free(&s->v);
}

/* 1 read, 0 no such flag, -1 the database failed. */
static int story_read(store_t *st, long long id, story_t *s)
{
    err_t e = {{0}};
    *s = (story_t){0};
    int found = store_flag_get(st, id, &s->f, &e);
    if (found <= 0)
        return found;
    if ((s->f.event_id && store_event_get(st, s->f.event_id, &s->ev, &e) < 0) ||
        (s->f.silence_id &&
         (s->silenced = store_silence_get(st, s->f.silence_id, &s->silence, &e)) < 0) ||
        store_deliveries_get(st, id, &s->d, &s->n_d, &e) < 0 ||
        (s->judged = store_verdict_get(st, id, &s->v, &e)) < 0) {
        s->judged = s->judged > 0;
        story_free(s);
        return -1;
    }
    return 1;
}

int page_flag(const serve_req_t *r, serve_resp_t *out)
{
    long long id = page_flag_id(r->n_args ? r->args[0] : NULL);
    story_t s;
    int found = id ? story_read(r->ctx->st, id, &s) : 0;
    if (found < 0)
        return -1;
    if (!found)
        return serve_error_page(out, 404, "There is no such flag.");
    buf_t *b = &out->body;
    char title[40];
    snprintf(title, sizeof title, "Flag %lld", id);
    int rc = html_page_begin(b, r, title, "/flags") | buf_puts(b, "<h1>") |
             html_severity(b, s.f.severity) | buf_puts(b, " ") | html_text(b, s.f.message) |
             buf_puts(b, "</h1>\n");
    rc |= facts(r, b, &s.f) | event_part(b, &s.f, s.ev);
    if (s.silenced)
        rc |= silence_part(b, &s.silence);
    rc |= deliveries_part(b, s.d, s.n_d) | verdict_part(r, b, id, &s.v, s.judged);
    rc |= html_page_end(b);
    story_free(&s);
    return rc ? -1 : 0;
}

int page_flag_verdict(const serve_req_t *r, serve_resp_t *out)
{
    long long id = page_flag_id(r->n_args ? r->args[0] : NULL);
    if (!id)
        return serve_error_page(out, 404, "There is no such flag.");
    const char *verdict = serve_form(r, "verdict");
    if (!verdict || (strcmp(verdict, "useful") != 0 && strcmp(verdict, "noise") != 0))
        return serve_error_page(out, 400, "A verdict is \"useful\" or \"noise\".");
    const char *note = serve_form(r, "note");
    char at[32];
    clock_format_iso(clock_now(), at);
    err_t e = {{0}};
    int rc = store_verdict_set(r->ctx->st, id, verdict, note && *note ? note : NULL,
                               r->user ? r->user : "local", at, &e);
    if (rc < 0)
        return -1;
    if (rc == 1)
        return serve_error_page(out, 404, "There is no such flag.");
    out->status = 303;
    out->location = malloc(40);
    if (!out->location)
        return -1;
    snprintf(out->location, 40, "/flags/%lld", id);
    return 0;
}
