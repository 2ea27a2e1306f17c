/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Reading a configuration file with inih: the lines (counted, checked for
 * an unknown section, cut at a comment), each key found in the table and
 * given once, secrets given as KEY_file, the file's owner and mode; and
 * the command line's short forms. The value itself is config_value.c's;
 * what needs every source read first is config_check.c's.
 */

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/bytes.h"
#include "common/config_table.h"
#include "common/redact.h"
#include "common/strbuf.h"
#include "common/template.h"

/* What the inih callbacks share while one file is read. */
struct parse {
	struct config *cfg;
	FILE *file;
	int line;		/* line of the text the reader returned last */
	char *text;		/* that line, whole */
	size_t text_size;
	char *long_value;	/* the value of a line too long for inih */
	int read_errno;
	int errline, err;	/* the first error, with msg */
	char msg[CONFIG_WHY_MAX + 512];
	int seen[CONFIG_KEYS_MAX];	/* line where each key was given */
	bool from_file[CONFIG_KEYS_MAX];	/* secrets given as KEY_file */
	const char *path;	/* the file read */
};

/* A linear scan is plenty for a hundred keys read once at start. */
static const struct key *find_key(const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < config_keys_nr; i++)
		if (!strcmp(config_keys[i].section, section) &&
		    !strcmp(config_keys[i].name, name))
			return &config_keys[i];
	return NULL;
}

/* The key table is the only list of sections: a new one needs no edit. */
static bool is_section(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < config_keys_nr; i++)
		if (strlen(config_keys[i].section) == len &&
		    !strncmp(config_keys[i].section, name, len))
			return true;
	return false;
}

