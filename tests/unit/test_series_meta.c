/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/strbuf.h"
/* each source is its one file: its parse and its info are static there */
#include "indexer/monitor/anilist.c"
#include "indexer/monitor/mangadex.c"
#include "indexer/monitor/mangaupdates.c"
#include "indexer/monitor/nautiljon.c"
#include "indexer/monitor/remote.h"
#include "indexer/monitor/series_meta.h"

/* The answers recorded from the real services (tests/data/SOURCES.md). */
#define DATA "tests/unit/../data/"

static void read_data(const char *name, struct strbuf *out)
{
	char path[256], buf[4096];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), DATA "%s", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	while ((n = fread(buf, 1, sizeof(buf), f)))
		strbuf_add(out, buf, n);
	fclose(f);
}

/* Whether the n bytes at s are valid UTF-8. */
static int valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int more = *p < 0x80 ? 0 : *p >= 0xf0 ? 3 : *p >= 0xe0 ? 2 :
			   *p >= 0xc0 ? 1 : -1;

		if (more < 0)
			return 0;
		p++;
		while (more--)
			if ((*p++ & 0xc0) != 0x80)
				return 0;
	}
	return 1;
}

static void test_plain_fields(void **state)
{
	char t[16], list[24] = "";

	(void)state;
	series_meta_set(t, sizeof(t), "  One \t\r\n Piece\x01 ");
	assert_string_equal(t, "One Piece");
	series_meta_set(t, sizeof(t), NULL);
	assert_string_equal(t, "");
	/* cut on a character's boundary: "チ" is 3 bytes, 5 fit in 15 */
	series_meta_set(t, sizeof(t), "チェンソーマンチェンソーマン");
	assert_string_equal(t, "チェンソー");
	assert_true(valid_utf8(t));

	/* each item once, one a line; one that does not fit is left out */
	series_meta_add(list, sizeof(list), "Action");
	series_meta_add(list, sizeof(list), " Action ");
	series_meta_add(list, sizeof(list), "");
	series_meta_add(list, sizeof(list), NULL);
	series_meta_add(list, sizeof(list), "Comedy");
	series_meta_add(list, sizeof(list), "Psychological");
	series_meta_add(list, sizeof(list), "Gore");
	assert_string_equal(list, "Action\nComedy\nGore");

	series_meta_set_url(t, sizeof(t), "https://a.b/c");
	assert_string_equal(t, "https://a.b/c");
	series_meta_set_url(t, sizeof(t), "http://a.b/c");
	assert_string_equal(t, "");
	series_meta_set_url(t, sizeof(t), "https://a.b/c d");
	assert_string_equal(t, "");
	series_meta_set_url(t, sizeof(t), "https://a.b/very/long/one");
	assert_string_equal(t, "");
	series_meta_set_url(t, sizeof(t), "javascript:alert(1)");
	assert_string_equal(t, "");
}

static void check_summary(const char *in, const char *want)
{
	char out[SERIES_META_SUMMARY];

	series_meta_summary(out, sizeof(out), in);
	assert_string_equal(out, want);
}

/* series_meta_add_each(): each string of an array, or its member key's,
 * added as series_meta_add() adds one; other kinds passed over. */
static void test_add_each(void **state)
{
	json_t *names = json_loads("[\"Drama\", 3, \"Drama\", null,"
				   " \"Horror\"]", 0, NULL);
	json_t *members = json_loads("[{\"name\": \"A\"}, {\"n\": \"B\"},"
				     " \"C\", {\"name\": \"D\"}]", 0, NULL);
	char list[64] = "";

	(void)state;
	assert_non_null(names);
	assert_non_null(members);
	series_meta_add_each(list, sizeof(list), names, NULL);
	assert_string_equal(list, "Drama\nHorror");
	list[0] = '\0';
	series_meta_add_each(list, sizeof(list), members, "name");
	assert_string_equal(list, "A\nD");
	series_meta_add_each(list, sizeof(list), NULL, "name");
	assert_string_equal(list, "A\nD");
	json_decref(names);
	json_decref(members);
}

