/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Whether a download save folder may be imported from (save_guard.h):
 * the look at it and the unavailable ones for health. The import and
 * the timing of the looks are the tracker's.
 */
#include "indexer/monitor/save_guard.h"

#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/notify.h"
#include "common/path.h"
#include "indexer/library/root_probe.h"

struct down {
	char dir[PATH_MAX];
	const char *why;	/* "": a free slot */
};

static struct {
	pthread_mutex_t lock;
	struct down v[SAVE_GUARD_MAX];
} sg = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Why dir is unavailable, by a look now; NULL when it is not. */
static const char *save_refusal(const char *dir)
{
	struct root_probe p;

	root_probe(dir, &p);
	if (p.err)
		return root_probe_why(p.err);
	return p.has_entries ? NULL : "empty";
}

/* The slot of dir, or NULL; with sg.lock held. */
static struct down *slot_of(const char *dir)
{
	for (size_t i = 0; i < SAVE_GUARD_MAX; i++)
		if (sg.v[i].why && !strcmp(sg.v[i].dir, dir))
			return &sg.v[i];
	return NULL;
}

/* Note dir's state (why NULL: available); returns whether it was
 * unavailable. */
static int set_state(const char *dir, const char *why)
{
	struct down *d;
	int was;

	pthread_mutex_lock(&sg.lock);
	d = slot_of(dir);
	was = d != NULL;
	if (!why && d)
		d->why = NULL;
	for (size_t i = 0; why && !d && i < SAVE_GUARD_MAX; i++)
		if (!sg.v[i].why)
			d = &sg.v[i];
	if (why && d) {
		snprintf(d->dir, sizeof(d->dir), "%s", dir);
		d->why = why;
	}
	pthread_mutex_unlock(&sg.lock);
	return was;
}

static void told_back(const char *dir)
{
	log_info("import: download save folder %s is back: its downloads"
		 " are imported", dir);
}

const char *save_guard_check(const char *dir)
{
	const char *why = save_refusal(dir);
	int was = set_state(dir, why);

	if (why && !was) {
		log_warn("import: download save folder %s is unavailable"
			 " (%s): imports from it wait until it is back", dir,
			 why);
		notify_event(NOTIFY_ROOT_UNAVAILABLE, dir,
			     json_pack("{s:s, s:s, s:s}", "kind", "save",
				       "root", dir, "reason", why),
			     "download save folder %s is unavailable (%s):"
			     " imports from it wait", dir, why);
	} else if (!why && was) {
		told_back(dir);
	}
	return why;
}

void save_guard_look(const char *const *current, size_t nr)
{
	char dir[sizeof(sg.v[0].dir)];

	for (size_t i = 0; i < SAVE_GUARD_MAX; i++) {
		int known = 0;

		pthread_mutex_lock(&sg.lock);
		snprintf(dir, sizeof(dir), "%s", sg.v[i].why ?
			 sg.v[i].dir : "");
		pthread_mutex_unlock(&sg.lock);
		if (!*dir)
			continue;
		for (size_t j = 0; !known && j < nr; j++)
			known = current[j] && *current[j] &&
				path_under(dir, current[j]);
		if (known && save_refusal(dir))
			continue;
		set_state(dir, NULL);
		if (known)
			told_back(dir);
	}
}

void save_guard_health(struct strbuf *warns, int named)
{
	int n = 0;

	pthread_mutex_lock(&sg.lock);
	for (size_t i = 0; i < SAVE_GUARD_MAX; i++) {
		if (!sg.v[i].why)
			continue;
		n++;
		if (named)
			strbuf_addf(warns, "warn: download save folder %s is"
				    " unavailable (%s): imports from it wait\n",
				    sg.v[i].dir, sg.v[i].why);
	}
	pthread_mutex_unlock(&sg.lock);
	if (n && !named)
		strbuf_addf(warns, "warn: %d download save folder%s"
			    " unavailable: imports from %s wait\n", n,
			    n > 1 ? "s are" : " is", n > 1 ? "them" : "it");
}
