/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_TEST_NAMES_KINDS_H
#define MEDIAMON_TEST_NAMES_KINDS_H

/* The kinds of names.h, short, for the tables of test_names*.c. */

#include "indexer/manga/names.h"

#define NONE NAMES_NONE
#define VOL NAMES_VOLUME
#define CHAP NAMES_CHAPTER
#define SPEC NAMES_SPECIAL

#endif
