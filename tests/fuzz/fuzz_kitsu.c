/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Kitsu's JSON:API answers (indexer/monitor/kitsu.c): an input with a
 * title before a NUL byte is read as a search's answer for that title in
 * the edition its first byte picks, one without as a record asked by id;
 * what the parse took must come back the same through its cache form,
 * and a count is never out of its range.
 */

#include <stdlib.h>
#include <string.h>

/* the source is its one file: its parse and its info are static there */
#include "indexer/monitor/kitsu.c"
#include "indexer/monitor/remote.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const editions[] = { "ja", "ko", "zh" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kitsu_info info = { .id = 35071 }, again;
	const uint8_t *rest;
	char *title, *dump;
	size_t len;
	int rc;

	if (!size || fuzz_split(data + 1, size - 1, &title, &rest, &len))
		return 0;
	if (title)
		info.id = 0;
	rc = kitsu_parse((const char *)rest, len, title,
			 editions[data[0] % 3], &info);
	free(title);
	if (rc)
		return 0;
	if (info.id <= 0 || info.count < 0 || info.count > KITSU_MAX_COUNT)
		abort();
	dump = remote_info_dump(&kitsu_info_form, &info);
	if (dump && (remote_info_load(&kitsu_info_form, dump, strlen(dump),
				      &again) ||
		     again.id != info.id || again.count != info.count ||
		     strcmp(again.status, info.status)))
		abort();
	free(dump);
	return 0;
}
