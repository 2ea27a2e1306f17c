#include "indexer/realdebrid/rd_cleanup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/config.h"
#include "common/db.h"
#include "common/log.h"
#include "common/path.h"
#include "indexer/realdebrid/arr.h"
#include "indexer/realdebrid/rd_links.h"
#include "indexer/realdebrid/rd_store.h"
#include "indexer/store/writer.h"

struct link {
	char *path, *target;
};

/* Free what load_links() gave, half-made lists too. */
static void links_free(struct link *l, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free(l[i].path);
		free(l[i].target);
	}
	free(l);
}

/* Whether a link still is the dead link to target it was: a link
 * changed or repaired by someone else since the walk is not ours. */
static int still_dead(const char *path, const char *target)
{
	char buf[4096], *dir, *now;
	ssize_t len = readlink(path, buf, sizeof(buf) - 1);
	struct stat st;
	int same;

	if (len < 0)
		return 0;
	buf[len] = '\0';
	dir = strdup(path);
	if (!dir)
		return 0;
	*strrchr(dir, '/') = '\0';
	now = path_normalize(dir, buf);
	free(dir);
	same = now && !strcmp(now, target) && stat(target, &st);
	free(now);
	return same;
}

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

/* Remember an id once; rescans go one per series or movie. */
static int add_id(int64_t **ids, size_t *nr, int64_t id)
{
	int64_t *grown;

	for (size_t i = 0; i < *nr; i++)
		if ((*ids)[i] == id)
			return 0;
	grown = realloc(*ids, (*nr + 1) * sizeof(**ids));
	if (!grown)
		return log_error(-ENOMEM, "rd: out of memory");
	grown[(*nr)++] = id;
	*ids = grown;
	return 0;
}

/* The broken links of torrent as paths and their targets. */
static int load_links(sqlite3 *db, const char *torrent, struct link **out,
		      size_t *nr)
{
	struct link *l = NULL;
	sqlite3_stmt *st;
	int rc;

	*nr = 0;
	rc = sqlite3_prepare_v2(db, "SELECT CAST(path AS TEXT),"
				" CAST(target AS TEXT) FROM rd_links WHERE"
				" torrent_id = ?1 AND broken ORDER BY path", -1,
				&st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, "rd: read links");
	sqlite3_bind_text(st, 1, torrent, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct link *grown = realloc(l, (*nr + 1) * sizeof(*l));

		if (!grown) {
			rc = -ENOMEM;
			break;
		}
		l = grown;
		grown = &l[(*nr)++];
		grown->path = strdup((const char *)sqlite3_column_text(st, 0));
		grown->target = strdup((const char *)
				       sqlite3_column_text(st, 1));
		if (!grown->path || !grown->target) {
			rc = -ENOMEM;
			break;
		}
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE) {
		*out = l;
		return 0;
	}
	links_free(l, *nr);
	*nr = 0;
	return rc == -ENOMEM ? log_error(rc, "rd: out of memory") :
		db_error(db, rc, "rd: read links");
}

int rd_cleanup_links(struct rd_cleanup *c)
{
	struct arr sonarr = {
		.kind = ARR_SONARR,
		.url = c->cfg->sonarr_url,
		.api_key = c->cfg->sonarr_api_key,
	};
	struct arr radarr = {
		.kind = ARR_RADARR,
		.url = c->cfg->radarr_url,
		.api_key = c->cfg->radarr_api_key,
	};
	int64_t *series = NULL, *movies = NULL;
	size_t nr_series = 0, nr_movies = 0, nr;
	struct link *l = NULL;
	const char *asked = NULL;	/* the last link Arrs were asked of */
	int rc;

	c->deleted = c->rescans = 0;
	rc = load_links(c->db, c->torrent_id, &l, &nr);
	for (size_t i = 0; !rc && i < nr; i++) {
		struct rd_sql q = {
			.sql = "DELETE FROM rd_links WHERE path ="
			       " CAST(?1 AS BLOB)",
			.text = { l[i].path },
		};
		int64_t id;

		if (!still_dead(l[i].path, l[i].target) || !c->guard(c->arg))
			continue;
		if (unlink(l[i].path)) {
			log_error(-errno, "rd: cannot delete link %s: %s",
				  l[i].path, strerror(errno));
			continue;
		}
		log_info("rd: deleted dead link %s (torrent %s failed for"
			 " good)", l[i].path, c->torrent_id);
		c->deleted++;
		rc = writer_call(rd_store_sql, &q);
		if (rc || same_folder(asked, l[i].path))
			continue;
		asked = l[i].path;
		if ((id = arr_id(&sonarr, l[i].path)))
			rc = add_id(&series, &nr_series, id);
		else if ((id = arr_id(&radarr, l[i].path)))
			rc = add_id(&movies, &nr_movies, id);
	}
	for (size_t i = 0; !rc && i < nr_series; i++)
		c->rescans += !arr_rescan(&sonarr, series[i]);
	for (size_t i = 0; !rc && i < nr_movies; i++)
		c->rescans += !arr_rescan(&radarr, movies[i]);
	free(series);
	free(movies);
	links_free(l, nr);
	return rc;
}
