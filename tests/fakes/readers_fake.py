#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fake Komga or Kavita (the reading servers mediamon tells after an
import), on http_fake.

    readers_fake.py komga LIBRARIES.json
    readers_fake.py kavita

Komga: every request needs the API key "komgaKEY-test" in X-API-Key,
otherwise 401.

    GET  /api/v1/libraries            LIBRARIES.json (a list of LibraryDto:
                                      id, name, root, ...)
    POST /api/v1/libraries/ID/scan    202, no body; 404 for an unknown id

Kavita: the key "kavitaKEY-test", in the body (and x-api-key).

    POST /api/Library/scan-folder     {"apiKey", "folderPath"}: 200, no
                                      body; 400 for a key no user has or
                                      a body without them

Where the facts come from is in tests/data/SOURCES.md (readers).

Test controls:

    GET  /_requests   every request: [{method, path, key ("ok", "wrong",
                      "missing"), body}]
    POST /_down       {"status": N}: answer N to everything (0: back up)
"""

import json
import sys
import threading

import http_fake

KEYS = {"komga": "komgaKEY-test", "kavita": "kavitaKEY-test"}

flavour = "komga"
libraries = []


class Readers(http_fake.ServiceFake):
    routes = http_fake.ServiceFake.routes + [
        (r"/api/v1/libraries", "komga_libraries"),
        (r"/api/v1/libraries/([^/]+)/scan", "komga_scan"),
        (r"/api/Library/scan-folder", "kavita_scan"),
    ]
    lock = threading.Lock()
    state = {"requests": [], "down": 0}

    def komga_admit(self):
        """Record a Komga request; False when it was answered already
        (down, not Komga, or a wrong key)."""
        self.read_body()
        key = self.headers.get("X-API-Key")
        status = self.record({"key": self.key_word(key, KEYS[flavour]),
                              "body": None})
        if status or flavour != "komga":
            self.reply(status or 404, "")
            return False
        if key != KEYS["komga"]:
            self.reply(401, "")
            return False
        return True

    def komga_libraries(self, m):
        if self.komga_admit():
            self.reply(200, libraries)

    def komga_scan(self, m):
        if not self.komga_admit():
            return
        if self.command != "POST":
            return self.reply(405, "")
        if m.group(1) not in [lib["id"] for lib in libraries]:
            return self.reply(404, "")
        self.reply(202)

    def kavita_scan(self, m):
        raw = self.read_body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        key = body.get("apiKey") if isinstance(body, dict) else None
        status = self.record({"key": self.key_word(key, KEYS[flavour]),
                              "body": body})
        if status or flavour != "kavita":
            return self.reply(status or 404, "")
        if self.command != "POST":
            return self.reply(405, "")
        if key != KEYS["kavita"] or not isinstance(
                body.get("folderPath"), str):
            return self.reply(400, "")
        self.reply(200)


if __name__ == "__main__":
    flavour = sys.argv[1]
    if flavour == "komga":
        with open(sys.argv[2]) as f:
            libraries = json.load(f)
    http_fake.serve(Readers)
