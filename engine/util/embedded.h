/* embedded.h — files built into the binary: db/ migrations, shipped
 * scripts/ and rules/, and the Lua parts of the `vane` module (engine/lib/lua/).
 * The table is generated at build time by tools/embed.sh. */
#ifndef VANE_EMBEDDED_H
#define VANE_EMBEDDED_H

#include <stddef.h>

typedef struct embedded_file {
    const char *name;  /* path relative to the project top, e.g. "db/001_init.sql" */
    const char *data;  /* NUL-terminated */
    size_t len;
} embedded_file_t;

/* Terminated by an entry whose name is NULL; sorted as given to embed.sh. */
extern const embedded_file_t embedded_files[];

/* The embedded file with exactly this name, or NULL. */
const embedded_file_t *embedded_find(const char *name);

#endif
