/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What a .cbz may inflate to (import_private.h): the sizes its central
 * directory gives its entries, summed without inflating anything, for
 * the refusal of a zip bomb before it reaches the series folder, and
 * the names of a packed folder's pages. It decides nothing of an import and
 * opens no file.
 */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "indexer/monitor/import_private.h"

int import_zip_inflated(int fd, unsigned long long *inflated)
{
	struct import_zipdir z;
	int ret = import_zipdir_read(fd, &z);

	*inflated = ret ? 0 : z.inflated;
	import_zipdir_release(&z);
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
