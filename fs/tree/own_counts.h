/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_OWN_COUNTS_H
#define MEDIAMON_OWN_COUNTS_H

/*
 * What a user who is not the owner has of the library: the tracks,
 * albums and artists in the folders it may list, the series whose
 * folders it may list with their volumes and missing ones. Counting it
 * reads every folder of the store and asks the kernel about each, which
 * grows with the library: a thread of its own (mm-counts) counts as the
 * caller, and a request reads the counts last made for its caller,
 * never waiting past OWN_COUNTS_TRY_MS for them.
 *
 *	rc = own_counts_get(&c);	(-EAGAIN: being counted)
 *	...
 *	own_counts_stop();		(at the end, after the doors)
 */

#include "indexer/reads.h"

#define OWN_COUNTS_KEPT 8	/* callers whose counts are kept */
#define OWN_COUNTS_KEEP_S 10.0	/* counted again after this long */
#define OWN_COUNTS_TRY_MS 50	/* a request waits this long at most */

/*
 * The caller's counts, its reader held (reader_hold()). Those kept of it
 * while no name changed (indexer_names_generation()) and for at most
 * OWN_COUNTS_KEEP_S; else counted anew by the thread, and the kept ones
 * given meanwhile (a chmod changes no name: it shows within
 * OWN_COUNTS_KEEP_S and a read). A caller never counted waits
 * OWN_COUNTS_TRY_MS at most for its first. Returns 0, -EAGAIN when none
 * were made yet, or a negative errno value of the count.
 */
int own_counts_get(struct library_counts *out);

/* Stop the thread (started by the first request) and forget the counts. */
void own_counts_stop(void);

#endif
