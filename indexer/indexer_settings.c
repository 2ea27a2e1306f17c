/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The settings the store keeps: a user's settings of a series (its
 * preferences, whether it is monitored, its latest volume (a number
 * written queues a check of new volumes), its source, its edition)
 * and the blocklist, each checked and handed to the writer, the stars
 * and plays of the Subsonic accounts (library/starred.h) and their
 * own rows (library/account_rows.h), and the
 * configuration's keys that the store's readers, scans and checks depend
 * on (covers, volume_from_chapters, edition), noted in the store's
 * settings table;
 * the first-seen times of /playlists (fs/tree/stamps.h), kept at the unmount.
 * A series' rows are manga.h's and the blocklist blocklist.h's: they are
 * written through them, never here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/config.h"
#include "common/db.h"
#include "common/strbuf.h"
#include "indexer/analysis/playlist_reads.h"
#include "indexer/indexer_private.h"
#include "indexer/jobs.h"
#include "indexer/library/account_rows.h"
#include "indexer/library/starred.h"
#include "indexer/manga/manga.h"
#include "indexer/manga/names.h"
#include "indexer/monitor/blocklist.h"
#include "indexer/monitor/published.h"
#include "indexer/monitor/prefs.h"
#include "indexer/store/writer.h"

/* A db_transaction() function: run the SQL text arg. */
static int exec_tx(sqlite3 *db, void *sql)
{
	return db_exec(db, sql);
}

/*
 * A scan with covers off notes no embedded picture, and an unchanged file
 * is not read again: so when covers come back on, the tracks known to
 * hold a picture are made to look changed, once, and the next scan notes
 * their pictures. The store keeps what it was last indexed with.
 */
int indexer_sync_covers(sqlite3 *db, void *unused)
{
	sqlite3_stmt *st;
	char sql[384];
	int rc, was = 1;

	(void)unused;
	rc = db_prepare(db, "SELECT value FROM settings WHERE name = 'covers'",
			&st);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		was = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(db, rc, "read settings");
	if (!was == !indexer.cfg->covers)
		return 0;
	snprintf(sql, sizeof(sql), "%s INSERT OR REPLACE INTO settings"
		 " VALUES ('covers', %d);", indexer.cfg->covers ?
		 "UPDATE files SET mtime_ns = 0 WHERE id IN"
		 " (SELECT file_id FROM tracks WHERE has_picture);"
		 "UPDATE directories SET digest = NULL WHERE id IN"
		 " (SELECT dir_id FROM files WHERE mtime_ns = 0);" : "",
		 !!indexer.cfg->covers);
	return db_transaction(db, exec_tx, sql);
}

/* The manga read API counts volumes made of chapters by the store's
 * settings (manga.h), so every reader sees the [manga] key the daemon
 * runs with, a reload's too. */
int indexer_sync_volume_from_chapters(sqlite3 *db, void *unused)
{
	char sql[128];

	(void)unused;
	snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO settings VALUES"
		 " ('volume_from_chapters', %d);",
		 !!indexer.cfg->volume_from_chapters);
	return db_transaction(db, exec_tx, sql);
}

/* A db_transaction() function: [monitor] edition noted; the ids found
 * for the series that follow it go when it changed (published.h). */
static int note_edition(sqlite3 *db, void *unused)
{
	const char *edition = indexer.cfg->edition;
	sqlite3_int64 changed = 0;
	int rc;

	(void)unused;
	rc = db_one_int(db, "read settings", "SELECT count(*) FROM settings"
			" WHERE name = 'edition' AND value IS NOT ?1",
			DB_ARGS(DB_TEXT(edition)), &changed);
	if (!rc && changed)
		rc = published_forget_found(db);
	if (!rc)
		rc = db_run(db, "note the edition", "INSERT OR REPLACE INTO"
			    " settings VALUES ('edition', ?1)",
			    DB_ARGS(DB_TEXT(edition)));
	return rc;
}

/* The ids a search found were found for an edition's record (a manga
 * for ja, a manhwa for ko): those of the series that follow [monitor]
 * edition are forgotten when a restart or a reload changes it. */
int indexer_sync_edition(sqlite3 *db, void *unused)
{
	return db_transaction(db, note_edition, unused);
}

