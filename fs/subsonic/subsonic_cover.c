/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * getCoverArt's scaled covers (subsonic_cover.h): the size asked, the
 * cover opened as the caller, and the scaling child's turn, start and
 * answer, kept by subsonic_kept.h. It decodes no picture itself: a
 * child does (analyser/scale.h).
 */
#include "fs/subsonic/subsonic_cover.h"
#include "fs/subsonic/subsonic_kept.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/config.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "fs/tree/caller.h"
#include "fs/tree/http_stats.h"
#include "fs/tree/nodes.h"
#include "fs/tree/open_caps.h"
#include "fs/tree/views_real.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

/* The scaling children's turns, and their user. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t turn;
	int children;
	struct config_user user;
} turns = { .lock = PTHREAD_MUTEX_INITIALIZER,
	    .turn = PTHREAD_COND_INITIALIZER };

void subsonic_cover_load(const struct config *cfg)
{
	pthread_mutex_lock(&turns.lock);
	turns.user.name = cfg->analysis_user.name ? (char *)"" : NULL;
	turns.user.uid = cfg->analysis_user.uid;
	turns.user.gid = cfg->analysis_user.gid;
	pthread_mutex_unlock(&turns.lock);
}

int subsonic_cover_size(const char *arg)
{
	char *end;
	long n;

	if (!arg)
		return 0;
	errno = 0;
	n = strtol(arg, &end, 10);
	if (errno || end == arg || *end || n < 0)
		return -EINVAL;
	if (!n)
		return 0;
	if (n < SUBSONIC_COVER_MIN)
		return SUBSONIC_COVER_MIN;
	return n > SUBSONIC_COVER_MAX ? SUBSONIC_COVER_MAX : (int)n;
}

/* Open the cover at path as the caller, as the listener opens a file:
 * its descriptor and *copy (an embedded picture's, to put back), its
 * key in *key; or a negative errno value. */
static int open_cover(const char *path, int size,
		      struct subsonic_kept_key *key,
		      struct cover_copy **copy)
{
	struct node n;
	struct stat st;
	int fd, rc;

	rc = nodes_resolve(path, &n);
	if (!rc && n.owner_only && !caller_is_owner())
		rc = -EACCES;
	if (!rc && n.type != NODE_REAL)
		rc = -EMEDIUMTYPE;
	if (!rc)
		rc = open_caps_take(caller_uid(), caller_is_owner(), 1);
	if (rc)
		return rc;
	fd = views_real_open(n.file, copy);
	open_caps_put(caller_uid(), 1);
	if (fd >= 0 && fstat(fd, &st)) {
		rc = -errno;
		close(fd);
		cover_copies_put(*copy);
		return rc;
	}
	if (fd >= 0)
		*key = (struct subsonic_kept_key){
			n.file, st.st_dev, *copy ? 0 : st.st_ino, st.st_size,
			st.st_mtim, size };
	return fd;
}

/* The deadline SUBSONIC_COVER_WAIT_S from now. */
static struct timespec deadline(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += SUBSONIC_COVER_WAIT_S;
	return t;
}

static int ms_left(const struct timespec *t)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (t->tv_sec - now.tv_sec) * 1000LL +
	     (t->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : (int)ms;
}

/* Wait for a child's turn until end: 0, or -ETIMEDOUT. */
static int take_turn(const struct timespec *end)
{
	struct timespec real;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &real);
	real.tv_sec += ms_left(end) / 1000 + 1;
	pthread_mutex_lock(&turns.lock);
	while (!rc && turns.children >= SUBSONIC_COVER_CHILDREN)
		rc = pthread_cond_timedwait(&turns.turn, &turns.lock, &real);
	if (!rc)
		turns.children++;
	pthread_mutex_unlock(&turns.lock);
	return rc ? -ETIMEDOUT : 0;
}

static void end_turn(void)
{
	pthread_mutex_lock(&turns.lock);
	turns.children--;
	pthread_cond_signal(&turns.turn);
	pthread_mutex_unlock(&turns.lock);
}

