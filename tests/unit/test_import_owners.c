/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Whose files an import takes (import_owner.h): the owners of a
 * client's files and the series folder's reader, the client's listed
 * files only, the user listening on a client's port, and who may.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/bytes.h"
#include "common/config.h"
#include "common/strbuf.h"
#include "common/template.h"
#include "indexer/monitor/import.h"
#include "common/listener.h"
#include "indexer/monitor/import_owner.h"
#include "indexer/monitor/import_path.h"
#include "imp_tree.h"

static int run_owned(const char *source, double vol, const uid_t *owners,
		     size_t nr, struct import_result *res)
{
	struct import_request req = {
		.source = source, .source_root = imp_dl,
		.series_dir = imp_series, .series_root = imp_tmp,
		.series = "One Piece",
		.volumes = &vol, .nr_volumes = 1,
		.owners = owners, .nr_owners = nr,
	};

	return import_run(&req, &imp_cfg, res);
}

/* Another user's folder in the save folder is refused whole, naming
 * nothing inside it, in copy and in move mode; a file another user's
 * inside the download is left out; a file the series folder's owner
 * could not read is not copied for them; a move of a file that is not
 * theirs is a copy, the download's file kept as it was. Root only: the
 * files need owners. */
/* test_owners_and_reader()'s files in the client's folder, the series
 * folder's owner being owner. */
static void client_files_owned(uid_t owner)
{
	struct import_result res = IMPORT_RESULT_INIT;
	const uid_t root_only[] = { 0 };
	char src[256], path[256];
	struct stat st;

	/* another user's file in the client's folder: left out */
	imp_configure("[import]\nmode = copy\n");
	imp_put(imp_dl, "pack/One Piece T10.cbz", "theirs");
	imp_path(path, sizeof(path), imp_dl, "pack/One Piece T10.cbz");
	assert_int_equal(chown(path, 4244, 4244), 0);
	imp_path(src, sizeof(src), imp_dl, "pack");
	assert_int_equal(run_owned(src, 10, root_only, 1, &res), -EACCES);
	assert_non_null(imp_why(&res, "One Piece T10.cbz"));
	assert_int_equal(imp_count(imp_series), 0);
	import_result_release(&res);

	/* the client's 0600 file, which the series folder's owner could
	 * not read: not copied for them */
	assert_int_equal(chown(path, 0, 0), 0);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(run_owned(src, 10, root_only, 1, &res), -EACCES);
	assert_non_null(strstr(imp_why(&res, "One Piece T10.cbz"),
			       "could not read"));
	assert_int_equal(imp_count(imp_series), 0);
	import_result_release(&res);

	/* readable by all, moved: a copy, the client's file kept */
	imp_configure("[import]\nmode = move\n");
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(run_owned(src, 10, root_only, 1, &res), 0);
	assert_string_equal(res.files[0].how, "copy");
	assert_string_equal(imp_text(imp_dl, "pack/One Piece T10.cbz"),
			    "theirs");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_uid, 0);
	imp_path(path, sizeof(path), imp_series, "One Piece T10.cbz");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_uid, owner);
	import_result_release(&res);
}

static void test_owners_and_reader(void **state)
{
	static const char *const modes[] = { "copy", "move" };
	struct import_result res = IMPORT_RESULT_INIT;
	const uid_t root_only[] = { 0 };
	char src[256], path[256];
	struct stat st;
	uid_t owner;

	(void)state;
	if (geteuid()) {
		print_message("not root: case skipped\n");
		skip();
	}
	imp_other_group(&owner);
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		char conf_text[64];

		snprintf(conf_text, sizeof(conf_text),
			 "[import]\nmode = %s\n", modes[i]);
		imp_configure(conf_text);
		imp_put(imp_dl, "victim/One Piece T09 secret.cbz", "private");
		imp_path(path, sizeof(path), imp_dl,
			 "victim/One Piece T09 secret.cbz");
		assert_int_equal(chown(path, 4244, 4244), 0);
		assert_int_equal(chmod(path, 0600), 0);
		imp_path(src, sizeof(src), imp_dl, "victim");
		assert_int_equal(chown(src, 4244, 4244), 0);
		assert_int_equal(chmod(src, 0700), 0);
		assert_int_equal(run_owned(src, 9, root_only, 1, &res),
				 -EACCES);
		assert_non_null(strstr(res.reason.buf, "another user's"));
		assert_null(strstr(res.reason.buf, "secret"));
		assert_int_equal(res.nr_left_out, 0);
		assert_int_equal(res.no_volume, 0);
		assert_int_equal(imp_count(imp_series), 0);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_uid, 4244);
		assert_int_equal(st.st_nlink, 1);
		import_result_release(&res);
		/* a file of the download's own folder inside it, too */
		imp_path(path, sizeof(path), imp_dl, "victim/inner");
		assert_int_equal(mkdir(path, 0755), 0);
		assert_int_equal(run_owned(path, 9, root_only, 1, &res),
				 -EACCES);
		assert_null(strstr(res.reason.buf, "secret"));
		import_result_release(&res);
		imp_rm(src);
	}
	client_files_owned(owner);
}

