# SPDX-License-Identifier: GPL-3.0-or-later
"""/rest driven by a real player (issue 77): Strawberry (Debian's
strawberry package) on its own X server (Xvfb), configured through its
own settings file in a throw-away HOME with its Subsonic backend on the
daemon's HTTP door, told to fetch its catalogue the way a user does (a
click on its empty Subsonic collection, which calls
SubsonicService::GetSongs(): getAlbumList2, then getAlbum for each
album), and its own collection database read: it lists every song the
account may read, with the file's size and bitrate, and none it may not,
and its log names no song it threw away. Strawberry talks to the door
through a logging proxy (logging_proxy.py): every call it made is
recorded, and each answered 200 with status "ok". Strawberry started to
play a song streams it at the rate [http] transcode_bitrates gives it by
name. Skipped only when strawberry, Xvfb or xdotool is not installed
(contrib/install-deps.sh installs them)."""

import base64
import os
import select
import shutil
import sqlite3
import subprocess
import time

import pytest

from access_users import world  # noqa: F401
from conftest import wait_for
from logging_proxy import Proxy
from subsonic_calls import call, ok, private_root, walked
from test_http import PASSWORD, Web
from test_subsonic_transcode import noise, probe

WINDOW = "Strawberry Music Player"
# Where the empty collection of the Subsonic tab lies in Strawberry's
# main window (1.0.14, its first start, the tab chosen by the settings
# below): below its filter and its "Refresh catalogue" button, right of
# the tab bar. A click there fetches the catalogue.
CLICK = ("165", "400")
# The places of its tabs, all of them: Strawberry puts a tab the settings
# give no place, or one another tab took, after the others, in an order
# that changes from run to run (it goes through a QHash).
TABS = ("subsonic", "context", "collection", "queue", "playlists",
        "smartplaylists", "files", "radios", "devices", "tidal", "qobuz")


@pytest.fixture
def programs():
    need = ("strawberry", "Xvfb", "xdotool")
    missing = [p for p in need if not shutil.which(p)]
    if missing:
        pytest.skip("%s not installed (Debian's strawberry, xvfb, xdotool;"
                    " contrib/install-deps.sh installs them)"
                    % ", ".join(missing))


class Display:
    """An X server of its own: Xvfb on the first free display, which it
    names on a pipe (-displayfd), listening on no TCP port."""

    def __init__(self):
        r, w = os.pipe()
        self.proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(w), "-screen", "0", "1280x1024x24",
             "-nolisten", "tcp"], pass_fds=(w,),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(w)
        got = b""
        deadline = time.monotonic() + 30
        try:
            while not got.endswith(b"\n"):
                left = deadline - time.monotonic()
                assert left > 0 and self.proc.poll() is None, \
                    "Xvfb named no display"
                if select.select([r], [], [], left)[0]:
                    chunk = os.read(r, 16)
                    assert chunk, "Xvfb named no display"
                    got += chunk
        except BaseException:
            self.stop()
            raise
        finally:
            os.close(r)
        self.name = ":" + got.decode().strip()
        try:
            wait_for(self.answers, 30, "Xvfb on " + self.name)
        except BaseException:
            self.stop()
            raise

    def answers(self):
        """Whether a client may talk to the server."""
        assert self.proc.poll() is None, "Xvfb exited"
        env = dict(os.environ, DISPLAY=self.name)
        env.pop("XAUTHORITY", None)
        return subprocess.run(["xdotool", "getdisplaygeometry"], env=env,
                              capture_output=True,
                              timeout=30).returncode == 0

    def stop(self):
        end(self.proc)


