/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_IMPORT_H
#define MEDIAMON_IMPORT_H

/*
 * A completed download brought into its series folder, as Mylar3 and
 * Kapowarr do: each volume it holds put there under the name
 * [import] template gives it, by [import] mode.
 *
 *	struct import_request req = {
 *		.source = "/srv/downloads/One Piece v100-102",
 *		.series_dir = "/srv/manga/One Piece",
 *		.series = "One Piece",
 *		.volumes = (double[]){ 100, 101, 102 }, .nr_volumes = 3,
 *	};
 *	struct import_result res = IMPORT_RESULT_INIT;
 *
 *	if (import_run(&req, cfg, &res) < 0)
 *		...	res.reason says why, res.files what went in still
 *	import_result_release(&res);
 *
 * What a download may hold: one volume file (.cbz .cbr .cb7 .pdf .epub),
 * a folder of images (.jpg .jpeg .png .webp .gif, packed in their
 * natural order, "2.jpg" before "10.jpg", into a .cbz), or a folder of
 * either, several levels deep (a pack). Each volume file and each image
 * folder is one volume, which its name gives (names.h, knowing the
 * series); a folder whose name gives one volume and that holds only
 * folders of images (its chapters: "T05/Ch 1/01.jpg") is that volume,
 * its chapters packed together, extras apart; a download of one volume
 * whose name gives none is the one wanted volume. A volume that is not wanted,
 * a name that gives no volume (extras, a chapter), another kind of file (.nfo,
 * .txt), a hidden file (macOS's "._001.jpg") and a volume given twice are left
 * out and listed.
 *
 * Modes: "hardlink" links the file into the series folder (the same
 * inode, no space used), and copies it when the download lies on another
 * file system or the link is refused, as Sonarr and Radarr do, or when
 * the file is not the series folder owner's; "copy"
 * always copies; "move" renames it (copying, then removing the download's
 * file, across file systems). A packed folder is always written anew.
 *
 * Nothing is ever replaced: a name that is taken is an error (-EEXIST)
 * for that volume, whatever races. A copy or a pack is written under a
 * hidden temporary name in the series folder (".import-XXXXXX.tmp"),
 * synced, then renamed to its name without replacing, so the watcher
 * never sees half a file and a crash leaves none under a volume's name.
 * A file written or moved gets the series folder's owner and group (the
 * daemon creates it as root, readable by root alone, then gives it away
 * by its descriptor), and a mode never wider than its source's (a pack:
 * than each image's) nor than the daemon's umask gives a new file; a
 * hard link is the download's own file and keeps its owner and mode.
 *
 * Safety: the download and the series folder are each opened once,
 * beneath source_root and series_root, with no link and no mount point
 * on the way (import_path_open()); from then on everything is done by
 * descriptor, a download that is a file by that file's own. Below a
 * download that is a folder, no symbolic link is followed out of it
 * (common/symlinks.h); a FIFO, a device or a socket is never
 * opened; a download with more than IMPORT_MAX_FILES entries, or whose
 * volumes and images weigh more than IMPORT_MAX_BYTES, is refused whole,
 * and so is one that a copy would not fit in the series folder's free
 * space.
 *
 * What: with req->listed_only, the files a torrent client lists for the
 * download and the folders on their way are all that is opened; what
 * else lies there is passed by unread and unnamed. A usenet client gives
 * no list: its folder is walked, under the same rules of whose.
 *
 * Whose: a download that is not of one of req->owners (root, the
 * daemon's user, the client's user, a configured save folder's owner;
 * never the owner of a folder the client named itself) is refused whole
 * with -EACCES and a reason that names nothing of it, before anything
 * in it is read; a folder or file inside it of another user is left out
 * unread. The series folder's owner must be able to read each file
 * taken, and search each folder on its way from / (the save folder and
 * those above it too) down into the download (import_owner.h), else it
 * is left out (the download itself: refused whole): the daemon never
 * hands a user what they could not read themselves. A move of a file
 * that is not the series folder owner's is a copy: a move never changes
 * whose a file is; nor is such a file hard-linked: a link would keep it
 * theirs to read whatever its owner does later (as
 * fs.protected_hardlinks refuses them), so it is copied.
 */

