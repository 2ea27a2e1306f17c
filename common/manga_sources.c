/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The default order of the manga sources, from their table's editions
 * and ranks (manga_sources.h), for the check and the documents alike. It
 * asks no source and reads no configuration.
 */
#include "common/manga_sources.h"

#include <string.h>

#include "common/bytes.h"

static const struct {
	const char *name;
	const char *editions;		/* asked by default for: "" all */
	int rank;			/* lower first */
} rows[] = {
#define MANGA_SOURCE(name, title, editions, rank, ...) \
	{ #name, editions, rank },
#include "common/manga_sources.def"
#undef MANGA_SOURCE
};

/* Whether edition is a word of row k's editions (or they are ""). */
static int asked_by_default(size_t k, const char *edition)
{
	const char *p = rows[k].editions;
	size_t n = strlen(edition);

	if (!*p)
		return 1;
	for (size_t w; *p; p += w + strspn(p + w, " ")) {
		w = strcspn(p, " ");
		if (w == n && !strncmp(p, edition, n))
			return 1;
	}
	return 0;
}

size_t manga_sources_default(const char *edition,
			     size_t order[CONFIG_MANGA_NR])
{
	size_t n = 0, j;

	for (size_t k = 0; k < ARRAY_SIZE(rows); k++) {
		if (!asked_by_default(k, edition))
			continue;
		for (j = n++; j && rows[order[j - 1]].rank > rows[k].rank; j--)
			order[j] = order[j - 1];
		order[j] = k;
	}
	return n;
}

/* The editions the rows name, each once, in the table's order. */
static size_t named_editions(char words[][16], size_t max)
{
	size_t n = 0, i, w;

	for (size_t k = 0; k < ARRAY_SIZE(rows); k++)
		for (const char *p = rows[k].editions; *p;
		     p += w + strspn(p + w, " ")) {
			w = strcspn(p, " ");
			for (i = 0; i < n && (strlen(words[i]) != w ||
					      strncmp(words[i], p, w)); i++)
				;
			if (i == n && n < max && w < sizeof(words[0])) {
				memcpy(words[n], p, w);
				words[n++][w] = '\0';
			}
		}
	return n;
}

static void add_order(struct strbuf *out, const char *edition)
{
	size_t order[CONFIG_MANGA_NR], n = manga_sources_default(edition,
								  order);

	for (size_t i = 0; i < n; i++)
		strbuf_addf(out, "%s%s", i ? ", " : "", rows[order[i]].name);
}

void manga_sources_default_text(struct strbuf *out)
{
	char words[16][16];
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	size_t n = named_editions(words, ARRAY_SIZE(words)), i, j, last;

	for (i = 0; i < n; i = j) {
		strbuf_reset(&a);
		add_order(&a, words[i]);
		/* the editions after it of the same order go with it */
		for (j = i + 1; j < n; j++) {
			strbuf_reset(&b);
			add_order(&b, words[j]);
			if (strcmp(a.buf, b.buf))
				break;
		}
		strbuf_addf(out, "%s for ", a.buf);
		for (last = i; last < j; last++)
			strbuf_addf(out, "%s%s", last == i ? "" : last + 1 == j ?
				    " and " : ", ", words[last]);
		strbuf_addstr(out, "; ");
	}
	strbuf_reset(&a);
	add_order(&a, "");
	strbuf_addf(out, "%s for the others", a.buf);
	strbuf_release(&a);
	strbuf_release(&b);
}
