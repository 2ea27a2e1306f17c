/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * stream's transcoding (subsonic_transcode.h): the request's parameters
 * and the keys read into a plan, the file opened as the caller, the
 * child started and its pipe read into the answer. It encodes nothing
 * (the child does) and answers no error itself (subsonic.c does).
 */
#include "fs/subsonic/subsonic_transcode.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "common/config.h"
#include "common/log.h"
#include "fs/subsonic/subsonic_auth.h"
#include "fs/subsonic/subsonic_music.h"
#include "fs/tree/caller.h"
#include "fs/tree/nodes.h"
#include "fs/tree/open_caps.h"
#include "fs/tree/views_real.h"
#include "indexer/indexer.h"

#define MAX_KBPS 320
#define MIN_KBPS 32
#define MAX_CLIENTS 32
#define BLOCK (32 << 10)
/* A child silent this long is stuck: its answer ends in error. */
#define STALL_S 60

/* The keys as read, under the lock; running counts the children. */
static struct {
	pthread_mutex_t lock;
	char formats[4][8];
	int nr_formats;
	struct {
		char name[64];
		unsigned kbps;
	} clients[MAX_CLIENTS];
	int nr_clients;
	int max, running;
	struct config_user user;	/* name: only whether one is set */
} keys = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* The formats' types, and the rate each takes without a maxBitRate. */
static const struct {
	const char *name, *type;
	unsigned kbps;
} types[] = {
	{ "mp3", "audio/mpeg", 192 },
	{ "opus", "audio/ogg", 128 },
	{ "aac", "audio/aac", 192 },
};

/* MP3's bit rates (MPEG-1 layer III): a rate asked is rounded down. */
static const unsigned mp3_rates[] = {
	32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
};

/* The item NAME=KBPS into client i: 0 or -EINVAL. */
static int client_item(const char *item, int i)
{
	const char *eq = strrchr(item, '=');
	char *end;
	unsigned long kbps;

	if (!eq || eq == item || (size_t)(eq - item) >=
	    sizeof(keys.clients[0].name))
		return -EINVAL;
	errno = 0;
	kbps = strtoul(eq + 1, &end, 10);
	if (errno || end == eq + 1 || *end ||
	    (kbps && (kbps < MIN_KBPS || kbps > MAX_KBPS)))
		return -EINVAL;
	memcpy(keys.clients[i].name, item, eq - item);
	keys.clients[i].name[eq - item] = '\0';
	keys.clients[i].kbps = (unsigned)kbps;
	return 0;
}

int subsonic_transcode_load(const struct config *cfg)
{
	const struct config_list *f = &cfg->http_transcode_formats;
	const struct config_list *b = &cfg->http_transcode_bitrates;
	int rc = 0;

	pthread_mutex_lock(&keys.lock);
	keys.nr_formats = 0;
	for (size_t i = 0; i < f->nr && keys.nr_formats < 4; i++)
		snprintf(keys.formats[keys.nr_formats++],
			 sizeof(keys.formats[0]), "%s", f->items[i]);
	keys.nr_clients = 0;
	for (size_t i = 0; i < b->nr && keys.nr_clients < MAX_CLIENTS; i++)
		if (client_item(b->items[i], keys.nr_clients))
			rc = log_error(-EINVAL, "http: transcode_bitrates: "
				       "%s is no CLIENT=KBPS (KBPS 0 or %d to"
				       " %d): left out", b->items[i],
				       MIN_KBPS, MAX_KBPS);
		else
			keys.nr_clients++;
	keys.max = cfg->http_max_transcodes;
	keys.user.name = cfg->analysis_user.name ? (char *)"" : NULL;
	keys.user.uid = cfg->analysis_user.uid;
	keys.user.gid = cfg->analysis_user.gid;
	pthread_mutex_unlock(&keys.lock);
	return rc;
}

int subsonic_transcode_offsets(void)
{
	int on;

	pthread_mutex_lock(&keys.lock);
	on = keys.max > 0;
	pthread_mutex_unlock(&keys.lock);
	return on;
}

