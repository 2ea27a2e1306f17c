/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_DOWNLOAD_H
#define MEDIAMON_DOWNLOAD_H

/*
 * Hand a release the monitor chose to a download client: for torrents
 * qBittorrent (its WebUI API v2), Transmission (its RPC) or aria2 (its
 * JSON-RPC), for usenet
 * SABnzbd (its API) or NZBGet (its JSON-RPC), for either Prowlarr (a
 * grab, which sends it to Prowlarr's own client) or a blackhole folder
 * that a client watches.
 *
 *	static struct download_session session;	(lives as long as c)
 *	struct download_client c = {
 *		.client = "qbittorrent",
 *		.url = "http://qbit:8080",
 *		.username = cfg->qbit_user,
 *		.password = cfg->qbit_password,
 *		.category = "manga",
 *		.session = &session,
 *	};
 *	struct download_release r = {
 *		.title = "One Piece T105",
 *		.source = "prowlarr",
 *		.protocol = "torrent",
 *		.link = release->download_url,
 *		.magnet = release->magnet_url,
 *		.guid = release->guid,
 *		.indexer_id = release->indexer_id,
 *	};
 *	struct strbuf err = STRBUF_INIT;
 *
 *	if (download_accepts(&c, &r) &&
 *	    download_send(&c, &r, &cancel, &err) < 0)
 *		health_error("%s", err.buf);
 *	strbuf_release(&err);
 *
 * Who takes what: a client takes releases of its protocol only (a
 * release's protocol is Prowlarr's; a catalog release whose link ends in
 * ".nzb" is usenet, one whose link is an ed2k link and that has no
 * magnet is ed2k, any other torrent; a Prowlarr release without one is
 * taken for a torrent, as Prowlarr answers before 1.0 and cached answers
 * may lack it). Prowlarr takes either, but only its own releases; a
 * torrent blackhole takes ed2k releases too (their link written down).
 *
 * The links of a torrent release are read here (links.h), not handed to
 * the client blindly: Prowlarr's proxy links may redirect to a magnet
 * link, which qBittorrent and Transmission do not follow, and they hold
 * Prowlarr's API key. In order: the download link (a torrent, or a
 * redirect to a magnet), the magnet link (a magnet: URI as it is, or a
 * proxy link redirecting to one), and the guid when it is a magnet: URI.
 * The first that works is sent; when none does, the first one's failure
 * is the answer. A catalog release's web link is handed on as it is. The
 * usenet clients fetch the NZB link themselves (Prowlarr's proxy
 * redirects them to the indexer); a usenet blackhole fetches it here.
 *
 * Whom: a client at an address of this machine is asked (and given its
 * credentials) only when the user listening there is root, the daemon's
 * own, save_path's owner or client_user: while the client is down, any
 * local user may listen on its port. Another user's listener is -EPERM,
 * with its user's name in err; nothing is sent to it.
 *
 * qBittorrent (WebUI API v2: the answers of qBittorrent 4.1 to 5.1, and
 * the new ones of API 2.14, qBittorrent 5.2): one login per session,
 * whose cookie (SID, or QBT_SID_PORT since 5.2) is reused for every add
 * while it works; when qBittorrent forgets it (an add answers 403), the
 * client logs in again once and retries the add once. A login
 * refused for a wrong user name or password (200 "Fails.") or a ban
 * (403) ends the send with -EACCES. Every request names qBittorrent's own
 * address as its Referer and Origin, as its CSRF protection wants; a 401
 * is that check refusing them (behind a reverse proxy whose address
 * differs), said as "qBittorrent refused the request's origin". A magnet
 * or a web link goes as `urls`, a torrent's bytes as the file `torrents`
 * (multipart), with `category` and `savepath` when set. qBittorrent
 * answers "Fails." for a torrent it has already: the torrent is looked
 * up by its info hash (the magnet's btih, the SHA-1 of a torrent's info
 * dictionary) with /api/v2/torrents/info?hashes=, and when it is there
 * it counts as taken (adopted).
 *
 * After any client refused its credentials (-EACCES: qBittorrent's
 * "Fails." or ban, Transmission's, NZBGet's or SABnzbd's 401/403), the
 * refusal is remembered in the session and every later send fails at
 * once with the same words, without asking the client: qBittorrent bans
 * an address after a few failed logins, Transmission locks its RPC
 * after 100. A reload (a new session) or download_retry() lets it be
 * asked again.
 *
 * Transmission (RPC, url "http://host:9091/transmission/rpc"):
 * torrent-add with `filename` (a magnet or a web link) or `metainfo` (the
 * torrent, base64), `labels` [category], `download-dir` (save_path) and
 * `paused` false; Transmission before 4.0 ignores `labels` in
 * torrent-add, so a torrent-set on the torrent's id sets them after. Its CSRF
 * token: the first request of a session answers 409 with an
 * X-Transmission-Session-Id header, kept in the session and sent with the
 * request again, once; Transmission changes it now and then, which costs
 * one more 409. A user name and password go as HTTP Basic credentials
 * (401 when wrong). Taken: result "success" with torrent-added or
 * torrent-duplicate (the client has it already); any other result is
 * Transmission's refusal, in its words.
 *
 * SABnzbd (url "http://host:8080"): GET /api?mode=addurl&name=LINK
 * &nzbname=TITLE&cat=CATEGORY&output=json&apikey=KEY. Taken: {"status":
 * true, "nzo_ids": [...]}; {"status": false, ...} is a refusal (a
 * duplicate, or a link it cannot read); 403 "API Key Incorrect" or "API
 * Key Required" a wrong key. The key is in the query string, which no
 * log line shows.
 *
 * NZBGet (url "http://host:6789"): POST /jsonrpc, method append with
 * (NZBFilename TITLE.nzb, Content LINK, Category, Priority 0, AddToTop
 * false, AddPaused false, DupeKey "", DupeScore 0, DupeMode "SCORE",
 * PPParameters []), user and password as HTTP Basic credentials (401
 * when wrong). Taken: a result above 0 (the queue id); 0 or less, or an
 * error object {name, code, message}, is a refusal.
 *
 * aria2 (url "http://host:6800/jsonrpc", its RPC secret the password,
 * client_aria2.c): aria2.addUri with [the magnet or web link] or
 * aria2.addTorrent with the torrent (base64), and the options {dir:
 * save_path}; every call's first parameter is "token:SECRET" when a
 * password is set. Taken: a result that is the download's gid, its id;
 * an error object "Unauthorized" (HTTP 400) is -EACCES, any other a
 * refusal, -EPROTO. A web link that answers 404 is taken, then listed
 * with status error.
 *
 * aMule (host "127.0.0.1:4712", the password of its External
 * Connections, client_amule.c and ec.h): EC_OP_ADD_LINK with the ed2k
 * link. Taken: EC_OP_NOOP, or EC_OP_FAILED ("Invalid link or already on
 * list") for a file it lists already; a link without a file hash, or
 * refused, is -EPROTO; a password refused -EACCES.
 *
 * Blackhole: the file is written under a temporary name in the folder
 * itself, synced, then renamed into place, so the watching client never
 * sees half a file; an existing file is never replaced, the new one gets
 * " (2)", " (3)"... instead. Its name is the release title made safe: '/'
 * becomes U+2215 ("∕"), control characters and bytes that are not UTF-8
 * become '_', leading dots and spaces go, and it is cut to
 * DOWNLOAD_NAME_MAX bytes on a character boundary. What it holds:
 *
 *   NAME.magnet   a magnet link and a newline
 *   NAME.torrent  the torrent a Prowlarr release's link gave
 *   NAME.nzb      the NZB a usenet release's link gave
 *   NAME.link     the web link of a catalog torrent release, and a newline
 *
 * Secrets (passwords, API keys, the session cookie and token, API keys in
 * download URLs) never appear in a log line or in err. One thread at a
 * time may use a client and its session.
 *
 * download_send() returns 0 when the client confirmed it took the
 * release (qBittorrent "Ok." or its summary, Transmission "success",
 * SABnzbd status true, NZBGet a positive id, aria2 a gid, the file in
 * place, Prowlarr
 * 200), or a negative errno value, and then sets err to a short text
 * naming the client. The errors the release itself causes, after which
 * another release may well work:
 *
 *   -EPROTO        the client refused the release ("Fails.", 409, 415, a
 *                  summary of none added, a result other than success,
 *                  status false, an id of 0 or less) or gave an answer
 *                  its API does not document
 *   -ENOLINK       none of the release's links led to something the
 *                  client takes (err says why: a redirect loop, a
 *                  redirect to another scheme, a page instead of a
 *                  torrent, a release gone from the indexer ...)
 *   -EIDRM         as -ENOLINK, and one of the links answered 404 or
 *                  410: the release is gone for good
 *   -ESTALE        Prowlarr no longer knows the release (more than 30
 *                  minutes after the search: search again)
 *
 * and those of the client, which the next release would meet too:
 *
 *   -EINVAL        the client is "none", unknown or not set up (no url, no
 *                  folder, no prowlarr), or it does not accept r
 *   -ECANCELED     *cancel became nonzero before a request was sent
 *   -EACCES        the client refused its credentials (qBittorrent's
 *                  login, or this address banned after too many failures;
 *                  Transmission's or NZBGet's user and password; SABnzbd's
 *                  or Prowlarr's API key), or qBittorrent kept refusing
 *                  the add after a fresh login; the blackhole folder is
 *                  not writable
 *   -ENOENT        the blackhole folder does not exist or is not a folder
 *   -EIO           a 5xx answer, or the blackhole file could not be
 *                  written
 *   -ENOMEM
 *   and http_perform()'s and prowlarr_grab()'s errors (-ETIMEDOUT,
 *   -ECONNREFUSED, -EFBIG, -EAGAIN, ...).
 */

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/strbuf.h"

