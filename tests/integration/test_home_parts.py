# SPDX-License-Identifier: GPL-3.0-or-later
"""The home page's last points (issue 79): its health lines with since
when each holds and where its fix is told, each linked to its series
when it names one the reader may see (escaped, and never another
user's); the folder pages' cards with their size and date, from the
index."""

import base64
import calendar
import html
import json
import os
import re
import sqlite3
import tempfile
import time
import urllib.parse

from cdp import Browser
from conftest import make_flac, wait_for
from access_users import pytestmark as needs_users
from access_users import user, world  # noqa: F401
from test_covers import jpeg
from test_health_shown import (OPEN, PRIVATE, SERVICE, lines_of, plant,
                               reason, with_private_series)
from test_home_page import CARDS, SMALLEST_TEXT
from test_http import PASSWORD, Web, open_and_shut
from test_status_speed import FILES, tiny_library  # noqa: F401

TAGGED = "Tag <b>bold Saga & Co"

# A line of the page's health block: its class, its text, the time of
# its since, what its fix says.
LINE = re.compile(r'<li class="(error|warn|ok)">(?:<span class="line">'
                  r'(.*?)</span>)?(?: <span class="since">since <time'
                  r' datetime="([^"]+)">\d{4}-\d\d-\d\d \d\d:\d\d UTC</time>'
                  r' \((?:\d+ ms|[0-9.]+ s|\d+ min \d+ s)\)</span>)?'
                  r'(?: <span class="fix">see (.*?)</span>)?\n')


def health_block(w, name):
    """The lines of the page's health block as the account name sees
    them: {text: (class, since in seconds or None, fix)}."""
    page = w.curl("/", user=name)[2].decode()
    block = re.search(r'<ul id="health">\n(.*?)</ul>', page, re.S)
    assert block, page[-3000:]
    found = {}
    for li in re.finditer(r"<li.*?\n", block.group(1)):
        m = LINE.fullmatch(li.group(0))
        assert m, li.group(0)
        since = m.group(3) and calendar.timegm(time.strptime(
            m.group(3), "%Y-%m-%dT%H:%M:%SZ"))
        found[html.unescape(m.group(2) or "ok")] = (m.group(1), since,
                                                    m.group(4))
    return found


def plant_import(db_path, series, volume):
    """A completed download of series whose import failed."""
    db = sqlite3.connect(db_path, timeout=30)
    try:
        with db:
            db.execute("INSERT INTO downloads (series, volume, state,"
                       " client, title, source, at, error) VALUES"
                       " (?, ?, 'completed', 'qbittorrent', ?, 'prowlarr',"
                       " ?, ?)", (series, volume, "%s v%02d" % (
                           series, volume), time.time(),
                           reason(series, volume)))
    finally:
        db.close()


def plant_check_errors(db_path):
    """A missing-volume check that ended with two errors."""
    db = sqlite3.connect(db_path, timeout=30)
    try:
        with db:
            db.execute("INSERT INTO checks (kind, trigger, started_at,"
                       " finished_at, errors) VALUES ('missing', 'control',"
                       " ?1, ?1, 2)", (time.time(),))
    finally:
        db.close()


CHECKED = "warn: monitor: the last missing check had 2 errors (see /log)"


def drop_imports(db_path, series):
    db = sqlite3.connect(db_path, timeout=30)
    try:
        with db:
            db.execute("DELETE FROM downloads WHERE series = ?", (series,))
    finally:
        db.close()


def feed_of(fix):
    """The series feed the fix links to, or None."""
    found = re.search(r'<a href="(/opds/series/[^"]+)">', fix)
    return found and urllib.parse.unquote(found.group(1))


@needs_users
def test_health_lines_since_when_and_what_to_do(world,  # noqa: F811
                                                tmp_path):
    with_private_series(world, {OPEN: (1,), PRIVATE: (1, 3),
                                TAGGED: (1,)}, PRIVATE,
                        lambda w, u, manga: check_health(w, u, tmp_path))


