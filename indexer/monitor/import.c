/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A completed download brought into its series folder (import.h): the
 * download opened and walked (import_walk.c), the series folder opened
 * and its space checked, each volume written (import_write.c), and the
 * result and its reason kept. Where it may read and write is
 * import_path's to say; it never replaces a file.
 */
#include "indexer/monitor/import.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "common/array.h"
#include "common/bytes.h"
#include "common/cleanup.h"
#include "common/config.h"
#include "common/log.h"
#include "common/redact.h"
#include "common/strbuf.h"
#include "indexer/manga/comicinfo.h"
#include "indexer/manga/names.h"
#include "indexer/monitor/import_path.h"
#include "indexer/monitor/import_private.h"

/* Why, in the result and the log; returns err. */
static int failed(struct import_result *res, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int failed(struct import_result *res, int err, const char *fmt, ...)
{
	va_list ap;

	if (!res->reason.len) {
		va_start(ap, fmt);
		strbuf_vaddf(&res->reason, fmt, ap);
		va_end(ap);
	}
	return log_error(err, "import: %s", res->reason.buf);
}

/*
 * The series' name as the volumes beside are named: the folder "Dune
 * (2020)" gives "Dune T02.cbz" beside "Dune T01.cbz", unless a file there
 * carries the folder's whole name. The folder dfd is read by a copy.
 */
static int neighbours_name(int dfd, const char *series, struct strbuf *out)
{
	size_t title = names_title_len(series), whole = strlen(series);
	struct dirent *e;
	int fd, full = 0, ret = 0;
	DIR *d;

	if (title == whole) {
		strbuf_addstr(out, series);
		return 0;
	}
	fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		ret = -errno;
		if (fd >= 0)
			close(fd);
		return ret;
	}
	errno = 0;
	while (!full && (e = readdir(d)))
		full = !strncmp(e->d_name, series, whole);
	if (!full && errno)
		ret = -errno;
	closedir(d);
	strbuf_add(out, series, full ? whole : title);
	return ret;
}

/* The strings of the member key of doc (a string or an array of them),
 * redact()ed (a source's answer may echo a secret of its URL), ", "
 * between them, into out (one of said's nr); NULL when none. */
static const char *said_text(json_t *doc, const char *key,
			     struct strbuf *out)
{
	json_t *v = json_object_get(doc, key), *item;
	size_t i;

	if (json_is_string(v))
		redact(json_string_value(v), REDACT_MASK, out);
	json_array_foreach(v, i, item) {
		if (!json_is_string(item))
			continue;
		if (out->len)
			strbuf_addstr(out, ", ");
		redact(json_string_value(item), REDACT_MASK, out);
	}
	return out->len ? out->buf : NULL;
}

/* What the series' source said, from meta (NULL: nothing), into said,
 * its texts in text[5] (the caller's to release). */
static void read_said(const char *meta, struct comicinfo_said *said,
		      struct strbuf text[5])
{
	json_t *doc = meta ? json_loads(meta, 0, NULL) : NULL;

	*said = (struct comicinfo_said){
		.summary = said_text(doc, "summary", &text[0]),
		.writer = said_text(doc, "authors", &text[1]),
		.genre = said_text(doc, "genres", &text[2]),
		.web = said_text(doc, "url", &text[3]),
		.language = said_text(doc, "edition", &text[4]),
	};
	json_decref(doc);
}

/* Give the .cbz name just imported a ComicInfo.xml if it has none
 * ([import] comicinfo), with what the series' source said; the volume
 * is in whatever comes of it. 1 when the file was written anew (a hard
 * link is then a copy), else 0. */
static int add_comicinfo(const struct import_request *req,
			 const struct candidate *c, int dfd,
			 const struct stat *dst, const char *name)
{
	const char *series = req->series;
	struct strbuf xml = STRBUF_INIT, text[5];
	struct comicinfo_said said;
	size_t len = strlen(name);
	int ret;

	if (len < 4 || strcasecmp(name + len - 4, ".cbz"))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(text); i++)
		strbuf_init(&text[i], 0);
	read_said(req->meta, &said, text);
	ret = comicinfo_build(series, c->first, c->last, &said, &xml);
	if (!ret)
		ret = import_write_comicinfo(dfd, dst, name, xml.buf, xml.len);
	if (ret < 0)
		log_warn("import: %s: no ComicInfo.xml added to %s: %s",
			 series, name, strerror(-ret));
	strbuf_release(&xml);
	for (size_t i = 0; i < ARRAY_SIZE(text); i++)
		strbuf_release(&text[i]);
	return ret == 1;
}

/* Open the download (its real path in real), walk it and plan the
 * volumes to import; 0, or the failure said in w's result. */
static int walk_source(struct walk *w, struct strbuf *real)
{
	const struct import_request *req = w->req;
	const char *only;
	int ret = import_walk_open(w, real, &only);

	/* the download may be another user's file: not named */
	if (ret == -EACCES && w->foreign)
		return failed(w->res, ret, "cannot import the download of %s:"
			      " %s", req->series, w->foreign);
	if (ret)
		return failed(w->res, ret, "cannot open %s: %s", req->source,
			      import_path_error(ret));
	ret = import_walk_run(w, only);
	if (ret == -EFBIG)
		return failed(w->res, ret, "%s holds more than %d files and "
			      "folders", req->source, IMPORT_MAX_FILES);
	if (ret)
		return failed(w->res, ret, "cannot read %s: %s", req->source,
			      strerror(-ret));
	import_walk_plan(w);
	return 0;
}

