/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/bytes.h"
#include "common/strbuf.h"

#include "indexer/manga/comicinfo.h"
#include "join.h"


#define PAGE_LEN 65536		/* bytes of one fake page */
#define MAX_FILES 4		/* files in one fixture archive */
#define THREADS 4
#define ROUNDS 25		/* reads per thread */

/* ComicRack's own layout, with fields the reader has no use for. */
#define FULL_XML \
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" \
	"<ComicInfo xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" " \
	"xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n" \
	"  <Title>L'Enfant des ténèbres</Title>\n" \
	"  <Series>Berserk</Series>\n" \
	"  <Number>3</Number>\n" \
	"  <Volume>41</Volume>\n" \
	"  <Summary>Guts &amp; Casca.</Summary>\n" \
	"  <Writer>Kentaro Miura</Writer>\n" \
	"  <PageCount>3</PageCount>\n" \
	"  <Pages><Page Image=\"0\" Type=\"FrontCover\" /></Pages>\n" \
	"</ComicInfo>\n"

#define XML(body) \
	"<?xml version=\"1.0\"?>\n<ComicInfo>" body "</ComicInfo>\n"
#define SERIES(name, volume) \
	XML("<Series>" name "</Series><Volume>" volume "</Volume>")

#define EIGHT(s) s s s s s s s s

/* 8^9 "lol"s: 400 MB once expanded. */
#define LAUGHS_XML \
	"<?xml version=\"1.0\"?>\n" \
	"<!DOCTYPE ComicInfo [\n" \
	" <!ENTITY lol \"lol\">\n" \
	" <!ENTITY lol1 \"" EIGHT("&lol;") "\">\n" \
	" <!ENTITY lol2 \"" EIGHT("&lol1;") "\">\n" \
	" <!ENTITY lol3 \"" EIGHT("&lol2;") "\">\n" \
	" <!ENTITY lol4 \"" EIGHT("&lol3;") "\">\n" \
	" <!ENTITY lol5 \"" EIGHT("&lol4;") "\">\n" \
	" <!ENTITY lol6 \"" EIGHT("&lol5;") "\">\n" \
	" <!ENTITY lol7 \"" EIGHT("&lol6;") "\">\n" \
	" <!ENTITY lol8 \"" EIGHT("&lol7;") "\">\n" \
	" <!ENTITY lol9 \"" EIGHT("&lol8;") "\">\n" \
	"]>\n" \
	"<ComicInfo><Series>&lol9;</Series><Volume>2</Volume></ComicInfo>\n"

#define XXE_XML \
	"<?xml version=\"1.0\"?>\n" \
	"<!DOCTYPE ComicInfo [\n" \
	" <!ENTITY secret SYSTEM \"file:///etc/passwd\">\n" \
	" <!ENTITY remote SYSTEM \"http://127.0.0.1:9/x\">\n" \
	"]>\n" \
	"<ComicInfo><Series>&secret;&remote;</Series><Volume>2</Volume>" \
	"</ComicInfo>\n"

#define EXTERNAL_DTD_XML \
	"<?xml version=\"1.0\"?>\n" \
	"<!DOCTYPE ComicInfo SYSTEM \"http://127.0.0.1:9/ComicInfo.dtd\">\n" \
	"<ComicInfo><Series>Saga</Series><Volume>2</Volume></ComicInfo>\n"

/* One file of a fixture archive; data NULL makes it a fake page. */
struct file {
	const char *path;
	const char *data;
};

/*
 * Python's zipfile writing to a pipe streams: sizes and CRC come after
 * the data, so a reader cut off from the central directory does not
 * know how big an entry is.
 */
#define STREAM_ZIP \
	"import sys, zipfile\n" \
	"z = zipfile.ZipFile(sys.stdout.buffer, \"w\",\n" \
	"                    zipfile.ZIP_DEFLATED)\n" \
	"for n in sys.argv[1:]:\n" \
	"    with open(n, \"rb\") as f, z.open(n, \"w\") as o:\n" \
	"        o.write(f.read())\n" \
	"z.close()\n"

enum tool { ZIP, ZIP_ENCRYPTED, ZIP_STREAMED, TAR };

