#include "indexer/library/scan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/bytes.h"
#include "common/db.h"
#include "common/log.h"
#include "common/path.h"
#include "common/strbuf.h"
#include "indexer/library/symlinks.h"
#include "indexer/library/tags.h"
#include "indexer/store/writer.h"

/* What the store knew about one file or directory when the scan began. */
struct known {
	size_t off;		/* path in the set's arena */
	size_t len;
	int64_t id, size, mtime_ns, inode;
	int seen;
};

struct known_set {
	struct known *v;
	size_t nr, alloc;
	struct known **by_inode;
	struct strbuf arena;
};

struct dir_job {
	struct dir_job *next;
	size_t len;
	char path[];
};

struct scan {
	const struct scan_request *req;
	struct scan_stats *stats;
	int root_fd;
	struct symlinks_rule rule;
	int refused;		/* links not followed, said once */
	struct known_set files, dirs;

	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct dir_job *jobs;
	size_t busy;		/* jobs queued or being worked on */
};

/* One worker's own state: the records it has not queued yet, its parse
 * time (so its walk time can be told apart), and its counters, added to
 * the scan's once per directory: atomics shared by every worker, bumped
 * per file, would bounce one cache line between the cores. */
struct worker {
	struct scan *s;
	struct writer_batch batch;
	uint64_t parse_ns;
	struct scan_stats local;
};

static void stat_add(uint64_t *counter, uint64_t n)
{
	__atomic_add_fetch(counter, n, __ATOMIC_RELAXED);
}