/* Read the child's answer on out to its end, until end: 0, -ETIMEDOUT,
 * -EFBIG past what a cover of SUBSONIC_COVER_MAX may be, or -errno. */
static int read_scaled(int out, const struct timespec *end,
		       struct strbuf *img)
{
	struct pollfd p = { .fd = out, .events = POLLIN };
	char buf[65536];
	ssize_t n;

	for (;;) {
		n = read(out, buf, sizeof(buf));
		if (n > 0) {
			strbuf_add(img, buf, n);
			if (img->len > SUBSONIC_COVER_CACHE * 2)
				return -EFBIG;
			continue;
		}
		if (!n)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		if (!ms_left(end))
			return -ETIMEDOUT;
		if (poll(&p, 1, ms_left(end)) < 0 && errno != EINTR)
			return -errno;
	}
}

/* Scale the cover open on fd to size in a child, into img: 0 or a
 * negative errno value (logged). */
static int scale_in_child(int fd, int size, struct strbuf *img)
{
	struct timespec end = deadline();
	struct config_user user;
	char what[48];
	int out, rc, status;
	pid_t pid, got;

	rc = take_turn(&end);
	if (rc)
		return log_error(rc, "http: no turn to scale a cover in %d s",
				 SUBSONIC_COVER_WAIT_S);
	pthread_mutex_lock(&turns.lock);
	user = turns.user;
	pthread_mutex_unlock(&turns.lock);
	snprintf(what, sizeof(what), "--scale=%d:%d", size,
		 SUBSONIC_COVER_PIXELS);
	out = transcode_child_start_as(fd, what, &user, &pid);
	if (out < 0) {
		end_turn();
		return out;
	}
	rc = read_scaled(out, &end, img);
	close(out);
	if (rc) {
		transcode_child_end(pid);
	} else {
		while ((got = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
			;
		rc = got == pid && WIFEXITED(status) && !WEXITSTATUS(status) ?
		     0 : -EMEDIUMTYPE;
	}
	end_turn();
	if (!rc && !img->len)
		rc = -EMEDIUMTYPE;
	if (rc && rc != -EMEDIUMTYPE)
		log_error(rc, "http: a cover not scaled: %s", strerror(-rc));
	return rc;
}

/* The type of the picture img by its first bytes. */
static const char *picture_type(const struct strbuf *img)
{
	if (img->len >= 8 && !memcmp(img->buf, "\x89PNG", 4))
		return "image/png";
	if (img->len >= 6 && !memcmp(img->buf, "GIF8", 4))
		return "image/gif";
	if (img->len >= 12 && !memcmp(img->buf + 8, "WEBP", 4))
		return "image/webp";
	if (img->len >= 2 && !memcmp(img->buf, "BM", 2))
		return "image/bmp";
	return "image/jpeg";
}

int subsonic_cover_make(const char *path, int size,
			struct MHD_Response **out)
{
	struct strbuf img = STRBUF_INIT;
	struct cover_copy *copy = NULL;
	struct subsonic_kept_key key;
	int fd, rc = 0;

	*out = NULL;
	fd = open_cover(path, size, &key, &copy);
	if (fd < 0)
		return fd;
	if (subsonic_kept_recall(&key, &img)) {
		http_stats_cover(1);
	} else {
		rc = scale_in_child(fd, size, &img);
		if (!rc) {
			http_stats_cover(0);
			subsonic_kept_keep(&key, img.buf, img.len,
					   SUBSONIC_COVER_CACHE);
		}
	}
	close(fd);
	cover_copies_put(copy);
	if (!rc)
		*out = MHD_create_response_from_buffer(img.len, img.buf,
						       MHD_RESPMEM_MUST_COPY);
	if (!rc && !*out)
		rc = -ENOMEM;
	if (!rc)
		MHD_add_response_header(*out, "Content-Type",
					picture_type(&img));
	strbuf_release(&img);
	return rc;
}
