/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The download tracker's two steps: what a client's answer about one
 * download means (tracker_read(), a table of answers in the clients' own
 * words: qBittorrent's torrents/info states of its WebUI API
 * documentation, Transmission's torrent-get status numbers of its
 * rpc-spec, NZBGet's listgroups and history statuses of its API
 * documentation, SABnzbd 3.7's queue and history slots of its
 * sabnzbd/api.py, aria2 1.36.0's tellStatus objects as aria2c answered
 * them), and what state a hand-off goes to (tracker_next(), a
 * table of states, answers and ages). The bytes and speed of a download
 * come from the same objects: qBittorrent's completed, size and dlspeed
 * (bytes, bytes/s; its WebUI API documentation, torrents/info),
 * Transmission's sizeWhenDone, leftUntilDone and rateDownload (its
 * rpc-spec, torrent-get), NZBGet's FileSizeLo/Hi and RemainingSizeLo/Hi
 * (two unsigned 32-bit halves; its listgroups documentation) and its
 * status' DownloadRate, SABnzbd's mb and mbleft (MiB as text) and a
 * history slot's bytes, aria2's completedLength, totalLength and
 * downloadSpeed (decimal text; its tellStatus, recorded from aria2c
 * 1.36.0); an odd value (missing, negative, not a number,
 * done beyond total) is unknown, never 0.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "indexer/monitor/tracker.h"

#define H "0123456789abcdef0123456789abcdef01234567"

