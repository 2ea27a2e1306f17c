/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * getUser, getUsers, getScanStatus and startScan (subsonic_system.h).
 * It tells an account about itself only, and starts a scan only for
 * the owner; it reads no file and speaks no SQL.
 */
#include "fs/subsonic/subsonic_system.h"

#include <errno.h>
#include <string.h>

#include "common/log.h"
#include "fs/tree/caller.h"
#include "fs/subsonic/subsonic_auth.h"
#include "fs/subsonic/subsonic_marks.h"
#include "indexer/indexer.h"

#define NOT_AUTHORIZED 50

/* The User record of the account asking: what mediamon lets it do.
 * Scanning and settings are the owner's only; nothing is uploaded,
 * shared, commented, converted or played on a jukebox here. */
static json_t *user_record(void)
{
	int owner = caller_is_owner();

	return json_pack("{s:s,s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:b,"
			 "s:b,s:b,s:b,s:b,s:[i]}",
			 "username", subsonic_marks_account(),
			 "scrobblingEnabled", 1, "adminRole", owner,
			 "settingsRole", owner, "downloadRole", 1,
			 "uploadRole", 0, "playlistRole", 0,
			 "coverArtRole", 1, "commentRole", 0,
			 "podcastRole", 0, "streamRole", 1,
			 "jukeboxRole", 0, "shareRole", 0,
			 "videoConversionRole", 0, "scanningRole", owner,
			 "folder", 1);
}

static int put(json_t *body, const char *name, json_t *v)
{
	return v && !json_object_set_new(body, name, v) ? 0 : -ENOMEM;
}

int subsonic_system_user(json_t *body, const char *username)
{
	if (!username)
		return SUBSONIC_MISSING;
	if (strcmp(username, subsonic_marks_account()))
		return NOT_AUTHORIZED;
	return put(body, "user", user_record());
}

int subsonic_system_users(json_t *body)
{
	json_t *user = user_record();

	return put(body, "users", user ? json_pack("{s:[o]}", "user", user) :
		   NULL);
}

/* The scanStatus record: whether a scan runs or waits, and the files
 * the running one has seen. */
static json_t *scan_record(void)
{
	struct indexer_status st;
	int running;

	indexer_status(&st);
	running = !strcmp(st.state, "scanning");
	return json_pack("{s:b,s:I}", "scanning", running || st.scan_pending,
			 "count", running ? (json_int_t)st.scan.files_seen :
			 (json_int_t)0);
}

int subsonic_system_scan_status(json_t *body)
{
	return put(body, "scanStatus", scan_record());
}

int subsonic_system_start_scan(json_t *body)
{
	int rc;

	if (!caller_is_owner())
		return NOT_AUTHORIZED;
	rc = indexer_rescan("subsonic", 0, NULL);
	if (rc) {
		log_warn("subsonic: startScan of %s: %s",
			 subsonic_marks_account(), strerror(-rc));
		return rc;
	}
	return put(body, "scanStatus", scan_record());
}
