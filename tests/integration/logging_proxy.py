# SPDX-License-Identifier: GPL-3.0-or-later
"""A logging proxy for the players' tests (issue 77): an HTTP server on
127.0.0.1 (a port the kernel chooses) that passes each request to the
daemon's door unchanged and records, for each /rest call a player made,
its method, the HTTP status and the subsonic-response's status (JSON or
XML; None for a file: a stream, a cover). Used as

    with Proxy(w.base) as proxy:
        ... the player pointed at proxy.base ...
        proxy.calls   # [(method, http status, subsonic status), ...]
        proxy.files   # [(method, http status, content type, query, body)]
                      # of each answer that is no subsonic-response
"""

import http.client
import http.server
import json
import threading
import urllib.parse
import xml.etree.ElementTree as ET

# What a request keeps of its headers on the way to the door (the rest,
# Host and Connection above all, are the proxy's own).
PASSED = ("user-agent", "accept", "accept-encoding", "content-type",
          "range", "authorization")


def subsonic_status(kind, body):
    """The status of a subsonic-response in body of content type kind,
    or None when it is no such answer."""
    try:
        if "json" in kind:
            return json.loads(body)["subsonic-response"]["status"]
        if "xml" in kind:
            return ET.fromstring(body).get("status")
    except (ValueError, KeyError, TypeError, ET.ParseError):
        return "unreadable"
    return None


def method_of(path):
    """getAlbum of /rest/getAlbum.view?..., or the path itself."""
    name = urllib.parse.urlsplit(path).path
    if not name.startswith("/rest/"):
        return name
    name = name[len("/rest/"):]
    return name[:-len(".view")] if name.endswith(".view") else name


class Proxy:
    """The proxy to the door at base (http://127.0.0.1:PORT)."""

    def __init__(self, base):
        self.door = urllib.parse.urlsplit(base).netloc
        self.calls = []
        self.files = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def forward(self):
                size = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(size) if size else None
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() in PASSED}
                conn = http.client.HTTPConnection(proxy.door, timeout=120)
                try:
                    conn.request(self.command, self.path, body, headers)
                    r = conn.getresponse()
                    data = r.read()
                finally:
                    conn.close()
                kind = r.getheader("Content-Type", "")
                status = subsonic_status(kind, data)
                with proxy.lock:
                    proxy.calls.append((method_of(self.path), r.status,
                                        status))
                    if status is None:
                        proxy.files.append((
                            method_of(self.path), r.status, kind,
                            urllib.parse.parse_qs(urllib.parse.urlsplit(
                                self.path).query), data))
                self.send_response(r.status)
                for k, v in r.getheaders():
                    if k.lower() not in ("connection", "transfer-encoding",
                                         "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_HEAD = forward

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                      Handler)
        self.server.daemon_threads = True
        self.base = "http://127.0.0.1:%d" % self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)
        self.thread.start()

    def recorded(self):
        with self.lock:
            return list(self.calls)

    def recorded_files(self):
        with self.lock:
            return list(self.files)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=30)
