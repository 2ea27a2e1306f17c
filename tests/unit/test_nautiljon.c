/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake.h"
#include <jansson.h>

#include "common/http.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/throttle.h"
/* the source is its one file: its parse and its info are static there */
#include "indexer/monitor/nautiljon.c"
#include "indexer/monitor/remote.h"

#define FAST_RPM 600		/* 0.1 s apart: real waits, short ones */

static struct fake fake;
static char base[64];

/* Parse a NUL-terminated page. */
static int parse(const char *html, struct nautiljon_info *info)
{
	return nautiljon_parse(html, strlen(html), info);
}

/* The 2025 markup: a bold span for the label, classes around. */
static void test_parse_2025(void **state)
{
	struct nautiljon_info info;

	(void)state;
	assert_int_equal(parse("<html><body><div class=\"infosFicheTop\">"
			       "<div class=\"liste_infos\"><ul>"
			       "<li><span class=\"bold\">Type :</span> Shônen"
			       "</li><li><span class=\"bold\">Nb volumes VO :"
			       "</span> 113 (En cours)</li>"
			       "<li><span class=\"bold\">Nb volumes VF :"
			       "</span> 111 (En cours)</li></ul></div></div>"
			       "</body></html>", &info), 0);
	assert_int_equal(info.vf_count, 111);
	assert_string_equal(info.vf_status, "En cours");
	assert_int_equal(info.vo_count, 113);
	assert_string_equal(info.vo_status, "En cours");
}

/* Other tags for the label, no classes, entities, odd spacing. */
static void test_parse_other_markup(void **state)
{
	struct nautiljon_info info;

	(void)state;
	assert_int_equal(parse("<ul><li><b>NB VOLUMES VF&nbsp;:</b>\n  42 "
			       "(Abandonn&eacute;)</li>"
			       "<li><strong>Nb volumes VO:</strong>42"
			       "(Termin&#233;)</li></ul>", &info), 0);
	assert_int_equal(info.vf_count, 42);
	assert_string_equal(info.vf_status, "Abandonn\xc3\xa9");
	assert_int_equal(info.vo_count, 42);
	assert_string_equal(info.vo_status, "Termin\xc3\xa9");

	/* A narrow no-break space before the colon, raw UTF-8, no charset. */
	assert_int_equal(parse("<li><span>Nb volumes VF\xe2\x80\xaf:</span>"
			       " 3 ( En attente )</li>", &info), 0);
	assert_int_equal(info.vf_count, 3);
	assert_string_equal(info.vf_status, "En attente");
	assert_string_equal(info.vf_status, "En attente");
	assert_int_equal(info.vo_count, 0);
	assert_string_equal(info.vo_status, "");
}

/* The first item of each label counts; lookalikes elsewhere do not. */
static void test_parse_first_and_lookalikes(void **state)
{
	struct nautiljon_info info;

	(void)state;
	assert_int_equal(parse("<script>x='<li>Nb volumes VF : 1 (a)</li>'"
			       "</script><p>Nb volumes VF : 2 (b)</p>"
			       "<li>Les Nb volumes VF : 3 (c)</li>"
			       "<li>Nb volumes VFX : 4 (d)</li>"
			       "<li>Nb volumes VF : 5 (Termin\xc3\xa9)</li>"
			       "<li>Nb volumes VF : 6 (f)</li>", &info), 0);
	assert_int_equal(info.vf_count, 5);
	assert_string_equal(info.vf_status, "Termin\xc3\xa9");
}

/* VO only: filled in, but without the count that matters, -ENODATA. */
static void test_parse_vo_only(void **state)
{
	struct nautiljon_info info;

	(void)state;
	assert_int_equal(parse("<li>Nb volumes VO : 20 (Termin\xc3\xa9)</li>",
			       &info), -ENODATA);
	assert_int_equal(info.vf_count, 0);
	assert_int_equal(info.vo_count, 20);
	assert_string_equal(info.vo_status, "Termin\xc3\xa9");
}

