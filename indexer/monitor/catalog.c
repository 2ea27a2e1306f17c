/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The local catalog (catalog.h): the JSON lines file loaded into the store
 * with its FTS5 index when it changed, and searched for a series' wanted
 * volumes. It asks no remote service.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "common/array.h"
#include "common/clock.h"
#include "common/db.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/monitor/catalog.h"
#include "indexer/monitor/catalog_file.h"
#include "indexer/manga/names.h"

/* What the file at a path is, as far as deciding to reload goes. */
struct file_id {
	int64_t size;		/* -1 when there is no file */
	int64_t mtime_ns;
};

/* The statements and counts of one load. */
struct load {
	sqlite3 *db;
	sqlite3_stmt *row, *fts;
	int64_t entries, bad_lines;
};

/* Reloading a 50,000-line file for nothing would be a waste on every
 * poll, so the last load's path, size and mtime are compared first. */
static int already_loaded(sqlite3 *db, const char *path,
			  const struct file_id *id, int *same)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db, "SELECT path = ?1 AND size = ?2 AND"
				" mtime_ns = ?3 FROM catalog_meta", -1, &st,
				NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, "read catalog_meta");
	sqlite3_bind_blob(st, 1, path, strlen(path), SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id->size);
	sqlite3_bind_int64(st, 3, id->mtime_ns);
	rc = sqlite3_step(st);
	*same = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(db, rc, "read catalog_meta");
	return 0;
}

/* Optional members may be absent or null; anything else of the wrong
 * type makes the line bad, so a typo never passes silently. */
static int is_absent(json_t *v)
{
	return !v || json_is_null(v);
}

/* A required member is a non-empty string. */
static const char *required_text(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) && json_string_length(v) ?
	       json_string_value(v) : NULL;
}

/* Parses one line and inserts it; a line that does not describe a
 * release is counted, never fatal. Returns 0 or a negative errno value
 * from the store. */
static int load_line(struct load *l, const char *line, size_t len)
{
	json_t *obj, *size, *source;
	const char *title, *link;
	int rc;

	obj = json_loadb(line, len, 0, NULL);
	size = json_object_get(obj, "size");
	source = json_object_get(obj, "source");
	title = required_text(obj, "title");
	link = required_text(obj, "link");
	if (!json_is_object(obj) || !title || !link ||
	    (!is_absent(size) && (!json_is_integer(size) ||
				  json_integer_value(size) < 0)) ||
	    (!is_absent(source) && !json_is_string(source))) {
		l->bad_lines++;
		json_decref(obj);
		return 0;
	}
	sqlite3_bind_text(l->row, 1, title, -1, SQLITE_STATIC);
	sqlite3_bind_text(l->row, 2, link, -1, SQLITE_STATIC);
	db_bind_int64_if(l->row, 3, json_is_integer(size),
			 json_is_integer(size) ? json_integer_value(size) : 0);
	if (json_is_string(source))
		sqlite3_bind_text(l->row, 4, json_string_value(source), -1,
				  SQLITE_STATIC);
	else
		sqlite3_bind_null(l->row, 4);
	rc = sqlite3_step(l->row);
	sqlite3_reset(l->row);
	if (rc == SQLITE_DONE) {
		sqlite3_bind_int64(l->fts, 1, sqlite3_last_insert_rowid(l->db));
		sqlite3_bind_text(l->fts, 2, title, -1, SQLITE_STATIC);
		rc = sqlite3_step(l->fts);
		sqlite3_reset(l->fts);
	}
	sqlite3_clear_bindings(l->row);
	sqlite3_clear_bindings(l->fts);
	json_decref(obj);
	if (rc != SQLITE_DONE)
		return db_error(l->db, rc, "insert into catalog");
	l->entries++;
	return 0;
}

/* Whether a line holds nothing but spaces, tabs or a carriage return. */
static int is_blank(const char *s, size_t len)
{
	for (; len; s++, len--)
		if (*s != ' ' && *s != '\t' && *s != '\r')
			return 0;
	return 1;
}

/*
 * Lines are read into a fixed buffer so that one huge line (a file that
 * is not a catalog at all) costs no more memory than a normal one; what
 * goes beyond CATALOG_MAX_LINE is skipped to the next newline.
 */
static int load_file(struct load *l, FILE *f)
{
	char *line = malloc(CATALOG_MAX_LINE);
	size_t len = 0;
	int c, too_long = 0, rc = 0;

	if (!line)
		return log_error(-ENOMEM, "catalog: out of memory");
	while (!rc) {
		c = getc_unlocked(f);
		if (c != '\n' && c != EOF) {
			if (len < CATALOG_MAX_LINE)
				line[len++] = c;
			else
				too_long = 1;
			continue;
		}
		if (too_long)
			l->bad_lines++;
		else if (!is_blank(line, len))
			rc = load_line(l, line, len);
		len = 0;
		too_long = 0;
		if (c == EOF)
			break;
	}
	free(line);
	if (!rc && ferror(f))
		rc = log_error(-EIO, "catalog: read error");
	return rc;
}

