#include "fs/reader.h"

#include <errno.h>
#include <pthread.h>

#include "common/db.h"
#include "common/log.h"

static const char *reader_path;
static pthread_key_t reader_key;

static void reader_destroy(void *db)
{
	db_close(db);
}

int reader_init(const char *db_path)
{
	int rc = pthread_key_create(&reader_key, reader_destroy);

	if (rc)
		return log_error(-rc, "reader: cannot create thread key");
	reader_path = db_path;
	return 0;
}

sqlite3 *reader_db(void)
{
	sqlite3 *db = pthread_getspecific(reader_key);

	if (db)
		return db;
	if (db_open(reader_path, 1, &db))
		return NULL;
	if (pthread_setspecific(reader_key, db)) {
		db_close(db);
		log_error(-ENOMEM, "reader: cannot keep connection");
		return NULL;
	}
	return db;
}

void reader_close(void)
{
	sqlite3 *db = pthread_getspecific(reader_key);

	if (db) {
		pthread_setspecific(reader_key, NULL);
		db_close(db);
	}
}

sqlite3 *reader_begin(void)
{
	sqlite3 *db = reader_db();

	if (db && db_exec(db, "BEGIN"))
		return NULL;
	return db;
}

void reader_end(sqlite3 *db)
{
	if (db)
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
}
