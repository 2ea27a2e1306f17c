/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The configuration written back as an INI file that config_load_file
 * reads again (mediamon --print-config), secrets hidden; and durations
 * written as a user would. Changes nothing in the configuration.
 */

#include <stdio.h>
#include <string.h>

#include "common/bytes.h"
#include "common/config_table.h"
#include "common/redact.h"
#include "common/strbuf.h"

void config_format_duration(long seconds, char *buf, size_t len)
{
	static const struct {
		long size;
		char unit;
	} units[] = { { 86400, 'd' }, { 3600, 'h' }, { 60, 'm' } };

	for (size_t i = 0; seconds && i < ARRAY_SIZE(units); i++) {
		if (seconds % units[i].size == 0) {
			snprintf(buf, len, "%ld%c", seconds / units[i].size,
				 units[i].unit);
			return;
		}
	}
	snprintf(buf, len, "%lds", seconds);
}

void config_value_text(const struct config *cfg, const struct key *k,
		       struct strbuf *out)
{
	const void *field = (const char *)cfg + k->offset;
	const struct config_list *l = field;
	char buf[32];

	switch (k->type) {
	case T_STRING:
	case T_URL:
	case T_ENUM:
	case T_IDS:
	case T_TEMPLATE:
		if (!*(char *const *)field)
			break;
		if (k->flags & SECRET)
			strbuf_addstr(out, "********");
		else if (k->type == T_URL)
			redact(*(char *const *)field, "********", out);
		else
			strbuf_addstr(out, *(char *const *)field);
		break;
	case T_LIST:
	case T_DIR:
	case T_MAP:
		for (size_t i = 0; i < l->nr; i++)
			strbuf_addf(out, "%s%s", i ? ", " : "", l->items[i]);
		break;
	case T_BOOL:
		strbuf_addstr(out, *(const int *)field ? "yes" : "no");
		break;
	case T_INT:
		strbuf_addf(out, "%d", *(const int *)field);
		break;
	case T_DURATION:
		config_format_duration(*(const long *)field, buf, sizeof(buf));
		strbuf_addstr(out, buf);
		break;
	case T_MSEC:
		strbuf_addf(out, "%ldms", *(const long *)field);
		break;
	case T_RATIO:
		strbuf_addf(out, "%g", *(const double *)field);
		break;
	case T_USER: {
		const struct config_user *u = field;

		/* unset: a uid of its own (config_table.h's own_uid) */
		if (u->name)
			strbuf_addstr(out, u->name);
		break;
	}
	}
}

void config_dump(const struct config *cfg, struct strbuf *out)
{
	struct strbuf value = STRBUF_INIT;
	const char *section = NULL;
	const struct config_list *l;

	for (const struct key *k = config_keys;
	     k < config_keys + config_keys_nr; k++) {
		if (!section || strcmp(section, k->section))
			strbuf_addf(out, "%s[%s]\n", section ? "\n" : "",
				    k->section);
		section = k->section;
		l = (const void *)((const char *)cfg + k->offset);
		if (k->type == T_MAP) {
			if (!l->nr)
				strbuf_addf(out, "# %s =\n", k->name);
			for (size_t i = 0; i + 1 < l->nr; i += 2)
				strbuf_addf(out, "%s = %s:%s\n", k->name,
					    l->items[i], l->items[i + 1]);
			continue;
		}
		if (k->type != T_DIR) {
			strbuf_reset(&value);
			config_value_text(cfg, k, &value);
			strbuf_addf(out, "%s%s =%s%s\n", value.len ? "" : "# ",
				    k->name, value.len ? " " : "", value.buf);
			continue;
		}
		/* A repeatable key is given once per value. */
		for (size_t i = 0; i < l->nr; i++)
			strbuf_addf(out, "%s = %s\n", k->name, l->items[i]);
	}
	strbuf_release(&value);
}