/* With the client's list, only the files it lists are opened: another
 * volume planted beside them, or in a folder it does not list, is
 * neither imported nor named; a download of one file is its name. */
static void test_listed_only(void **state)
{
	static const char *const listed[] = {
		"One Piece T11.cbz", "more/One Piece T14.cbz",
	};
	static const char *const one[] = { "One Piece T15.cbz" };
	struct import_result res = IMPORT_RESULT_INIT;
	char src[256];
	struct import_request req = {
		.source = src, .source_root = imp_dl, .series_dir = imp_series,
		.series_root = imp_tmp, .series = "One Piece",
		.listed = listed, .nr_listed = ARRAY_SIZE(listed),
		.listed_only = 1,
	};

	(void)state;
	imp_configure("[import]\nmode = copy\n");
	imp_put(imp_dl, "pack/One Piece T11.cbz", "vol11");
	imp_put(imp_dl, "pack/One Piece T12.cbz", "planted");
	imp_put(imp_dl, "pack/more/One Piece T14.cbz", "vol14");
	imp_put(imp_dl, "pack/more/One Piece T16.cbz", "planted");
	imp_put(imp_dl, "pack/hidden/One Piece T13.cbz", "planted");
	imp_path(src, sizeof(src), imp_dl, "pack");
	assert_int_equal(import_run(&req, &imp_cfg, &res), 0);
	assert_int_equal(res.nr_files, 2);
	assert_string_equal(res.files[0].from, "One Piece T11.cbz");
	assert_string_equal(res.files[1].from, "more/One Piece T14.cbz");
	assert_int_equal(res.nr_left_out, 0);
	assert_int_equal(imp_count(imp_series), 2);
	import_result_release(&res);

	/* a file: listed by its own name */
	imp_put(imp_dl, "One Piece T15.cbz", "vol15");
	imp_path(src, sizeof(src), imp_dl, "One Piece T15.cbz");
	req.listed = one;
	req.nr_listed = 1;
	assert_int_equal(import_run(&req, &imp_cfg, &res), 0);
	assert_int_equal(res.nr_files, 1);
	import_result_release(&res);
	/* the client lists nothing there: nothing is opened */
	imp_put(imp_dl, "One Piece T17.cbz", "planted");
	imp_path(src, sizeof(src), imp_dl, "One Piece T17.cbz");
	assert_int_equal(import_run(&req, &imp_cfg, &res), -ENOENT);
	assert_int_equal(res.nr_left_out, 0);
	assert_int_equal(imp_count(imp_series), 3);
	import_result_release(&res);
}

/* A socket of this process's listening on a port of the kernel's. */
static int listening(int family, unsigned *port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr *a = family == AF_INET ? (struct sockaddr *)&a4 :
		(struct sockaddr *)&a6;
	socklen_t len = family == AF_INET ? sizeof(a4) : sizeof(a6);
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, a, len) || listen(fd, 1) ||
	    getsockname(fd, a, &len)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(family == AF_INET ? a4.sin_port : a6.sin6_port);
	return fd;
}

/* The user listening on a client's port, by its url's address, port
 * and scheme; none where nothing listens; a url that does not read. */
