/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Whose a local connection is (common/sockdiag.h, common/listener.h's
 * listener_peer_uid()): loopback connections over IPv4, IPv6 and IPv4
 * mapped into IPv6, from root's socket and another user's, told by
 * their owner and inode; four addresses no socket has, a socket closed
 * (no owner any more, never root's), and another family, refused.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/netlink.h>

#include "common/listener.h"
#include "common/sockdiag.h"

#define OTHER_UID 43217

/* A listener, a client connected to it and the server's end of it. */
struct conn {
	int listen, client, server;
	struct sockaddr_storage peer, local;	/* the server end's view */
};

/* Listen on any port of addr (family's loopback, or "::" for both),
 * connect to it from a socket of client_family made as uid (the
 * connecting address to as client_family has it), and accept. */
static void connect_as(struct conn *c, int family, const char *listen_at,
		       int client_family, const char *to, uid_t uid)
{
	struct sockaddr_storage at = { 0 }, dst = { 0 };
	socklen_t len = sizeof(at);
	unsigned short port;

	c->listen = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(c->listen >= 0);
	at.ss_family = family;
	if (family == AF_INET)
		assert_int_equal(inet_pton(family, listen_at,
			&((struct sockaddr_in *)&at)->sin_addr), 1);
	else
		assert_int_equal(inet_pton(family, listen_at,
			&((struct sockaddr_in6 *)&at)->sin6_addr), 1);
	assert_int_equal(bind(c->listen, (struct sockaddr *)&at, len), 0);
	assert_int_equal(listen(c->listen, 4), 0);
	assert_int_equal(getsockname(c->listen, (struct sockaddr *)&at, &len),
			 0);
	port = family == AF_INET ? ((struct sockaddr_in *)&at)->sin_port :
		((struct sockaddr_in6 *)&at)->sin6_port;

	dst.ss_family = client_family;
	if (client_family == AF_INET) {
		((struct sockaddr_in *)&dst)->sin_port = port;
		assert_int_equal(inet_pton(AF_INET, to,
			&((struct sockaddr_in *)&dst)->sin_addr), 1);
	} else {
		((struct sockaddr_in6 *)&dst)->sin6_port = port;
		assert_int_equal(inet_pton(AF_INET6, to,
			&((struct sockaddr_in6 *)&dst)->sin6_addr), 1);
	}
	/* a socket is the user's whose file system uid makes it */
	setfsuid(uid);
	c->client = socket(client_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setfsuid(0);
	assert_true(c->client >= 0);
	assert_int_equal(connect(c->client, (struct sockaddr *)&dst,
				 sizeof(dst)), 0);
	len = sizeof(c->peer);
	c->server = accept4(c->listen, (struct sockaddr *)&c->peer, &len,
			    SOCK_CLOEXEC);
	assert_true(c->server >= 0);
	len = sizeof(c->local);
	assert_int_equal(getsockname(c->server, (struct sockaddr *)&c->local,
				     &len), 0);
}

static void close_conn(struct conn *c)
{
	if (c->client >= 0)
		close(c->client);
	close(c->server);
	close(c->listen);
}

/* The connection is told uid's, its inode the client's socket's. */
static void told(int family, const char *listen_at, int client_family,
		 const char *to, uid_t uid)
{
	struct conn c;
	struct stat st;
	uid_t found = (uid_t)-1;
	ino_t ino = 0;

	connect_as(&c, family, listen_at, client_family, to, uid);
	assert_int_equal(fstat(c.client, &st), 0);
	assert_int_equal(sockdiag_tcp_owner((struct sockaddr *)&c.peer,
					    (struct sockaddr *)&c.local,
					    &found, &ino), 0);
	assert_int_equal(found, uid);
	assert_int_equal(ino, st.st_ino);
	found = (uid_t)-1;
	assert_int_equal(listener_peer_uid((struct sockaddr *)&c.peer,
					   (struct sockaddr *)&c.local,
					   &found), 0);
	assert_int_equal(found, uid);
	/* the server's own end, asked the other way, is root's */
	assert_int_equal(sockdiag_tcp_owner((struct sockaddr *)&c.local,
					    (struct sockaddr *)&c.peer,
					    &found, &ino), 0);
	assert_int_equal(found, 0);
	close_conn(&c);
}

/* A listener's family and address, a client's family and the address
 * it connects to: IPv4, IPv6, and IPv4 mapped into IPv6 (a listener of
 * IPv6 takes IPv4 too: its peers come mapped, from a socket of IPv4 or
 * one of IPv6 connecting to a mapped address). */
static const struct way {
	int family;
	const char *at;
	int client_family;
	const char *to;
} ways[] = {
	{ AF_INET, "127.0.0.1", AF_INET, "127.0.0.1" },
	{ AF_INET6, "::1", AF_INET6, "::1" },
	{ AF_INET6, "::", AF_INET, "127.0.0.1" },
	{ AF_INET6, "::", AF_INET6, "::ffff:127.0.0.1" },
};

/* Skips a test where no NETLINK_SOCK_DIAG socket can be made: under
 * qemu-user (make cross-test), which passes none to the kernel. */
static void need_sock_diag(void)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
			NETLINK_SOCK_DIAG);

	if (fd < 0 && (errno == EPROTONOSUPPORT || errno == EAFNOSUPPORT))
		skip();
	assert_true(fd >= 0);
	close(fd);
}

