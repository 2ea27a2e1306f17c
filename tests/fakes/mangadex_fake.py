#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fake MangaDex API for tests, on the base fake server (http_fake.py).

    GET /manga?title=T&limit=N   the manga list of the search
    GET /manga/ID/aggregate?translatedLanguage[]=L
                                 the volumes translated into L
    GET /manga/ID                the manga's record, as a search lists it
    GET /_requests               [{path, query, time}] of every API
                                 request so far, oldest first

    mangadex_fake.py [SERIES.json]

SERIES.json maps titles to {"id", "status", "lastVolume", "alt": [...],
"volumes": {LANG: COUNT}, "fails": [STATUS, DETAIL], "description",
"authors": [...], "genres": [...], "themes": [...], "cover": FILENAME}:
each is listed by a search whose title is a
substring of it, in any case (MangaDex's search is fuzzy), and its
aggregate numbers volumes 1 to COUNT for LANG (or, with "fails", answers
STATUS with an error whose detail is DETAIL). Some titles answer badly:

    html        200, an HTML page (a proxy's, or a url not the API's)
    error body  200, {"result": "error", "errors": [...]}
    huge        200, 3 MiB of JSON
    deep        200, JSON nested 100000 deep
    ratelimit   429, its window reopening in 200 s

Where the shapes come from:
  - the manga list {"result": "ok", "response": "collection", "data":
    [{"id", "type": "manga", "attributes": {"title": {LANG: ...},
    "altTitles": [{LANG: ...}], "status", "lastVolume",
    "originalLanguage", "availableTranslatedLanguages"}, ...}], "limit",
    "offset", "total"}: MangaDex's API documentation
    (api.mangadex.org/docs, Manga > Manga list) and the public clients'
    models (mangadex-full-api's manga.js, MangaDexSharp);
  - a manga's "description" (a localized text, in Markdown), its "tags"
    ({"id", "type": "tag", "attributes": {"name": {LANG: ...}, "group":
    "genre", "theme", "format" or "content", ...}}) and its
    "relationships" ({"id", "type": "author", "artist", "cover_art",
    ...}), each expanded with its "attributes" ({"name"} of an author
    or artist, {"fileName"} of a cover) when the search asks
    includes[]=TYPE: the documentation's Manga > Manga list and its
    Reference Expansion page;
  - the record {"result": "ok", "response": "entity", "data": MANGA},
    MANGA as the manga list gives it, its relationships expanded by the
    same includes[]: the documentation's Manga > Get Manga;
  - the aggregate {"result": "ok", "volumes": {"1": {"volume": "1",
    "count", "chapters": {"1": {"chapter", "id", "others", "count"}}},
    "none": {...}}}, and "volumes": [] when there is none (PHP writes an
    empty map as a list): the documentation's Manga > Get Manga volumes &
    chapters, mangadex-api-schema-rust's manga_aggregate.rs
    (volume_aggregate_array_or_map) and Mihon's MangaDex extension
    (AggregateDto);
  - errors {"result": "error", "errors": [{"id", "status", "title",
    "detail", "context"}]}: the documentation's ErrorResponse, and the
    clients that read it (MangaDexSharp's MangaDexError, MangaDokusha's
    BackendError); a 400 "validation_exception" for a parameter out of
    range (limit above 100, a language code of another form), a 404
    "not_found_http_exception" for an unknown manga id;
  - a 429 carries X-RateLimit-Limit, X-RateLimit-Remaining and
    X-RateLimit-Retry-After (a Unix time), not Retry-After: the
    documentation's Rate limits page.
"""

import json
import os
import re
import sys
import threading
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_fake import FakeHandler, serve  # noqa: E402

SERIES = {}
LANG = re.compile(r"[a-z]{2}(-[a-z]{2})?")

def error(status, title, detail):
    return {"result": "error", "errors": [{
        "id": str(uuid.uuid4()), "status": status, "title": title,
        "detail": detail, "context": None}]}


def manga(title, s, includes=()):
    rels = [{"id": str(uuid.uuid5(uuid.NAMESPACE_URL, name)), "type": kind}
            for kind in ("author", "artist") for name in s.get("authors", [])]
    if s.get("cover"):
        rels.append({"id": str(uuid.uuid5(uuid.NAMESPACE_URL, s["cover"])),
                     "type": "cover_art"})
    for r, name in zip(rels, s.get("authors", []) * 2 + [s.get("cover")]):
        if r["type"] in includes:
            r["attributes"] = {"fileName": name} \
                if r["type"] == "cover_art" else {"name": name}
    return {
        "id": s["id"], "type": "manga",
        "attributes": {
            "title": {"en": title},
            "altTitles": [{"ja": a} for a in s.get("alt", [])],
            "description": {"en": s.get("description", "A series.")},
            "status": s.get("status", "ongoing"),
            "lastVolume": s.get("lastVolume", ""),
            "lastChapter": "",
            "originalLanguage": "ja",
            "availableTranslatedLanguages": sorted(s.get("volumes", {})),
            "contentRating": "safe",
            "tags": [{"id": str(uuid.uuid5(uuid.NAMESPACE_URL, g)),
                      "type": "tag", "attributes": {
                          "name": {"en": g}, "group": group,
                          "description": {}, "version": 1},
                      "relationships": []}
                     for group in ("genre", "theme")
                     for g in s.get(group + "s", [])],
        },
        "relationships": rels,
    }


def aggregate(count):
    volumes = {}
    for v in range(1, count + 1):
        volumes[str(v)] = {"volume": str(v), "count": 2, "chapters": {
            str(2 * v + c): {"chapter": str(2 * v + c),
                             "id": str(uuid.uuid4()), "others": [],
                             "count": 1} for c in (0, 1)}}
    if count:
        volumes["none"] = {"volume": "none", "count": 1, "chapters": {
            str(2 * count + 2): {"chapter": str(2 * count + 2),
                                 "id": str(uuid.uuid4()), "others": [],
                                 "count": 1}}}
    return {"result": "ok", "volumes": volumes or []}


class MangaDex(FakeHandler):
    routes = FakeHandler.routes + [
        (r"/manga", "search"),
        (r"/manga/([^/]+)/aggregate", "aggregate"),
        (r"/manga/([^/]+)", "entity"),
        (r"/_requests", "requests"),
    ]

    lock = threading.Lock()
    log = []

    def record(self):
        url = urllib.parse.urlsplit(self.path)
        with self.lock:
            self.log.append({"path": url.path, "query": self.query,
                             "time": time.time()})

    def requests(self, m):
        with self.lock:
            self.reply(200, list(self.log))

    def too_many(self):
        self.reply(429, error(429, "too_many_requests",
                              "You have been rate limited"),
                   {"X-RateLimit-Limit": "5",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Retry-After": str(int(time.time()) + 200)})

    def search(self, m):
        self.record()
        title = self.query.get("title", [""])[0]
        limit = self.query.get("limit", ["10"])[0]
        if not limit.isdigit() or not 0 <= int(limit) <= 100:
            return self.reply(400, error(
                400, "validation_exception",
                "Error validating /limit: Must have a maximum value of "
                "100"))
        if self.reply_bad(title.lower(), error(
                500, "internal_server_error", "An unknown error occurred"),
                self.too_many):
            return
        includes = self.query.get("includes[]", [])
        found = [manga(t, s, includes) for t, s in SERIES.items()
                 if title.lower() in t.lower()
                 or any(title.lower() in a.lower() for a in s.get("alt", []))]
        found = found[:int(limit)]
        self.reply(200, {"result": "ok", "response": "collection",
                         "data": found, "limit": int(limit), "offset": 0,
                         "total": len(found)})

    def entity(self, m):
        self.record()
        found = [(t, s) for t, s in SERIES.items() if s["id"] == m.group(1)]
        if not found:
            return self.reply(404, error(
                404, "not_found_http_exception",
                "Manga with id %s could not be found" % m.group(1)))
        self.reply(200, {"result": "ok", "response": "entity",
                         "data": manga(*found[0], self.query.get(
                             "includes[]", []))})

    def aggregate(self, m):
        self.record()
        langs = self.query.get("translatedLanguage[]", [])
        if any(not LANG.fullmatch(lang) for lang in langs):
            return self.reply(400, error(
                400, "validation_exception",
                "Error validating /translatedLanguage/0: String does not "
                "match pattern"))
        found = [s for s in SERIES.values() if s["id"] == m.group(1)]
        if not found:
            return self.reply(404, error(
                404, "not_found_http_exception",
                "Manga with id %s could not be found" % m.group(1)))
        if "fails" in found[0]:
            status, detail = found[0]["fails"]
            return self.reply(status, error(status, "planted_exception",
                                            detail))
        counts = [found[0].get("volumes", {}).get(lang, 0) for lang in langs]
        self.reply(200, aggregate(max(counts or [0])))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        with open(sys.argv[1]) as f:
            SERIES.update(json.load(f))
    serve(MangaDex)
