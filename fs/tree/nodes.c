/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Every path of the mount (nodes.h): the fixed table of directories,
 * generated and control files, with each one's help, and the views for
 * the rest. It renders only the README, from the table's help, and
 * commands nothing itself; the functions the table names do.
 */
#include "fs/tree/nodes.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/bytes.h"
#include "common/strbuf.h"
#include "fs/tree/control.h"
#include "fs/tree/manga_view.h"
#include "fs/tree/opds.h"
#include "fs/tree/opds_cover.h"
#include "fs/tree/opds_pages.h"
#include "fs/tree/opds_search.h"
#include "fs/tree/playlists.h"
#include "fs/tree/render.h"
#include "fs/tree/render_charts.h"
#include "fs/tree/render_monitor.h"
#include "fs/tree/render_analysis.h"
#include "fs/tree/render_repair.h"
#include "fs/tree/render_requests.h"
#include "indexer/reads.h"
#include "fs/tree/http_stats.h"
#include "fs/tree/render_fuse.h"
#include "fs/tree/render_manga.h"
#include "fs/tree/render_prometheus.h"
#include "fs/tree/render_status.h"
#include "fs/tree/render_scans.h"
#include "fs/tree/scratch.h"
#include "fs/tree/series_shown.h"
#include "fs/tree/snapshots.h"
#include "fs/tree/stamps.h"
#include "fs/tree/views.h"

static int readme(struct strbuf *out);

/*
 * Each path, its node, and its help: a line of plain words for the
 * README and mediamon(8)'s list of the files (tools/mediamon-docs), for
 * a file and for a folder worth a word; a folder's help may open with
 * the placeholder of its children ("SERIES/: ...").
 */
