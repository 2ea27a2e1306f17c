#include "indexer/analysis/analysis_reads.h"

#include <errno.h>
#include <string.h>

#include "indexer/store/reader.h"

int analysis_reads_counts(struct analysis_counts *out)
{
	sqlite3 *db = reader_begin();
	int rc;

	memset(out, 0, sizeof(*out));
	if (!db)
		return -EIO;
	rc = analysis_store_counts(db, out);
	reader_end(db);
	return rc;
}
