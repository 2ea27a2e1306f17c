#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fake Sonarr or Radarr (API v3) for tests, on http_fake.

    arr_fake.py sonarr|radarr [ITEMS.json]

ITEMS.json holds the series (or movies) as the API lists them:
[{"id": 7, "title": "Show", "path": "/tv/Show"} ...], or an object of
what /_items takes; without it the list is empty. Every /api request needs "X-Api-Key: arrKEY-test";
otherwise 401 {"message": "Unauthorized"}.

    GET  /api/v3/series   (sonarr) or /api/v3/movie (radarr): the items
    POST /api/v3/command  {"name": "RescanSeries", "seriesId": N} or
                          {"name": "RescanMovie", "movieId": N}, or
                          {"name": "EpisodeSearch", "episodeIds": [...]}
                          / {"name": "MoviesSearch", "movieIds": [...]}:
                          201 with the command as queued; a rescan naming
                          no known id is still accepted, as the real ones
                          accept it (and rescan everything): tests look at
                          the log
    GET  /api/v3/episodefile?seriesId=N   (sonarr) the series' episode
                          files [{id, seriesId, path, relativePath}]
    GET  /api/v3/moviefile?movieId=N      (radarr) the movie's files
                          [{id, movieId, path, relativePath}]
    GET  /api/v3/episode?episodeFileId=N  (sonarr) the episodes that file
                          holds [{id, seriesId, episodeFileId, hasFile}];
                          ?seriesId=N the series' episodes
    DELETE /api/v3/episodefile/N, /api/v3/moviefile/N
                          200 {} and the record goes (its episodes lose
                          their file); 404 {"message": "NotFound"} for a
                          record the Arr does not have

Where the facts come from: Sonarr's and Radarr's API reference
(sonarr.tv/docs/api, radarr.video/docs/api, generated from the
openapi.json each ships in src/Sonarr.Api.V3 and src/Radarr.Api.V3):
the resources' fields (EpisodeFileResource and MovieFileResource carry
"path", the full path of the file; EpisodeResource "episodeFileId" and
"hasFile"), the query parameters seriesId, movieId and episodeFileId, a
command answered 201 Created, a DELETE answered 200 OK; an id the Arr
does not know is its NotFoundException, 404 with a JSON "message".

