#!/usr/bin/python3
"""A fake SABnzbd API for tests, on the base fake's server.

What it follows (sabnzbd/sabnzbd at 5f933ddc: sabnzbd/interface.py
check_apikey and secured_expose, sabnzbd/api.py _api_addurl and report,
sabnzbd/urlgrabber.py add_url):

- GET or POST /api (also /sabnzbd/api) with mode and apikey. A missing
  key is 403 "API Key Required", a wrong one 403 "API Key Incorrect"
  (with api_warnings on, SABnzbd's default; text/html). mode=version
  needs no key: {"version": VERSION}.
- mode=addurl&name=URL (pp, script, cat, priority, nzbname optional):
  {"status": true, "nzo_ids": ["SABnzbd_nzo_..."]} once queued (the NZB
  is fetched later); {"status": false, "nzo_ids": []} for a name that is
  not http(s) or a duplicate it rejects; {"status": false, "error":
  "expects one parameter"} without a name. JSON answers are
  application/json;charset=UTF-8.

Words in a name stand in for what the real one would meet:
    duplicate-me   rejected as a duplicate ({"status": false, ...})
    error500       HTTP 500

Test controls:
    GET /_requests   every API request: [{method, path, args, time}]
    GET /_adds       the URLs queued: [{name, cat, nzbname, nzo_id, time}]
"""

import secrets
import threading
import time
import urllib.parse

import http_fake

API_KEY = "sabKEY0123456789abcdef0123456789"
VERSION = "4.5.1"

lock = threading.Lock()
state = {"requests": [], "adds": []}


class SABnzbd(http_fake.ClientFake):
    lock, state = lock, state
    routes = http_fake.ClientFake.routes + [
        (r"(/sabnzbd)?/api", "api"),
    ]

    def report(self, info):
        self.reply(200, info, content_type="application/json;charset=UTF-8")

    def api(self, m):
        args = dict(self.query)
        body = self.read_body()
        if body:
            args.update(urllib.parse.parse_qs(body.decode()))
        with lock:
            state["requests"].append({"method": self.command,
                             "path": urllib.parse.urlsplit(self.path).path,
                             "args": args, "time": time.time()})
        one = {k: v[0] for k, v in args.items()}
        mode = one.get("mode", "")
        if mode not in ("version", "auth"):
            key = one.get("apikey")
            if not key:
                return self.reply(403, "API Key Required",
                                  content_type="text/html;charset=utf-8")
            if key != API_KEY:
                return self.reply(403, "API Key Incorrect",
                                  content_type="text/html;charset=utf-8")
        if mode == "version":
            return self.report({"version": VERSION})
        if mode == "addurl":
            return self.addurl(one)
        self.report({"status": False, "error": "not implemented"})

    def addurl(self, one):
        name = one.get("name")
        if not name:
            return self.report({"status": False,
                                "error": "expects one parameter"})
        if "error500" in name:
            return self.reply(500, "<html><body>500 Internal Server Error"
                              "</body></html>", content_type="text/html")
        with lock:
            dup = "duplicate-me" in name or any(
                a["name"] == name for a in state["adds"])
            if dup or not name.lower().startswith("http"):
                return self.report({"status": False, "nzo_ids": []})
            nzo = "SABnzbd_nzo_" + secrets.token_hex(4)
            state["adds"].append({"name": name, "cat": one.get("cat"),
                         "nzbname": one.get("nzbname"), "nzo_id": nzo,
                         "time": time.time()})
        self.report({"status": True, "nzo_ids": [nzo]})


if __name__ == "__main__":
    http_fake.serve(SABnzbd)
