#ifndef MEDIAMON_QUERY_REPAIR_H
#define MEDIAMON_QUERY_REPAIR_H

/*
 * The files that show the Real-Debrid repair (indexer/rd_repair.h): the
 * dead links and their state, the repair and retry queues, what it cost.
 * Like the other renderers, each appends one whole document to out, read
 * from the store in one transaction, and returns 0 or a negative errno
 * value.
 *
 * A link's state is one of: unmapped (no torrent, or several, match its
 * target), broken (mapped, not being repaired yet), repairing,
 * waiting_retry, repaired (the mount does not show it yet), failed.
 */

#include <sqlite3.h>

struct strbuf;

/* /status/broken: one line per dead link: LINK TAB TARGET TAB STATE. */
int query_broken(struct strbuf *out);

/* /status/broken.json: [{link, target, torrent, torrent_name, state,
 * reason, attempts, next_retry_at, plan}]. */
int query_broken_json(struct strbuf *out);

/* /status/repairs.json: dry_run, the guard, the last pass, the repair
 * queue, the retry queue, recent repairs, permanent failures, repair
 * loops stopped, old torrents still to delete, recent attempts. */
int query_repairs_json(struct strbuf *out);

/* /metrics/repair.json: requests by endpoint, 429s, repairs ok and
 * failed, permanent failures, links deleted, old torrents still to
 * delete and the deletions that failed, the last pass. */
int query_repair_json(struct strbuf *out);

/*
 * Append /status/health's lines: to errors when the last pass found the
 * mount down ("error: Real-Debrid mount looks down (REASON) ..."), to
 * warns when dead links are unmapped or repair loops were stopped.
 * Returns 0 or a negative errno value.
 */
int query_repair_health(struct strbuf *errors, struct strbuf *warns);

#endif
