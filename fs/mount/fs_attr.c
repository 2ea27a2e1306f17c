/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The attributes a node of the mount shows in stat(), and the mount's
 * options that the FUSE callbacks share. It answers no request itself,
 * and renders (through fs/tree/rendering.h) only for a stat() that asks
 * it to.
 */
#include "fs/mount/fs_attr.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/hash.h"
#include "fs/tree/caller.h"
#include "fs/mount/grow.h"
#include "fs/mount/inodes.h"
#include "fs/tree/open_caps.h"
#include "fs/tree/playlists.h"
#include "fs/tree/rendering.h"
#include "fs/tree/sizes.h"
#include "fs/tree/stamps.h"
#include "fs/tree/views.h"
#include "fs/tree/views_real.h"
#include "indexer/indexer.h"

struct fs_attr_options fs_attr = {
	.entry_timeout = 1.0,
	.attr_timeout = 1.0,
	.render_deadline = RENDERING_DEADLINE_S,
	.snapshot_files = FS_SNAPSHOT_FILES,
};

/* When the mount first saw a generation of the store (of one counter). */
struct seen {
	uint64_t generation;
	struct timespec at;
};

/* When the mount first saw the store's current generation (the mtime of
 * a folder of /playlists the store cannot say). */
static struct {
	pthread_mutex_t lock;
	struct seen all;
} times = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

void fs_attr_init(struct fuse_conn_info *conn)
{
	fs_attr.uid = getuid();
	fs_attr.gid = getgid();
	fs_attr.no_opendir = !fs_attr.allow_other &&
		!!(conn->capable & FUSE_CAP_NO_OPENDIR_SUPPORT);
}

/* When the mount first saw gen, of the counter s keeps. */
static struct timespec seen_at(struct seen *s, uint64_t gen)
{
	struct timespec t;

	pthread_mutex_lock(&times.lock);
	if (gen != s->generation || !s->at.tv_sec) {
		s->generation = gen;
		clock_gettime(CLOCK_REALTIME, &s->at);
	}
	t = s->at;
	pthread_mutex_unlock(&times.lock);
	return t;
}

static int add_name(const char *name, const struct node *child, void *arg)
{
	uint64_t *names = arg;

	(void)child;
	*names = hash_add_bytes(*names, name, strlen(name) + 1);
	return 0;
}

/* A folder of fixed names (those of fs/tree/nodes.c's table: the root,
 * status/, metrics/, control/, opds/, library/, /playlists and its
 * library/ ...) is as old as the names it lists: the time they were
 * first seen as they are, kept across restarts (fs/tree/stamps.h), so it
 * moves only when a version of the daemon adds or drops a name. */
static struct timespec fixed_time(const char *path)
{
	uint64_t names = HASH_INIT;
	char key[64];

	nodes_children(path, add_name, &names);
	snprintf(key, sizeof(key), "/folder%s", path);
	return stamps_seen(key, 0, hash_end(names));
}

/* A folder of the views is as old as the names it holds, as a plain
 * folder: the time they were first seen as they are, kept across
 * restarts, so one track added moves its album's folders alone. The
 * names are those the owner sees, whoever asks: a plain folder's time
 * moves for all, whatever each may read in it. Listed once per move of
 * the store's names; the store's names' time when it cannot be. */
static struct timespec view_time(const char *path)
{
	uint64_t gen = indexer_names_generation(), names;
	char key[PATH_MAX + sizeof("/folder")];
	struct timespec at;
	int rc;

	if ((size_t)snprintf(key, sizeof(key), "/folder%s", path) >=
	    sizeof(key))
		return stamps_names();
	if (stamps_seen_kept(key, 0, gen, &at))
		return at;
	caller_begin_owner();
	rc = views_names_hash(path, &names);
	caller_end_owner();
	return rc ? stamps_names() :
		    stamps_seen_at(key, 0, hash_end(names), gen);
}

