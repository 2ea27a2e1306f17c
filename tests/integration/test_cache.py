# SPDX-License-Identifier: GPL-3.0-or-later
"""The kernel keeps the mount's entries and attributes for a moment
(entry_timeout and attr_timeout, 1 s unless -o says), and folders'
listings, and the daemon tells it to forget what changed
(fs/mount/invalidate.c). With that caching on, what stat(), `ls` and `ls -l`
show catches up with a change within a bounded time, and what a read
returns is right at once: the whole new file, never the old pages or the
old size. Each test runs twice: with the
default timeouts, and with timeouts far longer than the time a test waits,
which only the daemon's invalidation can beat."""

import os
import subprocess

import pytest

from conftest import (is_mounted, make_flac, reached, run, start, unmount,
                      wait_for)
from test_views import CONVERGE_S, sha

ARTISTS = os.path.join("library", "music", "artists")


def ls_sizes(folder):
    """{name: size} as `ls -l` prints them (lstat through the kernel)."""
    out = subprocess.run(["ls", "-ln", "--quoting-style=literal", folder],
                         check=True, stdout=subprocess.PIPE).stdout
    sizes = {}
    for line in out.decode().splitlines()[1:]:
        fields = line.split(None, 8)
        sizes[fields[8]] = int(fields[4])
    return sizes


def untrue_sizes(m, folder):
    """The files of folder whose `ls -l` size is not their length, or
    True when there is none."""
    top = m.file(folder)
    wrong = {}
    for name, size in ls_sizes(top).items():
        path = os.path.join(top, name)
        if os.path.isfile(path):
            length = len(m.read(os.path.join(folder, name)))
            if size != length:
                wrong[name] = (size, length)
    return wrong or True


@pytest.fixture(params=[(), ("entry_timeout=600", "attr_timeout=600")],
                ids=["default", "long"])
def cached(request, tmp_path):
    root = tmp_path / "music"
    for n in (1, 2):
        make_flac(str(root / "a" / ("%d.flac" % n)), "Song %d" % n, "Art",
                  "Alb", n, 300 + 40 * n)
    manga = tmp_path / "manga" / "Berserk"
    manga.mkdir(parents=True)
    for n in (1, 3):
        (manga / ("Berserk T%02d.cbz" % n)).write_bytes(b"volume %d" % n)
    conf = tmp_path / "c.conf"
    conf.write_text("[general]\nwatch_debounce = 100ms\n[music]\n"
                    "root = %s\n[manga]\nroot = %s\n" %
                    (root, manga.parent))
    m = start(tmp_path, "config=" + str(conf), *request.param)
    m.root = str(root)
    m.album = m.file(os.path.join(ARTISTS, "Art", "Alb"))
    yield m
    unmount(m.path, m.proc)
    assert not is_mounted(m.path)


def test_generated_sizes_true_after_they_change(cached):
    folders = ["status", "metrics", "control"]
    for folder in folders:
        wait_for(lambda: untrue_sizes(cached, folder), CONVERGE_S,
                 "true sizes in " + folder, until=reached)
    before = ls_sizes(cached.file("metrics"))["scan.csv"]
    dry = cached.json("status/summary.json")["dry_run"]
    # the kernel now holds these sizes; change what the files show
    cached.write("control/dry-run", "0" if dry else "1")
    cached.rescan()
    # one more row, seen by ls -l at once: a stat() renders the file
    wait_for(lambda: (ls_sizes(cached.file("metrics"))["scan.csv"] > before)
             or "scan.csv not grown", CONVERGE_S, "larger scan.csv",
             until=reached)
    assert cached.json("status/summary.json")["dry_run"] is not dry
    for folder in folders:
        wait_for(lambda: untrue_sizes(cached, folder), CONVERGE_S,
                 "true sizes in " + folder, until=reached)
    wait_for(lambda: ls_sizes(cached.path)["log"] ==
             len(cached.read("log")) or "log", CONVERGE_S, "true size of log",
             until=reached)


def test_stat_follows_deletion(cached):
    path = os.path.join(cached.album, "02 - Song 2.flac")
    assert os.stat(path).st_size == os.stat(
        os.path.join(cached.root, "a", "2.flac")).st_size
    os.unlink(os.path.join(cached.root, "a", "2.flac"))

    def gone():
        try:
            os.stat(path)
        except FileNotFoundError:
            return os.listdir(cached.album) == ["01 - Song 1.flac"] or \
                os.listdir(cached.album)
        return "still there"
    wait_for(gone, CONVERGE_S, "deletion", until=reached)
    with pytest.raises(FileNotFoundError):
        os.stat(path)
    with pytest.raises(FileNotFoundError):
        open(path, "rb")