static const struct {
	const char *client, *answer;
	enum tracker_state state;
	double progress;
	const char *path, *reason;
} answers[] = {
	/* qBittorrent 4.5 */
	{ "qbittorrent", "{\"hash\":\"" H "\",\"state\":\"metaDL\","
	  "\"progress\":0,\"save_path\":\"/dl\",\"name\":\"x\"}",
	  TRACKER_DOWNLOADING, 0, "/dl/x", "" },
	{ "qbittorrent", "{\"hash\":\"" H "\",\"state\":\"downloading\","
	  "\"progress\":0.5,\"content_path\":\"/dl/One Piece T01.cbz\"}",
	  TRACKER_DOWNLOADING, 0.5, "/dl/One Piece T01.cbz", "" },
	{ "qbittorrent", "{\"hash\":\"" H "\",\"state\":\"stalledDL\","
	  "\"progress\":0.25,\"content_path\":\"/dl/a\"}",
	  TRACKER_DOWNLOADING, 0.25, "/dl/a", "" },
	{ "qbittorrent", "{\"hash\":\"" H "\",\"state\":\"queuedDL\","
	  "\"progress\":0,\"content_path\":\"/dl/a\"}",
	  TRACKER_QUEUED, 0, "/dl/a", "" },
	{ "qbittorrent", "{\"hash\":\"" H "\",\"state\":\"pausedDL\","
	  "\"progress\":0.1,\"content_path\":\"/dl/a\"}",
	  TRACKER_QUEUED, 0.1, "/dl/a", "" },
	{ "qbittorrent", "{\"hash\":\"" H "\",\"state\":\"checkingDL\","
	  "\"progress\":0.9,\"content_path\":\"/dl/a\"}",
	  TRACKER_QUEUED, 0.9, "/dl/a", "" },
	{ "qbittorrent", "{\"hash\":\"" H "\",\"state\":\"stalledUP\","
	  "\"progress\":1,\"content_path\":\"/dl/a\"}",
	  TRACKER_COMPLETED, 1, "/dl/a", "" },
	{ "qbittorrent", "{\"hash\":\"" H "\",\"state\":\"pausedUP\","
	  "\"progress\":1,\"content_path\":\"/dl/a\"}",
	  TRACKER_COMPLETED, 1, "/dl/a", "" },
	/* seeding to peers: qBittorrent's "uploading", complete */
	{ "qbittorrent", "{\"hash\":\"" H "\",\"state\":\"uploading\","
	  "\"progress\":1,\"content_path\":\"/dl/a\"}",
	  TRACKER_COMPLETED, 1, "/dl/a", "" },
	{ "qbittorrent", "{\"hash\":\"" H "\",\"state\":\"stoppedUP\","
	  "\"progress\":1,\"content_path\":\"/dl/a\"}",
	  TRACKER_COMPLETED, 1, "/dl/a", "" },
	/* a recheck of a complete torrent, not yet done */
	{ "qbittorrent", "{\"hash\":\"" H "\",\"state\":\"checkingUP\","
	  "\"progress\":0.6,\"content_path\":\"/dl/a\"}",
	  TRACKER_DOWNLOADING, 0.6, "/dl/a", "" },
	{ "qbittorrent", "{\"hash\":\"" H "\",\"state\":\"error\","
	  "\"progress\":0.3,\"content_path\":\"/dl/a\"}",
	  TRACKER_FAILED, 0.3, "/dl/a",
	  "qbittorrent: the torrent is in state error" },
	{ "qbittorrent", "{\"hash\":\"" H "\",\"state\":\"missingFiles\","
	  "\"progress\":1,\"content_path\":\"/dl/a\"}",
	  TRACKER_FAILED, 1, "/dl/a",
	  "qbittorrent: the torrent is in state missingFiles" },
	/* Transmission 3.00 */
	{ "transmission", "{\"hashString\":\"" H "\",\"status\":4,"
	  "\"percentDone\":0.5,\"leftUntilDone\":100,"
	  "\"metadataPercentComplete\":1,\"error\":0,\"errorString\":\"\","
	  "\"downloadDir\":\"/dl\",\"name\":\"b\"}",
	  TRACKER_DOWNLOADING, 0.5, "/dl/b", "" },
	{ "transmission", "{\"hashString\":\"" H "\",\"status\":4,"
	  "\"percentDone\":0,\"leftUntilDone\":0,"
	  "\"metadataPercentComplete\":0,\"error\":0,"
	  "\"downloadDir\":\"/dl\",\"name\":\"b\"}",
	  TRACKER_DOWNLOADING, 0, "/dl/b", "" },
	{ "transmission", "{\"hashString\":\"" H "\",\"status\":3,"
	  "\"percentDone\":0,\"leftUntilDone\":10,"
	  "\"metadataPercentComplete\":1,\"error\":0,"
	  "\"downloadDir\":\"/dl\",\"name\":\"b\"}",
	  TRACKER_QUEUED, 0, "/dl/b", "" },
	{ "transmission", "{\"hashString\":\"" H "\",\"status\":2,"
	  "\"percentDone\":0.2,\"leftUntilDone\":10,"
	  "\"metadataPercentComplete\":1,\"error\":0,"
	  "\"downloadDir\":\"/dl\",\"name\":\"b\"}",
	  TRACKER_QUEUED, 0.2, "/dl/b", "" },
	{ "transmission", "{\"hashString\":\"" H "\",\"status\":6,"
	  "\"percentDone\":1,\"leftUntilDone\":0,"
	  "\"metadataPercentComplete\":1,\"error\":0,"
	  "\"downloadDir\":\"/dl\",\"name\":\"b\"}",
	  TRACKER_COMPLETED, 1, "/dl/b", "" },
	{ "transmission", "{\"hashString\":\"" H "\",\"status\":0,"
	  "\"percentDone\":1,\"leftUntilDone\":0,"
	  "\"metadataPercentComplete\":1,\"error\":0,"
	  "\"downloadDir\":\"/dl\",\"name\":\"b\"}",
	  TRACKER_COMPLETED, 1, "/dl/b", "" },
	/* a tracker's error passes; a local error fails */
	{ "transmission", "{\"hashString\":\"" H "\",\"status\":4,"
	  "\"percentDone\":0.1,\"leftUntilDone\":9,"
	  "\"metadataPercentComplete\":1,\"error\":2,"
	  "\"errorString\":\"Tracker gave HTTP response code 404\","
	  "\"downloadDir\":\"/dl\",\"name\":\"b\"}",
	  TRACKER_DOWNLOADING, 0.1, "/dl/b", "" },
	{ "transmission", "{\"hashString\":\"" H "\",\"status\":0,"
	  "\"percentDone\":0.1,\"leftUntilDone\":9,"
	  "\"metadataPercentComplete\":1,\"error\":3,"
	  "\"errorString\":\"No data found! Ensure your drives are"
	  " connected\",\"downloadDir\":\"/dl\",\"name\":\"b\"}",
	  TRACKER_FAILED, 0.1, "/dl/b", "transmission: No data found!"
	  " Ensure your drives are connected" },
	/* NZBGet 21: the queue, then the history */
	{ "nzbget", "{\"NZBID\":7,\"Status\":\"QUEUED\",\"FileSizeMB\":100,"
	  "\"RemainingSizeMB\":100,\"DestDir\":\"/dl/c.#7\"}",
	  TRACKER_QUEUED, 0, "/dl/c.#7", "" },
	{ "nzbget", "{\"NZBID\":7,\"Status\":\"DOWNLOADING\","
	  "\"FileSizeMB\":100,\"RemainingSizeMB\":25,"
	  "\"DestDir\":\"/dl/c.#7\"}",
	  TRACKER_DOWNLOADING, 0.75, "/dl/c.#7", "" },
	{ "nzbget", "{\"NZBID\":7,\"Status\":\"UNPACKING\",\"FileSizeMB\":100,"
	  "\"RemainingSizeMB\":0,\"DestDir\":\"/dl/c.#7\"}",
	  TRACKER_DOWNLOADING, 1, "/dl/c.#7", "" },
	{ "nzbget", "{\"NZBID\":7,\"Status\":\"SUCCESS/ALL\",\"Kind\":\"NZB\","
	  "\"FileSizeMB\":100,\"RemainingSizeMB\":0,\"DestDir\":\"/dl/c.#7\","
	  "\"FinalDir\":\"/done/c\"}",
	  TRACKER_COMPLETED, 1, "/done/c", "" },
	{ "nzbget", "{\"NZBID\":8,\"Status\":\"FAILURE/FETCH\","
	  "\"Kind\":\"URL\",\"FileSizeMB\":0,\"RemainingSizeMB\":0,"
	  "\"DestDir\":\"\"}",
	  TRACKER_FAILED, 0, "", "nzbget: FAILURE/FETCH (the NZB could not"
	  " be fetched)" },
	{ "nzbget", "{\"NZBID\":9,\"Status\":\"DELETED/MANUAL\","
	  "\"FileSizeMB\":10,\"RemainingSizeMB\":5,\"DestDir\":\"/dl/d\"}",
	  TRACKER_FAILED, 0.5, "/dl/d", "nzbget: DELETED/MANUAL (removed by"
	  " the user)" },
	{ "nzbget", "{\"NZBID\":9,\"Status\":\"FAILURE/UNPACK\","
	  "\"FileSizeMB\":10,\"RemainingSizeMB\":0,\"DestDir\":\"/dl/d\"}",
	  TRACKER_FAILED, 1, "/dl/d", "nzbget: FAILURE/UNPACK" },
	/* SABnzbd 3.7: queue slots, then history slots */
	{ "sabnzbd", "{\"nzo_id\":\"SABnzbd_nzo_1\",\"status\":\"Grabbing\","
	  "\"mb\":\"0.00\",\"mbleft\":\"0.00\"}",
	  TRACKER_QUEUED, 0, "", "" },
	{ "sabnzbd", "{\"nzo_id\":\"SABnzbd_nzo_1\",\"status\":\"Queued\","
	  "\"mb\":\"100.00\",\"mbleft\":\"100.00\"}",
	  TRACKER_QUEUED, 0, "", "" },
	{ "sabnzbd", "{\"nzo_id\":\"SABnzbd_nzo_1\",\"status\":"
	  "\"Downloading\",\"mb\":\"100.00\",\"mbleft\":\"25.00\"}",
	  TRACKER_DOWNLOADING, 0.75, "", "" },
	{ "sabnzbd", "{\"nzo_id\":\"SABnzbd_nzo_1\",\"status\":\"Fetching\","
	  "\"mb\":\"100.00\",\"mbleft\":\"10.00\"}",
	  TRACKER_DOWNLOADING, 0.9, "", "" },
	{ "sabnzbd", "{\"nzo_id\":\"SABnzbd_nzo_1\",\"status\":\"Extracting\","
	  "\"storage\":\"\",\"fail_message\":\"\"}",
	  TRACKER_DOWNLOADING, 1, "", "" },
	{ "sabnzbd", "{\"nzo_id\":\"SABnzbd_nzo_1\",\"status\":\"Completed\","
	  "\"storage\":\"/dl/manga/One Piece T01\",\"fail_message\":\"\"}",
	  TRACKER_COMPLETED, 1, "/dl/manga/One Piece T01", "" },
	{ "sabnzbd", "{\"nzo_id\":\"SABnzbd_nzo_1\",\"status\":\"Failed\","
	  "\"storage\":\"\",\"fail_message\":\"URL Fetching failed; File"
	  " not on server\"}",
	  TRACKER_FAILED, 0, "",
	  "sabnzbd: URL Fetching failed; File not on server" },
	/* aria2 1.36.0: tellStopped and tellActive objects, recorded */
	{ "aria2", "{\"completedLength\":\"22\",\"dir\":\"/dl\","
	  "\"downloadSpeed\":\"0\",\"errorCode\":\"0\",\"errorMessage\":"
	  "\"\",\"files\":[{\"completedLength\":\"22\",\"index\":\"1\","
	  "\"length\":\"22\",\"path\":\"/dl/Saga 01 T10.cbz\","
	  "\"selected\":\"true\"}],\"gid\":\"210f5a4ea6352298\","
	  "\"status\":\"complete\",\"totalLength\":\"22\"}",
	  TRACKER_COMPLETED, 1, "/dl/Saga 01 T10.cbz", "" },
	{ "aria2", "{\"completedLength\":\"0\",\"dir\":\"/dl\","
	  "\"downloadSpeed\":\"0\",\"errorCode\":\"3\",\"errorMessage\":"
	  "\"Resource not found\",\"files\":[{\"path\":\"\"}],"
	  "\"gid\":\"2220205258108d10\",\"status\":\"error\","
	  "\"totalLength\":\"0\"}",
	  TRACKER_FAILED, 0, "", "aria2: Resource not found (error code 3)" },
	{ "aria2", "{\"gid\":\"2220205258108d11\",\"status\":\"active\","
	  "\"completedLength\":\"250\",\"totalLength\":\"1000\","
	  "\"dir\":\"/dl\",\"bittorrent\":{\"info\":{\"name\":"
	  "\"Saga 01\"}},\"files\":[{\"path\":\"/dl/Saga 01/T01.cbz\"}]}",
	  TRACKER_DOWNLOADING, 0.25, "/dl/Saga 01", "" },
	/* a magnet's metadata, done: the torrent it led to follows */
	{ "aria2", "{\"gid\":\"2220205258108d12\",\"status\":\"complete\","
	  "\"completedLength\":\"0\",\"totalLength\":\"0\","
	  "\"dir\":\"/dl\",\"files\":[{\"path\":\"[METADATA]Saga\"}],"
	  "\"followedBy\":[\"2220205258108d13\"]}",
	  TRACKER_DOWNLOADING, 0, "", "" },
	{ "aria2", "{\"gid\":\"2220205258108d14\",\"status\":\"waiting\"}",
	  TRACKER_QUEUED, 0, "", "" },
	{ "aria2", "{\"gid\":\"2220205258108d14\",\"status\":\"paused\"}",
	  TRACKER_QUEUED, 0, "", "" },
	{ "aria2", "{\"gid\":\"2220205258108d14\",\"status\":\"removed\","
	  "\"errorCode\":\"31\"}",
	  TRACKER_FAILED, 0, "", "aria2: removed (error code 31)" },
};

