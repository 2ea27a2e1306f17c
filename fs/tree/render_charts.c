/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The SVG charts of the history (render_charts.h): scans, checks and
 * repair passes, drawn with common/svg.h from the rows the domains read.
 * It writes nothing.
 */
#include "fs/tree/render_charts.h"

#include <assert.h>
#include <stdio.h>

#include "common/clock.h"
#include "common/strbuf.h"
#include "common/svg.h"
#include "indexer/reads.h"

/* "the last 42 scans, 2026-11-20 16:00 to 2026-11-23 16:46 UTC", or
 * narrow "42 scans, 11-20 16:00 to 11-23 16:46 UTC". */
static void span(char *buf, size_t len, const struct history *h,
		 int narrow, const char *what, const char *whats)
{
	char from[CLOCK_RFC3339_LEN], to[CLOCK_RFC3339_LEN];
	int skip = narrow ? 5 : 0;

	if (!h->nr) {
		snprintf(buf, len, "no %s yet", what);
		return;
	}
	clock_rfc3339((time_t)h->started[0], from);
	clock_rfc3339((time_t)h->started[h->nr - 1], to);
	from[10] = to[10] = ' ';
	from[16] = to[16] = '\0';
	snprintf(buf, len, "%s%d %s, %s to %s UTC", narrow ? "" : "the last ",
		 h->nr, h->nr == 1 ? what : whats, from + skip, to + skip);
}

/* Chart c of the rows read into h, its lines pointing into h; the
 * caller has set what the chart shows, this adds the points, at the
 * times they started, the subtitle that says which, and the name of
 * mediamon to a wide chart's title. */
static void chart(struct strbuf *out, const struct history *h,
		  struct svg_chart *c, const char *what, const char *whats)
{
	char title[128], subtitle[128], empty[64];

	snprintf(title, sizeof(title), "%s%s", c->narrow ? "" : "mediamon: ",
		 c->title);
	c->title = title;
	c->subtitle = subtitle;
	c->empty = empty;
	c->x = h->started;
	c->nr_x = h->nr;
	span(subtitle, sizeof(subtitle), h, c->narrow, what, whats);
	snprintf(empty, sizeof(empty), "no %s yet", what);
	svg_chart(out, c);
}

/* Full scans, which read every file, are marked apart from quick ones. */
static int draw_scans(struct strbuf *out, int narrow)
{
	struct history h;
	const struct svg_line rate[] = {
		{ "files/s", "#1f77b4", h.value[SCAN_HISTORY_RATE] },
	};
	const struct svg_line duration[] = {
		{ "duration", "#ff7f0e", h.value[SCAN_HISTORY_DURATION] },
	};
	const struct svg_panel panels[] = {
		{ "Files per second (files/s)", rate, 1, 0 },
		{ "Duration (seconds)", duration, 1, 0 },
	};
	struct svg_chart c = {
		.title = "scans",
		.x_axis = "scan started (UTC)", .narrow = narrow,
		.panels = panels, .nr_panels = 2,
		.marked = h.value[SCAN_HISTORY_FULL],
		.marked_label = "full scan",
	};
	int rc = scan_history_read(&h);

	if (rc)
		return rc;
	chart(out, &h, &c, "scan", "scans");
	return 0;
}

/* The monitor's checks, both flows (missing and new volumes): what they
 * looked for, and what became of the releases handed off, on an axis of
 * its own so that a few failures do not lie flat under many wanted. */
static int draw_checks(struct strbuf *out, int narrow)
{
	struct history h;
	const struct svg_line volumes[] = {
		{ "wanted", "#1f77b4", h.value[MONITOR_CHECK_WANTED] },
		{ "found", "#2ca02c", h.value[MONITOR_CHECK_FOUND] },
	};
	const struct svg_line handoffs[] = {
		{ "sent", "#ff7f0e", h.value[MONITOR_CHECK_SENT] },
		{ "failed", "#d62728", h.value[MONITOR_CHECK_FAILED] },
	};
	const struct svg_line downloads[] = {
		{ "completed", "#17becf", h.value[MONITOR_CHECK_COMPLETED] },
		{ "imported", "#8c564b", h.value[MONITOR_CHECK_IMPORTED] },
		{ "failed", "#e377c2",
		  h.value[MONITOR_CHECK_DOWNLOAD_FAILED] },
	};
	const struct svg_panel panels[] = {
		{ "Volumes per check", volumes, 2, 1 },
		{ "Releases handed off per check", handoffs, 2, 1 },
		{ "Downloads after each check", downloads, 3, 1 },
	};
	struct svg_chart c = {
		.title = "missing and new volume checks",
		.x_axis = "check started (UTC)", .narrow = narrow,
		.panels = panels, .nr_panels = 3,
	};
	int rc = monitor_checks_history(&h);

	if (rc)
		return rc;
	chart(out, &h, &c, "check", "checks");
	return 0;
}

/* One panel: a pass repairs few torrents, so both lines share an axis. */
static int draw_repairs(struct strbuf *out, int narrow)
{
	struct history h;
	const struct svg_line lines[] = {
		{ "repaired", "#2ca02c", h.value[RD_PASS_REPAIRED] },
		{ "failed", "#d62728", h.value[RD_PASS_FAILED] },
	};
	const struct svg_panel panel = { "Torrents per pass", lines, 2, 1 };
	struct svg_chart c = {
		.title = "debrid repair passes",
		.x_axis = "pass started (UTC)", .narrow = narrow,
		.panels = &panel, .nr_panels = 1,
	};
	int rc = rd_passes_history(&h);

	if (rc)
		return rc;
	chart(out, &h, &c, "repair pass", "repair passes");
	return 0;
}

static const struct {
	const char *wide, *narrow;
	int (*read)(struct history *h);
	int (*draw)(struct strbuf *out, int narrow);
} charts[RENDER_CHARTS] = {
	{ "/metrics/scans.svg", "/metrics/scans-narrow.svg",
	  scan_history_read, draw_scans },
	{ "/metrics/checks.svg", "/metrics/checks-narrow.svg",
	  monitor_checks_history, draw_checks },
	{ "/metrics/repairs.svg", "/metrics/repairs-narrow.svg",
	  rd_passes_history, draw_repairs },
};

int render_charts_shown(int i, const char **wide, const char **narrow)
{
	struct history h;
	int rc;

	assert(i >= 0 && i < RENDER_CHARTS);
	*wide = charts[i].wide;
	*narrow = charts[i].narrow;
	rc = charts[i].read(&h);
	return rc ? rc : h.nr;
}

int render_scans_svg(struct strbuf *out)
{
	return draw_scans(out, 0);
}

int render_scans_narrow_svg(struct strbuf *out)
{
	return draw_scans(out, 1);
}

int render_checks_svg(struct strbuf *out)
{
	return draw_checks(out, 0);
}

int render_checks_narrow_svg(struct strbuf *out)
{
	return draw_checks(out, 1);
}

int render_repairs_svg(struct strbuf *out)
{
	return draw_repairs(out, 0);
}

int render_repairs_narrow_svg(struct strbuf *out)
{
	return draw_repairs(out, 1);
}
