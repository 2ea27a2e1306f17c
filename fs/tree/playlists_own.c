/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The files of /playlists/own (playlists_own.h): the caller's own
 * playlists by name and their M3U8 text. It reads the store through
 * indexer/reads.h alone, writes nothing, and shows no other user's
 * playlist.
 */
#include "fs/tree/playlists_own.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/array.h"
#include "common/strbuf.h"
#include "fs/tree/caller.h"
#include "fs/tree/node.h"
#include "fs/tree/playlists_names.h"
#include "indexer/reads.h"

#define SUFFIX ".m3u8"

/* The name of the caller's user into out: 0 or -ENOENT. */
static int caller_name(struct strbuf *out)
{
	struct passwd pw, *found = NULL;
	long size = sysconf(_SC_GETPW_R_SIZE_MAX);
	char *buf;
	int rc;

	size = size > 0 ? size : 16384;
	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	rc = getpwuid_r(caller_uid(), &pw, buf, size, &found);
	if (!rc && found)
		strbuf_addstr(out, pw.pw_name);
	free(buf);
	return !rc && found ? 0 : -ENOENT;
}

/* The caller's playlists, each with its file name. */
struct own {
	struct entry {
		int64_t id;
		char *name;
	} *v;
	size_t nr, alloc;
};

static int add_own(void *arg, const struct account_playlist *p)
{
	struct own *l = arg;
	struct strbuf name = STRBUF_INIT;
	size_t stem;
	struct entry *grown = array_grow(l->v, l->nr, &l->alloc,
					 sizeof(*l->v), 8);

	if (!grown)
		return -ENOMEM;
	l->v = grown;
	strbuf_addstr(&name, p->name);
	playlists_safe_name(&name, 0);
	stem = name.len;
	strbuf_addstr(&name, SUFFIX);
	for (size_t i = 0; i < l->nr; i++)
		if (!strcmp(l->v[i].name, name.buf)) {
			name.len = stem;
			name.buf[stem] = '\0';
			strbuf_addf(&name, " (%lld)" SUFFIX, (long long)p->id);
			break;
		}
	l->v[l->nr++] = (struct entry){ p->id, strbuf_detach(&name, NULL) };
	return 0;
}

static void own_release(struct own *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free(l->v[i].name);
	free(l->v);
}

/* The caller's playlists into *l (released by the caller). */
static int own_of_caller(struct own *l)
{
	struct strbuf name = STRBUF_INIT;
	int rc = caller_name(&name);

	*l = (struct own){ 0 };
	if (!rc)
		rc = account_rows_playlists_each(name.buf, 0, add_own, l);
	strbuf_release(&name);
	return rc == -ENOENT ? 0 : rc;
}

int playlists_own_resolve(const char *name, struct node *out)
{
	struct own l;
	int rc = own_of_caller(&l);

	for (size_t i = 0; !rc && i < l.nr; i++)
		if (!strcmp(l.v[i].name, name)) {
			*out = (struct node){ NODE_FILE, .render_series =
					      playlists_own_render,
					      .series = l.v[i].id };
			own_release(&l);
			return 0;
		}
	own_release(&l);
	return rc ? rc : -ENOENT;
}

int playlists_own_list(int (*fn)(const char *name, const struct node *child,
				 void *arg),
		       void *arg)
{
	struct own l;
	struct node n;
	int rc = own_of_caller(&l);

	for (size_t i = 0; !rc && i < l.nr; i++) {
		n = (struct node){ NODE_FILE, .render_series =
				   playlists_own_render,
				   .series = l.v[i].id };
		if (fn(l.v[i].name, &n, arg))
			break;
	}
	own_release(&l);
	return rc;
}

/* Whether the playlist read is the account's (arg). */
static int is_callers(void *arg, const struct account_playlist *p)
{
	return !strcmp(p->account, arg) ? 1 : 2;
}

/* The #EXTINF line and path of the track of file, when the caller may
 * read it: 0, or a negative errno value. */
static int write_track(struct strbuf *out, int64_t file, int owner)
{
	struct strbuf path = STRBUF_INIT;
	char title[512], artist[512];
	int rc = query_file_path(file, &path), n;

	if (rc == -ENOENT || (!rc && (strpbrk(path.buf, "\n\r") ||
				      (!owner && !caller_may_read(path.buf)))))
		goto out;
	n = rc ? -1 : track_attrs_get(file, "user.mediamon.title", NULL,
				      title, sizeof(title) - 1);
	title[n > 0 ? n : 0] = '\0';
	n = rc ? -1 : track_attrs_get(file, "user.mediamon.artist", NULL,
				      artist, sizeof(artist) - 1);
	artist[n > 0 ? n : 0] = '\0';
	if (!rc) {
		strbuf_addstr(out, "#EXTINF:-1,");
		playlists_extinf_text(out, artist);
		strbuf_addstr(out, *artist ? " - " : "");
		playlists_extinf_text(out, title);
		strbuf_addf(out, "\n%s\n", path.buf);
	}
out:
	strbuf_release(&path);
	return rc == -ENOENT ? 0 : rc;
}

int playlists_own_render(struct strbuf *out, int64_t id)
{
	struct strbuf name = STRBUF_INIT;
	int64_t *files = NULL;
	size_t nr = 0;
	int rc = caller_name(&name), owner = caller_is_owner();

	if (!rc)
		rc = account_rows_playlist_get(id, NULL, is_callers, name.buf);
	rc = rc == 1 ? 0 : rc < 0 ? rc : -ENOENT;
	if (!rc)
		rc = account_rows_playlist_files(id, &files, &nr);
	if (!rc)
		strbuf_addstr(out, "#EXTM3U\n");
	for (size_t i = 0; !rc && i < nr; i++)
		rc = write_track(out, files[i], owner);
	free(files);
	strbuf_release(&name);
	return rc;
}
