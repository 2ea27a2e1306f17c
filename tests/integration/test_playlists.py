# SPDX-License-Identifier: GPL-3.0-or-later
"""/playlists over a real mount (issue 51): the similar-tracks, recent and
duplicates playlists of analysed audio made by sox, read as M3U8 and
loaded by the real MPD from Debian (its playlist_directory on the mount,
driven by mpc); a title with '/' or a newline gives a safe name; a user
who may not read a track finds it in no playlist."""

import os
import pathlib
import shutil
import socket
import sqlite3
import subprocess

import pytest

from clients import free_port
from conftest import start, unmount, wait_for
from access_users import drop_user, make_user, start_daemon
from access_users import world  # noqa: F401 (a fixture)
from test_analysis import melody, sox, to_flac, to_mp3, wait_analysed

SECONDS = 8


@pytest.fixture(scope="module")
def sounds(tmp_path_factory):
    d = tmp_path_factory.mktemp("sounds")
    w = {n: str(d / (n + ".wav")) for n in ("melody", "shifted", "other",
                                            "noise")}
    melody(w["melody"], 1, seconds=SECONDS)
    sox(w["melody"], w["shifted"], "pitch", "100")
    melody(w["other"], 2, wave="square", seconds=SECONDS)
    sox("-n", "-r", "44100", "-c", "2", "-b", "16", w["noise"], "synth",
        SECONDS, "pinknoise", "vol", "0.3")
    return w


def library(sounds, root):
    """The melody (and its MP3 copy), its pitch-shifted copy, and two
    unrelated tracks, one titled with a '/' and a newline; the FLACs but
    the noise with a genre and a year."""
    to_flac(sounds["melody"], str(root / "m" / "melody.flac"), "Tune",
            "Melodist", "melody")
    to_mp3(sounds["melody"], str(root / "m" / "melody.mp3"), "Tune mp3",
           "Melodist", "melody mp3")
    to_flac(sounds["shifted"], str(root / "s" / "shifted.flac"), "Shifted",
            "Shifter", "shifted")
    to_flac(sounds["other"], str(root / "o" / "other.flac"), "Line\nBreak",
            "AC/DC", "other")
    to_flac(sounds["noise"], str(root / "n" / "noise.flac"), "Noise",
            "Hiss", "noise")
    for name, genre, year in (("m/melody", "Rock", 1994),
                              ("s/shifted", "Rock", 1999),
                              ("o/other", "Synth/Pop", 2003)):
        subprocess.run(["metaflac", "--set-tag=GENRE=" + genre,
                        "--set-tag=DATE=%d" % year,
                        str(root / (name + ".flac"))], check=True)


def entries(text):
    """The (EXTINF, path) pairs of an M3U8 text."""
    lines = text.split("\n")
    assert lines[0] == "#EXTM3U" and lines[-1] == ""
    body = lines[1:-1]
    assert len(body) % 2 == 0, text
    return list(zip(body[0::2], body[1::2]))


def read_sized(path):
    """The bytes of a generated file, checked against its stat size."""
    size = os.stat(path).st_size
    with open(path, "rb") as f:
        data = f.read()
    assert len(data) == size, path
    return data.decode()


