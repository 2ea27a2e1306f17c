#ifndef MEDIAMON_BASE64_H
#define MEDIAMON_BASE64_H

/*
 * Base64 (RFC 4648, the standard alphabet, with padding), for what
 * remote services want in it: HTTP Basic credentials and the bytes of a
 * torrent in Transmission's torrent-add.
 *
 *	struct strbuf out = STRBUF_INIT;
 *
 *	base64_encode("user:password", 13, &out);	("dXNlcjpwYXNzd29yZA==")
 */

#include <stddef.h>

struct strbuf;

/* Append the base64 form of the len bytes at data to out. */
void base64_encode(const void *data, size_t len, struct strbuf *out);

#endif
