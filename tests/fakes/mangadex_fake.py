#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fake MangaDex API for tests, on the base fake server (http_fake.py),
answering in the shapes MangaDex answered (the recordings of
tests/data/mangadex/, tests/data/SOURCES.md) with the series a test
chooses put in.

    GET /manga?title=T&limit=N   the manga list of the search
    GET /manga/ID/aggregate?translatedLanguage[]=L
                                 the volumes translated into L
    GET /manga/ID                the manga's record
    GET /_requests               [{path, query, time}] of every API
                                 request so far, oldest first

    mangadex_fake.py [SERIES.json]

SERIES.json maps titles to {"id", "status", "lastVolume", "alt": [...],
"volumes": {LANG: COUNT}, "fails": [STATUS, DETAIL], "description",
"authors": [...], "genres": [...], "themes": [...], "cover": FILENAME}:
each is listed by a search whose title is a substring of it, in any case
(MangaDex's search is fuzzy), and its aggregate holds volumes 1 to COUNT
(43 at most) for LANG (or, with "fails", answers STATUS with an error
whose detail is DETAIL).

What is recorded and what is put in:
  - a manga, in a list or a record: the recorded record of Berserk
    (record.801513ba-a712-498c-8f57-cae55b38cc92.json), with the
    series' id, title (under the recorded "ja-ro"), altTitles ("ja"),
    status ("ongoing" unless chosen), lastVolume ("" unless chosen) and
    availableTranslatedLanguages (those of its volumes) put in, and,
    when the test chooses them, its description ("en"), its tags (each
    the recorded tag with a genre's or theme's name and group put in)
    and its relationships (an author and an artist per author, the
    recorded ones with the name put in, and the recorded cover_art with
    its fileName; expanded only by the includes[] asked, as the
    recorded search without includes[]=author shows); all else as
    recorded;
  - the list: the recorded answer of the search of "Chainsaw Man"
    (search.chainsaw-man.json), its data the manga found, total their
    number and limit the one asked;
  - the record: the recorded {"result", "response": "entity", "data"};
  - the aggregate: the recorded English aggregate of Berserk
    (aggregate-en.801513ba-a712-498c-8f57-cae55b38cc92.json) cut to its
    volumes 1 to COUNT and "none", each as recorded; with no volume, the
    recorded empty one (aggregate.c0ee660b-f9f2-45c3-8068-5123ff53f84a
    .json: "volumes": []);
  - the search "ratelimit": the 429 MangaDex gave live
    (ratelimited-live.json), its X-RateLimit-Retry-After put 200 s
    ahead, with no body (its body was not recorded).

Answers of the service that nothing recorded shows (tests/data/SOURCES.md,
"still lacking"), in the shape of the documentation (api.mangadex.org/docs,
ErrorResponse {"result": "error", "errors": [{"id", "status", "title",
"detail", "context"}]}):
  - a 404 "not_found_http_exception" for a manga id no series has;
  - a 400 "validation_exception" for a limit above 100 or a language
    code of another form;
  - a series' "fails" status and detail;
  - the search "error body": a 200 with the error body of a 500.
The searches "html", "huge" and "deep" are faults of the way there, not
answers of the service (http_fake.py reply_bad()).
"""

import copy
import json
import os
import re
import sys
import threading
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_fake import FakeHandler, recording, serve  # noqa: E402

SERIES = {}
LANG = re.compile(r"[a-z]{2}(-[a-z]{2})?")
SOURCE = "mangadex"
BERSERK = "801513ba-a712-498c-8f57-cae55b38cc92"
ENTITY = recording(SOURCE, "record.%s.json" % BERSERK)
LIST = recording(SOURCE, "search.chainsaw-man.json")
VOLUMES = recording(SOURCE, "aggregate-en.%s.json" % BERSERK)
NO_VOLUME = recording(
    SOURCE, "aggregate.c0ee660b-f9f2-45c3-8068-5123ff53f84a.json")
TOO_MANY = recording(SOURCE, "ratelimited-live.json")


def error(status, title, detail):
    return {"result": "error", "errors": [{
        "id": str(uuid.uuid4()), "status": status, "title": title,
        "detail": detail, "context": None}]}


def relation(kind, name):
    """The recorded relationship of type kind (an author, an artist, a
    cover_art) naming name."""
    r = copy.deepcopy(next(r for r in ENTITY["data"]["relationships"]
                           if r["type"] == kind))
    r["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, name))
    r["attributes"]["fileName" if kind == "cover_art" else "name"] = name
    return r


def tag(name, group):
    t = copy.deepcopy(ENTITY["data"]["attributes"]["tags"][0])
    t["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, name))
    t["attributes"].update(name={"en": name}, group=group)
    return t


def manga(title, s, includes=()):
    m = copy.deepcopy(ENTITY["data"])
    a = m["attributes"]
    a.update(title={"ja-ro": title},
             altTitles=[{"ja": t} for t in s.get("alt", [])],
             status=s.get("status", "ongoing"),
             lastVolume=s.get("lastVolume", ""),
             availableTranslatedLanguages=sorted(s.get("volumes", {})))
    m["id"] = s["id"]
    if "description" in s:
        a["description"] = {"en": s["description"]}
    if "genres" in s or "themes" in s:
        a["tags"] = [tag(g, group) for group in ("genre", "theme")
                     for g in s.get(group + "s", [])]
    if "authors" in s or "cover" in s:
        m["relationships"] = [
            relation(kind, name) for kind in ("author", "artist")
            for name in s.get("authors", [])] + [
            relation("cover_art", c) for c in [s.get("cover")] if c] + [
            r for r in m["relationships"] if r["type"] == "manga"]
    for r in m["relationships"]:
        if r["type"] not in includes:
            r.pop("attributes", None)
    return m


def aggregate(count):
    if not count:
        return NO_VOLUME
    return dict(VOLUMES, volumes={
        k: v for k, v in VOLUMES["volumes"].items()
        if k == "none" or int(k) <= count})


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
        headers = dict(TOO_MANY["headers"])
        for name in TOO_MANY["times"]:
            headers[name] = str(int(time.time()) + 200)
        self.reply(TOO_MANY["status"], b"", headers)

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
        self.reply(200, dict(LIST, data=found[:int(limit)],
                             limit=int(limit), total=len(found)))

    def entity(self, m):
        self.record()
        found = [(t, s) for t, s in SERIES.items() if s["id"] == m.group(1)]
        if not found:
            return self.reply(404, error(
                404, "not_found_http_exception",
                "Manga with id %s could not be found" % m.group(1)))
        self.reply(200, dict(ENTITY, data=manga(*found[0], self.query.get(
            "includes[]", []))))

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
