/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_BASE64_H
#define MEDIAMON_BASE64_H

/*
 * Base64 (RFC 4648, the standard alphabet, with padding), for what
 * remote services want in it (HTTP Basic credentials, the bytes of a
 * torrent in Transmission's torrent-add) and what files hold in it (an
 * Ogg file's METADATA_BLOCK_PICTURE comment).
 *
 *	struct strbuf out = STRBUF_INIT;
 *
 *	base64_encode("user:password", 13, &out);	("dXNlcjpwYXNzd29yZA==")
 */

#include <stddef.h>
#include <sys/types.h>

struct strbuf;

/* Append the base64 form of the len bytes at data to out. */
void base64_encode(const void *data, size_t len, struct strbuf *out);

/*
 * Decode the len characters at in (whole groups of four; what follows
 * the last whole group is ignored) into out, which has room for size
 * bytes: decoding stops at padding or when out is full. Returns the bytes
 * written, or -EINVAL at a character outside the alphabet.
 */
ssize_t base64_decode(const char *in, size_t len, unsigned char *out,
		      size_t size);

/* The bytes the len characters at in decode to, padding considered. */
size_t base64_decoded_len(const char *in, size_t len);

#endif
