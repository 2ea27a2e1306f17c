/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The HTTP listener (http.h): libmicrohttpd's daemon and its bounds, the
 * request's address (a proxy's forwarded one only from the proxy's user),
 * password and path checked, the user's rights taken around the answer,
 * and POST /control/NAME. It renders and opens nothing itself
 * (fs/http/http_serve.c) and holds no password past a request.
 */
#include "fs/http/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "common/config.h"
#include "common/listener.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/text.h"
#include "common/thread.h"
#include "fs/tree/caller.h"
#include "fs/tree/control.h"
#include "fs/tree/http_auth.h"
#include "fs/tree/http_form.h"
#include "fs/http/http_peers.h"
#include "fs/http/http_serve.h"
#include "fs/http/page_post.h"
#include "fs/tree/http_stats.h"
#include "fs/tree/nodes.h"
#include "fs/tree/render.h"
#include "fs/tree/sizes.h"
#include "indexer/reads.h"

#define REALM "mediamon"

static struct MHD_Daemon *daemon_;
/* What answers under /rest/, set by http_start() before the listener
 * starts (fs/http/http.h). */
static const struct http_rest *rest_api;

/* A POST under way: whose (a /rest/ one: not known yet), and the body
 * so far. */
struct post {
	const struct http_account *account;
	struct strbuf body;
	int too_big;
	int rest;		/* to /rest/: its body a form (formPost) */
	int page;		/* from the page at /: its body a form */
};

/* libmicrohttpd starts its threads unnamed. */
static void name_thread(void)
{
	static __thread int named;

	if (!named) {
		thread_name("mm-http");
		named = 1;
	}
}

/* [http] trusted_proxy as an address of AF_INET or AF_INET6, or family
 * 0 when it is not set; and [http] proxy_user. */
static struct {
	int family;
	unsigned char bytes[16];
	int has_user;
	uid_t user;
} proxy_;

/* Who asks: the peer's address, or the forwarded one; and what its
 * wrong passwords count against: that address, or "user NAME" when the
 * other end is a socket of this machine, whatever its address. */
struct client {
	char addr[INET6_ADDRSTRLEN];
	char via[INET6_ADDRSTRLEN + 32];	/* "" when not forwarded */
	char from[72];
};

/* Whether the peer sa is [http] trusted_proxy (an IPv4 proxy may come
 * mapped into IPv6 on an IPv6 listener). */
static int from_proxy(const struct sockaddr *sa)
{
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
	const unsigned char *b;

	if (sa->sa_family == AF_INET)
		return proxy_.family == AF_INET &&
		       !memcmp(&((const struct sockaddr_in *)sa)->sin_addr,
			       proxy_.bytes, 4);
	if (sa->sa_family != AF_INET6)
		return 0;
	b = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
	if (proxy_.family == AF_INET6)
		return !memcmp(b, proxy_.bytes, 16);
	return proxy_.family == AF_INET && !memcmp(b, mapped, 12) &&
	       !memcmp(b + 12, proxy_.bytes, 4);
}

/*
 * Whether the connection c from the proxy's address sa is the proxy's: a
 * peer on another machine is; one on this machine only when its socket
 * is root's, the daemon's user's or [http] proxy_user's, since any local
 * user may connect from the loopback (told once a user).
 */
static int proxy_user(struct MHD_Connection *c, const struct sockaddr *sa,
		      const char *peer)
{
	static _Atomic uid_t told = (uid_t)-1;
	const union MHD_ConnectionInfo *i = MHD_get_connection_info(c,
		MHD_CONNECTION_INFO_CONNECTION_FD);
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);
	char name[64];
	uid_t uid;
	int rc;

	if (!i || getsockname(i->connect_fd, (struct sockaddr *)&local,
			      &len))
		return 0;
	/* a socket of this machine whose owner is unknown is no proxy's */
	rc = listener_peer_uid(sa, (struct sockaddr *)&local, &uid);
	if (rc)
		return rc == -ENOENT;
	if (listener_uid_trusted(uid, &proxy_.user, proxy_.has_user != 0))
		return 1;
	if (atomic_exchange(&told, uid) != uid) {
		listener_name(uid, name, sizeof(name));
		log_warn("http: a connection from %s is user %s's, not the"
			 " proxy's: its X-Forwarded-For is not heard (name"
			 " that user as proxy_user in [http] if it runs the"
			 " proxy)", peer, name);
	}
	return 0;
}