def check_health(w, u, tmp_path):
    m = w.m
    wait_for(lambda: len(os.listdir(m.file("manga"))), 60,
             "the series indexed", mount=m, until=lambda n: n == 3)
    before = int(time.time())
    plant(m.db)
    plant_import(m.db, TAGGED, 2)
    plant_check_errors(m.db)
    mine, theirs = lines_of(OPEN, 2), lines_of(PRIVATE, 3)
    tagged = lines_of(TAGGED, 2)[0]
    shown = wait_for(lambda: health_block(w, "root"), 30,
                     "the planted lines on the page", mount=m,
                     until=lambda b: all(x in b for x in mine + theirs +
                                         [tagged, SERVICE, CHECKED]))
    after = int(time.time())
    for line in mine + theirs + [tagged, SERVICE]:
        kind, since, fix = shown[line]
        assert kind == line.split(":")[0], (line, kind)
        assert before - 1 <= since <= after, (line, since, before)
        assert fix, line
    # a line of a series links to its feed, another to the manual
    assert feed_of(shown[mine[0]][2]) == "/opds/series/%s.xml" % OPEN
    assert feed_of(shown[mine[1]][2]) == "/opds/series/%s.xml" % OPEN
    assert feed_of(shown[theirs[0]][2]) == "/opds/series/%s.xml" % PRIVATE
    assert "mediamon.conf(5), [import]" in shown[mine[0]][2]
    assert feed_of(shown[SERVICE][2]) is None
    # the log, for the owner who may read it
    assert shown[CHECKED][2] == '<a href="/log">/log</a>,' \
        ' mediamon.conf(5), [monitor]', shown[CHECKED]
    assert w.curl("/log")[0] == 200
    assert shown[SERVICE][2] == "mediamon.conf(5), [download]", \
        shown[SERVICE]
    # a name with markup is text, in the line and in its link
    page = w.curl("/")[2].decode()
    assert "<b>bold" not in page and "Tag &lt;b&gt;bold Saga &amp; Co" \
        " volume 2" in page, page[-3000:]
    assert feed_of(shown[tagged][2]) == "/opds/series/%s.xml" % TAGGED
    for href in re.findall(r'<span class="fix">see <a href="([^"]+)"',
                           page):
        assert w.curl(href)[0] == 200, href
    # health.json says the same for scripts
    doc = json.loads(w.curl("/status/health.json")[2])
    told = {d["line"]: (d["level"], calendar.timegm(time.strptime(
        d["since"], "%Y-%m-%dT%H:%M:%SZ"))) for d in doc}
    for line, v in shown.items():
        assert told[line] == v[:2], (line, told)
    assert {d["line"]: d["see"] for d in doc}[SERVICE] == \
        "mediamon.conf(5), [download]"
    # readable on a phone: no text under 12 px, nothing sideways
    with Browser(w.where, 390, 844, mobile=True) as b:
        b.headers(Authorization="Basic " + base64.b64encode(
            ("root:" + PASSWORD).encode()).decode())
        b.open(w.base + "/")
        b.js("document.getElementById('health').scrollIntoView()")
        assert b.screenshot(str(tmp_path / "health-390x844.png")) == \
            (390, 844)
        # each line with its since (another may have come meanwhile)
        lines = b.js("[...document.querySelectorAll('#health li')]"
                     ".map(li => [li.querySelector('.line').textContent,"
                     " !!li.querySelector('.since time')])")
        assert set(shown) <= {t for t, _ in lines}, lines
        assert all(has for _, has in lines), lines
        assert b.js(SMALLEST_TEXT) >= 12
        assert b.js("document.documentElement.scrollWidth") <= 390
    # the household account: its series' lines with theirs times and
    # links, never the private series' nor a link to it
    status, _, body = w.curl("/", user=u.name)
    assert status == 200 and PRIVATE.encode() not in body, body[-3000:]
    theirs_shown = health_block(w, u.name)
    for line in mine:
        assert theirs_shown[line] == shown[line], line
    assert theirs_shown[CHECKED][2] == "mediamon.conf(5), [monitor]"
    theirs_doc = json.loads(w.curl("/status/health.json", user=u.name)[2])
    assert set(theirs_shown) - {"ok"} <= {d["line"] for d in theirs_doc}
    assert not any(PRIVATE in d["line"] for d in theirs_doc)
    # a problem that ends is forgotten: back, it holds since its return
    first = shown[tagged][1]
    drop_imports(m.db, TAGGED)
    wait_for(lambda: m.read("status/health").decode(), 30,
             "the ended line gone", mount=m,
             until=lambda t: tagged not in t)
    wait_for(lambda: int(time.time()), 5, "the next second",
             until=lambda t: t > first)
    plant_import(m.db, TAGGED, 2)
    again = wait_for(lambda: health_block(w, "root"), 30,
                     "the line back", mount=m,
                     until=lambda b: tagged in b)[tagged][1]
    assert again > first, (again, first)
    assert health_block(w, "root")[mine[0]][1] == shown[mine[0]][1]


