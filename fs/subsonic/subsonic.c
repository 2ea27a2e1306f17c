/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The OpenSubsonic API (subsonic.h): /rest's dispatch through the
 * methods' table (subsonic_methods.def), the parameters, the
 * subsonic-response envelope in JSON or XML from one jansson tree, the
 * errors, and the methods' do_ functions. Who asks is subsonic_auth.c's;
 * it opens no file and speaks no SQL itself.
 */
#include "fs/subsonic/subsonic.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "common/config.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "fs/tree/caller.h"
#include "fs/tree/http_auth.h"
#include "fs/tree/http_form.h"
#include "fs/http/http_serve.h"
#include "fs/tree/http_stats.h"
#include "fs/subsonic/subsonic_artists.h"
#include "fs/subsonic/subsonic_auth.h"
#include "fs/subsonic/subsonic_busy.h"
#include "fs/subsonic/subsonic_cover.h"
#include "fs/subsonic/subsonic_edits.h"
#include "fs/subsonic/subsonic_genres.h"
#include "fs/subsonic/subsonic_index.h"
#include "fs/subsonic/subsonic_info.h"
#include "fs/subsonic/subsonic_lists.h"
#include "fs/subsonic/subsonic_lyrics.h"
#include "fs/subsonic/subsonic_music.h"
#include "fs/subsonic/subsonic_now.h"
#include "fs/subsonic/subsonic_old.h"
#include "fs/subsonic/subsonic_marks.h"
#include "fs/subsonic/subsonic_playlists.h"
#include "fs/subsonic/subsonic_queue.h"
#include "fs/subsonic/subsonic_stars.h"
#include "fs/subsonic/subsonic_system.h"
#include "fs/subsonic/subsonic_transcode.h"
#include "fs/subsonic/subsonic_xml.h"
#include "indexer/reads.h"

#define GENERIC 0

static const struct {
	int code;
	const char *message;
} messages[] = {
	{ GENERIC, "A generic error." },
	{ SUBSONIC_MISSING, "Required parameter is missing." },
	{ SUBSONIC_WRONG, "Wrong username or password." },
	{ SUBSONIC_NO_TOKEN, "Token authentication not supported for this"
	  " user: keep its password in [http] subsonic_passwords." },
	{ SUBSONIC_NO_MECHANISM, "Provided authentication mechanism not"
	  " supported." },
	{ SUBSONIC_CONFLICT, "Multiple conflicting authentication mechanisms"
	  " provided." },
	{ SUBSONIC_BAD_KEY, "Invalid API key." },
	{ 50, "User is not authorized for the given operation." },
	{ SUBSONIC_NOT_FOUND, "The requested data was not found." },
};

/* A request: its connection and what the answer is made of. */
struct request {
	struct MHD_Connection *c;
	const struct http_form *form;	/* a POST's, or NULL */
	json_t *body;		/* subsonic-response's members */
	struct strbuf file;	/* a SUBSONIC_FILE method's path */
	int previous;	/* answered from the lists' index before a change */
};

/* The parameter name from the query, else from a POST's form. */
static const char *param(const struct request *r, const char *name)
{
	const char *v = MHD_lookup_connection_value(r->c,
		MHD_GET_ARGUMENT_KIND, name);

	return v ? v : http_form_get(r->form, name);
}

/* Set the member name of o to v (consumed): 0, or -ENOMEM. */
static int set(json_t *o, const char *name, json_t *v)
{
	return v && !json_object_set_new(o, name, v) ? 0 : -ENOMEM;
}

static int do_ping(struct request *r)
{
	(void)r;
	return 0;
}

static int do_get_license(struct request *r)
{
	return set(r->body, "license", json_pack("{s:b}", "valid", 1));
}

