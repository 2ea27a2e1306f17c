/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "fs/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/config.h"
#include "common/json.h"
#include "common/log.h"
#include "common/notify.h"
#include "common/sdnotify.h"
#include "common/strbuf.h"
#include "common/thread.h"
#include "fs/open_caps.h"
#include "fs/render.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

/* How often STATUS= and the health alerts are brought up to date, in
 * ms. */
#define STATUS_EVERY_MS 2000
#define STATUS_LEN 128
#define FIRST_SCAN_WAIT_MS 10000

static struct {
	struct config *cfg;		/* in use by the indexer */
	struct config **loaded;		/* every one reloads read */
	size_t nr_loaded;
	daemon_load_fn *load;
	void *arg;
	int pipe[2];			/* SIGHUP -> thread, and stop */
	int stopping;
	int started;
	pthread_t thread;
	char status[STATUS_LEN];	/* the last STATUS= sent */
	int health_error;		/* -1 until the first look */
} svc = { .pipe = { -1, -1 }, .health_error = -1 };

/* READY=1 promises that the first scan has begun: wait until the indexer
 * has taken the startup order off its queue (a scan of an empty root can
 * be over before its state is ever seen as "scanning"). */
static void wait_first_scan(void)
{
	struct indexer_status s;

	for (int i = 0; i < FIRST_SCAN_WAIT_MS / 10; i++) {
		indexer_status(&s);
		/* one the store failed is over, and waits to run again */
		if (!s.scan_pending || s.scan_retry_in_s > 0)
			return;
		clock_sleep(0.01);
	}
	log_warn("service: the first scan has not started after %d s",
		 FIRST_SCAN_WAIT_MS / 1000);
}

/* A signal handler may only do async-signal-safe work: it wakes the
 * thread, which does the reload outside signal context. */
static void on_sighup(int sig)
{
	int saved = errno;
	ssize_t n;

	(void)sig;
	n = write(svc.pipe[1], "h", 1);
	(void)n;
	errno = saved;
}

/* systemd shows this line in `systemctl status`; it is sent only when
 * it changes, so the journal of the manager is not filled with it. */
static void update_status(void)
{
	struct indexer_status s;
	char status[STATUS_LEN];

	indexer_status(&s);
	if (!strcmp(s.state, "scanning"))
		snprintf(status, sizeof(status), "scanning: %llu files seen",
			 (unsigned long long)s.scan.files_seen);
	else
		snprintf(status, sizeof(status), "%s", s.state);
	if (!strcmp(status, svc.status))
		return;
	memcpy(svc.status, status, sizeof(status));
	sdnotify_sendf("STATUS=%s", status);
}

/* The error lines of the health file, or an empty list: "warn:" lines
 * are not worth a message in the middle of the night. */
static int health_errors(json_t *lines)
{
	struct strbuf health = STRBUF_INIT;
	int rc = render_health(&health);

	for (char *line = health.buf, *end; !rc && *line; line = end + 1) {
		end = strchrnul(line, '\n');
		if (!strncmp(line, "error: ", 7))
			json_array_append_new(lines, json_text(line + 7,
							       end - line - 7));
		if (!*end)
			break;
	}
	strbuf_release(&health);
	return rc;
}

/* Only a change of state is news: entering error, or leaving it. A
 * daemon that starts healthy says nothing; one that starts broken does.
 * Health is read only while a target wants to hear of it. */
static void check_health(void)
{
	struct strbuf message = STRBUF_INIT;
	json_t *lines, *line;
	size_t i;
	int error;

	if (!notify_accepts(NOTIFY_HEALTH_ERROR) &&
	    !notify_accepts(NOTIFY_HEALTH_OK))
		return;
	lines = json_array();
	if (!lines || health_errors(lines)) {
		json_decref(lines);
		return;
	}
	error = json_array_size(lines) > 0;
	if (error == svc.health_error || (!error && svc.health_error < 0)) {
		svc.health_error = error;
		json_decref(lines);
		return;
	}
	svc.health_error = error;
	if (!error) {
		json_decref(lines);
		notify_event(NOTIFY_HEALTH_OK, NULL, NULL,
			     "/status/health is no longer in error");
		return;
	}
	strbuf_addstr(&message, "/status/health turned to error:");
	json_array_foreach(lines, i, line)
		strbuf_addf(&message, "%s %s", i ? ";" : "",
			    json_string_value(line));
	notify_event(NOTIFY_HEALTH_ERROR, NULL,
		     json_pack("{s:o}", "errors", lines), "%s", message.buf);
	strbuf_release(&message);
}

/* Configurations replaced by a reload are kept until the daemon stops:
 * FUSE threads may still hold pointers into them. */
static int keep_loaded(struct config *cfg)
{
	struct config **l = realloc(svc.loaded, (svc.nr_loaded + 1) *
				    sizeof(*l));

	if (!l)
		return log_error(-ENOMEM, "reload: out of memory");
	svc.loaded = l;
	l[svc.nr_loaded++] = cfg;
	return 0;
}

