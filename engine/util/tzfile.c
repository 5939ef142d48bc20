/* tzfile.c — wall-clock times in named zones, from TZif files (see
 * tzfile.h; the format is RFC 8536). Version 1 files are read with their
 * 32-bit table, later versions with the 64-bit table that follows it. */
#include "util/tzfile.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE (256 * 1024)
#define MAX_NAME 100
#define HEADER 44
#define NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+-/"

typedef struct zone {
    const unsigned char *times; /* timecnt big-endian times, 4 or 8 bytes each */
    const unsigned char *index; /* timecnt type indices */
    const unsigned char *types; /* typecnt 6-byte records: utoff, isdst, desigidx */
    long timecnt, typecnt;
    int width;                  /* 4 or 8 */
} zone_t;

static int valid_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > MAX_NAME || name[0] == '/')
        return 0;
    if (strspn(name, NAME_CHARS) != n || strstr(name, "//") || name[n - 1] == '/')
        return 0;
    return 1;
}

static long long be(const unsigned char *p, int width)
{
    uint64_t v = 0;
    for (int i = 0; i < width; i++)
        v = v << 8 | p[i];
    if (width == 4)
        return (int32_t)(uint32_t)v;
    return (long long)(int64_t)v;
}

/* The counts of the header at p: isut isstd leap time type char. */
static void counts(const unsigned char *p, long c[6])
{
    for (int i = 0; i < 6; i++)
        c[i] = (long)be(p + 20 + 4 * i, 4);
}

static long block_size(const long c[6], int width)
{
    return c[3] * width + c[3] + c[4] * 6 + c[5] + c[2] * (width + 4) + c[1] + c[0];
}

/* Find the table in the file's bytes. Returns 0, or -1 if it is not TZif. */
static int read_zone(const unsigned char *d, long n, zone_t *z)
{
    long c[6];
    if (n < HEADER || memcmp(d, "TZif", 4) != 0)
        return -1;
    counts(d, c);
    for (int i = 0; i < 6; i++)
        if (c[i] < 0 || c[i] > MAX_FILE)
            return -1;
    int width = 4;
    if (d[4] >= '2') { /* skip the 32-bit block to the 64-bit one */
        long skip = HEADER + block_size(c, 4);
        if (skip + HEADER > n || memcmp(d + skip, "TZif", 4) != 0)
            return -1;
        d += skip;
        n -= skip;
        counts(d, c);
        width = 8;
    }
    if (c[4] < 1 || HEADER + block_size(c, width) > n)
        return -1;
    z->times = d + HEADER;
    z->index = z->times + c[3] * width;
    z->types = z->index + c[3];
    z->timecnt = c[3];
    z->typecnt = c[4];
    z->width = width;
    for (long i = 0; i < z->timecnt; i++)
        if (z->index[i] >= z->typecnt)
            return -1;
    return 0;
}

static int type_offset(const zone_t *z, long type)
{
    return (int)be(z->types + 6 * type, 4);
}

/* The offset in force at the instant utc. Before the first transition:
 * the first standard-time type, as RFC 8536 says. */
static int offset_at(const zone_t *z, long long utc)
{
    long lo = 0, hi = z->timecnt; /* the first transition after utc */
    while (lo < hi) {
        long mid = lo + (hi - lo) / 2;
        if (be(z->times + mid * z->width, z->width) <= utc)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0)
        return type_offset(z, z->index[lo - 1]);
    for (long t = 0; t < z->typecnt; t++)
        if (z->types[6 * t + 4] == 0)
            return type_offset(z, t);
    return type_offset(z, 0);
}

/* The file's bytes (to free), or NULL. */
static unsigned char *load(const char *name, long *n)
{
    if (!valid_name(name))
        return NULL;
    const char *dir = getenv("TZDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *d = malloc(MAX_FILE);
    *n = d ? (long)fread(d, 1, MAX_FILE, f) : 0;
    fclose(f);
    return d;
}

int tzfile_check(const char *name)
{
    long long utc;
    return tzfile_to_utc(name, 0, &utc);
}

int tzfile_to_utc(const char *name, long long local, long long *utc)
{
    long n = 0;
    unsigned char *d = load(name, &n);
    zone_t z;
    if (!d || n >= MAX_FILE || read_zone(d, n, &z) != 0) {
        free(d);
        return -1;
    }
    /* Try the offset in force a day earlier (before any change that day),
     * then the one in force at that guess: the earlier instant of a
     * repeated hour, the offset before the change for a skipped one. */
    int before = offset_at(&z, local - 86400);
    long long guess = local - before;
    int at = offset_at(&z, guess);
    *utc = offset_at(&z, local - at) == at ? local - at : guess;
    free(d);
    return 0;
}
