/* template.h — calling a channel's functions of vane.lua: `format =
 * function(flag)` (the message a flag becomes) and `match =
 * function(flag)` (whether the channel takes a flag).
 *
 * Both run in the configuration's sandbox (config_t.sandbox) under the
 * settings' limits (instructions, memory, time per call). The flag is
 * given as a table: the flag's JSON object decoded (README, "Templates").
 * Every failure — a runtime error, a wrong return, a limit — comes back as
 * "vane.lua:LINE: channel ID: format: message", LINE being the line that
 * defines the function; the caller then falls back (the kind's own format,
 * the flag queued) so an alert is never lost on a template's mistake. */
#ifndef VANE_TEMPLATE_H
#define VANE_TEMPLATE_H

#include "channel/channel.h"
#include "config/config.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/err.h"

/* What format returned. */
typedef enum template_result {
    TEMPLATE_TEXT,     /* a string: the message's text */
    TEMPLATE_JSON      /* a table, encoded as JSON: the body a JSON-posting kind sends */
} template_result_t;

/* Whether c's kind posts JSON, so that format may return a table for a
 * one-flag message (not stdout, file, email). */
int template_table_ok(const channel_cfg_t *c);

/* Call c's format (c->format_ref must be set) on the flag flag_json. The
 * text or JSON is appended to out and *what says which; a table is refused
 * unless table_ok. Returns 0, or -1 with e set as above. */
int template_format(const config_t *cfg, const channel_cfg_t *c, const char *flag_json,
                    int table_ok, buf_t *out, template_result_t *what, err_t *e);

/* Call c's match (c->match_ref must be set) on the flag flag_json: *takes
 * is 1 when it returned a truthy value. Returns 0, or -1 with e set. */
int template_match(const config_t *cfg, const channel_cfg_t *c, const char *flag_json, int *takes,
                   err_t *e);

/* The flag JSON object of a flag about to be queued (what the outbox will
 * carry), appended to out. Returns 0, or -1 when memory ran out. */
int template_flag_json(const store_flag_t *f, buf_t *out);

/* The sample flag `vane check` renders each format on and `vane channel
 * test` sends (README, "Templates"): an advisory's level lowered, with
 * every context field filled and a word diff; its id is 0, which no real
 * flag has. f's strings are static. */
void template_sample(channel_flag_t *f);

/* Render c's format on the sample flag into out, as it would be sent in a
 * one-flag message (*what says text or JSON). Returns 0, or -1 with e set
 * (c without format: 0 with out empty and *what TEMPLATE_TEXT). */
int template_render_sample(const config_t *cfg, const channel_cfg_t *c, buf_t *out,
                           template_result_t *what, err_t *e);

#endif
