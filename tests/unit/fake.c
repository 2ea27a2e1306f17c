/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "fake.h"

#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/base64.h"
#include "common/clock.h"
#include "common/http.h"
#include "common/log.h"
#include "common/strbuf.h"

/* How long a fake may take to print its port: a second or so, loaded. */
#define FAKE_START_S 30

/* Read the fake's first line into line (of size max) from fd, until the
 * deadline: a fake that never speaks fails its test's setup instead of
 * hanging it. */
static void read_port_line(int fd, char *line, size_t max)
{
	double deadline = clock_mono() + FAKE_START_S;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t len = 0;
	ssize_t n;

	while (len < max - 1 && !memchr(line, '\n', len)) {
		int ms = (deadline - clock_mono()) * 1000;

		if (ms <= 0 || poll(&p, 1, ms) <= 0)
			break;
		n = read(fd, line + len, max - 1 - len);
		if (n <= 0)
			break;
		len += n;
	}
	line[len] = '\0';
}

/* The fakes live beside this file's folder: tests/fakes/. */
int fake_start(const char *script, struct fake *f)
{
	return fake_start_with(script, NULL, f);
}

int fake_start_with(const char *script, const char *arg, struct fake *f)
{
	static const char *const proxies[] = {
		"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
		"all_proxy", "ALL_PROXY",
	};
	char path[512], here[] = __FILE__, line[32];
	int in[2], out[2];

	snprintf(path, sizeof(path), "%s/../fakes/%s", dirname(here), script);
	if (pipe(in) || pipe(out))
		return -1;
	f->pid = fork();
	if (f->pid < 0)
		return -1;
	if (!f->pid) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl("/usr/bin/python3", "python3", path, arg, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	f->stdin_fd = in[1];
	read_port_line(out[0], line, sizeof(line));
	close(out[0]);
	f->port = atoi(line);
	for (size_t i = 0; i < sizeof(proxies) / sizeof(*proxies); i++)
		unsetenv(proxies[i]);
	log_set_stderr(0);
	log_set_level(LOG_DEBUG);
	return f->port > 0 && !http_init() ? 0 : -1;
}

void fake_stop(struct fake *f)
{
	http_cleanup();
	close(f->stdin_fd);
	kill(f->pid, SIGTERM);
	waitpid(f->pid, NULL, 0);
}

json_t *fake_json(const struct fake *f, const char *method, const char *path,
		  const char *body)
{
	char url[512];
	struct http_request req = {
		.method = method,
		.url = url,
		.body = body,
		.body_len = body ? strlen(body) : 0,
	};
	struct http_response resp;
	json_t *doc = NULL;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", f->port, path);
	if (http_perform(&req, &resp) < 0)
		return NULL;
	if (resp.status == 200)
		doc = json_loadb(resp.body.buf, resp.body.len, 0, NULL);
	http_response_release(&resp);
	return doc;
}

long fake_count(const struct fake *f, const char *path)
{
	json_t *all = fake_json(f, NULL, path, NULL);
	long n = json_is_array(all) ? (long)json_array_size(all) : -1;

	json_decref(all);
	return n;
}

json_t *fake_entry(const struct fake *f, const char *path, long i)
{
	json_t *all = fake_json(f, NULL, path, NULL);
	long n = json_array_size(all);
	json_t *e = NULL;

	if (i < 0)
		i += n;
	if (i >= 0 && i < n)
		e = json_incref(json_array_get(all, i));
	json_decref(all);
	return e;
}

long fake_nr_requests(const struct fake *f)
{
	return fake_count(f, "/_requests");
}

json_t *fake_last_request(const struct fake *f)
{
	return fake_entry(f, "/_requests", -1);
}

int fake_logged(const char *s)
{
	struct strbuf ring = STRBUF_INIT;
	int found;

	log_ring_dump(&ring);
	found = strstr(ring.buf, s) != NULL;
	strbuf_release(&ring);
	return found;
}

int fake_realworld(const char *rel, char *out, size_t len)
{
	const char *env = getenv("MEDIAMON_REALWORLD");
	char here[] = __FILE__, dir[512];
	struct stat st;

	if (env && *env)
		snprintf(dir, sizeof(dir), "%s", env);
	else
		snprintf(dir, sizeof(dir), "%s/../../../shared/realworld",
			 dirname(here));
	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		return -1;
	snprintf(out, len, "%s/%s", dir, rel);
	return 0;
}

json_t *fake_realworld_expect(char *dir, size_t len)
{
	char path[600];
	json_t *doc;

	if (fake_realworld("answers", dir, len))
		return NULL;
	snprintf(path, sizeof(path), "%s/expect.json", dir);
	doc = json_load_file(path, 0, NULL);
	return json_is_array(json_object_get(doc, "cases")) ? doc : NULL;
}

/* The fake encodes the link as Prowlarr's proxy does once it encrypted
 * it: base64url, without padding. */
void fake_prowlarr_link(const struct fake *f, int indexer, const char *key,
			const char *link, struct strbuf *out)
{
	struct strbuf b64 = STRBUF_INIT;

	base64_encode(link, strlen(link), &b64);
	for (size_t i = 0; i < b64.len; i++)
		if (b64.buf[i] == '+')
			b64.buf[i] = '-';
		else if (b64.buf[i] == '/')
			b64.buf[i] = '_';
	while (b64.len && b64.buf[b64.len - 1] == '=')
		b64.buf[--b64.len] = '\0';
	strbuf_reset(out);
	strbuf_addf(out, "http://127.0.0.1:%d/%d/download?apikey=%s&link=%s"
		    "&file=release", f->port, indexer, key, b64.buf);
	strbuf_release(&b64);
}
