/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mediamon-analyse: the audio analysis (analysis.h) in a process of its
 * own, so that the daemon does not map the decoders, Chromaprint and the
 * hundred libraries behind them. The daemon's analysis workers start it
 * (analysis_child.h) and speak a line protocol on its stdin and stdout:
 *
 *	in:	/music/a.flac\0		a path and a NUL (a file name
 *					may hold a newline), and on a
 *					socket the descriptor of the
 *					file, which is then analysed
 *					instead of opening the path
 *	out:	{"duration_s": 187.2, "loudness_lufs": -9.1, "peak": 0.98,
 *		 "gain_db": -8.9, "bpm": 120.0, "cpu_s": 0.4,
 *		 "vector": [32 numbers], "fingerprint": [items]}
 *	or:	{"error": -74}		what analysis_run() returned
 *
 * It exits 0 at the end of its input, 2 when it cannot answer.
 *
 *	mediamon-analyse [--watchdog=SECONDS] [--confined] [--user=UID:GID]
 *			 [--transcode=FORMAT:KBPS:OFFSET] [--scale=SIZE:PIXELS]
 *
 * --transcode makes it a transcoder instead (analyser/transcode.h): the
 * file open on its stdin re-encoded as FORMAT (mp3, opus, aac) at KBPS
 * kbit/s from OFFSET seconds on, written to its stdout (a pipe the
 * daemon's HTTP answer reads), confined as the analyser is; it exits 0
 * at the end of the file, 2 on an error.
 *
 * --scale makes it a cover scaler instead (analyser/scale.h): the
 * picture open on its stdin, of PIXELS pixels at most, made to fit SIZE
 * x SIZE and written to its stdout, confined likewise, ended after
 * SCALE_WATCHDOG_S seconds; it exits 0 once written, 2 on an error.
 *
 * --watchdog ends it (SIGALRM) when a request takes longer than SECONDS,
 * so that it goes even where the daemon may not signal it (it runs as
 * another user, and the daemon holds no CAP_KILL).
 * --confined confines it once started (analysis_confine.h): it can then
 * analyse only the descriptors it is given, and a request without one
 * fails with EACCES. --user=UID:GID, for an analyser started by root,
 * also makes it that user; the daemon starts it so.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/analysis/analysis.h"
#include "indexer/analysis/analysis_confine.h"
#include "analyser/scale.h"
#include "analyser/transcode.h"

/* The requests read so far: buf from start on, and the descriptor that
 * came with the one not yet complete. */
struct input {
	struct strbuf buf;
	size_t start;
	int fd;		/* -1: none */
};

/* The daemon reports the analysis's CPU time, which it cannot measure
 * in a process of its own. */
static double process_cpu(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts))
		return 0;
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The result as the daemon's analysis_child.c reads it back. */
static json_t *result_json(const struct analysis_result *r, double cpu)
{
	json_t *vec = json_array(), *fp = json_array();
	int bad = !vec || !fp;

	for (int i = 0; i < ANALYSIS_VECTOR_LEN && !bad; i++)
		bad = json_array_append_new(vec, json_real(r->vector[i]));
	for (int i = 0; i < r->fingerprint_len && !bad; i++)
		bad = json_array_append_new(fp,
					    json_integer(r->fingerprint[i]));
	if (bad) {
		json_decref(vec);
		json_decref(fp);
		return NULL;
	}
	return json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:o, s:o}",
			 "duration_s", r->duration_s,
			 "loudness_lufs", r->loudness_lufs,
			 "peak", r->peak, "gain_db", r->gain_db,
			 "bpm", r->bpm, "cpu_s", cpu,
			 "vector", vec, "fingerprint", fp);
}

/* Analyse one requested file, open on fd or else at path, and write its
 * answer line. */
static int serve(const char *path, int fd)
{
	struct analysis_result r;
	double cpu = process_cpu();
	json_t *out;
	char *text;
	int rc;

	rc = fd >= 0 ? analysis_run_fd(fd, path, &r) : analysis_run(path, &r);
	cpu = process_cpu() - cpu;
	out = rc ? json_pack("{s:i}", "error", rc) : result_json(&r, cpu);
	analysis_result_release(&r);
	text = out ? json_dumps(out, JSON_COMPACT) : NULL;
	json_decref(out);
	if (!text)
		return log_error(-ENOMEM, "mediamon-analyse: no memory");
	rc = printf("%s\n", text) < 0 || fflush(stdout) ? -EIO : 0;
	free(text);
	if (rc)
		return log_error(rc, "mediamon-analyse: cannot answer: %s",
				 strerror(errno));
	return 0;
}

/* The descriptors that came in msg: the first is the request's, unless
 * it has one already; any other is closed. */
static void take_fds(struct input *in, struct msghdr *msg)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		int *fds = (int *)(void *)CMSG_DATA(c);
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < n; i++) {
			if (in->fd < 0)
				in->fd = fds[i];
			else
				close(fds[i]);
		}
	}
}

/* Read more of stdin: from a socket with the descriptors sent along, from
 * anything else (a pipe, a file) as it is. Returns the bytes read, 0 at
 * the end, or -errno. */
