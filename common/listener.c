/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Who listens on a service's port on this machine (listener.c): the uid
 * of the TCP socket listening where a url leads, from /proc/net/tcp and
 * tcp6, and whether a secret may be sent there; and whose is a local
 * connection to a listener of the daemon (asked of the kernel for the
 * one socket, sockdiag.h). It opens no connection and
 * sends nothing: the clients of each service ask it first.
 */
#include "common/listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/config.h"
#include "common/log.h"
#include "common/sockdiag.h"

#define TCP_LISTEN 0x0A

/* The host (host_len bytes) and port of url. */
static int parse_url(const char *url, char *host, size_t host_len,
		     unsigned *port)
{
	const char *p = strstr(url, "://"), *end, *at, *colon;
	size_t n;

	if (!p)
		return -EINVAL;
	*port = !strncasecmp(url, "https", p - url) && p - url == 5 ? 443 :
		80;
	p += 3;
	end = p + strcspn(p, "/?#");
	at = memchr(p, '@', end - p);
	while (at) {
		p = at + 1;
		at = memchr(p, '@', end - p);
	}
	if (*p == '[') {
		const char *close = memchr(p, ']', end - p);

		if (!close)
			return -EINVAL;
		n = close - p - 1;
		colon = close + 1 < end && close[1] == ':' ? close + 1 : NULL;
		p++;
	} else {
		colon = memchr(p, ':', end - p);
		n = (colon ? colon : end) - p;
	}
	if (!n || n >= host_len)
		return -EINVAL;
	memcpy(host, p, n);
	host[n] = '\0';
	if (colon) {
		char *stop;
		unsigned long v = strtoul(colon + 1, &stop, 10);

		if (stop != end || !v || v > 65535)
			return -EINVAL;
		*port = v;
	}
	return 0;
}

/* A listener's place in the choice: bound to the address itself before
 * bound to every address; 0: it does not take the address. */
static int score(const unsigned char *addr, int family,
		 const struct sockaddr *want)
{
	static const unsigned char any[16], mapped[12] = {
		[10] = 0xff, [11] = 0xff };
	const unsigned char *w;

	if (want->sa_family == AF_INET) {
		w = (const unsigned char *)
			&((const struct sockaddr_in *)want)->sin_addr;
		if (family == AF_INET)
			return !memcmp(addr, w, 4) ? 3 :
				!memcmp(addr, any, 4) ? 2 : 0;
		if (!memcmp(addr, mapped, 12) && !memcmp(addr + 12, w, 4))
			return 3;
		return !memcmp(addr, any, 16) ? 1 : 0;
	}
	w = (const unsigned char *)
		&((const struct sockaddr_in6 *)want)->sin6_addr;
	if (family != AF_INET6)
		return 0;
	return !memcmp(addr, w, 16) ? 3 : !memcmp(addr, any, 16) ? 2 : 0;
}

/* The address in the hex of a /proc/net table (k words of 8 digits, each
 * as the kernel holds it, in its order) into addr: 0, or -EINVAL. */
static int table_address(const char *hex, int k, unsigned char *addr)
{
	unsigned int word;

	if (strlen(hex) != (size_t)k * 8)
		return -EINVAL;
	for (int i = 0; i < k; i++) {
		if (sscanf(hex + 8 * i, "%8x", &word) != 1)
			return -EINVAL;
		memcpy(addr + 4 * i, &word, 4);
	}
	return 0;
}

/* The best listener on port in /proc/net/FILE for want: its score into
 * *best and its uid into *uid when better than *best. */
static void scan_table(const char *file, int family, unsigned port,
		       const struct sockaddr *want, int *best, uid_t *uid)
{
	char line[512], path[32];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/net/%s", file);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned char addr[16];
		unsigned int lport, state, owner;
		char hex[33];
		int s;

		if (sscanf(line, " %*u: %32[0-9A-Fa-f]:%x %*s %x %*s %*s %*s"
			   " %u", hex, &lport, &state, &owner) != 4 ||
		    lport != port || state != TCP_LISTEN ||
		    table_address(hex, family == AF_INET ? 1 : 4, addr))
			continue;
		s = score(addr, family, want);
		if (s > *best) {
			*best = s;
			*uid = owner;
		}
	}
	fclose(f);
}

/* Whether addr is one of this machine's (a socket may be bound to it):
 * a listener bound to every address takes only those. */
static int local_address(const struct addrinfo *a)
{
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} at;
	int fd, ok;

	if (a->ai_addrlen > sizeof(at))
		return 0;
	memcpy(&at, a->ai_addr, a->ai_addrlen);
	if (a->ai_family == AF_INET)
		at.in.sin_port = 0;
	else
		at.in6.sin6_port = 0;
	fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 1;	/* cannot tell: looked at, the stricter way */
	ok = !bind(fd, &at.sa, a->ai_addrlen) || errno != EADDRNOTAVAIL;
	close(fd);
	return ok;
}