/* The request's value of name as a whole number of at most max into
 * *out (none: left alone): 0, or -EINVAL with why. */
static int asked_number(struct MHD_Connection *c, const char *name,
		  unsigned max, unsigned *out, char *why, size_t why_len)
{
	const char *s = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
						    name);
	unsigned long v;
	char *end;

	if (!s)
		return 0;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v > max) {
		snprintf(why, why_len, "%s must be a whole number from 0 to "
			 "%u, not \"%.32s\"", name, max, s);
		return -EINVAL;
	}
	*out = (unsigned)v;
	return 0;
}

/* The format asked, checked against the keys' (under the lock) into
 * t->format: 0, 1 for raw, or -EINVAL with why. */
static int pick_format(const char *format, struct subsonic_transcode *t,
		       char *why, size_t why_len)
{
	int n;

	if (!format || !*format)
		return 0;
	if (!strcmp(format, "raw"))
		return 1;
	for (int i = 0; i < keys.nr_formats; i++)
		if (!strcmp(keys.formats[i], format)) {
			snprintf(t->format, sizeof(t->format), "%s", format);
			return 0;
		}
	n = snprintf(why, why_len, "format \"%.16s\" is not served; ask "
		     "raw", format);
	for (int i = 0; i < keys.nr_formats && n > 0 && (size_t)n < why_len;
	     i++)
		n += snprintf(why + n, why_len - n, ", %s", keys.formats[i]);
	return -EINVAL;
}

/* The client c's default bit rate ([http] transcode_bitrates), 0 for
 * none, under the lock. */
static unsigned client_kbps(const char *client)
{
	for (int i = 0; client && i < keys.nr_clients; i++)
		if (!strcmp(keys.clients[i].name, client))
			return keys.clients[i].kbps;
	return 0;
}

/* The rate the child is given for t's format: the one asked, MP3's
 * rounded down to one of its own, or the format's own. */
static unsigned rate_for(const char *format, unsigned kbps)
{
	unsigned best = mp3_rates[0];

	for (size_t i = 0; !kbps && i < sizeof(types) / sizeof(*types); i++)
		if (!strcmp(types[i].name, format))
			kbps = types[i].kbps;
	if (kbps > MAX_KBPS)
		kbps = MAX_KBPS;
	if (strcmp(format, "mp3"))
		return kbps;
	for (size_t i = 0; i < sizeof(mp3_rates) / sizeof(*mp3_rates); i++)
		if (mp3_rates[i] <= kbps)
			best = mp3_rates[i];
	return best;
}

/* Whether the song (its suffix, its bitRate) is as t asks, or no more:
 * the file itself will do. */
static int file_will_do(json_t *song, const struct subsonic_transcode *t,
			const char *format)
{
	const char *suffix = json_string_value(json_object_get(song,
							       "suffix"));
	json_int_t rate = json_integer_value(json_object_get(song,
							     "bitRate"));

	if (t->offset_s)
		return 0;
	if (format && (!suffix || strcasecmp(suffix, format)))
		return 0;
	return !t->kbps || (rate > 0 && rate <= t->kbps);
}

/* The parameters into *t under the lock: 0 the file, 1 transcoding,
 * -EINVAL with why. */
static int read_asked(struct MHD_Connection *c, json_t *song,
		      struct subsonic_transcode *t, char *why, size_t why_len)
{
	const char *format = MHD_lookup_connection_value(
		c, MHD_GET_ARGUMENT_KIND, "format");
	const char *client = MHD_lookup_connection_value(
		c, MHD_GET_ARGUMENT_KIND, "c");
	int rc = pick_format(format, t, why, why_len);

