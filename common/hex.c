/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Hexadecimal digits into bytes (hex.h). Nothing else: no strings,
 * no allocation, no policy on which bytes a caller refuses.
 */
#include "common/hex.h"

static int digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_byte(const char *two)
{
	int hi = digit(two[0]), lo = hi < 0 ? -1 : digit(two[1]);

	return lo < 0 ? -1 : hi << 4 | lo;
}
