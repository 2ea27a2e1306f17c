# SPDX-License-Identifier: GPL-3.0-or-later
"""Album ids that last (issue 77): an album's id is made of its artist
folder and its title, not of the year the view names its folder with,
so a song of a later year joining it keeps the id and the album's star;
an id of the form before (with the year) still names the album, and a
star kept by one is the album's star after the upgrade, taken back by
an unstar of today's id."""

import os
import sqlite3
import time

from conftest import wait_for
from subsonic_calls import (call, call_current, call_many, ok, failed,
                            starred)
from test_http import Web
from test_subsonic_search import tagged


def band(top, year=1999):
    tagged(os.path.join(top, "Band", "Tones", "01.flac"), "First", "Band",
           "Tones", year=year)
    tagged(os.path.join(top, "Band", "Tones", "02.flac"), "Second", "Band",
           "Tones", freq=550, year=year)


def album(w):
    """The one album of getAlbumList2, with its songs (getAlbum)."""
    albums = ok(call(w, "getAlbumList2", type="alphabeticalByName")[2])[
        "albumList2"]["album"]
    assert len(albums) == 1, albums
    return ok(call(w, "getAlbum", id=albums[0]["id"])[2])["album"]


def album_with(w, songs, year):
    return wait_for(lambda: album(w), 60, "the album of %d songs" % songs,
                    until=lambda a: len(a["song"]) == songs and
                    a.get("year") == year, mount=w.m,
                    ignore=(AssertionError,))


def folder_id(artist_album):
    """The album id of the form before: the hex of the view's folder."""
    return "al" + artist_album.encode().hex()


def test_later_year_keeps_the_id_and_the_star(tmp_path):
    top = tmp_path / "music"
    band(str(top))
    w = Web(tmp_path, music=top)
    try:
        before = album_with(w, 2, 1999)
        assert os.path.isdir(w.m.file(
            "library/music/artists/Band/Tones (1999)"))
        ok(call(w, "star", albumId=before["id"])[2])
        tagged(str(top / "Band" / "Tones" / "03.flac"), "Third", "Band",
               "Tones", freq=660, year=2005)
        after = album_with(w, 3, 2005)
        # the view's folder took the new year; the id did not
        assert os.path.isdir(w.m.file(
            "library/music/artists/Band/Tones (2005)"))
        assert after["id"] == before["id"] == "al" + b"Band/Tones".hex()
        assert "starred" in after
        assert all(s["albumId"] == before["id"] for s in after["song"])
        assert starred(w)[1] == {"Tones"}
        listed = ok(call_current(w, "getAlbumList2", type="starred"))[
            "albumList2"]["album"]
        assert [a["id"] for a in listed] == [before["id"]]
        # the id of before, with either year, names the album still
        for old in ("Band/Tones (1999)", "Band/Tones (2005)"):
            got = ok(call(w, "getAlbum", id=folder_id(old))[2])["album"]
            assert got["id"] == before["id"]
        # but not another album's or artist's
        for bad in ("Band/Tone", "Band/Tones (19999)", "Band/Tones (x)",
                    "Zed/Tones", "Band/Tones (2005)/01.flac"):
            failed(call(w, "getAlbum", id=folder_id(bad))[2], 70)
    finally:
        w.stop()


def old_star(db, item):
    """Keep a star of root's for item as the store kept an album's before
    (the hex of its folder, year and all)."""
    con = sqlite3.connect(db, timeout=60)
    try:
        with con:
            con.execute("INSERT INTO subsonic_stars (account, kind, item,"
                        " starred_at) VALUES ('root', 'album', ?, ?)",
                        (item, time.time() - 3600))
    finally:
        con.close()


def test_star_of_the_id_before_survives(tmp_path):
    top = tmp_path / "music"
    band(str(top))
    w = Web(tmp_path, music=top)
    try:
        today = album_with(w, 2, 1999)["id"]
        assert starred(w)[1] == set()
    finally:
        w.stop()
    # as the daemon before this one kept the star of the album
    old_star(w.m.db, folder_id("Band/Tones (1999)"))
    log = w.m.proc.log_path
    os.rename(log, log + ".before")
    w = Web(tmp_path, music=top)
    try:
        got = album_with(w, 2, 1999)
        assert got["id"] == today and "starred" in got
        # a song of a later year: the star of before stays the album's
        tagged(str(top / "Band" / "Tones" / "03.flac"), "Third", "Band",
               "Tones", freq=660, year=2005)
        got = album_with(w, 3, 2005)
        assert got["id"] == today and "starred" in got
        stars = ok(call(w, "getStarred2")[2])["starred2"]["album"]
        assert [a["id"] for a in stars] == [today]
        # starred again by today's id: still one album in the list
        ok(call(w, "star", albumId=today)[2])
        stars = ok(call(w, "getStarred2")[2])["starred2"]["album"]
        assert [a["id"] for a in stars] == [today]
        # an unstar of today's id takes back the star of before too
        ok(call_many(w, "unstar", [("albumId", today)]))
        assert starred(w)[1] == set()
        assert "starred" not in album(w)
    finally:
        w.stop()