def test_playlists_similar_recent_duplicates(sounds, tmp_path):
    root = tmp_path / "music"
    library(sounds, root)
    m = start(tmp_path, "music=" + str(root))
    try:
        a = wait_analysed(m)
        assert a["analysed"] == 5
        names = sorted(os.listdir(m.file("playlists/similar")))
        assert names == ["AC_DC - Line_Break.m3u8", "Hiss - Noise.m3u8",
                         "Melodist - Tune mp3.m3u8", "Melodist - Tune.m3u8",
                         "Shifter - Shifted.m3u8"]
        assert sorted(os.listdir(m.file("playlists"))) == [
            "decade", "duplicates.m3u8", "genre", "library", "mix", "mpd",
            "own", "recent.m3u8", "similar"]
        assert sorted(os.listdir(m.file("playlists/mix"))) == names
        assert sorted(os.listdir(m.file("playlists/genre"))) == [
            "Rock.m3u8", "Synth_Pop.m3u8"]
        assert sorted(os.listdir(m.file("playlists/decade"))) == [
            "1990s.m3u8", "2000s.m3u8"]
        assert sorted(os.listdir(m.file("playlists/mpd"))) == sorted(
            ["duplicates.m3u", "recent.m3u", "genre - Rock.m3u",
             "genre - Synth_Pop.m3u", "decade - 1990s.m3u",
             "decade - 2000s.m3u"] + ["similar - " + n[:-1] for n in names] +
            ["mix - " + n[:-1] for n in names])

        tune = entries(read_sized(m.file("playlists/similar/"
                                         "Melodist - Tune.m3u8")))
        paths = [p for _, p in tune]
        assert paths[0] == str(root / "m" / "melody.flac")
        assert len(paths) == 5 and len(set(paths)) == 5
        # the MP3 copy is the same recording, then the shifted copy
        assert paths[1] == str(root / "m" / "melody.mp3")
        assert paths[2] == str(root / "s" / "shifted.flac")
        assert tune[0][0] == "#EXTINF:%d,Melodist - Tune" % SECONDS
        # the mix: the similar list but the tracks more than 3 LU away
        db = sqlite3.connect(m.db)
        lufs = dict(db.execute(
            "SELECT r.path || '/' || f.path, n.loudness_lufs FROM tracks t"
            " JOIN analysis n ON n.track_id = t.id"
            " JOIN file_paths f ON f.id = t.file_id"
            " JOIN roots r ON r.id = f.root_id"))
        db.close()
        mix = [p for _, p in entries(read_sized(m.file(
            "playlists/mix/Melodist - Tune.m3u8")))]
        near = [p for p in paths if abs(lufs[p] - lufs[paths[0]]) <= 3]
        assert mix == near and len(near) < len(paths), (mix, lufs)
        odd = entries(read_sized(m.file("playlists/similar/"
                                        "AC_DC - Line_Break.m3u8")))
        assert odd[0] == ("#EXTINF:%d,AC/DC - Line Break" % SECONDS,
                          str(root / "o" / "other.flac"))

        rock = [str(root / "m" / "melody.flac"),
                str(root / "s" / "shifted.flac")]
        for rel, paths in (("genre/Rock.m3u8", rock),
                           ("decade/1990s.m3u8", rock),
                           ("genre/Synth_Pop.m3u8",
                            [str(root / "o" / "other.flac")]),
                           ("mpd/genre - Rock.m3u", rock)):
            got = entries(read_sized(m.file("playlists/" + rel)))
            assert [p for _, p in got] == paths, rel
        assert not os.path.exists(m.file("playlists/genre/Rock.m3u"))
        assert not os.path.exists(m.file("playlists/decade/1980s.m3u8"))
        recent = entries(read_sized(m.file("playlists/recent.m3u8")))
        assert sorted(p for _, p in recent) == sorted(
            str(p) for p in root.rglob("*.*"))
        dups = entries(read_sized(m.file("playlists/duplicates.m3u8")))
        assert [p for _, p in dups] == [str(root / "m" / "melody.flac"),
                                        str(root / "m" / "melody.mp3")]
        assert not os.path.exists(m.file("playlists/similar/nothing.m3u8"))
        assert not os.path.exists(m.file("playlists/similar/"
                                         "Melodist - Tune"))
        assert read_sized(m.file("playlists/mpd/similar - Melodist - "
                                 "Tune.m3u")) == read_sized(
            m.file("playlists/similar/Melodist - Tune.m3u8"))
        assert read_sized(m.file("playlists/mpd/recent.m3u")) == \
            read_sized(m.file("playlists/recent.m3u8"))
    finally:
        unmount(m.path, m.proc)


class Mpd:
    """Debian's MPD on its own port of 127.0.0.1, with a throw-away
    configuration: music_directory the library root, playlist_directory
    the mount's playlists folder; driven by mpc."""

    def __init__(self, tmp_path, music, playlists):
        self.port = free_port()
        d = tmp_path / "mpd"
        d.mkdir()
        conf = d / "mpd.conf"
        conf.write_text(
            'music_directory "%s"\nplaylist_directory "%s"\n'
            'db_file "%s"\nstate_file "%s"\npid_file "%s"\n'
            'log_file "%s"\nbind_to_address "127.0.0.1"\nport "%d"\n'
            'audio_output {\n type "null"\n name "null"\n}\n' % (
                music, playlists, d / "db", d / "state", d / "pid",
                d / "log", self.port))
        self.log = d / "log"
        self.proc = subprocess.Popen(["mpd", "--no-daemon", str(conf)],
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.STDOUT)
        try:
            wait_for(self.answers, 15, "mpd on port %d" % self.port,
                     interval=0.1)
        except BaseException:
            self.stop()
            raise

    def answers(self):
        if self.proc.poll() is not None:
            raise AssertionError("mpd exited: %s" % self.log.read_text())
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def mpc(self, *args):
        out = subprocess.run(["mpc", "-h", "127.0.0.1", "-p",
                              str(self.port)] + list(args),
                             capture_output=True, timeout=60, text=True)
        assert out.returncode == 0, (args, out.stderr)
        return out.stdout

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.mark.skipif(not shutil.which("mpd") or not shutil.which("mpc"),
                    reason="needs mpd and mpc (contrib/install-deps.sh)")
def test_mpd_lists_and_loads_playlists(sounds, tmp_path):
    root = tmp_path / "music"
    library(sounds, root)
    m = start(tmp_path, "music=" + str(root))
    mpd = None
    try:
        wait_analysed(m)
        mpd = Mpd(tmp_path, root, m.file("playlists/mpd"))
        mpd.mpc("update", "--wait")
        listed = mpd.mpc("lsplaylists").splitlines()
        assert "similar - Melodist - Tune" in listed
        assert "recent" in listed and "duplicates" in listed
        mpd.mpc("load", "similar - Melodist - Tune")
        queued = mpd.mpc("-f", "%file%", "playlist").splitlines()
        assert queued[:3] == ["m/melody.flac", "m/melody.mp3",
                              "s/shifted.flac"]
        assert sorted(queued) == sorted(
            str(p.relative_to(root)) for p in root.rglob("*.*"))
    finally:
        if mpd:
            mpd.stop()
        unmount(m.path, m.proc)


