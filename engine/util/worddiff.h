/* worddiff.h — the word-level difference of two texts, for showing what
 * changed in a long field (an advisory's summary, a page's paragraph).
 *
 * Words are maximal runs of non-space characters, each with the spaces
 * after it, so the kept, removed and added segments concatenate back to
 * the texts exactly. The common start and end are found first (a long
 * text usually changes in one place); the rest is compared with a
 * longest-common-subsequence table when it is small enough
 * (WORDDIFF_MAX_CELLS), else reported as one removal and one addition. */
#ifndef VANE_WORDDIFF_H
#define VANE_WORDDIFF_H

#include <stddef.h>

#define WORDDIFF_MAX_CELLS (4u << 20)   /* LCS cells compared at most */
#define WORDDIFF_CONTEXT 8              /* words kept each side of a change when shortened */

typedef struct worddiff_seg {
    char op;            /* '=' in both, '-' only in the old, '+' only in the new */
    char *text;
} worddiff_seg_t;

typedef struct worddiff {
    worddiff_seg_t *segs;
    size_t n;
} worddiff_t;

/* The segments turning a into b, adjacent segments of one op merged.
 * 0, or -1 when memory ran out. */
int worddiff(const char *a, const char *b, worddiff_t *out);

/* Shorten the kept segments to WORDDIFF_CONTEXT words each side of a
 * change, "… " / " …" marking a cut ("…" alone for a cut middle). 0, or
 * -1 when memory ran out. */
int worddiff_shorten(worddiff_t *d);

void worddiff_free(worddiff_t *d);

#endif
