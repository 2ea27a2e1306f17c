/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The user's release preferences (prefs.h): a release's language, group
 * and format read from its title, judged and ranked against [release] and
 * a series' own preferences. It fetches and stores nothing.
 */
#include "indexer/monitor/prefs.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "common/array.h"
#include "common/config.h"
#include "common/log.h"
#include "common/strbuf.h"

/* The words of a title that name its language, as indexers tag them. */
static const struct {
	const char *word, *language;
} language_words[] = {
	{ "fr", "fr" }, { "vf", "fr" }, { "vostfr", "fr" },
	{ "french", "fr" }, { "truefrench", "fr" }, { "francais", "fr" },
	{ "français", "fr" }, { "FRANÇAIS", "fr" },
	{ "en", "en" }, { "eng", "en" }, { "english", "en" },
	{ "es", "es" }, { "esp", "es" }, { "spanish", "es" },
	{ "español", "es" }, { "castellano", "es" },
	{ "de", "de" }, { "ger", "de" }, { "german", "de" },
	{ "deutsch", "de" },
	{ "ita", "it" }, { "italian", "it" }, { "italiano", "it" },
	{ "raw", "ja" }, { "jpn", "ja" }, { "japanese", "ja" },
};

/* The English digital scan groups, which tag no language: their
 * releases read "(Digital) (GROUP)". */
static const char *const english_groups[] = {
	"LuCaZ", "1r0n", "Oak", "Empire", "danke-Empire", "Shellshock",
	"Stick", "Kileko", "SmartOCR", "anadius", "XRA-Empire", NULL
};

/* Bracketed words that name no group. */
static const char *const not_groups[] = {
	"digital", "c2c", "webrip", "web", "scan", "scans", "hq", "lq",
	"complete", "complet", "integrale", "intégrale", "ongoing", "fixed",
	"ebook", "manga", "omnibus", "color", "colour", "pack", "packs", NULL
};

/* The keys of a series' preferences, the order of prefs_own.given. */
enum { K_LANGUAGES, K_PREFERRED, K_BLOCKED, K_FORMATS, K_SEEDERS,
       K_MIN_SIZE, K_MAX_SIZE, K_PACKS, K_SAVE_PATH, K_NR };

static const char *const own_keys[] = {
	[K_LANGUAGES] = "languages", [K_PREFERRED] = "preferred_groups",
	[K_BLOCKED] = "blocked_groups", [K_FORMATS] = "formats",
	[K_SEEDERS] = "min_seeders", [K_MIN_SIZE] = "min_size_mb",
	[K_MAX_SIZE] = "max_size_mb", [K_PACKS] = "packs",
	[K_SAVE_PATH] = "save_path", NULL
};

static const char *const packs_names[] = {
	[PREFS_PACKS_LAST] = "last", [PREFS_PACKS_FIRST] = "first",
	[PREFS_PACKS_NEVER] = "never", NULL
};

static int find_word(const char *const *list, const char *s, size_t len);

void prefs_from_config(struct prefs *p, const struct config *cfg)
{
	int packs = cfg->release_packs ? find_word(packs_names,
		cfg->release_packs, strlen(cfg->release_packs)) : -1;

	*p = (struct prefs) {
		.languages = &cfg->release_languages,
		.preferred_groups = &cfg->release_preferred_groups,
		.blocked_groups = &cfg->release_blocked_groups,
		.formats = &cfg->release_formats,
		.min_seeders = cfg->release_min_seeders,
		.min_size = (int64_t)cfg->release_min_size_mb << 20,
		.max_size = (int64_t)cfg->release_max_size_mb << 20,
		.packs = packs < 0 ? PREFS_PACKS_LAST : packs,
	};
}

void prefs_own_release(struct prefs_own *own)
{
	struct config_list *lists[] = {
		&own->languages, &own->preferred_groups, &own->blocked_groups,
		&own->formats,
	};

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		while (lists[i]->nr)
			free(lists[i]->items[--lists[i]->nr]);
		free(lists[i]->items);
	}
	free(own->save_path);
	memset(own, 0, sizeof(*own));
}

/* The text from s to end, without the blanks around it. */
static void trim(const char **s, const char **end)
{
	while (*s < *end && isspace((unsigned char)**s))
		(*s)++;
	while (*end > *s && isspace((unsigned char)(*end)[-1]))
		(*end)--;
}