/* An archive made at setup: files in this order (tar takes the folder). */
struct fixture {
	const char *name;
	enum tool tool;
	struct file files[MAX_FILES];
};

#define PAGE(p) { p, NULL }
#define INFO(x) { "ComicInfo.xml", x }

static const struct fixture fixtures[] = {
	{ "full.cbz", ZIP,
	  { INFO(FULL_XML), PAGE("p01.jpg"), PAGE("p02.jpg"),
	    PAGE("p03.jpg") } },
	{ "late.cbz", ZIP,
	  { PAGE("p01.jpg"), PAGE("p02.jpg"), PAGE("p03.jpg"),
	    INFO(FULL_XML) } },
	{ "nested.cbz", ZIP,
	  { PAGE("Naruto v05/p01.jpg"),
	    { "Naruto v05/ComicInfo.xml", SERIES("Naruto", "5") } } },
	{ "two-nested.cbz", ZIP,
	  { { "v1/ComicInfo.xml", SERIES("Saga", "1") },
	    { "v2/ComicInfo.xml", SERIES("Saga", "2") },
	    PAGE("v2/p01.jpg") } },
	{ "climb.cbz", ZIP_STREAMED,
	  { PAGE("p01.jpg"), { "../ComicInfo.xml", SERIES("Other", "9") } } },
	{ "climb-deep.cbz", ZIP_STREAMED,
	  { PAGE("p01.jpg"),
	    { "v1/../../ComicInfo.xml", SERIES("Other", "9") } } },
	{ "climb-back.cbz", ZIP_STREAMED,
	  { PAGE("p01.jpg"), { "..\\ComicInfo.xml", SERIES("Other", "9") } } },
	{ "dots.cbz", ZIP,
	  { PAGE("p01.jpg"), { "..v2/ComicInfo.xml", SERIES("Saga", "2") } } },
	{ "top-last.cbz", ZIP,
	  { { "extra/ComicInfo.xml", SERIES("Extra", "9") },
	    INFO(SERIES("Saga", "3")) } },
	{ "top-first.cbz", ZIP,
	  { INFO(SERIES("Saga", "3")),
	    { "extra/ComicInfo.xml", SERIES("Extra", "9") } } },
	{ "case.cbz", ZIP, { { "COMICINFO.XML", SERIES("Saga", "4") } } },
	{ "number.cbz", ZIP,
	  { INFO(XML("<Number>12.5</Number>")), PAGE("p01.jpg") } },
	{ "year.cbz", ZIP,
	  { INFO(XML("<Series>Saga</Series><Volume>2019</Volume>"
		     "<Number>54</Number>")), PAGE("p01.jpg") } },
	{ "about.cbz", ZIP,
	  { INFO(XML("<Series>Saga</Series><Summary>\n  Alana &amp; Marko"
		     " flee.\n</Summary><Writer>Brian K. Vaughan</Writer>"
		     "<Year>2012</Year><Month>3</Month><Day>14</Day>")),
	    PAGE("p01.jpg") } },
	{ "about-bad.cbz", ZIP,
	  { INFO(XML("<Summary>  </Summary><Writer></Writer><Year>12</Year>"
		     "<Month>3</Month><Day>14</Day>")), PAGE("p01.jpg") } },
	{ "about-month.cbz", ZIP,
	  { INFO(XML("<Year>2012</Year><Month>13</Month><Day>14</Day>"
		     "<Summary>first</Summary><Summary>second</Summary>")),
	    PAGE("p01.jpg") } },
	{ "none.cbz", ZIP, { PAGE("p01.jpg"), PAGE("p02.jpg") } },
	{ "damaged.cbz", ZIP,
	  { INFO("<?xml version=\"1.0\"?>\n<ComicInfo><Series>Berserk"
		 "</Series><Volume>41<Number>3\n"), PAGE("p01.jpg") } },
	{ "empty-xml.cbz", ZIP, { INFO(""), PAGE("p01.jpg") } },
	{ "laughs.cbz", ZIP, { INFO(LAUGHS_XML), PAGE("p01.jpg") } },
	{ "xxe.cbz", ZIP, { INFO(XXE_XML), PAGE("p01.jpg") } },
	{ "dtd.cbz", ZIP, { INFO(EXTERNAL_DTD_XML), PAGE("p01.jpg") } },
	{ "other-root.cbz", ZIP,
	  { INFO("<ComicBook><Series>Saga</Series><Volume>2</Volume>"
		 "</ComicBook>") } },
	{ "latin1.cbz", ZIP,
	  { INFO("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
		 "<ComicInfo><Series>Ast\xe9rix</Series>"
		 "<Volume>8</Volume></ComicInfo>") } },
	{ "bad-sjis.cbz", ZIP,
	  { INFO("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\n"
		 "<ComicInfo><Series>\x81\xff\xff</Series>"
		 "<Volume>8</Volume></ComicInfo>") } },
	{ "encrypted.cbz", ZIP_ENCRYPTED,
	  { INFO(FULL_XML), PAGE("p01.jpg") } },
	{ "volume.cbt", TAR,
	  { INFO(XML("<Series>Akira</Series><Volume>6</Volume>"
		     "<Number>120</Number>")),
	    { "extra/ComicInfo.xml", XML("<Series>Extra</Series>") },
	    PAGE("p01.jpg") } },
};