#include <stddef.h>
#include <sys/types.h>

#include "common/strbuf.h"

struct config;

/* What a download may hold, files and folders counted, and weigh. */
#define IMPORT_MAX_FILES 10000
#define IMPORT_MAX_BYTES (64LL << 30)

/*
 * With [import] comicinfo, a .cbz whose entries inflate to more than
 * IMPORT_MAX_RATIO times its size, plus IMPORT_RATIO_FREE bytes, is
 * refused (a zip bomb): pages are JPEG, PNG or WebP, which do not
 * compress. Its ComicInfo.xml is added beside its bytes, which are
 * copied as they came: nothing of it is inflated.
 */
#define IMPORT_MAX_RATIO 20
#define IMPORT_RATIO_FREE (1LL << 20)

struct import_request {
	const char *source;	/* the download, local: a file or a folder */
	const char *source_root; /* the save folder it lies below */
	const char *series_dir;	/* the series folder, in a manga root */
	const char *series_root; /* that manga root */
	const char *series;	/* the series' name, as the folder's */
	/* what the source of its count said (series_meta.h), JSON with the
	 * "edition" counted, for ComicInfo.xml; NULL: nothing */
	const char *meta;
	/* The wanted volumes; none: every volume the download holds. */
	const double *volumes;
	size_t nr_volumes;
	/* Whose the download's folders and files may be (the client's
	 * user, the save folder's owner); none: anyone's. */
	const uid_t *owners;
	size_t nr_owners;
	/* With listed_only, the files the client lists, sorted by
	 * strcmp(), below the download (a download that is a file: its
	 * name): no other file or folder is opened, nor named. */
	const char *const *listed;
	size_t nr_listed;
	int listed_only;
};

/* A volume put into the series folder, or an entry left out. */
struct import_file {
	char *from;		/* path in the download ("" for itself) */
	char *to;		/* the file imported, NULL when left out */
	double first, last;	/* the volumes it holds; 0 when none */
	const char *how;	/* "hardlink", "copy", "move", "pack" */
	char *why;		/* why it was left out or failed, or NULL */
};

struct import_result {
	struct import_file *files;	/* imported, in the download's order */
	size_t nr_files, alloc_files;
	struct import_file *left_out;	/* left out, refused, or failed */
	size_t nr_left_out, alloc_left_out;
	struct strbuf reason;		/* the error, for status and logs */
	int no_volume;			/* 1: the download holds no wanted
					 * volume (its release is wrong) */
};

#define IMPORT_RESULT_INIT { NULL, 0, 0, NULL, 0, 0, STRBUF_INIT, 0 }

/*
 * Import the download req->source into req->series_dir by cfg's [import]
 * mode and template. Returns 0 when every volume found and wanted went
 * in (what was left out is in res->left_out all the same); else a
 * negative errno value, logged, with res->reason saying why in one line.
 * -ELOOP when a link is on the way to the download or the series folder,
 * -EXDEV when either leaves its root or crosses a mount point.
 * When no wanted volume is found: -ENOENT with res->no_volume set (the
 * release is wrong), or the first refusal's error (-EXDEV for a link that
 * leads out of the download, -EINVAL for a FIFO, a device or a socket),
 * which whoever may write the download can plant: no_volume stays 0. -EFBIG
 * when the download holds too much, -ENOSPC when a copy would not fit; then
 * nothing is written. When a volume cannot go in: -EEXIST when its name
 * is taken, or the error of the read or write; the other volumes are
 * imported all the same and listed in res->files. res must have been
 * initialized with IMPORT_RESULT_INIT.
 */
int import_run(const struct import_request *req, const struct config *cfg,
	       struct import_result *res);

/* Free what res holds and make it IMPORT_RESULT_INIT again. */
void import_result_release(struct import_result *res);

#endif
