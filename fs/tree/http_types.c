/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The media type each file of the mount is served with (http_types.h),
 * by its place and its name; the HTTP door's answers and the Subsonic
 * songs' contentType both ask it. It reads no file and answers nothing.
 */
#include "fs/tree/http_types.h"

#include <string.h>
#include <strings.h>

#include "fs/tree/opds_feed.h"
#include "fs/tree/opds_search.h"

static const struct {
	const char *ext, *type;
} types[] = {
	{ "json", "application/json" },
	{ "csv", "text/csv; charset=utf-8" },
	{ "svg", "image/svg+xml" },
	{ "m3u8", "audio/x-mpegurl; charset=utf-8" },
	{ "m3u", "audio/x-mpegurl" },
	{ "prom", "text/plain; version=0.0.4; charset=utf-8" },
	{ "mp3", "audio/mpeg" },
	{ "flac", "audio/flac" },
	{ "ogg", "audio/ogg" },
	{ "opus", "audio/ogg" },
	{ "m4a", "audio/mp4" },
	{ "wav", "audio/wav" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "png", "image/png" },
	{ "webp", "image/webp" },
	{ "gif", "image/gif" },
};

#define OPDS_TYPE "application/atom+xml;profile=opds-catalog;kind="

const char *http_types_of(const char *path)
{
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');

	if (!strcmp(path, "/metrics/prometheus"))
		return "text/plain; version=0.0.4; charset=utf-8";
	if (dot < slash)
		dot = NULL;
	if (!strcmp(path, "/opds/search.xml"))
		return OPDS_SEARCH_TYPE;
	/* a search finds series (navigation) or volumes (acquisition) */
	if (!strncmp(path, "/opds/search/", 13))
		return "application/atom+xml;profile=opds-catalog";
	if (dot && !strcmp(dot, ".xml") && !strncmp(path, "/opds/", 6))
		return !strcmp(path, "/opds/catalog.xml") ||
		       !strcmp(path, "/opds/series.xml") ?
		       OPDS_TYPE "navigation" : OPDS_TYPE "acquisition";
	for (size_t i = 0; dot && i < sizeof(types) / sizeof(*types); i++)
		if (!strcasecmp(dot + 1, types[i].ext))
			return types[i].type;
	if (dot && strcmp(opds_feed_type(path), "application/octet-stream"))
		return opds_feed_type(path);
	return dot ? "application/octet-stream" : "text/plain; charset=utf-8";
}
