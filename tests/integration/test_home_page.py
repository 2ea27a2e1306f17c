# SPDX-License-Identifier: GPL-3.0-or-later
"""The home page at / (issue 79), read through headless Chromium's DOM:
what the account has, counted over what its user may read, for root and
for a household account that may not enter one of the folders."""

import base64
import html.parser
import http.server
import json
import os
import re
import pathlib
import shutil
import signal
import subprocess
import tempfile
import threading
import urllib.parse
import zipfile

import pytest

from cdp import Browser
from conftest import make_flac, share, wait_for
from test_covers import jpeg
from test_manga import make_cbz
from access_users import user, world  # noqa: F401
from test_http import PASSWORD, Web, open_and_shut


class Cells(html.parser.HTMLParser):
    """The text of every element with an id, by its id."""

    def __init__(self):
        super().__init__()
        self.ids, self.open = {}, []

    def handle_starttag(self, tag, attrs):
        ident = dict(attrs).get("id")
        self.open.append(ident)
        if ident:
            self.ids[ident] = ""

    def handle_endtag(self, tag):
        if self.open:
            self.open.pop()

    def handle_data(self, data):
        for ident in self.open:
            if ident:
                self.ids[ident] += data


def dump_dom(w, tmp, name):
    """The page at / as the account name sees it once Chromium ran it."""
    chromium = shutil.which("chromium")
    if not chromium:
        pytest.skip("chromium is not installed")
    url = w.base.replace("http://", "http://%s:%s@" % (
        name, urllib.parse.quote(PASSWORD))) + "/"
    dom = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu",
         "--no-first-run", "--disable-background-networking",
         "--user-data-dir=" + tempfile.mkdtemp(dir=tmp),
         "--dump-dom", url], capture_output=True, text=True, timeout=180)
    assert dom.returncode == 0, dom.stderr
    return dom.stdout


def page_dom(w, tmp, name):
    """The page's elements' texts by id, as the account name sees it."""
    cells = Cells()
    cells.feed(dump_dom(w, tmp, name))
    return cells.ids


def web_of_two(world, user, what, until, **libraries):
    """A listener of root's and the household account's over libraries,
    and its folder, once root's counts are until's."""
    where = tempfile.mkdtemp(dir=world)
    os.chmod(where, 0o755)
    w = Web(where, names=("root", user.name), **libraries)
    try:
        wait_for(lambda: json.loads(w.curl("/status/summary.json")[2]),
                 60, what, until=lambda d: d["counts"] and
                 until(d["counts"]))
    except BaseException:
        w.stop()
        raise
    return w, where


COUNTS = ("tracks", "albums", "artists", "series", "volumes", "missing")


def test_each_account_sees_its_own_counts(world, user):  # noqa: F811
    """Root's page counts both artists' tracks; the household account's
    only the one in the folder its user may enter, as its summary.json
    does: never the whole library's."""
    music = open_and_shut(world)
    w, where = web_of_two(world, user, "both tracks counted",
                          lambda c: c["tracks"] == 2, music=music)
    try:
        # the account's counts are made on a thread of their own: the
        # first read may find them being counted
        doc = wait_for(lambda: json.loads(w.curl(
            "/status/summary.json", user=user.name)[2]), 60,
            "the account's counts", until=lambda d: d["counts"])
        mine = page_dom(w, where, "root")
        theirs = page_dom(w, where, user.name)
        for name in COUNTS:
            assert int(theirs["count-" + name]) == doc["counts"][name]
        assert [int(mine["count-" + n]) for n in COUNTS[:3]] == [2, 2, 2]
        assert [int(theirs["count-" + n]) for n in COUNTS[:3]] == [1, 1, 1]
        assert [int(theirs["count-" + n]) for n in COUNTS[3:]] == [0, 0, 0]
        # a track added where the user may read shows in its counts
        make_flac(os.path.join(music, "Open", "Two", "01.flac"), "Two",
                  "Open", "Two", 1)
        wait_for(lambda: json.loads(w.curl("/status/summary.json",
                                           user=user.name)[2]),
                 60, "the new track in the account's counts",
                 until=lambda d: (d["counts"]["tracks"],
                                  d["counts"]["albums"]) == (2, 2))
    finally:
        w.stop()