/*
 * A kernel that keeps a folder's listing lists it again once it sees the
 * folder's mtime move, and tar, rsync and backup tools take a folder whose
 * times moved while they read it for one that changed. The views' folders
 * take the time their names were first seen (view_time()); /manga and
 * /opds/series list names only: their mtime is when the store's names
 * last moved (stamps_names(): indexer_names_generation(), which neither the
 * audio analysis nor a scan that finds nothing new moves), kept across
 * restarts. The folders of /playlists list
 * what the analysis found too: theirs is when their names were first seen
 * as they are (playlists_dir_time()), else (the store cannot be read)
 * follows every generation. The folders of fixed names keep the time
 * their names were first seen across restarts (fixed_time()); the
 * folders of /opds/files and /opds/pages list nothing and take the time
 * of the one holding them.
 */
static struct timespec dir_mtime(const char *path)
{
	char holder[sizeof("/opds/files")];
	struct timespec at;
	int rc;

	if (!strncmp(path, "/playlists/", 11)) {
		rc = playlists_dir_time(path + 11, &at);
		if (!rc)
			return at;
		if (rc != -ENOENT)
			return seen_at(&times.all, indexer_generation());
	} else if (views_owns(path)) {
		return view_time(path);
	} else if (!strcmp(path, "/manga") ||
		   !strncmp(path, "/manga/", 7) ||
		   !strcmp(path, "/opds/series")) {
		return stamps_names();
	} else if (!strncmp(path, "/opds/files/", 12) ||
		   !strncmp(path, "/opds/pages/", 12)) {
		memcpy(holder, path, sizeof(holder) - 1);
		holder[sizeof(holder) - 1] = '\0';
		return fixed_time(holder);
	}
	return fixed_time(path);
}

/* An empty file's times: its folder's. */
static void empty_mtime(const char *path, struct stat *st)
{
	const char *slash = strrchr(path, '/');
	char folder[PATH_MAX];

	if (!slash || (size_t)(slash - path) >= sizeof(folder))
		return;
	memcpy(folder, path, (size_t)(slash - path));
	folder[slash - path] = '\0';
	st->st_mtim = dir_mtime(folder);
	st->st_atim = st->st_ctim = st->st_mtim;
}

/* A folder's times are dir_mtime()'s, but one that knows its own
 * (node.h's stat_series: a volume's pages, its archive's). A file's times
 * are those of the open rendering h (fs/tree/stamps.h), else
 * now, but a series setting's, which are when a setting was last written
 * (nodes_settings_mtime()); fs_attr_node() renders a file for its size
 * and time, but one whose node knows them without (a manga page's are
 * its archive's index's and mtime). */
void fs_attr_virtual(const char *path, const struct node *n,
		     const struct handle *h, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = nodes_mode(n);
	st->st_nlink = n->type == NODE_DIR ? 2 : 1;
	st->st_uid = fs_attr.uid;
	st->st_gid = fs_attr.gid;
	if (n->type == NODE_DIR) {
		st->st_mtim = dir_mtime(path);
		st->st_atim = st->st_ctim = st->st_mtim;
		/* one that cannot say its own (its archive gone, which its
		 * listing says) keeps the store's */
		if (n->stat_series && n->stat_series(n->series, st) < 0)
			st->st_atim = st->st_ctim = st->st_mtim =
				dir_mtime(path);
		return;
	}
	st->st_atime = st->st_mtime = st->st_ctime = time(NULL);
	/* a placeholder ("MISSING - VOLUME N") is as old as its folder, so
	 * that a copy (rsync -a) of an unchanged folder sends nothing */
	if (n->empty)
		empty_mtime(path, st);
	if (n->write_series && !n->temp)	/* what vim checks a save by */
		st->st_mtim = st->st_ctim = nodes_settings_mtime();
	if (h && h->mtime.tv_sec)
		st->st_mtim = st->st_ctim = st->st_atim = h->mtime;
	if (h)
		st->st_size = handles_size(h);
}

/* A playlist is made from the store alone (and the caller's rights): its
 * size and time stay those of its last rendering for the same user until
 * the store's generation moves, so a listing of /playlists costs what a
 * listing of the tracks does (fs/tree/stamps.h). */
