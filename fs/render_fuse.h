#ifndef MEDIAMON_RENDER_FUSE_H
#define MEDIAMON_RENDER_FUSE_H

/*
 * The file of the session loop (fs/loop.h), rendered like the others of
 * render.h: one whole document appended to out; 0 or a negative errno
 * value.
 *
 *   /metrics/fuse.json  {follow (the lane may follow), following, cpu
 *                       (null while it does not), lane_requests,
 *                       worker_requests, workers, workers_busy, moves,
 *                       rescues, demotions}
 */

struct strbuf;

int render_fuse_json(struct strbuf *out);

#endif