/* Odd values, one archive each: what ComicInfo.xml says, what counts. */
static const struct value_case {
	const char *name;
	const char *body;
	const char *series;
	double volume, number;
} value_cases[] = {
	{ "trim.cbz",
	  "<Series>\n  Lupin III &amp; Cie \xc3\xa9" "dition\t</Series>"
	  "<Volume> 10.57 </Volume><Number>7a</Number>",
	  "Lupin III & Cie \xc3\xa9" "dition", 10.5, 0 },
	{ "cdata.cbz",
	  "<Series><![CDATA[Dr. <Stone>]]></Series><Volume>1</Volume>"
	  "<Number>0001</Number>",
	  "Dr. <Stone>", 1, 1 },
	{ "signs.cbz",
	  "<Series>   </Series><Volume>-1</Volume><Number>+5</Number>",
	  NULL, 0, 0 },
	{ "notation.cbz",
	  "<Series/><Volume>0x10</Volume><Number>1e3</Number>",
	  NULL, 0, 0 },
	{ "words.cbz",
	  "<Volume>three</Volume><Number>inf</Number>", NULL, 0, 0 },
	{ "too-big.cbz",
	  "<Volume>10000</Volume><Number>99999999999999999999999</Number>",
	  NULL, 0, 0 },
	{ "zero.cbz", "<Volume>0</Volume><Number>0</Number>", NULL, 0, 0 },
	{ "dot.cbz", "<Volume>3.</Volume><Number>.5</Number>", NULL, 0, 0 },
	{ "not-years.cbz", "<Volume>1899</Volume><Number>2019</Number>",
	  NULL, 1899, 2019 },
	{ "after-years.cbz", "<Volume>2100</Volume>", NULL, 2100, 0 },
	{ "first-wins.cbz",
	  "<Series>First</Series><Series>Second</Series>"
	  "<Volume>4</Volume><Volume>5</Volume><Number>2</Number>"
	  "<Number>9</Number>",
	  "First", 4, 2 },
	{ "any-case.cbz",
	  "<series>Saga</series><VOLUME>6</VOLUME><number>33</number>",
	  "Saga", 6, 33 },
	{ "deeper.cbz",
	  "<Pages><Series>Deep</Series><Volume>8</Volume></Pages>"
	  "<Number>4</Number>",
	  NULL, 0, 4 },
	{ "mixed.cbz",
	  "<Series>One <b>Piece</b></Series><Volume>1<!-- x -->05</Volume>",
	  "One Piece", 105, 0 },
};

static char dir[] = "/tmp/test_comicinfo.XXXXXX";

/* Bytes that look like image data: they do not compress. */
static void fill_page(char *buf, size_t len)
{
	uint32_t x = 2463534242u;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = x;
	}
}

/* Setup cannot go on without its files, so any failure ends it. */
static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		fail_msg("cannot create %s: %s", path, strerror(errno));
	if (len && fwrite(data, len, 1, f) != 1)
		fail_msg("cannot write %s", path);
	if (fclose(f))
		fail_msg("cannot write %s: %s", path, strerror(errno));
}

