#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fake AniList GraphQL API for tests, on the base fake server
(http_fake.py), answering in the shapes AniList answered (the recordings
of tests/data/anilist/, tests/data/SOURCES.md) with the series a test
chooses put in.

    POST /           {"query", "variables": {"id"}}: the Media of type
                     MANGA asked; {"variables": {"search"}}: a Page of
                     the media found
    GET  /_requests  [{method, path, body, time}] of every API request
                     so far, oldest first

    anilist_fake.py [SERIES.json]

SERIES.json maps titles to {"id", "volumes" (null while it runs),
"status", "country", "synonyms": [...], "english", "description",
"genres": [...], "cover", "staff": [[ROLE, NAME], ...], "slow"}: a
search gives a Page of those whose title or a synonym contains its text,
in any case, in the file's order; an id no record has is a 404. A series "slow" answers a 429
asking to wait 1 s the first time it is asked, then its answer.

What is recorded and what is put in:
  - a Media, by id or among a Page's media: the recorded Media of
    media.101415.json (the fields mediamon asks, with type and chapters)
    with the series' id, volumes, status, countryOfOrigin ("JP" unless
    chosen), title {romaji, english; native null}, synonyms,
    description, genres, coverImage {large} and siteUrl (its id's page)
    put in; type, format and chapters as recorded; with the headers
    that answer carried (X-RateLimit-Limit, X-RateLimit-Remaining);
  - a Page: the recorded page 1 of search.fate.json, its media those
    found, hasNextPage false;
  - an id no record has: the recorded 404 (not-found.json), whole;
  - a 429: the one AniList gave live (ratelimited-live.json), its
    Retry-After put in (200 s for the search "ratelimit", 1 s for a
    slow one);
  - a request that is no POST of a Media query: 400 with the recorded
    error body of the API switched off (disabled.json), its message
    "Must provide query string." and status put in.

Answers of the service that nothing recorded shows (tests/data/SOURCES.md,
"still lacking"):
  - a Media's "staff" {edges {role node {name {full}}}}: mediamon asks
    it, the recordings did not; put in the shape of the documentation's
    reference of the Media type, its edges the series' staff;
  - a Page with no media (a search that finds none): the recorded Page
    with an empty media list;
  - the search "error body": the recorded body of the API switched off
    (disabled.json), sent with a 200: no 200 with errors is recorded.
The searches "html", "huge" and "deep" are faults of the way there, not
answers of the service (http_fake.py reply_bad()).
"""

import copy
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_fake import FakeHandler, recording, serve  # noqa: E402

SERIES = {}
SOURCE = "anilist"
MEDIA = recording(SOURCE, "media.101415.json")
PAGE = recording(SOURCE, "search.fate.json")["response"]
NOT_FOUND = recording(SOURCE, "not-found.json")
TOO_MANY = recording(SOURCE, "ratelimited-live.json")
REFUSED = recording(SOURCE, "disabled.json")["body"]


def sent(answer):
    """The recorded headers of answer, but its Content-Type (reply()
    sends its own)."""
    return {k: v for k, v in answer["headers"].items()
            if k != "Content-Type"}


def errors(message, status):
    body = copy.deepcopy(REFUSED)
    body["errors"][0].update(message=message, status=status)
    return body


def media(title, s):
    r = copy.deepcopy(MEDIA["response"]["data"]["Media"])
    r.update(id=s["id"], volumes=s.get("volumes"),
             status=s.get("status", "RELEASING"),
             countryOfOrigin=s.get("country", "JP"),
             title={"romaji": title, "english": s.get("english"),
                    "native": None},
             synonyms=s.get("synonyms", []),
             description=s.get("description"),
             genres=s.get("genres", []),
             coverImage={"large": s.get("cover")},
             siteUrl="https://anilist.co/manga/%d" % s["id"],
             staff={"edges": [{"role": role, "node": {"name": {
                 "full": name}}} for role, name in s.get("staff", [])]})
    return r


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
        self.reply(TOO_MANY["status"], TOO_MANY["body"],
                   dict(sent(TOO_MANY), **{"Retry-After": str(after)}))

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
                text, REFUSED, lambda: self.too_many(200)):
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
            page = copy.deepcopy(PAGE)
            page["data"]["Page"]["pageInfo"]["hasNextPage"] = False
            page["data"]["Page"]["media"] = [media(*f) for f in found]
            return self.reply(200, page, sent(MEDIA))
        if not found:
            return self.reply(NOT_FOUND["status"], NOT_FOUND["body"],
                              sent(NOT_FOUND))
        self.reply(200, {"data": {"Media": media(*found[0])}}, sent(MEDIA))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        with open(sys.argv[1]) as f:
            SERIES.update(json.load(f))
    serve(AniList)
