/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Where links may lead (symlinks.h), on real trees: folders opened with no
 * link on the way, with openat2() and, in a child whose openat2() says
 * ENOSYS as an old kernel would, one name at a time; links to files
 * followed inside the roots only, unless the rule follows outside; a
 * folder opened from / only when no one else may change its path; a
 * temporary file made where no link leads it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/strbuf.h"
#include "common/symlinks.h"

static char dir[] = "/tmp/test_symlinks.XXXXXX";
static char root[64], outside[64];
static const char *root_path;
static int root_fd;

static void put(const char *base, const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void link_at(const char *target, const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(symlink(target, path), 0);
}

/*
 * root/a/b/file, root/a/up -> .. (a link to a folder inside),
 * root/a/out -> OUTSIDE (a link to a folder outside), root/in.txt ->
 * a/b/file, root/abs.txt -> ROOT/a/b/file, root/out.txt ->
 * OUTSIDE/secret, root/dangling -> nowhere, root/loop -> loop,
 * root/fifo -> a/fifo, root/dir -> a.
 */
static int setup(void **state)
{
	char path[256];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(root, sizeof(root), "%s/root", dir);
	snprintf(outside, sizeof(outside), "%s/outside", dir);
	assert_int_equal(mkdir(root, 0755), 0);
	assert_int_equal(mkdir(outside, 0755), 0);
	snprintf(path, sizeof(path), "%s/a", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/a/b", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/a/fifo", root);
	assert_int_equal(mkfifo(path, 0644), 0);
	put(root, "a/b/file", "inside\n");
	put(outside, "secret", "outside\n");
	link_at("..", "a/up");
	link_at(outside, "a/out");
	link_at("a/b/file", "in.txt");
	snprintf(path, sizeof(path), "%s/a/b/file", root);
	link_at(path, "abs.txt");
	snprintf(path, sizeof(path), "%s/secret", outside);
	link_at(path, "out.txt");
	link_at("nowhere", "dangling");
	link_at("loop", "loop");
	link_at("a/fifo", "fifo");
	link_at("a", "dir");
	root_fd = open(root, O_RDONLY | O_DIRECTORY);
	assert_true(root_fd >= 0);
	return 0;
}

static int rm(const char *path)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	return system(cmd);
}

static int teardown(void **state)
{
	(void)state;
	close(root_fd);
	return rm(dir);
}

/* What the first bytes of fd are, for the file a test opened. */
static void assert_reads(int fd, const char *want)
{
	char buf[32] = { 0 };

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, sizeof(buf) - 1, 0), strlen(want));
	assert_string_equal(buf, want);
	close(fd);
}

/* The answer of opening rel below the root with flags: 0 for a
 * descriptor (closed), else the error. */
static int beneath(const char *rel, int flags)
{
	int fd = symlinks_open_beneath(root_fd, rel, flags);

	if (fd >= 0)
		close(fd);
	return fd >= 0 ? 0 : fd;
}

/*
 * How many answers of symlinks_open_beneath() are not the expected ones.
 * No assertion: a child runs it too, and reports through its exit
 * status only.
 */
static int check_beneath(void)
{
	static const struct {
		const char *rel;
		int flags, want;
	} cases[] = {
		{ "a/b/file", O_RDONLY, 0 },
		{ "./a//b/./file", O_RDONLY, 0 },
		{ "", O_RDONLY | O_DIRECTORY, 0 },
		{ "a/b", O_RDONLY | O_DIRECTORY, 0 },
		/* a link anywhere on the way, inside or not, is refused */
		{ "a/up/a/b/file", O_RDONLY, -ELOOP },
		{ "a/out/secret", O_RDONLY, -ELOOP },
		{ "a/out", O_RDONLY | O_DIRECTORY, -ELOOP },
		{ "in.txt", O_RDONLY, -ELOOP },
		{ "dir/b", O_RDONLY | O_DIRECTORY, -ELOOP },
		/* and so is a way out of the folder */
		{ "a/../../outside/secret", O_RDONLY, -EXDEV },
		{ "/etc/passwd", O_RDONLY, -EXDEV },
		{ "a/nothing", O_RDONLY, -ENOENT },
		{ "a/b/file/x", O_RDONLY, -ENOTDIR },
	};
	int wrong = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		int got = beneath(cases[i].rel, cases[i].flags);

		if (got != cases[i].want) {
			fprintf(stderr, "%s: %d, not %d\n", cases[i].rel, got,
				cases[i].want);
			wrong++;
		}
	}
	return wrong;
}