/* The archives are made by the real tools, so run them through sh. */
static void run(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		fail_msg("command too long: %s", fmt);
	if (system(cmd))
		fail_msg("command failed: %s", cmd);
}

/* Write the files of f under a folder of their own, then archive them. */
static void make_fixture(const struct fixture *f, const char *page)
{
	char stage[1024], path[4096], list[4096] = "";
	const struct file *file;
	size_t used = 0;
	int n;

	snprintf(stage, sizeof(stage), "%s/stage-%s", dir, f->name);
	for (file = f->files; file < f->files + MAX_FILES && file->path;
	     file++) {
		snprintf(path, sizeof(path), "%s/%s", stage, file->path);
		*strrchr(path, '/') = '\0';
		run("mkdir -p '%s'", path);
		snprintf(path, sizeof(path), "%s/%s", stage, file->path);
		if (file->data)
			write_file(path, file->data, strlen(file->data));
		else
			write_file(path, page, PAGE_LEN);
		n = snprintf(list + used, sizeof(list) - used, " '%s'",
			     file->path);
		assert_true(n > 0 && (size_t)n < sizeof(list) - used);
		used += n;
	}
	switch (f->tool) {
	case ZIP:
		run("cd '%s' && zip -q -X '../%s'%s", stage, f->name, list);
		break;
	case ZIP_ENCRYPTED:
		run("cd '%s' && zip -q -X -P secret '../%s'%s", stage, f->name,
		    list);
		break;
	case ZIP_STREAMED:
		run("cd '%s' && /usr/bin/python3 -c '%s'%s | cat > '../%s'",
		    stage, STREAM_ZIP, list, f->name);
		break;
	case TAR:
		run("cd '%s' && tar -cf '../%s' .", stage, f->name);
		break;
	}
}

/*
 * A ComicInfo.xml of exactly len bytes, padded in its Summary, made into
 * a .cbz with a page after it; it compresses to almost nothing, as a
 * bomb would.
 */
static void make_sized(const char *name, enum tool tool, size_t len,
		       const char *page)
{
	static const char head[] =
		"<ComicInfo><Series>Big</Series><Volume>7</Volume><Summary>";
	static const char tail[] = "</Summary></ComicInfo>";
	struct fixture f = { name, tool, { INFO(NULL), PAGE("p01.jpg") } };
	char *xml = malloc(len + 1);

	assert_non_null(xml);
	memset(xml, 'x', len);
	memcpy(xml, head, strlen(head));
	memcpy(xml + len - strlen(tail), tail, strlen(tail) + 1);
	f.files[0].data = xml;
	make_fixture(&f, page);
	free(xml);
}

/* The first half of an archive, as an interrupted copy leaves it. */
static void make_cut(const char *from, const char *to)
{
	char path[4096], *buf;
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, from);
	if (stat(path, &st))
		fail_msg("cannot stat %s: %s", path, strerror(errno));
	buf = malloc(st.st_size);
	assert_non_null(buf);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(buf, st.st_size, 1, f), 1);
	fclose(f);
	snprintf(path, sizeof(path), "%s/%s", dir, to);
	write_file(path, buf, st.st_size / 2);
	free(buf);
}

/* Every archive the tests read, made once for the whole group. */
static int make_fixtures(void **state)
{
	char path[4096], *page;
	size_t i;

	(void)state;
	if (!mkdtemp(dir))
		fail_msg("mkdtemp: %s", strerror(errno));
	page = malloc(PAGE_LEN);
	assert_non_null(page);
	fill_page(page, PAGE_LEN);
	for (i = 0; i < ARRAY_SIZE(fixtures); i++)
		make_fixture(&fixtures[i], page);
	for (i = 0; i < ARRAY_SIZE(value_cases); i++) {
		char xml[1024];
		struct fixture f = { value_cases[i].name, ZIP, { INFO(xml) } };

		snprintf(xml, sizeof(xml), XML("%s"), value_cases[i].body);
		make_fixture(&f, page);
	}
	make_sized("at-cap.cbz", ZIP, COMICINFO_MAX_SIZE, page);
	make_sized("over-cap.cbz", ZIP, COMICINFO_MAX_SIZE + 1, page);
	make_sized("streamed-at-cap.cbz", ZIP_STREAMED, COMICINFO_MAX_SIZE,
		   page);
	make_sized("streamed-over-cap.cbz", ZIP_STREAMED,
		   COMICINFO_MAX_SIZE + 1, page);
	make_cut("full.cbz", "cut-early.cbz");
	make_cut("late.cbz", "cut-late.cbz");
	make_cut("streamed-at-cap.cbz", "cut-at-cap.cbz");
	make_cut("streamed-over-cap.cbz", "cut-over-cap.cbz");
	snprintf(path, sizeof(path), "%s/random.cbz", dir);
	write_file(path, page, PAGE_LEN);
	snprintf(path, sizeof(path), "%s/empty.cbz", dir);
	write_file(path, "", 0);
	free(page);
	return 0;
}

