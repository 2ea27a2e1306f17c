/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mediamon --import-catalog (catalog_import.h): an export of links read
 * line by line, each good one made a catalog line unless the catalog or
 * an earlier line has its link, all of them appended to the catalog
 * file at once. It touches no store (the daemon reloads the file) and
 * never rewrites a line the catalog has.
 */
#include "indexer/monitor/catalog_import.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "common/hash.h"
#include "common/hmap.h"
#include "common/strbuf.h"
#include "indexer/monitor/catalog.h"
#include "indexer/monitor/catalog_file.h"
#include "indexer/monitor/links.h"

/* A link the catalog holds, by its key. */
struct known_link {
	struct hmap_entry ent;
	char key[];
};

/* What one line of the export gives. */
struct export_row {
	struct strbuf title, link;
	long long size;			/* -1: none */
};

/* The key of link: an ed2k file link's hash, else the link itself. */
static void link_key(const char *link, struct strbuf *key)
{
	struct links_ed2k e;

	strbuf_reset(key);
	if (!links_ed2k_parse(link, &e)) {
		strbuf_addf(key, "ed2k:%s", e.hash);
		free(e.name);
	} else {
		strbuf_addstr(key, link);
	}
}

/* Note link as held: 1 when it was already, 0, or -ENOMEM. */
static int remember(struct hmap *m, const char *link)
{
	struct strbuf key = STRBUF_INIT;
	struct hmap_entry *e;
	struct known_link *s;
	uint64_t h;
	int ret = 0;

	link_key(link, &key);
	h = hash_bytes(key.buf, key.len);
	for (e = hmap_get(m, h); e && !ret; e = hmap_get_next(e))
		ret = !strcmp(hmap_entry_of(e, struct known_link, ent)->key,
			      key.buf);
	if (!ret) {
		s = malloc(sizeof(*s) + key.len + 1);
		if (!s || hmap_add(m, &s->ent, h)) {
			free(s);
			ret = -ENOMEM;
		} else {
			memcpy(s->key, key.buf, key.len + 1);
		}
	}
	strbuf_release(&key);
	return ret;
}

static void forget(struct hmap_entry *e)
{
	free(hmap_entry_of(e, struct known_link, ent));
}

/* The catalog file at path opened with flags (catalog_file_open()), a
 * regular file only; why it cannot be is in report (but a missing
 * file's for reading). Returns the descriptor or a negative errno. */
static int open_catalog(const char *path, int flags, FILE *report)
{
	struct strbuf why = STRBUF_INIT;
	int fd = catalog_file_open(path, flags, &why);
	struct stat st;

	if (fd >= 0 && fstat(fd, &st)) {
		close(fd);
		fd = -errno;
	} else if (fd >= 0 && !S_ISREG(st.st_mode)) {
		close(fd);
		fd = -EINVAL;
	}
	if (why.len)
		fprintf(report, "mediamon: %s\n", why.buf);
	else if (fd < 0 && (fd != -ENOENT || (flags & O_CREAT)))
		fprintf(report, "mediamon: cannot open the catalog %s: %s\n",
			path, fd == -EINVAL ? "not a file" : strerror(-fd));
	if (why.len)
		fd = -EACCES;
	strbuf_release(&why);
	return fd;
}

/* The links the catalog at path holds, into m; *ends_line is whether its
 * last byte is a newline (or it is empty or missing). */
static int read_catalog(const char *path, struct hmap *m, int *ends_line,
			FILE *report)
{
	int fd = open_catalog(path, O_RDONLY | O_NONBLOCK, report);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "r");
	char *line = NULL;
	size_t alloc = 0;
	ssize_t n;
	int ret = 0;

	*ends_line = 1;
	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	if (!f) {
		ret = -errno;
		close(fd);
		fprintf(report, "mediamon: cannot read the catalog %s: %s\n",
			path, strerror(-ret));
		return ret;
	}
	while (!ret && (n = getline(&line, &alloc, f)) > 0) {
		json_t *obj = json_loadb(line, n, 0, NULL);
		const char *link = json_string_value(json_object_get(obj,
								     "link"));

		*ends_line = line[n - 1] == '\n';
		if (link && remember(m, link) < 0)
			ret = -ENOMEM;
		json_decref(obj);
	}
	if (!ret && ferror(f))
		ret = -EIO;
	if (ret)
		fprintf(report, "mediamon: cannot read the catalog %s: %s\n",
			path, strerror(-ret));
	free(line);
	fclose(f);
	return ret;
}

/* A line of the links format into e, or why it is bad. */
static const char *from_link(const char *line, struct export_row *e)
{
	struct links_ed2k l;
	int ret = links_ed2k_parse(line, &l);

	if (ret == -ENOMEM)
		return "out of memory";
	if (ret || !*l.name) {
		free(l.name);
		return "not an ed2k file link (ed2k://|file|NAME|SIZE|HASH|/)";
	}
	strbuf_addstr(&e->title, l.name);
	strbuf_addstr(&e->link, line);
	e->size = l.size;
	free(l.name);
	return NULL;
}

/* One RFC 4180 field at *p into out, *p moved past it and its comma.
 * Returns 0, or -EINVAL for a quote out of place. */
static int csv_field(const char **p, struct strbuf *out)
{
	const char *s = *p;

	if (*s != '"') {
		size_t n = strcspn(s, ",\"");

		strbuf_add(out, s, n);
		s += n;
		if (*s == '"')
			return -EINVAL;
	} else {
		for (s++;; s++) {
			if (!*s)
				return -EINVAL;
			if (*s == '"' && s[1] != '"')
				break;
			s += *s == '"';
			strbuf_addch(out, *s);
		}
		s++;
		if (*s && *s != ',')
			return -EINVAL;
	}
	*p = *s ? s + 1 : s;
	return *s ? 1 : 0;
}