def test_own_counts_never_wait_for_a_hung_share(world, user):  # noqa: F811
    """The account's counts ask the kernel about every folder as its user;
    with the library on a share that stopped answering (its server
    stopped), its summary.json still answers, the counts null (being
    counted), and they come once the share answers again (issue 79: no request waits on work that grows with the
    library; before, the request counted them itself and hung)."""
    music = open_and_shut(world)
    where = tempfile.mkdtemp(dir=world)
    os.chmod(where, 0o755)
    procs = []
    # the kernel keeps nothing of the share: every look reaches it
    with share(music, pathlib.Path(world) / "share", procs=procs,
               options=("attr_timeout=0", "entry_timeout=0",
                        "negative_timeout=0")) as shared:
        w = Web(where, names=("root", user.name), music=str(shared))
        try:
            wait_for(lambda: json.loads(w.curl("/status/summary.json")[2]),
                     60, "both tracks counted",
                     until=lambda d: d["counts"]["tracks"] == 2)
            procs[0].send_signal(signal.SIGSTOP)
            try:
                doc = json.loads(w.curl("/status/summary.json",
                                        user=user.name)[2])
                assert doc["counts"] is None, doc
            finally:
                procs[0].send_signal(signal.SIGCONT)
            doc = wait_for(lambda: json.loads(w.curl(
                "/status/summary.json", user=user.name)[2]), 60,
                "the account's counts once the share answers",
                until=lambda d: d["counts"])
            assert (doc["counts"]["tracks"], doc["counts"]["albums"]) == \
                (1, 1), doc
        finally:
            w.stop()


def refresh_of(body):
    """The seconds of the page's meta refresh."""
    found = re.search(rb'<meta http-equiv="refresh" content="(\d+)">', body)
    assert found, body[:500]
    return int(found.group(1))


def test_what_runs_now(world):  # noqa: F811
    """Idle, the page says so and reloads every minute; asked to rescan,
    each page seen while the scan runs names it with its files done and
    reloads every few seconds; then it is idle again."""
    music = open_and_shut(world)
    where = tempfile.mkdtemp(dir=world)
    w = Web(where, music=music)
    try:
        dom = page_dom(w, where, "root")
        assert dom["now-state"] == "idle", dom
        assert dom["now-checks"] == "0 running, 0 queued", dom
        assert "now-progress" not in dom
        assert refresh_of(w.curl("/")[2]) == 60
        last = json.loads(w.curl("/status/summary.json")[2])["last_scan"]
        assert w.curl("/control/rescan", "--data-binary", "1")[0] == 200

        def page():
            body = w.curl("/")[2]
            if b'id="now-state">scanning<' in body:
                assert refresh_of(body) == 5, body
                assert re.search(rb'id="now-progress">\d+ files', body)
            return body, json.loads(w.curl("/status/summary.json")[2])
        wait_for(page, 60, "the rescan over",
                 until=lambda r: r[1]["state"] == "idle" and
                 r[1]["last_scan"]["id"] != last["id"] and
                 b'id="now-state">idle<' in r[0])
        assert refresh_of(w.curl("/")[2]) == 60
    finally:
        w.stop()


def lately(w, tmp, name):
    """The (link, cover) of each album and of each volume the page says
    came lately, as the account name sees it through Chromium."""
    dom = dump_dom(w, tmp, name)
    found = []
    for what in ("albums", "volumes"):
        part = re.search(r'<ul id="lately-%s"[^>]*>(.*?)</ul>' % what,
                         dom, re.S)
        assert part, dom[-2000:]
        found.append(re.findall(
            r'<li><a href="([^"]+)">(?:<img src="([^"]+)")?',
            part.group(1)))
    return found


def test_what_came_lately(world, user):  # noqa: F811
    """The albums and volumes added last, each with its cover and a link
    to its folder or its series' feed: root sees both albums and both
    series', the household account only those in the folders its user
    may enter; every link and cover it is shown answers it."""
    music = open_and_shut(world)
    for seed, album in enumerate(("Open/Pub", "Shut/Priv")):
        with open(os.path.join(music, album, "cover.jpg"), "wb") as f:
            f.write(jpeg(700 + seed))
    manga = os.path.join(world, "manga")
    for name in ("Open Saga", "Shut Saga"):
        os.makedirs(os.path.join(manga, name))
        make_cbz(os.path.join(manga, name, name + " T01.cbz"))
    os.chmod(os.path.join(manga, "Shut Saga"), 0o700)
    where = tempfile.mkdtemp(dir=world)
    os.chmod(where, 0o755)
    w = Web(where, names=("root", user.name), music=music, manga=manga)
    try:
        wait_for(lambda: json.loads(w.curl("/status/summary.json")[2]),
                 60, "both volumes counted",
                 until=lambda d: d["counts"]["volumes"] == 2)
        albums, mine = lately(w, where, "root")
        their_albums, theirs = lately(w, where, user.name)
        assert sorted(urllib.parse.unquote(h) for h, _ in mine) == [
            "/opds/series/Open Saga.xml", "/opds/series/Shut Saga.xml"]
        assert [urllib.parse.unquote(h) for h, _ in theirs] == [
            "/opds/series/Open Saga.xml"]
        assert sorted(urllib.parse.unquote(h).split("/")[4]
                      for h, _ in albums) == ["Open", "Shut"]
        assert [urllib.parse.unquote(h).split("/")[4]
                for h, _ in their_albums] == ["Open"]
        for href, cover in theirs + their_albums:
            assert cover, (theirs, their_albums)
            for url in (href, cover):
                assert w.curl(url, user=user.name)[0] == 200, url
    finally:
        w.stop()


