/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The documents' lists made from the tables (make docs): "conf-man"
 * prints mediamon.conf(5)'s list of each section's keys, "conf-example"
 * contrib/mediamon.conf.example's keys, each from the key table
 * (common/config_keys.def) with its type, range or choices, default (as
 * config_init and the table set it) and help; "mount-man" mediamon(8)'s
 * list of the mount's files and folders, from the node table's help
 * (fs/tree/nodes.c), the one the README is made from; "checks-man" its list of
 * the columns of /metrics/checks.csv, the file's own header
 * (fs/tree/render_monitor.c); "threads-man" its list of the threads, from
 * their table (common/threads.def); "subsonic-man" mediamon.conf(5)'s
 * list of the OpenSubsonic methods and "subsonic-methods" the same rows
 * as tab-separated lines (name, flags, since, help) for the tests, both
 * from the methods' table (fs/subsonic/subsonic_methods.def);
 * "options-man" mediamon(8)'s items of the options, from their table
 * (fs/options.def, as --help and the parser). A separate
 * program rather
 * than a daemon option: the daemon keeps no code it never runs.
 * tests/integration/test_docs_drift.py puts them in the files (--write)
 * and fails when a file differs. Reads and writes no file.
 */

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "common/config_table.h"
#include "common/strbuf.h"
#include "common/thread.h"
#include "fs/options.h"
#include "fs/tree/nodes.h"
#include "fs/subsonic/subsonic.h"
#include "fs/tree/render_monitor.h"

#define WIDTH 72		/* of a line of help */

static void add_range(struct strbuf *out, const char *unit, long min,
		      long max, long top)
{
	char a[32], b[32];

	if (!strcmp(unit, "ms")) {
		snprintf(a, sizeof(a), "%ldms", min);
		if (max % 1000)
			snprintf(b, sizeof(b), "%ldms", max);
		else
			config_format_duration(max / 1000, b, sizeof(b));
	} else if (*unit) {
		config_format_duration(min, a, sizeof(a));
		config_format_duration(max, b, sizeof(b));
	} else {
		snprintf(a, sizeof(a), "%ld", min);
		snprintf(b, sizeof(b), "%ld", max);
	}
	if (max == top)
		strbuf_addf(out, "%s or more", a);
	else
		strbuf_addf(out, "%s to %s", a, b);
}

static void add_choices(struct strbuf *out, const char *const *c)
{
	for (const char *const *p = c; p && *p; p++)
		strbuf_addf(out, "%s%s", p == c ? "" : ", ", *p);
}

/* What a value of k is, as the man page's item says it: "1 to 256". */
static void type_text(const struct key *k, struct strbuf *out)
{
	static const char *const words[] = {
		[T_STRING] = "text", [T_URL] = "URL", [T_IDS] =
		"numbers separated by commas", [T_TEMPLATE] = "template",
		[T_DIR] = "folder", [T_MAP] = "REMOTE:LOCAL",
		[T_BOOL] = "boolean", [T_USER] = "user name",
		[T_RATIO] = "above 0, at most 1, or a percentage",
	};

	if (k->form)
		strbuf_addf(out, "%s%s", k->form, k->type == T_INT ? ", " : "");
	switch (k->type) {
	case T_STRING:
		if (!k->form)
			strbuf_addstr(out, words[T_STRING]);
		break;
	case T_ENUM:
		add_choices(out, k->choices);
		break;
	case T_LIST:
		strbuf_addstr(out, "list");
		if (k->choices)
			strbuf_addstr(out, " of ");
		add_choices(out, k->choices);
		break;
	case T_INT:
		add_range(out, "", k->min, k->max, INT_MAX);
		break;
	case T_DURATION:
		strbuf_addstr(out, "duration");
		if (!k->min && k->max == LONG_MAX)
			break;
		strbuf_addstr(out, ", ");
		add_range(out, "s", k->min, k->max, LONG_MAX);
		break;
	case T_MSEC:
		strbuf_addstr(out, "milliseconds: 200, 200ms or 2s; ");
		add_range(out, "ms", k->min, k->max, LONG_MAX);
		break;
	default:
		strbuf_addstr(out, words[k->type]);
	}
	if (k->flags & REPEAT)
		strbuf_addstr(out, ", repeatable");
	if (k->flags & SECRET)
		strbuf_addstr(out, ", secret");
}

/* The default of k: its words, its value after config_init or the
 * table's, or "unset". */
static void default_text(const struct config *cfg, const struct key *k,
			 struct strbuf *out)
{
	size_t len = out->len;

