/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_COVERS_H
#define MEDIAMON_COVERS_H

/*
 * Cover art and artist images for the library views.
 *
 * An album folder of a music view shows its cover as cover.EXT and
 * folder.EXT: the image file in the folder of the album's first track
 * (cover, folder, front, album, each as .jpg .jpeg .png .webp, in any
 * case, the first of these sixteen found winning), else, when that
 * folder holds one disc of the album (covers_disc_folder()), the
 * image file in the album folder above it, else the picture embedded in
 * one of the album's tracks (the first front cover in track order, else
 * the first picture). An artist folder shows artist.EXT when artist.jpg
 * or artist.png (any case) sits in the folder above the folders of its
 * albums (above the album folder of a disc folder, two levels above the
 * tracks). EXT follows the real type: .jpg (also for .jpeg and
 * image/jpeg), .png, .webp or .gif.
 *
 * With cover art off ([music] covers = no, covers_enable()), there is
 * none: no album or artist has an image, and there are no albums to list
 * with or without one.
 *
 * A folder image is served as the real file it is. An embedded picture
 * is read from its track (picture.h) only when opened, into an anonymous
 * in-memory file that the open handle reads like a real one, one for all
 * the opens of that picture (cover_copies.h). A picture recorded larger
 * than [music] max_picture is no cover: the scan does not note it
 * (music.c says so in the log), and one noted before a lower cap is not
 * shown.
 *
 * In a node, an embedded picture is the negated files.id of its track,
 * so that the NODE_REAL paths of fs/tree/views.c serve it, opened as the
 * mount's caller (fs/tree/caller.h):
 *
 *	struct cover c;
 *
 *	if (!covers_album(first_track_file, &c))
 *		add "cover" c.ext and "folder" c.ext, both standing for
 *		c.file (a NODE_REAL's file)
 *	...
 *	if (n.file < 0)
 *		fd = covers_open(-n.file, caller_open, &copy);
 *	...
 *	close(fd);
 *	cover_copies_put(copy);
 */

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

struct cover {
	/* What a NODE_REAL of the cover holds: a folder image's files.id,
	 * or minus the files.id of the track holding the picture. */
	int64_t file;
	char ext[8];		/* ".jpg", ".png", ".webp", ".gif" */
};

/* Whether cover art is on ([music] covers): on until the indexer first
 * starts (covers_enable()), and as the configuration in use says after.
 * Any thread. */
void covers_enable(int on);
int covers_enabled(void);

/* The largest embedded picture taken as a cover, in bytes ([music]
 * max_picture): set when the indexer starts. Any thread. */
void covers_set_max_picture(uint64_t bytes);
uint64_t covers_max_picture(void);

/*
 * Find the cover of the album of the track whose files.id is track (in
 * the folder of that track, then in the album folder above a disc
 * folder, then embedded in the album's tracks; a track without an album
 * only looks at itself). Returns 0 and fills *out,
 * -ENOENT when the album has no cover, or another negative errno value
 * when the store cannot be read.
 */
int covers_album(int64_t track, struct cover *out);

/*
 * Whether a folder's name (len bytes) says it holds one disc of an
 * album: "CD", "Disc" or "Disk" in any case, an optional space, a
 * number, then nothing or " - " and a subtitle ("CD1", "disc 2",
 * "Disk 3 - Live"). Returns 1 or 0.
 */
int covers_disc_folder(const char *name, size_t len);

/*
 * Find an artist image in the folder above the album folder of one of
 * the nr folders (their directories.id) in dirs, looked at in that
 * order. Returns 0 and fills *out, -ENOENT when there is none, or
 * another negative errno value.
 */
int covers_artist(const int64_t *dirs, size_t nr, struct cover *out);

/*
 * Rank a file's base name (len bytes) as a cover when artist is 0, as an
 * artist image otherwise: 0 is the best; -1 when the name is not one.
 * The extension of the entry it gives is stored in *ext.
 */
int covers_rank(const char *name, size_t len, int artist,
		const char **ext);

/*
 * Call fn for every album of the store on db, by album artist then title:
 * its album artist ("Unknown Artist" when it has none), its title, the
 * absolute folder of its first track (the album folder above it for a
 * disc folder), and whether covers_album() finds it a cover (as
 * album_covers holds it: see covers_refresh()). Stops when fn returns
 * nonzero. Returns 0 or a negative errno value.
 */

/*
 * On the writer's connection db, inside its transaction: settle in
 * album_covers (one row per album that covers_album() finds a cover for)
 * the albums that the store's triggers marked in covers_dirty (their
 * tracks or embedded pictures changed) and in covers_dirty_dirs (the
 * images of a folder changed: the albums of its tracks and of the disc
 * folders right below it), and clear the marks. Nothing is done while
 * the tracks_album index is missing (a bulk load): the marks wait for
 * the call after it. Returns 0 or a negative errno value.
 */
int covers_refresh(sqlite3 *db);

/*
 * Call fn for each album album_covers has no cover for, by artist and
 * title, with the folder of its first track (the album's own folder above
 * a disc folder). Nothing while covers are switched off. Returns 0, fn's
 * negative value, or a negative errno value (logged).
 */
int covers_each_uncovered(sqlite3 *db,
			  int (*fn)(void *arg, const char *artist,
				    const char *album, const char *folder),
			  void *arg);

/* covers_each_uncovered() on the calling thread's read connection, in
 * one read transaction: for the mount's /status/no-cover. */
int covers_uncovered(int (*fn)(void *arg, const char *artist,
			       const char *album, const char *folder),
		     void *arg);

/*
 * stat() the track whose files.id is track for its embedded picture,
 * through stat_file (which returns 0 or a negative errno value, as the
 * mount's caller would: fs/tree/caller.h): the track's times and owner, a
 * read-only regular file of the picture's recorded size. Returns 0,
 * -ENOENT when the track or its picture is gone, or the error of
 * stat_file.
 */
int covers_stat(int64_t track,
		int (*stat_file)(const char *path, struct stat *st),
		struct stat *st);

/*
 * Read the picture embedded in the track whose files.id is track, which
 * open_file opens (returning a descriptor or a negative errno value), and
 * return a read-only descriptor of the in-memory file holding exactly its
 * bytes, shared with the other opens of that picture; a copy kept is
 * given only once open_file has opened the track. *copy is set to the
 * copy to give back with cover_copies_put() once the descriptor is
 * closed (NULL on failure). Returns the descriptor, -ENOENT when the
 * track or its picture is gone or the picture is over max_picture, the
 * error of open_file, -EIO when the recorded picture runs past the end
 * of the file, or another negative errno value.
 */
struct cover_copy;
int covers_open(int64_t track, int (*open_file)(const char *path, int flags),
		struct cover_copy **copy);

#endif