/* Each answer means what the table says. */
static void test_read(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(answers) / sizeof(*answers); i++) {
		json_t *obj = json_loads(answers[i].answer, 0, NULL);
		struct tracker_seen seen;

		assert_non_null(obj);
		assert_int_equal(tracker_read(answers[i].client, obj, &seen),
				 0);
		if (seen.state != answers[i].state)
			fail_msg("answer %zu: %s, not %s", i,
				 tracker_state_name(seen.state),
				 tracker_state_name(answers[i].state));
		assert_true(seen.listed);
		assert_float_equal(seen.progress, answers[i].progress, 1e-9);
		assert_string_equal(seen.path, answers[i].path);
		assert_string_equal(seen.reason, answers[i].reason);
		json_decref(obj);
	}
}

/* An object that is not the client's is refused, nothing guessed. */
static void test_read_bad(void **state)
{
	static const char *const bad[][2] = {
		{ "qbittorrent", "{\"state\":\"downloading\"}" },
		{ "qbittorrent", "{\"hash\":\"" H "\"}" },
		{ "transmission", "{\"hashString\":\"" H "\"}" },
		{ "nzbget", "{\"Status\":\"QUEUED\"}" },
		{ "sabnzbd", "{}" },
		{ "sabnzbd", "{\"nzo_id\":\"SABnzbd_nzo_1\"}" },
		{ "qbittorrent", "[]" },
		{ "aria2", "{\"status\":\"active\"}" },
		{ "aria2", "{\"gid\":\"2220205258108d10\"}" },
		{ "aria2", "{\"gid\":\"2220205258108d10\",\"status\":"
		  "\"seeding\"}" },
	};
	struct tracker_seen seen;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		json_t *obj = json_loads(bad[i][1], 0, NULL);

		assert_int_equal(tracker_read(bad[i][0], obj, &seen), -EINVAL);
		json_decref(obj);
	}
}

