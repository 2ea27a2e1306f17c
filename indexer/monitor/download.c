/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The hand of a release to a download client (download.h): whether the
 * client takes it, its links read into what the client takes, and what
 * the clients share. It speaks no client's protocol itself (client_*.c),
 * and chooses no release (handoff.c).
 */
#include "indexer/monitor/download.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "common/base64.h"
#include "common/bytes.h"
#include "common/config.h"
#include "common/http.h"
#include "common/listener.h"
#include "common/log.h"
#include "indexer/monitor/client.h"
#include "indexer/monitor/links.h"
#include "indexer/monitor/prowlarr.h"

int client_fail(struct strbuf *err, int ret, const char *fmt, ...)
{
	va_list ap;

	strbuf_reset(err);
	va_start(ap, fmt);
	strbuf_vaddf(err, fmt, ap);
	va_end(ap);
	return log_error(ret, "%s", err->buf);
}

int client_http_fail(struct strbuf *err, const char *what, long status)
{
	if (status >= 500)
		return client_fail(err, -EIO, "%s: HTTP %ld", what, status);
	return client_fail(err, -EPROTO, "%s: unexpected answer (HTTP %ld)",
			   what, status);
}

int client_answer_string(json_t *doc, const char *obj, const char *key,
			 const char *what, struct strbuf *out,
			 struct strbuf *err)
{
	json_t *v = json_object_get(obj ? json_object_get(doc, obj) : doc,
				    key);

	if (!json_is_string(v))
		return client_fail(err, -EPROTO, "%s: unexpected answer (no"
				   " %s)", what, key);
	strbuf_add(out, json_string_value(v), json_string_length(v));
	return 0;
}

int client_add_path(json_t *list, const char *dir, const char *name)
{
	size_t n = strlen(dir);
	char *path;
	int ret;

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (asprintf(&path, "%.*s/%s", (int)n, dir, name) < 0)
		return -ENOMEM;
	ret = json_array_append_new(list, json_string(path)) ? -ENOMEM : 0;
	free(path);
	return ret;
}

void client_rpc_url(const char *base, const char *path, struct strbuf *out)
{
	const char *host = strstr(base, "://");
	const char *given = host ? strchr(host + 3, '/') : NULL;

	if (given && given[strspn(given, "/")])
		strbuf_addstr(out, base);
	else
		http_join(out, base, path);
}

void client_wipe(char *s)
{
	if (s)
		memset(s, 0, strlen(s));
}

void client_basic_auth(const char *user, const char *password,
		       struct strbuf *out)
{
	struct strbuf pair = STRBUF_INIT;

	if (!(user && *user) && !(password && *password))
		return;
	strbuf_addf(&pair, "%s:%s", user ? user : "",
		    password ? password : "");
	strbuf_addstr(out, "Authorization: Basic ");
	base64_encode(pair.buf, pair.len, out);
	client_wipe(pair.buf);
	strbuf_release(&pair);
}

/* Whether the path of url ends in ext (its query and fragment aside). */
static int path_ends_with(const char *url, const char *ext)
{
	size_t len = strcspn(url, "?#"), n = strlen(ext);

	return len >= n && !strncasecmp(url + len - n, ext, n);
}

void download_client_of(const struct config *c, const char *protocol,
			struct download_client *out)
{
	int nzb = !strcmp(protocol, PROWLARR_USENET);
	const struct config_user *user;

	memset(out, 0, sizeof(*out));
	out->protocol = protocol;
	if (!strcmp(protocol, DOWNLOAD_ED2K)) {
		out->client = c->ed2k_client;
		out->url = c->ed2k_host;
		out->password = c->ed2k_password;
		user = &c->ed2k_client_user;
	} else {
		out->client = nzb ? c->usenet_client : c->download_client;
		out->url = nzb ? c->usenet_url : c->download_url;
		out->username = nzb ? c->usenet_username
				    : c->download_username;
		out->password = nzb ? c->usenet_password
				    : c->download_password;
		out->api_key = nzb ? c->usenet_api_key : NULL;
		out->category = nzb ? c->usenet_category
				    : c->download_category;
		out->save_path = nzb ? c->usenet_save_path
				     : c->download_save_path;
		out->blackhole_dir = nzb ? c->usenet_blackhole_dir
					 : c->download_blackhole_dir;
		user = nzb ? &c->usenet_client_user
			   : &c->download_client_user;
	}
	if (!out->client)
		out->client = "none";
	out->client_user = user->name;
	out->client_uid = user->uid;
}