/* A comma-separated list of names (of choices, when not NULL) into l. */
static int parse_list(const char *s, const char *end,
		      const char *const *choices, struct config_list *l)
{
	while (l->nr)
		free(l->items[--l->nr]);
	for (;;) {
		const char *comma = memchr(s, ',', end - s), *e = comma ?
			comma : end, *b = s;
		char **items;

		trim(&b, &e);
		if (b == e || (choices && find_word(choices, b, e - b) < 0))
			return -EINVAL;
		items = array_grow(l->items, l->nr, &l->alloc,
				   sizeof(*items), 1);
		if (!items)
			return -ENOMEM;
		l->items = items;
		l->items[l->nr] = strndup(b, e - b);
		if (!l->items[l->nr])
			return -ENOMEM;
		l->nr++;
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

/* A whole number from 0 to max, written as plain digits. */
static int parse_int(const char *s, const char *end, long max, int *out)
{
	long n = 0;

	if (s == end || end - s > 9)
		return -EINVAL;
	for (; s < end; s++) {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		n = n * 10 + (*s - '0');
	}
	if (n > max)
		return -EINVAL;
	*out = (int)n;
	return 0;
}

/* One "KEY = VALUE" item, from s to end, trimmed. */
/* A save path as a value: absolute, no control character; the last one
 * given stays. */
static int parse_path(const char *s, const char *end, char **out)
{
	if (end == s || *s != '/')
		return -EINVAL;
	for (const char *c = s; c < end; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return -EINVAL;
	free(*out);
	*out = strndup(s, end - s);
	return *out ? 0 : -ENOMEM;
}

static int parse_item(const char *s, const char *end, struct prefs_own *own)
{
	const char *eq = memchr(s, '=', end - s), *k = s, *ke = eq, *v;
	int key, rc, packs;

	if (!eq)
		return -EINVAL;
	trim(&k, &ke);
	key = find_word(own_keys, k, ke - k);
	v = eq + 1;
	trim(&v, &end);
	switch (key) {
	case K_LANGUAGES:
		rc = parse_list(v, end, config_release_languages,
				&own->languages);
		break;
	case K_PREFERRED:
		rc = parse_list(v, end, NULL, &own->preferred_groups);
		break;
	case K_BLOCKED:
		rc = parse_list(v, end, NULL, &own->blocked_groups);
		break;
	case K_FORMATS:
		rc = parse_list(v, end, config_release_formats, &own->formats);
		break;
	case K_SEEDERS:
		rc = parse_int(v, end, 1000000, &own->min_seeders);
		break;
	case K_MIN_SIZE:
		rc = parse_int(v, end, 10000000, &own->min_size_mb);
		break;
	case K_MAX_SIZE:
		rc = parse_int(v, end, 10000000, &own->max_size_mb);
		break;
	case K_PACKS:
		packs = find_word(packs_names, v, end - v);
		own->packs = packs;
		rc = packs < 0 ? -EINVAL : 0;
		break;
	case K_SAVE_PATH:
		rc = parse_path(v, end, &own->save_path);
		break;
	default:
		return -EINVAL;
	}
	if (!rc)
		own->given |= 1u << key;
	return rc;
}

/* A list as a value: its names, comma-separated. */
static void add_list(struct strbuf *out, const struct config_list *l)
{
	for (size_t i = 0; i < l->nr; i++)
		strbuf_addf(out, "%s%s", i ? ", " : "", l->items[i]);
}

/* The items of own, a line each, in the order of the keys. */
static void canonical(const struct prefs_own *own, struct strbuf *out)
{
	const struct config_list *lists[] = {
		[K_LANGUAGES] = &own->languages,
		[K_PREFERRED] = &own->preferred_groups,
		[K_BLOCKED] = &own->blocked_groups,
		[K_FORMATS] = &own->formats,
	};
	const int ints[] = {
		[K_SEEDERS] = own->min_seeders,
		[K_MIN_SIZE] = own->min_size_mb,
		[K_MAX_SIZE] = own->max_size_mb,
	};

	for (int k = 0; k < K_NR; k++) {
		if (!(own->given & (1u << k)))
			continue;
		strbuf_addf(out, "%s%s = ", out->len ? "\n" : "",
			    own_keys[k]);
		if (k <= K_FORMATS)
			add_list(out, lists[k]);
		else if (k == K_PACKS)
			strbuf_addstr(out, packs_names[own->packs]);
		else if (k == K_SAVE_PATH)
			strbuf_addstr(out, own->save_path);
		else
			strbuf_addf(out, "%d", ints[k]);
	}
}

int prefs_parse(const char *text, struct prefs_own *own,
		struct strbuf *canon)
{
	const char *s = text;
	int rc = 0;

	memset(own, 0, sizeof(*own));
	if (strlen(text) > PREFS_TEXT_MAX)
		return -EINVAL;
	while (!rc && *s) {
		const char *end = s + strcspn(s, ";\n"), *b = s, *e = end;

		trim(&b, &e);
		if (b < e)
			rc = parse_item(b, e, own);
		s = *end ? end + 1 : end;
	}
	if (rc) {
		prefs_own_release(own);
		return rc;
	}
	if (canon)
		canonical(own, canon);
	return 0;
}

void prefs_override(struct prefs *p, const struct prefs_own *own)
{
	if (own->given & (1u << K_LANGUAGES))
		p->languages = &own->languages;
	if (own->given & (1u << K_PREFERRED))
		p->preferred_groups = &own->preferred_groups;
	if (own->given & (1u << K_BLOCKED))
		p->blocked_groups = &own->blocked_groups;
	if (own->given & (1u << K_FORMATS))
		p->formats = &own->formats;
	if (own->given & (1u << K_SEEDERS))
		p->min_seeders = own->min_seeders;
	if (own->given & (1u << K_MIN_SIZE))
		p->min_size = (int64_t)own->min_size_mb << 20;
	if (own->given & (1u << K_MAX_SIZE))
		p->max_size = (int64_t)own->max_size_mb << 20;
	if (own->given & (1u << K_PACKS))
		p->packs = own->packs;
}

/* Letters and digits make words; so do the bytes of UTF-8 letters. */
static int word_char(char c)
{
	return isalnum((unsigned char)c) || (unsigned char)c >= 0x80;
}

/* The index of s (len bytes, any case) in the NULL-ended list, or -1. */
static int find_word(const char *const *list, const char *s, size_t len)
{
	for (int i = 0; list[i]; i++)
		if (strlen(list[i]) == len && !strncasecmp(list[i], s, len))
			return i;
	return -1;
}

/* The language s (len bytes) names, or NULL. */
static const char *language_of(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof(language_words) /
	     sizeof(language_words[0]); i++)
		if (strlen(language_words[i].word) == len &&
		    !strncasecmp(language_words[i].word, s, len))
			return language_words[i].language;
	return NULL;
}

/* Whether a bracket's text (len bytes) is only digits, spaces and
 * dashes: a year, a range of volumes. */
static int numeric(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]) && !strchr(" -,.", s[i]))
			return 0;
	return 1;
}

