/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The HTTP listener's connections counted per local user
 * (http_peers.h): whose each one is, how many each user holds, and the
 * closing of one past the limit. It reads no request and answers none.
 */
#include "fs/http_peers.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/config.h"
#include "common/listener.h"
#include "common/log.h"

/* The connections one user holds, and whether its refusal is told. */
struct holder {
	uid_t uid;
	int open;
	int told;
};

static struct {
	pthread_mutex_t lock;
	struct holder *v;	/* only users that hold one */
	size_t n, size;
} holders = { .lock = PTHREAD_MUTEX_INITIALIZER };

static atomic_int limit_ = 1;

/* [http] proxy_user's uid, or -1 when unset. */
static _Atomic long proxy_ = -1;

void http_peers_limit(int max, const struct config_user *proxy)
{
	atomic_store(&limit_, max);
	atomic_store(&proxy_, proxy->name ? (long)proxy->uid : -1L);
}

/* The holder of uid, added when new (NULL when out of memory);
 * holders.lock held. */
static struct holder *holder_of(uid_t uid)
{
	struct holder *grown;

	for (size_t i = 0; i < holders.n; i++)
		if (holders.v[i].uid == uid)
			return &holders.v[i];
	if (holders.n == holders.size) {
		size_t size = holders.size ? 2 * holders.size : 8;

		grown = realloc(holders.v, size * sizeof(*grown));
		if (!grown)
			return NULL;
		holders.v = grown;
		holders.size = size;
	}
	grown = &holders.v[holders.n++];
	*grown = (struct holder){ .uid = uid };
	return grown;
}

/* Whether peer may be this machine: a loopback address, or the address
 * the connection came to (a local client's source is the address it
 * asks). Another machine's connection costs no read of the kernel's
 * tables. */
static int maybe_local(const struct sockaddr *peer,
		       const struct sockaddr *local)
{
	static const unsigned char v4_mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	const struct sockaddr_in *a4 = (const void *)peer;
	const struct sockaddr_in6 *a6 = (const void *)peer;
	const struct sockaddr_in *l4 = (const void *)local;
	const struct sockaddr_in6 *l6 = (const void *)local;

	if (peer->sa_family == AF_INET)
		return (ntohl(a4->sin_addr.s_addr) >> 24) == 127 ||
		       (local->sa_family == AF_INET &&
			a4->sin_addr.s_addr == l4->sin_addr.s_addr);
	if (peer->sa_family != AF_INET6)
		return 0;
	return IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr) ||
	       (!memcmp(a6->sin6_addr.s6_addr, v4_mapped, 12) &&
		a6->sin6_addr.s6_addr[12] == 127) ||
	       (local->sa_family == AF_INET6 &&
		!memcmp(&a6->sin6_addr, &l6->sin6_addr, 16));
}

/* The local user of the connection on fd from peer, one not trusted:
 * 0 with *uid, or -ENOENT when its other end is not of this machine or
 * is a trusted user's. */
static int peer_of(int fd, const struct sockaddr *peer, uid_t *uid)
{
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);
	long proxy = atomic_load(&proxy_);
	uid_t also = (uid_t)proxy;
	int rc;

	if (getsockname(fd, (struct sockaddr *)&local, &len))
		return -errno;
	if (!maybe_local(peer, (struct sockaddr *)&local))
		return -ENOENT;
	rc = listener_peer_uid(peer, (struct sockaddr *)&local, uid);
	if (!rc && listener_uid_trusted(*uid, &also, proxy >= 0))
		rc = -ENOENT;
	return rc;
}

/* Count the connection of uid: 0, -EMFILE past the limit (*tell set
 * when it is to be logged), or -ENOMEM. */
static int count_in(uid_t uid, int *tell)
{
	struct holder *h;
	int rc = 0;

	pthread_mutex_lock(&holders.lock);
	h = holder_of(uid);
	if (!h) {
		rc = -ENOMEM;
	} else if (h->open >= atomic_load(&limit_)) {
		*tell = !h->told;
		h->told = 1;
		rc = -EMFILE;
	} else {
		h->open++;
	}
	pthread_mutex_unlock(&holders.lock);
	return rc;
}

static void started(struct MHD_Connection *c, void **ctx)
{
	const union MHD_ConnectionInfo *fd = MHD_get_connection_info(c,
		MHD_CONNECTION_INFO_CONNECTION_FD);
	const union MHD_ConnectionInfo *peer = MHD_get_connection_info(c,
		MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char name[64];
	int tell = 0, rc;
	uid_t uid;

	if (!fd || !peer || !peer->client_addr ||
	    peer_of(fd->connect_fd, peer->client_addr, &uid))
		return;
	rc = count_in(uid, &tell);
	if (!rc) {
		*ctx = (void *)((uintptr_t)uid + 1);
		return;
	}
	/* libmicrohttpd reads the end of the stream and closes it */
	shutdown(fd->connect_fd, SHUT_RDWR);
	if (rc == -ENOMEM) {
		log_error(rc, "http: no memory to count a connection: closed");
	} else if (tell) {
		listener_name(uid, name, sizeof(name));
		log_warn("http: user %s holds %d connections: its next ones"
			 " are closed until one ends", name,
			 atomic_load(&limit_));
	}
}

static void closed(void **ctx)
{
	uid_t uid = (uid_t)((uintptr_t)*ctx - 1);

	pthread_mutex_lock(&holders.lock);
	for (size_t i = 0; i < holders.n; i++) {
		if (holders.v[i].uid != uid)
			continue;
		if (--holders.v[i].open <= 0)
			holders.v[i] = holders.v[--holders.n];
		break;
	}
	pthread_mutex_unlock(&holders.lock);
	*ctx = NULL;
}

void http_peers_notify(void *cls, struct MHD_Connection *c, void **ctx,
		       enum MHD_ConnectionNotificationCode code)
{
	(void)cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED)
		started(c, ctx);
	else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *ctx)
		closed(ctx);
}