const char *download_protocol(const struct download_release *r)
{
	if (r->protocol && !strcmp(r->protocol, PROWLARR_USENET))
		return PROWLARR_USENET;
	if (!r->protocol && r->source && !strcmp(r->source, "catalog") &&
	    r->link && links_is_web(r->link) && path_ends_with(r->link, ".nzb"))
		return PROWLARR_USENET;
	if (!r->protocol && r->source && !strcmp(r->source, "catalog") &&
	    links_is_ed2k(r->link) && !r->magnet)
		return DOWNLOAD_ED2K;
	return PROWLARR_TORRENT;
}

/* Prowlarr grabs only what its own search found, named by guid. */
static int prowlarr_accepts(const struct download_release *r)
{
	return r->source && !strcmp(r->source, "prowlarr") && r->guid &&
	       *r->guid && r->indexer_id > 0;
}

/*
 * A grab is Prowlarr's own hand-off; it logged its failure, which only
 * needs words for /status/health here.
 */
static int prowlarr_send(const struct download_client *c,
			 const struct download_release *r, const int *cancel,
			 struct strbuf *err)
{
	/* prowlarr_grab() only reads the release: the casts are safe. */
	struct prowlarr_release pr = {
		.guid = (char *)r->guid,
		.title = (char *)r->title,
		.indexer_id = r->indexer_id,
	};
	int ret;

	if (!c->prowlarr)
		return client_fail(err, -EINVAL, "prowlarr: not set up");
	ret = prowlarr_grab(c->prowlarr, &pr, cancel);
	switch (ret) {
	case 0:
		break;
	case -ENOENT:
		ret = -ESTALE;
		strbuf_addstr(err, "prowlarr: the release is no longer known "
			      "(the search is over 30 minutes old)");
		break;
	case -EACCES:
		strbuf_addstr(err, "prowlarr: the API key was refused");
		break;
	case -EAGAIN:
		strbuf_addstr(err, "prowlarr: rate limited");
		break;
	case -EREMOTEIO:
		strbuf_addstr(err, "prowlarr: the grab was refused (HTTP 400 or"
			      " 409: the log says why)");
		break;
	default:
		strbuf_addf(err, "prowlarr: grab failed: %s", strerror(-ret));
	}
	return ret;
}

/* The client c names, or NULL for "none", "prowlarr" and unknown ones. */
static const struct client_kind *find_kind(const struct download_client *c)
{
	return c ? client_kind_of(c->client) : NULL;
}

static int is_prowlarr(const struct download_client *c)
{
	return c && c->client && !strcmp(c->client, "prowlarr");
}

/* The protocol c takes: a client of either (a blackhole) takes its
 * setting's. */
static const char *protocol_taken(const struct download_client *c)
{
	const char *p = client_protocol_of(c->client);

	if (strcmp(p, "either"))
		return p;
	return c->protocol && !strcmp(c->protocol, PROWLARR_USENET) ?
		PROWLARR_USENET : PROWLARR_TORRENT;
}

static int from_prowlarr(const struct download_release *r)
{
	return r->source && !strcmp(r->source, "prowlarr");
}

/*
 * What the client takes for r's protocol: a blackhole takes NZBs for
 * usenet, the rest for torrents.
 */
static int takes(const struct client_kind *k,
		 const struct download_release *r)
{
	if (!strcmp(download_protocol(r), PROWLARR_USENET))
		return k->takes & (LINKS_NZB | CLIENT_URL);
	if (!strcmp(download_protocol(r), DOWNLOAD_ED2K))
		return k->takes & (CLIENT_ED2K | CLIENT_ANY_LINK);
	return k->takes & ~(LINKS_NZB | CLIENT_ED2K);
}

/* The kinds a fetch of r's web links may give the client. */
static int fetchable(const struct client_kind *k,
		     const struct download_release *r)
{
	int t = takes(k, r);

	if (from_prowlarr(r) || !(t & (CLIENT_URL | CLIENT_ANY_LINK)))
		return t & (LINKS_MAGNET | LINKS_TORRENT | LINKS_NZB);
	return 0;
}

