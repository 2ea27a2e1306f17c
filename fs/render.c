/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The documents the mount makes without the store (render.h): /README,
 * /log and /status/health's own lines. The index's lines of health are
 * render_health.c's. It writes no file.
 */
#include "fs/render.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/redact.h"
#include "common/strbuf.h"
#include "fs/render_health.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

/* Why the last reload was refused (empty when it was not), until one
 * works: what runs is not what the file on disk says; and what the HTTP
 * listener could not do at the last reload. */
static struct {
	pthread_mutex_t lock;
	char why[1024];
	char http[512];
} refusal = { .lock = PTHREAD_MUTEX_INITIALIZER };

void render_reload_refused(const char *why)
{
	pthread_mutex_lock(&refusal.lock);
	snprintf(refusal.why, sizeof(refusal.why), "%s", why ? why : "");
	pthread_mutex_unlock(&refusal.lock);
}

void render_http_fault(const char *why)
{
	pthread_mutex_lock(&refusal.lock);
	snprintf(refusal.http, sizeof(refusal.http), "%s", why ? why : "");
	pthread_mutex_unlock(&refusal.lock);
}

/* A backup that failed leaves the store without its newest safe copy,
 * one that did not reach backup_dir without its copy on another disk:
 * that is the owner's to know until one goes again, not a log line. */
static void backup_health(struct strbuf *out, struct strbuf *warn)
{
	struct indexer_status s;
	char at[CLOCK_RFC3339_LEN];

	indexer_status(&s);
	if (s.jobs.backup_error) {
		clock_rfc3339((time_t)s.jobs.backup_failed_at, at);
		strbuf_addf(out, "error: backup failed at %s: %s (see /log)\n",
			    at, strerror(-s.jobs.backup_error));
	}
	if (s.jobs.far_error) {
		clock_rfc3339((time_t)s.jobs.far_failed_at, at);
		strbuf_addf(warn, "warn: backup: the copy into backup_dir"
			    " failed at %s: %s (see /log)\n", at,
			    strerror(-s.jobs.far_error));
	}
}

/* Its lines quote remote answers and configured URLs: all redact()ed. */
int render_health(struct strbuf *out)
{
	struct strbuf lines = STRBUF_INIT, warn = STRBUF_INIT;
	int rc;

	pthread_mutex_lock(&refusal.lock);
	if (refusal.why[0])
		strbuf_addf(&lines, "error: reload refused: %s; the "
			    "configuration from before is in use\n",
			    refusal.why);
	if (refusal.http[0])
		strbuf_addf(&lines, "error: http: %s (see /log)\n",
			    refusal.http);
	pthread_mutex_unlock(&refusal.lock);
	backup_health(&lines, &warn);
	rc = render_health_lines(&lines);
	/* the warnings come last, and there is no "ok" beside them */
	if (warn.len && !strcmp(lines.buf, "ok\n"))
		strbuf_reset(&lines);
	strbuf_add(&lines, warn.buf, warn.len);
	redact(lines.buf, REDACT_MASK, out);
	strbuf_release(&warn);
	strbuf_release(&lines);
	return rc;
}

int render_log(struct strbuf *out)
{
	log_ring_dump(out);
	return 0;
}

/* The README's opening and its library's status, metrics and control files. */
static void readme_library(struct strbuf *out)
{
	strbuf_addstr(out,
"mediamon " MEDIAMON_VERSION " - your media library, as files.\n"
"\n"
"status/summary.json  version, uptime, state (idle, scanning, checking,\n"
"                     repairing, or paused while the analysis is paused),\n"
"                     counts of\n"
"                     tracks, albums (with and without cover art),\n"
"                     artists and files, the roots, the\n"
"                     last scan, scan progress while one runs, the watcher\n"
"status/health        \"ok\", or one line per problem (\"warn: ...\",\n"
"                     \"error: ...\")\n"
"metrics/scan.json    the last finished scan, the running one (or null),\n"
"                     and totals over all scans: success rate in percent,\n"
"                     average and last durations, bytes read\n"
"metrics/scan.csv     one row per scan, newest last\n"
"metrics/scans.json   every scan kept, newest first: files seen and failed,\n"
"                     success %, MB and files a second, the first errors\n"
"                     in words; totals\n"
"metrics/scans.svg    a chart of the last 100 scans: files per second and\n"
"                     duration, full scans marked\n"
"metrics/checks.svg   a chart of the last 100 checks for manga volumes:\n"
"                     volumes wanted and found, releases sent and failed\n"
"metrics/repairs.svg  a chart of the last 100 debrid repair passes:\n"
"                     torrents repaired and failed\n"
"metrics/watch.json   the live index: directories watched, events by kind,\n"
"                     batches, and the delay from a change on disk to the\n"
"                     index (p50, p95, max in ms)\n"
"control/rescan       write 1 to rescan every root (only changed files\n"
"                     are read), \"full\" to re-read every file's tags,\n"
"                     \"confirm-removal\" to remove the files gone that a\n"
"                     scan kept (too many at once), or an absolute path\n"
"                     inside a root to rescan just that;\n"
"                     read it to see the state\n"
"status/no-cover      one line per album without cover art (no image in\n"
"                     its folder, none in its tags): ALBUM ARTIST, ALBUM\n"
"                     and its FOLDER, tab-separated\n"
"status/tag-errors    one line per music file whose tags are damaged or\n"
"                     could not be read (it is indexed by what was read,\n"
"                     or its name): PATH, a tab, why\n"
"status/duplicates    files holding one recording (their audio fingerprints\n"
"                     match, or their MusicBrainz recording ids do and their\n"
"                     lengths are within 2 s): a path per line, a blank line\n"
"                     between groups\n"
"status/duplicates.json\n"
"                     the same as [{reason (audio, musicbrainz), paths}]\n");
}

