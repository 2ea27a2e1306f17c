#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "common/http.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/utf8.h"
#include "indexer/monitor/download.h"
#include "indexer/monitor/prowlarr.h"

/* qBittorrent answers a few words; anything bigger is not its answer. */
#define QBIT_MAX_BODY (64u << 10)

enum link_kind { LINK_NONE, LINK_MAGNET, LINK_WEB, LINK_OTHER };

/* What a link is decides who can open it and how it is written down. */
static enum link_kind link_kind(const char *s)
{
	if (!s || !*s)
		return LINK_NONE;
	if (!strncasecmp(s, "magnet:", 7))
		return LINK_MAGNET;
	if (!strncasecmp(s, "http://", 7) || !strncasecmp(s, "https://", 8))
		return LINK_WEB;
	return LINK_OTHER;
}

/*
 * Set err to the text of a failure decided here and log it, once; the
 * text is built without secrets, so the two can be the same.
 */
static int fail(struct strbuf *err, int ret, const char *fmt, ...)
{
	va_list ap;

	strbuf_reset(err);
	va_start(ap, fmt);
	strbuf_vaddf(err, fmt, ap);
	va_end(ap);
	return log_error(ret, "%s", err->buf);
}

/* Overwrite a secret before its memory is freed or reused. */
static void wipe(char *s)
{
	if (s)
		memset(s, 0, strlen(s));
}

/* The link qBittorrent gets: one it can open by itself. */
static const char *qbit_link(const struct download_release *r)
{
	enum link_kind k = link_kind(r->link);

	if (k == LINK_MAGNET || k == LINK_WEB)
		return r->link;
	if (link_kind(r->magnet) == LINK_MAGNET)
		return r->magnet;
	return NULL;
}

/* qBittorrent opens magnets and fetches web links itself: no other. */
static int qbit_accepts(const struct download_release *r)
{
	return qbit_link(r) != NULL;
}

/* Prowlarr grabs only what its own search found, named by guid. */
static int prowlarr_accepts(const struct download_release *r)
{
	return r->source && !strcmp(r->source, "prowlarr") && r->guid &&
	       *r->guid && r->indexer_id > 0;
}

/* A folder holds any link, written down for the client to open. */
static int blackhole_accepts(const struct download_release *r)
{
	return r->title && (link_kind(r->link) != LINK_NONE ||
			    link_kind(r->magnet) == LINK_MAGNET);
}

/*
 * POST the form to qBittorrent at path, with the session's cookie and the
 * Referer its CSRF check wants. On a transport failure err gets
 * http_perform()'s text, which it has logged.
 */
static int qbit_post(const struct download_client *c,
		     const struct download_session *s, const char *path,
		     const char *form, struct http_response *resp,
		     struct strbuf *err)
{
	struct strbuf url = STRBUF_INIT, referer = STRBUF_INIT;
	struct strbuf cookie = STRBUF_INIT;
	const char *headers[3] = { NULL };
	struct http_request req = {
		.method = "POST",
		.headers = headers,
		.body = form,
		.body_len = strlen(form),
		.content_type = "application/x-www-form-urlencoded",
		.timeout_ms = c->timeout_ms,
		.max_body = QBIT_MAX_BODY,
	};
	int ret;

	http_join(&url, c->url, path);
	strbuf_addstr(&referer, "Referer: ");
	http_join(&referer, c->url, "/");
	headers[0] = referer.buf;
	if (s->cookie[0]) {
		strbuf_addf(&cookie, "Cookie: %s", s->cookie);
		headers[1] = cookie.buf;
	}
	req.url = url.buf;
	ret = http_perform(&req, resp);
	wipe(cookie.buf);
	strbuf_release(&cookie);
	strbuf_release(&referer);
	strbuf_release(&url);
	if (ret < 0)
		strbuf_addf(err, "qbittorrent: %s", resp->error);
	else
		strbuf_rtrim(&resp->body);
	return ret;
}

/* Forget the session's cookie, which qBittorrent no longer knows. */
static void qbit_forget(struct download_session *s)
{
	memset(s->cookie, 0, sizeof(s->cookie));
	s->logged_in = 0;
}

