#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fake Kitsu JSON:API (kitsu.io/api/edge) for tests, on the base fake
server (http_fake.py), answering in the shapes Kitsu answered (the
recordings of tests/data/kitsu/, tests/data/SOURCES.md) with the series
a test chooses put in.

    GET /manga/ID                   {"data": the manga ID}, or a 404
    GET /manga?filter[text]=TITLE   {"data": [the manga found]}
    GET /_requests                  [{method, path, time}] of every API
                                    request so far, oldest first
    POST /_down                     {"status": N}: answer N to the API
                                    (0: back up)

    kitsu_fake.py [SERIES.json]

SERIES.json maps titles to {"id", "volumes" (null while Kitsu has no
count), "status" ("current" unless chosen), "subtype" ("manga" unless
chosen), "abbreviated": [...], "slow"}: a search gives those whose title
or an abbreviated one contains its text, in any case, in the file's
order; an id no record has is a 404. A series "slow" answers a 429
asking to wait 1 s the first time it is asked, then its answer.

What is recorded and what is put in:
  - a manga, by id or in a search's list: the recorded record of
    manga.35071.json (One Piece Party, as Kitsu's search gave it) with
    the series' id, slug, canonicalTitle, titles {en_jp}, abbreviated
    titles, status, subtype and mangaType, volumeCount and its page's
    links put in;
  - a search: the recorded search's document (search.one-piece.json),
    its "data" the records found.

Answers of the service that nothing recorded shows (tests/data/SOURCES.md,
"still lacking"), sent in the shape of the JSON:API specification Kitsu
follows (an "errors" list of {"title", "detail", "code", "status"}):
  - an id no record has: 404 with such a document;
  - a 429: such a document, with a Retry-After (200 s for the search
    "ratelimit", 1 s for a slow series);
  - the search "error body": a 400's such document sent with a 200.
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
from http_fake import ServiceFake, recording, serve  # noqa: E402

SERIES = {}
SOURCE = "kitsu"
RECORD = recording(SOURCE, "manga.35071.json")["response"]["data"]
SEARCH = recording(SOURCE, "search.one-piece.json")["response"]
EDGE = "https://kitsu.io/api/edge/manga/"


def errors(status, title, detail):
    return {"errors": [{"title": title, "detail": detail,
                        "code": str(status), "status": str(status)}]}


def manga(title, s):
    r = copy.deepcopy(RECORD)
    old = r["id"]
    slug = "-".join(title.lower().split())
    r["id"] = str(s["id"])
    r["links"]["self"] = EDGE + r["id"]
    for rel in r["relationships"].values():
        for k, v in rel["links"].items():
            rel["links"][k] = v.replace("/manga/%s/" % old,
                                        "/manga/%s/" % r["id"])
    subtype = s.get("subtype", "manga")
    r["attributes"].update(
        slug=slug, canonicalTitle=title,
        titles={"en": "", "en_jp": title, "ja_jp": None},
        abbreviatedTitles=s.get("abbreviated", []),
        status=s.get("status", "current"), subtype=subtype,
        mangaType=subtype, volumeCount=s.get("volumes"))
    return r


class Kitsu(ServiceFake):
    # its own state and lock (ServiceFake's), and the series slowed once
    state = {"requests": [], "down": 0}
    lock = threading.Lock()
    slowed = set()
    routes = ServiceFake.routes + [(r"/manga/(\d+)", "one"),
                                   (r"/manga", "search")]

    def api(self, status, body):
        self.reply(status, json.dumps(body),
                   content_type="application/vnd.api+json")

    def too_many(self, after):
        self.reply(429, json.dumps(errors(
            429, "Too Many Requests", "Rate limit exceeded")),
            {"Retry-After": str(after)}, "application/vnd.api+json")

    def slowed_first(self, found):
        """Whether the first of found is slow and asked for the first
        time: then answered a 429."""
        if not found or not found[0][1].get("slow"):
            return False
        with self.lock:
            first = found[0][0] not in self.slowed
            self.slowed.add(found[0][0])
        if first:
            self.too_many(1)
        return first

    def one(self, m):
        if self.record({"time": time.time()}):
            return self.reply(self.state["down"])
        found = [(t, s) for t, s in SERIES.items()
                 if str(s["id"]) == m.group(1)]
        if self.slowed_first(found):
            return
        if not found:
            return self.api(404, errors(
                404, "Record not found", "The record identified by %s"
                " could not be found." % m.group(1)))
        self.api(200, {"data": manga(*found[0])})

    def search(self, m):
        if self.record({"time": time.time()}):
            return self.reply(self.state["down"])
        text = (self.query.get("filter[text]") or [""])[0].lower()
        if self.reply_bad(text, errors(400, "Bad Request", "Invalid"
                                       " filter"),
                          lambda: self.too_many(200)):
            return
        found = [(t, s) for t, s in SERIES.items()
                 if any(text in n.lower()
                        for n in [t] + s.get("abbreviated", []))]
        if self.slowed_first(found):
            return
        doc = copy.deepcopy(SEARCH)
        doc["data"] = [manga(*f) for f in found]
        self.api(200, doc)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        with open(sys.argv[1]) as f:
            SERIES.update(json.load(f))
    serve(Kitsu)