/* Unbelievable or missing counts read as 0; a status may stand alone. */
static void test_parse_bad_counts(void **state)
{
	struct nautiljon_info info;

	(void)state;
	assert_int_equal(parse("<li>Nb volumes VF : 10000 (En cours)</li>",
			       &info), -ENODATA);
	assert_int_equal(info.vf_count, 0);
	assert_int_equal(parse("<li>Nb volumes VF : 99999999999999999999"
			       "</li>", &info), -ENODATA);
	assert_int_equal(info.vf_count, 0);
	assert_int_equal(parse("<li>Nb volumes VF : 9999</li>", &info), 0);
	assert_int_equal(info.vf_count, 9999);
	assert_string_equal(info.vf_status, "");
	assert_int_equal(parse("<li>Nb volumes VF : (En attente)</li>",
			       &info), -ENODATA);
	assert_string_equal(info.vf_status, "En attente");
	assert_int_equal(parse("<li>Nb volumes VF : 12 (En cours</li>",
			       &info), 0);
	assert_string_equal(info.vf_status, "");
	assert_int_equal(parse("<li>Nb volumes VF : -3 (En cours)</li>",
			       &info), -ENODATA);
}

/* A long status is cut at a character boundary, never mid-character. */
static void test_parse_long_status(void **state)
{
	struct nautiljon_info info;

	(void)state;
	assert_int_equal(parse("<li>Nb volumes VF : 1 (aaaaaaaaaaaaaaaaaaaa"
			       "aaaaaaaaaa\xc3\xa9\xc3\xa9)</li>", &info), 0);
	assert_int_equal(strlen(info.vf_status), 30);
}