/* Leave nothing behind in /tmp, whatever the outcome. */
static int remove_fixtures(void **state)
{
	(void)state;
	run("rm -rf '%s'", dir);
	return 0;
}

/*
 * Read one fixture as the scanner does, with stderr caught: whatever the
 * input, nothing may be printed. The fd's offset must not move.
 */
static int read_fixture(const char *name, struct comicinfo *ci)
{
	char path[4096], said[256];
	int fd, saved, caught, ret;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "%s/stderr", dir);
	caught = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(caught >= 0);
	fflush(stderr);
	saved = dup(2);
	assert_true(saved >= 0);
	assert_int_equal(dup2(caught, 2), 2);
	ret = comicinfo_read(fd, ci);
	fflush(stderr);
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	n = pread(caught, said, sizeof(said) - 1, 0);
	close(caught);
	if (n > 0) {
		said[n] = '\0';
		fail_msg("%s: printed \"%s\"", name, said);
	}
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 0);
	close(fd);
	return ret;
}

/*
 * Exactly this or fail, naming the fixture, as one test reads several;
 * a NULL series means "absent", which cmocka's string check cannot take.
 */
static void check(const char *name, const struct comicinfo *ci, int found,
		  const char *series, double volume, double number)
{
	if (ci->found != found)
		fail_msg("%s: expected found %d, got %d", name, found,
			 ci->found);
	if (!series != !ci->series ||
	    (series && strcmp(series, ci->series)))
		fail_msg("%s: expected series \"%s\", got \"%s\"", name,
			 series ? series : "(none)",
			 ci->series ? ci->series : "(none)");
	if (ci->volume != volume)
		fail_msg("%s: expected volume %g, got %g", name, volume,
			 ci->volume);
	if (ci->number != number)
		fail_msg("%s: expected number %g, got %g", name, number,
			 ci->number);
}

/* Read name and expect exactly this, then release. */
static void expect(const char *name, int found, const char *series,
		   double volume, double number)
{
	struct comicinfo ci;

	assert_int_equal(read_fixture(name, &ci), 0);
	check(name, &ci, found, series, volume, number);
	comicinfo_release(&ci);
}

#define NOT_FOUND(name) expect(name, 0, NULL, 0, 0)

/* ComicRack's full layout, pages after it. */
static void test_series_and_volume(void **state)
{
	(void)state;
	expect("full.cbz", 1, "Berserk", 41, 3);
}

/* Some tools put the pages and ComicInfo.xml in a folder of their own. */
static void test_in_a_subfolder(void **state)
{
	(void)state;
	expect("nested.cbz", 1, "Naruto", 5, 0);
}

/* Several in folders and none at the top: an archive of several volumes. */
static void test_several_subfolders(void **state)
{
	(void)state;
	NOT_FOUND("two-nested.cbz");
}

/*
 * One whose path climbs out of the archive describes none of it (unpacked,
 * it would land beside the volume, maybe in another series' folder); a
 * name that only starts with two dots is a folder like any other.
 */
static void test_climbing_out_not_taken(void **state)
{
	(void)state;
	NOT_FOUND("climb.cbz");
	NOT_FOUND("climb-deep.cbz");
	NOT_FOUND("climb-back.cbz");
	expect("dots.cbz", 1, "Saga", 2, 0);
}

/* The top-level one wins, before or after one in a folder. */
static void test_top_level_wins(void **state)
{
	(void)state;
	expect("top-last.cbz", 1, "Saga", 3, 0);
	expect("top-first.cbz", 1, "Saga", 3, 0);
}

