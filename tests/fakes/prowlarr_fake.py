#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fake Prowlarr (API v1) for tests, on the base fake's server.

    prowlarr_fake.py [RELEASES.json]

Its answers have the shapes of a real Prowlarr's. Where each fact comes
from (Prowlarr/Prowlarr at 0ffcfccf, unless said otherwise):

- A search answers a JSON array of ReleaseResource
  (src/Prowlarr.Api.V1/Search/ReleaseResource.cs): guid, age (int, days),
  ageHours and ageMinutes (doubles), size (long), files and grabs (int or
  null), indexerId, indexer, title, sortTitle, imdbId/tmdbId/tvdbId/
  tvMazeId (0), publishDate (DateTime: "0001-01-01T00:00:00Z" when the
  indexer gave none), downloadUrl, infoUrl, indexerFlags (flag names,
  strings; Sonarr-style numbers in older answers), categories [{id, name,
  subCategories}], magnetUrl, infoHash, seeders and leechers (null for
  usenet), protocol ("torrent", "usenet": the enum through STJson's
  camelCase JsonStringEnumConverter), fileName (title + ".torrent" or
  ".nzb").
- SearchController.MapReleases rewrites both downloadUrl and magnetUrl,
  when set, into Prowlarr's own proxy link (DownloadMappingService.
  ConvertToProxyLink): {server}/{indexerId}/download?apikey=KEY&link=
  BASE64URL(encrypted link)&file=URLENCODED(title). guid is left as the
  indexer gave it: for Cardigann indexers whose "download" is a magnet
  (CardigannParser), guid and magnetUrl are the magnet and downloadUrl is
  null, so the answer has a null downloadUrl and a proxy magnetUrl.
- The proxy link (NewznabController.GetDownload): apikey in the query is
  the API key (ApiKeyAuthenticationHandler reads the query first); a
  usenet indexer, or one set to redirect, answers 301 to the real link;
  otherwise Prowlarr downloads it and answers the file (application/
  x-bittorrent, application/x-nzb), or 301 to the magnet when the bytes
  are a magnet link. Errors are an XML <error code= description=/>
  document: 410 (the release is unavailable), 429 with Retry-After (grab
  limit, or the indexer disabled after failures), 500 (the indexer
  failed); a link it cannot read is 400.
- Without a valid key, /api answers 401 with an empty body
  (ApiKeyAuthenticationHandler.HandleChallengeAsync). A search all of
  whose indexers are unavailable is 400 {"message": "Search failed due to
  all selected indexers being unavailable"} (ReleaseSearchService,
  SearchController). A grab (POST /api/v1/search {guid, indexerId}) of a
  release no longer in the 30-minute cache is 404 "Couldn't find requested
  release in cache, try searching again"; a failed fetch from the indexer
  is 409 "Getting release from indexer failed".
- A url without Prowlarr's url base reaches its web interface, which
  answers its HTML page (200 text/html) to any path.

RELEASES.json, if given, maps a query (lowercase) to the list of releases
the indexers give, in the resource's shape but with the indexer's own
links: the fake rewrites downloadUrl and magnetUrl into proxy links, as
Prowlarr does. An indexer link may be:

    magnet:...           answered as a 301 to it
    torrent:NAME         this fake indexer's torrent (a bencoded file)
    nzb:NAME             this fake indexer's NZB (usenet: 301 to
                         /indexer/nzb/NAME, which answers it)
    /PATH, http(s)://... on this server or elsewhere: 301 to it for usenet
                         releases and those with "_redirect": true;
                         otherwise fetched, and its bytes answered
    gone | limited | failing | html | loop | ftp | bad-location
                         410 | 429 Retry-After: 30 | 500 | an HTML page |
                         a redirect loop | 301 to ftp://... | 301 without
                         a Location
    echo                 410 whose description repeats the request, its
                         key included

A release with "_torznab": true is one of a Torznab indexer that gives
its download link as the guid (issue 45 saw one): its guid is answered
as the proxy link, key included, and its infoUrl and commentUrl
(Torznab's <comments>, kept by indexers as the release's comment page)
carry the key too, as planted text for the tests of redaction.

