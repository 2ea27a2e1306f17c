/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The files of the audio analysis (render_analysis.h): analysis.json and
 * /status/duplicates, from the store's figures and the live status; the
 * last error names its track only to a reader who may read it. It
 * writes nothing.
 */
#include "fs/tree/render_analysis.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strbuf.h"
#include "common/utf8.h"
#include "fs/tree/caller.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

/* The last error's message as this thread's caller may see it: the
 * track's path and why only to one who may read the track. */
static const char *last_error_shown(const struct indexer_status *s)
{
	const char *path = s->analysis.last_error_path;

	if (caller_is_owner() || (*path && caller_may_read(path)))
		return s->analysis.last_error;
	return "a track this user may not read";
}

int render_analysis_json(struct strbuf *out)
{
	struct analysis_counts c;
	struct indexer_status s;
	json_t *last = json_null();
	const char *message;
	int rc;

	indexer_status(&s);
	rc = analysis_reads_counts(&c);
	if (rc)
		return rc;
	message = last_error_shown(&s);
	if (s.analysis.last_error_at > 0)
		last = json_pack("{s:o, s:o, s:o}",
			"message", json_text(message, strlen(message)),
			"at", json_time(s.analysis.last_error_at),
			"at_s", json_num(s.analysis.last_error_at));
	return json_append(out, json_pack(
		"{s:b, s:b, s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o,"
		" s:o, s:o}",
		"enabled", s.analysis.enabled,
		"paused", s.analysis.paused,
		"threads", s.analysis.threads,
		"busy", s.analysis.busy,
		"analysed", (json_int_t)c.analysed,
		"queued", (json_int_t)c.queued,
		"failed", (json_int_t)c.failed,
		"too_short", (json_int_t)c.too_short,
		"done", (json_int_t)s.analysis.done,
		"audio_s", json_num(s.analysis.audio_s),
		"cpu_s", json_num(s.analysis.cpu_s),
		"tracks_per_second",
		json_ratio(s.analysis.done, s.analysis.busy_s),
		"audio_seconds_per_cpu_second",
		json_ratio(s.analysis.audio_s, s.analysis.cpu_s),
		"last_error", last));
}

/* A line of /status/duplicates, kept until all are known: each group
 * is shown in path order, and the groups in the order of their first
 * path, so the file reads the same from any store. */
struct dup_line {
	int group;
	const char *reason;		/* ANALYSIS_DUP_* */
	char *path;
};

static void line_clear(struct dup_line *l)
{
	free(l->path);
}

struct dup_ctx {
	struct dup_line *v;
	size_t nr, alloc;
	int groups;
};

/* Kept until all are known, to be sorted. */
static int add_line(void *arg, int group, const char *reason,
		    const char *path)
{
	struct dup_ctx *ctx = arg;
	CLEANUP_FREE char *copy = strdup(path);
	struct dup_line *v;

	if (!copy)
		return -ENOMEM;
	v = array_grow(ctx->v, ctx->nr, &ctx->alloc, sizeof(*v), 16);
	if (!v)
		return -ENOMEM;
	ctx->v = v;
	v[ctx->nr++] = (struct dup_line){ group, reason,
					  CLEANUP_STEAL(copy) };
	if (group >= ctx->groups)
		ctx->groups = group + 1;
	return 0;
}

/* Lines of a group together, each group in path order. */
static int cmp_line(const void *a, const void *b)
{
	const struct dup_line *x = a, *y = b;

	if (x->group != y->group)
		return x->group - y->group;
	return strcmp(x->path, y->path);
}

/* Groups by their first line, which sorting lines put first. */
static int cmp_first(const void *a, const void *b)
{
	const struct dup_line *const *x = a, *const *y = b;

	return strcmp((*x)->path, (*y)->path);
}

/* Sort the lines, and point first at each group's first line, the
 * groups in path order; *n says how many. */
static int order_groups(struct dup_ctx *ctx, const struct dup_line ***out,
			int *n)
{
	const struct dup_line **first;

	*n = 0;
	first = malloc((ctx->groups ? ctx->groups : 1) * sizeof(*first));
	if (!first)
		return -ENOMEM;
	if (ctx->nr)
		qsort(ctx->v, ctx->nr, sizeof(*ctx->v), cmp_line);
	for (size_t i = 0; i < ctx->nr; i++)
		if (!i || ctx->v[i].group != ctx->v[i - 1].group)
			first[(*n)++] = &ctx->v[i];
	qsort(first, *n, sizeof(*first), cmp_first);
	*out = first;
	return 0;
}

/* A blank line between groups; paths as text fields (utf8_add_field). */
static int write_groups(struct dup_ctx *ctx, struct strbuf *out)
{
	const struct dup_line **first;
	int n, rc;

	rc = order_groups(ctx, &first, &n);
	for (int g = 0; !rc && g < n; g++) {
		const struct dup_line *l = first[g];

		if (g)
			strbuf_addch(out, '\n');
		for (; l < ctx->v + ctx->nr && l->group == first[g]->group;
		     l++) {
			utf8_add_field(out, l->path);
			strbuf_addch(out, '\n');
		}
	}
	if (!rc)
		free(first);
	return rc;
}

/* [{reason, paths}], the groups in the order of write_groups(). */
static int write_groups_json(struct dup_ctx *ctx, struct strbuf *out)
{
	const struct dup_line **first;
	json_t *groups = json_array(), *paths;
	int n, rc;

	if (!groups)
		return -ENOMEM;
	rc = order_groups(ctx, &first, &n);
	if (rc) {
		json_decref(groups);
		return rc;
	}
	for (int g = 0; !rc && g < n; g++) {
		const struct dup_line *l = first[g];

		paths = json_array();
		for (; paths && l < ctx->v + ctx->nr &&
		     l->group == first[g]->group; l++)
			if (json_array_append_new(paths, json_text(l->path,
						  strlen(l->path))))
				rc = -ENOMEM;
		if (!paths || json_array_append_new(groups, json_pack(
				"{s:s, s:o}", "reason", first[g]->reason,
				"paths", paths)))
			rc = -ENOMEM;
	}
	free(first);
	if (rc) {
		json_decref(groups);
		return rc;
	}
	return json_append(out, groups);
}

/* Every group, to be written by write. */
static int render_groups(struct strbuf *out,
			 int (*write)(struct dup_ctx *ctx,
				      struct strbuf *out))
{
	struct dup_ctx ctx = { 0 };
	int rc = analysis_reads_duplicates(add_line, &ctx);

	if (!rc)
		rc = write(&ctx, out);
	CLEANUP_FREE_ROWS(ctx.v, ctx.nr, line_clear);
	return rc;
}

int render_duplicates(struct strbuf *out)
{
	return render_groups(out, write_groups);
}

int render_duplicates_json(struct strbuf *out)
{
	return render_groups(out, write_groups_json);
}
