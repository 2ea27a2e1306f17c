/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_DAEMON_H
#define MEDIAMON_DAEMON_H

/*
 * The daemon as a system service, once the mount is up: it starts the
 * indexer, tells the service manager that it is ready and what it is
 * doing (READY=1, then STATUS= lines, see common/sdnotify.h), tells
 * the notification targets (common/notify.h) when /status/health turns
 * to error and back, from the same thread, and on
 * SIGHUP reads the configuration again. A new configuration that reads
 * cleanly replaces the old one by restarting the indexer while the mount
 * keeps serving; one that does not is refused with a log line and the
 * old one stays.
 *
 *	static int load(struct config *cfg, char *err, size_t len, void *arg);
 *	...
 *	if (daemon_start(&cfg, load, &options))
 *		goto unmount;
 *	fuse_loop_mt(fuse, loop);
 *	daemon_stop();
 *	config_release(&cfg);
 */

#include <stddef.h>

struct config;

/*
 * Fill cfg (uninitialized) with a whole configuration, checked as at
 * start; on error return a negative errno value with a message in err
 * (errlen bytes), leaving cfg for config_release().
 */
typedef int daemon_load_fn(struct config *cfg, char *err, size_t errlen,
			    void *arg);

/*
 * Start the indexer with cfg (which must stay valid until daemon_stop()),
 * send READY=1, and start the thread that reloads on SIGHUP (calling load
 * with arg) and keeps STATUS= up to date. Call it after fuse's signal
 * handlers are set, as it takes SIGHUP over from them. Returns 0 or the
 * negative errno value of what did not start (nothing is left running).
 */
int daemon_start(struct config *cfg, daemon_load_fn *load, void *arg);

/*
 * Send STOPPING=1, stop the reload thread and the indexer, and free the
 * configurations reloads read. Safe to call when daemon_start() failed.
 */
void daemon_stop(void);

#endif
