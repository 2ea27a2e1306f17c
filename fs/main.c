/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The mediamon program: the options and the configuration read, the
 * one-shot runs (--check-config, --check-connections, --check,
 * --import-catalog), a dead mount left by a stopped run detached, then
 * the mount served until it is unmounted. What a request does is fs.c's;
 * what runs beside the mount is daemon.c's.
 */
#include <errno.h>
#include <fuse_lowlevel.h>
#include <libgen.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/array.h"
#include "common/config.h"
#include "common/db.h"
#include "common/log.h"
#include "common/path.h"
#include "common/strbuf.h"
#include "fs/tree/caller.h"
#include "fs/mount/fs.h"
#include "fs/mount/fs_attr.h"
#include "fs/http/http.h"
#include "fs/mount/invalidate.h"
#include "fs/subsonic/subsonic.h"
#include "fs/subsonic/subsonic_auth.h"
#include "fs/subsonic/subsonic_index.h"
#include "fs/tree/open_caps.h"
#include "fs/tree/own_counts.h"
#include "fs/tree/playlists_names.h"
#include "fs/tree/session.h"
#include "fs/tree/snapshots.h"
#include "fs/tree/stamps.h"
#include "indexer/reads.h"
#include "fs/daemon.h"
#include "fs/options.h"
#include "fs/tree/views.h"
#include "indexer/indexer.h"

enum {
	KEY_CONFIG,
	KEY_SHORT,	/* music=, manga=, db= */
	KEY_SHARED_OK,	/* db_shared_ok, as db_shared_ok=yes */
};

struct options {
	char *config;
	char **shorts;		/* "key=value" in command-line order */
	size_t nr_shorts, alloc_shorts;
	char *nonopt[2];	/* [SOURCE] MOUNTPOINT */
	int nr_nonopt;
	int help, version, check_config, check_connections;
	int check_once, apply;	/* --check [--apply] */
	int import_catalog;	/* --import-catalog FORMAT FILE */
	int no_follow;		/* -o nofollow_cpu: obsolete, ignored */
	int libfuse_loop;	/* -o libfuse_loop: obsolete, ignored */
	int failed;
};

/* main.c's fuse_opt table: the FLAG, KEY and KEEP entries of the table
 * of options (fs/options.def), in its order. */
#define FLAG(templ, member) { templ, offsetof(struct options, member), 1 },
#define KEY(templ, key) FUSE_OPT_KEY(templ, key),
#define KEEP(templ) FUSE_OPT_KEY(templ, FUSE_OPT_KEY_KEEP),
#define LIBFUSE
#define FS_MOUNT

static const struct fuse_opt option_spec[] = {
#define MEDIAMON_OPTION(parse, help_head, help, man_head, man) parse
#define MEDIAMON_LIBRARY(name, version)
#include "fs/options.def"
#undef MEDIAMON_OPTION
#undef MEDIAMON_LIBRARY
	FUSE_OPT_END
};

/* A configuration path made absolute where it is given: a daemon leaves
 * its working directory, and each reload (SIGHUP) reads the file again. */
static char *absolute(const char *path)
{
	char *cwd, *abs;

	if (path[0] == '/' || !(cwd = getcwd(NULL, 0)))
		return strdup(path);
	abs = path_normalize(cwd, path);
	free(cwd);
	return abs;
}

/* A "key=value" kept for load_config(), in command-line order. */
static int keep_short(struct options *o, const char *arg)
{
	char **shorts = array_grow(o->shorts, o->nr_shorts, &o->alloc_shorts,
				   sizeof(*shorts), 1);

	if (shorts)
		o->shorts = shorts;
	if (!shorts || !(shorts[o->nr_shorts] = strdup(arg)))
		o->failed = 1;
	else
		o->nr_shorts++;
	return 0;
}

/* Keep mediamon's own options for after the config file is read, so the
 * command line adds to (and overrides) the file, and those that name a
 * key of the file, which config_set_option() refuses by name; pass the
 * rest to FUSE. */
static int option_proc(void *data, const char *arg, int key,
		       struct fuse_args *outargs)
{
	struct options *o = data;
	const char *eq = strchr(arg, '=');

