/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SCAN_COMPARE_H
#define MEDIAMON_SCAN_COMPARE_H

/*
 * The comparison of a folder's files with what the store has of them: a
 * file whose size, mtime and inode did not change is not opened; a new
 * one with the inode, size and mtime of a file gone elsewhere is a
 * rename; the tags of the others are read into records for the writer
 * (scan_read.h says what is read, and how); and a
 * folder whose files sum to the digest the store keeps is unchanged as a
 * whole.
 *
 *	whole = scan_compare_files(wk, dfd, rel, len, kd, &sum);
 *	scan_compare_dir_record(wk, dfd, rel, len, kd, whole, sum, stated, 0);
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "indexer/library/scan_dirs.h"
#include "indexer/library/scan_store.h"
#include "indexer/library/scan_worker.h"

/* How one file fared: what to add to its directory's digest. */
/* SCAN_MOVING: a rename of this scan took the file's row to a path that
 * does not hold it now (it moved again while the scan walked). It gets
 * no record; its folder keeps no digest, so that the next scan, which
 * the move's events start, settles where it is. */
enum scan_outcome { SCAN_KEPT, SCAN_FAILED, SCAN_ABSENT, SCAN_MOVING };

/* A record of this scan's root for path; NULL when out of memory. */
struct music_rec *scan_compare_rec_new(const struct scan *s, enum music_op op,
				       const char *path, size_t len);

/* Fail the scan with err once it has walked all it can: what was left
 * out is to be scanned again (scan_run()). */
void scan_compare_fail_for_now(struct scan *s, int err);

/* A file or folder that could not be opened or read for want of
 * descriptors or memory may well be read later. */
void scan_compare_note_failure(struct scan *s, int err);

/* Whether a rename took the file id. Called with the lock held. */
int scan_compare_is_claimed(struct scan *s, int64_t id);

/* Whether a rename of this scan took a file id: then a folder found as
 * the store has it is still looked at file by file. Takes no lock. */
int scan_compare_renamed_any(struct scan *s);

/* Whether path (len bytes, relative to the root), which the walk did not
 * find where the store has it, moved away during the scan: it is then
 * kept for the scan the move starts (scan_request.moved_since); 1 when
 * out of memory, which keeps it too. */
int scan_compare_moved_away(struct scan *s, const char *path, size_t len);

/* Free what the renames of the scan took. */
void scan_compare_claims_release(struct scan *s);

/*
 * Scan the file name of the folder dfd (the path relative to the root in
 * wk->path), or the file the link name leads to when pfd is its
 * descriptor (else -1). st holds its stat, or has st_mode 0 when the
 * file was not stat()ed yet: then it is opened at once when it is read
 * anyway (a new file), and stat()ed through its descriptor. k is what the
 * store knows of it. *h gets what the file adds to its directory's
 * digest.
 */
enum scan_outcome scan_compare_file(struct scan_worker *wk, int dfd,
				    const char *name, int pfd, struct stat *st,
				    struct scan_store_file *k, uint64_t *h);

/*
 * Scan the file the link name of the folder dfd leads to, as symlinks.h
 * rules: a link to a folder, a FIFO or a device is left alone, and one
 * that leads outside the roots (unless they follow outside) is not in
 * the library, which the first of a scan says. A link that cannot be
 * followed keeps the file the store knows.
 */
enum scan_outcome scan_compare_link(struct scan_worker *wk, int dfd,
				    const char *name, struct scan_store_file *k,
				    uint64_t *h);

/*
 * Stat the regular files of a directory the store knows and sum their
 * digest. Returns 1 when it matches the store's: every file is as the
 * store has it, and nothing more is done for them. Links, and entries
 * whose type the listing does not give, are not looked into here: a
 * directory holding any takes the long way.
 */
int scan_compare_dir_unchanged(struct scan_worker *wk, int dfd,
			       const struct scan_dirs_entry *kd, size_t *files);

/*
 * Record the directory rel (open as dfd) when it is new or its digest
 * moved, or with force, after its files: the writer then knows whether
 * they all went in, and keeps no digest for a directory one of whose
 * files failed. Its mtime is kept too, but is no reason to write the row
 * again. st: the folder's stat() from before it was listed, or NULL
 * where listings are not kept; its listing goes with it once settled.
 */
void scan_compare_dir_record(struct scan_worker *wk, int dfd, const char *rel,
			     size_t len, const struct scan_dirs_entry *kd,
			     int has_digest, uint64_t digest,
			     const struct stat *st, int force);

/*
 * Compare each file of the directory rel with what the store has (kd:
 * the directory as the store knows it, NULL when new), reading what is
 * new or changed, and sum into *sum the digest of what the store will
 * hold. Returns whether every file went as it should and none is gone:
 * a directory keeps no digest otherwise, so that the next scan looks at
 * its files again. The rows of gone files are deleted at the scan's end
 * (one may prove a rename), so a digest written before then would hide
 * them for good from a scan that follows a kill.
 */
int scan_compare_files(struct scan_worker *wk, int dfd, const char *rel,
		       size_t len, const struct scan_dirs_entry *kd,
		       uint64_t *sum);

#endif