/* The extensions served: formPost and those below while served. */
static int do_get_extensions(struct request *r)
{
	const struct {
		const char *name;
		int on;
	} extensions[] = {
		{ "apiKeyAuthentication", subsonic_auth_api_keys() },
		{ "transcodeOffset", subsonic_transcode_offsets() },
		{ "indexBasedQueue", 1 }, { "songLyrics", 1 },
	};
	json_t *a = json_pack("[{s:s,s:[i]}]", "name", "formPost",
			      "versions", 1);

	for (size_t i = 0; a && i < sizeof(extensions) / sizeof(*extensions);
	     i++)
		if (extensions[i].on && json_array_append_new(a,
				json_pack("{s:s,s:[i]}", "name",
					  extensions[i].name, "versions", 1))) {
			json_decref(a);
			a = NULL;
		}
	return set(r->body, "openSubsonicExtensions", a);
}

static int do_token_info(struct request *r)
{
	return set(r->body, "tokenInfo", json_pack("{s:s}", "username",
						   subsonic_marks_account()));
}

static int do_get_music_folders(struct request *r)
{
	return set(r->body, "musicFolders",
		   json_pack("{s:[{s:i,s:s}]}", "musicFolder", "id", 1,
			     "name", "music"));
}

static int do_get_artists(struct request *r)
{
	return subsonic_artists_all(r->body);
}

static int do_get_artist(struct request *r)
{
	const char *id = param(r, "id");

	return id ? subsonic_music_artist(r->body, id) : SUBSONIC_MISSING;
}

static int do_get_album(struct request *r)
{
	const char *id = param(r, "id");

	return id ? subsonic_music_album(r->body, id) : SUBSONIC_MISSING;
}

/* getPlaylists of another account's username is not answered: each
 * account reads as its own user (error 50, as getUser's). */
static int do_get_playlists(struct request *r)
{
	const char *user = param(r, "username");

	if (user && strcmp(user, subsonic_marks_account()))
		return SUBSONIC_EDITS_DENIED;
	return subsonic_playlists_all(r->body);
}

static int do_get_playlist(struct request *r)
{
	const char *id = param(r, "id");

	return id ? subsonic_playlists_one(r->body, id) : SUBSONIC_MISSING;
}

static int do_get_song(struct request *r)
{
	const char *id = param(r, "id");

	return id ? subsonic_music_song(r->body, id) : SUBSONIC_MISSING;
}

static const char *query_value(void *req, const char *name)
{
	return param(req, name);
}

static int do_get_indexes(struct request *r)
{
	return subsonic_lists_indexes(r->body, query_value, r);
}

static int do_get_album_list2(struct request *r)
{
	return subsonic_lists_albums(r->body, query_value, r);
}

static int do_get_random_songs(struct request *r)
{
	return subsonic_lists_random(r->body, query_value, r);
}

static int do_search3(struct request *r)
{
	return subsonic_lists_search(r->body, query_value, r);
}

static int do_get_genres(struct request *r)
{
	return subsonic_genres_all(r->body);
}

static int do_get_songs_by_genre(struct request *r)
{
	return subsonic_lists_genre_songs(r->body, query_value, r);
}

static int do_get_similar_songs(struct request *r)
{
	return subsonic_lists_similar(r->body, "similarSongs", query_value,
				      r);
}

static int do_get_similar_songs2(struct request *r)
{
	return subsonic_lists_similar(r->body, "similarSongs2", query_value,
				      r);
}

static int do_get_sonic_similar_tracks(struct request *r)
{
	return subsonic_lists_sonic_similar(r->body, query_value, r);
}

static int do_get_top_songs(struct request *r)
{
	return subsonic_lists_top(r->body, query_value, r);
}

static int do_get_artist_info(struct request *r)
{
	return subsonic_info_artist(r->body, query_value, r, 1);
}

static int do_get_artist_info2(struct request *r)
{
	return subsonic_info_artist(r->body, query_value, r, 0);
}

static int do_get_album_info(struct request *r)
{
	return subsonic_info_album(r->body, query_value, r);
}

/* The values of the query's parameter being gathered. */
struct values {
	const char *name;
	json_t *a;
	int rc;
};