static const struct {
	const char *path;
	struct node node;
	const char *help;
} fixed[] = {
	{ "/", { .type = NODE_DIR }, .help = NULL },	/* what the README is */
	{ "/README", { NODE_FILE, .render = readme },
	  .help = "what each file is, in plain words (this file)" },
	{ "/status", { .type = NODE_DIR },
	  .help = "what the daemon knows and found, as text and JSON" },
	{ "/status/summary.json", { NODE_FILE, .render = render_summary },
	  .help = "version, uptime, state (idle, scanning, checking, "
		  "repairing, or paused while the analysis is paused), "
		  "counts of tracks, albums (with and without cover art), "
		  "artists and files, the roots, the last scan, scan "
		  "progress while one runs, the watcher" },
	{ "/status/health", { NODE_FILE, .render = series_shown_health },
	  .help = "\"ok\", or one line per problem (\"warn: ...\", \"error: "
		  "...\")" },
	{ "/status/health.json", { NODE_FILE,
				   .render = series_shown_health_json },
	  .help = "the same lines as [{level, line, since, see}]: since "
		  "when each holds, where its fix is told" },
	{ "/status/missing", { NODE_FILE,
			       .render = series_shown_missing },
	  .help = "one line per missing manga volume: SERIES, a tab, the "
		  "volume number (monitored series only)" },
	{ "/status/missing.json", { NODE_FILE,
				    .render = render_manga_missing_json,
				    .owner_only = 1 },
	  .help = "the same as [{series, volume, series_path}]" },
	{ "/status/unparsed", { NODE_FILE, .render = render_manga_unparsed,
				.owner_only = 1, .snapshot = 1 },
	  .help = "one line per manga volume file or folder whose name "
		  "gives no volume number: its PATH, a tab, the reason "
		  "(rename it with a marker: \"Series T05.cbz\")" },
	{ "/status/new", { NODE_FILE, .render = series_shown_new },
	  .help = "one line per volume published but not owned" },
	{ "/status/new.json", { NODE_FILE, .render = render_monitor_new_json,
				.owner_only = 1 },
	  .help = "the same, with the count, its source and edition" },
	{ "/status/found.json", { NODE_FILE,
				  .render = series_shown_found },
	  .help = "the releases found for each wanted volume, best first, "
		  "and what the hand-off did with each: sent, dry-run, "
		  "skipped or failed, and why" },
	{ "/status/downloads.json", { NODE_FILE,
				      .render = render_monitor_downloads,
				      .owner_only = 1 },
	  .help = "each hand-off as the client is followed: queued, "
		  "downloading, completed, imported or failed, its "
		  "progress, id in the client and reason" },
	{ "/status/broken", { NODE_FILE, .render = render_repair_broken,
			      .owner_only = 1 },
	  .help = "one line per dead debrid link: LINK, a tab, TARGET, a "
		  "tab, its state (unmapped, broken, repairing, "
		  "waiting_retry, repaired, failed)" },
	{ "/status/broken.json", { NODE_FILE,
				   .render = render_repair_broken_json,
				   .owner_only = 1 },
	  .help = "the same with torrent, reason, next retry, plan" },
	{ "/status/debrid-torrents.json", { NODE_FILE,
					    .render =
					    render_repair_torrents_json,
					    .owner_only = 1 },
	  .help = "the debrid account's torrents: id, name, hash, status, "
		  "bytes, times (owner only)" },
	{ "/status/debrid-magnets", { NODE_FILE,
				      .render = render_repair_magnets,
				      .owner_only = 1 },
	  .help = "a magnet link per torrent of the account" },
	{ "/status/orphans", { NODE_FILE, .render = render_repair_orphans,
			       .owner_only = 1 },
	  .help = "dead links no torrent of the account explains: LINK, a "
		  "tab, TARGET, a tab, how long so" },
	{ "/status/repairs.json", { NODE_FILE,
				    .render = render_repairs_json,
				    .owner_only = 1 },
	  .help = "repair queue, retry queue, failures, old torrents still "
		  "to delete, recent debrid requests, the mount guard, "
		  "dry_run, the next pass, and the listing of the account "
		  "(sync: pages_done, torrents_seen, started_at ...)" },
	{ "/status/no-cover", { NODE_FILE, .render = render_no_cover,
				.owner_only = 1, .snapshot = 1 },
	  .help = "one line per album without cover art (no image in its "
		  "folder, none in its tags): ALBUM ARTIST, ALBUM and its "
		  "FOLDER, tab-separated" },
	{ "/status/tag-errors", { NODE_FILE, .render = render_tag_errors,
				  .owner_only = 1, .snapshot = 1 },
	  .help = "one line per music file whose tags are damaged or could "
		  "not be read (it is indexed by what was read, or its "
		  "name): PATH, a tab, why" },
	{ "/status/duplicates", { NODE_FILE, .render = render_duplicates,
				  .owner_only = 1, .snapshot = 1 },
	  .help = "files holding one recording (their audio fingerprints "
		  "match, or their MusicBrainz recording ids do and their "
		  "lengths are within 2 s): a path per line, a blank line "
		  "between groups" },
	{ "/status/duplicates.json", { NODE_FILE,
				       .render = render_duplicates_json,
				       .owner_only = 1, .snapshot = 1 },
	  .help = "the same as [{reason (audio, musicbrainz), paths}]" },
	{ "/metrics", { .type = NODE_DIR },
	  .help = "figures, charts and the Prometheus exposition" },
	{ "/metrics/scan.json", { NODE_FILE, .render = render_scan_json },
	  .help = "the last finished scan, the running one (or null), and "
		  "totals over all scans: success rate in percent, average "
		  "and last durations, bytes read" },
	{ "/metrics/scan.csv", { NODE_FILE, .render = render_scan_csv },
	  .help = "one row per scan, newest last" },
	{ "/metrics/scans.json", { NODE_FILE, .render = render_scans_json },
	  .help = "every scan kept, newest first: files seen and failed, "
		  "success %, MB and files a second, the first errors in "
		  "words; totals" },
	{ "/metrics/scans.svg", { NODE_FILE, .render = render_scans_svg },
	  .help = "a chart of the last 100 scans over time: files per "
		  "second and duration, full scans marked" },
	{ "/metrics/checks.svg", { NODE_FILE, .render = render_checks_svg },
	  .help = "a chart of the last 100 checks for manga volumes: "
		  "volumes wanted and found, releases sent and failed" },
	{ "/metrics/repairs.svg", { NODE_FILE,
				    .render = render_repairs_svg },
	  .help = "a chart of the last 100 debrid repair passes: torrents "
		  "repaired and failed" },
	{ "/metrics/scans-narrow.svg", { NODE_FILE,
					 .render = render_scans_narrow_svg },
	  .help = "scans.svg drawn 340 pixels wide, for a phone" },
	{ "/metrics/checks-narrow.svg", { NODE_FILE,
					  .render = render_checks_narrow_svg },
	  .help = "checks.svg drawn 340 pixels wide, for a phone" },
	{ "/metrics/repairs-narrow.svg", { NODE_FILE, .render =
					   render_repairs_narrow_svg },
	  .help = "repairs.svg drawn 340 pixels wide, for a phone" },
	{ "/metrics/watch.json", { NODE_FILE, .render = render_watch_json },
	  .help = "the live index: directories watched, events by kind, "
		  "batches, and the delay from a change on disk to the "
		  "index (p50, p95, max in ms)" },
	{ "/metrics/monitor.json", { NODE_FILE,
				     .render = render_monitor_json },
	  .help = "the search cache, each service's rate limit and "
		  "requests, and what the last checks cost" },
	{ "/metrics/checks.csv", { NODE_FILE,
				   .render = render_monitor_checks_csv },
	  .help = "one row per check of the monitor, newest last: requests "
		  "per source, cache hits, found, sent, skipped, failed, "
		  "errors" },
	{ "/metrics/repair.json", { NODE_FILE, .render = render_repair_json },
	  .help = "debrid requests by endpoint, rate limits, repairs done "
		  "and failed, links deleted, old torrents still to delete, "
		  "its request budget" },
	{ "/metrics/requests.json", { NODE_FILE,
				      .render = render_requests_json },
	  .help = "each remote service's request budget: requests in the "
		  "open minute and its limit, when it resets, any pause and "
		  "backoff, the last refusal (429, 403)" },
	{ "/metrics/repair.csv", { NODE_FILE, .render = render_repair_csv },
	  .help = "one row per repair pass, oldest first" },
	{ "/metrics/analysis.json", { NODE_FILE,
				      .render = render_analysis_json },
	  .help = "the background audio analysis: tracks analysed, queued, "
		  "failed and too short (under 3 s), tracks per second, "
		  "audio seconds per CPU second, the last error" },
	{ "/metrics/fuse.json", { NODE_FILE, .render = render_fuse_json },
	  .help = "how the mount answers: its loop, the threads that may "
		  "answer, the requests answered since the start and those "
		  "being answered now" },
	{ "/metrics/http.json", { NODE_FILE, .render = http_stats_render },
	  .help = "the HTTP door since the start: connections open, bytes "
	  "sent, answers by kind and status, Subsonic calls by method" },
	{ "/metrics/prometheus", { NODE_FILE, .render = render_prometheus },
	  .help = "every counter and gauge of the files above in the "
		  "Prometheus text format (mediamon_..., units in names)" },
	{ "/metrics/mediamon.prom", { NODE_FILE,
				      .render = render_prometheus },
	  .help = "the same, named for node_exporter's textfile collector "
		  "(point it at this folder)" },
	{ "/control", { .type = NODE_DIR },
	  .help = "files to write a command to (read one for its state)" },
	{ "/control/rescan", { NODE_CONTROL,
			       .render = control_rescan_render,
			       .write = control_rescan_write },
	  .help = "write 1 to rescan every root (only changed files are "
		  "read), \"full\" to re-read every file's tags, "
		  "\"confirm-removal\" to remove the files gone that a scan "
		  "kept (too many at once), or an absolute path inside a "
		  "root to rescan just that; read it to see the state" },
	{ "/control/check-missing", { NODE_CONTROL,
				      .render = control_check_missing_render,
				      .write = control_check_missing_write },
	  .help = "write 1 to search for missing volumes now (Prowlarr is "
		  "asked afresh, not answered from the cache)" },
	{ "/control/check-new", { NODE_CONTROL,
				  .render = control_check_new_render,
				  .write = control_check_new_write },
	  .help = "write 1 to ask what is published now" },
	{ "/control/repair", { NODE_CONTROL,
			       .render = control_repair_render,
			       .write = control_repair_write },
	  .help = "write \"scan\" to find and map dead links, \"run\" to "
		  "repair them too (dry-run: plan only), \"resync\" to list "
		  "the whole account again, \"retry ID\" or \"forget ID\" "
		  "for a torrent that failed" },
	{ "/control/maintenance", { NODE_CONTROL,
				    .render = control_maintenance_render,
				    .write = control_maintenance_write },
	  .help = "write \"backup\", \"prune\" (drop old history) or "
		  "\"vacuum\" to have it done now" },
	{ "/control/dry-run", { NODE_CONTROL,
				.render = control_dry_run_render,
				.write = control_dry_run_write },
	  .help = "1 or 0; while 1, nothing is sent or deleted" },
	{ "/control/log-level", { NODE_CONTROL,
				  .render = control_log_level_render,
				  .write = control_log_level_write },
	  .help = "debug, info, warn or error: what /log and the system log "
		  "get from now on; read it for the level in use" },
	{ "/control/pause", { NODE_CONTROL,
			      .render = control_pause_render,
			      .write = control_pause_write },
	  .help = "1 pauses the audio analysis, 0 resumes it" },
	{ "/control/send", { NODE_CONTROL,
			     .render = control_send_render,
			     .write = control_send_write },
	  .help = "a release's id (status/found.json) to send now" },
	{ "/control/blocklist", { NODE_CONTROL,
				  .render = control_blocklist_render,
				  .write = control_blocklist_write },
	  .help = "a release's id (status/found.json) never to be sent "
		  "again, \"remove ID\" to take it off" },
	{ "/control/reset-metrics", { NODE_CONTROL,
				      .render = control_reset_metrics_render,
				      .write = control_reset_metrics_write },
	  .help = "1 sets the counters since the start to zero (the history "
		  "in the database stays)" },
	{ "/manga", { .type = NODE_DIR, .dynamic = 1 },
	  .help = "SERIES/: one folder per manga series, holding:" },
	{ "/opds", { .type = NODE_DIR },
	  .help = "the manga library as an OPDS catalog" },
	{ "/opds/catalog.xml", { NODE_FILE, .render = opds_render_catalog },
	  .help = "the manga library as an OPDS 1.2 catalog: every link is "
		  "relative, so \"python3 -m http.server\" (or nginx) run "
		  "in the mount serves it to KOReader, Panels and the like; "
		  "each user's feeds hold only the series and volumes that "
		  "user may read" },
	{ "/opds/series.xml", { NODE_FILE,
				.render = opds_render_series_list },
	  .help = "every series, A to Z" },
	{ "/opds/recent.xml", { NODE_FILE, .render = opds_render_recent },
	  .help = "the 50 volumes added last" },
	{ "/opds/updated.xml", { NODE_FILE, .render = opds_render_updated },
	  .help = "the 50 series with the newest volumes" },
	{ "/opds/series", { .type = NODE_DIR, .dynamic = 1 },
	  .help = "SERIES.xml: one feed per series, its volumes, linked to "
		  "their files in library/manga with their media types, and "
		  "to their covers" },
	{ "/opds/search.xml", { NODE_FILE,
				.render = opds_search_description },
	  .help = "the catalog's OpenSearch description: its template is "
		  "search/{searchTerms}.xml" },
	{ "/opds/search", { .type = NODE_DIR, .dynamic = 1 },
	  .help = "QUERY.xml: the series whose name holds each word of "
		  "QUERY, else the volumes whose title does, among what the "
		  "reader may see (the folder lists nothing)" },
	{ "/opds/covers", { .type = NODE_DIR, .dynamic = 1 },
	  .help = "each volume archive's first page, by the name its feed "
		  "gives (the folder lists nothing), as the scan last found "
		  "it: no feed opens an archive" },
	{ "/opds/files", { .type = NODE_DIR, .dynamic = 1 },
	  .help = "SERIES/FILE: each volume's file as the feeds "
		  "link it, a folder of images as a .cbz made of it (the "
		  "folder lists nothing)" },
	{ "/opds/pages", { .type = NODE_DIR, .dynamic = 1 },
	  .help = "page N of each cbz, cbr or cb7 volume as FILE/N "
		  "(OPDS-PSE page streaming; the folders list nothing)" },
	{ "/playlists", { .type = NODE_DIR },
	  .help = "M3U8 playlists of the tracks the reader may read, each "
		  "track by the absolute path of its real file" },
	{ "/playlists/recent.m3u8", { NODE_FILE,
				      .render = playlists_render_recent },
	  .help = "the 100 tracks added last" },
	{ "/playlists/duplicates.m3u8", { NODE_FILE,
					  .render =
					  playlists_render_duplicates },
	  .help = "the groups of duplicates the analysis found" },
	{ "/playlists/similar", { .type = NODE_DIR, .dynamic = 1 },
	  .help = "ARTIST - TITLE.m3u8: the track, then the 25 most alike" },
	{ "/playlists/mix", { .type = NODE_DIR, .dynamic = 1 },
	  .help = "ARTIST - TITLE.m3u8: those within 3 LU of its loudness" },
	{ "/playlists/genre", { .type = NODE_DIR, .dynamic = 1 },
	  .help = "GENRE.m3u8: a playlist per genre" },
	{ "/playlists/decade", { .type = NODE_DIR, .dynamic = 1 },
	  .help = "1990s.m3u8: a playlist per decade" },
	{ "/playlists/mpd", { .type = NODE_DIR, .dynamic = 1 },
	  .help = "all of them flat as .m3u, for MPD's playlist_directory" },
	{ "/playlists/own", { .type = NODE_DIR, .dynamic = 1 },
	  .help = "NAME.m3u8: the playlists the reader made through the "
		  "OpenSubsonic API (its account of the same name)" },
	{ "/playlists/library", { .type = NODE_DIR, .dynamic = 1 },
	  .help = "the same playlists but mpd/, each track by a path "
		  "relative to the playlist, into library/music/albums/: "
		  "for a player that sees the mount alone" },
	{ "/library", { .type = NODE_DIR },
	  .help = "the library as folders of the real files" },
	{ "/library/music", { .type = NODE_DIR },
	  .help = "the music as folders of the real files (read-only), "
		  "each album's holding \"NN - TITLE.EXT\" files and the "
		  "album's cover as cover.jpg and folder.jpg (.png, .webp: "
		  "the image's own type); artist folders hold artist.jpg "
		  "when there is an image; a track is one file, hard-linked "
		  "in each view" },
	{ "/library/music/artists", { .type = NODE_DIR, .dynamic = 1 },
	  .help = "ARTIST/ALBUM (YEAR)/" },
	{ "/library/music/albums", { .type = NODE_DIR, .dynamic = 1 },
	  .help = "ALBUM (ARTIST)/" },
	{ "/library/music/genres", { .type = NODE_DIR, .dynamic = 1 },
	  .help = "GENRE/ARTIST/ALBUM (YEAR)/" },
	{ "/library/music/years", { .type = NODE_DIR, .dynamic = 1 },
	  .help = "YEAR/ARTIST - ALBUM/" },
	{ "/library/manga", { .type = NODE_DIR, .dynamic = 1 },
	  .help = "one folder per series: its volumes in order, and an "
		  "empty \"MISSING - VOLUME N\" for each gap" },
	{ "/search", { .type = NODE_DIR, .dynamic = 1 },
	  .help = "QUERY/: the tracks whose title, artist or album hold "
		  "every word of QUERY (as word starts, accents ignored)" },
	{ "/similar", { .type = NODE_DIR, .dynamic = 1 },
	  .help = "QUERY/: the 25 tracks that sound most like the best "
		  "match of QUERY (once analysed)" },
	{ "/log", { NODE_FILE, .render = render_log,
		    .owner_only = 1, .grows = 1 },
	  .help = "the last log lines, a control character in one shown "
		  "as \\xHH; grows: tail -f shows new ones" },
};

