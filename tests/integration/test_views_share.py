# SPDX-License-Identifier: GPL-3.0-or-later
"""The library views over a network share (issue 49): when a folder of
tracks on a file system that is not local is listed, the daemon stats its
real files ahead of the walk (fs/tree/views_statahead.c), counted in
/metrics/fuse.json as views_stats_ahead; on a local disk it does not. The
share is the bench's FUSE one (tests/bench/bench_latency_fs.c, no delay).
A walk shows the same sizes either way, and a share that stops answering
while its files are stated ahead does not keep the mount from going. No
timing is looked at."""

import os
import signal
import subprocess

import pytest

from conftest import is_mounted, share, start, unmount, wait_for

ALBUMS = "library/music/albums"


def tracks_of(mount):
    """Every track of the albums view: {view path: size}, each stat()ed
    as a walk does, folder by folder."""
    sizes = {}
    root = mount.file(ALBUMS)
    for folder in sorted(os.listdir(root)):
        for name in sorted(os.listdir(os.path.join(root, folder))):
            path = os.path.join(root, folder, name)
            sizes[os.path.join(folder, name)] = os.stat(path).st_size
    return sizes


def stats_ahead(mount):
    return mount.json("metrics/fuse.json")["views_stats_ahead"]


def daemon(tmp_path, name, music):
    home = tmp_path / name
    home.mkdir()
    conf = home / "mediamon.conf"
    conf.write_text("[analysis]\nenabled = no\n[music]\nroot = %s\n" % music)
    return start(home, "config=" + str(conf))


def test_a_walk_over_a_share_is_stated_ahead(library, tmp_path):
    local = daemon(tmp_path, "local", library)
    try:
        on_disk = tracks_of(local)
        assert stats_ahead(local) == 0
    finally:
        unmount(local.path, local.proc)
    tracks = sum(1 for p in library.rglob("*")
                 if p.suffix in (".flac", ".mp3"))
    assert tracks >= 8 and len(on_disk) >= tracks
    with share(library, tmp_path / "share") as music:
        m = daemon(tmp_path, "shared", music)
        try:
            assert tracks_of(m) == on_disk
            # every track was listed once at least: each stated ahead
            n = wait_for(lambda: stats_ahead(m), 30,
                         "the tracks stated ahead",
                         until=lambda n: n >= tracks, mount=m)
            assert n <= 4 * len(on_disk)
            prom = m.read("metrics/prometheus").decode()
            assert "mediamon_fuse_views_stats_ahead_total %d" % \
                stats_ahead(m) in prom
        finally:
            unmount(m.path, m.proc)


def test_a_share_that_stops_answering(library, tmp_path):
    """The share's process stopped (a NAS gone off the network) while a
    folder's tracks are stated ahead: the listing still comes, from the
    store, and the mount still goes, without waiting for the share. (The
    process itself ends once the share answers again: under the
    sanitizers, the leak check at its exit waits for the stuck
    threads.)"""
    # the kernel keeps nothing of the share's files: a stat once the
    # share is stopped waits for it
    with share(library, tmp_path / "share", options=(
            "attr_timeout=0", "entry_timeout=0",
            "negative_timeout=0")) as music:
        m = daemon(tmp_path, "shared", music)
        pid = int(subprocess.run(
            ["pgrep", "-f", "bench_latency_fs .* %s" % music],
            capture_output=True, text=True, check=True).stdout.split()[0])
        os.kill(pid, signal.SIGSTOP)
        try:
            albums = os.listdir(m.file(ALBUMS))
            assert albums
            # listed from the store: the share is not asked
            assert os.listdir(m.file(os.path.join(ALBUMS, albums[0])))
            subprocess.run(["fusermount3", "-u", m.path], check=True,
                           timeout=30)
            assert not is_mounted(m.path)

            def logged():
                with open(m.proc.log_path) as f:
                    return "still in a stat() on a share" in f.read()
            # the daemon gives its stuck threads 2 s, and goes on
            wait_for(logged, 30, "the stuck stats logged at the unmount")
        finally:
            os.kill(pid, signal.SIGCONT)
            unmount(m.path, m.proc)


def test_a_share_mounted_after_hundreds_of_mounts(library, tmp_path):
    """A box with many mounts (containers' overlays, snaps) before the
    share: the share, the last line of the mount table, is still known
    as not local."""
    if os.geteuid():
        pytest.skip("mounting the file systems before the share takes root")
    made = []
    try:
        for i in range(300):
            where = tmp_path / "many" / str(i)
            where.mkdir(parents=True)
            subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4k",
                            "mediamon-test", str(where)], check=True)
            made.append(where)
        with share(library, tmp_path / "share") as music:
            m = daemon(tmp_path, "shared", music)
            try:
                tracks_of(m)
                wait_for(lambda: stats_ahead(m), 30,
                         "the tracks stated ahead", until=lambda n: n > 0,
                         mount=m)
            finally:
                unmount(m.path, m.proc)
    finally:
        for where in reversed(made):
            subprocess.run(["umount", "-l", str(where)])