/*
 * What the web link url becomes for the client: what it leads to, read
 * here when the client takes files and the link is Prowlarr's (it may
 * redirect to a magnet, and it holds the API key) or the client takes
 * nothing else; otherwise the link itself.
 */
static int from_web(const struct download_client *c,
		    const struct client_kind *k,
		    const struct download_release *r, const char *url,
		    const int *cancel, struct links_target *t,
		    struct client_payload *p, struct strbuf *err)
{
	int wanted = fetchable(k, r), ret;

	if (!wanted) {
		*p = (struct client_payload){ CLIENT_URL, url, NULL, 0 };
		return 0;
	}
	ret = links_fetch(url, wanted, c->timeout_ms, cancel, t, err);
	if (ret)
		return ret;
	*p = (struct client_payload){ t->kind, t->data.buf, t->data.buf,
				      t->data.len };
	return 0;
}

#define NR_LINKS 3

/* The links of r, in the order they are tried: its download link, its
 * magnet link, a guid that is a magnet (NULL for those it lacks). */
static void release_links(const struct download_release *r,
			  const char *out[NR_LINKS])
{
	out[0] = r->link;
	out[1] = r->magnet;
	out[2] = links_is_magnet(r->guid) ? r->guid : NULL;
}

/*
 * Whether the client can take link, one of r's, at all: a magnet when it
 * takes magnets, a web link when it takes what the link leads to or the
 * link itself, any other link only when it writes any down (and the link
 * is not Prowlarr's).
 */
static int link_usable(const struct client_kind *k,
		       const struct download_release *r, const char *link)
{
	int t = takes(k, r);

	if (!link || !*link)
		return 0;
	if (links_is_magnet(link))
		return t & LINKS_MAGNET;
	if (links_is_web(link))
		return fetchable(k, r) || (t & (CLIENT_URL | CLIENT_ANY_LINK));
	if (links_is_ed2k(link) && (t & CLIENT_ED2K))
		return 1;
	return !from_prowlarr(r) && (t & CLIENT_ANY_LINK);
}

/*
 * What link becomes for the client: a magnet as it is, a web link as
 * from_web() says, another link written down by a folder that takes any.
 * Returns 0, 1 when the client cannot take this link at all, or a
 * negative errno value (the link failed, err says why).
 */
static int from_link(const struct download_client *c,
		     const struct client_kind *k,
		     const struct download_release *r, const char *link,
		     const int *cancel, struct links_target *t,
		     struct client_payload *p, struct strbuf *err)
{
	if (!link_usable(k, r, link))
		return 1;
	if (links_is_web(link))
		return from_web(c, k, r, link, cancel, t, p, err);
	*p = (struct client_payload){
		.kind = links_is_magnet(link) ? LINKS_MAGNET :
			links_is_ed2k(link) && (k->takes & CLIENT_ED2K) ?
			CLIENT_ED2K : CLIENT_URL,
		.text = link,
	};
	return 0;
}

/*
 * Find the first of r's links that gives the client something, and send
 * it. The first failure of a link is the one told when none works, as
 * -EIDRM when a link said the release is gone, else -ENOLINK.
 */
static int send_links(const struct download_client *c,
		      const struct client_kind *k,
		      const struct download_release *r, const int *cancel,
		      char *id, struct strbuf *err)
{
	const char *links[NR_LINKS];
	struct links_target t = LINKS_TARGET_INIT;
	struct strbuf why = STRBUF_INIT, first = STRBUF_INIT;
	struct client_payload p;
	int ret = 1, failed = 0, gone = 0;

	release_links(r, links);
	for (size_t i = 0; i < NR_LINKS; i++) {
		ret = from_link(c, k, r, links[i], cancel, &t, &p, &why);
		if (ret == -ECANCELED || ret == -ENOMEM)
			break;
		if (ret < 0 && !failed++)
			strbuf_addstr(&first, why.buf);
		gone |= ret == -EIDRM;
		if (!ret)
			break;
	}
	if (!ret)
		ret = k->send(c, r, &p, cancel, id, err);
	else if (ret == -ECANCELED)
		strbuf_addf(err, "%s: cancelled", c->client);
	else if (ret == -ENOMEM)
		ret = client_fail(err, ret, "%s: out of memory", c->client);
	else if (failed)
		ret = client_fail(err, gone ? -EIDRM : -ENOLINK, "%s: no link"
				  " of the release works: %s", c->client,
				  first.buf);
	else
		ret = client_fail(err, -EINVAL, "%s: cannot take this"
				  " release", c->client);
	links_target_release(&t);
	strbuf_release(&why);
	strbuf_release(&first);
	return ret;
}

