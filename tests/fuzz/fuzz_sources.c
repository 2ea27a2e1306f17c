/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The new-volume sources' JSON answers: the input's first byte picks the
 * reader (AniList's media, MangaDex's search and aggregate, MangaUpdates'
 * search and series record), a title may stand before a NUL byte, and
 * what a reader took must come back the same through its cache form.
 */

#include <stdlib.h>
#include <string.h>

/* each source is its one file: its parse and its info are static there */
#include "indexer/monitor/anilist.c"
#include "indexer/monitor/mangadex.c"
#include "indexer/monitor/mangaupdates.c"
#include "indexer/monitor/remote.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void anilist(const char *body, size_t len, const char *title)
{
	struct anilist_info info = { 0 }, again;
	char *dump;

	if (anilist_parse(body, len, title, "ja", &info))
		return;
	dump = remote_info_dump(&anilist_info_form, &info);
	if (dump && (remote_info_load(&anilist_info_form, dump,
				      strlen(dump), &again) ||
		     again.id != info.id || again.count != info.count))
		abort();
	free(dump);
}

static void mangadex(const char *body, size_t len, const char *title,
		     int aggregate)
{
	struct mangadex_info info = { 0 }, again;
	char *dump;
	int count;

	if (aggregate) {
		if (!mangadex_parse_aggregate(body, len, &count) &&
		    count < 0)
			abort();
		return;
	}
	if (mangadex_parse_search(body, len, title ? title : "", &info))
		return;
	if (!mangadex_id_ok(info.id))
		abort();
	dump = remote_info_dump(&mangadex_info_form, &info);
	if (dump && (remote_info_load(&mangadex_info_form, dump,
				      strlen(dump), &again) ||
		     strcmp(again.id, info.id)))
		abort();
	free(dump);
}

static void mangaupdates(const char *body, size_t len, const char *title,
			 int series)
{
	struct mangaupdates_info info = { .id = 1 }, again;
	char *dump;
	int ret = series ? mangaupdates_parse_series(body, len, &info) :
		mangaupdates_parse_search(body, len, title ? title : "",
					  "ja", &info);

	if (ret)
		return;
	dump = remote_info_dump(&mangaupdates_info_form, &info);
	if (dump && (remote_info_load(&mangaupdates_info_form, dump,
				      strlen(dump), &again) ||
		     again.id != info.id || again.count != info.count))
		abort();
	free(dump);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *rest;
	const char *body;
	char *title;
	size_t len;

	if (!size || fuzz_split(data + 1, size - 1, &title, &rest, &len))
		return 0;
	body = (const char *)rest;
	switch (data[0] % 5) {
	case 0:
		anilist(body, len, title);
		break;
	case 1:
	case 2:
		mangadex(body, len, title, data[0] % 5 == 2);
		break;
	default:
		mangaupdates(body, len, title, data[0] % 5 == 4);
		break;
	}
	free(title);
	return 0;
}
