/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * aMule's External Connections protocol (ec.h): the TCP connection to
 * amuled, its frames, the login and the reading of answers into tags.
 * It knows no request's meaning beyond the login (client_amule.c does),
 * and keeps no connection between calls.
 */
#include "indexer/monitor/ec.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/http.h"
#include "indexer/monitor/client.h"

#define EC_FLAGS 0x20u			/* no zlib, no UTF-8 numbers */
#define HEADER 8			/* a frame's flags and length */
#define TAG_HEAD 7			/* a tag's name, type, length */
#define MAX_DEPTH 16

/* Split host into its name (room for len bytes) and port. */
static int split_host(const char *host, char *name, size_t len,
		      char *port, size_t port_len)
{
	const char *colon, *end;
	size_t n;

	if (!host || !*host)
		return -EINVAL;
	if (*host == '[') {
		end = strchr(host, ']');
		if (!end)
			return -EINVAL;
		n = end - host - 1;
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] && !colon)
			return -EINVAL;
		host++;
	} else {
		colon = strrchr(host, ':');
		if (colon && strchr(host, ':') != colon)
			return -EINVAL;
		n = colon ? (size_t)(colon - host) : strlen(host);
	}
	if (!n || n >= len)
		return -EINVAL;
	memcpy(name, host, n);
	name[n] = '\0';
	if (!colon) {
		snprintf(port, port_len, "%d", EC_DEFAULT_PORT);
		return 0;
	}
	colon++;
	n = strspn(colon, "0123456789");
	if (!n || colon[n] || n >= port_len || atoi(colon) < 1 ||
	    atoi(colon) > 65535)
		return -EINVAL;
	memcpy(port, colon, n + 1);
	return 0;
}

/*
 * Wait for fd to be ready for events until c's deadline: it bounds the
 * whole exchange, not each read, so a peer that trickles its answer a
 * byte at a time is given up on as one that says nothing.
 */
static int wait_fd(const struct ec_conn *c, short events)
{
	struct pollfd p = { .fd = c->fd, .events = events };
	double left;
	int n;

	do {
		left = c->deadline - clock_mono();
		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&p, 1, (int)(left * 1000) + 1);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n ? 0 : -ETIMEDOUT;
}

/* Connect c to the address a, within c's timeout. */
static int connect_one(struct ec_conn *c, const struct addrinfo *a)
{
	int fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC |
			SOCK_NONBLOCK, 0), ret = 0;
	socklen_t sl = sizeof(ret);

	if (fd < 0)
		return -errno;
	c->fd = fd;
	if (connect(fd, a->ai_addr, a->ai_addrlen) < 0) {
		if (errno != EINPROGRESS)
			ret = -errno;
		else if (!(ret = wait_fd(c, POLLOUT)) &&
			 getsockopt(fd, SOL_SOCKET, SO_ERROR, &ret, &sl) < 0)
			ret = errno;
		ret = ret > 0 ? -ret : ret;
	}
	if (ret) {
		close(fd);
		c->fd = -1;
	}
	return ret;
}

static int dial(struct ec_conn *c, const char *host, struct strbuf *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *list, *a;
	char name[256], port[8];
	int ret;

	if (split_host(host, name, sizeof(name), port, sizeof(port)))
		return client_fail(err, -EINVAL, "amule: host \"%.100s\" is"
				   " not HOST:PORT", host ? host : "");
	ret = getaddrinfo(name, port, &hints, &list);
	if (ret)
		return client_fail(err, -EHOSTUNREACH, "amule: cannot resolve"
				   " %s: %s", name, gai_strerror(ret));
	ret = -EHOSTUNREACH;
	for (a = list; a && ret; a = a->ai_next)
		ret = connect_one(c, a);
	freeaddrinfo(list);
	if (ret)
		return client_fail(err, ret, "amule: cannot connect to %s: %s",
				   host, strerror(-ret));
	return 0;
}