/* Broken HTML is still read; what is not HTML at all is -EPROTO. */
static void test_parse_broken(void **state)
{
	static const char binary[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
	struct nautiljon_info info;

	(void)state;
	assert_int_equal(parse("<html><body><ul><li><b>Nb volumes VF :</i> 8 "
			       "(En cours)<li>Nb volumes VO : 9 (<<>>)</ul"
			       "</div></div><p", &info), 0);
	assert_int_equal(info.vf_count, 8);
	assert_string_equal(info.vf_status, "En cours");
	assert_int_equal(info.vo_count, 9);
	assert_int_equal(nautiljon_parse("", 0, &info), -EPROTO);
	assert_int_equal(nautiljon_parse(binary, sizeof(binary) - 1, &info),
			 -EPROTO);
	assert_int_equal(parse("just text", &info), -ENODATA);
	assert_int_equal(parse("\xff\xfe\x80 <li>Nb volumes VF : 4</li>",
			       &info), 0);
	assert_int_equal(nautiljon_parse("x", NAUTILJON_MAX_PAGE + 1, &info),
			 -EFBIG);
}

/*
 * Nesting is walked without recursion. libxml2 itself gives up on what
 * lies deeper than its limit (256): not found, but no crash.
 */
static void test_parse_deep(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct nautiljon_info info;
	int i, ret;

	(void)state;
	for (i = 0; i < 100; i++)
		strbuf_addstr(&sb, "<li><ul>");
	strbuf_addstr(&sb, "<li>Nb volumes VF : 77 (En cours)</li>");
	assert_int_equal(nautiljon_parse(sb.buf, sb.len, &info), 0);
	assert_int_equal(info.vf_count, 77);
	strbuf_reset(&sb);
	for (i = 0; i < 100000; i++)
		strbuf_addstr(&sb, "<li><ul>");
	strbuf_addstr(&sb, "<li>Nb volumes VF : 77 (En cours)</li>");
	ret = nautiljon_parse(sb.buf, sb.len, &info);
	assert_true(ret == 0 || ret == -ENODATA);
	strbuf_release(&sb);
}

/* libxml2 says nothing on stderr, however bad the page. */
static void test_parse_silent(void **state)
{
	struct nautiljon_info info;
	char buf[64];
	FILE *tmp = tmpfile();
	int saved = dup(2);

	(void)state;
	assert_non_null(tmp);
	assert_true(saved >= 0);
	fflush(stderr);
	dup2(fileno(tmp), 2);
	parse("<html><body><li>\xff\xfe</ul></div><x:y a=\"<li>&bogus;", &info);
	parse("<?xml version=\"1.0\" encoding=\"bogus\"?><!DOCTYPE x ["
	      "<!ENTITY e SYSTEM \"file:///etc/passwd\">]><li>&e;</li>",
	      &info);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	assert_int_equal(fread(buf, 1, sizeof(buf), tmp), 0);
	fclose(tmp);
}

/* The slug of title must be want. */
static void check_slug(const char *title, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	nautiljon_slug(title, &sb);
	assert_string_equal(sb.buf, want);
	strbuf_release(&sb);
}

#define RECORDED "tests/unit/../data/nautiljon/%s.html"

/* The recorded page name (tests/data/nautiljon/NAME.html) gives no
 * count, and no count taken from its menus either. */
static void expect_no_count(const char *name)
{
	struct nautiljon_info info;
	struct strbuf page = STRBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *f;

	snprintf(buf, sizeof(buf), RECORDED, name);
	f = fopen(buf, "rb");
	assert_non_null(f);
	while ((n = fread(buf, 1, sizeof(buf), f)))
		strbuf_add(&page, buf, n);
	fclose(f);
	assert_int_equal(nautiljon_parse(page.buf, page.len, &info),
			 -ENODATA);
	assert_int_equal(info.vf_count, 0);
	assert_int_equal(info.vo_count, 0);
	strbuf_release(&page);
}

/*
 * Pages Nautiljon gave, as public projects saved them (tests/data/
 * SOURCES.md): the one for a series it does not know, and its search
 * page refused for an expired search session (an error block, the
 * search form, breadcrumbs whose names are itemprop="name" too).
 */
static void test_parse_recorded_pages(void **state)
{
	(void)state;
	expect_no_count("not-found");
	expect_no_count("search.jujutsu-kaisen");
}

/* Lowercase ASCII, one '+' per run of spaces, the rest escaped. */
static void test_slug(void **state)
{
	(void)state;
	check_slug("One Piece", "one+piece");
	check_slug("  One \t  Piece\n", "one+piece");
	check_slug("Berserk", "berserk");
	check_slug("L'Attaque des Titans", "l%27attaque+des+titans");
	check_slug("Ch\xc3\xa2teau \xc3\x89T\xc3\x89",
		   "ch%C3%A2teau+%C3%89t%C3%89");
	check_slug("Fate/Zero & Co", "fate%2Fzero+%26+co");
	check_slug("a\xc2\xa0" "b", "a+b");
	check_slug("", "");
	/* the folder's year or tag is not the title's (issue 81) */
	check_slug("Dune (2020)", "dune");
	check_slug("Saga 01 [Team] (2001)", "saga+01");
}

/* Start the fake Nautiljon for the whole group. */
static int start_fake(void **state)
{
	(void)state;
	if (fake_start("nautiljon_fake.py", &fake))
		return -1;
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", fake.port);
	return 0;
}

/* Closing its stdin ends the fake; the signal is for a stuck one. */
static int stop_fake(void **state)
{
	(void)state;
	fake_stop(&fake);
	return 0;
}

/* Each fetch test gets its own throttle, so a pause stays in its test. */
static int new_throttle(void **state)
{
	struct throttle *t;

	if (throttle_new("nautiljon", FAST_RPM, NULL, NULL, &t))
		return -1;
	*state = t;
	return 0;
}

/* The other half of new_throttle(). */
static int free_throttle(void **state)
{
	throttle_free(*state);
	return 0;
}

/* Fetch slug from the fake through the test's throttle. */
static int fetch(void **state, const char *slug,
		 struct nautiljon_info *info)
{
	struct remote_source n = { .url = base, .throttle = *state };

	return nautiljon_fetch(&n, slug, NULL, info);
}

/* The requests the fake saw, oldest first; the caller decrefs. */
static json_t *requests(void)
{
	struct strbuf url = STRBUF_INIT;
	struct http_request req = { .method = "GET" };
	struct http_response resp;
	json_t *list;

	strbuf_addf(&url, "%s/_requests", base);
	req.url = url.buf;
	assert_int_equal(http_perform(&req, &resp), 0);
	assert_int_equal(resp.status, 200);
	list = json_loads(resp.body.buf, 0, NULL);
	assert_true(json_is_array(list));
	http_response_release(&resp);
	strbuf_release(&url);
	return list;
}

/* Both markups come through the network as they parse from memory. */
static void test_fetch_ok(void **state)
{
	struct nautiljon_info info;
	struct strbuf slug = STRBUF_INIT;

	nautiljon_slug("One Piece", &slug);
	assert_int_equal(fetch(state, slug.buf, &info), 0);
	assert_int_equal(info.vf_count, 111);
	assert_string_equal(info.vf_status, "En cours");
	assert_int_equal(info.vo_count, 113);
	assert_string_equal(info.vo_status, "En cours");
	assert_int_equal(fetch(state, "berserk", &info), 0);
	assert_int_equal(info.vf_count, 42);
	assert_string_equal(info.vf_status, "Abandonn\xc3\xa9");
	assert_int_equal(info.vo_count, 42);
	assert_string_equal(info.vo_status, "En attente");
	strbuf_release(&slug);
}

/* Every request carries mediamon's User-Agent, and they are spaced. */
static void test_fetch_user_agent_and_pace(void **state)
{
	struct nautiljon_info info;
	struct throttle_stats before, after;
	json_t *list, *last;
	const char *agent;
	size_t n;

	throttle_stats(*state, &before);
	assert_int_equal(fetch(state, "nofield", &info), -ENODATA);
	assert_int_equal(fetch(state, "nofield", &info), -ENODATA);
	throttle_stats(*state, &after);
	/* both went through the throttle, which paces them (test_throttle
	 * checks the pace itself: the fake's clock says nothing of it) */
	assert_int_equal(after.requests - before.requests, 2);
	list = requests();
	n = json_array_size(list);
	assert_true(n >= 2);
	last = json_array_get(list, n - 1);
	assert_string_equal(json_string_value(json_object_get(last, "path")),
			    "/mangas/nofield.html");
	agent = json_string_value(json_object_get(
		json_object_get(last, "headers"), "User-Agent"));
	assert_non_null(agent);
	assert_int_equal(strncmp(agent, "mediamon/", 9), 0);
	json_decref(list);
}

/* Cloudflare's challenge is a refusal; it blocks its throttle for a
 * while, so the other errors have a throttle of their own. */
static void test_fetch_challenged(void **state)
{
	struct nautiljon_info info;

	assert_int_equal(fetch(state, "cloudflare", &info), -EACCES);
	assert_int_equal(info.vf_count, 0);
}

/* A missing series and binary bytes each have their error. */
static void test_fetch_refused(void **state)
{
	struct nautiljon_info info;

	assert_int_equal(fetch(state, "missing", &info), -ENOENT);
	assert_int_equal(fetch(state, "garbage", &info), -EPROTO);
}

/* A 429 pauses the throttle for the fake's Retry-After: 3. */
static void test_fetch_rate_limited(void **state)
{
	struct nautiljon_info info;
	double until;

	assert_int_equal(fetch(state, "ratelimit", &info), -EAGAIN);
	assert_int_equal(throttle_paused(*state, &until), 1);
	assert_true(until > 0);
}

/* Fetch slug, which the fake answers with a 429, expecting rc; the
 * throttle's figures after it in s. */
static void fetch_429(void **state, const char *slug, int rc,
		      struct throttle_stats *s)
{
	struct nautiljon_info info;

	assert_int_equal(fetch(state, slug, &info), rc);
	throttle_stats(*state, s);
	assert_int_equal(s->last_refusal, 429);
}

/* Cloudflare's challenge sent with a 429 (its cf-mitigated header) is a
 * refusal, the throttle blocked as by a 403: waiting would not solve it. */
static void test_fetch_challenge_with_429(void **state)
{
	struct throttle_stats s;

	fetch_429(state, "cloudflare+busy", -EACCES, &s);
	assert_true(s.last_refusal_blocked && !s.http_429);
	assert_true(throttle_blocked(*state));
}

/* A 429 without that header is the rate: no block. */
static void test_fetch_bare_429(void **state)
{
	struct throttle_stats s;

	fetch_429(state, "ratelimit+bare", -EAGAIN, &s);
	assert_int_equal(s.http_429, 1);
	assert_false(s.last_refusal_blocked || throttle_blocked(*state));
}

/* A slug that could leave /mangas/ is refused before any request. */
static void test_fetch_bad_slug(void **state)
{
	struct nautiljon_info info;
	struct remote_source none = { .url = base };

	assert_int_equal(fetch(state, "", &info), -EINVAL);
	assert_int_equal(fetch(state, "../admin", &info), -EINVAL);
	assert_int_equal(fetch(state, "a b", &info), -EINVAL);
	assert_int_equal(fetch(state, "a?b", &info), -EINVAL);
	assert_int_equal(fetch(state, NULL, &info), -EINVAL);
	assert_int_equal(nautiljon_fetch(&none, "berserk", NULL, &info),
			 -EINVAL);
}

/* Nothing listening: http_perform's error comes back. */
static void test_fetch_unreachable(void **state)
{
	struct nautiljon_info info;
	struct remote_source n = { .url = "http://127.0.0.1:1",
			       .throttle = *state };

	assert_int_equal(nautiljon_fetch(&n, "berserk", NULL, &info),
			 -ECONNREFUSED);
}

/* A cancel already set stops the wait for the throttle. */
static void test_fetch_canceled(void **state)
{
	struct nautiljon_info info;
	struct remote_source n = { .url = base, .throttle = *state };
	int cancel = 1;

	assert_int_equal(nautiljon_fetch(&n, "berserk", NULL, &info), 0);
	assert_int_equal(nautiljon_fetch(&n, "berserk", &cancel, &info),
			 -ECANCELED);
}

#define FETCH_TEST(f) cmocka_unit_test_setup_teardown(f, new_throttle, \
						      free_throttle)

