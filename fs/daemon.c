/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The daemon as a system service (daemon.h): the indexer started, and
 * restarted on SIGHUP, the STATUS= lines and the health alerts, on a
 * thread of its own. It answers no FUSE request.
 */
#include "fs/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "common/array.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/json.h"
#include "common/log.h"
#include "common/notify.h"
#include "common/sdnotify.h"
#include "common/strbuf.h"
#include "common/thread.h"
#include "fs/http/http.h"
#include "fs/tree/open_caps.h"
#include "fs/tree/playlists_names.h"
#include "fs/tree/render.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

/* How often STATUS=, the health alerts and a store in a fault are
 * looked at, in ms, while there is anything to see: a scan, a check or a
 * repair runs, the store is in a fault, a target wants health alerts,
 * or the store's folder cannot be watched. Otherwise the thread sleeps
 * until an event: SIGHUP, a move of the store, a fault noted, a change
 * in the store's folder. */
#define STATUS_EVERY_MS 2000
#define STATUS_LEN 128
#define FIRST_SCAN_WAIT_MS 10000

static struct {
	struct config *cfg;		/* in use by the indexer */
	struct config **loaded;		/* every one reloads read */
	size_t nr_loaded, alloc_loaded;
	daemon_load_fn *load;
	void *arg;
	int pipe[2];			/* SIGHUP, events -> thread, stop */
	int told;			/* an event byte is in the pipe, or
				 * there is no pipe */
	int store_dir;			/* inotify on the store's folder */
	int stopping;
	int started;
	pthread_t thread;
	char status[STATUS_LEN];	/* the last STATUS= sent */
	int health_error;		/* -1 until the first look */
} svc = { .pipe = { -1, -1 }, .told = 1, .store_dir = -1,
	    .health_error = -1 };

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

/* The store moved or noted a fault: the thread looks, once however many
 * come before it does. Runs on any thread; only writes to the pipe. */
static void wake(void)
{
	ssize_t n;

	if (__atomic_exchange_n(&svc.told, 1, __ATOMIC_ACQ_REL))
		return;
	n = write(svc.pipe[1], "w", 1);
	(void)n;
}

static void unwatch_store_dir(void)
{
	if (svc.store_dir >= 0)
		close(svc.store_dir);
	svc.store_dir = -1;
}

/* Read what the store's folder says; a watch the kernel dropped (the
 * folder is gone) leaves the store to the timer. */