/* The README's manga monitor, debrid repair and daemon control files. */
static void readme_monitor_repair(struct strbuf *out)
{
	strbuf_addstr(out,
"status/missing       one line per missing manga volume: SERIES, a tab,\n"
"                     the volume number (monitored series only)\n"
"status/missing.json  the same as [{series, volume, series_path}]\n"
"status/unparsed      one line per manga volume file or folder whose name\n"
"                     gives no volume number: its PATH, a tab, the reason\n"
"                     (rename it with a marker: \"Series T05.cbz\")\n"
"status/new           one line per volume published but not owned\n"
"status/new.json      the same, with the count, its source and edition\n"
"status/found.json    the releases found for each wanted volume, best\n"
"                     first, and what the hand-off did with each: sent,\n"
"                     dry-run, skipped or failed, and why\n"
"status/downloads.json each hand-off as the client is followed: queued,\n"
"                     downloading, completed, imported or failed, its\n"
"                     progress, id in the client and reason\n"
"metrics/monitor.json the search cache, each service's rate limit and\n"
"                     requests, and what the last checks cost\n"
"metrics/requests.json each remote service's request budget: requests in\n"
"                     the open minute and its limit, when it resets, any\n"
"                     pause and backoff, the last refusal (429, 403)\n"
"metrics/checks.csv   one row per check of the monitor, newest last:\n"
"                     requests per source, cache hits, found, sent,\n"
"                     skipped, failed, errors\n"
"metrics/analysis.json the background audio analysis: tracks analysed,\n"
"                     queued, failed and too short (under 3 s), tracks per\n"
"                     second, audio seconds per CPU second, the last error\n"
"metrics/fuse.json    how the mount answers: its loop, the threads that\n"
"                     may answer, the requests answered since the start\n"
"                     and those being answered now\n"
"metrics/prometheus   every counter and gauge of the files above in the\n"
"                     Prometheus text format (mediamon_..., units in names)\n"
"metrics/mediamon.prom the same, named for node_exporter's textfile\n"
"                     collector (point it at this folder)\n"
"control/check-missing  write 1 to search for missing volumes now\n"
"control/check-new    write 1 to ask what is published now\n"
"control/dry-run      1 or 0; while 1, nothing is sent or deleted\n"
"control/send         a release's id (status/found.json) to send now\n"
"control/blocklist    a release's id (status/found.json) never to be sent\n"
"                     again, \"remove ID\" to take it off\n"
"status/broken        one line per dead debrid link: LINK, a tab,\n"
"                     TARGET, a tab, its state (unmapped, broken,\n"
"                     repairing, waiting_retry, repaired, failed)\n"
"status/broken.json   the same with torrent, reason, next retry, plan\n"
"status/orphans       dead links no torrent of the account explains:\n"
"                     LINK, a tab, TARGET, a tab, how long so\n"
"status/debrid-torrents.json  the debrid account's torrents: id, name,\n"
"                     hash, status, bytes, times (owner only)\n"
"status/debrid-magnets  a magnet link per torrent of the account\n"
"status/repairs.json  repair queue, retry queue, failures, old torrents\n"
"                     still to delete, recent debrid requests, the\n"
"                     mount guard, dry_run, the next pass, and the\n"
"                     listing of the account (sync: pages_done,\n"
"                     torrents_seen, started_at ...)\n"
"metrics/repair.json  debrid requests by endpoint, rate limits,\n"
"                     repairs done and failed, links deleted, old\n"
"                     torrents still to delete, its request budget\n"
"metrics/repair.csv   one row per repair pass, oldest first\n"
"control/repair       write \"scan\" to find and map dead links, \"run\"\n"
"                     to repair them too (dry-run: plan only), \"resync\"\n"
"                     to list the whole account again, \"retry ID\" or\n"
"                     \"forget ID\" for a torrent that failed\n"
"control/maintenance  write \"backup\", \"prune\" (drop old history) or\n"
"                     \"vacuum\" to have it done now\n"
"control/log-level    debug, info, warn or error: what /log and the system\n"
"                     log get from now on; read it for the level in use\n"
"control/pause        1 pauses the audio analysis, 0 resumes it\n"
"control/reset-metrics 1 sets the counters since the start to zero (the\n"
"                     history in the database stays)\n");
}

