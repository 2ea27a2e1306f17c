/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The texts of the table of options (fs/options.def): --help,
 * --version and mediamon(8)'s OPTIONS items, all three made from its
 * rows. It parses nothing (main.c does, from the same rows) and keeps
 * no state.
 */
#include <curl/curl.h>
#include <fuse_lowlevel.h>
#include <microhttpd.h>
#include <stddef.h>
#include <string.h>

#include "common/db.h"
#include "fs/options.h"

#define HELP_INDENT 27		/* the column a help starts at */
#define HELP_WIDTH 79		/* the last column of a line of --help */

static const struct {
	const char *help_head, *help, *man_head, *man;
} rows[] = {
#define LIBRARIES_SENTENCE NULL
#define MEDIAMON_OPTION(parse, help_head, help, man_head, man) \
	{ help_head, help, man_head, man },
#define MEDIAMON_LIBRARY(name, version)
#include "fs/options.def"
#undef MEDIAMON_OPTION
#undef MEDIAMON_LIBRARY
};

#define ROWS (sizeof(rows) / sizeof(*rows))

/* help after the head (on the next line when the head leaves less than
 * two blanks before HELP_INDENT), its words cut to lines that end by
 * HELP_WIDTH, each from HELP_INDENT (a longer word alone). */
static void help_item(FILE *out, const char *head, const char *help)
{
	int col = fprintf(out, "    %s", head);
	size_t n;

	if (col > HELP_INDENT - 2) {
		fputc('\n', out);
		col = 0;
	}
	for (const char *s = help; *s; s += n + (s[n] == ' ')) {
		n = strcspn(s, " ");
		if (col > HELP_INDENT && col + 1 + (int)n > HELP_WIDTH) {
			fputc('\n', out);
			col = 0;
		}
		col += fprintf(out, "%*s%.*s", col < HELP_INDENT ?
			       HELP_INDENT - col : 1, "", (int)n, s);
	}
	fputc('\n', out);
}

void options_print_help(FILE *out, const char *prog)
{
	fprintf(out, "usage: %s [options] MOUNTPOINT\n\n"
		"Indexes music and manga libraries and shows the index, its\n"
		"status and its controls as files under MOUNTPOINT.\n\n"
		"options:\n", prog);
	for (size_t i = 0; i < ROWS; i++)
		if (rows[i].help_head)
			help_item(out, rows[i].help_head, rows[i].help);
	fputs("Other -o options go to the kernel's mount (see fuse(8)); one\n"
	      "naming a key of the configuration file is refused.\n", out);
}

void options_print_version(FILE *out)
{
	const char *sep = " (";

	fprintf(out, "mediamon %s", MEDIAMON_VERSION);
#define MEDIAMON_OPTION(parse, help_head, help, man_head, man)
#define MEDIAMON_LIBRARY(name, version) \
	fprintf(out, "%s%s %s", sep, name, version); \
	sep = ", ";
#include "fs/options.def"
#undef MEDIAMON_LIBRARY
	fputs(")\n", out);
}

static const char *const library_names[] = {
#define MEDIAMON_LIBRARY(name, version) name,
#include "fs/options.def"
#undef MEDIAMON_LIBRARY
#undef MEDIAMON_OPTION
};

#define LIBRARIES (sizeof(library_names) / sizeof(*library_names))

/* --version's item: "The version, and those of A, B and C." */
static void libraries_sentence(FILE *out)
{
	fputs("The version, and those of ", out);
	for (size_t i = 0; i < LIBRARIES; i++)
		fprintf(out, "%s%s", i == 0 ? "" : i + 1 < LIBRARIES ? ", " :
			" and ", library_names[i]);
	fputs(".\n", out);
}

void options_print_man(FILE *out)
{
	fputs(".\\\" The options: fs/options.def\n", out);
	for (size_t i = 0; i < ROWS; i++) {
		if (!rows[i].man_head)
			continue;
		fprintf(out, ".TP\n%s\n", rows[i].man_head);
		if (rows[i].man)
			fputs(rows[i].man, out);
		else
			libraries_sentence(out);
	}
	fputs(".\\\" End of the options\n", out);
}