/* The address text at s (len bytes), trimmed, written back by
 * inet_ntop() into out: 0, or -EINVAL when it is no address. */
static int forwarded_address(const char *s, size_t len, char *out)
{
	unsigned char bytes[16];
	char text[INET6_ADDRSTRLEN];
	int family;

	text_trim_blanks(&s, &len);
	if (!len || len >= sizeof(text))
		return -EINVAL;
	memcpy(text, s, len);
	text[len] = '\0';
	family = strchr(text, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(family, text, bytes) != 1 ||
	    !inet_ntop(family, bytes, out, INET6_ADDRSTRLEN))
		return -EINVAL;
	return 0;
}

/*
 * Who asks, into *who: the peer's address, unless the peer is [http]
 * trusted_proxy and says whom it forwards: then the last address of
 * X-Forwarded-For (the one the proxy added) and the X-Forwarded-Proto
 * it names. From any other peer both headers are ignored.
 */
static void asker_of(struct MHD_Connection *c, struct client *who)
{
	const union MHD_ConnectionInfo *i = MHD_get_connection_info(c,
		MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = i ? i->client_addr : NULL;
	const char *xff, *proto, *last;
	char peer[INET6_ADDRSTRLEN] = "?";

	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
			  peer, sizeof(peer));
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)sa)->sin6_addr, peer,
			  sizeof(peer));
	snprintf(who->addr, sizeof(who->addr), "%s", peer);
	who->via[0] = '\0';
	if (!sa || !from_proxy(sa))
		return;
	xff = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
					  "X-Forwarded-For");
	if (!xff || !proxy_user(c, sa, peer))
		return;
	last = strrchr(xff, ',');
	last = last ? last + 1 : xff;
	if (forwarded_address(last, strlen(last), who->addr)) {
		/* the proxy's own requests are its own */
		snprintf(who->addr, sizeof(who->addr), "%s", peer);
		log_debug("http: X-Forwarded-For from %s is no address: the"
			  " request is the proxy's", peer);
		return;
	}
	proto = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
					    "X-Forwarded-Proto");
	if (!proto || (strcmp(proto, "https") && strcmp(proto, "http")))
		proto = "?";
	snprintf(who->via, sizeof(who->via), "%s through proxy %s", proto,
		 peer);
}

/* Who asks, into *who (asker_of()), and what its wrong passwords
 * count against: a local user's whatever address it takes, since each
 * may connect from any of the loopback's (a user of its own for each,
 * or the loopback's 127.0.0.0/8 as one address would be any local
 * user's to hold shut). */
static void client_of(struct MHD_Connection *c, struct client *who)
{
	char name[64];
	uid_t uid;

	asker_of(c, who);
	if (!who->via[0] && !http_peers_user(c, &uid)) {
		listener_name(uid, name, sizeof(name));
		snprintf(who->from, sizeof(who->from), "user %s", name);
	} else {
		snprintf(who->from, sizeof(who->from), "%s", who->addr);
	}
}

/* A path of the mount: from "/", with no "." or ".." part (the URL's
 * escapes, %2F included, are undone before). */
