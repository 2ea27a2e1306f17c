#include "fs/render_fuse.h"

#include "common/json.h"
#include "common/strbuf.h"
#include "fs/loop.h"

int render_fuse_json(struct strbuf *out)
{
	struct loop_stats s;

	loop_get_stats(&s);
	return json_append(out, json_pack(
		"{s:s, s:b, s:b, s:o, s:I, s:I, s:i, s:i, s:I, s:I, s:I}",
		"loop", s.running ? "mediamon" : "libfuse",
		"follow", s.can_follow,
		"following", s.following,
		"cpu", s.following ? json_integer(s.cpu) : json_null(),
		"lane_requests", (json_int_t)s.lane_requests,
		"worker_requests", (json_int_t)s.worker_requests,
		"workers", (int)s.workers,
		"workers_busy", (int)s.workers_busy,
		"moves", (json_int_t)s.moves,
		"rescues", (json_int_t)s.rescues,
		"demotions", (json_int_t)s.demotions));
}
