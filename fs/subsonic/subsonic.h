/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_H
#define MEDIAMON_SUBSONIC_H
/*
 * The OpenSubsonic API under /rest of the HTTP listener (fs/http/http.h):
 * /rest/METHOD or /rest/METHOD.view, its parameters in the query or,
 * in a POST, in an application/x-www-form-urlencoded body too (the
 * formPost extension: each parameter read from both), the account in
 * them (fs/subsonic/subsonic_auth.h), answered as API version
 * SUBSONIC_API in the subsonic-response envelope, XML or, with f=json,
 * JSON (one tree, so both say the same), with the user's rights held
 * around the answer (caller_begin_user()). A refusal is an answer of
 * status 200 with the error's code and message, as the clients expect:
 * 0 for a method not served (the spec's say "NAME is not implemented",
 * or "will not be": fs/subsonic/subsonic_methods.def) or no method of
 * the spec, 10 a missing
 * parameter, 40 a wrong password,
 * 41 a token of an account without a kept password (a failure counted
 * as a wrong password's, as 40 and 44 are), 42 an apiKey while
 * no key is kept, 43 several mechanisms at once, 44 an apiKey not kept,
 * 70 what is not there. An account with [http] max_answers_per_account
 * answers in progress (fs/subsonic/subsonic_busy.h) is refused at once with 429
 * and a Retry-After, as a client held for wrong passwords is.
 *
 * Methods: one row each in fs/subsonic/subsonic_methods.def, answered
 * by the files its help names (subsonic_music.h, subsonic_lists.h,
 * subsonic_stars.h, subsonic_system.h, subsonic_now.h, subsonic_old.h;
 * a file's bytes through fs/http/http_serve.h; stream re-encoded when
 * its format or maxBitRate ask: fs/subsonic/subsonic_transcode.h, and
 * past [http] max_transcodes refused with 503 and a Retry-After);
 * parameters come in the
 * query or, as the formPost extension has it, in a POST's form. A
 * parameter a method takes several times (star's id) is read each time.
 */
#include <microhttpd.h>

#define SUBSONIC_API "1.16.1"

/* The flags of a row of fs/subsonic/subsonic_methods.def: what a served
 * method does, or how one not served is answered. */
enum subsonic_method_flags {
	SUBSONIC_READS = 1,	/* reads the index */
	SUBSONIC_WRITES = 2,	/* writes the account's marks */
	SUBSONIC_FILE = 4,	/* answers a file's bytes */
	SUBSONIC_NOT_YET = 8,	/* not served: "not implemented" */
	SUBSONIC_NEVER = 16,	/* not served: "will not be implemented" */
};

struct config;
struct http_form;

/* Read [http] subsonic_passwords, subsonic_api_keys and
 * max_answers_per_account of cfg (at the start, and at each reload, of
 * the listener: struct http_rest's load): 0, or a negative errno value
 * (logged), and the passwords and keys read before stay. */
int subsonic_load(const struct config *cfg);

/* Answer the request for /rest/REST (rest is what follows "/rest/")
 * with method, from the client at addr (via as http_auth_check()
 * takes it), form a POST's parameters (NULL for a GET or HEAD). */
enum MHD_Result subsonic_answer(struct MHD_Connection *c, const char *rest,
				const char *method, const char *addr,
				const char *via,
				const struct http_form *form);
#endif