/* Say why the login was refused: the same words the first time and after. */
static void add_refusal(const struct download_session *s, struct strbuf *err)
{
	strbuf_addstr(err, "qbittorrent: login refused (");
	if (s->refused == 401)
		strbuf_addstr(err, "HTTP 401");
	else
		strbuf_addstr(err, "Fails.");
	strbuf_addstr(err, "): check the user name and password");
}

/*
 * Log in and keep the session cookie. A wrong user name or password is
 * remembered, so that no later send asks again and gets the address
 * banned; a ban is not, as it lifts by itself.
 */
static int qbit_login(const struct download_client *c,
		      struct download_session *s, struct strbuf *err)
{
	struct strbuf form = STRBUF_INIT;
	struct http_response resp;
	int ret;

	qbit_forget(s);
	strbuf_addstr(&form, "username=");
	http_escape(c->username ? c->username : "", 1, &form);
	strbuf_addstr(&form, "&password=");
	http_escape(c->password ? c->password : "", 1, &form);
	ret = qbit_post(c, s, "/api/v2/auth/login", form.buf, &resp, err);
	wipe(form.buf);
	strbuf_release(&form);
	if (ret < 0)
		return ret;

	/* Up to API 2.13 a wrong login is 200 "Fails.", then 401. */
	if (resp.status == 403) {
		ret = fail(err, -EACCES, "qbittorrent: login refused: this "
			   "address is banned after too many failed logins "
			   "(HTTP 403)");
	} else if ((resp.status == 200 && !strcmp(resp.body.buf, "Fails.")) ||
		   resp.status == 401) {
		s->refused = resp.status;
		add_refusal(s, err);
		ret = log_error(-EACCES, "%s", err->buf);
	} else if (resp.status >= 500) {
		ret = fail(err, -EIO, "qbittorrent: login: HTTP %ld",
			   resp.status);
	} else if (!(resp.status == 200 && !strcmp(resp.body.buf, "Ok.")) &&
		   resp.status != 204) {
		ret = fail(err, -EPROTO, "qbittorrent: login: unexpected "
			   "answer (HTTP %ld)", resp.status);
	} else if (resp.cookies &&
		   strlen(resp.cookies) >= sizeof(s->cookie)) {
		ret = fail(err, -EPROTO, "qbittorrent: login: the session "
			   "cookie is too long");
	} else {
		/* No cookie: qBittorrent lets this address in without one. */
		snprintf(s->cookie, sizeof(s->cookie), "%s",
			 resp.cookies ? resp.cookies : "");
		s->logged_in = 1;
		log_debug("qbittorrent: logged in");
	}
	wipe(resp.cookies);
	http_response_release(&resp);
	return ret;
}

/*
 * Whether an add answer says the torrent was taken: "Ok." up to API 2.13;
 * since 2.14 nothing (204) or a summary counting the torrents added and
 * those still pending (200, 202).
 */
static int add_taken(const struct http_response *resp)
{
	json_int_t taken = 0;
	json_t *doc;

	if (resp->status == 204)
		return 1;
	if (resp->status != 200 && resp->status != 202)
		return 0;
	if (!strcmp(resp->body.buf, "Ok."))
		return 1;
	doc = json_loadb(resp->body.buf, resp->body.len, 0, NULL);
	if (json_is_object(doc))
		taken = json_integer_value(json_object_get(doc,
							   "success_count")) +
			json_integer_value(json_object_get(doc,
							   "pending_count"));
	json_decref(doc);
	return taken > 0;
}

/*
 * Add link, in the category if one is set. Sets *expired, with -EACCES,
 * when qBittorrent no longer knows the session: the caller logs in again
 * and decides.
 */
