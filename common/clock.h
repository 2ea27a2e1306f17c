/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_CLOCK_H
#define MEDIAMON_CLOCK_H

/*
 * Time in the forms the daemon needs: a monotonic clock for durations, the
 * wall clock for timestamps, and RFC 3339 UTC strings for JSON files.
 */

#include <stdint.h>
#include <time.h>

#define CLOCK_RFC3339_LEN 21	/* "2026-11-21T19:12:14Z" and its NUL */

/* Seconds on the monotonic clock, for measuring durations. */
double clock_mono(void);

/* Seconds since the epoch, with sub-second precision. */
double clock_wall(void);

/* Sleep for seconds; a signal may end it early, so callers look again. */
void clock_sleep(double seconds);

/* Format t as "YYYY-MM-DDTHH:MM:SSZ" into out. */
void clock_rfc3339(time_t t, char out[CLOCK_RFC3339_LEN]);

#define CLOCK_WORDS_LEN 32

/*
 * A duration as a person says it, in its two largest units: "450 ms",
 * "4.2 s", "12 s", "1 min 12 s", "3 h 5 min", "2 d 4 h". Negative or
 * not a number reads "0 ms".
 */
void clock_words(double seconds, char out[CLOCK_WORDS_LEN]);

#define CLOCK_STAMP_LEN 17	/* "20261121T191214Z" and its NUL */

/* Format t as "YYYYMMDDTHHMMSSZ" into out: a time in a file name, with
 * no ':' and sorting as time does. */
void clock_stamp(time_t t, char out[CLOCK_STAMP_LEN]);

/*
 * Read an ISO 8601 date and time as remote APIs give them
 * ("2024-03-01T10:00:00Z", "2024-03-01T10:00:00.000Z", maybe with an
 * offset such as "+02:00"; none read as UTC). Returns epoch seconds, or 0
 * for NULL or an unreadable date: dates from elsewhere only order and
 * date things, and are no reason to lose what they came with.
 */
double clock_parse_iso8601(const char *s);

#endif
