/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Subsonic API's lists (subsonic_lists.h): getIndexes,
 * getAlbumList2, getRandomSongs, search3, getSimilarSongs(2),
 * getTopSongs and getSongsByGenre, chosen, ordered and cut over the
 * caller's index (subsonic_index.h), only the page read again through
 * the view. It reads no parameter but through the one it is given and
 * speaks no SQL.
 */
#include "fs/subsonic/subsonic_lists.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "common/fold.h"
#include "common/log.h"
#include "fs/subsonic/subsonic_artists.h"
#include "fs/subsonic/subsonic_auth.h"
#include "fs/subsonic/subsonic_genres.h"
#include "fs/subsonic/subsonic_brief.h"
#include "fs/subsonic/subsonic_index.h"
#include "fs/subsonic/subsonic_marks.h"
#include "fs/subsonic/subsonic_music.h"
#include "fs/tree/stamps.h"

#define MAX_SIZE 500

/* The number parameter name, def when not given, clamped to 0..max. */
static long number(subsonic_param_fn param, void *req, const char *name,
		   long def, long max)
{
	const char *v = param(req, name);
	char *end;
	long n;

	if (!v || !*v)
		return def;
	n = strtol(v, &end, 10);
	if (*end || n < 0)
		return def;
	return n > max ? max : n;
}

/* An album or song of the index (its place there) and what orders it. */
struct pick {
	size_t i;
	double key;		/* the greater first */
	const char *text;	/* the same, when key ties */
};

/* The picks being chosen, over the index ix. */
struct picks {
	const struct subsonic_index *ix;
	struct pick *v;
	size_t n;
};

/* Every album (songs 0) or song of ix, in the view's order, into p: 0 or
 * -ENOMEM. */
static int picks_all(struct picks *p, const struct subsonic_index *ix,
		     int songs)
{
	p->ix = ix;
	p->n = songs ? ix->nsongs : ix->nalbums;
	p->v = calloc(p->n + 1, sizeof(*p->v));
	if (!p->v)
		return -ENOMEM;
	for (size_t i = 0; i < p->n; i++)
		p->v[i].i = i;
	return 0;
}

/* Shuffle p (Fisher-Yates, over xorshift64 from the kernel's seed:
 * another order each time, not a secret one). */
static void shuffle(struct picks *p)
{
	uint64_t x = 0;

	if (getrandom(&x, sizeof(x), GRND_NONBLOCK) != (ssize_t)sizeof(x) ||
	    !x)
		x = (uint64_t)(uintptr_t)p->v | 1;
	for (size_t i = p->n; i > 1; i--) {
		struct pick t;
		size_t k;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		k = (size_t)(x % i);
		t = p->v[i - 1];
		p->v[i - 1] = p->v[k];
		p->v[k] = t;
	}
}

static const struct subsonic_index_album *album(const void *pick,
						void *arg)
{
	const struct picks *p = arg;

	return &p->ix->albums[((const struct pick *)pick)->i];
}

/* The view's order, when all else ties. */
static int by_place(const void *a, const void *b)
{
	size_t x = ((const struct pick *)a)->i, y = ((const struct pick *)b)->i;

	return x < y ? -1 : x > y;
}

static int by_name(const void *a, const void *b, void *arg)
{
	int d = strcasecmp(album(a, arg)->name, album(b, arg)->name);

	return d ? d : by_place(a, b);
}

static int by_artist(const void *a, const void *b, void *arg)
{
	int d = strcasecmp(album(a, arg)->artist, album(b, arg)->artist);

	return d ? d : by_name(a, b, arg);
}

static int by_year(const void *a, const void *b, void *arg)
{
	long x = album(a, arg)->year, y = album(b, arg)->year;

	return x < y ? -1 : x > y ? 1 : by_name(a, b, arg);
}

static int by_key(const void *a, const void *b, void *arg)
{
	const struct pick *x = a, *y = b;
	int d;

	(void)arg;
	if (x->key != y->key)
		return x->key < y->key ? 1 : -1;
	d = strcmp(y->text ? y->text : "", x->text ? x->text : "");
	return d ? d : by_place(a, b);
}

/* Whether year is between from and to (either way round; 0 is open). */
static int within(long year, long from, long to)
{
	long lo = from < to || !to ? from : to, hi = from < to ? to : from;

	if (from && to)
		return year >= lo && year <= hi;
	return (!from || year >= from) && (!to || year <= to);
}