	if (k->def_text)
		k->def_text(out);
	else if (k->def_doc)
		strbuf_addstr(out, k->def_doc);
	else if (k->def)
		strbuf_addstr(out, k->def);
	else
		config_value_text(cfg, k, out);
	if (out->len == len)
		strbuf_addstr(out, "unset");
}

/* s (n bytes) as roff text: a hyphen is \\-, a backslash \\e. */
static void roff_put(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '-' || s[i] == '\\')
			fputs(s[i] == '-' ? "\\-" : "\\e", stdout);
		else
			putchar(s[i]);
	}
}

/* A line of roff text, which no control character opens. */
static void roff_line(const char *s, size_t n)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", stdout);
	roff_put(s, n);
	putchar('\n');
}

static void plain_line(const char *s, size_t n)
{
	printf("%.*s\n", (int)n, s);
}

/* text cut at blanks into lines of at most WIDTH bytes (a longer word
 * alone), each written by line() after prefix. */
static void wrap(const char *text, const char *prefix,
		 void (*line)(const char *s, size_t n))
{
	const char *s = text, *cut;

	while (*s) {
		cut = s + strlen(s);
		if (cut - s > WIDTH) {
			cut = s + WIDTH;
			while (cut > s && *cut != ' ')
				cut--;
			if (cut == s)
				cut = strchrnul(s + WIDTH, ' ');
		}
		fputs(prefix, stdout);
		line(s, cut - s);
		s = *cut ? cut + 1 : cut;
	}
}

/* A key as an item of mediamon.conf(5). */
static void man_key(const struct config *cfg, const struct key *k,
		    struct strbuf *buf)
{
	strbuf_reset(buf);
	type_text(k, buf);
	printf(".TP\n.BI %s \" (", k->name);
	roff_put(buf->buf, buf->len);
	printf(")\"\n");
	wrap(k->help, "", roff_line);
	strbuf_reset(buf);
	strbuf_addstr(buf, "Default: ");
	default_text(cfg, k, buf);
	strbuf_addch(buf, '.');
	wrap(buf->buf, "", roff_line);
}

/*
 * A key as contrib/mediamon.conf.example shows it: its help, then the
 * key with its default, commented out (a default in words on a line of
 * its own).
 */
static void example_key(const struct config *cfg, const struct key *k,
			struct strbuf *buf)
{
	wrap(k->help, "# ", plain_line);
	strbuf_reset(buf);
	if (k->def_doc || k->def_text) {
		strbuf_addstr(buf, "Default: ");
		default_text(cfg, k, buf);
		strbuf_addch(buf, '.');
		wrap(buf->buf, "# ", plain_line);
		printf("# %s =\n", k->name);
		return;
	}
	default_text(cfg, k, buf);
	if (!strcmp(buf->buf, "unset"))
		printf("# %s =\n", k->name);
	else
		printf("# %s = %s\n", k->name, buf->buf);
}

/* Each section's keys, the man page's between two comments naming it;
 * 1 when a key lacks its help (said on stderr). */
static int keys(int man)
{
	int missing = 0;
	struct strbuf buf = STRBUF_INIT;
	const struct key *k, *end = config_keys + config_keys_nr;
	struct config cfg;

	config_init(&cfg);
	for (k = config_keys; k < end; k++) {
		if (!k->help) {
			fprintf(stderr, "mediamon-docs: %s in [%s] has no .help"
				" in common/config_keys.def\n", k->name,
				k->section);
			missing = 1;
			continue;
		}
		if (k == config_keys || strcmp(k[-1].section, k->section)) {
			if (man)
				printf(".\\\" The keys of [%s]: "
				       "common/config_keys.def\n", k->section);
			else
				printf("%s[%s]\n", k == config_keys ? "" :
				       "\n", k->section);
		}
		if (man)
			man_key(&cfg, k, &buf);
		else
			example_key(&cfg, k, &buf);
		if (man && (k + 1 == end || strcmp(k[1].section, k->section)))
			printf(".\\\" End of the keys of [%s]\n", k->section);
	}
	strbuf_release(&buf);
	return missing;
}

static void mount_item(const char *path, const char *help, void *arg)
{
	(void)arg;
	printf(".TP\n.I ");
	roff_put(path, strlen(path));
	putchar('\n');
	wrap(help, "", roff_line);
}

