#include "indexer/monitor/monitor_reads.h"

/* A check in progress has not counted its downloads yet: only those
 * that finished. */
int monitor_checks_history(struct history *h)
{
	return history_read("SELECT id, started_at, wanted, found, sent,"
			    " failed, completed, imported, download_failed"
			    " FROM checks WHERE finished_at IS NOT NULL"
			    " ORDER BY id DESC" HISTORY_LIMIT(HISTORY_ROWS),
			    7, h);
}
