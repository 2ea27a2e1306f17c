# SPDX-License-Identifier: GPL-3.0-or-later
"""Walks of the views while the daemon makes folders ahead of them (a
walk's next folders are listed before it asks): walks at once see every
track where DESIGN.md puts it, a walk over a tag change ends on the new
names, and the daemon stops cleanly when unmounted in the middle of walks.
The library has more folders than the daemon keeps listed, so folders
are made, dropped and made again while the walks run."""

import os
import shutil
import subprocess
import threading

import pytest

from conftest import (SLOW, is_mounted, reached, run, start, unmount,
                      wait_for)
from test_views import CONVERGE_S

ARTISTS = 25
ALBUMS = 3
GENRES = ["Rock", "Jazz", "Pop", "Folk", "Soul"]
MUSIC = os.path.join("library", "music")
WALKERS = 4


def album_tags(i, j):
    return {"ARTIST": "Artist %02d" % i, "ALBUM": "Album %02d-%d" % (i, j),
            "DATE": str(1990 + (i + j) % 12),
            "GENRE": GENRES[(i + j) % len(GENRES)],
            "TITLE": "Song %02d-%d" % (i, j), "TRACKNUMBER": "1"}


def retag(path, tags):
    run(*(["metaflac", "--remove-all-tags"] +
          ["--set-tag=%s=%s" % kv for kv in sorted(tags.items())] + [path]))


def expected(albums):
    """Every file of every view, for {relative file: tags}."""
    out = set()
    for tags in albums.values():
        song = "01 - %s.flac" % tags["TITLE"]
        artist, album, year = tags["ARTIST"], tags["ALBUM"], tags["DATE"]
        out.add("artists/%s/%s (%s)/%s" % (artist, album, year, song))
        out.add("albums/%s (%s)/%s" % (album, artist, song))
        out.add("genres/%s/%s/%s (%s)/%s" % (tags["GENRE"], artist, album,
                                             year, song))
        out.add("years/%s/%s - %s/%s" % (year, artist, album, song))
    return out


def walk(top, errors, entered=None):
    """The files under top, relative to it; what fails goes to errors, and
    each folder listed is counted in entered[0] (when given)."""
    out = set()
    for d, _, files in os.walk(top, onerror=errors.append):
        if entered is not None:
            entered[0] += 1
        for name in files:
            out.add(os.path.relpath(os.path.join(d, name), top))
    return out


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    root = tmp_path_factory.mktemp("walks") / "music"
    albums = {}
    for i in range(ARTISTS):
        for j in range(ALBUMS):
            rel = "a%02d/%d.flac" % (i, j)
            path = str(root / rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            run("sox", "-n", "-r", "8000", "-c", "1", "-b", "16",
                path + ".wav", "synth", "0.1", "sine",
                str(200 + 7 * (i * ALBUMS + j)))
            run("flac", "-s", "-f", "-o", path, path + ".wav")
            os.unlink(path + ".wav")
            albums[rel] = album_tags(i, j)
            retag(path, albums[rel])
    return root, albums


@pytest.fixture
def walks(template, tmp_path):
    root = str(tmp_path / "music")
    shutil.copytree(str(template[0]), root)
    conf = tmp_path / "w.conf"
    conf.write_text("[general]\nwatch_debounce = 100ms\n[music]\n"
                    "root = %s\n" % root)
    m = start(tmp_path, "config=" + str(conf))
    m.root = root
    m.albums = {k: dict(v) for k, v in template[1].items()}
    yield m
    unmount(m.path, m.proc)
    assert not is_mounted(m.path)


class Walkers:
    """WALKERS threads walking the music views over and over."""

    def __init__(self, m, rounds=None):
        self.top = os.path.join(m.path, MUSIC)
        self.rounds = rounds
        self.stop = threading.Event()
        self.seen = []
        self.errors = []
        self.entered = [0]
        self.threads = [threading.Thread(target=self.loop, daemon=True)
                        for _ in range(WALKERS)]
        for t in self.threads:
            t.start()

    def loop(self):
        done = 0
        while not self.stop.is_set() and done != self.rounds:
            errors = []
            self.seen.append(walk(self.top, errors, self.entered))
            self.errors += errors
            done += 1

    def under_way(self):
        """Wait until the walks have listed some folders between them."""
        wait_for(lambda: self.entered[0], 30, "walks under way",
                 until=lambda n: n >= 4 * WALKERS, interval=0.01)

    def join(self):
        for t in self.threads:
            t.join(60 * SLOW)
            assert not t.is_alive(), "a walk did not end"


def test_walks_at_once_see_every_track(walks):
    want = expected(walks.albums)
    walkers = Walkers(walks, rounds=2)
    walkers.join()
    assert walkers.errors == []
    assert len(walkers.seen) == 2 * WALKERS
    for seen in walkers.seen:
        assert seen == want


def test_walks_over_a_tag_change_end_on_the_new_names(walks):
    walkers = Walkers(walks)
    walkers.under_way()
    rel = "a03/1.flac"
    walks.albums[rel]["ALBUM"] = "Renamed"
    walks.albums[rel]["GENRE"] = "Blues"
    retag(os.path.join(walks.root, rel), walks.albums[rel])
    want = expected(walks.albums)
    top = os.path.join(walks.path, MUSIC)
    wait_for(lambda: walk(top, []) == want or
             sorted(walk(top, []) ^ want), CONVERGE_S,
             "views after the retag", until=reached)
    walkers.stop.set()
    walkers.join()
    # a folder may vanish between its listing and its walk, nothing else
    assert [e for e in walkers.errors
            if not isinstance(e, FileNotFoundError)] == []
    assert walk(top, []) == want


def test_unmount_in_the_middle_of_walks(walks):
    walkers = Walkers(walks)
    walkers.under_way()
    subprocess.run(["fusermount3", "-u", "-z", walks.path], check=True)
    walkers.stop.set()
    walkers.join()
    assert walks.proc.wait(timeout=15 * SLOW) == 0
    assert "unmounting" in open(walks.proc.log_path).read()
