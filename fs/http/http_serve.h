/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_HTTP_SERVE_H
#define MEDIAMON_HTTP_SERVE_H

/*
 * The answers of the HTTP listener (fs/http/http.h) to a user whose rights
 * this thread holds (caller_begin_user()): a node of the mount by its
 * path, the same bytes as the file with its type, ETag, Last-Modified
 * (library files), conditional requests and byte ranges (several in a
 * multipart/byteranges body, fs/http/http_range.h); a folder as
 * a list of links; the dashboard at /; errors as short texts.
 */

#include <microhttpd.h>

/* Answer GET or HEAD of the mount path path ("/metrics" is the
 * Prometheus file, "/" the dashboard). */
enum MHD_Result http_serve_get(struct MHD_Connection *c, const char *path);

/* Queue r with status, and the header that keeps a browser from taking
 * it for another type than it names (X-Content-Type-Options: nosniff:
 * a file of a user's library is never run as a page); r is released. */
enum MHD_Result http_serve_queue(struct MHD_Connection *c, unsigned status,
				 struct MHD_Response *r);

/* Answer with status and the text line, plus the header name: value
 * when name is not NULL. */
enum MHD_Result http_serve_text(struct MHD_Connection *c, unsigned status,
				const char *text, const char *name,
				const char *value);

/* The HTTP status that tells the negative errno value rc. */
unsigned http_serve_status(int rc);

#endif
