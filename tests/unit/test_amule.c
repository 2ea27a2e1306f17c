/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * aMule's External Connections answers (indexer/monitor/ec.h) as a real
 * amuled 2.3.3 gave them (tests/data/amule/, tests/data/SOURCES.md) read
 * into tags; every cut of one, a flipped byte, counts and lengths that
 * do not fit and too deep a nesting refused without a crash; what the
 * tracker reads in aMule's objects (client_amule_read()); which
 * client takes an ed2k release (download_accepts()); and an amuled that
 * closes the connection before its answer taken for the client's fault,
 * never the release's (which would blocklist it).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/strbuf.h"

#include "indexer/monitor/download.h"
#include "indexer/monitor/ec.h"
#include "indexer/monitor/tracker.h"

#define DATA "tests/unit/../data/amule/"

/* The recorded packet name, malloc'd, its length in *len. */
static unsigned char *recorded(const char *name, size_t *len)
{
	char path[256];
	unsigned char *buf = malloc(1 << 16);
	FILE *f;

	snprintf(path, sizeof(path), DATA "%s", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, 1 << 16, f);
	fclose(f);
	assert_true(*len > 0);
	return buf;
}

static void parse(const char *name, struct ec_packet *p)
{
	size_t len;
	unsigned char *frame = recorded(name, &len);

	assert_int_equal(ec_parse(frame, len, p), 0);
}

static uint64_t int_of(const struct ec_tag *t, uint16_t name)
{
	uint64_t v;

	assert_int_equal(ec_int(ec_find(t->children, t->nr, name), &v), 0);
	return v;
}

/* The text of t's child tag name, or NULL. */
static const char *string_of(const struct ec_tag *t, uint16_t name)
{
	return ec_string(ec_find(t->children, t->nr, name));
}

static void test_download_queue(void **state)
{
	static const unsigned char hash[16] = {
		0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
		0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
	};
	const struct ec_tag *f;
	struct ec_packet p;

	(void)state;
	parse("dload_queue.bin", &p);
	assert_int_equal(p.opcode, EC_OP_DLOAD_QUEUE);
	assert_int_equal(p.nr, 1);
	f = ec_find(p.tags, p.nr, EC_TAG_PARTFILE);
	assert_non_null(f);
	assert_string_equal(string_of(f, EC_TAG_PARTFILE_NAME),
			    "Saga 01 T02.cbz");
	assert_memory_equal(ec_hash(ec_find(f->children, f->nr,
					    EC_TAG_PARTFILE_HASH)), hash, 16);
	assert_int_equal(int_of(f, EC_TAG_PARTFILE_SIZE_FULL), 50022);
	assert_int_equal(int_of(f, EC_TAG_PARTFILE_SIZE_DONE), 0);
	/* a file with no source waits: PS_EMPTY */
	assert_int_equal(int_of(f, EC_TAG_PARTFILE_STATUS), 1);
	/* the name is no hash, nor a number */
	assert_null(ec_hash(ec_find(f->children, f->nr,
				    EC_TAG_PARTFILE_NAME)));
	ec_packet_release(&p);
}

static void test_shared_and_prefs(void **state)
{
	const struct ec_tag *f, *dirs;
	struct ec_packet p;

	(void)state;
	parse("shared_files.bin", &p);
	assert_int_equal(p.opcode, EC_OP_SHARED_FILES);
	f = ec_find(p.tags, p.nr, EC_TAG_KNOWNFILE);
	assert_non_null(f);
	assert_string_equal(string_of(f, EC_TAG_PARTFILE_NAME),
			    "Saga 01 T04.cbz");
	assert_string_equal(string_of(f, EC_TAG_KNOWNFILE_FILENAME),
			    "/tmp/amt/S/incoming");
	assert_int_equal(int_of(f, EC_TAG_PARTFILE_SIZE_FULL), 300022);
	ec_packet_release(&p);

	parse("preferences.bin", &p);
	assert_int_equal(p.opcode, EC_OP_SET_PREFERENCES);
	dirs = ec_find(p.tags, p.nr, EC_TAG_PREFS_DIRECTORIES);
	assert_non_null(dirs);
	assert_string_equal(string_of(dirs, EC_TAG_DIRECTORIES_INCOMING),
			    "/tmp/amt/S/incoming");
	ec_packet_release(&p);
}