/* Keep the picks of p that keep() holds to. */
static void keep(struct picks *p, int (*keep)(struct pick *, void *),
		 void *arg)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++)
		if (keep(&p->v[i], arg))
			p->v[n++] = p->v[i];
	p->n = n;
}

/* The Child of the pick i of p (a song) as the caller sees it now, into
 * *out. */
static int pick_out(const struct picks *p, size_t i, json_t **out)
{
	const struct subsonic_index *ix = p->ix;
	const struct subsonic_index_song *s = &ix->songs[p->v[i].i];
	const struct subsonic_index_album *a = &ix->albums[s->album];

	return subsonic_music_song_at(a->rel, s->name, s->file, a->cover,
				      out);
}

/* Append to a the albums of the picks offset.. of p that the caller
 * still sees, until it holds size: each round judges as many as are
 * missing at once. 0 or -ENOMEM. */
static int albums_page(const struct picks *p, size_t offset, size_t size,
		       json_t *a)
{
	size_t *places = malloc((size + 1) * sizeof(*places));
	size_t i = offset;
	int rc = places ? 0 : -ENOMEM;

	while (!rc && i < p->n && json_array_size(a) < size) {
		size_t want = size - json_array_size(a), n = 0;

		for (; n < want && i < p->n; i++)
			places[n++] = p->v[i].i;
		rc = subsonic_brief_albums(p->ix, places, n, a);
	}
	free(places);
	return rc;
}

/* The picks offset.. of p, size of those the caller still sees, as the
 * new array *out: 0 or a negative errno value. */
static int page(const struct picks *p, size_t offset, size_t size,
		int songs, json_t **out)
{
	json_t *a = json_array(), *o;
	int rc = a ? 0 : -ENOMEM;

	if (!rc && !songs)
		rc = albums_page(p, offset, size, a);
	for (size_t i = offset; !rc && songs && i < p->n &&
	     json_array_size(a) < size; i++) {
		rc = pick_out(p, i, &o);
		if (rc == SUBSONIC_NOT_FOUND) {
			rc = 0;
			continue;
		}
		if (!rc && json_array_append_new(a, o))
			rc = -ENOMEM;
	}
	if (rc) {
		json_decref(a);
		a = NULL;
	}
	*out = a;
	return rc;
}

int subsonic_lists_indexes(json_t *body, subsonic_param_fn param,
			   void *req)
{
	struct timespec names = stamps_names();
	json_int_t modified = (json_int_t)names.tv_sec * 1000 +
		names.tv_nsec / 1000000;
	const char *since = param(req, "ifModifiedSince");
	json_t *index;
	char *end;
	long long ms;
	int rc;

	rc = subsonic_artists_all(body);
	if (rc)
		return rc;
	index = json_incref(json_object_get(body, "artists"));
	json_object_del(body, "artists");
	/* a player that has the index as it is gets none of it again */
	errno = 0;
	ms = since ? strtoll(since, &end, 10) : -1;
	if (since && !errno && end != since && !*end && ms >= modified)
		json_object_del(index, "index");
	if (json_object_set_new(index, "lastModified",
				json_integer(modified))) {
		json_decref(index);
		return -ENOMEM;
	}
	return json_object_set_new(body, "indexes", index) ? -ENOMEM : 0;
}

/* The files.id of a genre, sorted, to look up. */
struct genre_files {
	int64_t *v;
	size_t n;
};

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The tracks of genre into g: 0 or a negative errno value. */
static int genre_files(const char *genre, struct genre_files *g)
{
	json_t *files, *v;
	size_t i;
	int rc = subsonic_genres_files(genre, &files);

	if (rc)
		return rc;
	g->n = json_array_size(files);
	g->v = malloc((g->n ? g->n : 1) * sizeof(*g->v));
	json_array_foreach(g->v ? files : NULL, i, v)
		g->v[i] = json_integer_value(v);
	json_decref(files);
	if (!g->v)
		return -ENOMEM;
	qsort(g->v, g->n, sizeof(*g->v), cmp_id);
	return 0;
}

static int in_genre(const struct genre_files *g, int64_t file)
{
	return bsearch(&file, g->v, g->n, sizeof(*g->v), cmp_id) != NULL;
}

/* What a filter of picks is given. */
struct filter {
	const struct picks *p;
	const struct genre_files *genre;
	long from, to;
	const char *query;
	int marked;		/* enum marked */
};