#define NR_FIXED (ARRAY_SIZE(fixed))

/* The files of each series folder (fs/tree/manga_view.c), listed after
 * /manga's help as /manga/SERIES/NAME. */
static const struct {
	const char *name, *help;
} series_files[] = {
	{ "volumes",
	  "the volumes owned, one number per line" },
	{ "missing",
	  "the volumes missing, one per line" },
	{ "monitored",
	  "1 or 0; write 0 to leave the series out of "
	  "status/missing, 1 to bring it back" },
	{ "latest",
	  "the latest volume published, if known; write a number (a "
	  "check of new volumes starts), or an empty line to forget "
	  "it" },
	{ "source",
	  "where news of the series comes from, as written (the ids "
	  "searches found are in status.json); write it" },
	{ "edition",
	  "the edition whose new volumes are followed (fr, en, "
	  "ja...); an empty write follows [monitor] edition" },
	{ "preferences",
	  "the series' own [release] keys, \"KEY = VALUE\" items on "
	  "lines or after \";\", and save_path (where the torrent "
	  "client saves its downloads); an empty write forgets them" },
	{ "status.json",
	  "all of it, with chapters, specials and files whose names "
	  "say no volume, and the count of volumes out: its source, "
	  "edition and time" },
	{ "results.json",
	  "the releases found for this series" },
	{ "cover.EXT",
	  "the series' cover: the first page of its first volume that "
	  "has one, EXT the image's own type" },
	{ "VOLUME.pages/",
	  "a folder per volume archive whose pages were found: 0001.EXT "
	  "(the cover), 0002.EXT... in reading order" },
};

