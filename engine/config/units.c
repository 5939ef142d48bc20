/* units.c — durations and sizes as written in vane.lua (see units.h). */
#include "config/units.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

static const char *skip_space(const char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

static long long duration_unit(char c)
{
    switch (c) {
    case 's': return 1;
    case 'm': return 60;
    case 'h': return 3600;
    case 'd': return 86400;
    case 'w': return 7 * 86400;
    default: return 0;
    }
}

int units_duration(const char *s, long long *seconds)
{
    const char *p = skip_space(s);
    long long total = 0;
    int parts = 0;
    while (*p) {
        char *end;
        if (!isdigit((unsigned char)*p))
            return -1;
        long long n = strtoll(p, &end, 10);
        p = skip_space(end);
        long long unit = 1;
        if (*p) {
            unit = duration_unit(*p);
            if (!unit)
                return -1;
            p = skip_space(p + 1);
        } else if (parts > 0) {
            return -1; /* "1h30" is ambiguous */
        }
        if (n > (1LL << 40) / unit)
            return -1;
        total += n * unit;
        parts++;
    }
    if (parts == 0)
        return -1;
    *seconds = total;
    return 0;
}

int units_size(const char *s, long long *bytes)
{
    const char *p = skip_space(s);
    char *end;
    if (!isdigit((unsigned char)*p))
        return -1;
    double n = strtod(p, &end);
    p = skip_space(end);
    static const struct { const char *name; double mult; } units[] = {
        {"", 1}, {"b", 1},
        {"k", 1e3}, {"kb", 1e3}, {"m", 1e6}, {"mb", 1e6}, {"g", 1e9}, {"gb", 1e9},
        {"kib", 1024.0}, {"mib", 1048576.0}, {"gib", 1073741824.0},
    };
    size_t len = 0;
    while (p[len] && !isspace((unsigned char)p[len]))
        len++;
    if (*skip_space(p + len))
        return -1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (len == 0 ? units[i].name[0] == '\0'
                     : (strncasecmp(p, units[i].name, len) == 0 && units[i].name[len] == '\0')) {
            double v = n * units[i].mult;
            if (v < 0 || v > 9e15)
                return -1;
            *bytes = (long long)v;
            return 0;
        }
    }
    return -1;
}

void units_format_size(long long bytes, char *out, unsigned long n)
{
    static const struct {
        long long factor;
        const char *name;
    } units[] = {{1000LL * 1000 * 1000, "GB"}, {1024LL * 1024 * 1024, "GiB"}, {1000LL * 1000, "MB"},
                 {1024LL * 1024, "MiB"}, {1000, "KB"}, {1024, "KiB"}};
    for (size_t i = 0; bytes > 0 && i < sizeof units / sizeof units[0]; i++)
        if (bytes % units[i].factor == 0) {
            snprintf(out, n, "%lld %s", bytes / units[i].factor, units[i].name);
            return;
        }
    snprintf(out, n, "%lld bytes", bytes);
}
