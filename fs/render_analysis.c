#include "fs/render_analysis.h"

#include <errno.h>
#include <string.h>

#include "common/db.h"
#include "common/json.h"
#include "common/strbuf.h"
#include "fs/reader.h"
#include "fs/render.h"
#include "indexer/analysis_store.h"
#include "indexer/indexer.h"

static double ratio(double n, double d)
{
	return d > 0 ? n / d : 0;
}

int render_analysis_json(struct strbuf *out)
{
	struct analysis_counts c;
	struct indexer_status s;
	json_t *last = json_null();
	sqlite3 *db = reader_begin();
	int rc;

	if (!db)
		return -EIO;
	indexer_status(&s);
	rc = analysis_store_counts(db, &c);
	reader_end(db);
	if (rc)
		return rc;
	if (s.analysis.last_error_at > 0)
		last = json_pack("{s:o, s:o, s:o}",
			"message", json_text(s.analysis.last_error,
					     strlen(s.analysis.last_error)),
			"at", json_time(s.analysis.last_error_at),
			"at_s", json_num(s.analysis.last_error_at));
	return json_append(out, json_pack(
		"{s:b, s:b, s:i, s:i, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o,"
		" s:o}",
		"enabled", s.analysis.enabled,
		"paused", s.analysis.paused,
		"threads", s.analysis.threads,
		"busy", s.analysis.busy,
		"analysed", (json_int_t)c.analysed,
		"queued", (json_int_t)c.queued,
		"failed", (json_int_t)c.failed,
		"done", (json_int_t)s.analysis.done,
		"audio_s", json_num(s.analysis.audio_s),
		"cpu_s", json_num(s.analysis.cpu_s),
		"tracks_per_second",
		json_num(ratio(s.analysis.done, s.analysis.busy_s)),
		"audio_seconds_per_cpu_second",
		json_num(ratio(s.analysis.audio_s, s.analysis.cpu_s)),
		"last_error", last));
}

struct dup_ctx {
	sqlite3 *db;
	sqlite3_stmt *path;
	struct strbuf *out;
	struct strbuf line;
	int group;
};

/* One line per track, a blank line before every group but the first. */
static int dup_line(void *arg, int group, int64_t track_id)
{
	struct dup_ctx *ctx = arg;
	int rc;

	sqlite3_bind_int64(ctx->path, 1, track_id);
	rc = sqlite3_step(ctx->path);
	if (rc == SQLITE_ROW) {
		if (group != ctx->group && ctx->group >= 0)
			strbuf_addch(ctx->out, '\n');
		ctx->group = group;
		strbuf_reset(&ctx->line);
		strbuf_add(&ctx->line, sqlite3_column_blob(ctx->path, 0),
			   sqlite3_column_bytes(ctx->path, 0));
		strbuf_addch(&ctx->line, '/');
		strbuf_add(&ctx->line, sqlite3_column_blob(ctx->path, 1),
			   sqlite3_column_bytes(ctx->path, 1));
		render_field(ctx->out, ctx->line.buf);
		strbuf_addch(ctx->out, '\n');
	}
	sqlite3_reset(ctx->path);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
		db_error(ctx->db, rc, "read a duplicate's path");
}

int render_duplicates(struct strbuf *out)
{
	struct dup_ctx ctx = { .out = out, .group = -1 };
	int rc;

	ctx.db = reader_begin();
	if (!ctx.db)
		return -EIO;
	strbuf_init(&ctx.line, 0);
	rc = db_prepare(ctx.db, "SELECT r.path, f.path FROM tracks t"
			" JOIN files f ON f.id = t.file_id"
			" JOIN roots r ON r.id = f.root_id WHERE t.id = ?1",
			&ctx.path);
	if (!rc)
		rc = analysis_store_duplicates(ctx.db, dup_line, &ctx);
	sqlite3_finalize(ctx.path);
	strbuf_release(&ctx.line);
	reader_end(ctx.db);
	return rc;
}
