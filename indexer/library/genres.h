/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_GENRES_H
#define MEDIAMON_GENRES_H

/*
 * The names of ID3v1 genre numbers, which ID3v1 tags store and ID3v2
 * TCON frames refer to as "(17)" or "17".
 *
 *	const char *name = genres_name(17);	("Rock")
 */

/* The genre numbered n, or NULL when the number names none (148-255). */
const char *genres_name(unsigned long n);

#endif
