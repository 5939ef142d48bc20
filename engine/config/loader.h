/* loader.h — what the parts of config_load share, private to config/: the
 * loader's state, and the declaration helpers vane.lua calls, one file
 * each (decl_source.c, decl_channel.c, decl_watch.c, decl_settings.c,
 * decl_serve.c). */
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
    int keep_sandbox;      /* a channel has a function: the sandbox outlives the loading */
    struct loader **handle;/* what the helpers reach the loader by; NULL once loaded */
} loader_t;

/* The loader of the helper now running (its first upvalue). Raises a Lua
 * error when the loading is over (a helper kept and called by a channel's
 * function later). */
loader_t *loader_of(lua_State *L);

/* The line in vane.lua that called the helper now running. */
int loader_caller_line(lua_State *L);

/* Start reading the declaration `kind { … }` given as the helper's first
 * argument into d. Returns 0, or -1 (reported) when it is not a table. */
int loader_begin(lua_State *L, decl_t *d, const char *kind);

/* How one kind of declaration with an id (source, channel, watch) is
 * opened and closed by loader_open and loader_close. */
typedef struct loader_form {
    const char *kind;          /* "source": the helper, and the name its messages use */
    const char *const *keys;   /* the keys it takes, NULL-terminated; or NULL, and then */
    int (*known)(const char *key, const void *ud);   /* says which keys it takes */
    const char *id_rule;       /* what "KIND: bad id" adds, as " (…)", or "" */
    const char *builtin_id;    /* an id only a built-in declaration has, or NULL */
} loader_form_t;

/* The opening every declaration of form f shares: loader_begin, then what
 * every record has, *id (malloc'ed, NULL when missing) and *line; the
 * declaration's name for messages ("source 'ID'") in d->name and d->what,
 * its keys checked, and a missing or bad id reported. Returns 0, or -1
 * (reported, *id and *line left alone) when it is not a table. */
int loader_open(lua_State *L, decl_t *d, const loader_form_t *f, char **id, int *line);

/* The closing they share: a duplicate id, or the built-in one, reported.
 * Returns 1 when nothing was wrong with the declaration (the caller keeps
 * it with loader_keep_…), 0 when the caller frees it. */
int loader_close(decl_t *d, const loader_form_t *f, const char *id);

/* Add a copy of the record to the configuration being loaded, which owns
 * what it points to from then on. */
void loader_keep_source(loader_t *ld, const source_cfg_t *s);
void loader_keep_channel(loader_t *ld, const channel_cfg_t *c);
void loader_keep_watch(loader_t *ld, const watch_cfg_t *w);

int decl_source(lua_State *L);     /* source { … } */
int decl_channel(lua_State *L);    /* channel { … } */
int decl_watch(lua_State *L);      /* watch { … } */
int decl_settings(lua_State *L);   /* settings { … } */
int decl_serve(lua_State *L);      /* serve { … } */

void decl_source_free(source_cfg_t *s);
void decl_channel_free(channel_cfg_t *c);
void decl_watch_free(watch_cfg_t *w);
void decl_serve_free(serve_cfg_t *s);

#endif
