/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_USER_DB_H
#define MEDIAMON_USER_DB_H

/*
 * Whether the machine's user database (/etc/passwd, /etc/group) may have
 * changed, asked by each request of the HTTP door at a cost that stays
 * the same: an inotify watch on /etc read without waiting, not a stat()
 * of each file.
 *
 *	uint64_t now = user_db_stamp();
 *	if (now != seen) ...read the account's user and groups again...
 */

#include <stdint.h>

/*
 * A value that changes once /etc/passwd or /etc/group is written,
 * replaced, removed or has its attributes changed (useradd, gpasswd
 * and vipw replace them), seen by the next call after it. Any thread.
 * When /etc cannot be watched (told once), each call stat()s the two
 * files, as exact.
 */
uint64_t user_db_stamp(void);

#endif
