#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fake ntfy server for tests, on the base fake's server: publishing to
a topic as ntfy's HTTP API does, errors included.

    POST|PUT /TOPIC   publish: the body is the message, the headers say
                      the rest; 200 with the message as JSON
    GET  /v1/health   {"healthy": true}
    GET  /_posts      every publish so far, as webhook_fake.py lists them
                      (kind "ntfy"), with "message" (what ntfy would
                      show): {title, message, priority, tags} decoded
    POST /_plan       as webhook_fake.py: canned answers below, or
                      "close"

Topics whose name starts with "private" are protected: they take only
"Authorization: Bearer tk_fakeTOKEN" or Basic auth as "phil:fakepass"
(from the URL's user:password); no credentials get 403, wrong ones 401.

Where the facts come from (binwiederhier/ntfy, commit 81a486a):
- server/server.go, parsePublishParams: the title is read from the
  headers X-Title, Title or t (or the query), the priority from
  X-Priority, Priority, prio or p, the tags (comma-separated) from X-Tags,
  Tags, Tag or ta; util.ParsePriority takes 1 to 5 or min, low, default,
  high, max, urgent, anything else being 400 code 40007.
- server/util.go, maybeDecodeHeader: header values may be RFC 2047
  encoded words (=?UTF-8?B?...?=), which Go's mime.WordDecoder decodes;
  docs/publish.md says the same for UTF-8 titles.
- handlePublishBody: a body that is valid UTF-8 and within the message
  size limit (4,096 bytes, server/config.go DefaultMessageSizeLimit) is
  the message, trimmed; a body that is not UTF-8 is refused with 400
  code 40011 unless it can be an attachment.
- server/errors.go and handleError: every error is a JSON body
  {"code", "http", "error", "link"} with the HTTP status; 401 code 40101
  "unauthorized" for bad credentials, 403 code 40301 "forbidden" for a
  topic the visitor may not write, 429 code 42901 "limit reached: too
  many requests" (no Retry-After header is set), 500 code 50001.
- docs/publish.md, Authentication: Basic user:password, or an access
  token as "Authorization: Bearer tk_...".
- topic names match [-_A-Za-z0-9]{1,64} (topicRegex in server.go).
"""

import base64
import email.header
import json
import time

import http_fake
import webhook_fake

TOKEN = "tk_fakeTOKEN"
USER, PASSWORD = "phil", "fakepass"
LIMIT = 4096


def ntfy_error(code, status, text, link=""):
    body = {"code": code, "http": status, "error": text}
    if link:
        body["link"] = link
    return (status, body, {})


webhook_fake.ANSWERS["ntfy"] = {
    "too_many_requests": ntfy_error(
        42901, 429, "limit reached: too many requests",
        "https://ntfy.sh/docs/publish/#limitations"),
    "unauthorized": ntfy_error(40101, 401, "unauthorized",
                               "https://ntfy.sh/docs/publish/"
                               "#authentication"),
    "internal_error": ntfy_error(50001, 500, "internal server error"),
}


def header(headers, *names):
    """The first of names present, decoded as ntfy decodes it."""
    for name in names:
        value = headers.get(name)
        if value:
            parts = email.header.decode_header(value)
            return "".join(p.decode(c or "ascii") if isinstance(p, bytes)
                           else p for p, c in parts).strip()
    return ""


def authorized(headers):
    """None when no credentials came, else whether they are right."""
    value = headers.get("Authorization", "")
    if not value:
        return None
    if value.startswith("Bearer "):
        return value[7:].strip() == TOKEN
    if value.startswith("Basic "):
        try:
            user, _, password = base64.b64decode(
                value[6:]).decode().partition(":")
        except ValueError:
            return False
        return (user, password) == (USER, PASSWORD) or \
            (user == "" and password == TOKEN)
    return False


PRIORITIES = {"1": 1, "min": 1, "2": 2, "low": 2, "3": 3, "default": 3,
              "": 3, "4": 4, "high": 4, "5": 5, "max": 5, "urgent": 5}


class Ntfy(webhook_fake.Webhook):
    routes = [
        (r"/_posts", "list_posts"),
        (r"/_plan", "set_plan"),
        (r"/v1/health", "health"),
        (r"/([-_A-Za-z0-9]{1,64})", "publish"),
    ] + http_fake.FakeHandler.routes

    def health(self, m):
        """server/server.go, handleHealth: GET /v1/health answers
        {"healthy": true}, without credentials."""
        self.reply(200, {"healthy": True})

    def publish(self, m):
        self.topic = m.group(1)
        self.serve("ntfy", self.publish_normal)

    def publish_normal(self, post):
        raw = post["body"]
        if not isinstance(raw, str):
            raw = json.dumps(raw)
        if self.command not in ("POST", "PUT"):
            return self.answer(post, *ntfy_error(40401, 404,
                                                 "page not found"))
        auth = authorized(self.headers)
        if auth is False:
            return self.answer(post, *webhook_fake.ANSWERS["ntfy"]
                               ["unauthorized"])
        if self.topic.startswith("private") and not auth:
            return self.answer(post, *ntfy_error(
                40301, 403, "forbidden",
                "https://ntfy.sh/docs/publish/#authentication"))
        priority = header(self.headers, "X-Priority", "Priority", "prio",
                          "p").lower()
        if priority not in PRIORITIES:
            return self.answer(post, *ntfy_error(
                40007, 400, "invalid priority parameter",
                "https://ntfy.sh/docs/publish/#message-priority"))
        if not post["utf8"] or len(raw.encode()) > LIMIT:
            return self.answer(post, *ntfy_error(
                40011, 400, "invalid request: message must be UTF-8"
                " encoded"))
        tags = header(self.headers, "X-Tags", "Tags", "Tag", "ta")
        message = {
            "id": "fake%d" % len(webhook_fake.posts),
            "time": int(time.time()),
            "expires": int(time.time()) + 43200,
            "event": "message",
            "topic": self.topic,
            "message": raw.strip(),
        }
        title = header(self.headers, "X-Title", "Title", "t")
        if title:
            message["title"] = title
        if PRIORITIES[priority] != 3:
            message["priority"] = PRIORITIES[priority]
        if tags:
            message["tags"] = [t.strip() for t in tags.split(",")]
        with webhook_fake.lock:
            post["message"] = message
        self.answer(post, 200, message)


if __name__ == "__main__":
    http_fake.serve(Ntfy)
