#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fake that answers only with what a real service answered, recorded
by other public projects and kept in tests/data/SOURCE/ (where each file
comes from: tests/data/SOURCES.md).

    recorded_fake.py tests/data/SOURCE [ANSWER.json [once]]

MangaUpdates (tests/data/mangaupdates):
        POST /v1/series/search {"search"}  the "response" of the
                 search.SLUG.json (or search.SLUG.FILTER.json) whose
                 "query" is the search text
        GET  /v1/series/ID                 series.ID.json
MangaDex (tests/data/mangadex):
        GET  /manga?title=TITLE            search.SLUG.json
        GET  /manga/ID/aggregate?translatedLanguage[]=L
                 aggregate-L.ID.json, else aggregate.ID.json (recorded
                 without a language)
        GET  /manga/ID                     record.ID.json
        POST /_remove {"id"}  the manga ID is taken off: its record and
                 aggregate then answer 404 with MangaDex's error body
                 for an entity it has not (the one answer not recorded:
                 its status and error "title" as MangaDex's
                 documentation gives them; no client reads more of it)
AniList (tests/data/anilist):
        POST /  {"query", "variables"}  to a search {"search": TEXT,
                 "page": P (1 when not asked)}, the "response" of the
                 search.*.json recorded for page P in the same "sort"
                 (none: AniList's own order), one of whose records
                 bears TEXT as a title or synonym (case and punctuation
                 aside): AniList's search is fuzzy, its search of
                 "fate" found "FAKE" and "인연"; to {"id": ID}, the
                 "response" of media.ID.json, AniList's answer to a
                 Media(id: ID) of that record
Prowlarr (tests/data/prowlarr):
        GET  /api/v1/search?query=Q    the "response" of the
                 search.*.json one of whose releases bears every word
                 of Q in its title (an indexer's search by words)
Any of them, when started with ANSWER.json: that recorded answer
        {"status", "headers", "body"} to every request (AniList's
        documented 429, the 403 of its API switched off, the 404 of a
        Media it has not; Prowlarr's 401, 400 and 500), or to the first
        one only with "once"; its headers named in "times" hold a Unix
        time, sent moved by as long as passed since "answered_at", so
        that they stay as far ahead of the answer as they were
        (MangaDex's live 429); a null body is sent empty (not recorded,
        or recorded empty)
And
        GET  /_requests   [{method, path, query, body, time}] of every
                  request

SLUG is the title lower-cased, each run of other characters than
letters and digits one "-". A request nothing was recorded for answers
599 {"error": "not recorded"}, a status no client takes for an answer,
so that a test never passes on an answer of this fake's own.
"""

import glob
import json
import os
import re
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_fake import FakeHandler, serve  # noqa: E402

FOLDER = "."
ANSWER = None
ONCE = False


def slug(title):
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def words(text):
    """text lower-cased, each run of other characters than letters and
    digits (of any script) one space."""
    return re.sub(r"[\W_]+", " ", text.lower()).strip()


def bears(media, text):
    """Whether an AniList record has text as one of its titles (as
    words())."""
    names = list((media.get("title") or {}).values()) + \
        list(media.get("synonyms") or [])
    return bool(words(text)) and any(
        isinstance(n, str) and words(n) == words(text) for n in names)


def al_search(text, page, sort):
    """The recorded AniList page P, asked in the same sort, holding a
    record titled text."""
    for path in sorted(glob.glob(os.path.join(FOLDER, "search.*.json"))):
        with open(path, encoding="utf-8") as f:
            found = json.load(f)
        if found["query"].get("page", 1) != page or \
                found["query"].get("sort") != sort:
            continue
        if any(bears(m, text) for m in
               found["response"]["data"]["Page"]["media"]):
            return found["response"]
    return None


def pw_found(query):
    """The recorded Prowlarr answer one of whose releases bears every
    word of query in its title."""
    want = words(query).split()
    for path in sorted(glob.glob(os.path.join(FOLDER, "search.*.json"))):
        with open(path, encoding="utf-8") as f:
            found = json.load(f)
        if want and isinstance(found["response"], list) and any(
                set(want) <= set(words(r.get("title") or "").split())
                for r in found["response"]):
            return found["response"]
    return None


def recorded(pattern):
    """The parsed JSON of the first file of FOLDER matching pattern, or
    None."""
    for path in sorted(glob.glob(os.path.join(FOLDER, pattern))):
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    return None


class Recorded(FakeHandler):
    routes = FakeHandler.routes + [
        (r"/v1/series/search", "mu_search"),
        (r"/v1/series/(\d+)", "mu_series"),
        (r"/manga", "md_search"),
        (r"/manga/([0-9a-f-]{36})/aggregate", "md_aggregate"),
        (r"/manga/([0-9a-f-]{36})", "md_record"),
        (r"/api/v1/search", "pw_search"),
        (r"/_remove", "remove"),
        (r"/_requests", "requests"),
        (r"/", "al_graphql"),
    ]

    lock = threading.Lock()
    log = []
    removed = set()

    def note(self, body=None):
        url = urllib.parse.urlsplit(self.path)
        with self.lock:
            self.log.append({"method": self.command, "path": url.path,
                             "query": self.query, "body": body,
                             "time": time.time()})

    def requests(self, m):
        with self.lock:
            self.reply(200, list(self.log))

    def answer(self, body):
        if body is None:
            return self.reply(599, {"error": "not recorded"})
        self.reply(200, body)

    def given(self):
        """Answer ANSWER when it is to be given to this request (noted
        already); True then."""
        with self.lock:
            if ANSWER is None or (ONCE and len(self.log) != 1):
                return False
        headers = dict(ANSWER["headers"])
        for name in ANSWER.get("times", []):
            headers[name] = str(int(headers[name]) + int(time.time()) -
                                ANSWER["answered_at"])
        body = ANSWER["body"]
        self.reply(ANSWER["status"], b"" if body is None else body,
                   headers)
        return True

    def mu_search(self, m):
        try:
            q = json.loads(self.read_body() or b"{}")
        except ValueError:
            q = {}
        self.note(q)
        if self.given():
            return
        text = q.get("search", "") if isinstance(q, dict) else ""
        for name in ("search.%s.json", "search.%s.*.json"):
            found = recorded(name % glob.escape(slug(text)))
            if found and found["query"].lower() == text.lower():
                return self.answer(found["response"])
        self.answer(None)

    def mu_series(self, m):
        self.note()
        if self.given():
            return
        self.answer(recorded("series.%s.json" % m.group(1)))

    def md_search(self, m):
        self.note()
        if self.given():
            return
        title = self.query.get("title", [""])[0]
        self.answer(recorded("search.%s.json" % glob.escape(slug(title))))

    def gone(self, id):
        """Answer 404 when the manga id was taken off; True then."""
        with self.lock:
            if id not in self.removed:
                return False
        self.reply(404, {"result": "error", "errors": [{
            "status": 404, "title": "not_found_http_exception"}]})
        return True

    def remove(self, m):
        with self.lock:
            self.removed.add(json.loads(self.read_body())["id"])
        self.reply(200, {"ok": True})

    def md_record(self, m):
        self.note()
        if not self.given() and not self.gone(m.group(1)):
            self.answer(recorded("record.%s.json" % m.group(1)))

    def md_aggregate(self, m):
        self.note()
        if self.given() or self.gone(m.group(1)):
            return
        for lang in self.query.get("translatedLanguage[]", []):
            found = recorded("aggregate-%s.%s.json" % (
                glob.escape(lang), m.group(1)))
            if found is not None:
                return self.answer(found)
        self.answer(recorded("aggregate.%s.json" % m.group(1)))

    def al_graphql(self, m):
        try:
            q = json.loads(self.read_body() or b"{}")
        except ValueError:
            q = None
        self.note(q)
        if self.command != "POST" or not isinstance(q, dict):
            return self.answer(None)
        if self.given():
            return
        v = q.get("variables") or {}
        if isinstance(v.get("id"), int):
            found = recorded("media.%d.json" % v["id"])
            return self.answer(found and found["response"])
        if not isinstance(v.get("search"), str):
            return self.answer(None)
        self.answer(al_search(v["search"], v.get("page", 1),
                              v.get("sort")))

    def pw_search(self, m):
        self.note()
        if not self.given():
            self.answer(pw_found(self.query.get("query", [""])[0]))


if __name__ == "__main__":
    FOLDER = sys.argv[1]
    if len(sys.argv) > 2:
        with open(os.path.join(FOLDER, sys.argv[2]),
                  encoding="utf-8") as f:
            ANSWER = json.load(f)
        ONCE = sys.argv[3:] == ["once"]
    serve(Recorded)
