/* split.h — a digest sent as several messages when one would pass the
 * service's size limit (Slack's 50 blocks, Telegram's 4096 characters, …).
 *
 * The flags are cut into runs, in order, each as long as its rendering
 * fits the limit; a flag that does not fit alone goes alone (its kind's
 * renderer shortens it). Each run is rendered and sent as a digest of its
 * own; the first failure stops the rest and is returned, so the outbox
 * retries the whole digest (a receiver may see the parts before the
 * failure twice: delivery is at least once). */
#ifndef VANE_SPLIT_H
#define VANE_SPLIT_H

#include "channel/channel.h"
#include "util/buf.h"

/* Render part (a digest of some of the flags) into out: 0, or -1 when
 * memory ran out. size is what the limit is compared with (bytes, or
 * characters, or blocks: the kind's measure of its body). */
typedef int (*split_render_fn)(const channel_msg_t *part, void *ud, buf_t *out, size_t *size);
/* Send one rendered part: 0, or -1 with e set. */
typedef int (*split_send_fn)(const channel_msg_t *part, const buf_t *body, void *ud, err_t *e);

/* Send m (a digest) in parts whose size is at most limit. 0 when every
 * part was accepted; -1 with e set at the first that was not, or when
 * memory ran out. A one-flag message is rendered and sent as it is. */
int split_send(const channel_msg_t *m, size_t limit, split_render_fn render, split_send_fn send,
               void *ud, err_t *e);

#endif