/* Whether the text of a bracket (len bytes) can be a group's name. */
static int group_like(const char *s, size_t len)
{
	return len && len < sizeof(((struct prefs_traits *)0)->group) &&
		!numeric(s, len) && !language_of(s, len) &&
		find_word(config_release_formats, s, len) < 0 &&
		find_word(not_groups, s, len) < 0 &&
		(len < 2 || tolower((unsigned char)s[0]) != 'v' ||
		 !numeric(s + 1, len - 1));
}

/* The group of a scene name without spaces, "Title.T01.FRENCH-GROUP". */
static void scene_group(const char *title, struct prefs_traits *t)
{
	const char *dash = strrchr(title, '-'), *end;

	if (strchr(title, ' ') || !dash || !dash[1])
		return;
	end = dash + 1 + strcspn(dash + 1, ".");
	if ((!*end || find_word(config_release_formats, end + 1,
				strlen(end + 1)) >= 0) &&
	    group_like(dash + 1, end - dash - 1))
		snprintf(t->group, sizeof(t->group), "%.*s",
			 (int)(end - dash - 1), dash + 1);
}

/* The last bracketed text that can be a group's name, and the first
 * that names a language ("[FR]", "(EN)"). */
static void brackets(const char *title, struct prefs_traits *t)
{
	for (const char *p = title; (p = strpbrk(p, "([")); p++) {
		const char *end = strchr(p, *p == '(' ? ')' : ']');
		const char *lang;

		if (!end)
			return;
		lang = language_of(p + 1, end - p - 1);
		if (lang && !t->language[0])
			snprintf(t->language, sizeof(t->language), "%s", lang);
		if (group_like(p + 1, end - p - 1))
			snprintf(t->group, sizeof(t->group), "%.*s",
				 (int)(end - p - 1), p + 1);
		p = end;
	}
}

/*
 * Two letters name a language only alone in brackets or in a scene name
 * without spaces: "en", "de" and "es" are words of French and Spanish
 * titles. "VF" is the exception, never a word.
 */
