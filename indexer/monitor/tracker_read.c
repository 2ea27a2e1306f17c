/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What a download client's answer says of one download (tracker.h:
 * tracker_read(), tracker_find(), the states' names), from the object
 * alone: it asks no client and touches no store.
 */
#include "indexer/monitor/tracker.h"
#include "indexer/monitor/client.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const state_names[] = {
	[TRACKER_SENT] = "sent",
	[TRACKER_QUEUED] = "queued",
	[TRACKER_DOWNLOADING] = "downloading",
	[TRACKER_COMPLETED] = "completed",
	[TRACKER_IMPORTED] = "imported",
	[TRACKER_FAILED] = "failed",
};

const char *tracker_state_name(enum tracker_state s)
{
	return s < TRACKER_NR_STATES ? state_names[s] : "unknown";
}

int tracker_state_parse(const char *name)
{
	for (int i = 0; i < TRACKER_NR_STATES; i++)
		if (name && !strcmp(state_names[i], name))
			return i;
	return -1;
}

/* A string member of obj, or "". */
static const char *text_of(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

/* A number member of obj, integer or real, or 0. */
static double number_of(json_t *obj, const char *key)
{
	return json_number_value(json_object_get(obj, key));
}

/* A count of bytes at obj's key: a whole number, not negative (a real
 * is cut), or TRACKER_UNKNOWN. */
static long long bytes_of(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	double d = json_real_value(v);

	if (json_is_integer(v))
		return json_integer_value(v) >= 0 ? json_integer_value(v) :
			TRACKER_UNKNOWN;
	return json_is_real(v) && d >= 0 && d < 0x1p62 ? (long long)d :
		TRACKER_UNKNOWN;
}

/* The figures of out, unknown where they cannot be: a total of 0 (a
 * torrent without its metadata), done unknown or beyond it. */
static void set_bytes(struct tracker_seen *out, long long done,
		      long long total, long long speed)
{
	out->total = total > 0 ? total : TRACKER_UNKNOWN;
	out->done = out->total > 0 && done >= 0 && done <= out->total ?
		done : TRACKER_UNKNOWN;
	out->speed = speed >= 0 ? speed : TRACKER_UNKNOWN;
}

/* total less left, or TRACKER_UNKNOWN when either is or left is more. */
static long long less(long long total, long long left)
{
	return total >= 0 && left >= 0 && left <= total ? total - left :
		TRACKER_UNKNOWN;
}

/* Whether s ends with end. */
static int ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);

	return n >= m && !strcmp(s + n - m, end);
}

/*
 * qBittorrent's torrents/info object (its states from 4.1 to 5.1:
 * stoppedDL/stoppedUP are 5.0's names of pausedDL/pausedUP): error and
 * missingFiles failed, uploading (seeding to peers) and the ...UP
 * states with all pieces completed, the
 * waiting ones queued, any other on its way.
 */
static int read_qbit(json_t *t, struct tracker_seen *out)
{
	static const char *const waiting[] = {
		"queuedDL", "pausedDL", "stoppedDL", "checkingDL",
		"checkingResumeData", "allocating",
	};
	const char *state = text_of(t, "state");
	const char *content = text_of(t, "content_path");

	if (!*text_of(t, "hash") || !*state)
		return -EINVAL;
	snprintf(out->id, sizeof(out->id), "%s", text_of(t, "hash"));
	out->progress = number_of(t, "progress");
	set_bytes(out, bytes_of(t, "completed"), bytes_of(t, "size"),
		  bytes_of(t, "dlspeed"));
	if (*content)
		snprintf(out->path, sizeof(out->path), "%s", content);
	else
		snprintf(out->path, sizeof(out->path), "%s/%s",
			 text_of(t, "save_path"), text_of(t, "name"));
	out->state = TRACKER_DOWNLOADING;
	if (!strcmp(state, "error") || !strcmp(state, "missingFiles")) {
		out->state = TRACKER_FAILED;
		snprintf(out->reason, sizeof(out->reason), "qbittorrent: the"
			 " torrent is in state %s", state);
	} else if ((ends_with(state, "UP") || !strcmp(state, "uploading"))
		   && out->progress >= 1) {
		out->state = TRACKER_COMPLETED;
	} else {
		for (size_t i = 0; i < sizeof(waiting) / sizeof(*waiting);
		     i++)
			if (!strcmp(state, waiting[i]))
				out->state = TRACKER_QUEUED;
	}
	return 0;
}

/*
 * Transmission's torrent-get object: a local error (error 3) failed, in
 * its errorString (a tracker's error or warning passes); status 0
 * stopped, 1-2 checking, 3 waiting, 4 downloading, 5-6 seeding;
 * complete when nothing is left and the metadata is there.
 */
