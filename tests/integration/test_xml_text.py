# SPDX-License-Identifier: GPL-3.0-or-later
"""Every XML writer of the daemon writes only the characters XML 1.0 allows
(issue 76): tags and folder names of each class of code point (C0 and C1
controls, surrogates and other bytes that are not UTF-8, U+FFFE and
U+FFFF, the other noncharacters, astral characters, markup) through the
OpenSubsonic XML answers (search3, getAlbum, getRandomSongs), the OPDS
feeds, the dashboard and a folder's page, and the SVG charts: each answer
parsed by two strict parsers (expat and libxml2), each text what the
store holds with only what XML does not take made U+FFFD."""

import json
import os
import re
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest
from lxml import etree

from conftest import make_flac, make_mp3, wait_for
from subsonic_calls import index_made
from test_http import PASSWORD, Web
from test_manga import make_cbz

NS = "{http://subsonic.org/restapi}"
ATOM = "{http://www.w3.org/2005/Atom}"

# The titles of the tracks, one class of code point each (mutagen writes
# them as UTF-8 ID3v2.4 frames); all hold "Zq", which search3 finds.
TITLES = {
    "c0": "Zq c0 \x01\x08\x0b\x0c\x1b\x1f.",
    "c1": "Zq c1 \x7f\x80\x84\x85\x86\x9f.",
    "fffe": "Zq FFFE \ufffe FFFF \uffff.",
    "nonchar": "Zq nonchar \ufdd0\ufdef \U0001fffe \U0010ffff.",
    "astral": "Zq astral \U0001f3b5 \U00010000 \U0010fffd \ufffd.",
    "markup": "Zq markup <a> & \"q\" 'x' ]]>",
}
# A title of bytes that are not UTF-8 (a surrogate, cut, overlong), in a
# FLAC Vorbis comment.
RAW_TITLE = b"Zq raw \xed\xa0\x80 \xc3 \xc0\xaf \xff."
# A manga series folder named with every class, as bytes.
SERIES = (b"Saga \x01\x1f\x7f \xc2\x80\xc2\x85 \xed\xa0\x80 \xef\xbf\xbe"
          b"\xef\xbf\xbf \xef\xb7\x90 \xf0\x9f\x8e\xb5 \xff <&>")


def xml_char(c):
    """Whether XML 1.0 allows the character c and does not discourage it
    (its section 2.2): what the daemon keeps."""
    cp = ord(c)
    if cp < 0x20:
        return c in "\t\n\r"
    if 0x7f <= cp <= 0x9f:
        return cp == 0x85
    if 0xd800 <= cp <= 0xdfff or 0xfdd0 <= cp <= 0xfdef:
        return False
    return cp & 0xfffe != 0xfffe


def fit(text):
    return "".join(c if xml_char(c) else "\ufffd" for c in text)


def strict(body, what):
    """body parsed by expat and by libxml2, neither forgiving: the
    ElementTree root."""
    try:
        etree.fromstring(body, etree.XMLParser(recover=False,
                                               resolve_entities=False))
        return ET.fromstring(body)
    except (ET.ParseError, etree.XMLSyntaxError) as e:
        raise AssertionError("%s is not well-formed XML: %s" % (what, e))


def text_fits(body, what):
    """A page that is HTML, not XML: UTF-8 with only what XML takes."""
    text = body.decode("utf-8")
    bad = [hex(ord(c)) for c in text if not xml_char(c)]
    assert not bad, (what, bad)
    return text


def make_library(top):
    music = os.path.join(top, "music")
    album = os.path.join(music, "Zq Band", "Zq Album")
    os.makedirs(album)
    for i, (name, title) in enumerate(sorted(TITLES.items())):
        make_mp3(os.path.join(album, "%02d %s.mp3" % (i + 1, name)), title,
                 "Zq Band", "Zq Album", i + 1)
    # metaflac takes only UTF-8: a title as long, its bytes then swapped
    flac = os.path.join(album, "98 raw.flac")
    stand_in = b"Zq raw " + b"x" * (len(RAW_TITLE) - 7)
    make_flac(flac, stand_in.decode(), "Zq Band", "Zq Album", 98)
    with open(flac, "rb") as f:
        data = f.read()
    assert data.count(stand_in) == 1
    with open(flac, "wb") as f:
        f.write(data.replace(stand_in, RAW_TITLE))
    manga = os.path.join(os.fsencode(top), b"manga")
    series = os.path.join(manga, SERIES)
    os.makedirs(series)
    for n in (1, 3):
        made = os.path.join(top, "volume.cbz")
        make_cbz(made)
        os.rename(made, os.path.join(series, b"Saga T%02d.cbz" % n))
    return music, os.fsdecode(manga)


@pytest.fixture
def served(tmp_path):
    music, manga = make_library(str(tmp_path))
    w = Web(tmp_path, music=music, manga=manga)
    try:
        wait_for(lambda: w.m.json("status/summary.json"), 60,
                 "every track indexed", mount=w.m,
                 until=lambda s: s["counts"]["tracks"] == len(TITLES) + 1)
        # the lists' index made once they all were
        index_made(w)
        yield w
    finally:
        w.stop()