	(void)outargs;
	switch (key) {
	case KEY_CONFIG:
		free(o->config);
		o->config = absolute(arg + strlen("config="));
		o->failed |= !o->config;
		return 0;
	case FUSE_OPT_KEY_OPT:
		if (!eq || !config_names_key(arg, eq - arg))
			return 1;
		return keep_short(o, arg);
	case KEY_SHARED_OK:
		return keep_short(o, "db_shared_ok=yes");
	case KEY_SHORT:
		return keep_short(o, arg);
	case FUSE_OPT_KEY_NONOPT:
		if (o->nr_nonopt == 2)
			return 1;
		o->nonopt[o->nr_nonopt] = strdup(arg);
		o->failed |= !o->nonopt[o->nr_nonopt++];
		return 0;
	}
	return 1;
}

/* Build the configuration from the file and the command line, in that
 * order; the same at start and at each reload (SIGHUP). */
static int load_config(struct config *cfg, char *err, size_t errlen,
		       void *arg)
{
	struct options *o = arg;
	char *path = o->config ? strdup(o->config) : config_default_path();
	int rc = 0;

	config_init(cfg);
	if (o->config && !path)
		rc = -ENOMEM;
	if (!rc && path)
		rc = config_load_file(cfg, path, err, errlen);
	free(path);
	for (size_t i = 0; !rc && i < o->nr_shorts; i++) {
		char *eq = strchr(o->shorts[i], '=');

		*eq = '\0';
		rc = config_set_option(cfg, o->shorts[i], eq + 1, err, errlen);
		*eq = '=';
	}
	if (!rc)
		rc = config_finish(cfg, err, errlen);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	return rc;
}

/* load_config() for a command or a start, its error told on stderr. The
 * configuration is the caller's to release whatever this returns. */
static int load_told(struct config *cfg, struct options *o)
{
	char err[1024];
	int rc = load_config(cfg, err, sizeof(err), o);

	if (rc)
		fprintf(stderr, "mediamon: %s\n", err);
	return rc;
}

/* Whether libfuse takes the options left in args as a start gives them
 * to it: it names those it does not know. */
static int fuse_takes(struct fuse_args *args)
{
	struct fuse_cmdline_opts cmd = { 0 };
	struct fuse_session *se = NULL;

	if (!fuse_parse_cmdline(args, &cmd) && !fs_parse_options(args))
		se = fuse_session_new(args, &fs_operations,
				      sizeof(fs_operations), NULL);
	free(cmd.mountpoint);
	if (!se)
		return 0;
	fuse_session_destroy(se);
	return 1;
}

/* --check-config: what a start would use, or why it would not start. */
static int check_config(struct options *o, struct fuse_args *args)
{
	struct strbuf out = STRBUF_INIT;
	struct config cfg;
	int rc;

	if (o->nr_nonopt > 1 || (o->nr_nonopt && o->config)) {
		fprintf(stderr, "mediamon: --check-config takes one file,"
			" as FILE or as -o config=FILE (see --help)\n");
		return 2;
	}
	if (o->nr_nonopt && !(o->config = absolute(o->nonopt[0]))) {
		fprintf(stderr, "mediamon: out of memory\n");
		return 1;
	}
	rc = load_told(&cfg, o);
	if (!rc && !fuse_takes(args)) {
		rc = -EINVAL;
	} else if (!rc) {
		config_dump(&cfg, &out);
		fputs(out.buf, stdout);
		strbuf_release(&out);
	}
	config_release(&cfg);
	return rc ? 1 : 0;
}

/* --check-connections: 0 when every configured service answered well, 1
 * when one did not, 2 when the configuration or the command is wrong. */
static int check_connections(struct options *o)
{
	struct config cfg;
	int rc;

	if (o->check_config || o->nr_nonopt) {
		fprintf(stderr, "mediamon: --check-connections takes no mount"
			" point and no other check (see --help)\n");
		return 2;
	}
	rc = load_told(&cfg, o);
	if (rc) {
		rc = 2;
	} else {
		/* each failure is told on its service's line */
		log_set_stderr(0);
		rc = connections_check(&cfg, stdout);
	}
	config_release(&cfg);
	return rc;
}

/* --check [--apply]: as --check-connections, its codes; the store of
 * the configuration, refused (2) while another mediamon holds it. */
