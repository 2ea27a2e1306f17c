/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * UTF-8 as names and tags bring it (utf8.h): decoding, and adding it to
 * a document (a line's field, a JSON or XML text) with what is not text
 * replaced. No locale and no I/O.
 */
#include "common/utf8.h"

#include <stdarg.h>
#include <string.h>

#include "common/strbuf.h"

size_t utf8_decode(const unsigned char *s, size_t n, unsigned int *cp)
{
	size_t len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] < 0xc2)
		return 0;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : s[0] < 0xf5 ? 4 : 0;
	if (!len || len > n)
		return 0;
	*cp = s[0] & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && *cp < 0x800) || (len == 4 && *cp < 0x10000) ||
	    *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return len;
}

size_t utf8_fit(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	while (max && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

void utf8_add_line(struct strbuf *out, const char *field, ...)
{
	va_list ap;

	va_start(ap, field);
	for (const char *f = field; f; f = va_arg(ap, const char *)) {
		if (f != field)
			strbuf_addch(out, '\t');
		utf8_add_field(out, f);
	}
	va_end(ap);
	strbuf_addch(out, '\n');
}

void utf8_add_field(struct strbuf *out, const char *s)
{
	size_t len = strlen(s), k;
	unsigned int cp;

	for (size_t i = 0; i < len; i += k ? k : 1) {
		k = utf8_decode((const unsigned char *)s + i, len - i, &cp);
		if (!k)
			strbuf_addstr(out, "\xef\xbf\xbd");
		else if (cp < 0x20 || cp == 0x7f)
			strbuf_addch(out, ' ');
		else
			strbuf_add(out, s + i, k);
	}
}

void utf8_add_text(struct strbuf *out, const char *s, size_t len)
{
	unsigned int cp;

	for (size_t i = 0, k; i < len; i += k ? k : 1) {
		k = utf8_decode((const unsigned char *)s + i, len - i, &cp);
		if (k && cp)
			strbuf_add(out, s + i, k);
		else
			strbuf_addstr(out, "\xef\xbf\xbd");
	}
}

/* Whether XML 1.0 takes the character cp and does not discourage it. */
static int xml_char(unsigned int cp)
{
	if (cp < 0x20)
		return cp == '\t' || cp == '\n' || cp == '\r';
	if (cp >= 0x7f && cp <= 0x9f)
		return cp == 0x85;
	if (cp >= 0xfdd0 && cp <= 0xfdef)
		return 0;
	return (cp & 0xfffe) != 0xfffe;
}

void utf8_add_xml(struct strbuf *out, const char *s, int markup)
{
	static const char *const refs[] = {
		['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;",
		['"'] = "&quot;",
	};
	size_t len = strlen(s), k;
	unsigned int cp;

	for (size_t i = 0; i < len; i += k ? k : 1) {
		k = utf8_decode((const unsigned char *)s + i, len - i, &cp);
		if (!k || !xml_char(cp))
			strbuf_addstr(out, "\xef\xbf\xbd");
		else if (markup && cp < sizeof(refs) / sizeof(*refs) &&
			 refs[cp])
			strbuf_addstr(out, refs[cp]);
		else
			strbuf_add(out, s + i, k);
	}
}
