/* extmem.h — memory that C libraries allocate on behalf of a chunk
 * (libxml2's documents, PCRE2's compiled patterns and match frames),
 * counted against the ceiling of the sandbox whose call is running.
 *
 * Every block carries a small header naming the account it was charged to,
 * so a block freed later (a document collected in another call, or when
 * the state closes) is credited back to the right sandbox. An account
 * outlives its sandbox while blocks still point at it. While no sandbox
 * call runs (configuration, the host's own parsing) blocks are charged to
 * nobody and never refused. Single-threaded, like the rest of vane. */
#ifndef VANE_EXTMEM_H
#define VANE_EXTMEM_H

#include <stddef.h>

typedef struct sandbox sandbox_t;
typedef struct extmem_account extmem_account_t;

/* A new account for sb (NULL when out of memory); closed by sandbox_free. */
extmem_account_t *extmem_account_new(sandbox_t *sb);
void extmem_account_close(extmem_account_t *a);

/* Bytes held by blocks charged to a (headers included); 0 for NULL. */
size_t extmem_used(const extmem_account_t *a);

/* The account charged from now on (sandbox_call keeps it current). */
void extmem_set_current(extmem_account_t *a);

/* How many allocations the ceiling refused since the counter was last
 * reset, for callers whose library turns a refusal into a vague failure. */
unsigned long extmem_refusals(void);
void extmem_reset_refusals(void);

/* In soft mode an allocation past the ceiling is not refused but counted
 * as a refusal all the same: for a library that does not survive a failed
 * malloc (libxml2 2.9's HTML parser can loop forever after one), which the
 * caller stops by other means once extmem_refusals() is non-zero. */
void extmem_set_soft(int on);

/* malloc, realloc, free and strdup that charge the current account and
 * return NULL past its sandbox's ceiling. Blocks from these must be freed
 * by extmem_free or extmem_realloc only. */
void *extmem_malloc(size_t n);
void *extmem_realloc(void *p, size_t n);
void extmem_free(void *p);
char *extmem_strdup(const char *s);

/* Allocator shape PCRE2's general context wants (data unused). */
void *extmem_pcre2_malloc(size_t n, void *data);
void extmem_pcre2_free(void *p, void *data);

#endif