int indexer_blocklist(const char *id, int remove)
{
	return remove ? blocklist_remove(id) :
		blocklist_add(id, NULL, "blocklisted by the user");
}

int indexer_star(const struct starred_change *change)
{
	return writer_call_urgent(starred_write, (void *)change);
}

int indexer_scrobble(const char *account, int64_t file, double at)
{
	struct starred_play p = { account, file, at };

	return writer_call_urgent(starred_play, &p);
}

int indexer_playlist(struct account_playlist_change *change)
{
	return writer_call_urgent(account_rows_playlist, change);
}

int indexer_bookmark(const struct account_bookmark *bookmark)
{
	return writer_call_urgent(account_rows_bookmark, (void *)bookmark);
}

int indexer_play_queue(const struct account_queue *queue)
{
	return writer_call_urgent(account_rows_queue, (void *)queue);
}

int indexer_rating(const struct account_rating *rating)
{
	return writer_call_urgent(account_rows_rating, (void *)rating);
}

int indexer_set_series_prefs(int64_t series, const char *text)
{
	struct strbuf canon = STRBUF_INIT;
	struct prefs_own own;
	struct manga_setting s = {
		.series = series, .what = MANGA_SET_PREFS,
	};
	int rc = prefs_parse(text, &own, &canon);

	if (rc)
		return rc;
	prefs_own_release(&own);
	s.text = canon.buf;
	rc = writer_call_urgent(manga_store_setting, &s);
	strbuf_release(&canon);
	return rc;
}

int indexer_set_series_monitored(int64_t series, int on)
{
	struct manga_setting s = {
		.series = series, .what = MANGA_SET_MONITORED,
		.number = !!on, .is_number = 1,
	};

	return writer_call_urgent(manga_store_setting, &s);
}

int indexer_set_series_latest(int64_t series, long latest)
{
	struct manga_setting s = {
		.series = series, .what = MANGA_SET_LATEST,
		.number = latest, .is_number = latest > 0,
	};

	int rc;

	if (latest < 0 || latest > NAMES_MAX_NUMBER)
		return -EINVAL;
	rc = writer_call_urgent(manga_store_setting, &s);
	/*
	 * A number written is news the check of new volumes acts on now
	 * (when that check is on; between a reload's stop and start, the
	 * next scheduled one reads it).
	 */
	if (!rc && latest > 0)
		jobs_submit(JOBS_CHECK_NEW, "latest");
	return rc;
}

int indexer_set_series_source(int64_t series, const char *source)
{
	struct manga_setting s = {
		.series = series, .what = MANGA_SET_SOURCE, .text = source,
	};

	return writer_call_urgent(manga_store_setting, &s);
}

int indexer_set_series_edition(int64_t series, const char *edition)
{
	struct manga_setting s = {
		.series = series, .what = MANGA_SET_EDITION, .text = edition,
	};
	size_t i = 0;

	while (edition && config_editions[i] &&
	       strcmp(config_editions[i], edition))
		i++;
	if (edition && !config_editions[i])
		return -EINVAL;
	return writer_call_urgent(manga_store_setting, &s);
}

struct time_list {
	const struct playlist_time *t;
	size_t n;
};

/* A db_transaction() function: the times of arg, each in place of the
 * row of its key; the other rows stay. */
static int save_times(sqlite3 *db, void *arg)
{
	const struct time_list *ts = arg;
	sqlite3_stmt *st;
	int rc = db_prepare(db, "INSERT OR REPLACE INTO playlist_times"
			    " (key, content, len, at_ns)"
			    " VALUES (?1, ?2, ?3, ?4)", &st);

	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < ts->n; i++) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)ts->t[i].key);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)ts->t[i].content);
		sqlite3_bind_int64(st, 3, ts->t[i].len);
		sqlite3_bind_int64(st, 4, ts->t[i].at_ns);
		rc = db_step(st, "keep playlist times");
	}
	sqlite3_finalize(st);
	return rc;
}

static int save_times_tx(sqlite3 *db, void *arg)
{
	return db_transaction(db, save_times, arg);
}

int indexer_save_playlist_times(const struct playlist_time *t, size_t n)
{
	struct time_list ts = { t, n };

	return writer_call_urgent(save_times_tx, &ts);
}
