/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_DIGEST_H
#define MEDIAMON_DIGEST_H

/*
 * The monitor's notifications of volumes, one by one or, in a check, as
 * a digest ([notify] digest): the events (found, sent, failed) are held
 * until the check ends; a kind told for more than DIGEST_MIN volumes then
 * goes as one message listing them, the others one by one as they would
 * have gone. The
 * digest's subject names the count and the volumes ("30 volumes: One
 * Piece 2, 4; Naruto 7"), so a check that meets the same volumes again
 * is no news, as for a single volume.
 *
 *	digest_begin(&d, cfg->notify_digest);	(each check)
 *	digest_tell(&d, &ev);			(the check's events)
 *	digest_end(&d);				(the check's end)
 */

#include <stddef.h>

/* What the monitor tells the notifications of a volume. */
enum digest_event_kind {
	DIGEST_FOUND,			/* releases found for a volume that
					 * had none: title is the best */
	DIGEST_SENT,			/* a client took title */
	DIGEST_FAILED,			/* no release of the volume went:
					 * reason says why, of title */
};

struct digest_event {
	enum digest_event_kind kind;
	const char *series;
	int volume;
	const char *title;
	const char *client;		/* SENT, FAILED; NULL otherwise */
	const char *reason;		/* FAILED; NULL otherwise */
};

/* More volumes than this of one kind in a check make a digest. */
#define DIGEST_MIN 4

struct digest {
	int on;
	struct digest_event *ev;	/* held, strings owned */
	size_t nr, alloc;
};

/* Start a check's digest: events held when on, told at once when not. */
void digest_begin(struct digest *d, int on);

/* Hold ev for the check's end, or tell it now (digest_tell_now()) when
 * d is NULL or off, or memory runs out. */
void digest_tell(struct digest *d, const struct digest_event *ev);

/* Tell the notifications (common/notify.h) of ev alone. */
void digest_tell_now(const struct digest_event *ev);

/* Tell what was held, as said above, and forget it. */
void digest_end(struct digest *d);

#endif
