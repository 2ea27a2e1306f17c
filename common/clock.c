/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The daemon's clocks (clock.h): monotonic seconds, wall seconds and
 * RFC 3339 text. No sleeping and no timers here.
 */
#include "common/clock.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static double clock_read(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

double clock_mono(void)
{
	return clock_read(CLOCK_MONOTONIC);
}

double clock_wall(void)
{
	return clock_read(CLOCK_REALTIME);
}

void clock_sleep(double seconds)
{
	struct timespec ts;

	if (seconds <= 0)
		return;
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

void clock_rfc3339(time_t t, char out[CLOCK_RFC3339_LEN])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, CLOCK_RFC3339_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void clock_words(double seconds, char out[CLOCK_WORDS_LEN])
{
	long s;

	if (!(seconds > 0))
		seconds = 0;
	if (seconds < 0.9995) {
		snprintf(out, CLOCK_WORDS_LEN, "%.0f ms", seconds * 1000);
		return;
	}
	if (seconds < 9.95) {
		snprintf(out, CLOCK_WORDS_LEN, "%.1f s", seconds);
		return;
	}
	s = lround(seconds);
	if (s < 60)
		snprintf(out, CLOCK_WORDS_LEN, "%ld s", s);
	else if (s < 3600)
		snprintf(out, CLOCK_WORDS_LEN, "%ld min %ld s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(out, CLOCK_WORDS_LEN, "%ld h %ld min", s / 3600,
			 s % 3600 / 60);
	else
		snprintf(out, CLOCK_WORDS_LEN, "%ld d %ld h", s / 86400,
			 s % 86400 / 3600);
}

void clock_stamp(time_t t, char out[CLOCK_STAMP_LEN])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, CLOCK_STAMP_LEN, "%Y%m%dT%H%M%SZ", &tm);
}

double clock_parse_iso8601(const char *s)
{
	struct tm tm = { 0 };
	int n = 0, oh = 0, om = 0, sign = 0;
	double frac = 0;
	char *end;
	time_t t;

	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year,
			 &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
			 &tm.tm_sec, &n) != 6 || !n)
		return 0;
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60)
		return 0;
	s += n;
	if (*s == '.') {
		frac = strtod(s, &end);
		s = end;
	}
	if (*s == 'Z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s == '+' ? 1 : -1;
		if (sscanf(s + 1, "%2d:%2d%n", &oh, &om, &n) != 2)
			return 0;
		s += 1 + n;
	}
	if (*s)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	if (t <= 0)
		return 0;
	return (double)t - sign * (oh * 3600 + om * 60) + frac;
}
