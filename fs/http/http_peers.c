/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The HTTP listener's connections counted per local user and per
 * address (http_peers.h): whose each one is, how many each holds, and
 * the closing of one past the limit. It reads no request and answers
 * none.
 */
#include "fs/http/http_peers.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/config.h"
#include "common/listener.h"
#include "common/log.h"

/*
 * What a connection is counted by: its local user (an untrusted one,
 * whatever its address), a trusted local user at its address, or the
 * address alone (another machine's, or a local one whose user is not
 * found).
 */
enum by { BY_ADDRESS, BY_USER, BY_USER_AT };

struct key {
	enum by by;
	uid_t uid;
	unsigned char addr[16];	/* an IPv4 one mapped into IPv6 */
};
_Static_assert(sizeof(struct key) ==
	       sizeof(enum by) + sizeof(uid_t) + 16,
	       "keys are compared by memcmp(): no padding");

/* A connection's socket context: its key, and its user when its other
 * end is a socket of this machine. */
struct peer {
	struct key key;
	int local;
	uid_t uid;
};

/* The connections one key holds, and whether its refusal is told. */
struct holder {
	struct key key;
	int open;
	int told;
};

static struct {
	pthread_mutex_t lock;
	struct holder *v;	/* only keys that hold one */
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

/* The holder of key, added when new (NULL when out of memory);
 * holders.lock held. */
static struct holder *holder_of(const struct key *key)
{
	struct holder *grown;

	for (size_t i = 0; i < holders.n; i++)
		if (!memcmp(&holders.v[i].key, key, sizeof(*key)))
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
	*grown = (struct holder){ .key = *key };
	return grown;
}

/* The address of sa into addr, an IPv4 one mapped into IPv6. */
static void address_of(const struct sockaddr *sa, unsigned char addr[16])
{
	memset(addr, 0, 16);
	if (sa->sa_family == AF_INET6) {
		memcpy(addr, &((const struct sockaddr_in6 *)sa)->sin6_addr,
		       16);
	} else if (sa->sa_family == AF_INET) {
		addr[10] = addr[11] = 0xff;
		memcpy(addr + 12, &((const struct sockaddr_in *)sa)->sin_addr,
		       4);
	}
}

/* Whether addr (mapped()) is of the loopback, 127.0.0.0/8 or ::1. */
static int loopback(const unsigned char addr[16])
{
	const struct in6_addr *a = (const void *)addr;

	return IN6_IS_ADDR_LOOPBACK(a) ||
	       (IN6_IS_ADDR_V4MAPPED(a) && addr[12] == 127);
}

/* Whether peer may be this machine: a loopback address, the address
 * the connection came to (a local client's source is the address it
 * asks), or any when it came to the loopback (only this machine
 * reaches it, from whichever of its addresses a user binds). Another
 * machine's connection costs no read of the kernel's tables. */
static int maybe_local(const struct sockaddr *peer,
		       const struct sockaddr *local)
{
	unsigned char a[16], l[16];

	if (peer->sa_family != AF_INET && peer->sa_family != AF_INET6)
		return 0;
	address_of(peer, a);
	address_of(local, l);
	return !memcmp(a, l, 16) || loopback(a) || loopback(l);
}

/* Tell, once, that a connection that may be this machine's has no
 * socket of a user at its other end (gone already, or of a network
 * that is not this one): it is counted by its address. */
static void tell_unknown(const struct sockaddr *peer, int rc)
{
	static atomic_int told;
	char addr[INET6_ADDRSTRLEN] = "?";
	unsigned char a[16];

	if (atomic_exchange(&told, 1))
		return;
	address_of(peer, a);
	if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)a))
		inet_ntop(AF_INET, a + 12, addr, sizeof(addr));
	else
		inet_ntop(AF_INET6, a, addr, sizeof(addr));
	log_warn("http: a connection from %s has %s: counted by its"
		 " address (told once)", addr, rc == -ESRCH ?
		 "no user's socket at its end any more" :
		 "no socket of this machine at its end");
}

