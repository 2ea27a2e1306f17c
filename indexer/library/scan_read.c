/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the scanner reads in a file and how: the kinds of the audio files
 * (by extension) and their tag readers, the ComicInfo.xml of volume
 * archives, the CRC-32 of a manga root's images, and the notes a partly
 * read archive leaves. No walking, no comparing and no writing here.
 */
#include "indexer/library/scan_read.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <zlib.h>

#include "common/bytes.h"
#include "common/log.h"
#include "indexer/library/scan_errors.h"
#include "indexer/library/tags.h"
#include "indexer/library/tags_formats.h"
#include "indexer/manga/pages.h"

const char *scan_read_kind(const char *name, int manga)
{
	static const char *const archives[] = {
		".cbz", ".cbr", ".cb7", ".cbt", ".zip", ".rar", ".7z", ".epub",
	};
	const char *dot = strrchr(name, '.');

	if (!dot)
		return "other";
	if (tags_formats_kind(name))
		return tags_formats_kind(name);
	for (size_t i = 0; manga && i < ARRAY_SIZE(archives); i++)
		if (!strcasecmp(dot, archives[i]))
			return "archive";
	return "other";
}

void scan_read_note_pages(const struct scan *s, const char *path, size_t len,
			  const struct comicinfo *ci)
{
	if (!ci->refused && !ci->too_many)
		return;
	if (ci->too_many) {
		scan_errors_note(s->req->errors, s->req->root_path, path, len,
				 "pages not read: more than %d entries",
				 PAGES_MAX_ENTRIES);
		log_warn("scan: %s/%.*s has more than %d entries: its pages"
			 " are not read", s->req->root_path, (int)len, path,
			 PAGES_MAX_ENTRIES);
		return;
	}
	scan_errors_note(s->req->errors, s->req->root_path, path, len,
			 "entries refused as pages: %zu (a link, a path out"
			 " of the archive or past %d MiB)", ci->refused,
			 PAGES_MAX_IMAGE >> 20);
	log_warn("scan: %s/%.*s: entries refused as pages: %zu (a link, a"
		 " path out of the archive or past %d MiB)",
		 s->req->root_path, (int)len, path, ci->refused,
		 PAGES_MAX_IMAGE >> 20);
}

int scan_read_wanted(const char *kind, const char *name, int manga)
{
	return strcmp(kind, "other") || (manga && pages_kind(name) >= 0);
}

/* The CRC-32 of the size bytes of fd into rec: 0, or -EIO when the file
 * ends before (it changed: the next scan reads it again) or another
 * error of its reads. */
static int read_crc(struct scan_stats *stats, int fd, off_t size,
		    struct music_rec *rec)
{
	enum { BLOCK = 64 << 10 };
	unsigned char *buf = malloc(BLOCK);
	uLong crc = crc32(0, Z_NULL, 0);
	off_t off = 0;
	int rc = buf ? 0 : -ENOMEM;

	while (!rc && off < size) {
		size_t want = size - off < BLOCK ? (size_t)(size - off) : BLOCK;
		ssize_t n = pread(fd, buf, want, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		crc = crc32(crc, buf, (uInt)n);
		off += n;
	}
	free(buf);
	scan_worker_stat_add(&stats->bytes_read, (uint64_t)off);
	if (rc)
		return rc;
	rec->crc = (uint32_t)crc;
	rec->has_crc = 1;
	return 0;
}

int scan_read_parse(const struct scan *s, struct scan_stats *stats, int fd,
		    off_t size, const char *name, struct music_rec *rec)
{
	int rc;

	if (!strcmp(rec->kind, "other"))
		return read_crc(stats, fd, size, rec);
	if (!strcmp(rec->kind, "archive")) {
		rc = comicinfo_read(fd, &rec->ci);
		rec->parsed = !rc;
		return rc;
	}
	rec->tags.no_pictures = !s->req->covers;
	rec->tags.file_size = size;
	rc = tags_formats_read(fd, rec->kind, &rec->tags);
	if (rc)
		return rc;
	rec->parsed = 1;
	scan_worker_stat_add(&stats->bytes_read, rec->tags.bytes_read);
	if (rec->tags.tag_error)
		scan_worker_stat_add(&stats->tag_errors, 1);
	return tags_title_from_name(&rec->tags, name);
}