#define U TRACKER_UNKNOWN

static const struct {
	const char *client, *answer;
	long long done, total, speed;
} figures[] = {
	{ "qbittorrent", "{\"hash\":\"" H "\",\"state\":\"downloading\","
	  "\"completed\":500,\"size\":1000,\"dlspeed\":2048}",
	  500, 1000, 2048 },
	/* a magnet before its metadata: no size yet */
	{ "qbittorrent", "{\"hash\":\"" H "\",\"state\":\"metaDL\","
	  "\"completed\":0,\"size\":0,\"dlspeed\":0}", U, U, 0 },
	{ "qbittorrent", "{\"hash\":\"" H "\",\"state\":\"downloading\"}",
	  U, U, U },
	{ "qbittorrent", "{\"hash\":\"" H "\",\"state\":\"downloading\","
	  "\"completed\":-5,\"size\":1000,\"dlspeed\":-1}", U, 1000, U },
	{ "qbittorrent", "{\"hash\":\"" H "\",\"state\":\"downloading\","
	  "\"completed\":\"500\",\"size\":\"1000\",\"dlspeed\":null}",
	  U, U, U },
	{ "qbittorrent", "{\"hash\":\"" H "\",\"state\":\"downloading\","
	  "\"completed\":1001,\"size\":1000,\"dlspeed\":1.5}",
	  U, 1000, 1 },
	{ "qbittorrent", "{\"hash\":\"" H "\",\"state\":\"stalledUP\","
	  "\"progress\":1,\"completed\":6000000000,"
	  "\"size\":6000000000,\"dlspeed\":0}", 6000000000LL,
	  6000000000LL, 0 },
	{ "transmission", "{\"hashString\":\"" H "\",\"status\":4,"
	  "\"sizeWhenDone\":1000,\"leftUntilDone\":250,"
	  "\"rateDownload\":100}", 750, 1000, 100 },
	{ "transmission", "{\"hashString\":\"" H "\",\"status\":4,"
	  "\"sizeWhenDone\":1000,\"leftUntilDone\":2000,"
	  "\"rateDownload\":-1}", U, 1000, U },
	{ "transmission", "{\"hashString\":\"" H "\",\"status\":4,"
	  "\"sizeWhenDone\":0,\"leftUntilDone\":0,"
	  "\"metadataPercentComplete\":0,\"rateDownload\":0}", U, U, 0 },
	{ "transmission", "{\"hashString\":\"" H "\",\"status\":4,"
	  "\"leftUntilDone\":10,\"rateDownload\":[]}", U, U, U },
	/* NZBGet: 1 * 2^32 + 1000 bytes, 2^32 left */
	{ "nzbget", "{\"NZBID\":7,\"Status\":\"DOWNLOADING\","
	  "\"FileSizeLo\":1000,\"FileSizeHi\":1,\"RemainingSizeLo\":0,"
	  "\"RemainingSizeHi\":1,\"DownloadRate\":300}",
	  1000, 4294968296LL, 300 },
	{ "nzbget", "{\"NZBID\":7,\"Status\":\"QUEUED\","
	  "\"FileSizeLo\":1000,\"FileSizeHi\":0,\"RemainingSizeLo\":1000,"
	  "\"RemainingSizeHi\":0}", 0, 1000, U },
	{ "nzbget", "{\"NZBID\":7,\"Status\":\"SUCCESS/ALL\","
	  "\"FileSizeLo\":100,\"FileSizeHi\":0}", 100, 100, U },
	{ "nzbget", "{\"NZBID\":7,\"Status\":\"DOWNLOADING\","
	  "\"FileSizeLo\":-1,\"FileSizeHi\":0,\"RemainingSizeLo\":0,"
	  "\"RemainingSizeHi\":0,\"DownloadRate\":\"fast\"}", U, U, U },
	{ "nzbget", "{\"NZBID\":7,\"Status\":\"DOWNLOADING\","
	  "\"FileSizeLo\":4294967296,\"FileSizeHi\":0}", U, U, U },
	{ "sabnzbd", "{\"nzo_id\":\"SABnzbd_nzo_1\",\"status\":"
	  "\"Downloading\",\"mb\":\"100.00\",\"mbleft\":\"25.00\"}",
	  78643200, 104857600, U },
	{ "sabnzbd", "{\"nzo_id\":\"SABnzbd_nzo_1\",\"status\":"
	  "\"Downloading\",\"mb\":\"abc\",\"mbleft\":\"-1\"}", U, U, U },
	{ "sabnzbd", "{\"nzo_id\":\"SABnzbd_nzo_1\",\"status\":"
	  "\"Downloading\",\"mb\":\"1.00\",\"mbleft\":\"-1\"}",
	  U, 1048576, U },
	{ "sabnzbd", "{\"nzo_id\":\"SABnzbd_nzo_1\",\"status\":"
	  "\"Completed\",\"storage\":\"/dl/a\",\"fail_message\":\"\","
	  "\"bytes\":12345}", 12345, 12345, U },
	{ "sabnzbd", "{\"nzo_id\":\"SABnzbd_nzo_1\",\"status\":"
	  "\"Failed\",\"storage\":\"\",\"fail_message\":\"x\","
	  "\"bytes\":100}", U, 100, U },
	/* aria2: counts as decimal text */
	{ "aria2", "{\"gid\":\"2220205258108d10\",\"status\":\"active\","
	  "\"completedLength\":\"500\",\"totalLength\":\"1000\","
	  "\"downloadSpeed\":\"2048\"}", 500, 1000, 2048 },
	{ "aria2", "{\"gid\":\"2220205258108d10\",\"status\":\"active\","
	  "\"completedLength\":\"0\",\"totalLength\":\"0\","
	  "\"downloadSpeed\":\"0\"}", U, U, 0 },
	{ "aria2", "{\"gid\":\"2220205258108d10\",\"status\":\"active\","
	  "\"completedLength\":\"-5\",\"totalLength\":\"1e3\","
	  "\"downloadSpeed\":500}", U, U, U },
};

