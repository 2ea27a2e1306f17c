#ifndef MEDIAMON_SERVICE_H
#define MEDIAMON_SERVICE_H

/*
 * The daemon as a system service, once the mount is up: it starts the
 * indexer, tells the service manager that it is ready and what it is
 * doing (READY=1, then STATUS= lines, see common/sdnotify.h), sends the
 * [notify] alerts (fs/alerts.h) from the same thread, and on
 * SIGHUP reads the configuration again. A new configuration that reads
 * cleanly replaces the old one by restarting the indexer while the mount
 * keeps serving; one that does not is refused with a log line and the
 * old one stays.
 *
 *	static int load(struct config *cfg, char *err, size_t len, void *arg);
 *	...
 *	if (service_start(&cfg, load, &options))
 *		goto unmount;
 *	fuse_loop_mt(fuse, loop);
 *	service_stop();
 *	config_release(&cfg);
 */

#include <stddef.h>

struct config;

/*
 * Fill cfg (uninitialized) with a whole configuration, checked as at
 * start; on error return a negative errno value with a message in err
 * (errlen bytes), leaving cfg for config_release().
 */
typedef int service_load_fn(struct config *cfg, char *err, size_t errlen,
			    void *arg);

/*
 * Start the indexer with cfg (which must stay valid until service_stop()),
 * send READY=1, and start the thread that reloads on SIGHUP (calling load
 * with arg) and keeps STATUS= up to date. Call it after fuse's signal
 * handlers are set, as it takes SIGHUP over from them. Returns 0 or the
 * negative errno value of what did not start (nothing is left running).
 */
int service_start(struct config *cfg, service_load_fn *load, void *arg);

/*
 * Send STOPPING=1, stop the reload thread and the indexer, and free the
 * configurations reloads read. Safe to call when service_start() failed.
 */
void service_stop(void);

#endif