static void test_login_answers(void **state)
{
	struct ec_packet p;

	(void)state;
	parse("auth_ok.bin", &p);
	assert_int_equal(p.opcode, EC_OP_AUTH_OK);
	assert_string_equal(ec_string(ec_find(p.tags, p.nr,
					      EC_TAG_SERVER_VERSION)),
			    "2.3.3");
	ec_packet_release(&p);
	parse("auth_fail.bin", &p);
	assert_int_equal(p.opcode, EC_OP_AUTH_FAIL);
	assert_string_equal(ec_string(ec_find(p.tags, p.nr, EC_TAG_STRING)),
			    "Authentication failed: wrong password.");
	ec_packet_release(&p);
}

/* Every cut of a real answer is refused; a flipped byte never crashes
 * (ASan and valgrind runs watch the reads). */
static void test_cuts_and_flips(void **state)
{
	size_t len;
	unsigned char *whole = recorded("dload_queue.bin", &len);
	struct ec_packet p;

	(void)state;
	for (size_t n = 0; n < len; n++) {
		unsigned char *cut = malloc(n ? n : 1);

		assert_non_null(cut);
		memcpy(cut, whole, n);
		assert_int_equal(ec_parse(cut, n, &p), -EPROTO);
	}
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit += 3) {
			unsigned char *flip = malloc(len);

			assert_non_null(flip);
			memcpy(flip, whole, len);
			flip[i] ^= (unsigned char)(1 << bit);
			if (!ec_parse(flip, len, &p))
				ec_packet_release(&p);
		}
	}
	free(whole);
}

static void test_bad_frames(void **state)
{
	/* one tag claiming 65535 children in 7 bytes */
	static const unsigned char many[] = {
		0x1f, 0x00, 0x01, 0x06, 0x01, 0x02, 0x00, 0x00, 0x00, 0x07,
		0xff, 0xff, 0, 0, 0, 0, 0, 0, 0,
	};
	/* a packet claiming 9 tags in none */
	static const unsigned char tags[] = { 0x1f, 0x00, 0x09 };
	/* a tag longer than the frame */
	static const unsigned char longer[] = {
		0x1f, 0x00, 0x01, 0x00, 0x02, 0x06, 0x00, 0x00, 0x10, 0x00,
		'a', 0,
	};
	const unsigned char *bad[] = { many, tags, longer };
	size_t lens[] = { sizeof(many), sizeof(tags), sizeof(longer) };
	unsigned char *deep, *q;
	struct ec_packet p;
	const int depth = 40;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		unsigned char *copy = malloc(lens[i]);

		assert_non_null(copy);
		memcpy(copy, bad[i], lens[i]);
		assert_int_equal(ec_parse(copy, lens[i], &p), -EPROTO);
	}
	/* tags nested 40 deep, each one child */
	deep = calloc(3 + depth * 9, 1);
	assert_non_null(deep);
	q = deep;
	*q++ = 0x1f;
	*q++ = 0;
	*q++ = 1;
	for (int d = 0; d < depth; d++) {
		uint32_t len = (uint32_t)(depth - d - 1) * 9;

		*q++ = 0x06;
		*q++ = 0x01;
		*q++ = EC_TYPE_CUSTOM;
		*q++ = (unsigned char)(len >> 24);
		*q++ = (unsigned char)(len >> 16);
		*q++ = (unsigned char)(len >> 8);
		*q++ = (unsigned char)len;
		*q++ = 0;
		*q++ = d + 1 < depth;
	}
	assert_int_equal(ec_parse(deep, q - deep, &p), -EPROTO);
}

