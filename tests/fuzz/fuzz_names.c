/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The manga volume-name parser: a series name (before a NUL byte, when
 * there is one) and a file name, the normalizer on both, and the match
 * of a release title to a series.
 */

#include <stdlib.h>
#include <string.h>

#include "indexer/manga/names.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct names_result r = NAMES_RESULT_INIT;
	struct strbuf norm = STRBUF_INIT;
	const uint8_t *rest;
	size_t len;
	char *series, *name;

	if (fuzz_split(data, size, &series, &rest, &len))
		return 0;
	name = strndup((const char *)rest, len);
	if (!name) {
		free(series);
		return 0;
	}
	names_parse(name, series, &r);
	if (r.kind == NAMES_NONE && (r.first || r.last || !r.reason))
		abort();
	if (r.kind != NAMES_NONE && r.reason)
		abort();
	if (r.first > r.last || r.last > NAMES_MAX_NUMBER)
		abort();
	if (r.volume_first > r.volume_last ||
	    r.volume_last > NAMES_MAX_NUMBER ||
	    (!r.has_volume && (r.volume_first || r.volume_last)))
		abort();
	if (r.kind == NAMES_VOLUME && (!r.has_volume ||
	    r.volume_first != r.first || r.volume_last != r.last))
		abort();
	if (names_match_release(name, series, &r) &&
	    (r.kind != NAMES_VOLUME || !names_same_series(r.series.buf,
							  series)))
		abort();
	names_normalize(name, &norm);
	if (*names_skip_article(norm.buf) == ' ')
		abort();
	names_same_series(name, series);
	names_is_volume_file(name);
	names_release(&r);
	strbuf_release(&norm);
	free(name);
	free(series);
	return 0;
}