static void test_summary_markup(void **state)
{
	(void)state;
	/* AniList writes HTML in its descriptions, even asked for none */
	check_summary("Edward and Alphonse <i>Elric</i> lost their"
		      " bodies.<br><br>\n(Source: Viz Media)<br>\n<br>\n"
		      "<b>Note:</b> won the Shogakukan award &amp; more"
		      " &#8212; &lt;3 &#xe9;t&eacute;",
		      "Edward and Alphonse Elric lost their bodies.\n\n"
		      "(Source: Viz Media)\n\nNote: won the Shogakukan"
		      " award & more \xe2\x80\x94 <3 \xc3\xa9t&eacute;");
	/* MangaDex writes Markdown */
	check_summary("**Denji** has a [debt](https://x.example/debt) to"
		      " pay.\r\n\r\n---\r\n**Links:**\r\n- [Official"
		      " English](https://mangaplus.example)\r\n"
		      "# Note\n> quoted \\*not bold\\*",
		      "Denji has a debt to pay.\n\nLinks:\n- Official English\n"
		      "Note\nquoted *not bold*");
	/* a '<' that opens no tag, a '[' that opens no link stay */
	check_summary("a < b and [c] (d) <3", "a < b and [c] (d) <3");
	check_summary(NULL, "");
	check_summary("   \n\n<br>  ", "");
	/* a last line of blanks or of marks alone ends the text */
	check_summary("text\n   ", "text");
	check_summary("   ", "");
	check_summary("a\n## ", "a");
}

/* A summary of 1 MB (a hostile or odd source) is cut, ending in an
 * ellipsis and valid UTF-8. */
static void test_summary_cut(void **state)
{
	size_t n = 1u << 20;
	char *big = malloc(n + 1), small[64];

	(void)state;
	assert_non_null(big);
	for (size_t i = 0; i + 3 <= n; i += 3)
		memcpy(big + i, "\xe9\x9b\xbb", 3);	/* 電 */
	big[n - n % 3] = '\0';
	series_meta_summary(small, sizeof(small), big);
	assert_true(strlen(small) < sizeof(small));
	assert_true(valid_utf8(small));
	assert_non_null(strstr(small, "\xe2\x80\xa6"));

	/* a megabyte of marks that open nothing, of blanks, of markup: each
	 * read a bounded length once, the cut still marked */
	for (const char *c = "<[&\n*"; *c; c++) {
		char out[SERIES_META_SUMMARY];

		memset(big, *c, n);
		big[n] = '\0';
		big[0] = 'x';
		series_meta_summary(out, sizeof(out), big);
		assert_true(strlen(out) < sizeof(out));
		assert_true(valid_utf8(out));
	}
	memset(big, ' ', n);
	memcpy(big, "Start.", 6);
	memcpy(big + n - 4, "End.", 4);
	series_meta_summary(small, sizeof(small), big);
	assert_string_equal(small, "Start. \xe2\x80\xa6");
	free(big);
}

static void test_json(void **state)
{
	struct series_meta m = { 0 };
	json_t *doc;
	char *text;

	(void)state;
	assert_true(series_meta_empty(&m));
	series_meta_set(m.title, sizeof(m.title), "Saga");
	series_meta_add(m.genres, sizeof(m.genres), "Drama");
	series_meta_add(m.genres, sizeof(m.genres), "Romance");
	assert_false(series_meta_empty(&m));
	doc = series_meta_json(&m, "mangaupdates:42", 0);
	assert_non_null(doc);
	text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text, "{\"alt_titles\":[],\"at\":null,"
		"\"authors\":[],\"cover\":null,\"genres\":[\"Drama\","
		"\"Romance\"],\"original\":null,\"source\":\"mangaupdates:42\","
		"\"status\":null,\"summary\":null,\"title\":\"Saga\","
		"\"url\":null}");
	free(text);
	json_decref(doc);
}

/* MangaDex's recorded search of "Chainsaw Man": the main record's
 * metadata, its genres its tags of the group "genre" only, its cover
 * from its expanded cover_art; its author relationships bear no name
 * (recorded without includes[]=author), so no author; no description. */
static void test_mangadex_recorded(void **state)
{
	struct strbuf body = STRBUF_INIT;
	struct mangadex_info info;
	const struct series_meta *m = &info.meta;

	(void)state;
	read_data("mangadex/search.chainsaw-man.json", &body);
	assert_int_equal(mangadex_parse_search(body.buf, body.len,
					       "Chainsaw Man", &info), 0);
	assert_string_equal(info.id, "a77742b1-befd-49a4-bff5-1ad4e6b0ef7b");
	assert_string_equal(m->title, "Chainsaw Man");
	assert_string_equal(m->alt_titles, "Людина-бензопила\n"
		"Человек-бензопила\nチェンソーマン\n电锯人\n鏈鋸人\n電鋸人\n"
		"Testere Adam\nШынжырлы ара адам\nOmul Drujbă\nChainsaw Man");
	assert_string_equal(m->status, "completed");
	assert_string_equal(m->genres, "Action\nComedy\nHorror");
	assert_string_equal(m->authors, "");
	assert_string_equal(m->summary, "");
	assert_string_equal(m->original, "ja");
	assert_string_equal(m->cover, "https://uploads.mangadex.org/covers/"
		"a77742b1-befd-49a4-bff5-1ad4e6b0ef7b/"
		"6e518bd1-5f60-446b-8832-bfe6bf74834b.jpg");
	assert_string_equal(m->url, "https://mangadex.org/title/"
			    "a77742b1-befd-49a4-bff5-1ad4e6b0ef7b");
	strbuf_release(&body);
}

