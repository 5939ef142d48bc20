/* worddiff.c — word-level difference of two texts (see worddiff.h). */
#include "util/worddiff.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ELLIPSIS "\xe2\x80\xa6"

typedef struct word {
    const char *p;
    size_t len;
} word_t;

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* The words of s, each with its trailing spaces; leading spaces are a word
 * of their own. NULL when memory ran out. */
static word_t *split_words(const char *s, size_t *n)
{
    size_t cap = 16;
    word_t *w = malloc(cap * sizeof *w);
    *n = 0;
    if (!w)
        return NULL;
    for (const char *p = s; *p;) {
        const char *start = p;
        while (*p && !is_space(*p))
            p++;
        while (*p && is_space(*p))
            p++;
        if (*n == cap) {
            word_t *more = realloc(w, 2 * cap * sizeof *w);
            if (!more) {
                free(w);
                return NULL;
            }
            w = more;
            cap *= 2;
        }
        w[(*n)++] = (word_t){start, (size_t)(p - start)};
    }
    return w;
}

static int same(const word_t *a, const word_t *b)
{
    return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

/* Append the text of words [from, to) as a segment op, merged with the
 * last one when it has the same op. */
static int add_seg(worddiff_t *d, size_t *cap, char op, const word_t *w, size_t from, size_t to)
{
    if (from >= to)
        return 0;
    size_t len = (size_t)(w[to - 1].p + w[to - 1].len - w[from].p);
    if (d->n && d->segs[d->n - 1].op == op) {
        worddiff_seg_t *s = &d->segs[d->n - 1];
        size_t old = strlen(s->text);
        char *more = realloc(s->text, old + len + 1);
        if (!more)
            return -1;
        memcpy(more + old, w[from].p, len);
        more[old + len] = '\0';
        s->text = more;
        return 0;
    }
    if (d->n == *cap) {
        size_t c = *cap ? 2 * *cap : 8;
        worddiff_seg_t *more = realloc(d->segs, c * sizeof *more);
        if (!more)
            return -1;
        d->segs = more;
        *cap = c;
    }
    worddiff_seg_t *s = &d->segs[d->n];
    s->op = op;
    s->text = malloc(len + 1);
    if (!s->text)
        return -1;
    memcpy(s->text, w[from].p, len);
    s->text[len] = '\0';
    d->n++;
    return 0;
}

typedef struct side {
    const word_t *w;
    size_t lo, hi;
} side_t;

/* The middle, compared word by word with an LCS table (lengths of the
 * common subsequence of the suffixes), walked from the start. */
static int lcs_middle(worddiff_t *d, size_t *cap, side_t a, side_t b)
{
    size_t n = a.hi - a.lo, m = b.hi - b.lo;
    uint32_t *t = calloc((n + 1) * (m + 1), sizeof *t);
    if (!t)
        return -1;
#define T(i, j) t[(i) * (m + 1) + (j)]
    for (size_t i = n; i-- > 0;)
        for (size_t j = m; j-- > 0;)
            T(i, j) = same(&a.w[a.lo + i], &b.w[b.lo + j])
                          ? T(i + 1, j + 1) + 1
                          : (T(i + 1, j) >= T(i, j + 1) ? T(i + 1, j) : T(i, j + 1));
    size_t i = 0, j = 0;
    int rc = 0;
    while (rc == 0 && (i < n || j < m)) {
        if (i < n && j < m && same(&a.w[a.lo + i], &b.w[b.lo + j])) {
            rc = add_seg(d, cap, '=', a.w, a.lo + i, a.lo + i + 1);
            i++, j++;
        } else if (j >= m || (i < n && T(i + 1, j) >= T(i, j + 1))) {
            rc = add_seg(d, cap, '-', a.w, a.lo + i, a.lo + i + 1);
            i++;
        } else {
            rc = add_seg(d, cap, '+', b.w, b.lo + j, b.lo + j + 1);
            j++;
        }
    }
#undef T
    free(t);
    return rc;
}

static int diff_words(worddiff_t *d, const word_t *wa, size_t na, const word_t *wb, size_t nb)
{
    size_t cap = 0, pre = 0, suf = 0;
    while (pre < na && pre < nb && same(&wa[pre], &wb[pre]))
        pre++;
    while (suf < na - pre && suf < nb - pre && same(&wa[na - 1 - suf], &wb[nb - 1 - suf]))
        suf++;
    side_t a = {wa, pre, na - suf}, b = {wb, pre, nb - suf};
    int rc = add_seg(d, &cap, '=', wa, 0, pre);
    size_t cells = (a.hi - a.lo + 1) * (b.hi - b.lo + 1);
    if (rc == 0 && a.hi > a.lo && b.hi > b.lo && cells <= WORDDIFF_MAX_CELLS) {
        rc = lcs_middle(d, &cap, a, b);
    } else if (rc == 0) {
        rc = add_seg(d, &cap, '-', wa, a.lo, a.hi);
        rc |= add_seg(d, &cap, '+', wb, b.lo, b.hi);
    }
    return rc | add_seg(d, &cap, '=', wa, na - suf, na);
}

int worddiff(const char *a, const char *b, worddiff_t *out)
{
    *out = (worddiff_t){0};
    size_t na, nb;
    word_t *wa = split_words(a ? a : "", &na), *wb = split_words(b ? b : "", &nb);
    int rc = wa && wb ? diff_words(out, wa, na, wb, nb) : -1;
    free(wa);
    free(wb);
    if (rc != 0)
        worddiff_free(out);
    return rc;
}

/* ---- shortening the kept text ---------------------------------------------- */

/* Where the k-th word from the start of s begins (its length when s has
 * fewer words). */
static size_t after_words(const char *s, size_t k)
{
    const char *p = s;
    while (is_space(*p))
        p++;
    for (size_t i = 0; i < k && *p; i++) {
        while (*p && !is_space(*p))
            p++;
        while (*p && is_space(*p))
            p++;
    }
    return (size_t)(p - s);
}

/* Where the last k words of s begin (0 when s has no more). */
static size_t last_words(const char *s, size_t k)
{
    size_t i = strlen(s);
    while (i > 0 && is_space(s[i - 1]))
        i--;
    for (size_t n = 0; n < k && i > 0; n++) {
        while (i > 0 && !is_space(s[i - 1]))
            i--;
        if (n + 1 < k)
            while (i > 0 && is_space(s[i - 1]))
                i--;
    }
    return i;
}

/* s[0..head) + mid + s[tail..], or NULL when memory ran out. */
static char *splice(const char *s, size_t head, const char *mid, size_t tail)
{
    size_t len = strlen(s), m = strlen(mid);
    char *out = malloc(head + m + (len - tail) + 1);
    if (!out)
        return NULL;
    memcpy(out, s, head);
    memcpy(out + head, mid, m);
    memcpy(out + head + m, s + tail, len - tail);
    out[head + m + len - tail] = '\0';
    return out;
}

/* A kept segment at the start keeps its last words, at the end its first
 * words, in the middle both. */
static int shorten_seg(worddiff_seg_t *s, int first, int last)
{
    const char *t = s->text;
    size_t len = strlen(t);
    size_t head = first ? 0 : after_words(t, WORDDIFF_CONTEXT);
    size_t tail = last ? len : last_words(t, WORDDIFF_CONTEXT);
    if ((first && last) || head >= tail || (first && tail == 0) || (last && head >= len))
        return 0;
    char *out = splice(t, head, last ? ELLIPSIS : ELLIPSIS " ", tail);
    if (!out)
        return -1;
    free(s->text);
    s->text = out;
    return 0;
}

int worddiff_shorten(worddiff_t *d)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->segs[i].op == '=' && shorten_seg(&d->segs[i], i == 0, i + 1 == d->n) != 0)
            return -1;
    return 0;
}

void worddiff_free(worddiff_t *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->segs[i].text);
    free(d->segs);
    *d = (worddiff_t){0};
}
