#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fake MangaUpdates API v1 for tests, on the base fake server
(http_fake.py), answering in the shapes MangaUpdates answered (the
recordings of tests/data/mangaupdates/, tests/data/SOURCES.md) with the
series a test chooses put in.

    POST /v1/series/search       {"search", "perpage"}: the results
    GET  /v1/series/ID           the series record
    GET  /_requests              [{method, path, body, time}] of every
                                 API request so far, oldest first

    mangaupdates_fake.py [SERIES.json]

SERIES.json maps titles to {"id", "type", "volumes", "completed",
"status", "alt": [...]}: each is a result of a search whose text is a
substring of its title or of one of alt, in any case; its record's
status is "VOLUMES Volumes (Ongoing)" (or "(Complete)"), or the given
"status" as it is.

What is recorded and what is put in:
  - a search that finds some: the recorded answer of "Look Back"
    (search.look-back.json), its results those found, each its result
    of "Look Back (FUJIMOTO Tatsuki)" with the series' id, title, type
    and the title it was found by (hit_title) put in, its year as
    recorded; total_hits their number;
  - a search that finds none: the recorded answer of a title no series
    bears (search.zzqx-nonexistent-synthetic-title.json), whole: ten
    results of other titles, as MangaUpdates answered;
  - a record: the recorded record of a series of the same type
    (series.25370933222.json, a Manga, for any type but Manhwa;
    series.15180124327.json for a Manhwa), with the series' id, title,
    type, status and alternative titles (associated) put in; its year,
    latest_chapter, authors, categories, related_series and publishers
    as recorded (the recordings were trimmed to these: no
    "completed", "description", "genres" or "image").

Answers of the service that nothing recorded shows (tests/data/SOURCES.md,
"still lacking"), in the shape of the documentation (api.mangaupdates.com,
ApiResponseV1):
  - a record no series has: 404 with {"status": "exception", "reason",
    "context"};
  - the search "error body": 200 with that error body;
  - the search "ratelimit": 429 with Retry-After: 200 (MangaUpdates
    documents no rate limit; a generic HTTP service's answer).
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
SOURCE = "mangaupdates"
FOUND = recording(SOURCE, "search.look-back.json")["response"]
RESULT = FOUND["results"][1]
NONE_FOUND = recording(
    SOURCE, "search.zzqx-nonexistent-synthetic-title.json")["response"]
RECORDS = {"Manga": recording(SOURCE, "series.25370933222.json"),
           "Manhwa": recording(SOURCE, "series.15180124327.json")}


def exception(reason, context=None):
    return {"status": "exception", "reason": reason,
            "context": context or {}}


def result(title, s, hit):
    r = copy.deepcopy(RESULT)
    r["record"].update(series_id=s["id"], title=title,
                       type=s.get("type", "Manga"))
    r["hit_title"] = hit
    return r


def status_text(s):
    if "status" in s:
        return s["status"]
    n = s.get("volumes", 0)
    return "%d Volume%s (%s)" % (n, "" if n == 1 else "s",
                                 "Complete" if s.get("completed")
                                 else "Ongoing")


def record(title, s):
    kind = s.get("type", "Manga")
    r = copy.deepcopy(RECORDS.get(kind, RECORDS["Manga"]))
    r.update(series_id=s["id"], title=title, type=kind,
             status=status_text(s),
             associated=[{"title": a} for a in s.get("alt", [])])
    return r


class MangaUpdates(FakeHandler):
    routes = FakeHandler.routes + [
        (r"/v1/series/search", "search"),
        (r"/v1/series/(\d+)", "series"),
        (r"/_requests", "requests"),
    ]

    lock = threading.Lock()
    log = []

    def record(self, body=None):
        with self.lock:
            self.log.append({"method": self.command,
                             "path": self.path.split("?")[0],
                             "body": body, "time": time.time()})

    def requests(self, m):
        with self.lock:
            self.reply(200, list(self.log))

    def too_many(self):
        self.reply(429, exception("Too many requests"), {"Retry-After": "200"})

    def search(self, m):
        try:
            q = json.loads(self.read_body() or b"{}")
        except ValueError:
            q = None
        self.record(q)
        text = q.get("search") if isinstance(q, dict) else None
        text = text.lower() if isinstance(text, str) else None
        if text is not None and self.reply_bad(
                text, exception("An unexpected error occurred"),
                self.too_many):
            return
        found = [result(t, s, hit) for t, s in SERIES.items()
                 for hit in [next((a for a in [t] + s.get("alt", [])
                                   if text and text in a.lower()), None)]
                 if hit]
        if not found:
            return self.reply(200, NONE_FOUND)
        answer = copy.deepcopy(FOUND)
        answer.update(total_hits=len(found),
                      results=found[:q.get("perpage", 25)])
        self.reply(200, answer)

    def series(self, m):
        self.record()
        found = [(t, s) for t, s in SERIES.items()
                 if str(s["id"]) == m.group(1)]
        if not found:
            return self.reply(404, exception(
                "The requested series does not exist",
                {"series_id": int(m.group(1))}))
        self.reply(200, record(*found[0]))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        with open(sys.argv[1]) as f:
            SERIES.update(json.load(f))
    serve(MangaUpdates)
