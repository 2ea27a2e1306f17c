#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"
#include "indexer/library/tags.h"
#include "indexer/library/tags_util.h"


/*
 * Whether the len bytes at v are already one of the "; "-separated items
 * in the first n bytes of list, as "(17)Rock" gives "Rock" twice.
 */
static int has_item(const char *list, size_t n, const char *v, size_t len)
{
	const char *p, *sep, *end = list + n;

	for (p = list; p <= end; p = sep + 2) {
		for (sep = p; sep < end && memcmp(sep, "; ", 2); sep++)
			;
		if ((size_t)(sep - p) == len && !memcmp(p, v, len))
			return 1;
	}
	return 0;
}

/*
 * Several values for one field are kept as one "; "-joined string, which
 * is what the database and the file system views show. Invalid UTF-8
 * bytes become U+FFFD and mark the tag as damaged. Empty and repeated
 * values are dropped.
 */
int tags_add(struct tags *t, char **field, const char *s, size_t len)
{
	static const char repl[] = "\xef\xbf\xbd";
	const unsigned char *u = (const unsigned char *)s;
	size_t old, need = 0, i, k;
	unsigned int cp;
	char *p, *start;

	len = strnlen(s, len);
	for (i = 0; i < len; i += k ? k : 1) {
		k = utf8_decode(u + i, len - i, &cp);
		need += k ? k : 3;
	}
	if (!need)
		return 0;
	old = *field ? strlen(*field) : 0;
	p = realloc(*field, old + 2 + need + 1);
	if (!p)
		return -ENOMEM;
	*field = p;
	p += old;
	if (old) {
		memcpy(p, "; ", 2);
		p += 2;
	}
	start = p;
	for (i = 0; i < len; i += k ? k : 1) {
		k = utf8_decode(u + i, len - i, &cp);
		if (k) {
			memcpy(p, s + i, k);
			p += k;
		} else {
			memcpy(p, repl, 3);
			p += 3;
			t->tag_error = 1;
		}
	}
	*p = '\0';
	if (old && has_item(*field, old, start, p - start))
		(*field)[old] = '\0';
	return 0;
}

/* 0 means "no number", so junk such as "x" or "0" never sets a field. */
static int parse_uint(const char *s, char **end)
{
	long v = strtol(s, end, 10);

	return *end != s && v > 0 && v <= INT_MAX ? v : 0;
}

/*
 * Track and disc numbers come as "3" or "3/12"; total may be NULL for
 * fields such as TRACKTOTAL that only hold a count.
 */
void tags_parse_pos(const char *s, int *num, int *total)
{
	char *end;
	int v;

	v = parse_uint(s, &end);
	if (v)
		*num = v;
	if (total && *end == '/') {
		v = parse_uint(end + 1, &end);
		if (v)
			*total = v;
	}
}

/* Dates come as "2019", "2019-05-01" or "2019-05-01T10:00"; keep the year. */
void tags_parse_year(const char *s, int *year)
{
	int i, v = 0;

	for (i = 0; i < 4; i++) {
		if (s[i] < '0' || s[i] > '9')
			return;
		v = v * 10 + s[i] - '0';
	}
	if (v)
		*year = v;
}

int tags_title_from_name(struct tags *t, const char *name)
{
	const char *dot = strrchr(name, '.');
	int damaged = t->tag_error, rc;

	if (t->title && *t->title)
		return 0;
	free(t->title);
	t->title = NULL;
	rc = tags_add(t, &t->title, name, dot && dot != name ?
		      (size_t)(dot - name) : strlen(name));
	t->tag_error = damaged;
	return rc;
}

/* Zeroing lets the caller reuse the same struct for the next file. */
void tags_release(struct tags *t)
{
	free(t->title);
	free(t->artist);
	free(t->album_artist);
	free(t->album);
	free(t->genre);
	free(t->mb_track_id);
	free(t->mb_album_id);
	free(t->mb_artist_id);
	free(t->mb_album_artist_id);
	memset(t, 0, sizeof(*t));
}