static void worker_flush(struct worker *wk)
{
	uint64_t *from = (uint64_t *)&wk->local;
	uint64_t *to = (uint64_t *)wk->s->stats;

	for (size_t i = 0; i < sizeof(wk->local) / sizeof(*from); i++) {
		if (from[i])
			stat_add(&to[i], from[i]);
		from[i] = 0;
	}
	writer_batch_flush(&wk->batch);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int64_t mtime_ns(const struct stat *st)
{
	return st->st_mtim.tv_sec * 1000000000ll + st->st_mtim.tv_nsec;
}

static const char *known_path(const struct known_set *set,
			      const struct known *k)
{
	return set->arena.buf + k->off;
}

static void known_release(struct known_set *set)
{
	free(set->v);
	free(set->by_inode);
	strbuf_release(&set->arena);
	memset(set, 0, sizeof(*set));
}

static int cmp_path(const void *a, size_t alen, const void *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c;
	return (alen > blen) - (alen < blen);
}

/* The first entry whose path is not below path (binary search: the set is
 * sorted the way SQLite sorts BLOBs, which is memcmp order). */
static size_t known_lower(const struct known_set *set, const char *path,
			  size_t len)
{
	size_t lo = 0, hi = set->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct known *k = &set->v[mid];

		if (cmp_path(known_path(set, k), k->len, path, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct known *known_find(struct known_set *set, const char *path,
				size_t len)
{
	size_t i = known_lower(set, path, len);

	if (i < set->nr && set->v[i].len == len &&
	    !memcmp(known_path(set, &set->v[i]), path, len))
		return &set->v[i];
	return NULL;
}

/* Whether this scan is the first to claim k: a file is matched by its own
 * path or by a rename, never both. */
static int known_claim(struct known *k)
{
	return !__atomic_exchange_n(&k->seen, 1, __ATOMIC_ACQ_REL);
}

/* Keep everything the store knows under a directory the walk could not
 * enter: an unreadable folder is not an empty one. */
static void known_keep_subtree(struct known_set *set, const char *path,
			       size_t len)
{
	size_t i = len ? known_lower(set, path, len) : 0;

	for (; i < set->nr; i++) {
		struct known *k = &set->v[i];
		const char *p = known_path(set, k);

		if (len && (k->len < len || memcmp(p, path, len) ||
			    (k->len > len && p[len] != '/')))
			break;
		__atomic_store_n(&k->seen, 1, __ATOMIC_RELEASE);
	}
}

static int cmp_inode(const void *a, const void *b)
{
	const struct known *x = *(struct known *const *)a;
	const struct known *y = *(struct known *const *)b;

	return (x->inode > y->inode) - (x->inode < y->inode);
}

/* The inode index serves only rename detection, which only a new file
 * needs: a rescan that finds nothing new never sorts. */
static struct known *known_by_inode(struct scan *s, int64_t inode)
{
	struct known_set *set = &s->files;
	size_t lo, hi = set->nr;

	if (!set->nr)
		return NULL;
	pthread_mutex_lock(&s->lock);
	if (!set->by_inode) {
		set->by_inode = malloc(set->nr * sizeof(*set->by_inode));
		if (set->by_inode) {
			for (size_t i = 0; i < set->nr; i++)
				set->by_inode[i] = &set->v[i];
			qsort(set->by_inode, set->nr, sizeof(*set->by_inode),
			      cmp_inode);
		}
	}
	pthread_mutex_unlock(&s->lock);
	if (!set->by_inode)
		return NULL;
	lo = 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (set->by_inode[mid]->inode < inode)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < set->nr && set->by_inode[lo]->inode == inode ?
		set->by_inode[lo] : NULL;
}

/* Prepare "SELECT columns FROM table" for the rows under sub (the whole
 * root when it is empty), followed by tail. Paths under "a/b" are "a/b"
 * itself and those between "a/b/" and "a/b0", '0' being the byte after
 * '/'; the two are a UNION ALL of plain index searches, since an OR of
 * them was seen planned as a pass over the whole index. */
static int prepare_under(sqlite3 *db, const char *columns, const char *table,
			 const struct scan_request *req, const char *sub,
			 const char *tail, sqlite3_stmt **st)
{
	struct strbuf sql = STRBUF_INIT, lo = STRBUF_INIT, hi = STRBUF_INIT;
	size_t sublen = strlen(sub);
	int rc;

	/* A whole root is read in table order (the "+" keeps the index out)
	 * and sorted in memory: walking the path index would look up each
	 * row in the table, three times slower at 100,000 files. */
	strbuf_addf(&sql, "SELECT %s FROM %s WHERE %sroot_id = ?1", columns,
		    table, sublen ? "" : "+");
	if (sublen) {
		strbuf_addf(&sql, " AND path = ?2 UNION ALL SELECT %s FROM %s"
			    " WHERE root_id = ?1 AND path > ?3 AND path < ?4",
			    columns, table);
		strbuf_addf(&lo, "%s/", sub);
		strbuf_addf(&hi, "%s0", sub);
	}
	strbuf_addstr(&sql, tail);
	rc = sqlite3_prepare_v2(db, sql.buf, -1, st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(*st, 1, req->root_id);
		if (sublen) {
			sqlite3_bind_blob(*st, 2, sub, sublen, SQLITE_STATIC);
			sqlite3_bind_blob(*st, 3, lo.buf, lo.len,
					  SQLITE_TRANSIENT);
			sqlite3_bind_blob(*st, 4, hi.buf, hi.len,
					  SQLITE_TRANSIENT);
		}
		rc = 0;
	} else {
		rc = db_error(db, rc, sql.buf);
	}
	strbuf_release(&sql);
	strbuf_release(&lo);
	strbuf_release(&hi);
	return rc;
}

int scan_estimate(sqlite3 *db, const struct scan_request *req,
		  uint64_t *count)
{
	for (size_t i = 0; i < req->nr_subpaths; i++) {
		sqlite3_stmt *st;
		int rc = prepare_under(db, "count(*)", "files", req,
				       req->subpaths[i], "", &st);

		if (rc)
			return rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			*count += sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return db_error(db, rc, "count files");
	}
	return 0;
}

static int cmp_known(const void *a, const void *b, void *arg)
{
	const struct known *x = a, *y = b;
	const struct known_set *set = arg;

	return cmp_path(known_path(set, x), x->len, known_path(set, y),
			y->len);
}

static int known_load_one(sqlite3 *db, const char *table, int with_stat,
			  const struct scan_request *req, const char *sub,
			  struct known_set *set)
{
	sqlite3_stmt *st;
	int rc;

	rc = prepare_under(db, with_stat ? "id, path, size, mtime_ns, inode" :
			   "id, path, 0, mtime_ns, 0", table, req, sub,
			   *sub ? " ORDER BY path" : "", &st);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct known *k;

		if (set->nr == set->alloc) {
			size_t n = set->alloc ? set->alloc * 2 : 1024;
			struct known *v = realloc(set->v, n * sizeof(*v));

			if (!v) {
				sqlite3_finalize(st);
				return log_error(-ENOMEM, "scan: out of memory"
						 " loading %s", table);
			}
			set->v = v;
			set->alloc = n;
		}
		k = &set->v[set->nr++];
		k->id = sqlite3_column_int64(st, 0);
		k->len = sqlite3_column_bytes(st, 1);
		k->off = set->arena.len;
		strbuf_add(&set->arena, sqlite3_column_blob(st, 1), k->len);
		k->size = sqlite3_column_int64(st, 2);
		k->mtime_ns = sqlite3_column_int64(st, 3);
		k->inode = sqlite3_column_int64(st, 4);
		k->seen = 0;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(db, rc, table);
}

/* Load the rows under every subpath, sorted by path, with their paths
 * packed in one arena so a large library costs few allocations. */
static int known_load(sqlite3 *db, const char *table, int with_stat,
		      const struct scan_request *req, struct known_set *set)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < req->nr_subpaths; i++)
		rc = known_load_one(db, table, with_stat, req,
				    req->subpaths[i], set);
	if (rc)
		return rc;
	/* qsort_r() takes no NULL base, which an empty set has. */
	if (set->nr > 1 && (req->nr_subpaths > 1 || !*req->subpaths[0]))
		qsort_r(set->v, set->nr, sizeof(*set->v), cmp_known, set);
	return 0;
}

static int push_job(struct scan *s, const char *path, size_t len)
{
	struct dir_job *job = malloc(sizeof(*job) + len);

	if (!job) {
		stat_add(&s->stats->io_errors, 1);
		return log_error(-ENOMEM, "scan: out of memory queueing %.*s",
				 (int)len, path);
	}
	job->len = len;
	memcpy(job->path, path, len);
	pthread_mutex_lock(&s->lock);
	job->next = s->jobs;
	s->jobs = job;
	s->busy++;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

/* What the scanner reads in a file: tags of audio files anywhere, the
 * ComicInfo.xml of volume archives under a manga root. */
static const char *file_kind(const char *name, int manga)
{
	static const char *const archives[] = {
		".cbz", ".cbr", ".cb7", ".cbt", ".zip", ".rar", ".7z", ".epub",
	};
	const char *dot = strrchr(name, '.');

	if (!dot)
		return "other";
	if (!strcasecmp(dot, ".flac"))
		return "flac";
	if (!strcasecmp(dot, ".mp3"))
		return "mp3";
	for (size_t i = 0; manga && i < ARRAY_SIZE(archives);
	     i++)
		if (!strcasecmp(dot, archives[i]))
			return "archive";
	return "other";
}

/* Open name in dfd, or what the link pfd (symlinks_follow()) leads to when
 * it is not -1. */
static int open_flags(int dfd, const char *name, int pfd, int flags)
{
	int fd;

	if (pfd >= 0)
		return symlinks_reopen(pfd, flags);
	fd = openat(dfd, name, flags);
	return fd < 0 ? -errno : fd;
}

/* Open for reading without touching atime; O_NOATIME is refused for
 * files the daemon does not own, so fall back to a plain read-only open.
 * The entry was a regular file when stat()ed, but may have been replaced
 * since: O_NONBLOCK keeps a FIFO put in its place from blocking the
 * worker forever, and what is not a regular file is not read. */
static int open_readonly(int dfd, const char *name, int pfd)
{
	int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK;
	int fd = open_flags(dfd, name, pfd, flags | O_NOATIME);
	struct stat st;

	if (fd == -EPERM)
		fd = open_flags(dfd, name, pfd, flags);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

/* Read a file's tags into rec; returns 0, or a negative errno value when
 * the file could not be read at all (it is then left out of this scan). */
static int parse_file(const struct scan *s, struct scan_stats *stats,
		      int dfd, const char *name, int pfd,
		      struct writer_rec *rec)
{
	int fd, rc;

	fd = open_readonly(dfd, name, pfd);
	if (fd < 0)
		return fd;
	posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
	if (!strcmp(rec->kind, "archive")) {
		rc = comicinfo_read(fd, &rec->ci);
		close(fd);
		rec->parsed = !rc;
		return rc;
	}
	rec->tags.no_pictures = !s->req->covers;
	if (!strcmp(rec->kind, "flac"))
		rc = tags_read_flac(fd, &rec->tags);
	else
		rc = tags_read_mp3(fd, &rec->tags);
	close(fd);
	if (rc)
		return rc;
	rec->parsed = 1;
	stat_add(&stats->bytes_read, rec->tags.bytes_read);
	if (rec->tags.tag_error)
		stat_add(&stats->tag_errors, 1);
	return tags_title_from_name(&rec->tags, name);
}

/* A new path whose inode, size and mtime belong to a file the walk has not
 * met, and whose old path is gone, is that file renamed. */
static struct known *find_renamed(struct scan *s, const struct stat *st)
{
	struct known *k = known_by_inode(s, st->st_ino);
	struct stat old;
	char *path;
	int gone;

	if (!k || k->size != st->st_size || k->mtime_ns != mtime_ns(st) ||
	    __atomic_load_n(&k->seen, __ATOMIC_ACQUIRE))
		return NULL;
	path = strndup(known_path(&s->files, k), k->len);
	if (!path)
		return NULL;
	gone = fstatat(s->root_fd, path, &old, AT_SYMLINK_NOFOLLOW) < 0 &&
		errno == ENOENT;
	free(path);
	return gone && known_claim(k) ? k : NULL;
}

/* Scan the file name of the folder dfd, or the file the link name leads
 * to when pfd is its descriptor (else -1). */
static void scan_file(struct worker *wk, int dfd, const char *name, int pfd,
		      const char *path, size_t len, const struct stat *st)
{
	struct scan *s = wk->s;
	struct known *k = known_find(&s->files, path, len);
	struct scan_stats *stats = &wk->local;
	int unchanged = k && k->size == st->st_size &&
		k->mtime_ns == mtime_ns(st) && k->inode == (int64_t)st->st_ino;
	struct writer_rec *rec;
	uint64_t start;
	int rc;

	stat_add(&stats->files_seen, 1);
	if (k)
		known_claim(k);
	if (unchanged && !s->req->full) {
		stat_add(&stats->files_unchanged, 1);
		return;
	}
	if (!k && (k = find_renamed(s, st))) {
		rec = writer_rec_new(WRITER_RENAME, path, len);
		if (!rec)
			goto oom;
		rec->id = k->id;
		stat_add(&stats->files_renamed, 1);
		goto put;
	}

	rec = writer_rec_new(WRITER_FILE, path, len);
	if (!rec)
		goto oom;
	rec->id = k ? k->id : 0;
	rec->kind = file_kind(name, s->req->manga);
	if (strcmp(rec->kind, "other")) {
		start = now_ns();
		rc = parse_file(s, stats, dfd, name, pfd, rec);
		start = now_ns() - start;
		wk->parse_ns += start;
		stat_add(&stats->parse_ns, start);
		if (rc) {
			log_warn("scan: cannot read %s/%.*s: %s",
				 s->req->root_path, (int)len, path,
				 strerror(-rc));
			stat_add(&stats->io_errors, 1);
			writer_rec_free(rec);
			return;
		}
	}
	stat_add(unchanged ? &stats->files_unchanged : k ?
		 &stats->files_changed : &stats->files_new, 1);
put:
	rec->root_id = s->req->root_id;
	rec->size = st->st_size;
	rec->mtime_ns = mtime_ns(st);
	rec->inode = st->st_ino;
	writer_batch_add(&wk->batch, rec);
	return;
oom:
	log_error(-ENOMEM, "scan: out of memory at %.*s", (int)len, path);
	stat_add(&stats->io_errors, 1);
}

/* Record a directory when it is new or its mtime moved, so the store's
 * directory list follows the tree without rewriting unchanged rows. */
static void scan_dir_record(struct worker *wk, const char *path,
			    size_t len, const struct stat *st)
{
	struct scan *s = wk->s;
	struct known *k = known_find(&s->dirs, path, len);
	struct writer_rec *rec;

	if (k) {
		known_claim(k);
		if (k->mtime_ns == mtime_ns(st))
			return;
	}
	rec = writer_rec_new(WRITER_DIR, path, len);
	if (!rec) {
		stat_add(&s->stats->io_errors, 1);
		return;
	}
	rec->root_id = s->req->root_id;
	rec->mtime_ns = mtime_ns(st);
	writer_batch_add(&wk->batch, rec);
}

/* A file that cannot be looked at is kept as the store knows it. */
static void cannot_stat(struct scan *s, const char *path, size_t len,
			int err)
{
	log_warn("scan: cannot stat %s/%s: %s", s->req->root_path, path,
		 strerror(err));
	stat_add(&s->stats->io_errors, 1);
	known_keep_subtree(&s->files, path, len);
}

/*
 * Scan the file the link name of the folder dfd leads to, as symlinks.h
 * rules: a link to a folder, a FIFO or a device is left alone, and one
 * that leads outside the roots (unless they follow outside) is not in
 * the library, which the first of a scan says.
 */
static void scan_link(struct worker *wk, int dfd, const char *name,
		      const char *path, size_t len)
{
	struct scan *s = wk->s;
	struct stat st;
	int pfd = symlinks_follow(dfd, name, &s->rule, &st);

	if (pfd >= 0) {
		scan_file(wk, dfd, name, pfd, path, len, &st);
		close(pfd);
	} else if (pfd == -EXDEV &&
		   !__atomic_exchange_n(&s->refused, 1, __ATOMIC_RELAXED)) {
		log_warn("scan: %s/%s leads outside every root, so it is not"
			 " followed (follow_outside_symlinks = no; more such"
			 " links are named at the debug level)",
			 s->req->root_path, path);
	} else if (pfd == -EXDEV) {
		log_debug("scan: %s/%s leads outside every root, so it is not"
			  " followed", s->req->root_path, path);
	} else if (pfd != -EINVAL) {
		cannot_stat(s, path, len, -pfd);
	}
}

/* Look at one directory entry: queue directories, scan regular files
 * and links to them, and never open FIFOs, devices or sockets. */
static void scan_entry(struct worker *wk, int dfd, const struct dirent *de,
		       struct strbuf *path)
{
	struct scan *s = wk->s;
	struct stat st;

	if (de->d_type == DT_DIR) {
		push_job(s, path->buf, path->len);
		return;
	}
	if (de->d_type == DT_LNK) {
		scan_link(wk, dfd, de->d_name, path->buf, path->len);
		return;
	}
	if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
		return;
	if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			cannot_stat(s, path->buf, path->len, errno);
		return;
	}
	if (S_ISDIR(st.st_mode) && de->d_type == DT_UNKNOWN)
		push_job(s, path->buf, path->len);
	else if (S_ISREG(st.st_mode))
		scan_file(wk, dfd, de->d_name, -1, path->buf, path->len, &st);
	else if (S_ISLNK(st.st_mode))
		scan_link(wk, dfd, de->d_name, path->buf, path->len);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* A folder that cannot be read (lost+found, no permission) stays so for
 * every scan after; say it once, so the log keeps room for news. Every
 * scan still counts it as an i/o error. */
static void warn_once(const char *root, const char *rel, int err)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static void *warned;
	char *key;
	int first = 1;

	if (asprintf(&key, "%s/%s", root, rel) < 0)
		key = NULL;
	pthread_mutex_lock(&lock);
	if (key) {
		void **node = tsearch(key, &warned, cmp_str);

		first = !node || *node == key;
		if (!node || !first)
			free(key);
	}
	pthread_mutex_unlock(&lock);
	if (first)
		log_warn("scan: cannot read directory %s/%s: %s", root, rel,
			 strerror(err));
	else
		log_debug("scan: cannot read directory %s/%s: %s", root, rel,
			  strerror(err));
}

static void scan_dir(struct worker *wk, const char *rel, size_t len)
{
	struct scan *s = wk->s;
	struct strbuf path = STRBUF_INIT;
	uint64_t start = now_ns(), parse_before;
	struct dirent *de;
	struct stat st;
	DIR *dir;
	int dfd;

	strbuf_add(&path, rel, len);
	dfd = symlinks_open_beneath(s->root_fd, path.buf, O_RDONLY | O_DIRECTORY);
	/* A folder swapped for a link while walked is not walked, nor kept:
	 * what it held is no longer in the root. */
	if (dfd == -ELOOP || dfd == -EXDEV) {
		log_info("scan: %s/%s is a link now, so it is not walked",
			 s->req->root_path, path.buf);
		goto out;
	}
	if (dfd < 0)
		errno = -dfd;
	if (dfd < 0 || fstat(dfd, &st) < 0 || !(dir = fdopendir(dfd))) {
		warn_once(s->req->root_path, path.buf, errno);
		stat_add(&s->stats->io_errors, 1);
		known_keep_subtree(&s->files, rel, len);
		known_keep_subtree(&s->dirs, rel, len);
		if (dfd >= 0)
			close(dfd);
		goto out;
	}
	if (s->req->on_dir)
		s->req->on_dir(s->req->root_index, rel, len, dfd);
	scan_dir_record(wk, rel, len, &st);
	parse_before = wk->parse_ns;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.' && (!de->d_name[1] ||
		    (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		strbuf_reset(&path);
		if (len) {
			strbuf_add(&path, rel, len);
			strbuf_addch(&path, '/');
		}
		strbuf_addstr(&path, de->d_name);
		scan_entry(wk, dirfd(dir), de, &path);
	}
	closedir(dir);
	wk->local.walk_ns += now_ns() - start - (wk->parse_ns - parse_before);
	worker_flush(wk);
out:
	strbuf_release(&path);
}

static void *scan_worker(void *arg)
{
	struct scan *s = arg;
	struct worker wk = { .s = s, .batch = WRITER_BATCH_INIT };

	pthread_mutex_lock(&s->lock);
	for (;;) {
		struct dir_job *job;

		while (!s->jobs && s->busy)
			pthread_cond_wait(&s->cond, &s->lock);
		if (!s->jobs)
			break;
		job = s->jobs;
		s->jobs = job->next;
		pthread_mutex_unlock(&s->lock);

		if (!__atomic_load_n(s->req->cancel, __ATOMIC_RELAXED))
			scan_dir(&wk, job->path, job->len);
		free(job);

		pthread_mutex_lock(&s->lock);
		if (--s->busy == 0)
			pthread_cond_broadcast(&s->cond);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static void scan_walk(struct scan *s)
{
	int n = s->req->threads > 0 ? s->req->threads : 1;
	pthread_t *tids = calloc(n, sizeof(*tids));
	int started = 0;

	if (tids) {
		for (; started < n; started++)
			if (pthread_create(&tids[started], NULL, scan_worker, s))
				break;
	}
	if (!started) {
		log_warn("scan: no worker thread could start; scanning inline");
		scan_worker(s);
	}
	for (int i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
}

/* Tell on_dir_gone of a directory forgotten, unless it lies below the
 * last one told of (the set is in path order). */
static void dir_gone(struct scan *s, const struct known *k,
		     const struct known **last)
{
	const char *path = known_path(&s->dirs, k);
	char *rel;

	if (!s->req->on_dir_gone)
		return;
	if (*last && (!(*last)->len || (k->len > (*last)->len &&
	    !memcmp(path, known_path(&s->dirs, *last), (*last)->len) &&
	    path[(*last)->len] == '/')))
		return;
	*last = k;
	rel = strndup(path, k->len);
	if (rel)
		s->req->on_dir_gone(s->req->root_index, rel);
	free(rel);
}

/* Queue deletions for whatever the walk did not meet: files first, then
 * the directories that held them, which are watched no more. */
static void scan_delete_unseen(struct scan *s)
{
	struct known_set *sets[] = { &s->files, &s->dirs };
	struct writer_batch batch = WRITER_BATCH_INIT;
	const struct known *last = NULL;

	for (int i = 0; i < 2; i++) {
		struct known_set *set = sets[i];

		for (size_t j = 0; j < set->nr; j++) {
			struct known *k = &set->v[j];
			struct writer_rec *rec;

			if (k->seen)
				continue;
			if (i)
				dir_gone(s, k, &last);
			rec = writer_rec_new(i ? WRITER_DELETE_DIR :
					     WRITER_DELETE_FILE, "", 0);
			if (!rec) {
				stat_add(&s->stats->io_errors, 1);
				continue;
			}
			rec->root_id = s->req->root_id;
			rec->id = k->id;
			writer_batch_add(&batch, rec);
			if (!i)
				stat_add(&s->stats->files_deleted, 1);
		}
	}
	writer_batch_flush(&batch);
}

/*
 * Start the walk at sub: a directory is walked, a file (or a link to one)
 * is scanned alone, and a path that no longer exists, or that goes
 * through a link to a folder, leaves only deletions.
 */
static int scan_start(struct scan *s, const char *sub)
{
	size_t len = strlen(sub);
	const char *slash = strrchr(sub, '/');
	const char *name = slash ? slash + 1 : sub;
	struct worker wk = { .s = s, .batch = WRITER_BATCH_INIT };
	struct stat st;
	char *dir;
	int dfd;

	if (!len)
		return push_job(s, "", 0);
	dir = strndup(sub, slash ? (size_t)(slash - sub) : 0);
	if (!dir)
		return log_error(-ENOMEM, "scan: out of memory at %s", sub);
	dfd = symlinks_open_beneath(s->root_fd, dir, O_RDONLY | O_DIRECTORY);
	free(dir);
	if (dfd == -ELOOP || dfd == -EXDEV)
		log_info("scan: %s/%s goes through a link, so it is not in"
			 " the root", s->req->root_path, sub);
	if (dfd == -ENOENT || dfd == -ENOTDIR || dfd == -ELOOP ||
	    dfd == -EXDEV)
		return 0;
	if (dfd >= 0 && fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			close(dfd);
			return 0;
		}
		dfd = -errno;
	}
	if (dfd < 0) {
		stat_add(&s->stats->io_errors, 1);
		return log_error(dfd, "scan: cannot stat %s/%s: %s",
				 s->req->root_path, sub, strerror(-dfd));
	}
	if (S_ISDIR(st.st_mode))
		push_job(s, sub, len);
	else if (S_ISREG(st.st_mode))
		scan_file(&wk, dfd, name, -1, sub, len, &st);
	else if (S_ISLNK(st.st_mode))
		scan_link(&wk, dfd, name, sub, len);
	worker_flush(&wk);
	close(dfd);
	return 0;
}

int scan_run(const char *db_path, const struct scan_request *req,
	     struct scan_stats *stats)
{
	struct scan s = {
		.req = req,
		.stats = stats,
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.cond = PTHREAD_COND_INITIALIZER,
	};
	sqlite3 *db;
	int rc;

	s.rule = (struct symlinks_rule){ req->root_path, req->roots,
				      req->nr_roots, req->follow_outside };
	s.root_fd = open(req->root_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s.root_fd < 0) {
		stat_add(&stats->io_errors, 1);
		return log_error(-errno, "scan: cannot open root %s: %s",
				 req->root_path, strerror(errno));
	}
	rc = db_open(db_path, 1, &db);
	if (!rc) {
		rc = known_load(db, "files", 1, req, &s.files);
		if (!rc)
			rc = known_load(db, "directories", 0, req, &s.dirs);
		db_close(db);
	}
	if (rc)
		goto out;

	/* A path that cannot be started keeps what the store knows of it;
	 * the others are scanned and the scan reports the failure. */
	for (size_t i = 0; i < req->nr_subpaths; i++) {
		const char *sub = req->subpaths[i];
		int err = scan_start(&s, sub);

		if (err) {
			known_keep_subtree(&s.files, sub, strlen(sub));
			known_keep_subtree(&s.dirs, sub, strlen(sub));
			rc = rc ? : err;
		}
	}
	scan_walk(&s);
	if (__atomic_load_n(req->cancel, __ATOMIC_RELAXED))
		rc = -ECANCELED;
	else
		scan_delete_unseen(&s);
	while (s.jobs) {
		struct dir_job *job = s.jobs;

		s.jobs = job->next;
		free(job);
	}
out:
	known_release(&s.files);
	known_release(&s.dirs);
	close(s.root_fd);
	return rc;
}