struct replacement {
	const char *path;
	FILE *f;
	const struct file_id *id;
	struct load l;
};

/* A db_transaction() function: the catalog and what was loaded change
 * together or not at all. */
static int replace_tx(sqlite3 *db, void *arg)
{
	struct replacement *r = arg;
	struct load *l = &r->l;
	sqlite3_stmt *meta = NULL;
	int rc;

	*l = (struct load){ db, NULL, NULL, 0, 0 };
	rc = db_exec(db, "INSERT INTO catalog_fts (catalog_fts)"
		     " VALUES ('delete-all');"
		     "DELETE FROM catalog; DELETE FROM catalog_meta;");
	if (!rc)
		rc = db_prepare(db, "INSERT INTO catalog (title, link, size,"
				" source) VALUES (?1, ?2, ?3, ?4)", &l->row);
	if (!rc)
		rc = db_prepare(db, "INSERT INTO catalog_fts (rowid, title)"
				" VALUES (?1, ?2)", &l->fts);
	if (!rc && r->f)
		rc = load_file(l, r->f);
	if (!rc)
		rc = db_prepare(db, "INSERT INTO catalog_meta (path, size,"
				" mtime_ns, loaded_at, entries, bad_lines)"
				" VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &meta);
	if (!rc) {
		sqlite3_bind_blob(meta, 1, r->path, strlen(r->path),
				  SQLITE_STATIC);
		sqlite3_bind_int64(meta, 2, r->id->size);
		sqlite3_bind_int64(meta, 3, r->id->mtime_ns);
		sqlite3_bind_double(meta, 4, clock_wall());
		sqlite3_bind_int64(meta, 5, l->entries);
		sqlite3_bind_int64(meta, 6, l->bad_lines);
		rc = db_step(meta, "write catalog_meta");
	}
	sqlite3_finalize(meta);
	sqlite3_finalize(l->row);
	sqlite3_finalize(l->fts);
	return rc;
}

static int replace_all(sqlite3 *db, const char *path, FILE *f,
		       const struct file_id *id)
{
	struct replacement r = { .path = path, .f = f, .id = id };
	int rc = db_transaction(db, replace_tx, &r);

	if (rc)
		return rc;
	log_info("catalog: loaded %lld releases from %s (%lld bad lines)",
		 (long long)r.l.entries, path, (long long)r.l.bad_lines);
	return 0;
}

/* The catalog file opened for reading (catalog_file_open()): a refusal
 * is told once and kept for health until the file opens or is gone. */
static int open_file(const char *path)
{
	struct strbuf why = STRBUF_INIT;
	int fd = catalog_file_open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY,
				   &why);

	if (why.len)
		fd = -EACCES;
	if (why.len)
		catalog_file_refused(why.buf);
	else if (fd >= 0 || fd == -ENOENT)
		catalog_file_refused(NULL);
	else
		log_error(fd, "catalog: cannot open %s: %s", path,
			  strerror(-fd));
	strbuf_release(&why);
	return fd;
}

/* The file's size and mtime are taken from the open file, so what is
 * recorded is what was read (a later change moves them again). */
int catalog_reload(sqlite3 *db, void *arg)
{
	const char *path = arg;
	struct file_id id = { -1, 0 };
	struct stat st;
	FILE *f;
	int fd, same, rc;

	if (!path || !*path)
		return -EINVAL;
	/* O_NONBLOCK: a FIFO at the path must not block the writer thread
	 * before its type can be checked. */
	fd = open_file(path);
	if (fd < 0 && fd != -ENOENT)
		return fd;
	f = NULL;
	if (fd >= 0) {
		if (fstat(fd, &st)) {
			rc = log_error(-errno, "catalog: cannot stat %s: %s",
				       path, strerror(errno));
			close(fd);
			return rc;
		}
		if (!S_ISREG(st.st_mode)) {
			close(fd);
			return log_error(S_ISDIR(st.st_mode) ? -EISDIR :
					 -EINVAL, "catalog: %s is not a file",
					 path);
		}
		f = fdopen(fd, "r");
		if (!f) {
			rc = log_error(-errno, "catalog: cannot read %s: %s",
				       path, strerror(errno));
			close(fd);
			return rc;
		}
		id.size = st.st_size;
		id.mtime_ns = st.st_mtim.tv_sec * INT64_C(1000000000) +
			      st.st_mtim.tv_nsec;
	}
	rc = already_loaded(db, path, &id, &same);
	if (!rc && !same)
		rc = replace_all(db, path, f, &id);
	if (f)
		fclose(f);
	return rc;
}

