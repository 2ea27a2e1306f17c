/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What every tag reader shares (tags.h, tags_private.h): the window over
 * a file, values added field by field with their sources, damage noted.
 * Each format's parsing is in its own tags_*.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/utf8.h"
#include "indexer/library/tags.h"
#include "indexer/library/tags_private.h"

static const char *const field_names[TAGS_NR_FIELDS] = {
	"title", "artist", "album_artist", "album", "genre", "track", "disc",
	"year",
};

static const char *const source_names[] = {
	"", "vorbis", "id3v2", "ape", "id3v1", "name", "mp4", "riff",
};

int tags_win_init(struct tags_win *w, int fd, struct tags *t,
		  unsigned char *buf, size_t chunk)
{
	struct stat st;

	if (t->file_size > 0)
		st.st_size = t->file_size;
	else if (fstat(fd, &st))
		return -errno;
	w->fd = fd;
	w->t = t;
	w->chunk = chunk;
	w->size = st.st_size;
	w->off = 0;
	w->len = 0;
	w->buf = buf;
	return 0;
}

void tags_win_mem(struct tags_win *w, struct tags *t,
		  const unsigned char *data, size_t len)
{
	w->fd = -1;
	w->t = t;
	w->chunk = len;
	w->size = len;
	w->off = 0;
	w->len = len;
	w->buf = (unsigned char *)data;
}

ssize_t tags_win_get(struct tags_win *w, uint64_t off, size_t len,
		     const unsigned char **p)
{
	ssize_t n;

	if (off >= w->size)
		return 0;
	if (len > w->size - off)
		len = w->size - off;
	if (w->fd >= 0 && (off < w->off || off + len > w->off + w->len)) {
		size_t want = len > w->chunk ? len : w->chunk;

		n = pread(w->fd, w->buf, want, off);
		if (n < 0)
			return -errno;
		w->t->bytes_read += n;
		w->off = off;
		w->len = n;
		if ((size_t)n < want && off + n < w->size)
			w->size = off + n;
	}
	if (off < w->off || off >= w->off + w->len)
		return 0;
	*p = w->buf + (off - w->off);
	return len < w->off + w->len - off ? len : w->off + w->len - off;
}

ssize_t tags_win_tail(struct tags_win *w, size_t len,
		      const unsigned char **p, uint64_t *off)
{
	*off = w->size > len ? w->size - len : 0;
	return tags_win_get(w, *off, len, p);
}

/* The text field f of t. */
static char **text_field(struct tags *t, enum tags_field f)
{
	switch (f) {
	case TAGS_TITLE:
		return &t->title;
	case TAGS_ARTIST:
		return &t->artist;
	case TAGS_ALBUM_ARTIST:
		return &t->album_artist;
	case TAGS_ALBUM:
		return &t->album;
	default:
		return &t->genre;
	}
}

/* A better source than the one being read gave f a value. */
static int taken(const struct tags *t, enum tags_field f)
{
	return t->source[f] && t->source[f] != t->reading;
}

void tags_vnote(int *flag, char *error, size_t size, const char *fmt,
		va_list ap)
{
	*flag = 1;
	if (!error[0])
		vsnprintf(error, size, fmt, ap);
}

void tags_damage(struct tags *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tags_vnote(&t->tag_error, t->error, sizeof(t->error), fmt, ap);
	va_end(ap);
}

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
 * How many bytes one U+FFFD stands for at s, which utf8_decode() refused:
 * the lead byte and the continuation bytes that could still have made a
 * character with it (Unicode's "maximal subpart", which Python's
 * decoder replaces as one), at least one byte.
 */
static size_t ill_formed_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 1;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 2;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 3;
	else
		return 1;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	for (i = 1; i <= need && i < n; i++) {
		if (s[i] < lo || s[i] > hi)
			break;
		lo = 0x80;
		hi = 0xbf;
	}
	return i;
}

/*
 * Several values for one field are kept as one "; "-joined string, which
 * is what the database and the file system views show. Invalid UTF-8
 * becomes U+FFFD and marks the tag as damaged. Empty and repeated values
 * are dropped. Returns 1 when the value was added, 0 when it was not, or
 * -ENOMEM.
 */