Members starting with "_" are the fake's and are not answered. Without a
file, the built-in table below serves.

    GET  /api/v1/search?query=Q&type=search&categories=N&indexerIds=N
                         the releases for Q (lowercase), [] if none;
                         these queries misbehave instead:
        malformed        200 with invalid JSON
        notarray         200 {"x": 1}
        badshape         200 with "Badshape T01" and a release whose
                         title is a number
        html             200 text/html (Prowlarr's web page)
        unavailable      400, all indexers unavailable
        echo             400 whose message repeats the request, its key
                         included (issue 32 saw one reach the log)
        error500         500
        ratelimit        429 with Retry-After: 2
        huge             200 with a 6 MiB body (above the client's cap)
        slow             sleeps 3 s, then answers []
    POST /api/v1/search  {"guid", "indexerId"}: 200 when the guid is one
                         the table holds (and the id is its indexer's),
                         with what a live Prowlarr answered to a grab:
                         the guid and indexerId asked, every other member
                         zero or empty (tests/data/SOURCES.md); 404
                         otherwise; 409 for a release whose indexer link
                         is "failing"
    GET  /{id}/download?apikey=&link=&file=   the proxy link
    GET  /api/v1/indexer/{id}/download?...    the same
    GET  /indexer/nzb/NAME   an NZB, as the usenet indexer answers it
    GET  /_requests      every /api request so far: [{method, path, query
                         (raw), args (parsed), api_key, body, time}]
    GET  /_downloads     every proxy link request: [{indexer, link, file,
                         api_key, status, time}]
    POST /_inject        {"query", "status", "times", "retry_after",
                         "body", "content_type", "hold"}: the next
                         `times` searches for query (lowercase) answer
                         status (with Retry-After when given, and body,
                         raw text, when given) instead; with "hold", each
                         is held first until POST /_release {"gate":
                         HOLD} (http_fake.py), and without a status then
                         answered as any other
    GET  /_grabs         the releases grabbed so far: [{guid, indexerId}]
"""

import base64
import json
import sys
import threading
import time
import urllib.parse
import urllib.request

import http_fake

API_KEY = "fakeKEY-0123456789abcdef"

HTML_PAGE = ("<!DOCTYPE html><html><head><title>Prowlarr</title></head>"
             "<body><div id=\"root\"></div></body></html>")


def torrent(name):
    """A small torrent file named after its release."""
    return http_fake.bencode({
        "announce": "http://tracker.example/announce?passkey=SECRETPASS",
        "info": {"length": 1024, "name": name + ".cbz",
                 "piece length": 16384, "pieces": b"\x01" * 20},
    })


def nzb(name):
    """An NZB as indexers serve it (newzbin DTD)."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<!DOCTYPE nzb PUBLIC "-//newzBin//DTD NZB 1.1//EN" '
            '"http://www.newzbin.com/DTD/nzb/nzb-1.1.dtd">\n'
            '<nzb xmlns="http://www.newzbin.com/DTD/2003/nzb">\n'
            ' <file poster="poster@example.com" date="1700000000" '
            'subject="&quot;%s.cbz&quot; yEnc (1/1)">\n'
            '  <groups><group>alt.binaries.mangas</group></groups>\n'
            '  <segments><segment bytes="1024" number="1">'
            'part1@example.com</segment></segments>\n'
            ' </file>\n</nzb>\n' % name).encode()


def release(guid, title, indexer_id=1, protocol="torrent", seeders=12,
            download=None, magnet=None, publish="2024-03-01T10:00:00Z"):
    """A release as an indexer gives it to Prowlarr (links not proxied)."""
    torrent_ = protocol == "torrent"
    if download is None:
        download = ("torrent:" if torrent_ else "nzb:") + guid
    if magnet is None and torrent_:
        magnet = "magnet:?xt=urn:btih:%s&dn=%s" % (
            guid, urllib.parse.quote_plus(title))
    return {
        "guid": guid,
        "age": 100,
        "ageHours": 2400.25,
        "ageMinutes": 144015.0,
        "size": 150000000 + len(title),
        "files": 1 if torrent_ else None,
        "grabs": 3 if torrent_ else None,
        "indexerId": indexer_id,
        "indexer": "YGG" if torrent_ else "NZBIndex",
        "title": title,
        "sortTitle": title.lower(),
        "imdbId": 0, "tmdbId": 0, "tvdbId": 0, "tvMazeId": 0,
        "publishDate": publish,
        "downloadUrl": download,
        "infoUrl": "http://indexer.example/t/%s" % guid,
        "indexerFlags": ["freeleech"] if torrent_ else [],
        "categories": [{"id": 7030, "name": "Books/Comics",
                        "subCategories": []}],
        "magnetUrl": magnet,
        "infoHash": guid if torrent_ else None,
        "seeders": seeders if torrent_ else None,
        "leechers": 2 if torrent_ else None,
        "protocol": protocol,
        "fileName": title + (".torrent" if torrent_ else ".nzb"),
    }


def magnet_only(guid, title, indexer_id=3, seeders=7):
    """A Cardigann indexer whose "download" is a magnet: the magnet is
    the guid and the magnetUrl, and there is no downloadUrl."""
    r = release(guid, title, indexer_id, seeders=seeders)
    r["guid"] = r["magnetUrl"]
    r["downloadUrl"] = None
    r["indexer"] = "Nyaa"
    return r


RELEASES = {
    "one piece": [
        release("op-105", "One Piece T105 FRENCH CBZ"),
        release("op-104", "One Piece Tome 104 (2023) [Digital]",
                publish="0001-01-01T00:00:00Z"),
        release("op-001-003", "One Piece Tomes 1 à 3 FRENCH CBZ"),
        release("op-100-102", "One Piece v100-102 (Digital) (LuCaZ)"),
        release("op-106", "One.Piece.T106.FRENCH.EPUB-TEAM", 2, "usenet"),
        magnet_only("op-107", "One Piece T107 FRENCH"),
        release("op-ch1090", "One Piece Chapter 1090"),
        release("op-party-3", "One Piece Party T03 FRENCH CBZ"),
        release("opm-20", "One Punch Man T20 FRENCH CBZ"),
        release("op-artbook", "One Piece Artbook Color Walk 9"),
        release("op-none", "One Piece FRENCH CBZ"),
    ],
    # its indexer fails the grab: Prowlarr's 409
    "failing grab": [release("fg-1", "Failing Grab T01",
                             download="failing")],
}
# An older Prowlarr's numbered flags must not change a thing.
RELEASES["one piece"][1]["indexerFlags"] = [1, 8]

lock = threading.Lock()
requests = []
downloads = []
grabs = []
injected = {}


def encode_link(link):
    """Prowlarr encrypts the link (IProtectionService) then base64url-
    encodes it; the fake only encodes it, which looks the same."""
    return base64.urlsafe_b64encode(link.encode()).decode().rstrip("=")


def decode_link(text):
    pad = "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(text + pad).decode()


def error_xml(code, description):
    """NewznabController.CreateErrorXML."""
    return ('<?xml version="1.0" encoding="utf-8"?>\n<error code="%d" '
            'description="%s" />' % (code, description))


def public(r):
    return {k: v for k, v in r.items() if not k.startswith("_")}


class Prowlarr(http_fake.FakeHandler):
    routes = http_fake.FakeHandler.routes + [
        (r"/api/v1/search", "search"),
        (r"/api/v1/indexer/(\d+)/download", "download"),
        (r"/(\d+)/download", "download"),
        (r"/indexer/nzb/(.+)", "indexer_nzb"),
        (r"/api/v1/system/status", "system_status"),
        (r"/api/.*", "unknown_api"),
        (r"/_requests", "get_requests"),
        (r"/_downloads", "get_downloads"),
        (r"/_grabs", "get_grabs"),
        (r"/_inject", "inject"),
    ]

    def base(self):
        return "http://%s" % self.headers.get("Host")

    def proxy(self, link, r):
        """SearchController.MapReleases' link, for an indexer's link."""
        return "%s/%d/download?apikey=%s&link=%s&file=%s" % (
            self.base(), r["indexerId"], API_KEY, encode_link(link),
            urllib.parse.quote_plus(r["title"]))

    def mapped(self, r):
        out = public(r)
        for key in ("downloadUrl", "magnetUrl"):
            if out.get(key):
                out[key] = self.proxy(out[key], r)
        if r.get("_torznab"):
            out["guid"] = out["downloadUrl"]
            out["infoUrl"] = "%s/info/%s?apikey=%s" % (
                self.base(), r["guid"], API_KEY)
            out["commentUrl"] = "%s/comments/%s?apikey=%s#c" % (
                self.base(), r["guid"], API_KEY)
        return out

    def record(self, body):
        url = urllib.parse.urlsplit(self.path)
        with lock:
            requests.append({
                "method": self.command,
                "path": url.path,
                "query": url.query,
                "args": self.query,
                "api_key": self.headers.get("X-Api-Key"),
                "body": body.decode("utf-8", "replace"),
                "time": time.time(),
            })

    def authorized(self):
        if self.headers.get("X-Api-Key") == API_KEY or \
                self.query.get("apikey") == [API_KEY]:
            return True
        self.reply(401)
        return False

    def search(self, m):
        body = self.read_body()
        self.record(body)
        if not self.authorized():
            return
        if self.command == "POST":
            return self.grab(body)
        query = self.query.get("query", [""])[0].lower()
        with lock:
            fault = injected.get(query)
            if fault and fault["times"] > 0:
                fault["times"] -= 1
            else:
                fault = None
        if fault and "hold" in fault:
            http_fake.hold_at(fault["hold"])
        if fault and "status" in fault:
            headers = {}
            if "retry_after" in fault:
                headers["Retry-After"] = str(fault["retry_after"])
            return self.reply(fault["status"], fault.get("body", ""),
                              headers, content_type=fault.get(
                                  "content_type", "application/json"))
        special = getattr(self, "special_" + query, None)
        if special:
            return special()
        self.reply(200, [self.mapped(r) for r in RELEASES.get(query, [])])

    def find(self, guid, indexer_id):
        for releases in RELEASES.values():
            for r in releases:
                if r["indexerId"] == indexer_id and guid in (
                        r["guid"], self.mapped(r)["guid"]):
                    return r
        return None

    def grab(self, body):
        try:
            asked = json.loads(body)
            guid, indexer_id = asked["guid"], asked["indexerId"]
        except (ValueError, KeyError, TypeError):
            return self.reply(400, {"message": "bad request"})
        r = self.find(guid, indexer_id)
        if not r:
            return self.reply(404, {"message": "Couldn't find requested "
                                    "release in cache, try searching "
                                    "again"})
        if r.get("downloadUrl") == "failing":
            return self.reply(409, {"message": "Getting release from "
                                    "indexer failed"})
        with lock:
            grabs.append({"guid": guid, "indexerId": indexer_id})
        self.reply(200, {"guid": guid, "age": 0, "ageHours": 0,
                         "ageMinutes": 0, "size": 0,
                         "indexerId": indexer_id, "imdbId": 0, "tmdbId": 0,
                         "tvdbId": 0, "tvMazeId": 0,
                         "publishDate": "0001-01-01T00:00:00Z",
                         "protocol": "unknown", "fileName": ""})

    def download(self, m):
        indexer_id = int(m.group(1))
        link = self.query.get("link", [""])[0]
        entry = {"indexer": indexer_id, "link": None,
                 "file": self.query.get("file", [None])[0],
                 "api_key": self.query.get("apikey", [None])[0],
                 "status": None, "time": time.time()}
        with lock:
            downloads.append(entry)
        if entry["api_key"] != API_KEY:
            entry["status"] = 401
            return self.reply(401)
        try:
            link = decode_link(link)
        except (ValueError, UnicodeDecodeError):
            entry["status"] = 400
            return self.reply(400, {"message": "Invalid Prowlarr link"})
        entry["link"] = link
        r = None
        for releases in RELEASES.values():
            for x in releases:
                if x["indexerId"] == indexer_id and link in (
                        x.get("downloadUrl"), x.get("magnetUrl")):
                    r = x
        status, body, headers, ctype = self.serve_link(link, r)
        entry["status"] = status
        self.reply(status, body, headers, content_type=ctype)

    def serve_link(self, link, r):
        """What GetDownload answers for an indexer's link."""
        usenet = r is not None and r["protocol"] == "usenet"
        xml = "application/rss+xml"
        if link == "gone":
            return 410, error_xml(410, "Release unavailable"), {}, xml
        if link == "echo":
            return 410, error_xml(410, "Release unavailable: %s" %
                                  self.path), {}, xml
        if link == "limited":
            return 429, error_xml(429, "User configurable Indexer Grab "
                                  "Limit of 1 in last 24 hour(s) reached."), \
                {"Retry-After": "30"}, xml
        if link == "failing":
            return 500, error_xml(500, "Indexer failed"), {}, xml
        if link == "html":
            return 200, "<html><body>Log in</body></html>", {}, \
                "text/html"
        if link == "loop":
            return 301, b"", {"Location": self.path}, None
        if link == "ftp":
            return 301, b"", {"Location": "ftp://files.example/x.torrent"}, \
                None
        if link == "bad-location":
            return 301, b"", {}, None
        if link.startswith("magnet:"):
            return 301, b"", {"Location": link}, None
        if link.startswith("torrent:"):
            return 200, torrent(link[8:]), {
                "Content-Disposition": "attachment; filename=t.torrent"}, \
                "application/x-bittorrent"
        if link.startswith("nzb:"):
            link = self.base() + "/indexer/nzb/" + urllib.parse.quote(
                link[4:])
        if link.startswith("/"):
            link = self.base() + link
        if usenet or (r is not None and r.get("_redirect")):
            return 301, b"", {"Location": link}, None
        try:
            with urllib.request.urlopen(link, timeout=10) as f:
                data = f.read()
        except Exception as e:
            return 500, error_xml(500, str(e)), {}, xml
        if data.startswith(b"magnet:"):
            return 301, b"", {"Location": data.decode()}, None
        return 200, data, {}, "application/x-bittorrent"

    def indexer_nzb(self, m):
        self.reply(200, nzb(urllib.parse.unquote(m.group(1))),
                   content_type="application/x-nzb")

    def system_status(self, m):
        """Prowlarr's SystemController (src/Prowlarr.Api.V1/System/
        SystemController.cs): GET /api/v1/system/status, an API key
        needed, answers appName, version and more (only these here)."""
        self.record(self.read_body())
        if self.authorized():
            self.reply(200, {"appName": "Prowlarr",
                             "version": "1.20.1.4603"})

    def unknown_api(self, m):
        self.record(self.read_body())
        if self.authorized():
            self.reply(404, {"message": "NotFound"})

    def special_malformed(self):
        self.reply(200, '[{"guid": "x", "title": "One Piece T01"',
                   content_type="application/json")

    def special_notarray(self):
        self.reply(200, {"x": 1})

    def special_badshape(self):
        self.reply(200, [self.mapped(release("bs-1", "Badshape T01")),
                         {"guid": "bs-2", "title": 2, "indexerId": 1}])

    def special_html(self):
        self.reply(200, HTML_PAGE, content_type="text/html")

    def special_unavailable(self):
        self.reply(400, {"message": "Search failed due to all selected "
                         "indexers being unavailable"})

    def special_echo(self):
        key = self.headers.get("X-Api-Key", "")
        self.reply(400, {"message": "Invalid request %s (X-Api-Key: %s)" %
                         (self.path, key)})

    def special_error500(self):
        self.reply(500, {"message": "Internal Server Error"})

    def special_ratelimit(self):
        self.reply(429, {"message": "Too Many Requests"},
                   {"Retry-After": "2"})

    def special_huge(self):
        filler = self.mapped(release("huge", "Huge T01 " + "x" * 1000))
        self.reply(200, [filler] * 2400)  # about 6 MiB

    def special_slow(self):
        time.sleep(3)
        self.reply(200, [])

    def get_requests(self, m):
        with lock:
            self.reply(200, list(requests))

    def get_downloads(self, m):
        with lock:
            self.reply(200, list(downloads))

    def inject(self, m):
        fault = json.loads(self.read_body())
        with lock:
            injected[fault["query"].lower()] = fault
        self.reply(200, {"ok": True})

    def get_grabs(self, m):
        with lock:
            self.reply(200, list(grabs))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        with open(sys.argv[1]) as f:
            RELEASES = {k.lower(): v for k, v in json.load(f).items()}
    http_fake.serve(Prowlarr)
