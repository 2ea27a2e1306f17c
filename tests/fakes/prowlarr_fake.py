#!/usr/bin/python3
"""A fake Prowlarr (API v1) for tests, on the base fake's server.

    prowlarr_fake.py [RELEASES.json]

RELEASES.json, if given, maps a query (lowercase) to the list of release
objects the search answers with; otherwise the built-in table below
serves. The API key is API_KEY; a wrong or missing X-Api-Key gets 401
with Prowlarr's JSON error, on every /api route.

    GET  /api/v1/search?query=Q&type=search&categories=N&indexerIds=N
                         the releases for Q (lowercase), [] if none;
                         these queries misbehave instead:
        malformed        200 with invalid JSON
        notarray         200 {"x": 1}
        badshape         200 with a release whose title is a number
        error500         500
        ratelimit        429 with Retry-After: 2
        huge             200 with a 6 MiB body (above the client's cap)
        slow             sleeps 3 s, then answers []
    POST /api/v1/search  {"guid", "indexerId"}: 200 with the release when
                         the guid is one the table holds (and the id is
                         its indexer's), 404 otherwise, as Prowlarr does
                         when its cache lost the release
    GET  /_requests      every /api request so far: [{method, path, query
                         (raw), args (parsed), api_key, body, time}]
    POST /_inject        {"query", "status", "times", "retry_after",
                         "body"}: the next `times` searches for query
                         (lowercase) answer status (with Retry-After when
                         given, and body, raw text, when given) instead
    GET  /_grabs         the releases grabbed so far: [{guid, indexerId}]
"""

import json
import sys
import threading
import time
import urllib.parse

import http_fake

API_KEY = "fakeKEY-0123456789abcdef"


def release(guid, title, indexer_id=1, protocol="torrent", seeders=12):
    """A release object as Prowlarr's search gives it."""
    torrent = protocol == "torrent"
    return {
        "guid": guid,
        "indexerId": indexer_id,
        "indexer": "YGG" if indexer_id == 1 else "NZBIndex",
        "title": title,
        "sortTitle": title.lower(),
        "size": 150000000 + len(title),
        "files": 1,
        "grabs": 3,
        "seeders": seeders if torrent else None,
        "leechers": 2 if torrent else None,
        "publishDate": "2024-03-01T10:00:00Z",
        "age": 100,
        "downloadUrl": "http://127.0.0.1:1/%d/download?apikey=%s"
                       "&link=%s&file=%s" % (indexer_id, API_KEY, guid,
                                             guid),
        "magnetUrl": ("magnet:?xt=urn:btih:%s" % guid) if torrent else None,
        "infoUrl": "http://indexer.example/t/%s" % guid,
        "categories": [{"id": 7030, "name": "Books/Comics"}],
        "protocol": protocol,
    }


RELEASES = {
    "one piece": [
        release("op-105", "One Piece T105 FRENCH CBZ"),
        release("op-104", "One Piece Tome 104 (2023) [Digital]"),
        release("op-001-003", "One Piece Tomes 1 à 3 FRENCH CBZ"),
        release("op-100-102", "One Piece v100-102 (Digital) (LuCaZ)"),
        release("op-106", "One.Piece.T106.FRENCH.EPUB-TEAM", 2, "usenet"),
        release("op-ch1090", "One Piece Chapter 1090"),
        release("op-party-3", "One Piece Party T03 FRENCH CBZ"),
        release("opm-20", "One Punch Man T20 FRENCH CBZ"),
        release("op-artbook", "One Piece Artbook Color Walk 9"),
        release("op-none", "One Piece FRENCH CBZ"),
    ],
}

lock = threading.Lock()
requests = []
grabs = []
injected = {}


class Prowlarr(http_fake.FakeHandler):
    routes = http_fake.FakeHandler.routes + [
        (r"/api/v1/search", "search"),
        (r"/api/.*", "unknown_api"),
        (r"/_requests", "get_requests"),
        (r"/_grabs", "get_grabs"),
        (r"/_inject", "inject"),
    ]

    def record(self, body):
        url = urllib.parse.urlsplit(self.path)
        with lock:
            requests.append({
                "method": self.command,
                "path": url.path,
                "query": url.query,
                "args": self.query,
                "api_key": self.headers.get("X-Api-Key"),
                "body": body.decode("utf-8", "replace"),
                "time": time.time(),
            })

    def authorized(self):
        if self.headers.get("X-Api-Key") == API_KEY:
            return True
        self.reply(401, {"message": "Unauthorized"})
        return False

    def search(self, m):
        body = self.read_body()
        self.record(body)
        if not self.authorized():
            return
        if self.command == "POST":
            return self.grab(body)
        query = self.query.get("query", [""])[0].lower()
        with lock:
            fault = injected.get(query)
            if fault and fault["times"] > 0:
                fault["times"] -= 1
            else:
                fault = None
        if fault:
            headers = {}
            if "retry_after" in fault:
                headers["Retry-After"] = str(fault["retry_after"])
            return self.reply(fault["status"], fault.get("body", ""),
                              headers, content_type="application/json")
        special = getattr(self, "special_" + query, None)
        if special:
            return special()
        self.reply(200, RELEASES.get(query, []))

    def grab(self, body):
        try:
            asked = json.loads(body)
            guid, indexer_id = asked["guid"], asked["indexerId"]
        except (ValueError, KeyError, TypeError):
            return self.reply(400, {"message": "bad request"})
        for releases in RELEASES.values():
            for r in releases:
                if r["guid"] == guid and r["indexerId"] == indexer_id:
                    with lock:
                        grabs.append({"guid": guid,
                                      "indexerId": indexer_id})
                    return self.reply(200, r)
        self.reply(404, {"message": "Couldn't find requested release in "
                                    "cache, cache timeout is probably "
                                    "expired. Search again."})

    def unknown_api(self, m):
        self.record(self.read_body())
        if self.authorized():
            self.reply(404, {"message": "NotFound"})

    def special_malformed(self):
        self.reply(200, '[{"guid": "x", "title": "One Piece T01"',
                   content_type="application/json")

    def special_notarray(self):
        self.reply(200, {"x": 1})

    def special_badshape(self):
        self.reply(200, [release("bs-1", "Badshape T01"),
                         {"guid": "bs-2", "title": 2, "indexerId": 1}])

    def special_error500(self):
        self.reply(500, {"message": "Internal Server Error"})

    def special_ratelimit(self):
        self.reply(429, {"message": "Too Many Requests"},
                   {"Retry-After": "2"})

    def special_huge(self):
        filler = release("huge", "Huge T01 " + "x" * 1000)
        self.reply(200, [filler] * 2400)  # about 6 MiB

    def special_slow(self):
        time.sleep(3)
        self.reply(200, [])

    def get_requests(self, m):
        with lock:
            self.reply(200, list(requests))

    def inject(self, m):
        fault = json.loads(self.read_body())
        with lock:
            injected[fault["query"].lower()] = fault
        self.reply(200, {"ok": True})

    def get_grabs(self, m):
        with lock:
            self.reply(200, list(grabs))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        with open(sys.argv[1]) as f:
            RELEASES = {k.lower(): v for k, v in json.load(f).items()}
    http_fake.serve(Prowlarr)