@pytest.fixture
def user():
    u = make_user()
    yield u
    drop_user(u)


def world_library(sounds, world):
    """The test library in world/music, every folder and file readable
    by every user; its root."""
    root = os.path.join(world, "music")
    os.makedirs(root)
    os.chmod(root, 0o755)
    library(sounds, pathlib.Path(root))
    for d, _, files in os.walk(root):
        os.chmod(d, 0o755)
        for f in files:
            os.chmod(os.path.join(d, f), 0o644)
    return root


@pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("useradd") or
    not shutil.which("setpriv"),
    reason="needs root, useradd and setpriv to act as another user")
def test_unreadable_track_in_no_playlist(sounds, world, user):  # noqa: F811
    """A track the user may not read (mode 600) is in none of its
    playlists and names none of its similar/ files; the owner sees it."""
    root = world_library(sounds, world)
    secret = os.path.join(root, "s", "shifted.flac")
    os.chmod(secret, 0o600)
    m = start_daemon(world, "music=" + root)
    try:
        wait_analysed(m)
        sim = m.file("playlists/similar")
        assert "Shifter - Shifted.m3u8" in os.listdir(sim)
        assert secret in m.read("playlists/recent.m3u8").decode()
        assert secret in m.read("playlists/genre/Rock.m3u8").decode()
        files = [os.path.join(sim, "Melodist - Tune.m3u8"),
                 m.file("playlists/recent.m3u8"),
                 m.file("playlists/duplicates.m3u8"),
                 m.file("playlists/genre/Rock.m3u8"),
                 m.file("playlists/decade/1990s.m3u8"),
                 m.file("playlists/mpd/similar - Melodist - Tune.m3u")]
        mpd = m.file("playlists/mpd")
        got = user.ask([("list", sim), ("list", mpd)] +
                       [("read", f) for f in files] +
                       [("read", os.path.join(sim,
                                              "Shifter - Shifted.m3u8")),
                        ("read", os.path.join(
                            mpd, "similar - Shifter - Shifted.m3u"))])
        assert "Shifter - Shifted.m3u8" not in got[0]
        assert "Melodist - Tune.m3u8" in got[0]
        assert "similar - Shifter - Shifted.m3u" not in got[1]
        assert "similar - Melodist - Tune.m3u" in got[1]
        got = got[:1] + got[2:]
        for f, data in zip(files, got[1:1 + len(files)]):
            assert not isinstance(data, OSError), f
            text = data.decode()
            assert "shifted" not in text.lower(), f
            assert str(root) in text or f.endswith("duplicates.m3u8")
        assert all(isinstance(g, OSError) for g in got[1 + len(files):])
    finally:
        unmount(m.path, m.proc)


@pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("useradd") or
    not shutil.which("setpriv"),
    reason="needs root, useradd and setpriv to act as another user")
def test_private_genre_and_decade_named_to_no_one_else(
        sounds, world, user):  # noqa: F811
    """A 0600 track in a 0700 folder tagged with a genre and a decade no
    other track has: the owner sees both playlists; another user sees
    neither name (genre/, decade/, mpd/) and cannot open them, while the
    genres and decades of the tracks it may read stay."""
    root = world_library(sounds, world)
    secret = os.path.join(root, "n", "noise.flac")
    subprocess.run(["metaflac", "--set-tag=GENRE=SecretGenreXyz",
                    "--set-tag=DATE=1937", secret], check=True)
    os.chmod(secret, 0o600)
    os.chmod(os.path.dirname(secret), 0o700)
    m = start_daemon(world, "music=" + root)
    try:
        wait_for(lambda: "SecretGenreXyz.m3u8" in
                 os.listdir(m.file("playlists/genre")), 120,
                 "the secret genre listed to its owner", mount=m,
                 ignore=(OSError,))
        assert "1930s.m3u8" in os.listdir(m.file("playlists/decade"))
        assert "genre - SecretGenreXyz.m3u" in os.listdir(
            m.file("playlists/mpd"))
        assert secret in m.read(
            "playlists/genre/SecretGenreXyz.m3u8").decode()
        got = user.ask([("list", m.file("playlists/genre")),
                        ("list", m.file("playlists/decade")),
                        ("list", m.file("playlists/mpd")),
                        ("read", m.file(
                            "playlists/genre/SecretGenreXyz.m3u8")),
                        ("read", m.file("playlists/decade/1930s.m3u8")),
                        ("read", m.file(
                            "playlists/mpd/genre - SecretGenreXyz.m3u"))])
        for listing in got[:3]:
            assert not isinstance(listing, OSError)
            text = " ".join(listing)
            assert "SecretGenreXyz" not in text
            assert "1930s" not in text
        assert "Rock.m3u8" in got[0]
        assert "1990s.m3u8" in got[1]
        assert "genre - Rock.m3u" in got[2]
        assert all(isinstance(g, OSError) for g in got[3:]), got[3:]
    finally:
        unmount(m.path, m.proc)
