#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fake Plex Media Server for tests, on http_fake.

    plex_fake.py [SECTIONS.json]

SECTIONS.json holds the library sections as [{"key": "1", "type": "show",
"title": "TV", "paths": ["/srv/tv"]} ...]. Every request needs the token
"plexTOKEN-test", in the X-Plex-Token header or query parameter;
otherwise 401.

    GET /                          {"MediaContainer": {"friendlyName",
                                   "machineIdentifier", "version"}}
    GET /library/sections          {"MediaContainer": {"size": N,
                                   "Directory": [{"key", "type", "title",
                                   "Location": [{"id", "path"}]}]}}
                                   (XML unless Accept: application/json)
    GET /library/sections/KEY/refresh[?path=FOLDER]
                                   200, empty: a scan of the section (of
                                   FOLDER only) starts; 404 for a KEY
                                   that is no section

Where the facts come from: Plex's "Plex Media Server URL Commands"
(support.plex.tv/articles/201638786): the token as X-Plex-Token, as a
parameter or a header, /library/sections listing the sections with their
key and Location paths, /library/sections/KEY/refresh to scan a section;
Plex's API reference (developer.plex.tv/pms, plexapi.dev "Refresh
Metadata Of The Library" / "Scan library section"): the path parameter
scans only that folder, the answer is 200 with no body, a missing or
wrong token is 401 Unauthorized (an HTML page, not JSON), JSON only with
"Accept: application/json", the MediaContainer/Directory/Location shape.

Test controls:

    GET  /_requests   every request: [{method, path, query, token ("ok",
                      "wrong", "missing"), accept}]
    GET  /_refreshes  [{"section": KEY, "path": FOLDER or null}]
    POST /_sections   the sections, as SECTIONS.json
    POST /_down       {"status": N}: answer N to everything from now on
                      (0: back to normal)
"""

import json
import sys
import threading

import http_fake

TOKEN = "plexTOKEN-test"

lock = threading.Lock()
sections = []
refreshes = []


class Plex(http_fake.ServiceFake):
    routes = http_fake.ServiceFake.routes + [
        (r"/", "root"),
        (r"/library/sections", "list_sections"),
        (r"/library/sections/([^/]+)/refresh", "refresh"),
        (r"/_refreshes", "get_refreshes"),
        (r"/_sections", "set_sections"),
    ]
    lock = lock
    state = {"requests": [], "down": 0}

    def token(self):
        got = self.headers.get("X-Plex-Token") or \
            self.query.get("X-Plex-Token", [None])[0]
        return "missing" if got is None else \
            "ok" if got == TOKEN else "wrong"

    def admit(self):
        """Record the request; False when it was answered already."""
        self.read_body()
        token = self.token()
        status = self.record({"query": self.query, "token": token,
                              "accept": self.headers.get("Accept")})
        if status:
            self.reply(status, "<html>down</html>", content_type="text/html")
            return False
        if token != "ok":
            self.reply(401, "<html><head><title>Unauthorized</title>"
                       "</head></html>", content_type="text/html")
            return False
        return True

    def root(self, m):
        """The server's root, which python-plexapi's PlexServer loads
        (plexapi/server.py, key "/") for its version, friendlyName and
        machineIdentifier; a token needed, as everywhere."""
        if not self.admit():
            return
        self.reply(200, {"MediaContainer": {
            "friendlyName": "fake", "machineIdentifier": "fake-plex-1",
            "version": "1.40.1.8227-c0dd5a73e"}})

    def list_sections(self, m):
        if not self.admit():
            return
        with lock:
            dirs = [{"key": s["key"], "type": s.get("type", "show"),
                     "title": s.get("title", s["key"]),
                     "Location": [{"id": i + 1, "path": p}
                                  for i, p in enumerate(s["paths"])]}
                    for s in sections]
        if "application/json" not in (self.headers.get("Accept") or ""):
            return self.reply(200, "<MediaContainer size=\"%d\"/>" %
                              len(dirs), content_type="text/xml")
        self.reply(200, {"MediaContainer": {"size": len(dirs),
                                            "Directory": dirs}})

    def refresh(self, m):
        if not self.admit():
            return
        key = m.group(1)
        with lock:
            if not any(s["key"] == key for s in sections):
                return self.reply(404, "")
            refreshes.append({"section": key,
                              "path": self.query.get("path", [None])[0]})
        self.reply(200, "")

    def get_refreshes(self, m):
        with lock:
            self.reply(200, list(refreshes))

    def set_sections(self, m):
        global sections
        doc = json.loads(self.read_body())
        with lock:
            sections = doc
        self.reply(200, {"ok": True})


if __name__ == "__main__":
    if len(sys.argv) > 1:
        with open(sys.argv[1]) as f:
            sections = json.load(f)
    http_fake.serve(Plex)
