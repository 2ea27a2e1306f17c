/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What follows a torrent that cannot come back (rd_cleanup.h): its dead
 * links deleted while the mount guard allows it, and its Arr asked to
 * rescan or to search again. Deleting one link is rd_unlink.c's; when a
 * torrent has failed is rd_job.c's to decide.
 */
#include "indexer/realdebrid/rd_cleanup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/db.h"
#include "common/log.h"
#include "indexer/realdebrid/arr.h"
#include "indexer/realdebrid/rd_links.h"
#include "indexer/realdebrid/rd_map.h"
#include "indexer/realdebrid/rd_replace.h"
#include "indexer/realdebrid/rd_store.h"
#include "indexer/realdebrid/rd_unlink.h"
#include "indexer/store/writer.h"

/* Ask the Arr holding path for its id; 0 when none does. */
static int64_t arr_id(const struct arr *a, const char *path)
{
	int64_t id = 0;

	if (!a->url || !a->api_key || arr_find(a, path, &id))
		return 0;
	return id;
}

/* Whether two links sit in one folder, so one series or movie holds both:
 * its Arr need not be asked twice. */
static int same_folder(const char *a, const char *b)
{
	const char *sa, *sb;

	if (!a)
		return 0;
	sa = strrchr(a, '/');
	sb = strrchr(b, '/');
	return sa - a == sb - b && !strncmp(a, b, sa - a);
}

/* The series or movie that holds a deleted link: the Arr (NULL: none)
 * and its id there. */
struct owner {
	const struct arr *a;
	int64_t id;
};

/* The Arr holding path, Sonarr asked first. */
static struct owner owner_of(const struct arr *sonarr,
			     const struct arr *radarr, const char *path)
{
	int64_t id;

	if ((id = arr_id(sonarr, path)))
		return (struct owner){ sonarr, id };
	if ((id = arr_id(radarr, path)))
		return (struct owner){ radarr, id };
	return (struct owner){ NULL, 0 };
}

/* Whether the Arr of a is to search again what a torrent lost. */
static int searches(const struct rd_cleanup *c, const struct arr *a)
{
	return a->kind == ARR_RADARR ? c->cfg->radarr_search_on_failure :
		c->cfg->sonarr_search_on_failure;
}

/*
 * Tell the owner of the links deleted (those of owners[] equal to
 * owners[first]): a search for their replacement when its Arr is to
 * search and it knows their files, else a rescan.
 */
static int tell_owner(struct rd_cleanup *c, const struct rd_link *l,
		      const struct owner *owners, size_t nr, size_t first)
{
	const struct owner *o = &owners[first];
	struct rd_replace r = {
		.a = o->a,
		.id = o->id,
		.torrent_id = c->torrent_id,
		.torrent_name = c->torrent_name,
		.guard = c->guard,
		.arg = c->arg,
	};
	const char **paths = NULL;
	int rc = 0;

	if (searches(c, o->a)) {
		paths = calloc(nr, sizeof(*paths));
		if (!paths)
			return log_error(-ENOMEM, "rd: out of memory");
		for (size_t i = first; i < nr; i++)
			if (owners[i].a == o->a && owners[i].id == o->id)
				paths[r.nr++] = l[i].path;
		r.paths = paths;
		rc = rd_replace(&r);
		free(paths);
		c->searches += r.searched;
	}
	if (!rc && !r.searched)
		c->rescans += !arr_rescan(o->a, o->id);
	return rc;
}

/* The Arr of kind ARR_KIND as the configuration cfg gives it. */
#define ARR_OF(cfg, KIND, name) { .kind = ARR_##KIND, \
	.url = (cfg)->name##_url, .api_key = (cfg)->name##_api_key, \
	.user = &(cfg)->name##_user }

static const struct db_field link_texts[] = {
	DB_FIELD(struct rd_link, path, 0),
	DB_FIELD(struct rd_link, target, 1),
};

/* The links sql gives (path and target, as text, ?1 bound to key). */
static int load_links(sqlite3 *db, const char *sql, const char *key,
		      struct rd_link **out, size_t *nr)
{
	size_t alloc = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db, sql, &st);

	*out = NULL;
	*nr = 0;
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct rd_link *l = db_add_row((void **)out, nr, &alloc,
					       sizeof(*l));

		if (!l || db_row_fields(st, l, DB_FIELDS(link_texts))) {
			rc = -ENOMEM;
			break;
		}
	}
	rc = db_finalize(st, rc, "rd: read links");
	if (rc) {
		rd_links_free(*out, *nr);
		*out = NULL;
		*nr = 0;
	}
	return rc;
}

