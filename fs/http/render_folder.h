/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RENDER_FOLDER_H
#define MEDIAMON_RENDER_FOLDER_H

/*
 * The page of a folder of the mount over HTTP, as the caller of this
 * thread may see it: its own cover on top when it holds one, its
 * folders as a grid of cards (ul#folders), each with the cover it holds
 * (an album's), then its files (ul#files), sized for a phone and
 * spreading over a TV. Links are relative: the folder's URL ends with a
 * slash.
 */

#include "common/strbuf.h"

/* Append the page of the mount's folder path to out: 0, or a negative
 * errno value (nothing appended that matters then). */
int render_folder_page(const char *path, struct strbuf *out);

#endif
