/* kind_teams.c — the teams kind: an Adaptive Card posted to a Microsoft
 * Teams Workflows webhook (render_teams.c). A digest goes in cards of at
 * most 28 KB, the size a Workflows webhook takes. */
#include "channel/kind.h"

#include <stdint.h>

#include "channel/chat_post.h"
#include "channel/render_chat.h"

static const chat_service_t SERVICE = {"teams", TEAMS_MAX_BYTES, chat_teams_body};

#define teams_keys chat_hook_keys

static void *teams_parse(decl_t *d)
{
    return chat_hook_parse(d);
}

static void teams_check(decl_t *d, const void *data)
{
    chat_hook_check(d, data, "teams");
}

static int teams_send(const channel_cfg_t *c, const channel_msg_t *m, const channel_out_t *o,
                     err_t *e)
{
    (void)o;
    return chat_post(c, m, &SERVICE, e);
}

static void teams_free(void *data)
{
    chat_hook_free(data);
}

const channel_kind_t channel_kind_teams = {CHANNEL_KIND_FIELDS(teams), .json_body = 1};
