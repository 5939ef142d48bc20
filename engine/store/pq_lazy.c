/* pq_lazy.c — libpq, opened when first needed (see pq_lazy.h). */
#include "store/pq_lazy.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>

#define PQ_LIBRARY "libpq.so.5"

pq_api_t pq;

static struct {
    int tried;
    void *lib;
    err_t error;
} state;

#define PQ_FIND(f) ok = ok && (*(void **)&pq.f = dlsym(state.lib, #f)) != NULL;

static int find_all(void)
{
    int ok = 1;
    PQ_FUNCTIONS(PQ_FIND)
    return ok;
}

int pq_load(err_t *e)
{
    if (!state.tried) {
        state.tried = 1;
        state.lib = dlopen(PQ_LIBRARY, RTLD_NOW | RTLD_LOCAL);
        if (!state.lib || !find_all()) {
            const char *why = dlerror();
            err_set(e, "cannot load %s: %s (Debian: apt install libpq5)", PQ_LIBRARY,
                    why ? why : "a function is missing");
            state.error = *e;
            if (state.lib)
                dlclose(state.lib);
            state.lib = NULL;
        }
        return state.lib ? 0 : -1;
    }
    if (!state.lib)
        *e = state.error;
    return state.lib ? 0 : -1;
}

int pq_loaded(void)
{
    return state.lib != NULL;
}
