#include "indexer/store/query_charts.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/db.h"
#include "common/strbuf.h"
#include "common/svg.h"
#include "indexer/store/reader.h"

#define MAX_VALUES 7
#define STRING(x) #x
#define LIMIT(n) " LIMIT " STRING(n)

/* The rows of a history, oldest first: each its id, when it started and
 * up to MAX_VALUES figures (NAN where the store has NULL). */
struct history {
	long long id[QUERY_CHART_ROWS];
	double started[QUERY_CHART_ROWS];
	double value[MAX_VALUES][QUERY_CHART_ROWS];
	int nr;
};

/* sql selects id, started_at and nr_values figures of at most
 * QUERY_CHART_ROWS rows, newest first; they are kept oldest first. */
static int read_history(const char *sql, int nr_values, struct history *h)
{
	sqlite3 *db = reader_begin();
	sqlite3_stmt *st;
	int rc;

	h->nr = 0;
	if (!db)
		return -EIO;
	rc = db_prepare(db, sql, &st);
	if (!rc) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			int at = QUERY_CHART_ROWS - 1 - h->nr++;

			h->id[at] = sqlite3_column_int64(st, 0);
			h->started[at] = sqlite3_column_double(st, 1);
			for (int v = 0; v < nr_values; v++)
				h->value[v][at] =
					sqlite3_column_type(st, 2 + v) ==
					SQLITE_NULL ? NAN :
					sqlite3_column_double(st, 2 + v);
		}
		rc = db_finalize(st, rc, "read the history");
	}
	reader_end(db);
	if (rc)
		return rc;
	/* the rows were put at the end, newest last: move them down */
	memmove(h->id, h->id + QUERY_CHART_ROWS - h->nr,
		h->nr * sizeof(*h->id));
	memmove(h->started, h->started + QUERY_CHART_ROWS - h->nr,
		h->nr * sizeof(*h->started));
	for (int v = 0; v < nr_values; v++)
		memmove(h->value[v], h->value[v] + QUERY_CHART_ROWS - h->nr,
			h->nr * sizeof(**h->value));
	return 0;
}

/* "the last 42 scans, 2026-11-20 16:00 to 2026-11-23 16:46 UTC". */
static void span(char *buf, size_t len, const struct history *h,
		 const char *what, const char *whats)
{
	char from[CLOCK_RFC3339_LEN], to[CLOCK_RFC3339_LEN];

	if (!h->nr) {
		snprintf(buf, len, "no %s yet", what);
		return;
	}
	clock_rfc3339((time_t)h->started[0], from);
	clock_rfc3339((time_t)h->started[h->nr - 1], to);
	from[10] = to[10] = ' ';
	from[16] = to[16] = '\0';
	snprintf(buf, len, "the last %d %s, %s to %s UTC", h->nr,
		 h->nr == 1 ? what : whats, from, to);
}

/* Chart c of the rows sql selects (see read_history()), its lines
 * pointing into h; the caller has set what the chart shows, this adds
 * the points and the subtitle that says which. */
static int chart(struct strbuf *out, struct history *h, struct svg_chart *c,
		 const char *sql, int nr_values, const char *what,
		 const char *whats)
{
	char subtitle[128], empty[64];
	int rc;

	rc = read_history(sql, nr_values, h);
	if (rc)
		return rc;
	c->subtitle = subtitle;
	c->empty = empty;
	c->x = h->id;
	c->nr_x = h->nr;
	span(subtitle, sizeof(subtitle), h, what, whats);
	snprintf(empty, sizeof(empty), "no %s yet", what);
	svg_chart(out, c);
	return 0;
}

/* Scans that ended, failed ones too (their figures are what they did);
 * full scans, which read every file, marked apart from quick ones. */
int query_scans_svg(struct strbuf *out)
{
	struct history h;
	const struct svg_line rate[] = {
		{ "files/s", "#1f77b4", h.value[0] },
	};
	const struct svg_line duration[] = {
		{ "duration", "#ff7f0e", h.value[1] },
	};
	const struct svg_panel panels[] = {
		{ "Files per second (files/s)", rate, 1, 0 },
		{ "Duration (seconds)", duration, 1, 0 },
	};
	struct svg_chart c = {
		.title = "mediamon: scans", .x_axis = "scan (id)",
		.panels = panels, .nr_panels = 2, .marked = h.value[2],
		.marked_label = "full scan",
	};

	return chart(out, &h, &c, "SELECT id, started_at, CASE WHEN"
		     " duration_s > 0 THEN files_seen / duration_s END,"
		     " duration_s, scope LIKE '%full' FROM scans"
		     " WHERE success IS NOT NULL ORDER BY id DESC"
		     LIMIT(QUERY_CHART_ROWS), 3, "scan", "scans");
}

/* The monitor's checks, both flows (missing and new volumes): what they
 * looked for, and what became of the releases handed off, on an axis of
 * its own so that a few failures do not lie flat under many wanted. */
int query_checks_svg(struct strbuf *out)
{
	struct history h;
	const struct svg_line volumes[] = {
		{ "wanted", "#1f77b4", h.value[0] },
		{ "found", "#2ca02c", h.value[1] },
	};
	const struct svg_line handoffs[] = {
		{ "sent", "#ff7f0e", h.value[2] },
		{ "failed", "#d62728", h.value[3] },
	};
	const struct svg_line downloads[] = {
		{ "completed", "#17becf", h.value[4] },
		{ "imported", "#8c564b", h.value[5] },
		{ "failed", "#e377c2", h.value[6] },
	};
	const struct svg_panel panels[] = {
		{ "Volumes per check", volumes, 2, 1 },
		{ "Releases handed off per check", handoffs, 2, 1 },
		{ "Downloads after each check", downloads, 3, 1 },
	};
	struct svg_chart c = {
		.title = "mediamon: missing and new volume checks",
		.x_axis = "check (id)", .panels = panels, .nr_panels = 3,
	};

	return chart(out, &h, &c, "SELECT id, started_at, wanted, found, sent,"
		     " failed, completed, imported, download_failed FROM checks"
		     " WHERE finished_at IS NOT NULL ORDER BY id DESC"
		     LIMIT(QUERY_CHART_ROWS), 7, "check", "checks");
}

int query_repairs_svg(struct strbuf *out)
{
	struct history h;
	const struct svg_line lines[] = {
		{ "repaired", "#2ca02c", h.value[0] },
		{ "failed", "#d62728", h.value[1] },
	};
	const struct svg_panel panel = { "Torrents per pass", lines, 2, 1 };
	struct svg_chart c = {
		.title = "mediamon: Real-Debrid repair passes",
		.x_axis = "pass (id)", .panels = &panel, .nr_panels = 1,
	};

	return chart(out, &h, &c, "SELECT id, started_at, repaired, failed FROM"
		     " rd_passes WHERE finished_at IS NOT NULL ORDER BY id DESC"
		     LIMIT(QUERY_CHART_ROWS), 2, "repair pass",
		     "repair passes");
}
