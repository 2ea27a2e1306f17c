#include "indexer/realdebrid/rd_reads.h"

/* A pass in progress has not counted its torrents yet: only those that
 * finished. */
int rd_passes_history(struct history *h)
{
	return history_read("SELECT id, started_at, repaired, failed FROM"
			    " rd_passes WHERE finished_at IS NOT NULL"
			    " ORDER BY id DESC" HISTORY_LIMIT(HISTORY_ROWS),
			    2, h);
}
