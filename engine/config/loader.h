/* loader.h — what the parts of config_load share, private to config/: the
 * loader's state, and the declaration helpers vane.lua calls, one file
 * each (decl_source.c, decl_channel.c, decl_watch.c, decl_settings.c). */
#ifndef VANE_LOADER_H
#define VANE_LOADER_H

#include <lua.h>
#include <stddef.h>

#include "config/config.h"
#include "config/decl.h"

typedef struct loader {
    config_t *cfg;
    errlist_t *errs;
    const char *chunk;     /* the file name used in messages */
    int have_rules;
    size_t cap_sources, cap_channels, cap_watches;
    lua_State *L;
    int seen;              /* registry ref: "source:ID" -> line, even for rejected ones */
} loader_t;

/* The loader of the helper now running (its first upvalue). */
loader_t *loader_of(lua_State *L);

/* The line in vane.lua that called the helper now running. */
int loader_caller_line(lua_State *L);

/* Start reading the declaration `kind { … }` given as the helper's first
 * argument into d. Returns 0, or -1 (reported) when it is not a table. */
int loader_begin(lua_State *L, decl_t *d, const char *kind);

/* Report a duplicate when kind:id was declared before (rejected
 * declarations count too, so a duplicate is reported even when the first
 * one had another mistake); remember this declaration's line otherwise. */
void loader_check_unique(decl_t *d, const char *kind, const char *id);

/* arr (*n elements of size bytes used, *cap allocated) with a copy of
 * elem added at its end: the same array, or a larger one (the first
 * allocation holds `first` elements). */
void *loader_append(void *arr, size_t *n, size_t *cap, size_t first, const void *elem, size_t size);

int decl_source(lua_State *L);     /* source { … } */
int decl_channel(lua_State *L);    /* channel { … } */
int decl_watch(lua_State *L);      /* watch { … } */
int decl_settings(lua_State *L);   /* settings { … } */

void decl_source_free(source_cfg_t *s);
void decl_channel_free(channel_cfg_t *c);
void decl_watch_free(watch_cfg_t *w);

#endif