/* Windows tools write names in any case. */
static void test_entry_name_any_case(void **state)
{
	(void)state;
	expect("case.cbz", 1, "Saga", 4, 0);
}

/* A chapter file can say its Number and nothing else. */
static void test_number_only(void **state)
{
	(void)state;
	expect("number.cbz", 1, NULL, 0, 12.5);
}

/* Western comics put the year of the run in Volume. */
static void test_year_is_no_volume(void **state)
{
	(void)state;
	expect("year.cbz", 1, "Saga", 0, 54);
}

/* What an OPDS entry says of a volume: Summary and Writer trimmed, the
 * date as far as its parts are valid; blank texts and bad parts are
 * none, and the first of a repeated element wins. */
static void test_summary_writer_issued(void **state)
{
	struct comicinfo ci;

	(void)state;
	assert_int_equal(read_fixture("about.cbz", &ci), 0);
	assert_string_equal(ci.summary, "Alana & Marko flee.");
	assert_string_equal(ci.writer, "Brian K. Vaughan");
	assert_string_equal(ci.issued, "2012-03-14");
	comicinfo_release(&ci);
	assert_int_equal(read_fixture("about-bad.cbz", &ci), 0);
	assert_true(ci.found);
	assert_null(ci.summary);
	assert_null(ci.writer);
	assert_string_equal(ci.issued, "");
	comicinfo_release(&ci);
	assert_int_equal(read_fixture("about-month.cbz", &ci), 0);
	assert_string_equal(ci.issued, "2012");
	assert_string_equal(ci.summary, "first");
	comicinfo_release(&ci);
}

/* Only plain decimals count, and only the text of direct children. */
static void test_values(void **state)
{
	const struct value_case *c;

	(void)state;
	for (c = value_cases; c < value_cases + ARRAY_SIZE(value_cases); c++)
		expect(c->name, 1, c->series, c->volume, c->number);
}

/* Most archives have no ComicInfo.xml; that is no error. */
static void test_no_comicinfo(void **state)
{
	(void)state;
	NOT_FOUND("none.cbz");
}

/* XML that is not well-formed gives nothing, not half of it. */
static void test_damaged_xml(void **state)
{
	(void)state;
	NOT_FOUND("damaged.cbz");
	NOT_FOUND("empty-xml.cbz");
}

/* Another format's XML under the same name is not ComicInfo. */
static void test_other_root(void **state)
{
	(void)state;
	NOT_FOUND("other-root.cbz");
}

/* Entities are never expanded: a DOCTYPE is refused outright. */
static void test_billion_laughs(void **state)
{
	(void)state;
	NOT_FOUND("laughs.cbz");
}

/* Nothing is fetched, from the disk or the network. */
static void test_external_entities(void **state)
{
	(void)state;
	NOT_FOUND("xxe.cbz");
	NOT_FOUND("dtd.cbz");
}

/* Declared encodings are converted; bad bytes in them print nothing. */
static void test_encodings(void **state)
{
	(void)state;
	expect("latin1.cbz", 1, "Ast\xc3\xa9rix", 8, 0);
	NOT_FOUND("bad-sjis.cbz");
}

/* The cap holds whether the archive gives the size or not. */
static void test_size_cap(void **state)
{
	(void)state;
	expect("at-cap.cbz", 1, "Big", 7, 0);
	NOT_FOUND("over-cap.cbz");
	expect("streamed-at-cap.cbz", 1, "Big", 7, 0);
	NOT_FOUND("streamed-over-cap.cbz");
	expect("cut-at-cap.cbz", 1, "Big", 7, 0);
	NOT_FOUND("cut-over-cap.cbz");
}

/* What comicinfo_build() writes reads back as it was given, whatever
 * the series' characters (escaped), its first volume the volume; bytes
 * XML cannot hold are replaced. */