def rest(w, method, **params):
    """The raw body of /rest/METHOD, XML as players get it by default,
    or JSON with f=json."""
    q = {"u": "root", "p": PASSWORD, "v": "1.16.1", "c": "mediamon-test"}
    q.update(params)
    url = "%s/rest/%s?%s" % (w.base, method, urllib.parse.urlencode(q))
    with urllib.request.urlopen(url, timeout=120) as r:
        assert r.status == 200
        return r.read()


def titles_of(root):
    return sorted(e.get("title") for e in root.iter(NS + "song")
                  if "Zq" in e.get("title"))


def test_subsonic_xml_takes_every_class(served):
    """search3, getAlbum and getRandomSongs in XML parse strictly, each
    title what JSON says with only what XML does not take replaced; the
    JSON titles hold the hostile characters (else nothing was tried)."""
    w = served
    found = json.loads(rest(w, "search3", f="json", query="Zq"))
    songs = found["subsonic-response"]["searchResult3"]["song"]
    held = sorted(s["title"] for s in songs)
    assert len(held) == len(TITLES) + 1, held
    for title in TITLES.values():
        assert title in held, (title, held)
    assert "Zq raw \ufffd" in "".join(held)
    assert sum(fit(t) != t for t in held) >= 4, held
    want = sorted(fit(t) for t in held)
    album = songs[0]["albumId"]
    for method, params in (("search3", {"query": "Zq"}),
                           ("getAlbum", {"id": album}),
                           ("getRandomSongs", {"size": 500})):
        for f in ({}, {"f": "xml"}):
            root = strict(rest(w, method, **params, **f), method)
            assert root.get("status") == "ok", method
            assert titles_of(root) == want, (method, titles_of(root))


def series_name(w):
    """The series' name as the store holds it (missing.json)."""
    doc = wait_for(lambda: w.m.json("status/missing.json"), 60,
                   "the series' missing volume", mount=w.m,
                   until=lambda d: [x for x in d if x["volume"] == 2])
    return [x["series"] for x in doc if x["volume"] == 2][0]


def test_opds_feeds_take_every_class(served):
    """The OPDS feeds that name the series, over HTTP and through the
    mount, parse strictly; its title keeps what XML takes, U+FFFE and
    U+FFFF made U+FFFD."""
    w = served
    name = series_name(w)
    assert "\ufffe" in name and "\x01" in name, ascii(name)
    for rel in ("opds/catalog.xml", "opds/series.xml", "opds/recent.xml",
                "opds/updated.xml"):
        strict(w.m.read(rel), rel)
        status, _, body = w.curl("/" + rel)
        assert status == 200, rel
        strict(body, rel)
    nav = strict(w.curl("/opds/series.xml")[2], "series.xml")
    entries = [e for e in nav.iter(ATOM + "entry")
               if e.find(ATOM + "title").text.startswith("Saga")]
    # (the feeds show controls as spaces); U+FFFE and U+FFFF as U+FFFD
    title = [e.find(ATOM + "title").text for e in entries]
    assert len(title) == 1 and title[0].endswith(
        " \ufffd\ufffd \ufffd \U0001f3b5 \ufffd <&>"), ascii(title)
    href = [ln.get("href") for ln in entries[0].iter(ATOM + "link")][0]
    url = urllib.parse.urljoin("/opds/series.xml", href)
    status, _, body = w.curl(url)
    assert status == 200, url
    feed = strict(body, url)
    titles = [e.find(ATOM + "title").text for e in feed.iter(ATOM + "entry")]
    assert titles == ["%s, volume %d" % (title[0], n) for n in (1, 3)], \
        ascii(titles)


def test_pages_and_charts_take_every_class(served):
    """The dashboard (its health and missing blocks) and a folder's page
    are UTF-8 with only what XML takes, the series named in them; the SVG
    charts parse strictly."""
    w = served
    name = series_name(w)
    line = wait_for(lambda: w.m.read("status/missing").decode("utf-8"), 60,
                    "the series in status/missing", mount=w.m,
                    until=lambda t: "\t2\n" in t)
    line = [ln for ln in line.splitlines() if ln.endswith("\t2")][0]
    assert "\ufffe" in line, ascii(line)
    status, headers, body = w.curl("/")
    assert status == 200
    page = text_fits(body, "/")
    # the series' folder, linked to its feed, and its missing volume
    assert re.search(r'<li><a href="/opds/series/[^"]+\.xml">[^<]*'
                     r'(<img [^>]*>)? Saga [^<]*\ufffd[^<]*&lt;&amp;&gt;'
                     r'</a> missing: 2', page), ascii(page)
    status, _, body = w.curl("/library/manga/")
    assert status == 200
    listing = text_fits(body, "/library/manga/")
    assert re.search(r">Saga [^<]*\ufffd[^<]*&lt;&amp;&gt;/</a>", listing), \
        ascii(listing)
    assert fit(name)[:5] == "Saga "
    for chart in ("scans", "checks", "repairs"):
        status, _, body = w.curl("/metrics/%s.svg" % chart)
        assert status == 200
        assert strict(body, chart).tag == "{http://www.w3.org/2000/svg}svg"
