/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The monitor's notifications of volumes (digest.h): told one by one, or
 * held until the check ends and told as a digest. It hands events to
 * common/notify.h and delivers nothing itself.
 */
#include "indexer/monitor/digest.h"

#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/bytes.h"
#include "common/cleanup.h"
#include "common/notify.h"
#include "common/strbuf.h"
#include "common/text.h"

/* The notifier tells each volume's news once, however many checks find
 * it again (indexer/notifier.h). */
void digest_tell_now(const struct digest_event *ev)
{
	static const enum notify_kind kinds[] = {
		[DIGEST_FOUND] = NOTIFY_RELEASE_FOUND,
		[DIGEST_SENT] = NOTIFY_SENT,
		[DIGEST_FAILED] = NOTIFY_HANDOFF_FAILED,
	};
	struct strbuf subject = STRBUF_INIT;
	json_t *details = json_pack("{s:s, s:i, s:s}", "series", ev->series,
				    "volume", ev->volume, "title", ev->title);

	if (details && ev->client)
		json_object_set_new(details, "client",
				    json_string(ev->client));
	if (details && ev->reason)
		json_object_set_new(details, "reason",
				    json_string(ev->reason));
	strbuf_addf(&subject, "%s volume %d", ev->series, ev->volume);
	switch (ev->kind) {
	case DIGEST_FOUND:
		notify_event(kinds[ev->kind], subject.buf, details,
			     "a release for %s volume %d: \"%s\"", ev->series,
			     ev->volume, ev->title);
		break;
	case DIGEST_SENT:
		notify_event(kinds[ev->kind], subject.buf, details,
			     "\"%s\" sent to %s", ev->title, ev->client);
		break;
	default:
		notify_event(kinds[ev->kind], subject.buf, details,
			     "%s volume %d was not sent: \"%s\" %s",
			     ev->series, ev->volume, ev->title,
			     ev->reason ? ev->reason : "found no client");
	}
	strbuf_release(&subject);
}

void digest_begin(struct digest *d, int on)
{
	digest_end(d);
	d->on = on;
}

/* A held event owns its strings. */
static void event_clear(struct digest_event *ev)
{
	free((char *)ev->series);
	free((char *)ev->title);
	free((char *)ev->client);
	free((char *)ev->reason);
}

void digest_tell(struct digest *d, const struct digest_event *ev)
{
	struct digest_event *c;

	if (!d || !d->on)
		goto now;
	c = array_grow(d->ev, d->nr, &d->alloc, sizeof(*c), 16);
	if (!c)
		goto now;
	d->ev = c;
	c = &d->ev[d->nr];
	*c = (struct digest_event) {
		.kind = ev->kind, .volume = ev->volume,
		.series = strdup(ev->series), .title = strdup(ev->title),
		.client = text_dup(ev->client),
		.reason = text_dup(ev->reason),
	};
	if (c->series && c->title && (c->client || !ev->client) &&
	    (c->reason || !ev->reason)) {
		d->nr++;
		return;
	}
	event_clear(c);
now:
	digest_tell_now(ev);
}

/* The titles of the digests, by event kind. */
static const struct {
	enum notify_kind kind;
	const char *what;
} kinds[] = {
	[DIGEST_FOUND] = { NOTIFY_RELEASE_FOUND, "releases found" },
	[DIGEST_SENT] = { NOTIFY_SENT, "sent" },
	[DIGEST_FAILED] = { NOTIFY_HANDOFF_FAILED, "not sent" },
};

/* One digest of the n held events of kind k. */
static void tell_digest(struct digest *d, enum digest_event_kind k,
			size_t n)
{
	struct strbuf subject = STRBUF_INIT, text = STRBUF_INIT;
	json_t *list = json_array();
	const char *series = NULL;

	strbuf_addf(&subject, "%zu volumes:", n);
	for (size_t i = 0; i < d->nr; i++) {
		const struct digest_event *ev = &d->ev[i];

		if (ev->kind != k)
			continue;
		if (!series || strcmp(series, ev->series))
			strbuf_addf(&subject, "%s %s %d", series ? ";" : "",
				    ev->series, ev->volume);
		else
			strbuf_addf(&subject, ", %d", ev->volume);
		series = ev->series;
		strbuf_addf(&text, "%s volume %d: \"%s\"", ev->series,
			    ev->volume, ev->title);
		if (ev->client && k == DIGEST_SENT)
			strbuf_addf(&text, " to %s", ev->client);
		if (ev->reason)
			strbuf_addf(&text, " %s", ev->reason);
		strbuf_addch(&text, '\n');
		if (list)
			json_array_append_new(list, json_pack(
				"{s:s, s:i, s:s}", "series", ev->series,
				"volume", ev->volume, "title", ev->title));
	}
	notify_event(kinds[k].kind, subject.buf, list ?
		     json_pack("{s:i, s:o}", "count", (int)n, "volumes",
			       list) : NULL,
		     "%zu volumes %s:\n%s", n, kinds[k].what, text.buf);
	strbuf_release(&subject);
	strbuf_release(&text);
}

void digest_end(struct digest *d)
{
	size_t count[ARRAY_SIZE(kinds)] = { 0 };

	for (size_t i = 0; i < d->nr; i++)
		count[d->ev[i].kind]++;
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		if (count[k] > DIGEST_MIN) {
			tell_digest(d, k, count[k]);
			continue;
		}
		for (size_t i = 0; i < d->nr; i++)
			if (d->ev[i].kind == (enum digest_event_kind)k)
				digest_tell_now(&d->ev[i]);
	}
	CLEANUP_FREE_ROWS(d->ev, d->nr, event_clear);
	*d = (struct digest) { 0 };
}
