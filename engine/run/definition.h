/* definition.h — a source's definition as a fingerprint, so that an edit
 * takes effect.
 *
 * What a source's items are depends on more than its document: its url,
 * its script's name and text, its options, its ignore list and its cap on
 * an item's size. The fingerprint is one short hash per part, written as
 * "url=…;script=…;options=…;ignore=…;max_item_bytes=…", then ";request=…"
 * when the source sends more than a plain GET (headers, cookies, a body,
 * credentials: hashed, never kept in clear), and stored with the
 * source's state at every extraction. A run that finds the stored one
 * different fetches the source without validators and extracts it again
 * even when the body is the same, and stores the changes as a re-baseline
 * (run.c): a fixed selector is not news. */
#ifndef VANE_RUN_DEFINITION_H
#define VANE_RUN_DEFINITION_H

#include <stddef.h>

#include "config/config.h"
#include "util/buf.h"

/* The fingerprint of source s read by the script text script (len bytes),
 * appended to out. Returns 0, or -1 when out of memory. */
int definition_fingerprint(const source_cfg_t *s, const char *script, size_t len, buf_t *out);

/* The parts that differ between the stored fingerprint and the current one,
 * appended to out as "script, options". Returns how many differ; 0 when
 * stored is NULL (a source stored before fingerprints: it takes the
 * current definition as its own). */
int definition_changes(const char *stored, const char *current, buf_t *out);

#endif