static ssize_t read_more(struct input *in)
{
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} control;
	char data[4096];
	struct iovec iov = { data, sizeof(data) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	ssize_t n;

	do
		n = recvmsg(0, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == ENOTSOCK)
		do
			n = read(0, data, sizeof(data));
		while (n < 0 && errno == EINTR);
	if (n < 0)
		return log_error(-errno, "mediamon-analyse: cannot read the "
				 "request: %s", strerror(errno));
	take_fds(in, &msg);
	strbuf_add(&in->buf, data, n);
	return n;
}

/* The next request: its path in *path (valid until the next call) and
 * its descriptor in *fd (-1 without one), the caller's to close. Returns
 * 1, 0 at the end of the input, or -errno. */
static int next_request(struct input *in, const char **path, int *fd)
{
	char *nul;
	ssize_t n;

	if (in->start) {
		memmove(in->buf.buf, in->buf.buf + in->start,
			in->buf.len - in->start);
		in->buf.len -= in->start;
		in->start = 0;
	}
	while (!(nul = memchr(in->buf.buf, 0, in->buf.len))) {
		n = read_more(in);
		if (n <= 0)
			return n;
	}
	*path = in->buf.buf;
	*fd = in->fd;
	in->fd = -1;
	in->start = nul - in->buf.buf + 1;
	return 1;
}

/* What --transcode asks (format "": not a transcoder), or --scale
 * (scale_size 0: not a scaler). */
struct transcode_ask {
	char format[8];
	unsigned kbps, offset_s;
	unsigned scale_size, scale_pixels;
};

/* --transcode=FORMAT:KBPS:OFFSET into *t: 1 when arg is one. */
static int transcode_arg(const char *arg, struct transcode_ask *t)
{
	char end;

	return sscanf(arg, "--transcode=%7[a-z0-9]:%u:%u%c", t->format,
		      &t->kbps, &t->offset_s, &end) == 3 &&
	       transcode_known(t->format) && t->kbps;
}

/* The arguments: --watchdog=SECONDS, --confined, --user=UID:GID,
 * --transcode=FORMAT:KBPS:OFFSET, --scale=SIZE:PIXELS. Returns 0 or
 * -EINVAL. */
static int parse_args(int argc, char **argv, unsigned int *watchdog,
		      int *confined, int *as_user, uid_t *uid, gid_t *gid,
		      struct transcode_ask *t)
{
	unsigned u, g;
	char end;

	for (int i = 1; i < argc; i++) {
		if (transcode_arg(argv[i], t)) {
			continue;
		} else if (sscanf(argv[i], "--scale=%u:%u%c", &u, &g,
				  &end) == 2 && u && g) {
			t->scale_size = u;
			t->scale_pixels = g;
		} else if (sscanf(argv[i], "--watchdog=%u%c", &u, &end) == 1 &&
			   u) {
			*watchdog = u;
		} else if (!strcmp(argv[i], "--confined")) {
			*confined = 1;
		} else if (sscanf(argv[i], "--user=%u:%u%c", &u, &g,
				  &end) == 2) {
			*confined = *as_user = 1;
			*uid = u;
			*gid = g;
		} else {
			return log_error(-EINVAL, "mediamon-analyse: unknown "
					 "argument %s (usage: mediamon-analyse"
					 " [--watchdog=SECONDS] [--confined]"
					 " [--user=UID:GID]"
					 " [--transcode=FORMAT:KBPS:OFFSET]"
					 " [--scale=SIZE:PIXELS])",
					 argv[i]);
		}
	}
	return 0;
}

/*
 * What would otherwise open a file or ask the terminal at the first use,
 * which a confined analyser may not: the time zone (the log's gmtime_r),
 * jansson's hash seed (/dev/urandom) and stdout's buffer (isatty).
 */
static void prepare(void)
{
	tzset();
	json_object_seed(0);
	setvbuf(stdout, NULL, _IOFBF, BUFSIZ);
}

/* End the process (SIGALRM, left at its default) in seconds, or never
 * (0). */
static void arm(unsigned int seconds)
{
	struct itimerval t = { .it_value = { .tv_sec = seconds } };

	setitimer(ITIMER_REAL, &t, NULL);
}

int main(int argc, char **argv)
{
	struct input in = { .buf = STRBUF_INIT, .fd = -1 };
	struct transcode_ask t = { "", 0, 0, 0, 0 };
	int rc, confined = 0, as_user = 0, fd = -1;
	unsigned int watchdog = 0;
	const char *path = NULL;
	uid_t uid = 0;
	gid_t gid = 0;

	log_set_target(log_target_detect());
	rc = parse_args(argc, argv, &watchdog, &confined, &as_user, &uid,
			&gid, &t);
	if (!rc && confined) {
		prepare();
		rc = analysis_confine(as_user, uid, gid);
	}
	if (!rc && t.format[0])
		return transcode_run(0, 1, t.format, t.kbps, t.offset_s) ? 2 :
		       0;
	if (!rc && t.scale_size) {
		arm(SCALE_WATCHDOG_S);
		return scale_run(0, 1, t.scale_size, t.scale_pixels) ? 2 : 0;
	}
	while (!rc && (rc = next_request(&in, &path, &fd)) > 0) {
		arm(watchdog);
		rc = serve(path, fd);
		arm(0);
		if (fd >= 0)
			close(fd);
	}
	if (in.fd >= 0)
		close(in.fd);
	strbuf_release(&in.buf);
	return rc ? 2 : 0;
}
