/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The configuration's secrets: a file that cannot be read, secrets never
 * echoed in a message, a file others may read or change refused, secrets
 * kept in files of their own or given as credentials by systemd.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/bytes.h"
#include "common/config.h"
#include "common/config_table.h"
#include "common/strbuf.h"
#include "cfgload.h"

/* A file that cannot be read has no line to name. */
static void test_unreadable_file(void **state)
{
	struct config cfg;
	char *path, *want;

	(void)state;
	path = cfgload_expand("@/missing.conf");
	config_init(&cfg);
	assert_int_equal(config_load_file(&cfg, path, CFGLOAD_ERR),
			 -ENOENT);
	assert_true(asprintf(&want, "%s: No such file or directory",
			     path) > 0);
	assert_string_equal(cfgload_err, want);
	free(want);
	free(path);

	path = cfgload_expand("@/music");
	assert_int_equal(config_load_file(&cfg, path, CFGLOAD_ERR),
			 -EISDIR);
	assert_true(asprintf(&want, "%s: Is a directory", path) > 0);
	assert_string_equal(cfgload_err, want);
	free(want);
	free(path);
	config_release(&cfg);
}

/* Error messages end up in logs, which must never hold a secret. */
static void test_secrets_not_echoed(void **state)
{
	static const struct cfgload_bad bad[] = {
		{ "[notify]\ndiscord_webhook = hunter2\n", 2,
		  "bad value for discord_webhook in [notify]: expected an "
		  "http:// or https:// URL" },
		{ "[notify]\nntfy_url = hunter2\n", 2,
		  "bad value for ntfy_url in [notify]: expected an "
		  "http:// or https:// URL" },
		{ "[notify]\nslack_webhook = hunter2\n", 2,
		  "bad value for slack_webhook in [notify]: expected an "
		  "http:// or https:// URL" },
		{ "[notify]\nntfy_token = hunter2\nntfy_token = hunter2\n", 3,
		  "ntfy_token in [notify] was already given on line 2" },
		{ "[notify]\ndiscord_webhook = https://x/hunter2\n"
		  "discord_webhook = https://x/hunter2\n", 3,
		  "discord_webhook in [notify] was already given on line 2" },
		{ "[sonarr]\napi_key = hunter2\napi_key = hunter2\n", 3,
		  "api_key in [sonarr] was already given on line 2" },
		{ "[prowlarr]\napi_key = hunter2\n\napi_key = hunter2\n", 4,
		  "api_key in [prowlarr] was already given on line 2" },
		{ "[download]\npassword = hunter2\npassword = hunter2\n", 3,
		  "password in [download] was already given on line 2" },
		{ "[realdebrid]\napi_token = hunter2\napi_token = x\n", 3,
		  "api_token in [realdebrid] was already given on line 2" },
	};

	(void)state;
	cfgload_check(bad, ARRAY_SIZE(bad));
}
/* Every user of the machine may read a file with o+r, and the members of
 * its group one with g+r: one that holds a secret is refused, naming the
 * key and the fix, never the value. */
