/* channel.c — dispatch of a message to its channel's transport (see
 * channel.h). The transports are written in their own files. */
#include "channel.h"

#include <stdio.h>
#include <string.h>

/* file: each flag's JSON object on a line of its own, appended. */
static int send_file(const channel_cfg_t *c, const channel_msg_t *m, err_t *e)
{
    FILE *f = fopen(c->path, "a");
    if (!f)
        return err_set(e, "channel %s: cannot open %s: %m", c->id, c->path);
    for (size_t i = 0; i < m->n; i++)
        fprintf(f, "%s\n", m->flags[i].json);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return err_set(e, "channel %s: cannot write %s", c->id, c->path);
    return 0;
}

int channel_send(const channel_cfg_t *c, const channel_msg_t *m, err_t *e)
{
    if (strcmp(c->kind, "file") == 0)
        return send_file(c, m, e);
    return err_set(e, "channel %s: kind %s is not written yet", c->id, c->kind);
}