/* The cache keeps an answer as JSON: it must read back the same, and
 * anything else must not read as an answer. */
static void test_info_dump_load(void **state)
{
	struct nautiljon_info in = { .vf_count = 111, .vo_count = 113 };
	struct nautiljon_info out;
	static const char *const bad[] = {
		"", "[]", "{}", "not json",
		"{\"vf\": \"1\", \"vf_status\": \"\", \"vo\": 1,"
		" \"vo_status\": \"\"}",
		"{\"vf\": 1, \"vf_status\": null, \"vo\": 1,"
		" \"vo_status\": \"\"}",
		"{\"vf\": 1, \"vf_status\": \"0123456789012345678901234567"
		"890123456789\", \"vo\": 1, \"vo_status\": \"\"}",
	};
	char *text;

	(void)state;
	strcpy(in.vf_status, "Terminé");
	text = remote_info_dump(&nautiljon_info_form, &in);
	assert_non_null(text);
	assert_int_equal(remote_info_load(&nautiljon_info_form, text,
					  strlen(text), &out), 0);
	assert_int_equal(out.vf_count, 111);
	assert_int_equal(out.vo_count, 113);
	assert_string_equal(out.vf_status, "Terminé");
	assert_string_equal(out.vo_status, "");
	free(text);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(remote_info_load(&nautiljon_info_form, bad[i],
						  strlen(bad[i]), &out),
				 -EPROTO);
}