static int song_in_genre(struct pick *pick, void *arg)
{
	const struct filter *f = arg;

	return in_genre(f->genre, f->p->ix->songs[pick->i].file);
}

static int album_in_genre(struct pick *pick, void *arg)
{
	const struct filter *f = arg;
	const struct subsonic_index_album *a = &f->p->ix->albums[pick->i];

	for (size_t k = 0; k < a->nsongs; k++)
		if (in_genre(f->genre, f->p->ix->songs[a->song + k].file))
			return 1;
	return 0;
}

static int album_within(struct pick *pick, void *arg)
{
	const struct filter *f = arg;

	return within(f->p->ix->albums[pick->i].year, f->from, f->to);
}

static int song_within(struct pick *pick, void *arg)
{
	const struct filter *f = arg;

	return within(f->p->ix->songs[pick->i].year, f->from, f->to);
}

static int album_matches(struct pick *pick, void *arg)
{
	const struct filter *f = arg;

	return strstr(f->p->ix->albums[pick->i].name_fold, f->query) != NULL;
}

static int song_matches(struct pick *pick, void *arg)
{
	const struct filter *f = arg;

	return strstr(f->p->ix->songs[pick->i].title_fold, f->query) != NULL;
}

/* The lists of getAlbumList2 that the account's marks order. */
enum marked { STARRED, FREQUENT, RECENT, HIGHEST };

/* The key of the album of pick for the list m from the account's marks
 * (subsonic_marks.h); 0 when it has none for it. */
static int by_marks(struct pick *pick, void *arg)
{
	const struct filter *f = arg;
	const struct subsonic_index *ix = f->p->ix;
	const struct subsonic_index_album *a = &ix->albums[pick->i];
	enum marked m = f->marked;
	char sid[SUBSONIC_MARKS_ID_LEN];
	json_t *id = subsonic_music_id("al", a->rel), *o;
	const char *at, *starred;
	double plays = 0, rating;

	o = subsonic_marks_of(json_string_value(id));
	starred = json_string_value(json_object_get(o, "starred"));
	rating = (double)json_integer_value(json_object_get(o, "userRating"));
	json_decref(id);
	pick->text = NULL;
	for (size_t k = 0; m != STARRED && k < a->nsongs; k++) {
		subsonic_marks_song_id(ix->songs[a->song + k].file, sid);
		o = subsonic_marks_of(sid);
		plays += json_integer_value(json_object_get(o, "playCount"));
		at = json_string_value(json_object_get(o, "played"));
		if (at && (!pick->text || strcmp(at, pick->text) > 0))
			pick->text = at;
	}
	if (m == STARRED)
		pick->text = starred;
	else if (m == HIGHEST)
		pick->text = NULL;
	pick->key = m == FREQUENT ? plays : m == HIGHEST ? rating * 1e12 +
		(starred ? 1e11 : 0) + plays : pick->text ? 1 : 0;
	if (m == STARRED)
		return starred != NULL;
	return pick->key > 0;
}

static const char *const types[] = {
	"random", "newest", "alphabeticalByName", "alphabeticalByArtist",
	"byYear", "byGenre", "starred", "frequent", "recent", "highest",
};
enum type { RANDOM, NEWEST, BY_NAME, BY_ARTIST, BY_YEAR, BY_GENRE,
	    MARKED };

/* Choose and order the albums of p for the list t (of types). */
static void order_albums(struct picks *p, size_t t, struct filter *f)
{
	static int (*const cmp[])(const void *, const void *, void *) = {
		[NEWEST] = by_key, [BY_NAME] = by_name,
		[BY_ARTIST] = by_artist, [BY_YEAR] = by_year,
		[BY_GENRE] = by_name,
	};

	if (t == BY_GENRE)
		keep(p, album_in_genre, f);
	if (t == BY_YEAR)
		keep(p, album_within, f);
	for (size_t i = 0; t == NEWEST && i < p->n; i++)
		p->v[i].key = (double)p->ix->albums[p->v[i].i].last;
	if (t >= MARKED) {
		f->marked = (int)(t - MARKED);
		keep(p, by_marks, f);
	}
	if (t == RANDOM)
		shuffle(p);
	else
		qsort_r(p->v, p->n, sizeof(*p->v), t >= MARKED ? by_key :
			cmp[t], p);
	/* byYear from a later year to an earlier one goes backwards */
	for (size_t i = 0; t == BY_YEAR && f->from > f->to && i < p->n / 2;
	     i++) {
		struct pick x = p->v[i];

		p->v[i] = p->v[p->n - 1 - i];
		p->v[p->n - 1 - i] = x;
	}
}

