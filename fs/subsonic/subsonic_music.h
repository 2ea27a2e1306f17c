/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_MUSIC_H
#define MEDIAMON_SUBSONIC_MUSIC_H
/*
 * The music of the Subsonic API (fs/subsonic/subsonic.h), read from the mount's
 * /library/music/artists view with the rights of the user this thread
 * holds (caller_begin_user()): an artist, album or track the user may
 * not read there is not there for it either.
 *
 * Ids: a song is "so" and its file's files.id in decimal, which the
 * index keeps across rescans, restarts and the renames and moves within
 * a root it sees (indexer/library/gone.h), so a client's starred songs
 * and offline copies stay valid; an artist is "ar" and the hex of its
 * folder's name, an album "al" and the hex of ARTIST/ALBUM without the
 * year of its folder (fs/subsonic/subsonic_albumid.h), both named by
 * the tags, so they last as long as those tags do. Ids of the form
 * songs had before ("tr" and the hex of a path) name nothing. An album
 * with a cover.EXT in the view, and its songs, have coverArt, the
 * album's id. A song analysed has the OpenSubsonic replayGain
 * (trackGain, albumGain, trackPeak) of its view attributes. A song's
 * duration is its track's length in whole seconds and its created the
 * time the index first met its file; an album's are their sum and the
 * earliest of them.
 *
 * Each function adds its member to body (a subsonic-response object)
 * and returns 0, a negative errno value, or SUBSONIC_NOT_FOUND when id
 * names nothing the user may see.
 */
#include <stdint.h>

#include <jansson.h>

struct strbuf;

#define SUBSONIC_NOT_FOUND 70
/* The view the music is read from. */
#define SUBSONIC_MUSIC_TOP "/library/music/artists"

/* The id of prefix ("ar", "al", "tr", ...) and the path rel: prefix and
 * the hex of rel's bytes, a new string, or NULL. */
json_t *subsonic_music_id(const char *prefix, const char *rel);
/* The id of the artist of rel, "ARTIST/...", a new string, or NULL. */
json_t *subsonic_music_artist_id(const char *rel);
/* getArtist: the artist id and its albums, its albumCount, and the cover
 * of the first album with one as its coverArt. */
int subsonic_music_artist(json_t *body, const char *id);
/* getAlbum: the album id and its songs. */
int subsonic_music_album(json_t *body, const char *id);
/* Every album the user may see, in the view's order (by artist, then
 * album), into *out (a new array), each {"album": the AlbumID3 with its
 * songs ("song") as getAlbum gives it, "files": the files.id of each
 * song}: 0 or a negative errno value. */
int subsonic_music_albums(json_t **out);
/* The files.id of the tracks of /similar/"ARTIST TITLE" of the song id
 * (its artist and title tags, or its file's name), most alike first,
 * into *files (a new array): 0, a negative errno value or
 * SUBSONIC_NOT_FOUND. */
int subsonic_music_similar(const char *id, json_t **files);
/* The mount path of the cover.EXT of the album id, or of the album of
 * the song id, into out, for getCoverArt: 0, a negative errno value or
 * SUBSONIC_NOT_FOUND (no such album, or one without a cover). */
int subsonic_music_cover(const char *id, struct strbuf *out);
/* The children of the mount's folder path, its folders (dirs) or the
 * files of its tracks and images, in the view's order, into *items (a
 * new array of {"name", "file": its files.id}): 0, a negative errno
 * value, or SUBSONIC_NOT_FOUND when the user may not list it. */
int subsonic_music_children(const char *path, int dirs, json_t **items);
/* Whether file (a files.id) is a track's: the album folders of the view
 * hold their images too. */
int subsonic_music_is_track(int64_t file);
/* Whether the album folder rel ("ARTIST/ALBUM") holds a track file the
 * user may see, into *track, and a cover.EXT, into *cover: 0, a negative
 * errno value, or SUBSONIC_NOT_FOUND. */
int subsonic_music_album_holds(const char *rel, int *track, int *cover);
/* The files.id the song id names (whether the user may see it or not),
 * or 0 when id is no song's. */
int64_t subsonic_music_file(const char *id);
/* The song (Child), album (AlbumID3 without its songs) or artist
 * (ArtistID3 without its albums) id names into *out (a new object): 0,
 * a negative errno value, or SUBSONIC_NOT_FOUND. */
int subsonic_music_get(const char *id, json_t **out);
/* The Child of the track file named name in the album folder rel
 * ("ARTIST/ALBUM") into *out (a new object), with the album's id as its
 * coverArt when cover: 0, a negative errno value, or SUBSONIC_NOT_FOUND
 * when the user may not read it or it is no track's. */
int subsonic_music_song_at(const char *rel, const char *name, int64_t file,
			   int cover, json_t **out);
/* getSong: the song id. */
int subsonic_music_song(json_t *body, const char *id);
/* The mount path of the song id into out, for stream and download: 0 or
 * SUBSONIC_NOT_FOUND. */
int subsonic_music_path(const char *id, struct strbuf *out);
#endif
