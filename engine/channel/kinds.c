/* kinds.c — the list of channel kinds (kind.h). A new kind is its file
 * kind_NAME.c and one entry here. */
#include "channel/kind.h"

#include <stdio.h>
#include <string.h>

extern const channel_kind_t channel_kind_stdout, channel_kind_file, channel_kind_webhook,
    channel_kind_email, channel_kind_exec, channel_kind_slack, channel_kind_teams,
    channel_kind_discord, channel_kind_atom,
    channel_kind_telegram, channel_kind_matrix, channel_kind_ntfy, channel_kind_pushover;

const channel_kind_t *const channel_kinds[] = {
    &channel_kind_stdout,
    &channel_kind_file,
    &channel_kind_webhook,
    &channel_kind_email,
    &channel_kind_exec,
    &channel_kind_slack,
    &channel_kind_teams,
    &channel_kind_discord,
    &channel_kind_atom,
    &channel_kind_telegram,
    &channel_kind_matrix,
    &channel_kind_ntfy,
    &channel_kind_pushover,
    NULL,
};

const channel_kind_t *channel_kind_find(const char *name)
{
    for (size_t i = 0; name && channel_kinds[i]; i++) {
        const channel_kind_t *k = channel_kinds[i];
        if (strcmp(name, k->name) == 0 || (k->alias && strcmp(name, k->alias) == 0))
            return k;
    }
    return NULL;
}

int channel_kind_key(const char *key)
{
    for (size_t i = 0; channel_kinds[i]; i++)
        if (channel_kinds[i]->keys && decl_listed(channel_kinds[i]->keys, key))
            return 1;
    return 0;
}

const char *channel_kind_names(void)
{
    static char names[256];
    if (names[0])
        return names;
    for (size_t i = 0; channel_kinds[i]; i++) {
        size_t used = strlen(names);
        snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", channel_kinds[i]->name);
    }
    return names;
}