	if (!rc)
		rc = asked_number(c, "maxBitRate", 100000, &t->kbps, why, why_len);
	if (!rc && t->kbps && t->kbps < MIN_KBPS) {
		snprintf(why, why_len, "maxBitRate %u is below %d kbit/s",
			 t->kbps, MIN_KBPS);
		rc = -EINVAL;
	}
	if (!rc)
		rc = asked_number(c, "timeOffset", 86400 * 7, &t->offset_s, why,
			    why_len);
	if (rc || !keys.max)
		return rc < 0 ? rc : 0;
	if (!t->kbps)
		t->kbps = client_kbps(client);
	if (file_will_do(song, t, t->format[0] ? t->format : NULL))
		return 0;
	if (!t->format[0])
		snprintf(t->format, sizeof(t->format), "%s",
			 keys.nr_formats ? keys.formats[0] : "mp3");
	t->kbps = rate_for(t->format, t->kbps);
	return 1;
}

int subsonic_transcode_plan(struct MHD_Connection *c, const char *id,
			    struct subsonic_transcode *t, char *why,
			    size_t why_len)
{
	const char *est = MHD_lookup_connection_value(
		c, MHD_GET_ARGUMENT_KIND, "estimateContentLength");
	json_t *song = NULL;
	json_int_t duration;
	int rc;

	memset(t, 0, sizeof(*t));
	if (!id)
		return SUBSONIC_MISSING;
	rc = subsonic_music_get(id, &song);
	if (!rc && !json_is_string(json_object_get(song, "suffix")))
		rc = SUBSONIC_NOT_FOUND;	/* an album's or artist's */
	if (rc) {
		json_decref(song);
		return rc;
	}
	pthread_mutex_lock(&keys.lock);
	rc = read_asked(c, song, t, why, why_len);
	pthread_mutex_unlock(&keys.lock);
	duration = json_integer_value(json_object_get(song, "duration"));
	json_decref(song);
	if (rc == 1 && est && !strcmp(est, "true") && duration > t->offset_s)
		t->length = (unsigned long long)(duration - t->offset_s) *
			    t->kbps * 1000 / 8;
	return rc;
}

/* One answer streaming a child's pipe. */
struct stream {
	int sock;		/* the client's socket, watched, never used */
	pid_t pid;
	int fd;
	int ended;		/* the pipe's end was read */
	unsigned long long length;
};

/* Whether the child ended well, reaped. */
static int child_ok(struct stream *s)
{
	int status = 0;
	pid_t got;

	do
		got = waitpid(s->pid, &status, 0);
	while (got < 0 && errno == EINTR);
	s->pid = 0;
	if (got > 0 && WIFEXITED(status) && !WEXITSTATUS(status))
		return 1;
	log_error(-ECHILD, "http: the transcoder failed (%s %d)",
		  got < 0 ? strerror(errno) : WIFSIGNALED(status) ?
		  "signal" : "status", got < 0 ? 0 : WIFSIGNALED(status) ?
		  WTERMSIG(status) : WEXITSTATUS(status));
	return 0;
}

/*
 * Wait, on the connection's own thread (the listener gives each one),
 * until the pipe fd has bytes or ends: 0; or a negative errno value when
 * the child stayed silent STALL_S seconds, or the client's socket sock
 * went away (the client left, or the listener stops and shut it down:
 * it waits for this thread).
 */
static int wait_pipe(int fd, int sock)
{
	struct pollfd p[2] = {
		{ .fd = fd, .events = POLLIN },
		{ .fd = sock, .events = POLLRDHUP },
	};
	int n;

	do
		n = poll(p, sock < 0 ? 1 : 2, STALL_S * 1000);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return log_error(-errno, "http: cannot wait on a transcoder: "
				 "%s", strerror(errno));
	if (!n)
		return log_error(-ETIMEDOUT, "http: a transcoder said nothing "
				 "for %d s", STALL_S);
	if (p[1].revents)
		return -ECONNRESET;
	return 0;
}

