#include "indexer/monitor/handoff.h"

#include <errno.h>
#include <string.h>

#include "common/clock.h"
#include "common/config.h"
#include "common/db.h"
#include "common/log.h"
#include "common/notify.h"
#include "common/strbuf.h"
#include "indexer/store/services.h"
#include "indexer/store/writer.h"

void handoff_init(struct handoff *h, const struct config *cfg,
		  const struct prowlarr *prowlarr, sqlite3 *db,
		  const int *cancel, const int *dry_run)
{
	memset(h, 0, sizeof(*h));
	h->client = (struct download_client) {
		.client = cfg->auto_download && cfg->download_client ?
			cfg->download_client : "none",
		.url = cfg->download_url,
		.username = cfg->download_username,
		.password = cfg->download_password,
		.category = cfg->download_category,
		.blackhole_dir = cfg->download_blackhole_dir,
		.prowlarr = prowlarr,
		.session = &h->session,
	};
	h->db = db;
	h->cancel = cancel;
	h->dry_run = dry_run;
}

/* An error text without its leading "NAME: ", which health adds. */
static const char *strip_name(const char *text, const char *name)
{
	size_t len = strlen(name);

	if (!strncmp(text, name, len) && !strncmp(text + len, ": ", 2))
		return text + len + 2;
	return text;
}

/* What was (or would have been) sent for a volume. */
struct sent {
	const char *series;
	int volume;
	const char *state;		/* "sent", "dry-run" or "failed" */
	const char *client, *title, *source, *error;
	double at;
};

/* A writer_call() function: remember a hand-off. A volume once sent
 * stays sent: it is never handed over again. */
static int store_sent(sqlite3 *db, void *arg)
{
	const struct sent *d = arg;
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db, "INSERT INTO downloads (series, volume,"
		" state, client, title, source, at, error) VALUES (?1, ?2, ?3,"
		" ?4, ?5, ?6, ?7, ?8) ON CONFLICT (series, volume) DO UPDATE"
		" SET state = ?3, client = ?4, title = ?5, source = ?6,"
		" at = ?7, error = ?8 WHERE state != 'sent'", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, "store download");
	sqlite3_bind_text(st, 1, d->series, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, d->volume);
	sqlite3_bind_text(st, 3, d->state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, d->client, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, d->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, d->source, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 7, d->at);
	db_bind_text(st, 8, d->error);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(db, rc, "store download");
}

/* Whether a release was already sent for the volume, in an earlier check
 * or as part of a range sent in this one. */
static int already_sent(struct handoff *h, const char *series, int volume)
{
	sqlite3_stmt *st;
	int rc, sent = 0;

	rc = sqlite3_prepare_v2(h->db, "SELECT 1 FROM downloads WHERE"
				" series = ?1 AND volume = ?2 AND"
				" state = 'sent'", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(h->db, rc, "read downloads");
	sqlite3_bind_text(st, 1, series, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, volume);
	rc = sqlite3_step(st);
	sent = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(h->db, rc, "read downloads");
	return sent;
}

/* The best release of w the client takes. Prowlarr forgets a search's
 * releases after 30 minutes, so an older one cannot be grabbed. */
static const struct release *pick(struct handoff *h, const struct want *w,
				  struct download_release *dr)
{
	int grab = !strcmp(h->client.client, "prowlarr");

	for (size_t i = 0; i < w->nr; i++) {
		const struct release *r = &w->r[i];

		*dr = (struct download_release) {
			.title = r->title,
			.source = r->source,
			.link = r->link,
			.magnet = r->magnet,
			.guid = r->guid,
			.indexer_id = r->indexer_id,
		};
		if (grab && clock_wall() - r->found_at > HANDOFF_GRAB_WINDOW)
			continue;
		if (download_accepts(&h->client, dr))
			return r;
	}
	return NULL;
}

/* Record the hand-off of r for every wanted volume its range holds. */
static int record_sent(const struct want *w, size_t nr,
		       const struct release *r, struct sent *d)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < nr; i++) {
		if (w[i].volume < r->first || w[i].volume > r->last)
			continue;
		d->volume = w[i].volume;
		rc = writer_call(store_sent, d);
	}
	return rc;
}

/* Send, or in dry-run only note, the best release of wanted volume i
 * that the client takes, unless a release for it went out before. */
static int hand_over(struct handoff *h, const char *series,
		     const struct want *w, size_t nr, size_t i)
{
	struct strbuf err = STRBUF_INIT, subject = STRBUF_INIT;
	struct download_release dr;
	const struct release *r;
	struct sent d = {
		.series = series,
		.volume = w[i].volume,
		.client = h->client.client,
		.at = clock_wall(),
	};
	int rc = already_sent(h, series, w[i].volume);

	if (rc)
		return rc < 0 ? rc : 0;
	r = pick(h, &w[i], &dr);
	if (!r)
		return 0;
	d.title = r->title;
	d.source = r->source;
	if (__atomic_load_n(h->dry_run, __ATOMIC_RELAXED)) {
		log_info("handoff: dry-run: would send \"%s\" to %s for %s"
			 " volume %d", r->title, d.client, series,
			 w[i].volume);
		d.state = "dry-run";
		return writer_call(store_sent, &d);
	}
	rc = download_send(&h->client, &dr, h->cancel, &err);
	if (rc == -ECANCELED) {
		strbuf_release(&err);
		return rc;
	}
	services_record(NULL, d.client, rc, rc ? strip_name(err.buf, d.client) :
		       NULL, "error");
	strbuf_addf(&subject, "%s volume %d", series, w[i].volume);
	if (rc) {
		log_warn("handoff: %s", err.buf);
		h->errors++;
		d.state = "failed";
		d.error = strip_name(err.buf, d.client);
		notify_event(NOTIFY_HANDOFF_FAILED, subject.buf,
			     json_pack("{s:s, s:i, s:s, s:s, s:s}", "series",
				       series, "volume", w[i].volume, "title",
				       r->title, "client", d.client, "error",
				       d.error),
			     "\"%s\" did not reach %s: %s", r->title, d.client,
			     d.error);
		rc = writer_call(store_sent, &d);
	} else {
		log_info("handoff: sent \"%s\" to %s for %s volume %d",
			 r->title, d.client, series, w[i].volume);
		notify_event(NOTIFY_SENT, subject.buf,
			     json_pack("{s:s, s:i, s:s, s:s}", "series", series,
				       "volume", w[i].volume, "title", r->title,
				       "client", d.client),
			     "\"%s\" sent to %s", r->title, d.client);
		h->sent++;
		d.state = "sent";
		rc = record_sent(w, nr, r, &d);
	}
	strbuf_release(&err);
	strbuf_release(&subject);
	return rc;
}

int handoff_series(struct handoff *h, const char *series,
		   const struct want *w, size_t nr)
{
	int rc = 0;

	if (!strcmp(h->client.client, "none"))
		return 0;
	for (size_t i = 0; !rc && i < nr; i++) {
		if (__atomic_load_n(h->cancel, __ATOMIC_RELAXED))
			return -ECANCELED;
		rc = hand_over(h, series, w, nr, i);
	}
	return rc;
}