static int path_ok(const char *url)
{
	const char *p = url;

	if (*p != '/')
		return 0;
	while (p) {
		size_t n = strcspn(++p, "/");

		if ((n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		p = strchr(p, '/');
	}
	return 1;
}

static enum MHD_Result unauthorized(struct MHD_Connection *c)
{
	return http_serve_text(c, MHD_HTTP_UNAUTHORIZED,
			       "a name and password are needed",
			       "WWW-Authenticate", "Basic realm=\"" REALM "\"");
}

/* The account the request's credentials name, or NULL (answered). */
static const struct http_account *who(struct MHD_Connection *c,
				      enum MHD_Result *ret)
{
	const struct http_account *a = NULL;
	struct client client;
	char wait[16], *pass = NULL, *name;
	int held;

	client_of(c, &client);
	held = http_auth_held(client.from);
	if (held) {
		snprintf(wait, sizeof(wait), "%d", held);
		*ret = http_serve_text(c, MHD_HTTP_TOO_MANY_REQUESTS,
				       "too many wrong passwords",
				       "Retry-After", wait);
		return NULL;
	}
	name = MHD_basic_auth_get_username_password(c, &pass);
	if (name)
		a = http_auth_check(name, pass, client.from,
				    client.via[0] ? client.via : NULL);
	if (pass) {
		explicit_bzero(pass, strlen(pass));
		MHD_free(pass);
	}
	MHD_free(name);
	if (!a)
		*ret = unauthorized(c);
	return a;
}

/* Write the body to the control file at path as account a. */
static enum MHD_Result control(struct MHD_Connection *c, const char *path,
			       const struct post *p)
{
	struct node n;
	int rc;

	if (p->too_big)
		return http_serve_text(c, MHD_HTTP_CONTENT_TOO_LARGE,
				       "the body is too large", NULL, NULL);
	rc = nodes_resolve(path, &n);
	if (!rc && n.type != NODE_CONTROL)
		rc = -ENOENT;
	/* the mount lets the owner alone write them (mode 0644) */
	if (!rc && !caller_is_owner())
		rc = -EACCES;
	if (rc)
		return http_serve_text(c, http_serve_status(rc),
				       strerror(-rc), NULL, NULL);
	rc = nodes_write(&n, p->body.buf ? p->body.buf : "", p->body.len);
	sizes_forget_all();
	if (rc < 0) {
		control_log_refused(path, p->body.buf ? p->body.buf : "",
				    p->body.len, rc);
		return http_serve_text(c, http_serve_status(rc),
				       strerror(-rc), NULL, NULL);
	}
	nodes_written();
	/* the page's button: back to the page */
	return p->page ? http_serve_text(c, MHD_HTTP_SEE_OTHER, "done",
					 "Location", "/") :
	       http_serve_text(c, MHD_HTTP_OK, "done", NULL, NULL);
}

/* The first call of a POST: whose it is, kept for the calls that bring
 * its body. */
static enum MHD_Result post_begin(struct MHD_Connection *c, const char *url,
				  const struct http_account *a, void **ctx)
{
	struct post *p;

	if (strncmp(url, "/control/", 9))
		return http_serve_text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
				       "only /control/NAME takes a POST",
				       "Allow", "GET, HEAD");
	if (page_post_from(c) < 0)
		return http_serve_text(c, MHD_HTTP_FORBIDDEN, "a POST from"
				       " another site's page is refused",
				       NULL, NULL);
	p = calloc(1, sizeof(*p));
	if (!p)
		return MHD_NO;
	p->account = a;
	p->page = page_post_from(c);
	strbuf_init(&p->body, 0);
	*ctx = p;
	return MHD_YES;
}

/* The first call of a POST to /rest/: its body read before the API's
 * own account check (fs/subsonic/subsonic.h), as it may carry the
 * account. */
static enum MHD_Result rest_post_begin(void **ctx)
{
	struct post *p = calloc(1, sizeof(*p));

	if (!p)
		return MHD_NO;
	strbuf_init(&p->body, 0);
	p->rest = 1;
	*ctx = p;
	return MHD_YES;
}

/* A POST to /rest/ read whole: answered with its form's parameters
 * beside the query's, or refused. */
static enum MHD_Result rest_post(struct MHD_Connection *c, const char *url,
				 const struct post *p)
{
	const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		MHD_HTTP_HEADER_CONTENT_TYPE);
	struct http_form form;
	struct client client;
	enum MHD_Result ret;
	int rc;

	if (p->too_big)
		return http_serve_text(c, MHD_HTTP_CONTENT_TOO_LARGE,
				       "the form is larger than 64 KiB",
				       NULL, NULL);
	if (p->body.len && !http_form_type(type))
		return http_serve_text(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
				       "/rest takes a POST's parameters as"
				       " application/x-www-form-urlencoded",
				       NULL, NULL);
	rc = http_form_parse(&form, p->body.buf ? p->body.buf : "",
			     p->body.len);
	if (rc)
		return http_serve_text(c, rc == -ENOMEM ? 500 :
				       MHD_HTTP_BAD_REQUEST, rc == -ENOMEM ?
				       "no memory" : "a form parameter holds"
				       " a NUL", NULL, NULL);
	client_of(c, &client);
	ret = rest_api->answer(c, url + 6, MHD_HTTP_METHOD_POST, client.from,
			       client.via[0] ? client.via : NULL, &form);
	http_form_free(&form);
	return ret;
}

