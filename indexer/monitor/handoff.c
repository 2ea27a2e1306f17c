/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The hand-off of found releases (handoff.h): for each wanted volume, its
 * releases tried best first until a client confirms one, each outcome
 * stored through the writer. It searches for nothing; the check found them.
 */
#include "indexer/monitor/handoff.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/config.h"
#include "common/db.h"
#include "common/http.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/monitor/blocklist.h"
#include "indexer/monitor/digest.h"
#include "indexer/monitor/found.h"
#include "indexer/monitor/prowlarr.h"
#include "indexer/monitor/series_save.h"
#include "indexer/store/services.h"
#include "indexer/store/writer.h"
#include "indexer/store/writer_run.h"

void handoff_init(struct handoff *h, const struct config *cfg,
		  const struct prowlarr *prowlarr, sqlite3 *db,
		  const int *cancel, const int *dry_run)
{
	memset(h, 0, sizeof(*h));
	download_client_of(cfg, PROWLARR_TORRENT, &h->torrent.c);
	download_client_of(cfg, PROWLARR_USENET, &h->usenet.c);
	download_client_of(cfg, DOWNLOAD_ED2K, &h->ed2k.c);
	h->torrent.c.prowlarr = h->usenet.c.prowlarr = prowlarr;
	h->torrent.c.session = &h->torrent.session;
	h->usenet.c.session = &h->usenet.session;
	h->ed2k.c.session = &h->ed2k.session;
	/* Prowlarr grabs either protocol: as the only client, it takes
	 * usenet releases too, as it did before [usenet] existed. */
	if (!strcmp(h->usenet.c.client, "none") &&
	    !strcmp(h->torrent.c.client, "prowlarr"))
		h->usenet.c.client = "prowlarr";
	h->db = db;
	h->cancel = cancel;
	h->dry_run = dry_run;
	h->pick = -1;
}

void handoff_begin(struct handoff *h, int enabled)
{
	h->enabled = enabled;
	h->sent = h->skipped = h->failed = h->errors = 0;
	h->torrent.down[0] = h->usenet.down[0] = h->ed2k.down[0] = '\0';
}

/* What happened to one release, or to a volume. */
enum outcome { NONE, SKIPPED, FAILED, DRY_RUN, SENT };

static const char *const outcome_names[] = {
	[SKIPPED] = "skipped", [FAILED] = "failed", [DRY_RUN] = "dry-run",
	[SENT] = "sent",
};

/* What was (or would have been) sent for a volume. */
struct sent {
	const char *series;
	int volume;
	const char *state;
	const char *client, *title, *source, *error;
	const char *client_id, *release_id;	/* NULL: none */
	double at;
};

/* Remember a hand-off. A volume once sent stays sent: it is never
 * handed over again, unless its download fails. */
static int store_sent(const struct sent *d)
{
	return writer_run("store download",
		"INSERT INTO downloads (series, volume, state,"
		" client, title, source, at, error, client_id, release_id,"
		" sent_at, changed_at, progress, progress_at, path, applied)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?7, ?7, 0,"
		" NULL, NULL, ?11) ON CONFLICT (series, volume) DO UPDATE"
		" SET state = ?3, client = ?4, title = ?5, source = ?6,"
		" at = ?7, error = ?8, client_id = ?9, release_id = ?10,"
		" sent_at = ?7, changed_at = ?7, progress = 0, applied = ?11,"
		" progress_at = NULL, path = NULL, bytes_done = NULL,"
		" bytes_total = NULL, bytes_per_s = NULL"
		" WHERE state NOT IN " HANDOFF_HANDED_OVER,
		DB_ARGS(DB_TEXT(d->series), DB_INT(d->volume),
			DB_TEXT(d->state), DB_TEXT(d->client),
			DB_TEXT(d->title), DB_TEXT(d->source), DB_REAL(d->at),
			DB_TEXT(d->error), DB_TEXT(d->client_id),
			DB_TEXT(d->release_id), DB_INT(found_once())));
}

/* Whether a release was already sent for the volume, in an earlier check
 * or as part of a range sent in this one. */
static int already_sent(struct handoff *h, const char *series, int volume)
{
	sqlite3_stmt *st;
	int rc, sent = 0;

	rc = db_prepare(h->db, "SELECT 1 FROM downloads WHERE series = ?1"
			" AND volume = ?2 AND state IN " HANDOFF_HANDED_OVER, &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, series, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, volume);
	rc = sqlite3_step(st);
	sent = rc == SQLITE_ROW;
	rc = db_finalize(st, rc, "read downloads");
	return rc ? rc : sent;
}

