/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The search for another release of what a lost torrent held
 * (rd_replace.h): the records of the deleted links' files dropped in the
 * Arr and what they held searched again, each step recorded. It deletes
 * no link itself; rd_cleanup.c did.
 */
#include "indexer/realdebrid/rd_replace.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/notify.h"
#include "common/strbuf.h"
#include "indexer/realdebrid/arr.h"
#include "indexer/realdebrid/rd_store.h"

/* Record one step: its result "ok", "gone already" or the error. */
static int note(const struct rd_replace *r, const char *action,
		const char *target, int rc)
{
	return rd_store_action(r->torrent_id, arr_name(r->a), action, target,
			       !rc ? "ok" : rc == -ENOENT ? "gone already" :
			       strerror(-rc));
}

/* Ids as "11, 12", for the history and the message. */
static void ids_text(const struct arr_ids *ids, struct strbuf *out)
{
	for (size_t i = 0; i < ids->nr; i++)
		strbuf_addf(out, "%s%lld", i ? ", " : "",
			    (long long)ids->v[i]);
}

/* The search was asked: tell the user, under the torrent's name. */
static void tell(const struct rd_replace *r, const struct arr_ids *wanted,
		 const char *text, size_t deleted)
{
	int radarr = r->a->kind == ARR_RADARR;
	json_t *list = json_array();

	for (size_t i = 0; list && i < wanted->nr; i++)
		json_array_append_new(list, json_integer(wanted->v[i]));
	notify_event(NOTIFY_REPLACEMENT, r->torrent_name ? r->torrent_name :
		     r->torrent_id,
		     json_pack("{s:s, s:s?, s:s, s:I, s:o*, s:I}",
			       "torrent_id", r->torrent_id,
			       "name", r->torrent_name,
			       "service", arr_name(r->a),
			       radarr ? "movie_id" : "series_id",
			       (json_int_t)r->id,
			       radarr ? "movie_ids" : "episode_ids", list,
			       "files_deleted", (json_int_t)deleted),
		     "%s: %s %s searched again (%zu file records deleted):"
		     " torrent %s cannot be repaired", arr_name(r->a),
		     radarr ? "movie" : "episodes", text, deleted,
		     r->torrent_id);
}

/* Delete the record of one file, after finding what it held, into
 * *wanted; *deleted counts the records gone. */
static int drop_file(struct rd_replace *r, int64_t file,
		     struct arr_ids *wanted, size_t *deleted)
{
	struct arr_ids held = { 0 };
	char target[32];
	int rc = 0, gone;

	snprintf(target, sizeof(target), "%lld", (long long)file);
	if (r->a->kind == ARR_SONARR)
		rc = arr_episodes(r->a, file, &held);
	else
		rc = arr_ids_add(&held, r->id);
	if (rc || !held.nr) {
		arr_ids_release(&held);
		return note(r, "episodes", target, rc ? rc : -ENOENT);
	}
	gone = arr_delete_file(r->a, file);
	rc = note(r, "delete_file", target, gone);
	if (gone && gone != -ENOENT) {
		arr_ids_release(&held);
		return rc;
	}
	(*deleted)++;
	for (size_t i = 0; !rc && i < held.nr; i++)
		rc = arr_ids_add(wanted, held.v[i]);
	arr_ids_release(&held);
	return rc;
}

int rd_replace(struct rd_replace *r)
{
	struct arr_ids files = { 0 }, wanted = { 0 };
	struct strbuf text = STRBUF_INIT;
	size_t deleted = 0;
	char item[32];
	int rc, sent;

	r->searched = 0;
	snprintf(item, sizeof(item), "%lld", (long long)r->id);
	rc = arr_files(r->a, r->id, r->paths, r->nr, &files);
	if (rc || !files.nr) {
		log_warn("%s: no file of %lld is one of the links of torrent"
			 " %s: no search", arr_name(r->a), (long long)r->id,
			 r->torrent_id);
		arr_ids_release(&files);
		return note(r, "files", item, rc ? rc : -ENOENT);
	}
	rc = 0;
	for (size_t i = 0; !rc && i < files.nr; i++) {
		if (!r->guard(r->arg))
			break;
		rc = drop_file(r, files.v[i], &wanted, &deleted);
	}
	arr_ids_release(&files);
	if (!rc && wanted.nr) {
		ids_text(&wanted, &text);
		sent = arr_search(r->a, wanted.v, wanted.nr);
		rc = note(r, "search", text.buf, sent);
		r->searched = !sent;
		if (!sent)
			tell(r, &wanted, text.buf, deleted);
	}
	strbuf_release(&text);
	arr_ids_release(&wanted);
	return rc;
}