/* A MangaDex manga in the documented shape of an expanded search: the
 * authors' names, an English description in Markdown; a tag, a
 * relationship or a cover of another shape is passed over, and the
 * count's fields still read. */
static void test_mangadex_expanded(void **state)
{
	static const char body[] =
		"{\"result\": \"ok\", \"data\": [{\"id\": \"0a1b2c3d-0000-"
		"4000-8000-000000000001\", \"type\": \"manga\","
		" \"attributes\": {\"title\": {\"ja-ro\": \"Saga\"},"
		" \"altTitles\": [{\"ko\": \"\xec\x82\xac\xea\xb0\x80\"}],"
		" \"status\": \"ongoing\", \"lastVolume\": null,"
		" \"description\": {\"fr\": \"Une saga\", \"en\":"
		" \"**A** saga.\\n\\n[More](https://x.example)\"},"
		" \"tags\": [{\"attributes\": {\"group\": \"genre\","
		" \"name\": {\"en\": \"Drama\"}}}, {\"attributes\": null},"
		" \"odd\"]}, \"relationships\": [{\"type\": \"author\","
		" \"attributes\": {\"name\": \"Oda Eiichiro\"}},"
		" {\"type\": \"artist\", \"attributes\": {\"name\":"
		" \"Oda Eiichiro\"}}, {\"type\": \"author\"},"
		" {\"type\": \"cover_art\", \"attributes\": {\"fileName\":"
		" \"../x.jpg\"}}, 3]}]}";
	struct mangadex_info info;

	(void)state;
	assert_int_equal(mangadex_parse_search(body, strlen(body), "Saga",
					       &info), 0);
	assert_string_equal(info.meta.title, "Saga");
	assert_string_equal(info.meta.alt_titles, "\xec\x82\xac\xea\xb0\x80");
	assert_string_equal(info.meta.summary, "A saga.\n\nMore");
	assert_string_equal(info.meta.genres, "Drama");
	assert_string_equal(info.meta.authors, "Oda Eiichiro");
	assert_string_equal(info.meta.cover, "");
	assert_string_equal(info.meta.original, "");
}

/* MangaUpdates' recorded records: titles in other scripts, an author
 * credited twice (Author and Artist) named once, no genres and no
 * description in the recording, the original's language from the type
 * (a Manhwa: ko), a status of several lines made one. */
static void test_mangaupdates_recorded(void **state)
{
	struct strbuf body = STRBUF_INIT;
	struct mangaupdates_info info = { .id = 25370933222 };
	const struct series_meta *m = &info.meta;

	(void)state;
	read_data("mangaupdates/series.25370933222.json", &body);
	assert_int_equal(mangaupdates_parse_series(body.buf, body.len,
						   &info), 0);
	assert_int_equal(info.count, 26);
	assert_string_equal(m->title, "Wind Breaker (NII Satoru)");
	assert_string_equal(m->alt_titles, "WIND BREAKER -윈드 브레이커-\n"
			    "Windbreaker\nВетролом\nウィンドブレイカー");
	assert_string_equal(m->authors, "NII Satoru");
	assert_string_equal(m->status, "26 Volumes (Ongoing)");
	assert_string_equal(m->genres, "");
	assert_string_equal(m->summary, "");
	assert_string_equal(m->cover, "");
	assert_string_equal(m->original, "ja");

	strbuf_reset(&body);
	read_data("mangaupdates/series.15180124327.json", &body);
	info = (struct mangaupdates_info) { .id = 15180124327 };
	assert_int_equal(mangaupdates_parse_series(body.buf, body.len,
						   &info), 0);
	assert_string_equal(m->original, "ko");
	assert_null(strchr(m->status, '\n'));
	assert_non_null(strstr(m->status, "15 Volumes (Complete)"));
	strbuf_release(&body);
}

/* An AniList Media in the shape of its documentation (no recording of
 * a manga's was found: tests/data/SOURCES.md): the English title, the
 * others and synonyms, the HTML of its description set aside, its
 * story and art staff; null genres and a cover that is not https are
 * none. */
