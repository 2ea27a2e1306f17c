/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The tracker's import of a completed download (tracker_private.h): its
 * series folder and the save folders it may come from found, the import
 * run, the user told of what went in, or of why nothing did and what
 * to do, and a failed import tried again after a back-off. It asks the
 * clients nothing but where they save (import_home.h), and writes no
 * row: the tracker stores the state it returns.
 */
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/array.h"
#include "common/bytes.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/db.h"
#include "common/log.h"
#include "common/notify.h"
#include "common/path.h"
#include "common/strbuf.h"
#include "indexer/monitor/handoff.h"
#include "indexer/realdebrid/mediaserver.h"
#include "indexer/monitor/import.h"
#include "indexer/monitor/import_home.h"
#include "indexer/monitor/import_path.h"
#include "indexer/monitor/prefs.h"
#include "indexer/monitor/save_guard.h"
#include "indexer/monitor/series_save.h"
#include "indexer/monitor/tracker_private.h"

/* Why a client's own folder was not learnt, room left for "import: ". */
#define HOME_WHY_MAX (TRACKER_REASON_MAX - sizeof("import: ") + 1)

void tracker_tell(const struct track *t, enum notify_kind kind,
		  const char *key, json_t *value, const char *fmt, ...)
{
	struct strbuf subject = STRBUF_INIT, tail = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&tail, fmt, ap);
	va_end(ap);
	strbuf_addf(&subject, "%s volume %d", t->series, t->volume);
	notify_event(kind, subject.buf,
		     json_pack("{s:i, s:s, s:s, s:o}", "volume", t->volume,
			       "title", t->title, "client", t->client, key,
			       value),
		     "%s%s", subject.buf, tail.buf);
	strbuf_release(&subject);
	strbuf_release(&tail);
}

/* What to do about an import that failed with err, at the mapping of
 * the client's path (map) or in the import itself. */
static const struct {
	int err, map;
	const char *fix;
} fixes[] = {
	{ -EPERM, 1, "name the client's folder as [download] or [usenet]"
	  " save_path, or map it with path_map" },
	{ -EEXIST, 0, "move away the file in the series folder that has"
	  " its name" },
	{ -ENOSPC, 0, "free space in the series folder's file system" },
	{ -EACCES, 0, "let mediamon write in the series folder" },
	{ -EPERM, 0, "let mediamon write in the series folder" },
	{ -EROFS, 0, "let mediamon write in the series folder" },
	{ -EFBIG, 0, "import it by hand" },
	{ -ELOOP, 0, "remove the link on the way" },
	{ -EXDEV, 0, "remove the link or mount point on the way" },
	{ -ENOENT, 0, "check that the download is still where the client"
	  " says" },
};

/* row's reason: "import: " why, and what to do about it. */
static void set_reason(struct tracker_row *row, const char *why, int err,
		       int map)
{
	const char *fix = "see /log";

	for (size_t i = 0; i < ARRAY_SIZE(fixes); i++)
		if (fixes[i].err == err && fixes[i].map == map) {
			fix = fixes[i].fix;
			break;
		}
	/* the client naming its save folder itself: no setting fixes it */
	if (map && strstr(why, "names the save folder"))
		fix = "give the download a folder of its own in the client";
	if (!map && err == -EACCES && strstr(why, "refused, nothing in it"))
		fix = "a download must be the client's user's or the save"
			" folder owner's, and readable by the series folder's"
			" owner";
	snprintf(row->reason, sizeof(row->reason), "import: %s (%s)",
		 why, fix);
}

/* The back-off slot of t, or a free one (the oldest when none is). */
static struct handoff_retry *slot_of(struct handoff *h, const struct track *t,
				     int take)
{
	struct handoff_retry *free_slot = NULL;

	for (size_t i = 0; i < HANDOFF_RETRIES; i++) {
		struct handoff_retry *r = &h->retries[i];

		if (!strcmp(r->id, t->client_id))
			return r;
		if (!free_slot || r->next < free_slot->next)
			free_slot = r;
	}
	if (!take)
		return NULL;
	snprintf(free_slot->id, sizeof(free_slot->id), "%s", t->client_id);
	free_slot->tries = 0;
	return free_slot;
}

int tracker_import_due(struct tracker_pass *p, const struct track *t,
		       double now)
{
	struct handoff_retry *r;

	if (tracker_would_import(&t->row) || tracker_dry_run_on(p, t))
		return 0;
	r = slot_of(p->handoff, t, 0);
	return !r || now >= r->next;
}

/* A failed import: the user told, once per volume, and a try after a
 * back-off. */