/* Write or read all len bytes of buf on c. */
static int io_all(struct ec_conn *c, void *buf, size_t len, int writing)
{
	unsigned char *p = buf;
	ssize_t n;
	int ret;

	while (len) {
		ret = wait_fd(c, writing ? POLLOUT : POLLIN);
		if (ret)
			return ret;
		n = writing ? send(c->fd, p, len, MSG_NOSIGNAL) :
			recv(c->fd, p, len, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return -ECONNRESET;
		p += n;
		len -= n;
	}
	return 0;
}

static void put_be(struct strbuf *b, uint64_t v, int bytes)
{
	while (bytes--)
		strbuf_addch(b, (int)(v >> (8 * bytes) & 0xff));
}

void ec_begin(struct ec_out *out, uint8_t opcode)
{
	strbuf_init(&out->b, 64);
	put_be(&out->b, EC_FLAGS, 4);
	put_be(&out->b, 0, 4);		/* the length, set when sent */
	strbuf_addch(&out->b, opcode);
	put_be(&out->b, 0, 2);		/* the tag count, as well */
	out->nr = 0;
}

/* A top-level tag without children: its header, then its data. */
static void add_tag(struct ec_out *out, uint16_t name, uint8_t type,
		    const void *data, uint32_t len)
{
	put_be(&out->b, (uint32_t)name << 1, 2);
	strbuf_addch(&out->b, type);
	put_be(&out->b, len, 4);
	strbuf_add(&out->b, data, len);
	out->nr++;
}

void ec_add_int(struct ec_out *out, uint16_t name, uint64_t v)
{
	struct strbuf d = STRBUF_INIT;
	int bytes = v <= 0xff ? 1 : v <= 0xffff ? 2 : v <= 0xffffffffu ? 4 :
		8;

	put_be(&d, v, bytes);
	add_tag(out, name, bytes == 1 ? EC_TYPE_UINT8 : bytes == 2 ?
		EC_TYPE_UINT16 : bytes == 4 ? EC_TYPE_UINT32 : EC_TYPE_UINT64,
		d.buf, (uint32_t)d.len);
	strbuf_release(&d);
}

void ec_add_string(struct ec_out *out, uint16_t name, const char *s)
{
	add_tag(out, name, EC_TYPE_STRING, s, (uint32_t)strlen(s) + 1);
}

void ec_add_hash(struct ec_out *out, uint16_t name,
		 const unsigned char hash[16])
{
	add_tag(out, name, EC_TYPE_HASH16, hash, 16);
}

/* One tag at *p (before end) into t, and its children, depth deep. */
static int parse_tag(const unsigned char **p, const unsigned char *end,
		     struct ec_tag *t, int depth)
{
	const unsigned char *q = *p, *body_end;
	uint16_t raw;
	size_t count = 0;

	if (end - q < TAG_HEAD || depth > MAX_DEPTH)
		return -EPROTO;
	raw = bytes_be16(q);
	t->name = raw >> 1;
	t->type = q[2];
	t->len = bytes_be32(q + 3);
	q += TAG_HEAD;
	if (raw & 1) {
		if (end - q < 2)
			return -EPROTO;
		count = bytes_be16(q);
		q += 2;
	}
	if ((size_t)(end - q) < t->len)
		return -EPROTO;
	body_end = q + t->len;
	/* each child takes a header at least */
	if (count > t->len / TAG_HEAD)
		return -EPROTO;
	if (count && !(t->children = calloc(count, sizeof(*t->children))))
		return -ENOMEM;
	t->nr = count;
	for (size_t i = 0; i < count; i++) {
		int ret = parse_tag(&q, body_end, &t->children[i], depth + 1);

		if (ret)
			return ret;
	}
	t->data = q;
	t->len = (uint32_t)(body_end - q);
	*p = body_end;
	return 0;
}

static void free_tags(struct ec_tag *tags, size_t nr)
{
	for (size_t i = 0; tags && i < nr; i++)
		free_tags(tags[i].children, tags[i].nr);
	free(tags);
}

void ec_packet_release(struct ec_packet *p)
{
	free_tags(p->tags, p->nr);
	free(p->frame);
	memset(p, 0, sizeof(*p));
}

int ec_parse(unsigned char *frame, size_t len, struct ec_packet *p)
{
	const unsigned char *q = frame, *end = frame + len;
	size_t count;
	int ret = 0;

	memset(p, 0, sizeof(*p));
	p->frame = frame;
	if (len < 3) {
		ec_packet_release(p);
		return -EPROTO;
	}
	p->opcode = q[0];
	count = bytes_be16(q + 1);
	q += 3;
	if (count > (len - 3) / TAG_HEAD) {
		ec_packet_release(p);
		return -EPROTO;
	}
	if (count && !(p->tags = calloc(count, sizeof(*p->tags)))) {
		ec_packet_release(p);
		return -ENOMEM;
	}
	p->nr = count;
	for (size_t i = 0; !ret && i < count; i++)
		ret = parse_tag(&q, end, &p->tags[i], 0);
	if (ret)
		ec_packet_release(p);
	return ret;
}

const struct ec_tag *ec_find(const struct ec_tag *tags, size_t nr,
			     uint16_t name)
{
	for (size_t i = 0; i < nr; i++)
		if (tags[i].name == name)
			return &tags[i];
	return NULL;
}

int ec_int(const struct ec_tag *t, uint64_t *out)
{
	static const uint32_t widths[] = {
		[EC_TYPE_UINT8] = 1, [EC_TYPE_UINT16] = 2,
		[EC_TYPE_UINT32] = 4, [EC_TYPE_UINT64] = 8,
	};

	*out = 0;
	if (!t || t->type < EC_TYPE_UINT8 || t->type > EC_TYPE_UINT64 ||
	    t->len != widths[t->type])
		return -EPROTO;
	for (uint32_t i = 0; i < t->len; i++)
		*out = *out << 8 | t->data[i];
	return 0;
}

const char *ec_string(const struct ec_tag *t)
{
	if (!t || t->type != EC_TYPE_STRING || !t->len ||
	    t->data[t->len - 1] || memchr(t->data, 0, t->len) !=
	    t->data + t->len - 1)
		return NULL;
	return (const char *)t->data;
}

const unsigned char *ec_hash(const struct ec_tag *t)
{
	return t && t->type == EC_TYPE_HASH16 && t->len == 16 ? t->data :
		NULL;
}

/* Read one frame's packet from c into p. */
static int read_packet(struct ec_conn *c, struct ec_packet *p)
{
	unsigned char head[HEADER], *frame;
	uint32_t flags, len;
	int ret = io_all(c, head, sizeof(head), 0);

	if (ret)
		return ret;
	flags = bytes_be32(head);
	len = bytes_be32(head + 4);
	/* bits 5 and 6 are 1 and 0 in every EC frame; zlib and UTF-8
	 * numbers were not offered, and other bits are unknown */
	if (flags != EC_FLAGS || len > EC_MAX_FRAME)
		return -EPROTO;
	frame = malloc(len ? len : 1);
	if (!frame)
		return -ENOMEM;
	ret = io_all(c, frame, len, 0);
	if (ret) {
		free(frame);
		return ret;
	}
	return ec_parse(frame, len, p);
}

int ec_ask(struct ec_conn *c, struct ec_out *out, const char *what,
	   struct ec_packet *answer, struct strbuf *err)
{
	uint32_t len = (uint32_t)out->b.len - HEADER;
	int ret;

	memset(answer, 0, sizeof(*answer));
	out->b.buf[4] = (char)(len >> 24);
	out->b.buf[5] = (char)(len >> 16);
	out->b.buf[6] = (char)(len >> 8);
	out->b.buf[7] = (char)len;
	out->b.buf[HEADER + 1] = (char)(out->nr >> 8);
	out->b.buf[HEADER + 2] = (char)out->nr;
	ret = io_all(c, out->b.buf, out->b.len, 1);
	/* a request may carry the password's hash */
	memset(out->b.buf, 0, out->b.len);
	strbuf_release(&out->b);
	if (!ret)
		ret = read_packet(c, answer);
	if (ret == -EPROTO)
		return client_fail(err, ret, "amule: %s: the answer is not"
				   " aMule's External Connections protocol",
				   what);
	/* amuled's, not the release's: the next release would meet it */
	if (ret == -ECONNRESET)
		return client_fail(err, ret, "amule: %s: the connection"
				   " closed without an answer", what);
	if (ret == -ETIMEDOUT)
		return client_fail(err, ret, "amule: %s: amuled is too slow:"
				   " no whole answer within %ld ms", what,
				   c->timeout_ms);
	if (ret)
		return client_fail(err, ret, "amule: %s: %s", what,
				   strerror(-ret));
	return 0;
}

/* The lower-case hex MD5 of len bytes at s into hex (33 bytes), or its
 * raw bytes into raw (16) when raw is not NULL. */
static int md5(const void *s, size_t len, char *hex, unsigned char *raw)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) &&
		EVP_DigestUpdate(ctx, s, len) &&
		EVP_DigestFinal_ex(ctx, md, &n) && n == 16;

	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -ENOMEM;
	if (raw)
		memcpy(raw, md, 16);
	for (unsigned int i = 0; hex && i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	memset(md, 0, sizeof(md));
	return 0;
}

