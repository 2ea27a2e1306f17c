/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Real-Debrid's list and info answers. */

#include "indexer/realdebrid/rd_client.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct rd_torrent *list, info;
	size_t nr;

	if (!rd_parse_list(body, size, &list, &nr))
		rd_torrents_free(list, nr);
	if (!rd_parse_info(body, size, &info))
		rd_torrent_release(&info);
	return 0;
}