/* A name of /manga, or an editor's temporary file there, or the file one
 * was renamed onto (fs/tree/scratch.h). */
static int manga_resolve(const char *path, struct node *out)
{
	struct strbuf target = STRBUF_INIT;
	int rc = manga_view_resolve(path + 7, out);

	if (rc == -ENOENT)
		rc = scratch_find(path, out, &target);
	if (rc == 1)
		rc = manga_view_resolve(target.buf + 7, out);
	strbuf_release(&target);
	return rc;
}

int nodes_resolve(const char *path, struct node *out)
{
	for (size_t i = 0; i < NR_FIXED; i++) {
		if (!strcmp(fixed[i].path, path)) {
			*out = fixed[i].node;
			return 0;
		}
	}
	if (!strncmp(path, "/manga/", 7))
		return manga_resolve(path, out);
	if (!strncmp(path, "/opds/series/", 13))
		return opds_resolve(path + 13, out);
	if (!strncmp(path, "/opds/covers/", 13))
		return opds_cover_resolve(path + 13, out);
	if (!strncmp(path, "/opds/search/", 13))
		return opds_search_resolve(path + 13, out);
	if (!strncmp(path, "/opds/files/", 12))
		return opds_file_resolve(path + 12, out);
	if (!strncmp(path, "/opds/pages/", 12))
		return opds_pages_resolve(path + 12, out);
	if (!strncmp(path, "/playlists/", 11))
		return playlists_resolve(path + 11, out);
	if (views_owns(path))
		return views_resolve(path, out);
	return -ENOENT;
}