static void tell_failed(struct tracker_pass *p, const struct track *t,
			const struct tracker_row *row)
{
	struct handoff_retry *r = slot_of(p->handoff, t, 1);
	double wait = fmin(p->cfg->download_poll_interval_s *
			   ldexp(1, r->tries < 20 ? r->tries : 20),
			   TRACKER_RETRY_MAX);

	r->tries++;
	r->next = clock_wall() + wait;
	log_warn("tracker: \"%s\" for %s volume %d not imported, tried again"
		 " in %.0f s: %s", t->title, t->series, t->volume, wait,
		 row->reason);
	tracker_tell(t, NOTIFY_IMPORT_FAILED, "reason",
		     json_string(row->reason), ": \"%s\" completed but was not"
		     " imported: %s", t->title,
		     row->reason + strlen("import: "));
}

/* An import done, or no more to try: its back-off forgotten. */
static void forget(struct tracker_pass *p, const struct track *t)
{
	struct handoff_retry *r = slot_of(p->handoff, t, 0);

	if (r)
		memset(r, 0, sizeof(*r));
}

void tracker_look_saves(struct tracker_pass *p)
{
	const struct config_list *map = &p->cfg->download_path_map;
	const char *fixed[] = {
		p->handoff->torrent.c.save_path, p->handoff->torrent.home,
		p->handoff->usenet.c.save_path, p->handoff->usenet.home,
		p->handoff->ed2k.home,
	};
	size_t nr = ARRAY_SIZE(fixed);
	const char **current = calloc(nr + map->nr / 2, sizeof(*current));

	if (!current) {
		save_guard_look(fixed, nr);
		return;
	}
	memcpy(current, fixed, sizeof(fixed));
	for (size_t i = 1; i < map->nr; i += 2)
		current[nr++] = map->items[i];
	save_guard_look(current, nr);
	free(current);
}

/* Where a series' volumes go: its folder, its root, its own preferences
 * (prefs.h: its save path) and its metadata for the volumes' files. */
struct place {
	struct strbuf dir, root, meta;
	struct prefs_own own;
};

static void place_release(struct place *pl)
{
	prefs_own_release(&pl->own);
	strbuf_release(&pl->dir);
	strbuf_release(&pl->root);
	strbuf_release(&pl->meta);
}

/* The place of the series named series (the first, should two roots
 * hold one) into pl. */
static int series_place(sqlite3 *db, const char *series, struct place *pl)
{
	struct strbuf *dir = &pl->dir, *root = &pl->root, *meta = &pl->meta;
	struct prefs_own *own = &pl->own;
	const char *text;
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, "SELECT CAST(r.path AS TEXT) || '/' ||"
			" CAST(s.path AS TEXT), s.release_prefs,"
			" CAST(r.path AS TEXT), CASE WHEN json_valid(s.meta)"
			" THEN json_set(s.meta, '$.edition', substr("
			" s.published_by, instr(s.published_by, ':') + 1))"
			" END FROM series s"
			" JOIN roots r ON r.id = s.root_id WHERE s.name = ?1"
			" ORDER BY s.id LIMIT 1", &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, series, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		strbuf_addstr(dir, (const char *)sqlite3_column_text(st, 0));
		strbuf_addstr(root, (const char *)sqlite3_column_text(st, 2));
		text = (const char *)sqlite3_column_text(st, 3);
		if (text)
			strbuf_addstr(meta, text);
		text = (const char *)sqlite3_column_text(st, 1);
		/* Checked when written: text that no longer reads gives
		 * no save path, as it gives the checks no preference. */
		if (text && prefs_parse(text, own, NULL))
			log_warn("tracker: the preferences of %s do not read",
				 series);
	}
	rc = db_finalize(st, rc, "read series folder");
	return rc ? rc : dir->len ? 0 : -ENOENT;
}

/* Tell the user, and the servers that show it, what went into the
 * series folder dir. */
static void tell_imported(const struct config *cfg, const struct track *t,
			  const struct import_result *res, const char *dir)
{
	struct mediaserver_told told;
	json_t *files = json_array();

	for (size_t i = 0; i < res->nr_files; i++)
		json_array_append_new(files, json_string(res->files[i].to));
	log_info("tracker: \"%s\" imported into %s volume %d", t->title,
		 t->series, t->volume);
	tracker_tell(t, NOTIFY_IMPORTED, "files", files,
		     " imported from \"%s\"", t->title);
	/* the servers see the volume now, not at their next scan */
	mediaserver_imported(cfg, dir, &told);
	if (told.asked || told.failed)
		log_info("tracker: servers told of %s: %d asked, %d failed",
			 dir, told.asked, told.failed);
}

int tracker_would_import(const struct tracker_row *row)
{
	return !strncmp(row->reason, TRACKER_WOULD_IMPORT,
			strlen(TRACKER_WOULD_IMPORT));
}

int tracker_dry_run_on(const struct tracker_pass *p, const struct track *t)
{
	const int *on = p->handoff->dry_run;

	return on && __atomic_load_n(on, __ATOMIC_RELAXED) &&
		!(t && t->applied);
}

