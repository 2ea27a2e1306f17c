/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The indexer's watch on its store: the store file made ready at start
 * (claimed, recovered when damaged, migrated), a fault mended as soon as
 * it can be (written back, reopened, tested), a corrupt page checked
 * (a verdict: indexer.c stops the indexer around the recovery, as this
 * file never stops nor starts it), the store's lines of the health file,
 * its path and generation for the readers. The writes are the writer's
 * (store/writer.h), the file's state storefile.h's; this file decides
 * when to mend, no more.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>

#include "common/clock.h"
#include "common/config.h"
#include "common/db.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/indexer_private.h"
#include "indexer/recovery.h"
#include "indexer/store/schema.h"
#include "indexer/store/storefile.h"
#include "indexer/store/writer.h"

/*
 * Mend what can be mended of the store: a deleted file is written back; a
 * full one, once its disk has room again, is written to (a small write,
 * as a test); a file system that went read-only or failed is opened
 * again (it may have been mounted again) and tested the same way; another
 * file at the store's path is opened, and a scan of every root brings it
 * up to what the library holds. Returns 0 when the store takes writes
 * again.
 */
int indexer_mend_store(void)
{
	int rc;

	storefile_check();
	switch (storefile_fault()) {
	case STOREFILE_DELETED:
		return writer_write_back();
	case STOREFILE_FULL:
		/* a page may fit where a batch does not: only room that
		 * came back is worth a test, or health would come and go */
		return storefile_space_returned() ? writer_probe() : -EAGAIN;
	case STOREFILE_READONLY:
	case STOREFILE_IOERR:
		rc = writer_reopen();
		return rc ? rc : writer_probe();
	case STOREFILE_REPLACED:
		rc = writer_reopen();
		if (!rc) {
			log_warn("store: going on with the file now at %s;"
				 " every root is scanned again",
				 indexer_db_path());
			pthread_mutex_lock(&indexer.lock);
			indexer_order_merge(&indexer.pending, "recovery", 0,
					    -1, NULL, 0);
			pthread_cond_signal(&indexer.wake);
			pthread_mutex_unlock(&indexer.lock);
		}
		return rc;
	default:
		return -EAGAIN;
	}
}

/*
 * A connection met a corrupt page: quick_check says how bad. Returns 1
 * when the store is damaged, to be recovered with the indexer stopped;
 * 0 when it is sound (a false alarm) or cannot be checked (logged).
 */
static int check_corruption(void)
{
	const struct config *cfg = indexer.cfg;
	int rc = storefile_damaged(cfg->database, NULL);

	if (!rc) {
		log_info("database %s: quick_check finds it sound",
			 cfg->database);
		storefile_clear();
	}
	return rc > 0;
}

int indexer_store_watch(void)
{
	double now = clock_mono();
	int running, retry = 0;

	pthread_mutex_lock(&indexer.lock);
	running = indexer.running && !indexer.stopping;
	pthread_mutex_unlock(&indexer.lock);
	if (!running)
		return 0;
	if (storefile_take_suspect())
		return check_corruption();
	storefile_check();
	if (storefile_fault() == STOREFILE_OK) {
		indexer.mend_at = 0;
		indexer.mend_wait = RETRY_FIRST_S;
	} else if (now >= indexer.mend_at || storefile_space_returned()) {
		/* tried again later, and later, while it fails; at once
		 * when the disk has room again */
		retry = !indexer_mend_store();
		indexer.mend_at = now + indexer.mend_wait;
		indexer.mend_wait = fmin(indexer.mend_wait * 2, RETRY_MAX_S);
	}
	if (retry)
		log_info("store: it takes writes again");
	pthread_mutex_lock(&indexer.lock);
	if (retry && indexer.retry_at) {
		indexer.retry_at = 0;
		pthread_cond_signal(&indexer.wake);
	}
	pthread_mutex_unlock(&indexer.lock);
	return 0;
}

uint64_t indexer_generation(void)
{
	return writer_generation();
}

uint64_t indexer_names_generation(void)
{
	return writer_names_generation();
}

const char *indexer_db_path(void)
{
	return indexer.cfg->database;
}

void indexer_store_health(struct strbuf *errors, struct strbuf *warns)
{
	uint64_t write_errors = writer_errors();

	if (write_errors)
		strbuf_addf(errors, "error: %llu records could not be written"
			    " to the database (see /log)\n",
			    (unsigned long long)write_errors);
	storefile_health(errors, warns);
}

int indexer_prepare_store(const char *path, int shared_ok)
{
	sqlite3 *db;
	int rc;

	rc = storefile_claim(path, shared_ok);
	if (!rc)
		rc = recovery_check(path);
	if (rc < 0)
		return rc;
	indexer.recovered = rc > 0;
	rc = db_open(path, 0, &db);
	if (rc)
		return rc;
	rc = schema_migrate(db);
	db_close(db);
	return rc;
}
