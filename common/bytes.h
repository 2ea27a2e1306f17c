/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_BYTES_H
#define MEDIAMON_BYTES_H

/*
 * Numbers as file formats store them (ID3, FLAC, MP4 and AIFF
 * big-endian; APE, Ogg, WAV and Vorbis comments little-endian; ID3v2's
 * sizes 7 bits a byte; zip's little-endian fields and MS-DOS times, read
 * and written), and the length of an array: written once here rather
 * than in each reader.
 *
 *	uint32_t size = bytes_be32(header + 4);
 *	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
 */

#include <stdint.h>
#include <time.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline uint16_t bytes_be16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint16_t bytes_le16(const unsigned char *p)
{
	return (uint16_t)(p[1] << 8 | p[0]);
}

static inline uint32_t bytes_be24(const unsigned char *p)
{
	return (uint32_t)p[0] << 16 | p[1] << 8 | p[2];
}

static inline uint32_t bytes_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static inline uint32_t bytes_le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | p[2] << 16 | p[1] << 8 | p[0];
}

static inline uint64_t bytes_le64(const unsigned char *p)
{
	return (uint64_t)bytes_le32(p + 4) << 32 | bytes_le32(p);
}

static inline uint64_t bytes_be64(const unsigned char *p)
{
	return (uint64_t)bytes_be32(p) << 32 | bytes_be32(p + 4);
}

/* An ID3v2 size, "syncsafe": 7 bits a byte, the high bits ignored (a
 * reader that refuses them tests them first). */
static inline uint32_t bytes_syncsafe32(const unsigned char *p)
{
	return (uint32_t)(p[0] & 0x7f) << 21 | (p[1] & 0x7f) << 14 |
	       (p[2] & 0x7f) << 7 | (p[3] & 0x7f);
}

/* v written little-endian at p; where the next field goes. */
static inline unsigned char *bytes_put_le16(unsigned char *p, unsigned int v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	return p + 2;
}

static inline unsigned char *bytes_put_le32(unsigned char *p, uint64_t v)
{
	return bytes_put_le16(bytes_put_le16(p, v & 0xffff),
			      (v >> 16) & 0xffff);
}

static inline unsigned char *bytes_put_le64(unsigned char *p, uint64_t v)
{
	return bytes_put_le32(bytes_put_le32(p, v & 0xffffffffu), v >> 32);
}

/* The MS-DOS time and date (zip's) of t, in UTC so that the bytes stand
 * whatever the daemon's TZ, from 1980 to 2107. */
static inline void bytes_dos_time(time_t t, unsigned int *time_out,
				  unsigned int *date_out)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || tm.tm_year < 80) {
		*time_out = 0;
		*date_out = (1 << 5) | 1;
		return;
	}
	if (tm.tm_year > 207)
		tm.tm_year = 207;
	*time_out = (unsigned int)(tm.tm_hour << 11 | tm.tm_min << 5 |
				   tm.tm_sec / 2);
	*date_out = (unsigned int)((tm.tm_year - 80) << 9 |
				   (tm.tm_mon + 1) << 5 | tm.tm_mday);
}

#endif