/* A page's counts with the blocks around them: the heading, the
 * synopsis and the cover link as scrapers of the live site read them
 * (tests/data/SOURCES.md), then the page's list. */
#define PAGE_HEAD "<html><body><div class=\"infosFicheTop\">" \
	"<h1 class=\"h1titre\"><span itemprop=\"name\">One Piece</span>" \
	"</h1><div class=\"image_fiche\"><a id=\"onglets_3_couverture\" " \
	"href=\"/imagesmin/mangas/00/21/one_piece_33.webp\">" \
	"<img src=\"/x.jpg\"></a></div>"
#define PAGE_LIST "<div class=\"liste_infos\"><ul><li><span class=\"bold\">" \
	"Nb volumes VF :</span> 111 (En cours)</li></ul></div></div>"

/* Title, synopsis (markup set aside, entities decoded) and cover. */
static void test_parse_title_summary_cover(void **state)
{
	struct nautiljon_info info;

	(void)state;
	assert_int_equal(parse(PAGE_HEAD PAGE_LIST
			       "<div class=\"top_bloc description\">"
			       "<b>Luffy</b>,&nbsp;un\n gar&ccedil;on<br>"
			       "<i>r\xc3\xaave</i> d'\xc3\xaatre roi.</div>"
			       "<div class=\"description\">Second</div>"
			       "</body></html>", &info), 0);
	assert_string_equal(info.meta.title, "One Piece");
	assert_non_null(strstr(info.meta.summary, "Luffy"));
	assert_non_null(strstr(info.meta.summary, "un gar\xc3\xa7on\n"));
	assert_non_null(strstr(info.meta.summary, "r\xc3\xaave d'"));
	assert_null(strchr(info.meta.summary, '<'));
	assert_null(strstr(info.meta.summary, "Second"));
	assert_string_equal(info.meta.cover, "https://www.nautiljon.com"
			    "/imagesmin/mangas/00/21/one_piece_33.webp");
	assert_string_equal(info.meta.status, "En cours");
}