int listener_uids(const char *url, uid_t *uids, size_t max,
			   size_t *nr)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *list, *a;
	char host[256];
	unsigned port;

	*nr = 0;
	if (!url || parse_url(url, host, sizeof(host), &port))
		return -EINVAL;
	if (getaddrinfo(host, NULL, &hints, &list))
		return -ENOENT;
	for (a = list; a && *nr < max; a = a->ai_next) {
		int best = 0;

		if ((a->ai_family != AF_INET && a->ai_family != AF_INET6) ||
		    !local_address(a))
			continue;
		scan_table("tcp", AF_INET, port, a->ai_addr, &best,
			   &uids[*nr]);
		scan_table("tcp6", AF_INET6, port, a->ai_addr, &best,
			   &uids[*nr]);
		*nr += !!best;
	}
	freeaddrinfo(list);
	return *nr ? 0 : -ENOENT;
}

int listener_uid(const char *url, uid_t *uid)
{
	uid_t uids[1];
	size_t nr;
	int ret = listener_uids(url, uids, 1, &nr);

	if (!ret)
		*uid = uids[0];
	return ret;
}

int listener_uid_trusted(uid_t uid, const uid_t *also, size_t nr)
{
	if (!uid || uid == geteuid())
		return 1;
	for (size_t i = 0; i < nr; i++)
		if (also[i] == uid)
			return 1;
	return 0;
}

int listener_trusted(const char *url, const uid_t *also, size_t nr,
			 uid_t *who)
{
	uid_t uids[LISTENER_ADDRESSES];
	size_t found = 0;

	listener_uids(url, uids, LISTENER_ADDRESSES, &found);
	for (size_t i = 0; i < found; i++) {
		if (!listener_uid_trusted(uids[i], also, nr)) {
			*who = uids[i];
			return 0;
		}
	}
	return 1;
}

int listener_peer_uid(const struct sockaddr *peer,
		      const struct sockaddr *local, uid_t *uid)
{
	static atomic_int told;
	int rc = sockdiag_tcp_owner(peer, local, uid, NULL);

	if (!rc || rc == -ENOENT || rc == -ESRCH || rc == -EINVAL)
		return rc;
	/* the kernel cannot be asked: no connection is anyone's */
	if (!atomic_exchange(&told, 1))
		log_error(rc, "listener: the kernel's sockets cannot be asked"
			  " (NETLINK_SOCK_DIAG): no local connection is told"
			  " a user's");
	return rc;
}

void listener_name(uid_t uid, char *name, size_t len)
{
	char buf[4096];
	struct passwd pw, *found = NULL;

	if (!getpwuid_r(uid, &pw, buf, sizeof(buf), &found) && found)
		snprintf(name, len, "%s", found->pw_name);
	else
		snprintf(name, len, "%u", (unsigned)uid);
}


int listener_refused(const char *url, const struct config_user *user,
		     char *who, size_t len)
{
	uid_t also = user ? (uid_t)user->uid : 0, uid;

	if (listener_trusted(url, &also, user && user->name, &uid))
		return 0;
	listener_name(uid, who, len);
	return -EPERM;
}

/* Whether section's refusal of uid is told already (noted when not);
 * a uid of 0 (root, never refused) marks a section not told yet. */
static int told(const char *section, uid_t uid)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static struct {
		char section[32];
		uid_t uid;
	} seen[32];
	static size_t nr;
	size_t i;
	int ret = 0;

	pthread_mutex_lock(&lock);
	for (i = 0; i < nr; i++)
		if (!strcmp(seen[i].section, section))
			break;
	if (i == nr && nr < sizeof(seen) / sizeof(seen[0]))
		snprintf(seen[nr++].section, sizeof(seen[0].section), "%s",
			 section);
	if (i < nr) {
		ret = seen[i].uid == uid;
		seen[i].uid = uid;
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

int listener_check(const char *service, const char *section,
		   const char *url, const struct config_user *user)
{
	uid_t also = user ? (uid_t)user->uid : 0, uid;
	char name[64];

	if (listener_trusted(url, &also, user && user->name, &uid))
		return 0;
	if (told(section, uid))
		return -EPERM;
	listener_name(uid, name, sizeof(name));
	return log_error(-EPERM, "%s: its port on this machine is user %s's,"
			 " not %s's: not asked, nothing sent (name that user"
			 " as user in [%s] if it runs %s)", service, name,
			 service, section, service);
}