/*
 * The query for a normalized series name: all of its words, or, since
 * names_same_series() ignores spaces ("Dr. Stone" and "DrStone"), the
 * words run together as one. Empty when the name has no word.
 */
static void fts_query(const char *name, struct strbuf *q)
{
	struct strbuf joined = STRBUF_INIT;
	const char *s = name, *end;
	int words = 0;

	strbuf_addch(q, '(');
	while (*s) {
		end = strchrnul(s, ' ');
		if (end > s) {
			if (words++)
				strbuf_addch(q, ' ');
			db_fts_string(q, s, end - s);
			strbuf_add(&joined, s, end - s);
		}
		s = *end ? end + 1 : end;
	}
	strbuf_addch(q, ')');
	if (words > 1) {
		strbuf_addstr(q, " OR ");
		db_fts_string(q, joined.buf, joined.len);
	}
	if (!words)
		strbuf_reset(q);
	strbuf_release(&joined);
}

/* Whether a hit is a range, which only the parser knows. */
static int is_range(const struct catalog_hit *h)
{
	return h->last > h->first;
}

/*
 * Single volumes go before ranges (a pack is a bigger download for one
 * volume), keeping the order the query gave within each: larger sizes
 * first, then the catalog's. qsort() is not stable, so this partitions
 * through a copy. Returns 0 or -ENOMEM.
 */
static int singles_first(struct catalog_hit **hits, size_t nr)
{
	struct catalog_hit *sorted = malloc(nr * sizeof(*sorted));
	size_t i, n = 0;
	int pass;

	if (!sorted)
		return -ENOMEM;
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < nr; i++)
			if (is_range(*hits + i) == pass)
				sorted[n++] = (*hits)[i];
	free(*hits);
	*hits = sorted;
	return 0;
}

/* Adds the row st is on to the hits; they grow by doubling. */
static int add_hit(sqlite3_stmt *st, const struct names_result *r,
		   struct catalog_hit **hits, size_t *nr, size_t *alloc)
{
	struct catalog_hit *h = array_grow(*hits, *nr, alloc, sizeof(*h), 8);

	if (!h)
		return -ENOMEM;
	*hits = h;
	h = *hits + *nr;
	memset(h, 0, sizeof(*h));
	(*nr)++;
	h->size = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 :
		  sqlite3_column_int64(st, 3);
	h->first = r->first;
	h->last = r->last;
	if (db_column_strdup(st, 0, NULL, &h->title) ||
	    db_column_strdup(st, 1, NULL, &h->link) ||
	    db_column_strdup(st, 2, NULL, &h->source))
		return -ENOMEM;
	return 0;
}

/* The index narrows the catalog to titles with the series' words; the
 * name parser, the same as for files, decides what each one holds. */
int catalog_search(sqlite3 *db, const char *series, int volume,
		   struct catalog_hit **hits, size_t *nr)
{
	struct strbuf name = STRBUF_INIT, q = STRBUF_INIT;
	struct names_result r = NAMES_RESULT_INIT;
	sqlite3_stmt *st = NULL;
	size_t alloc = 0;
	int rc = 0;

	if (!db || !series || !hits || !nr)
		return -EINVAL;
	*hits = NULL;
	*nr = 0;
	names_normalize(series, &name);
	fts_query(names_skip_article(name.buf), &q);
	if (!q.len)
		goto out;
	rc = sqlite3_prepare_v2(db, "SELECT c.title, c.link, c.source, c.size"
				" FROM catalog_fts JOIN catalog c"
				" ON c.id = catalog_fts.rowid"
				" WHERE catalog_fts MATCH ?1"
				" ORDER BY c.size DESC, c.id",
				-1, &st, NULL);
	if (rc != SQLITE_OK) {
		rc = db_error(db, rc, "search catalog");
		goto out;
	}
	sqlite3_bind_text(st, 1, q.buf, q.len, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *title = (const char *)sqlite3_column_text(st, 0);

		if (!names_match_release(title, series, &r) ||
		    r.first > volume || r.last < volume)
			continue;
		if (add_hit(st, &r, hits, nr, &alloc)) {
			rc = log_error(-ENOMEM, "catalog: out of memory");
			break;
		}
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)
		rc = db_error(db, rc, "search catalog");
	sqlite3_finalize(st);
	if (!rc && *nr && singles_first(hits, *nr))
		rc = log_error(-ENOMEM, "catalog: out of memory");
	if (rc) {
		catalog_hits_free(*hits, *nr);
		*hits = NULL;
		*nr = 0;
	}
out:
	names_release(&r);
	strbuf_release(&name);
	strbuf_release(&q);
	return rc;
}

/* Hits own their strings. */
void catalog_hits_free(struct catalog_hit *hits, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		free(hits[i].title);
		free(hits[i].link);
		free(hits[i].source);
	}
	free(hits);
}
