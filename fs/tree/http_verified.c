/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The credentials verified lately (http_verified.h): a table of keyed
 * hashes, each with its account and when it expires. It checks no
 * password itself (fs/tree/http_auth.c does) and logs nothing.
 */
#include "fs/tree/http_verified.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "common/clock.h"

struct kept {
	unsigned char mac[32];
	const struct http_account *a;
	double until;		/* clock_mono() */
};

static struct {
	pthread_mutex_t lock;
	unsigned char key[32];
	int keyed;		/* 1: key drawn; -1: could not be */
	struct kept v[HTTP_VERIFIED_MAX];
} kept = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* The keyed hash of name and password into mac: 0, or -1 without a key
 * (then nothing is kept or known). Called with the lock held. */
static int mac_of(const char *name, const char *password,
		  unsigned char mac[32])
{
	unsigned char in[512];
	size_t n = strlen(name), p = strlen(password);
	unsigned int len = 32;

	if (!kept.keyed)
		kept.keyed = getrandom(kept.key, sizeof(kept.key), 0) ==
			     (ssize_t)sizeof(kept.key) ? 1 : -1;
	if (kept.keyed < 0 || n + p + 1 > sizeof(in))
		return -1;
	/* the name's end is marked, so that "ab"+"c" is not "a"+"bc" */
	memcpy(in, name, n + 1);
	memcpy(in + n + 1, password, p);
	p = HMAC(EVP_sha256(), kept.key, sizeof(kept.key), in, n + 1 + p,
		 mac, &len) != NULL;
	OPENSSL_cleanse(in, sizeof(in));
	return p ? 0 : -1;
}

int http_verified_known(const struct http_account *a, const char *name,
			const char *password)
{
	unsigned char mac[32];
	double now = clock_mono();
	int known = 0;

	pthread_mutex_lock(&kept.lock);
	if (!mac_of(name, password, mac))
		for (size_t i = 0; !known && i < HTTP_VERIFIED_MAX; i++)
			known = kept.v[i].a == a && kept.v[i].until > now &&
				!CRYPTO_memcmp(kept.v[i].mac, mac, 32);
	pthread_mutex_unlock(&kept.lock);
	return known;
}

void http_verified_add(const struct http_account *a, const char *name,
		       const char *password)
{
	struct kept *slot = &kept.v[0];
	unsigned char mac[32];

	pthread_mutex_lock(&kept.lock);
	if (!mac_of(name, password, mac)) {
		for (size_t i = 1; i < HTTP_VERIFIED_MAX; i++)
			if (kept.v[i].until < slot->until)
				slot = &kept.v[i];
		memcpy(slot->mac, mac, sizeof(mac));
		slot->a = a;
		slot->until = clock_mono() + HTTP_VERIFIED_S;
	}
	pthread_mutex_unlock(&kept.lock);
}
