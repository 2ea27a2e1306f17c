/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_ALBUMID_H
#define MEDIAMON_SUBSONIC_ALBUMID_H
/*
 * Album ids that last (fs/subsonic/subsonic_music.h): the view names an
 * album's folder "TITLE (YEAR)", YEAR the latest of its songs', so a
 * song of a later year joining it renames the folder. An album's id is
 * "al" and the hex of ARTIST/TITLE, its folder's name without that
 * " (YEAR)" (four digits), so it stays, and with it the album's star
 * and a player's copy. An id of the form before, with the year, still
 * names its album, and a star kept by it is the album's star.
 *
 * An id names the album folder of ARTIST called as it says, else the
 * first whose name without its year is the id's: two albums of one
 * artist whose folders differ only by a year (an album "Live" of 1999
 * and one whose title is "Live (2001)") share an id, the first's.
 */
#include <stddef.h>

#include <jansson.h>

struct strbuf;

/* How many bytes of rel, an album's "ARTIST/FOLDER", its id is made of
 * (its folder's year left out). */
size_t subsonic_albumid_len(const char *rel);

/* The name of the folder of items (an artist folder's folders, as
 * subsonic_music_children() lists them) that an album id whose folder
 * part is want names now, borrowed from items, or NULL. */
const char *subsonic_albumid_folder(json_t *items, const char *want);

/* The album id id in its form of today (its year left out, its hex in
 * lower case) into out, a copy of id when it is no album's id in hex:
 * for the stars kept by an album's id of before. */
void subsonic_albumid_today(const char *id, struct strbuf *out);
#endif