static int add_value(struct tags *t, char **field, const char *s, size_t len)
{
	static const char repl[] = "\xef\xbf\xbd";
	const unsigned char *u = (const unsigned char *)s;
	size_t old, need = 0, i, k;
	unsigned int cp;
	char *p, *start;

	len = strnlen(s, len);
	for (i = 0; i < len; i += k) {
		k = utf8_decode(u + i, len - i, &cp);
		need += k ? k : 3;
		if (!k)
			k = ill_formed_len(u + i, len - i);
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
	for (i = 0; i < len; i += k) {
		k = utf8_decode(u + i, len - i, &cp);
		if (k) {
			memcpy(p, s + i, k);
			p += k;
			continue;
		}
		memcpy(p, repl, 3);
		p += 3;
		k = ill_formed_len(u + i, len - i);
		tags_damage(t, "%s: a value is not UTF-8",
			    source_names[t->reading]);
	}
	*p = '\0';
	if (old && has_item(*field, old, start, p - start)) {
		(*field)[old] = '\0';
		return 0;
	}
	return 1;
}

int tags_add(struct tags *t, enum tags_field f, const char *s, size_t len)
{
	int rc;

	if (taken(t, f))
		return 0;
	rc = add_value(t, text_field(t, f), s, len);
	if (rc > 0)
		t->source[f] = t->reading;
	return rc < 0 ? rc : 0;
}

/* Whether the len bytes at s spell a UUID: 8-4-4-4-12 hex digits. */
static int is_uuid(const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdefABCDEF";

	if (len != 36)
		return 0;
	for (size_t i = 0; i < len; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !s[i] || !strchr(hex, s[i]))
			return 0;
	}
	return 1;
}

int tags_add_mbid(struct tags *t, char **field, const char *s, size_t len)
{
	char id[37];
	int rc;

	len = strnlen(s, len);
	if (!is_uuid(s, len)) {
		log_debug("tags: %s: a musicbrainz id that is no uuid ignored"
			  " (%zu bytes)", source_names[t->reading], len);
		return 0;
	}
	for (size_t i = 0; i < len; i++)
		id[i] = s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 'a' : s[i];
	rc = add_value(t, field, id, len);
	return rc < 0 ? rc : 0;
}

/* Copy len bytes of s, up to a NUL, into buf as a C string, cut to fit:
 * numbers and dates are short. */
static const char *cstr(char *buf, size_t size, const char *s, size_t len)
{
	len = strnlen(s, len);
	if (len >= size)
		len = size - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return buf;
}

/* 0 means "no number", so junk such as "x" or "0" never sets a field. */
static int parse_uint(const char *s, char **end)
{
	long v = strtol(s, end, 10);

	return *end != s && v > 0 && v <= INT_MAX ? v : 0;
}

void tags_take_pos(struct tags *t, enum tags_field f, const char *s,
		   size_t len, int total_only)
{
	int *num = f == TAGS_TRACK ? &t->track : &t->disc;
	int *total = f == TAGS_TRACK ? &t->track_total : &t->disc_total;
	char buf[32], *end;
	int v;

	if (taken(t, f))
		return;
	v = parse_uint(cstr(buf, sizeof(buf), s, len), &end);
	if (total_only) {
		if (v && !*total)
			*total = v;
		return;
	}
	if (v && !*num) {
		*num = v;
		t->source[f] = t->reading;
	}
	if (*end == '/' && (v = parse_uint(end + 1, &end)) && !*total)
		*total = v;
}

int tags_take_year(struct tags *t, const char *s, size_t len)
{
	char buf[32];
	const char *p = cstr(buf, sizeof(buf), s, len);
	int v = 0, digits = 0;

	if (*p == '+')
		p++;
	for (; *p >= '0' && *p <= '9' && digits < 9; p++, digits++)
		v = v * 10 + *p - '0';
	if (!digits || (*p && !strchr("-T:/. \t\n\r\v\f", *p)))
		return 0;
	if (v && !taken(t, TAGS_YEAR) && !t->year) {
		t->year = v;
		t->source[TAGS_YEAR] = t->reading;
	}
	return v > 0;
}

int tags_title_from_name(struct tags *t, const char *name)
{
	const char *dot = strrchr(name, '.');
	int damaged = t->tag_error, rc;
	char error[TAGS_ERROR_MAX];

	if (t->title && *t->title)
		return 0;
	free(t->title);
	t->title = NULL;
	t->source[TAGS_TITLE] = TAGS_NONE;
	memcpy(error, t->error, sizeof(error));
	t->reading = TAGS_NAME;
	rc = tags_add(t, TAGS_TITLE, name, dot && dot != name ?
		      (size_t)(dot - name) : strlen(name));
	t->tag_error = damaged;
	memcpy(t->error, error, sizeof(error));
	return rc;
}