void nodes_child_path(struct strbuf *out, const char *dir, const char *name)
{
	strbuf_reset(out);
	strbuf_addstr(out, dir);
	if (strcmp(dir, "/"))
		strbuf_addch(out, '/');
	strbuf_addstr(out, name);
}

mode_t nodes_mode(const struct node *n)
{
	mode_t others = n->owner_only ? 0700 : 0777;

	switch (n->type) {
	case NODE_DIR:
		/* a series folder takes its settings' editors' files */
		return S_IFDIR | ((n->series && !n->stat_series ? 0755 :
				   0555) & others);
	case NODE_CONTROL:
		return S_IFREG | (0644 & others);
	default:
		return S_IFREG | (0444 & others);
	}
}

void nodes_identity(const struct node *n, uint64_t ino, struct stat *st)
{
	st->st_ino = ino;
	if (n->type != NODE_REAL || n->names <= 0 || !n->file)
		return;
	st->st_ino = n->file > 0 ? NODES_TRACK_INO | (uint64_t)n->file :
		NODES_TRACK_INO | NODES_PICTURE_INO | (uint64_t)-n->file;
	st->st_nlink = n->names;
}

int nodes_render(const struct node *n, struct strbuf *out)
{
	if (n->render_series)
		return n->render_series(out, n->series);
	if (n->snapshot && n->render)
		return snapshots_render(n, out);
	return n->render ? n->render(out) : -EISDIR;
}

