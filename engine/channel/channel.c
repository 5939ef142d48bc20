/* channel.c — handing a message to its channel's kind (see channel.h and
 * kind.h). */
#include "channel/channel.h"

#include "channel/kind.h"

int channel_send(const channel_cfg_t *c, const channel_msg_t *m, const channel_out_t *o, err_t *e)
{
    if (m->n == 0)
        return 0;
    if (!c->kind)
        return err_set(e, "channel %s: no kind to send messages with", c->id);
    return c->kind->send(c, m, o, e);
}
