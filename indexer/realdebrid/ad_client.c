/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The AllDebrid client (ad_client.h): its magnet requests through
 * debrid_send(), and its answers read as Real-Debrid's torrents. It
 * stores nothing; the session records each request.
 */
#include "indexer/realdebrid/ad_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/log.h"
#include "indexer/realdebrid/debrid.h"

#define SVC "alldebrid"
#define AGENT "agent=" AD_AGENT

static const struct {
	const char *code;
	int err;
} codes[] = {
	{ "TOO_MANY_REQUESTS", -EAGAIN },
	{ "AUTH_MISSING_APIKEY", -EACCES },
	{ "AUTH_BAD_APIKEY", -EACCES },
	{ "AUTH_BLOCKED", -EACCES },
	{ "AUTH_USER_BANNED", -EACCES },
	{ "MAGNET_INVALID_ID", -ENOENT },
	{ "MAGNET_TOO_MANY_ACTIVE", -ENOSPC },
	{ "MAGNET_TOO_MANY", -ENOSPC },
};

static int classify(long status, const char *code)
{
	/* its documentation: past the limits, 429 or 503 */
	if (status == 429 || status == 503)
		return -EAGAIN;
	if (status >= 500)
		return -EIO;
	for (size_t i = 0; i < ARRAY_SIZE(codes); i++)
		if (!strcmp(code, codes[i].code))
			return codes[i].err;
	if (status == 401 || status == 403)
		return -EACCES;
	return -EIO;
}

/* Real-Debrid's status for an AllDebrid statusCode. */
static const char *status_of(json_int_t code)
{
	static const char *const busy[] = {
		"queued", "downloading", "compressing", "uploading",
		"downloaded",
	};

	return code >= 0 && code < (json_int_t)ARRAY_SIZE(busy) ?
		busy[code] : "error";
}

static int set(char **field, const char *s)
{
	if (!s)
		return 0;
	*field = strdup(s);
	return *field ? 0 : -ENOMEM;
}

/* A magnet's links as files "/NAME", each selected. */
static int read_links(json_t *links, struct rd_torrent *t)
{
	size_t i;
	json_t *l;

	if (!links)
		return 0;
	if (!json_is_array(links))
		return -EPROTO;
	t->files = calloc(json_array_size(links) + 1, sizeof(*t->files));
	if (!t->files)
		return -ENOMEM;
	json_array_foreach(links, i, l) {
		struct rd_file *f = &t->files[t->nr_files];
		const char *name = json_string_value(json_object_get(
			l, "filename"));
		json_t *size = json_object_get(l, "size");

		if (!name || !*name || strchr(name, '/'))
			return -EPROTO;
		if (asprintf(&f->path, "/%s", name) < 0) {
			f->path = NULL;
			return -ENOMEM;
		}
		f->id = (int)i + 1;
		f->bytes = json_is_integer(size) ? json_integer_value(size) : 0;
		f->selected = 1;
		t->nr_files++;
	}
	return 0;
}

/* Read one magnet into t (zeroed); files and original_filename for info
 * only. */
static int read_magnet(json_t *m, struct rd_torrent *t, int info)
{
	json_t *id = json_object_get(m, "id");
	const char *name = json_string_value(json_object_get(m, "filename"));
	const char *hash = json_string_value(json_object_get(m, "hash"));
	json_t *code = json_object_get(m, "statusCode");
	json_t *size = json_object_get(m, "size");
	json_t *date = json_object_get(m, "uploadDate");
	char buf[24];
	int rc;

	if (!json_is_object(m) || !json_is_integer(id) ||
	    !json_is_integer(code) || !name)
		return -EPROTO;
	snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
		 json_integer_value(id));
	rc = set(&t->id, buf);
	if (!rc)
		rc = set(&t->filename, name);
	if (!rc && info)
		rc = set(&t->original_filename, name);
	if (!rc)
		rc = set(&t->hash, hash);
	if (!rc)
		rc = set(&t->status, status_of(json_integer_value(code)));
	t->bytes = json_is_integer(size) ? json_integer_value(size) : 0;
	t->added_at = json_is_integer(date) ? json_integer_value(date) : 0;
	if (!rc && info)
		rc = read_links(json_object_get(m, "links"), t);
	return rc;
}

