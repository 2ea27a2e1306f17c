/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Premiumize client (pm_client.h): its transfer requests through
 * debrid_send(), and its answers read as Real-Debrid's torrents. It
 * stores nothing; the session records each request.
 */
#include "indexer/realdebrid/pm_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/log.h"
#include "common/lookup.h"
#include "indexer/realdebrid/debrid.h"

#define SVC "premiumize"
#define KEY "apikey"

static const struct {
	const char *words;
	int err;
} messages[] = {
	{ "not logged in", -EACCES },
	{ "apikey", -EACCES },
	{ "api key", -EACCES },
	{ "not found", -ENOENT },
};

static int classify(long status, const char *message)
{
	if (status == 429)
		return -EAGAIN;
	if (status >= 500)
		return -EIO;
	if (status == 401 || status == 403)
		return -EACCES;
	for (size_t i = 0; i < ARRAY_SIZE(messages); i++)
		if (strcasestr(message, messages[i].words))
			return messages[i].err;
	return -EIO;
}

/* Premiumize's word for a transfer's state, and Real-Debrid's. */
static const struct lookup_pair statuses[] = {
	{ "waiting", "queued" },
	{ "queued", "queued" },
	{ "running", "downloading" },
	{ "finished", "downloaded" },
	{ "seeding", "downloaded" },
};

static const char *status_of(const char *s)
{
	const char *rd = LOOKUP(statuses, s);

	return rd ? rd : "error";
}

static int set(char **field, const char *s)
{
	*field = strdup(s);
	return *field ? 0 : -ENOMEM;
}

static int read_transfer(json_t *o, struct rd_torrent *t)
{
	const char *id = json_string_value(json_object_get(o, "id"));
	const char *name = json_string_value(json_object_get(o, "name"));
	const char *src = json_string_value(json_object_get(o, "src"));
	int rc;

	if (!rd_valid_id(id) || !name)
		return -EPROTO;
	rc = set(&t->id, id);
	if (!rc)
		rc = set(&t->filename, name);
	if (!rc)
		rc = set(&t->status, status_of(json_string_value(
			json_object_get(o, "status"))));
	if (!rc)
		rc = debrid_magnet_hash(src, &t->hash);
	return rc;
}

/* Every transfer of the account into *all and *nr. */
static int list_all(const struct rd_client *c, const int *cancel,
		    struct rd_torrent **all, size_t *nr,
		    struct rd_result *res)
{
	struct debrid_call call = {
		.svc = SVC, .base = PM_URL, .method = "GET",
		.path = "/transfer/list", .key_param = KEY, .what = "list",
		.classify = classify,
	};
	json_t *doc, *list, *o;
	size_t i;
	int rc;

	*all = NULL;
	*nr = 0;
	rc = debrid_send(c, &call, cancel, &doc, res);
	if (rc)
		return rc;
	list = json_object_get(doc, "transfers");
	rc = json_is_array(list) ? 0 : -EPROTO;
	if (!rc && json_array_size(list)) {
		*all = calloc(json_array_size(list), sizeof(**all));
		rc = *all ? 0 : -ENOMEM;
	}
	json_array_foreach(list, i, o) {
		if (rc)
			break;
		rc = read_transfer(o, &(*all)[(*nr)++]);
	}
	json_decref(doc);
	if (rc) {
		rd_torrents_free(*all, *nr);
		*all = NULL;
		*nr = 0;
	}
	return debrid_protocol(SVC, "list", rc);
}

static int pm_list(const struct rd_client *c, long offset, int limit,
		   const int *cancel, struct rd_torrent **out, size_t *nr,
		   long *total, struct rd_result *res)
{
	struct rd_torrent *all;
	size_t n;
	int rc;

	if (offset < 0 || limit < 1 || limit > RD_LIST_MAX)
		return log_error(-EINVAL, SVC ": list: bad offset or limit");
	rc = list_all(c, cancel, &all, &n, res);
	if (rc)
		return rc;
	rc = debrid_page(all, n, offset, limit, out, nr);
	rd_torrents_free(all, n);
	if (!rc)
		*total = (long)n;
	return debrid_protocol(SVC, "list", rc);
}

static int pm_info(const struct rd_client *c, const char *id,
		   const int *cancel, struct rd_torrent *out,
		   struct rd_result *res)
{
	struct rd_torrent *all;
	size_t n, i;
	int rc;

	if (!rd_valid_id(id))
		return log_error(-EINVAL, SVC ": not a transfer id");
	rc = list_all(c, cancel, &all, &n, res);
	if (rc)
		return rc;
	for (i = 0; i < n && strcmp(all[i].id, id); i++)
		;
	if (i < n) {
		*out = all[i];
		memset(&all[i], 0, sizeof(all[i]));
		if (!out->original_filename)
			rc = debrid_protocol(SVC, "list",
					     set(&out->original_filename,
						 out->filename));
	} else {
		debrid_copy_error("transfer not found", res);
		rc = log_error(-ENOENT, SVC ": transfer %s: no such transfer",
			       id);
	}
	rd_torrents_free(all, n);
	return rc;
}

static int pm_add_magnet(const struct rd_client *c, const char *hash,
			 const int *cancel, char **id_out,
			 struct rd_result *res)
{
	struct debrid_call call = {
		.svc = SVC, .base = PM_URL, .method = "POST",
		.path = "/transfer/create", .key_param = KEY,
		.what = "create", .classify = classify,
	};
	const char *id;
	json_t *doc;
	int rc = debrid_send_magnet(c, &call, "src", hash, cancel, &doc,
				    res);

	if (rc)
		return rc;
	id = json_string_value(json_object_get(doc, "id"));
	if (!rd_valid_id(id))
		rc = debrid_protocol(SVC, "create", -EPROTO);
	else if (!(*id_out = strdup(id)))
		rc = debrid_protocol(SVC, "create", -ENOMEM);
	json_decref(doc);
	return rc;
}

static int pm_delete(const struct rd_client *c, const char *id,
		     const int *cancel, struct rd_result *res)
{
	struct debrid_call call = {
		.svc = SVC, .base = PM_URL, .method = "POST",
		.path = "/transfer/delete", .key_param = KEY,
		.what = "delete", .classify = classify,
	};
	char form[8 + RD_ID_MAX];
	json_t *doc;
	int rc;

	if (!rd_valid_id(id))
		return log_error(-EINVAL, SVC ": not a transfer id");
	snprintf(form, sizeof(form), "id=%s", id);
	call.form = form;
	rc = debrid_send(c, &call, cancel, &doc, res);
	json_decref(doc);
	return rc;
}

const struct debrid_ops debrid_premiumize = {
	.name = "premiumize",
	.title = "Premiumize",
	.whole = 1,
	.list = pm_list,
	.info = pm_info,
	.add_magnet = pm_add_magnet,
	.del = pm_delete,
};
