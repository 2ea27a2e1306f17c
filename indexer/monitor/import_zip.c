/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What a .cbz may inflate to (import_private.h): the sizes its central
 * directory gives its entries, summed without inflating anything, for
 * the refusal of a zip bomb before it reaches the series folder, the
 * sink of a rewritten archive that stops at a cap of bytes, and the
 * names of a packed folder's pages. It decides nothing of an import and
 * opens no file.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "indexer/monitor/import_private.h"

int import_zip_inflated(int fd, unsigned long long *inflated)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int r, ret = 0;

	if (!a)
		abort();
	*inflated = 0;
	if (archive_read_support_format_zip(a) != ARCHIVE_OK ||
	    archive_read_open_fd(a, fd, 64 << 10) != ARCHIVE_OK) {
		ret = -EIO;
		goto out;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK)
		if (archive_entry_size_is_set(e) && archive_entry_size(e) > 0)
			*inflated += (unsigned long long)archive_entry_size(e);
	if (r != ARCHIVE_EOF)
		ret = -EIO;
out:
	archive_read_free(a);
	return ret;
}

int import_zip_refused(int fd, off_t size)
{
	unsigned long long inflated;

	/* not a zip: nothing inflates; the volume goes as it is */
	if (import_zip_inflated(fd, &inflated))
		return 0;
	return inflated > (unsigned long long)IMPORT_MAX_RATIO * size +
		IMPORT_RATIO_FREE ? -EFBIG : 0;
}

/* archive_write_open()'s writer: everything to the descriptor, until
 * the cap would be passed. */
static la_ssize_t sink_write(struct archive *a, void *arg, const void *buf,
			     size_t len)
{
	struct import_sink *s = arg;
	const char *p = buf;
	size_t left = len;
	ssize_t n;

	if (len > s->cap - s->written) {
		archive_set_error(a, EFBIG, "more than %llu bytes to write",
				  s->cap);
		s->over = 1;
		return -1;
	}
	while (left) {
		n = write(s->fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			archive_set_error(a, errno, "write");
			return -1;
		}
		p += n;
		left -= n;
	}
	s->written += len;
	return (la_ssize_t)len;
}

int import_sink_open(struct archive *a, struct import_sink *s)
{
	if (archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open(a, s, NULL, sink_write, NULL) != ARCHIVE_OK)
		return -EIO;
	return 0;
}

/* The length of the run of digits at s, its leading zeros left out
 * (one kept for a run of zeros); *start is where its value begins. */
static size_t digits_at(const char *s, const char **start)
{
	size_t n = strspn(s, "0123456789");

	*start = s;
	while (n > 1 && **start == '0') {
		(*start)++;
		n--;
	}
	return n;
}

int import_zip_page_width(const struct source *pages, size_t nr,
			  size_t skip)
{
	const char *v;
	int width = 1;

	for (size_t i = 0; i < nr; i++) {
		for (const char *s = pages[i].rel + skip; *s; ) {
			size_t run = strspn(s, "0123456789");
			size_t n = run ? digits_at(s, &v) : 0;

			if ((int)n > width)
				width = (int)n;
			s += run ? run : 1;
		}
	}
	return width;
}

void import_zip_page_name(const char *rel, int width, struct strbuf *out)
{
	const char *v;
	size_t run, n;

	while (*rel) {
		run = strspn(rel, "0123456789");
		if (!run) {
			strbuf_addch(out, *rel++);
			continue;
		}
		n = digits_at(rel, &v);
		for (size_t k = n; k < (size_t)width; k++)
			strbuf_addch(out, '0');
		strbuf_add(out, v, n);
		rel += run;
	}
}