/* The stamp of the series settings' time (fs/tree/stamps.h), kept across
 * restarts. */
#define SETTINGS_STAMP "/.settings"

int nodes_write(const struct node *n, const char *buf, size_t len)
{
	struct timespec now;
	int rc;

	if (!n->write_series)
		return n->write ? n->write(buf, len) : -EACCES;
	rc = n->write_series(buf, len, n->series);
	/* a content of its own each write: a new time */
	if (rc >= 0 && !clock_gettime(CLOCK_REALTIME, &now))
		stamps_seen(SETTINGS_STAMP, 0, (uint64_t)now.tv_sec *
			    1000000000ULL + (uint64_t)now.tv_nsec);
	return rc;
}

/* Set once by the mount's start, read by the threads of both doors. */
static void (*written_fn)(void);

void nodes_on_written(void (*fn)(void))
{
	__atomic_store_n(&written_fn, fn, __ATOMIC_RELEASE);
}

void nodes_written(void)
{
	void (*fn)(void) = __atomic_load_n(&written_fn, __ATOMIC_ACQUIRE);

	if (fn)
		fn();
}

struct timespec nodes_settings_mtime(void)
{
	return stamps_last(SETTINGS_STAMP, 0);
}

int nodes_children(const char *path,
		  int (*fn)(const char *name, const struct node *child,
			    void *arg),
		  void *arg)
{
	size_t dlen = strlen(path);

	if (!strcmp(path, "/manga") || !strncmp(path, "/manga/", 7))
		return manga_view_list(path[6] ? path + 7 : "", fn, arg);
	if (!strcmp(path, "/opds/series"))
		return opds_list(fn, arg);
	if (!strcmp(path, "/opds/covers") || !strcmp(path, "/opds/pages") ||
	    !strcmp(path, "/opds/search") ||
	    !strncmp(path, "/opds/pages/", 12) ||
	    !strcmp(path, "/opds/files") || !strncmp(path, "/opds/files/", 12))
		return 0;
	if (!strncmp(path, "/playlists/", 11))
		return playlists_list(path + 11, fn, arg);
	if (views_owns(path))
		return views_list(path, fn, arg);
	for (size_t i = 0; i < NR_FIXED; i++) {
		const char *p = fixed[i].path, *name;

		if (!strcmp(p, path) || strncmp(p, path, dlen))
			continue;
		name = p + dlen + (dlen > 1);
		if (dlen > 1 && p[dlen] != '/')
			continue;
		if (!*name || strchr(name, '/'))
			continue;
		if (fn(name, &fixed[i].node, arg))
			break;
	}
	return 0;
}

