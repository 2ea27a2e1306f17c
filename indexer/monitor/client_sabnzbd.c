/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The SABnzbd client (client.h): a release added through its API, its
 * downloads listed and read (tracker.h), its version asked. It chooses
 * no release and reads no link: download.c hands it both.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/http.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/monitor/client.h"
#include "indexer/monitor/tracker.h"

/* SABnzbd answers a small JSON document; its history may be long. */
#define SAB_MAX_BODY (64u << 10)
#define SAB_MAX_LIST (16u << 20)

/* The API call adding the web link p holds, named as the release. */
static void addurl(const struct download_client *c,
		   const struct download_release *r,
		   const struct client_payload *p, struct strbuf *url)
{
	http_join(url, c->url, "/api?mode=addurl&output=json&name=");
	http_escape(p->text, 0, url);
	strbuf_addstr(url, "&nzbname=");
	http_escape(r->title, 0, url);
	if (c->category && *c->category) {
		strbuf_addstr(url, "&cat=");
		http_escape(c->category, 0, url);
	}
	strbuf_addstr(url, "&apikey=");
	http_escape(c->api_key, 0, url);
}

/*
 * Read addurl's answer: {"status": true, "nzo_ids": [...]} when queued;
 * status false with an "error", or with no nzo_ids (a duplicate it
 * rejects, a link that is not http), when not.
 */
static int add_answer(json_t *doc, char *id, struct strbuf *err)
{
	json_t *status = json_object_get(doc, "status");
	const char *why = json_string_value(json_object_get(doc, "error"));
	int ret = 0;

	if (!json_is_boolean(status))
		ret = client_fail(err, -EPROTO, "sabnzbd: unexpected answer"
				  " (no status)");
	else if (json_is_false(status) && why)
		ret = client_fail(err, -EPROTO, "sabnzbd: the NZB was"
				  " refused: %.100s", why);
	else if (json_is_false(status))
		ret = client_fail(err, -EPROTO, "sabnzbd: the NZB was"
				  " refused (a duplicate, or a link it cannot"
				  " fetch)");
	else
		log_info("sabnzbd: NZB queued");
	if (!ret)
		snprintf(id, DOWNLOAD_ID_MAX, "%s", json_string_value(
				 json_array_get(json_object_get(doc, "nzo_ids"),
						0)) ?: "");
	return ret;
}

/* Whether an answer is a line of plain words, fit to quote. */
static int plain(const struct strbuf *b)
{
	if (!b->len || b->buf[0] == '<')
		return 0;
	for (size_t i = 0; i < b->len; i++)
		if ((unsigned char)b->buf[i] < 0x20)
			return 0;
	return 1;
}

/*
 * GET url and read SABnzbd's JSON answer into *doc (to json_decref()):
 * 0, or a negative errno value with err set, the refusal of the API key
 * as -EACCES in SABnzbd's words.
 */
static int sab_get(const struct download_client *c, const char *url,
		   size_t max_body, const int *cancel, json_t **doc,
		   struct strbuf *err)
{
	struct http_request req = {
		.url = url,
		.timeout_ms = c->timeout_ms,
		.max_body = max_body,
		.cancel = cancel,
	};
	struct http_response resp;
	int ret;

	*doc = NULL;
	ret = http_perform(&req, &resp);
	if (ret < 0) {
		strbuf_addf(err, "sabnzbd: %s", resp.error);
		http_response_release(&resp);
		return ret;
	}
	strbuf_rtrim(&resp.body);
	if (resp.status == 200) {
		*doc = json_loadb(resp.body.buf, resp.body.len, 0, NULL);
		if (!*doc)
			ret = client_fail(err, -EPROTO, "sabnzbd: unexpected"
					  " answer (not JSON)");
	} else if (resp.status == 401 || resp.status == 403) {
		/* Its words: "API Key Incorrect", "API Key Required", or
		 * "External internet access denied ..." */
		ret = client_fail(err, -EACCES, "sabnzbd: refused (HTTP %ld):"
				  " %.100s", resp.status, plain(&resp.body) ?
				  resp.body.buf : "check the API key");
	} else {
		ret = client_http_fail(err, "sabnzbd", resp.status);
	}
	http_response_release(&resp);
	return ret;
}

