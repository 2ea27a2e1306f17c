/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The HTTP listener's answers to reads (http_serve.h): nodes of the mount
 * resolved, rendered and opened with the rights of the user this thread
 * holds, as FUSE does, with their media types, validators and ranges;
 * folders as links; the dashboard. It does not check passwords or take
 * commands (fs/http/http.c), and opens nothing but through views_real.h.
 */
#include "fs/http/http_serve.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/hash.h"
#include "common/http.h"
#include "common/strbuf.h"
#include "common/svg.h"
#include "common/utf8.h"
#include "fs/tree/caller.h"
#include "fs/http/http_cond.h"
#include "fs/http/http_range.h"
#include "fs/tree/http_stats.h"
#include "fs/tree/http_types.h"
#include "fs/tree/nodes.h"
#include "fs/tree/opds_feed.h"
#include "fs/tree/opds_search.h"
#include "fs/tree/opds_zip.h"
#include "fs/tree/open_caps.h"
#include "fs/tree/rendering.h"
#include "fs/http/render_folder.h"
#include "fs/http/render_home.h"
#include "fs/http/render_home_health.h"
#include "fs/tree/render_charts.h"
#include "fs/tree/views_real.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

#define BLOCK (64 << 10)	/* bytes read from a file at a time */

/* A body on its way: a rendering in memory, or a real file or a volume
 * folder's zip from off. */
struct body {
	char *buf;
	int fd;
	struct opds_zip *zip;	/* a volume folder's, made as it is read */
	struct cover_copy *cover;
	struct http_multipart *parts;	/* several ranges, or NULL */
	uint64_t off;
	size_t charged;
	uid_t uid;
};

