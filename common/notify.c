#include "common/notify.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/http.h"
#include "common/log.h"

int notify_discord(const char *url, const char *text)
{
	struct http_response resp;
	struct http_request req = {
		.method = "POST",
		.url = url,
		.content_type = "application/json",
		.secret_path = 1,
	};
	size_t len = text ? strlen(text) : 0;
	json_t *doc;
	char *body;
	int rc;

	if (!url || !len || len > NOTIFY_DISCORD_MAX)
		return log_error(-EINVAL, "notify: no webhook, or a message"
				 " empty or over %d bytes", NOTIFY_DISCORD_MAX);
	doc = json_pack("{s:s}", "content", text);
	body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (!body)
		return log_error(-ENOMEM, "notify: out of memory");
	req.body = body;
	req.body_len = strlen(body);
	rc = http_perform(&req, &resp);
	free(body);
	if (!rc && resp.status == 429)
		rc = log_error(-EAGAIN, "notify: Discord rate limited the"
			       " message (retry after %.0f s)",
			       resp.retry_after_s);
	else if (!rc && resp.status != 200 && resp.status != 204)
		rc = log_error(-EIO, "notify: Discord refused the message"
			       " (HTTP %ld)", resp.status);
	http_response_release(&resp);
	return rc;
}