static int check_once(struct options *o)
{
	struct config cfg;
	enum log_level level;
	int rc;

	if (!o->check_once || o->check_config || o->check_connections ||
	    o->nr_nonopt) {
		fprintf(stderr, "mediamon: %s\n", o->check_once ?
			"--check takes no mount point and no other check"
			" (see --help)" : "--apply goes only with --check"
			" (see --help)");
		return 2;
	}
	if (load_told(&cfg, o)) {
		config_release(&cfg);
		return 2;
	}
	/* the report is on stdout; stderr has the warnings and errors */
	if (log_level_parse(cfg.log_level, &level) || level < LOG_WARN)
		level = LOG_WARN;
	log_set_level(level);
	log_set_errors_to_stderr(0);
	rc = indexer_check_once(&cfg, o->apply, stdout);
	config_release(&cfg);
	return rc;
}

/* --import-catalog FORMAT FILE: 0 when every line was good, 1 when
 * some were not (the others added), 2 when nothing could be done. */
static int import_catalog(struct options *o)
{
	struct catalog_import n;
	struct config cfg;
	int rc;

	if (o->nr_nonopt != 2 || o->check_config || o->check_connections ||
	    o->check_once || o->apply) {
		fprintf(stderr, "mediamon: --import-catalog takes a format"
			" and a file, and no other check (see --help)\n");
		return 2;
	}
	rc = load_told(&cfg, o);
	if (!rc && !cfg.catalog_file) {
		fprintf(stderr, "mediamon: no [catalog] file is set\n");
		rc = -EINVAL;
	} else if (!rc) {
		rc = catalog_import_file(cfg.catalog_file, o->nonopt[0],
					 o->nonopt[1], stderr, &n);
	}
	if (!rc)
		printf("%zu added to %s, %zu there already, %zu bad lines\n",
		       n.added, cfg.catalog_file, n.duplicates, n.bad);
	config_release(&cfg);
	return rc ? 2 : n.bad ? 1 : 0;
}

/* Whether statvfs() of mountpoint says its daemon is gone. A request
 * made while the connection ends (the killed daemon's last copy of its
 * /dev/fuse closed by a child it was starting, which held one until its
 * exec) fails with ECONNABORTED: the next one is answered ENOTCONN. */
static int mount_dead(const char *mountpoint)
{
	struct statvfs st;

	if (!statvfs(mountpoint, &st))
		return 0;
	if (errno == ECONNABORTED && !statvfs(mountpoint, &st))
		return 0;
	return errno == ENOTCONN;
}

/* A daemon that was killed leaves its mount point dead: every access to
 * it fails with ENOTCONN ("Transport endpoint is not connected") until it
 * is unmounted, and libfuse cannot even resolve it. Detach it lazily, as
 * a user would with fusermount3 -u -z, so a restart needs no hand. The
 * kernel may still answer stat() from attributes it kept; statvfs()
 * always asks the daemon, so it tells a dead mount at once. */
static int recover_stale_mount(const char *mountpoint)
{
	char *argv[] = { "fusermount3", "-u", "-z", "--",
			 (char *)mountpoint, NULL };
	extern char **environ;
	struct statvfs st;
	int status, rc;
	pid_t pid;

	if (!mount_dead(mountpoint))
		return 0;
	log_warn("mount point %s is a dead mount left by a stopped run;"
		 " unmounting it", mountpoint);
	rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
	if (rc)
		return log_error(-rc, "cannot run fusermount3: %s",
				 strerror(rc));
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) || (statvfs(mountpoint, &st) &&
				    errno == ENOTCONN))
		return log_error(-ENOTCONN, "mount point %s stays dead after"
				 " fusermount3 -u -z", mountpoint);
	return 0;
}

/* A name of /proc/self/mountinfo with its octal escapes ("\040" for a
 * space) undone, in place. */