static enum MHD_Result post_data(struct MHD_Connection *c, const char *url,
				 struct post *p, const char *data,
				 size_t *size)
{
	const struct http_account *a = p->account;
	enum MHD_Result ret;

	if (*size) {
		if (p->body.len + *size > HTTP_BODY_BYTES)
			p->too_big = 1;
		else
			strbuf_add(&p->body, data, *size);
		*size = 0;
		return MHD_YES;
	}
	if (p->rest)
		return rest_post(c, url, p);
	if (p->page && page_post_value(c, a->uid, &p->body))
		return http_serve_text(c, MHD_HTTP_FORBIDDEN, "a page's POST"
				       " needs its form's token", NULL, NULL);
	http_auth_begin(a);
	reader_refresh();
	ret = control(c, url, p);
	caller_end();
	return ret;
}

/* The context of a request whose headers are read, and nothing else
 * yet (a POST to /control has a struct post instead). */
static char headers_read;

static enum MHD_Result answer(void *cls, struct MHD_Connection *c,
			      const char *url, const char *method,
			      const char *version, const char *data,
			      size_t *size, void **ctx)
{
	const struct http_account *a;
	enum MHD_Result ret = MHD_NO;
	struct client client;

	(void)cls;
	(void)version;
	name_thread();
	http_stats_begin(!strncmp(url, "/rest/", 6) ? HTTP_KIND_SUBSONIC :
			 !strcmp(method, MHD_HTTP_METHOD_POST) ?
			 HTTP_KIND_CONTROL : !strcmp(url, "/") ?
			 HTTP_KIND_PAGE : HTTP_KIND_FILE);
	if (*ctx == &headers_read) {
		/* a body no answer reads */
		if (*size) {
			*size = 0;
			return MHD_YES;
		}
	} else if (*ctx) {
		return post_data(c, url, *ctx, data, size);
	} else if (!path_ok(url)) {
		return http_serve_text(c, MHD_HTTP_BAD_REQUEST, "bad path",
				       NULL, NULL);
	} else if (rest_api && !strcmp(method, MHD_HTTP_METHOD_POST) &&
		   !strncmp(url, "/rest/", 6)) {
		return rest_post_begin(ctx);
	} else if (strcmp(method, MHD_HTTP_METHOD_POST) ||
		   !strncmp(url, "/rest/", 6)) {
		/* answered on the next call, once the request is read
		 * whole: an answer queued earlier closes the connection */
		*ctx = &headers_read;
		return MHD_YES;
	}
	if (rest_api && !strncmp(url, "/rest/", 6)) {
		client_of(c, &client);
		return rest_api->answer(c, url + 6, method, client.from,
					client.via[0] ? client.via : NULL,
					NULL);
	}
	a = who(c, &ret);
	if (!a)
		return ret;
	if (!strcmp(method, MHD_HTTP_METHOD_POST))
		return post_begin(c, url, a, ctx);
	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD))
		return http_serve_text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
				       "not allowed", "Allow",
				       "GET, HEAD, POST");
	http_auth_begin(a);
	reader_refresh();
	ret = http_serve_get(c, url);
	caller_end();
	return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **ctx,
		      enum MHD_RequestTerminationCode why)
{
	struct post *p = *ctx;

	(void)cls;
	(void)c;
	(void)why;
	if (!p || *ctx == &headers_read)
		return;
	strbuf_release(&p->body);
	free(p);
	*ctx = NULL;
}

/* A connection opened or closed: counted, and its user's count kept. */
static void connection(void *cls, struct MHD_Connection *c, void **ctx,
		       enum MHD_ConnectionNotificationCode code)
{
	http_stats_connection(code == MHD_CONNECTION_NOTIFY_STARTED ? 1 : -1);
	http_peers_notify(cls, c, ctx, code);
}

/* What libmicrohttpd says of clients (timeouts, bad requests) is theirs:
 * shown at debug level. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct strbuf line = STRBUF_INIT;

	(void)cls;
	strbuf_vaddf(&line, fmt, ap);
	strbuf_rtrim(&line);
	log_debug("http: %s", line.buf);
	strbuf_release(&line);
}

/* [http] trusted_proxy, a numeric address, and proxy_user into proxy_. */
static int set_proxy(const char *proxy, const struct config_user *user)
{
	proxy_.has_user = user->name != NULL;
	proxy_.user = user->uid;
	proxy_.family = 0;
	if (!proxy)
		return 0;
	proxy_.family = strchr(proxy, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(proxy_.family, proxy, proxy_.bytes) != 1) {
		proxy_.family = 0;
		return log_error(-EINVAL, "http: trusted_proxy = %s is not"
				 " an IPv4 or IPv6 address", proxy);
	}
	return 0;
}

