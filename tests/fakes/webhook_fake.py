#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fake webhook receiver for tests, on the base fake's server: Discord's
execute-webhook endpoint, a Slack incoming webhook and a plain JSON
receiver, each answering as the real one documents, errors included.

    POST /api/webhooks/ID/TOKEN  Discord (kind "discord")
    GET  /api/webhooks/ID/TOKEN  Discord's webhook object (its name ...);
                                 401 for the token "revoked"
    POST /services/T/B/SECRET    Slack (kind "slack")
    POST /hook                   any JSON object: 200 {"ok": true};
                                 not JSON: 400 (kind "hook")
    POST /fail                   500 (a receiver that is down)

Test controls:

    GET  /_posts      every POST so far, oldest first: {kind, path, query,
                      headers, content_type, body (parsed JSON, else the
                      text), utf8 (whether the body was valid UTF-8), at
                      (the fake's monotonic clock, seconds), status (what
                      it answered)}
    GET  /_messages   the Discord bodies accepted, in order
    POST /_plan       {"kind", "answers": [NAME...], "retry_after": S,
                      "pad": N}:
                      the next requests of kind get these canned answers,
                      one each, then the normal one again; {"kind",
                      "sticky": NAME} answers NAME to every request until
                      {"kind", "sticky": null}. NAMEs are listed in
                      ANSWERS below; "close" drops the connection without
                      an answer, as a receiver that died; "echo"
                      answers 400 with the request's address and its
                      Authorization header in the error text, after
                      "pad" bytes of filler (a broken proxy's answer,
                      not the service's own: issue 45's planted token)