static int fail(struct parse *p, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Only the first error is kept: later ones are often its echoes, and one
 * clear message is what the user acts on. Returns 0, inih's "failed".
 */
static int fail(struct parse *p, int err, const char *fmt, ...)
{
	va_list ap;

	if (p->errline)
		return 0;
	p->errline = p->line;
	p->err = err;
	va_start(ap, fmt);
	vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
	va_end(ap);
	return 0;
}

/*
 * A comment runs from a '#' or ';' that begins the line or follows a
 * blank to the end of the line, so "threads = 4   # scan workers" is 4.
 * One inside a word stays: a URL's "/#fragment", "a;b". There is no
 * quoting: a value that must hold " #" or " ;" (a password) is given in
 * a file, with KEY_file. inih alone would end a value at " ;" only.
 */
static void cut_comment(char *line)
{
	char *s;

	for (s = line; *s && *s != '\n'; s++) {
		if ((*s == '#' || *s == ';') &&
		    (s == line || s[-1] == ' ' || s[-1] == '\t')) {
			strcpy(s, strchr(s, '\n') ? "\n" : "");
			return;
		}
	}
}

/*
 * A line longer than inih's buffer (200 bytes in Debian's libinih) gives
 * inih its key with LONG_MARK for a value, the value kept in p->long_value
 * until the handler takes it: a path on a NAS may be PATH_MAX long.
 */
#define LONG_MARK "\x1f"

static char *shorten(struct parse *p, char *buf, int size)
{
	char *text = p->text, *eq = strpbrk(text, "=:"), *v, *end;

	free(p->long_value);
	p->long_value = NULL;
	if (!eq || eq - text + sizeof(" " LONG_MARK "\n") > (size_t)size) {
		fail(p, -EINVAL, "a line of %zu characters that is not "
		     "'key = value'", strlen(text));
		return strcpy(buf, "\n");
	}
	v = eq + 1 + strspn(eq + 1, " \t");
	end = v + strlen(v);
	while (end > v && strchr(" \t\r\n", end[-1]))
		end--;
	p->long_value = strndup(v, end - v);
	if (!p->long_value) {
		fail(p, -ENOMEM, "out of memory");
		return strcpy(buf, "\n");
	}
	snprintf(buf, size, "%.*s " LONG_MARK "\n", (int)(eq - text + 1),
		 text);
	return buf;
}

/*
 * inih tells its handler neither the line nor a section without keys, and
 * cuts long lines; reading the lines ourselves gives all three, comments
 * after a value, and lines of any length.
 */
static char *read_line(char *buf, int size, void *stream)
{
	struct parse *p = stream;
	const char *s, *end;
	size_t len;

	errno = 0;
	if (getline(&p->text, &p->text_size, p->file) < 0) {
		p->read_errno = ferror(p->file) ? errno : 0;
		return NULL;
	}
	p->line++;
	cut_comment(p->text);
	s = p->text + strspn(p->text, " \t");
	end = *s == '[' ? strchr(s, ']') : NULL;
	if (end && !is_section(s + 1, end - s - 1))
		fail(p, -EINVAL, "unknown section %.*s", (int)(end - s + 1), s);
	len = strlen(p->text);
	if (len < (size_t)size)
		return memcpy(buf, p->text, len + 1);
	return shorten(p, buf, size);
}

/*
 * A secret key may be given as KEY_file, the path of a file holding it,
 * so that the configuration itself holds no secret.
 */
static const struct key *find_secret_file_key(const char *section,
					      const char *name)
{
	size_t len = strlen(name), i;

	for (i = 0; i < config_keys_nr; i++) {
		size_t n = strlen(config_keys[i].name);

		if ((config_keys[i].flags & SECRET) && len == n + 5 &&
		    !strcmp(config_keys[i].section, section) &&
		    !strncmp(name, config_keys[i].name, n) &&
		    !strcmp(name + n, "_file"))
			return &config_keys[i];
	}
	return NULL;
}

/*
 * Whether the file at path (st) may not hold a secret: it belongs to
 * another user than the daemon's, or its group or others have rights on
 * it. Then why (len bytes) says which, and the fix.
 */
bool config_secret_file_exposed(const struct stat *st, const char *path,
				char *why, size_t len)
{
	uid_t uid = geteuid();

	/* root's own file, as the package leaves it, is safe from others
	 * when the daemon runs as a user of its own (mediamon(8)) */
	if ((st->st_uid == uid || st->st_uid == 0) &&
	    !(st->st_mode & (S_IRWXG | S_IRWXO)))
		return false;
	if (st->st_uid != uid && st->st_uid != 0)
		snprintf(why, len, "this file belongs to uid %u, not to the "
			 "daemon's user (uid %u); run chown %u %s",
			 (unsigned)st->st_uid, (unsigned)uid, (unsigned)uid,
			 path);
	else
		snprintf(why, len, "%s (mode %04o); run chmod 600 %s",
			 st->st_mode & S_IROTH ?
			 "every user can read this file" :
			 st->st_mode & S_IRGRP ?
			 "its group can read this file" :
			 "others have rights on this file",
			 st->st_mode & 07777, path);
	return true;
}

/*
 * Read the secret held by the file at path: its text up to the end of its
 * first line, which must be its only one, never through a symbolic link
 * (whoever owns the link would choose the file). With check_mode, a file
 * another user may own or read is refused, as the configuration file is.
 * Returns 0 with *out (malloc'd), or a negative errno value with why,
 * which never holds the file's content.
 */
int config_read_secret(const char *path, bool check_mode, char **out,
		       char *why, size_t len)
{
	char buf[SECRET_MAX + 2], exposed[CONFIG_WHY_MAX];
	struct stat st;
	ssize_t n = -1;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0 && errno == ELOOP) {
		ret = -EINVAL;
		snprintf(why, len, "%s is a symbolic link, not followed: name"
			 " the file itself", path);
	} else if (fd < 0 || fstat(fd, &st) || (S_ISREG(st.st_mode) &&
		   (n = read(fd, buf, sizeof(buf) - 1)) < 0)) {
		ret = -errno;
		snprintf(why, len, "cannot read %s: %s", path, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		snprintf(why, len, "%s is not a regular file", path);
	} else if (check_mode && config_secret_file_exposed(&st, path, exposed,
						     sizeof(exposed))) {
		ret = -EPERM;
		snprintf(why, len, "%s holds a secret, but %s", path, exposed);
	}
	if (fd >= 0)
		close(fd);
	if (ret)
		return ret;
	n = n > 0 ? n : 0;
	if (n && buf[n - 1] == '\n')
		n--;
	if (n && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	if (n > SECRET_MAX) {
		ret = -EINVAL;
		snprintf(why, len, "%s is longer than %d bytes", path,
			 SECRET_MAX);
	} else if (!n) {
		ret = -EINVAL;
		snprintf(why, len, "%s is empty", path);
	}
	for (ssize_t i = 0; !ret && i < n; i++) {
		if ((unsigned char)buf[i] < ' ' || buf[i] == 0x7f) {
			ret = -EINVAL;
			snprintf(why, len, "%s holds more than one line, or "
				 "control characters", path);
		}
	}
	if (!ret && !(*out = strdup(buf)))
		ret = -ENOMEM;
	if (ret == -ENOMEM)
		snprintf(why, len, "out of memory");
	explicit_bzero(buf, sizeof(buf));
	return ret;
}

/* Free a secret's copy without leaving it in freed memory. */
void config_free_secret(char *secret)
{
	if (secret)
		explicit_bzero(secret, strlen(secret));
	free(secret);
}

int config_read_secret_lines(const char *path,
			     int (*fn)(char *line, int at, void *arg),
			     void *arg, char *why, size_t len)
{
	char exposed[CONFIG_WHY_MAX], *line = NULL;
	size_t cap = 0;
	struct stat st;
	int fd, rc = 0, at = 0;
	FILE *f = NULL;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st)) {
		rc = -errno;
		snprintf(why, len, "cannot read %s: %s", path, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		snprintf(why, len, "%s is not a regular file", path);
	} else if (config_secret_file_exposed(&st, path, exposed,
					      sizeof(exposed))) {
		rc = -EPERM;
		snprintf(why, len, "%s holds secrets, but %s", path, exposed);
	} else if (!(f = fdopen(fd, "r"))) {
		rc = -errno;
		snprintf(why, len, "cannot read %s: %s", path, strerror(errno));
	}
	if (rc) {
		if (fd >= 0)
			close(fd);
		return rc;
	}
	while (!rc && getline(&line, &cap, f) >= 0) {
		line[strcspn(line, "\r\n")] = '\0';
		rc = fn(line, ++at, arg);
	}
	if (!rc && ferror(f)) {
		rc = -EIO;
		snprintf(why, len, "cannot read %s", path);
	}
	if (line)
		explicit_bzero(line, cap);
	free(line);
	fclose(f);
	return rc;
}

/*
 * The value of key k read from the file its KEY_file line names (path,
 * relative to the configuration's folder), set in cfg.
 */
static int set_from_file(struct parse *p, const struct key *k,
			 const char *name, const char *path)
{
	char why[CONFIG_WHY_MAX], want[256], *full = NULL, *secret = NULL;
	const char *slash = strrchr(p->path, '/');
	int ret;

	if (*path != '/' && slash &&
	    asprintf(&full, "%.*s/%s", (int)(slash - p->path), p->path,
		     path) < 0)
		return fail(p, -ENOMEM, "out of memory");
	ret = config_read_secret(full ? full : path, true, &secret, why,
			  sizeof(why));
	if (!ret && (ret = config_parse_value(p->cfg, k, secret)) == -EINVAL) {
		config_expect(k, want, sizeof(want));
		snprintf(why, sizeof(why), "bad value in %s: %s",
			 full ? full : path, want);
	}
	free(full);
	config_free_secret(secret);
	if (!ret)
		return 1;
	return fail(p, ret == -EPERM ? -EPERM : ret == -ENOMEM ? ret :
		    -EINVAL, "%s in [%s]: %s", name, k->section,
		    ret == -ENOMEM ? "out of memory" : why);
}

/*
 * inih can only hear that a line failed, not why, so the reason is kept in
 * the parse state for config_load_file to report.
 */
static int handle_value(struct parse *p, const char *section,
			const char *name, const char *value)
{
	const struct key *k = find_key(section, name);
	const struct key *file_of = k ? NULL :
		find_secret_file_key(section, name);
	char want[256];
	int ret, *seen;

	if (p->errline)
		return 0;
	if (!k && !file_of && !*section)
		return fail(p, -EINVAL, "key '%s' is outside any section",
			    name);
	if (!k && !file_of)
		return fail(p, -EINVAL, "unknown key '%s' in [%s]", name,
			    section);
	k = k ? k : file_of;
	seen = &p->seen[k - config_keys];
	if (*seen && !(k->flags & REPEAT))
		return fail(p, -EINVAL, "%s in [%s] was already given on "
			    "line %d", k->name, section, *seen);
	*seen = p->line;
	p->from_file[k - config_keys] = file_of != NULL;
	if (file_of)
		return set_from_file(p, k, name, value);

	ret = config_parse_value(p->cfg, k, value);
	if (!ret)
		return 1;
	if (ret == -ENOMEM)
		return fail(p, ret, "out of memory");
	if (k->type == T_DIR)
		return fail(p, -EINVAL, "%s %s '%s' is not a readable "
			    "directory: %s", section, name, value,
			    strerror(-ret));
	if (k->type == T_MAP && ret != -EINVAL)
		return fail(p, -EINVAL, "%s %s '%s': the local folder is not "
			    "a readable directory: %s", section, name, value,
			    strerror(-ret));
	if (k->type == T_TEMPLATE) {
		template_check(value, config_import_fields,
			       CONFIG_IMPORT_FIELDS, want, sizeof(want));
		return fail(p, -EINVAL, "bad template '%s' for %s in [%s]: "
			    "%s", value, name, section, want);
	}
	config_expect(k, want, sizeof(want));
	if (k->flags & SECRET)
		return fail(p, -EINVAL, "bad value for %s in [%s]: %s", name,
			    section, want);
	if (k->type == T_URL) {
		struct strbuf shown = STRBUF_INIT;

		redact(value, "********", &shown);
		ret = fail(p, -EINVAL, "bad value '%s' for %s in [%s]: %s",
			   shown.buf, name, section, want);
		strbuf_release(&shown);
		return ret;
	}
	return fail(p, -EINVAL, "bad value '%s' for %s in [%s]: %s", value,
		    name, section, want);
}

static int handle(void *user, const char *section, const char *name,
		  const char *value)
{
	struct parse *p = user;
	char *long_value = p->long_value;
	int ret;

	if (!long_value || strcmp(value, LONG_MARK))
		return handle_value(p, section, name, value);
	p->long_value = NULL;
	ret = handle_value(p, section, name, long_value);
	free(long_value);
	return ret;
}

/* Whether the value of key k is a secret: a secret key's, or a URL with
 * credentials in it (user:password@, an api key in the query). */
static bool holds_secret(const struct config *cfg, const struct key *k)
{
	const char *v = *(char *const *)((const char *)cfg + k->offset);
	struct strbuf sb = STRBUF_INIT;
	bool secret;

	if (!v || !*v)
		return false;
	if (k->flags & SECRET)
		return true;
	secret = redact_url(v, "", &sb);
	strbuf_release(&sb);
	return secret;
}

/*
 * A file that holds an api key or a password must be the daemon's user's
 * own and readable by no one else: another user who may read it, or who
 * owns it and may change it, holds the credentials too. Refuse to start
 * on it, naming the first secret and the fix, never its value.
 */
static int check_secret_mode(const struct parse *p, const struct stat *st,
			     const char *path, char *err, size_t errlen)
{
	const struct key *k = NULL;
	char why[CONFIG_WHY_MAX];

	if (!config_secret_file_exposed(st, path, why, sizeof(why)))
		return 0;
	for (size_t i = 0; !k && i < config_keys_nr; i++) {
		/* Only secret keys and URLs are strings: look at no other
		 * field. A secret given as KEY_file is not in this file. */
		if (p->seen[i] && !p->from_file[i] &&
		    (config_keys[i].flags & SECRET ||
		     config_keys[i].type == T_URL) &&
		    holds_secret(p->cfg, &config_keys[i]))
			k = &config_keys[i];
	}
	if (!k)
		return 0;
	snprintf(err, errlen, "%s:%d: %s in [%s] is a secret, but %s", path,
		 p->seen[k - config_keys], k->name, k->section, why);
	return -EPERM;
}

/*
 * A configuration says what the daemon reads, where it writes and whom
 * it trusts, so only the daemon's user or root may change it: a file that
 * another user owns, or that its group or others may write, is refused
 * whatever it holds.
 */
static int check_owner(const struct stat *st, const char *path, char *err,
		       size_t errlen)
{
	uid_t uid = geteuid();

	if (st->st_uid != uid && st->st_uid != 0) {
		snprintf(err, errlen, "%s: this file belongs to uid %u, not to"
			 " the daemon's user (uid %u) or root, who alone may"
			 " change what the daemon does; run chown %u %s",
			 path, (unsigned)st->st_uid, (unsigned)uid,
			 (unsigned)uid, path);
		return -EPERM;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen, "%s: %s can change this file (mode %04o),"
			 " and with it what the daemon does; run chmod go-w %s",
			 path, st->st_mode & S_IWOTH ? "every user" :
			 "its group", st->st_mode & 07777, path);
		return -EPERM;
	}
	return 0;
}