static int kept(const char *path, const char *name,
		const struct fuse_ctx *ctx, uint64_t gen, struct stat *st)
{
	size_t len;

	if (strncmp(path, "/playlists/", 11) ||
	    !stamps_kept(name, ctx->uid, ctx->gid, gen, &len, &st->st_mtim))
		return 0;
	st->st_size = len;
	st->st_atim = st->st_ctim = st->st_mtim;
	return 1;
}

int fs_attr_node(fuse_req_t req, const char *path, const struct node *n,
		 struct stat *st)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct strbuf text = STRBUF_INIT;
	int owner = caller_is_owner();
	char buf[RENDERING_STAMP_NAME];
	const char *name = rendering_stamp_name(path, n, buf);
	uint64_t gen;
	int rc;

	if (n->type == NODE_REAL)
		return views_real_stat(n->file, st);
	fs_attr_virtual(path, n, NULL, st);
	if (n->type == NODE_DIR || n->empty || (n->owner_only && !owner))
		return 0;
	if (n->grows) {
		st->st_size = grow_length();
		return 0;
	}
	if (n->stat_series) {
		rc = n->stat_series(n->series, st);
		if (rc <= 0)
			return rc;
	}
	gen = indexer_generation();
	if (kept(path, name, ctx, gen, st))
		return 0;
	rc = rendering_make(n, path, &text);
	if (!rc)
		rc = open_caps_stat_charge(ctx->uid, owner, text.len);
	if (rc) {
		strbuf_release(&text);
		return rc;
	}
	st->st_size = text.len;
	if (!n->write_series && !n->stat_series) {
		st->st_mtim = stamps_time(name, ctx->uid, ctx->gid, gen,
					  text.buf, text.len);
		st->st_atim = st->st_ctim = st->st_mtim;
	}
	sizes_keep(n, ctx->uid, ctx->pid, &text);
	open_caps_stat_uncharge(ctx->uid, owner, (size_t)st->st_size);
	return 0;
}

/* An fstat() of an open rendering shows that rendering's size to the
 * process that opened it (fs/mount/handles.h). */
int fs_attr_snapshot(fuse_req_t req, fuse_ino_t ino, struct stat *st)
{
	struct timespec mtime;
	struct node n;
	size_t size;

	if (!handles_snapshot(ino, fuse_req_ctx(req)->pid, &n, &size,
			      &mtime))
		return 0;
	fs_attr_virtual("", &n, NULL, st);
	st->st_size = size;
	if (mtime.tv_sec)
		st->st_mtim = st->st_atim = st->st_ctim = mtime;
	return 1;
}

/* A generated or control file's attributes are asked for each time, so
 * that a stat() shows the size of a rendering made now and an fstat()
 * of an open one reaches fs_attr_snapshot(); so are those of a folder
 * whose times are its archive's, so that a kernel keeping its listing
 * sees the archive's change at the next listing and lists it again. */
double fs_attr_timeout(const char *path, const struct node *n)
{
	if (n->type == NODE_FILE || n->type == NODE_CONTROL ||
	    (n->type == NODE_DIR && n->stat_series))
		return 0;
	return views_owns(path) && fs_attr.attr_timeout < FS_VIEWS_TIMEOUT_S ?
	       FS_VIEWS_TIMEOUT_S : fs_attr.attr_timeout;
}

double fs_attr_entry_timeout(const char *path)
{
	return views_owns(path) && fs_attr.entry_timeout < FS_VIEWS_TIMEOUT_S ?
	       FS_VIEWS_TIMEOUT_S : fs_attr.entry_timeout;
}

/* Every callback but lookup starts from the path of its inode; the
 * kernel never sends one it was not given, so a miss is a stale one. */
int fs_attr_resolve(fuse_ino_t ino, struct strbuf *path, struct node *n)
{
	int rc = inodes_path(ino, path);

	return rc ? rc : nodes_resolve(path->buf, n);
}
