#!/usr/bin/python3
"""A fake Discord webhook for tests, on http_fake.

    POST /api/webhooks/ID/TOKEN   {"content": ...}: 204, recorded; a body
                                  that is not JSON with a content: 400
    GET  /_messages               the bodies received, in order
    POST /_status                 {"status": N}: answer N from now on
"""

import json
import threading

import http_fake

lock = threading.Lock()
messages = []
answer = {"status": 204}


class Webhook(http_fake.FakeHandler):
    routes = http_fake.FakeHandler.routes + [
        (r"/api/webhooks/\d+/[\w-]+", "post"),
        (r"/_messages", "get_messages"),
        (r"/_status", "set_status"),
    ]

    def post(self, m):
        body = self.read_body()
        try:
            doc = json.loads(body)
        except ValueError:
            doc = None
        if self.command != "POST" or not isinstance(doc, dict) or \
           "content" not in doc:
            return self.reply(400, {"message": "Cannot send an empty"
                                               " message", "code": 50006})
        with lock:
            messages.append(doc)
            status = answer["status"]
        self.reply(status)

    def get_messages(self, m):
        with lock:
            self.reply(200, list(messages))

    def set_status(self, m):
        doc = json.loads(self.read_body())
        with lock:
            answer["status"] = doc["status"]
        self.reply(200, {"ok": True})


if __name__ == "__main__":
    http_fake.serve(Webhook)