/* The files and folders of the mount, between two comments. */
static int mount_files(void)
{
	printf(".\\\" The files of the mount: fs/tree/nodes.c\n");
	nodes_each_help(mount_item, NULL);
	printf(".\\\" End of the files of the mount\n");
	return 0;
}

/* checks.csv's columns as a sentence, between two comments. */
static int checks_columns(void)
{
	struct strbuf head = STRBUF_INIT, text = STRBUF_INIT;

	render_monitor_checks_head(&head);
	for (const char *c = head.buf; *c; c++)
		if (*c == ',')
			strbuf_addstr(&text, ", ");
		else
			strbuf_addch(&text, *c);
	strbuf_addch(&text, '.');
	printf(".\\\" The columns of checks.csv: fs/tree/render_monitor.c\n");
	wrap(text.buf, "", roff_line);
	printf(".\\\" End of the columns of checks.csv\n");
	strbuf_release(&head);
	strbuf_release(&text);
	return 0;
}

/* The threads' names, each with its help, between two comments. */
static int threads(void)
{
	printf(".\\\" The threads: common/threads.def\n");
	for (size_t i = 0; i < thread_rows_nr; i++) {
		printf(".TP\n.B ");
		roff_put(thread_rows[i].name, strlen(thread_rows[i].name));
		putchar('\n');
		wrap(thread_rows[i].help, "", roff_line);
	}
	printf(".\\\" End of the threads\n");
	return 0;
}

/* The rows of the OpenSubsonic methods' table (the functions left to
 * the dispatcher). */
static const struct {
	const char *name;
	unsigned flags;
	const char *since;
	const char *help;
} methods[] = {
#define SUBSONIC_METHOD(name, fn, flags, since, help) \
	{ #name, flags, since, help },
#include "fs/subsonic/subsonic_methods.def"
#undef SUBSONIC_METHOD
};

/* The words of a method's flags: "reads, a file", "not yet". */
static void flag_words(unsigned flags, struct strbuf *out)
{
	static const char *const words[] = {
		"reads", "writes", "a file", "not yet", "never",
	};

	strbuf_reset(out);
	for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++)
		if (flags & 1U << i)
			strbuf_addf(out, "%s%s", out->len ? ", " : "",
				    words[i]);
}

/* The methods, as man page items between two comments (man) or as
 * tab-separated lines. */
static int subsonic_methods(int man)
{
	struct strbuf words = STRBUF_INIT, text = STRBUF_INIT;

	if (man)
		printf(".\\\" The OpenSubsonic methods: "
		       "fs/subsonic/subsonic_methods.def\n.RS\n");
	for (size_t i = 0; i < sizeof(methods) / sizeof(*methods); i++) {
		flag_words(methods[i].flags, &words);
		if (!man) {
			printf("%s\t%s\t%s\t%s\n", methods[i].name, words.buf,
			       methods[i].since, methods[i].help);
			continue;
		}
		strbuf_reset(&text);
		strbuf_addf(&text, "(%s%s%s%s) %s", strncmp(methods[i].since,
			    "1.", 2) ? "" : "since ", methods[i].since,
			    words.len ? "; " : "", words.buf, methods[i].help);
		printf(".TP\n.B %s\n", methods[i].name);
		wrap(text.buf, "", roff_line);
	}
	if (man)
		printf(".RE\n.\\\" End of the OpenSubsonic methods\n");
	strbuf_release(&words);
	strbuf_release(&text);
	return 0;
}

int main(int argc, char **argv)
{
	int ret;

	if (argc == 2 && !strcmp(argv[1], "conf-man"))
		ret = keys(1);
	else if (argc == 2 && !strcmp(argv[1], "conf-example"))
		ret = keys(0);
	else if (argc == 2 && !strcmp(argv[1], "mount-man"))
		ret = mount_files();
	else if (argc == 2 && !strcmp(argv[1], "checks-man"))
		ret = checks_columns();
	else if (argc == 2 && !strcmp(argv[1], "threads-man"))
		ret = threads();
	else if (argc == 2 && !strcmp(argv[1], "subsonic-man"))
		ret = subsonic_methods(1);
	else if (argc == 2 && !strcmp(argv[1], "subsonic-methods"))
		ret = subsonic_methods(0);
	else if (argc == 2 && !strcmp(argv[1], "options-man"))
		options_print_man(stdout), ret = 0;
	else {
		fprintf(stderr, "usage: mediamon-docs conf-man|conf-example|"
			"mount-man|checks-man|threads-man|subsonic-man|"
			"subsonic-methods|options-man\n");
		return 2;
	}
	return fflush(stdout) || ret;
}