static void test_listener(void **state)
{
	char url[128];
	unsigned port;
	uid_t uid;
	int fd;

	(void)state;
	fd = listening(AF_INET, &port);
	assert_true(fd >= 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/api", port);
	uid = (uid_t)-1;
	assert_int_equal(listener_uid(url, &uid), 0);
	assert_int_equal(uid, geteuid());
	snprintf(url, sizeof(url), "http://user:pw@localhost:%u", port);
	assert_int_equal(listener_uid(url, &uid), 0);
	close(fd);
	assert_int_equal(listener_uid(url, &uid), -ENOENT);
	fd = listening(AF_INET6, &port);
	if (fd >= 0) {
		snprintf(url, sizeof(url), "http://[::1]:%u/", port);
		assert_int_equal(listener_uid(url, &uid), 0);
		assert_int_equal(uid, geteuid());
		close(fd);
	}
	assert_int_equal(listener_uid("127.0.0.1:8080", &uid),
			 -EINVAL);
	assert_int_equal(listener_uid("http://h:99999/", &uid),
			 -EINVAL);
	assert_int_equal(listener_uid("http://[::1/", &uid),
			 -EINVAL);
	assert_int_equal(listener_uid(NULL, &uid), -EINVAL);
}

/* The owner's bits, then the group's, then the others', as the kernel
 * reads them: an owner the mode leaves out is not let in by others. */
static void test_may(void **state)
{
	struct import_user u = { .uid = 1000, .gid = 100,
				 .groups = { 100, 27 }, .nr_groups = 2 };
	struct import_user root = { .uid = 0 };
	struct stat st = { .st_uid = 1000, .st_gid = 5, .st_mode = 0044 };

	(void)state;
	assert_false(import_owner_may(&u, &st, IMPORT_MAY_READ));
	assert_true(import_owner_may(&root, &st, IMPORT_MAY_READ));
	st.st_uid = 2000;
	assert_true(import_owner_may(&u, &st, IMPORT_MAY_READ));
	st.st_mode = 0640;
	assert_false(import_owner_may(&u, &st, IMPORT_MAY_READ));
	st.st_gid = 27;
	assert_true(import_owner_may(&u, &st, IMPORT_MAY_READ));
	assert_false(import_owner_may(&u, &st, IMPORT_MAY_READ |
				      IMPORT_MAY_SEARCH));
	st.st_mode = 0750;
	assert_true(import_owner_may(&u, &st, IMPORT_MAY_READ |
				     IMPORT_MAY_SEARCH));
}

/* Tags of ACL entries as the kernel's posix_acl_xattr.h numbers them. */
enum { A_UOBJ = 0x01, A_USER = 0x02, A_GOBJ = 0x04, A_GROUP = 0x08,
	A_MASK = 0x10, A_OTHER = 0x20 };

/* Set path's ACL to the n entries of tag, perm, id triples (an id of -1
 * for the entries that name no one), as setfacl writes it. */
static void set_acl(const char *path, const int (*e)[3], size_t n)
{
	unsigned char b[4 + 8 * 16] = { 2 };

	assert_true(n <= 16);
	for (size_t i = 0; i < n; i++) {
		unsigned char *p = b + 4 + 8 * i;
		uint32_t id = (uint32_t)e[i][2];

		p[0] = (unsigned char)e[i][0];
		p[1] = (unsigned char)(e[i][0] >> 8);
		p[2] = (unsigned char)e[i][1];
		p[3] = 0;
		for (int k = 0; k < 4; k++)
			p[4 + k] = (unsigned char)(id >> (8 * k));
	}
	assert_int_equal(setxattr(path, "system.posix_acl_access", b,
				  4 + 8 * n, 0), 0);
}

/* import_owner_acl_may() of u asking mask of path. */
static int acl_may(const struct import_user *u, const char *path, int mask)
{
	struct stat st;
	int fd = open(path, O_PATH | O_CLOEXEC), ok;

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	ok = import_owner_acl_may(u, fd, &st, mask);
	close(fd);
	return ok;
}

#define SET_ACL(path, ...) do {						\
		const int e_[][3] = { __VA_ARGS__ };			\
		set_acl(path, e_, ARRAY_SIZE(e_));			\
	} while (0)

/* An ACL judged as the kernel's posix_acl_permission(): the owner's
 * entry, an entry naming the user (masked), any group entry of theirs
 * that grants (masked), none of theirs granting refuses, else others';
 * no ACL or no group bits in the mode (a mask of ---), the mode. Root only (the ACLs are set on root's file). */