static enum MHD_Result add_value(void *arg, enum MHD_ValueKind kind,
				 const char *key, const char *value)
{
	struct values *v = arg;

	(void)kind;
	if (value && !strcmp(key, v->name) &&
	    json_array_append_new(v->a, json_string(value)))
		v->rc = -ENOMEM;
	return v->rc ? MHD_NO : MHD_YES;
}

/* Every value of the parameter name, which a client may repeat
 * (id=1&id=2), the query's then the form's, into *out (a new array): 0
 * or -ENOMEM. */
static int values(struct request *r, const char *name, json_t **out)
{
	struct values v = { name, json_array(), 0 };

	if (!v.a)
		return -ENOMEM;
	MHD_get_connection_values(r->c, MHD_GET_ARGUMENT_KIND, add_value, &v);
	for (size_t i = 0; !v.rc && r->form && i < r->form->npairs; i++)
		add_value(&v, MHD_POSTDATA_KIND, r->form->pairs[i].name,
			  r->form->pairs[i].value);
	if (v.rc) {
		json_decref(v.a);
		v.a = NULL;
	}
	*out = v.a;
	return v.rc;
}

static int query_values(void *req, const char *name, json_t **out)
{
	return values(req, name, out);
}

/* A method of the query q of r, fn(body, q). */
static int with_query(struct request *r,
		      int (*fn)(json_t *body, const struct subsonic_query *q))
{
	const struct subsonic_query q = { query_value, query_values, r };

	return fn(r->body, &q);
}

static int do_create_playlist(struct request *r)
{
	return with_query(r, subsonic_edits_create);
}

static int do_update_playlist(struct request *r)
{
	return with_query(r, subsonic_edits_update);
}

static int do_delete_playlist(struct request *r)
{
	return with_query(r, subsonic_edits_delete);
}

static int do_get_bookmarks(struct request *r)
{
	return with_query(r, subsonic_queue_bookmarks);
}

static int do_create_bookmark(struct request *r)
{
	return with_query(r, subsonic_queue_bookmark);
}

static int do_delete_bookmark(struct request *r)
{
	return with_query(r, subsonic_queue_unbookmark);
}

static int do_get_play_queue(struct request *r)
{
	return with_query(r, subsonic_queue_get);
}

static int do_save_play_queue(struct request *r)
{
	return with_query(r, subsonic_queue_save);
}

static int do_get_lyrics(struct request *r)
{
	return subsonic_lyrics_find(r->body, query_value, r);
}

static int do_get_lyrics_by_song_id(struct request *r)
{
	return subsonic_lyrics_by_song(r->body, query_value, r);
}

static int do_get_play_queue_by_index(struct request *r)
{
	return with_query(r, subsonic_queue_get_by_index);
}

static int do_save_play_queue_by_index(struct request *r)
{
	return with_query(r, subsonic_queue_save_by_index);
}

static int do_set_rating(struct request *r)
{
	return with_query(r, subsonic_queue_rate);
}

/* star (on) or unstar. */
static int star(struct request *r, int on)
{
	json_t *ids = NULL, *albums = NULL, *artists = NULL;
	int rc = values(r, "id", &ids);

	if (!rc)
		rc = values(r, "albumId", &albums);
	if (!rc)
		rc = values(r, "artistId", &artists);
	if (!rc)
		rc = subsonic_stars_star(ids, albums, artists, on);
	json_decref(ids);
	json_decref(albums);
	json_decref(artists);
	return rc;
}

static int do_star(struct request *r)
{
	return star(r, 1);
}

static int do_unstar(struct request *r)
{
	return star(r, 0);
}

static int do_get_starred(struct request *r)
{
	return subsonic_stars_starred(r->body, 1);
}

static int do_get_starred2(struct request *r)
{
	return subsonic_stars_starred(r->body, 0);
}