#define MAX_OWNERS 4

/*
 * Whose a download of client may be, into owners (room for
 * MAX_OWNERS): root, the daemon's user, client's client_user, and
 * the owner of the save folder saved when the configuration names it;
 * never the owner of home, the folder the client named itself (it may
 * name another user's private folder). Returns how many, 0 when saved
 * is gone.
 */
static size_t owners_of(const struct download_client *client,
			const char *saved, const char *home, uid_t *owners)
{
	char *real = home ? realpath(home, NULL) : NULL;
	int learned = home && (!strcmp(saved, home) ||
			       (real && !strcmp(saved, real)));
	struct stat st;
	size_t nr = 0;

	free(real);
	if (stat(saved, &st))
		return 0;
	owners[nr++] = 0;
	if (geteuid())
		owners[nr++] = geteuid();
	if (client->client_user)
		owners[nr++] = client->client_uid;
	if (!learned)
		owners[nr++] = st.st_uid;
	return nr;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The files torrent client c lists for the download obj, whose content
 * is at path (both in the client's view), below what the import walks:
 * the download's folder, or for a download of one file its name (the
 * path itself). Into *out (*nr of them, sorted, to free with
 * array_free_strings()). Returns 0, -EOPNOTSUPP when c gives no list, or
 * another negative errno value with why.
 */
static int listed_files(const struct download_client *c, json_t *obj,
			const char *path, char ***out, size_t *nr,
			struct strbuf *why)
{
	char *own = path_normalize(NULL, path), *name;
	const char *base;
	json_t *names, *v;
	size_t len, i;
	int ret;

	*out = NULL;
	*nr = 0;
	if (!own)
		abort();
	len = strlen(own);
	base = strrchr(own, '/') ? strrchr(own, '/') + 1 : own;
	ret = download_files(c, obj, &names, why);
	if (!ret && !(*out = calloc(json_array_size(names) + 1,
				    sizeof(**out))))
		abort();
	json_array_foreach(ret ? NULL : names, i, v) {
		/* as the client sees it, "." and ".." taken as text */
		name = path_normalize(NULL, json_string_value(v));
		if (!name)
			abort();
		if (!strncmp(name, own, len) && (!name[len] ||
						 name[len] == '/')) {
			(*out)[*nr] = strdup(name[len] ? name + len + 1 :
					     base);
			if (!(*out)[(*nr)++])
				abort();
		}
		free(name);
	}
	free(own);
	if (ret)
		return ret;
	json_decref(names);
	if (*nr)
		qsort(*out, *nr, sizeof(**out), by_name);
	return 0;
}

/*
 * Add a series' own save folder to the nr folders of allowed, which has
 * room for it, when it lies under one of them and is client's
 * (series_save.h): whoever may write the series' preferences names it,
 * so it is trusted only inside a folder the administrator configured.
 * Returns 0, or -EACCES with the reason in row.
 */
static int trust_own_folder(const char *folder,
			    const struct download_client *client,
			    const char **allowed, size_t *nr,
			    struct tracker_row *row)
{
	struct download_client c = *client;
	char why[TRACKER_REASON_MAX - 8];

	if (!folder)
		return 0;
	for (size_t i = 0; i < *nr; i++) {
		if (!path_under(folder, allowed[i]))
			continue;
		c.save_path = allowed[i];
		if (series_save_check(&c, folder, why, sizeof(why))) {
			snprintf(row->reason, sizeof(row->reason),
				 "import: %s", why);
			return -EACCES;
		}
		allowed[(*nr)++] = folder;
		return 0;
	}
	snprintf(row->reason, sizeof(row->reason), "import: the series'"
		 " save_path %s lies under no [download] or [usenet]"
		 " save_path", folder);
	return -EACCES;
}

/*
 * The save folders an import of t may read from, in allowed (with room
 * for one more), and their number: each hand-off client's, or the one
 * learned from t's client when it gives none and learn is set (then in
 * *home, or why not in home_why). *client becomes t's client.
 */
static size_t allowed_folders(struct tracker_pass *p, const struct track *t,
			      int learn, const char **allowed,
			      const struct download_client **client,
			      char **home, char *home_why)
{
	size_t nr = 0;

	for (int i = 0; i < 3; i++) {
		struct handoff_client *hc = i == 2 ? &p->handoff->ed2k :
			i ? &p->handoff->usenet : &p->handoff->torrent;
		const char *save = hc->c.save_path;

		if (hc->c.client && !strcmp(hc->c.client, t->client))
			*client = &hc->c;
		if (save && *save)
			allowed[nr++] = save;
		else if (!strcmp(hc->c.client, t->client) && learn &&
			 !import_home_learn(p->cfg, &hc->c, hc->home, home_why,
					    HOME_WHY_MAX))
			allowed[nr++] = *home = hc->home;
	}
	return nr;
}

/*
 * Import t's volume from the save folder req names (its source and
 * series' folders set), as client's owners of that folder and list of
 * obj's files at path allow; the reason of a refusal in res.
 */
static int import_saved(struct tracker_pass *p, const struct track *t,
			struct import_request *req,
			const struct download_client *client, json_t *obj,
			const char *path, const char *home,
			struct import_result *res)
{
	struct strbuf list_why = STRBUF_INIT;
	double volume = t->volume;
	char **listed = NULL;
	size_t nr_listed = 0;
	uid_t owners[MAX_OWNERS];
	int rc, listed_rc;

	req->nr_owners = owners_of(client, req->source_root, home, owners);
	listed_rc = listed_files(client, obj, path, &listed, &nr_listed,
				 &list_why);
	if (!req->nr_owners) {
		strbuf_addf(&res->reason, "the save folder %s is gone",
			    req->source_root);
		rc = log_error(-ENOENT, "import: %s", res->reason.buf);
	} else if (listed_rc && listed_rc != -EOPNOTSUPP) {
		strbuf_addf(&res->reason, "cannot list the files of %s: %s",
			    path, list_why.buf);
		rc = log_error(listed_rc, "import: %s", res->reason.buf);
	} else {
		req->series = t->series;
		req->volumes = &volume;
		req->nr_volumes = 1;
		req->owners = owners;
		req->listed = (const char *const *)listed;
		req->nr_listed = nr_listed;
		req->listed_only = !listed_rc;
		rc = import_run(req, p->cfg, res);
	}
	array_free_strings(listed, nr_listed);
	strbuf_release(&list_why);
	return rc;
}

enum tracker_state tracker_import(struct tracker_pass *p,
				  const struct track *t, json_t *obj,
				  const char *path, struct tracker_row *row)
{
	const char *allowed[6];
	size_t nr;
	struct place pl = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, { 0 } };
	struct import_result res = IMPORT_RESULT_INIT;
	char why[TRACKER_REASON_MAX], *local = NULL, *saved = NULL;
	char home_why[HOME_WHY_MAX] = "", *home = NULL;
	const struct download_client *client = &p->handoff->torrent.c;
	const char *away = NULL;
	int rc, wrong;

	row->reason[0] = '\0';
	rc = series_place(p->db, t->series, &pl);
	if (!rc && tracker_dry_run_on(p, t)) {
		snprintf(row->reason, sizeof(row->reason), TRACKER_WOULD_IMPORT
			 " into %s", pl.dir.buf);
		log_info("tracker: dry-run: would import \"%s\" into %s",
			 t->title, pl.dir.buf);
		place_release(&pl);
		return TRACKER_COMPLETED;
	}
	nr = allowed_folders(p, t, !rc, allowed, &client, &home, home_why);
	if (rc)
		snprintf(row->reason, sizeof(row->reason), "import: the"
			 " folder of %s is not known (rescan the manga root)",
			 t->series);
	else
		rc = trust_own_folder(pl.own.save_path, client, allowed, &nr,
				      row);
	if (!rc && (rc = import_map_path(p->cfg, path, allowed, nr, &local,
					 &saved, why, sizeof(why)))) {
		if (*home_why)
			snprintf(row->reason, sizeof(row->reason),
				 "import: %s", home_why);
		else
			set_reason(row, why, rc, 1);
		/* learned again: the client's folder may have moved */
		if (home)
			*home = '\0';
	} else if (!rc && (away = save_guard_check(saved))) {
		/* a share that dropped: nothing to act on, nothing to tell
		 * per download; tried again at each poll */
		snprintf(row->reason, sizeof(row->reason), "import: the save"
			 " folder %s is unavailable (%s): the import waits"
			 " for it", saved, away);
		rc = -EAGAIN;
	} else if (!rc) {
		rc = import_saved(p, t, &(struct import_request) {
			.source = local, .source_root = saved,
			.series_dir = pl.dir.buf, .series_root = pl.root.buf,
			.meta = pl.meta.len ? pl.meta.buf : NULL,
		}, client, obj, path, home, &res);
		if (rc && res.no_volume)
			snprintf(row->reason, sizeof(row->reason),
				 "import: %s", res.reason.buf);
		else if (rc)
			set_reason(row, res.reason.buf, rc, 0);
		else
			tell_imported(p->cfg, t, &res, pl.dir.buf);
	}
	wrong = res.no_volume;
	if (rc && !wrong && !away)
		tell_failed(p, t, row);
	else
		forget(p, t);
	import_result_release(&res);
	place_release(&pl);
	free(local);
	free(saved);
	return !rc ? TRACKER_IMPORTED : wrong ? TRACKER_FAILED :
		TRACKER_COMPLETED;
}