/* Each way from root's socket and another user's. */
static void test_each_way(void **state)
{
	(void)state;
	if (geteuid())
		skip();
	need_sock_diag();
	for (size_t i = 0; i < sizeof(ways) / sizeof(*ways); i++) {
		told(ways[i].family, ways[i].at, ways[i].client_family,
		     ways[i].to, 0);
		told(ways[i].family, ways[i].at, ways[i].client_family,
		     ways[i].to, OTHER_UID);
	}
}

/* Another user's connection, spoiled (closed, when close_it, else its
 * port changed), refused with want by both, its uid left as it was. */
static void refused(int close_it, int want)
{
	struct conn c;
	uid_t uid = 777;

	if (geteuid())
		skip();
	need_sock_diag();
	connect_as(&c, AF_INET, "127.0.0.1", AF_INET, "127.0.0.1", OTHER_UID);
	if (close_it) {
		close(c.client);
		c.client = -1;
	} else {
		((struct sockaddr_in *)&c.peer)->sin_port ^= htons(1);
	}
	assert_int_equal(sockdiag_tcp_owner((struct sockaddr *)&c.peer,
					    (struct sockaddr *)&c.local,
					    &uid, NULL), want);
	assert_int_equal(listener_peer_uid((struct sockaddr *)&c.peer,
					   (struct sockaddr *)&c.local,
					   &uid), want);
	assert_int_equal(uid, 777);
	close_conn(&c);
}

/* Four addresses no socket has: not found, nothing made up. */
static void test_not_found(void **state)
{
	(void)state;
	refused(0, -ENOENT);
}

/* A user's socket closed before it is asked: the kernel keeps its
 * connection's end a while with no owner (and answers root's for one
 * waiting out its end): no one's, never root's. */
static void test_closed(void **state)
{
	(void)state;
	refused(1, -ESRCH);
}

static void test_other_family(void **state)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	struct sockaddr_in in = { .sin_family = AF_INET };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };
	uid_t uid;

	(void)state;
	assert_int_equal(sockdiag_tcp_owner((struct sockaddr *)&un,
					    (struct sockaddr *)&in, &uid,
					    NULL), -EINVAL);
	assert_int_equal(sockdiag_tcp_owner((struct sockaddr *)&in,
					    (struct sockaddr *)&un, &uid,
					    NULL), -EINVAL);
	/* an IPv4 end and an IPv6 one are no connection */
	in6.sin6_addr = in6addr_loopback;
	assert_int_equal(sockdiag_tcp_owner((struct sockaddr *)&in,
					    (struct sockaddr *)&in6, &uid,
					    NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_way),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_closed),
		cmocka_unit_test(test_other_family),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
