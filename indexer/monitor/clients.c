/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The download clients by name (client.h: client_kind_of(),
 * client_protocol_of()), a row of common/download_clients.def each. It
 * calls no client and knows none: the table names them.
 */
#include <string.h>

#include "common/bytes.h"
#include "indexer/monitor/client.h"

static const struct {
	const char *name;
	const char *protocol;
	const struct client_kind *kind;
} clients[] = {
#define DOWNLOAD_CLIENT(name, protocol) { #name, #protocol, &client_##name },
#include "common/download_clients.def"
#undef DOWNLOAD_CLIENT
};

/* The index of the client named name in clients[], or -1. */
static int find(const char *name)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(clients); i++)
		if (!strcmp(name, clients[i].name))
			return (int)i;
	return -1;
}

const struct client_kind *client_kind_of(const char *name)
{
	int i = find(name);

	return i < 0 ? NULL : clients[i].kind;
}

const char *client_protocol_of(const char *name)
{
	int i = find(name);

	return i < 0 ? NULL : clients[i].protocol;
}
