#!/usr/bin/python3
"""A fake webhook receiver for tests, on the base fake's server: Discord's
execute-webhook endpoint and a plain JSON receiver.

    POST /api/webhooks/ID/TOKEN  Discord: a JSON body with "content", a
                                 string of 1 to 2000 characters, answers
                                 204 without a body; anything else 400
                                 {"message", "code": 50006 or 50035}
    POST /hook                   any JSON object: 200 {"ok": true};
                                 not JSON: 400
    POST /fail                   500 (a receiver that is down)
    GET  /_posts                 every POST so far, oldest first:
                                 [{path, content_type, body (parsed)}]
"""

import json
import threading

import http_fake

posts = []
lock = threading.Lock()


class Webhook(http_fake.FakeHandler):
    routes = [
        (r"/api/webhooks/(\d+)/([\w-]+)", "discord"),
        (r"/hook", "hook"),
        (r"/fail", "fail"),
        (r"/_posts", "list_posts"),
    ] + http_fake.FakeHandler.routes

    def record(self):
        raw = self.read_body()
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        with lock:
            posts.append({"path": self.path,
                          "content_type": self.headers.get("Content-Type"),
                          "body": body})
        return body

    def discord(self, m):
        body = self.record()
        content = body.get("content") if isinstance(body, dict) else None
        if not isinstance(content, str) or not content:
            self.reply(400, {"message": "Cannot send an empty message",
                             "code": 50006})
        elif len(content) > 2000:
            self.reply(400, {"message": "Invalid Form Body",
                             "code": 50035})
        else:
            self.reply(204)

    def hook(self, m):
        body = self.record()
        if isinstance(body, dict):
            self.reply(200, {"ok": True})
        else:
            self.reply(400, {"error": "not a JSON object"})

    def fail(self, m):
        self.record()
        self.reply(500, {"error": "down"})

    def list_posts(self, m):
        with lock:
            self.reply(200, list(posts))


if __name__ == "__main__":
    http_fake.serve(Webhook)
