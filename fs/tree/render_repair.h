/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RENDER_REPAIR_H
#define MEDIAMON_RENDER_REPAIR_H

/*
 * The files that show the Real-Debrid repair (indexer/rd_repair.h): the
 * dead links and their state, the repair and retry queues, what it cost.
 * Built from what realdebrid/ reads of its rows
 * (indexer/realdebrid/rd_reads.h, which says what a link's state is)
 * and the live status; each appends one whole document to out, read from
 * the store in one transaction, and returns 0 or a negative errno value.
 *
 * render_repair_broken         /status/broken: one line per dead link:
 *                              LINK TAB TARGET TAB STATE.
 * render_repair_broken_json    /status/broken.json: [{link, target,
 *                              torrent, torrent_name, state, reason,
 *                              attempts, next_retry_at, plan}].
 * render_repair_orphans        /status/orphans: one line per orphan (a
 *                              dead link no torrent of the account,
 *                              listed whole, explains; rd_cleanup.h):
 *                              LINK TAB TARGET TAB AGE, how long it has
 *                              been seen so, in words ("3 h 5 min"),
 *                              oldest first.
 * render_repair_torrents_json  /status/debrid-torrents.json: the
 *                              account's torrents as its last listing
 *                              gave them (id, name, hash, status, bytes,
 *                              added_at, seen_at), the oldest added
 *                              first, to rebuild a lost account from.
 * render_repair_magnets        /status/debrid-magnets: a magnet link per
 *                              torrent of the account with a well-formed
 *                              info hash ("magnet:?xt=urn:btih:HASH&dn=
 *                              NAME"), the same order, for a client or
 *                              another account to take them all back.
 * render_repairs_json          /status/repairs.json: dry_run, whether a
 *                              pass runs, the guard, the last pass, the
 *                              next pass, the listing of the account
 *                              (sync: pages_done, torrents_seen,
 *                              started_at ...), the repair queue, the
 *                              retry queue, recent repairs, permanent
 *                              failures, repair loops stopped, old
 *                              torrents still to delete, recent attempts
 *                              and actions.
 * render_repair_json           /metrics/repair.json: requests by
 *                              endpoint, 429s, repairs ok and failed,
 *                              permanent failures, links deleted, old
 *                              torrents still to delete and the
 *                              deletions that failed, the last pass.
 * render_repair_csv            /metrics/repair.csv: a header, then one
 *                              row per pass, oldest first: id, kind,
 *                              trigger, dry_run, started_at, finished_at
 *                              (RFC 3339), duration_s, links (checked),
 *                              broken, unmapped, guard_ok, started,
 *                              repaired, retries, failed, links_deleted,
 *                              rescans, requests, rate_limited.
 * render_repair_listing        one line, for /control/repair, on the
 *                              listing of the account: the cycle of
 *                              pages under way or the last one (pages
 *                              done, torrents seen, since when, the
 *                              account's count, the page next or when it
 *                              ended), or that it never started.
 */

#include "fs/tree/node.h"

node_render_fn render_repair_broken, render_repair_broken_json,
	render_repair_orphans, render_repair_torrents_json,
	render_repair_magnets, render_repairs_json, render_repair_json,
	render_repair_csv, render_repair_listing;

#endif
