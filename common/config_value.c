/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One value of the configuration, parsed as its key's type says: numbers
 * with their units, durations, booleans, choices, lists, directories,
 * path maps, users; and the hint a bad value's error message gives. It
 * knows no file, line or section: config.c reads those.
 */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/array.h"
#include "common/bytes.h"
#include "common/config_table.h"
#include "common/path.h"
#include "common/template.h"

struct unit {
	const char *suffix;
	long scale;
};

static const struct unit plain[] = { { "", 1 }, { 0 } };
static const struct unit seconds[] = {
	{ "", 1 }, { "s", 1 }, { "m", 60 }, { "h", 3600 }, { "d", 86400 },
	{ 0 }
};
static const struct unit millis[] = {
	{ "", 1 }, { "ms", 1 }, { "s", 1000 }, { 0 }
};

/*
 * Whole numbers, durations and delays differ only in their units; a sign,
 * a blank or a fraction is refused by all of them.
 */
static int parse_scaled(const char *s, const struct unit *u, long *out)
{
	char *end;
	long n;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno)
		return -EINVAL;
	for (; u->suffix; u++) {
		if (strcmp(end, u->suffix))
			continue;
		if (n > LONG_MAX / u->scale)
			return -EINVAL;
		*out = n * u->scale;
		return 0;
	}
	return -EINVAL;
}

int config_parse_count(const char *s, long *out)
{
	return parse_scaled(s, plain, out);
}

/* A bare number is seconds, as in most daemons' configuration files. */
int config_parse_duration(const char *s, long *out)
{
	return parse_scaled(s, seconds, out);
}

/* Users write booleans in every common spelling; odd indexes are true. */
static int parse_bool(const char *s)
{
	static const char *const words[] = {
		"no", "yes", "false", "true", "off", "on", "0", "1"
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(words); i++)
		if (!strcasecmp(s, words[i]))
			return i & 1;
	return -EINVAL;
}

/* Takes a length so that list items are matched without copying them. */
static bool is_choice(const char *const *choices, const char *s, size_t len)
{
	if (!choices)	/* any name, as the groups' */
		return true;
	for (; *choices; choices++)
		if (strlen(*choices) == len && !strncmp(*choices, s, len))
			return true;
	return false;
}

/* A service address must be absolute, as the clients append API paths. */
static bool is_url(const char *s)
{
	size_t n = !strncmp(s, "http://", 7) ? 7 :
		   !strncmp(s, "https://", 8) ? 8 : 0;

	return n && s[n] && !s[n + strcspn(s + n, " \t")];
}

/* An empty value is how a file says "not set", so it is stored as NULL. */
static int set_string(char **field, const char *s)
{
	free(*field);
	*field = *s ? strdup(s) : NULL;
	return !*s || *field ? 0 : -ENOMEM;
}

/* A user is resolved when the file is read, so that a name the system does
 * not know is an error before the daemon starts; root is not one to drop
 * privileges to. */
static int set_user(struct config_user *u, const char *s)
{
	struct passwd pw, *found = NULL;
	char buf[4096];
	char *name;

	if (!*s || getpwnam_r(s, &pw, buf, sizeof(buf), &found) || !found ||
	    !found->pw_uid)
		return -EINVAL;
	name = strdup(s);
	if (!name)
		return -ENOMEM;
	free(u->name);
	*u = (struct config_user){ name, found->pw_uid, found->pw_gid };
	return 0;
}

/*
 * Prowlarr takes these ids in a query string, so they are checked and kept
 * without the blanks a user may put after the commas. Negative ids are
 * Prowlarr's own: -1 and -2 stand for all usenet and all torrent indexers.
 */
static int set_ids(char **field, const char *s)
{
	char *ids = malloc(strlen(s) + 1), *w = ids;

	if (!ids)
		return -ENOMEM;
	for (;;) {
		s += strspn(s, " \t");
		if (*s == '-')
			*w++ = *s++;
		if (!isdigit((unsigned char)*s))
			goto bad;
		while (isdigit((unsigned char)*s))
			*w++ = *s++;
		s += strspn(s, " \t");
		if (!*s)
			break;
		if (*s != ',')
			goto bad;
		*w++ = *s++;
	}
	*w = '\0';
	free(*field);
	*field = ids;
	return 0;
bad:
	free(ids);
	return -EINVAL;
}

/* Takes ownership of item, so that callers can pass strdup() straight in. */
int config_list_push(struct config_list *l, char *item)
{
	char **items;

	if (!item)
		return -ENOMEM;
	items = array_grow(l->items, l->nr, &l->alloc, sizeof(*items), 1);
	if (!items) {
		free(item);
		return -ENOMEM;
	}
	items[l->nr++] = item;
	l->items = items;
	return 0;
}

/* Leaves an empty list, so that it can be filled again. */
void config_list_free(struct config_list *l)
{
	while (l->nr)
		free(l->items[--l->nr]);
	free(l->items);
	l->items = NULL;
	l->alloc = 0;
}

/* A list key is given once and whole, so it replaces what was there. */
static int set_list(struct config_list *l, const char *const *choices,
		    const char *s)
{
	struct config_list tmp = { 0 };
	const char *end;
	size_t len;
	int ret;

	for (;; s = end + 1) {
		s += strspn(s, " \t");
		end = s + strcspn(s, ",");
		len = end - s;
		while (len && isblank((unsigned char)s[len - 1]))
			len--;
		ret = len && is_choice(choices, s, len) ? 0 : -EINVAL;
		if (!ret)
			ret = config_list_push(&tmp, strndup(s, len));
		if (ret || !*end)
			break;
	}
	if (ret) {
		config_list_free(&tmp);
		return ret;
	}
	config_list_free(l);
	*l = tmp;
	return 0;
}