static void mountinfo_unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
					(s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/*
 * A mediamon that runs serves its mount point: another one mounted on top
 * would hide it, its store and its users' open files behind a second
 * index. Any other file system there (a bind mount shared with
 * containers) is fine to mount on.
 */
static int refuse_live_mount(const char *mountpoint)
{
	char *real = realpath(mountpoint, NULL), *line = NULL, *dir, *fstype;
	size_t len = 0;
	FILE *f;
	int found = 0;

	if (!real)
		return 0;
	f = fopen("/proc/self/mountinfo", "re");
	while (f && !found && getline(&line, &len, f) > 0) {
		dir = NULL;
		fstype = strstr(line, " - ");
		if (!fstype || sscanf(line, "%*s %*s %*s %*s %ms", &dir) != 1)
			continue;
		mountinfo_unescape(dir);
		found = !strcmp(dir, real) &&
			!strncmp(fstype, " - fuse.mediamon ", 17);
		free(dir);
	}
	if (f)
		fclose(f);
	free(line);
	free(real);
	if (!found)
		return 0;
	return log_error(-EBUSY, "mount point %s already holds a running"
			 " mediamon; stop it first (fusermount3 -u %s), or"
			 " give this one a mount point of its own",
			 mountpoint, mountpoint);
}

/* The options of the session loop that mediamon had until it answered
 * with libfuse's alone: fstab lines written for it still mount. */
static void warn_obsolete(const struct options *o)
{
	if (o->no_follow)
		log_warn("option nofollow_cpu is obsolete and ignored: the"
			 " mount answers with libfuse's loop");
	if (o->libfuse_loop)
		log_warn("option libfuse_loop is obsolete and ignored: the"
			 " mount always answers with libfuse's loop");
}

/* A daemon started in the background of a shell (nohup, a CI runner, a
 * script) inherits SIGINT, and under nohup SIGHUP, as ignored, and may
 * inherit them blocked; libfuse sets its handlers only on signals at
 * their default. The stop and reload signals are taken back whatever was
 * inherited, before any thread starts and copies the mask. */
static const int stop_sigs[] = { SIGINT, SIGTERM, SIGHUP };

/* Block or unblock (how) the stop signals in the calling thread. */
static int stop_signals(int how)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(stop_sigs) / sizeof(stop_sigs[0]); i++)
		sigaddset(&set, stop_sigs[i]);
	return -pthread_sigmask(how, &set, NULL);
}

static int reset_stop_signals(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	sigemptyset(&dfl.sa_mask);
	for (size_t i = 0; i < sizeof(stop_sigs) / sizeof(stop_sigs[0]);
	     i++)
		if (sigaction(stop_sigs[i], &dfl, NULL))
			return log_error(-errno, "signals: %s: %s",
					 strsignal(stop_sigs[i]),
					 strerror(errno));
	return stop_signals(SIG_UNBLOCK);
}

/* The OpenSubsonic API, which the HTTP door answers /rest/ with. */
static const struct http_rest subsonic_rest = {
	.answer = subsonic_answer,
	.load = subsonic_load,
	.release = subsonic_auth_free,
};

/* The threads behind the mount, started in order: on a failure those
 * already started are stopped again and -1 is returned. */
static int start_threads(struct fuse_session *se, struct config *cfg,
			 struct options *o)
{
	/* The threads started from here on leave the stop signals to this
	 * one, which libfuse's handler wakes from its wait for the loop's
	 * end; one taken by another thread would end the loop only at the
	 * next request. */
	if (stop_signals(SIG_BLOCK) ||
	    reader_init(cfg->database) || daemon_start(cfg, load_config, o))
		return -1;
	if (stamps_start())
		goto out_daemon;
	if (invalidate_start(se))
		goto out_stamps;
	if (snapshots_start(fs_attr.snapshot_files, fs_attr.render_deadline))
		goto out_invalidate;
	if (http_start(cfg, &subsonic_rest))
		goto out_snapshots;
	if (stop_signals(SIG_UNBLOCK))
		goto out_http;
	return 0;
out_http:
	http_stop();
out_snapshots:
	snapshots_stop();
out_invalidate:
	invalidate_stop();
out_stamps:
	stamps_stop();
out_daemon:
	daemon_stop();
	return -1;
}

/* The threads stopped once the loop has ended. */
static void stop_threads(void)
{
	/* while the writer runs: the playlists' times for the next mount */
	stamps_stop();
	http_stop();
	subsonic_index_stop();
	own_counts_stop();
	views_stop();
	invalidate_stop();
	snapshots_stop();
	/* Under -s the loop answered on this thread: its read connection
	 * closes before the writer's, the last, which alone may checkpoint
	 * the store and remove the WAL. */
	reader_close();
	reader_stop();
	daemon_stop();
}

static int run(struct fuse_args *args, struct fuse_cmdline_opts *cmd,
	       struct config *cfg, struct options *o)
{
	struct fuse_session *se;
	int rc = -1;

