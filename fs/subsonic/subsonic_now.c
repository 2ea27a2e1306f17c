/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The songs playing now, as players tell them (subsonic_now.h): a small
 * table in memory under its lock. It counts no play (scrobble's) and
 * shows a song only through subsonic_music_get(), as the caller.
 */
#include "fs/subsonic/subsonic_now.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "common/clock.h"
#include "fs/subsonic/subsonic_music.h"

#define SLOTS 32
#define NAME_MAX_LEN 64

struct playing {
	char account[NAME_MAX_LEN];
	char client[NAME_MAX_LEN];
	char id[NAME_MAX_LEN];
	double at;		/* clock_mono() of the word; 0: free */
	int player;		/* a number for the pair (account, client) */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct playing table[SLOTS];
static int players;

/* The slot of account and client, or the oldest one (lock held). */
static struct playing *playing_slot(const char *account, const char *client)
{
	struct playing *old = &table[0];

	for (int i = 0; i < SLOTS; i++) {
		if (table[i].at && !strcmp(table[i].account, account) &&
		    !strcmp(table[i].client, client))
			return &table[i];
		if (table[i].at < old->at)
			old = &table[i];
	}
	memset(old, 0, sizeof(*old));
	return old;
}

static void copy_name(char *to, const char *from)
{
	size_t n = strnlen(from, NAME_MAX_LEN - 1);

	memcpy(to, from, n);
	to[n] = '\0';
}

void subsonic_now_playing(const char *account, json_t *ids,
			  const char *client)
{
	const char *id = json_string_value(json_array_get(ids,
		json_array_size(ids) - 1));
	struct playing *p;

	if (!id || strlen(id) >= NAME_MAX_LEN)
		return;
	if (!client)
		client = "";
	pthread_mutex_lock(&lock);
	p = playing_slot(account, client);
	if (!p->at) {
		copy_name(p->account, account);
		copy_name(p->client, client);
		p->player = ++players;
	}
	copy_name(p->id, id);
	p->at = clock_mono();
	pthread_mutex_unlock(&lock);
}

/* The entry of p (a copy) as the caller may see it, or NULL. */
static json_t *entry(const struct playing *p, double now)
{
	json_t *o = NULL;

	if (subsonic_music_file(p->id) <= 0 ||
	    subsonic_music_get(p->id, &o))
		return NULL;
	if (json_object_set_new(o, "username", json_string(p->account)) ||
	    json_object_set_new(o, "minutesAgo",
				json_integer((json_int_t)((now - p->at) /
							  60))) ||
	    json_object_set_new(o, "playerId", json_integer(p->player)) ||
	    (p->client[0] && json_object_set_new(o, "playerName",
						 json_string(p->client)))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int subsonic_now_list(json_t *body)
{
	struct playing seen[SLOTS];
	json_t *list = json_array(), *o;
	double now = clock_mono();

	pthread_mutex_lock(&lock);
	memcpy(seen, table, sizeof(seen));
	pthread_mutex_unlock(&lock);
	for (int i = 0; list && i < SLOTS; i++) {
		if (!seen[i].at || now - seen[i].at >
		    SUBSONIC_NOW_MINUTES * 60)
			continue;
		o = entry(&seen[i], now);
		if (o && json_array_append_new(list, o)) {
			json_decref(list);
			list = NULL;
		}
	}
	if (!list || json_object_set_new(body, "nowPlaying",
					 json_pack("{s:o}", "entry", list)))
		return -ENOMEM;
	return 0;
}