/* The body: the pipe's bytes as they come, waited for while there is
 * none; with a length, cut to it or padded with zeros (decoders skip
 * them) past the child's end. */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = cls;
	ssize_t n;

	if (s->length && max > s->length - pos)
		max = s->length - pos;
	if (s->ended) {
		memset(buf, 0, max);
		return (ssize_t)max;
	}
	for (;;) {
		n = read(s->fd, buf, max);
		if (n >= 0 || (errno != EINTR && errno != EAGAIN))
			break;
		if (errno == EAGAIN && wait_pipe(s->fd, s->sock))
			return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	if (n > 0)
		return n;
	if (n < 0 || !child_ok(s))
		return MHD_CONTENT_READER_END_WITH_ERROR;
	s->ended = 1;
	if (!s->length)
		return MHD_CONTENT_READER_END_OF_STREAM;
	memset(buf, 0, max);
	return (ssize_t)max;
}

/* The answer is done, sent or not: the child ends with it. */
static void stream_free(void *cls)
{
	struct stream *s = cls;

	close(s->fd);
	transcode_child_end(s->pid);
	pthread_mutex_lock(&keys.lock);
	keys.running--;
	pthread_mutex_unlock(&keys.lock);
	free(s);
}

/* The library file at path opened as the caller, as the listener opens
 * one: its descriptor, or a negative errno value. */
static int open_as_caller(const char *path)
{
	struct cover_copy *copy = NULL;
	struct node n;
	int rc, fd;

	rc = nodes_resolve(path, &n);
	if (!rc && n.owner_only && !caller_is_owner())
		rc = -EACCES;
	if (!rc && (n.type != NODE_REAL || n.file <= 0))
		rc = -EINVAL;
	if (rc)
		return rc;
	rc = open_caps_take(caller_uid(), caller_is_owner(), 1);
	if (rc)
		return rc;
	fd = views_real_open(n.file, &copy);
	open_caps_put(caller_uid(), 1);
	return fd;
}

/* Start the child on path's file into s: 0 or a negative errno. */
static int start_child(const char *path, const struct subsonic_transcode *t,
		       struct stream *s)
{
	struct config_user user;
	int fd = open_as_caller(path);

	if (fd < 0)
		return fd;
	pthread_mutex_lock(&keys.lock);
	user = keys.user;
	pthread_mutex_unlock(&keys.lock);
	s->fd = transcode_child_start(fd, t->format, t->kbps, t->offset_s,
				      &user, &s->pid);
	close(fd);
	return s->fd < 0 ? s->fd : 0;
}

int subsonic_transcode_open(struct MHD_Connection *c, const char *path,
			    const struct subsonic_transcode *t,
			    struct MHD_Response **out)
{
	struct stream *s;
	int rc = 0;

	pthread_mutex_lock(&keys.lock);
	if (keys.running >= keys.max)
		rc = -EBUSY;
	else
		keys.running++;
	pthread_mutex_unlock(&keys.lock);
	if (rc)
		return rc;
	s = calloc(1, sizeof(*s));
	rc = s ? start_child(path, t, s) : -ENOMEM;
	if (!rc) {
		const union MHD_ConnectionInfo *info = MHD_get_connection_info(
			c, MHD_CONNECTION_INFO_CONNECTION_FD);

		s->sock = info ? info->connect_fd : -1;
		s->length = t->length;
		*out = MHD_create_response_from_callback(
			t->length ? t->length : MHD_SIZE_UNKNOWN, BLOCK,
			stream_read, s, stream_free);
		if (*out) {
			for (size_t i = 0; i < sizeof(types) / sizeof(*types);
			     i++)
				if (!strcmp(types[i].name, t->format))
					MHD_add_response_header(
						*out, "Content-Type",
						types[i].type);
			MHD_add_response_header(*out, "Cache-Control",
						"no-cache");
			return 0;
		}
		close(s->fd);
		transcode_child_end(s->pid);
		rc = -ENOMEM;
	}
	free(s);
	pthread_mutex_lock(&keys.lock);
	keys.running--;
	pthread_mutex_unlock(&keys.lock);
	return rc;
}