unsigned http_serve_status(int rc)
{
	switch (-rc) {
	case ENOENT:
	case ENOTDIR:
	case EXDEV:
		return MHD_HTTP_NOT_FOUND;
	case EACCES:
	case EPERM:
	case EROFS:
		return MHD_HTTP_FORBIDDEN;
	case EINVAL:
		return MHD_HTTP_BAD_REQUEST;
	case ENAMETOOLONG:
		return MHD_HTTP_URI_TOO_LONG;
	case EMFILE:
	case ENFILE:
	case ENOMEM:
	case EAGAIN:
	case EBUSY:
		return MHD_HTTP_SERVICE_UNAVAILABLE;
	default:
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
}

enum MHD_Result http_serve_queue(struct MHD_Connection *c, unsigned status,
				 struct MHD_Response *r)
{
	enum MHD_Result ret;

	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	http_stats_answered(status);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

enum MHD_Result http_serve_text(struct MHD_Connection *c, unsigned status,
				const char *text, const char *name,
				const char *value)
{
	struct MHD_Response *r;
	char line[256];

	snprintf(line, sizeof(line), "%s\n", text);
	r = MHD_create_response_from_buffer(strlen(line), line,
					    MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type",
				"text/plain; charset=utf-8");
	if (name)
		MHD_add_response_header(r, name, value);
	return http_serve_queue(c, status, r);
}

static enum MHD_Result error(struct MHD_Connection *c, int rc)
{
	unsigned status = http_serve_status(rc);

	return http_serve_text(c, status, strerror(-rc),
			       status == MHD_HTTP_SERVICE_UNAVAILABLE ?
			       "Retry-After" : NULL, "5");
}

static ssize_t body_fill(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct body *b = cls;
	const char *text;
	ssize_t n;

	if (b->parts) {
		max = http_multipart_at(b->parts, pos, max, &text, &pos);
		if (!max)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (text) {
			memcpy(buf, text, max);
			return (ssize_t)max;
		}
	}
	if (b->buf) {
		/* MHD asks no further than the size it was given */
		memcpy(buf, b->buf + pos, max);
		return (ssize_t)max;
	}
	indexer_note_read();
	if (b->zip)
		n = opds_zip_read(b->zip, buf, max, b->off + pos);
	else
		n = pread(b->fd, buf, max, (off_t)(b->off + pos));
	if (n < 0)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	return n ? n : MHD_CONTENT_READER_END_OF_STREAM;
}

/* The body's next bytes, counted as sent. */
static ssize_t body_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	ssize_t n = body_fill(cls, pos, buf, max);

	if (n > 0)
		http_stats_sent((uint64_t)n);
	return n;
}

static void body_free(void *cls)
{
	struct body *b = cls;

	if (b->fd >= 0)
		close(b->fd);
	if (b->charged)
		open_caps_uncharge(b->uid, b->cover, b->charged);
	cover_copies_put(b->cover);
	opds_zip_free(b->zip);
	open_caps_put(b->uid, b->fd >= 0);
	http_multipart_free(b->parts);
	free(b->buf);
	free(b);
}

/* What goes with a body: its media type, validators, whether it lasts as
 * long as its ETag (a file's bytes: kept by a client, privately, for
 * LASTING seconds; a rendering is asked again each time), and the name
 * a volume is saved under (NULL: none). */
struct meta {
	const char *type, *etag;
	time_t mtime;
	bool lasting;
	const char *download;
};

#define LASTING "private, max-age=3600"

static const char *header(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* The verdict of the request's preconditions on the body of m. */
static enum http_cond preconditions(struct MHD_Connection *c,
				    const struct meta *m)
{
	const struct http_cond_headers h = {
		.if_match = header(c, "If-Match"),
		.if_unmodified_since = header(c, "If-Unmodified-Since"),
		.if_none_match = header(c, "If-None-Match"),
		.if_modified_since = header(c, "If-Modified-Since"),
	};

	return http_cond_eval(&h, m->etag, m->mtime);
}

/* Content-Disposition naming the file name: an ASCII fallback, and the
 * name itself in UTF-8 (RFC 6266, RFC 8187). */
static void add_disposition(struct MHD_Response *r, const char *name)
{
	struct strbuf v = STRBUF_INIT;

	strbuf_addstr(&v, "attachment; filename=\"");
	for (const char *s = name; *s; s++)
		strbuf_addch(&v, (unsigned char)*s < 0x20 ||
			     (unsigned char)*s > 0x7e || *s == '"' ||
			     *s == '\\' ? '_' : *s);
	strbuf_addstr(&v, "\"; filename*=UTF-8''");
	http_escape(name, 0, &v);
	MHD_add_response_header(r, "Content-Disposition", v.buf);
	strbuf_release(&v);
}

/* The headers every body of m carries. */
static void add_meta(struct MHD_Response *r, const struct meta *m)
{
	char text[64];
	struct tm tm;

	MHD_add_response_header(r, "ETag", m->etag);
	MHD_add_response_header(r, "Accept-Ranges", "bytes");
	MHD_add_response_header(r, "Cache-Control",
				m->lasting ? LASTING : "no-cache");
	if (m->download)
		add_disposition(r, m->download);
	if (m->mtime) {
		strftime(text, sizeof(text), "%a, %d %b %Y %H:%M:%S GMT",
			 gmtime_r(&m->mtime, &tm));
		MHD_add_response_header(r, "Last-Modified", text);
	}
}

/* Send b (size bytes in all) as m says, with its ranges. */
static enum MHD_Result send_body(struct MHD_Connection *c, struct body *b,
				 uint64_t size, const struct meta *m)
{
	struct MHD_Response *r;
	struct http_ranges rs;
	uint64_t from = 0, len = size;
	unsigned status = MHD_HTTP_OK;
	const char *type = m->type;
	enum http_cond cond = preconditions(c, m);
	char text[96];
	int rc = 0;

	if (cond == HTTP_COND_FAILED) {
		body_free(b);
		return http_serve_text(c, MHD_HTTP_PRECONDITION_FAILED,
				       "precondition failed", "ETag", m->etag);
	}
	if (cond == HTTP_COND_NOT_MODIFIED) {
		body_free(b);
		r = MHD_create_response_from_buffer(0, NULL,
						    MHD_RESPMEM_PERSISTENT);
		status = MHD_HTTP_NOT_MODIFIED;
	} else if (http_cond_range_applies(header(c, "If-Range"), m->etag,
					   m->mtime) &&
		   (rc = http_range_parse(header(c, "Range"), size, &rs)) < 0) {
		body_free(b);
		snprintf(text, sizeof(text), "bytes */%" PRIu64, size);
		return http_serve_text(c, MHD_HTTP_RANGE_NOT_SATISFIABLE,
				       "range not satisfiable",
				       "Content-Range", text);
	} else {
		if (rc)
			status = MHD_HTTP_PARTIAL_CONTENT;
		if (rc > 1) {
			rc = http_multipart_new(&rs, size, type, &b->parts);
			if (rc) {
				body_free(b);
				return error(c, rc);
			}
			len = http_multipart_size(b->parts);
			type = http_multipart_type(b->parts);
		} else if (rc) {
			from = rs.r[0].from;
			len = rs.r[0].len;
			if (b->buf)
				memmove(b->buf, b->buf + from, len);
			else
				b->off = from;
		}
		r = MHD_create_response_from_callback(len, BLOCK, body_read, b,
						      body_free);
		if (!r)
			body_free(b);
	}
	if (!r)
		return MHD_NO;
	add_meta(r, m);
	MHD_add_response_header(r, "Content-Type", type);
	if (status == MHD_HTTP_PARTIAL_CONTENT && rc == 1) {
		snprintf(text, sizeof(text), "bytes %" PRIu64 "-%" PRIu64
			 "/%" PRIu64, from, from + len - 1, size);
		MHD_add_response_header(r, "Content-Range", text);
	}
	return http_serve_queue(c, status, r);
}

/* The name a volume is saved under: its file's, for a file of
 * /library/manga, /manga or /opds/files (the feeds' links, "Blue Lock
 * Volume 004.cbz"), or a volume folder's zip; else NULL. */
static const char *download_name(const char *path, int volume)
{
	if (!volume && strncmp(path, "/library/manga/", 15) &&
	    strncmp(path, "/manga/", 7) && strncmp(path, "/opds/files/", 12))
		return NULL;
	return strrchr(path, '/') + 1;
}

/* A body for the caller, an open of the real (1) or rendered (0) kind
 * taken from its caps (open_caps.h), its descriptor none yet: 0, or the
 * refusal of the caps, or -ENOMEM with the open given back. */
static int body_take(int real, struct body **out)
{
	int rc = open_caps_take(caller_uid(), caller_is_owner(), real);

	if (rc)
		return rc;
	*out = calloc(1, sizeof(**out));
	if (!*out) {
		open_caps_put(caller_uid(), real);
		return -ENOMEM;
	}
	(*out)->uid = caller_uid();
	(*out)->fd = -1;
	return 0;
}

/* Give back a body that was not sent, nothing opened nor charged: its
 * open, to its caps. */
static void body_untake(struct body *b, int real)
{
	open_caps_put(b->uid, real);
	free(b);
}

/* A library file, opened as the caller. */
static enum MHD_Result send_real(struct MHD_Connection *c,
				 const struct node *n, const char *path)
{
	struct body *b;
	struct stat st;
	char etag[80];
	int rc;

	rc = body_take(1, &b);
	if (rc)
		return error(c, rc);
	b->fd = rc = views_real_open(n->file, &b->cover);
	if (rc >= 0 && b->cover) {
		rc = open_caps_charge(b->uid, caller_is_owner(), b->cover,
				      cover_copies_size(b->cover));
		b->charged = rc ? 0 : cover_copies_size(b->cover);
	}
	if (rc >= 0 && fstat(b->fd, &st))
		rc = -errno;
	if (rc < 0) {
		if (b->fd >= 0)
			close(b->fd);
		cover_copies_put(b->cover);
		body_untake(b, 1);
		return error(c, rc);
	}
	snprintf(etag, sizeof(etag), "\"%llx-%llx-%lx\"",
		 (unsigned long long)st.st_ino, (unsigned long long)st.st_size,
		 (long)st.st_mtim.tv_sec ^ st.st_mtim.tv_nsec);
	return send_body(c, b, (uint64_t)st.st_size, &(struct meta){
		.type = http_types_of(path), .etag = etag, .mtime = st.st_mtime,
		.lasting = true, .download = download_name(path, 0) });
}

/* A volume folder's zip, checked for the caller and made as it is read;
 * its ETag from the folder and its size and time. */
static enum MHD_Result send_zip(struct MHD_Connection *c,
				const struct node *n, const char *path)
{
	struct body *b;
	char etag[80];
	int rc;

	rc = body_take(0, &b);
	if (!rc) {
		rc = opds_zip_open(n->series, &b->zip);
		if (rc)
			body_untake(b, 0);
	}
	if (rc)
		return error(c, rc);
	snprintf(etag, sizeof(etag), "\"z%llx-%llx-%llx\"",
		 (unsigned long long)n->series,
		 (unsigned long long)b->zip->size,
		 (unsigned long long)b->zip->mtime_ns);
	return send_body(c, b, b->zip->size, &(struct meta){
		.type = http_types_of(path), .etag = etag,
		.mtime = (time_t)(b->zip->mtime_ns / 1000000000),
		.lasting = true, .download = download_name(path, 1) });
}

/* Whether path is a page or a cover of /opds, whose name may have no
 * extension (OPDS-PSE's pages): an image of an archive, as lasting as
 * its ETag. */
static bool is_image_of_archive(const char *path)
{
	return !strncmp(path, "/opds/pages/", 12) ||
	       !strncmp(path, "/opds/covers/", 13);
}

/* The media type of an image from its first bytes, or NULL. */
static const char *image_type(const char *buf, size_t len)
{
	static const struct {
		const char *magic;
		size_t off, len;
		const char *type;
	} magics[] = {
		{ "\xff\xd8\xff", 0, 3, "image/jpeg" },
		{ "\x89PNG\r\n\x1a\n", 0, 8, "image/png" },
		{ "GIF8", 0, 4, "image/gif" },
		{ "WEBP", 8, 4, "image/webp" },
	};

	for (size_t i = 0; i < sizeof(magics) / sizeof(*magics); i++)
		if (len >= magics[i].off + magics[i].len &&
		    !memcmp(buf + magics[i].off, magics[i].magic,
			    magics[i].len))
			return magics[i].type;
	return NULL;
}

/* Send text (taken) as the document at path, or as type when given. */
static enum MHD_Result send_text(struct MHD_Connection *c,
				 struct strbuf *text, const char *path,
				 const char *type)
{
	struct body *b;
	char etag[40];
	bool lasting;
	size_t len;
	int rc;

	rc = body_take(0, &b);
	if (!rc) {
		rc = open_caps_charge(b->uid, caller_is_owner(), NULL,
				      text->len);
		if (rc)
			body_untake(b, 0);
	}
	if (rc) {
		strbuf_release(text);
		return error(c, rc);
	}
	snprintf(etag, sizeof(etag), "\"%016" PRIx64 "\"",
		 hash_end(hash_add_bytes(HASH_INIT, text->buf, text->len)));
	b->charged = text->len;
	b->buf = strbuf_detach(text, &len);
	lasting = is_image_of_archive(path);
	if (!type && lasting)
		type = image_type(b->buf, len);
	return send_body(c, b, len, &(struct meta){
		.type = type ? type : http_types_of(path), .etag = etag,
		.lasting = lasting });
}

/* A folder: a page of what the caller may see in it. */
static enum MHD_Result send_folder(struct MHD_Connection *c,
				   const char *path, const char *url)
{
	struct strbuf out = STRBUF_INIT;
	enum MHD_Result ret;
	int rc;

	/* links are relative to the folder: its URL ends with a slash */
	if (url[strlen(url) - 1] != '/') {
		strbuf_addstr(&out, url);
		strbuf_addch(&out, '/');
		ret = http_serve_text(c, MHD_HTTP_MOVED_PERMANENTLY, "moved",
				      "Location", out.buf);
		strbuf_release(&out);
		return ret;
	}
	rc = render_folder_page(path, &out);
	if (rc) {
		strbuf_release(&out);
		return error(c, rc);
	}
	return send_text(c, &out, path, "text/html; charset=utf-8");
}

/* The health block of the page: the health file as the caller reads
 * it, its first lines up to max bytes, or a line saying why there is
 * none. */
static void add_health(struct strbuf *out, size_t max)
{
	const char *path = "/status/health";
	struct strbuf text = STRBUF_INIT;
	struct node n;
	int rc;

	rc = nodes_resolve(path, &n);
	if (!rc && n.owner_only && !caller_is_owner())
		rc = -EACCES;
	if (!rc)
		rc = rendering_make(&n, path, &text);
	if (rc) {
		strbuf_addf(out, "<p id=\"health\">(%s)</p>\n", strerror(-rc));
		strbuf_release(&text);
		return;
	}
	if (text.len > max) {
		while (max && text.buf[max - 1] != '\n')
			max--;
		text.len = max;
		text.buf[max] = '\0';
		strbuf_addstr(&text, "...\n");
	}
	render_home_health(out, text.buf);
	strbuf_release(&text);
}

/* The charts whose history has points, each narrow on a narrow
 * screen (its text then at its own size), side by side on a wide one. */
static void add_charts(struct strbuf *out)
{
	const char *wide, *narrow;
	int shown = 0;

	for (int i = 0; i < RENDER_CHARTS; i++) {
		if (!render_charts_shown(i, &wide, &narrow))
			continue;
		if (!shown++)
			strbuf_addstr(out, "<h2>Charts</h2>\n"
				      "<div id=\"charts\">\n");
		strbuf_addf(out, "<picture><source media=\"(max-width: %dpx)\""
			    " srcset=\"%s\"><img src=\"%s\" alt=\"%s\">"
			    "</picture>\n", SVG_WIDTH + 40, narrow, wide, wide);
	}
	if (shown)
		strbuf_addstr(out, "</div>\n");
}

/* The dashboard: what the caller has, what runs now, health, what is
 * missing, the charts, links to the rest; it reloads itself every
 * minute, every few seconds while something runs. The head comes last
 * into the page, once what runs is known. */
static enum MHD_Result send_page(struct MHD_Connection *c)
{
	static const char *const links[] = {
		"/status/found.json", "/status/downloads.json",
		"/status/repairs.json", "/metrics/requests.json",
		"/status/summary.json", "/opds/catalog.xml", "/metrics",
		"/library/", "/status/", "/playlists/",
	};
	struct strbuf out = STRBUF_INIT, body = STRBUF_INIT;
	int busy, rc;

	strbuf_addstr(&body, "<h2>What you have</h2>\n");
	render_home_counts(&body);
	strbuf_addstr(&body, "<h2>Came lately</h2>\n");
	rc = render_home_albums(&body);
	if (rc)
		strbuf_addf(&body, "<p>(%s)</p>\n", strerror(-rc));
	rc = render_home_lately(&body);
	if (rc)
		strbuf_addf(&body, "<p>(%s)</p>\n", strerror(-rc));
	strbuf_addstr(&body, "<h2>Now</h2>\n");
	busy = render_home_now(&body);
	render_home_buttons(&body);
	strbuf_addf(&out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		    "<meta charset=\"utf-8\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width,"
		    " initial-scale=1\">\n"
		    "<meta http-equiv=\"refresh\" content=\"%d\">\n"
		    "<title>mediamon</title>\n<style>\n"
		    "body{font-family:sans-serif;margin:1em}\n"
		    "pre{white-space:pre-wrap;background:#f4f4f4;"
		    "padding:.5em}\nimg{max-width:100%%;height:auto}\n"
		    ".grid{display:grid;grid-template-columns:"
		    "repeat(auto-fill,minmax(9em,1fr));gap:1em;"
		    "list-style:none;padding:0}\n"
		    ".grid img{display:block;margin-bottom:.3em}\n"
		    "#buttons form{display:inline-block;margin:0 .5em .5em 0}\n"
		    "button{font-size:1em;padding:.5em 1em}\n"
		    "#charts{display:flex;flex-wrap:wrap;gap:1em}\n"
		    "#health li{margin-bottom:.5em;overflow-wrap:anywhere}\n"
		    "#health .error .line{color:#a00}\n"
		    ".since,.fix{display:block;color:#555}\n"
		    "</style>\n</head>\n<body>\n<h1>mediamon</h1>\n",
		    busy ? RENDER_HOME_BUSY_S : RENDER_HOME_IDLE_S);
	strbuf_add(&out, body.buf, body.len);
	strbuf_release(&body);
	strbuf_addstr(&out, "<h2>Health</h2>\n");
	add_health(&out, 8192);
	strbuf_addstr(&out, "<h2>Missing</h2>\n");
	rc = render_home_missing(&out);
	if (rc)
		strbuf_addf(&out, "<p>(%s)</p>\n", strerror(-rc));
	add_charts(&out);
	strbuf_addstr(&out, "<h2>More</h2>\n<ul>\n");
	for (size_t i = 0; i < sizeof(links) / sizeof(*links); i++)
		strbuf_addf(&out, "<li><a href=\"%s\">%s</a>\n", links[i],
			    links[i]);
	strbuf_addstr(&out, "</ul>\n</body>\n</html>\n");
	return send_text(c, &out, "/", "text/html; charset=utf-8");
}

enum MHD_Result http_serve_get(struct MHD_Connection *c, const char *url)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	enum MHD_Result ret;
	struct node n;
	int rc;

	if (!strcmp(url, "/"))
		return send_page(c);
	strbuf_addstr(&path, !strcmp(url, "/metrics") ? "/metrics/prometheus"
		      : url);
	/* the mount's paths end with no slash */
	while (path.len > 1 && path.buf[path.len - 1] == '/')
		path.buf[--path.len] = '\0';
	rc = nodes_resolve(path.buf, &n);
	if (!rc && n.owner_only && !caller_is_owner())
		rc = -EACCES;
	if (rc)
		ret = error(c, rc);
	else if (n.type == NODE_DIR)
		ret = send_folder(c, path.buf, url);
	else if (n.type == NODE_REAL)
		ret = send_real(c, &n, path.buf);
	else if (n.zip)
		ret = send_zip(c, &n, path.buf);
	else if ((rc = rendering_make(&n, path.buf, &text)))
		ret = error(c, rc);
	else
		ret = send_text(c, &text, path.buf, NULL);
	strbuf_release(&text);
	strbuf_release(&path);
	return ret;
}