int rd_cleanup_links(struct rd_cleanup *c)
{
	struct arr sonarr = ARR_OF(c->cfg, SONARR, sonarr);
	struct arr radarr = ARR_OF(c->cfg, RADARR, radarr);
	struct owner *owners = NULL;
	struct rd_link *l = NULL;
	const char *asked = NULL;	/* the last link Arrs were asked of */
	size_t nr, last = 0;
	int rc;

	c->deleted = c->rescans = c->searches = 0;
	rc = load_links(c->db, "SELECT CAST(path AS TEXT), CAST(target AS"
			" TEXT) FROM rd_links WHERE torrent_id = ?1 AND"
			" broken ORDER BY path", c->torrent_id, &l, &nr);
	if (!rc && nr && !(owners = calloc(nr, sizeof(*owners))))
		rc = log_error(-ENOMEM, "rd: out of memory");
	for (size_t i = 0; !rc && i < nr; i++) {
		struct rd_sql q = {
			.sql = "DELETE FROM rd_links WHERE path ="
			       " CAST(?1 AS BLOB)",
			.text = { l[i].path },
		};

		if (!c->guard(c->arg) || rd_unlink_dead(&c->cfg->rd_libraries,
							l[i].path, l[i].target))
			continue;
		log_info("rd: deleted dead link %s (torrent %s failed for"
			 " good)", l[i].path, c->torrent_id);
		c->deleted++;
		rc = writer_call(rd_store_sql, &q);
		if (!rc)
			rc = rd_store_action(c->torrent_id, "mount",
					     "delete_link", l[i].path, "ok");
		if (same_folder(asked, l[i].path)) {
			owners[i] = owners[last];
			continue;
		}
		asked = l[i].path;
		last = i;
		owners[i] = owner_of(&sonarr, &radarr, l[i].path);
	}
	for (size_t i = 0; !rc && i < nr; i++) {
		int first = owners[i].a != NULL;

		for (size_t j = 0; first && j < i; j++)
			first = owners[j].a != owners[i].a ||
				owners[j].id != owners[i].id;
		if (first)
			rc = tell_owner(c, l, owners, nr, i);
	}
	free(owners);
	rd_links_free(l, nr);
	return rc;
}

/* A dead link no torrent explains, the account listed whole. */
#define ORPHAN_SQL \
	"SELECT path, target FROM rd_links WHERE broken AND torrent_id IS" \
	" NULL AND map_error = '" RD_MAP_NO_TORRENT "' AND EXISTS" \
	" (SELECT 1 FROM rd_sync WHERE cycle_finished_at IS NOT NULL)"

int rd_cleanup_track_orphans(const struct config *cfg, double now)
{
	struct rd_sql q = {
		.sql = "DELETE FROM rd_orphans WHERE ?7 OR (path, target) NOT"
		       " IN (" ORPHAN_SQL ")",
		.num = { !strcmp(cfg->rd_orphans, "keep") },
	};
	int rc = writer_call(rd_store_sql, &q);

	if (rc || q.num[0])
		return rc;
	return writer_call(rd_store_sql, &(struct rd_sql){
		.sql = "INSERT OR IGNORE INTO rd_orphans (path, target, since)"
		       " SELECT path, target, ?7 FROM (" ORPHAN_SQL ")",
		.num = { now },
	});
}

/* Whether an Arr knows path as one of its files: 1, 0, or the error of
 * one that cannot tell. */
static int arr_knows(const struct arr *a, const char *path)
{
	struct arr_ids files = { 0 };
	int64_t id;
	int rc;

	if (!a->url || !a->api_key)
		return 0;
	rc = arr_find(a, path, &id);
	if (rc)
		return rc == -ENOENT ? 0 : rc;
	rc = arr_files(a, id, &path, 1, &files);
	if (!rc)
		rc = files.nr > 0;
	arr_ids_release(&files);
	return rc;
}

int rd_cleanup_orphans(struct rd_cleanup *c, double now)
{
	struct arr sonarr = ARR_OF(c->cfg, SONARR, sonarr);
	struct arr radarr = ARR_OF(c->cfg, RADARR, radarr);
	struct rd_link *due = NULL;
	char since[32];
	size_t nr = 0;
	int rc;

	c->deleted = 0;
	if (strcmp(c->cfg->rd_orphans, "delete"))
		return 0;
	snprintf(since, sizeof(since), "%.6f",
		 now - c->cfg->rd_orphan_grace_s);
	rc = load_links(c->db, "SELECT CAST(path AS TEXT), CAST(target AS"
			" TEXT) FROM rd_orphans WHERE since <= CAST(?1 AS"
			" REAL) ORDER BY path", since, &due, &nr);
	for (size_t i = 0; !rc && i < nr; i++) {
		const char *path = due[i].path;
		struct rd_sql q = {
			.sql = "DELETE FROM rd_links WHERE path ="
			       " CAST(?1 AS BLOB)",
			.text = { path },
		};
		int known;

		if (!c->guard(c->arg))
			break;
		known = arr_knows(&sonarr, path);
		if (!known)
			known = arr_knows(&radarr, path);
		if (known) {
			log_info("rd: orphan %s kept: %s", path, known > 0 ?
				 "an Arr knows it" : "an Arr cannot tell");
			continue;
		}
		if (rd_unlink_dead(&c->cfg->rd_libraries, path,
				   due[i].target))
			continue;
		log_info("rd: deleted orphan %s (dead, no torrent, for %ld s"
			 " or more)", path, c->cfg->rd_orphan_grace_s);
		c->deleted++;
		rc = writer_call(rd_store_sql, &q);
		q.sql = "DELETE FROM rd_orphans WHERE path = CAST(?1 AS BLOB)";
		if (!rc)
			rc = writer_call(rd_store_sql, &q);
		if (!rc)
			rc = rd_store_action(NULL, "mount", "delete_orphan",
					     path, "ok");
	}
	rd_links_free(due, nr);
	return rc;
}
