#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fake qBittorrent (WebUI API v2) for tests, on the base fake's server.

The user is USERNAME with PASSWORD. Like qBittorrent, it refuses a
request whose Origin or Referer names another host than its Host header
(401, its CSRF check), and bans the client after MAX_FAILS failed logins.

    POST /api/v2/auth/login     form username, password: 200 "Ok." with
                                Set-Cookie SESSION=...; 200 "Fails." for a
                                wrong pair; 403 once banned
    POST /api/v2/torrents/add   form urls (one a line) or multipart
                                torrents (files), category: needs the
                                session cookie (403 "Forbidden" without it
                                or with an expired one); records the add and
                                answers 200 "Ok."; a url holding one of
                                these words misbehaves instead:
        fails-me                200 "Fails." (nothing recorded)
        invalid-me              415 "Torrent file is not valid."
        error500                500
    GET  /api/v2/torrents/info  with the session cookie: 200 [], as
                                qBittorrent lists a torrent it does not
                                have (the real one, which lists what it
                                has, is followed in test_tracker.py), or
                                the torrents /_torrents set
    GET  /api/v2/torrents/files?hash=H
                                the "_files" of the torrent H /_torrents
                                set ([{name, priority}]), 404 for another
    POST /_torrents             JSON [{hash, state, content_path ...,
                                _files}]: what torrents/info lists from
                                now on, as a hostile or broken client
                                would tell
    POST /_raw_info             JSON {body}: torrents/info answers the
                                text body as it is from now on (JSON
                                no list of torrents could be)
    GET  /files/sample.torrent  a small bencoded torrent (a dictionary)
    GET  /files/page.html       an HTML page, which is not a torrent
    GET  /_requests             every /api request so far: [{method, path,
                                cookie, referer, origin, host, form, time}]
    GET  /_adds                 the torrents added: [{urls, torrents (each
                                file's bytes as latin-1 text), category,
                                time}]; a file that is not bencoded is
                                415 "Torrent file is not valid."
    POST /_expire               forget every session (cookies expire)
    POST /_reset?cookie=NAME&api=2.14
                                forget sessions, failures, bans and logs;
                                the session cookie is called NAME from now
                                on (default "SID"); with api=2.14, answer
                                as qBittorrent 5.2 does (below)

With api=2.14 (qBittorrent 5.2) a login that works answers 204 without a
body, the cookie is QBT_SID_<port> unless named, a wrong login is 401;
an add answers 200 with a summary {added_torrent_ids, success_count,
pending_count, failure_count}, 202 with a pending one for a url holding
"pending-me", and 409 with a failed one for "fails-me".

Kept for what the real qbittorrent-nox 4.5 that Debian ships cannot
show: the answers of API 2.14 (qBittorrent 5.2), an expired session, a
ban without waiting for it, and the requests' bodies for the secret
checks; tests/integration/test_clients.py runs the real one for the
rest (magnets, torrents, duplicates, save path, refused logins).
"""

import email.parser
import json
import email.policy
import secrets
import threading
import time
import urllib.parse

import http_fake

USERNAME = "admin"
PASSWORD = "adminadmin"
MAX_FAILS = 5



TORRENT = http_fake.bencode({
    "announce": "http://tracker.example/announce",
    "info": {"length": 1024, "name": "One T01.cbz",
             "piece length": 16384, "pieces": b"\x01" * 20},
})

lock = threading.Lock()
state = {}


def reset(cookie_name=None, api="2.8"):
    with lock:
        state.update(cookie=cookie_name or "SID", api=api, sessions=set(),
                     fails=0, requests=[], adds=[],
                     torrents=[], raw=None)


def new_api():
    return state["api"] == "2.14"


def summary(added=0, pending=0, failed=0):
    return {"added_torrent_ids": [secrets.token_hex(20)] * added,
            "success_count": added, "pending_count": pending,
            "failure_count": failed}


class QBittorrent(http_fake.ClientFake):
    lock, state = lock, state
    routes = http_fake.ClientFake.routes + [
        (r"/api/v2/auth/login", "login"),
        (r"/api/v2/torrents/add", "add"),
        (r"/api/v2/torrents/info", "info"),
        (r"/api/v2/torrents/files", "files"),
        (r"/api/.*", "unknown_api"),
        (r"/files/sample\.torrent", "sample_torrent"),
        (r"/files/page\.html", "page"),
        (r"/_expire", "expire"),
        (r"/_torrents", "set_torrents"),
        (r"/_raw_info", "set_raw_info"),
        (r"/_reset", "reset_all"),
    ]

    def text(self, status, body):
        self.reply(status, body, content_type="text/plain; charset=UTF-8")

    def parse_form(self, body):
        """A form, urlencoded or multipart: {name: [value, ...]}, files
        as their bytes (latin-1 text)."""
        ctype = self.headers.get("Content-Type") or ""
        if not ctype.startswith("multipart/form-data"):
            return urllib.parse.parse_qs(body.decode())
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body)
        form = {}
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            value = part.get_payload(decode=True) or b""
            form.setdefault(name, []).append(value.decode("latin-1"))
        return form

    def record(self):
        """Log the request and give back its form."""
        form = self.parse_form(self.read_body())
        with lock:
            state["requests"].append({
                "method": self.command,
                "path": urllib.parse.urlsplit(self.path).path,
                "cookie": self.headers.get("Cookie"),
                "referer": self.headers.get("Referer"),
                "origin": self.headers.get("Origin"),
                "host": self.headers.get("Host"),
                "form": form,
                "time": time.time(),
            })
        return form

    def same_site(self):
        """qBittorrent's CSRF check: a named origin must be this host."""
        host = self.headers.get("Host")
        for name in ("Origin", "Referer"):
            value = self.headers.get(name)
            if value and urllib.parse.urlsplit(value).netloc != host:
                self.text(401, "Unauthorized")
                return False
        return True

    def session(self):
        cookies = self.headers.get("Cookie") or ""
        with lock:
            for pair in cookies.split(";"):
                name, _, value = pair.strip().partition("=")
                if name == state["cookie"] and value in state["sessions"]:
                    return True
        return False

    def login(self, m):
        form = self.record()
        if not self.same_site():
            return
        with lock:
            if state["fails"] >= MAX_FAILS:
                banned = True
            elif (form.get("username") == [USERNAME] and
                  form.get("password") == [PASSWORD]):
                banned = False
                sid = secrets.token_urlsafe(24)
                state["sessions"].add(sid)
                cookie = "%s=%s; HttpOnly; path=/; SameSite=Strict" % (
                    state["cookie"], sid)
            else:
                banned = False
                sid = None
                state["fails"] += 1
        if banned:
            return self.text(403, "Your IP address has been banned after "
                             "too many failed authentication attempts.")
        if not sid:
            if new_api():
                return self.text(401, "Unauthorized")
            return self.text(200, "Fails.")
        if new_api():
            return self.reply(204, headers={"Set-Cookie": cookie})
        self.reply(200, "Ok.", {"Set-Cookie": cookie},
                   content_type="text/plain; charset=UTF-8")

    def add(self, m):
        form = self.record()
        if not self.same_site():
            return
        if not self.session():
            return self.text(403, "Forbidden")
        urls = [u for u in "\n".join(form.get("urls", [])).split("\n") if u]
        files = form.get("torrents", [])
        if any(not (f[:1] == "d" and f[1:2].isdigit()) for f in files):
            return self.text(415, "Torrent file is not valid.")
        words = " ".join(urls + files)
        if new_api() and "fails-me" in words:
            return self.reply(409, summary(failed=1))
        if new_api() and "pending-me" in words:
            return self.reply(202, summary(pending=1))
        if not (urls or files) or "fails-me" in words:
            return self.text(200, "Fails.")
        if "invalid-me" in words:
            return self.text(415, "Torrent file is not valid.")
        if "error500" in words:
            return self.text(500, "Internal Server Error")
        with lock:
            state["adds"].append({
                "urls": urls,
                "torrents": files,
                "category": form.get("category", [None])[0],
                "time": time.time(),
            })
        if new_api():
            return self.reply(200, summary(added=1))
        self.text(200, "Ok.")

    def info(self, m):
        self.record()
        if not self.same_site():
            return
        if not self.session():
            return self.text(403, "Forbidden")
        with lock:
            listed = list(state["torrents"])
            raw = state["raw"]
        if raw is not None:
            return self.reply(200, raw, content_type="application/json")
        self.reply(200, listed)

    def files(self, m):
        self.record()
        if not self.session():
            return self.text(403, "Forbidden")
        want = self.query.get("hash", [""])[0]
        with lock:
            found = [t.get("_files", []) for t in state["torrents"]
                     if t.get("hash") == want]
        if not found:
            return self.text(404, "Not Found")
        self.reply(200, found[0])

    def set_raw_info(self, m):
        body = json.loads(self.read_body())["body"]
        with lock:
            state["raw"] = body
        self.reply(200, {"ok": True})

    def set_torrents(self, m):
        listed = json.loads(self.read_body() or b"[]")
        with lock:
            state["torrents"] = listed
        self.reply(200, {"ok": True})

    def unknown_api(self, m):
        self.record()
        self.text(404, "Not Found")

    def sample_torrent(self, m):
        self.reply(200, TORRENT, content_type="application/x-bittorrent")

    def page(self, m):
        self.reply(200, "<html><body>Log in first</body></html>",
                   content_type="text/html")

    def expire(self, m):
        with lock:
            state["sessions"].clear()
        self.reply(200, {"ok": True})

    def reset_all(self, m):
        api = self.query.get("api", ["2.8"])[0]
        cookie = self.query.get("cookie", [None])[0]
        if api == "2.14" and not cookie:
            cookie = "QBT_SID_%d" % self.server.server_address[1]
        reset(cookie, api)
        self.reply(200, {"ok": True})


if __name__ == "__main__":
    reset()
    http_fake.serve(QBittorrent)