static void test_anilist_shape(void **state)
{
	static const char body[] =
		"{\"data\": {\"Media\": {\"id\": 30025, \"volumes\": 27,"
		" \"status\": \"FINISHED\", \"countryOfOrigin\": \"JP\","
		" \"title\": {\"romaji\": \"Hagane no Renkinjutsushi\","
		" \"english\": \"Fullmetal Alchemist\", \"native\":"
		" \"\xe9\x8b\xbc\xe3\x81\xae\xe9\x8c\xac\xe9\x87\x91"
		"\xe8\xa1\x93\xe5\xb8\xab\"}, \"synonyms\": [\"FMA\"],"
		" \"description\": \"Two brothers.<br><br>\\n(Source:"
		" Viz)\", \"genres\": null, \"coverImage\": {\"large\":"
		" \"http://s4.anilist.co/x.jpg\"}, \"siteUrl\":"
		" \"https://anilist.co/manga/30025\", \"staff\": {\"edges\":"
		" [{\"role\": \"Story & Art\", \"node\": {\"name\": {\"full\":"
		" \"Hiromu Arakawa\"}}}, {\"role\": \"Translator (English)\","
		" \"node\": {\"name\": {\"full\": \"Akira Watanabe\"}}}]}}}}";
	struct anilist_info info = { .id = 30025 };

	(void)state;
	assert_int_equal(anilist_parse(body, strlen(body), NULL, NULL, &info),
			 0);
	assert_int_equal(info.count, 27);
	assert_string_equal(info.meta.title, "Fullmetal Alchemist");
	assert_string_equal(info.meta.alt_titles, "Hagane no Renkinjutsushi\n"
			    "\xe9\x8b\xbc\xe3\x81\xae\xe9\x8c\xac\xe9\x87\x91"
			    "\xe8\xa1\x93\xe5\xb8\xab\nFMA");
	assert_string_equal(info.meta.summary, "Two brothers.\n\n"
			    "(Source: Viz)");
	assert_string_equal(info.meta.genres, "");
	assert_string_equal(info.meta.authors, "Hiromu Arakawa");
	assert_string_equal(info.meta.cover, "");
	assert_string_equal(info.meta.url, "https://anilist.co/manga/30025");
	assert_string_equal(info.meta.status, "FINISHED");
	assert_string_equal(info.meta.original, "ja");
}

/* A Nautiljon page in the shape tests/fakes/nautiljon_fake.py gives (no
 * series page of Nautiljon's was recorded: tests/data/SOURCES.md): its
 * original title, authors and genres by their labels, lists split; the
 * page of a series it does not have (recorded) gives none. */
static void test_nautiljon_page(void **state)
{
	static const char page[] =
		"<html><body><ul>"
		"<li><span class=\"bold\">Titre original :</span>"
		" ONE PIECE</li>"
		"<li><span class=\"bold\">Genres :</span> <a>Action</a> -"
		" <a>Aventure</a> - <a>Com&eacute;die</a></li>"
		"<li><span class=\"bold\">Auteur :</span>\n <a>ODA"
		" Eiichir\xc3\xb4</a></li>"
		"<li><span class=\"bold\">Nb volumes VF :</span> 111"
		" (En cours)</li></ul></body></html>";
	struct nautiljon_info info;
	struct strbuf body = STRBUF_INIT;

	(void)state;
	assert_int_equal(nautiljon_parse(page, strlen(page), &info), 0);
	assert_int_equal(info.vf_count, 111);
	assert_string_equal(info.meta.alt_titles, "ONE PIECE");
	assert_string_equal(info.meta.genres, "Action\nAventure\n"
			    "Com\xc3\xa9" "die");
	assert_string_equal(info.meta.authors, "ODA Eiichir\xc3\xb4");
	assert_string_equal(info.meta.status, "En cours");

	read_data("nautiljon/not-found.html", &body);
	assert_int_equal(nautiljon_parse(body.buf, body.len, &info),
			 -ENODATA);
	assert_true(series_meta_empty(&info.meta));
	strbuf_release(&body);
}

/* The metadata goes through the cache with the count. */
static void test_cached(void **state)
{
	struct mangaupdates_info in = { .id = 7, .count = 3 }, out;
	char *text;

	(void)state;
	series_meta_set(in.meta.title, sizeof(in.meta.title), "Saga");
	series_meta_summary(in.meta.summary, sizeof(in.meta.summary),
			    "One.\n\nTwo.");
	text = remote_info_dump(&mangaupdates_info_form, &in);
	assert_non_null(text);
	assert_int_equal(remote_info_load(&mangaupdates_info_form, text,
					  strlen(text), &out), 0);
	assert_string_equal(out.meta.title, "Saga");
	assert_string_equal(out.meta.summary, "One.\n\nTwo.");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_fields),
		cmocka_unit_test(test_add_each),
		cmocka_unit_test(test_summary_markup),
		cmocka_unit_test(test_summary_cut),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_mangadex_recorded),
		cmocka_unit_test(test_mangadex_expanded),
		cmocka_unit_test(test_mangaupdates_recorded),
		cmocka_unit_test(test_anilist_shape),
		cmocka_unit_test(test_nautiljon_page),
		cmocka_unit_test(test_cached),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
