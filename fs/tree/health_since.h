/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_HEALTH_SINCE_H
#define MEDIAMON_HEALTH_SINCE_H

/*
 * What is noted of each line of /status/health: where its fix is told,
 * and since when it holds: the time a reading of it
 * first showed the line, kept while the readings show it, forgotten at
 * the first reading of every line (the owner's) that does not. A line is
 * known by its words, its numbers aside: "paused until TIME" or "runs
 * again in N s" is the same problem from one reading to the next.
 *
 *	health_since_note(text, 1, clock_wall());
 *	when = health_since_of("warn: ...");
 */

#include <stddef.h>

/* Take the reading text (lines ended by '\n'; "ok" is no problem) made
 * at now (wall clock): a line not held yet holds since now; when whole
 * (the reading shows every line), the lines it lacks are forgotten. */
void health_since_note(const char *text, int whole, double now);

/* Since when the line (without its '\n') holds, or 0 when no reading
 * showed it. */
double health_since_of(const char *line, size_t len);

/* Where the fix of the line is told: a section of mediamon(8) or
 * mediamon.conf(5), by words the line holds ("mediamon(8), THE STORE"). */
const char *health_since_see(const char *line, size_t len);

/* Forget every line (the unit tests). */
void health_since_reset(void);

#endif
