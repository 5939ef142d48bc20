/* kind.h — a channel kind: everything vane knows about one way of
 * delivering flags (stdout, file, webhook, email, exec, atom, slack, …), as one
 * channel_kind_t defined in one file (kind_NAME.c) and listed once, in
 * channel_kinds[] (kinds.c). Nothing else names a kind.
 *
 * config reads a `channel { … }` declaration's common fields (id, routing,
 * delivery) itself and hands the declaration to the kind's parse, which
 * keeps what it read in a private structure of its own: c->data, known
 * only to the kind's file. */
#ifndef VANE_KIND_H
#define VANE_KIND_H

#include "channel/channel.h"
#include "config/decl.h"

typedef struct channel_kind {
    const char *name;     /* kind = "NAME" */
    const char *alias;    /* another name read as this kind ("jsonl" for file), or NULL */
    /* the kind's own keys of the declaration, NULL-terminated; a key no
     * kind and no common field knows is reported as unknown */
    const char *const *keys;
    /* 1 when every flag goes out on its own even with digest = true */
    int one_by_one;
    /* 1 when a template's table (channel_msg_t.body_json) is sent as the
     * whole body; a kind without it takes only a template's text */
    int json_body;
    /* Called by config_load once per `channel { … }` of this kind, after
     * the common fields: reads the kind's keys from d, reports bad values
     * through d, and returns its private data (NULL if it needs none). */
    void *(*parse)(decl_t *d);
    /* Called right after parse with what it returned: reports what the
     * kind needs and lacks (a file without path, …) through d. */
    void (*check)(decl_t *d, const void *data);
    /* Called by channel_send for each message routed to a channel of this
     * kind (never with an empty message): 0 once the channel accepted m,
     * else -1 with e set to "channel ID: …" (never printing, never
     * revealing a secret). o is where the run prints (the stdout kind). */
    int (*send)(const channel_cfg_t *c, const channel_msg_t *m, const channel_out_t *o,
                err_t *e);
    /* Called by config_free for every channel parsed, kept or rejected,
     * with the data parse returned. */
    void (*free)(void *data);
} channel_kind_t;

/* The fields of the kind NAME from the names its file gives them:
 *     .name = "NAME", .keys = NAME_keys, .parse = NAME_parse,
 *     .check = NAME_check, .send = NAME_send, .free = NAME_free
 * so that kind_NAME.c ends with
 *     const channel_kind_t channel_kind_NAME = {CHANNEL_KIND_FIELDS(NAME)};
 * and any other field (.alias, .one_by_one) after it inside the braces. */
#define CHANNEL_KIND_FIELDS(NAME)                                                              \
    .name = #NAME, .keys = NAME##_keys, .parse = NAME##_parse, .check = NAME##_check,          \
    .send = NAME##_send, .free = NAME##_free

/* Every kind, NULL-terminated. */
extern const channel_kind_t *const channel_kinds[];

/* The kind called (or aliased) name, or NULL. */
const channel_kind_t *channel_kind_find(const char *name);

/* Is key one of some kind's own keys? */
int channel_kind_key(const char *key);

/* The kinds' names as listed in a message: "stdout, file, …". */
const char *channel_kind_names(void);

#endif
