#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fake Nautiljon for tests, on the base fake server (http_fake.py).

    /mangas/one+piece.html    200, a page shaped like Nautiljon's in 2025
                              (.infosFicheTop .liste_infos li, bold spans),
                              its title (.h1titre [itemprop=name]), cover
                              (#onglets_3_couverture href) and synopsis
                              (.description) where komf's parser of the
                              live site reads them (tests/data/SOURCES.md)
    /mangas/berserk.html      200, other markup: <b>, no classes, entities
    /mangas/nofield.html      200, a series page without the counts
    /mangas/garbage.html      200, binary bytes
    /mangas/cloudflare.html   403 with a Cloudflare challenge page and the
                              header Cloudflare's documentation says every
                              challenge carries (cf-mitigated: challenge)
    /mangas/cloudflare+wait.html  the same with Retry-After: 600
    /mangas/cloudflare+busy.html  the same challenge sent with a 429 and no
                              Retry-After, as Cloudflare's bot protection
                              answers (tests/data/SOURCES.md)
    /mangas/ratelimit.html    429 with Retry-After: 3
    /mangas/ratelimit+bare.html  429 without Retry-After
    /mangas/slow+MS+...html   sleeps MS milliseconds, then 404 (a slow
                              site, for a check that lasts)
    /mangas/anything-else     404 with the page Nautiljon gave for a
                              series it does not have, as a public
                              scraper saved it (tests/data/nautiljon/
                              not-found.html; its status was not saved)
    /_requests                200, [{path, time, headers}] of every request
                              to /mangas/ so far, oldest first
    POST /_set                {SLUG: [VF count, VF status], ...}: serve
                              these from now on (a volume came out)

    nautiljon_fake.py [SERIES.json]

SERIES.json, if given, maps more slugs to [VF count, VF status]: each is
served as a page in the 2025 markup.

Like Cloudflare, it answers 403 to a request without a User-Agent or
with a library's default one (curl/, python-), as Nautiljon refused a
public scraper's default client in 2022 (tests/data/SOURCES.md).

No page of these but not-found.html is one Nautiljon gave: no series
page, challenge or 429 of Nautiljon's was found recorded (SOURCES.md
lists the searches), so the others keep the shapes said above.
"""

import json
import os
import re
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_fake import FakeHandler, serve  # noqa: E402

ONE_PIECE = """<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>One Piece - Manga - Nautiljon</title>
<script>var x = "<li>Nb volumes VF : 1 (Faux)</li>";</script>
</head>
<body>
<div id="page">
 <ul class="menu"><li><a href="/mangas/">Mangas</a></li></ul>
 <div class="infosFicheTop">
  <h1 class="h1titre"><span itemprop="name">One Piece</span></h1>
  <div class="image_fiche">
   <a id="onglets_3_couverture"
      href="/images/manga/00/21/one_piece_1.webp"><img
      src="/imagesmin/manga/00/21/one_piece_1.webp" alt=""></a>
  </div>
  <div class="liste_infos">
   <ul class="mb10">
    <li><span class="bold">Titre original :</span> ONE PIECE</li>
    <li><span class="bold">Origine :</span> Japon - 1997</li>
    <li><span class="bold">Type :</span> Shônen</li>
    <li><span class="bold">Auteur :</span>
     <a href="/people/oda+eiichiro.html">ODA Eiichirô</a></li>
    <li><span class="bold">Genres :</span>
     <a href="/genres/action.html">Action</a> -
     <a href="/genres/aventure.html">Aventure</a></li>
    <li><span class="bold">Éditeur VO :</span> Shueisha</li>
    <li><span class="bold">Nb volumes VO :</span> 113 (En cours)</li>
    <li><span class="bold">Éditeur VF :</span> Glénat</li>
    <li><span class="bold">Nb volumes VF :</span>
     111 (En cours)</li>
    <li><span class="bold">Prix :</span> 7.20&nbsp;&euro;</li>
   </ul>
  </div>
 </div>
 <div class="top_bloc"><h2>Résumé</h2>
  <div class="description">Luffy, un garçon au corps élastique,
   part en mer.<br><br><b>Il veut</b> devenir le roi des pirates.</div>
 </div>
 <ul class="volumes"><li>Nb volumes VF : 5 (Faux)</li></ul>