static int do_scrobble(struct request *r)
{
	json_t *ids = NULL, *times = NULL;
	int rc = values(r, "id", &ids);

	if (!rc)
		rc = values(r, "time", &times);
	if (!rc)
		rc = subsonic_stars_scrobble(ids, times,
					     param(r, "submission"));
	if (!rc && param(r, "submission") &&
	    strcmp(param(r, "submission"), "true"))
		subsonic_now_playing(subsonic_marks_account(), ids,
				     param(r, "c"));
	json_decref(ids);
	json_decref(times);
	return rc;
}

static int do_get_album_list(struct request *r)
{
	return subsonic_old_albums(r->body, query_value, r);
}

static int do_search2(struct request *r)
{
	return subsonic_old_search(r->body, query_value, r);
}

static int do_get_music_directory(struct request *r)
{
	const char *id = param(r, "id");

	return id ? subsonic_old_directory(r->body, id) : SUBSONIC_MISSING;
}

static int do_get_now_playing(struct request *r)
{
	return subsonic_now_list(r->body);
}

static int do_get_user(struct request *r)
{
	return subsonic_system_user(r->body, param(r, "username"));
}

static int do_get_users(struct request *r)
{
	return subsonic_system_users(r->body);
}

static int do_get_scan_status(struct request *r)
{
	return subsonic_system_scan_status(r->body);
}

static int do_start_scan(struct request *r)
{
	return subsonic_system_start_scan(r->body);
}

/* The file of the id asked, by path_of, into r->file. */
static int file_of(struct request *r, int (*path_of)(const char *id,
						     struct strbuf *out))
{
	const char *id = param(r, "id");

	return id ? path_of(id, &r->file) : SUBSONIC_MISSING;
}

/* stream and download: the file of the song id as it is (its ranges and
 * conditions as any file of the listener's); stream's format and
 * maxBitRate may have send_stream() re-encode it instead. */
static int do_stream(struct request *r)
{
	return file_of(r, subsonic_music_path);
}

static int do_download(struct request *r)
{
	return file_of(r, subsonic_music_path);
}

/* The cover of the album (or song) id, as it is or, with size, scaled
 * by send_file() (subsonic_cover.h). */
static int do_get_cover_art(struct request *r)
{
	return file_of(r, subsonic_music_cover);
}

/* The methods' table (subsonic_methods.def): a served method's function
 * fills r->body (r->file with SUBSONIC_FILE) and returns 0, a negative
 * errno value, or a Subsonic error code; one not served has none. */
static const struct {
	const char *name;
	int (*fn)(struct request *r);
	unsigned flags;
} methods[] = {
#define SUBSONIC_METHOD(name, fn, flags, since, help) { #name, fn, flags },
#include "fs/subsonic/subsonic_methods.def"
#undef SUBSONIC_METHOD
};

_Static_assert(sizeof(methods) / sizeof(*methods) <= HTTP_STATS_METHODS,
	       "each method has its count");

/* Answer r->body in the envelope, as f asks. */
static enum MHD_Result send_body(struct request *r, const char *f)
{
	struct strbuf out = STRBUF_INIT;
	struct MHD_Response *resp;
	int json = f && !strcmp(f, "json");

	if (json) {
		if (json_append_compact(&out, json_pack("{s:O}",
				"subsonic-response", r->body))) {
			strbuf_release(&out);
			return http_serve_text(r->c, 500, "no memory",
					       NULL, NULL);
		}
	} else {
		strbuf_addstr(&out, "<?xml version=\"1.0\" encoding=\"UTF-8\""
			      "?>\n");
		subsonic_xml_element(&out, "subsonic-response", r->body,
				     " xmlns=\"http://subsonic.org/restapi\"");
		strbuf_addch(&out, '\n');
	}
	resp = MHD_create_response_from_buffer(out.len, out.buf,
					       MHD_RESPMEM_MUST_COPY);
	strbuf_release(&out);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", json ?
				"application/json" :
				"text/xml; charset=utf-8");
	if (r->previous)
		MHD_add_response_header(resp, "X-Mediamon-Index", "previous");
	return http_serve_queue(r->c, MHD_HTTP_OK, resp);
}