static void test_secret_file_readable_by_others(void **state)
{
	static const char *const secrets[] = {
		"[prowlarr]\napi_key = hunter2\n",
		"[download]\npassword = hunter2\n",
		"[usenet]\napi_key = hunter2\n",
		"[usenet]\npassword = hunter2\n",
		"[realdebrid]\napi_token = hunter2\n",
		"[sonarr]\napi_key = hunter2\n",
		"[radarr]\napi_key = hunter2\n",
		"[notify]\ndiscord_webhook = https://x/hunter2\n",
		"[download]\nurl = http://admin:hunter2@127.0.0.1:8080\n",
		"[sonarr]\nurl = http://h:8989/?apikey=hunter2\n",
		"[notify]\nslack_webhook = https://x/hunter2\n",
		"[notify]\nntfy_url = https://x/hunter2\n",
		"[notify]\nntfy_token = hunter2\n",
		"[notify]\nwebhook = https://x/hunter2\n",
	};
	static const struct {
		mode_t mode;
		const char *who;
	} modes[] = {
		{ 0604, "every user can read this file" },
		{ 0640, "its group can read this file" },
		{ 0620, "others have rights on this file" },
		{ 0601, "others have rights on this file" },
	};
	struct config cfg;
	char *want;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(secrets); i++) {
		assert_int_equal(cfgload(&cfg, secrets[i]), 0);
		assert_int_equal(cfgload_reload(&cfg, 0400), 0);
		for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
			assert_int_equal(cfgload_reload(&cfg, modes[m].mode),
					 -EPERM);
			assert_null(strstr(cfgload_err, "hunter2"));
			assert_true(asprintf(&want, "%s:2: %.*s in [%.*s] is a "
				"secret, but %s (mode %04o); run chmod 600 %s",
				cfgload_path,
				(int)strcspn(strchr(secrets[i], '\n') + 1,
					     " "),
				strchr(secrets[i], '\n') + 1,
				(int)(strchr(secrets[i], ']') - secrets[i] - 1),
				secrets[i] + 1, modes[m].who, modes[m].mode,
				cfgload_path) > 0);
			assert_string_equal(cfgload_err, want);
			free(want);
		}
		config_release(&cfg);
	}
	/* no secret, or an empty one, is nothing to hide */
	assert_int_equal(cfgload(&cfg, "[prowlarr]\nurl = http://x/?q=1\n"
				 "api_key =\n"), 0);
	assert_int_equal(cfgload_reload(&cfg, 0644), 0);
	config_release(&cfg);
}

/* A file of secrets others may read, deep in folders: the refusal names
 * its path whole, in the reason and in the fix (issue 81). */
static void test_exposed_deep_path_whole(void **state)
{
	char dir[600], path[700], why[CONFIG_WHY_MAX], *want, *out = NULL;
	size_t n;
	FILE *f;

	(void)state;
	n = (size_t)snprintf(dir, sizeof(dir), "%s", cfgload_dir);
	while (n + 41 < sizeof(dir)) {
		n += (size_t)snprintf(dir + n, sizeof(dir) - n, "/%040d", 0);
		assert_int_equal(mkdir(dir, 0700), 0);
	}
	snprintf(path, sizeof(path), "%s/api_key", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("hunter2\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(config_read_secret(path, true, &out, why,
					    sizeof(why)), -EPERM);
	assert_null(out);
	assert_true(asprintf(&want, "%s holds a secret, but every user can"
			     " read this file (mode 0644); run chmod 600 %s",
			     path, path) > 0);
	assert_string_equal(why, want);
	free(want);
	assert_int_equal(unlink(path), 0);
	while (strlen(dir) > strlen(cfgload_dir)) {
		assert_int_equal(rmdir(dir), 0);
		*strrchr(dir, '/') = '\0';
	}
}

/* A file others may write changes what the daemon does: refused even
 * when it holds no secret (another user's file: just below). */
static void test_file_others_may_change(void **state)
{
	struct config cfg;
	char *want;

	(void)state;
	assert_int_equal(cfgload(&cfg, "[general]\nthreads = 2\n"), 0);
	assert_int_equal(cfgload_reload(&cfg, 0664), -EPERM);
	assert_true(asprintf(&want, "%s: its group can change this file (mode"
			     " 0664), and with it what the daemon does; run"
			     " chmod go-w %s", cfgload_path, cfgload_path) > 0);
	assert_string_equal(cfgload_err, want);
	free(want);
	assert_int_equal(cfgload_reload(&cfg, 0646), -EPERM);
	assert_non_null(strstr(cfgload_err, "every user can change this file"));
	assert_int_equal(cfgload_reload(&cfg, 0644), 0);
	config_release(&cfg);
}
/* A secret may come from a file its KEY_file line names, so the
 * configuration itself holds none: it may then be readable by all. */
