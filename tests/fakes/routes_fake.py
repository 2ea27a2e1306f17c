#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fake that answers recorded answers, for tests that replay the real
ones of ../shared/realworld/answers (expect.json's "routes").

    POST /_routes   {"dir": DIR, "routes": {"METHOD PATH": {"status": N,
                    "headers": {...}, "file": REL}}}: from now on, a
                    request for METHOD PATH gets status, those headers
                    and the bytes of DIR/REL (none when no file); any
                    other request 404. Forgets the requests seen.
    GET  /_requests every other request: [{method, path, headers (a list
                    of "Name: value"), body}]
"""

import json
import os
import threading
import urllib.parse

import http_fake

lock = threading.Lock()
state = {"dir": "", "routes": {}, "requests": []}


class Routes(http_fake.FakeHandler):
    def dispatch(self):
        path = urllib.parse.urlsplit(self.path).path
        body = self.read_body()
        if path == "/_routes" and self.command == "POST":
            doc = json.loads(body)
            with lock:
                state.update(dir=doc["dir"], routes=doc["routes"],
                             requests=[])
            return self.reply(200, {"ok": True})
        if path == "/_requests":
            with lock:
                return self.reply(200, list(state["requests"]))
        with lock:
            state["requests"].append({
                "method": self.command, "path": path,
                "headers": ["%s: %s" % kv for kv in self.headers.items()],
                "body": body.decode("utf-8", "replace")})
            route = state["routes"].get("%s %s" % (self.command, path))
            folder = state["dir"]
        if not route:
            return self.reply(404, "no route")
        data = b""
        if route.get("file"):
            with open(os.path.join(folder, route["file"]), "rb") as f:
                data = f.read()
        self.reply(route["status"], data, route.get("headers"))

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = dispatch


if __name__ == "__main__":
    http_fake.serve(Routes)