def lately_albums(w, name):
    """The artist folders of the albums the page at / says came lately,
    as the account name gets it."""
    status, _, body = w.curl("/", user=name)
    assert status == 200
    part = re.search(r'<ul id="lately-albums"[^>]*>(.*?)</ul>',
                     body.decode(), re.S)
    assert part, body[-2000:]
    return sorted(urllib.parse.unquote(h).split("/")[4] for h in
                  re.findall(r'<li><a href="([^"]+)"', part.group(1)))


def test_an_album_shut_leaves_what_came_lately_at_once(world, user):  # noqa: F811
    """An album folder the account's user can no longer enter leaves the
    account's albums that came lately in the very next page, though its
    lists' index, kept, still holds it (issue 77); root's keep it."""
    music = open_and_shut(world)
    where = tempfile.mkdtemp(dir=world)
    os.chmod(where, 0o755)
    w = Web(where, names=("root", user.name), music=music)
    try:
        wait_for(lambda: lately_albums(w, "root"), 60, "both albums",
                 until=lambda v: v == ["Open", "Shut"], mount=w.m)
        assert lately_albums(w, user.name) == ["Open"]
        os.chmod(os.path.join(music, "Open", "Pub"), 0o700)
        assert lately_albums(w, user.name) == []
        assert lately_albums(w, "root") == ["Open", "Shut"]
    finally:
        w.stop()


# The smallest computed font size of the page's texts, in CSS pixels.
SMALLEST_TEXT = """Math.min(...[...document.querySelectorAll('body *')]
    .filter(e => [...e.childNodes].some(n => n.nodeType == 3 &&
                                        n.textContent.trim()))
    .map(e => parseFloat(getComputedStyle(e).fontSize)))"""
# Each chart the page shows: the file chosen, its width, its width shown.
CHARTS = """[...document.querySelectorAll('#charts img')]
    .map(i => [new URL(i.currentSrc).pathname, i.naturalWidth,
               i.getBoundingClientRect().width])"""
# How far right the page's boxes reach.
REACH = """Math.max(...[...document.querySelectorAll('body *')]
    .map(e => e.getBoundingClientRect().right))"""


def shown_charts(w, b):
    """The charts of the page in Browser b, each (file, smallest text of
    it as shown, in CSS pixels)."""
    found = []
    for path, natural, shown in b.js(CHARTS):
        svg = w.curl(path)[2].decode()
        least = min(float(size) for size in
                    re.findall(r'font-size="([0-9.]+)"', svg))
        assert natural > 0, path
        found.append((path.rsplit("/", 1)[1], least * shown / natural))
    return found


def test_readable_on_a_phone_and_a_tv(world):  # noqa: F811
    """In Chromium at a phone's 390x844, no text of the page nor of its
    charts is under 12 CSS px (the charts drawn narrow), and nothing
    overflows sideways; at a TV's 1920x1080 the page uses the width and
    the charts come wide. Charts of features with no history yet (no
    monitor, no debrid here) are left out."""
    music = open_and_shut(world)
    where = tempfile.mkdtemp(dir=world)
    w = Web(where, music=music)
    auth = "Basic " + base64.b64encode(
        ("root:" + PASSWORD).encode()).decode()
    try:
        wait_for(lambda: json.loads(w.curl("/status/summary.json")[2]),
                 60, "a scan over",
                 until=lambda d: d["last_scan"] and d["state"] == "idle")
        for size, chart in (((390, 844), "scans-narrow.svg"),
                            ((1920, 1080), "scans.svg")):
            with Browser(where, *size, mobile=size[0] < 500) as b:
                b.headers(Authorization=auth)
                b.open(w.base + "/")
                assert b.js(SMALLEST_TEXT) >= 12, size
                charts = shown_charts(w, b)
                assert [name for name, _ in charts] == [chart], charts
                assert all(least >= 12 for _, least in charts), charts
                # a phone scrolls no sideways; a TV's width is used
                assert b.js("document.documentElement.scrollWidth") <= \
                    size[0]
                assert b.js(REACH) >= 0.9 * size[0], size
    finally:
        w.stop()