def human(n):
    """bytes as the cards say them"""
    units, u = ("B", "kB", "MB", "GB", "TB"), 0
    while n >= 1000 and u + 1 < len(units):
        n /= 1000.0
        u += 1
    return ("%.1f %s" if u and n < 10 else "%.0f %s") % (n, units[u])


# Each card of a folder page: its link, and what it says under its name.
SIZES = """[...document.querySelectorAll('#folders li')]
    .map(li => [li.querySelector('a').getAttribute('href'),
                (li.querySelector('.size') || {}).textContent || null,
                (li.querySelector('time') || {}).textContent || null])"""


def album(music, path, seed, when):
    """The folder path of music: its track's and its cover's sizes, each
    file's time set to when."""
    total = 0
    with open(os.path.join(music, path, "cover.jpg"), "wb") as f:
        f.write(jpeg(seed) * 50)
    for name in os.listdir(os.path.join(music, path)):
        full = os.path.join(music, path, name)
        os.utime(full, (when, when))
        total += os.path.getsize(full)
    return total


def test_cards_tell_size_and_date(world, user):  # noqa: F811
    """Each card of a folder page says the bytes of its album's files
    (an artist's: of its albums') and the day of the newest, as the
    index knows them; the household account gets the cards of the
    folders its user may enter alone, with the same figures."""
    music = open_and_shut(world)
    make_flac(os.path.join(music, "Open", "Later", "01.flac"), "Later",
              "Open", "Later", 1)
    pub = album(music, "Open/Pub", 731, 1614852000)        # 2021-03-04
    later = album(music, "Open/Later", 732, 1651834800)    # 2022-05-06
    priv = album(music, "Shut/Priv", 733, 1262347200)      # 2010-01-01
    where = tempfile.mkdtemp(dir=world)
    os.chmod(where, 0o755)
    w = Web(where, names=("root", user.name), music=music)
    top = "/library/music/artists/"
    try:
        wait_for(lambda: w.curl("/status/summary.json")[2], 60,
                 "the albums counted",
                 until=lambda d: b'"albums": 3' in d or
                 b'"albums":3' in d)
        for name in ("root", user.name):
            auth = "Basic " + base64.b64encode(
                (name + ":" + PASSWORD).encode()).decode()
            with Browser(where, 390, 844, mobile=True) as b:
                b.headers(Authorization=auth)
                b.open(w.base + top)
                want = [["Open/", human(pub + later), "2022-05-06"]]
                if name == "root":
                    want.append(["Shut/", human(priv), "2010-01-01"])
                assert b.js(SIZES) == want, name
                b.open(w.base + top + "Open/")
                assert b.js(SIZES) == [
                    ["Later/", human(later), "2022-05-06"],
                    ["Pub/", human(pub), "2021-03-04"]], name
                assert b.js(SMALLEST_TEXT) >= 12
                assert [c[0] for c in b.js(CARDS)] == ["Later/", "Pub/"]
    finally:
        w.stop()


# What the page says runs now, and how often it reloads itself.
NOW = """[document.getElementById('now-state').textContent,
    (document.getElementById('now-progress') || {}).textContent || null,
    document.querySelector('meta[http-equiv=refresh]').content]"""


