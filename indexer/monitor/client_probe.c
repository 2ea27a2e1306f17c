/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The probe of an idle download client (client_probe.h): one harmless
 * question through download.h, its outcome stored for /status/health.
 * It decides neither when a client is probed (the tracker does) nor
 * how a client is asked (client_*.c).
 */
#include "indexer/monitor/client_probe.h"

#include <errno.h>

#include "common/http.h"
#include "common/strbuf.h"
#include "indexer/store/services.h"

int client_probe(const struct download_client *c, int failing)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	int ret = download_version(c, &out, &err);

	if (ret && ret != -EOPNOTSUPP)
		services_record(NULL, c->client, ret, err.buf,
				http_out_of_reach(ret) ? "warn" : "error");
	else if (!ret)
		services_record(NULL, c->client, 0, NULL, NULL);
	strbuf_release(&out);
	strbuf_release(&err);
	if (ret == -ENOMEM)
		return ret;
	return !ret && failing;
}
