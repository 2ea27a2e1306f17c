/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_UTF8_H
#define MEDIAMON_UTF8_H

/*
 * UTF-8 as it comes from file names and tags written by any tool in any
 * decade: bytes that may or may not be well-formed text.
 */

#include <stddef.h>

struct strbuf;

/*
 * Decode the sequence at s (n bytes available). Returns its length and
 * sets *cp, or returns 0 when it is not well-formed UTF-8: cut short,
 * overlong, a surrogate, or past U+10FFFF.
 */
size_t utf8_decode(const unsigned char *s, size_t n, unsigned int *cp);

/* How many of the n bytes at s fit in max bytes without cutting a UTF-8
 * sequence: n when they all fit, else the longest start of them that
 * ends on a character's boundary. */
size_t utf8_fit(const char *s, size_t n, size_t max);

/*
 * Append s as a field of a line of text: tabs and line breaks in it
 * would break the line's fields, so control characters become spaces;
 * bytes that are not UTF-8 (file names are bytes) become U+FFFD, so the
 * text is text.
 */
void utf8_add_field(struct strbuf *out, const char *s);

/* Append the fields, up to a NULL, as one line of text: each as
 * utf8_add_field() has it, a tab between two, a line break after. */
void utf8_add_line(struct strbuf *out, const char *field, ...)
	__attribute__((sentinel));

/*
 * Append the len bytes at s as text: each byte that begins no UTF-8
 * sequence, and NUL, becomes U+FFFD; the rest is kept as it is. JSON
 * strings and Prometheus labels take file names this way.
 */
void utf8_add_text(struct strbuf *out, const char *s, size_t len);

/*
 * Append s as XML 1.0 character data (an element's text or an attribute's
 * value), what every XML writer of the daemon (OpenSubsonic, OPDS, the
 * HTML pages, SVG) puts names and tags through: only the characters XML
 * 1.0 allows and does not discourage (its section 2.2) are kept, every
 * other becomes U+FFFD: control characters but tab and line breaks,
 * U+007F to U+009F but U+0085, the noncharacters (U+FDD0 to U+FDEF and
 * the last two of each plane, U+FFFE and U+FFFF among them), and bytes
 * that are not UTF-8 (surrogates, cut or overlong sequences). With
 * markup nonzero, & < > " are written as references too; zero is for a
 * writer that escapes them itself (libxml2's).
 */
void utf8_add_xml(struct strbuf *out, const char *s, int markup);

#endif