/* Each answer gives the bytes and speed the table says, unknown where
 * the client says nothing or something odd. */
static void test_read_bytes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(figures) / sizeof(*figures); i++) {
		json_t *obj = json_loads(figures[i].answer, 0, NULL);
		struct tracker_seen seen;

		assert_non_null(obj);
		assert_int_equal(tracker_read(figures[i].client, obj, &seen),
				 0);
		if (seen.done != figures[i].done ||
		    seen.total != figures[i].total ||
		    seen.speed != figures[i].speed)
			fail_msg("answer %zu: %lld %lld %lld", i, seen.done,
				 seen.total, seen.speed);
		json_decref(obj);
	}
}

/* A download is found by its hash, by its tag among others, by NZBID or
 * nzo_id; NZBGet's and SABnzbd's history entry wins over its queue
 * entry. */
static void test_find(void **state)
{
	json_t *qbit = json_loads("[{\"hash\":\"aa\",\"tags\":\"\"},"
		"{\"hash\":\"bb\",\"tags\":\"x, mediamon-12\"},"
		"{\"hash\":\"cc\",\"tags\":\"mediamon-1\"}]", 0, NULL);
	json_t *nzb = json_loads("[{\"NZBID\":3,\"Status\":\"PP_FINISHED\"},"
		"{\"NZBID\":3,\"Status\":\"SUCCESS/ALL\"}]", 0, NULL);
	json_t *sab = json_loads("[{\"nzo_id\":\"SABnzbd_nzo_a\"},"
		"{\"nzo_id\":\"SABnzbd_nzo_b\",\"status\":\"Queued\"},"
		"{\"nzo_id\":\"SABnzbd_nzo_b\",\"status\":\"Completed\"}]",
		0, NULL);

	json_t *aria2 = json_loads("[{\"gid\":\"a1\",\"status\":"
		"\"complete\",\"followedBy\":[\"b2\"]},{\"gid\":\"b2\","
		"\"following\":\"a1\",\"status\":\"active\"}]", 0, NULL);

	(void)state;
	/* a magnet's metadata is found as the torrent that follows it */
	assert_string_equal(json_string_value(json_object_get(
		tracker_find("aria2", aria2, "a1"), "gid")), "b2");
	assert_string_equal(json_string_value(json_object_get(
		tracker_find("aria2", aria2, "b2"), "gid")), "b2");
	assert_null(tracker_find("aria2", aria2, "c3"));
	json_decref(aria2);
	assert_string_equal(json_string_value(json_object_get(
		tracker_find("qbittorrent", qbit, "AA"), "hash")), "aa");
	assert_string_equal(json_string_value(json_object_get(
		tracker_find("qbittorrent", qbit, "mediamon-1"), "hash")),
		"cc");
	assert_string_equal(json_string_value(json_object_get(
		tracker_find("qbittorrent", qbit, "mediamon-12"), "hash")),
		"bb");
	assert_null(tracker_find("qbittorrent", qbit, "mediamon-2"));
	assert_string_equal(json_string_value(json_object_get(
		tracker_find("nzbget", nzb, "3"), "Status")), "SUCCESS/ALL");
	assert_null(tracker_find("nzbget", nzb, "4"));
	assert_string_equal(json_string_value(json_object_get(
		tracker_find("sabnzbd", sab, "SABnzbd_nzo_b"), "status")),
		"Completed");
	assert_null(tracker_find("sabnzbd", sab, "SABnzbd_nzo_c"));
	json_decref(qbit);
	json_decref(nzb);
	json_decref(sab);
}

