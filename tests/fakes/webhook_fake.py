#!/usr/bin/python3
"""A fake webhook receiver for tests, on the base fake's server: Discord's
execute-webhook endpoint and a plain JSON receiver.

    POST /api/webhooks/ID/TOKEN  Discord: a JSON body with "content", a
                                 string of 1 to 2000 characters, answers
                                 204 without a body (or the status set by
                                 /_status); anything else 400
                                 {"message", "code": 50006 or 50035}
    POST /hook                   any JSON object: 200 {"ok": true};
                                 not JSON: 400
    POST /fail                   500 (a receiver that is down)
    GET  /_messages              the Discord bodies accepted, in order
    GET  /_posts                 every POST so far, oldest first:
                                 [{path, content_type, body (parsed)}]
    POST /_status                {"status": N}: Discord answers N from now
"""

import json
import threading

import http_fake

lock = threading.Lock()
posts = []
messages = []
answer = {"status": 204}


class Webhook(http_fake.FakeHandler):
    routes = [
        (r"/api/webhooks/(\d+)/([\w-]+)", "discord"),
        (r"/hook", "hook"),
        (r"/fail", "fail"),
        (r"/_posts", "list_posts"),
        (r"/_messages", "list_messages"),
        (r"/_status", "set_status"),
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
        if self.command != "POST" or not isinstance(content, str) or \
                not content:
            return self.reply(400, {"message": "Cannot send an empty"
                                               " message", "code": 50006})
        if len(content) > 2000:
            return self.reply(400, {"message": "Invalid Form Body",
                                    "code": 50035})
        with lock:
            messages.append(body)
            status = answer["status"]
        self.reply(status)

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

    def list_messages(self, m):
        with lock:
            self.reply(200, list(messages))

    def set_status(self, m):
        doc = json.loads(self.read_body())
        with lock:
            answer["status"] = doc["status"]
        self.reply(200, {"ok": True})


if __name__ == "__main__":
    http_fake.serve(Webhook)
