/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_TEST_FAKE_H
#define MEDIAMON_TEST_FAKE_H

/*
 * Local fake servers for the unit tests of remote-service clients: a
 * Python script from tests/fakes/, serving on 127.0.0.1, which prints its
 * port as its first line and stops when its stdin closes.
 *
 *	static struct fake fake;
 *
 *	fake_start("prowlarr_fake.py", &fake);	(group setup)
 *	... http://127.0.0.1:fake.port/ ...
 *	req = fake_last_request(&fake);		(what the fake saw)
 *	fake_stop(&fake);			(group teardown)
 */

#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

struct fake {
	pid_t pid;
	int stdin_fd;
	int port;
};

/*
 * Start tests/fakes/script and read its port. Proxy settings are cleared
 * from the environment, since the fake is local; libcurl is set up, and
 * log lines go to the ring only, from the debug level, for tests to look
 * at. Returns 0 or -1.
 */
int fake_start(const char *script, struct fake *f);

/* The same with one argument given to the script (NULL: none): a fake's
 * file of what it serves. */
int fake_start_with(const char *script, const char *arg, struct fake *f);

/* Close the fake's stdin (which ends it), signal it if stuck, reap it;
 * release libcurl. */
void fake_stop(struct fake *f);

/*
 * Send method (NULL: GET) path, with body (NULL: none), to the fake f,
 * for its test controls (/_requests, /_reset ...). Returns its JSON
 * answer, which the caller decrefs, or NULL unless it answered 200 with
 * JSON.
 */
json_t *fake_json(const struct fake *f, const char *method, const char *path,
		  const char *body);

/*
 * How many entries the list a fake's test control at path answers
 * (/_requests, /_adds ...) holds, or -1 on failure.
 */
long fake_count(const struct fake *f, const char *path);

/*
 * Entry i of that list (-1: the last), which the caller decrefs, or
 * NULL when there is none.
 */
json_t *fake_entry(const struct fake *f, const char *path, long i);

/* How many requests the fake's /_requests lists, or -1 on failure. */
long fake_nr_requests(const struct fake *f);

/*
 * The last request the fake's /_requests lists, which the caller
 * decrefs, or NULL when there is none.
 */
json_t *fake_last_request(const struct fake *f);

/* Whether the log ring, where fake_start() sends log lines, holds s. */
int fake_logged(const char *s);

/*
 * The path of rel inside the recorded real answers and cases: the folder
 * MEDIAMON_REALWORLD names, else ../shared/realworld beside the project
 * (CI has it; a user's clone has not). Returns 0, or -1 when the folder
 * is not there, for the test to skip.
 */
int fake_realworld(const char *rel, char *out, size_t len);

/*
 * The recorded answers' expect.json (a document the caller decrefs, its
 * "cases" the array of cases), the answers' folder written to dir; NULL
 * when the recorded answers are not there, for the test to skip.
 */
json_t *fake_realworld_expect(char *dir, size_t len);

struct strbuf;

/*
 * Set out to the fake Prowlarr f's proxy link, with the API key key, for
 * an indexer's link, as Prowlarr's search gives it
 * (http://HOST/{indexer}/download?apikey=...&link=...&file=...).
 */
void fake_prowlarr_link(const struct fake *f, int indexer, const char *key,
			const char *link, struct strbuf *out);

#endif