#define POLL 60
#define STALL 3600

static const struct {
	enum tracker_state was;
	double progress, progress_at, sent_at;
	int listed;
	enum tracker_state seen;
	double seen_progress;
	double now;
	enum tracker_state state;
	const char *reason;		/* the start of it */
} steps[] = {
	/* not listed yet, within the grace of 3 polls */
	{ TRACKER_SENT, 0, 0, 1000, 0, 0, 0, 1000 + 3 * POLL,
	  TRACKER_SENT, "" },
	/* never listed: the link was not fetched (qBittorrent's 404) */
	{ TRACKER_SENT, 0, 0, 1000, 0, 0, 0, 1001 + 3 * POLL,
	  TRACKER_FAILED, "the download client never listed it" },
	{ TRACKER_SENT, 0, 0, 1000, 1, TRACKER_QUEUED, 0, 1010,
	  TRACKER_QUEUED, "" },
	{ TRACKER_QUEUED, 0, 1010, 1000, 1, TRACKER_DOWNLOADING, 0.1, 1070,
	  TRACKER_DOWNLOADING, "" },
	/* listed once, then gone: removed by the user */
	{ TRACKER_DOWNLOADING, 0.1, 1070, 1000, 0, 0, 0, 1130,
	  TRACKER_FAILED, "removed from the download client" },
	/* no progress for less than the stall timeout */
	{ TRACKER_DOWNLOADING, 0.1, 1070, 1000, 1, TRACKER_DOWNLOADING, 0.1,
	  1070 + STALL, TRACKER_DOWNLOADING, "" },
	/* no progress for longer: stalled */
	{ TRACKER_DOWNLOADING, 0.1, 1070, 1000, 1, TRACKER_DOWNLOADING, 0.1,
	  1071 + STALL, TRACKER_FAILED, "stalled" },
	/* progress moved: not stalled, however long it took */
	{ TRACKER_DOWNLOADING, 0.1, 1070, 1000, 1, TRACKER_DOWNLOADING, 0.2,
	  1071 + 10 * STALL, TRACKER_DOWNLOADING, "" },
	/* a queued one waits as long as it must */
	{ TRACKER_QUEUED, 0, 1010, 1000, 1, TRACKER_QUEUED, 0,
	  1010 + 10 * STALL, TRACKER_QUEUED, "" },
	{ TRACKER_DOWNLOADING, 0.9, 1070, 1000, 1, TRACKER_COMPLETED, 1,
	  1130, TRACKER_COMPLETED, "" },
	{ TRACKER_DOWNLOADING, 0.9, 1070, 1000, 1, TRACKER_FAILED, 0.9,
	  1130, TRACKER_FAILED, "the client's" },
	/* completed never goes back, even once removed */
	{ TRACKER_COMPLETED, 1, 1130, 1000, 0, 0, 0, 99999,
	  TRACKER_COMPLETED, "" },
	{ TRACKER_COMPLETED, 1, 1130, 1000, 1, TRACKER_DOWNLOADING, 0.5,
	  1200, TRACKER_COMPLETED, "" },
	{ TRACKER_IMPORTED, 1, 1130, 1000, 0, 0, 0, 99999,
	  TRACKER_IMPORTED, "" },
};

