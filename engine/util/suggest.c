/* suggest.c — the closest known name to a mistyped one (contract in
 * suggest.h). */
#include "util/suggest.h"

#include <ctype.h>
#include <string.h>

#define SUGGEST_MAX_DIST 2
#define SUGGEST_MAX_LEN 128    /* longer words are only matched by prefix */
#define SUGGEST_MIN_PREFIX 3

static int same(char a, char b)
{
    return tolower((unsigned char)a) == tolower((unsigned char)b);
}

static size_t min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;
    return m < c ? m : c;
}

/* The optimal string alignment distance between a (la bytes) and b (lb),
 * both at most SUGGEST_MAX_LEN; three rows of the usual table. */
static size_t distance(const char *a, size_t la, const char *b, size_t lb)
{
    size_t rows[3][SUGGEST_MAX_LEN + 1];
    size_t *two = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = same(a[i - 1], b[j - 1]) ? 0 : 1;
            cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
            if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1])
                && two[j - 2] + 1 < cur[j])
                cur[j] = two[j - 2] + 1;
        }
        size_t *t = two;
        two = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb];
}

/* Whether the shorter of a and b starts the longer and is long enough. */
static int shares_prefix(const char *a, size_t la, const char *b, size_t lb)
{
    size_t k = la < lb ? la : lb;
    if (k < SUGGEST_MIN_PREFIX)
        return 0;
    for (size_t i = 0; i < k; i++)
        if (!same(a[i], b[i]))
            return 0;
    return 1;
}

const char *suggest_closest(const char *word, const char *const *names, size_t n)
{
    if (!word || !names)
        return NULL;
    size_t lw = strlen(word);
    const char *best = NULL, *prefixed = NULL;
    size_t best_d = SUGGEST_MAX_DIST + 1;
    for (size_t i = 0; i < n; i++) {
        const char *name = names[i];
        if (!name)
            continue;
        size_t ln = strlen(name);
        if (lw <= SUGGEST_MAX_LEN && ln <= SUGGEST_MAX_LEN) {
            size_t d = distance(word, lw, name, ln);
            if (d < best_d && d < lw) {
                best_d = d;
                best = name;
            }
        }
        if (!prefixed && shares_prefix(word, lw, name, ln))
            prefixed = name;
    }
    return best ? best : prefixed;
}
