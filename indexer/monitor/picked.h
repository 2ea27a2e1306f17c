/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_PICKED_H
#define MEDIAMON_PICKED_H

/*
 * A release picked by hand (echo ID > /control/send): the release of that
 * id, as /status/found.json names it, handed to the client of its
 * protocol as the monitor's hand-off does (handoff.h), so that the
 * tracker follows and imports it like one the monitor chose; whatever
 * auto_download says. One the [release] preferences dropped goes too
 * (found.json lists it under the volume's dropped, with its id): a user
 * may want it anyway.
 *
 *	if (!picked_check(reader_db(), id))	(when asked: refusals)
 *		queue id for the checks' lane;
 *	picked_send(&handoff, db, id);		(there)
 *
 * A release is refused (-EINVAL, one log line giving the reason) when no
 * found release has that id, when it is on the blocklist, or when its
 * volume was handed over already (sent, downloading, imported...).
 */

#include <sqlite3.h>

struct handoff;

/*
 * Whether release id may be sent now, read through db. Returns 0,
 * -EINVAL (logged) as above, or another negative errno value.
 */
int picked_check(sqlite3 *db, const char *id);

/*
 * Check id again (the store may have moved on since it was asked) and
 * hand its release to the client, through h (handoff_begin()'d), its
 * volume's other releases left alone. Returns 0 (the outcome is stored
 * with the release, as a check's), -EINVAL as picked_check(), or
 * another negative errno value.
 */
int picked_send(struct handoff *h, sqlite3 *db, const char *id);

#endif
