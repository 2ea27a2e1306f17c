/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The aMule client (client.h): an ed2k link added to amuled, its
 * downloads listed (its download queue, and its shared files for those
 * that completed), its version and its incoming folder asked, and what
 * one of its downloads says read for the tracker. It chooses no release.
 *
 * It speaks amuled's External Connections protocol itself (ec.h) rather
 * than running amulecmd: amulecmd takes the password on its command line
 * (which ps shows to every user) or from a remote.conf of its own, and
 * answers text made for people (rounded sizes, no hash in "show dl" of
 * aMule 2.3), while the protocol gives each file's hash, exact sizes and
 * status, and needs no child process. Each call is one connection: the
 * login, one or two requests, closed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "common/log.h"
#include "indexer/monitor/client.h"
#include "indexer/monitor/ec.h"
#include "indexer/monitor/tracker.h"

#define HASH_HEX 32

/* A part file's status (aMule's Constants.h, PS_*). */
enum {
	PS_READY = 0, PS_EMPTY = 1, PS_WAITINGFORHASH = 2, PS_HASHING = 3,
	PS_ERROR = 4, PS_INSUFFICIENT = 5, PS_UNKNOWN = 6, PS_PAUSED = 7,
	PS_COMPLETING = 8, PS_COMPLETE = 9, PS_ALLOCATING = 10,
};

static int am_ready(const struct download_client *c, struct strbuf *err)
{
	if (!c->password || !*c->password)
		return client_fail(err, -EINVAL, "amule: no password set"
				   " (amuled refuses an empty one)");
	return 0;
}

static int open_conn(const struct download_client *c, struct ec_conn *conn,
		     struct strbuf *version, struct strbuf *err)
{
	return ec_open(conn, c->url, c->password, c->timeout_ms, version,
		       err);
}

/* A number child of tag, or 0 when it lacks it. */
static json_int_t child_int(const struct ec_tag *t, uint16_t name)
{
	uint64_t v;

	if (ec_int(ec_find(t->children, t->nr, name), &v) || v >> 62)
		return 0;
	return (json_int_t)v;
}

/*
 * The object of one file of a listing (a PARTFILE of the download queue,
 * a KNOWNFILE of the shared files, then shared), when its hash is one of
 * ids: appended to out. Returns 0 or -ENOMEM.
 */
static int add_file(const struct ec_tag *t, int shared,
		    const char *const *ids, size_t nr, json_t *out)
{
	const unsigned char *h = ec_hash(ec_find(t->children, t->nr,
						 EC_TAG_PARTFILE_HASH));
	const char *name = ec_string(ec_find(t->children, t->nr,
					     EC_TAG_PARTFILE_NAME));
	const char *dir = ec_string(ec_find(t->children, t->nr,
					    EC_TAG_KNOWNFILE_FILENAME));
	char hex[HASH_HEX + 1];
	json_t *obj, *path;
	size_t i;

	if (!h || !name)
		return 0;
	for (i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
	for (i = 0; i < nr && strcasecmp(ids[i], hex); i++)
		;
	if (i == nr)
		return 0;
	path = json_array();
	if (!path || (shared && dir && client_add_path(path, dir, name))) {
		json_decref(path);
		return -ENOMEM;
	}
	obj = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:b, s:b, s:s}",
			"hash", hex, "name", name, "size",
			child_int(t, EC_TAG_PARTFILE_SIZE_FULL), "done", shared ?
			child_int(t, EC_TAG_PARTFILE_SIZE_FULL) :
			child_int(t, EC_TAG_PARTFILE_SIZE_DONE), "speed",
			child_int(t, EC_TAG_PARTFILE_SPEED), "status", shared ?
			(json_int_t)PS_COMPLETE :
			child_int(t, EC_TAG_PARTFILE_STATUS), "stopped",
			(int)child_int(t, EC_TAG_PARTFILE_STOPPED), "shared",
			shared, "path", json_array_size(path) ?
			json_string_value(json_array_get(path, 0)) : "");
	json_decref(path);
	if (!obj || json_array_append_new(out, obj))
		return -ENOMEM;
	return 0;
}

/*
 * Ask c's listing op (EC_OP_GET_DLOAD_QUEUE or EC_OP_GET_SHARED_FILES,
 * answered by want) and append the files of ids it holds to out.
 */