/* The new configuration is read and checked completely before anything
 * stops, so a bad file never leaves the daemon without an indexer. */
static void reload(void)
{
	struct config *next = calloc(1, sizeof(*next));
	enum log_level level;
	char err[1024];
	int rc;

	log_info("reload: reading the configuration again (SIGHUP)");
	sdnotify_send("RELOADING=1\nSTATUS=reloading the configuration");
	rc = next ? svc.load(next, err, sizeof(err), svc.arg) : -ENOMEM;
	if (rc == -ENOMEM)
		snprintf(err, sizeof(err), "out of memory");
	if (!rc && strcmp(next->database, svc.cfg->database)) {
		snprintf(err, sizeof(err), "the database cannot change while"
			 " mediamon runs (restart it)");
		rc = -EINVAL;
	}
	if (!rc)
		rc = keep_loaded(next);
	if (rc) {
		log_error(rc, "reload: %s; keeping the configuration in use",
			  err);
		render_reload_refused(err);
		if (next)
			config_release(next);
		free(next);
		goto out;
	}
	indexer_stop();
	rc = indexer_start(next);
	if (rc) {
		log_error(rc, "reload: the indexer does not start with the new"
			  " configuration; back to the previous one");
		render_reload_refused("the indexer does not start with it (see"
				      " /log)");
		if (indexer_start(svc.cfg))
			log_error(-EIO, "reload: the indexer is stopped; the"
				  " mount shows the store as it was");
		goto out;
	}
	svc.cfg = next;
	open_caps_set(next->max_open_per_user);
	render_reload_refused(NULL);
	if (!log_level_parse(next->log_level, &level))
		log_set_level(level);
	log_info("reload: done, %zu music and %zu manga roots",
		 next->music_roots.nr, next->manga_roots.nr);
out:
	svc.status[0] = '\0';
	sdnotify_send("READY=1");
}

/* One thread for everything slow that concerns the service as a whole,
 * so that a reload never runs beside a look at health or a status
 * update. */
static void *daemon_main(void *unused)
{
	struct pollfd p = { .fd = svc.pipe[0], .events = POLLIN };
	char buf[64];
	int hup;

	(void)unused;
	thread_name("mm-service");
	while (!__atomic_load_n(&svc.stopping, __ATOMIC_ACQUIRE)) {
		hup = poll(&p, 1, STATUS_EVERY_MS) > 0;
		while (hup && read(svc.pipe[0], buf, sizeof(buf)) > 0)
			;
		if (__atomic_load_n(&svc.stopping, __ATOMIC_ACQUIRE))
			break;
		if (hup)
			reload();
		indexer_watch_store();
		reader_refresh();
		update_status();
		check_health();
	}
	return NULL;
}

int daemon_start(struct config *cfg, daemon_load_fn *load, void *arg)
{
	struct sigaction sa = { .sa_handler = on_sighup };
	int rc;

	svc.cfg = cfg;
	svc.load = load;
	svc.arg = arg;
	svc.stopping = 0;
	rc = indexer_start(cfg);
	if (rc)
		return rc;
	if (pipe2(svc.pipe, O_CLOEXEC | O_NONBLOCK)) {
		rc = log_error(-errno, "service: pipe: %s", strerror(errno));
		goto fail;
	}
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGHUP, &sa, NULL)) {
		rc = log_error(-errno, "service: SIGHUP: %s", strerror(errno));
		goto fail;
	}
	rc = -pthread_create(&svc.thread, NULL, daemon_main, NULL);
	if (rc) {
		log_error(rc, "service: cannot start thread");
		signal(SIGHUP, SIG_DFL);
		goto fail;
	}
	svc.started = 1;
	wait_first_scan();
	update_status();
	sdnotify_sendf("READY=1\nSTATUS=%s", svc.status);
	return 0;
fail:
	indexer_stop();
	for (int i = 0; i < 2; i++)
		if (svc.pipe[i] >= 0)
			close(svc.pipe[i]);
	svc.pipe[0] = svc.pipe[1] = -1;
	return rc;
}

void daemon_stop(void)
{
	ssize_t n;

	sdnotify_send("STOPPING=1\nSTATUS=stopping");
	if (svc.started) {
		__atomic_store_n(&svc.stopping, 1, __ATOMIC_RELEASE);
		n = write(svc.pipe[1], "s", 1);
		(void)n;
		pthread_join(svc.thread, NULL);
		/* A late SIGHUP must not end the daemon or reach a closed
		 * pipe while it unmounts. */
		signal(SIGHUP, SIG_IGN);
		close(svc.pipe[0]);
		close(svc.pipe[1]);
		svc.pipe[0] = svc.pipe[1] = -1;
		svc.started = 0;
	}
	indexer_stop();
	for (size_t i = 0; i < svc.nr_loaded; i++) {
		config_release(svc.loaded[i]);
		free(svc.loaded[i]);
	}
	free(svc.loaded);
	svc.loaded = NULL;
	svc.nr_loaded = 0;
}