Test controls:

    GET  /_requests   every /api request: [{method, path, api_key ("ok",
                      "wrong", "missing"), body (JSON or null), time}]
    GET  /_commands   the bodies of the commands received, in order
    POST /_items      {"kind": "sonarr" or "radarr", "items": [...],
                      "files": [...], "episodes": [...], "missing":
                      [file ids]}: become that service with those items,
                      files and episodes; a file of "missing" is listed
                      but its DELETE answers 404, as when the Arr's own
                      rescan dropped it in between
    GET  /_files      the files left, and the episodes as they are now
    POST /_echo       {"status": N, "times": N}: the next `times`
                      (default 1, -1: forever) authorized /api requests
                      answer N with a body that echoes the request and its
                      X-Api-Key in "message" and "description" (a hostile
                      or broken proxy's answer, not Sonarr's own: issue
                      45's planted key)
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
files = []
episodes = []
missing = set()
requests = []
commands = []
echo = {"status": 0, "times": 0}


class Arr(http_fake.FakeHandler):
    routes = http_fake.FakeHandler.routes + [
        (r"/api/v3/(series|movie)", "listing"),
        (r"/api/v3/command", "queue_command"),
        (r"/api/v3/(episodefile|moviefile)", "file_listing"),
        (r"/api/v3/(episodefile|moviefile)/(\d+)", "file_delete"),
        (r"/api/v3/episode", "episode_listing"),
        (r"/api/v3/system/status", "system_status"),
        (r"/api/.*", "unknown_api"),
        (r"/_requests", "get_requests"),
        (r"/_commands", "get_commands"),
        (r"/_items", "set_items"),
        (r"/_files", "get_files"),
        (r"/_echo", "set_echo"),
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

    def echoed(self):
        """Whether an echo was due, and answered."""
        key = self.headers.get("X-Api-Key")
        with lock:
            if not echo["times"]:
                return False
            echo["times"] -= 1
        self.reply(echo["status"], {
            "message": "%s %s?apikey=%s failed" % (self.command, self.path,
                                                 key),
            "description": "X-Api-Key: %s" % key})
        return True

    def authorized(self):
        if self.headers.get("X-Api-Key") == API_KEY:
            return not self.echoed()
        self.reply(401, {"message": "Unauthorized"})
        return False

    def system_status(self, m):
        """Sonarr's and Radarr's SystemController (src/Sonarr.Api.V3/
        System/SystemController.cs): GET /api/v3/system/status, an API
        key needed, answers appName, version and more (only these)."""
        self.record(self.read_body())
        if self.authorized():
            self.reply(200, {"appName": kind.capitalize(),
                             "version": "4.0.0.738" if kind == "sonarr"
                             else "5.2.6.8376"})

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

    def file_kind(self):
        return "moviefile" if kind == "radarr" else "episodefile"

    def owner_key(self):
        return "movieId" if kind == "radarr" else "seriesId"

    def file_listing(self, m):
        self.record(self.read_body())
        if not self.authorized():
            return
        if m.group(1) != self.file_kind() or self.command != "GET":
            return self.reply(404, {"message": "NotFound"})
        owner = self.query.get(self.owner_key(), [None])[0]
        with lock:
            self.reply(200, [f for f in files if owner is None or
                             str(f[self.owner_key()]) == owner])

    def file_delete(self, m):
        self.record(self.read_body())
        if not self.authorized():
            return
        if m.group(1) != self.file_kind() or self.command != "DELETE":
            return self.reply(404, {"message": "NotFound"})
        n = int(m.group(2))
        with lock:
            known = [f for f in files if f["id"] == n]
            if not known or n in missing:
                return self.reply(404, {"message": "NotFound"})
            files.remove(known[0])
            for e in episodes:
                if e.get("episodeFileId") == n:
                    e["episodeFileId"] = 0
                    e["hasFile"] = False
        self.reply(200, {})

    def episode_listing(self, m):
        self.record(self.read_body())
        if not self.authorized():
            return
        if kind != "sonarr" or self.command != "GET":
            return self.reply(404, {"message": "NotFound"})
        by_file = self.query.get("episodeFileId", [None])[0]
        series = self.query.get("seriesId", [None])[0]
        if by_file is None and series is None:
            return self.reply(400, {"message": "seriesId or episodeIds"
                                    " or episodeFileId must be given"})
        with lock:
            self.reply(200, [e for e in episodes
                             if (by_file is None or
                                 str(e.get("episodeFileId")) == by_file) and
                             (series is None or
                              str(e.get("seriesId")) == series)])

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
        global kind, items, files, episodes, missing
        doc = json.loads(self.read_body())
        with lock:
            kind = doc.get("kind", kind)
            items = doc.get("items", [])
            files = doc.get("files", [])
            episodes = doc.get("episodes", [])
            missing = set(doc.get("missing", []))
        self.reply(200, {"ok": True})

    def set_echo(self, m):
        doc = json.loads(self.read_body())
        with lock:
            echo.update(status=doc["status"], times=doc.get("times", 1))
        self.reply(200, {"ok": True})

    def get_files(self, m):
        with lock:
            self.reply(200, {"files": list(files),
                             "episodes": list(episodes)})


if __name__ == "__main__":
    kind = sys.argv[1] if len(sys.argv) > 1 else "sonarr"
    if len(sys.argv) > 2:
        with open(sys.argv[2]) as f:
            doc = json.load(f)
        # a list of items, or {"items", "files", "episodes", "missing"}
        if isinstance(doc, dict):
            items = doc.get("items", [])
            files = doc.get("files", [])
            episodes = doc.get("episodes", [])
            missing = set(doc.get("missing", []))
        else:
            items = doc
    http_fake.serve(Arr)