def fresh(b, url):
    """The page at url loaded anew in Browser b (not the one before)."""
    b.js("window.before = true")
    b.open(url)
    wait_for(lambda: b.js("!window.before && document.readyState =="
                          " 'complete'"), 60, "the page loaded anew")


def test_the_page_while_a_large_library_is_scanned(tiny_library,
                                                     tmp_path):
    """While the first scan of a large library runs, the page answers,
    names the scan with its files done of the files counted on disk so
    far (a count that only grows, then holds every file) and reloads
    every 5 s, as summary.json's scan_progress says; a rescan's pages
    say the files done of the estimate (the store's count), in Chromium
    on a phone and on a TV (screenshots taken, no text under 12 px,
    nothing overflowing), and once it is over the page is idle and
    reloads every minute."""
    w = Web(tmp_path, music=tiny_library, wait=False)
    try:
        seen = []

        def first():
            """A page and summary.json while the first scan runs, or
            None once it is over."""
            body = w.curl("/")[2].decode()
            doc = json.loads(w.curl("/status/summary.json")[2])
            if doc["last_scan"] and doc["state"] == "idle":
                return None
            if 'id="now-state">scanning<' in body:
                seen.append((body, doc["scan_progress"]))
            return body
        # the whole count shown while the scan still runs
        wait_for(first, 300, "the first scan shown with all its files",
                 until=lambda b: b is None or re.search(
                     r'id="now-progress">\d+ files of %d<' % (FILES + 1),
                     b))
        wait_for(first, 300, "the first scan over",
                 until=lambda b: b is None)
        files = json.loads(w.curl("/status/summary.json")[2])[
            "counts"]["files"]
        assert files == FILES + 1, files
        assert seen, "no page while the first scan ran"
        totals = []
        for body, progress in seen:
            assert 'content="5"' in body, body[:600]
            m = re.search(r'id="now-progress">(\d+) files of (\d+)</span>'
                          r'( <span id="now-counting">)?', body)
            assert m, body[-2000:]
            done, total = int(m.group(1)), int(m.group(2))
            assert done <= total <= files, (done, total)
            totals.append(total)
            # summary.json read just after: the same count or more
            assert progress["total_estimate"] >= total or \
                progress["total_estimate"] is None, (progress, total)
            assert progress["counting"] in (True, False)
            if not m.group(3):
                assert total == files, (total, body[-2000:])
        assert totals == sorted(totals), totals
        assert totals[-1] == files, totals
        auth = "Basic " + base64.b64encode(
            ("root:" + PASSWORD).encode()).decode()
        for size in ((390, 844), (1920, 1080)):
            with Browser(tmp_path, *size, mobile=size[0] < 500) as b:
                b.headers(Authorization=auth)

                def busy():
                    """The page, once a scan runs; else a scan asked."""
                    fresh(b, w.base + "/")
                    now = b.js(NOW)
                    if now[0] == "idle":
                        assert now[2] == "60", now
                        assert w.curl("/control/rescan", "--data-binary",
                                      "full")[0] == 200
                    return now
                now = wait_for(busy, 300, "a page while a scan runs",
                               until=lambda n: n[0] == "scanning")
                assert now[2] == "5", now
                assert re.fullmatch(r"\d+ files of %d" % files, now[1]), \
                    (now, files)
                shot = tmp_path / ("busy-%dx%d.png" % size)
                assert b.screenshot(str(shot)) == size
                assert b.js(SMALLEST_TEXT) >= 12, size
                assert b.js("document.documentElement.scrollWidth") <= \
                    size[0]

                def idle():
                    fresh(b, w.base + "/")
                    return b.js(NOW)
                now = wait_for(idle, 300, "the page idle again",
                               until=lambda n: n[0] == "idle")
                assert now[1:] == [None, "60"], now
                assert b.screenshot(str(tmp_path / ("idle-%dx%d.png" %
                                                    size))) == size
                assert b.js(SMALLEST_TEXT) >= 12, size
    finally:
        w.stop()
