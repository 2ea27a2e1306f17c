/*
 * The manga volume-name parser: a series name (before a NUL byte, when
 * there is one) and a file name, and the normalizer on both.
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
	if (r.kind == NAMES_NONE && (r.first || r.last))
		abort();
	if (r.first > r.last || r.last > NAMES_MAX_NUMBER)
		abort();
	names_normalize(name, &norm);
	names_same_series(name, series);
	names_is_volume_file(name);
	names_release(&r);
	strbuf_release(&norm);
	free(name);
	free(series);
	return 0;
}
