#!/usr/bin/python3
"""A fake Sonarr or Radarr (API v3) for tests, on http_fake.

    arr_fake.py sonarr|radarr [ITEMS.json]

ITEMS.json holds the series (or movies) as the API lists them:
[{"id": 7, "title": "Show", "path": "/tv/Show"} ...]; without it the
list is empty. Every /api request needs "X-Api-Key: arrKEY-test";
otherwise 401 {"message": "Unauthorized"}.

    GET  /api/v3/series   (sonarr) or /api/v3/movie (radarr): the items
    POST /api/v3/command  {"name": "RescanSeries", "seriesId": N} or
                          {"name": "RescanMovie", "movieId": N}: 201 with
                          the command as queued; a rescan naming no known
                          id is still accepted, as the real ones accept
                          it (and rescan everything): tests look at the log

Test controls:

    GET  /_requests   every /api request: [{method, path, api_key ("ok",
                      "wrong", "missing"), body (JSON or null), time}]
    GET  /_commands   the bodies of the commands received, in order
    POST /_items      {"kind": "sonarr" or "radarr", "items": [...]}:
                      become that service with those items
"""

import json
import sys
import threading
import time

import http_fake

API_KEY = "arrKEY-test"

lock = threading.Lock()
kind = "sonarr"
items = []
requests = []
commands = []


class Arr(http_fake.FakeHandler):
    routes = http_fake.FakeHandler.routes + [
        (r"/api/v3/(series|movie)", "listing"),
        (r"/api/v3/command", "queue_command"),
        (r"/api/.*", "unknown_api"),
        (r"/_requests", "get_requests"),
        (r"/_commands", "get_commands"),
        (r"/_items", "set_items"),
    ]

    def record(self, body):
        key = self.headers.get("X-Api-Key")
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = body.decode("utf-8", "replace")
        with lock:
            requests.append({
                "method": self.command,
                "path": self.path,
                "api_key": "missing" if key is None else
                           "ok" if key == API_KEY else "wrong",
                "body": parsed,
                "time": time.time(),
            })
        return parsed

    def authorized(self):
        if self.headers.get("X-Api-Key") == API_KEY:
            return True
        self.reply(401, {"message": "Unauthorized"})
        return False

    def listing(self, m):
        self.record(self.read_body())
        if not self.authorized():
            return
        wanted = "movie" if kind == "radarr" else "series"
        if m.group(1) != wanted or self.command != "GET":
            return self.reply(404, {"message": "NotFound"})
        with lock:
            self.reply(200, list(items))

    def queue_command(self, m):
        body = self.record(self.read_body())
        if not self.authorized():
            return
        if self.command != "POST" or not isinstance(body, dict) or \
           "name" not in body:
            return self.reply(400, {"message": "bad command"})
        with lock:
            commands.append(body)
            n = len(commands)
        answer = dict(body)
        answer.update({"id": n, "status": "queued"})
        self.reply(201, answer)

    def unknown_api(self, m):
        self.record(self.read_body())
        self.reply(404, {"message": "NotFound"})

    def get_requests(self, m):
        with lock:
            self.reply(200, list(requests))

    def get_commands(self, m):
        with lock:
            self.reply(200, list(commands))

    def set_items(self, m):
        global kind, items
        doc = json.loads(self.read_body())
        with lock:
            kind = doc.get("kind", kind)
            items = doc.get("items", [])
        self.reply(200, {"ok": True})


if __name__ == "__main__":
    kind = sys.argv[1] if len(sys.argv) > 1 else "sonarr"
    if len(sys.argv) > 2:
        with open(sys.argv[2]) as f:
            items = json.load(f)
    http_fake.serve(Arr)
