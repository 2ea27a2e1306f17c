/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SDNOTIFY_H
#define MEDIAMON_SDNOTIFY_H

/*
 * The systemd notification protocol, written out: one datagram of
 * "KEY=VALUE" lines to the AF_UNIX socket named by $NOTIFY_SOCKET (a path,
 * or an abstract name when it starts with '@'). Outside systemd the
 * variable is unset and every call does nothing.
 *
 *	sdnotify_send("READY=1\nSTATUS=scanning");
 *	...
 *	sdnotify_sendf("STATUS=idle, %d tracks", n);
 *	sdnotify_send("STOPPING=1");
 */

/*
 * Send state (newline-separated KEY=VALUE assignments) to the service
 * manager. Returns 0 when it was sent or when $NOTIFY_SOCKET is unset,
 * -EINVAL when the variable names no usable socket, or the negative errno
 * of socket() or sendto(). Failures are logged once per call.
 */
int sdnotify_send(const char *state);

/* The same with printf formatting; the text is cut at 1 KiB. */
int sdnotify_sendf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif
