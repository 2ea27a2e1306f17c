/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_CONFIG_TABLE_H
#define MEDIAMON_CONFIG_TABLE_H

/*
 * What the files of the configuration share, and no one else includes:
 * the key table (config_keys.c, its rows in config_keys.def), the parser
 * of one value (config_value.c) and the reading of secrets (config.c);
 * and tools/mediamon-docs, which writes the documents' lists of keys.
 */

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "common/config.h"
#include "common/strbuf.h"

#define O(field) .offset = offsetof(struct config, field), \
	.size = sizeof(((struct config *)0)->field)
#define SECRET_MAX 4096		/* bytes of a secret read from a file */

/* The first five are kept as char *, the next three as struct
 * config_list. */
enum type {
	T_STRING,
	T_URL,
	T_ENUM,
	T_IDS,		/* comma-separated integers, kept as one string */
	T_TEMPLATE,	/* a file name template (common/template.h) */
	T_LIST,		/* comma-separated, given once */
	T_DIR,		/* a readable directory, appended to a list */
	T_MAP,		/* REMOTE:LOCAL, appended to a list as two items */
	T_BOOL,
	T_INT,
	T_DURATION,	/* seconds */
	T_MSEC,		/* milliseconds: "200", "200ms" or "2s" */
	T_RATIO,
	T_USER,		/* a user of the system, kept as struct config_user */
};

#define REPEAT 1
#define SECRET 2

struct key {
	const char *section, *name;
	enum type type;
	size_t offset;
	size_t size;		/* of the field: the type's (test_config.c) */
	long min, max;		/* range of T_INT, T_DURATION and T_MSEC */
	const char *const *choices;
	const char *def;	/* an allocated default, set by config_finish */
	int own_uid;		/* a T_USER whose def names no user here is
				 * left unset (no name): its user picks a
				 * uid of its own (analysis_user.h) */
	int flags;
	const char *help;	/* one sentence or two, plain text */
	const char *form;	/* what a T_STRING or T_INT holds, for the
				 * documents: "path", "bytes" */
	const char *def_doc;	/* the default in words, where it is not a
				 * value (the number of CPUs) */
	/* the default in words made from a table, in place of def_doc */
	void (*def_text)(struct strbuf *out);
};

/* Every key, grouped by section in the order of the documentation
 * (the rows are config_keys.def). */
extern const struct key config_keys[];
extern const size_t config_keys_nr;
/* At least config_keys_nr (checked where the table is), for the arrays
 * that keep a fact per key while a file is read. */
#define CONFIG_KEYS_MAX 256

/*
 * Parse s as the value of key k into its field of cfg. Returns -EINVAL
 * for a value the key does not accept, -ENOMEM, or the errno of a
 * directory that cannot be used.
 */
int config_parse_value(struct config *cfg, const struct key *k,
		       const char *s);

/*
 * Append the value of key k in cfg to out as its parser reads it (a
 * secret as ********; nothing when unset); a repeatable key's values are
 * separated by ", ".
 */
void config_value_text(const struct config *cfg, const struct key *k,
		       struct strbuf *out);

/* Write into buf (len bytes) what key k expects, for an error message. */
void config_expect(const struct key *k, char *buf, size_t len);

/* Append item, which the list takes (NULL: -ENOMEM). Returns 0 or
 * -ENOMEM. */
int config_list_push(struct config_list *l, char *item);

/* Free the items and leave l empty. */
void config_list_free(struct config_list *l);

/* Room for a reason about a file of secrets: two whole paths (the file
 * named in the fix too) and the words around them, none cut. */
#define CONFIG_WHY_MAX (2 * PATH_MAX + 256)

/*
 * Whether the file at path (st) may not hold a secret: it belongs to
 * another user than the daemon's, or its group or others have rights on
 * it. Then why (len bytes) says which, and the fix.
 */
bool config_secret_file_exposed(const struct stat *st, const char *path,
				char *why, size_t len);

/*
 * Read the secret held by the file at path: its one line. With
 * check_mode, a file another user may own or read is refused. Returns 0
 * with *out (malloc'd, freed with config_free_secret), or a negative
 * errno value with why, which never holds the file's content.
 */
int config_read_secret(const char *path, bool check_mode, char **out,
		       char *why, size_t len);

/* Free a secret's copy without leaving it in freed memory. */
void config_free_secret(char *secret);

/*
 * Read the file of secrets at path (refused as config_read_secret()
 * does with check_mode) line by line: fn gets each line, its end cut,
 * numbered from 1, and stops the reading with a nonzero return (which
 * it logs). Returns 0, fn's value (why left as it was: the caller sets
 * it to ""), or a negative errno value with why (len bytes), which never
 * holds the file's content; the lines' copies are cleared.
 */
int config_read_secret_lines(const char *path,
			     int (*fn)(char *line, int at, void *arg),
			     void *arg, char *why, size_t len);

#endif