struct config;
struct prowlarr;

#define DOWNLOAD_NAME_MAX 200		/* bytes of a blackhole file's name,
					 * before " (N)" and its extension */
#define DOWNLOAD_COOKIE_MAX 512
#define DOWNLOAD_TOKEN_MAX 256
#define DOWNLOAD_WHY_MAX 300
#define DOWNLOAD_ID_MAX 64		/* a download's id in its client */
#define DOWNLOAD_ED2K "ed2k"		/* the protocol of ed2k links */

/*
 * What a client keeps between sends: qBittorrent's login, Transmission's
 * CSRF token, and a refusal of the client's credentials. Zero it to
 * start, and to forget a session and a refusal (a reload makes a new
 * one). The cookie is a secret.
 */
struct download_session {
	char cookie[DOWNLOAD_COOKIE_MAX];	/* "SID=...", "" if none */
	int logged_in;
	int refused;			/* the client refused its credentials
					 * (-EACCES): not asked again */
	unsigned retry;			/* download_retry()'s count then */
	char why[DOWNLOAD_WHY_MAX];	/* the refusal, as err said it */
	char token[DOWNLOAD_TOKEN_MAX];	/* X-Transmission-Session-Id */
};

struct download_client {
	const char *client;		/* a name of common/
					 * download_clients.def ("qbittorrent"),
					 * "prowlarr"; "none" or NULL: none */
	const char *protocol;		/* a client of either protocol's (a
					 * blackhole): "torrent" or "usenet";
					 * NULL: torrent */
	const char *url;		/* the client's web address (aMule's
					 * HOST:PORT) */
	const char *username, *password;
	const char *api_key;		/* SABnzbd's */
	const char *category;		/* NULL or "": none */
	const char *save_path;		/* where a torrent client saves; NULL
					 * or "": the client's default */
	/* who may listen at url on this machine and be asked (with the
	 * credentials): root, the daemon's user, save_path's owner, and
	 * this user's uid when client_user is set */
	const char *client_user;
	uid_t client_uid;
	const char *blackhole_dir;
	const struct prowlarr *prowlarr;	/* for "prowlarr" */
	/* the client's session; NULL: a new one for each send */
	struct download_session *session;
	long timeout_ms;		/* per request; 0: HTTP_TIMEOUT_MS */
};

