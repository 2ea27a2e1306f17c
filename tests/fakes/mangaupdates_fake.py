#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fake MangaUpdates API v1 for tests, on the base fake server
(http_fake.py).

    POST /v1/series/search       {"search", "perpage"}: the results
    GET  /v1/series/ID           the series record
    GET  /_requests              [{method, path, body, time}] of every
                                 API request so far, oldest first

    mangaupdates_fake.py [SERIES.json]

SERIES.json maps titles to {"id", "type", "volumes", "completed",
"status", "alt": [...]}: each is a result of a search whose text is a
substring of its title or of one of alt, in any case; its record's
status is "VOLUMES Volumes (Ongoing)" (or "(Complete)"), or the given
"status" as it is. Some searches answer badly:

    html        200, an HTML page (Cloudflare's challenge, or a url
                that is not the API's)
    error body  200, {"status": "exception", "reason": ...}
    huge        200, 3 MiB of JSON
    deep        200, JSON nested 100000 deep
    ratelimit   429 with Retry-After: 200

Where the shapes come from:
  - the search body {"search": TITLE, "perpage": N} and its answer
    {"total_hits", "page", "per_page", "results": [{"record":
    {"series_id", "title", "url", "description", "image", "type",
    "year", "bayesian_rating", "rating_votes", "genres",
    "last_updated"}, "hit_title", "metadata": {...}}]}: the API's
    documentation (api.mangaupdates.com, Series > Search Series,
    SeriesSearchResponseV1), komf's MangaUpdates client
    (SearchResultPage, SearchResult), public clients that POST
    {search} and read .results[].record / .hit_title
    (yatagarasu's mangaupdates.ts, comictagger's MangaUpdates source);
  - the record GET /v1/series/ID {"series_id", "title", "associated":
    [{"title"}], "type" ("Manga", "Manhwa", "Manhua", "Novel", ...),
    "year", "status" (free text: "14 Volumes (Ongoing)", "1 Volume
    (Complete)", often with more lines for side stories), "licensed",
    "completed", "latest_chapter", ...}: the documentation's
    SeriesModelV1 and komf's Series model, which reads the volume count
    from the start of status;
  - errors {"status": "exception", "reason", "context"}: the
    documentation's ApiResponseV1; a 404 of that shape for an unknown
    series_id;
  - MangaUpdates documents no rate limit; the 429 here carries
    Retry-After as a generic HTTP service would, to exercise the
    backoff.
"""

import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_fake import FakeHandler, serve  # noqa: E402

SERIES = {}

def exception(reason, context=None):
    return {"status": "exception", "reason": reason,
            "context": context or {}}


def record(title, s):
    return {
        "series_id": s["id"], "title": title,
        "url": "https://www.mangaupdates.com/series/%s" % s["id"],
        "description": "A series.",
        "image": {"url": {"original": None, "thumb": None},
                  "height": 0, "width": 0},
        "type": s.get("type", "Manga"), "year": "2015",
        "bayesian_rating": 7.5, "rating_votes": 100,
        "genres": [{"genre": "Action"}],
        "last_updated": {"timestamp": 1700000000,
                         "as_rfc3339": "2023-11-14T22:13:20+00:00",
                         "as_string": "November 14th, 2023 10:13pm UTC"},
    }


def status_text(s):
    if "status" in s:
        return s["status"]
    n = s.get("volumes", 0)
    return "%d Volume%s (%s)" % (n, "" if n == 1 else "s",
                                 "Complete" if s.get("completed")
                                 else "Ongoing")


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
        if self.command != "POST":
            return self.reply(405, exception("Method not allowed"))
        if not isinstance(q, dict) or not isinstance(q.get("search"), str):
            return self.reply(400, exception(
                "Validation error", {"errors": ["search is required"]}))
        text = q["search"].lower()
        if self.reply_bad(text, exception("An unexpected error occurred"),
                          self.too_many):
            return
        per = q.get("perpage", 25)
        found = [{"record": record(t, s), "hit_title": hit,
                  "metadata": {"user_list": {}, "user_genre_highlights": []}}
                 for t, s in SERIES.items()
                 for hit in [next((a for a in [t] + s.get("alt", [])
                                   if text in a.lower()), None)]
                 if hit]
        self.reply(200, {"total_hits": len(found), "page": 1,
                         "per_page": per, "results": found[:per]})

    def series(self, m):
        self.record()
        found = [(t, s) for t, s in SERIES.items()
                 if str(s["id"]) == m.group(1)]
        if not found:
            return self.reply(404, exception(
                "The requested series does not exist",
                {"series_id": int(m.group(1))}))
        title, s = found[0]
        r = record(title, s)
        r.update({"associated": [{"title": a} for a in s.get("alt", [])],
                  "status": status_text(s), "licensed": True,
                  "completed": bool(s.get("completed")),
                  "latest_chapter": 120})
        self.reply(200, r)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        with open(sys.argv[1]) as f:
            SERIES.update(json.load(f))
    serve(MangaUpdates)
