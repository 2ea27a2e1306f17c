/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The control files' parsers: control_text() and the commands written to
 * rescan, check-missing, repair (with a pass's mode and limit), dry-run,
 * pause, reset-metrics and blocklist. The indexer, the session loop and
 * the caller (the owner) are stood in for by the functions below, which
 * check what the parsers hand them.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fs/tree/caller.h"
#include "fs/tree/control.h"
#include "fs/tree/session.h"
#include "indexer/indexer.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int indexer_rescan(const char *trigger, int full, const char *path)
{
	(void)trigger;
	if (path && (path[0] != '/' || full || strchr(path, '\n')))
		abort();
	return 0;
}

int indexer_check(unsigned jobs, const char *trigger)
{
	(void)jobs;
	(void)trigger;
	return 0;
}

int indexer_confirm_removal(const char *trigger)
{
	(void)trigger;
	return 0;
}

int indexer_retry_clients(const char *trigger)
{
	(void)trigger;
	return 0;
}

int indexer_send(const char *id)
{
	return !*id || strchr(id, '\n') ? -EINVAL : 0;
}

int indexer_blocklist(const char *id, int remove)
{
	if (remove != 0 && remove != 1)
		abort();
	return !*id || strchr(id, '\n') ? -EINVAL : 0;
}

int indexer_repair_torrent(enum rd_command cmd, const char *id,
			   const char *trigger)
{
	(void)cmd;
	(void)trigger;
	if (!*id || strchr(id, '\n') || strchr(id, ' '))
		abort();
	return 0;
}

int indexer_repair(const struct rd_ask *ask, const char *trigger)
{
	(void)trigger;
	if (ask->mode < -1 || ask->mode >= RD_NR_MODES || ask->limit < 0 ||
	    ask->limit > RD_LIMIT_MAX)
		abort();
	return 0;
}

void indexer_set_dry_run(int on)
{
	if (on != 0 && on != 1)
		abort();
}

void indexer_pause_analysis(int on)
{
	if (on != 0 && on != 1)
		abort();
}

static int resets;

void indexer_reset_metrics(void)
{
	resets++;
}

void session_reset_stats(void)
{
	resets--;
}

void indexer_status(struct indexer_status *out)
{
	memset(out, 0, sizeof(*out));
}

/* The owner writes: the blocklist's list is shown to it alone. */
int caller_is_owner(void)
{
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	char out[64];
	int n;

	n = control_text(buf, size, out, sizeof(out));
	if (n >= (int)sizeof(out) || (n >= 0 && strlen(out) != (size_t)n))
		abort();
	control_rescan_write(buf, size);
	control_check_missing_write(buf, size);
	control_check_new_write(buf, size);
	control_dry_run_write(buf, size);
	/* retry and forget read the store, which the harness has not */
	if (n > 0 && strncasecmp(out, "retry", 5) &&
	    strncasecmp(out, "forget", 6))
		control_repair_write(buf, size);
	control_pause_write(buf, size);
	/* "1" alone (blanks and a line end around it aside) resets both */
	if (!control_reset_metrics_write(buf, size) &&
	    (n != 1 || out[0] != '1'))
		abort();
	if (resets)
		abort();
	return 0;
}