# Each card of a folder page: its link, its cover's source and width
# loaded, and how far from the top it stands.
CARDS = """[...document.querySelectorAll('#folders a')]
    .map(a => { const i = a.querySelector('img');
                return [a.getAttribute('href'),
                        i ? new URL(i.currentSrc).pathname : null,
                        i ? i.naturalWidth : 0,
                        Math.round(a.getBoundingClientRect().top)]; })"""


def test_folders_as_a_grid_of_covers(world, user):  # noqa: F811
    """A folder page of /library is a grid of cards, each album with the
    cover it holds (loaded), side by side on a phone and on a TV, no text
    under 12 px; an album's page shows its cover on top; the household
    account's cards are only the albums its user may enter."""
    music = open_and_shut(world)
    make_flac(os.path.join(music, "Open", "Later", "01.flac"), "Later",
              "Open", "Later", 1)
    for seed, album in enumerate(("Open/Pub", "Open/Later", "Shut/Priv")):
        with open(os.path.join(music, album, "cover.jpg"), "wb") as f:
            f.write(jpeg(710 + seed))
    where = tempfile.mkdtemp(dir=world)
    os.chmod(where, 0o755)
    w = Web(where, names=("root", user.name), music=music)
    top = "/library/music/artists/"
    try:
        wait_for(lambda: json.loads(w.curl("/status/summary.json")[2]),
                 60, "the albums counted",
                 until=lambda d: d["counts"]["albums"] == 3)
        for name in ("root", user.name):
            auth = "Basic " + base64.b64encode(
                (name + ":" + PASSWORD).encode()).decode()
            for size in ((390, 844), (1920, 1080)):
                with Browser(where, *size, mobile=size[0] < 500) as b:
                    b.headers(Authorization=auth)
                    b.open(w.base + top)
                    artists = [c[0] for c in b.js(CARDS)]
                    assert artists == (["Open/", "Shut/"] if name ==
                                       "root" else ["Open/"]), artists
                    b.open(w.base + top + "Open/")
                    cards = b.js(CARDS)
                    assert [c[0] for c in cards] == ["Later/", "Pub/"]
                    assert [c[1] for c in cards] == [
                        top + "Open/Later/cover.jpg",
                        top + "Open/Pub/cover.jpg"], cards
                    assert all(c[2] > 0 for c in cards), cards
                    # a grid: both cards on one row
                    assert cards[0][3] == cards[1][3], cards
                    assert b.js(SMALLEST_TEXT) >= 12
                    b.open(w.base + top + "Open/Pub/")
                    assert b.js("document.getElementById('cover')"
                                ".naturalWidth") > 0
            assert w.curl(top + "Shut/Priv/", user=name)[0] == \
                (200 if name == "root" else 404)
    finally:
        w.stop()


def token_of(body):
    """The token of the page's forms."""
    found = re.findall(rb'name="token" value="([0-9a-f]{64})"', body)
    assert found and len(set(found)) == 1, body[-3000:]
    return found[0].decode()


class Elsewhere(http.server.BaseHTTPRequestHandler):
    """Another site: a page whose form posts itself to the listener."""
    page = b""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(self.page)

    def log_message(self, *args):
        pass


