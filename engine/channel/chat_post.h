/* chat_post.h — what the chat kinds (slack, teams, discord) share about
 * delivering: their one key, url (the hook's URL, a secret: url = env
 * "NAME"), and posting a message as JSON through http_send, a digest split
 * by split_send into parts within the service's limit. A template's table
 * (m->body_json) is posted as it is. */
#ifndef VANE_CHAT_POST_H
#define VANE_CHAT_POST_H

#include "channel/channel.h"
#include "config/decl.h"
#include "util/buf.h"

typedef struct chat_hook {
    char *url;
} chat_hook_t;

/* A kind's renderer: m's body into out, its size in the service's measure. */
typedef int (*chat_render_fn)(const channel_msg_t *m, buf_t *out, size_t *size);

/* How a kind posts. */
typedef struct chat_service {
    const char *name;       /* "slack": names the service in errors */
    size_t limit;           /* the most a part's size may be */
    chat_render_fn render;
} chat_service_t;

extern const char *const chat_hook_keys[];   /* {"url", NULL} */

void *chat_hook_parse(decl_t *d);

/* Reports a missing or non-http(s) url (never showing it). */
void chat_hook_check(decl_t *d, const void *data, const char *kind);

void chat_hook_free(void *data);

/* Post m to c's hook: 0 once every part was accepted, else -1 with e set
 * to "channel ID: …". */
int chat_post(const channel_cfg_t *c, const channel_msg_t *m, const chat_service_t *s, err_t *e);

#endif
