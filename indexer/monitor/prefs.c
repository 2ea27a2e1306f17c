#include "indexer/monitor/prefs.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/config.h"
#include "common/log.h"

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

void prefs_from_config(struct prefs *p, const struct config *cfg)
{
	*p = (struct prefs) {
		.languages = &cfg->release_languages,
		.preferred_groups = &cfg->release_preferred_groups,
		.blocked_groups = &cfg->release_blocked_groups,
		.formats = &cfg->release_formats,
		.min_seeders = cfg->release_min_seeders,
		.min_size = (int64_t)cfg->release_min_size_mb << 20,
		.max_size = (int64_t)cfg->release_max_size_mb << 20,
		.packs = !cfg->release_packs ? PREFS_PACKS_LAST :
			!strcmp(cfg->release_packs, "first") ?
			PREFS_PACKS_FIRST :
			!strcmp(cfg->release_packs, "never") ?
			PREFS_PACKS_NEVER : PREFS_PACKS_LAST,
	};
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
			return snprintf(why, len, "language %s not wanted",
					t.language), 1;
	} else if (nl) {
		lang = nl;	/* unknown: after the wanted ones */
	}
	if (t.group[0] && list_index(p->blocked_groups, t.group) >= 0)
		return snprintf(why, len, "group %s blocked", t.group), 1;
	if (p->formats && p->formats->nr && t.format[0] &&
	    list_index(p->formats, t.format) < 0)
		return snprintf(why, len, "format %s not wanted", t.format), 1;
	if (p->min_seeders && !strcmp(r->source, "prowlarr") &&
	    r->protocol && !strcmp(r->protocol, "torrent") &&
	    r->seeders < p->min_seeders)
		return snprintf(why, len, "%d seeders, fewer than %d",
				r->seeders, p->min_seeders), 1;
	if (r->size >= 0 && p->min_size && r->size < p->min_size)
		return snprintf(why, len, "smaller than the minimum size"), 1;
	if (r->size >= 0 && p->max_size && r->size > p->max_size)
		return snprintf(why, len, "larger than the maximum size"), 1;
	if (pack && p->packs == PREFS_PACKS_NEVER)
		return snprintf(why, len, "a pack, and packs are not wanted"),
			1;
	r->pref = lang * 4 +
		(t.group[0] && list_index(p->preferred_groups, t.group) >= 0 ?
		 0 : 2) +
		(p->packs == PREFS_PACKS_FIRST ? !pack : pack);
	return 0;
}

void prefs_apply(const struct prefs *p, struct want *w)
{
	char why[128];

	for (size_t i = 0; i < w->nr;) {
		if (!prefs_judge(p, &w->r[i], why, sizeof(why))) {
			i++;
			continue;
		}
		log_info("prefs: \"%s\" for volume %d not taken: %s",
			 w->r[i].title, w->volume, why);
		want_remove(w, i);
	}
}