static int read_transmission(json_t *t, struct tracker_seen *out)
{
	json_t *status = json_object_get(t, "status");
	int done = number_of(t, "leftUntilDone") == 0 &&
		number_of(t, "metadataPercentComplete") >= 1;

	if (!*text_of(t, "hashString") || !json_is_integer(status))
		return -EINVAL;
	snprintf(out->id, sizeof(out->id), "%s", text_of(t, "hashString"));
	out->progress = number_of(t, "percentDone");
	set_bytes(out, less(bytes_of(t, "sizeWhenDone"),
			    bytes_of(t, "leftUntilDone")),
		  bytes_of(t, "sizeWhenDone"), bytes_of(t, "rateDownload"));
	snprintf(out->path, sizeof(out->path), "%s/%s",
		 text_of(t, "downloadDir"), text_of(t, "name"));
	if (json_integer_value(json_object_get(t, "error")) == 3) {
		out->state = TRACKER_FAILED;
		snprintf(out->reason, sizeof(out->reason), "transmission:"
			 " %.200s", text_of(t, "errorString"));
	} else if (done) {
		out->state = TRACKER_COMPLETED;
	} else if (json_integer_value(status) == 4) {
		out->state = TRACKER_DOWNLOADING;
	} else {
		out->state = TRACKER_QUEUED;
	}
	return 0;
}

/* NZBGet's 64-bit count name, in nameLo and nameHi (unsigned 32-bit
 * halves), or TRACKER_UNKNOWN. */
static long long lo_hi_of(json_t *g, const char *name)
{
	char lo_key[32], hi_key[32];
	long long lo, hi;

	snprintf(lo_key, sizeof(lo_key), "%sLo", name);
	snprintf(hi_key, sizeof(hi_key), "%sHi", name);
	lo = bytes_of(g, lo_key);
	hi = bytes_of(g, hi_key);
	if (lo < 0 || hi < 0 || lo > 0xffffffffLL || hi >= 1LL << 30)
		return TRACKER_UNKNOWN;
	return hi << 32 | lo;
}

/*
 * NZBGet's listgroups or history object: in the history, SUCCESS/... (and
 * WARNING/SCRIPT: only a script complained) completed, any other status
 * failed (FAILURE/FETCH: the link could not be fetched; DELETED/MANUAL:
 * removed by the user); in the queue, QUEUED, PAUSED and FETCHING
 * queued, downloading and post-processing on its way.
 */
static int read_nzbget(json_t *g, struct tracker_seen *out)
{
	const char *status = text_of(g, "Status");
	const char *dir = text_of(g, "FinalDir");
	double size = number_of(g, "FileSizeMB");
	int history = strchr(status, '/') != NULL;

	if (!json_is_integer(json_object_get(g, "NZBID")) || !*status)
		return -EINVAL;
	snprintf(out->id, sizeof(out->id), "%lld", (long long)
		 json_integer_value(json_object_get(g, "NZBID")));
	snprintf(out->path, sizeof(out->path), "%s",
		 *dir ? dir : text_of(g, "DestDir"));
	out->progress = size > 0 ? 1 - number_of(g, "RemainingSizeMB") / size
		: 0;
	set_bytes(out, less(lo_hi_of(g, "FileSize"),
			    lo_hi_of(g, "RemainingSize")),
		  lo_hi_of(g, "FileSize"), bytes_of(g, "DownloadRate"));
	if (history && (!strncmp(status, "SUCCESS/", 8) ||
			!strcmp(status, "WARNING/SCRIPT"))) {
		out->state = TRACKER_COMPLETED;
		out->progress = 1;
		out->done = out->total;
	} else if (history) {
		out->state = TRACKER_FAILED;
		snprintf(out->reason, sizeof(out->reason), "nzbget: %s%s",
			 status, !strcmp(status, "FAILURE/FETCH") ?
			 " (the NZB could not be fetched)" :
			 !strcmp(status, "DELETED/MANUAL") ?
			 " (removed by the user)" : "");
	} else if (!strcmp(status, "QUEUED") || !strcmp(status, "PAUSED") ||
		   !strcmp(status, "FETCHING")) {
		out->state = TRACKER_QUEUED;
	} else {
		out->state = TRACKER_DOWNLOADING;
	}
	return 0;
}

/* A number SABnzbd gives as text ("12.50"), or 0. */
static double text_number(json_t *obj, const char *key)
{
	return strtod(text_of(obj, key), NULL);
}

/* The MiB SABnzbd gives as text ("12.50") in bytes, or TRACKER_UNKNOWN
 * for text that is not all a number, not below 2^40 MiB. */
