# SPDX-License-Identifier: GPL-3.0-or-later
"""Search as people type on a phone (issue 77): search3 and search2 match
artists, albums and songs with case and marks folded in every script
(utf8proc), so a lower-case or unaccented query finds a French, Greek or
Scandinavian library's names; a query that is not UTF-8 is an error."""

import os

import pytest

from conftest import make_flac, run, wait_for
from subsonic_calls import call, ok, failed, walked, private_root
from access_users import world  # noqa: F401
from test_http import Web


def tagged(path, title, artist, album, freq=440, year=None):
    """A one-second FLAC tone made and tagged by ffmpeg."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tags = ["-metadata", "title=" + title, "-metadata", "artist=" + artist,
            "-metadata", "album_artist=" + artist, "-metadata",
            "album=" + album]
    if year:
        tags += ["-metadata", "date=%d" % year]
    run("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i",
        "sine=frequency=%d:duration=1" % freq, *tags, "-y", path)


def folded_library(top):
    """Ørsted's Déjà Vu (Λάμδα, Straße der Lieder), Åsa's Ελληνικά (Été
    Indien)."""
    tagged(os.path.join(top, "o", "d", "01.flac"), "Λάμδα", "Ørsted",
           "Déjà Vu")
    tagged(os.path.join(top, "o", "d", "02.flac"), "Straße der Lieder",
           "Ørsted", "Déjà Vu", freq=550)
    tagged(os.path.join(top, "a", "e", "01.flac"), "Été Indien", "Åsa",
           "Ελληνικά", freq=660)


@pytest.fixture(scope="module")
def folded(tmp_path_factory):
    where = tmp_path_factory.mktemp("folded")
    folded_library(str(where / "music"))
    w = Web(where, music=where / "music")
    try:
        walked(w)
        yield w
    finally:
        w.stop()


def search(w, method, query):
    """(artist names, album names, song titles) that method finds."""
    member = {"search3": "searchResult3", "search2": "searchResult2"}
    r = ok(call(w, method, query=query)[2])[member[method]]
    return (sorted(a["name"] for a in r["artist"]),
            sorted(a.get("name", a.get("title")) for a in r["album"]),
            sorted(s["title"] for s in r["song"]))


@pytest.mark.parametrize("method", ["search3", "search2"])
@pytest.mark.parametrize("query,found", [
    ("ørsted", (["Ørsted"], [], [])),
    ("ØRSTED", (["Ørsted"], [], [])),
    ("deja", ([], ["Déjà Vu"], [])),
    ("DÉJÀ VU", ([], ["Déjà Vu"], [])),
    ("de\u0301ja\u0300", ([], ["Déjà Vu"], [])),
    ("λ", ([], ["Ελληνικά"], ["Λάμδα"])),
    ("ΛΑΜΔΑ", ([], [], ["Λάμδα"])),
    ("ελληνικα", ([], ["Ελληνικά"], [])),
    ("strasse", ([], [], ["Straße der Lieder"])),
    ("STRASSE", ([], [], ["Straße der Lieder"])),
    ("straße", ([], [], ["Straße der Lieder"])),
    ("ete ind", ([], [], ["Été Indien"])),
    ("asa", (["Åsa"], [], [])),
    ("Åsa", (["Åsa"], [], [])),
    ("orsted", ([], [], [])),
    ("nowhere", ([], [], [])),
])
def test_folded_matches(folded, method, query, found):
    assert search(folded, method, query) == found


def test_everything_when_empty(folded):
    assert search(folded, "search3", "") == (
        ["Åsa", "Ørsted"], ["Déjà Vu", "Ελληνικά"],
        ["Straße der Lieder", "Été Indien", "Λάμδα"])


@pytest.mark.parametrize("method", ["search3", "search2"])
def test_query_not_utf8(folded, method):
    """Bytes that are no UTF-8 are refused, in JSON and XML, and the
    door answers on."""
    for bad in (b"\xff", b"caf\xc3", b"\xed\xa0\x80"):
        r = failed(call(folded, method, query=bad)[2], 0)
        assert "multibyte" in r["error"]["message"] or \
            "sequence" in r["error"]["message"], r
    root = call(folded, method, f="xml", query=b"\xff")[2]
    assert root.get("status") == "failed"
    assert search(folded, method, "deja")[1] == ["Déjà Vu"]


def test_a_page_filled_past_what_the_account_may_not_read(world):  # noqa: F811
    """search3 looks for the matches its page needs first: when the
    first of them are in a folder the account may no longer enter (its
    index, kept, still holds them), it looks on and fills the page with
    those it may read."""
    with private_root(world) as (w, mine, ids, top):
        for n in range(3):
            make_flac(os.path.join(top, "Aaa", "Hid%d" % n, "01.flac"),
                      "Hid%d" % n, "Aaa", "Hid%d" % n, 1)
        wait_for(lambda: ok(call(w, "search3", query="", **mine)[2])[
            "searchResult3"]["album"], 60, "the albums for the account",
            until=lambda v: len(v) == 4, mount=w.m)
        os.chmod(os.path.join(top, "Aaa"), 0o700)
        got = ok(call(w, "search3", query="", albumCount=1, songCount=1,
                      artistCount=1, **mine)[2])["searchResult3"]
        assert [a["name"] for a in got["album"]] == ["Pub"]
        assert [s["title"] for s in got["song"]] == ["Pub"]
        assert [a["name"] for a in got["artist"]] == ["Open"]
        got = ok(call(w, "search3", query="", albumCount=1, songCount=1,
                      artistCount=1)[2])["searchResult3"]
        assert [a["name"] for a in got["album"]] == ["Hid0"]