/* Whether one of r's links can become something the client takes. */
static int has_usable_link(const struct client_kind *k,
			   const struct download_release *r)
{
	const char *links[NR_LINKS];

	release_links(r, links);
	for (size_t i = 0; i < NR_LINKS; i++)
		if (link_usable(k, r, links[i]))
			return 1;
	return 0;
}

int download_accepts(const struct download_client *c,
		     const struct download_release *r)
{
	const struct client_kind *k = find_kind(c);

	if (!r || !r->title)
		return 0;
	if (is_prowlarr(c))
		return prowlarr_accepts(r);
	/* a torrent blackhole writes an ed2k link down too */
	return k && (!strcmp(protocol_taken(c), download_protocol(r)) ||
		     (!strcmp(download_protocol(r), DOWNLOAD_ED2K) &&
		      (k->takes & CLIENT_ANY_LINK) &&
		      !strcmp(protocol_taken(c), PROWLARR_TORRENT))) &&
	       has_usable_link(k, r);
}

/* How many times the owner asked for refused clients to be tried again. */
static unsigned retries;

void download_retry(void)
{
	__atomic_add_fetch(&retries, 1, __ATOMIC_RELAXED);
}

#define NOT_AGAIN " (not asked again until a reload or \"retry-client\"" \
	" in control/check-missing)"

/*
 * Whether the client refused its credentials before, since the last
 * retry: then err gets the same words, and the client is not asked.
 */
static int still_refused(struct download_session *s, struct strbuf *err)
{
	if (!s || !s->refused)
		return 0;
	if (s->retry != __atomic_load_n(&retries, __ATOMIC_RELAXED)) {
		s->refused = 0;
		log_info("download: trying again a client that refused its"
			 " credentials");
		return 0;
	}
	strbuf_addstr(err, s->why);
	return 1;
}

/* Remember a refusal of the client's credentials, said once in err. */
static void remember_refusal(struct download_session *s, struct strbuf *err)
{
	strbuf_addstr(err, NOT_AGAIN);
	s->refused = 1;
	s->retry = __atomic_load_n(&retries, __ATOMIC_RELAXED);
	snprintf(s->why, sizeof(s->why), "%s", err->buf);
}

/* The section of the configuration that sets c up. */
static const char *section_of(const struct download_client *c)
{
	const char *p = c->protocol ? c->protocol : PROWLARR_TORRENT;

	return !strcmp(p, PROWLARR_TORRENT) ? "download" : p;
}

/*
 * Whether the users listening where c's url leads on this machine (if
 * any does, on any of its host's addresses) are c's: root, the daemon's,
 * the owner of c's save folder, or c's client_user. 0, or -EPERM with
 * why in err, logged once per listener. Where k's client listens is
 * its listens(), else its url.
 */
static int listener_is_clients(const struct client_kind *k,
			       const struct download_client *c,
			       struct strbuf *err)
{
	static uid_t told = (uid_t)-1;
	uid_t also[2], uid;
	size_t nr = 0;
	char *url, name[64];
	struct stat st;
	int ok;

	if (c->client_user)
		also[nr++] = c->client_uid;
	if (c->save_path && *c->save_path && !stat(c->save_path, &st))
		also[nr++] = st.st_uid;
	ok = k->listens ? k->listens(c, &url) : 0;
	if (ok == -EINVAL)
		return client_fail(err, ok, "%s: host \"%.100s\" is not"
				   " HOST:PORT", c->client, c->url);
	if (ok || (!k->listens && !(url = strdup(c->url))))
		return client_fail(err, -ENOMEM, "%s: out of memory",
				   c->client);
	ok = listener_trusted(url, also, nr, &uid);
	free(url);
	if (ok)
		return 0;
	listener_name(uid, name, sizeof(name));
	strbuf_reset(err);
	strbuf_addf(err, "%s: the port of %s is user %s's, not the client's:"
		    " not asked, nothing sent (name that user as client_user"
		    " in [%s] if it runs the client)", c->client, c->url,
		    name, section_of(c));
	if (__atomic_exchange_n(&told, uid, __ATOMIC_RELAXED) != uid)
		log_error(-EPERM, "%s", err->buf);
	return -EPERM;
}