static int qbit_add(const struct download_client *c,
		    struct download_session *s, const char *link,
		    int *expired, struct strbuf *err)
{
	struct strbuf form = STRBUF_INIT;
	struct http_response resp;
	int ret;

	*expired = 0;
	strbuf_addstr(&form, "urls=");
	http_escape(link, 1, &form);
	if (c->category && *c->category) {
		strbuf_addstr(&form, "&category=");
		http_escape(c->category, 1, &form);
	}
	ret = qbit_post(c, s, "/api/v2/torrents/add", form.buf, &resp, err);
	strbuf_release(&form);
	if (ret < 0)
		return ret;

	if (add_taken(&resp)) {
		log_info("qbittorrent: torrent added");
	} else if (resp.status == 403) {
		*expired = 1;
		ret = -EACCES;
	} else if (resp.status == 200 && !strcmp(resp.body.buf, "Fails.")) {
		ret = fail(err, -EPROTO, "qbittorrent: the torrent was "
			   "refused (Fails.)");
	} else if (resp.status == 200 || resp.status == 202 ||
		   resp.status == 409 || resp.status == 415) {
		ret = fail(err, -EPROTO, "qbittorrent: the torrent was "
			   "refused (HTTP %ld)", resp.status);
	} else if (resp.status >= 500) {
		ret = fail(err, -EIO, "qbittorrent: add: HTTP %ld",
			   resp.status);
	} else {
		ret = fail(err, -EPROTO, "qbittorrent: add: unexpected answer "
			   "(HTTP %ld)", resp.status);
	}
	http_response_release(&resp);
	return ret;
}

/*
 * Add r, logging in first when the session has none, and once more when
 * qBittorrent forgot the session since.
 */
static int qbit_send(const struct download_client *c,
		     const struct download_release *r, const int *cancel,
		     struct strbuf *err)
{
	struct download_session local = { 0 };
	struct download_session *s = c->session ? c->session : &local;
	int ret = 0, fresh = 0, expired = 0;

	(void)cancel;
	if (!c->url || !*c->url)
		return fail(err, -EINVAL, "qbittorrent: no url set");
	if (s->refused) {
		add_refusal(s, err);
		return -EACCES;
	}
	if (!s->logged_in) {
		ret = qbit_login(c, s, err);
		fresh = 1;
	}
	if (!ret)
		ret = qbit_add(c, s, qbit_link(r), &expired, err);
	if (expired && !fresh) {
		log_info("qbittorrent: the session expired, logging in again");
		expired = 0;
		ret = qbit_login(c, s, err);
		if (!ret)
			ret = qbit_add(c, s, qbit_link(r), &expired, err);
	}
	if (expired) {
		qbit_forget(s);
		ret = fail(err, -EACCES, "qbittorrent: the add was refused "
			   "(HTTP 403) just after a login");
	}
	qbit_forget(&local);
	return ret;
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
		return fail(err, -EINVAL, "prowlarr: not set up");
	ret = prowlarr_grab(c->prowlarr, &pr, cancel);
	switch (ret) {
	case 0:
		break;
	case -ENOENT:
		strbuf_addstr(err, "prowlarr: the release is no longer known "
			      "(the search is over 30 minutes old)");
		break;
	case -EACCES:
		strbuf_addstr(err, "prowlarr: the API key was refused");
		break;
	case -EAGAIN:
		strbuf_addstr(err, "prowlarr: rate limited");
		break;
	default:
		strbuf_addf(err, "prowlarr: grab failed: %s", strerror(-ret));
	}
	return ret;
}

/*
 * The release title as a file name any client and file manager can
 * handle; see download.h for the rules.
 */
static void safe_name(const char *title, struct strbuf *out)
{
	const unsigned char *s = (const unsigned char *)title;
	size_t len = strlen(title), i = 0, k;
	unsigned int cp;

	while (i < len && (s[i] == '.' || s[i] == ' '))
		i++;
	for (; i < len; i += k) {
		const char *piece = (const char *)s + i;
		size_t n;

		k = utf8_decode(s + i, len - i, &cp);
		if (!k) {
			k = 1;
			piece = "_";
		} else if (cp == '/') {
			piece = "\xe2\x88\x95";
		} else if (cp < 0x20 || cp == 0x7f ||
			   (cp >= 0x80 && cp < 0xa0)) {
			piece = "_";
		}
		n = piece == (const char *)s + i ? k : strlen(piece);
		if (out->len + n > DOWNLOAD_NAME_MAX)
			break;
		strbuf_add(out, piece, n);
	}
	strbuf_rtrim(out);
	if (!out->len)
		strbuf_addstr(out, "release");
}