void nodes_each_help(void (*fn)(const char *path, const char *help,
				void *arg),
		     void *arg)
{
	char path[128];

	for (size_t i = 0; i < NR_FIXED; i++) {
		if (!fixed[i].help)
			continue;
		snprintf(path, sizeof(path), "%s%s", fixed[i].path,
			 fixed[i].node.type == NODE_DIR ? "/" : "");
		fn(path, fixed[i].help, arg);
		if (strcmp(fixed[i].path, "/manga"))
			continue;
		for (size_t j = 0; j < ARRAY_SIZE(series_files); j++) {
			snprintf(path, sizeof(path), "/manga/SERIES/%s",
				 series_files[j].name);
			fn(path, series_files[j].help, arg);
		}
	}
}

#define README_COLUMN 21	/* where a help starts */
#define README_WIDTH 74

/* A path of the README, then its help cut at blanks into lines from
 * README_COLUMN on; a series' file is indented under /manga. */
static void readme_line(const char *path, const char *help, void *arg)
{
	struct strbuf *out = arg;
	const char *s = help, *cut, *name = path + 1;
	size_t room = README_WIDTH - README_COLUMN;
	int at = 0;

	if (!strncmp(path, "/manga/SERIES/", 14)) {
		name = path + 14;
		at = 2;
	}
	strbuf_addf(out, "%*s%s", at, "", name);
	at += strlen(name);
	if (at >= README_COLUMN) {
		strbuf_addch(out, '\n');
		at = 0;
	}
	while (*s) {
		cut = s + strlen(s);
		if ((size_t)(cut - s) > room) {
			cut = s + room;
			while (cut > s && *cut != ' ')
				cut--;
			if (cut == s)
				cut = strchrnul(s + room, ' ');
		}
		strbuf_addf(out, "%*s%.*s\n", README_COLUMN - at, "",
			    (int)(cut - s), s);
		at = 0;
		s = *cut ? cut + 1 : cut;
	}
}

static int readme(struct strbuf *out)
{
	strbuf_addstr(out, "mediamon " MEDIAMON_VERSION
		      " - your media library, as files.\n\n");
	nodes_each_help(readme_line, out);
	strbuf_addstr(out,
"\n"
"Track files carry their tags and analysis (bpm, loudness_lufs, gain_db,\n"
"album_gain_db, peak) as extended attributes: getfattr -d -e text FILE\n"
"(without -e text, getfattr shows non-ASCII text in base64).\n"
"\n"
"Changes on disk reach the index by themselves, about a fifth of a second\n"
"after they happen; in folders the kernel's watch limit left unwatched,\n"
"at the next poll (see status/health).\n"
"\n"
"Files are generated when opened; each open sees one consistent snapshot.\n"
"sed -i and vim save the writable files of a series; a refused save\n"
"changes nothing and is a line of log. Blanks around a command, a CRLF\n"
"line end and the case of command words do not matter. Writing anything\n"
"else to a control file fails with \"Invalid argument\", changes nothing\n"
"and says why in log.\n");
	return 0;
}
