/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_H
#define MEDIAMON_SUBSONIC_H
/*
 * The OpenSubsonic API under /rest of the HTTP listener (fs/http/http.h):
 * /rest/METHOD or /rest/METHOD.view, its parameters in the query, the
 * account in them (fs/subsonic/subsonic_auth.h), answered as API version
 * SUBSONIC_API in the subsonic-response envelope, XML or, with f=json,
 * JSON (one tree, so both say the same), with the user's rights held
 * around the answer (caller_begin_user()). A refusal is an answer of
 * status 200 with the error's code and message, as the clients expect:
 * 0 for a method not served (the spec's say "NAME is not implemented":
 * fs/subsonic/subsonic_spec.h) or no method of the spec, 10 a missing
 * parameter, 40 a wrong password,
 * 41 a token of an account without a kept password (a failure counted
 * as a wrong password's, as 40 and 44 are), 42 an apiKey while
 * no key is kept, 43 several mechanisms at once, 44 an apiKey not kept,
 * 70 what is not there. An account with [http] max_answers_per_account
 * answers in progress (fs/subsonic/subsonic_busy.h) is refused at once with 429
 * and a Retry-After, as a client held for wrong passwords is.
 *
 * Methods: ping, getLicense, getOpenSubsonicExtensions
 * (apiKeyAuthentication while keys are kept), tokenInfo (the account's
 * name), getMusicFolders (the [music] library as folder 1), getArtists,
 * getArtist, getAlbum, getSong, getGenres (fs/subsonic/subsonic_music.h),
 * getIndexes, getAlbumList2, getRandomSongs, search3, getSimilarSongs
 * and getSimilarSongs2 (fs/subsonic/subsonic_lists.h), getCoverArt, stream and
 * download (the file as it is, with byte ranges: fs/http/http_serve.h;
 * stream re-encoded when its format or maxBitRate ask:
 * fs/subsonic/subsonic_transcode.h, and past [http] max_transcodes
 * refused with 503 and a Retry-After),
 * star, unstar, getStarred2 and scrobble (fs/subsonic/subsonic_stars.h),
 * getUser, getUsers, getScanStatus and startScan
 * (fs/subsonic/subsonic_system.h), getNowPlaying (fs/subsonic/subsonic_now.h),
 * getAlbumList, search2 and getMusicDirectory (fs/subsonic/subsonic_old.h). A
 * parameter a method takes several times (star's id) is read each
 * time.
 */
#include <microhttpd.h>

#define SUBSONIC_API "1.16.1"

struct config;

/* Read [http] subsonic_passwords, subsonic_api_keys and
 * max_answers_per_account of cfg (at the start, and at each reload, of
 * the listener: struct http_rest's load): 0, or a negative errno value
 * (logged), and the passwords and keys read before stay. */
int subsonic_load(const struct config *cfg);

/* End every stream that waits on its transcoder (their connections
 * resumed), before the listener stops: struct http_rest's quiesce. */
void subsonic_quiesce(void);

/* Answer the request for /rest/REST (rest is what follows "/rest/")
 * with method, from the client at addr (via as http_auth_check()
 * takes it). */
enum MHD_Result subsonic_answer(struct MHD_Connection *c, const char *rest,
				const char *method, const char *addr,
				const char *via);
#endif