def end(proc):
    """End proc, which we started, and reap it."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Strawberry:
    """Strawberry with a HOME of its own under where, its settings file
    pointing its Subsonic backend at base for user, started with args."""

    def __init__(self, where, display, base, user, args=()):
        self.home = where / "home"
        conf = self.home / ".config" / "strawberry"
        conf.mkdir(parents=True)
        run = self.home / "run"
        run.mkdir(mode=0o700)
        # its one-instance lock and its tag reader's socket go to Qt's
        # temporary folder: its own, not another Strawberry's
        tmp = where / "tmp"
        tmp.mkdir()
        (conf / "strawberry.conf").write_text(
            "[Subsonic]\nenabled=true\nurl=%s\nusername=%s\n"
            "password=\"%s\"\n"
            # 0: the password sent as enc:HEX, checked against htpasswd
            "authmethod=0\ndownloadalbumcovers=false\n"
            "[Behaviour]\nshowtrayicon=false\n"
            "[MainWindow]\n%s\ncurrent_tab=0\n" % (
                base, user,
                base64.b64encode(PASSWORD.encode()).decode(),
                "\n".join("tab_%s=%d" % (t, i)
                          for i, t in enumerate(TABS))))
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("XDG_", "DBUS_", "QT_",
                                         "XAUTHORITY"))}
        self.env.update(HOME=str(self.home), XDG_RUNTIME_DIR=str(run),
                        TMPDIR=str(tmp),
                        DISPLAY=display.name, QT_QPA_PLATFORM="xcb",
                        DBUS_SESSION_BUS_ADDRESS="disabled:")
        self.log_path = where / "strawberry.log"
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                ["strawberry"] + list(args), cwd=str(self.home),
                env=self.env,
                stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT)
        self.db = (self.home / ".local" / "share" / "strawberry" /
                   "strawberry" / "strawberry.db")
        self.clicked = None
        self.shown = None

    def log(self):
        return self.log_path.read_text(errors="replace")

    def xdotool(self, *args):
        return subprocess.run(["xdotool"] + list(args), env=self.env,
                              capture_output=True, text=True,
                              timeout=30).stdout.split()

    def window(self):
        assert self.proc.poll() is None, self.log()[-3000:]
        got = self.xdotool("search", "--onlyvisible", "--name", WINDOW)
        self.shown = got[0] if got else None
        return got

    def songs(self):
        """{title: (artist, album, file size, bitrate, length in seconds,
        url)} of Strawberry's Subsonic collection, its own database
        read."""
        assert self.proc.poll() is None, self.log()[-3000:]
        if not self.db.exists():
            return {}
        db = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True,
                             timeout=5)
        try:
            rows = db.execute("SELECT title, artist, album, filesize,"
                              " bitrate, length, url"
                              " FROM subsonic_songs").fetchall()
        finally:
            db.close()
        return {r[0]: r[1:5] + (r[5] / 1e9, r[6]) for r in rows}

    def fetch(self, window):
        """Click the empty collection, again when a click 20 s ago
        brought nothing (it was not drawn yet), and say what Strawberry
        has stored."""
        now = time.monotonic()
        if self.clicked is None or now - self.clicked > 20:
            self.xdotool("mousemove", "--window", window, CLICK[0],
                         CLICK[1], "click", "1")
            self.clicked = now
        return self.songs()

    def stop(self):
        """Quit as a user does (Ctrl+Q), so that Strawberry lets go of
        its lock (System V shared memory, which a signal would leave
        behind); end it if it has not within 30 s."""
        if self.shown and self.proc.poll() is None:
            self.xdotool("key", "--window", self.shown, "ctrl+q")
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        end(self.proc)


def listed(w, where, display, user):
    """The songs Strawberry lists from w's door through a logging proxy,
    logged in as user, each call it made answered 200 and "ok"."""
    where.mkdir()
    with Proxy(w.base) as proxy:
        songs = listed_through(w, where, display, user, proxy.base)
        calls = proxy.recorded()
    methods = {c[0] for c in calls}
    assert {"getAlbumList2", "getAlbum"} <= methods, calls
    bad = [c for c in calls if c[1] != 200 or c[2] != "ok"]
    assert not bad, bad
    return songs


def started(where, display, base, user, args=()):
    """Strawberry started under where for user of base, with args. An X
    server it found unreachable at its start (seen under the whole
    suite's load, once Xvfb had answered xdotool) is asked again, and
    Strawberry started once more: what is tested is what it does, not
    the X server."""
    player = Strawberry(where / "1", display, base, user, args)
    wait_for(lambda: player.proc.poll() is not None or player.db.exists(),
             60, "Strawberry's start or end")
    if player.proc.poll() is not None and \
            "could not connect to display" in player.log():
        player.stop()
        wait_for(display.answers, 30, "Xvfb on " + display.name)
        player = Strawberry(where / "2", display, base, user, args)
    return player


def listed_through(w, where, display, user, base):
    """The songs Strawberry lists from base, logged in as user."""
    player = started(where, display, base, user)
    try:
        window = wait_for(player.window, 60, "Strawberry's window",
                          mount=w.m, ignore=(sqlite3.Error,))[0]
        songs = wait_for(lambda: player.fetch(window), 120,
                         "Strawberry's catalogue", mount=w.m,
                         ignore=(sqlite3.Error,))
        assert "song is missing" not in player.log()
        return songs
    finally:
        player.stop()


def records(w, auth, titles):
    """The same of mediamon's songs of titles (Strawberry's URL of a song
    is subsonic:ID)."""
    got = {}
    for s in ok(call(w, "search3", query="", **auth)[2])[
            "searchResult3"]["song"]:
        got[s["title"]] = (s["artist"], s["album"], s["size"],
                           s["bitRate"], s["duration"], "subsonic:" + s["id"])
    assert sorted(got) == sorted(titles)
    return got


def test_strawberry_lists_what_the_user_may_read(world,  # noqa: F811
                                                 tmp_path, programs):
    """A user's Strawberry lists the song of the folder it may enter and
    not the other; root's lists both; each with the artist, album, size,
    bitrate, length and id the songs carry."""
    with private_root(world) as (w, mine, _, _top):
        display = Display()
        try:
            user = mine["auth"]["u"]
            got = listed(w, tmp_path / "user", display, user)
            assert got == records(w, mine, ["Pub"])
            got = listed(w, tmp_path / "root", display, "root")
            assert got == records(w, {}, ["Pub", "Priv"])
        finally:
            display.stop()


def test_strawberry_plays_at_its_rate(tmp_path, programs):
    """Strawberry told to play a song of its Subsonic service (on its
    command line, as a desktop's "open with" does: subsonic:ID) streams
    it from the door, which sends it as MP3 at the rate [http]
    transcode_bitrates gives Strawberry, a FLAC asked with no
    maxBitRate."""
    top, _ = noise(tmp_path, 20)
    w = Web(tmp_path, conf_extra="transcode_bitrates = Strawberry=64\n",
            music=top)
    display = None
    try:
        display = Display()
        sid = walked(w, "the noise", until=lambda v: len(v) == 1)[
            "Noise"][0]
        with Proxy(w.base) as proxy:
            player = started(tmp_path / "player", display, proxy.base,
                             "root", ("--load", "--play", "subsonic:" + sid))
            try:
                streams = wait_for(lambda: player.window() and [
                    f for f in proxy.recorded_files() if f[0] == "stream"],
                    120, "Strawberry's stream", mount=w.m)
            finally:
                player.stop()
        method, status, kind, query, body = streams[0]
        assert status == 200 and kind == "audio/mpeg", streams[0][:4]
        assert query["c"] == ["Strawberry"] and "maxBitRate" not in query
        out = tmp_path / "played.mp3"
        out.write_bytes(body)
        p = probe(str(out))
        assert p["streams"][0]["codec_name"] == "mp3", p
        assert 64000 * 0.8 < float(p["format"]["bit_rate"]) <= 64000 * 1.05
    finally:
        if display:
            display.stop()
        w.stop()