/* Make r->body the envelope of status "ok" or "failed". */
static int envelope(struct request *r, int ok)
{
	json_decref(r->body);
	r->body = json_pack("{s:s,s:s,s:s,s:s,s:b}", "status",
			    ok ? "ok" : "failed", "version", SUBSONIC_API,
			    "type", "mediamon", "serverVersion",
			    MEDIAMON_VERSION, "openSubsonic", 1);
	return r->body ? 0 : -ENOMEM;
}

/* Answer the Subsonic error code (a negative errno value is 0, the
 * generic error, with its text; so is a playlist past its songs). */
static enum MHD_Result send_error(struct request *r, const char *f,
				  int code)
{
	const char *message = code < 0 ? strerror(-code) : NULL;

	if (code == SUBSONIC_EDITS_TOO_MANY)
		message = SUBSONIC_EDITS_TOO_MANY_TEXT;
	if (code < 0 || code == SUBSONIC_EDITS_TOO_MANY)
		code = GENERIC;
	for (size_t i = 0; !message && i < sizeof(messages) /
	     sizeof(messages[0]); i++)
		if (messages[i].code == code)
			message = messages[i].message;
	if (envelope(r, 0) ||
	    set(r->body, "error", json_pack("{s:i,s:s}", "code", code,
					    "message", message ? message :
					    messages[0].message)))
		return http_serve_text(r->c, 500, "no memory", NULL, NULL);
	return send_body(r, f);
}

/* The method of rest, "NAME" or "NAME.view", or -1. */
static int method_of(const char *rest)
{
	size_t len = strcspn(rest, "/");

	if (rest[len])
		return -1;
	if (len > 5 && !strcmp(rest + len - 5, ".view"))
		len -= 5;
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strlen(methods[i].name) == len &&
		    !strncmp(methods[i].name, rest, len))
			return (int)i;
	return -1;
}

/* Answer the Subsonic error code with message (consumed). */
static enum MHD_Result send_failure(struct request *r, const char *f,
				    int code, json_t *message)
{
	if (envelope(r, 0) ||
	    set(r->body, "error", json_pack("{s:i,s:o}", "code", code,
					    "message", message)))
		return http_serve_text(r->c, 500, "no memory", NULL, NULL);
	return send_body(r, f);
}

/* Answer the method m not served, or rest, no method of the spec: error
 * 0, saying which. */
static enum MHD_Result send_unserved(struct request *r, const char *f,
				     int m)
{
	json_t *message;

	if (m < 0)
		message = json_string("No such method in the Subsonic API.");
	else if (methods[m].flags & SUBSONIC_NEVER)
		message = json_sprintf("%s will not be implemented",
				       methods[m].name);
	else
		message = json_sprintf("%s is not implemented",
				       methods[m].name);
	return send_failure(r, f, GENERIC, message);
}

/* Answer the SUBSONIC_FILE method m: its file, or an error. */
static enum MHD_Result send_file(struct request *r, const char *f, int m)
{
	int rc = methods[m].fn(r), size = 0;
	struct MHD_Response *resp = NULL;

	if (methods[m].fn == do_get_cover_art)
		size = subsonic_cover_size(param(r, "size"));
	if (size < 0)
		return send_failure(r, f, GENERIC, json_string(
			"size is a number of pixels"));
	if (!rc && size)
		rc = subsonic_cover_make(r->file.buf, size, &resp);
	if (rc)
		return send_error(r, f, rc);
	return resp ? http_serve_queue(r->c, MHD_HTTP_OK, resp) :
	       http_serve_get(r->c, r->file.buf);
}

/* stream: the file as send_file() sends it, or re-encoded as format and
 * maxBitRate ask (subsonic_transcode.h); past [http] max_transcodes,
 * 503 and a Retry-After, which players retry. */
