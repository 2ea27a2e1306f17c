#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <FLAC/metadata.h>

#include "indexer/library/tags.h"
#include "indexer/library/tags_util.h"

#define OPEN_FAILED FLAC__METADATA_SIMPLE_ITERATOR_STATUS_ERROR_OPENING_FILE
#define NO_MEMORY FLAC__METADATA_SIMPLE_ITERATOR_STATUS_MEMORY_ALLOCATION_ERROR

enum vkind { V_TEXT, V_POS, V_COUNT, V_YEAR };

/* The Vorbis comment names the index reads, matched without case. */
static const struct vkey {
	const char *name;
	enum vkind kind;
	size_t field, total;
} vkeys[] = {
	{ "TITLE", V_TEXT, F(title), 0 },
	{ "ARTIST", V_TEXT, F(artist), 0 },
	{ "ALBUMARTIST", V_TEXT, F(album_artist), 0 },
	{ "ALBUM ARTIST", V_TEXT, F(album_artist), 0 },
	{ "ALBUM", V_TEXT, F(album), 0 },
	{ "GENRE", V_TEXT, F(genre), 0 },
	{ "TRACKNUMBER", V_POS, F(track), F(track_total) },
	{ "TRACKTOTAL", V_COUNT, F(track_total), 0 },
	{ "TOTALTRACKS", V_COUNT, F(track_total), 0 },
	{ "DISCNUMBER", V_POS, F(disc), F(disc_total) },
	{ "DISCTOTAL", V_COUNT, F(disc_total), 0 },
	{ "TOTALDISCS", V_COUNT, F(disc_total), 0 },
	{ "DATE", V_YEAR, F(year), 0 },
	{ "YEAR", V_YEAR, F(year), 0 },
	{ "MUSICBRAINZ_TRACKID", V_TEXT, F(mb_track_id), 0 },
	{ "MUSICBRAINZ_ALBUMID", V_TEXT, F(mb_album_id), 0 },
	{ "MUSICBRAINZ_ARTISTID", V_TEXT, F(mb_artist_id), 0 },
	{ "MUSICBRAINZ_ALBUMARTISTID", V_TEXT, F(mb_album_artist_id), 0 },
};

/*
 * A comment is "NAME=value"; libFLAC NUL-terminates the entry, so the
 * value can be parsed as a C string. One without '=' is damage.
 */
static int take_comment(struct tags *t,
			const FLAC__StreamMetadata_VorbisComment_Entry *e)
{
	const char *s = (const char *)e->entry, *eq;
	const struct vkey *k;
	size_t klen;
	char *base = (char *)t;
	void *f;

	if (!s)
		return 0;
	eq = memchr(s, '=', e->length);
	if (!eq) {
		t->tag_error = 1;
		return 0;
	}
	klen = eq - s;
	for (k = vkeys; k < vkeys + ARRAY_SIZE(vkeys); k++) {
		if (strlen(k->name) != klen || strncasecmp(s, k->name, klen))
			continue;
		f = base + k->field;
		switch (k->kind) {
		case V_TEXT:
			return tags_add(t, f, eq + 1, e->length - klen - 1);
		case V_POS:
			tags_parse_pos(eq + 1, f, (int *)(base + k->total));
			break;
		case V_COUNT:
			tags_parse_pos(eq + 1, f, NULL);
			break;
		case V_YEAR:
			tags_parse_year(eq + 1, f);
			break;
		}
		return 0;
	}
	return 0;
}

/*
 * get_block() would read a whole picture into memory, and pictures can be
 * megabytes: only the fields in front of the image are read, to know
 * where it is. A head that does not fit in the block is damage.
 */
static int note_picture(int fd, FLAC__Metadata_SimpleIterator *it,
			struct tags *t)
{
	unsigned char small[512], *buf = small;
	uint64_t off = FLAC__metadata_simple_iterator_get_block_offset(it) +
		       FLAC__STREAM_METADATA_HEADER_LENGTH;
	unsigned int len = FLAC__metadata_simple_iterator_get_block_length(it);
	size_t want = len < sizeof(small) ? len : sizeof(small), need;
	struct picture pic;
	ssize_t n;
	int rc;