/* The answer to amuled's salt: MD5(md5hex(password) . md5hex(SALT)). */
static int salted(const char *password, uint64_t salt, unsigned char *out)
{
	char both[65], salt_text[20];
	int ret;

	snprintf(salt_text, sizeof(salt_text), "%llX",
		 (unsigned long long)salt);
	ret = md5(password, strlen(password), both, NULL);
	if (!ret)
		ret = md5(salt_text, strlen(salt_text), both + 32, NULL);
	if (!ret)
		ret = md5(both, 64, NULL, out);
	memset(both, 0, sizeof(both));
	return ret;
}

/* The reason an EC_OP_AUTH_FAIL gives, or "". */
static const char *fail_reason(const struct ec_packet *p)
{
	const char *s = ec_string(ec_find(p->tags, p->nr, EC_TAG_STRING));

	return s ? s : "";
}

static int login(struct ec_conn *c, const char *password,
		 struct strbuf *version, struct strbuf *err)
{
	struct ec_packet a;
	struct ec_out req;
	unsigned char hash[16];
	uint64_t salt;
	const char *v;
	int ret;

	ec_begin(&req, EC_OP_AUTH_REQ);
	ec_add_string(&req, EC_TAG_CLIENT_NAME, "mediamon");
	ec_add_string(&req, EC_TAG_CLIENT_VERSION, MEDIAMON_VERSION);
	ec_add_int(&req, EC_TAG_PROTOCOL_VERSION, EC_PROTOCOL_VERSION);
	ret = ec_ask(c, &req, "login", &a, err);
	if (ret)
		return ret;
	if (a.opcode == EC_OP_AUTH_FAIL)
		ret = client_fail(err, *fail_reason(&a) ? -EPROTO : -EACCES,
				  "amule: the login was refused: %.200s",
				  *fail_reason(&a) ? fail_reason(&a) :
				  "no reason given (is ECPassword set in"
				  " amule.conf?)");
	else if (a.opcode != EC_OP_AUTH_SALT ||
		 ec_int(ec_find(a.tags, a.nr, EC_TAG_PASSWD_SALT), &salt))
		ret = client_fail(err, -EPROTO, "amule: login: unexpected"
				  " answer (opcode 0x%02x, no salt)",
				  a.opcode);
	ec_packet_release(&a);
	if (ret)
		return ret;
	if (salted(password, salt, hash))
		return client_fail(err, -ENOMEM, "amule: out of memory");
	ec_begin(&req, EC_OP_AUTH_PASSWD);
	ec_add_hash(&req, EC_TAG_PASSWD_HASH, hash);
	memset(hash, 0, sizeof(hash));
	ret = ec_ask(c, &req, "login", &a, err);
	if (ret)
		return ret;
	v = ec_string(ec_find(a.tags, a.nr, EC_TAG_SERVER_VERSION));
	if (a.opcode == EC_OP_AUTH_FAIL)
		ret = client_fail(err, -EACCES, "amule: the password was"
				  " refused (%.200s)", *fail_reason(&a) ?
				  fail_reason(&a) : "no reason given");
	else if (a.opcode != EC_OP_AUTH_OK)
		ret = client_fail(err, -EPROTO, "amule: login: unexpected"
				  " answer (opcode 0x%02x)", a.opcode);
	else if (version)
		strbuf_addstr(version, v ? v : "unknown");
	ec_packet_release(&a);
	return ret;
}

int ec_open(struct ec_conn *c, const char *host, const char *password,
	    long timeout_ms, struct strbuf *version, struct strbuf *err)
{
	int ret;

	c->fd = -1;
	c->timeout_ms = timeout_ms > 0 ? timeout_ms : HTTP_TIMEOUT_MS;
	c->deadline = clock_mono() + c->timeout_ms / 1000.0;
	ret = dial(c, host, err);
	if (!ret)
		ret = login(c, password ? password : "", version, err);
	if (ret)
		ec_close(c);
	return ret;
}

int ec_url(const char *host, char **url)
{
	char name[256], port[8];

	*url = NULL;
	if (split_host(host, name, sizeof(name), port, sizeof(port)))
		return -EINVAL;
	if (asprintf(url, strchr(name, ':') ? "tcp://[%s]:%s" :
		     "tcp://%s:%s", name, port) < 0) {
		*url = NULL;
		return -ENOMEM;
	}
	return 0;
}

void ec_close(struct ec_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}
