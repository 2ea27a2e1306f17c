/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_EC_H
#define MEDIAMON_EC_H

/*
 * aMule's External Connections protocol (EC, protocol version 0x0204,
 * that of aMule 2.3.x), as client_amule.c speaks it to amuled: a TCP
 * connection, the login with the salted password, and requests whose
 * answers are read into a tree of tags. What is written here is read
 * from aMule 2.3.3's own source (src/libs/ec/cpp/ECSocket.cpp, ECTag.cpp,
 * ECPacket.cpp; src/ExternalConn.cpp for the login):
 *
 *   a frame    flags (uint32, big-endian: 0x20, no zlib, no UTF-8
 *              numbers, as neither is offered at the login), the length
 *              of what follows (uint32), then the packet
 *   a packet   its opcode (uint8), its tag count (uint16), its tags
 *   a tag      its name shifted left by one, the low bit set when it has
 *              children (uint16), its type (uint8), its length (uint32:
 *              its data and its children with their headers), then its
 *              children's count (uint16) and its children when it has
 *              some, then its data
 *
 * Numbers are big-endian; an integer tag is as wide as its value needs
 * (uint8 to uint64), a string is UTF-8 with its ending NUL, a hash 16
 * bytes. The login: EC_OP_AUTH_REQ (client name and version, protocol
 * version) is answered EC_OP_AUTH_SALT with a salt (an integer); then
 * EC_OP_AUTH_PASSWD carries MD5(md5hex(password) . md5hex(SALT)), SALT
 * being the salt in upper-case hex, the hex digests lower-case; amuled
 * answers EC_OP_AUTH_OK with its version, or EC_OP_AUTH_FAIL with its
 * reason, and closes the connection.
 *
 *	struct ec_conn conn;
 *	struct ec_packet answer;
 *	struct ec_out req;
 *
 *	if (ec_open(&conn, "127.0.0.1:4712", password, 30000, &version,
 *		    &err))
 *		return ...;		(err says why, logged once)
 *	ec_begin(&req, EC_OP_GET_DLOAD_QUEUE);
 *	ec_add_int(&req, EC_TAG_DETAIL_LEVEL, EC_DETAIL_CMD);
 *	if (!ec_ask(&conn, &req, &answer, &err))
 *		...	answer.opcode, ec_find(answer.tags, answer.nr, ...)
 *	ec_packet_release(&answer);
 *	ec_close(&conn);
 *
 * Errors: -EACCES (the password refused), -EPROTO (an answer that is
 * not EC, a frame over EC_MAX_FRAME, a tag that does not fit, a login
 * refused for another reason than the password: the reason said),
 * -ECONNRESET (the connection closed before the answer: amuled's fault,
 * not a release's), -ECONNREFUSED, -ETIMEDOUT, -EHOSTUNREACH and the
 * socket's other errors, -EINVAL (a host that is not HOST:PORT), -ENOMEM. The password
 * and its hashes never reach err or the log.
 */

#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"

/* aMule's codes (ECCodes.h, ECTagTypes.h), those used here. */
enum {
	EC_OP_NOOP = 0x01,
	EC_OP_AUTH_REQ = 0x02,
	EC_OP_AUTH_FAIL = 0x03,
	EC_OP_AUTH_OK = 0x04,
	EC_OP_FAILED = 0x05,
	EC_OP_ADD_LINK = 0x09,
	EC_OP_GET_DLOAD_QUEUE = 0x0D,
	EC_OP_GET_SHARED_FILES = 0x10,
	EC_OP_DLOAD_QUEUE = 0x1F,
	EC_OP_SHARED_FILES = 0x22,
	EC_OP_GET_PREFERENCES = 0x3F,
	EC_OP_SET_PREFERENCES = 0x40,
	EC_OP_AUTH_SALT = 0x4F,
	EC_OP_AUTH_PASSWD = 0x50,
};

enum {
	EC_TAG_STRING = 0x0000,
	EC_TAG_PASSWD_HASH = 0x0001,
	EC_TAG_PROTOCOL_VERSION = 0x0002,
	EC_TAG_DETAIL_LEVEL = 0x0004,
	EC_TAG_PASSWD_SALT = 0x000B,
	EC_TAG_CLIENT_NAME = 0x0100,
	EC_TAG_CLIENT_VERSION = 0x0101,
	EC_TAG_PARTFILE = 0x0300,
	EC_TAG_PARTFILE_NAME = 0x0301,
	EC_TAG_PARTFILE_SIZE_FULL = 0x0303,
	EC_TAG_PARTFILE_SIZE_DONE = 0x0306,
	EC_TAG_PARTFILE_SPEED = 0x0307,
	EC_TAG_PARTFILE_STATUS = 0x0308,
	EC_TAG_PARTFILE_STOPPED = 0x0317,
	EC_TAG_PARTFILE_HASH = 0x031E,
	EC_TAG_KNOWNFILE = 0x0400,
	EC_TAG_KNOWNFILE_FILENAME = 0x0408,
	EC_TAG_SERVER_VERSION = 0x050B,
	EC_TAG_SELECT_PREFS = 0x1000,
	EC_TAG_PREFS_DIRECTORIES = 0x1A00,
	EC_TAG_DIRECTORIES_INCOMING = 0x1A01,
};