/* Each hand-off goes where the table says. */
static void test_next(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(steps) / sizeof(*steps); i++) {
		struct tracker_row was = {
			.state = steps[i].was,
			.progress = steps[i].progress,
			.progress_at = steps[i].progress_at,
			.sent_at = steps[i].sent_at,
		}, out;
		struct tracker_seen seen = {
			.listed = steps[i].listed,
			.state = steps[i].seen,
			.progress = steps[i].seen_progress,
			.reason = "the client's",
		};

		tracker_next(&was, &seen, steps[i].now, POLL, STALL, &out);
		if (out.state != steps[i].state)
			fail_msg("step %zu: %s, not %s", i,
				 tracker_state_name(out.state),
				 tracker_state_name(steps[i].state));
		assert_memory_equal(out.reason, steps[i].reason,
				    strlen(steps[i].reason));
		if (!*steps[i].reason)
			assert_string_equal(out.reason, "");
	}
}

/* A stall_timeout of 0 (an ed2k client's may be) never stalls: a file
 * no source serves yet waits with no progress for ever; the same
 * download with a stall_timeout fails. */
static void test_next_never_stalls(void **state)
{
	struct tracker_row was = { .state = TRACKER_DOWNLOADING,
				   .progress_at = 1070, .sent_at = 1000 }, out;
	struct tracker_seen seen = { .listed = 1,
				     .state = TRACKER_DOWNLOADING };

	(void)state;
	tracker_next(&was, &seen, 1070 + 365 * 86400.0, POLL, 0, &out);
	assert_int_equal(out.state, TRACKER_DOWNLOADING);
	assert_string_equal(out.reason, "");
	tracker_next(&was, &seen, 1071 + STALL, POLL, STALL, &out);
	assert_int_equal(out.state, TRACKER_FAILED);
	assert_string_equal(out.reason, "stalled: no progress for 3601 s"
			    " (its stall_timeout)");
}