static void test_built_reads_back(void **state)
{
	static const char *const names[] = {
		"Tom & Jerry <1> \"x\" 'y'", "\xc3\x89" "clair ]]> &amp; end",
	};
	char *page = malloc(PAGE_LEN), name[32];
	struct strbuf xml = STRBUF_INIT;
	struct comicinfo ci;

	(void)state;
	assert_non_null(page);
	fill_page(page, PAGE_LEN);
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		struct fixture f = { name, ZIP, { INFO(NULL),
						  PAGE("p01.jpg") } };

		strbuf_reset(&xml);
		assert_int_equal(comicinfo_build(names[i], 5, 6, NULL, &xml),
				 0);
		assert_non_null(strstr(xml.buf, "<Title>Volumes 5-6</Title>"));
		assert_non_null(strstr(xml.buf, "<Number>5</Number>"));
		snprintf(name, sizeof(name), "built%zu.cbz", i);
		f.files[0].data = xml.buf;
		make_fixture(&f, page);
		assert_int_equal(read_fixture(name, &ci), 0);
		check(name, &ci, 1, names[i], 5, 5);
		comicinfo_release(&ci);
	}
	/* bytes that are not UTF-8, and a control character */
	strbuf_reset(&xml);
	assert_int_equal(comicinfo_build("bad \xff" "name\x01", 1, 1, NULL,
					 &xml), 0);
	assert_non_null(strstr(xml.buf, "<Series>bad \xef\xbf\xbd" "name "
			       "</Series>"));
	assert_non_null(strstr(xml.buf, "<Title>Volume 1</Title>"));
	strbuf_release(&xml);
	free(page);
}

/* What the series' source said goes in its elements, in the schema's
 * order, escaped, the summary's paragraphs kept, and reads back. */
static void test_built_with_said(void **state)
{
	const struct comicinfo_said said = {
		.summary = "Denji & Pochita <3\n\nA \x01" "devil.",
		.writer = "Fujimoto Tatsuki, Ann Other",
		.genre = "Action, Comedy", .web = "https://mangadex.org/title/x",
		.language = "en",
	};
	char *page = malloc(PAGE_LEN);
	struct strbuf xml = STRBUF_INIT;
	struct comicinfo ci;
	struct fixture f = { "said.cbz", ZIP, { INFO(NULL),
						PAGE("p01.jpg") } };
	const char *order[] = { "<Volume>", "<Summary>", "<Writer>",
				"<Genre>", "<Web>", "<LanguageISO>",
				"<Manga>" };

	(void)state;
	assert_non_null(page);
	fill_page(page, PAGE_LEN);
	assert_int_equal(comicinfo_build("Chainsaw Man", 3, 3, &said, &xml),
			 0);
	for (size_t i = 1; i < sizeof(order) / sizeof(*order); i++)
		assert_true(strstr(xml.buf, order[i - 1]) <
			    strstr(xml.buf, order[i]));
	assert_non_null(strstr(xml.buf, "<Summary>Denji &amp; Pochita &lt;3"
			       "\n\nA  devil.</Summary>"));
	assert_non_null(strstr(xml.buf, "<Genre>Action, Comedy</Genre>"));
	assert_non_null(strstr(xml.buf, "<LanguageISO>en</LanguageISO>"));
	f.files[0].data = xml.buf;
	make_fixture(&f, page);
	assert_int_equal(read_fixture("said.cbz", &ci), 0);
	assert_string_equal(ci.summary, "Denji & Pochita <3\n\nA  devil.");
	assert_string_equal(ci.writer, "Fujimoto Tatsuki, Ann Other");
	comicinfo_release(&ci);
	strbuf_release(&xml);
	free(page);
}

/* Without the password the entry cannot be read: not found. */
static void test_encrypted(void **state)
{
	(void)state;
	NOT_FOUND("encrypted.cbz");
}

/* A volume name on something else, or on nothing at all. */
static void test_not_an_archive(void **state)
{
	(void)state;
	NOT_FOUND("random.cbz");
	NOT_FOUND("empty.cbz");
}

/* What comes before the cut is still read; what comes after is gone. */
static void test_truncated_zip(void **state)
{
	(void)state;
	expect("cut-early.cbz", 1, "Berserk", 41, 3);
	NOT_FOUND("cut-late.cbz");
}

/*
 * tar writes "./ComicInfo.xml", which is still the top level and wins
 * over "./extra/ComicInfo.xml".
 */
