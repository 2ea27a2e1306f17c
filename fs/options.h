/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_FS_OPTIONS_H
#define MEDIAMON_FS_OPTIONS_H

#include <stdio.h>

/* --help: the usage line, then each option of fs/options.def with a
 * help line, its help cut to 80 columns. */
void options_print_help(FILE *out, const char *prog);

/* --version: mediamon's, then each library's of the table. */
void options_print_version(FILE *out);

/* mediamon(8)'s items of the options, between two comments (roff). */
void options_print_man(FILE *out);

#endif
