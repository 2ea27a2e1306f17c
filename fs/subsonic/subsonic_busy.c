/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The count of each account's Subsonic answers in progress
 * (subsonic_busy.h): a small table by account name, an entry kept while
 * it has an answer in progress. It answers no request and judges no
 * password.
 */
#include "fs/subsonic/subsonic_busy.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/log.h"

static struct {
	pthread_mutex_t lock;
	struct busy {
		char *account;
		int answers;
		int warned;	/* its cap's line is logged */
	} *v;
	size_t nr, alloc;
	int cap;
} busy = { .lock = PTHREAD_MUTEX_INITIALIZER, .cap = 1 };

void subsonic_busy_set(int per_account)
{
	pthread_mutex_lock(&busy.lock);
	busy.cap = per_account < 1 ? 1 : per_account;
	pthread_mutex_unlock(&busy.lock);
}

static struct busy *busy_find(const char *account)
{
	for (size_t i = 0; i < busy.nr; i++)
		if (!strcmp(busy.v[i].account, account))
			return &busy.v[i];
	return NULL;
}

/* A new entry of account, or NULL without memory. */
static struct busy *busy_add(const char *account)
{
	struct busy *b = array_grow(busy.v, busy.nr, &busy.alloc,
				    sizeof(*b), 8);

	if (!b)
		return NULL;
	busy.v = b;
	b = &busy.v[busy.nr];
	*b = (struct busy){ .account = strdup(account) };
	if (!b->account)
		return NULL;
	busy.nr++;
	return b;
}

int subsonic_busy_begin(const char *account)
{
	struct busy *b;
	int rc = 0;

	pthread_mutex_lock(&busy.lock);
	b = busy_find(account);
	if (!b)
		b = busy_add(account);
	if (!b) {
		rc = log_error(-ENOMEM, "http: out of memory counting the"
			       " answers of %s", account);
	} else if (b->answers >= busy.cap) {
		if (!b->warned)
			log_warn("http: %s has %d answers in progress, its cap"
				 " ([http] max_answers_per_account): its"
				 " other calls are refused (429) until one"
				 " ends", account, b->answers);
		b->warned = 1;
		rc = -EBUSY;
	} else {
		b->answers++;
	}
	pthread_mutex_unlock(&busy.lock);
	return rc;
}

void subsonic_busy_end(const char *account)
{
	struct busy *b;

	pthread_mutex_lock(&busy.lock);
	b = busy_find(account);
	if (b && b->answers && !--b->answers) {
		free(b->account);
		*b = busy.v[--busy.nr];
	}
	pthread_mutex_unlock(&busy.lock);
}
