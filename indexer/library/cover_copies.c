/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The shared in-memory copies of embedded pictures (cover_copies.h):
 * their table, their counts and their reading. It does not decide which
 * picture a cover is nor who may open it (covers.c, fs/).
 */
#include "indexer/library/cover_copies.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "indexer/library/tags.h"

struct cover_copy {
	struct cover_copies_key key;
	int fd;			/* the memfd; -1 while it is read */
	int rc;			/* the read's error, once it failed */
	unsigned long holders;	/* descriptors given out and not put */
	unsigned long used;	/* when last put */
	struct cover_copy *next;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t read;	/* a copy was read, or failed */
	struct cover_copy *copies;
	unsigned long tick;
} table = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.read = PTHREAD_COND_INITIALIZER,
};

static int keys_equal(const struct cover_copies_key *a,
		      const struct cover_copies_key *b)
{
	return a->track == b->track && a->mtime_ns == b->mtime_ns &&
		a->pic.offset == b->pic.offset &&
		a->pic.length == b->pic.length &&
		a->pic.unsync == b->pic.unsync;
}

/*
 * Copy the picture into a new in-memory file: the handle then reads it
 * like any library file. The size is checked against the file before
 * anything is allocated, so a false recorded size costs nothing.
 */
static int copy_picture(const struct picture *pic, int fd, const char *path)
{
	struct timespec times[2];
	struct stat st;
	void *map;
	int mfd, rc;

	if (fstat(fd, &st))
		return log_error(-errno, "cover: %s: %s", path,
				 strerror(errno));
	if (!pic->length || pic->offset > (uint64_t)st.st_size ||
	    pic->length > (uint64_t)st.st_size - pic->offset)
		return log_error(-EIO, "cover: the picture in %s runs past the"
				 " end of the file", path);
	mfd = memfd_create("mediamon-cover", MFD_CLOEXEC);
	if (mfd < 0)
		return log_error(-errno, "cover: no memory for a picture: %s",
				 strerror(errno));
	map = MAP_FAILED;
	if (!ftruncate(mfd, pic->length))
		map = mmap(NULL, pic->length, PROT_WRITE, MAP_SHARED, mfd, 0);
	if (map == MAP_FAILED) {
		rc = log_error(-errno, "cover: no memory for a picture: %s",
			       strerror(errno));
		close(mfd);
		return rc;
	}
	rc = pic->unsync == PICTURE_OGG ? tags_read_ogg_picture(fd, pic, map) :
		picture_read(fd, pic, map);
	munmap(map, pic->length);
	if (rc == -EIO)
		log_error(rc, "cover: the picture in %s runs past the end of"
			  " the file", path);
	else if (rc)
		log_error(rc, "cover: reading %s: %s", path, strerror(-rc));
	times[0] = st.st_atim;
	times[1] = st.st_mtim;
	if (!rc && (fchmod(mfd, 0444) || futimens(mfd, times)))
		rc = log_error(-errno, "cover: in-memory file: %s",
			       strerror(errno));
	if (rc) {
		close(mfd);
		return rc;
	}
	return mfd;
}

/* Unlink and free c. Called with the lock held. */
static void drop(struct cover_copy *c)
{
	for (struct cover_copy **p = &table.copies; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

/* Free the idle copies put longest ago until those left fit. Called with
 * the lock held. */
static void trim(void)
{
	for (;;) {
		struct cover_copy *oldest = NULL;
		uint64_t bytes = 0;
		size_t idle = 0;

		for (struct cover_copy *c = table.copies; c; c = c->next) {
			if (c->holders || c->fd < 0)
				continue;
			idle++;
			bytes += c->key.pic.length;
			if (!oldest || c->used < oldest->used)
				oldest = c;
		}
		if (idle <= COVER_COPIES_IDLE &&
		    bytes <= COVER_COPIES_IDLE_BYTES)
			return;
		drop(oldest);
	}
}

/* A descriptor of c for one more holder, or the error of its read. Called
 * with the lock held; c is dropped when it failed and none holds it. */
static int hand_out(struct cover_copy *c)
{
	int fd = c->rc;

	if (c->fd < 0) {
		if (!--c->holders)
			drop(c);
		return fd;
	}
	fd = fcntl(c->fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0) {
		fd = log_error(-errno, "cover: cannot share a picture: %s",
			       strerror(errno));
		c->holders--;
		c->used = ++table.tick;
		trim();
	}
	return fd;
}

int cover_copies_get(const struct cover_copies_key *key, int fd,
		     const char *path, struct cover_copy **out)
{
	struct cover_copy *c;
	int rc;

	pthread_mutex_lock(&table.lock);
	for (c = table.copies; c && !keys_equal(&c->key, key); c = c->next)
		;
	if (c) {
		c->holders++;
		while (c->fd < 0 && !c->rc)
			pthread_cond_wait(&table.read, &table.lock);
		rc = c->rc;
		goto out;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		pthread_mutex_unlock(&table.lock);
		close(fd);
		return log_error(-ENOMEM, "cover: out of memory");
	}
	*c = (struct cover_copy){ .key = *key, .fd = -1, .holders = 1,
				  .next = table.copies };
	table.copies = c;
	pthread_mutex_unlock(&table.lock);
	rc = copy_picture(&key->pic, fd, path);
	pthread_mutex_lock(&table.lock);
	if (rc >= 0)
		c->fd = rc;
	else
		c->rc = rc;
	pthread_cond_broadcast(&table.read);
out:
	rc = hand_out(c);
	pthread_mutex_unlock(&table.lock);
	close(fd);
	*out = rc >= 0 ? c : NULL;
	return rc;
}

uint64_t cover_copies_size(const struct cover_copy *c)
{
	return c->key.pic.length;
}

void cover_copies_put(struct cover_copy *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&table.lock);
	c->holders--;
	c->used = ++table.tick;
	trim();
	pthread_mutex_unlock(&table.lock);
}
