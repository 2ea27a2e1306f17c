/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_PREFS_H
#define MEDIAMON_PREFS_H

/*
 * The user's release preferences ([release] in the configuration): which
 * of the releases found may go to a download client, and which go
 * first. A release's language, group and format are read from its title
 * (prefs_traits()), as indexers show them:
 *
 *	"[FR] One Piece T105 (2024) [cbz]"		fr, no group, cbz
 *	"One Piece v100-102 (Digital) (LuCaZ)"		en, LuCaZ
 *	"One.Piece.T104.FRENCH.CBZ.eBook-NoTag"		fr, NoTag, cbz
 *
 *	struct prefs p;
 *
 *	prefs_from_config(&p, cfg);
 *	prefs_apply(&p, &want);		(blocked releases removed, the
 *					 others given their rank)
 *	release_want_rank(&want);
 *
 * A preference blocks a release when its title names a language, group or
 * format the user did not want, its seeders (torrents) are fewer than
 * min_seeders, its size is outside the bounds, or it is a pack and packs
 * are "never". What the title does not say blocks nothing: a release of
 * unknown language ranks after those of a wanted one.
 */

#include <stddef.h>
#include <stdint.h>

#include "indexer/monitor/release.h"

#include "common/config.h"

struct strbuf;

/* Where packs (releases of several volumes) rank. */
enum prefs_packs { PREFS_PACKS_LAST, PREFS_PACKS_FIRST, PREFS_PACKS_NEVER };

struct prefs {
	const struct config_list *languages;	/* best first; none: any */
	const struct config_list *preferred_groups, *blocked_groups;
	const struct config_list *formats;	/* none: any */
	int min_seeders;
	int64_t min_size, max_size;		/* bytes; 0: no bound */
	enum prefs_packs packs;
};

/*
 * A series' own preferences (/manga/SERIES/preferences): the keys of
 * [release] it gives, which replace the global ones for its releases;
 * and save_path, where the torrent client saves its downloads instead of
 * [download] save_path (an absolute path as the client sees it), from
 * which they are imported too.
 */
struct prefs_own {
	unsigned given;			/* bits, in the order of the keys */
	struct config_list languages, preferred_groups, blocked_groups;
	struct config_list formats;
	int min_seeders, min_size_mb, max_size_mb;
	enum prefs_packs packs;
	char *save_path;		/* NULL: [download] save_path */
};

/* The longest text of a series' preferences. */
#define PREFS_TEXT_MAX 1024

/* What a title says of its release; "" where it says nothing. */
struct prefs_traits {
	char language[4];		/* "fr", "en", "es", "de", "it", "ja" */
	char group[64];
	char format[8];			/* "cbz", "cbr", "cb7", "pdf", "epub" */
};

/* Point p at cfg's [release] settings; cfg must outlive p. */
void prefs_from_config(struct prefs *p, const struct config *cfg);

/*
 * Read a series' preferences from text: "KEY = VALUE" items, the keys
 * and values of [release], separated by newlines or ";"; blank items are
 * skipped, a key given twice keeps the last value. On success fills own
 * (prefs_own_release() frees it) and, when canon is not NULL, appends
 * the items as a line each in the order of the keys. Returns 0, or
 * -EINVAL for an unknown key, a bad value or a text longer than
 * PREFS_TEXT_MAX (own left empty), or -ENOMEM.
 */
int prefs_parse(const char *text, struct prefs_own *own,
		struct strbuf *canon);

/* Free what own holds, leaving it empty. */
void prefs_own_release(struct prefs_own *own);

/* Let the keys own gives replace p's; own must outlive p. */
void prefs_override(struct prefs *p, const struct prefs_own *own);

/* Read title's language, group and format into *t. */
void prefs_traits(const char *title, struct prefs_traits *t);

/*
 * Whether p blocks r: 1 with the reason in why (of size len), else 0
 * with r->pref set to its rank among the allowed (lower goes first).
 */
int prefs_judge(const struct prefs *p, struct release *r, char *why,
		size_t len);

/* The most releases kept in a volume's dropped list. */
#define PREFS_DROPPED_MAX 20

/*
 * Remove from w the releases p blocks, each logged with its reason and
 * listed in w->dropped (the first PREFS_DROPPED_MAX), and rank the others
 * for release_want_rank().
 */
void prefs_apply(const struct prefs *p, struct release_want *w);

#endif
