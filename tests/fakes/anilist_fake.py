#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fake AniList GraphQL API for tests, on the base fake server
(http_fake.py).

    POST /           {"query", "variables": {"id"}}: the Media of type
                     MANGA asked; {"variables": {"search"}}: a Page of
                     the media found
    GET  /_requests  [{method, path, body, time}] of every API request
                     so far, oldest first

    anilist_fake.py [SERIES.json]

SERIES.json maps titles to {"id", "volumes" (null while it runs),
"status", "country", "synonyms": [...], "english", "description",
"genres": [...], "cover", "staff": [[ROLE, NAME], ...]}: a search gives
a Page of those whose title or a synonym contains its text, in any case,
in the file's order (an empty one when none does, as AniList answers a
page past its last); an id no record has is a 404. Some searches answer
badly:

    html           200, an HTML page (a proxy's, or a url not the API's)
    error body     200, {"data": null, "errors": [...]}
    huge           200, 3 MiB of JSON
    deep           200, JSON nested 100000 deep
    ratelimit      429 with Retry-After: 200
    TITLE (slow)   429 with Retry-After: 1 the first time, then TITLE's
                   answer

Where the shapes come from:
  - the request, a POST of {"query", "variables"} as JSON to the one
    endpoint, and the answer {"data": {"Media": {...}}}: AniList's
    documentation (docs.anilist.co, Getting started > Making a
    request); {"data": {"Page": {"pageInfo", "media": [...]}}}, and
    "media": [] past the last page: the answers recorded by
    Ravencentric/pyanilist (tests/data/SOURCES.md);
  - the Media fields id, volumes (Int, null while a manga runs), status
    (MediaStatus: FINISHED, RELEASING, NOT_YET_RELEASED, CANCELLED,
    HIATUS), countryOfOrigin (ISO 3166-1 alpha-2: JP, KR, CN, TW),
    title {romaji english native}, synonyms, description (HTML: <br>,
    <i>), genres ([String]), coverImage {large}, siteUrl, and staff
    {edges {role node {name {full}}}} (roles such as "Story & Art",
    "Story", "Art", "Translator (English)"): the documentation's
    reference of the Media type, and the clients that read them (komf's
    AniList client, Suwayomi's tracker);
  - errors: {"data": ..., "errors": [{"message", "status",
    "locations"}]}, sent with a 200 as with a 4xx (GraphQL's way); a
    Media not found is a 404 with "Not Found." and "data": {"Media":
    null}: the documentation's GraphQLError, and the public clients
    that check for it;
  - the rate limit: 90 requests a minute (30 while the API is
    degraded), X-RateLimit-Limit and X-RateLimit-Remaining on every
    answer, and beyond it a 429 with Retry-After, X-RateLimit-Reset and
    the error "Too Many Requests.": the documentation's Rate Limiting
    page.
"""

import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_fake import FakeHandler, serve  # noqa: E402

SERIES = {}

LIMIT = {"X-RateLimit-Limit": "90", "X-RateLimit-Remaining": "89"}


def errors(message, status, data=None):
    return {"data": data, "errors": [{
        "message": message, "status": status,
        "locations": [{"line": 1, "column": 37}]}]}


def media(title, s):
    return {"id": s["id"], "volumes": s.get("volumes"),
            "status": s.get("status", "RELEASING"),
            "countryOfOrigin": s.get("country", "JP"),
            "title": {"romaji": title, "english": s.get("english"),
                      "native": None},
            "synonyms": s.get("synonyms", []),
            "description": s.get("description"),
            "genres": s.get("genres", []),
            "coverImage": {"large": s.get("cover")},
            "siteUrl": "https://anilist.co/manga/%d" % s["id"],
            "staff": {"edges": [{"role": role, "node": {"name": {
                "full": name}}} for role, name in s.get("staff", [])]}}


class AniList(FakeHandler):
    routes = FakeHandler.routes + [
        (r"/", "graphql"),
        (r"/_requests", "requests"),
    ]

    lock = threading.Lock()
    log = []
    slowed = set()

    def record(self, body):
        with self.lock:
            self.log.append({"method": self.command, "path": self.path,
                             "body": body, "time": time.time()})

    def requests(self, m):
        with self.lock:
            self.reply(200, list(self.log))

    def too_many(self, after):
        self.reply(429, errors("Too Many Requests.", 429),
                   {"Retry-After": str(after),
                    "X-RateLimit-Reset": str(int(time.time()) + after),
                    "X-RateLimit-Limit": "90",
                    "X-RateLimit-Remaining": "0"})

    def graphql(self, m):
        try:
            q = json.loads(self.read_body() or b"{}")
        except ValueError:
            q = None
        self.record(q)
        if self.command != "POST" or not isinstance(q, dict) or \
                not any(w in str(q.get("query"))
                        for w in ("Media(", "media(")):
            return self.reply(400, errors("Must provide query string.",
                                          400))
        v = q.get("variables") or {}
        text = str(v.get("search", "")).lower()
        if "search" in v and self.reply_bad(
                text, errors("Internal Server Error", 500),
                lambda: self.too_many(200)):
            return
        found = [(t, s) for t, s in SERIES.items()
                 if (v.get("id") is not None and s["id"] == v["id"]) or
                 ("search" in v and any(text in n.lower() for n in
                                        [t] + s.get("synonyms", [])))]
        if found and found[0][1].get("slow"):
            with self.lock:
                first = found[0][0] not in self.slowed
                self.slowed.add(found[0][0])
            if first:
                return self.too_many(1)
        if "search" in v:
            return self.reply(200, {"data": {"Page": {
                "pageInfo": {"currentPage": 1, "hasNextPage": False,
                             "perPage": 50},
                "media": [media(*f) for f in found]}}}, LIMIT)
        if not found:
            return self.reply(404, errors("Not Found.", 404,
                                          {"Media": None}), LIMIT)
        self.reply(200, {"data": {"Media": media(*found[0])}}, LIMIT)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        with open(sys.argv[1]) as f:
            SERIES.update(json.load(f))
    serve(AniList)
