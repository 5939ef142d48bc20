/* extmem.c — counted memory for C libraries working for a chunk (see
 * extmem.h). */
#include "sandbox/extmem.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/sandbox.h"

struct extmem_account {
    sandbox_t *sb;      /* NULL once the sandbox is freed */
    size_t used;        /* bytes of live blocks, headers included */
    size_t blocks;      /* live blocks pointing here */
};

/* Prepended to every block; aligned (and so sized) for any type, so the
 * payload after it is aligned as malloc's is. */
typedef struct header {
    _Alignas(max_align_t) extmem_account_t *acct;
    size_t size;    /* of the whole block, header included */
} header_t;

static extmem_account_t *current;
static unsigned long refusals;
static int soft;

extmem_account_t *extmem_account_new(sandbox_t *sb)
{
    extmem_account_t *a = calloc(1, sizeof *a);
    if (a)
        a->sb = sb;
    return a;
}

void extmem_account_close(extmem_account_t *a)
{
    if (!a)
        return;
    if (current == a)
        current = NULL;
    a->sb = NULL;
    if (a->blocks == 0)
        free(a);
}

size_t extmem_used(const extmem_account_t *a)
{
    return a ? a->used : 0;
}

void extmem_set_current(extmem_account_t *a)
{
    current = a;
}

unsigned long extmem_refusals(void)
{
    return refusals;
}

void extmem_reset_refusals(void)
{
    refusals = 0;
}

void extmem_set_soft(int on)
{
    soft = on;
}

/* Whether the current account's sandbox may grow by n bytes. */
static int may_grow(size_t n)
{
    if (!current || !current->sb || sandbox_mem_fits(current->sb, n))
        return 1;
    refusals++;
    return soft;
}

static void credit(extmem_account_t *a, size_t size, int block)
{
    if (!a)
        return;
    a->used -= size;
    a->blocks -= (size_t)block;
    if (a->blocks == 0 && !a->sb)
        free(a);
}

void *extmem_malloc(size_t n)
{
    if (n > SIZE_MAX - sizeof(header_t))
        return NULL;
    size_t size = n + sizeof(header_t);
    if (!may_grow(size))
        return NULL;
    header_t *b = malloc(size);
    if (!b)
        return NULL;
    b->acct = current;
    b->size = size;
    if (current) {
        current->used += size;
        current->blocks++;
    }
    return b + 1;
}

void extmem_free(void *p)
{
    if (!p)
        return;
    header_t *b = (header_t *)p - 1;
    credit(b->acct, b->size, 1);
    free(b);
}

/* A block keeps the account it was first charged to: growing it charges
 * that account (refused past its ceiling while its call runs). */
void *extmem_realloc(void *p, size_t n)
{
    if (!p)
        return extmem_malloc(n);
    if (n > SIZE_MAX - sizeof(header_t))
        return NULL;
    header_t *b = (header_t *)p - 1;
    extmem_account_t *a = b->acct;
    size_t old = b->size, size = n + sizeof(header_t);
    if (size > old && a && a->sb && !sandbox_mem_fits(a->sb, size - old)) {
        refusals++;
        if (!soft)
            return NULL;
    }
    header_t *nb = realloc(b, size);
    if (!nb)
        return NULL;
    nb->size = size;
    if (a)
        a->used = a->used - old + size;
    return nb + 1;
}

char *extmem_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = extmem_malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

void *extmem_pcre2_malloc(size_t n, void *data)
{
    (void)data;
    return extmem_malloc(n);
}

void extmem_pcre2_free(void *p, void *data)
{
    (void)data;
    extmem_free(p);
}