/*
 * The file is opened here rather than by ini_parse so that an open error
 * keeps its errno and the reader can count lines.
 */
int config_load_file(struct config *cfg, const char *path,
		     char *err, size_t errlen)
{
	struct parse p = { .cfg = cfg, .path = path };
	struct stat st;
	int ret;

	p.file = fopen(path, "r");
	if (!p.file) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	ret = ini_parse_stream(read_line, &p, handle, &p);
	if (!p.read_errno && fstat(fileno(p.file), &st))
		p.read_errno = errno;
	fclose(p.file);
	free(p.text);
	free(p.long_value);
	if (p.read_errno) {
		snprintf(err, errlen, "%s: %s", path, strerror(p.read_errno));
		return -p.read_errno;
	}
	if (p.errline && (ret <= 0 || p.errline <= ret)) {
		snprintf(err, errlen, "%s:%d: %s", path, p.errline, p.msg);
		return p.err;
	}
	if (ret) {
		snprintf(err, errlen, "%s:%d: expected '[section]' or "
			 "'key = value'", path, ret);
		return -EINVAL;
	}
	ret = check_secret_mode(&p, &st, path, err, errlen);
	return ret ? ret : check_owner(&st, path, err, errlen);
}

bool config_names_key(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < config_keys_nr; i++)
		if (!strncmp(config_keys[i].name, name, len) &&
		    !config_keys[i].name[len])
			return true;
	return false;
}