def test_stat_follows_tag_change(cached):
    old = os.path.join(cached.album, "01 - Song 1.flac")
    new = os.path.join(cached.album, "01 - Renamed.flac")
    real = os.path.join(cached.root, "a", "1.flac")
    os.stat(old)
    with pytest.raises(FileNotFoundError):
        os.stat(new)
    run("metaflac", "--remove-tag=TITLE", "--set-tag=TITLE=Renamed", real)

    def moved():
        if os.path.exists(old):
            return "old name still there"
        if not os.path.exists(new):
            return "new name not there"
        return os.stat(new).st_size == os.stat(real).st_size or "size"
    wait_for(moved, CONVERGE_S, "tag change", until=reached)
    assert sha(new) == sha(real)


def test_grown_file_reads_whole_at_once(cached):
    # a tag the names do not use, too big for the padding: the same entry
    # now stands for a longer file than the kernel was told
    path = os.path.join(cached.album, "02 - Song 2.flac")
    real = os.path.join(cached.root, "a", "2.flac")
    before = os.stat(path).st_size
    assert sha(path) == sha(real)
    run("metaflac", "--set-tag=COMMENT=" + "x" * 30000, real)
    assert os.stat(real).st_size > before + 20000
    assert sha(path) == sha(real)
    wait_for(lambda: os.stat(path).st_size == os.stat(real).st_size or
             os.stat(path).st_size, CONVERGE_S, "size of the grown file",
             until=reached)
    assert sha(path) == sha(real)


def test_listing_sizes_are_the_real_files(cached):
    sizes = ls_sizes(cached.album)
    assert sizes == {
        "01 - Song 1.flac": os.stat(
            os.path.join(cached.root, "a", "1.flac")).st_size,
        "02 - Song 2.flac": os.stat(
            os.path.join(cached.root, "a", "2.flac")).st_size,
    }
    assert sorted(ls_sizes(cached.file(ARTISTS))) == ["Art"]


def test_series_sizes_true_after_a_write(cached):
    series = os.path.join("manga", "Berserk")
    wait_for(lambda: untrue_sizes(cached, series), CONVERGE_S,
             "true sizes in " + series, until=reached)
    assert cached.json(series + "/status.json")["monitored"] is True
    # status.json now reads "monitored": false, one byte longer
    cached.write(series + "/monitored", "0")
    wait_for(lambda: cached.json(series + "/status.json")["monitored"]
             is False or "still monitored", CONVERGE_S, "monitored false",
             until=reached)
    wait_for(lambda: untrue_sizes(cached, series), CONVERGE_S,
             "true sizes in " + series, until=reached)
    wait_for(lambda: untrue_sizes(cached, "status"), CONVERGE_S,
             "true sizes in status", until=reached)


def test_new_volume_shows_in_listing_and_stat(cached):
    top = cached.file(os.path.join("library", "manga", "Berserk"))
    gap = os.path.join(top, "MISSING - VOLUME 2")
    assert os.stat(gap).st_size == 0
    with open(os.path.join(cached.root, "..", "manga", "Berserk",
                           "Berserk T02.cbz"), "wb") as f:
        f.write(b"volume two")

    def filled():
        if os.path.exists(gap):
            return "gap still there"
        return sorted(os.listdir(top)) == [
            "Volume 001.cbz", "Volume 002.cbz", "Volume 003.cbz"] or \
            sorted(os.listdir(top))
    wait_for(filled, CONVERGE_S, "new volume", until=reached)


def test_listing_follows_tag_change_when_listed_before(cached):
    """The kernel keeps the listings of folders (it opens them without
    asking the daemon): folders listed before a tag change list what it
    moved, however long the timeouts."""
    artists = cached.file(ARTISTS)
    real = os.path.join(cached.root, "a", "2.flac")
    assert sorted(os.listdir(artists)) == ["Art"]
    assert sorted(os.listdir(cached.album)) == [
        "01 - Song 1.flac", "02 - Song 2.flac"]
    run("metaflac", "--remove-tag=ARTIST", "--set-tag=ARTIST=Other", real)

    def moved():
        names = sorted(os.listdir(artists)), sorted(os.listdir(cached.album))
        return names == (["Art", "Other"], ["01 - Song 1.flac"]) or names
    wait_for(moved, CONVERGE_S, "tag change", until=reached)
    other = os.path.join(artists, "Other", "Alb")
    assert os.listdir(other) == ["02 - Song 2.flac"]
    assert sha(os.path.join(other, "02 - Song 2.flac")) == sha(real)