static void read_store_dir(void)
{
	char buf[4096]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while ((n = read(svc.store_dir, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;

			if (e->mask & IN_IGNORED) {
				unwatch_store_dir();
				return;
			}
			p += sizeof(*e) + e->len;
		}
	}
}

/* A store file deleted or replaced shows as a change of its folder. A
 * folder that cannot be watched (or stops being: it was removed or
 * moved) is looked at by the timer instead. */
static void watch_store_dir(void)
{
	char *dir = strdup(indexer_db_path());

	svc.store_dir = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (dir && svc.store_dir >= 0 &&
	    inotify_add_watch(svc.store_dir, dirname(dir), IN_CREATE |
			      IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
			      IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF) >= 0) {
		free(dir);
		return;
	}
	log_debug("service: the store's folder is looked at every %d s",
		  STATUS_EVERY_MS / 1000);
	free(dir);
	unwatch_store_dir();
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
 * Health is read only while a target wants to hear of it, after a look
 * at the roots here, off the mount's threads (root_guard_look()). */
static void check_health(void)
{
	struct strbuf message = STRBUF_INIT;
	json_t *lines, *line;
	size_t i;
	int error;

	if (!notify_accepts(NOTIFY_HEALTH_ERROR) &&
	    !notify_accepts(NOTIFY_HEALTH_OK))
		return;
	root_guard_look();
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
	struct config **l = array_grow(svc.loaded, svc.nr_loaded,
				       &svc.alloc_loaded, sizeof(*l), 1);

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
	http_reload(next);
	open_caps_set(next->max_open_per_user,
		      next->max_open_memory_per_user,
		      next->max_unpacks_per_user);
	open_caps_set_all_unpacks(next->max_unpacks);
	playlists_set_similar_tracks(next->playlists_similar_tracks);
	render_reload_refused(NULL);
	if (!log_level_parse(next->log_level, &level))
		log_set_level(level);
	log_info("reload: done, %zu music and %zu manga roots",
		 next->music_roots.nr, next->manga_roots.nr);
out:
	svc.status[0] = '\0';
	sdnotify_send("READY=1");
}

static void close_events(void)
{
	for (int i = 0; i < 2; i++)
		if (svc.pipe[i] >= 0)
			close(svc.pipe[i]);
	svc.pipe[0] = svc.pipe[1] = -1;
	unwatch_store_dir();
}

/* Whether anything changes without an event the thread hears of. */
static int worth_a_look(void)
{
	struct indexer_status s;

	indexer_status(&s);
	return reader_store_fault() || svc.store_dir < 0 ||
		(strcmp(s.state, "idle") && strcmp(s.state, "paused")) ||
		notify_accepts(NOTIFY_HEALTH_ERROR) ||
		notify_accepts(NOTIFY_HEALTH_OK);
}

/* Milliseconds until the monotonic time at, for poll(). */
static int ms_until(double at)
{
	double left = at - clock_mono();

	return left > 0 ? (int)(left * 1000) + 1 : 0;
}

/* One thread for everything slow that concerns the service as a whole,
 * so that a reload never runs beside a look at health or a status
 * update. While anything is worth a look it looks every STATUS_EVERY_MS,
 * an event waiting for the next look; otherwise an event is the look. */
static void *daemon_main(void *unused)
{
	struct pollfd p[2] = {
		{ .fd = svc.pipe[0], .events = POLLIN },
		{ .events = POLLIN },
	};
	double due = clock_mono() + STATUS_EVERY_MS / 1000.0;
	int hup, timed = 1;
	char buf[64];
	ssize_t n;

	(void)unused;
	thread_name("mm-service");
	while (!__atomic_load_n(&svc.stopping, __ATOMIC_ACQUIRE)) {
		p[1].fd = svc.store_dir;
		hup = 0;
		if (poll(p, 2, timed ? ms_until(due) : -1) > 0 &&
		    p[0].revents)
			while ((n = read(svc.pipe[0], buf, sizeof(buf))) > 0)
				hup |= !!memchr(buf, 'h', n);
		__atomic_store_n(&svc.told, 0, __ATOMIC_RELEASE);
		if (svc.store_dir >= 0 && p[1].revents)
			read_store_dir();
		if (__atomic_load_n(&svc.stopping, __ATOMIC_ACQUIRE))
			break;
		if (hup)
			reload();
		else if (timed && clock_mono() < due)
			continue;
		due = clock_mono() + STATUS_EVERY_MS / 1000.0;
		indexer_watch_store();
		timed = worth_a_look();
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
	__atomic_store_n(&svc.told, 0, __ATOMIC_RELEASE);
	watch_store_dir();
	reader_on_fault(wake);
	rc = reader_on_move(wake);
	if (rc)
		goto fail;
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
	__atomic_store_n(&svc.told, 1, __ATOMIC_RELEASE);
	reader_on_fault(NULL);
	indexer_stop();
	close_events();
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
	}
	/* the writer may tell of a move until it stops */
	__atomic_store_n(&svc.told, 1, __ATOMIC_RELEASE);
	reader_on_fault(NULL);
	indexer_stop();
	if (svc.started) {
		close_events();
		svc.started = 0;
	}
	for (size_t i = 0; i < svc.nr_loaded; i++) {
		config_release(svc.loaded[i]);
		free(svc.loaded[i]);
	}
	free(svc.loaded);
	svc.loaded = NULL;
	svc.nr_loaded = svc.alloc_loaded = 0;
}