static int ad_list(const struct rd_client *c, long offset, int limit,
		   const int *cancel, struct rd_torrent **out, size_t *nr,
		   long *total, struct rd_result *res)
{
	struct debrid_call call = {
		.svc = SVC, .base = AD_URL, .method = "GET",
		.path = "/magnet/status?" AGENT, .what = "list",
		.classify = classify,
	};
	struct rd_torrent *all = NULL;
	json_t *doc, *magnets, *m;
	size_t i, n = 0;
	int rc;

	if (offset < 0 || limit < 1 || limit > RD_LIST_MAX)
		return log_error(-EINVAL, SVC ": list: bad offset or limit");
	rc = debrid_send(c, &call, cancel, &doc, res);
	if (rc)
		return rc;
	magnets = json_object_get(json_object_get(doc, "data"), "magnets");
	rc = json_is_array(magnets) ? 0 : -EPROTO;
	if (!rc && json_array_size(magnets)) {
		all = calloc(json_array_size(magnets), sizeof(*all));
		rc = all ? 0 : -ENOMEM;
	}
	json_array_foreach(magnets, i, m) {
		if (rc)
			break;
		rc = read_magnet(m, &all[n++], 0);
	}
	json_decref(doc);
	if (!rc)
		rc = debrid_page(all, n, offset, limit, out, nr);
	rd_torrents_free(all, n);
	if (!rc)
		*total = (long)n;
	return debrid_protocol(SVC, "list", rc);
}

/* GET /magnet/WHAT of the magnet id into *doc (what names the step). */
static int on_magnet(const struct rd_client *c, const char *what,
		     const char *id, const int *cancel, json_t **doc,
		     struct rd_result *res)
{
	struct debrid_call call = {
		.svc = SVC, .base = AD_URL, .method = "GET",
		.what = what, .classify = classify,
	};
	char path[64 + RD_ID_MAX];

	if (!rd_valid_id(id))
		return log_error(-EINVAL, SVC ": not a magnet id");
	snprintf(path, sizeof(path), "/magnet/%s?" AGENT "&id=%s", what, id);
	call.path = path;
	return debrid_send(c, &call, cancel, doc, res);
}

static int ad_info(const struct rd_client *c, const char *id,
		   const int *cancel, struct rd_torrent *out,
		   struct rd_result *res)
{
	struct rd_torrent t = { 0 };
	json_t *doc;
	int rc = on_magnet(c, "status", id, cancel, &doc, res);

	if (rc)
		return rc;
	rc = read_magnet(json_object_get(json_object_get(doc, "data"),
					 "magnets"), &t, 1);
	json_decref(doc);
	if (rc) {
		rd_torrent_release(&t);
		return debrid_protocol(SVC, "status", rc);
	}
	*out = t;
	return 0;
}

static int ad_add_magnet(const struct rd_client *c, const char *hash,
			 const int *cancel, char **id_out,
			 struct rd_result *res)
{
	struct debrid_call call = {
		.svc = SVC, .base = AD_URL, .method = "POST",
		.path = "/magnet/upload?" AGENT, .what = "upload",
		.classify = classify,
	};
	json_t *doc, *m, *e, *id;
	int rc = debrid_send_magnet(c, &call, "magnets%5B%5D", hash, cancel,
				    &doc, res);

	if (rc)
		return rc;
	m = json_array_get(json_object_get(json_object_get(doc, "data"),
					   "magnets"), 0);
	e = json_object_get(m, "error");
	id = json_object_get(m, "id");
	if (json_is_object(e)) {
		const char *code = json_string_value(json_object_get(e,
								    "code"));

		debrid_copy_error(code ? code : "", res);
		rc = log_error(classify(0, res->error), SVC ": upload: "
			       "refused (%s)", res->error);
	} else if (!json_is_integer(id)) {
		rc = debrid_protocol(SVC, "upload", -EPROTO);
	} else if (asprintf(id_out, "%" JSON_INTEGER_FORMAT,
			    json_integer_value(id)) < 0) {
		rc = debrid_protocol(SVC, "upload", -ENOMEM);
	}
	json_decref(doc);
	return rc;
}

static int ad_delete(const struct rd_client *c, const char *id,
		     const int *cancel, struct rd_result *res)
{
	json_t *doc;
	int rc = on_magnet(c, "delete", id, cancel, &doc, res);

	if (!rc)
		json_decref(doc);
	return rc;
}

const struct debrid_ops debrid_alldebrid = {
	.name = "alldebrid",
	.title = "AllDebrid",
	.whole = 1,
	.list = ad_list,
	.info = ad_info,
	.add_magnet = ad_add_magnet,
	.del = ad_delete,
};