static void test_secret_files(void **state)
{
	static const struct cfgload_bad bad[] = {
		{ "[realdebrid]\napi_token = x\napi_token_file = @/tok\n", 3,
		  "api_token in [realdebrid] was already given on line 2" },
		{ "[realdebrid]\napi_token_file = @/none\n", 2,
		  "api_token_file in [realdebrid]: cannot read @/none: No such "
		  "file or directory" },
		{ "[realdebrid]\napi_token_file = @/lib\n", 2,
		  "api_token_file in [realdebrid]: @/lib is not a regular"
		  " file" },
		{ "[sonarr]\napi_key_file = @/empty\n", 2,
		  "api_key_file in [sonarr]: @/empty is empty" },
		{ "[sonarr]\napi_key_file = @/two\n", 2,
		  "api_key_file in [sonarr]: @/two holds more than one line, or"
		  " "
		  "control characters" },
		{ "[notify]\nwebhook_file = @/tok\n", 2,
		  "webhook_file in [notify]: bad value in @/tok: expected an "
		  "http:// or https:// URL" },
		{ "[realdebrid]\nurl_file = @/tok\n", 2,
		  "unknown key 'url_file' in [realdebrid]" },
		{ "[sonarr]\napi_key_file = @/link\n", 2,
		  "api_key_file in [sonarr]: @/link is a symbolic link, not"
		  " followed: name the file itself" },
	};
	struct config cfg;
	char *tok, *open_tok, *want, *path;

	(void)state;
	tok = cfgload_put("tok", "RDTOKEN-from-file\n", 0600);
	free(cfgload_put("empty", "\n", 0600));
	free(cfgload_put("two", "hunter2\nhunter3\n", 0600));
	free(cfgload_put("hook", "https://x.example/api/webhooks/1/h\r\n",
			 0400));
	assert_int_equal(cfgload(&cfg, "[realdebrid]\napi_token_file = @/tok\n"
				 "[prowlarr]\napi_key_file = tok\n"
				 "[notify]\ndiscord_webhook_file ="
				 " @/hook\n"), 0);
	assert_string_equal(cfg.rd_api_token, "RDTOKEN-from-file");
	/* a relative path is the configuration's folder's */
	assert_string_equal(cfg.prowlarr_api_key, "RDTOKEN-from-file");
	assert_string_equal(cfg.notify_discord_webhook,
			    "https://x.example/api/webhooks/1/h");
	/* no secret in the file itself: every user may read it */
	assert_int_equal(cfgload_reload(&cfg, 0644), 0);
	assert_string_equal(cfg.rd_api_token, "RDTOKEN-from-file");
	config_release(&cfg);

	path = cfgload_expand("@/link");
	assert_int_equal(symlink(tok, path), 0);
	cfgload_check(bad, ARRAY_SIZE(bad));
	unlink(path);
	free(path);

	/* a secret file others may read is refused like a config */
	open_tok = cfgload_put("open", "hunter2\n", 0644);
	assert_int_equal(cfgload(&cfg, "[download]\npassword_file = @/open\n"),
			 -EPERM);
	assert_null(strstr(cfgload_err, "hunter2"));
	path = cfgload_expand("@/open");
	assert_true(asprintf(&want, "%s:2: password_file in [download]: %s "
			     "holds a secret, but every user can read this "
			     "file (mode 0644); run chmod 600"
			     " %s", cfgload_path, path,
			     path) > 0);
	assert_string_equal(cfgload_err, want);
	free(want);
	config_release(&cfg);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(cfgload(&cfg, "[download]\npassword_file = @/open\n"),
			 -EPERM);
	assert_non_null(strstr(cfgload_err, "its group can read this file (mode"
					    " "
			       "0640)"));
	free(path);
	config_release(&cfg);
	unlink(open_tok);
	free(open_tok);
	free(tok);
}

