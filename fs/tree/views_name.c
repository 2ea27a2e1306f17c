/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The names of the library views (views_name.h): tag values made into file
 * names, and the names of a folder told apart. It reads nothing of the
 * store.
 */
#include "fs/tree/views_name.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/strbuf.h"
#include "common/utf8.h"

#define EXT_MAX 10
#define SETTLE_PASSES 8

void views_name_add(struct strbuf *out, const char *value, size_t len)
{
	unsigned int cp;

	for (size_t i = 0, k; i < len; i += k ? k : 1) {
		k = utf8_decode((const unsigned char *)value + i, len - i, &cp);
		if (!k || !cp)
			strbuf_addstr(out, "\xef\xbf\xbd");
		else if (cp == '/')
			strbuf_addstr(out, "\xe2\x88\x95");
		else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			strbuf_addch(out, ' ');
		else
			strbuf_add(out, value + i, k);
	}
}

size_t views_name_ext(const char *name, size_t len)
{
	size_t n = 0;

	while (n < len && n <= EXT_MAX) {
		char c = name[len - 1 - n];

		if (c == '.')
			break;
		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9'))
			return 0;
		n++;
	}
	if (!n || n > EXT_MAX || n + 1 >= len || name[len - 1 - n] != '.' ||
	    name[len - 2 - n] == '/')
		return 0;
	return n + 1;
}

/* Build stem + suffix + ext within VIEWS_NAME_MAX bytes, malloc'd; the
 * suffix and extension are short enough to always leave room. */
static char *compose(const char *stem, size_t stem_len, const char *suffix,
		     const char *ext, size_t ext_len)
{
	size_t slen = strlen(suffix), keep;
	char *name;

	keep = utf8_fit(stem, stem_len, VIEWS_NAME_MAX - slen - ext_len);
	name = malloc(keep + slen + ext_len + 1);
	if (!name)
		return NULL;
	memcpy(name, stem, keep);
	memcpy(name + keep, suffix, slen);
	memcpy(name + keep + slen, ext, ext_len);
	name[keep + slen + ext_len] = '\0';
	return name;
}

int views_list_add(struct views_list *l, const char *name, size_t len,
		   size_t ext_len)
{
	struct strbuf sb = STRBUF_INIT;
	struct views_entry *e;
	size_t dots = 0;

	e = array_grow(l->v, l->nr, &l->alloc, sizeof(*e), 64);
	if (!e)
		return -ENOMEM;
	l->v = e;
	if (ext_len > len || ext_len > EXT_MAX + 1)
		ext_len = 0;
	while (dots < len - ext_len && name[dots] == '.')
		dots++;
	for (size_t i = 0; i < dots; i++)
		strbuf_addch(&sb, '_');
	strbuf_add(&sb, name + dots, len - ext_len - dots);
	if (!sb.len)
		strbuf_addch(&sb, '_');
	strbuf_add(&sb, name + len - ext_len, ext_len);
	e = &l->v[l->nr];
	e->ext_len = ext_len;
	e->name = compose(sb.buf, sb.len - e->ext_len, "",
			  sb.buf + sb.len - e->ext_len, e->ext_len);
	strbuf_release(&sb);
	if (!e->name)
		return -ENOMEM;
	e->index = l->nr++;
	return 0;
}

/* Among equal names the one added first comes first, so it keeps its
 * name: what makes the suffixes stable. */
static int by_name_then_index(const void *a, const void *b)
{
	const struct views_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return (x->index > y->index) - (x->index < y->index);
}

/* Give the k-th holder of a name (k >= 2) its " (k)". */
static int suffix_entry(struct views_entry *e, unsigned int k)
{
	size_t len = strlen(e->name);
	char suffix[16], *name;

	snprintf(suffix, sizeof(suffix), " (%u)", k);
	name = compose(e->name, len - e->ext_len, suffix,
		       e->name + len - e->ext_len, e->ext_len);
	if (!name)
		return -ENOMEM;
	free(e->name);
	e->name = name;
	return 0;
}

int views_list_settle(struct views_list *l)
{
	for (int pass = 0; pass < SETTLE_PASSES; pass++) {
		int changed = 0;

		if (l->nr)
			qsort(l->v, l->nr, sizeof(*l->v), by_name_then_index);
		/* run is the first holder of a name, which keeps it */
		for (size_t i = 1, run = 0; i < l->nr; i++) {
			int rc;

			if (strcmp(l->v[i].name, l->v[run].name)) {
				run = i;
				continue;
			}
			changed = 1;
			rc = suffix_entry(&l->v[i], i - run + 1);
			if (rc)
				return rc;
		}
		if (!changed)
			return 0;
	}
	qsort(l->v, l->nr, sizeof(*l->v), by_name_then_index);
	return 0;
}

/* bsearch() compares a bare name with an entry. */
static int by_name(const void *key, const void *elem)
{
	const struct views_entry *e = elem;

	return strcmp(key, e->name);
}

const struct views_entry *views_list_find(const struct views_list *l,
					  const char *name)
{
	const struct views_entry *e;

	if (!l->nr)
		return NULL;
	e = bsearch(name, l->v, l->nr, sizeof(*l->v), by_name);
	/* Should a name stay shared after every pass, the first holder is
	 * the one reached. */
	while (e && e > l->v && !strcmp(e[-1].name, name))
		e--;
	return e;
}

void views_list_clear(struct views_list *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free(l->v[i].name);
	free(l->v);
	*l = (struct views_list)VIEWS_LIST_INIT;
}