static void test_tar(void **state)
{
	(void)state;
	expect("volume.cbt", 1, "Akira", 6, 120);
}

/* A directory opens fine but fails every read. */
static void test_read_error(void **state)
{
	struct comicinfo ci;
	int fd;

	(void)state;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(comicinfo_read(fd, &ci), -EISDIR);
	check("a directory", &ci, 0, NULL, 0, 0);
	close(fd);
	assert_int_equal(comicinfo_read(-1, &ci), -EBADF);
	check("fd -1", &ci, 0, NULL, 0, 0);
}

/* A released struct reads as empty, and a new read starts from scratch. */
static void test_release_and_reuse(void **state)
{
	struct comicinfo ci;

	(void)state;
	assert_int_equal(read_fixture("full.cbz", &ci), 0);
	comicinfo_release(&ci);
	check("released", &ci, 0, NULL, 0, 0);
	ci.volume = 3;
	ci.found = 1;
	assert_int_equal(read_fixture("none.cbz", &ci), 0);
	check("none.cbz", &ci, 0, NULL, 0, 0);
}

/* What each thread reads, and what each read must give. */
static const struct {
	const char *name;
	int found;
	const char *series;
	double volume;
} thread_reads[] = {
	{ "full.cbz", 1, "Berserk", 41 },
	{ "bad-sjis.cbz", 0, NULL, 0 },
	{ "volume.cbt", 1, "Akira", 6 },
	{ "laughs.cbz", 0, NULL, 0 },
	{ "random.cbz", 0, NULL, 0 },
};

/* cmocka's checks cannot run off its thread: count mismatches instead. */
static void *read_many(void *arg)
{
	struct comicinfo ci;
	char path[4096];
	size_t i, k;
	int fd, ret;
	long *wrong = arg;

	for (k = 0; k < ROUNDS; k++) {
		for (i = 0; i < ARRAY_SIZE(thread_reads); i++) {
			snprintf(path, sizeof(path), "%s/%s", dir,
				 thread_reads[i].name);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0) {
				++*wrong;
				continue;
			}
			ret = comicinfo_read(fd, &ci);
			close(fd);
			if (ret || ci.found != thread_reads[i].found ||
			    ci.volume != thread_reads[i].volume ||
			    !ci.series != !thread_reads[i].series ||
			    (ci.series &&
			     strcmp(ci.series, thread_reads[i].series)))
				++*wrong;
			comicinfo_release(&ci);
		}
	}
	return NULL;
}

/*
 * The scanner reads from several threads at once; the first reads of a
 * process are where libxml2's setup could race.
 */
static void test_threads(void **state)
{
	pthread_t t[THREADS];
	long wrong[THREADS] = { 0 };
	int i;

	(void)state;
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, read_many,
						&wrong[i]), 0);
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(join_within(t[i], JOIN_S, NULL), 0);
		assert_int_equal(wrong[i], 0);
	}
}

/* The threads test comes first: libxml2 is set up by the first read. */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_series_and_volume),
		cmocka_unit_test(test_in_a_subfolder),
		cmocka_unit_test(test_several_subfolders),
		cmocka_unit_test(test_climbing_out_not_taken),
		cmocka_unit_test(test_top_level_wins),
		cmocka_unit_test(test_built_reads_back),
		cmocka_unit_test(test_built_with_said),
		cmocka_unit_test(test_entry_name_any_case),
		cmocka_unit_test(test_number_only),
		cmocka_unit_test(test_year_is_no_volume),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_summary_writer_issued),
		cmocka_unit_test(test_no_comicinfo),
		cmocka_unit_test(test_damaged_xml),
		cmocka_unit_test(test_other_root),
		cmocka_unit_test(test_billion_laughs),
		cmocka_unit_test(test_external_entities),
		cmocka_unit_test(test_encodings),
		cmocka_unit_test(test_size_cap),
		cmocka_unit_test(test_encrypted),
		cmocka_unit_test(test_not_an_archive),
		cmocka_unit_test(test_truncated_zip),
		cmocka_unit_test(test_tar),
		cmocka_unit_test(test_read_error),
		cmocka_unit_test(test_release_and_reuse),
	};

	return cmocka_run_group_tests(tests, make_fixtures, remove_fixtures);
}