/*
 * Write each planned volume of w into the series folder dfd (dst its
 * stat, named how its files are named), each written one added to the
 * result, each failed one left out; returns the first failure (its
 * reason in the result) or 0.
 */
static int write_planned(struct walk *w, const struct config *cfg, int dfd,
			 const struct stat *dst, const char *named)
{
	const struct import_request *req = w->req;
	struct import_result *res = w->res;
	struct strbuf name = STRBUF_INIT;
	const char *how;
	int ret, first_err = 0;

	for (size_t i = 0; i < w->nr; i++) {
		struct candidate *c = &w->v[i];
		struct import_file *f;

		strbuf_reset(&name);
		ret = import_target_name(cfg, named, c, &name);
		if (!ret)
			ret = import_write_one(w, c, cfg->import_mode, dfd,
					       dst, name.buf, &how);
		if (ret) {
			if (ret == -EFBIG)
				import_leave_out(res, c->file.rel, c->first,
						 c->last, "%s/%s refused: its "
						 "pages inflate to more than "
						 "%d times its size (a zip "
						 "bomb?)", req->series_dir,
						 name.buf, IMPORT_MAX_RATIO);
			else
				import_leave_out(res, c->file.rel, c->first,
						 c->last, "%s/%s %s",
						 req->series_dir, name.buf,
						 ret == -EEXIST ?
						 "exists already" :
						 strerror(-ret));
			if (!first_err) {
				first_err = ret;
				strbuf_addf(&res->reason, "cannot import %s: "
					    "%s", req->source, res->left_out[
					    res->nr_left_out - 1].why);
			}
			continue;
		}
		if (cfg->import_comicinfo &&
		    add_comicinfo(req, c, dfd, dst, name.buf) &&
		    !strcmp(how, "hardlink"))
			how = "copy";
		f = import_add_file(&res->files, &res->nr_files,
				    &res->alloc_files, c->file.rel);
		f->to = import_join(req->series_dir, name.buf);
		f->first = c->first;
		f->last = c->last;
		f->how = how;
		log_info("import: %s: %s as %s (%s)", req->series,
			 *c->file.rel ? c->file.rel :
			 import_base_name(req->source),
			 name.buf, how);
	}
	strbuf_release(&name);
	return first_err;
}

int import_run(const struct import_request *req, const struct config *cfg,
	       struct import_result *res)
{
	struct walk w = { .req = req, .res = res, .base_fd = -1,
			  .file_fd = -1,
			  .refuse_bombs = cfg->import_comicinfo };
	struct strbuf real = STRBUF_INIT, named = STRBUF_INIT;
	struct import_user reader;
	struct stat dst;
	int dfd, ret, first_err = 0;

	/* opened first, for whom the walk takes files; its error said
	 * after the walk's, which may find the release wrong */
	dfd = import_path_open(req->series_root, req->series_dir,
			       O_RDONLY | O_DIRECTORY);
	if (dfd >= 0 && fstat(dfd, &dst)) {
		ret = -errno;
		close(dfd);
		dfd = ret;
	}
	if (dfd >= 0) {
		import_owner_user(dst.st_uid, &reader);
		w.reader = &reader;
	}
	ret = walk_source(&w, &real);
	if (ret)
		goto out;
	if (!w.nr) {
		/* a refused entry may be planted by whoever can write the
		 * download: not the release's fault */
		res->no_volume = !w.refused;
		ret = failed(res, w.refused ? w.refused : -ENOENT, "%s holds "
			     "no wanted volume of %s%s%s", req->source,
			     req->series, res->nr_left_out ? ": " : "",
			     res->nr_left_out ? res->left_out[0].why : "");
		goto out;
	}
	if (dfd < 0) {
		ret = failed(res, dfd, "cannot open the series folder %s: %s",
			     req->series_dir, import_path_error(dfd));
		goto out;
	}
	import_drop_temps(dfd);
	ret = neighbours_name(dfd, req->series, &named);
	if (ret) {
		ret = failed(res, ret, "cannot read the series folder %s: %s",
			     req->series_dir, strerror(-ret));
		goto out;
	}
	ret = import_check_space(&w, cfg->import_mode, dfd, &dst, &res->reason);
	if (ret) {
		ret = failed(res, ret, "%s", res->reason.buf);
		goto out;
	}
	first_err = write_planned(&w, cfg, dfd, &dst, named.buf);
	ret = first_err ? failed(res, first_err, "%s", res->reason.buf) : 0;
out:
	if (dfd >= 0)
		close(dfd);
	if (w.base_fd >= 0)
		close(w.base_fd);
	if (w.file_fd >= 0)
		close(w.file_fd);
	CLEANUP_FREE_ROWS(w.v, w.nr, import_free_candidate);
	strbuf_release(&named);
	strbuf_release(&real);
	return ret;
}

void import_result_release(struct import_result *res)
{
	for (size_t i = 0; i < res->nr_files; i++) {
		free(res->files[i].from);
		free(res->files[i].to);
		free(res->files[i].why);
	}
	for (size_t i = 0; i < res->nr_left_out; i++) {
		free(res->left_out[i].from);
		free(res->left_out[i].to);
		free(res->left_out[i].why);
	}
	free(res->files);
	free(res->left_out);
	strbuf_release(&res->reason);
	*res = (struct import_result)IMPORT_RESULT_INIT;
}
