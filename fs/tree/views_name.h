/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_VIEWS_NAME_H
#define MEDIAMON_VIEWS_NAME_H

/*
 * The names of the library views (/library, /search): tag values made
 * into file names that any file manager can show and any shell can type,
 * and the folders they make told apart.
 *
 *	struct views_list l = VIEWS_LIST_INIT;
 *	struct strbuf sb = STRBUF_INIT;
 *
 *	while (a row of the folder) {
 *		strbuf_reset(&sb);
 *		views_name_add(&sb, title, title_len);
 *		strbuf_addstr(&sb, ".flac");
 *		if (views_list_add(&l, sb.buf, sb.len, 5))
 *			goto fail;
 *	}
 *	if (views_list_settle(&l))
 *		goto fail;
 *	e = views_list_find(&l, "01 - Intro.flac");
 *	... e->index is the row's position when it was added ...
 *	views_list_clear(&l);
 *
 * The rules (DESIGN.md section 2): "/" becomes U+2215 (∕), control
 * characters become spaces, bytes that are not UTF-8 become U+FFFD, a
 * leading dot becomes "_" so no entry is hidden or reads as "." or "..",
 * and a name longer than 255 bytes is cut on a character boundary,
 * keeping its extension. Entries that end up with one name get " (2)",
 * " (3)", ... (before the extension) in the order they were added, so a
 * caller that adds them in a stable order gets stable names.
 */

#include <stddef.h>

struct strbuf;

/* The longest name, in bytes, that a Linux file system takes. */
#define VIEWS_NAME_MAX 255

/*
 * Append the len bytes of value (a tag value, a folder name: any bytes,
 * NULs too) to out with "/", control characters and malformed UTF-8
 * replaced. Leading dots and length are left to views_list_add(), which
 * sees the whole name.
 */
void views_name_add(struct strbuf *out, const char *value, size_t len);

/*
 * The length of the extension of the file name or path at name (len
 * bytes): a final dot followed by 1 to 10 ASCII letters or digits, with
 * something before it. Returns 0 when there is none.
 */
size_t views_name_ext(const char *name, size_t len);

struct views_entry {
	char *name;		/* NUL-terminated, owned by the list */
	size_t ext_len;		/* bytes at the end of name kept by cuts */
	size_t index;		/* how many entries were added before it */
};

struct views_list {
	struct views_entry *v;
	size_t nr, alloc;
};

#define VIEWS_LIST_INIT { NULL, 0, 0 }

/*
 * Add the name at name (len bytes, made with views_name_add() plus an
 * extension of ext_len bytes, as views_name_ext() finds them; a longer
 * one counts as part of the name, which must be valid UTF-8): leading dots
 * are replaced, an empty name becomes "_", and a name past
 * VIEWS_NAME_MAX bytes is cut before its extension on a character
 * boundary. Returns 0 or -ENOMEM.
 */
int views_list_add(struct views_list *l, const char *name, size_t len,
		   size_t ext_len);

/*
 * Tell apart entries that share a name: the first added keeps it, the
 * next get " (2)", " (3)", ... inserted before the extension (the rest
 * cut to fit), and this repeats until no two entries share a name; then
 * sort the entries by name (byte order). Returns 0 or -ENOMEM (the list
 * is then still valid, maybe not yet told apart).
 */
int views_list_settle(struct views_list *l);

/* The settled entry called name, or NULL when there is none. */
const struct views_entry *views_list_find(const struct views_list *l,
					  const char *name);

/* Free the names and the array; l is empty and reusable afterwards. */
void views_list_clear(struct views_list *l);

#endif
