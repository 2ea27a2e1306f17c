/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Every path of the mount (nodes.h): the fixed table of directories,
 * generated and control files, and the views for the rest. It renders and
 * commands nothing itself; the functions the table names do.
 */
#include "fs/nodes.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/bytes.h"
#include "common/strbuf.h"
#include "fs/control.h"
#include "fs/manga_view.h"
#include "fs/opds.h"
#include "fs/opds_cover.h"
#include "fs/opds_pages.h"
#include "fs/playlists.h"
#include "fs/render.h"
#include "fs/render_charts.h"
#include "fs/render_monitor.h"
#include "fs/render_analysis.h"
#include "fs/render_repair.h"
#include "fs/render_requests.h"
#include "indexer/reads.h"
#include "fs/render_fuse.h"
#include "fs/render_manga.h"
#include "fs/render_prometheus.h"
#include "fs/render_status.h"
#include "fs/render_scans.h"
#include "fs/scratch.h"
#include "fs/series_shown.h"
#include "fs/snapshots.h"
#include "fs/views.h"

static const struct {
	const char *path;
	struct node node;
} fixed[] = {
	{ "/", { .type = NODE_DIR } },
	{ "/README", { NODE_FILE, .render = render_readme } },
	{ "/status", { .type = NODE_DIR } },
	{ "/status/summary.json", { NODE_FILE, .render = render_summary } },
	{ "/status/health", { NODE_FILE, .render = render_health } },
	{ "/status/missing", { NODE_FILE,
			       .render = series_shown_missing } },
	{ "/status/missing.json", { NODE_FILE,
				    .render = render_manga_missing_json,
				    .owner_only = 1 } },
	{ "/status/unparsed", { NODE_FILE, .render = render_manga_unparsed,
				.owner_only = 1, .snapshot = 1 } },
	{ "/status/new", { NODE_FILE, .render = series_shown_new } },
	{ "/status/new.json", { NODE_FILE, .render = render_monitor_new_json,
				.owner_only = 1 } },
	{ "/status/found.json", { NODE_FILE,
				  .render = series_shown_found } },
	{ "/status/downloads.json", { NODE_FILE,
				      .render = render_monitor_downloads,
				      .owner_only = 1 } },
	{ "/status/broken", { NODE_FILE, .render = render_repair_broken,
			      .owner_only = 1 } },
	{ "/status/broken.json", { NODE_FILE,
				   .render = render_repair_broken_json,
				   .owner_only = 1 } },
	{ "/status/debrid-torrents.json", { NODE_FILE,
					    .render =
					    render_repair_torrents_json,
					    .owner_only = 1 } },
	{ "/status/debrid-magnets", { NODE_FILE,
				      .render = render_repair_magnets,
				      .owner_only = 1 } },
	{ "/status/orphans", { NODE_FILE, .render = render_repair_orphans,
			       .owner_only = 1 } },
	{ "/status/repairs.json", { NODE_FILE,
				    .render = render_repairs_json,
				    .owner_only = 1 } },
	{ "/status/no-cover", { NODE_FILE, .render = render_no_cover,
				.owner_only = 1, .snapshot = 1 } },
	{ "/status/tag-errors", { NODE_FILE, .render = render_tag_errors,
				  .owner_only = 1, .snapshot = 1 } },
	{ "/status/duplicates", { NODE_FILE, .render = render_duplicates,
				  .owner_only = 1, .snapshot = 1 } },
	{ "/status/duplicates.json", { NODE_FILE,
				       .render = render_duplicates_json,
				       .owner_only = 1, .snapshot = 1 } },
	{ "/metrics", { .type = NODE_DIR } },
	{ "/metrics/scan.json", { NODE_FILE, .render = render_scan_json } },
	{ "/metrics/scan.csv", { NODE_FILE, .render = render_scan_csv } },
	{ "/metrics/scans.json", { NODE_FILE, .render = render_scans_json } },
	{ "/metrics/scans.svg", { NODE_FILE, .render = render_scans_svg } },
	{ "/metrics/checks.svg", { NODE_FILE, .render = render_checks_svg } },
	{ "/metrics/repairs.svg", { NODE_FILE,
				    .render = render_repairs_svg } },
	{ "/metrics/watch.json", { NODE_FILE, .render = render_watch_json } },
	{ "/metrics/monitor.json", { NODE_FILE,
				     .render = render_monitor_json } },
	{ "/metrics/checks.csv", { NODE_FILE,
				   .render = render_monitor_checks_csv } },
	{ "/metrics/repair.json", { NODE_FILE, .render = render_repair_json } },
	{ "/metrics/requests.json", { NODE_FILE,
				      .render = render_requests_json } },
	{ "/metrics/repair.csv", { NODE_FILE, .render = render_repair_csv } },
	{ "/metrics/analysis.json", { NODE_FILE,
				      .render = render_analysis_json } },
	{ "/metrics/fuse.json", { NODE_FILE, .render = render_fuse_json } },
	{ "/metrics/prometheus", { NODE_FILE, .render = render_prometheus } },
	{ "/metrics/mediamon.prom", { NODE_FILE,
				      .render = render_prometheus } },
	{ "/control", { .type = NODE_DIR } },
	{ "/control/rescan", { NODE_CONTROL,
			       .render = control_rescan_render,
			       .write = control_rescan_write } },
	{ "/control/check-missing", { NODE_CONTROL,
				      .render = control_check_missing_render,
				      .write = control_check_missing_write } },
	{ "/control/check-new", { NODE_CONTROL,
				  .render = control_check_new_render,
				  .write = control_check_new_write } },
	{ "/control/repair", { NODE_CONTROL,
			       .render = control_repair_render,
			       .write = control_repair_write } },
	{ "/control/maintenance", { NODE_CONTROL,
				    .render = control_maintenance_render,
				    .write = control_maintenance_write } },
	{ "/control/dry-run", { NODE_CONTROL,
				.render = control_dry_run_render,
				.write = control_dry_run_write } },
	{ "/control/log-level", { NODE_CONTROL,
				  .render = control_log_level_render,
				  .write = control_log_level_write } },
	{ "/control/pause", { NODE_CONTROL,
			      .render = control_pause_render,
			      .write = control_pause_write } },
	{ "/control/send", { NODE_CONTROL,
			     .render = control_send_render,
			     .write = control_send_write } },
	{ "/control/blocklist", { NODE_CONTROL,
				  .render = control_blocklist_render,
				  .write = control_blocklist_write } },
	{ "/control/reset-metrics", { NODE_CONTROL,
				      .render = control_reset_metrics_render,
				      .write = control_reset_metrics_write } },
	{ "/manga", { .type = NODE_DIR, .dynamic = 1 } },
	{ "/opds", { .type = NODE_DIR } },
	{ "/opds/catalog.xml", { NODE_FILE, .render = opds_render_catalog } },
	{ "/opds/series.xml", { NODE_FILE,
				.render = opds_render_series_list } },
	{ "/opds/recent.xml", { NODE_FILE, .render = opds_render_recent } },
	{ "/opds/updated.xml", { NODE_FILE, .render = opds_render_updated } },
	{ "/opds/series", { .type = NODE_DIR, .dynamic = 1 } },
	{ "/opds/covers", { .type = NODE_DIR, .dynamic = 1 } },
	{ "/opds/files", { .type = NODE_DIR, .dynamic = 1 } },
	{ "/opds/pages", { .type = NODE_DIR, .dynamic = 1 } },
	{ "/playlists", { .type = NODE_DIR } },
	{ "/playlists/recent.m3u8", { NODE_FILE,
				      .render = playlists_render_recent } },
	{ "/playlists/duplicates.m3u8", { NODE_FILE,
					  .render =
					  playlists_render_duplicates } },
	{ "/playlists/similar", { .type = NODE_DIR, .dynamic = 1 } },
	{ "/playlists/mix", { .type = NODE_DIR, .dynamic = 1 } },
	{ "/playlists/genre", { .type = NODE_DIR, .dynamic = 1 } },
	{ "/playlists/decade", { .type = NODE_DIR, .dynamic = 1 } },
	{ "/playlists/mpd", { .type = NODE_DIR, .dynamic = 1 } },
	{ "/playlists/library", { .type = NODE_DIR, .dynamic = 1 } },
	{ "/library", { .type = NODE_DIR } },
	{ "/library/music", { .type = NODE_DIR } },
	{ "/library/music/artists", { .type = NODE_DIR, .dynamic = 1 } },
	{ "/library/music/albums", { .type = NODE_DIR, .dynamic = 1 } },
	{ "/library/music/genres", { .type = NODE_DIR, .dynamic = 1 } },
	{ "/library/music/years", { .type = NODE_DIR, .dynamic = 1 } },
	{ "/library/manga", { .type = NODE_DIR, .dynamic = 1 } },
	{ "/search", { .type = NODE_DIR, .dynamic = 1 } },
	{ "/similar", { .type = NODE_DIR, .dynamic = 1 } },
	{ "/log", { NODE_FILE, .render = render_log,
		    .owner_only = 1, .grows = 1 } },
};

#define NR_FIXED (ARRAY_SIZE(fixed))

/* A name of /manga, or an editor's temporary file there, or the file one
 * was renamed onto (fs/scratch.h). */
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
	if (n->type != NODE_REAL || n->names <= 0 || n->file <= 0)
		return;
	st->st_ino = NODES_TRACK_INO | (uint64_t)n->file;
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

/* When a series setting was last written through the mount; 0 until
 * then. */
static int64_t settings_written_ns;

int nodes_write(const struct node *n, const char *buf, size_t len)
{
	struct timespec now;
	int rc;

	if (!n->write_series)
		return n->write ? n->write(buf, len) : -EACCES;
	rc = n->write_series(buf, len, n->series);
	if (rc >= 0 && !clock_gettime(CLOCK_REALTIME, &now))
		__atomic_store_n(&settings_written_ns, now.tv_sec *
				 1000000000LL + now.tv_nsec, __ATOMIC_RELAXED);
	return rc;
}

struct timespec nodes_settings_mtime(struct timespec start)
{
	int64_t ns = __atomic_load_n(&settings_written_ns, __ATOMIC_RELAXED);

	if (!ns)
		return start;
	return (struct timespec){ ns / 1000000000LL, ns % 1000000000LL };
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