struct download_release {
	const char *title;
	const char *source;		/* "prowlarr" or "catalog" */
	const char *protocol;		/* "torrent", "usenet", NULL: unknown */
	const char *link;		/* magnet:, or an http(s) URL: the
					 * download URL of a prowlarr
					 * release, any link of a catalog one */
	const char *magnet;		/* a prowlarr release's magnet URL (a
					 * magnet: URI or a proxy link), or
					 * NULL */
	const char *guid;		/* a prowlarr release's */
	int indexer_id;			/* a prowlarr release's */
};

/*
 * The client of protocol's section of the configuration c (PROWLARR_TORRENT:
 * [download], PROWLARR_USENET: [usenet], DOWNLOAD_ED2K: [ed2k]): its name
 * ("none" when unset), address, credentials, category, folders and user,
 * into *out, whose other members (prowlarr, session, timeout_ms) are
 * zeroed for the caller to set. The strings stay c's.
 */
void download_client_of(const struct config *c, const char *protocol,
			struct download_client *out);

/*
 * The protocol r is sent as, as said above: "usenet" or "torrent"
 * (static strings).
 */
const char *download_protocol(const struct download_release *r);

/*
 * Whether client c can take release r: one of its protocol with a link
 * it can read (a magnet, or a web link; for qBittorrent and Transmission
 * also a catalog release's web link; for the usenet clients a web link),
 * Prowlarr any Prowlarr release with its guid and indexer, a blackhole of
 * its protocol anything with a title and such a link, a torrent one also
 * a catalog release's link of another scheme. Returns 1 or 0; 0 for the
 * client "none" and for an unknown one.
 */
int download_accepts(const struct download_client *c,
		     const struct download_release *r);

/*
 * Hand r to client c (what it sends is described above). cancel may be
 * NULL. id (DOWNLOAD_ID_MAX bytes, or NULL) gets the download's identity
 * in the client, by which download_list() finds it, or "" when the
 * client tells none (a blackhole, Prowlarr): qBittorrent's info hash
 * when the magnet or the torrent gives it, else the tag the add set on
 * it ("mediamon-" and 16 hexadecimal digits); Transmission's hashString;
 * NZBGet's NZBID; SABnzbd's nzo_id; aria2's gid; aMule's file hash
 * (lower-case hex, from the link). err is reset, and left empty on
 * success. Returns 0 or a negative errno value, as listed above.
 */