def test_buttons_for_the_owner_alone(world, user):  # noqa: F811
    """The owner's page has buttons; pressed in Chromium, rescan starts a
    scan (the log says so) and the browser comes back to the page. The
    household account has none. The same form posted from another
    site's page, token and all, is refused and starts nothing; so is a
    form of the page's own origin without its token."""
    music = open_and_shut(world)
    where = tempfile.mkdtemp(dir=world)
    os.chmod(where, 0o755)
    w = Web(where, names=("root", user.name), music=music)
    auth = "Basic " + base64.b64encode(
        ("root:" + PASSWORD).encode()).decode()
    server = None
    try:
        def summary():
            return json.loads(w.curl("/status/summary.json")[2])
        last = wait_for(summary, 60, "the first scan over",
                        until=lambda d: d["last_scan"] and
                        d["state"] == "idle")["last_scan"]["id"]
        assert b'id="buttons"' not in w.curl("/", user=user.name)[2]
        token = token_of(w.curl("/")[2])
        form = ("-H", "Content-Type: application/x-www-form-urlencoded")
        for origin, sent in (("http://elsewhere.example", token),
                             ("null", token), (w.base, "0" * 64),
                             (w.base, "")):
            status, _, body = w.curl(
                "/control/log-level", "-H", "Origin: " + origin, *form,
                "--data-binary", "token=%s&value=error" % sent)
            assert status == 403, (origin, body)
        assert w.m.read("control/log-level").decode().split()[0] != \
            "error"
        status, headers, _ = w.curl(
            "/control/log-level", "-H", "Origin: " + w.base, *form,
            "--data-binary", "token=%s&value=debug" % token)
        assert (status, headers.get("location")) == (303, "/")
        assert w.m.read("control/log-level").decode().split()[0] == \
            "debug"

        with Browser(where, 390, 844, mobile=True) as b:
            b.headers(Authorization=auth)
            b.open(w.base + "/")
            assert b.js("document.querySelectorAll('#buttons form')"
                        ".length") == 4
            b.js("document.querySelector('#do-rescan button').click()")
            wait_for(lambda: summary()["last_scan"]["id"], 60,
                     "the scan the button started",
                     until=lambda i: i and i > last)
            assert re.search(rb"scan %d started" % (last + 1),
                             w.m.read("log")), w.m.read("log")[-2000:]
            wait_for(lambda: b.js("location.pathname"), 60,
                     "the page again", until=lambda p: p == "/")
            last = wait_for(summary, 60, "the scan over",
                            until=lambda d: d["state"] == "idle")[
                "last_scan"]["id"]

            Elsewhere.page = (
                '<form id="f" method="post" action="%s/control/rescan">'
                '<input type="hidden" name="token" value="%s">'
                '<input type="hidden" name="value" value="1"></form>'
                '<script>document.getElementById("f").submit()</script>'
                % (w.base, token)).encode()
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                     Elsewhere)
            threading.Thread(target=server.serve_forever,
                             daemon=True).start()
            b.call("Page.navigate", b.session, url="http://localhost:%d/"
                   % server.server_address[1])
            text = wait_for(lambda: b.js("location.href.startsWith('%s')"
                                         " && document.readyState =="
                                         " 'complete' &&"
                                         " document.body.innerText"
                                         % w.base), 60,
                            "the listener's answer to the other site")
            assert "another site" in text, text
        doc = summary()
        assert (doc["state"], doc["last_scan"]["id"]) == ("idle", last)
    finally:
        if server:
            server.shutdown()
        w.stop()


# Each series of the page's missing list: its link, its cover loaded,
# and the volumes said missing.
MISSING = """[...document.querySelectorAll('#missing li')]
    .map(li => { const a = li.querySelector('a'),
                       i = li.querySelector('img');
                 return [decodeURIComponent(new URL(a.href).pathname),
                         i ? i.naturalWidth : 0,
                         li.innerText.split('missing: ')[1]]; })"""


def test_missing_volumes_link_to_their_series(world, user):  # noqa: F811
    """The page lists each missing volume under its series, with the
    series' cover, linked to its feed; the household account sees only
    the series its user may enter, and what it is shown answers it."""
    manga = os.path.join(world, "manga")
    for name, have in (("Open Saga", (1, 3, 5)), ("Shut Saga", (1, 4))):
        os.makedirs(os.path.join(manga, name))
        for v in have:
            with zipfile.ZipFile(os.path.join(
                    manga, name, "%s T%02d.cbz" % (name, v)), "w") as z:
                z.writestr("001.jpg", jpeg(720 + v))
    os.chmod(os.path.join(manga, "Shut Saga"), 0o700)
    w, where = web_of_two(world, user, "the volumes counted",
                          lambda c: c["volumes"] == 5, manga=manga)
    try:
        for name, want in (("root", [
                ["/opds/series/Open Saga.xml", "2, 4"],
                ["/opds/series/Shut Saga.xml", "2, 3"]]), (user.name, [
                ["/opds/series/Open Saga.xml", "2, 4"]])):
            with Browser(where, 390, 844, mobile=True) as b:
                b.headers(Authorization="Basic " + base64.b64encode(
                    (name + ":" + PASSWORD).encode()).decode())
                b.open(w.base + "/")
                shown = b.js(MISSING)
                assert [[s[0], s[2]] for s in shown] == want, shown
                assert all(s[1] > 0 for s in shown), shown
                for feed, _ in want:
                    assert w.curl(urllib.parse.quote(feed),
                                  user=name)[0] == 200, feed
    finally:
        w.stop()
