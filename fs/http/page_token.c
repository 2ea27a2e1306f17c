/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The page's tokens (page_token.h): drawn key, keyed hash, comparison
 * in constant time. It knows no request, form or account.
 */
#include "fs/http/page_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

static unsigned char key[32];
static int keyed;		/* 1: drawn; -1: could not be */
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void draw(void)
{
	keyed = getrandom(key, sizeof(key), 0) == (ssize_t)sizeof(key) ?
		1 : -1;
}

int page_token_of(uid_t uid, char out[PAGE_TOKEN_LEN])
{
	unsigned char mac[32];
	unsigned int len = sizeof(mac);
	char in[32];
	int n;

	pthread_once(&once, draw);
	n = snprintf(in, sizeof(in), "page %lu", (unsigned long)uid);
	if (keyed < 0 || !HMAC(EVP_sha256(), key, sizeof(key),
			       (const unsigned char *)in, (size_t)n, mac,
			       &len))
		return -1;
	for (unsigned int i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", mac[i]);
	return 0;
}

int page_token_ok(uid_t uid, const char *token)
{
	char want[PAGE_TOKEN_LEN];

	return token && strlen(token) == PAGE_TOKEN_LEN - 1 &&
	       !page_token_of(uid, want) &&
	       !CRYPTO_memcmp(want, token, PAGE_TOKEN_LEN - 1);
}