static int listing(struct ec_conn *conn, uint8_t op, uint8_t want,
		   const char *const *ids, size_t nr, json_t *out,
		   struct strbuf *err)
{
	const char *what = op == EC_OP_GET_DLOAD_QUEUE ? "download queue" :
		"shared files";
	uint16_t tag = op == EC_OP_GET_DLOAD_QUEUE ? EC_TAG_PARTFILE :
		EC_TAG_KNOWNFILE;
	struct ec_packet a;
	struct ec_out req;
	int ret;

	ec_begin(&req, op);
	ec_add_int(&req, EC_TAG_DETAIL_LEVEL, EC_DETAIL_CMD);
	ret = ec_ask(conn, &req, what, &a, err);
	if (ret)
		return ret;
	if (a.opcode != want)
		ret = client_fail(err, -EPROTO, "amule: %s: unexpected answer"
				  " (opcode 0x%02x)", what, a.opcode);
	for (size_t i = 0; !ret && i < a.nr; i++)
		if (a.tags[i].name == tag)
			ret = add_file(&a.tags[i], op != EC_OP_GET_DLOAD_QUEUE,
				       ids, nr, out);
	ec_packet_release(&a);
	return ret == -ENOMEM ? client_fail(err, ret, "amule: out of memory")
		: ret;
}

/* The files of ids amuled holds: in its download queue, then, for those
 * not there, in its shared files (a download completed leaves the queue
 * for them). */
static int list_on(struct ec_conn *conn, const char *const *ids, size_t nr,
		   json_t **out, struct strbuf *err)
{
	int ret;

	*out = json_array();
	if (!*out)
		return client_fail(err, -ENOMEM, "amule: out of memory");
	ret = listing(conn, EC_OP_GET_DLOAD_QUEUE, EC_OP_DLOAD_QUEUE, ids, nr,
		      *out, err);
	if (!ret && json_array_size(*out) < nr)
		ret = listing(conn, EC_OP_GET_SHARED_FILES, EC_OP_SHARED_FILES,
			      ids, nr, *out, err);
	if (ret) {
		json_decref(*out);
		*out = NULL;
	}
	return ret;
}

static int am_list(const struct download_client *c, const char *const *ids,
		   size_t nr, json_t **out, struct strbuf *err)
{
	struct ec_conn conn;
	int ret = open_conn(c, &conn, NULL, err);

	*out = NULL;
	if (ret)
		return ret;
	ret = list_on(&conn, ids, nr, out, err);
	ec_close(&conn);
	return ret;
}

/*
 * EC_OP_ADD_LINK of p's link: EC_OP_NOOP when amuled took it; when it
 * answers EC_OP_FAILED ("Invalid link or already on list") and lists the
 * file, it had it already: taken too. id gets the file's hash.
 */
static int am_send(const struct download_client *c,
		   const struct download_release *r,
		   const struct client_payload *p, const int *cancel,
		   char *id, struct strbuf *err)
{
	struct links_ed2k link;
	const char *ids[1] = { link.hash };
	struct ec_conn conn;
	struct ec_packet a;
	struct ec_out req;
	json_t *had = NULL;
	const char *why;
	int ret;

	(void)r;
	(void)cancel;
	ret = links_ed2k_parse(p->text, &link);
	if (ret == -ENOMEM)
		return client_fail(err, ret, "amule: out of memory");
	if (ret)
		return client_fail(err, -EPROTO, "amule: the link is not an"
				   " ed2k file link with its hash");
	free(link.name);
	ret = open_conn(c, &conn, NULL, err);
	if (ret)
		return ret;
	ec_begin(&req, EC_OP_ADD_LINK);
	ec_add_string(&req, EC_TAG_STRING, p->text);
	ret = ec_ask(&conn, &req, "add", &a, err);
	if (!ret && a.opcode == EC_OP_FAILED) {
		why = ec_string(ec_find(a.tags, a.nr, EC_TAG_STRING));
		ret = list_on(&conn, ids, 1, &had, err);
		if (!ret && json_array_size(had))
			log_info("amule: the file was there already");
		else if (!ret)
			ret = client_fail(err, -EPROTO, "amule: the link was"
					  " refused: %.200s", why ? why :
					  "no reason given");
		json_decref(had);
	} else if (!ret && a.opcode != EC_OP_NOOP) {
		ret = client_fail(err, -EPROTO, "amule: add: unexpected"
				  " answer (opcode 0x%02x)", a.opcode);
	} else if (!ret) {
		log_info("amule: link added");
	}
	if (!ret)
		snprintf(id, DOWNLOAD_ID_MAX, "%s", link.hash);
	ec_packet_release(&a);
	ec_close(&conn);
	return ret;
}

