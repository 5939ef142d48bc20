/* kind_slack.c — the slack kind: a Slack incoming webhook, posted Block Kit
 * (render_slack.c: a section with the message and the item linked, a
 * context, what changed, an "Open item" button). A digest goes in parts of
 * at most 50 blocks, Slack's limit per message. */
#include "channel/kind.h"

#include <stdint.h>

#include "channel/chat_post.h"
#include "channel/render_chat.h"

static int slack_render(const channel_msg_t *m, buf_t *out, size_t *size)
{
    return chat_slack_body(m, SIZE_MAX, out, size);
}

static const chat_service_t SERVICE = {"slack", SLACK_MAX_BLOCKS, slack_render};

#define slack_keys chat_hook_keys

static void *slack_parse(decl_t *d)
{
    return chat_hook_parse(d);
}

static void slack_check(decl_t *d, const void *data)
{
    chat_hook_check(d, data, "slack");
}

static int slack_send(const channel_cfg_t *c, const channel_msg_t *m, const channel_out_t *o,
                     err_t *e)
{
    (void)o;
    return chat_post(c, m, &SERVICE, e);
}

static void slack_free(void *data)
{
    chat_hook_free(data);
}

const channel_kind_t channel_kind_slack = {CHANNEL_KIND_FIELDS(slack), .json_body = 1};