/* A failed file operation as an errno value, for err and the caller. */
static int file_error(int e)
{
	if (e == EACCES || e == EPERM || e == EROFS)
		return -EACCES;
	if (e == ENOENT || e == ENOTDIR)
		return -ENOENT;
	return e == ENOMEM ? -ENOMEM : -EIO;
}

/* Write all of data to fd, through short writes and signals. */
static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		data += n;
		len -= n;
	}
	return 0;
}

/*
 * Move tmp to NAME.ext, or "NAME (N).ext" when taken, never replacing a
 * file. A file system without RENAME_NOREPLACE gets a look first, which
 * a second writer could race; nothing else writes these names.
 */
static int place(const char *tmp, const char *dir, const char *name,
		 const char *ext, struct strbuf *final)
{
	for (int n = 1; n < 1000; n++) {
		int rc;

		strbuf_reset(final);
		strbuf_addf(final, "%s/%s", dir, name);
		if (n > 1)
			strbuf_addf(final, " (%d)", n);
		strbuf_addstr(final, ext);
		rc = renameat2(AT_FDCWD, tmp, AT_FDCWD, final->buf,
			       RENAME_NOREPLACE);
		if (rc && (errno == EINVAL || errno == ENOSYS)) {
			if (!access(final->buf, F_OK))
				continue;
			rc = rename(tmp, final->buf);
		}
		if (!rc)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

/*
 * Write data as NAME.ext in the folder: under a temporary name, synced,
 * then renamed, so a watching client never opens half a file. No
 * temporary file stays behind, whatever fails.
 */
static int write_atomic(const char *dir, int dfd, const char *name,
			const char *ext, const char *data, size_t len,
			struct strbuf *err)
{
	struct strbuf tmp = STRBUF_INIT, final = STRBUF_INIT;
	int fd, ret = 0;

	strbuf_addf(&tmp, "%s/%s.tmp-XXXXXX", dir, name);
	fd = mkostemp(tmp.buf, O_CLOEXEC);
	if (fd < 0) {
		ret = fail(err, file_error(errno), "blackhole: cannot write "
			   "in %s: %s", dir, strerror(errno));
		goto out;
	}
	/* mkostemp() makes it 0600; the client often runs as another user. */
	if (fchmod(fd, 0644) || write_all(fd, data, len) || fsync(fd)) {
		ret = fail(err, file_error(errno), "blackhole: cannot write "
			   "%s: %s", tmp.buf, strerror(errno));
		close(fd);
		goto fail;
	}
	if (close(fd)) {
		ret = fail(err, file_error(errno), "blackhole: cannot write "
			   "%s: %s", tmp.buf, strerror(errno));
		goto fail;
	}
	if (place(tmp.buf, dir, name, ext, &final)) {
		ret = fail(err, file_error(errno), "blackhole: cannot name "
			   "%s%s in %s: %s", name, ext, dir, strerror(errno));
		goto fail;
	}
	/* The rename itself must survive a crash, as the file does. */
	fsync(dfd);
	log_info("blackhole: wrote %s", final.buf);
	goto out;
fail:
	unlink(tmp.buf);
out:
	strbuf_release(&tmp);
	strbuf_release(&final);
	return ret;
}

/*
 * Fetch a Prowlarr release's download URL: a torrent, or a redirect to a
 * magnet link, which is written down and never followed.
 */
static int fetch_torrent(const struct download_client *c, const char *url,
			 struct strbuf *data, const char **ext,
			 struct strbuf *err)
{
	struct http_request req = {
		.url = url,
		.timeout_ms = c->timeout_ms,
		.max_body = DOWNLOAD_TORRENT_MAX,
		.follow_redirects = 1,
	};
	struct http_response resp;
	int ret = http_perform(&req, &resp);

	if (ret < 0) {
		strbuf_addf(err, "blackhole: %s", resp.error);
		return ret;
	}
	if (resp.location && link_kind(resp.location) == LINK_MAGNET) {
		strbuf_addstr(data, resp.location);
		strbuf_addch(data, '\n');
		*ext = ".magnet";
	} else if (resp.status == 200 && resp.body.len &&
		   resp.body.buf[0] == 'd') {
		strbuf_add(data, resp.body.buf, resp.body.len);
		*ext = ".torrent";
	} else if (resp.status >= 500) {
		ret = fail(err, -EIO, "blackhole: the download URL answered "
			   "HTTP %ld", resp.status);
	} else if (resp.status == 200) {
		ret = fail(err, -EPROTO, "blackhole: the download URL gave "
			   "neither a torrent nor a magnet link");
	} else {
		ret = fail(err, -EPROTO, "blackhole: the download URL "
			   "answered HTTP %ld", resp.status);
	}
	http_response_release(&resp);
	return ret;
}

/* Whether s holds a control character, which would break its line. */
static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/*
 * Decide what file r becomes, and fetch a torrent only once the folder
 * is known to be there.
 */
static int blackhole_send(const struct download_client *c,
			  const struct download_release *r, const int *cancel,
			  struct strbuf *err)
{
	const char *dir = c->blackhole_dir, *ext = NULL, *link = r->link;
	struct strbuf data = STRBUF_INIT, name = STRBUF_INIT;
	enum link_kind kind = link_kind(link);
	int dfd, ret = 0;

	(void)cancel;
	if (!dir || !*dir)
		return fail(err, -EINVAL, "blackhole: no folder set");
	if (kind == LINK_NONE) {
		link = r->magnet;
		kind = LINK_MAGNET;
	}
	if (has_control(link))
		return fail(err, -EINVAL, "blackhole: the link holds control "
			    "characters");
	/* Before any download, so that a missing folder costs nothing. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return fail(err, file_error(errno), "blackhole: cannot open "
			    "the folder %s: %s", dir, strerror(errno));

	if (kind == LINK_WEB && r->source && !strcmp(r->source, "prowlarr")) {
		ret = fetch_torrent(c, link, &data, &ext, err);
	} else {
		strbuf_addstr(&data, link);
		strbuf_addch(&data, '\n');
		ext = kind == LINK_MAGNET ? ".magnet" : ".link";
	}
	if (!ret) {
		safe_name(r->title, &name);
		ret = write_atomic(dir, dfd, name.buf, ext, data.buf, data.len,
				   err);
	}
	close(dfd);
	strbuf_release(&data);
	strbuf_release(&name);
	return ret;
}

static const struct kind {
	const char *name;
	int (*accepts)(const struct download_release *r);
	int (*send)(const struct download_client *c,
		    const struct download_release *r, const int *cancel,
		    struct strbuf *err);
} kinds[] = {
	{ "qbittorrent", qbit_accepts, qbit_send },
	{ "prowlarr", prowlarr_accepts, prowlarr_send },
	{ "blackhole", blackhole_accepts, blackhole_send },
};

/* The client c names, or NULL for "none" and for a name not known. */
static const struct kind *find_kind(const struct download_client *c)
{
	if (!c || !c->client)
		return NULL;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(c->client, kinds[i].name))
			return &kinds[i];
	return NULL;
}

int download_accepts(const struct download_client *c,
		     const struct download_release *r)
{
	const struct kind *k = find_kind(c);

	return k && r && k->accepts(r);
}

int download_send(const struct download_client *c,
		  const struct download_release *r, const int *cancel,
		  struct strbuf *err)
{
	const struct kind *k = find_kind(c);

	strbuf_reset(err);
	if (!k && (!c || !c->client || !strcmp(c->client, "none")))
		return fail(err, -EINVAL, "download: no download client is "
			    "set up");
	if (!k)
		return fail(err, -EINVAL, "download: unknown client \"%s\"",
			    c->client);
	if (!r || !k->accepts(r))
		return fail(err, -EINVAL, "%s: cannot take this release",
			    k->name);
	if (cancel && *cancel) {
		strbuf_addf(err, "%s: cancelled", k->name);
		return -ECANCELED;
	}
	return k->send(c, r, cancel, err);
}
