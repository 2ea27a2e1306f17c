/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * /metrics/fuse.json (render_fuse.h), from the session loop's counts and
 * the invalidation's lag (session.h), the views' stats made ahead
 * (views_statahead.h), the renderings stat() made (sizes.h) and the
 * playlists' times not yet written to the store (stamps.h). It reads
 * nothing of the store.
 */
#include "fs/tree/render_fuse.h"

#include "common/json.h"
#include "common/strbuf.h"
#include "fs/tree/session.h"
#include "fs/tree/sizes.h"
#include "fs/tree/stamps.h"
#include "fs/tree/views_statahead.h"

int render_fuse_json(struct strbuf *out)
{
	struct session_stats s;

	session_get_stats(&s);
	return json_append(out, json_pack(
		"{s:s, s:b, s:i, s:o, s:I, s:i, s:o, s:I, s:I, s:I}",
		"loop", s.multithreaded ? "fuse_session_loop_mt" :
		"fuse_session_loop",
		"clone_fd", s.multithreaded,
		"max_threads", (int)s.max_threads,
		"max_idle_threads",
		s.max_idle_threads == SESSION_NO_IDLE_LIMIT ? json_null() :
		json_integer(s.max_idle_threads),
		"requests", (json_int_t)s.requests,
		"requests_in_flight", (int)s.in_flight,
		"invalidation_behind", s.invalidation_behind < 0 ? json_null() :
		json_integer(s.invalidation_behind),
		"views_stats_ahead", (json_int_t)views_statahead_count(),
		"stat_renders", (json_int_t)sizes_kept_count(),
		"times_unsaved", (json_int_t)stamps_unsaved()));
}
