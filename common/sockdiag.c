/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One TCP socket asked of the kernel by its four addresses
 * (sockdiag.h): the NETLINK_SOCK_DIAG request of inet_diag_req_v2 with
 * the exact addresses, and its one answer read back. It lists no
 * socket, reads no /proc table and decides nothing: its callers say
 * what a socket's owner means.
 */
#include "common/sockdiag.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

/* An address as 16 bytes, an IPv4 one mapped into IPv6, and its port
 * as the network orders it. */
struct end {
	unsigned char addr[16];
	unsigned short port;
};

static int end_of(const struct sockaddr *sa, struct end *e)
{
	const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

	if (sa->sa_family == AF_INET6) {
		memcpy(e->addr, &in6->sin6_addr, 16);
		e->port = in6->sin6_port;
		return 0;
	}
	if (sa->sa_family != AF_INET)
		return -EINVAL;
	memset(e->addr, 0, 10);
	e->addr[10] = e->addr[11] = 0xff;
	memcpy(e->addr + 12, &in->sin_addr, 4);
	e->port = in->sin_port;
	return 0;
}

static int v4(const struct end *e)
{
	return IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)e->addr);
}

/* The request for the socket from src to dst: an IPv4 pair asked as
 * IPv4 (the kernel finds it whether its socket is of IPv4 or IPv6). */
static void request_of(const struct end *src, const struct end *dst,
		       struct inet_diag_req_v2 *req)
{
	int four = v4(src) && v4(dst);

	memset(req, 0, sizeof(*req));
	req->sdiag_family = four ? AF_INET : AF_INET6;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = ~0U;
	req->id.idiag_sport = src->port;
	req->id.idiag_dport = dst->port;
	memcpy(req->id.idiag_src, src->addr + (four ? 12 : 0), four ? 4 : 16);
	memcpy(req->id.idiag_dst, dst->addr + (four ? 12 : 0), four ? 4 : 16);
	req->id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	req->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
}

/* The netlink socket the request goes through, its answer waited 2 s
 * at most (the kernel answers within the send): an fd, or -errno. */
static int diag_socket(void)
{
	struct timeval bound = { .tv_sec = 2 };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
			NETLINK_SOCK_DIAG);

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof(bound))) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

/* The answer of seq in buf (len bytes) into *uid and *ino: 0, or
 * -errno (the kernel's, -ESRCH for an ownerless socket, -EPROTO for an
 * answer of another shape). */
static int answer_of(const void *buf, size_t len, unsigned seq, uid_t *uid,
		     ino_t *ino)
{
	const struct nlmsghdr *h = buf;
	size_t left = len;

	for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
		const struct inet_diag_msg *m = NLMSG_DATA(h);
		const struct nlmsgerr *err = NLMSG_DATA(h);

		if (h->nlmsg_seq != seq)
			continue;
		if (h->nlmsg_type == NLMSG_ERROR) {
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*err)))
				return -EPROTO;
			return err->error < 0 ? err->error : -EPROTO;
		}
		if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
		    h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
			return -EPROTO;
		/* a socket no file holds (closed, or one waiting out its
		 * end, whose uid the kernel answers as root's) has no
		 * owner to tell */
		if (!m->idiag_inode)
			return -ESRCH;
		if (uid)
			*uid = m->idiag_uid;
		if (ino)
			*ino = m->idiag_inode;
		return 0;
	}
	return -EPROTO;
}

int sockdiag_tcp_owner(const struct sockaddr *src,
		       const struct sockaddr *dst, uid_t *uid, ino_t *ino)
{
	static atomic_uint seqs;
	struct {
		struct nlmsghdr h;
		struct inet_diag_req_v2 req;
	} ask;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	union {
		struct nlmsghdr align;
		char bytes[4096];
	} buf;
	struct end from, to;
	unsigned seq = atomic_fetch_add(&seqs, 1) + 1;
	ssize_t n;
	int fd, rc;

	if (end_of(src, &from) || end_of(dst, &to) || v4(&from) != v4(&to))
		return -EINVAL;
	memset(&ask, 0, sizeof(ask));
	ask.h.nlmsg_len = sizeof(ask);
	ask.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	ask.h.nlmsg_flags = NLM_F_REQUEST;
	ask.h.nlmsg_seq = seq;
	request_of(&from, &to, &ask.req);
	fd = diag_socket();
	if (fd < 0)
		return fd;
	if (sendto(fd, &ask, sizeof(ask), 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) != (ssize_t)sizeof(ask)) {
		rc = errno ? -errno : -EIO;
	} else {
		n = recv(fd, &buf, sizeof(buf), MSG_TRUNC);
		if (n < 0)
			rc = -errno;
		else if ((size_t)n > sizeof(buf))
			rc = -EMSGSIZE;
		else
			rc = answer_of(&buf, n, seq, uid, ino);
	}
	close(fd);
	return rc;
}
