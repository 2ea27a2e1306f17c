/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What a download client's answer says of one download (tracker.h:
 * tracker_read(), tracker_find(), the states' names), from the object
 * alone, through the client's own read and matches (client.h), and what
 * those reads share. It asks no client, touches no store, and knows no
 * client's fields.
 */
#include "indexer/monitor/tracker.h"

#include <errno.h>
#include <string.h>

#include "indexer/monitor/client.h"

#define STATE_NAME(state, name) [state] = name,

static const char *const state_names[] = { TRACKER_STATES(STATE_NAME) };

const char *tracker_state_name(enum tracker_state s)
{
	return s < TRACKER_NR_STATES ? state_names[s] : "unknown";
}

int tracker_state_parse(const char *name)
{
	for (int i = 0; i < TRACKER_NR_STATES; i++)
		if (name && !strcmp(state_names[i], name))
			return i;
	return -1;
}

const char *tracker_text(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

double tracker_number(json_t *obj, const char *key)
{
	return json_number_value(json_object_get(obj, key));
}

long long tracker_bytes(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	double d = json_real_value(v);

	if (json_is_integer(v))
		return json_integer_value(v) >= 0 ? json_integer_value(v) :
			TRACKER_UNKNOWN;
	return json_is_real(v) && d >= 0 && d < 0x1p62 ? (long long)d :
		TRACKER_UNKNOWN;
}

void tracker_set_bytes(struct tracker_seen *out, long long done,
		       long long total, long long speed)
{
	out->total = total > 0 ? total : TRACKER_UNKNOWN;
	out->done = out->total > 0 && done >= 0 && done <= out->total ?
		done : TRACKER_UNKNOWN;
	out->speed = speed >= 0 ? speed : TRACKER_UNKNOWN;
}

long long tracker_less(long long total, long long left)
{
	return total >= 0 && left >= 0 && left <= total ? total - left :
		TRACKER_UNKNOWN;
}

int tracker_read(const char *client, json_t *obj, struct tracker_seen *out)
{
	const struct client_kind *k = client_kind_of(client);

	memset(out, 0, sizeof(*out));
	out->listed = 1;
	out->done = out->total = out->speed = TRACKER_UNKNOWN;
	if (!json_is_object(obj) || !k || !k->read)
		return -EINVAL;
	return k->read(obj, out);
}

json_t *tracker_find(const char *client, json_t *list, const char *id)
{
	const struct client_kind *k = client_kind_of(client);
	json_t *obj, *found = NULL;
	size_t i;

	if (!k || !k->matches)
		return NULL;
	json_array_foreach(list, i, obj)
		if (k->matches(obj, id))
			found = obj;
	return found;
}
