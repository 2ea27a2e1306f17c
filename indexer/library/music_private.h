/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_MUSIC_PRIVATE_H
#define MEDIAMON_MUSIC_PRIVATE_H

/*
 * What the library's row files share, for them alone: the writer
 * connection's statements and state, the caches of ids and the bulk
 * load's counts (music.c), and the rows a record becomes (music_rows.c).
 * The state is the writer thread's: nothing else reads or writes it.
 */

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "indexer/library/music.h"

#define NAME_CACHE 16

/* A directory one of whose files could not be written. */
struct music_failed_dir {
	int64_t root_id;
	char *path;
	size_t len;
};

/* Artists and albums that may have lost their last track. */
struct music_id_list {
	int64_t *v;
	size_t nr, alloc;
};

/* Ids of recently used artists and albums: the tracks of one album arrive
 * together, so a handful of entries saves most lookups. */
struct music_name_cache {
	char *name[NAME_CACHE];
	size_t len[NAME_CACHE];
	int64_t key[NAME_CACHE];
	int64_t id[NAME_CACHE];
	unsigned next;
};

enum {
	ST_DIR_GET, ST_DIR_ADD, ST_FILE_ADD, ST_FILE_UPDATE, ST_FILE_RENAME,
	ST_FILE_DELETE, ST_DIR_DELETE, ST_ARTIST_GET, ST_ARTIST_ADD,
	ST_ALBUM_GET, ST_ALBUM_ADD, ST_TRACK_ADD, ST_TRACK_UPSERT,
	ST_TRACK_REFS, ST_ALBUM_ORPHAN, ST_ARTIST_ORPHAN, ST_CI_SET,
	ST_CI_DEL, ST_PIC_SET, ST_PIC_DEL, ST_DIR_SET, ST_DIR_REFS,
	ST_DIR_FILES_DELETE, ST_QUEUE_ADDED, ST_LISTING_SET, ST_LISTING_DEL,
	ST_TOTAL_ADD, ST_ROOT_TOTAL_ADD, ST_DIR_LEFT, ST_FILE_ADD_AT,
	ST_COUNT
};

/* The rows a bulk load added, which its transaction adds to the running
 * totals at its commit (schema.h: the triggers are off meanwhile). */
enum { CT_FILES, CT_TRACKS, CT_ALBUMS, CT_ARTISTS, CT_COUNT };

struct music_state {
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];
	struct music_name_cache artists, albums, dirs;
	struct music_id_list orphan_artists, orphan_albums;
	struct music_id_list added;	/* tracks the transaction added */
	struct music_failed_dir *failed; /* directories a file record
					  * failed in */
	size_t nr_failed, alloc_failed;
	int no_digests;		/* out of memory noting a failure: keep no
				 * digest until music_forget() */
	int counting;		/* a bulk load: the writer counts rows */
	int64_t count[CT_COUNT];
	int64_t count_root;	/* the root of count[CT_FILES] */
	int64_t next_file;	/* the id a bulk load's next file takes, as
				 * ST_FILE_ADD would read it; 0: unknown */
};

/* The writer connection's state; music.c holds it. */
extern struct music_state music_m;

/* music.c */

/* Forget every cached id of c. */
void music_name_cache_clear(struct music_name_cache *c);

/* Whether c holds the id of name (len bytes) under key: then *id is
 * set. */
int music_name_cache_find(struct music_name_cache *c, int64_t key,
			  const char *name, size_t len, int64_t *id);

/* Keep id as that of name (len bytes) under key, in place of the
 * oldest entry of c; out of memory, nothing is kept. */
void music_name_cache_add(struct music_name_cache *c, int64_t key,
			  const char *name, size_t len, int64_t id);

/* Step a statement that returns at most one integer; *id is 0 when it
 * returned no row. The statement is reset for its next use. */
int music_step_id(int which, int64_t *id);

/* Step an INSERT and give the new row's id. */
int music_step_insert(int which, int64_t *id);

/* Count a file of root that a bulk load added. */
int music_count_file(int64_t root);

/* Bind s to parameter i of st, NULL when s is NULL or empty. */
void music_bind_text(sqlite3_stmt *st, int i, const char *s);

/* Bind v to parameter i of st, NULL when v is 0. */
void music_bind_int(sqlite3_stmt *st, int i, int64_t v);

/* music_rows.c */

/* One record becomes rows, inside the writer's open transaction. */
int music_apply(const struct writer_rec *wr);

/* A record that failed for itself: its directory's next record keeps no
 * digest, so that the next walk looks at its files. */
void music_failed(const struct writer_rec *wr);

#endif
