/* kind_discord.c — the discord kind: a Discord webhook executed with one
 * embed per flag (render_discord.c). A digest goes in messages of at most
 * 10 embeds and 6000 characters, Discord's limits per message. */
#include "channel/kind.h"

#include <stdint.h>

#include "channel/chat_post.h"
#include "channel/render_chat.h"

static const chat_service_t SERVICE = {"discord", DISCORD_MAX_CHARS, chat_discord_body};

#define discord_keys chat_hook_keys

static void *discord_parse(decl_t *d)
{
    return chat_hook_parse(d);
}

static void discord_check(decl_t *d, const void *data)
{
    chat_hook_check(d, data, "discord");
}

static int discord_send(const channel_cfg_t *c, const channel_msg_t *m, const channel_out_t *o,
                     err_t *e)
{
    (void)o;
    return chat_post(c, m, &SERVICE, e);
}

static void discord_free(void *data)
{
    chat_hook_free(data);
}

const channel_kind_t channel_kind_discord = {CHANNEL_KIND_FIELDS(discord), .json_body = 1};
