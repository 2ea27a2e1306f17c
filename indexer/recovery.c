/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A damaged store found and survived (recovery.h): the damaged file moved
 * aside, never deleted, and the newest good backup put in its place. The
 * full scan that must follow is the caller's to start.
 */
#include "indexer/recovery.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/array.h"
#include "common/bytes.h"
#include "common/clock.h"
#include "common/db.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/maintenance.h"
#include "indexer/store/storefile.h"

/* What a user set or the daemon did that no scan can find again, by the
 * rows that hold it: what a lost store costs. */
static const struct {
	const char *what, *sql;
} kept[] = {
	{ "series settings (monitored, latest, source)",
	  "SELECT count(*) FROM series WHERE monitored = 0"
	  " OR latest IS NOT NULL OR source != ''" },
	{ "settings", "SELECT count(*) FROM settings" },
	{ "downloads", "SELECT count(*) FROM downloads" },
	{ "debrid repairs", "SELECT count(*) FROM rd_repairs" },
	{ "debrid requests", "SELECT count(*) FROM rd_attempts" },
};

#define NR_KEPT (ARRAY_SIZE(kept))

/* Rename from-SUFFIX to to-SUFFIX; a missing one is no error. */
static int rename_with(const char *from, const char *to, const char *suffix)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	int rc = 0;

	strbuf_addf(&a, "%s%s", from, suffix);
	strbuf_addf(&b, "%s%s", to, suffix);
	if (rename(a.buf, b.buf) && errno != ENOENT)
		rc = log_error(-errno, "database %s: cannot move it to %s: %s",
			       a.buf, b.buf, strerror(errno));
	strbuf_release(&a);
	strbuf_release(&b);
	return rc;
}

/* Keep the damaged store beside the new one, under a name that says when
 * it was found so; its -wal goes with it (part of what it holds), its
 * -shm is only an index and goes. */
static int move_aside(const char *path, struct strbuf *aside)
{
	char stamp[CLOCK_STAMP_LEN];
	struct strbuf shm = STRBUF_INIT;
	int rc;

	clock_stamp(time(NULL), stamp);
	strbuf_addf(aside, "%s.damaged-%s", path, stamp);
	rc = rename_with(path, aside->buf, "");
	if (!rc)
		rc = rename_with(path, aside->buf, "-wal");
	strbuf_addf(&shm, "%s-shm", path);
	if (!rc)
		unlink(shm.buf);
	strbuf_release(&shm);
	return rc;
}

/* Put a copy of the backup at path, whole or not at all. */
static int restore(const char *backup, const char *path)
{
	struct strbuf tmp = STRBUF_INIT;
	sqlite3 *src;
	int rc;

	rc = db_open(backup, 1, &src);
	if (rc)
		return rc;
	strbuf_addf(&tmp, "%s.tmp", path);
	/* what a kill left at the name in the store's own folder */
	if (unlink(tmp.buf) && errno != ENOENT)
		log_warn("database %s: cannot delete: %s", tmp.buf,
			 strerror(errno));
	rc = db_copy(src, AT_FDCWD, tmp.buf);
	db_close(src);
	if (!rc && rename(tmp.buf, path))
		rc = log_error(-errno, "database %s: cannot put the backup in"
			       " place: %s", path, strerror(errno));
	if (rc)
		unlink(tmp.buf);
	strbuf_release(&tmp);
	return rc;
}

/* The newest backup that passes quick_check, copied to path; *from is
 * its name, NULL when there is none. One that cannot be checked or
 * copied (logged where it failed) leaves the turn to an older one. A
 * backups folder that others may change is not used (why says so): the
 * store starts afresh, the damaged one kept aside. */