/* A line of the csv format into e, or why it is bad; *header is set for
 * the header line. */
static const char *from_csv(const char *line, struct export_row *e, int first,
			    int *header)
{
	const char *p = line, *link;
	struct links_ed2k l;
	int more = csv_field(&p, &e->title);

	if (more == 1)
		more = csv_field(&p, &e->link);
	if (more)
		return more < 0 ? "a double quote out of place" :
			"more than two fields (name,link)";
	if (!e->link.len)
		return "fewer than two fields (name,link)";
	*header = first && !strcasecmp(e->title.buf, "name") &&
		!strcasecmp(e->link.buf, "link");
	link = e->link.buf;
	if (*header)
		return NULL;
	if (!e->title.len)
		return "no name";
	if (links_is_ed2k(link)) {
		if (links_ed2k_parse(link, &l))
			return "not an ed2k file link"
				" (ed2k://|file|NAME|SIZE|HASH|/)";
		e->size = l.size;
		free(l.name);
	} else if (!links_is_magnet(link) && !links_is_web(link)) {
		return "the link is not ed2k, magnet, http or https";
	}
	return NULL;
}

/* The catalog line of e, appended to out, or why it cannot be. */
static const char *catalog_line(const struct export_row *e, struct strbuf *out)
{
	json_t *obj = json_pack("{s:s%, s:s%, s:o, s:s}", "title",
				e->title.buf, e->title.len, "link", e->link.buf,
				e->link.len, "size", e->size >= 0 ?
				json_integer(e->size) : json_null(), "source",
				"import");
	char *text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;

	json_decref(obj);
	if (!text)
		return "not UTF-8 text";
	if (strlen(text) > CATALOG_MAX_LINE) {
		free(text);
		return "longer than a catalog line may be";
	}
	strbuf_addstr(out, text);
	strbuf_addch(out, '\n');
	free(text);
	return NULL;
}

/* One line of the export (its end of line gone) into out, or why not. */
static const char *one_line(const char *format, char *line, size_t n,
			    struct hmap *m, struct strbuf *out,
			    struct catalog_import *c)
{
	struct export_row e = { STRBUF_INIT, STRBUF_INIT, -1 };
	const char *why;
	int header = 0, had;

	if (!strcmp(format, "links")) {
		while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
			line[--n] = '\0';
		why = from_link(line + strspn(line, " \t"), &e);
	} else {
		why = from_csv(line, &e, !c->added && !c->duplicates &&
			       !c->bad, &header);
	}
	if (!why && !header && (had = remember(m, e.link.buf)) != 0) {
		why = had < 0 ? "out of memory" : NULL;
		c->duplicates += had > 0;
	} else if (!why && !header) {
		why = catalog_line(&e, out);
		c->added += !why;
	}
	strbuf_release(&e.title);
	strbuf_release(&e.link);
	return why;
}

/* The export at file read into out, as the catalog lines to add. */
static int read_export(const char *format, const char *file, struct hmap *m,
		       struct strbuf *out, FILE *report,
		       struct catalog_import *c)
{
	FILE *f = fopen(file, "re");
	char *line = NULL;
	size_t alloc = 0, nr = 0;
	ssize_t n;
	int ret = 0;

	if (!f) {
		ret = -errno;
		fprintf(report, "mediamon: cannot read %s: %s\n", file,
			strerror(-ret));
		return ret;
	}
	while ((n = getline(&line, &alloc, f)) > 0) {
		const char *why = NULL;

		nr++;
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if ((size_t)n > CATALOG_MAX_LINE)
			why = "longer than a catalog line may be";
		else if (!line[strspn(line, " \t")])
			continue;
		else
			why = one_line(format, line, n, m, out, c);
		if (why) {
			c->bad++;
			fprintf(report, "%s:%zu: %s\n", file, nr, why);
		}
	}
	if (ferror(f)) {
		ret = -EIO;
		fprintf(report, "mediamon: cannot read %s: %s\n", file,
			strerror(EIO));
	}
	free(line);
	fclose(f);
	return ret;
}

/* Append the nr bytes of text to the catalog at path, synced. */
static int append(const char *path, const char *text, size_t nr,
		  FILE *report)
{
	int fd = open_catalog(path, O_WRONLY | O_APPEND | O_CREAT, report);
	int ret = 0;

	if (fd < 0)
		return fd;
	while (nr && !ret) {
		ssize_t w = write(fd, text, nr);

		if (w < 0 && errno != EINTR)
			ret = -errno;
		else if (w > 0) {
			text += w;
			nr -= w;
		}
	}
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (ret)
		fprintf(report, "mediamon: cannot write the catalog %s: %s\n",
			path, strerror(-ret));
	return ret;
}

int catalog_import_file(const char *catalog, const char *format,
			const char *file, FILE *report,
			struct catalog_import *out)
{
	struct hmap seen = HMAP_INIT;
	struct strbuf add = STRBUF_INIT;
	int ret, ends_line;

	memset(out, 0, sizeof(*out));
	if (strcmp(format, "links") && strcmp(format, "csv")) {
		fprintf(report, "mediamon: unknown format \"%s\" (links or"
			" csv)\n", format);
		return -EINVAL;
	}
	ret = read_catalog(catalog, &seen, &ends_line, report);
	if (!ret && !ends_line)
		strbuf_addch(&add, '\n');
	if (!ret)
		ret = read_export(format, file, &seen, &add, report, out);
	if (!ret && out->added)
		ret = append(catalog, add.buf, add.len, report);
	if (ret)
		out->added = 0;
	hmap_release(&seen, forget);
	strbuf_release(&add);
	return ret;
}
