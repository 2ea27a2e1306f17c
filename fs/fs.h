#ifndef MEDIAMON_FS_H
#define MEDIAMON_FS_H

/*
 * The FUSE operations of the mount (high-level API). Generated files are
 * rendered once at open() into a buffer kept in the file handle, so every
 * read on one handle sees one snapshot; getattr reports the size of a
 * fresh rendering, and opens use direct_io so a size that moved in between
 * never cuts a read short. The kernel keeps entries and attributes for
 * libfuse's timeouts (1 s by default); fs/invalidate.h makes it forget
 * what changed. Library files are read from their descriptor (read_buf),
 * with the kernel's page cache unless they changed a moment ago.
 */

#include <fuse.h>

extern const struct fuse_operations fs_operations;

#endif
