/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The user's commands to the repair (rd_commands.h): retry, forget and
 * resync, checked on the mount's read connection and carried out through
 * the writer on the repair lane. A check changes nothing.
 */
#include "indexer/realdebrid/rd_commands.h"

#include <errno.h>

#include "common/clock.h"
#include "common/log.h"
#include "indexer/realdebrid/rd_client.h"
#include "indexer/realdebrid/rd_store.h"
#include "indexer/store/writer.h"

/* The repairs a retry takes: failed (for good or in a loop), or
 * waiting for their retry; forget takes those queued too, which no
 * request was sent for yet. */
#define TAKEN "state IN ('failed', 'waiting_retry')"
#define FORGOTTEN "state IN ('failed', 'waiting_retry', 'queued')"

int rd_commands_check(sqlite3 *db, enum rd_command cmd, const char *id)
{
	if (!rd_valid_id(id))
		return -EINVAL;
	return rd_store_num(db, cmd == RD_COMMAND_RETRY ?
			    "SELECT count(*) FROM rd_repairs WHERE"
			    " torrent_id = ?1 AND " TAKEN :
			    "SELECT count(*) FROM rd_repairs WHERE"
			    " torrent_id = ?1 AND " FORGOTTEN, id, 0, 0) ? 0 :
		-EINVAL;
}

int rd_commands_apply(enum rd_command cmd, const char *id)
{
	struct rd_sql q = {
		.text = { id },
		.num = { clock_wall() },
	};
	int rc;

	q.sql = cmd == RD_COMMAND_RETRY ?
		"UPDATE rd_repairs SET state = 'queued', attempts = 0,"
		" new_id = NULL, next_at = NULL, started_at = NULL,"
		" finished_at = NULL, last_error = NULL, plan = NULL,"
		" updated_at = ?7, asked_at = ?7 WHERE torrent_id = ?1 AND "
		TAKEN :
		"DELETE FROM rd_repairs WHERE torrent_id = ?1 AND " FORGOTTEN;
	rc = writer_call(rd_store_sql, &q);
	q.sql = "DELETE FROM rd_failures WHERE torrent_id = ?1";
	if (!rc)
		rc = writer_call(rd_store_sql, &q);
	if (!rc)
		log_info("rd: torrent %s %s, as asked", id,
			 cmd == RD_COMMAND_RETRY ? "queued for repair again" :
			 "forgotten");
	return rc;
}

int rd_commands_resync(void)
{
	int rc = writer_call(rd_store_sql, &(struct rd_sql){
		.sql = "INSERT INTO rd_sync (id, list_page, full_sync,"
		       " cycle_started_at) VALUES (1, 1, 1, ?7) ON CONFLICT"
		       " (id) DO UPDATE SET list_page = 1, full_sync = 1,"
		       " cycle_started_at = ?7, pages_done = 0,"
		       " torrents_seen = 0",
		.num = { clock_wall() },
	});

	if (!rc)
		log_info("rd: the whole account is listed again, as asked");
	return rc;
}
