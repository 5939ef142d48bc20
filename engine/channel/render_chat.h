/* render_chat.h — what the chat kinds post (kind_slack.c, kind_teams.c,
 * kind_discord.c): their JSON bodies, and the text helpers they share.
 *
 * Every text of a flag goes through a chat_w_t writer, which escapes it for
 * the service (Slack's mrkdwn, Markdown), makes control characters spaces
 * and ill-formed UTF-8 U+FFFD, and cuts it with "…" at a budget counted in
 * UTF-16 code units (what the services count, or more), so each field stays
 * within the service's limit whatever the flag holds. The JSON string
 * escaping comes after, from json_put_string.
 *
 * Bodies (one flag, or a digest: a header, then each flag in order):
 *   Slack    {"text": fallback, "blocks": [section, context, changes,
 *            actions, …]}, Block Kit; size: blocks
 *   Teams    {"type":"message","attachments":[{Adaptive Card 1.4}]}; size:
 *            bytes
 *   Discord  {"content", "allowed_mentions":{"parse":[]}, "embeds":[…]};
 *            size: the characters Discord counts against its 6000, or
 *            SIZE_MAX past 10 embeds
 * A flag's template text (flag.text) replaces its message. Every function
 * returns 0, or -1 when memory ran out. */
#ifndef VANE_RENDER_CHAT_H
#define VANE_RENDER_CHAT_H

#include <stddef.h>

#include "channel/changes.h"
#include "channel/channel.h"
#include "util/buf.h"

/* ---- the services' limits ---------------------------------------------------- */

#define SLACK_MAX_BLOCKS 50        /* blocks per message */
#define SLACK_SECTION_MAX 3000     /* characters of a section's text */
#define SLACK_CONTEXT_MAX 2000     /* characters of a context element's text (kept lower) */
#define SLACK_BUTTON_URL_MAX 3000  /* characters of a button's url */
#define TEAMS_MAX_BYTES 28000      /* bytes of a Workflows webhook's body */
#define DISCORD_MAX_EMBEDS 10      /* embeds per message */
#define DISCORD_MAX_CHARS 6000     /* characters of all embeds of a message */
#define DISCORD_MAX_FIELDS 25      /* fields per embed */
#define DISCORD_TITLE_MAX 256
#define DISCORD_DESCRIPTION_MAX 4096
#define DISCORD_FIELD_NAME_MAX 256
#define DISCORD_FIELD_VALUE_MAX 1024

/* ---- the bodies ---------------------------------------------------------------- */

/* The Block Kit body of m, *blocks set to its number of blocks. With a
 * digest of more than max_blocks blocks the flags that do not fit are left
 * out and a last context block says how many ("… and N more flags");
 * SIZE_MAX renders them all (to measure a part of a split). */
int chat_slack_body(const channel_msg_t *m, size_t max_blocks, buf_t *out, size_t *blocks);

/* The Adaptive Card message of m, *bytes set to its length. */
int chat_teams_body(const channel_msg_t *m, buf_t *out, size_t *bytes);

/* The Discord execute-webhook body of m, *chars set to the characters of
 * its embeds as Discord counts them (SIZE_MAX past DISCORD_MAX_EMBEDS). */
int chat_discord_body(const channel_msg_t *m, buf_t *out, size_t *chars);

/* ---- the shared text helpers ------------------------------------------------- */

typedef enum chat_style {
    CHAT_PLAIN,    /* as it is */
    CHAT_SLACK,    /* mrkdwn: & < > as entities; * _ ~ ` between two U+200B so they stay text */
    CHAT_MARKDOWN, /* Markdown (Discord, Teams): \ * _ ~ ` | [ ] < > # backslash-escaped */
} chat_style_t;

/* A text being written within a budget. */
typedef struct chat_w {
    buf_t *out;
    chat_style_t style;
    size_t left;   /* UTF-16 code units still allowed */
    size_t used;   /* units written */
    int cut;       /* the budget ran out: "…" was written, chat_text writes no more */
    int rc;        /* -1 once memory ran out */
} chat_w_t;

chat_w_t chat_writer(buf_t *out, chat_style_t style, size_t max);

/* s escaped, keeping `keep` units for what must follow (a closing
 * marker); when it does not fit, as much as fits and "…". */
void chat_text(chat_w_t *w, const char *s, size_t keep);

/* The same, s taking at most max units. */
void chat_text_max(chat_w_t *w, const char *s, size_t keep, size_t max);

/* What follows is a piece of its own: written even when the one before
 * was cut. */
void chat_next(chat_w_t *w);

/* markup as it is, counted (the caller reserved room for it). */
void chat_mark(chat_w_t *w, const char *markup);

/* How a change's word diff is marked. */
typedef struct chat_marks {
    const char *del_open, *del_close, *ins_open, *ins_close;
} chat_marks_t;

extern const chat_marks_t CHAT_MARKS_SLACK;    /* ~removed~ *added* */
extern const chat_marks_t CHAT_MARKS_MARKDOWN; /* ~~removed~~ **added** */
extern const chat_marks_t CHAT_MARKS_TEXT;     /* [-removed-]{+added+} */

/* What changed in one field: "OLD → NEW", or its word diff marked by mk
 * (the spaces around a marked run outside its markers). */
void chat_change(chat_w_t *w, const flag_change_t *ch, const chat_marks_t *mk);

/* "rule title · source name · observed_at", each falling back to the
 * rule's and the source's id; with_time 0 leaves the time out. */
void chat_context(chat_w_t *w, const channel_flag_t *f, int with_time);

/* The message text of f: its template's text, else its message. */
const char *chat_message(const channel_flag_t *f);

/* Is s an http(s) URL without spaces or control characters? */
int chat_is_link(const char *s);

/* s as a URL inside markup: space " < > ( ) | ` percent-encoded, so it
 * cannot end a Slack <url|text> or a Markdown (url) early. */
int chat_put_url(buf_t *out, const char *s);

/* The colour of a severity as 0xRRGGBB (grey for an unknown one). */
long chat_severity_color(const char *severity);

/* Adaptive Cards' colour name for a severity: attention, warning, good, default. */
const char *chat_severity_style(const char *severity);

/* "vane: N new flag(s)" */
int chat_digest_header(const channel_msg_t *m, buf_t *out);

#endif