/* The README's views of the library, and how its files behave. */
static void readme_views(struct strbuf *out)
{
	strbuf_addstr(out,
"manga/SERIES/        one folder per manga series:\n"
"  volumes            the volumes owned, one number per line\n"
"  missing            the volumes missing, one per line\n"
"  monitored          1 or 0; write 0 to leave the series out of\n"
"                     status/missing, 1 to bring it back\n"
"  latest             the latest volume published, if known; write a\n"
"                     number (a check of new volumes starts), or an\n"
"                     empty line to forget it\n"
"  source             where news of the series comes from; write it\n"
"  edition            the edition whose new volumes are followed (fr, en,\n"
"                     ja...); an empty write follows [monitor] edition\n"
"  preferences        the series' own [release] keys, \"KEY = VALUE\"\n"
"                     items on lines or after \";\", and save_path (where\n"
"                     the torrent client saves its downloads); an empty\n"
"                     write forgets them\n"
"  status.json        all of it, with chapters, specials and files\n"
"                     whose names say no volume, and the count of\n"
"                     volumes out: its source, edition and time\n"
"  results.json       the releases found for this series\n"
"                     (sed -i and vim save the writable files; a refused\n"
"                     save changes nothing and is a line of log)\n"
"library/music/       the music as folders of the real files (read-only):\n"
"                     artists/ARTIST/ALBUM (YEAR)/, albums/ALBUM (ARTIST)/,\n"
"                     genres/GENRE/ARTIST/ALBUM (YEAR)/, years/YEAR/ARTIST\n"
"                     - ALBUM/, each holding \"NN - TITLE.EXT\" files\n"
"                     and the album's cover as cover.jpg and folder.jpg\n"
"                     (.png, .webp: the image's own type); artist\n"
"                     folders hold artist.jpg when there is an image;\n"
"                     a track is one file, hard-linked in each view\n"
"library/manga/       one folder per series: its volumes in order, and an\n"
"                     empty \"MISSING - VOLUME N\" for each gap\n"
"opds/catalog.xml     the manga library as an OPDS 1.2 catalog: every\n"
"                     link is relative, so \"python3 -m http.server\"\n"
"                     (or nginx) run in the mount serves it to KOReader,\n"
"                     Panels and the like; each user's feeds hold only\n"
"                     the series and volumes that user may read\n"
"opds/series.xml      every series, A to Z\n"
"opds/recent.xml      the 50 volumes added last\n"
"opds/updated.xml     the 50 series with the newest volumes\n"
"opds/series/         one feed per series, SERIES.xml: its volumes,\n"
"                     linked to their files in library/manga with their\n"
"                     media types, and to their covers\n"
"opds/covers/         each volume archive's first page, by the name its\n"
"                     feed gives (the folder lists nothing), as the scan\n"
"                     last found it: no feed opens an archive\n"
"opds/pages/          page N of each cbz, cbr or cb7 volume as FILE/N\n"
"                     (OPDS-PSE page streaming; the folders list nothing)\n"
"playlists/           M3U8 playlists of the tracks the reader may\n"
"                     read: similar/ARTIST - TITLE.m3u8 (the track, then\n"
"                     the 25 most alike), mix/ (those within 3 LU of its\n"
"                     loudness), genre/GENRE.m3u8, decade/1990s.m3u8;\n"
"                     mpd/ holds them all flat as .m3u for MPD's\n"
"                     playlist_directory\n"
"playlists/recent.m3u8  the 100 tracks added last\n"
"playlists/duplicates.m3u8  the groups of duplicates the analysis found\n"
"search/QUERY/        the tracks whose title, artist or album hold every\n"
"                     word of QUERY (as word starts, accents ignored)\n"
"similar/QUERY/       the 25 tracks that sound most like the best match of\n"
"                     QUERY (once analysed)\n"
"                     Track files carry their tags and analysis (bpm,\n"
"                     loudness_lufs, gain_db, album_gain_db, peak) as\n"
"                     extended attributes: getfattr -d -e text FILE\n"
"                     (without -e text, getfattr shows non-ASCII text\n"
"                     in base64)\n"
"log                  the last log lines; grows: tail -f shows new ones\n"
"\n"
"Changes on disk reach the index by themselves, about a fifth of a second\n"
"after they happen; in folders the kernel's watch limit left unwatched,\n"
"at the next poll (see status/health).\n"
"\n"
"Files are generated when opened; each open sees one consistent snapshot.\n"
"Blanks around a command, a CRLF line end and the case of command words\n"
"do not matter. Writing anything else to a control file fails with\n"
"\"Invalid argument\", changes nothing and says why in log.\n");
}

int render_readme(struct strbuf *out)
{
	readme_library(out);
	readme_monitor_repair(out);
	readme_views(out);
	return 0;
}