/* The address of listen, "HOST:PORT" or "[HOST]:PORT", into *res. */
static int parse_listen(const char *listen, struct addrinfo **res)
{
	const struct addrinfo hints = {
		.ai_flags = AI_PASSIVE | AI_NUMERICSERV,
		.ai_socktype = SOCK_STREAM,
	};
	char host[256];
	const char *colon = strrchr(listen, ':');
	size_t len = colon ? (size_t)(colon - listen) : 0;
	int rc;

	if (len && listen[0] == '[' && listen[len - 1] == ']') {
		listen++;
		len -= 2;
	}
	if (!colon || !len || len >= sizeof(host) || !colon[1])
		return log_error(-EINVAL, "http: listen = %s is not"
				 " ADDRESS:PORT", listen);
	memcpy(host, listen, len);
	host[len] = '\0';
	rc = getaddrinfo(host, colon + 1, &hints, res);
	if (rc)
		return log_error(-EINVAL, "http: listen = %s: %s", listen,
				 gai_strerror(rc));
	return 0;
}

/* What the listener runs with, to tell whether a reload changes it. */
static struct {
	pthread_mutex_t lock;	/* start, reload and stop, one at a time */
	char listen[256];
	int max_connections, max_per_address;
	long timeout_s;
} running = { .lock = PTHREAD_MUTEX_INITIALIZER };

static int same_listener(const struct config *cfg)
{
	return !strcmp(running.listen, cfg->http_listen) &&
	       running.max_connections == cfg->http_max_connections &&
	       running.max_per_address == cfg->http_max_per_address &&
	       running.timeout_s == cfg->http_timeout_s;
}

/* The stack of a connection's thread: what an answer needs (no large
 * buffer on it; bcrypt's state is allocated), far below the 8 MiB of a
 * default thread, which max_connections of would take a 32-bit Pi's
 * address space. */
#define STACK_BYTES (512 << 10)

/*
 * A listener with cfg's settings on the listening socket fd, or on
 * cfg's address when fd is -1; NULL when it does not start (a listen
 * that is not ADDRESS:PORT logged). Each connection has a thread of its
 * own (issue 76): on a pool, a connection kept alive shares its thread
 * with others, and waits behind their answers (one account's loop of
 * heavy calls held another account's requests whole seconds). The
 * threads are bounded by max_connections and the per-address and
 * per-user counts (http_peers.h), the answers of one account by
 * subsonic_busy.h, and a thread's memory by its small stack.
 */
static struct MHD_Daemon *listener(const struct config *cfg, int fd)
{
	const union MHD_DaemonInfo *info;
	struct addrinfo *ai = NULL;
	struct MHD_Daemon *d;
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG |
			 MHD_USE_ITC | MHD_USE_THREAD_PER_CONNECTION;