/* The list type of getAlbumList2's parameters into *t: 0 or a Subsonic
 * error code. */
static int album_list_type(subsonic_param_fn param, void *req,
			   const struct filter *f, size_t *t)
{
	const char *type = param(req, "type");

	if (!type)
		return SUBSONIC_MISSING;
	for (*t = 0; *t < sizeof(types) / sizeof(types[0]); (*t)++)
		if (!strcmp(types[*t], type))
			break;
	if (*t == sizeof(types) / sizeof(types[0]))
		return SUBSONIC_NOT_FOUND;
	if ((*t == BY_YEAR && (!f->from || !f->to)) ||
	    (*t == BY_GENRE && !param(req, "genre")))
		return SUBSONIC_MISSING;
	return 0;
}

int subsonic_lists_albums(json_t *body, subsonic_param_fn param, void *req)
{
	struct genre_files g = { NULL, 0 };
	struct subsonic_index *ix = NULL;
	struct picks p = { 0 };
	struct filter f = { &p, &g, number(param, req, "fromYear", 0, 9999),
			    number(param, req, "toYear", 0, 9999), NULL, 0 };
	json_t *out = NULL;
	size_t t;
	int rc = album_list_type(param, req, &f, &t);

	if (!rc && t == BY_GENRE)
		rc = genre_files(param(req, "genre"), &g);
	if (!rc)
		rc = subsonic_index_get(&ix);
	if (!rc)
		rc = picks_all(&p, ix, 0);
	if (!rc) {
		order_albums(&p, t, &f);
		rc = page(&p, number(param, req, "offset", 0, LONG_MAX),
			  number(param, req, "size", 10, MAX_SIZE), 0, &out);
	}
	if (!rc && json_object_set_new(body, "albumList2",
				       json_pack("{s:o}", "album", out)))
		rc = -ENOMEM;
	free(p.v);
	free(g.v);
	subsonic_index_put(ix);
	return rc;
}

int subsonic_lists_random(json_t *body, subsonic_param_fn param, void *req)
{
	struct subsonic_index *ix = NULL;
	struct picks p = { 0 };
	struct filter f = { &p, NULL, number(param, req, "fromYear", 0, 9999),
			    number(param, req, "toYear", 0, 9999), NULL, 0 };
	json_t *out = NULL;
	int rc = subsonic_index_get(&ix);

	if (!rc)
		rc = picks_all(&p, ix, 1);
	if (!rc) {
		keep(&p, song_within, &f);
		shuffle(&p);
		rc = page(&p, 0, number(param, req, "size", 10, MAX_SIZE), 1,
			  &out);
	}
	if (!rc && json_object_set_new(body, "randomSongs",
				       json_pack("{s:o}", "song", out)))
		rc = -ENOMEM;
	free(p.v);
	subsonic_index_put(ix);
	return rc;
}

/* The artists of ix whose folded name holds query (folded), count of
 * them from offset, as the new array *out. */
static int artists_found(const struct subsonic_index *ix, const char *query,
			 size_t offset, size_t count, json_t **out)
{
	const char *last = NULL;
	json_t *entry;
	size_t seen = 0, end;

	*out = json_array();
	for (size_t i = 0; *out && i < ix->nalbums &&
	     json_array_size(*out) < count; i++) {
		const char *artist = ix->albums[i].artist;

		/* an artist's albums follow one another in the view */
		if ((last && !strcmp(last, artist)) ||
		    !strstr(ix->albums[i].artist_fold, query))
			continue;
		last = artist;
		for (end = i + 1; end < ix->nalbums &&
		     !strcmp(ix->albums[end].artist, artist); end++)
			;
		if (!subsonic_index_seen_any(ix, i, end) || seen++ < offset)
			continue;
		entry = json_pack("{s:o,s:s}", "id", subsonic_music_artist_id(
			ix->albums[i].rel), "name", artist);
		subsonic_marks_add(entry, json_string_value(json_object_get(
			entry, "id")));
		if (json_array_append_new(*out, entry)) {
			json_decref(*out);
			*out = NULL;
		}
	}
	return *out ? 0 : -ENOMEM;
}

/* Keep the picks i..total-1 of p that match says, after the p->n kept,
 * until want are: where it stopped looking. */