	warn_obsolete(o);
	open_caps_init();
	open_caps_set(cfg->max_open_per_user,
		      cfg->max_open_memory_per_user,
		      cfg->max_unpacks_per_user);
	open_caps_set_all_unpacks(cfg->max_unpacks);
	playlists_set_similar_tracks(cfg->playlists_similar_tracks);
	caller_init();
	if (fuse_opt_add_arg(args, "-odefault_permissions") ||
	    fuse_opt_add_arg(args, "-ofsname=mediamon") ||
	    fuse_opt_add_arg(args, "-osubtype=mediamon"))
		return 1;
	/* libfuse refuses a mount option it does not know before the
	 * store is made */
	se = fuse_session_new(args, &fs_operations, sizeof(fs_operations),
			      NULL);
	if (!se)
		return 1;
	if (indexer_prepare_store(cfg->database, cfg->database_shared_ok) ||
	    fuse_session_mount(se, cmd->mountpoint))
		goto out_destroy;
	if (reset_stop_signals() || fuse_set_signal_handlers(se))
		goto out_unmount;
	if (fuse_daemonize(cmd->foreground))
		goto out_signals;
	log_set_errors_to_stderr(0);
	if (start_threads(se, cfg, o))
		goto out_signals;
	rc = session_run(se, cmd);
	log_info("unmounting %s", cmd->mountpoint);
	stop_threads();
out_signals:
	fuse_remove_signal_handlers(se);
out_unmount:
	fuse_session_unmount(se);
out_destroy:
	fuse_session_destroy(se);
	/* The loop answers the number of the signal that ended it: a
	 * requested stop, not a failure. */
	return rc < 0 ? 1 : 0;
}

/* The modes that do not mount (--version, --help, the checks, the
 * catalog's import): their exit code in *RC and 1, or 0 to mount. */
static int run_other_mode(struct options *o, struct fuse_args *args,
			  int *rc)
{
	if (o->version) {
		options_print_version(stdout);
		*rc = 0;
	} else if (o->help) {
		options_print_help(stdout, args->argv[0]);
		*rc = 0;
	} else if (o->import_catalog) {
		*rc = import_catalog(o);
	} else if (o->check_once || o->apply) {
		*rc = check_once(o);
	} else if (o->check_connections) {
		*rc = check_connections(o);
	} else if (o->check_config) {
		*rc = check_config(o, args);
	} else {
		return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts cmd = { 0 };
	struct options o = { 0 };
	struct config cfg;
	enum log_level level;
	int rc = 1;

	/* A block of a megabyte or more (a scan's folders, a listing) is
	 * mapped on its own and goes back to the system when freed: glibc's
	 * threshold otherwise rises to the largest block freed, and each
	 * rescan of a million files left the daemon 8 MB larger. */
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	if (fuse_opt_parse(&args, &o, option_spec, option_proc) || o.failed)
		goto out;
	if (run_other_mode(&o, &args, &rc))
		goto out;
	/* mount.fuse3 passes a source name before the mount point. */
	if (o.nr_nonopt &&
	    (recover_stale_mount(o.nonopt[o.nr_nonopt - 1]) ||
	     refuse_live_mount(o.nonopt[o.nr_nonopt - 1]) ||
	     fuse_opt_add_arg(&args, o.nonopt[o.nr_nonopt - 1])))
		goto out;
	if (fuse_parse_cmdline(&args, &cmd) || fs_parse_options(&args))
		goto out;
	/* Daemonized (as mount(8) starts it), the lines go to syslog from
	 * the start: the terminal shows only errors, until it detaches. */
	log_set_target(cmd.foreground ? log_target_detect() : LOG_TO_SYSLOG);
	log_set_errors_to_stderr(!cmd.foreground);
	if (!cmd.mountpoint) {
		fprintf(stderr,
			"mediamon: no mount point given (see --help)\n");
		goto out;
	}
	if (load_told(&cfg, &o)) {
		config_release(&cfg);
		goto out;
	}
	if (!log_level_parse(cfg.log_level, &level))
		log_set_level(level);
	rc = run(&args, &cmd, &cfg, &o);
	config_release(&cfg);
out:
	free(cmd.mountpoint);
	free(o.config);
	free(o.nonopt[0]);
	free(o.nonopt[1]);
	for (size_t i = 0; i < o.nr_shorts; i++)
		free(o.shorts[i]);
	free(o.shorts);
	fuse_opt_free_args(&args);
	return rc;
}
