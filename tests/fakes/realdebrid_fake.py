#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fake Real-Debrid (REST API 1.0, torrents) for tests, on http_fake.

    realdebrid_fake.py [STATE.json]

The API is served under /rest/1.0, as the real one: a client's base URL
is http://127.0.0.1:PORT/rest/1.0. STATE.json, if given, holds
{"torrents": [TORRENT ...], "magnets": {HASH: MAGNET ...}}; otherwise the
built-in set below serves. A TORRENT is what /torrents/info answers
(id, filename, original_filename, hash, bytes, status, added, links,
files [{id, path, bytes, selected}] ...); missing members get defaults.
A MAGNET tells what adding that info hash gives: {"filename", "files":
[{path, bytes}], "fails_with": STATUS, "stalls": true}; fails_with
"magnet_error" stops the torrent at conversion, any other status (error,
virus, dead) replaces "downloaded" at the end; stalls keeps it
"downloading" for good. A hash of a torrent already held gives that
torrent's name and files; without files, a torrent has one,
/FILENAME.mkv.

Every /rest/1.0 request needs "Authorization: Bearer rdTOKEN-test";
otherwise 401 {"error": "bad_token", "error_code": 8}. Errors are
Real-Debrid's {"error", "error_code"}.

Where the facts come from:
  - the API's own page, https://api.real-debrid.com (as copied in
    peers' notes, e.g. Deflix-tv/go-debrid docs/api/RealDebrid.md): the
    routes, offset/page/limit ("page is prioritized" over offset, limit
    "within 0 and 5000, default: 100"), X-Total-Count, the statuses
    (magnet_error, magnet_conversion, waiting_files_selection, queued,
    downloading, downloaded, error, virus, compressing, uploading,
    dead), 201 {id, uri} on addMagnet, 204/202 on selectFiles, 204 on
    delete, the error codes and 250 requests a minute;
  - captures of the live API (/work/shared/realworld/answers/realdebrid,
    from debridmediamanager/debrid-media-manager's fixtures): a list
    entry has no "links" and no "original_filename", carries "ended"
    once finished (also in "error") and "speed", "seeders" while
    downloading; unknown ids answer "unknown_ressource" (sic), code 7;
  - LivingWithHippos/unchained-android issue 329: a live
    GET /torrents?page=1&limit=50 answering 200 with x-total-count;
    pages count from 1 (debrid-media-manager's getUserTorrentsList);
  - a page past the end answers 204 with no body, as the client
    expects (rd_client.h), and as paging peers stop on it;
  - the limit past 250 requests a minute: "all refused requests will
    return HTTP 429 error and will count in the limit" (the API's page),
    429 {"error": "too_many_requests", "error_code": 34} as documented
    (no live 429 body was found recorded).

    GET    /torrents?offset=&page=&limit=&filter=active
                        newest first; limit 1..5000 (default 100), page
                        counts from 1 and wins over offset; X-Total-Count
                        is the number of torrents (of the filter); 204
                        without a body when the page is empty
    GET    /torrents/info/ID
                        the torrent with its files; each call moves a torrent
                        on one step: magnet_conversion ->
                        waiting_files_selection, queued -> downloading ->
                        downloaded
    POST   /torrents/addMagnet      form magnet=: 201 {id, uri}, status
                                    magnet_conversion
    POST   /torrents/selectFiles/ID form files=1,2,3 or all: 204, the
                        torrent queued; 202 when its files were already
                        selected
    DELETE /torrents/delete/ID      204
    GET    /user                    the account: {id, username, type ...}
    unknown ids: 404 {"error": "unknown_ressource", "error_code": 7}

STATE.json may also hold "settings" (as POST /_settings takes them) and
"generate": N, N more torrents made up in the shape above (Gen.00001 ...,
one file each, added a minute apart, newer than the built-in ones).

Test controls (no token needed):

    POST /_inject   {"path_regex": RE, "query_regex": RE, "method": M,
                     "status": N, "body": JSON or raw string,
                     "body_bytes": N, "headers": {...}, "times": N,
                     "delay_ms": MS, "hold": GATE}
                    the next `times` (default 1, -1: forever) API requests
                    whose path (re.search, without /rest/1.0), query (if
                    given, re.search over the raw query) and method (if
                    given) match answer that instead, after delay_ms;
                    without a status, they are only delayed. body_bytes
                    sends that many bytes of filler instead of body.
                    With "hold", each is held after its delay until
                    POST /_release {"gate": GATE} (http_fake.py).
                    "remove": [ID ...] takes those torrents off the
                    account when the request comes, before it is
                    answered (a torrent deleted between two pages).
    POST /_settings {"page_max": N, "total": T, "rate_per_minute": R}
                    a list page answers at most N torrents (default
                    5000, as a server paging smaller than asked);
                    X-Total-Count is T when T is a number (a count that
                    lies), none when T is "absent", the true one when
                    null; past R API requests in the last 60 seconds
                    (refused ones count), 429 too_many_requests (0: no
                    limit, the default)
    GET  /_requests every API request: [{method, path, query, args, form,
                     auth ("ok", "wrong" or "missing": never the value),
                     injected, status, time}]; a 429 of the rate limit
                     has "limited": true
    GET  /_torrents every torrent held, as info shows it (moving none)
    POST /_torrents a TORRENT to add, or to replace the one of its id
    POST /_magnets  {HASH: MAGNET ...} to add to the magnets known
    POST /_reset    back to the starting torrents, magnets and
                    settings; no injections, no log
"""

import copy
import hashlib
import json
import random
import re
import string
import sys
import threading
import time
import urllib.parse

import http_fake

TOKEN = "rdTOKEN-test"
PREFIX = "/rest/1.0"
LIST_MAX = 5000
NEXT_STEP = {
    "magnet_conversion": "waiting_files_selection",
    "queued": "downloading",
}
SELECTED_STATES = ("queued", "downloading", "downloaded")
ACTIVE_STATES = ("magnet_conversion", "waiting_files_selection", "queued",
                 "downloading", "compressing", "uploading")


def make_hash(name):
    return hashlib.sha1(name.encode()).hexdigest()


def make_id(name):
    """A torrent id as Real-Debrid's look: 13 uppercase letters, digits."""
    digest = hashlib.sha1(("id:" + name).encode()).hexdigest()
    return "".join("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[int(c, 16) * 2]
                   for c in digest[:13])


def torrent(name, files, status="downloaded", added="2024-01-15T10:30:00"):
    """A built-in torrent, its files as (path, bytes, selected)."""
    return {
        "id": make_id(name),
        "filename": name,
        "original_filename": name,
        "hash": make_hash(name),
        "bytes": sum(b for _, b, s in files if s),
        "status": status,
        "added": added + ".000Z",
        "files": [{"id": i + 1, "path": p, "bytes": b, "selected": s}
                  for i, (p, b, s) in enumerate(files)],
    }


BUILTIN = {
    "torrents": [
        torrent("Show.S01.1080p.WEB", [
            ("/Show.S01.1080p.WEB/Show.S01E01.mkv", 1500000000, 1),
            ("/Show.S01.1080p.WEB/Show.S01E02.mkv", 1400000000, 1),
            ("/Show.S01.1080p.WEB/sample.mkv", 20000000, 0),
            ("/Show.S01.1080p.WEB/Show.nfo", 2000, 0),
        ], added="2024-01-15T10:30:00"),
        torrent("Movie.2019.2160p.UHD", [
            ("/Movie.2019.2160p.UHD.mkv", 40000000000, 1),
        ], added="2024-02-01T08:00:00"),
        torrent("Other.Show.S02.720p", [
            ("/Other.Show.S02.720p/E01.mkv", 700000000, 1),
            ("/Other.Show.S02.720p/E02.mkv", 710000000, 1),
            ("/Other.Show.S02.720p/E03.mkv", 720000000, 1),
        ], added="2024-03-10T20:15:00"),
        torrent("Broken.Magnet", [], status="magnet_error",
                added="2024-03-11T00:00:00"),
        torrent("Dead.Movie.1999", [("/Dead.Movie.1999.avi", 700000000, 1)],
                status="dead", added="2023-12-24T18:00:00"),
    ],
    "magnets": {},
}

SETTINGS = {"page_max": LIST_MAX, "total": None, "rate_per_minute": 0}

lock = threading.Lock()
start = BUILTIN
torrents = {}
magnets = {}
injections = []
requests = []
settings = dict(SETTINGS)


def normalize(t):
    """A torrent with every member info answers, defaults filled in."""
    t = copy.deepcopy(t)
    t.setdefault("filename", t.get("original_filename", t["id"]))
    t.setdefault("original_filename", t["filename"])
    t.setdefault("hash", make_hash(t["filename"]))
    t.setdefault("files", [])
    t.setdefault("bytes", sum(f["bytes"] for f in t["files"]
                              if f.get("selected")))
    t.setdefault("original_bytes", sum(f["bytes"] for f in t["files"]))
    t.setdefault("status", "downloaded")
    t.setdefault("added", "2024-01-01T00:00:00.000Z")
    t.setdefault("host", "real-debrid.com")
    t.setdefault("split", 2000)
    t.setdefault("progress", 100 if t["status"] == "downloaded" else 0)
    t.setdefault("speed", 0)
    t.setdefault("seeders", 0)
    t.setdefault("links", [])
    if t["status"] == "downloaded" and not t["links"]:
        t["links"] = ["https://real-debrid.com/d/%s%d" % (t["id"][:8], i)
                      for i, f in enumerate(t["files"]) if f["selected"]]
    return t


def generated(n):
    """n made-up torrents, one file each, a minute apart, the newest
    added 2025-12-31 (newer than the built-in ones)."""
    newest = 1767139200
    made = []
    for i in range(1, n + 1):
        name = "Gen.%05d" % i
        added = time.strftime("%Y-%m-%dT%H:%M:%S",
                              time.gmtime(newest - 60 * i))
        made.append(torrent(name, [("/%s.mkv" % name, 1000 + i, 1)],
                            added=added))
    return made


def reset():
    torrents.clear()
    for t in start["torrents"] + generated(start.get("generate", 0)):
        t = normalize(t)
        torrents[t["id"]] = t
    magnets.clear()
    magnets.update(start["magnets"])
    injections.clear()
    requests.clear()
    settings.clear()
    settings.update(SETTINGS)
    settings.update(start.get("settings", {}))


def rate_limited(now):
    """Whether the API request at now goes past the rate limit: those
    of the last 60 seconds, refused ones included, number more than R."""
    limit = settings["rate_per_minute"]
    if not limit:
        return False
    recent = [r for r in requests if r["time"] > now - 60]
    return len(recent) > limit


def public(t):
    """A torrent without the fake's own notes (members starting with _)."""
    return {k: copy.deepcopy(v) for k, v in t.items()
            if not k.startswith("_")}


FINISHED = ("downloaded", "error", "dead", "virus", "magnet_error")


def by_status(t, entry):
    """The members that come and go with the status, as the API page
    says and the captures show: "ended" once finished (in error too),
    "speed" while it moves data, "seeders" while it downloads or
    converts its magnet."""
    for k in ("ended", "speed", "seeders"):
        entry.pop(k, None)
    if t["status"] in FINISHED:
        entry["ended"] = t["added"]
    if t["status"] in ("downloading", "compressing", "uploading"):
        entry["speed"] = t["speed"]
    if t["status"] in ("downloading", "magnet_conversion"):
        entry["seeders"] = t["seeders"]
    return entry


def list_entry(t):
    """A torrent as /torrents lists it, as the live captures show: no
    files, no original name, no links."""
    keys = ("id", "filename", "hash", "bytes", "host", "split", "progress",
            "status", "added")
    return by_status(t, {k: t[k] for k in keys})


def new_id():
    alphabet = string.ascii_uppercase + string.digits
    while True:
        tid = "".join(random.choice(alphabet) for _ in range(13))
        if tid not in torrents:
            return tid


def error(code, name, status):
    return status, {"error": name, "error_code": code}


class RealDebrid(http_fake.FakeHandler):
    routes = [
        (r"/_inject", "inject"),
        (r"/_requests", "get_requests"),
        (r"/_torrents", "control_torrents"),
        (r"/_magnets", "control_magnets"),
        (r"/_reset", "control_reset"),
        (r"/_settings", "control_settings"),
        (r"/_release", "release"),
        (re.escape(PREFIX) + r"(/.*)", "api"),
    ]

    api_routes = [
        ("GET", r"/torrents", "list"),
        ("GET", r"/torrents/info/([^/]+)", "info"),
        ("POST", r"/torrents/addMagnet", "add_magnet"),
        ("POST", r"/torrents/selectFiles/([^/]+)", "select_files"),
        ("DELETE", r"/torrents/delete/([^/]+)", "delete"),
        ("GET", r"/user", "user"),
    ]

    def read_json(self):
        try:
            return json.loads(self.read_body() or b"null")
        except ValueError:
            self.reply(400, {"error": "invalid JSON"})
            return None

    def inject(self, m):
        spec = self.read_json()
        if not isinstance(spec, dict) or "path_regex" not in spec:
            return self.reply(400, {"error": "path_regex is required"})
        spec.setdefault("times", 1)
        with lock:
            injections.append(spec)
        self.reply(200, {"ok": True})

    def get_requests(self, m):
        with lock:
            self.reply(200, list(requests))

    def control_torrents(self, m):
        if self.command == "GET":
            with lock:
                return self.reply(200, [public(t) for t in
                                        torrents.values()])
        t = self.read_json()
        if not isinstance(t, dict) or "id" not in t:
            return self.reply(400, {"error": "a torrent with an id"})
        with lock:
            torrents[t["id"]] = normalize(t)
            self.reply(200, public(torrents[t["id"]]))

    def control_magnets(self, m):
        known = self.read_json()
        if not isinstance(known, dict):
            return self.reply(400, {"error": "{HASH: MAGNET ...}"})
        with lock:
            magnets.update({k.lower(): v for k, v in known.items()})
        self.reply(200, {"ok": True})

    def control_settings(self, m):
        given = self.read_json()
        if not isinstance(given, dict) or set(given) - set(SETTINGS):
            return self.reply(400, {"error": "settings: " +
                                    ", ".join(sorted(SETTINGS))})
        with lock:
            settings.update(given)
            self.reply(200, dict(settings))

    def control_reset(self, m):
        with lock:
            reset()
        self.reply(200, {"ok": True})

    def auth(self):
        value = self.headers.get("Authorization")
        if value is None:
            return "missing"
        return "ok" if value == "Bearer " + TOKEN else "wrong"

    def take_injection(self, path):
        with lock:
            for spec in injections:
                if spec.get("method", self.command) != self.command:
                    continue
                if not re.search(spec["path_regex"], path):
                    continue
                if not re.search(spec.get("query_regex", ""),
                                 urllib.parse.urlsplit(self.path).query):
                    continue
                if spec["times"] > 0:
                    spec["times"] -= 1
                    if not spec["times"]:
                        injections.remove(spec)
                return spec
        return None

    def api(self, m):
        path = m.group(1)
        body = self.read_body()
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        record = {
            "method": self.command,
            "path": path,
            "query": urllib.parse.urlsplit(self.path).query,
            "args": self.query,
            "form": form,
            "auth": self.auth(),
            "injected": False,
            "time": time.time(),
        }
        with lock:
            requests.append(record)
            limited = rate_limited(record["time"])
        if limited:
            record["limited"] = True
            record["status"] = 429
            return self.reply(429, {"error": "too_many_requests",
                                    "error_code": 34})
        spec = self.take_injection(path)
        if spec:
            with lock:
                for tid in spec.get("remove", []):
                    torrents.pop(tid, None)
            time.sleep(spec.get("delay_ms", 0) / 1000)
            if "hold" in spec:
                http_fake.hold_at(spec["hold"])
        if spec and "status" in spec:
            record["injected"] = True
            record["status"] = spec["status"]
            body = spec.get("body", b"")
            if "body_bytes" in spec:
                body = b"x" * spec["body_bytes"]
            return self.reply(spec["status"], body, spec.get("headers"),
                              content_type="application/json")
        status, answer, headers = self.answer(path, form, record["auth"])
        record["status"] = status
        if status == 204:
            return self.reply(204, b"", headers)
        self.reply(status, answer, headers)

    def answer(self, path, form, auth):
        """The status, JSON answer and headers of an API request."""
        if auth != "ok":
            return error(8, "bad_token", 401) + ({},)
        for method, pattern, name in self.api_routes:
            match = re.fullmatch(pattern, path)
            if not match:
                continue
            if method != self.command:
                return error(4, "method_not_allowed", 405) + ({},)
            with lock:
                return getattr(self, name)(form, *match.groups())
        return error(3, "unknown_method", 404) + ({},)

    def arg(self, name):
        try:
            return int(self.query[name][0])
        except (KeyError, ValueError):
            return None

    def list(self, form):
        limit = self.arg("limit") or 100
        if limit < 1 or limit > LIST_MAX:
            return error(2, "parameter_bad_value", 400) + ({},)
        page, offset = self.arg("page"), self.arg("offset") or 0
        if page:
            offset = (page - 1) * limit
        if offset < 0:
            return error(2, "parameter_bad_value", 400) + ({},)
        chosen = sorted(torrents.values(), key=lambda t: t["added"],
                        reverse=True)
        if self.query.get("filter", [""])[0] == "active":
            chosen = [t for t in chosen if t["status"] in ACTIVE_STATES]
        headers = {"X-Total-Count": str(len(chosen))}
        if settings["total"] == "absent":
            headers = {}
        elif settings["total"] is not None:
            headers["X-Total-Count"] = str(settings["total"])
        page_of = chosen[offset:offset + min(limit, settings["page_max"])]
        if not page_of:
            return 204, None, headers
        return 200, [list_entry(t) for t in page_of], headers

    def info(self, form, tid):
        t = torrents.get(tid)
        if not t:
            return error(7, "unknown_ressource", 404) + ({},)
        answer = by_status(t, public(t))
        self.step(t)
        return 200, answer, {}

    def step(self, t):
        """Move a torrent on, as Real-Debrid's work would between calls."""
        fails_with = t.get("_fails_with")
        status = NEXT_STEP.get(t["status"])
        if t["status"] == "magnet_conversion" and \
           fails_with == "magnet_error":
            status = "magnet_error"
        elif t["status"] == "downloading":
            if t.get("_stalls"):
                return
            status = fails_with or "downloaded"
        if not status:
            return
        t["status"] = status
        if status == "downloaded":
            t.update(normalize(dict(t, progress=100, links=[])))

    def add_magnet(self, form):
        magnet = form.get("magnet", [""])[0]
        if not magnet:
            return error(1, "parameter_missing", 400) + ({},)
        found = re.search(r"xt=urn:btih:([0-9a-fA-F]{40})(&|$)", magnet)
        if not magnet.startswith("magnet:?") or not found:
            return error(2, "parameter_bad_value", 400) + ({},)
        ihash = found.group(1).lower()
        known = magnets.get(ihash)
        if not known:
            known = next((t for t in torrents.values()
                          if t["hash"] == ihash), None)
        known = known or {}
        name = known.get("filename", ihash)
        files = known.get("files") or [{"path": "/%s.mkv" % name,
                                        "bytes": 1000000}]
        tid = new_id()
        t = normalize({
            "id": tid,
            "filename": name,
            "hash": ihash,
            "status": "magnet_conversion",
            "added": time.strftime("%Y-%m-%dT%H:%M:%S.000Z",
                                   time.gmtime()),
            "files": [{"id": i + 1, "path": f["path"], "bytes": f["bytes"],
                       "selected": 0}
                      for i, f in enumerate(files)],
        })
        t["bytes"] = 0
        t["progress"] = 0
        if known.get("fails_with"):
            t["_fails_with"] = known["fails_with"]
        t["_stalls"] = bool(known.get("stalls"))
        torrents[tid] = t
        return 201, {"id": tid, "uri": "https://api.real-debrid.com"
                     + PREFIX + "/torrents/info/" + tid}, {}

    def select_files(self, form, tid):
        t = torrents.get(tid)
        if not t:
            return error(7, "unknown_ressource", 404) + ({},)
        files = form.get("files", [""])[0]
        if not files:
            return error(1, "parameter_missing", 400) + ({},)
        if t["status"] in SELECTED_STATES:
            return 202, None, {}
        if t["status"] != "waiting_files_selection":
            return error(2, "parameter_bad_value", 400) + ({},)
        ids = {f["id"] for f in t["files"]}
        try:
            chosen = ids if files == "all" else \
                {int(x) for x in files.split(",")}
        except ValueError:
            return error(2, "parameter_bad_value", 400) + ({},)
        if not chosen or not chosen <= ids:
            return error(2, "parameter_bad_value", 400) + ({},)
        for f in t["files"]:
            f["selected"] = 1 if f["id"] in chosen else 0
        t["bytes"] = sum(f["bytes"] for f in t["files"] if f["selected"])
        t["status"] = "queued"
        return 204, None, {}

    def delete(self, form, tid):
        if tid not in torrents:
            return error(7, "unknown_ressource", 404) + ({},)
        del torrents[tid]
        return 204, None, {}

    def user(self, form):
        """GET /user (the API's page, "Returns some informations on the
        current user"): id, username, email, points, locale, avatar,
        type ("premium" or "free"), premium seconds left, expiration."""
        return 200, {"id": 1, "username": "tester",
                     "email": "tester@example.com", "points": 0,
                     "locale": "en", "avatar": "", "type": "premium",
                     "premium": 86400,
                     "expiration": "2027-01-01T00:00:00.000Z"}, {}


if __name__ == "__main__":
    if len(sys.argv) > 1:
        with open(sys.argv[1]) as f:
            start = json.load(f)
        start.setdefault("torrents", [])
        start.setdefault("magnets", {})
        unknown = set(start.get("settings", {})) - set(SETTINGS)
        if unknown:
            sys.exit("realdebrid_fake: unknown settings: %s" %
                     ", ".join(sorted(unknown)))
        start["magnets"] = {k.lower(): v
                            for k, v in start["magnets"].items()}
    reset()
    http_fake.serve(RealDebrid)
