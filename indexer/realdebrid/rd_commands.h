/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RD_COMMANDS_H
#define MEDIAMON_RD_COMMANDS_H

/*
 * What a user asks of the repair through /control/repair, beside passes:
 * retry or forget the repair of one torrent, and resync the account.
 * The mount checks a command (rd_commands_check(), on its own read
 * connection, so a bad one changes nothing) and queues it; the repair's
 * lane carries it out (rd_commands_apply(), rd_commands_resync()), each
 * through the writer.
 *
 *	if (rd_commands_check(db, RD_COMMAND_RETRY, id))
 *		return -EINVAL;
 *	...					(later, on the repair lane)
 *	rd_commands_apply(RD_COMMAND_RETRY, id);
 *
 * Retry and forget take a torrent whose repair failed (for good, or
 * stopped in a repair loop) or waits for a retry; forget takes one still
 * queued too (no request was sent for it yet). A retry queues its
 * repair again from the start, attempts counted from 0, kept in the
 * queue even when none of its links is dead (a failure for good deleted
 * them), and sent whatever a loop said. Forget drops its repair and its
 * failure from the queues and from the history of failures; a torrent
 * whose links are still dead is found again by the next pass, as any
 * dead link is.
 *
 * A resync starts the listing of the account over at page 1 (rd_sync.h);
 * a restart goes on with it.
 */

#include <sqlite3.h>

enum rd_command {
	RD_COMMAND_RETRY,
	RD_COMMAND_FORGET,
};

/*
 * Whether cmd takes the repair of torrent id, read through db: 0, or
 * -EINVAL for an id that cannot be a torrent's, or a torrent with no
 * repair cmd takes (or one the store cannot tell).
 */
int rd_commands_check(sqlite3 *db, enum rd_command cmd, const char *id);

/* Apply cmd to the repair of torrent id. Returns 0 or a negative errno
 * value (logged). A repair that is no longer failed or waiting (a pass
 * moved it meanwhile) is left as it is. */
int rd_commands_apply(enum rd_command cmd, const char *id);

/* Start the listing of the account over, every page. Returns 0 or a
 * negative errno value (logged). */
int rd_commands_resync(void);

#endif
