/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The pages of /opds/pages (opds_pages.h): which names lead to a page,
 * and its bytes, read through the caller's own descriptor of the volume.
 * It must not read an archive but through indexer/manga/pages.h.
 */
#include "fs/opds_pages.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/strbuf.h"
#include "fs/node.h"
#include "fs/views.h"
#include "fs/views_real.h"
#include "indexer/reads.h"

/* A decimal as written once ("0", "12", never "012"), up to max, ending
 * at *end; -1 when it is none. */
static int64_t number(const char *s, const char **end, int64_t max)
{
	int64_t n = 0;

	if (*s < '0' || *s > '9' || (*s == '0' && s[1] >= '0' && s[1] <= '9'))
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (n > (max - (*s - '0')) / 10)
			return -1;
		n = n * 10 + (*s - '0');
	}
	*end = s;
	return n;
}

int opds_pages_resolve(const char *name, struct node *out)
{
	const char *end;
	int64_t file = number(name, &end, INT64_MAX / PAGES_MAX_ENTRIES - 1);
	int64_t page = 0;
	struct stat st;

	if (file < 1 || (*end && *end != '/'))
		return -ENOENT;
	if (*end)
		page = number(end + 1, &end, PAGES_MAX_ENTRIES - 1);
	if (page < 0 || *end)
		return -ENOENT;
	if (views_real_stat(file, &st) || views_real_access(file))
		return -ENOENT;
	if (name[strcspn(name, "/")] != '/') {
		*out = (struct node){ .type = NODE_DIR, .dynamic = 1 };
		return 0;
	}
	*out = (struct node){ NODE_FILE, .render_series = opds_pages_render,
			      .series = file * PAGES_MAX_ENTRIES + page };
	return 0;
}

int opds_pages_read(struct strbuf *out, int64_t file, size_t n, int kind)
{
	struct cover_copy *copy;
	size_t start = out->len;
	char *page = NULL;
	int fd = views_real_open(file, &copy), rc = fd < 0 ? fd : 0;

	if (!rc)
		rc = pages_read_nth(fd, n, &page, out);
	if (!rc && kind >= 0 && pages_kind(page) != kind) {
		out->len = start;
		out->buf[start] = '\0';
		rc = -ENOENT;
	}
	if (fd >= 0)
		close(fd);
	if (rc == -EFBIG || rc == -E2BIG)
		log_warn("pages: page %zu of file %" PRId64 " is not served:"
			 " %s", n, file, rc == -EFBIG ? "it is past the size"
			 " limit" : "its archive has too many entries");
	free(page);
	return rc == -EINVAL ? -ENOENT : rc;
}

int opds_pages_render(struct strbuf *out, int64_t key)
{
	return opds_pages_read(out, key / PAGES_MAX_ENTRIES,
			       (size_t)(key % PAGES_MAX_ENTRIES), -1);
}
