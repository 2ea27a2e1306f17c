/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_NOTIFY_H
#define MEDIAMON_NOTIFY_H

/*
 * Notifications: what the daemon tells its user outside the mount when
 * something worth knowing happens (a volume came out, a release was sent,
 * a repair failed, the health turned to error ...).
 *
 * Producers, on any thread, describe the event and go on at once:
 *
 *	notify_event(NOTIFY_SENT, "One Piece 104",
 *		     json_pack("{s:s, s:i}", "series", name, "volume", 104),
 *		     "sent \"%s\" to %s", title, client);
 *
 * The event is copied into a list in memory and nothing else happens on
 * the caller's thread: no network, no store, no wait. The sender
 * (indexer/notifier.h) takes the list with notify_take(), keeps each
 * event in the store and delivers it to the targets that want its kind
 * (common/notify_targets.h).
 *
 * Texts are cleaned here, once, for every target: invalid UTF-8 becomes
 * U+FFFD; control characters become spaces (a message keeps its line
 * breaks); the subject is cut at NOTIFY_SUBJECT_MAX bytes and the message
 * at NOTIFY_MESSAGE_MAX, on a character boundary; the subject, the
 * message and the details pass redact() (common/redact.h), as an event
 * leaves the machine.
 *
 * While no target wants a kind (notify_accept()), its events are dropped
 * on the spot; at most NOTIFY_PENDING_MAX wait in memory, the newest
 * beyond that being dropped with one log line.
 */

#include <jansson.h>

/* The kinds of event, in the order of the documentation. */
enum notify_kind {
	NOTIFY_NEW_VOLUME,	/* a new volume of a monitored series is out */
	NOTIFY_RELEASE_FOUND,	/* a wanted volume has a release */
	NOTIFY_SENT,		/* a release went to the download client */
	NOTIFY_HANDOFF_FAILED,	/* the download client did not take it */
	NOTIFY_REPAIR_DONE,	/* a Real-Debrid torrent was repaired */
	NOTIFY_REPAIR_FAILED,	/* one cannot be repaired, for good */
	NOTIFY_REPAIR_PASS,	/* what a repair pass changed */
	NOTIFY_HEALTH_ERROR,	/* /status/health turned to error */
	NOTIFY_HEALTH_OK,	/* and left it */
	NOTIFY_ERROR_RATE,	/* a scan or a repair pass failed too often */
	NOTIFY_REPLACEMENT,	/* an Arr was asked for another release */
	NOTIFY_IMPORTED,	/* a download went into its series folder */
	NOTIFY_IMPORT_FAILED,	/* a completed one could not go in */
	NOTIFY_ROOT_UNAVAILABLE,	/* a root is away: its rows are kept */
	NOTIFY_SCAN_FINISHED,	/* a scan ended, with its figures */
	NOTIFY_SCAN_SLOW,	/* a scan of every root read too slowly */
	NOTIFY_NR_KINDS
};

#define NOTIFY_BIT(kind) (1u << (kind))
/* The kinds "all" leaves out: told only to a target that names them. */
#define NOTIFY_NAMED_ONLY NOTIFY_BIT(NOTIFY_SCAN_FINISHED)
#define NOTIFY_ALL (((1u << NOTIFY_NR_KINDS) - 1) & ~NOTIFY_NAMED_ONLY)

#define NOTIFY_SUBJECT_MAX 200
#define NOTIFY_MESSAGE_MAX 3500
#define NOTIFY_DETAILS_MAX 16384
#define NOTIFY_PENDING_MAX 1000

/*
 * "all", then the name of each kind in enum order ("new_volume", ...,
 * "error_rate"), then NULL: the words [notify] events takes.
 */
extern const char *const notify_event_names[];

/* One event, as producers gave it, cleaned. */
struct notify_msg {
	struct notify_msg *next;
	enum notify_kind kind;
	double at;		/* wall clock, when it happened */
	char *subject;		/* what it is about, "" for nothing */
	char *message;		/* one or a few sentences, never empty */
	char *details;		/* a JSON object as text, or NULL */
};

/*
 * Tell the user that something of kind happened to subject (NULL: the
 * daemon itself): a message made from fmt, and details (a JSON object,
 * consumed, may be NULL) for the receivers that take figures. Any
 * thread; never waits. A failure to keep it is logged, never returned:
 * a message is not worth failing the caller's work.
 */
void notify_event(enum notify_kind kind, const char *subject,
		  json_t *details, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Whether events of kind are kept now: a producer whose check costs
 * something skips it when no target wants to hear. */
int notify_accepts(enum notify_kind kind);

/* The name of kind, as in notify_event_names. */
const char *notify_kind_name(enum notify_kind kind);

/* A short title for kind, such as "New volume". */
const char *notify_kind_title(enum notify_kind kind);

/* Kind by name, or -1 for a name that is none ("all" included). */
int notify_kind_parse(const char *name);

/*
 * Whether an event of kind is news once per subject only: a release found
 * for a volume is found again at every check, and the user wants to hear
 * of it once.
 */
int notify_kind_once(enum notify_kind kind);

/* For the sender: keep from now on only events of the kinds in mask (an
 * OR of NOTIFY_BIT()), and drop those waiting that it leaves out. */
void notify_accept(unsigned mask);

/*
 * For the sender: take every event waiting, oldest first, as a list the
 * caller frees with notify_msg_free(); when none waits, wait up to
 * timeout_s seconds (0: do not wait) for one, or for notify_wake().
 * Returns the list, or NULL.
 */
struct notify_msg *notify_take(double timeout_s);

/* Make a notify_take() that waits return now (or the next one, at once). */
void notify_wake(void);

/* Free a list of events. */
void notify_msg_free(struct notify_msg *m);

#endif