	if (fd < 0 && parse_listen(cfg->http_listen, &ai))
		return NULL;
	if (ai && ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	d = MHD_start_daemon(flags, 0, NULL, NULL, answer, NULL,
		MHD_OPTION_SOCK_ADDR, ai ? ai->ai_addr : NULL,
		MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
		MHD_OPTION_THREAD_STACK_SIZE, (size_t)STACK_BYTES,
		MHD_OPTION_CONNECTION_LIMIT,
		(unsigned)cfg->http_max_connections,
		/* counted per address and per local user by http_peers */
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->http_timeout_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_HEADER_BYTES,
		MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
		MHD_OPTION_NOTIFY_CONNECTION, connection, NULL,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_END);
	if (ai)
		freeaddrinfo(ai);
	if (!d)
		return NULL;
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	log_info("http: listening on %s (port %u)", cfg->http_listen,
		 info ? (unsigned)info->port : 0);
	snprintf(running.listen, sizeof(running.listen), "%s",
		 cfg->http_listen);
	running.max_connections = cfg->http_max_connections;
	running.max_per_address = cfg->http_max_per_address;
	running.timeout_s = cfg->http_timeout_s;
	return d;
}

static int start(const struct config *cfg)
{
	int rc;

	if (!cfg->http_listen)
		return 0;
	if (!cfg->http_htpasswd)
		return log_error(-EINVAL, "http: listen is set, but no"
				 " htpasswd: no one could use it");
	rc = set_proxy(cfg->http_trusted_proxy, &cfg->http_proxy_user);
	if (rc)
		return rc;
	http_peers_limit(cfg->http_max_per_address, &cfg->http_proxy_user);
	rc = http_auth_load(cfg->http_htpasswd);
	if (rc)
		return rc;
	rc = rest_api ? rest_api->load(cfg) : 0;
	if (rc) {
		http_auth_free();
		return rc;
	}
	daemon_ = listener(cfg, -1);
	if (!daemon_) {
		if (rest_api)
			rest_api->release();
		http_auth_free();
		return log_error(-EADDRNOTAVAIL, "http: cannot listen on %s",
				 cfg->http_listen);
	}
	return 0;
}

int http_start(const struct config *cfg, const struct http_rest *rest)
{
	int rc;

	pthread_mutex_lock(&running.lock);
	rest_api = rest;
	rc = start(cfg);
	pthread_mutex_unlock(&running.lock);
	return rc;
}

static void stop(void)
{
	if (!daemon_)
		return;
	MHD_stop_daemon(daemon_);
	daemon_ = NULL;
	if (rest_api)
		rest_api->release();
	http_auth_free();
}

/* Health's line of what a reload could not make of the listener. */
__attribute__((format(printf, 1, 2)))
static void reload_fault(const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	render_http_fault(why);
}

/*
 * The listener of the running one's address with cfg's threads and
 * limits: the listening socket handed over, so no connection attempt
 * is refused between them and a port the kernel chose stays.
 */
static struct MHD_Daemon *relisten(const struct config *cfg)
{
	MHD_socket fd = MHD_quiesce_daemon(daemon_);
	struct MHD_Daemon *d;

	if (fd == MHD_INVALID_SOCKET) {
		log_error(-EIO, "http: the listener does not let go of its"
			  " socket; its settings stay as they are");
		return NULL;
	}
	d = listener(cfg, fd);
	if (!d) {
		log_error(-EIO, "http: reload: cannot listen again on %s",
			  cfg->http_listen);
		reload_fault("not listening: cannot listen again on %s",
		      cfg->http_listen);
		close(fd);
	}
	return d;
}

/* [http] of a reload's cfg applied, from the listener's lock. */
static void reload(const struct config *cfg)
{
	struct MHD_Daemon *d;

	render_http_fault(NULL);
	if (!daemon_) {
		if (start(cfg))
			reload_fault("not listening on %s", cfg->http_listen);
		return;
	}
	if (!cfg->http_listen) {
		stop();
		log_info("http: listen is no longer set: not listening");
		return;
	}
	if (!cfg->http_htpasswd)
		log_error(-EINVAL, "http: reload: listen is set, but no"
			  " htpasswd; the accounts in use stay");
	else if (http_auth_load(cfg->http_htpasswd))
		log_info("http: reload: the accounts in use stay");
	if (rest_api && rest_api->load(cfg))
		log_info("http: reload: the Subsonic passwords and API keys"
			 " in use stay");
	set_proxy(cfg->http_trusted_proxy, &cfg->http_proxy_user);
	http_peers_limit(cfg->http_max_per_address, &cfg->http_proxy_user);
	if (same_listener(cfg))
		return;
	if (!strcmp(running.listen, cfg->http_listen)) {
		d = relisten(cfg);
	} else {
		d = listener(cfg, -1);
		if (!d) {
			log_error(-EADDRNOTAVAIL, "http: reload: cannot listen"
				  " on %s; still listening on %s",
				  cfg->http_listen, running.listen);
			reload_fault("cannot listen on %s; still listening on %s",
			      cfg->http_listen, running.listen);
			return;
		}
	}
	if (!d) {
		stop();
		return;
	}
	MHD_stop_daemon(daemon_);
	daemon_ = d;
}

void http_reload(const struct config *cfg)
{
	pthread_mutex_lock(&running.lock);
	reload(cfg);
	pthread_mutex_unlock(&running.lock);
}

void http_stop(void)
{
	pthread_mutex_lock(&running.lock);
	stop();
	pthread_mutex_unlock(&running.lock);
}