/* The release r as the clients see it. */
static struct download_release as_download(const struct release *r)
{
	return (struct download_release) {
		.title = r->title,
		.source = r->source,
		.protocol = r->protocol,
		.link = r->link,
		.magnet = r->magnet,
		.guid = r->guid,
		.indexer_id = r->indexer_id,
	};
}

/*
 * The client of dr's protocol into *out (NULL when none is set up), and
 * whether it takes dr now; when not, why says why: none of its
 * protocol, one that cannot read its links, or a Prowlarr grab come too
 * late.
 */
static int client_for(struct handoff *h, const struct release *r,
		      const struct download_release *dr,
		      struct handoff_client **out, struct strbuf *why)
{
	const char *proto = download_protocol(dr);
	struct handoff_client *hc = !strcmp(proto, PROWLARR_USENET) ?
		&h->usenet : !strcmp(proto, DOWNLOAD_ED2K) &&
		strcmp(h->ed2k.c.client, "none") ? &h->ed2k : &h->torrent;

	*out = NULL;
	if (!strcmp(hc->c.client, "none")) {
		strbuf_addf(why, "no %s client is set up", proto);
		return 0;
	}
	*out = hc;
	if (!download_accepts(&hc->c, dr)) {
		strbuf_addf(why, "%s cannot take this %s release%s",
			    hc->c.client, proto, strcmp(r->source, "catalog") ?
			    "" : " (one of the catalog)");
		return 0;
	}
	if (!strcmp(hc->c.client, "prowlarr") &&
	    clock_wall() - r->found_at > HANDOFF_GRAB_WINDOW) {
		strbuf_addstr(why, "found too long ago for Prowlarr to grab it"
			      " (search again)");
		return 0;
	}
	return 1;
}

/* Record the hand-off of r for every wanted volume its range holds. */
static int record_sent(const struct release_want *w, size_t nr,
		       const struct release *r, struct sent *d)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < nr; i++) {
		if (w[i].volume < r->first || w[i].volume > r->last)
			continue;
		d->volume = w[i].volume;
		rc = store_sent(d);
	}
	return rc;
}

/*
 * Send r to hc (to the series' own save path, when it has one), unless
 * hc failed earlier in this check. Returns the
 * outcome; id gets the download's id in the client (download_send());
 * why gets the reason of a failure; *stop is set to -ECANCELED when
 * cancelled.
 */
static enum outcome send_one(struct handoff *h, struct handoff_client *hc,
			     const struct download_release *dr, char *id,
			     struct strbuf *why, int *stop)
{
	struct strbuf err = STRBUF_INIT;
	struct download_client c;
	int rc;

	if (hc->down[0]) {
		strbuf_addstr(why, hc->down);
		return FAILED;
	}
	c = hc->c;
	if (h->save_path && hc == &h->torrent) {
		char own[PATH_MAX + 384];	/* a whole path in it */

		if (series_save_check(&c, h->save_path, own, sizeof(own))) {
			strbuf_addstr(why, own);
			return FAILED;
		}
		c.save_path = h->save_path;
	}
	rc = download_send(&c, dr, h->cancel, id, &err);
	if (rc == -ECANCELED) {
		strbuf_release(&err);
		*stop = -ECANCELED;
		return NONE;
	}
	if (!rc || download_release_fault(rc))
		services_record(NULL, hc->c.client, 0, NULL, NULL);
	else
		services_record(NULL, hc->c.client, rc, err.buf,
				http_out_of_reach(rc) ? "warn" : "error");
	if (!rc) {
		strbuf_release(&err);
		return SENT;
	}
	strbuf_addstr(why, err.buf);
	/* refused, or gone from the indexer, for good: never again */
	if (rc == -EPROTO || rc == -EIDRM)
		blocklist_release(dr, err.buf);
	/* The client, not the release: none of its releases can go. */
	if (!download_release_fault(rc))
		snprintf(hc->down, sizeof(hc->down), "%s", err.buf);
	strbuf_release(&err);
	return FAILED;
}

/* Note release i of w's outcome, in found, and count it. */
static int note(struct handoff *h, int64_t series_id,
		const struct release_want *w, size_t i, enum outcome o,
		const char *reason)
{
	if (o == SKIPPED)
		h->skipped++;
	else if (o == FAILED)
		h->failed++;
	else if (o == SENT)
		h->sent++;
	return writer_run("store release state",
			  "UPDATE found SET state = ?4, reason = ?5"
			  " WHERE series_id = ?1 AND volume = ?2 AND rank = ?3",
			  DB_ARGS(DB_INT(series_id), DB_INT(w->volume),
				  DB_INT(i), DB_TEXT(outcome_names[o]),
				  DB_TEXT(reason)));
}

