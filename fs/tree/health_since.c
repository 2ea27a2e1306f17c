/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What is noted of each line of /status/health (health_since.h): since
 * when it holds, in a small table of the lines the readings showed by
 * their words, and where its fix is told. It reads and writes nothing
 * else; what the lines say is render_health.c's.
 */
#include "fs/tree/health_since.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"

/* More problems at once than any health file holds: past it, a new line
 * has no time (shown as none) rather than an unbounded table. */
#define HEALTH_SINCE_MAX 256

static struct {
	pthread_mutex_t lock;
	struct {
		char *key;
		double since;
		int seen;	/* in the reading being taken */
	} lines[HEALTH_SINCE_MAX];
	size_t nr;
} held = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* The line's words: each run of digits as one '#'. */
static void key_of(const char *line, size_t len, struct strbuf *key)
{
	strbuf_reset(key);
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)line[i]))
			strbuf_addch(key, line[i]);
		else if (!i || !isdigit((unsigned char)line[i - 1]))
			strbuf_addch(key, '#');
	}
}

/* The index of key in the table, or held.nr. Under the lock. */
static size_t held_index(const char *key)
{
	size_t i = 0;

	while (i < held.nr && strcmp(held.lines[i].key, key))
		i++;
	return i;
}

/* Hold key since now, unless it is held already; mark it seen. */
static void hold_line(const char *key, double now)
{
	size_t i = held_index(key);

	if (i == held.nr) {
		char *copy = strdup(key);

		if (!copy || held.nr == HEALTH_SINCE_MAX) {
			free(copy);
			return;
		}
		held.lines[held.nr].key = copy;
		held.lines[held.nr].since = now;
		held.nr++;
	}
	held.lines[i].seen = 1;
}

/* Forget the lines the reading did not show. */
static void forget_unseen(void)
{
	size_t kept = 0;

	for (size_t i = 0; i < held.nr; i++) {
		if (held.lines[i].seen)
			held.lines[kept++] = held.lines[i];
		else
			free(held.lines[i].key);
	}
	held.nr = kept;
}

void health_since_note(const char *text, int whole, double now)
{
	struct strbuf key = STRBUF_INIT;

	pthread_mutex_lock(&held.lock);
	for (size_t i = 0; i < held.nr; i++)
		held.lines[i].seen = 0;
	for (const char *l = text, *end; *l; l = end + !!*end) {
		end = strchrnul(l, '\n');
		if (end == l || (end - l == 2 && !strncmp(l, "ok", 2)))
			continue;
		key_of(l, end - l, &key);
		hold_line(key.buf, now);
	}
	if (whole)
		forget_unseen();
	pthread_mutex_unlock(&held.lock);
	strbuf_release(&key);
}

double health_since_of(const char *line, size_t len)
{
	struct strbuf key = STRBUF_INIT;
	double since = 0;
	size_t i;

	key_of(line, len, &key);
	pthread_mutex_lock(&held.lock);
	i = held_index(key.buf);
	if (i < held.nr)
		since = held.lines[i].since;
	pthread_mutex_unlock(&held.lock);
	strbuf_release(&key);
	return since;
}

/* Where the fix of a line is told, by words the line holds; the first
 * that matches tells. */
static const struct {
	const char *has, *see;
} fixes[] = {
	{ "error: store:", "mediamon(8), THE STORE" },
	{ "warn: store:", "mediamon(8), THE STORE" },
	{ " records could not be written", "mediamon(8), THE STORE" },
	{ "music root ", "mediamon(8), ROOTS THAT GO AWAY" },
	{ "manga root ", "mediamon(8), ROOTS THAT GO AWAY" },
	{ "error: reload refused:", "mediamon(8), SIGNALS" },
	{ "error: http:", "mediamon.conf(5), [http]" },
	{ "backup", "mediamon.conf(5), [retention] backup_dir" },
	{ "inotify watch limit", "mediamon.conf(5), [general]" },
	{ "mediamon-analyse", "mediamon(8), FILES" },
	{ "blackhole", "mediamon.conf(5), [download]" },
	{ "qbittorrent:", "mediamon.conf(5), [download]" },
	{ "transmission:", "mediamon.conf(5), [download]" },
	{ "sabnzbd:", "mediamon.conf(5), [usenet]" },
	{ "nzbget:", "mediamon.conf(5), [usenet]" },
	{ "amule:", "mediamon.conf(5), [ed2k]" },
	{ "download save folder", "mediamon.conf(5), [download]" },
	{ "debrid", "mediamon.conf(5), [realdebrid]" },
	{ "prowlarr:", "mediamon.conf(5), [prowlarr]" },
	{ "nautiljon:", "mediamon.conf(5), [nautiljon]" },
	{ "mangadex:", "mediamon.conf(5), [mangadex]" },
	{ "mangaupdates:", "mediamon.conf(5), [mangaupdates]" },
	{ "anilist:", "mediamon.conf(5), [anilist]" },
	{ "catalog", "mediamon.conf(5), [catalog]" },
	{ "monitor:", "mediamon.conf(5), [monitor]" },
	{ " not imported: ", "mediamon.conf(5), [import]" },
};

const char *health_since_see(const char *line, size_t len)
{
	for (size_t i = 0; i < sizeof(fixes) / sizeof(*fixes); i++)
		if (memmem(line, len, fixes[i].has, strlen(fixes[i].has)))
			return fixes[i].see;
	return "mediamon(8), /status/health";
}


void health_since_reset(void)
{
	pthread_mutex_lock(&held.lock);
	for (size_t i = 0; i < held.nr; i++)
		free(held.lines[i].key);
	held.nr = 0;
	pthread_mutex_unlock(&held.lock);
}
