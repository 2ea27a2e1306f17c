/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The parts of the page at / that tell the caller what it has and what
 * runs now (render_home.h). It reads the live status and the caller's
 * counts (render_status.h) and writes nothing; the page itself is
 * http_serve.c's.
 */
#include "fs/render_home.h"

#include <string.h>

#include "fs/render_status.h"
#include "indexer/indexer.h"

void render_home_counts(struct strbuf *out)
{
	struct library_counts c;
	int rc = render_status_counts(&c);

	if (rc) {
		strbuf_addf(out, "<p>(%s)</p>\n", strerror(-rc));
		return;
	}
	strbuf_addf(out, "<table id=\"counts\">\n"
		    "<tr><th>tracks</th><td id=\"count-tracks\">%lld</td>\n"
		    "<tr><th>albums</th><td id=\"count-albums\">%lld</td>\n"
		    "<tr><th>artists</th><td id=\"count-artists\">%lld</td>\n"
		    "<tr><th>series</th><td id=\"count-series\">%lld</td>\n"
		    "<tr><th>volumes</th><td id=\"count-volumes\">%lld</td>\n"
		    "<tr><th>missing</th><td id=\"count-missing\">%lld</td>\n"
		    "</table>\n", (long long)c.tracks, (long long)c.albums,
		    (long long)c.artists, (long long)c.series,
		    (long long)c.volumes, (long long)c.missing);
}

int render_home_now(struct strbuf *out)
{
	struct indexer_status s;
	int busy;

	indexer_status(&s);
	busy = strcmp(s.state, "idle") != 0;
	strbuf_addf(out, "<p id=\"now\"><span id=\"now-state\">%s</span>",
		    s.state);
	if (!strcmp(s.state, "scanning")) {
		strbuf_addf(out, ": <span id=\"now-progress\">%llu files",
			    (unsigned long long)s.scan.files_seen);
		if (s.scan.total_estimate &&
		    s.scan.total_estimate >= s.scan.files_seen)
			strbuf_addf(out, " of %llu", (unsigned long long)
				    s.scan.total_estimate);
		strbuf_addstr(out, "</span>");
	}
	strbuf_addf(out, "; checks <span id=\"now-checks\">%u running,"
		    " %u queued</span></p>\n", s.jobs.running,
		    s.jobs.pending);
	return busy;
}