/* Whether c may be asked now: its url set for a client reached at one,
 * ready, its listener its own, and no refusal of its credentials still
 * stands (0, or why not). */
static int may_ask(const struct client_kind *k,
		   const struct download_client *c, struct strbuf *err)
{
	int ret = 0;

	if (k->url && (!c->url || !*c->url))
		ret = client_fail(err, -EINVAL, "%s: no %s set", c->client,
				  k->takes & CLIENT_ED2K ? "host" : "url");
	if (!ret && k->ready)
		ret = k->ready(c, err);
	if (!ret && k->url)
		ret = listener_is_clients(k, c, err);
	if (!ret && still_refused(c->session, err))
		ret = -EACCES;
	return ret;
}

/* Before asking c's client a question: err emptied, -EOPNOTSUPP when
 * its kind does not answer it (has is 0), else may_ask(). */
static int may_call(const struct client_kind *k, int has,
		    const struct download_client *c, struct strbuf *err)
{
	strbuf_reset(err);
	return has ? may_ask(k, c, err) : -EOPNOTSUPP;
}

int download_send(const struct download_client *c,
		  const struct download_release *r, const int *cancel,
		  char *id, struct strbuf *err)
{
	const struct client_kind *k = find_kind(c);
	const char *name = is_prowlarr(c) || k ? c->client : NULL;
	char local[DOWNLOAD_ID_MAX];
	int ret;

	if (!id)
		id = local;
	id[0] = '\0';
	strbuf_reset(err);
	if (!name && (!c || !c->client || !strcmp(c->client, "none")))
		return client_fail(err, -EINVAL, "download: no download client"
				   " is set up");
	if (!name)
		return client_fail(err, -EINVAL, "download: unknown client"
				   " \"%s\"", c->client);
	if (!download_accepts(c, r))
		return client_fail(err, -EINVAL, "%s: cannot take this"
				   " release", name);
	if (cancel && __atomic_load_n(cancel, __ATOMIC_RELAXED)) {
		strbuf_addf(err, "%s: cancelled", name);
		return -ECANCELED;
	}
	if (!k)
		return prowlarr_send(c, r, cancel, err);
	ret = may_ask(k, c, err);
	if (ret)
		return ret;
	ret = send_links(c, k, r, cancel, id, err);
	if (ret == -EACCES && k->url && c->session)
		remember_refusal(c->session, err);
	return ret;
}

/* ret, what asking c gave, its refusal of the credentials remembered. */
static int asked(const struct download_client *c, int ret,
		 struct strbuf *err)
{
	if (ret == -EACCES && c->session)
		remember_refusal(c->session, err);
	return ret;
}

int download_list(const struct download_client *c, const char *const *ids,
		  size_t nr, json_t **out, struct strbuf *err)
{
	const struct client_kind *k = find_kind(c);
	int ret;

	*out = NULL;
	ret = may_call(k, k && k->list, c, err);
	return ret ? ret : asked(c, k->list(c, ids, nr, out, err), err);
}

int download_files(const struct download_client *c, json_t *obj,
		   json_t **out, struct strbuf *err)
{
	const struct client_kind *k = find_kind(c);
	int ret;

	*out = NULL;
	strbuf_reset(err);
	if (!k || !k->files)
		return -EOPNOTSUPP;
	if (!obj) {
		strbuf_addstr(err, "the client lists the download no more");
		return -ENOENT;
	}
	ret = may_ask(k, c, err);
	return ret ? ret : asked(c, k->files(c, obj, out, err), err);
}

int download_version(const struct download_client *c, struct strbuf *out,
		     struct strbuf *err)
{
	const struct client_kind *k = find_kind(c);
	int ret;

	ret = may_call(k, k != NULL, c, err);
	return ret ? ret : asked(c, k->version(c, out, err), err);
}

int download_home(const struct download_client *c, struct strbuf *out,
		  struct strbuf *err)
{
	const struct client_kind *k = find_kind(c);
	int ret;

	ret = may_call(k, k && k->home, c, err);
	return ret ? ret : asked(c, k->home(c, out, err), err);
}

int download_release_fault(int ret)
{
	return ret == -EPROTO || ret == -ENOLINK || ret == -EIDRM ||
	       ret == -ESTALE;
}