enum {
	EC_TYPE_CUSTOM = 1,
	EC_TYPE_UINT8 = 2,
	EC_TYPE_UINT16 = 3,
	EC_TYPE_UINT32 = 4,
	EC_TYPE_UINT64 = 5,
	EC_TYPE_STRING = 6,
	EC_TYPE_HASH16 = 9,
};

#define EC_PROTOCOL_VERSION 0x0204
#define EC_DETAIL_CMD 0x00
#define EC_PREFS_DIRECTORIES 0x00000200
#define EC_MAX_FRAME (16u << 20)	/* aMule's own cap on a packet */
#define EC_DEFAULT_PORT 4712

/* A tag of an answer; its data and children live in the packet. */
struct ec_tag {
	uint16_t name;			/* the name, its children bit gone */
	uint8_t type;
	uint32_t len;			/* of data */
	const unsigned char *data;
	struct ec_tag *children;
	size_t nr;
};

/* An answer: its opcode and its top-level tags. */
struct ec_packet {
	uint8_t opcode;
	struct ec_tag *tags;
	size_t nr;
	unsigned char *frame;		/* what the tags point into */
};

/* A request being built: its frame, and how many top-level tags. */
struct ec_out {
	struct strbuf b;
	uint16_t nr;
};

struct ec_conn {
	int fd;
	long timeout_ms;		/* for the connection's whole life */
	double deadline;		/* clock_mono() at which it ends */
};

/*
 * Connect to amuled at host ("HOST:PORT", "[V6]:PORT", or HOST alone
 * for port EC_DEFAULT_PORT) and log in with password (its plain text);
 * version, when not NULL, gets amuled's. timeout_ms bounds the
 * connection's whole life from here (0: HTTP_TIMEOUT_MS): the connect,
 * the login and every ec_ask() on it, however the bytes trickle in
 * (-ETIMEDOUT past it: "too slow"). Returns 0, or a negative errno
 * value as above with err set (naming "amule") and logged.
 */
int ec_open(struct ec_conn *c, const char *host, const char *password,
	    long timeout_ms, struct strbuf *version, struct strbuf *err);

/*
 * The url of where host (as ec_open() takes it) leads, its port given:
 * "tcp://NAME:PORT" ("tcp://[V6]:PORT"), malloc'd into *url, for
 * common/listener.h (which takes port 80 for a url without one).
 * Returns 0, -EINVAL for a host ec_open() would refuse, or -ENOMEM.
 */
int ec_url(const char *host, char **url);

/* Close c (nothing when it is not open). */
void ec_close(struct ec_conn *c);

/* Start a request of opcode in out, to release with ec_ask(). */
void ec_begin(struct ec_out *out, uint8_t opcode);

/* Add a top-level tag: an integer (as wide as its value needs), a
 * string, a hash of 16 bytes. */
void ec_add_int(struct ec_out *out, uint16_t name, uint64_t v);
void ec_add_string(struct ec_out *out, uint16_t name, const char *s);
void ec_add_hash(struct ec_out *out, uint16_t name,
		 const unsigned char hash[16]);

/*
 * Send the request out (released here) on c and read its answer into
 * *answer (to ec_packet_release()). Returns 0 or a negative errno value
 * as above, err set and logged (what names the request in err).
 */
int ec_ask(struct ec_conn *c, struct ec_out *out, const char *what,
	   struct ec_packet *answer, struct strbuf *err);

void ec_packet_release(struct ec_packet *p);

/*
 * Read a frame's packet (len bytes at frame, which p takes, freed on
 * failure too) into p. Returns 0, -EPROTO for bytes that are not a
 * packet, or -ENOMEM.
 */
int ec_parse(unsigned char *frame, size_t len, struct ec_packet *p);

/* The first of tags (nr of them) named name, or NULL. */
const struct ec_tag *ec_find(const struct ec_tag *tags, size_t nr,
			     uint16_t name);

/* A tag's value: an integer of any width (0, or -EPROTO for a tag that
 * is none), a string (NULL when it is not one ending in its NUL), a
 * hash (NULL when it is not 16 bytes). */
int ec_int(const struct ec_tag *t, uint64_t *out);
const char *ec_string(const struct ec_tag *t);
const unsigned char *ec_hash(const struct ec_tag *t);

#endif
