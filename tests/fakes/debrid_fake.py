#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fakes of AllDebrid (API v4, magnets) and Premiumize (API, transfers)
for tests, on http_fake.

    debrid_fake.py alldebrid|premiumize [STATE.json]

STATE.json holds {"torrents": [{"name", "files": [[PATH, BYTES] ...],
"status": "downloaded"}]}: the account at the start. Adding the info hash
of a torrent the fake ever held gives a torrent of that name and files
(sha1 of the name is a torrent's hash, as make_hash() says). Each look
at a torrent (AllDebrid's /magnet/status, Premiumize's /transfer/list)
moves an unfinished one on one step: queued, downloading, done.

AllDebrid, served under /v4 (the client's url is http://HOST:PORT/v4):

    GET  /magnet/status[?id=ID]  {"status": "success", "data": {"magnets":
                                 [MAGNET ...]}}, or one MAGNET (an object)
                                 for id; MAGNET: id (a number), filename,
                                 size, hash, status, statusCode,
                                 uploadDate, links [{link, filename, size,
                                 files}] (empty until Ready)
    GET|POST /magnet/upload      magnets[]=MAGNET ...: data.magnets
                                 [{magnet, hash, name, size, ready, id}],
                                 or [{magnet, error: {code, message}}]
    GET  /magnet/delete?id=ID    data.message
    GET  /user                   data.user {username, email, isPremium,
                                 isTrial, premiumUntil ...}
  Every request needs agent= (else AUTH_MISSING_AGENT) and the key, as
  "Authorization: Bearer adKEY-test" or apikey= (else AUTH_MISSING_APIKEY
  or AUTH_BAD_APIKEY). Errors answer HTTP 200 {"status": "error",
  "error": {"code", "message"}}: MAGNET_INVALID_ID for an unknown id,
  MAGNET_INVALID_URI for a bad magnet.
  Where the facts come from:
    - docs.alldebrid.com (v4), as peers quote it: the routes and their
      parameters, agent and apikey on every request, the key also taken
      as a Bearer token (comet's client sends only that), statusCode 0 In
      Queue, 1 Downloading, 2 Compressing / Moving, 3 Uploading, 4 Ready,
      5 to 15 errors; the limits of 12 requests a second and 600 a
      minute, more answered with 429 or 503;
    - sirrobot01/debrid-blackhole (decypharr's forerunner),
      pkg/debrid/structs/alldebrid.go: the members of a magnet, of an
      upload answer, the {"code", "message"} error object;
    - codymillscodes/waffle utils/debrid_urls.py: /magnet/status,
      /magnet/delete with id=, /magnet/upload with magnets[]=;
    - an AllDebrid API note quoting the docs' /user?agent=&apikey= answer
      (status, data.user with username, email, isPremium, isTrial,
      isSubscribed, premiumUntil, ...);
    - peers' error tables (AUTH_BAD_APIKEY, AUTH_MISSING_APIKEY,
      AUTH_BLOCKED, AUTH_USER_BANNED, MAGNET_INVALID_ID,
      MAGNET_TOO_MANY_ACTIVE; TOO_MANY_REQUESTS handled as a rate limit
      by a Go client) and a note measuring that errors come with HTTP 200.

Premiumize, served under /api (the client's url is
http://HOST:PORT/api):

    GET|POST /transfer/list     {"status": "success", "transfers":
                                [{id, name, message, status, progress, src,
                                folder_id, file_id}]}
    POST /transfer/create       src=MAGNET: {"status": "success", id, name,
                                type: "torrent"}
    POST /transfer/delete       id=ID: {"status": "success"}
    GET  /account/info          {"status": "success", customer_id,
                                premium_until, limit_used, space_used}
  Every request needs apikey=pmKEY-test in the query or the form; else
  HTTP 200 {"status": "error", "message": "Not logged in."}. Other errors
  are {"status": "error", "message": TEXT}: "Transfer not found." for an
  unknown id, "Invalid magnet." for a bad src.
  Where the facts come from:
    - Premiumize's swagger (API 1.6.5, www.premiumize.me/api): GET and
      POST both taken, apikey (or access_token) on every request;
    - CooliMC/PremiumizeMeAPI README: the transfer list's members and
      statuses (waiting ...), the folder ids, /account/info's answer;
    - peers' TypeScript types: transfer/create answers id, name, type;
      transfer statuses waiting, queued, running, finished, seeding,
      error, timeout, deleted, banned; a Go test double answering
      transfer/delete with {"status": "success"};
    - the messages for a refused key and an unknown id are this fake's
      own, in the words peers test for ("not logged in", "not found"):
      the live texts were not seen.

Test controls (no key needed), for both:
    POST /_inject   {"path_regex", "status", "body", "headers", "times"}
                    as realdebrid_fake.py's: the next matching requests
                    (path without the /v4 or /api prefix) answer that
    GET  /_requests [{method, path, query, form, auth ("ok", "wrong",
                    "missing"), key_in_query, injected, status}]
    GET  /_torrents the account, as the fake holds it
"""

import hashlib
import json
import re
import sys
import threading
import time
import urllib.parse

import http_fake

AD_KEY = "adKEY-test"
PM_KEY = "pmKEY-test"
lock = threading.Lock()
injections = []
requests = []
torrents = {}        # id -> {"id", "name", "hash", "files", "step", ...}
known = {}           # hash -> {"name", "files"}: every torrent ever held
STEPS = ("queued", "downloading", "downloaded")
next_id = [1000]


def make_hash(name):
    return hashlib.sha1(name.encode()).hexdigest()


def add(name, files, step="downloaded", fails=False):
    h = make_hash(name)
    known.setdefault(h, {"name": name, "files": files})
    next_id[0] += 1
    t = {"id": next_id[0], "name": name, "hash": h, "files": files,
         "step": step, "fails": fails, "added": int(time.time())}
    torrents[next_id[0]] = t
    return t


def move(t):
    if t["step"] == "error" or t["step"] == "downloaded":
        return
    i = STEPS.index(t["step"]) + 1
    t["step"] = "error" if t["fails"] and STEPS[i] == "downloaded" \
        else STEPS[i]


class Base(http_fake.FakeHandler):
    prefix = ""

    def api(self, m):
        path = m.group(1)
        body = self.read_body().decode("utf-8", "replace")
        self.form = urllib.parse.parse_qs(body)
        auth, in_query = self.auth()
        record = {"method": self.command, "path": path,
                  "query": urllib.parse.urlsplit(self.path).query,
                  "form": self.form, "auth": auth,
                  "key_in_query": in_query, "injected": False}
        with lock:
            requests.append(record)
            spec = self.take(path)
        if spec:
            record["injected"] = True
            record["status"] = spec.get("status", 200)
            return self.reply(record["status"], spec.get("body", b""),
                              spec.get("headers"),
                              content_type="application/json")
        with lock:
            status, answer = self.answer(path, auth)
        record["status"] = status
        self.reply(status, answer)

    def take(self, path):
        for spec in injections:
            if re.search(spec["path_regex"], path):
                spec["times"] -= 1
                if not spec["times"]:
                    injections.remove(spec)
                return spec
        return None

    def param(self, name):
        v = self.query.get(name) or self.form.get(name)
        return v[0] if v else None

    def inject(self, m):
        spec = json.loads(self.read_body() or b"{}")
        spec.setdefault("times", 1)
        with lock:
            injections.append(spec)
        self.reply(200, {"ok": True})

    def get_requests(self, m):
        with lock:
            self.reply(200, list(requests))

    def get_torrents(self, m):
        with lock:
            self.reply(200, list(torrents.values()))


class AllDebrid(Base):
    routes = [(r"/_inject", "inject"), (r"/_requests", "get_requests"),
              (r"/_torrents", "get_torrents"), (r"/v4(/.*)", "api")]

    def auth(self):
        in_query = "apikey" in self.query
        value = self.headers.get("Authorization")
        key = value[7:] if value and value.startswith("Bearer ") else \
            self.param("apikey")
        if key is None:
            return "missing", in_query
        return ("ok" if key == AD_KEY else "wrong"), in_query

    @staticmethod
    def error(code, message):
        return 200, {"status": "error",
                     "error": {"code": code, "message": message}}

    @staticmethod
    def magnet(t):
        code = {"queued": 0, "downloading": 1, "downloaded": 4,
                "error": 5}[t["step"]]
        status = {0: "In Queue", 1: "Downloading", 4: "Ready",
                  5: "Upload fail."}[code]
        return {"id": t["id"], "filename": t["name"], "hash": t["hash"],
                "size": sum(b for _, b in t["files"]), "status": status,
                "statusCode": code, "uploadDate": t["added"],
                "links": [{"link": "https://alldebrid.com/f/%d%d"
                           % (t["id"], i), "filename": p.split("/")[-1],
                           "size": b, "files": []}
                          for i, (p, b) in enumerate(t["files"])]
                if code == 4 else []}

    def answer(self, path, auth):
        if not self.param("agent"):
            return self.error("AUTH_MISSING_AGENT",
                              "You must send a meaningful agent parameter")
        if auth == "missing":
            return self.error("AUTH_MISSING_APIKEY",
                              "The auth apikey was not sent")
        if auth == "wrong":
            return self.error("AUTH_BAD_APIKEY",
                              "The auth apikey is invalid")
        if path == "/magnet/status":
            mid = self.param("id")
            if mid is None:
                for t in torrents.values():
                    move(t)
                return 200, {"status": "success", "data": {
                    "magnets": [self.magnet(t)
                                for t in torrents.values()]}}
            t = torrents.get(int(mid)) if mid.isdigit() else None
            if not t:
                return self.error("MAGNET_INVALID_ID",
                                  "This magnet ID does not exists or is "
                                  "invalid")
            move(t)
            return 200, {"status": "success",
                         "data": {"magnets": self.magnet(t)}}
        if path == "/magnet/upload":
            out = []
            for m in self.query.get("magnets[]", []) + \
                    self.form.get("magnets[]", []):
                found = re.search(r"xt=urn:btih:([0-9a-fA-F]{40})", m)
                if not m.startswith("magnet:?") or not found:
                    out.append({"magnet": m, "error": {
                        "code": "MAGNET_INVALID_URI",
                        "message": "This magnet is not valid"}})
                    continue
                k = known.get(found.group(1).lower(), {
                    "name": found.group(1), "files": [["/x.mkv", 1]]})
                t = add(k["name"], k["files"], "queued",
                        k.get("fails", False))
                out.append({"magnet": m, "hash": t["hash"],
                            "name": t["name"], "size": 0, "ready": False,
                            "id": t["id"]})
            if not out:
                return self.error("MAGNET_NO_URI", "No magnet sent")
            return 200, {"status": "success", "data": {"magnets": out}}
        if path == "/user":
            return 200, {"status": "success", "data": {"user": {
                "username": "tester", "email": "tester@example.com",
                "isPremium": True, "isTrial": False, "isSubscribed": False,
                "premiumUntil": int(time.time()) + 86400, "lang": "en",
                "preferedDomain": "com", "fidelityPoints": 0}}}
        if path == "/magnet/delete":
            mid = self.param("id") or ""
            if not mid.isdigit() or int(mid) not in torrents:
                return self.error("MAGNET_INVALID_ID",
                                  "This magnet ID does not exists or is "
                                  "invalid")
            del torrents[int(mid)]
            return 200, {"status": "success", "data": {
                "message": "Magnet was successfully deleted"}}
        return 404, {"status": "error", "error": {
            "code": "404", "message": "Endpoint doesn't exist"}}


class Premiumize(Base):
    routes = [(r"/_inject", "inject"), (r"/_requests", "get_requests"),
              (r"/_torrents", "get_torrents"), (r"/api(/.*)", "api")]

    def auth(self):
        key = self.param("apikey")
        in_query = "apikey" in self.query
        if key is None:
            return "missing", in_query
        return ("ok" if key == PM_KEY else "wrong"), in_query

    @staticmethod
    def error(message):
        return 200, {"status": "error", "message": message}

    @staticmethod
    def transfer(t):
        status = {"queued": "waiting", "downloading": "running",
                  "downloaded": "finished", "error": "error"}[t["step"]]
        return {"id": "pm%dX" % t["id"], "name": t["name"],
                "message": "", "status": status,
                "progress": 1 if status == "finished" else 0,
                "src": "magnet:?xt=urn:btih:%s&dn=%s" % (
                    t["hash"], urllib.parse.quote(t["name"])),
                "folder_id": "f%d" % t["id"], "file_id": None}

    def by_id(self):
        m = re.fullmatch(r"pm(\d+)X", self.param("id") or "")
        return torrents.get(int(m.group(1))) if m else None

    def answer(self, path, auth):
        if auth != "ok":
            return self.error("Not logged in.")
        if path == "/transfer/list":
            for t in torrents.values():
                move(t)
            return 200, {"status": "success", "transfers": [
                self.transfer(t) for t in torrents.values()]}
        if path == "/account/info":
            return 200, {"status": "success", "customer_id": 1234,
                         "premium_until": int(time.time()) + 86400,
                         "limit_used": 0.0, "space_used": 0}
        if path == "/transfer/create" and self.command == "POST":
            src = self.param("src") or ""
            found = re.search(r"xt=urn:btih:([0-9a-fA-F]{40})", src)
            if not src.startswith("magnet:?") or not found:
                return self.error("Invalid magnet.")
            k = known.get(found.group(1).lower(), {
                "name": found.group(1), "files": [["/x.mkv", 1]]})
            t = add(k["name"], k["files"], "queued")
            return 200, {"status": "success", "id": "pm%dX" % t["id"],
                         "name": t["name"], "type": "torrent"}
        if path == "/transfer/delete" and self.command == "POST":
            t = self.by_id()
            if not t:
                return self.error("Transfer not found.")
            del torrents[t["id"]]
            return 200, {"status": "success"}
        return 404, {"status": "error", "message": "Not found."}


if __name__ == "__main__":
    if len(sys.argv) > 2:
        with open(sys.argv[2]) as f:
            for t in json.load(f).get("torrents", []):
                add(t["name"], t["files"], t.get("status", "downloaded"))
    http_fake.serve({"alldebrid": AllDebrid,
                     "premiumize": Premiumize}[sys.argv[1]])
