/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_MUSIC_H
#define MEDIAMON_MUSIC_H

/*
 * The library's rows as the scan finds them: directories (with their
 * digests), files, tracks, artists and albums, embedded pictures and
 * ComicInfo, applied from records on the writer's connection.
 *
 * Everything here runs on the writer thread (writer.h), inside the
 * transactions it opens, through music_writer_ops, which the indexer
 * registers (writer_register()) before it starts the writer: the writer
 * queues the records, the table's apply turns one into rows, and its
 * commit adds, before each COMMIT, what the transaction's new tracks
 * need beside their rows: their search rows
 * and their place in the analysis queue (set by set, not by a trigger a
 * row: a trigger makes SQLite journal every statement of a transaction
 * apart, which doubled the cost of each track).
 *
 *	struct music_rec *rec = music_rec_new(MUSIC_FILE, path, len);
 *	rec->root_id = root; ...; writer_put(&rec->wr);
 */

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "indexer/manga/comicinfo.h"
#include "indexer/library/tags.h"
#include "indexer/store/writer.h"

enum music_op {
	MUSIC_DIR,		/* add a directory or update its mtime and
				 * digest (after its files' records) */
	MUSIC_FILE,		/* add (id 0) or update a file and its track */
	MUSIC_RENAME,		/* move file id to path, keeping its track */
	MUSIC_DELETE_FILE,	/* drop file id and its track */
	MUSIC_DELETE_DIR,	/* drop directory id and the files it holds */
};

struct music_rec {
	struct writer_rec wr;	/* first: the writer queues it; wr.bulk:
				 * only new rows under the scanned paths */
	enum music_op op;
	int64_t root_id;
	int64_t id;		/* the row's id; FILE: 0 for a new file */
	int64_t size, mtime_ns, inode;
	int64_t uid;		/* FILE, RENAME: its owner */
	const char *kind;	/* FILE: "flac", "mp3", "archive", "other" */
	int parsed;		/* FILE: tags (or ci) hold what was read */
	int packed;		/* the tags' text is in this record's block
				 * (music_rec_pack()) */
	int has_crc;		/* FILE: an image of a manga root read whole */
	uint32_t crc;		/* its CRC-32 (zlib's crc32()) */
	/* DIR: what its files sum to (scan.c), kept only when has_digest
	 * and no record of a file in it failed */
	int has_digest;
	uint64_t digest;
	/* DIR: the folder's listing (scan.c's format), kept with the digest
	 * under the folder's change time and inode; NULL: any kept one goes.
	 * Freed with the record. */
	char *listing;
	size_t listing_len;
	int64_t listing_ctime_ns, listing_inode;
	uint64_t *deleted;	/* DELETE_*: files deleted are added here */
	struct tags tags;
	struct comicinfo ci;	/* FILE, kind "archive" */
	size_t path_len;
	char path[];		/* relative to the root, not NUL-terminated */
};

/*
 * Allocate a record for path (copied). Returns NULL when out of memory;
 * the record is zeroed but for op and path.
 */
struct music_rec *music_rec_new(enum music_op op, const char *path,
				size_t path_len);

/* Free a record and what its tags hold. */
void music_rec_free(struct music_rec *rec);

/*
 * The record rec with its tags' text moved into its own block, on the
 * thread that allocated them: the writer, which frees the record, then
 * frees one block instead of one for each field, none of them its own
 * (a free into another thread's arena waits for that thread's lock).
 * Returns the new record, rec freed; rec itself when it holds no text
 * or when out of memory.
 */
struct music_rec *music_rec_pack(struct music_rec *rec);

/*
 * The library's operations for the writer (writer.h): open prepares the
 * statements on the writer's connection; a record that failed for itself
 * leaves its directory's next record without a digest, so that the next
 * walk looks at its files; commit adds the search rows and the analysis
 * queue's entries of the tracks the transaction added, then the search
 * rows of those it changed or deleted, the covers of the albums marked
 * (covers_refresh()), and the rows a bulk load counted; forget drops the
 * ids kept since (cached artists, albums, directories; tracks added);
 * start settles the covers and search rows a crash or a migration left.
 */
extern const struct writer_ops music_writer_ops;

/*
 * writer_call() functions around a bulk load: music_bulk_begin() drops
 * the secondary indexes of files and tracks and the triggers that count
 * the rows added (schema.h) when the store has no file at all (a first
 * scan), counting the files, tracks, albums and artists it adds itself,
 * into the running totals at each commit, and lets the log grow larger
 * between checkpoints; music_bulk_end() builds the indexes missing,
 * sorted, on two threads, makes the triggers again, settles every
 * album's cover, and checkpoints as usual again. Each returns 0 or a
 * negative errno value (logged).
 */
int music_bulk_begin(sqlite3 *db, void *unused);
int music_bulk_end(sqlite3 *db, void *unused);

/*
 * A writer_call() function: delete the artists and albums that lost their
 * last track since the previous call. The writer notes what each updated
 * or deleted track pointed at, so only those few rows are checked.
 */
int music_drop_orphans(sqlite3 *db, void *unused);

#endif