static size_t keep_some(struct picks *p, size_t i, size_t total,
			int (*match)(struct pick *, void *), void *arg,
			size_t want)
{
	for (; i < total && p->n < want; i++)
		if (match(&p->v[i], arg))
			p->v[p->n++] = p->v[i];
	return i;
}

/* The albums (songs 0) or songs of ix whose folded name or title holds
 * query (folded), paged by the parameters named after what, into the
 * member name of result: the matches a page needs looked for first. */
static int found(json_t *result, const struct subsonic_index *ix,
		 int songs, const char *query, subsonic_param_fn param,
		 void *req, const char *what)
{
	int (*match)(struct pick *, void *) = songs ? song_matches :
		album_matches;
	struct picks p = { 0 };
	struct filter f = { &p, NULL, 0, 0, query, 0 };
	char count[32], offset[32];
	size_t total, looked = 0, from, size;
	json_t *out = NULL;
	int rc = picks_all(&p, ix, songs);

	snprintf(count, sizeof(count), "%sCount", what);
	snprintf(offset, sizeof(offset), "%sOffset", what);
	from = (size_t)number(param, req, offset, 0, LONG_MAX);
	size = (size_t)number(param, req, count, 20, MAX_SIZE);
	total = p.n;
	p.n = 0;
	if (!rc) {
		looked = keep_some(&p, 0, total, match, &f, from < total ?
				   from + size : total);
		rc = page(&p, from, size, songs, &out);
	}
	/* the caller may not read enough of them: all, then */
	if (!rc && json_array_size(out) < size && looked < total) {
		json_decref(out);
		out = NULL;
		keep_some(&p, looked, total, match, &f, SIZE_MAX);
		rc = page(&p, from, size, songs, &out);
	}
	if (!rc && json_object_set_new(result, what, out))
		rc = -ENOMEM;
	free(p.v);
	return rc;
}

int subsonic_lists_search(json_t *body, subsonic_param_fn param, void *req)
{
	const char *asked = param(req, "query");
	struct subsonic_index *ix = NULL;
	json_t *result = NULL, *artists = NULL;
	char *query = NULL;
	int rc;

	if (!asked)
		return SUBSONIC_MISSING;
	if (!strcmp(asked, "\"\""))
		asked = "";
	/* matched as people type: case and marks folded both sides */
	rc = fold_text(asked, strlen(asked), &query);
	if (rc == -EILSEQ)
		log_debug("subsonic: a search for text that is not UTF-8");
	if (!rc)
		rc = subsonic_index_get(&ix);
	if (!rc)
		rc = artists_found(ix, query, number(param, req,
			"artistOffset", 0, LONG_MAX), number(param, req,
			"artistCount", 20, MAX_SIZE), &artists);
	if (!rc) {
		result = json_pack("{s:o}", "artist", artists);
		rc = result ? 0 : -ENOMEM;
	}
	if (!rc)
		rc = found(result, ix, 0, query, param, req, "album");
	if (!rc)
		rc = found(result, ix, 1, query, param, req, "song");
	if (!rc && json_object_set(body, "searchResult3", result))
		rc = -ENOMEM;
	json_decref(result);
	subsonic_index_put(ix);
	free(query);
	return rc;
}

/* Append the songs of ix of the files, count at most, the caller sees
 * to out. */
static int songs_of_files(const struct subsonic_index *ix, json_t *files,
			  size_t count, json_t *out)
{
	const struct subsonic_index_song *s;
	struct picks p = { .ix = ix, .n = 1 };
	struct pick one = { 0 };
	json_t *v, *song;
	size_t i;
	int rc = 0;

	p.v = &one;
	json_array_foreach(files, i, v) {
		if (json_array_size(out) == count)
			break;
		s = subsonic_index_find(ix, json_integer_value(v));
		if (!s)
			continue;
		one.i = (size_t)(s - ix->songs);
		rc = pick_out(&p, 0, &song);
		if (rc == SUBSONIC_NOT_FOUND) {
			rc = 0;
			continue;
		}
		if (!rc && json_array_append_new(out, song))
			rc = -ENOMEM;
		if (rc)
			break;
	}
	return rc;
}

/* Append to out the songs of /similar of the song param id the caller
 * sees, most alike first, count of them (dflt unless asked). */
