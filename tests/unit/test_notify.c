#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fake.h"
#include <jansson.h>

#include "common/http.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/notify.h"

#define TOKEN "hOOkTOKEN-secret_123"

static struct fake fake;
static char url[128];

/* Debug logging on, so a successful request is logged too: the token
 * must stay out of that line as well. */
static int start_fake(void **state)
{
	(void)state;
	if (fake_start("webhook_fake.py", &fake))
		return -1;
	snprintf(url, sizeof(url),
		 "http://127.0.0.1:%d/api/webhooks/42/" TOKEN, fake.port);
	log_set_stderr(0);
	log_set_level(LOG_DEBUG);
	return http_init();
}

/* Closing its stdin ends the fake. */
static int stop_fake(void **state)
{
	(void)state;
	http_cleanup();
	fake_stop(&fake);
	return 0;
}

/* Count what the webhook took, to see that refusals send nothing. */
static size_t nr_messages(void)
{
	json_t *m = fake_json(&fake, NULL, "/_messages", NULL);
	size_t n;

	assert_non_null(m);
	n = json_array_size(m);
	json_decref(m);
	return n;
}

/* Make the webhook answer status from now on. */
static void answer(int status)
{
	char body[32];
	json_t *ok;

	snprintf(body, sizeof(body), "{\"status\": %d}", status);
	ok = fake_json(&fake, "POST", "/_status", body);
	assert_non_null(ok);
	json_decref(ok);
}

static void test_message_sent(void **state)
{
	json_t *m;

	(void)state;
	answer(204);
	assert_int_equal(notify_discord(url, "2 torrents \"repaired\"\n"), 0);
	m = fake_json(&fake, NULL, "/_messages", NULL);
	assert_non_null(m);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(m, json_array_size(m) - 1), "content")),
		"2 torrents \"repaired\"\n");
	json_decref(m);
}

static void test_refusals(void **state)
{
	(void)state;
	answer(429);
	assert_int_equal(notify_discord(url, "x"), -EAGAIN);
	answer(500);
	assert_int_equal(notify_discord(url, "x"), -EIO);
	answer(204);
}

static void test_bad_messages_send_nothing(void **state)
{
	char long_text[NOTIFY_DISCORD_MAX + 2];
	size_t before = nr_messages();

	(void)state;
	memset(long_text, 'a', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	assert_int_equal(notify_discord(url, long_text), -EINVAL);
	assert_int_equal(notify_discord(url, ""), -EINVAL);
	assert_int_equal(notify_discord(NULL, "x"), -EINVAL);
	long_text[NOTIFY_DISCORD_MAX] = '\0';
	assert_int_equal(notify_discord(url, long_text), 0);
	assert_int_equal(nr_messages(), before + 1);
}

/* The token in the webhook's path never reaches the log. */
static void test_token_never_logged(void **state)
{
	struct strbuf log = STRBUF_INIT;

	(void)state;
	assert_true(notify_discord("http://127.0.0.1:1/api/webhooks/42/"
				   TOKEN, "x") < 0);
	assert_int_equal(notify_discord(url, "x"), 0);
	log_ring_dump(&log);
	assert_non_null(strstr(log.buf, "127.0.0.1:1"));
	assert_null(strstr(log.buf, TOKEN));
	strbuf_release(&log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_message_sent),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_bad_messages_send_nothing),
		cmocka_unit_test(test_token_never_logged),
	};

	return cmocka_run_group_tests(tests, start_fake, stop_fake);
}
