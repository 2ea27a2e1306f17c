/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_HEX_H
#define MEDIAMON_HEX_H

/*
 * Hexadecimal digits read back into bytes, in lower or upper case: the
 * one decoder of the project (a Subsonic client's "enc:" password and
 * ids, an MD5 token compared byte by byte).
 *
 *	int b = hex_byte("7f");		(127; -1 for "7g" or "7")
 */

/* The byte the two hex digits at two spell, or -1 when either of them is
 * no hex digit (the string ends early too). */
int hex_byte(const char *two);

#endif