/* The key and user of the connection on fd from peer into *p. */
static void peer_of(int fd, const struct sockaddr *peer, struct peer *p)
{
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);
	long proxy = atomic_load(&proxy_);
	uid_t also = (uid_t)proxy;
	int rc;

	address_of(peer, p->key.addr);
	if (getsockname(fd, (struct sockaddr *)&local, &len) ||
	    !maybe_local(peer, (struct sockaddr *)&local))
		return;
	rc = listener_peer_uid(peer, (struct sockaddr *)&local, &p->uid);
	if (rc == -ENOENT || rc == -ESRCH)
		tell_unknown(peer, rc);
	if (rc)
		return;
	p->local = 1;
	p->key.uid = p->uid;
	if (listener_uid_trusted(p->uid, &also, proxy >= 0)) {
		p->key.by = BY_USER_AT;
	} else {
		p->key.by = BY_USER;
		memset(p->key.addr, 0, sizeof(p->key.addr));
	}
}

/* Count the connection of key: 0, -EMFILE past the limit (*tell set
 * when it is to be logged), or -ENOMEM. */
static int count_in(const struct key *key, int *tell)
{
	struct holder *h;
	int rc = 0;

	pthread_mutex_lock(&holders.lock);
	h = holder_of(key);
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

/* Log the refusal of key's next connections (once while it holds its
 * limit). */
static void tell_refused(const struct key *key)
{
	char name[64], addr[INET6_ADDRSTRLEN] = "?";
	const void *a = key->addr;
	int family = AF_INET6;

	if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)key->addr)) {
		a = key->addr + 12;
		family = AF_INET;
	}
	inet_ntop(family, a, addr, sizeof(addr));
	listener_name(key->uid, name, sizeof(name));
	if (key->by == BY_USER)
		log_warn("http: user %s holds %d connections: its next ones"
			 " are closed until one ends", name,
			 atomic_load(&limit_));
	else if (key->by == BY_USER_AT)
		log_warn("http: user %s holds %d connections from %s: its"
			 " next ones from there are closed until one ends",
			 name, atomic_load(&limit_), addr);
	else
		log_warn("http: %s holds %d connections: its next ones are"
			 " closed until one ends", addr, atomic_load(&limit_));
}

static void started(struct MHD_Connection *c, void **ctx)
{
	const union MHD_ConnectionInfo *fd = MHD_get_connection_info(c,
		MHD_CONNECTION_INFO_CONNECTION_FD);
	const union MHD_ConnectionInfo *addr = MHD_get_connection_info(c,
		MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	struct peer *p = NULL;
	int tell = 0, rc = -ENOMEM;

	if (!fd || !addr || !addr->client_addr)
		return;
	p = calloc(1, sizeof(*p));
	if (p) {
		peer_of(fd->connect_fd, addr->client_addr, p);
		rc = count_in(&p->key, &tell);
	}
	if (!rc) {
		*ctx = p;
		return;
	}
	/* told before the client sees its end */
	if (rc == -ENOMEM)
		log_error(rc, "http: no memory to count a connection: closed");
	else if (tell)
		tell_refused(&p->key);
	free(p);
	/* libmicrohttpd reads the end of the stream and closes it */
	shutdown(fd->connect_fd, SHUT_RDWR);
}

static void closed(void **ctx)
{
	struct peer *p = *ctx;

	pthread_mutex_lock(&holders.lock);
	for (size_t i = 0; i < holders.n; i++) {
		if (memcmp(&holders.v[i].key, &p->key, sizeof(p->key)))
			continue;
		if (--holders.v[i].open <= 0)
			holders.v[i] = holders.v[--holders.n];
		break;
	}
	pthread_mutex_unlock(&holders.lock);
	free(p);
	*ctx = NULL;
}

int http_peers_user(struct MHD_Connection *c, uid_t *uid)
{
	const union MHD_ConnectionInfo *i = MHD_get_connection_info(c,
		MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	const struct peer *p = i ? i->socket_context : NULL;

	if (!p || !p->local)
		return -ENOENT;
	*uid = p->uid;
	return 0;
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
