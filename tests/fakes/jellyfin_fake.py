#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fake Jellyfin (or Emby) server for tests, on http_fake.

    jellyfin_fake.py [jellyfin|emby]

Every request needs the API key "jellyKEY-test": in "Authorization:
MediaBrowser Token=\\"KEY\\"" (Jellyfin; its other fields, Client, Device
..., may come along) or in the X-Emby-Token header (both servers take it);
otherwise 401.

    GET  /System/Info            {"ServerName", "Version", "Id"}
    POST /Library/Media/Updated  {"Updates": [{"Path": FOLDER,
                                 "UpdateType": "Created" | "Modified" |
                                 "Deleted"}, ...]}: 204, no body; 400 for
                                 a body that is not that

Where the facts come from: Jellyfin's API reference (api.jellyfin.org,
generated from Jellyfin.Api's LibraryController.PostUpdatedMedia and
MediaUpdateDto / MediaUpdateInfoPathDto): the route, the body's Updates
with Path and UpdateType (Created, Modified, Deleted), 204 No Content,
401 without a valid key, 403 for a key of a user who is not an
administrator (the endpoint requires elevation); the key in the
"MediaBrowser Token=" authorization scheme or X-Emby-Token
(Jellyfin's AuthorizationContext reads both). Emby's REST API
(dev.emby.media, "Library" service: POST /Library/Media/Updated with the
same body, key as X-Emby-Token or api_key).

Test controls:

    GET  /_requests   every request: [{method, path, key ("ok", "wrong",
                      "missing"), how ("authorization", "x-emby-token"),
                      body}]
    GET  /_updates    the Updates received, in order
    POST /_down       {"status": N}: answer N to everything (0: back up)
"""

import json
import re
import sys
import threading

import http_fake

KEY = "jellyKEY-test"

flavour = "jellyfin"
updates = []


class Jellyfin(http_fake.ServiceFake):
    routes = http_fake.ServiceFake.routes + [
        (r"/Library/Media/Updated", "media_updated"),
        (r"/System/Info", "system_info"),
        (r"/_updates", "get_updates"),
    ]
    lock = threading.Lock()
    state = {"requests": [], "down": 0}

    def key(self):
        auth = self.headers.get("Authorization") or ""
        m = re.search(r'(?:^|[ ,])Token="([^"]*)"', auth)
        if m and flavour == "jellyfin" and \
           auth.lower().startswith("mediabrowser "):
            return m.group(1), "authorization"
        token = self.headers.get("X-Emby-Token")
        if token is not None:
            return token, "x-emby-token"
        return None, None

    def media_updated(self, m):
        raw = self.read_body()
        key, how = self.key()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        status = self.record({"key": self.key_word(key, KEY), "how": how,
                              "body": body})
        if status:
            return self.reply(status, "")
        if key != KEY:
            return self.reply(401, "")
        if self.command != "POST":
            return self.reply(405, "")
        ups = body.get("Updates") if isinstance(body, dict) else None
        if not isinstance(ups, list) or not all(
                isinstance(u, dict) and isinstance(u.get("Path"), str) and
                u.get("UpdateType") in ("Created", "Modified", "Deleted")
                for u in ups):
            return self.reply(400, {"title": "One or more validation"
                                    " errors occurred.", "status": 400})
        with self.lock:
            updates.extend(ups)
        self.reply(204)

    def system_info(self, m):
        """GET /System/Info (Jellyfin.Api's SystemController.GetSystemInfo,
        authorized; Emby's "System" service, the same route): the
        server's SystemInfo, with ServerName, Version and Id."""
        self.read_body()
        key, how = self.key()
        status = self.record({"key": self.key_word(key, KEY), "how": how,
                              "body": None})
        if status:
            return self.reply(status, "")
        if key != KEY:
            return self.reply(401, "")
        self.reply(200, {"ServerName": "fake", "Id": "fake-1",
                         "Version": "10.8.13" if flavour == "jellyfin"
                         else "4.8.1.0"})

    def get_updates(self, m):
        with self.lock:
            self.reply(200, list(updates))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        flavour = sys.argv[1]
    http_fake.serve(Jellyfin)
