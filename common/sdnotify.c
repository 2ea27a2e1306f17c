/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * systemd's notification protocol (sdnotify.h): one datagram to
 * $NOTIFY_SOCKET. Nothing else of systemd.
 */
#include "common/sdnotify.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"

#define NOTIFY_MAX 1024

int sdnotify_send(const char *state)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	socklen_t len;
	size_t n;
	int fd, rc = 0;

	if (!name || !*name)
		return 0;
	n = strlen(name);
	if ((name[0] != '/' && name[0] != '@') || n >= sizeof(addr.sun_path))
		return log_error(-EINVAL, "notify: NOTIFY_SOCKET '%s' is not"
				 " a socket path", name);
	memcpy(addr.sun_path, name, n);
	/* An abstract name has a NUL first and is as long as it says. */
	if (name[0] == '@')
		addr.sun_path[0] = '\0';
	len = offsetof(struct sockaddr_un, sun_path) + n +
	      (name[0] == '/');
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return log_error(-errno, "notify: socket: %s", strerror(errno));
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL,
		   (struct sockaddr *)&addr, len) < 0)
		rc = log_error(-errno, "notify: %s: %s", name, strerror(errno));
	close(fd);
	return rc;
}

int sdnotify_sendf(const char *fmt, ...)
{
	char state[NOTIFY_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(state, sizeof(state), fmt, ap);
	va_end(ap);
	return sdnotify_send(state);
}