/* An empty synopsis, "N/C", a cover not on https and a heading without
 * its name give nothing of theirs, and the count still. */
static void test_parse_meta_missing(void **state)
{
	struct nautiljon_info info;

	(void)state;
	assert_int_equal(parse("<h1 class=\"h1titre\">Nameless</h1>"
			       "<a id=\"onglets_3_couverture\" "
			       "href=\"javascript:alert(1)\">x</a>"
			       "<div class=\"description\"></div>"
			       PAGE_LIST, &info), 0);
	assert_int_equal(info.vf_count, 111);
	assert_string_equal(info.meta.title, "");
	assert_string_equal(info.meta.summary, "");
	assert_string_equal(info.meta.cover, "");
	assert_int_equal(parse(PAGE_LIST "<div class=\"description\">\n N/C "
			       "</div>", &info), 0);
	assert_string_equal(info.meta.summary, "");
	/* without a count, no metadata at all */
	assert_int_equal(parse(PAGE_HEAD "</div>", &info), -ENODATA);
	assert_string_equal(info.meta.title, "");
	assert_string_equal(info.meta.cover, "");
}

/* A synopsis of 1 MB is cut to the summary's size, the count read. */
static void test_parse_huge_summary(void **state)
{
	struct strbuf page = STRBUF_INIT;
	struct nautiljon_info info;
	size_t i;

	(void)state;
	strbuf_addstr(&page, PAGE_HEAD PAGE_LIST "<div class=\"description\">");
	for (i = 0; i < 100000; i++)
		strbuf_addstr(&page, "<b>Luffy</b> ");
	strbuf_addstr(&page, "</div>");
	assert_int_equal(nautiljon_parse(page.buf, page.len, &info), 0);
	assert_int_equal(info.vf_count, 111);
	assert_true(strlen(info.meta.summary) > SERIES_META_SUMMARY / 2);
	assert_true(strlen(info.meta.summary) < SERIES_META_SUMMARY);
	assert_null(strchr(info.meta.summary, '<'));
	strbuf_release(&page);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_2025),
		cmocka_unit_test(test_parse_other_markup),
		cmocka_unit_test(test_parse_first_and_lookalikes),
		cmocka_unit_test(test_parse_vo_only),
		cmocka_unit_test(test_parse_bad_counts),
		cmocka_unit_test(test_parse_long_status),
		cmocka_unit_test(test_parse_broken),
		cmocka_unit_test(test_parse_deep),
		cmocka_unit_test(test_parse_silent),
		cmocka_unit_test(test_parse_recorded_pages),
		cmocka_unit_test(test_slug),
		cmocka_unit_test(test_parse_title_summary_cover),
		cmocka_unit_test(test_parse_meta_missing),
		cmocka_unit_test(test_parse_huge_summary),
		FETCH_TEST(test_fetch_ok),
		FETCH_TEST(test_fetch_user_agent_and_pace),
		FETCH_TEST(test_fetch_challenged),
		FETCH_TEST(test_fetch_refused),
		FETCH_TEST(test_fetch_rate_limited),
		FETCH_TEST(test_fetch_challenge_with_429),
		FETCH_TEST(test_fetch_bare_429),
		FETCH_TEST(test_fetch_bad_slug),
		FETCH_TEST(test_fetch_unreachable),
		FETCH_TEST(test_fetch_canceled),
		cmocka_unit_test(test_info_dump_load),
	};

	return cmocka_run_group_tests(tests, start_fake, stop_fake);
}
