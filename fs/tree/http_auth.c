/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The HTTP listener's accounts (http_auth.h): the htpasswd file read
 * once at start, bcrypt checks of the passwords, each account's local
 * user and groups as the user database says now, and the count of
 * wrong passwords per address (an
 * IPv6 /64's as one) or per local user, as the listener names who
 * asks. It answers no request and never logs a password or a hash.
 */
#include "fs/tree/http_auth.h"

#include <arpa/inet.h>
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/config_table.h"
#include "common/hash.h"
#include "common/log.h"
#include "fs/tree/caller.h"
#include "fs/tree/http_verified.h"
#include "fs/tree/user_db.h"

#define SLOTS 1024		/* addresses whose failures are counted */
#define ADDR_MAX 64

/* The accounts of one reading of the file; a reload's replaces the
 * current, the older stay until http_auth_free(): requests may hold
 * theirs. */
struct accounts {
	struct http_account *v;
	size_t n;
	char decoy[64];		/* a hash of the costliest account's cost */
	struct accounts *older;
};

static struct {
	pthread_mutex_t lock;
	struct accounts *now;
} sets = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Guards each account's identity (uid, gid, groups, id_*, gone). */
static pthread_mutex_t ids_lock = PTHREAD_MUTEX_INITIALIZER;

/* The failures of one address in its window. */
struct failures {
	char addr[ADDR_MAX];
	double since;
	int count;
	int logged;
};

static struct {
	pthread_mutex_t lock;
	struct failures slot[SLOTS];
} fails = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* The cost of a file with no account (htpasswd -B's). */
#define COST_LEAST 5

/* Whether hash is "$2y$NN$..." (or $2b$, $2a$), NN its cost. */
static int is_bcrypt(const char *hash)
{
	return (!strncmp(hash, "$2y$", 4) || !strncmp(hash, "$2b$", 4) ||
		!strncmp(hash, "$2a$", 4)) &&
	       hash[4] >= '0' && hash[4] <= '9' && hash[5] >= '0' &&
	       hash[5] <= '9' && hash[6] == '$';
}

/* The local user and groups of a, by its name: 0 or -ENOENT. */
static int local_user(struct http_account *a)
{
	struct passwd pw, *found = NULL;
	char buf[4096];
	int n = HTTP_AUTH_GROUPS;

	if (getpwnam_r(a->name, &pw, buf, sizeof(buf), &found) || !found)
		return -ENOENT;
	a->uid = pw.pw_uid;
	a->gid = pw.pw_gid;
	/* a user in more groups keeps the first HTTP_AUTH_GROUPS: fewer
	 * rights, never more */
	if (getgrouplist(a->name, a->gid, a->groups, &n) < 0)
		n = HTTP_AUTH_GROUPS;
	a->ngroups = n;
	return 0;
}

/*
 * a's identity read again when the user database changed since or its
 * reading is HTTP_VERIFIED_S old: 0, or -ENOENT when its user is no
 * more (logged when it goes). The accounts are this file's: a request's
 * const pointer is one of them.
 */
static int fresh(const struct http_account *account)
{
	struct http_account *a = (struct http_account *)account;
	struct http_account now = { .name = a->name };
	uint64_t stamp = user_db_stamp();
	double at = clock_mono();
	int rc, was_gone;

	pthread_mutex_lock(&ids_lock);
	rc = a->id_seen == stamp && at - a->id_at < HTTP_VERIFIED_S ?
		(a->gone ? -ENOENT : 0) : 1;
	pthread_mutex_unlock(&ids_lock);
	if (rc <= 0)
		return rc;
	rc = local_user(&now);
	pthread_mutex_lock(&ids_lock);
	was_gone = a->gone;
	a->gone = rc < 0;
	a->id_at = at;
	a->id_seen = stamp;
	if (!rc) {
		a->uid = now.uid;
		a->gid = now.gid;
		a->ngroups = now.ngroups;
		memcpy(a->groups, now.groups,
		       (size_t)now.ngroups * sizeof(*now.groups));
	}
	pthread_mutex_unlock(&ids_lock);
	if (rc && !was_gone)
		log_warn("http: %s is no local user any more: its requests"
			 " are refused", a->name);
	else if (!rc && was_gone)
		log_info("http: %s is a local user again", a->name);
	return rc;
}

void http_auth_begin(const struct http_account *a)
{
	gid_t groups[HTTP_AUTH_GROUPS];
	uid_t uid;
	gid_t gid;
	int n;

	pthread_mutex_lock(&ids_lock);
	uid = a->uid;
	gid = a->gid;
	n = a->ngroups;
	memcpy(groups, a->groups, (size_t)n * sizeof(*groups));
	pthread_mutex_unlock(&ids_lock);
	caller_begin_user(uid, gid, groups, n);
}

/* Add the account of one line, name:hash, at line number at. */
static int add_line(struct accounts *accounts, char *line,
		    const char *path, int at)
{
	struct http_account *grown, a = { 0 };
	char *colon = strchr(line, ':');

	if (!*line || *line == '#')
		return 0;
	if (!colon || colon == line) {
		log_warn("http: %s line %d is not NAME:HASH; left out", path,
			 at);
		return 0;
	}
	*colon = '\0';
	if (!is_bcrypt(colon + 1)) {
		log_warn("http: %s: %s's password is not bcrypt (write it"
			 " with htpasswd -B); left out", path, line);
		return 0;
	}
	a.name = strdup(line);
	a.hash = strdup(colon + 1);
	grown = realloc(accounts->v, (accounts->n + 1) * sizeof(*grown));
	if (!a.name || !a.hash || !grown) {
		free(a.name);
		free(a.hash);
		if (grown)
			accounts->v = grown;
		return log_error(-ENOMEM, "http: no memory for the accounts");
	}
	accounts->v = grown;
	a.id_at = clock_mono();
	a.id_seen = user_db_stamp();
	if (local_user(&a)) {
		log_warn("http: %s: %s is no local user; left out", path,
			 a.name);
		free(a.name);
		free(a.hash);
		return 0;
	}
	accounts->v[accounts->n++] = a;
	return 0;
}

static void free_accounts(struct accounts *accounts)
{
	while (accounts) {
		struct accounts *older = accounts->older;

		for (size_t i = 0; i < accounts->n; i++) {
			free(accounts->v[i].name);
			free(accounts->v[i].hash);
		}
		free(accounts->v);
		free(accounts);
		accounts = older;
	}
}

/* What add_account() adds to. */
struct accounts_read {
	struct accounts *accounts;
	const char *path;
};

/* add_line() for config_read_secret_lines(). */
static int add_account(char *line, int at, void *arg)
{
	struct accounts_read *r = arg;

	return add_line(r->accounts, line, r->path, at);
}

/* The cost of the bcrypt hash ("$2y$NN$..."). */
static int cost_of(const char *hash)
{
	return (hash[4] - '0') * 10 + (hash[5] - '0');
}

/*
 * What a name no account has is checked against, so that its answer
 * takes as long as a wrong password's of the costliest account (a
 * name of a cheaper one is told apart from none by being quicker, not
 * the other way): a hash of that cost of a random salt, into
 * accounts->decoy. 0, or -EIO (logged).
 */
static int make_decoy(struct accounts *accounts, const char *path)
{
	struct crypt_data *data = calloc(1, sizeof(*data));
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	const char *hash = NULL;
	int cost = COST_LEAST;

	if (!data)
		return log_error(-ENOMEM, "http: no memory for the accounts");
	for (size_t i = 0; i < accounts->n; i++)
		if (!i || cost_of(accounts->v[i].hash) > cost)
			cost = cost_of(accounts->v[i].hash);
	if (crypt_gensalt_rn("$2b$", (unsigned long)cost, NULL, 0, setting,
			     sizeof(setting)))
		hash = crypt_r("no account's password", setting, data);
	if (!hash || *hash == '*' ||
	    strlen(hash) >= sizeof(accounts->decoy)) {
		free(data);
		return log_error(-EIO, "http: %s: cannot make a bcrypt hash"
				 " of cost %d", path, cost);
	}
	snprintf(accounts->decoy, sizeof(accounts->decoy), "%s", hash);
	free(data);
	log_info("http: %s: %zu accounts; a name that is none is checked at"
		 " cost %d, the costliest's", path, accounts->n, cost);
	return 0;
}

int http_auth_load(const char *path)
{
	struct accounts_read r = { .path = path };
	char why[CONFIG_WHY_MAX] = "";
	int rc;

	r.accounts = calloc(1, sizeof(*r.accounts));
	if (!r.accounts)
		return log_error(-ENOMEM, "http: no memory for the accounts");
	rc = config_read_secret_lines(path, add_account, &r, why,
				      sizeof(why));
	if (!rc)
		rc = make_decoy(r.accounts, path);
	if (rc) {
		free_accounts(r.accounts);
		if (why[0])
			return log_error(rc, "http: htpasswd: %s", why);
		return rc;
	}
	if (!r.accounts->n)
		log_warn("http: %s holds no account: every request is"
			 " refused", path);
	pthread_mutex_lock(&sets.lock);
	r.accounts->older = sets.now;
	sets.now = r.accounts;
	pthread_mutex_unlock(&sets.lock);
	return 0;
}

void http_auth_free(void)
{
	pthread_mutex_lock(&sets.lock);
	free_accounts(sets.now);
	sets.now = NULL;
	pthread_mutex_unlock(&sets.lock);
}

/*
 * The failures of addr are counted with those of every address its
 * holder may as well use, into key (ADDR_MAX bytes): one host has an
 * IPv6 /64, and a connection of this machine's whose user was not found
 * may come from any of 127.0.0.0/8. An IPv4 address mapped into IPv6 is
 * the IPv4 one; what is no address ("user NAME") is its own key.
 */
static void hold_key(const char *addr, char *key)
{
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
	unsigned char b[16];
	char text[INET6_ADDRSTRLEN];
	int family = AF_INET;

	if (inet_pton(AF_INET6, addr, b) == 1) {
		if (memcmp(b, mapped, 12)) {
			memset(b + 8, 0, 8);
			family = AF_INET6;
		} else {
			memmove(b, b + 12, 4);
		}
	} else if (inet_pton(AF_INET, addr, b) != 1) {
		snprintf(key, ADDR_MAX, "%s", addr);
		return;
	}
	if (family == AF_INET && b[0] == 127)
		memset(b + 1, 0, 3);
	inet_ntop(family, b, text, sizeof(text));
	snprintf(key, ADDR_MAX, "%s%s", text, family == AF_INET6 ? "/64" :
		 b[0] == 127 ? "/8" : "");
}

/* The slot of addr's key, or the one to count it in (an empty or the
 * oldest one of its neighbours); fails.lock held. */
static struct failures *slot_of(const char *addr, double now)
{
	char key[ADDR_MAX];
	uint64_t h;
	struct failures *oldest = NULL;

	hold_key(addr, key);
	addr = key;
	h = hash_end(hash_add_bytes(HASH_INIT, addr, strlen(addr)));

	for (size_t i = 0; i < 8; i++) {
		struct failures *f = &fails.slot[(h + i) % SLOTS];

		if (!strcmp(f->addr, addr))
			return f;
		if (!oldest || f->since < oldest->since)
			oldest = f;
	}
	snprintf(oldest->addr, sizeof(oldest->addr), "%s", addr);
	oldest->since = now;
	oldest->count = 0;
	oldest->logged = 0;
	return oldest;
}

int http_auth_held(const char *addr)
{
	double now = clock_mono(), left = 0;
	struct failures *f;

	pthread_mutex_lock(&fails.lock);
	f = slot_of(addr, now);
	if (now - f->since >= HTTP_AUTH_WINDOW_S) {
		f->since = now;
		f->count = 0;
		f->logged = 0;
	} else if (f->count > HTTP_AUTH_FAILS) {
		left = HTTP_AUTH_WINDOW_S - (now - f->since);
	}
	pthread_mutex_unlock(&fails.lock);
	return left > 0 ? (int)left + 1 : 0;
}

static void count_failure(const char *addr, const char *via)
{
	double now = clock_mono();
	struct failures *f;
	int log_it = 0;

	pthread_mutex_lock(&fails.lock);
	f = slot_of(addr, now);
	if (++f->count > HTTP_AUTH_FAILS && !f->logged)
		log_it = f->logged = 1;
	pthread_mutex_unlock(&fails.lock);
	if (log_it)
		log_warn("http: more than %d wrong passwords from %s%s%s%s in"
			 " %d s: its requests are refused until then",
			 HTTP_AUTH_FAILS, addr, via ? " (" : "", via ? via : "",
			 via ? ")" : "", HTTP_AUTH_WINDOW_S);
}

/* Whether password's bcrypt with hash's salt is hash, in a time that
 * does not tell how much of it matched. */
static int same_hash(const char *password, const char *hash)
{
	struct crypt_data *data = calloc(1, sizeof(*data));
	const char *got;
	size_t len = strlen(hash);
	unsigned char diff = 0;

	if (!data)
		return 0;
	got = crypt_r(password, hash, data);
	if (!got || strlen(got) != len) {
		free(data);
		return 0;
	}
	for (size_t i = 0; i < len; i++)
		diff |= (unsigned char)(got[i] ^ hash[i]);
	free(data);
	return !diff;
}

/* The account name of the accounts in use, or NULL; their decoy in
 * *decoy (NULL when none are). */
static const struct http_account *find(const char *name,
				       const char **decoy)
{
	const struct http_account *a = NULL;
	struct accounts *accounts;

	pthread_mutex_lock(&sets.lock);
	accounts = sets.now;
	pthread_mutex_unlock(&sets.lock);
	*decoy = accounts ? accounts->decoy : NULL;
	for (size_t i = 0; name && accounts && i < accounts->n; i++)
		if (!strcmp(accounts->v[i].name, name))
			a = &accounts->v[i];
	return a;
}

const struct http_account *http_auth_check(const char *name,
					   const char *password,
					   const char *addr,
					   const char *via)
{
	const char *decoy;
	const struct http_account *a = find(name, &decoy);

	if (password && a && http_verified_known(a, name, password))
		return fresh(a) ? NULL : a;
	if (password && (a || decoy) &&
	    same_hash(password, a ? a->hash : decoy) && a) {
		http_verified_add(a, name, password);
		return fresh(a) ? NULL : a;
	}
	count_failure(addr, via);
	return NULL;
}

const struct http_account *http_auth_named(const char *name,
					   const char *addr,
					   const char *via)
{
	const char *decoy;
	const struct http_account *a = find(name, &decoy);

	if (!a)
		count_failure(addr, via);
	return a && !fresh(a) ? a : NULL;
}