/* systemd's credentials fill the secrets the files left unset. */
static void test_credentials(void **state)
{
	char *old = getenv("CREDENTIALS_DIRECTORY"), *dir;
	struct config cfg;

	(void)state;
	old = old ? strdup(old) : NULL;
	dir = cfgload_expand("@/creds");
	assert_int_equal(mkdir(dir, 0700), 0);
	free(cfgload_put("creds/realdebrid_api_token", "RDTOKEN-cred\n", 0400));
	free(cfgload_put("creds/sonarr_api_key", "sonarr-cred", 0440));
	cfgload_setenv("CREDENTIALS_DIRECTORY", dir);

	assert_int_equal(cfgload(&cfg, "[music]\nroot = @/music\n"
				 "[sonarr]\napi_key = from-the-file\n"), 0);
	assert_int_equal(config_finish(&cfg, CFGLOAD_ERR), 0);
	assert_string_equal(cfg.rd_api_token, "RDTOKEN-cred");
	assert_string_equal(cfg.sonarr_api_key, "from-the-file");
	assert_null(cfg.prowlarr_api_key);
	config_release(&cfg);

	free(cfgload_put("creds/notify_webhook", "hunter2\n", 0400));
	assert_int_equal(cfgload(&cfg, "[music]\nroot = @/music\n"), 0);
	assert_int_equal(config_finish(&cfg, CFGLOAD_ERR), -EINVAL);
	assert_string_equal(cfgload_err, "credential notify_webhook: expected"
					 " an "
			    "http:// or https:// URL");
	config_release(&cfg);

	cfgload_setenv("CREDENTIALS_DIRECTORY", old);
	free(old);
	free(dir);
}

/* A file another user owns is theirs to change: one that holds a secret
 * is refused even when no one else may read it (root only: others cannot
 * give a file away). */
static void test_secret_file_of_another_user(void **state)
{
	struct config cfg;
	char *want;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(cfgload(&cfg, "[prowlarr]\napi_key = hunter2\n"), 0);
	assert_int_equal(chown(cfgload_path, 65534, -1), 0);
	assert_int_equal(cfgload_reload(&cfg, 0600), -EPERM);
	assert_true(asprintf(&want, "%s:2: api_key in [prowlarr] is a secret,"
			     " but this file belongs to uid 65534, not to the"
			     " daemon's user (uid 0); run chown 0"
			     " %s", cfgload_path,
			     cfgload_path) > 0);
	assert_string_equal(cfgload_err, want);
	free(want);
	config_release(&cfg);
	/* without a secret too (issue 32): it says what the daemon does */
	assert_int_equal(cfgload(&cfg, "[general]\nthreads = 2\n"), 0);
	assert_int_equal(chown(cfgload_path, 65534, -1), 0);
	assert_int_equal(cfgload_reload(&cfg, 0644), -EPERM);
	assert_true(asprintf(&want, "%s: this file belongs to uid 65534, not"
			     " to the daemon's user (uid 0) or root, who alone"
			     " may change what the daemon does; run chown 0 %s",
			     cfgload_path, cfgload_path) > 0);
	assert_string_equal(cfgload_err, want);
	free(want);
	assert_int_equal(chown(cfgload_path, 0, -1), 0);
	assert_int_equal(cfgload_reload(&cfg, 0644), 0);
	config_release(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unreadable_file),
		cmocka_unit_test(test_secrets_not_echoed),
		cmocka_unit_test(test_secret_file_readable_by_others),
		cmocka_unit_test(test_file_others_may_change),
		cmocka_unit_test(test_exposed_deep_path_whole),
		cmocka_unit_test(test_secret_files),
		cmocka_unit_test(test_credentials),
		cmocka_unit_test(test_secret_file_of_another_user),
	};

	return cmocka_run_group_tests(tests, cfgload_setup, cfgload_teardown);
}
