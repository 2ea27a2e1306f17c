/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Nautiljon's series pages, and the cache form of what was read, which
 * must read back the same.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* the source is its one file: its parse and its info are static there */
#include "indexer/monitor/nautiljon.c"
#include "indexer/monitor/remote.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nautiljon_info info, again;
	char *dump;
	int ret;

	ret = nautiljon_parse((const char *)data, size, &info);
	if (ret && ret != -ENODATA)
		return 0;
	dump = remote_info_dump(&nautiljon_info_form, &info);
	if (!dump)
		return 0;
	if (remote_info_load(&nautiljon_info_form, dump, strlen(dump),
			     &again) ||
	    info.vf_count != again.vf_count ||
	    info.vo_count != again.vo_count ||
	    strcmp(info.vf_status, again.vf_status) ||
	    strcmp(info.vo_status, again.vo_status))
		abort();
	free(dump);
	return 0;
}
