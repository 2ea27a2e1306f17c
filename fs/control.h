#ifndef MEDIAMON_CONTROL_H
#define MEDIAMON_CONTROL_H

/*
 * The control files: each takes one command per write and shows its state
 * when read. A write is validated and queued, never waited for; anything
 * not understood is -EINVAL and changes nothing.
 */

#include <stddef.h>

struct strbuf;

/*
 * /control/rescan: "1" rescans every root, "full" re-reads every file's
 * tags, an absolute path inside a root rescans that file or subtree. One
 * trailing newline is allowed.
 */
int control_rescan_write(const char *buf, size_t len);

/* The rescan state and the accepted commands. */
int control_rescan_render(struct strbuf *out);

#endif
