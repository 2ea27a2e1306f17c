#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fake Transmission RPC server for tests, on the base fake's server.

What it follows (transmission/transmission: docs/rpc-spec.md, and
libtransmission's rpc-server.cc and rpcimpl.cc):

- POST /transmission/rpc takes {"method", "arguments", "tag"} and answers
  {"result", "arguments", "tag"}: result "success", or an error string.
- Checks in rpc-server's order: HTTP Basic credentials when a user is
  set (401 "Unauthorized User", WWW-Authenticate: Basic
  realm="Transmission"; after ANTI_BRUTE_FORCE failures every request is
  403), then the CSRF token: a request without the current
  X-Transmission-Session-Id gets 409 with the header and Transmission's
  HTML explanation; the client sends the request again with it.
- torrent-add (torrent_add, Transmission 4.1's name) takes `filename` (a
  magnet, a URL or a path) or `metainfo` (base64 torrent). Answers
  {"torrent-added": {id, name, hashString}} (torrent_added, hash_string
  for a snake_case request), or torrent-duplicate with result "success"
  when the torrent is there already. A metainfo that is not a bencoded
  dictionary is result "invalid or corrupt torrent file"; an unknown
  method is "method name not recognized". torrent-set with ids and
  labels answers "success". session-get answers its download-dir (the
  folder a torrent added without one goes to; Debian's default
  /var/lib/transmission-daemon/downloads, or the one /_reset names) and
  version (docs/rpc-spec.md of 3.00, section 4.1).

Kept for the unit tests of the requests themselves (their bodies, the
token handshake, Transmission 4.1's snake_case names, the words of its
refusals): tests/integration/test_clients.py runs the real
transmission-daemon 3.00 for what a user sees (labels, download-dir,
duplicates, a 404 link, a refused password).

Words in a filename stand in for what the real one would meet:
    corrupt-me    "invalid or corrupt torrent file"
    http-404-me   "gotMetadataFromURL: http error 404: Not Found"
    error500      HTTP 500

Test controls:
    GET  /_requests   every RPC request: [{method (HTTP), path, auth
                      (user:password or null), token, body (parsed or
                      raw), status, time}]
    GET  /_adds       the torrents added: [{filename | metainfo (raw
                      bytes as latin-1), labels, paused, time}]
    POST /_reset?user=U&password=P&download_dir=D
                      forget everything; require these credentials
                      (none by default); download-dir D
    POST /_rotate     a new session id: the next request gets a 409
"""

import base64
import hashlib
import json
import secrets
import threading
import time

import http_fake

ANTI_BRUTE_FORCE = 100

CONFLICT = (
    "<h1>409: Conflict</h1><p>Your request had an invalid session-id "
    "header.</p><p>To fix this, follow these steps:<ol><li> When reading "
    "a response, get its X-Transmission-Session-Id header and remember it"
    "<li> Add the updated header to your outgoing requests<li> When you "
    "get this 409 error message, resend your request with the updated "
    "header</ol></p><p>This requirement has been added to help prevent "
    "<a href=\"https://en.wikipedia.org/wiki/Cross-site_request_forgery\">"
    "CSRF</a> attacks.</p><p><code>X-Transmission-Session-Id: %s</code>"
    "</p>")

lock = threading.Lock()
state = {}


def reset(user=None, password=None, download_dir="/var/lib/"
          "transmission-daemon/downloads"):
    with lock:
        state.update(user=user, password=password, fails=0,
                     download_dir=download_dir,
                     token=secrets.token_urlsafe(36), requests=[], adds=[],
                     hashes={}, labels={}, next_id=1)


class Transmission(http_fake.ClientFake):
    lock, state = lock, state
    routes = http_fake.ClientFake.routes + [
        (r"/transmission/rpc/?", "rpc"),
        (r"/_reset", "reset_all"),
        (r"/_rotate", "rotate"),
    ]

    def html(self, status, body, headers=None):
        self.reply(status, "<html><head><title>%d</title></head><body>%s"
                   "</body></html>" % (status, body), headers,
                   content_type="text/html; charset=ISO-8859-1")

    def credentials(self):
        auth = self.headers.get("Authorization") or ""
        if not auth.startswith("Basic "):
            return None
        try:
            return base64.b64decode(auth[6:]).decode()
        except ValueError:
            return None

    def rpc(self, m):
        raw = self.read_body()
        entry = {"method": self.command, "path": self.path,
                 "auth": self.credentials(),
                 "token": self.headers.get("X-Transmission-Session-Id"),
                 "body": None, "status": None, "time": time.time()}
        try:
            entry["body"] = json.loads(raw)
        except ValueError:
            entry["body"] = raw.decode("utf-8", "replace")
        with lock:
            state["requests"].append(entry)
            user, password = state["user"], state["password"]
            token = state["token"]
            blocked = state["fails"] >= ANTI_BRUTE_FORCE
        if blocked:
            entry["status"] = 403
            return self.html(403, "<h1>403: Forbidden</h1>")
        if user is not None and entry["auth"] != "%s:%s" % (user, password):
            with lock:
                state["fails"] += 1
            entry["status"] = 401
            return self.html(401, "<h1>401: Unauthorized</h1>Unauthorized "
                             "User", {"WWW-Authenticate":
                                      'Basic realm="Transmission"'})
        if entry["token"] != token:
            entry["status"] = 409
            return self.html(409, CONFLICT % token,
                             {"X-Transmission-Session-Id": token})
        entry["status"] = 200
        req = entry["body"] if isinstance(entry["body"], dict) else {}
        method = req.get("method")
        if method in ("torrent-add", "torrent_add"):
            answer = self.add(req.get("arguments") or {},
                              snake=method == "torrent_add")
            if answer is None:
                entry["status"] = 500
                return self.html(500, "<h1>500: Internal Server Error</h1>")
        elif method in ("torrent-set", "torrent_set"):
            answer = self.set(req.get("arguments") or {})
        elif method == "session-get":
            with lock:
                answer = {"result": "success", "arguments": {
                    "download-dir": state["download_dir"],
                    "version": "3.00 (bb6b5a062e)"}}
        else:
            answer = {"result": "method name not recognized",
                      "arguments": {}}
        if "tag" in req:
            answer["tag"] = req["tag"]
        self.reply(200, answer)

    def add(self, args, snake):
        added = "torrent_added" if snake else "torrent-added"
        dup = "torrent_duplicate" if snake else "torrent-duplicate"
        hkey = "hash_string" if snake else "hashString"
        fail = {"arguments": {}}
        if "metainfo" in args:
            try:
                data = base64.b64decode(args["metainfo"], validate=True)
            except ValueError:
                data = b""
            if not (data[:1] == b"d" and data[1:2].isdigit()):
                return dict(fail, result="invalid or corrupt torrent file")
            key = hashlib.sha1(data).hexdigest()
            what = {"metainfo": data.decode("latin-1")}
        elif isinstance(args.get("filename"), str):
            name = args["filename"]
            if "error500" in name:
                return None
            if "corrupt-me" in name:
                return dict(fail, result="invalid or corrupt torrent file")
            if "http-404-me" in name:
                return dict(fail, result="gotMetadataFromURL: http error "
                            "404: Not Found")
            key = hashlib.sha1(name.encode()).hexdigest()
            what = {"filename": name}
        else:
            return dict(fail, result="no filename or metainfo specified")
        with lock:
            if key in state["hashes"]:
                return {"result": "success",
                        "arguments": {dup: state["hashes"][key]}}
            torrent = {"id": state["next_id"], "name": "torrent %d" %
                       state["next_id"], hkey: key}
            state["next_id"] += 1
            state["hashes"][key] = torrent
            what.update(labels=args.get("labels"), paused=args.get("paused"),
                        time=time.time())
            state["adds"].append(what)
        return {"result": "success", "arguments": {added: torrent}}

    def set(self, args):
        """torrent-set of labels on torrents by id, as Transmission 3
        takes them (it ignores labels in torrent-add; the fake keeps
        them there too, for the tests of the request)."""
        with lock:
            for t in state["hashes"].values():
                if t["id"] in (args.get("ids") or []):
                    state["labels"][t["id"]] = args.get("labels")
        return {"result": "success", "arguments": {}}

    def reset_all(self, m):
        reset(self.query.get("user", [None])[0],
              self.query.get("password", [None])[0],
              self.query.get("download_dir", ["/var/lib/transmission-"
                                              "daemon/downloads"])[0])
        self.reply(200, {"ok": True})

    def rotate(self, m):
        with lock:
            state["token"] = secrets.token_urlsafe(36)
        self.reply(200, {"ok": True})


if __name__ == "__main__":
    reset()
    http_fake.serve(Transmission)