</div>
</body>
</html>
"""

BERSERK = """<html><head><title>Berserk</title></head>
<body><div><ul>
<li><b>Titre original&nbsp;:</b> Berserk
<li><B>NB VOLUMES VO&nbsp;:</B>&nbsp;42&nbsp;(En&nbsp;attente)
<li><strong>Nb volumes VF&#160;:</strong>  42
 ( Abandonn&eacute; )
<li><b>Nb volumes VF :</b> 7 (Faux)
</ul>
"""

NOFIELD = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Rien</title></head>
<body><div class="infosFicheTop"><ul class="liste_infos">
<li><span class="bold">Titre original :</span> Rien</li>
<li><span class="bold">Nb chapitres :</span> 12</li>
</ul></div></body></html>
"""

CLOUDFLARE = """<!DOCTYPE html>
<html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="refresh" content="390"></head>
<body><div class="main-wrapper" role="main">
<h1>www.nautiljon.com</h1>
<h2>Verify you are human by completing the action below.</h2>
<div id="challenge-stage"></div>
<div class="footer">Performance &amp; security by Cloudflare</div>
</div></body></html>
"""

GARBAGE = bytes(range(256)) * 16

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                       "data", "nautiljon", "not-found.html"), "rb") as f:
    NOT_FOUND = f.read()

EXTRA = {}

LIBRARY_AGENTS = ("curl/", "python-", "wget/", "go-http-client")


class Nautiljon(FakeHandler):
    routes = FakeHandler.routes + [
        (r"/mangas/(.+)\.html", "series"),
        (r"/_requests", "requests"),
        (r"/_set", "set_series"),
    ]

    lock = threading.Lock()
    log = []

    def requests(self, m):
        with self.lock:
            self.reply(200, list(self.log))

    def set_series(self, m):
        with self.lock:
            for slug, (count, status) in json.loads(
                    self.read_body()).items():
                EXTRA[slug] = make_page(slug, count, status)
        self.reply(200, {"ok": True})

    def series(self, m):
        agent = self.headers.get("User-Agent", "")
        with self.lock:
            self.log.append({
                "path": urllib.parse.urlsplit(self.path).path,
                "time": time.time(),
                "headers": dict(self.headers.items()),
            })
        if not agent or agent.lower().startswith(LIBRARY_AGENTS):
            return self.cloudflare()
        slow = re.match(r"slow\+(\d+)", m.group(1))
        if slow:
            time.sleep(int(slow.group(1)) / 1000)
        page = EXTRA.get(m.group(1)) or {
            "one+piece": ONE_PIECE,
            "berserk": BERSERK,
            "nofield": NOFIELD,
        }.get(m.group(1))
        html = "text/html; charset=UTF-8"
        if page is not None:
            self.reply(200, page, content_type=html)
        elif m.group(1) == "garbage":
            self.reply(200, GARBAGE, content_type=html)
        elif m.group(1) == "cloudflare":
            self.cloudflare()
        elif m.group(1) == "cloudflare+wait":
            self.cloudflare({"Retry-After": "600"})
        elif m.group(1) == "cloudflare+busy":
            self.cloudflare(status=429)
        elif m.group(1) == "ratelimit":
            self.reply(429, "Too Many Requests", {"Retry-After": "3"},
                       content_type="text/plain")
        elif m.group(1) == "ratelimit+bare":
            self.reply(429, "Too Many Requests", content_type="text/plain")
        else:
            self.reply(404, NOT_FOUND, content_type=html)

    def cloudflare(self, more=None, status=403):
        self.reply(status, CLOUDFLARE,
                   dict({"Server": "cloudflare",
                         "CF-RAY": "8f1e2d3c4b5a6978-CDG",
                         "cf-mitigated": "challenge"}, **(more or {})),
                   content_type="text/html; charset=UTF-8")


def make_page(slug, count, status):
    """A series page in the 2025 markup with the given French count, its
    heading the slug's title ("saga+01": "Saga 01")."""
    title = urllib.parse.unquote_plus(slug).title()
    return ONE_PIECE.replace("111 (En cours)", "%d (%s)" % (
        count, status)).replace(">One Piece</span></h1>",
                                ">%s</span></h1>" % title)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        with open(sys.argv[1]) as f:
            for slug, (count, status) in json.load(f).items():
                EXTRA[slug] = make_page(slug, count, status)
    serve(Nautiljon)