/* Whether f holds a value, which is what its source is kept for. */
static int has_value(const struct tags *t, enum tags_field f)
{
	switch (f) {
	case TAGS_TRACK:
		return t->track > 0;
	case TAGS_DISC:
		return t->disc > 0;
	case TAGS_YEAR:
		return t->year > 0;
	default:
		return *text_field((struct tags *)t, f) != NULL;
	}
}

/* The letters of tags_sources()' code, by enum tags_source. */
static const char source_letters[] = "-v2a1nmr";

void tags_sources(const struct tags *t, char code[TAGS_NR_FIELDS + 1])
{
	int any = 0;

	for (int f = 0; f < TAGS_NR_FIELDS; f++) {
		int known = t->source[f] && t->source[f] <
			ARRAY_SIZE(source_names) && has_value(t, f);

		code[f] = source_letters[known ? t->source[f] : 0];
		any |= known;
	}
	code[any ? TAGS_NR_FIELDS : 0] = '\0';
}

void tags_sources_text(const char *code, char *buf, size_t size)
{
	size_t used = 0;
	int n;

	if (strlen(code) != TAGS_NR_FIELDS ||
	    strspn(code, source_letters) != TAGS_NR_FIELDS) {
		snprintf(buf, size, "%s", code);
		return;
	}
	if (size)
		buf[0] = '\0';
	for (int f = 0; f < TAGS_NR_FIELDS && used < size; f++) {
		const char *letter = strchr(source_letters, code[f]);

		if (letter == source_letters)
			continue;
		n = snprintf(buf + used, size - used, "%s%s=%s",
			     used ? " " : "", field_names[f],
			     source_names[letter - source_letters]);
		if (n < 0)
			break;
		used += n;
	}
}

/* Gains are small numbers: one past +-100 dB is junk, not a gain. */
void tags_take_gain(struct tags *t, int album, const char *s, size_t len,
		    int r128)
{
	int *has = album ? &t->has_album_gain : &t->has_gain;
	char buf[32], *end;
	double v;

	if (*has)
		return;
	v = strtod(cstr(buf, sizeof(buf), s, len), &end);
	if (end == buf || !(v > -1e6 && v < 1e6))
		return;
	tags_set_gain(t, album, r128 ? v / 256 + 5 : v);
}

void tags_set_gain(struct tags *t, int album, double db)
{
	int *has = album ? &t->has_album_gain : &t->has_gain;

	if (*has || !(db >= -100 && db <= 100))
		return;
	*has = 1;
	*(album ? &t->album_gain_db : &t->gain_db) = db;
}

/* A duration taken from a damaged header may be tiny or not a number:
 * only a bitrate an int holds is kept. */
void tags_set_bitrate(struct tags *t, uint64_t size)
{
	double kbps;

	if (!(t->duration_s > 0))
		return;
	kbps = size * 8.0 / t->duration_s / 1000 + 0.5;
	if (kbps < INT_MAX)
		t->bitrate_kbps = kbps;
}

/* Zeroing lets the caller reuse the same struct for the next file. */
int tags_take_lyrics(struct tags *t, const char *s, size_t len,
		     const char *lang)
{
	len = strnlen(s, len);
	if (!t->want_lyrics || t->lyrics || !len)
		return 0;
	t->lyrics = strndup(s, len);
	if (!t->lyrics)
		return -ENOMEM;
	for (size_t i = 0; lang && i < 3; i++)	/* letters, or none */
		if (!((lang[i] | 0x20) >= 'a' && (lang[i] | 0x20) <= 'z'))
			lang = NULL;
	if (lang)
		memcpy(t->lyrics_lang, lang, 3);
	return 0;
}

void tags_text_fields(struct tags *t, char **f[TAGS_TEXT_FIELDS])
{
	char **all[TAGS_TEXT_FIELDS] = {
		&t->title, &t->artist, &t->album_artist, &t->album, &t->genre,
		&t->mb_track_id, &t->mb_album_id, &t->mb_artist_id,
		&t->mb_album_artist_id, &t->lyrics, &t->lyrics_synced,
	};

	memcpy(f, all, sizeof(all));
}

void tags_release(struct tags *t)
{
	char **f[TAGS_TEXT_FIELDS];

	tags_text_fields(t, f);
	for (int i = 0; i < TAGS_TEXT_FIELDS; i++)
		free(*f[i]);
	memset(t, 0, sizeof(*t));
}
