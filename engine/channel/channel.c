/* channel.c — dispatch of a message to its channel's transport (see
 * channel.h); the transports are send_file.c, send_webhook.c, send_email.c
 * and send_exec.c, their bodies are built by payload.c. */
#include "channel/channel.h"

#include <string.h>

#include "channel/send.h"

long send_timeout(const channel_cfg_t *c)
{
    return c->timeout > 0 ? (long)c->timeout : SEND_DEFAULT_TIMEOUT;
}

void send_snippet(const char *s, size_t len, size_t max, char *out, size_t outsize)
{
    size_t o = 0, i = 0;
    if (outsize == 0)
        return;
    while (i < len && o + 4 < outsize) {
        unsigned char c = (unsigned char)s[i];
        size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
        if (i + n > len)
            n = len - i;
        if (i + n > max || o + n + 4 > outsize) {
            memcpy(out + o, "\xe2\x80\xa6", 3);   /* … */
            o += 3;
            break;
        }
        for (size_t k = 0; k < n; k++)
            out[o++] = (n == 1 && (c < 0x20 || c == 0x7f)) ? ' ' : s[i + k];
        i += n;
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
}

int channel_send(const channel_cfg_t *c, const channel_msg_t *m, err_t *e)
{
    if (m->n == 0)
        return 0;
    const char *kind = c->kind ? c->kind : "";
    if (strcmp(kind, "file") == 0 || strcmp(kind, "jsonl") == 0)
        return send_file(c, m, e);
    if (strcmp(kind, "webhook") == 0)
        return send_webhook(c, m, e);
    if (strcmp(kind, "email") == 0)
        return send_email(c, m, e);
    if (strcmp(kind, "exec") == 0)
        return send_exec(c, m, e);
    return err_set(e, "channel %s: kind %s cannot send messages", c->id, kind);
}