/*
 * Directories are checked where they are read, so the error names the
 * line, and kept canonical so that config_finish can compare them.
 */
static int add_dir(struct config_list *l, const char *path)
{
	char *real = realpath(path, NULL);
	struct stat st;
	int ret = 0;

	if (!real)
		return -errno;
	if (stat(real, &st) < 0)
		ret = -errno;
	else if (!S_ISDIR(st.st_mode))
		ret = -ENOTDIR;
	else if (faccessat(AT_FDCWD, real, R_OK | X_OK, AT_EACCESS) < 0)
		ret = -errno;
	if (ret) {
		free(real);
		return ret;
	}
	return config_list_push(l, real);
}

/*
 * A path mapping "REMOTE:LOCAL" (split at the first ":/"), kept as two
 * items: REMOTE normalized, LOCAL a readable directory made canonical.
 * Returns -EINVAL for a value that is no mapping, else as add_dir().
 */
static int add_map(struct config_list *l, const char *s)
{
	const char *colon = strstr(s, ":/");
	char *given, *remote;
	int ret;

	if (*s != '/' || !colon)
		return -EINVAL;
	given = strndup(s, colon - s);
	if (!given)
		return -ENOMEM;
	remote = path_normalize(NULL, given);
	free(given);
	ret = config_list_push(l, remote);
	if (ret)
		return ret;
	ret = add_dir(l, colon + 1);
	if (ret)
		free(l->items[--l->nr]);
	return ret;
}

/*
 * One parser for every key, so the file, the command line and the
 * defaults all go through the same checks. Returns -EINVAL for a value the
 * key does not accept, or the errno of a directory that cannot be used.
 */
int config_parse_value(struct config *cfg, const struct key *k,
		       const char *s)
{
	void *field = (char *)cfg + k->offset;
	char *end, why[128];
	long n;
	int ret;
	double d;

	switch (k->type) {
	case T_URL:
		if (!is_url(s))
			return -EINVAL;
		return set_string(field, s);
	case T_ENUM:
		if (!is_choice(k->choices, s, strlen(s)))
			return -EINVAL;
		return set_string(field, s);
	case T_STRING:
		return set_string(field, s);
	case T_IDS:
		return set_ids(field, s);
	case T_TEMPLATE:
		if (template_check(s, config_import_fields,
				   CONFIG_IMPORT_FIELDS, why, sizeof(why)))
			return -EINVAL;
		return set_string(field, s);
	case T_LIST:
		return set_list(field, k->choices, s);
	case T_DIR:
		return add_dir(field, s);
	case T_MAP:
		return add_map(field, s);
	case T_BOOL:
		ret = parse_bool(s);
		if (ret < 0)
			return ret;
		*(int *)field = ret;
		return 0;
	case T_INT:
	case T_DURATION:
	case T_MSEC:
		ret = parse_scaled(s, k->type == T_INT ? plain :
				   k->type == T_MSEC ? millis : seconds, &n);
		if (ret || n < k->min || n > k->max)
			return -EINVAL;
		if (k->type == T_INT)
			*(int *)field = n;
		else
			*(long *)field = n;
		return 0;
	case T_RATIO:
		errno = 0;
		d = strtod(s, &end);
		if (end != s && !strcmp(end, "%")) {
			d /= 100;
			end++;
		}
		if (errno || end == s || *end || !(d > 0 && d <= 1))
			return -EINVAL;
		*(double *)field = d;
		return 0;
	case T_USER:
		return set_user(field, s);
	}
	return -EINVAL;
}

static void append(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Message parts are built in fixed buffers, where truncation is fine. */
static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strnlen(buf, len);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/* The hint lets the user fix a bad value without opening the manual. */
void config_expect(const struct key *k, char *buf, size_t len)
{
	const char *const *c;

	*buf = '\0';
	switch (k->type) {
	case T_URL:
		append(buf, len, "expected an http:// or https:// URL");
		break;
	case T_ENUM:
	case T_LIST:
		append(buf, len, k->type == T_ENUM ? "expected one of" :
		       "expected a comma-separated list of");
		if (!k->choices)
			append(buf, len, " names");
		for (c = k->choices; c && *c; c++)
			append(buf, len, "%s%s", c == k->choices ? " " : ", ",
			       *c);
		break;
	case T_IDS:
		append(buf, len, "expected whole numbers separated by commas");
		break;
	case T_BOOL:
		append(buf, len, "expected yes or no");
		break;
	case T_INT:
		append(buf, len, "expected a whole number from %ld to %ld",
		       k->min, k->max);
		break;
	case T_DURATION:
		append(buf, len, "expected a %sduration such as 90, 45s, 60m, "
		       "3h or 30d", k->min ? "nonzero " : "");
		break;
	case T_MSEC:
		append(buf, len, "expected a delay of at most %lds, such as "
		       "200 (milliseconds), 200ms or 2s", k->max / 1000);
		break;
	case T_RATIO:
		append(buf, len, "expected a number above 0 and at most 1, "
		       "or a percentage such as 5%%");
		break;
	case T_MAP:
		append(buf, len, "expected REMOTE:LOCAL, two absolute paths "
		       "(the client's folder, then the same folder here)");
		break;
	case T_USER:
		append(buf, len, "expected the name of a user of this system "
		       "other than root");
		break;
	default:
		break;
	}
}
