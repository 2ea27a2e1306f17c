/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_ANALYSIS_USER_H
#define MEDIAMON_ANALYSIS_USER_H

/*
 * The analysis child's user where this system has no mediamon-analyse
 * user ([analysis] user left to its default): not nobody, which any
 * other nobody process could signal and kill, but a uid of its own, one
 * that no user and no group of this system has and that no process runs
 * as, picked when the analysis starts. Another daemon's analysis may
 * pick the same one only while no child of the first runs.
 *
 *	unsigned uid;
 *
 *	if (!analysis_user_pick(&uid))
 *		...	start the child as uid:uid
 */

/* The uids picked from: below systemd's dynamic users (61184-65519). */
#define ANALYSIS_USER_FIRST 60578
#define ANALYSIS_USER_LAST 61183

/*
 * A free uid of ANALYSIS_USER_FIRST..LAST into *uid, its group the same
 * number, looked for from a place the daemon's pid gives (two daemons
 * start apart). Returns 0, or -EAGAIN when every one is taken.
 */
int analysis_user_pick(unsigned *uid);

#endif
