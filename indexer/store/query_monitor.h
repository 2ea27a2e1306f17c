#ifndef MEDIAMON_QUERY_MONITOR_H
#define MEDIAMON_QUERY_MONITOR_H

/*
 * The files that show the monitor's work: what it found, what is
 * published and not owned, what it cost, and how its services are.
 * Like the other renderers, each appends one whole document to out, read
 * from the store in one transaction, and returns 0 or a negative errno
 * value.
 *
 * Links are shown without their secrets: an API key or pass key in a
 * query string (apikey, api_key, passkey, token) is masked, and a
 * magnet's trackers (whose announce URLs may carry a pass key) are left
 * out. The store keeps them whole for the download client.
 */

#include <stdint.h>

struct strbuf;
struct query_series_filter;

/* /status/found.json: per wanted volume its releases, best first, each
 * with its id (the blocklist's), its protocol and what the hand-off
 * did with it, and what the volume's hand-off came to. */
int query_found_json(struct strbuf *out,
		     const struct query_series_filter *shown);

/*
 * /status/downloads.json: every hand-off, by series and volume: {series,
 * volume, title, source, client, client_id (its id in the client, null
 * when the client tells none), state (tracker.h's: sent, queued,
 * downloading, completed, imported, failed; or skipped, dry-run), progress
 * (0 to 1), reason (why it failed, or why a completed one is not
 * imported), path (its content as the client said), times: {sent_at,
 * changed_at (the state's), progress_at}}.
 */
int query_downloads_json(struct strbuf *out);

/* control/blocklist's listing: a line per release, ID, a tab, its title,
 * a tab, why, the oldest first. */
int query_blocklist(struct strbuf *out);

/* /manga/SERIES/results.json: the same, for one series. */
int query_series_results(struct strbuf *out, int64_t series);

/* /status/new and new.json: volumes published but not owned; /status/new
 * shows the series shown passes (query_manga.h). */
int query_new(struct strbuf *out, const struct query_series_filter *shown);
int query_new_json(struct strbuf *out);

/* /metrics/monitor.json: the search cache (live entries), the
 * throttles, the last check of each flow. */
int query_monitor_json(struct strbuf *out);

/* /metrics/checks.csv: one row per check, as checks_csv() writes it. */
int query_checks_csv(struct strbuf *out);

/*
 * Append /status/health's lines about remote services: errors to errors,
 * warnings to warns. Returns 0 or a negative errno value.
 */
int query_monitor_health(struct strbuf *errors, struct strbuf *warns);

#endif
