/* keys.h — the keys each declaration of vane.lua takes, as the loaders
 * check them (decl_*.c), NULL-terminated: for `vane help --names`, which
 * the man pages' drift test and the bash completion read. A channel's own
 * keys per kind are in channel_kinds[] (channel/kind.h). */
#ifndef VANE_CONFIG_KEYS_H
#define VANE_CONFIG_KEYS_H

extern const char *const decl_source_keys[];
extern const char *const decl_channel_keys[];   /* the keys every kind shares */
extern const char *const decl_watch_keys[];
extern const char *const decl_settings_keys[];
extern const char *const decl_serve_keys[];

#endif
