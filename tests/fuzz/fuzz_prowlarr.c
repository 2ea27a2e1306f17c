/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Prowlarr's search answers for a series (before a NUL byte, when there
 * is one), and the cache form of what was read, which must read back the
 * same.
 */

#include <stdlib.h>
#include <string.h>

#include "indexer/monitor/prowlarr.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prowlarr_release *r = NULL, *again = NULL;
	size_t nr = 0, nr_again = 0, len;
	const uint8_t *rest;
	char *series, *dump;

	if (fuzz_split(data, size, &series, &rest, &len))
		return 0;
	if (!prowlarr_parse((const char *)rest, len, series ? series : "",
			    &r, &nr)) {
		dump = prowlarr_releases_dump(r, nr);
		if (dump && prowlarr_parse(dump, strlen(dump),
					   series ? series : "", &again,
					   &nr_again))
			abort();
		if (dump && nr_again != nr)
			abort();
		free(dump);
		prowlarr_releases_free(again, nr_again);
		prowlarr_releases_free(r, nr);
	}
	free(series);
	return 0;
}