static void test_acl(void **state)
{
	struct import_user u = { .uid = 4243, .gid = 4242,
				 .groups = { 4242, 27 }, .nr_groups = 2 };
	struct import_user root = { .uid = 0 };
	char f[256];

	(void)state;
	if (geteuid()) {
		print_message("not root: case skipped\n");
		skip();
	}
	imp_put(imp_dl, "acl.cbz", "v");
	imp_path(f, sizeof(f), imp_dl, "acl.cbz");
	assert_int_equal(chown(f, 0, 0), 0);
	assert_int_equal(chmod(f, 0644), 0);
	assert_true(acl_may(&u, f, IMPORT_MAY_READ));
	/* a group of theirs named with nothing: the others' r- not theirs */
	SET_ACL(f, { A_UOBJ, 6, -1 }, { A_GOBJ, 4, -1 }, { A_GROUP, 0, 27 },
		{ A_MASK, 4, -1 }, { A_OTHER, 4, -1 });
	assert_false(acl_may(&u, f, IMPORT_MAY_READ));
	assert_true(acl_may(&root, f, IMPORT_MAY_READ));
	/* another group of theirs that grants it will do */
	SET_ACL(f, { A_UOBJ, 6, -1 }, { A_GOBJ, 4, -1 }, { A_GROUP, 0, 27 },
		{ A_GROUP, 4, 4242 }, { A_MASK, 4, -1 }, { A_OTHER, 0, -1 });
	assert_true(acl_may(&u, f, IMPORT_MAY_READ));
	/* a named group grants what the others' --- does not */
	SET_ACL(f, { A_UOBJ, 6, -1 }, { A_GOBJ, 0, -1 }, { A_GROUP, 5, 27 },
		{ A_MASK, 5, -1 }, { A_OTHER, 0, -1 });
	assert_true(acl_may(&u, f, IMPORT_MAY_READ | IMPORT_MAY_SEARCH));
	/* but not past the mask */
	SET_ACL(f, { A_UOBJ, 6, -1 }, { A_GOBJ, 0, -1 }, { A_GROUP, 7, 27 },
		{ A_MASK, 2, -1 }, { A_OTHER, 4, -1 });
	assert_false(acl_may(&u, f, IMPORT_MAY_READ));
	/* a mask of ---: the kernel reads the mode alone, the others' r */
	SET_ACL(f, { A_UOBJ, 6, -1 }, { A_GOBJ, 0, -1 }, { A_GROUP, 5, 27 },
		{ A_MASK, 0, -1 }, { A_OTHER, 4, -1 });
	assert_true(acl_may(&u, f, IMPORT_MAY_READ));
	SET_ACL(f, { A_UOBJ, 6, -1 }, { A_GOBJ, 0, -1 }, { A_GROUP, 5, 27 },
		{ A_MASK, 0, -1 }, { A_OTHER, 0, -1 });
	assert_false(acl_may(&u, f, IMPORT_MAY_READ));
	/* the user's own entry first, masked, whatever their groups say */
	SET_ACL(f, { A_UOBJ, 6, -1 }, { A_USER, 4, 4243 }, { A_GOBJ, 0, -1 },
		{ A_GROUP, 0, 27 }, { A_MASK, 4, -1 }, { A_OTHER, 0, -1 });
	assert_true(acl_may(&u, f, IMPORT_MAY_READ));
	SET_ACL(f, { A_UOBJ, 6, -1 }, { A_USER, 0, 4243 }, { A_GOBJ, 4, -1 },
		{ A_MASK, 4, -1 }, { A_OTHER, 4, -1 });
	assert_false(acl_may(&u, f, IMPORT_MAY_READ));
	/* the owning group's entry is one of theirs, masked too */
	assert_int_equal(chown(f, 0, 4242), 0);
	SET_ACL(f, { A_UOBJ, 6, -1 }, { A_GOBJ, 4, -1 }, { A_GROUP, 4, 5 },
		{ A_MASK, 0, -1 }, { A_OTHER, 4, -1 });
	assert_false(acl_may(&u, f, IMPORT_MAY_READ));
	/* the file's owner by the owner's entry, never the others' */
	assert_int_equal(chown(f, 4243, 0), 0);
	SET_ACL(f, { A_UOBJ, 0, -1 }, { A_GOBJ, 4, -1 }, { A_GROUP, 4, 27 },
		{ A_MASK, 4, -1 }, { A_OTHER, 4, -1 });
	assert_false(acl_may(&u, f, IMPORT_MAY_READ));
	assert_int_equal(removexattr(f, "system.posix_acl_access"), 0);
	assert_int_equal(chmod(f, 0044), 0);
	assert_false(acl_may(&u, f, IMPORT_MAY_READ));
	assert_int_equal(chown(f, 0, 0), 0);
	assert_true(acl_may(&u, f, IMPORT_MAY_READ));
}