static int similar_of(subsonic_param_fn param, void *req, size_t dflt,
		      json_t *out)
{
	const char *id = param(req, "id");
	size_t count = number(param, req, "count", dflt, MAX_SIZE);
	struct subsonic_index *ix = NULL;
	json_t *files = NULL;
	int rc = id ? subsonic_music_similar(id, &files) : SUBSONIC_MISSING;

	if (!rc)
		rc = subsonic_index_get(&ix);
	if (!rc)
		rc = songs_of_files(ix, files, count, out);
	subsonic_index_put(ix);
	json_decref(files);
	return rc;
}

int subsonic_lists_similar(json_t *body, const char *member,
			   subsonic_param_fn param, void *req)
{
	json_t *out = json_array();
	int rc = out ? similar_of(param, req, 50, out) : -ENOMEM;

	if (!rc && json_object_set_new(body, member,
				       json_pack("{s:O}", "song", out)))
		rc = -ENOMEM;
	json_decref(out);
	return rc;
}

int subsonic_lists_sonic_similar(json_t *body, subsonic_param_fn param,
				 void *req)
{
	json_t *songs = json_array(), *matches = json_array(), *song;
	int rc = songs && matches ? similar_of(param, req, 10, songs) :
		-ENOMEM;
	size_t i;

	json_array_foreach(songs, i, song)
		if (!rc && json_array_append_new(matches, json_pack(
				"{s:O, s:f}", "entry", song, "similarity",
				-1.0)))
			rc = -ENOMEM;
	if (!rc && json_object_set(body, "sonicMatch", matches))
		rc = -ENOMEM;
	json_decref(songs);
	json_decref(matches);
	return rc;
}

int subsonic_lists_genre_songs(json_t *body, subsonic_param_fn param,
			       void *req)
{
	const char *genre = param(req, "genre");
	struct genre_files g = { NULL, 0 };
	struct subsonic_index *ix = NULL;
	struct picks p = { 0 };
	struct filter f = { &p, &g, 0, 0, NULL, 0 };
	json_t *out = NULL;
	int rc = genre ? genre_files(genre, &g) : SUBSONIC_MISSING;

	if (!rc)
		rc = subsonic_index_get(&ix);
	if (!rc)
		rc = picks_all(&p, ix, 1);
	if (!rc) {
		keep(&p, song_in_genre, &f);
		rc = page(&p, number(param, req, "offset", 0, LONG_MAX),
			  number(param, req, "count", 10, MAX_SIZE), 1, &out);
	}
	if (!rc && json_object_set_new(body, "songsByGenre",
				       json_pack("{s:o}", "song", out)))
		rc = -ENOMEM;
	free(p.v);
	free(g.v);
	subsonic_index_put(ix);
	return rc;
}

/* Whether the song of pick is of the artist f->query (a folder's name,
 * case aside); its key the account's plays of it, its text when it was
 * played last (subsonic_marks.h). */
static int song_of_artist(struct pick *pick, void *arg)
{
	const struct filter *f = arg;
	const struct subsonic_index *ix = f->p->ix;
	const struct subsonic_index_song *s = &ix->songs[pick->i];
	char sid[SUBSONIC_MARKS_ID_LEN];
	json_t *o;

	if (strcasecmp(ix->albums[s->album].artist, f->query))
		return 0;
	subsonic_marks_song_id(s->file, sid);
	o = subsonic_marks_of(sid);
	pick->key = (double)json_integer_value(json_object_get(o,
							       "playCount"));
	pick->text = json_string_value(json_object_get(o, "played"));
	return 1;
}

int subsonic_lists_top(json_t *body, subsonic_param_fn param, void *req)
{
	const char *artist = param(req, "artist");
	struct subsonic_index *ix = NULL;
	struct picks p = { 0 };
	struct filter f = { &p, NULL, 0, 0, artist, 0 };
	json_t *out = NULL;
	int rc = artist ? subsonic_index_get(&ix) : SUBSONIC_MISSING;

	if (!rc)
		rc = picks_all(&p, ix, 1);
	if (!rc) {
		keep(&p, song_of_artist, &f);
		qsort_r(p.v, p.n, sizeof(*p.v), by_key, &p);
		rc = page(&p, 0, number(param, req, "count", 50, MAX_SIZE), 1,
			  &out);
	}
	if (!rc && json_object_set_new(body, "topSongs",
				       json_pack("{s:o}", "song", out)))
		rc = -ENOMEM;
	free(p.v);
	subsonic_index_put(ix);
	return rc;
}
