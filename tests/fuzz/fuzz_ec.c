/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * aMule's External Connections answers as they come off the socket (the
 * frame after its 8-byte header): every tag of the parsed packet, at any
 * depth, read as an integer, a string and a hash.
 */

#include <stdlib.h>
#include <string.h>

#include "indexer/monitor/ec.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const struct ec_tag *tags, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		const struct ec_tag *t = &tags[i];
		const char *s = ec_string(t);
		uint64_t v;

		if (ec_find(tags, nr, t->name) > t)
			abort();
		if (s && strlen(s) + 1 != t->len)
			abort();
		if (!ec_int(t, &v) && t->len > 8)
			abort();
		if (ec_hash(t) && t->len != 16)
			abort();
		walk(t->children, t->nr);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ec_packet p;
	unsigned char *frame = malloc(size ? size : 1);

	if (!frame)
		return 0;
	memcpy(frame, data, size);
	if (ec_parse(frame, size, &p))
		return 0;
	walk(p.tags, p.nr);
	ec_packet_release(&p);
	return 0;
}
