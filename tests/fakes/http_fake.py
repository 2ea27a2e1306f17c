#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fake HTTP server for tests, on 127.0.0.1 and an ephemeral port.

It prints the port on stdout as its first line, then serves until it is
killed or its stdin closes (so a test that dies takes its fake with it).

Routes are regular expressions over the path (query excluded), tried in
order; a handler gets the match and answers with self.reply() or by hand.
Fakes of real services build on it:

    class Prowlarr(FakeHandler):
        routes = FakeHandler.routes + [
            (r"/api/v1/search", "search"),
        ]

        def search(self, m):
            self.reply(200, [{"guid": "..."}])

    serve(Prowlarr)

The generic routes:
    /ok                  200 {"ok": true}
    /status/NNN          an empty answer with status NNN
    /retry-after/SECS    429 with Retry-After: SECS
    /retry-after-date    429 with Retry-After: an HTTP date 2 s ahead
    /big/N               200 with N bytes
    /stream/N            200 with N bytes, no length, then closes
    /slow/MS             sleeps MS ms, then 200 {"ok": true}
    /redirect?to=URL&status=NNN
                         a redirect (302 by default) to URL
    /redirect-http       302 to /ok
    /redirect-magnet     302 to magnet:?xt=urn:btih:abc
    /redirect-loop       302 to itself
    /echo                200 {method, path, query, headers, body}
    /set-cookie?c=NAME=VALUE;ATTRS&c=...
                         200 with one Set-Cookie header per c
    /garbage             "NOT HTTP\\r\\n\\r\\n", then closes
    /close               closes without an answer
    POST /_release       {"gate": NAME}: let go the requests held at
                         the gate NAME (hold_at()), and any that comes
                         to it later
"""

import email.utils
import json
import os
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def bencode(v):
    """BitTorrent's encoding (BEP 3) of an int, str, bytes, list or dict,
    for the torrents fakes serve and tests hand real clients."""
    if isinstance(v, int):
        return b"i%de" % v
    if isinstance(v, str):
        v = v.encode()
    if isinstance(v, bytes):
        return b"%d:%s" % (len(v), v)
    if isinstance(v, list):
        return b"l" + b"".join(bencode(x) for x in v) + b"e"
    return b"d" + b"".join(bencode(k) + bencode(v[k])
                           for k in sorted(v)) + b"e"


def recording(source, name):
    """The parsed JSON of tests/data/SOURCE/NAME: an answer the real
    service gave, kept with its origin (tests/data/SOURCES.md)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        os.pardir, "data", source, name)
    with open(path, encoding="utf-8") as f:
        return json.load(f)


# The gates requests are held at (hold_at()), by name.
gates = {}
gates_lock = threading.Lock()
# The longest a request is held at a gate: a test that never lets it go
# gets its answer late, never a hung fake.
HOLD_MAX_S = 120


def gate(name):
    with gates_lock:
        return gates.setdefault(str(name), threading.Event())


def hold_at(name):
    """Hold the request being answered until POST /_release lets the gate
    name go (at most HOLD_MAX_S): a test sees the work waiting on the
    answer as long as it needs to, with no sleep."""
    gate(name).wait(HOLD_MAX_S)


class FakeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake/1"

    routes = [
        (r"/ok", "ok"),
        (r"/status/(\d{3})", "status"),
        (r"/retry-after/(\d+)", "retry_after"),
        (r"/retry-after-date", "retry_after_date"),
        (r"/big/(\d+)", "big"),
        (r"/stream/(\d+)", "stream"),
        (r"/slow/(\d+)", "slow"),
        (r"/redirect", "redirect_to"),
        (r"/redirect-http", "redirect_http"),
        (r"/redirect-magnet", "redirect_magnet"),
        (r"/redirect-loop", "redirect_loop"),
        (r"/echo", "echo"),
        (r"/set-cookie", "set_cookie"),
        (r"/garbage", "garbage"),
        (r"/close", "close"),
        (r"/_release", "release"),
    ]

    def reply(self, status, body=b"", headers=None, content_type=None):
        """Answer status with body: bytes, str, or anything JSON."""
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            content_type = content_type or "application/json"
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def reply_bad(self, what, error_body, too_many):
        """The bad answers of the fakes of JSON APIs, by the title asked:
        "error body" the API's error_body with a 200, "ratelimit"
        too_many(); and faults of the way to the service, no answer of
        it: "html" a web page (a proxy's, a challenge's, or a url that
        is not the API's), "huge" 3 MiB of JSON, "deep" JSON nested
        100000 deep. Returns False for another title."""
        if what == "html":
            self.reply(200, "<!DOCTYPE html><html><head><title>Just a"
                       " moment...</title></head><body></body></html>\n",
                       content_type="text/html")
        elif what == "error body":
            self.reply(200, error_body)
        elif what == "huge":
            self.reply(200, '{"data": [%s]}' % ",".join(
                ['"%s"' % ("x" * 1000)] * 3000),
                content_type="application/json")
        elif what == "deep":
            self.reply(200, "[" * 100000 + "]" * 100000,
                       content_type="application/json")
        elif what == "ratelimit":
            too_many()
        else:
            return False
        return True

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def dispatch(self):
        url = urllib.parse.urlsplit(self.path)
        self.query = urllib.parse.parse_qs(url.query)
        for pattern, name in self.routes:
            m = re.fullmatch(pattern, url.path)
            if m:
                return getattr(self, name)(m)
        self.reply(404, {"error": "no route"})

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = dispatch

    def log_message(self, format, *args):
        pass

    def ok(self, m):
        self.reply(200, {"ok": True})

    def status(self, m):
        self.reply(int(m.group(1)))

    def retry_after(self, m):
        self.reply(429, {"error": "slow down"},
                   {"Retry-After": m.group(1)})

    def retry_after_date(self, m):
        when = email.utils.formatdate(time.time() + 2, usegmt=True)
        self.reply(429, {"error": "slow down"}, {"Retry-After": when})

    def big(self, m):
        self.reply(200, b"x" * int(m.group(1)), content_type="text/plain")

    def stream(self, m):
        self.send_response(200)
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(b"x" * int(m.group(1)))
        self.close_connection = True

    def slow(self, m):
        time.sleep(int(m.group(1)) / 1000)
        self.reply(200, {"ok": True})

    def redirect(self, location, status=302):
        self.reply(status, b"", {"Location": location})

    def redirect_to(self, m):
        self.read_body()
        self.redirect(self.query["to"][0],
                      int(self.query.get("status", ["302"])[0]))

    def redirect_http(self, m):
        self.redirect("/ok")

    def redirect_magnet(self, m):
        self.redirect("magnet:?xt=urn:btih:abc")

    def redirect_loop(self, m):
        self.redirect("/redirect-loop")

    def echo(self, m):
        body = self.read_body()
        self.reply(200, {
            "method": self.command,
            "path": urllib.parse.urlsplit(self.path).path,
            "query": self.query,
            "headers": dict(self.headers.items()),
            "body": body.decode("utf-8", "replace"),
        })

    def set_cookie(self, m):
        self.send_response(200)
        for cookie in self.query.get("c", []):
            self.send_header("Set-Cookie", cookie)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def garbage(self, m):
        self.wfile.write(b"NOT HTTP\r\n\r\n")
        self.wfile.flush()
        self.close_connection = True

    def close(self, m):
        self.close_connection = True

    def release(self, m):
        doc = json.loads(self.read_body() or b"{}")
        gate(doc.get("gate", "")).set()
        self.reply(200, {"ok": True})


class ClientFake(FakeHandler):
    """A fake download client's test controls, for fakes that keep what
    they were asked and what they took in state["requests"] and
    state["adds"] (a dict the subclass sets, with the lock that guards
    it):

        GET /_requests   every request recorded
        GET /_adds       every torrent, NZB or link taken
    """
    routes = FakeHandler.routes + [
        (r"/_requests", "get_requests"),
        (r"/_adds", "get_adds"),
    ]
    lock = None
    state = None

    def get_requests(self, m):
        with self.lock:
            self.reply(200, list(self.state["requests"]))

    def get_adds(self, m):
        with self.lock:
            self.reply(200, list(self.state["adds"]))


class ServiceFake(FakeHandler):
    """A fake service's test controls, for fakes that record every
    request and can be taken down:

        GET  /_requests   every request recorded (what record() got)
        POST /_down       {"status": N}: answer N to everything (0: back
                          up)

    A subclass sets its own lock and state ({"requests": [], "down": 0}),
    so that two fakes in one process never share them.
    """
    routes = FakeHandler.routes + [
        (r"/_requests", "get_requests"),
        (r"/_down", "set_down"),
    ]
    lock = None
    state = None

    @staticmethod
    def key_word(key, right):
        """How a request's key compares: "missing", "ok" or "wrong"."""
        return "missing" if key is None else \
            "ok" if key == right else "wrong"

    def record(self, entry):
        """Record entry (the method and path added); the status the fake
        is down with, 0 when it is up."""
        with self.lock:
            self.state["requests"].append(
                dict({"method": self.command, "path": self.path}, **entry))
            return self.state["down"]

    def get_requests(self, m):
        with self.lock:
            self.reply(200, list(self.state["requests"]))

    def set_down(self, m):
        doc = json.loads(self.read_body())
        with self.lock:
            self.state["down"] = int(doc.get("status", 0))
        self.reply(200, {"ok": True})


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that gave up (a timeout test) is not an error here.
        pass


def serve(handler=FakeHandler):
    server = FakeServer(("127.0.0.1", 0), handler)
    print(server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    serve()