static int sab_send(const struct download_client *c,
		    const struct download_release *r,
		    const struct client_payload *p, const int *cancel,
		    char *id, struct strbuf *err)
{
	struct strbuf url = STRBUF_INIT;
	json_t *doc;
	int ret;

	addurl(c, r, p, &url);
	ret = sab_get(c, url.buf, SAB_MAX_BODY, cancel, &doc, err);
	client_wipe(url.buf);
	strbuf_release(&url);
	if (!ret)
		ret = add_answer(doc, id, err);
	json_decref(doc);
	return ret;
}

/*
 * The API call listing mode ("queue", "history") for the downloads ids,
 * by SABnzbd's own filter (nzo_ids, a comma-separated list, 3.2 and
 * later).
 */
static void list_url(const struct download_client *c, const char *mode,
		     const char *const *ids, size_t nr, struct strbuf *url)
{
	http_join(url, c->url, "/api?output=json&mode=");
	strbuf_addstr(url, mode);
	strbuf_addstr(url, "&nzo_ids=");
	for (size_t i = 0; i < nr; i++) {
		if (i)
			strbuf_addstr(url, ",");
		http_escape(ids[i], 0, url);
	}
	strbuf_addstr(url, "&apikey=");
	http_escape(c->api_key, 0, url);
}

/* Whether slot's nzo_id is one of ids (an older SABnzbd ignores the
 * nzo_ids filter). */
static int sab_wanted(json_t *slot, const char *const *ids, size_t nr)
{
	const char *id = json_string_value(json_object_get(slot, "nzo_id"));

	for (size_t i = 0; id && i < nr; i++)
		if (!strcmp(ids[i], id))
			return 1;
	return 0;
}

/* The queue's slots, then the history's, whose nzo_id is one of ids: a
 * job in post-processing and a link that could not be fetched are in
 * the history. */
static int sab_list(const struct download_client *c,
		    const char *const *ids, size_t nr, json_t **out,
		    struct strbuf *err)
{
	static const char *const modes[] = { "queue", "history" };
	struct strbuf url = STRBUF_INIT;
	json_t *doc, *slots, *slot;
	size_t i;
	int ret = 0;

	*out = json_array();
	if (!*out)
		return -ENOMEM;
	for (size_t k = 0; !ret && k < 2; k++) {
		strbuf_reset(&url);
		list_url(c, modes[k], ids, nr, &url);
		ret = sab_get(c, url.buf, SAB_MAX_LIST, NULL, &doc, err);
		client_wipe(url.buf);
		if (ret)
			break;
		slots = json_object_get(json_object_get(doc, modes[k]),
					"slots");
		if (!json_is_array(slots))
			ret = client_fail(err, -EPROTO, "sabnzbd: unexpected"
					  " answer (no %s slots)", modes[k]);
		json_array_foreach(slots, i, slot)
			if (!ret && sab_wanted(slot, ids, nr) &&
			    json_array_append(*out, slot))
				ret = -ENOMEM;
		json_decref(doc);
	}
	strbuf_release(&url);
	if (ret) {
		json_decref(*out);
		*out = NULL;
	}
	return ret;
}

/* The string member of obj (inside outer, when not NULL) of the answer to
 * the API's query (with the key appended), as what. */
static int sab_string(const struct download_client *c, const char *query,
		      const char *outer, const char *obj, const char *member,
		      const char *what, struct strbuf *out, struct strbuf *err)
{
	struct strbuf url = STRBUF_INIT;
	json_t *doc;
	int ret;

	http_join(&url, c->url, query);
	http_escape(c->api_key, 0, &url);
	ret = sab_get(c, url.buf, SAB_MAX_BODY, NULL, &doc, err);
	client_wipe(url.buf);
	strbuf_release(&url);
	if (ret)
		return ret;
	ret = client_answer_string(outer ? json_object_get(doc, outer) : doc,
				   obj, member, what, out, err);
	json_decref(doc);
	return ret;
}

/* The MiB SABnzbd gives as text ("12.50") in bytes, or TRACKER_UNKNOWN
 * for text that is not all a number, not below 2^40 MiB. */