	t->has_picture = 1;
	if (t->no_pictures)
		return 0;
	for (;;) {
		n = pread(fd, buf, want, off);
		if (n < 0) {
			rc = -errno;
			break;
		}
		t->bytes_read += n;
		rc = picture_flac(buf, n, off, len, &pic, &need);
		if (rc != -ENODATA || (size_t)n < want || buf != small)
			break;
		buf = malloc(need);
		if (!buf)
			return -ENOMEM;
		want = need;
	}
	if (buf != small)
		free(buf);
	if (!rc)
		picture_choose(&t->picture, &pic);
	else if (rc == -ENODATA || rc == -EBADMSG)
		t->tag_error = 1;
	else
		return rc;
	return 0;
}

/*
 * Only STREAMINFO and the comments are loaded whole; of a picture, the
 * few bytes saying where its image is. -EBADMSG means libFLAC could not
 * read the block.
 */
static int read_block(int fd, FLAC__Metadata_SimpleIterator *it,
		      struct tags *t)
{
	FLAC__MetadataType type;
	const FLAC__StreamMetadata_StreamInfo *si;
	const FLAC__StreamMetadata_VorbisComment *vc;
	FLAC__StreamMetadata *b;
	FLAC__uint32 i;
	int err = 0;

	type = FLAC__metadata_simple_iterator_get_block_type(it);
	t->bytes_read += FLAC__STREAM_METADATA_HEADER_LENGTH;
	if (type == FLAC__METADATA_TYPE_PICTURE)
		return note_picture(fd, it, t);
	if (type != FLAC__METADATA_TYPE_STREAMINFO &&
	    type != FLAC__METADATA_TYPE_VORBIS_COMMENT)
		return 0;
	b = FLAC__metadata_simple_iterator_get_block(it);
	if (!b)
		return -EBADMSG;
	t->bytes_read += b->length;
	if (type == FLAC__METADATA_TYPE_STREAMINFO) {
		si = &b->data.stream_info;
		t->sample_rate = si->sample_rate;
		t->channels = si->channels;
		if (si->sample_rate)
			t->duration_s = (double)si->total_samples /
					si->sample_rate;
	} else {
		vc = &b->data.vorbis_comment;
		for (i = 0; !err && i < vc->num_comments; i++)
			err = take_comment(t, &vc->comments[i]);
	}
	FLAC__metadata_object_delete(b);
	return err;
}

/*
 * Where the audio starts, once the iterator is on the last block: a file
 * cut inside a block we skipped (a picture) ends before it.
 */
static off_t metadata_end(const FLAC__Metadata_SimpleIterator *it)
{
	return FLAC__metadata_simple_iterator_get_block_offset(it) +
	       FLAC__STREAM_METADATA_HEADER_LENGTH +
	       FLAC__metadata_simple_iterator_get_block_length(it);
}

/*
 * libFLAC's iterator wants a path; /proc/self/fd/N reopens the very file
 * the scanner opened, even if it has been renamed since. Any failure of
 * libFLAC after the "fLaC" check is damage, except not getting the file
 * open at all.
 */
int tags_read_flac(int fd, struct tags *t)
{
	FLAC__Metadata_SimpleIterator *it;
	FLAC__Metadata_SimpleIteratorStatus status;
	char magic[4], path[32];
	struct stat st;
	ssize_t n;
	int err = 0;

	t->codec = "flac";
	n = pread(fd, magic, sizeof(magic), 0);
	if (n < 0)
		return -errno;
	t->bytes_read += n;
	if (n < 4 || memcmp(magic, "fLaC", 4)) {
		t->tag_error = 1;
		return 0;
	}
	if (fstat(fd, &st))
		return -errno;

	it = FLAC__metadata_simple_iterator_new();
	if (!it)
		return -ENOMEM;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (!FLAC__metadata_simple_iterator_init(it, path, true, false)) {
		err = errno ? -errno : -EIO;
		status = FLAC__metadata_simple_iterator_status(it);
		if (status == OPEN_FAILED)
			goto out;
		err = status == NO_MEMORY ? -ENOMEM : 0;
		t->tag_error = !err;
		goto out;
	}
	t->bytes_read += 4;
	do
		err = read_block(fd, it, t);
	while (!err && FLAC__metadata_simple_iterator_next(it));
	if (err == -EBADMSG) {
		t->tag_error = 1;
		err = 0;
	} else if (FLAC__metadata_simple_iterator_status(it) !=
		   FLAC__METADATA_SIMPLE_ITERATOR_STATUS_OK ||
		   metadata_end(it) > st.st_size) {
		t->tag_error = 1;
	}
	if (t->duration_s > 0)
		t->bitrate_kbps = st.st_size * 8 / t->duration_s / 1000 + 0.5;
out:
	FLAC__metadata_simple_iterator_delete(it);
	return err;
}