/* The short forms go through the same checks as the lines of a file. */
int config_set_option(struct config *cfg, const char *key, const char *value,
		      char *err, size_t errlen)
{
	static const struct { const char *name, *section, *key; } options[] = {
		{ "music", "music", "root" },
		{ "manga", "manga", "root" },
		{ "db", "general", "database" },
		{ "db_shared_ok", "general", "database_shared_ok" },
	};
	const size_t nr = ARRAY_SIZE(options);
	struct strbuf names = STRBUF_INIT;
	size_t i;
	int ret;

	for (i = 0; i < nr; i++)
		if (!strcmp(key, options[i].name))
			break;
	if (i == nr) {
		for (i = 0; i < nr; i++)
			strbuf_addf(&names, "%s%s", i + 1 < nr ? ", " : " and ",
				    options[i].name);
		snprintf(err, errlen, "unknown option '%s' (-o sets config%s;"
			 " other keys are set in the configuration file)",
			 key, names.buf);
		strbuf_release(&names);
		return -EINVAL;
	}
	ret = config_parse_value(cfg,
				 find_key(options[i].section, options[i].key),
				 value);
	if (!ret)
		return 0;
	if (ret == -ENOMEM) {
		snprintf(err, errlen, "option %s: out of memory", key);
		return ret;
	}
	snprintf(err, errlen, "option %s=%s: not a readable directory: %s",
		 key, value, strerror(-ret));
	return -EINVAL;
}