/* Every folder from / down, the folder itself included, searchable by
 * the user, one name at a time: a folder above that shuts them out, or
 * the folder's own mode, refuses; root reaches all. Root only. */
static void test_reaches(void **state)
{
	struct import_user u = { .uid = 4243, .gid = 4242 };
	struct import_user root = { .uid = 0 };
	int fd;

	(void)state;
	if (geteuid()) {
		print_message("not root: case skipped\n");
		skip();
	}
	fd = open(imp_dl, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(import_owner_reaches(&u, fd), 0);
	assert_int_equal(chmod(imp_tmp, 0700), 0);
	assert_int_equal(import_owner_reaches(&u, fd), -EACCES);
	assert_int_equal(import_owner_reaches(&root, fd), 0);
	assert_int_equal(chmod(imp_tmp, 0711), 0);
	assert_int_equal(import_owner_reaches(&u, fd), 0);
	assert_int_equal(chmod(imp_dl, 0744), 0);
	assert_int_equal(import_owner_reaches(&u, fd), -EACCES);
	/* their own folder, by its owner's bits */
	assert_int_equal(chown(imp_dl, 4243, 4242), 0);
	assert_int_equal(import_owner_reaches(&u, fd), 0);
	assert_int_equal(chown(imp_dl, 0, 0), 0);
	assert_int_equal(chmod(imp_dl, 0755), 0);
	assert_int_equal(chmod(imp_tmp, 0755), 0);
	close(fd);
}

/* The save folder, or a folder above it, that shuts the series folder's
 * owner out refuses a download of a trusted owner whole, naming nothing
 * of it, the release not wrong; once they reach it, a hard link is made
 * of their own file only, another's copied. Root only. */
static void test_reach_and_links(void **state)
{
	struct import_result res = IMPORT_RESULT_INIT;
	const uid_t root_only[] = { 0 };
	const char *shut[] = { imp_dl, imp_tmp };
	char src[256];
	uid_t owner;

	(void)state;
	if (geteuid()) {
		print_message("not root: case skipped\n");
		skip();
	}
	imp_other_group(&owner);
	imp_configure("[import]\nmode = hardlink\n");
	imp_put(imp_dl, "One Piece T12 secret.cbz", "v12");
	imp_path(src, sizeof(src), imp_dl, "One Piece T12 secret.cbz");
	assert_int_equal(chmod(src, 0644), 0);
	for (size_t i = 0; i < ARRAY_SIZE(shut); i++) {
		assert_int_equal(chmod(shut[i], 0700), 0);
		assert_int_equal(run_owned(src, 12, root_only, 1, &res),
				 -EACCES);
		assert_int_equal(chmod(shut[i], 0755), 0);
		assert_non_null(strstr(res.reason.buf, "could not reach"));
		assert_null(strstr(res.reason.buf, "secret"));
		assert_int_equal(res.no_volume, 0);
		assert_int_equal(imp_count(imp_series), 0);
		import_result_release(&res);
	}
	/* root's file: a copy, not the same inode */
	assert_int_equal(run_owned(src, 12, root_only, 1, &res), 0);
	assert_string_equal(res.files[0].how, "copy");
	assert_true(imp_inode(imp_series, "One Piece T12.cbz") !=
		    imp_inode(imp_dl, "One Piece T12 secret.cbz"));
	import_result_release(&res);
	/* the series folder owner's own: linked */
	imp_put(imp_dl, "One Piece T13.cbz", "v13");
	imp_path(src, sizeof(src), imp_dl, "One Piece T13.cbz");
	assert_int_equal(chown(src, owner, -1), 0);
	assert_int_equal(run_owned(src, 13, (uid_t[]){ owner }, 1, &res),
			 0);
	assert_string_equal(res.files[0].how, "hardlink");
	assert_int_equal(imp_inode(imp_series, "One Piece T13.cbz"),
			 imp_inode(imp_dl, "One Piece T13.cbz"));
	import_result_release(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		IMP_TEST(test_owners_and_reader),
		IMP_TEST(test_listed_only),
		cmocka_unit_test(test_listener),
		cmocka_unit_test(test_may),
		IMP_TEST(test_acl),
		IMP_TEST(test_reaches),
		IMP_TEST(test_reach_and_links),
	};

	return cmocka_run_group_tests(tests, imp_group_setup,
				      imp_group_teardown);
}