static void test_values(void **state)
{
	static const unsigned char text[] = { 'a', 'b' };
	static const unsigned char two_nuls[] = { 'a', 0, 'b', 0 };
	static const unsigned char wide[] = { 1, 2, 3 };
	struct ec_tag t = { .type = EC_TYPE_STRING, .len = 2, .data = text };
	uint64_t v;

	(void)state;
	assert_null(ec_string(&t));
	t.data = two_nuls;
	t.len = 4;
	assert_null(ec_string(&t));
	t.len = 2;
	assert_string_equal(ec_string(&t), "a");
	t = (struct ec_tag){ .type = EC_TYPE_UINT32, .len = 3, .data = wide };
	assert_int_equal(ec_int(&t, &v), -EPROTO);
	t.type = EC_TYPE_UINT16;
	t.len = 2;
	assert_int_equal(ec_int(&t, &v), 0);
	assert_int_equal(v, 0x0102);
	assert_int_equal(ec_int(NULL, &v), -EPROTO);
	assert_null(ec_hash(&t));
}

/* What the tracker reads in an object of aMule's listing. */
static int read_obj(const char *text, struct tracker_seen *seen)
{
	json_t *obj = json_loads(text, 0, NULL);
	int ret;

	assert_non_null(obj);
	ret = tracker_read("amule", obj, seen);
	json_decref(obj);
	return ret;
}

#define HASH "\"hash\": \"0123456789abcdef0123456789abcdef\""

static void test_read(void **state)
{
	struct tracker_seen s;

	(void)state;
	assert_int_equal(read_obj("{" HASH ", \"size\": 1000, \"done\": 250,"
				  " \"speed\": 10, \"status\": 0, \"path\":"
				  " \"\"}", &s), 0);
	assert_int_equal(s.state, TRACKER_DOWNLOADING);
	assert_int_equal(s.done, 250);
	assert_int_equal(s.total, 1000);
	assert_true(s.progress > 0.24 && s.progress < 0.26);
	assert_string_equal(s.id, "0123456789abcdef0123456789abcdef");
	assert_int_equal(read_obj("{" HASH ", \"size\": 1000, \"done\": 1000,"
				  " \"status\": 9, \"shared\": true, \"path\":"
				  " \"/in/x.cbz\"}", &s), 0);
	assert_int_equal(s.state, TRACKER_COMPLETED);
	assert_string_equal(s.path, "/in/x.cbz");
	/* complete but still in the queue: not yet at its final path */
	assert_int_equal(read_obj("{" HASH ", \"size\": 1000, \"done\": 1000,"
				  " \"status\": 9}", &s), 0);
	assert_int_equal(s.state, TRACKER_DOWNLOADING);
	assert_int_equal(read_obj("{" HASH ", \"size\": 1000, \"status\": 4}",
				  &s), 0);
	assert_int_equal(s.state, TRACKER_FAILED);
	assert_non_null(strstr(s.reason, "amule:"));
	assert_int_equal(read_obj("{" HASH ", \"size\": 1000, \"status\": 7}",
				  &s), 0);
	assert_int_equal(s.state, TRACKER_QUEUED);
	/* done beyond the size, or no size: unknown */
	assert_int_equal(read_obj("{" HASH ", \"size\": 10, \"done\": 20,"
				  " \"status\": 0}", &s), 0);
	assert_int_equal(s.done, TRACKER_UNKNOWN);
	assert_int_equal(read_obj("{" HASH ", \"status\": 0}", &s), 0);
	assert_int_equal(s.total, TRACKER_UNKNOWN);
	assert_true(s.progress == 0);
	/* not aMule's */
	assert_int_equal(read_obj("{\"hash\": \"abc\", \"status\": 0}", &s),
			 -EINVAL);
	assert_int_equal(read_obj("{" HASH ", \"status\": \"0\"}", &s),
			 -EINVAL);
	assert_int_equal(read_obj("{\"status\": 0}", &s), -EINVAL);
}