int download_send(const struct download_client *c,
		  const struct download_release *r, const int *cancel,
		  char *id, struct strbuf *err);

/*
 * Ask client c how the downloads of the nr ids download_send() gave
 * stand now: *out gets a JSON array (to json_decref()) of the client's
 * own objects for those it lists, in its own words (tracker.h reads
 * them): qBittorrent's torrents/info objects (by hash, and by tag for a
 * tag), Transmission's torrent-get objects (hashString, status,
 * percentDone, leftUntilDone, metadataPercentComplete, error,
 * errorString, downloadDir, name, sizeWhenDone, rateDownload, files,
 * wanted), NZBGet's
 * listgroups and history objects (NZBID, Status, Kind, FileSizeMB,
 * RemainingSizeMB, FileSizeLo/Hi, RemainingSizeLo/Hi, DestDir, FinalDir;
 * the one group DOWNLOADING with the DownloadRate of a status call),
 * SABnzbd's queue and history slots (GET /api?mode=queue and
 * mode=history with nzo_ids=ID,...: nzo_id, status, mb, mbleft, bytes,
 * storage, fail_message), aria2's tellStopped, tellWaiting and tellActive
 * objects of the gids or following them (gid, status, totalLength,
 * completedLength, downloadSpeed, errorCode, errorMessage, dir, files,
 * following, followedBy, bittorrent), aMule's files of its download
 * queue and of its shared files (client_amule_read()). Returns 0,
 * -EOPNOTSUPP for a client that lists nothing (a blackhole, Prowlarr),
 * or the errors of download_send() that are the client's (-EACCES
 * remembered as there), with err set.
 */
int download_list(const struct download_client *c, const char *const *ids,
		  size_t nr, json_t **out, struct strbuf *err);

/*
 * The files of the download obj (one of download_list()'s objects) that
 * client c downloads, as paths in the client's view (its save folder of
 * the download joined to each name: "/dl/Name/sub/file.cbz"), into *out
 * (a JSON array of strings, to json_decref()): qBittorrent's
 * torrents/files of its hash (those of a priority above 0) below its
 * save_path, Transmission's files in the object itself (those wanted)
 * below its downloadDir. Returns 0, -EOPNOTSUPP for a client that gives
 * no list (NZBGet, SABnzbd, aMule, a blackhole), -ENOENT when obj is NULL
 * (the client lists it no more), -EPROTO for an object or answer not the
 * client's, or the errors of download_list(), with err set.
 */
int download_files(const struct download_client *c, json_t *obj,
		   json_t **out, struct strbuf *err);

/*
 * Ask client c one request that changes nothing, as --check-connections
 * does: its version (qBittorrent after a login, Transmission's
 * session-get, SABnzbd's queue, which checks the key, NZBGet's version
 * method, aria2's getVersion, aMule's login), or for a blackhole
 * "folder DIR writable", appended to out. Without c->session, no
 * session is kept and no refusal remembered; with one, as
 * download_list(): a refusal stands until download_retry(), and a new
 * one is remembered (the tracker's probe of an idle client). Returns 0,
 * -EOPNOTSUPP for "none", "prowlarr" and an unknown client, or the
 * errors of download_send() that are the client's (-EACCES: its
 * credentials refused), with err set.
 */
int download_version(const struct download_client *c, struct strbuf *out,
		     struct strbuf *err);

/*
 * Ask client c where it puts a download that no save_path names: its
 * own default folder, as it sees it (before [download] path_map):
 * Transmission's download-dir (session-get), qBittorrent's default save
 * path (/api/v2/app/defaultSavePath), NZBGet's category's DestDir or
 * else its DestDir (the config method), SABnzbd's complete_dir
 * (get_config), aria2's dir (getGlobalOption), aMule's incoming
 * folder. Appended to out. Returns 0,
 * -EOPNOTSUPP for a client that tells none (a blackhole, Prowlarr,
 * "none"), or the errors of download_list(), with err set.
 */
int download_home(const struct download_client *c, struct strbuf *out,
		  struct strbuf *err);

/*
 * Whether the error ret of download_send() is the release's (another
 * release may work: -EPROTO, -ENOLINK, -EIDRM, -ESTALE) rather than the
 * client's. Returns 1 or 0.
 */
int download_release_fault(int ret);

/*
 * Let every client whose credentials were refused be asked again, at its
 * next send (the owner's "retry-client" in control/check-missing). Safe
 * from any thread.
 */
void download_retry(void);

#endif