static enum MHD_Result send_stream(struct request *r, const char *f,
				   int m)
{
	struct subsonic_transcode t;
	struct MHD_Response *resp = NULL;
	struct strbuf path = STRBUF_INIT;
	char why[160];
	int rc = subsonic_transcode_plan(r->c, param(r, "id"), &t, why,
					 sizeof(why));

	if (!rc)
		return send_file(r, f, m);
	if (rc == -EINVAL)
		return send_failure(r, f, GENERIC, json_string(why));
	if (rc != 1)
		return send_error(r, f, rc);
	rc = subsonic_music_path(param(r, "id"), &path);
	if (!rc)
		rc = subsonic_transcode_open(r->c, path.buf, &t, &resp);
	strbuf_release(&path);
	if (rc == -EBUSY)
		return http_serve_text(r->c, MHD_HTTP_SERVICE_UNAVAILABLE,
				       "too many streams being transcoded",
				       "Retry-After", "5");
	if (rc > 0)
		return send_error(r, f, rc);
	if (rc)
		return http_serve_text(r->c, http_serve_status(rc),
				       strerror(-rc), NULL, NULL);
	return http_serve_queue(r->c, MHD_HTTP_OK, resp);
}

static enum MHD_Result dispatch(struct request *r, const char *rest,
				const char *method, const char *addr,
				const char *via)
{
	const struct http_account *a;
	const char *f = param(r, "f");
	enum MHD_Result ret;
	int m, rc;

	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) && !r->form)
		return http_serve_text(r->c, MHD_HTTP_METHOD_NOT_ALLOWED,
				       "/rest takes its parameters in a GET's"
				       " query or a POST's form", "Allow",
				       "GET, HEAD, POST");
	rc = subsonic_auth_check(param(r, "u"), param(r, "p"),
				 param(r, "t"), param(r, "s"),
				 param(r, "apiKey"), addr, via, &a);
	if (rc)
		return send_error(r, f, rc);
	m = method_of(rest);
	if (m < 0 || !methods[m].fn) {
		log_debug("http: %s asked /rest/%s, which is no method served",
			  a->name, rest);
		return send_unserved(r, f, m);
	}
	http_stats_call(m, methods[m].name);
	rc = envelope(r, 1);
	if (rc)
		return send_error(r, f, rc);
	http_auth_begin(a);
	reader_refresh();
	if (!strcmp(methods[m].name, "stream")) {
		ret = send_stream(r, f, m);
		caller_end();
		return ret;
	}
	if (methods[m].flags & SUBSONIC_FILE) {
		ret = send_file(r, f, m);
		caller_end();
		return ret;
	}
	if (subsonic_busy_begin(a->name)) {
		caller_end();
		return http_serve_text(r->c, MHD_HTTP_TOO_MANY_REQUESTS,
				       "too many answers in progress for this"
				       " account", "Retry-After", "1");
	}
	rc = subsonic_marks_begin(a->name);
	subsonic_index_previous();
	if (!rc)
		rc = methods[m].fn(r);
	r->previous = subsonic_index_previous();
	subsonic_marks_end();
	subsonic_busy_end(a->name);
	caller_end();
	if (rc)
		return send_error(r, f, rc);
	return send_body(r, f);
}

int subsonic_load(const struct config *cfg)
{
	subsonic_busy_set(cfg->http_max_answers_per_account);
	subsonic_transcode_load(cfg);
	subsonic_cover_load(cfg);
	return subsonic_auth_load(cfg->http_subsonic_passwords,
				  cfg->http_subsonic_api_keys);
}

enum MHD_Result subsonic_answer(struct MHD_Connection *c, const char *rest,
				const char *method, const char *addr,
				const char *via,
				const struct http_form *form)
{
	struct request r = { .c = c, .form = form, .file = STRBUF_INIT };
	enum MHD_Result ret;
	char wait[16];
	int held = http_auth_held(addr);

	if (held) {
		snprintf(wait, sizeof(wait), "%d", held);
		return http_serve_text(c, MHD_HTTP_TOO_MANY_REQUESTS,
				       "too many wrong passwords",
				       "Retry-After", wait);
	}
	ret = dispatch(&r, rest, method, addr, via);
	json_decref(r.body);
	strbuf_release(&r.file);
	return ret;
}