static long long mib_of(json_t *obj, const char *key)
{
	const char *s = text_of(obj, key);
	char *end;
	double mib = strtod(s, &end);

	if (!*s || *end || !(mib >= 0 && mib < 0x1p40))
		return TRACKER_UNKNOWN;
	return llround(mib * 1048576);
}

/*
 * SABnzbd's queue or history slot (a history slot has a fail_message,
 * "" or not): in the history, Completed completed, in its storage
 * folder, Failed failed with its fail_message ("URL Fetching failed;
 * File not on server": the link gave 404), any other status
 * post-processing, on its way; in the queue, Downloading and Fetching
 * (more par2 files) on their way, any other (Grabbing the NZB, Queued,
 * Paused, Propagating, Checking) queued.
 */
static int read_sabnzbd(json_t *slot, struct tracker_seen *out)
{
	const char *status = text_of(slot, "status");
	double mb = text_number(slot, "mb");

	if (!*text_of(slot, "nzo_id") || !*status)
		return -EINVAL;
	snprintf(out->id, sizeof(out->id), "%s", text_of(slot, "nzo_id"));
	if (json_object_get(slot, "fail_message")) {
		snprintf(out->path, sizeof(out->path), "%s",
			 text_of(slot, "storage"));
		out->progress = 1;
		out->state = TRACKER_DOWNLOADING;
		set_bytes(out, bytes_of(slot, "bytes"), bytes_of(slot, "bytes"),
			  TRACKER_UNKNOWN);
		if (!strcmp(status, "Completed")) {
			out->state = TRACKER_COMPLETED;
		} else if (!strcmp(status, "Failed")) {
			out->state = TRACKER_FAILED;
			out->progress = 0;
			out->done = TRACKER_UNKNOWN;
			snprintf(out->reason, sizeof(out->reason), "sabnzbd:"
				 " %.200s", *text_of(slot, "fail_message") ?
				 text_of(slot, "fail_message") : "failed");
		}
		return 0;
	}
	out->progress = mb > 0 ? 1 - text_number(slot, "mbleft") / mb : 0;
	set_bytes(out, less(mib_of(slot, "mb"), mib_of(slot, "mbleft")),
		  mib_of(slot, "mb"), TRACKER_UNKNOWN);
	out->state = !strcmp(status, "Downloading") ||
		!strcmp(status, "Fetching") ? TRACKER_DOWNLOADING :
		TRACKER_QUEUED;
	return 0;
}

int tracker_read(const char *client, json_t *obj, struct tracker_seen *out)
{
	memset(out, 0, sizeof(*out));
	out->listed = 1;
	out->done = out->total = out->speed = TRACKER_UNKNOWN;
	if (!json_is_object(obj))
		return -EINVAL;
	if (!strcmp(client, "qbittorrent"))
		return read_qbit(obj, out);
	if (!strcmp(client, "transmission"))
		return read_transmission(obj, out);
	if (!strcmp(client, "nzbget"))
		return read_nzbget(obj, out);
	if (!strcmp(client, "sabnzbd"))
		return read_sabnzbd(obj, out);
	if (!strcmp(client, "amule"))
		return client_amule_read(obj, out);
	return -EINVAL;
}

/* Whether obj, one of client's, is the download id. */
static int is_download(const char *client, json_t *obj, const char *id)
{
	char nzbid[32];

	if (!strcmp(client, "qbittorrent")) {
		const char *tags = text_of(obj, "tags");
		size_t len = strlen(id);

		if (!strcasecmp(text_of(obj, "hash"), id))
			return 1;
		/* tags: "a, b, c" */
		for (const char *t = strstr(tags, id); t;
		     t = strstr(t + 1, id))
			if ((t == tags || t[-1] == ' ' || t[-1] == ',') &&
			    (t[len] == '\0' || t[len] == ','))
				return 1;
		return 0;
	}
	if (!strcmp(client, "transmission"))
		return !strcasecmp(text_of(obj, "hashString"), id);
	if (!strcmp(client, "sabnzbd"))
		return !strcmp(text_of(obj, "nzo_id"), id);
	if (!strcmp(client, "amule"))
		return !strcasecmp(text_of(obj, "hash"), id);
	snprintf(nzbid, sizeof(nzbid), "%lld", (long long)
		 json_integer_value(json_object_get(obj, "NZBID")));
	return !strcmp(nzbid, id);
}

json_t *tracker_find(const char *client, json_t *list, const char *id)
{
	json_t *obj, *found = NULL;
	size_t i;

	/* NZBGet and SABnzbd list an item in their queue and, once
	 * done, in their history: the last one says most. */
	json_array_foreach(list, i, obj)
		if (is_download(client, obj, id))
			found = obj;
	return found;
}
