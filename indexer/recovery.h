/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RECOVERY_H
#define MEDIAMON_RECOVERY_H

/*
 * A damaged store found and survived.
 *
 * recovery_check() runs PRAGMA quick_check on the store
 * (storefile_damaged(), at start and after a connection met a corrupt
 * page). A store that fails it is moved
 * aside, never deleted: PATH becomes PATH.damaged-YYYYMMDDTHHMMSSZ (its
 * -wal with it), and the log and /status/health say where. In its place
 * goes a copy of the newest backup that passes quick_check, so monitored
 * series, latest overrides and the Real-Debrid history come back as they
 * were then; the log says what changed after the backup and is lost (as
 * far as the damaged file still tells). With no good backup the store
 * starts afresh; so it does when the backups folder is one that another
 * user may change (maintenance_backups() refuses it: they could have put
 * any store there), health saying why. Either way a full scan must then
 * rebuild the library.
 *
 *	rc = recovery_check(cfg->database);
 *	if (rc < 0)
 *		return rc;
 *	full_scan = rc > 0;
 */

/*
 * Check the store at path and recover it when damaged, as above. No
 * connection of the caller's may be open on it; others' read connections
 * keep the old file until they reopen (storefile_epoch() moves). Returns
 * 1 when the store was replaced, 0 when it was sound, or a negative errno
 * value (logged) when it could not be checked or replaced.
 */
int recovery_check(const char *path);

#endif