/*
 * Records the volume's best OUTCOME (the release CHOSEN, sent to CLIENT or
 * not, WHY it failed, the client's ID) in the store, counts a failure and
 * tells the digest of a sent or failed volume.
 */
static int record_outcome(struct handoff *h, struct sent *d,
			  const struct release_want *w, size_t nr,
			  enum outcome best, const struct release *chosen,
			  const char *client, const char *why, const char *id)
{
	char rid[RELEASE_ID_LEN + 1];
	int volume = d->volume, rc;	/* record_sent moves d->volume */

	d->state = outcome_names[best];
	d->client = client;
	d->title = chosen->title;
	d->source = chosen->source;
	d->error = best == SKIPPED || best == FAILED ? why : NULL;
	release_id(chosen->guid, chosen->link, chosen->magnet, chosen->title,
		   rid);
	d->release_id = rid;
	d->client_id = best == SENT && id[0] ? id : NULL;
	if (best == SENT)
		rc = record_sent(w, nr, chosen, d);
	else
		rc = store_sent(d);
	if (best == FAILED)
		h->errors++;
	if (best == SENT || best == FAILED)
		digest_tell(h->digest, &(struct digest_event) {
			.kind = best == SENT ? DIGEST_SENT : DIGEST_FAILED,
			.series = d->series, .volume = volume,
			.title = chosen->title, .client = d->client,
			.reason = d->error,
		});
	return rc;
}

/*
 * Try the releases of wanted volume i best first until one goes, unless
 * a release went for it before; store each outcome, and the volume's.
 */
static int hand_over(struct handoff *h, int64_t series_id,
		     const char *series, const struct release_want *w,
		     size_t nr, size_t i)
{
	struct strbuf why = STRBUF_INIT, first = STRBUF_INIT;
	char id[DOWNLOAD_ID_MAX] = "";
	enum outcome best = NONE;
	const struct release *chosen = NULL;
	const char *client = NULL;
	struct sent d = {
		.series = series,
		.volume = w[i].volume,
		.at = clock_wall(),
	};
	int rc = already_sent(h, series, w[i].volume), stop = 0;

	if (rc)
		return rc < 0 ? rc : 0;
	for (size_t j = 0; !rc && !stop && j < w[i].nr; j++) {
		const struct release *r = &w[i].r[j];
		struct download_release dr = as_download(r);
		struct handoff_client *hc;
		enum outcome o;

		if (h->pick >= 0 && (size_t)h->pick != j)
			continue;
		strbuf_reset(&why);
		if (!client_for(h, r, &dr, &hc, &why)) {
			o = SKIPPED;
		} else if (__atomic_load_n(h->dry_run, __ATOMIC_RELAXED)) {
			log_info("handoff: dry-run: would send \"%s\" to %s for"
				 " %s volume %d", r->title, hc->c.client,
				 series, w[i].volume);
			o = DRY_RUN;
			stop = 1;
		} else {
			o = send_one(h, hc, &dr, id, &why, &stop);
			if (stop < 0) {
				rc = stop;
				break;
			}
			if (o == SENT) {
				log_info("handoff: sent \"%s\" to %s for %s"
					 " volume %d", r->title, hc->c.client,
					 series, w[i].volume);
				stop = 1;
			} else {
				log_warn("handoff: \"%s\" for %s volume %d:"
					 " %s", r->title, series, w[i].volume,
					 why.buf);
			}
		}
		rc = note(h, series_id, &w[i], j, o,
			  o == SKIPPED || o == FAILED ? why.buf : NULL);
		if (o > best || !chosen) {
			best = o > best ? o : best;
			chosen = r;
			client = hc ? hc->c.client : NULL;
			strbuf_reset(&first);
			strbuf_addstr(&first, why.buf);
		}
	}
	if (!rc && best != NONE)
		rc = record_outcome(h, &d, w, nr, best, chosen,
				    client ? client : "none", first.buf, id);
	strbuf_release(&why);
	strbuf_release(&first);
	return rc;
}

int handoff_series(struct handoff *h, int64_t series_id, const char *series,
		   const struct release_want *w, size_t nr)
{
	int rc = 0;

	if (!h->enabled)
		return 0;
	for (size_t i = 0; !rc && i < nr; i++) {
		if (__atomic_load_n(h->cancel, __ATOMIC_RELAXED))
			return -ECANCELED;
		rc = hand_over(h, series_id, series, w, nr, i);
	}
	return rc;
}
