/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The temporary files of editors, held in memory (scratch.h): makes,
 * finds, fills and forgets them; which may be made, and what a rename
 * does, are fs/mount/edits.c's. It reads nothing of the store.
 */
#include "fs/tree/scratch.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/strbuf.h"

/* A slot holds a temporary file (target NULL) or an alias (its text
 * empty); made counts up, so the oldest alias is the one to reuse. */
static struct slot {
	char *path;
	char *target;
	struct strbuf text;
	int64_t id;
	uint64_t made;
} slots[SCRATCH_FILES + SCRATCH_ALIASES];

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t made;

static int render_scratch(struct strbuf *out, int64_t id);
static int write_scratch(const char *buf, size_t len, int64_t id);

static struct slot *find(const char *path)
{
	for (size_t i = 0; i < ARRAY_SIZE(slots); i++)
		if (slots[i].path && !strcmp(slots[i].path, path))
			return &slots[i];
	return NULL;
}

static struct slot *find_id(int64_t id)
{
	for (size_t i = 0; i < ARRAY_SIZE(slots); i++)
		if (slots[i].path && !slots[i].target && slots[i].id == id)
			return &slots[i];
	return NULL;
}

static void empty(struct slot *s)
{
	free(s->path);
	free(s->target);
	strbuf_release(&s->text);
	*s = (struct slot){ .text = STRBUF_INIT };
}

int scratch_find(const char *path, struct node *out, struct strbuf *target)
{
	struct slot *s;
	int rc = -ENOENT;

	pthread_mutex_lock(&lock);
	s = find(path);
	if (s && s->target) {
		strbuf_reset(target);
		strbuf_addstr(target, s->target);
		rc = 1;
	} else if (s) {
		*out = (struct node){ NODE_CONTROL,
				      .render_series = render_scratch,
				      .write_series = write_scratch,
				      .series = s->id, .owner_only = 1,
				      .temp = 1 };
		rc = 0;
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

int scratch_make(const char *path)
{
	struct slot *s = NULL;
	size_t files = 0;
	int rc = 0;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < ARRAY_SIZE(slots); i++)
		files += slots[i].path && !slots[i].target;
	if (find(path))
		rc = -EEXIST;
	else if (files >= SCRATCH_FILES)
		rc = -ENOSPC;
	for (size_t i = 0; !rc && i < ARRAY_SIZE(slots); i++)
		if (!slots[i].path || (slots[i].target &&
		    (!s || (s->path && s->made > slots[i].made))))
			s = &slots[i];
	if (!rc) {
		empty(s);
		s->path = strdup(path);
		s->id = (int64_t)++made;
		s->made = made;
		if (!s->path)
			rc = -ENOMEM;
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

int scratch_drop(const char *path)
{
	struct slot *s;

	pthread_mutex_lock(&lock);
	s = find(path);
	if (s)
		empty(s);
	pthread_mutex_unlock(&lock);
	return s ? 0 : -ENOENT;
}

int scratch_text(const char *path, struct strbuf *text)
{
	struct slot *s;

	pthread_mutex_lock(&lock);
	s = find(path);
	if (s && !s->target) {
		strbuf_reset(text);
		strbuf_add(text, s->text.buf, s->text.len);
	}
	pthread_mutex_unlock(&lock);
	return s && !s->target ? 0 : -ENOENT;
}

void scratch_alias(const char *path, const char *target)
{
	struct slot *s;

	pthread_mutex_lock(&lock);
	s = find(path);
	if (s) {
		strbuf_release(&s->text);
		s->made = ++made;
		s->target = strdup(target);
		if (!s->target)
			empty(s);
	}
	pthread_mutex_unlock(&lock);
}

void scratch_clear(void)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < ARRAY_SIZE(slots); i++)
		empty(&slots[i]);
	pthread_mutex_unlock(&lock);
}

static int render_scratch(struct strbuf *out, int64_t id)
{
	struct slot *s;

	pthread_mutex_lock(&lock);
	s = find_id(id);
	if (s)
		strbuf_add(out, s->text.buf, s->text.len);
	pthread_mutex_unlock(&lock);
	return s ? 0 : -ENOENT;
}

static int write_scratch(const char *buf, size_t len, int64_t id)
{
	struct slot *s;
	int rc = -ENOENT;

	pthread_mutex_lock(&lock);
	s = find_id(id);
	if (s && s->text.len + len > SCRATCH_BYTES)
		rc = -EFBIG;
	else if (s) {
		strbuf_add(&s->text, buf, len);
		rc = 0;
	}
	pthread_mutex_unlock(&lock);
	return rc;
}