Where the facts come from:
- Discord: developers/resources/webhook.mdx of discord/discord-api-docs
  (commit c98d64b): Execute Webhook answers 204 No Content, or 200 with
  the message when ?wait=true, the only way to learn that the message was
  saved; content holds up to 2,000 characters; one of content, embeds,
  file, poll is required. Error codes from
  developers/topics/opcodes-and-status-codes.mdx: 10015 Unknown webhook
  (404), 50027 Invalid webhook token (401), 50006 Cannot send an empty
  message and 50035 Invalid form body (400). The 429 answer from
  developers/topics/rate-limits.mdx: a JSON body {"message": "You are
  being rate limited.", "retry_after": float seconds, "global": false},
  the Retry-After header (whole seconds, rounded up) and X-RateLimit-*
  headers; "If a webhook returns a 404 status you should not attempt to
  use it again". Get Webhook with Token (GET of the same URL) answers
  the webhook object (id, type, guild_id, channel_id, name, avatar,
  application_id, token) without its user. 2,000 characters are counted as JavaScript counts them,
  in UTF-16 units.
- Slack: "Improving error conditions for Incoming Webhooks" (api.slack.com
  changelog, 2016-05-17): 200 "ok"; 400 invalid_payload, user_not_found;
  403 action_prohibited; 404 channel_not_found; 410 channel_is_archived;
  500 rollup_error, each a plain-text body of that one word. no_service
  (404, a webhook that was removed) and no_text (400, a payload without
  text) are the answers its users report for those cases. Rate limits
  (slackhq/slack-api-docs page_rate_limits.md): about one message a
  second, then HTTP 429 Too Many Requests with a Retry-After header in
  seconds.
"""

import json
import math
import re
import threading
import time

import http_fake

lock = threading.Lock()
posts = []
messages = []
plans = {}      # kind -> {"answers": [(name, retry_after)], "sticky": ...}
next_id = [1100000000000000000]


def discord_rate_limited(retry_after):
    retry_after = retry_after or 1.5
    return (429, {"message": "You are being rate limited.",
                  "retry_after": retry_after, "global": False},
            {"Retry-After": str(math.ceil(retry_after)),
             "X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "0",
             "X-RateLimit-Reset-After": "%.3f" % retry_after,
             "X-RateLimit-Bucket": "fakebucket",
             "X-RateLimit-Scope": "shared"})


# Canned answers by kind: (status, body, headers), or a function of
# retry_after giving one.
ANSWERS = {
    "discord": {
        "ratelimited": discord_rate_limited,
        "unknown_webhook": (404, {"message": "Unknown Webhook",
                                  "code": 10015}, {}),
        "invalid_token": (401, {"message": "Invalid Webhook Token",
                                "code": 50027}, {}),
        "bad_gateway": (502, {"message": "502: Bad Gateway",
                              "code": 0}, {}),
    },
    "slack": {
        "rate_limited": lambda s: (429, "rate_limited",
                                   {"Retry-After": str(math.ceil(s or 1))}),
        "no_service": (404, "no_service", {}),
        "channel_not_found": (404, "channel_not_found", {}),
        "channel_is_archived": (410, "channel_is_archived", {}),
        "action_prohibited": (403, "action_prohibited", {}),
        "invalid_payload": (400, "invalid_payload", {}),
        "rollup_error": (500, "rollup_error", {}),
    },
    "hook": {
        "busy": lambda s: (503, {"error": "busy"},
                           {"Retry-After": str(math.ceil(s))} if s else {}),
        "gone": (410, {"error": "gone"}, {}),
        "bad": (422, {"error": "unprocessable"}, {}),
    },
}
COMMON = {
    "down": (503, "Service Unavailable", {}),
}


def planned(kind):
    """The canned answer due for kind, or None for the normal one."""
    with lock:
        plan = plans.get(kind) or {}
        if plan.get("answers"):
            return plan["answers"].pop(0)
        if plan.get("sticky"):
            return (plan["sticky"], plan.get("retry_after"))
    return None


# Where each kind's error text goes, for "echo".
ECHO_BODY = {
    "discord": lambda t: {"message": t, "code": 50035},
    "ntfy": lambda t: {"code": 40001, "http": 400, "error": t},
    "telegram": lambda t: {"ok": False, "error_code": 400,
                           "description": t},
}


def echo(kind, handler, pad):
    """400 with the request echoed in kind's error text."""
    text = "%s bad request to %s (Authorization: %s)" % (
        "x" * (pad or 0), handler.path,
        handler.headers.get("Authorization"))
    return (400, ECHO_BODY.get(kind, lambda t: t)(text), {})


def canned(kind, name, retry_after):
    if name == "close":
        return None
    answer = ANSWERS.get(kind, {}).get(name) or COMMON[name]
    return answer(retry_after) if callable(answer) else answer


class Webhook(http_fake.FakeHandler):
    routes = [
        (r"/api/webhooks/(\d+)/([\w-]+)", "discord"),
        (r"/services/(\w+)/(\w+)/([\w-]+)", "slack"),
        (r"/hook", "hook"),
        (r"/fail", "fail"),
        (r"/_posts", "list_posts"),
        (r"/_messages", "list_messages"),
        (r"/_plan", "set_plan"),
    ] + http_fake.FakeHandler.routes

    def record(self, kind):
        """Read and note the request; returns its note."""
        raw = self.read_body()
        try:
            raw.decode("utf-8")
            utf8 = True
        except UnicodeDecodeError:
            utf8 = False
        text = raw.decode("utf-8", "replace")
        try:
            body = json.loads(raw)
        except ValueError:
            body = text
        post = {"kind": kind, "path": self.path.split("?")[0],
                "query": self.query, "headers": dict(self.headers.items()),
                "content_type": self.headers.get("Content-Type"),
                "body": body, "utf8": utf8, "at": time.monotonic(),
                "status": None}
        with lock:
            posts.append(post)
        return post

    def answer(self, post, status, body=b"", headers=None,
               content_type=None):
        with lock:
            post["status"] = status
        self.reply(status, body, headers, content_type)

    def serve(self, kind, normal):
        """Answer what the plan says, else what normal(post) answers."""
        post = self.record(kind)
        due = planned(kind)
        if due and due[0] == "echo":
            return self.answer(post, *echo(kind, self, due[1]))
        if due:
            got = canned(kind, *due)
            if got is None:
                self.close_connection = True
                return
            return self.answer(post, *got)
        normal(post)

    def discord(self, m):
        self.serve("discord", self.discord_normal)

    def discord_normal(self, post):
        if self.command == "GET":
            return self.discord_get(post)
        body = post["body"]
        content = body.get("content") if isinstance(body, dict) else None
        if self.command != "POST" or not isinstance(body, dict):
            return self.answer(post, 400, {"message": "Invalid Form Body",
                                           "code": 50035})
        if not isinstance(content, str) or not content:
            return self.answer(post, 400, {"message": "Cannot send an"
                                           " empty message", "code": 50006})
        if len(content.encode("utf-16-le")) // 2 > 2000:
            return self.answer(post, 400, {
                "message": "Invalid Form Body", "code": 50035,
                "errors": {"content": {"_errors": [{
                    "code": "BASE_TYPE_MAX_LENGTH",
                    "message": "Must be 2000 or fewer in length."}]}}})
        with lock:
            messages.append(body)
            next_id[0] += 1
            mid = str(next_id[0])
        if self.query.get("wait") == ["true"]:
            return self.answer(post, 200, {
                "id": mid, "type": 0, "content": content,
                "channel_id": "1", "webhook_id": m_id(self.path),
                "author": {"id": m_id(self.path), "bot": True,
                           "username": body.get("username", "hook")},
                "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S+00:00",
                                           time.gmtime())})
        self.answer(post, 204)

    def discord_get(self, post):
        """Get Webhook with Token: the webhook object without its user;
        a token "revoked" stands for one Discord no longer knows."""
        wid = m_id(self.path)
        if self.path.split("?")[0].endswith("/revoked"):
            return self.answer(post, 401, {"message": "Invalid Webhook"
                                           " Token", "code": 50027})
        self.answer(post, 200, {
            "id": wid, "type": 1, "guild_id": "1", "channel_id": "1",
            "name": "mediamon", "avatar": None, "application_id": None,
            "token": self.path.split("?")[0].rsplit("/", 1)[1]})

    def slack(self, m):
        self.serve("slack", self.slack_normal)

    def slack_normal(self, post):
        body = post["body"]
        if not isinstance(body, dict):
            return self.answer(post, 400, "invalid_payload",
                               content_type="text/html")
        if not isinstance(body.get("text"), str) or not body["text"]:
            return self.answer(post, 400, "no_text",
                               content_type="text/html")
        self.answer(post, 200, "ok", content_type="text/html")

    def hook(self, m):
        self.serve("hook", self.hook_normal)

    def hook_normal(self, post):
        if isinstance(post["body"], dict):
            self.answer(post, 200, {"ok": True})
        else:
            self.answer(post, 400, {"error": "not a JSON object"})

    def fail(self, m):
        post = self.record("fail")
        self.answer(post, 500, {"error": "down"})

    def list_posts(self, m):
        with lock:
            self.reply(200, list(posts))

    def list_messages(self, m):
        with lock:
            self.reply(200, list(messages))

    def set_plan(self, m):
        doc = json.loads(self.read_body())
        retry = doc.get("pad", doc.get("retry_after"))
        with lock:
            plan = plans.setdefault(doc["kind"], {})
            if "answers" in doc:
                plan["answers"] = [(a, retry) for a in doc["answers"]]
            if "sticky" in doc:
                plan["sticky"] = doc["sticky"]
                plan["retry_after"] = retry
        self.reply(200, {"ok": True})


def m_id(path):
    found = re.search(r"/webhooks/(\d+)/", path)
    return found.group(1) if found else "0"


if __name__ == "__main__":
    http_fake.serve(Webhook)