static int restore_newest(const char *path, char **from, struct strbuf *why)
{
	char **backups;
	size_t nr;
	int rc;

	*from = NULL;
	rc = maintenance_backups(path, &backups, &nr, why);
	if (rc)
		return rc == -EACCES ? 0 : rc;
	for (size_t i = nr; !rc && !*from && i-- > 0;) {
		struct strbuf why = STRBUF_INIT;
		int damaged = storefile_damaged(backups[i], &why);

		if (damaged > 0)
			log_warn("database %s: not restored (damaged%s%s)",
				 backups[i], why.len ? ": " : "", why.buf);
		else if (!damaged && !restore(backups[i], path) &&
			 !(*from = strdup(backups[i])))
			rc = log_error(-ENOMEM, "database: out of memory");
		strbuf_release(&why);
	}
	array_free_strings(backups, nr);
	return rc;
}

/* The rows of each kept[] in the store at path; -1 where unreadable. */
static void count_kept(const char *path, long long n[NR_KEPT])
{
	sqlite3 *db = NULL;

	for (size_t i = 0; i < NR_KEPT; i++)
		n[i] = path ? -1 : 0;
	if (!path || db_open(path, 1, &db))
		return;
	for (size_t i = 0; i < NR_KEPT; i++) {
		sqlite3_stmt *st;

		if (sqlite3_prepare_v2(db, kept[i].sql, -1, &st, NULL))
			continue;
		if (sqlite3_step(st) == SQLITE_ROW)
			n[i] = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	db_close(db);
}

/*
 * Say what the damaged store held that the new one does not, as far as
 * the damaged one can still be read: a user's settings and the daemon's
 * history, never the library (the full scan finds it again).
 */
static void say_lost(const char *aside, const char *backup)
{
	long long was[NR_KEPT], now[NR_KEPT];
	struct strbuf lost = STRBUF_INIT;
	int unknown = 0;

	count_kept(aside, was);
	count_kept(backup, now);
	for (size_t i = 0; i < NR_KEPT; i++) {
		if (was[i] < 0) {
			unknown = 1;
		} else if (was[i] > now[i] && now[i] >= 0) {
			strbuf_addf(&lost, "%s%lld %s", lost.len ? ", " : "",
				    was[i] - now[i], kept[i].what);
		}
	}
	if (lost.len)
		log_warn("database: lost with the damaged store: %s%s",
			 lost.buf, unknown ? ", and what could not be read"
			 " of it" : "");
	else if (unknown)
		log_warn("database: what changed in the damaged store%s%s"
			 " cannot be read from it, and is lost",
			 backup ? " after " : "", backup ? backup : "");
	else
		log_info("database: no setting or history was lost with the"
			 " damaged store");
	strbuf_release(&lost);
}

int recovery_check(const char *path)
{
	struct strbuf why = STRBUF_INIT, aside = STRBUF_INIT;
	struct strbuf line = STRBUF_INIT, refused = STRBUF_INIT;
	char *backup = NULL;
	int rc;

	rc = storefile_damaged(path, &why);
	if (rc <= 0)
		goto out;
	log_error(-EIO, "database %s is damaged: quick_check says: %s", path,
		  why.buf);
	storefile_note(STOREFILE_CORRUPT);
	rc = move_aside(path, &aside);
	if (!rc)
		rc = restore_newest(path, &backup, &refused);
	if (!rc && !backup)
		rc = storefile_create_private(path);
	if (rc)
		goto out;
	strbuf_addf(&line, "store: %s was damaged (%s); kept as %s; ", path,
		    why.buf, aside.buf);
	if (backup)
		strbuf_addf(&line, "restored from %s", backup);
	else if (refused.len)
		strbuf_addf(&line, "no backup used (%s): started afresh",
			    refused.buf);
	else
		strbuf_addstr(&line, "no good backup: started afresh");
	log_warn("%s; every root is scanned again", line.buf);
	say_lost(aside.buf, backup);
	storefile_remember(line.buf);
	storefile_clear();
	storefile_new_epoch();
	rc = 1;
out:
	free(backup);
	strbuf_release(&why);
	strbuf_release(&aside);
	strbuf_release(&line);
	strbuf_release(&refused);
	return rc;
}