static void test_open_beneath(void **state)
{
	(void)state;
	assert_reads(symlinks_open_beneath(root_fd, "a/b/file", O_RDONLY),
		     "inside\n");
	assert_int_equal(check_beneath(), 0);
}

/* Only openat2() answers ENOSYS; everything else runs. */
static void no_openat2(void)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(code) / sizeof(*code),
		.filter = code,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		_exit(2);
}

/* The same answers one name at a time, as on a kernel before 5.6. */
static void test_open_beneath_without_openat2(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		no_openat2();
		if (syscall(SYS_openat2, root_fd, "a", NULL, 0) != -1 ||
		    errno != ENOSYS)
			_exit(3);
		_exit(check_beneath() ? 1 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/*
 * How many answers of symlinks_open_within() are not the expected ones,
 * a tmpfs at root/a/mnt: beneath as symlinks_open_beneath(), and never
 * into another file system. As check_beneath(), no assertion.
 */
static int check_within(void)
{
	static const struct {
		const char *rel;
		int flags, want;
	} cases[] = {
		{ "a/b/file", O_RDONLY, 0 },
		{ "", O_RDONLY | O_DIRECTORY, 0 },
		{ "a/mnt", O_RDONLY | O_DIRECTORY, -EXDEV },
		{ "a/mnt/x", O_RDONLY, -EXDEV },
		{ "a/out/secret", O_RDONLY, -ELOOP },
		{ "a/../../outside/secret", O_RDONLY, -EXDEV },
	};
	int wrong = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		int fd = symlinks_open_within(root_fd, cases[i].rel,
					      cases[i].flags);
		int got = fd >= 0 ? 0 : fd;

		if (fd >= 0)
			close(fd);
		if (got != cases[i].want) {
			fprintf(stderr, "%s: %d, not %d\n", cases[i].rel, got,
				cases[i].want);
			wrong++;
		}
	}
	return wrong;
}

/* With openat2() and one name at a time. Needs root, for the tmpfs. */
static void test_open_within(void **state)
{
	char mnt[128];
	int status, fd;
	pid_t pid;

	(void)state;
	snprintf(mnt, sizeof(mnt), "%s/a/mnt", root);
	assert_int_equal(mkdir(mnt, 0755), 0);
	if (mount("tmpfs", mnt, "tmpfs", 0, "size=64k")) {
		print_message("no tmpfs (%s): case skipped\n",
			      strerror(errno));
		rmdir(mnt);
		skip();
	}
	put(mnt, "x", "x");
	fd = symlinks_open_beneath(root_fd, "a/mnt/x", O_RDONLY);
	assert_reads(fd, "x");
	assert_int_equal(check_within(), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		no_openat2();
		_exit(check_within() ? 1 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(umount(mnt), 0);
	assert_int_equal(rmdir(mnt), 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_follow(void **state)
{
	struct symlinks_rule rule = { .root = root };
	const char *other = outside;
	struct stat st;
	int fd;

	(void)state;
	fd = symlinks_follow(root_fd, "in.txt", &rule, &st);
	assert_true(fd >= 0 && S_ISREG(st.st_mode) && st.st_size == 7);
	assert_reads(symlinks_reopen(fd, O_RDONLY), "inside\n");
	close(fd);
	fd = symlinks_follow(root_fd, "abs.txt", &rule, &st);
	assert_true(fd >= 0);
	close(fd);
	/* a file that is no link passes too */
	fd = symlinks_follow(root_fd, "a/b/file", &rule, &st);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(symlinks_follow(root_fd, "out.txt", &rule, &st),
			 -EXDEV);
	assert_int_equal(symlinks_follow(root_fd, "a/out/secret", &rule, &st),
			 -EXDEV);
	assert_int_equal(symlinks_follow(root_fd, "dangling", &rule, &st),
			 -ENOENT);
	assert_int_equal(symlinks_follow(root_fd, "loop", &rule, &st), -ELOOP);
	/* never opened: a FIFO would block, a device act */
	assert_int_equal(symlinks_follow(root_fd, "fifo", &rule, &st), -EINVAL);
	assert_int_equal(symlinks_follow(root_fd, "dir", &rule, &st), -EINVAL);

	/* another root is inside too */
	rule.roots = &other;
	rule.nr_roots = 1;
	fd = symlinks_follow(root_fd, "out.txt", &rule, &st);
	assert_reads(symlinks_reopen(fd, O_RDONLY), "outside\n");
	close(fd);
	/* and anywhere is, when the rule follows outside */
	rule = (struct symlinks_rule){ .root = root, .follow_outside = 1 };
	fd = symlinks_follow(root_fd, "out.txt", &rule, &st);
	assert_reads(symlinks_reopen(fd, O_RDONLY), "outside\n");
	close(fd);
	assert_int_equal(symlinks_follow(root_fd, "fifo", &rule, &st), -EINVAL);
}

/* A path with no link opens as it is; one through a link, by the rule. */
static void test_open_path(void **state)
{
	struct symlinks_rule none = { NULL }, rule = { .roots = &root_path,
						     .nr_roots = 1 };
	char path[256];

	(void)state;
	root_path = root;
	snprintf(path, sizeof(path), "%s/a/b/file", root);
	assert_reads(symlinks_open_path(path, O_RDONLY, &none), "inside\n");
	snprintf(path, sizeof(path), "%s/in.txt", root);
	assert_int_equal(symlinks_open_path(path, O_RDONLY, &none), -EXDEV);
	assert_reads(symlinks_open_path(path, O_RDONLY, &rule), "inside\n");
	snprintf(path, sizeof(path), "%s/out.txt", root);
	assert_int_equal(symlinks_open_path(path, O_RDONLY, &rule), -EXDEV);
	rule.follow_outside = 1;
	assert_reads(symlinks_open_path(path, O_RDONLY, &rule), "outside\n");
	snprintf(path, sizeof(path), "%s/nothing", root);
	assert_int_equal(symlinks_open_path(path, O_RDONLY, &none), -ENOENT);
}

/* A FIFO where a file was answers at once, for the thread's sake; a file
 * opened without O_NONBLOCK reads as blocking again. */
static void test_open_path_regular_only(void **state)
{
	struct symlinks_rule none = { NULL };
	char path[256];
	int fd;

	(void)state;
	/* the old open waited here for a writer: end the test instead */
	alarm(10);
	snprintf(path, sizeof(path), "%s/a/fifo", root);
	assert_int_equal(symlinks_open_path(path, O_RDONLY, &none), -EINVAL);
	alarm(0);
	snprintf(path, sizeof(path), "%s/a/b/file", root);
	fd = symlinks_open_path(path, O_RDONLY, &none);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	fd = symlinks_open_path(path, O_RDONLY | O_NONBLOCK, &none);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	close(fd);
	snprintf(path, sizeof(path), "%s/a", root);
	assert_int_equal(symlinks_open_path(path, O_RDONLY, &none), -EINVAL);
}

/* The answer of symlinks_open_owned() on dir/own/rel (0 for a folder
 * opened), its why in why. */
static int owned(const char *rel, const uid_t *also, size_t nr,
		 char *why, size_t len)
{
	struct strbuf w = STRBUF_INIT;
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/own%s%s", dir, *rel ? "/" : "", rel);
	fd = symlinks_open_owned(path, O_RDONLY | O_DIRECTORY, also, nr, &w);
	snprintf(why, len, "%s", w.len ? w.buf : "");
	strbuf_release(&w);
	if (fd >= 0)
		close(fd);
	return fd >= 0 ? 0 : fd;
}

/* Whether why names dir/own/rel and says what. */
static void assert_why(const char *why, const char *rel, const char *what)
{
	char want[256];

	snprintf(want, sizeof(want), "%s/own/%s %s", dir, rel, what);
	assert_string_equal(why, want);
}

/* dir/own/a/b, dir/own/link -> a, dir/own/a/b/up -> ../../a and
 * dir/own/loop -> loop. */
static void own_tree(char *path, size_t len)
{
	snprintf(path, len, "%s/own", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, len, "%s/own/a", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, len, "%s/own/a/b", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, len, "%s/own/link", dir);
	assert_int_equal(symlink("a", path), 0);
	snprintf(path, len, "%s/own/a/b/up", dir);
	assert_int_equal(symlink("../../a", path), 0);
	snprintf(path, len, "%s/own/loop", dir);
	assert_int_equal(symlink("loop", path), 0);
	snprintf(path, len, "%s/own/a", dir);
}

static void test_open_owned(void **state)
{
	char a[256], why[512], path[256];
	struct strbuf w = STRBUF_INIT;
	uid_t nobody = 65534;

	(void)state;
	own_tree(a, sizeof(a));
	assert_int_equal(owned("a/b", NULL, 0, why, sizeof(why)), 0);
	assert_int_equal(owned("", NULL, 0, why, sizeof(why)), 0);
	/* a link only trusted users may have made is followed */
	assert_int_equal(owned("link/b", NULL, 0, why, sizeof(why)), 0);
	assert_int_equal(owned("link", NULL, 0, why, sizeof(why)), 0);
	assert_int_equal(owned("a/b/up/b", NULL, 0, why, sizeof(why)), 0);
	assert_int_equal(owned("loop", NULL, 0, why, sizeof(why)), -ELOOP);
	assert_true(strstr(why, "/own/loop leads through more than 40 "
			   "symbolic links"));
	assert_int_equal(owned("a/../a/b", NULL, 0, why, sizeof(why)), -EXDEV);
	assert_int_equal(owned("a/none", NULL, 0, why, sizeof(why)), -ENOENT);
	assert_string_equal(why, "");
	/* every user may swap b for a link, unless the folder is sticky */
	assert_int_equal(chmod(a, 0777), 0);
	assert_int_equal(owned("a/b", NULL, 0, why, sizeof(why)), -EACCES);
	assert_why(why, "a", "may be written by every user");
	assert_int_equal(chmod(a, 01777), 0);
	assert_int_equal(owned("a/b", NULL, 0, why, sizeof(why)), 0);
	assert_int_equal(chmod(a, 0755), 0);
	assert_int_equal(symlinks_open_owned("own/a", O_RDONLY, NULL, 0, &w),
			 -EINVAL);
	strbuf_release(&w);
	if (geteuid())
		return;
	/* another user's link, unless that user is named */
	snprintf(path, sizeof(path), "%s/own/link", dir);
	assert_int_equal(lchown(path, nobody, (gid_t)-1), 0);
	assert_int_equal(owned("link/b", NULL, 0, why, sizeof(why)), -ELOOP);
	assert_true(strstr(why, "/own/link is a symbolic link of user "));
	assert_int_equal(owned("link/b", &nobody, 1, why, sizeof(why)), 0);
	/* another user's folder, or its group's, unless that user is named */
	snprintf(path, sizeof(path), "%s/own/a/b", dir);
	assert_int_equal(chown(path, nobody, 0), 0);
	assert_int_equal(owned("a/b", NULL, 0, why, sizeof(why)), -EACCES);
	assert_true(strstr(why, "/own/a/b belongs to user "));
	assert_int_equal(owned("a/b", &nobody, 1, why, sizeof(why)), 0);
	assert_int_equal(chown(path, 0, nobody), 0);
	assert_int_equal(chmod(path, 0775), 0);
	assert_int_equal(owned("a/b", NULL, 0, why, sizeof(why)), -EACCES);
	assert_true(strstr(why, "/own/a/b may be written by group "));
	assert_int_equal(chmod(path, 0755), 0);
	assert_int_equal(owned("a/b", NULL, 0, why, sizeof(why)), 0);
}

/* The folder of a path's last name, opened by the same rule, and the
 * name; a path with no name in a folder is refused. */
static void test_open_owned_parent(void **state)
{
	struct strbuf w = STRBUF_INIT;
	char path[256], name[16], small[4];
	struct stat st, there;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/parent", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/parent/new.db//", dir);
	fd = symlinks_open_owned_parent(path, NULL, 0, &w, name, sizeof(name));
	assert_true(fd >= 0);
	assert_string_equal(name, "new.db");
	assert_int_equal(fstat(fd, &st), 0);
	snprintf(path, sizeof(path), "%s/parent", dir);
	assert_int_equal(stat(path, &there), 0);
	assert_true(st.st_ino == there.st_ino && S_ISDIR(st.st_mode));
	close(fd);
	fd = symlinks_open_owned_parent("/top", NULL, 0, &w, name,
					sizeof(name));
	assert_true(fd >= 0);
	assert_string_equal(name, "top");
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(stat("/", &there), 0);
	assert_true(st.st_ino == there.st_ino);
	close(fd);
	assert_int_equal(w.len, 0);
	assert_int_equal(symlinks_open_owned_parent("/", NULL, 0, &w, name,
						    sizeof(name)), -EINVAL);
	assert_string_equal(w.buf, "/ names no file in a folder");
	assert_int_equal(symlinks_open_owned_parent("/longname", NULL, 0, &w,
						    small, sizeof(small)),
			 -EINVAL);
	/* the folder refused as symlinks_open_owned() refuses it */
	assert_int_equal(chmod(path, 0777), 0);
	strbuf_reset(&w);
	snprintf(path, sizeof(path), "%s/parent/new.db", dir);
	assert_int_equal(symlinks_open_owned_parent(path, NULL, 0, &w, name,
						    sizeof(name)), -EACCES);
	assert_non_null(strstr(w.buf, "/parent may be written by every user"));
	snprintf(path, sizeof(path), "%s/parent", dir);
	assert_int_equal(chmod(path, 0755), 0);
	strbuf_release(&w);
}

static void test_create_temp(void **state)
{
	char name[32], small[8];
	struct stat st;
	int fd;

	(void)state;
	fd = symlinks_create_temp(root_fd, ".t-", ".tmp", 0600, name,
				  sizeof(name));
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(strlen(name), 3 + 12 + 4);
	assert_int_equal(strncmp(name, ".t-", 3), 0);
	assert_string_equal(name + 15, ".tmp");
	assert_int_equal(fstatat(root_fd, name, &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(unlinkat(root_fd, name, 0), 0);
	assert_int_equal(symlinks_create_temp(root_fd, ".t-", ".tmp", 0600,
					      small, sizeof(small)),
			 -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_beneath),
		cmocka_unit_test(test_open_beneath_without_openat2),
		cmocka_unit_test(test_open_within),
		cmocka_unit_test(test_follow),
		cmocka_unit_test(test_open_path),
		cmocka_unit_test(test_open_path_regular_only),
		cmocka_unit_test(test_open_owned),
		cmocka_unit_test(test_open_owned_parent),
		cmocka_unit_test(test_create_temp),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