/* A completed download whose import failed, gone from the client:
 * failed; listed, or kept by dry-run, it stays completed. */
static void test_next_import_failed_gone(void **state)
{
	struct tracker_row was = { .state = TRACKER_COMPLETED,
				   .progress = 1, .reason = "import: no space"
				   " (free space)" }, out;
	struct tracker_seen gone = { .listed = 0 }, listed = {
		.listed = 1, .state = TRACKER_COMPLETED, .progress = 1 };

	(void)state;
	tracker_next(&was, &listed, 2000, POLL, STALL, &out);
	assert_int_equal(out.state, TRACKER_COMPLETED);
	assert_string_equal(out.reason, was.reason);
	tracker_next(&was, &gone, 2000, POLL, STALL, &out);
	assert_int_equal(out.state, TRACKER_FAILED);
	assert_string_equal(out.reason, "removed from the download client"
			    " before its import");
	snprintf(was.reason, sizeof(was.reason), TRACKER_WOULD_IMPORT
		 " into /m/Saga");
	tracker_next(&was, &gone, 2000, POLL, STALL, &out);
	assert_int_equal(out.state, TRACKER_COMPLETED);
}

/* The grace is never shorter than TRACKER_GRACE_MIN, however short the
 * poll interval. */
static void test_grace_floor(void **state)
{
	struct tracker_row was = { .state = TRACKER_SENT, .sent_at = 100 };
	struct tracker_seen seen = { .listed = 0 };
	struct tracker_row out;

	(void)state;
	tracker_next(&was, &seen, 100 + TRACKER_GRACE_MIN, 1, STALL, &out);
	assert_int_equal(out.state, TRACKER_SENT);
	tracker_next(&was, &seen, 101 + TRACKER_GRACE_MIN, 1, STALL, &out);
	assert_int_equal(out.state, TRACKER_FAILED);
}

static void test_names(void **state)
{
	(void)state;
	for (int i = 0; i < TRACKER_NR_STATES; i++)
		assert_int_equal(tracker_state_parse(tracker_state_name(i)),
				 i);
	assert_int_equal(tracker_state_parse("dry-run"), -1);
	assert_int_equal(tracker_state_parse(NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_read_bad),
		cmocka_unit_test(test_read_bytes),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_next),
		cmocka_unit_test(test_next_never_stalls),
		cmocka_unit_test(test_next_import_failed_gone),
		cmocka_unit_test(test_grace_floor),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
