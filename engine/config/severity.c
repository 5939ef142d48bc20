/* severity.c — the severity vocabulary (see severity.h). */
#include "config/severity.h"

#include <string.h>

static const char *const severities[] = {"info", "low", "medium", "high", "critical"};

int severity_rank(const char *name)
{
    for (int i = 0; i < 5; i++)
        if (name && strcmp(name, severities[i]) == 0)
            return i;
    return -1;
}

const char *severity_name(int rank)
{
    return rank >= 0 && rank < 5 ? severities[rank] : "unknown";
}