/* Where a host leads as a url with its port, for the check of who
 * listens there: a bare host is amuled's 4712, never HTTP's 80. */
static void test_listening_url(void **state)
{
	static const char *const cases[][2] = {
		{ "127.0.0.1:4712", "tcp://127.0.0.1:4712" },
		{ "127.0.0.1", "tcp://127.0.0.1:4712" },
		{ "localhost:9999", "tcp://localhost:9999" },
		{ "[::1]", "tcp://[::1]:4712" },
		{ "[::1]:4000", "tcp://[::1]:4000" },
	};
	static const char *const bad[] = {
		"", "::1", "host:", "host:0", "host:65536", "host:12x",
		"[::1", "[::1]x",
	};
	char *url;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(ec_url(cases[i][0], &url), 0);
		assert_string_equal(url, cases[i][1]);
		free(url);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ec_url(bad[i], &url), -EINVAL);
		assert_null(url);
	}
}

/* An ed2k catalog release is aMule's, or a torrent blackhole's to write
 * down; with a magnet it is a torrent's; a torrent's is not aMule's. */
static void test_who_takes_it(void **state)
{
	struct download_release ed2k = {
		.title = "Saga 01 T10", .source = "catalog",
		.link = "ed2k://|file|x.cbz|1|" "0123456789abcdef"
			"0123456789abcdef|/",
	};
	struct download_release magnet = {
		.title = "Saga 01 T10", .source = "catalog",
		.link = "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef"
			"01234567",
	};
	struct download_client c = { .url = "127.0.0.1:4712",
				     .password = "p" };

	(void)state;
	assert_string_equal(download_protocol(&ed2k), DOWNLOAD_ED2K);
	c.client = "amule";
	assert_true(download_accepts(&c, &ed2k));
	assert_false(download_accepts(&c, &magnet));
	c.client = "qbittorrent";
	assert_false(download_accepts(&c, &ed2k));
	c.client = "sabnzbd";
	c.protocol = "usenet";
	assert_false(download_accepts(&c, &ed2k));
	c.client = "blackhole";
	assert_false(download_accepts(&c, &ed2k));
	c.protocol = "torrent";
	assert_true(download_accepts(&c, &ed2k));
	/* the same release with a magnet: a torrent's */
	ed2k.magnet = magnet.link;
	assert_string_equal(download_protocol(&ed2k), "torrent");
	c.client = "amule";
	assert_false(download_accepts(&c, &ed2k));
	c.client = "qbittorrent";
	assert_true(download_accepts(&c, &ed2k));
}

/* amuled busy or going away: it takes the connection, reads the login
 * and closes it. ec_open() says so as the client's fault (the next
 * release would meet it too), not -EPROTO, the release's. */
static void test_closed_before_the_answer(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	struct strbuf err = STRBUF_INIT;
	struct ec_conn c;
	char host[64], buf[256];
	int l, ret, status;
	pid_t pid;

	(void)state;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(l >= 0);
	assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(l, 1), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&a, &alen), 0);
	snprintf(host, sizeof(host), "127.0.0.1:%u", ntohs(a.sin_port));
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		int fd = accept(l, NULL, NULL);

		_exit(fd < 0 || read(fd, buf, sizeof(buf)) <= 0);
	}
	close(l);
	ret = ec_open(&c, host, "p", 10000, NULL, &err);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && !WEXITSTATUS(status));
	assert_int_equal(ret, -ECONNRESET);
	assert_false(download_release_fault(ret));
	assert_non_null(strstr(err.buf, "closed without an answer"));
	strbuf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_download_queue),
		cmocka_unit_test(test_closed_before_the_answer),
		cmocka_unit_test(test_shared_and_prefs),
		cmocka_unit_test(test_login_answers),
		cmocka_unit_test(test_cuts_and_flips),
		cmocka_unit_test(test_bad_frames),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_who_takes_it),
		cmocka_unit_test(test_listening_url),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
