/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RENDER_FUSE_H
#define MEDIAMON_RENDER_FUSE_H

/*
 * The file of the session loop (fs/tree/session.h), rendered like the others
 * of render.h: one whole document appended to out; 0 or a negative errno
 * value.
 *
 *   /metrics/fuse.json  {loop ("fuse_session_loop_mt", or
 *                       "fuse_session_loop" under -s), clone_fd,
 *                       max_threads, max_idle_threads (null: no limit),
 *                       requests (answered since the start or the last
 *                       reset), requests_in_flight (this file's open
 *                       among them), views_stats_ahead (real files of
 *                       the views stated ahead of a walk, on a share,
 *                       since the start)}
 */

struct strbuf;

int render_fuse_json(struct strbuf *out);

#endif