/* The login alone: amuled says its version when it lets one in. */
static int am_version(const struct download_client *c, struct strbuf *out,
		      struct strbuf *err)
{
	struct ec_conn conn;
	int ret = open_conn(c, &conn, out, err);

	ec_close(&conn);
	return ret;
}

/* Its incoming folder (EC_OP_GET_PREFERENCES of its folders), where a
 * completed download goes. */
static int am_home(const struct download_client *c, struct strbuf *out,
		   struct strbuf *err)
{
	const struct ec_tag *dirs;
	const char *incoming = NULL;
	struct ec_conn conn;
	struct ec_packet a;
	struct ec_out req;
	int ret = open_conn(c, &conn, NULL, err);

	if (ret)
		return ret;
	ec_begin(&req, EC_OP_GET_PREFERENCES);
	ec_add_int(&req, EC_TAG_SELECT_PREFS, EC_PREFS_DIRECTORIES);
	ret = ec_ask(&conn, &req, "preferences", &a, err);
	ec_close(&conn);
	if (ret)
		return ret;
	dirs = ec_find(a.tags, a.nr, EC_TAG_PREFS_DIRECTORIES);
	if (dirs)
		incoming = ec_string(ec_find(dirs->children, dirs->nr,
					     EC_TAG_DIRECTORIES_INCOMING));
	if (a.opcode != EC_OP_SET_PREFERENCES || !incoming || !*incoming)
		ret = client_fail(err, -EPROTO, "amule: preferences:"
				  " unexpected answer (no incoming folder)");
	else
		strbuf_addstr(out, incoming);
	ec_packet_release(&a);
	return ret;
}

static int am_read(json_t *obj, struct tracker_seen *out)
{
	const char *hash = json_string_value(json_object_get(obj, "hash"));
	const char *path = json_string_value(json_object_get(obj, "path"));
	json_t *status = json_object_get(obj, "status");
	long long size = json_integer_value(json_object_get(obj, "size"));
	long long done = json_integer_value(json_object_get(obj, "done"));

	if (!hash || strlen(hash) != HASH_HEX || !json_is_integer(status))
		return -EINVAL;
	snprintf(out->id, sizeof(out->id), "%s", hash);
	snprintf(out->path, sizeof(out->path), "%s", path ? path : "");
	out->total = size > 0 ? size : TRACKER_UNKNOWN;
	out->done = out->total > 0 && done >= 0 && done <= size ? done :
		TRACKER_UNKNOWN;
	out->speed = json_integer_value(json_object_get(obj, "speed"));
	out->progress = out->done >= 0 ? (double)done / (double)size : 0;
	switch (json_integer_value(status)) {
	case PS_COMPLETE:
		/* a completed file leaves the queue for the shared files,
		 * where it is at its final path */
		out->state = json_is_true(json_object_get(obj, "shared")) ?
			TRACKER_COMPLETED : TRACKER_DOWNLOADING;
		break;
	case PS_ERROR:
		out->state = TRACKER_FAILED;
		snprintf(out->reason, sizeof(out->reason), "amule: the file"
			 " is in error (a write failed, or its completion"
			 " did)");
		break;
	case PS_WAITINGFORHASH:
	case PS_HASHING:
	case PS_INSUFFICIENT:
	case PS_UNKNOWN:
	case PS_PAUSED:
	case PS_ALLOCATING:
		out->state = TRACKER_QUEUED;
		break;
	default:
		out->state = TRACKER_DOWNLOADING;
	}
	return 0;
}

static int am_listens(const struct download_client *c, char **out)
{
	return ec_url(c->url, out);
}

/* Whether the file obj is id, its hash. */
static int am_matches(json_t *obj, const char *id)
{
	return !strcasecmp(tracker_text(obj, "hash"), id);
}

const struct client_kind client_amule = {
	.takes = CLIENT_ED2K,
	.url = 1,
	.listens = am_listens,
	.ready = am_ready,
	.send = am_send,
	CLIENT_LISTS(am),
	.version = am_version,
	.home = am_home,
};