static long long mib_of(json_t *obj, const char *key)
{
	const char *s = tracker_text(obj, key);
	char *end;
	double mib = strtod(s, &end);

	if (!*s || *end || !(mib >= 0 && mib < 0x1p40))
		return TRACKER_UNKNOWN;
	return llround(mib * 1048576);
}

/* A number SABnzbd gives as text ("12.50"), or 0. */
static double text_number(json_t *obj, const char *key)
{
	return strtod(tracker_text(obj, key), NULL);
}

/*
 * A queue or history slot (a history slot has a fail_message, "" or
 * not): in the history, Completed completed, in its storage folder,
 * Failed failed with its fail_message ("URL Fetching failed; File not on
 * server": the link gave 404), any other status post-processing, on its
 * way; in the queue, Downloading and Fetching (more par2 files) on their
 * way, any other (Grabbing the NZB, Queued, Paused, Propagating,
 * Checking) queued. Its bytes: (mb - mbleft) and mb MiB of a queue slot,
 * bytes of a history one; no speed (its kbpersec is the queue's).
 */
static int sab_read(json_t *slot, struct tracker_seen *out)
{
	const char *status = tracker_text(slot, "status");
	double mb = text_number(slot, "mb");

	if (!*tracker_text(slot, "nzo_id") || !*status)
		return -EINVAL;
	snprintf(out->id, sizeof(out->id), "%s",
		 tracker_text(slot, "nzo_id"));
	if (json_object_get(slot, "fail_message")) {
		snprintf(out->path, sizeof(out->path), "%s",
			 tracker_text(slot, "storage"));
		out->progress = 1;
		out->state = TRACKER_DOWNLOADING;
		tracker_set_bytes(out, tracker_bytes(slot, "bytes"),
				  tracker_bytes(slot, "bytes"),
				  TRACKER_UNKNOWN);
		if (!strcmp(status, "Completed")) {
			out->state = TRACKER_COMPLETED;
		} else if (!strcmp(status, "Failed")) {
			out->state = TRACKER_FAILED;
			out->progress = 0;
			out->done = TRACKER_UNKNOWN;
			snprintf(out->reason, sizeof(out->reason), "sabnzbd:"
				 " %.200s", *tracker_text(slot, "fail_message")
				 ? tracker_text(slot, "fail_message") :
				 "failed");
		}
		return 0;
	}
	out->progress = mb > 0 ? 1 - text_number(slot, "mbleft") / mb : 0;
	tracker_set_bytes(out, tracker_less(mib_of(slot, "mb"),
					    mib_of(slot, "mbleft")),
			  mib_of(slot, "mb"), TRACKER_UNKNOWN);
	out->state = !strcmp(status, "Downloading") ||
		!strcmp(status, "Fetching") ? TRACKER_DOWNLOADING :
		TRACKER_QUEUED;
	return 0;
}

/* Whether the slot is id, its nzo_id. */
static int sab_matches(json_t *slot, const char *id)
{
	return !strcmp(tracker_text(slot, "nzo_id"), id);
}

/* mode=version needs no key: an empty page of the queue checks it, and
 * tells the version too. */
static int sab_version(const struct download_client *c, struct strbuf *out,
		       struct strbuf *err)
{
	return sab_string(c, "/api?output=json&mode=queue&limit=0&apikey=",
			  NULL, "queue", "version", "sabnzbd: queue", out, err);
}

/* get_config of misc's complete_dir, where completed jobs go (each in
 * its category's folder there, unless the category names one of its
 * own). */
static int sab_home(const struct download_client *c, struct strbuf *out,
		    struct strbuf *err)
{
	return sab_string(c, "/api?output=json&mode=get_config"
			  "&section=misc&keyword=complete_dir&apikey=",
			  "config", "misc", "complete_dir",
			  "sabnzbd: get_config", out, err);
}

static int sab_ready(const struct download_client *c, struct strbuf *err)
{
	if (!c->api_key || !*c->api_key)
		return client_fail(err, -EINVAL, "sabnzbd: no api_key set");
	return 0;
}

const struct client_kind client_sabnzbd = {
	.takes = CLIENT_URL,
	.url = 1,
	.ready = sab_ready,
	.send = sab_send,
	CLIENT_LISTS(sab),
	.version = sab_version,
	.home = sab_home,
};