void prefs_traits(const char *title, struct prefs_traits *t)
{
	const char *p = title;
	int scene = !strchr(title, ' ');

	memset(t, 0, sizeof(*t));
	brackets(title, t);
	while (*p) {
		size_t len;
		const char *lang;
		int f;

		while (*p && !word_char(*p))
			p++;
		for (len = 0; word_char(p[len]); len++)
			;
		lang = len > 2 || scene || (len == 2 &&
			!strncasecmp(p, "vf", 2)) ? language_of(p, len) : NULL;
		if (lang && !t->language[0])
			snprintf(t->language, sizeof(t->language), "%s", lang);
		f = len ? find_word(config_release_formats, p, len) : -1;
		if (f >= 0 && !t->format[0])
			snprintf(t->format, sizeof(t->format), "%s",
				 config_release_formats[f]);
		p += len;
	}
	if (!t->group[0])
		scene_group(title, t);
	if (!t->language[0] && (find_word(english_groups, t->group,
					  strlen(t->group)) >= 0 ||
				strcasestr(title, "(Digital)")))
		strcpy(t->language, "en");
}

/* The place of s in l, any case, or -1. */
static int list_index(const struct config_list *l, const char *s)
{
	for (size_t i = 0; l && i < l->nr; i++)
		if (!strcasecmp(l->items[i], s))
			return (int)i;
	return -1;
}

/* Say why a release is blocked; returns 1, prefs_judge()'s answer. */
static int __attribute__((format(printf, 3, 4)))
blocked(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return 1;
}

int prefs_judge(const struct prefs *p, struct release *r, char *why,
		size_t len)
{
	struct prefs_traits t;
	int pack = r->last > r->first, lang = 0, nl = p->languages ?
		(int)p->languages->nr : 0;

	prefs_traits(r->title, &t);
	if (nl && t.language[0]) {
		lang = list_index(p->languages, t.language);
		if (lang < 0)
			return blocked(why, len, "language %s not wanted",
				       t.language);
	} else if (nl) {
		lang = nl;	/* unknown: after the wanted ones */
	}
	if (t.group[0] && list_index(p->blocked_groups, t.group) >= 0)
		return blocked(why, len, "group %s blocked", t.group);
	if (p->formats && p->formats->nr && t.format[0] &&
	    list_index(p->formats, t.format) < 0)
		return blocked(why, len, "format %s not wanted", t.format);
	if (p->min_seeders && !strcmp(r->source, "prowlarr") &&
	    r->protocol && !strcmp(r->protocol, "torrent") &&
	    r->seeders < p->min_seeders)
		return blocked(why, len, "%d seeders, fewer than %d",
			       r->seeders, p->min_seeders);
	if (r->size >= 0 && p->min_size && r->size < p->min_size)
		return blocked(why, len, "smaller than the minimum size");
	if (r->size >= 0 && p->max_size && r->size > p->max_size)
		return blocked(why, len, "larger than the maximum size");
	if (pack && p->packs == PREFS_PACKS_NEVER)
		return blocked(why, len, "a pack, and packs are not wanted");
	r->pref = lang * 4 +
		(t.group[0] && list_index(p->preferred_groups, t.group) >= 0 ?
		 0 : 2) +
		(p->packs == PREFS_PACKS_FIRST ? !pack : pack);
	return 0;
}

/* Keep r, which the preferences did not take for why, in w's dropped
 * list, for /status/found.json (the log tells it too, whole), with its
 * id and, under "release", what control/send needs to send it anyway
 * (picked.h; the mount does not show that part). */
static void note_dropped(struct release_want *w, const struct release *r,
			 const char *why)
{
	char id[RELEASE_ID_LEN + 1];
	json_t *one;

	if (!w->dropped)
		w->dropped = json_array();
	if (!w->dropped || json_array_size(w->dropped) >= PREFS_DROPPED_MAX)
		return;
	release_id(r->guid, r->link, r->magnet, r->title, id);
	one = json_pack("{s:s, s:s, s:s, s:s, s:{s:s?, s:s?, s:s?, s:s?,"
			" s:s?, s:i, s:i, s:I, s:f, s:f, s:f, s:f}}",
			"title", r->title, "source", r->source, "reason", why,
			"id", id, "release", "link", r->link,
			"magnet", r->magnet, "guid", r->guid,
			"indexer", r->indexer, "protocol", r->protocol,
			"indexer_id", r->indexer_id, "seeders", r->seeders,
			"size", (json_int_t)r->size, "first", r->first,
			"last", r->last, "published_at", r->published_at,
			"found_at", r->found_at);
	if (!one || json_array_append_new(w->dropped, one))
		log_warn("prefs: out of memory, volume %d's dropped releases"
			 " not all listed", w->volume);
}

void prefs_apply(const struct prefs *p, struct release_want *w)
{
	char why[128];

	for (size_t i = 0; i < w->nr;) {
		if (!prefs_judge(p, &w->r[i], why, sizeof(why))) {
			i++;
			continue;
		}
		log_info("prefs: \"%s\" for volume %d not taken: %s",
			 w->r[i].title, w->volume, why);
		note_dropped(w, &w->r[i], why);
		release_want_remove(w, i);
	}
}
