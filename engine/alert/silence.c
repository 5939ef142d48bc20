/* silence.c — silences over the store (see silence.h): which active
 * silence covers a flag. */
#include "alert/silence.h"

#include <stddef.h>
#include <string.h>

#include "util/buf.h"
#include "util/clock.h"

int silence_add(store_t *st, const silence_t *s, long long *id, err_t *e)
{
    return store_silence_add(st, s, id, e);
}

int silence_remove(store_t *st, long long id, const char *now, int *found, err_t *e)
{
    return store_silence_remove(st, id, now, found, e);
}

int silence_list(store_t *st, const char *now, int all, silence_fn fn, void *ud, err_t *e)
{
    return store_silence_list(st, now, all, fn, ud, e);
}

static int same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* Does the silence cover the flag: its rule or "*", and its source and key
 * when it names them? */
static int covers(const store_silence_t *s, const store_flag_t *f)
{
    return (same(s->rule, f->rule) || same(s->rule, SILENCE_ANY_RULE)) &&
           (!s->source || same(s->source, f->source)) && (!s->key || same(s->key, f->key));
}

typedef struct match {
    const store_flag_t *flag;
    long long id;
    buf_t until;   /* the kept silence's */
} match_t;

/* Of the active silences (in id order), keep the covering one that lasts
 * longest; the first of those that end together. */
static int match_one(void *ud, const store_silence_t *s)
{
    match_t *m = ud;
    if (!covers(s, m->flag) || !s->until || (m->id && strcmp(s->until, buf_str(&m->until)) <= 0))
        return 0;
    m->id = s->id;
    buf_reset(&m->until);
    return buf_puts(&m->until, s->until) != 0;
}

int silence_match(store_t *st, const store_flag_t *f, long long *silence_id, err_t *e)
{
    char now[32];
    match_t m = {.flag = f};
    *silence_id = 0;
    if (!f->created_at)
        clock_format_iso(clock_now(), now);
    int rc = store_silence_list(st, f->created_at ? f->created_at : now, 0, match_one, &m, e);
    buf_free(&m.until);
    if (rc == 0)
        *silence_id = m.id;
    return rc;
}

int silence_mark(store_t *st, long long flag_id, long long silence_id, err_t *e)
{
    return store_flag_silence(st, flag_id, silence_id, e);
}
