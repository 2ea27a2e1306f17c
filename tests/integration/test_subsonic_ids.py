# SPDX-License-Identifier: GPL-3.0-or-later
"""Song ids that last (issue 67): across renames and moves the watcher
sees, rescans and restarts; an id of the old form, or of a gone song,
names nothing; a gone file's stars and plays go with it."""

import os
import re
import sqlite3
import urllib.parse
import urllib.request

from conftest import make_flac, wait_for
from subsonic_calls import (call, ok, failed, music_library, walk, walked,
                            restarted, view_path, starred)
from subsonic_calls import music  # noqa: F401
from test_http import PASSWORD, Web


def test_old_song_ids_name_nothing(music):  # noqa: F811
    """A song's id of the form before ("tr" and the hex of its view
    path) names nothing now: code 70, as the man page says."""
    ids = walk(music)
    assert all(re.fullmatch(r"so[1-9][0-9]*", v[0]) for v in ids.values())
    rel = os.path.relpath(view_path(music, ids["First"][0]),
                          music.m.file("library/music/artists"))
    old = "tr" + rel.encode().hex()
    for method in ("getSong", "stream", "getSimilarSongs2", "getCoverArt"):
        failed(call(music, method, id=old)[2], 70)


def file_row(w, song_id):
    """(the folder's path, the name) of the store's row of a song's
    file, or None."""
    con = sqlite3.connect("file:%s?mode=ro" % w.m.db, uri=True,
                          timeout=60)
    try:
        row = con.execute("SELECT d.path, f.name FROM files f JOIN"
                          " directories d ON d.id = f.dir_id WHERE"
                          " f.id = ?", (int(song_id[2:]),)).fetchone()
    finally:
        con.close()
    return row and (bytes(row[0]).decode() if isinstance(row[0], bytes)
                    else row[0],
                    bytes(row[1]).decode() if isinstance(row[1], bytes)
                    else row[1])


def test_song_ids_outlive_renames_and_moves(music):  # noqa: F811
    """A rename the watcher sees, and a move to another folder of the
    same root, keep a song's id: the same song, its file's bytes
    streamed from the new place; no other song takes the old id."""
    top = music.where / "music"
    before = walk(music)
    first, second = before["First"][0], before["Second"][0]
    os.rename(str(top / "Band" / "Tones" / "01.flac"),
              str(top / "Band" / "Tones" / "renamed.flac"))
    wait_for(lambda: file_row(music, first), 60, "the rename in the store",
             until=lambda v: v == ("Band/Tones", "renamed.flac"),
             mount=music.m)
    os.rename(str(top / "Band" / "Tones" / "02.flac"),
              str(top / "Zed" / "Solo" / "moved.flac"))
    wait_for(lambda: file_row(music, second), 60, "the move in the store",
             until=lambda v: v == ("Zed/Solo", "moved.flac"),
             mount=music.m)
    assert walked(music, "the songs after the moves",
                  lambda v: v == before) == before
    for sid, title, path in ((first, "First", "Band/Tones/renamed.flac"),
                             (second, "Second", "Zed/Solo/moved.flac")):
        assert ok(call(music, "getSong", id=sid)[2])["song"]["title"] == \
            title
        q = urllib.parse.urlencode({"u": "root", "p": PASSWORD, "id": sid})
        with urllib.request.urlopen("%s/rest/stream?%s" % (music.base, q),
                                    timeout=120) as r:
            assert r.read() == (top / path).read_bytes()
    # a rescan after the moves keeps them too
    music.m.rescan()
    assert walk(music) == before


def test_ids_outlive_a_rescan_and_a_restart(music):  # noqa: F811
    before = walk(music)
    music.m.rescan()
    assert walk(music) == before
    w = restarted(music)
    try:
        assert walk(w) == before
    finally:
        w.stop()


def star_rows(w):
    """The files.id of the songs starred or played in the store."""
    con = sqlite3.connect("file:%s?mode=ro" % w.m.db, uri=True,
                          timeout=60)
    try:
        return sorted(r[0] for r in con.execute(
            "SELECT item FROM subsonic_stars WHERE kind = 'song' UNION"
            " ALL SELECT file_id FROM subsonic_plays"))
    finally:
        con.close()


def test_stars_of_a_gone_file_go_with_it(tmp_path):
    """With keep_gone = 0 a deleted file's stars and plays go at once;
    a new file taking its number does not take them."""
    top = tmp_path / "music"
    music_library(str(top))
    w = Web(tmp_path, music=top, conf_extra="[general]\nkeep_gone = 0\n")
    try:
        ids = walked(w)
        gone, kept = ids["Only"][0], ids["First"][0]
        for sid in (gone, kept):
            ok(call(w, "star", id=sid)[2])
            ok(call(w, "scrobble", id=sid)[2])
        assert star_rows(w) == sorted([int(gone[2:])] * 2 +
                                      [int(kept[2:])] * 2)
        os.unlink(str(top / "Zed" / "Solo" / "01.flac"))
        wait_for(lambda: star_rows(w), 60, "the stars of the gone file",
                 until=lambda v: v == [int(kept[2:])] * 2, mount=w.m)
        assert starred(w) == (set(), set(), {"First"})
        failed(call(w, "getSong", id=gone)[2], 70)
        # a new file: whatever number it gets, no star comes with it
        make_flac(str(top / "Zed" / "Solo" / "02.flac"), "New", "Zed",
                  "Solo", 2, freq=770)
        new = walked(w, "the new song", lambda v: "New" in v)["New"][0]
        song = ok(call(w, "getSong", id=new)[2])["song"]
        assert "starred" not in song and "playCount" not in song
        assert starred(w) == (set(), set(), {"First"})
    finally:
        w.stop()


def test_a_gone_songs_id_names_no_new_song(tmp_path):
    """With keep_gone = 0 the song of the highest id goes; a new file
    gets a higher id, and the old id answers 70: a client's cached id
    or star never names another song."""
    top = tmp_path / "music"
    music_library(str(top))
    w = Web(tmp_path, music=top, conf_extra="[general]\nkeep_gone = 0\n")
    try:
        ids = walked(w)
        title, old = max(((t, v[0]) for t, v in ids.items()),
                         key=lambda x: int(x[1][2:]))
        ok(call(w, "star", id=old)[2])
        ok(call(w, "scrobble", id=old)[2])
        path = {"First": ("Band", "Tones", "01.flac"),
                "Second": ("Band", "Tones", "02.flac"),
                "Only": ("Zed", "Solo", "01.flac")}[title]
        os.unlink(str(top.joinpath(*path)))
        wait_for(lambda: star_rows(w), 60, "the gone song's stars",
                 until=lambda v: v == [], mount=w.m)
        make_flac(str(top / "Zed" / "Solo" / "new.flac"), "New", "Zed",
                  "Solo", 3, freq=770)
        new = walked(w, "the new song", lambda v: "New" in v)["New"][0]
        assert int(new[2:]) > int(old[2:])
        for method in ("getSong", "stream", "star", "scrobble"):
            failed(call(w, method, id=old)[2], 70)
        song = ok(call(w, "getSong", id=new)[2])["song"]
        assert song["title"] == "New"
        assert "starred" not in song and "playCount" not in song
        assert starred(w) == (set(), set(), set())
    finally:
        w.stop()
