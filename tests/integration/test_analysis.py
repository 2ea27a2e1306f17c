# SPDX-License-Identifier: GPL-3.0-or-later
"""The background audio analysis over a real mount: audio made by sox,
flac and lame where the answer is known (one recording in two formats,
unrelated recordings, a pitch-shifted copy, a 120 BPM click track,
damaged files), read back through /status/duplicates, /similar, the
track files' extended attributes and /metrics/analysis.json."""

import errno
import os
import random
import shutil
import signal
import subprocess

import pytest
from mutagen.id3 import ID3, TALB, TIT2, TPE1

from conftest import run, start, unmount, wait_for
from thread_waits import threads, wait_threads_waiting

# Each test track is this long (seconds), unless said otherwise.
SECONDS = 12


def sox(*args):
    run("sox", *[str(a) for a in args])


def melody(wav, seed, wave="pluck", seconds=SECONDS):
    """Notes of a pentatonic scale drawn from seed, a quarter second
    each, concatenated by sox."""
    rng = random.Random(seed)
    parts = []
    scale = [261.63, 293.66, 329.63, 392.0, 440.0, 523.25, 587.33, 659.25]
    for i in range(int(seconds * 4)):
        part = "%s.%d.wav" % (wav, i)
        sox("-n", "-r", "44100", "-c", "2", "-b", "16", part, "synth",
            "0.25", wave, rng.choice(scale), "vol", "0.6")
        parts.append(part)
    sox(*parts, wav)
    for part in parts:
        os.unlink(part)


def click(wav, bpm=120, seconds=SECONDS):
    """A short click on every beat at bpm."""
    beat = 60.0 / bpm
    sox("-n", "-r", "44100", "-c", "2", "-b", "16", wav, "synth", "0.02",
        "sine", "1000", "pad", "0", "%.4f" % (beat - 0.02), "repeat",
        int(seconds / beat) - 1)


def noise(wav, color, seconds=SECONDS):
    sox("-n", "-r", "44100", "-c", "2", "-b", "16", wav, "synth",
        seconds, color, "vol", "0.3")


def sweep(wav, seconds=SECONDS):
    sox("-n", "-r", "44100", "-c", "2", "-b", "16", wav, "synth",
        seconds, "sine", "100-4000", "vol", "0.5")


def to_flac(wav, path, title, artist, album):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    run("flac", "-s", "-f", "-o", path, wav)
    run("metaflac", "--set-tag=TITLE=" + title, "--set-tag=ARTIST=" + artist,
        "--set-tag=ALBUM=" + album, path)


def to_mp3(wav, path, title, artist, album):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    run("lame", "--quiet", "-b", "192", wav, path)
    tag = ID3()
    tag.add(TIT2(encoding=3, text=title))
    tag.add(TPE1(encoding=3, text=artist))
    tag.add(TALB(encoding=3, text=album))
    tag.save(path)


@pytest.fixture(scope="module")
def sounds(tmp_path_factory):
    """The recordings as WAV, made once: the melody, its pitch-shifted
    copy (a semitone up) and unrelated ones."""
    d = tmp_path_factory.mktemp("sounds")
    w = {name: str(d / (name + ".wav")) for name in (
        "melody", "shifted", "other", "click", "pink", "brown", "sweep")}
    melody(w["melody"], 1)
    sox(w["melody"], w["shifted"], "pitch", "100")
    melody(w["other"], 2, wave="square")
    click(w["click"])
    noise(w["pink"], "pinknoise")
    noise(w["brown"], "brownnoise")
    sweep(w["sweep"])
    return w


def analysis(m):
    return m.json("metrics/analysis.json")


def wait_analysed(m, timeout=90):
    """Wait until nothing is queued or under way; returns the figures."""
    return wait_for(lambda: analysis(m), timeout, "analysis done",
                    until=lambda a: a["queued"] == 0 and a["busy"] == 0,
                    mount=m, interval=0.1)


def started(a, before):
    """Whether figures a show analysis begun since the figures before: a
    track under way, or one more done."""
    return a["busy"] > 0 or a["done"] > before["done"]


def paragraphs(text):
    return [p.split("\n") for p in text.strip("\n").split("\n\n") if p]


def attr(path, name):
    try:
        return os.getxattr(path, "user.mediamon." + name).decode()
    except OSError as e:
        assert e.errno == errno.ENODATA
        return None


def test_duplicates_similar_and_attributes(sounds, tmp_path):
    """One recording as FLAC and MP3 is one group; unrelated recordings
    are in none; the pitch-shifted copy ranks above every unrelated
    track in /similar; the click track's tempo is 120 BPM."""
    root = tmp_path / "music"
    # every track of the similar list is "Tune.flac": the names tell
    # their rank (" (2)" for the second, ...) and the album which is which
    to_flac(sounds["melody"], str(root / "m" / "melody.flac"), "Tune",
            "Melodist", "melody")
    to_mp3(sounds["melody"], str(root / "m" / "melody.mp3"), "Tune mp3",
           "Other", "melody mp3")
    for name in ("shifted", "other", "click", "pink", "brown", "sweep"):
        to_flac(sounds[name], str(root / name / (name + ".flac")), "Tune",
                "Other", name)
    m = start(tmp_path, "music=" + str(root))
    try:
        a = wait_analysed(m)
        assert (a["analysed"], a["failed"], a["queued"]) == (8, 0, 0)
        assert a["enabled"] and not a["paused"] and a["threads"] == 1
        assert a["done"] == 8 and a["last_error"] is None
        assert a["tracks_per_second"] > 0
        assert a["audio_seconds_per_cpu_second"] > 0

        groups = paragraphs(m.read("status/duplicates").decode())
        assert groups == [[str(root / "m" / "melody.flac"),
                           str(root / "m" / "melody.mp3")]]

        similar = m.file("similar/melodist")
        names = os.listdir(similar)
        assert len(names) == 7
        rank = {}
        for name in names:
            n = 1 if name == "Tune.flac" else None
            if name.startswith("Tune ("):
                n = int(name[len("Tune ("):name.index(")")])
            if n is not None:
                rank[attr(os.path.join(similar, name), "album")] = n
        assert "melody" not in rank
        unrelated = ["other", "click", "pink", "brown", "sweep"]
        assert sorted(rank) == sorted(["shifted"] + unrelated)
        assert all(rank["shifted"] < rank[u] for u in unrelated), rank
        assert os.listdir(m.file("similar/nothing matches this")) == []

        track = m.file("search/click/Tune.flac")
        bpm = float(attr(track, "bpm"))
        assert abs(bpm - 120) <= 1
        names = os.listxattr(track)
        for name in ("title", "artist", "album", "bpm", "loudness_lufs",
                     "gain_db", "album_gain_db", "peak"):
            assert "user.mediamon." + name in names, name
        assert attr(track, "title") == "Tune"
        assert attr(track, "artist") == "Other"
        lufs = float(attr(track, "loudness_lufs"))
        assert abs(float(attr(track, "gain_db")) - (-18 - lufs)) < 0.02
        # the album holds that track alone
        assert attr(track, "album_gain_db") == attr(track, "gain_db")
        assert 0 < float(attr(track, "peak")) <= 2
        assert attr(track, "track") is None
        assert attr(track, "nonsense") is None
        with pytest.raises(OSError) as e:
            os.getxattr(m.file("status/summary.json"), "user.mediamon.bpm")
        assert e.value.errno == errno.ENODATA
        assert os.listxattr(m.file("status/summary.json")) == []

        prom = m.read("metrics/prometheus").decode()
        assert "\nmediamon_analysis_analysed_tracks 8\n" in prom
        assert "\nmediamon_analysis_failed_tracks 0\n" in prom
        assert m.json("status/summary.json")["state"] == "idle"
    finally:
        unmount(m.path, m.proc)


def test_damaged_audio_counted_failed(sounds, tmp_path):
    """A truncated FLAC and files of garbage are failed analyses, kept
    as such until they change, and the daemon carries on."""
    root = tmp_path / "music" / "a"
    to_flac(sounds["click"], str(root / "good.flac"), "Good", "A", "A")
    to_flac(sounds["pink"], str(root / "whole.flac"), "Cut", "A", "A")
    with open(str(root / "whole.flac"), "rb") as f:
        data = f.read()
    (root / "cut.flac").write_bytes(data[:len(data) // 20])
    os.unlink(str(root / "whole.flac"))
    rng = random.Random(5)
    (root / "garbage.mp3").write_bytes(
        bytes(rng.randrange(256) for _ in range(40000)))
    (root / "garbage.flac").write_bytes(
        b"fLaC" + bytes(rng.randrange(256) for _ in range(40000)))
    m = start(tmp_path, "music=" + str(tmp_path / "music"))
    try:
        a = wait_analysed(m)
        tracks = m.json("status/summary.json")["counts"]["tracks"]
        assert a["analysed"] == 1
        assert a["failed"] == tracks - 1 and a["failed"] >= 2
        assert a["last_error"]["message"].startswith(str(root))
        assert m.read("status/health")
        assert m.proc.poll() is None
        album = m.file("library/music/albums/A (A)")
        assert attr(os.path.join(album, "Good.flac"), "bpm") is not None
        assert attr(os.path.join(album, "Cut.flac"), "bpm") is None

        # a rescan leaves the failures alone: a track a scan changes is
        # queued in the scan's own transaction, so the queue is seen by
        # the time the rescan is
        m.rescan("full")
        b = wait_analysed(m)
        assert b["done"] == a["done"] and b["failed"] == a["failed"]

        # the control: a repaired file is queued by the same rescan and
        # analysed again
        shutil.copy(str(root / "good.flac"), str(root / "cut.flac"))
        m.rescan()
        b = wait_for(lambda: analysis(m), 90, "cut.flac analysed again",
                     until=lambda b: b["analysed"] == 2 and
                     b["queued"] == 0 and b["busy"] == 0, mount=m,
                     interval=0.1)
        assert b["failed"] == a["failed"] - 1, b
    finally:
        unmount(m.path, m.proc)


def analysis_lines(m):
    """The daemon's log lines of the analysis of tracks, from its whole
    output: a track's (its path) or a pass's (its short tracks), not the
    analysis' start (which says the uid its analyser runs as)."""
    with open(m.proc.log_path, "rb") as f:
        return [line for line in f.read().decode("utf-8", "replace")
                .splitlines() if "analysis" in line and
                (".flac" in line or "short" in line)]


def test_short_tracks_counted_not_logged(tmp_path):
    """500 one-second jingles are too short to analyse: no failure, no
    line each, but one line for the pass and too_short in the figures."""
    wav = str(tmp_path / "jingle.wav")
    sox("-n", "-r", "44100", "-c", "2", "-b", "16", wav, "synth", "1",
        "sine", "880", "vol", "0.5")
    jingle = str(tmp_path / "jingle.flac")
    to_flac(wav, jingle, "Jingle", "Radio", "Jingles")
    root = tmp_path / "music"
    for i in range(500):
        d = root / ("%02d" % (i // 50))
        d.mkdir(parents=True, exist_ok=True)
        shutil.copy(jingle, str(d / ("%03d.flac" % i)))
    m = start(tmp_path, "music=" + str(root))
    try:
        a = wait_analysed(m, timeout=300)
        assert (a["too_short"], a["failed"], a["analysed"]) == (500, 0, 0)
        assert a["last_error"] is None
        prom = m.read("metrics/prometheus").decode()
        assert "\nmediamon_analysis_too_short_tracks 500\n" in prom
        assert "\nmediamon_analysis_failed_tracks 0\n" in prom
        lines = wait_for(lambda: analysis_lines(m), 30,
                         "the pass's line in the log",
                         until=lambda lines: lines, mount=m, interval=0.1)
        assert len(lines) == 1 and "500 tracks too short" in lines[0], lines

        # a rescan queues nothing again: once it is over, nothing is
        # queued, no track was taken since, and no line more
        done = analysis(m)["done"]
        m.rescan("full")
        a = wait_analysed(m)
        assert (a["too_short"], a["done"]) == (500, done)
        assert len(analysis_lines(m)) == 1, analysis_lines(m)
    finally:
        unmount(m.path, m.proc)


def add_tracks(sounds, root, n, prefix):
    names = ["pink", "brown", "sweep", "click", "other", "shifted"]
    for i in range(n):
        to_flac(sounds[names[i % len(names)]],
                str(root / prefix / ("%02d.flac" % i)), "%s %d" % (prefix, i),
                "Artist", prefix)


def test_pause_and_resume(sounds, tmp_path):
    root = tmp_path / "music"
    add_tracks(sounds, root, 1, "first")
    m = start(tmp_path, "music=" + str(root))
    try:
        assert wait_analysed(m)["analysed"] == 1
        assert m.read("control/pause").startswith(b"0\n")
        assert m.write("control/pause", "1\n") == 2
        add_tracks(sounds, root, 4, "later")
        m.rescan()
        a = wait_paused(m)
        assert a["paused"] and a["queued"] == 4 and a["analysed"] == 1
        # the watcher may start a scan of its own for the new files
        assert settled_state(m) == "paused"
        assert m.read("control/pause").startswith(b"1\n")
        assert "\nmediamon_analysis_paused 1\n" in m.read(
            "metrics/prometheus").decode()
        # a reload stops and starts the workers: the pause holds
        m.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: b"reload: done" in m.read("log"), 30,
                 "reload: done in the log", mount=m, interval=0.1)
        # the worker started again has looked and found nothing to take
        assert wait_threads_waiting(m, "mm-analysis") in (None, 1)
        a = analysis(m)
        assert (a["analysed"], a["queued"], a["paused"]) == (1, 4, True)
        assert a["threads"] == 1

        # the same wait sees the workers begin once resumed
        assert m.write("control/pause", "0") == 1
        wait_for(lambda: analysis(m), 30, "the workers begun", mount=m,
                 until=lambda now: started(now, a), interval=0.1)
        a = wait_analysed(m)
        assert (a["analysed"], a["queued"], a["paused"]) == (5, 0, False)
        assert settled_state(m) == "idle"
    finally:
        unmount(m.path, m.proc)


def settled_state(m, timeout=30):
    """The daemon's state once no scan runs."""
    return wait_for(lambda: m.json("status/summary.json")["state"], timeout,
                    "state other than scanning",
                    until=lambda state: state != "scanning", mount=m,
                    interval=0.1)


def wait_paused(m, timeout=30):
    """Wait until the paused queue has nothing under way."""
    return wait_for(lambda: analysis(m), timeout, "paused queue",
                    until=lambda a: a["busy"] == 0 and a["queued"] > 0,
                    mount=m, interval=0.1)


def test_bad_pause_input(mount):
    for bad in ("2\n", "pause\n", "11", "1\n1\n", "\n", "yes"):
        with pytest.raises(OSError) as e:
            mount.write("control/pause", bad)
        assert e.value.errno == errno.EINVAL, bad
    assert mount.read("control/pause").startswith(b"0\n")
    assert not analysis(mount)["paused"]
    # `: > pause` (a truncate alone) is accepted and does nothing
    with open(mount.file("control/pause"), "w"):
        pass
    assert not analysis(mount)["paused"]


def test_queue_survives_kill(sounds, tmp_path):
    """Tracks queued when the daemon is killed (paused, then while it
    analyses) are all analysed by the next start, once each."""
    root = tmp_path / "music"
    add_tracks(sounds, root, 1, "first")
    m = start(tmp_path, "music=" + str(root))
    try:
        wait_analysed(m)
        m.write("control/pause", "1")
        add_tracks(sounds, root, 6, "later")
        m.rescan()
        assert wait_paused(m)["queued"] == 6
    finally:
        kill(m)

    # not paused any more: killed once it has begun
    m = start(tmp_path, "music=" + str(root))
    try:
        assert analysis(m)["analysed"] == 1
        wait_for(lambda: analysis(m), 60, "analysis under way",
                 until=lambda a: a["busy"] or not a["queued"], mount=m,
                 interval=0.01)
    finally:
        kill(m)

    m = start(tmp_path, "music=" + str(root))
    try:
        a = wait_analysed(m)
        assert (a["analysed"], a["failed"], a["queued"]) == (7, 0, 0)
        assert m.json("status/summary.json")["counts"]["tracks"] == 7
    finally:
        unmount(m.path, m.proc)


def kill(m):
    m.proc.kill()
    m.proc.wait()
    subprocess.run(["fusermount3", "-u", "-z", m.path],
                   stderr=subprocess.DEVNULL)


def test_changed_and_deleted_files(sounds, tmp_path):
    """Three copies of a recording are one group; a deleted copy leaves
    it, a copy whose audio changes is analysed again and leaves it too."""
    root = tmp_path / "music" / "a"
    to_flac(sounds["melody"], str(root / "one.flac"), "One", "A", "A")
    to_mp3(sounds["melody"], str(root / "two.mp3"), "Two", "A", "A")
    shutil.copy(str(root / "one.flac"), str(root / "three.flac"))
    run("metaflac", "--set-tag=TITLE=Three", str(root / "three.flac"))
    m = start(tmp_path, "music=" + str(tmp_path / "music"))
    try:
        wait_analysed(m)
        # one group, in path order
        paths = [str(root / n) for n in ("one.flac", "three.flac",
                                         "two.mp3")]
        assert paragraphs(m.read("status/duplicates").decode()) == [paths]

        os.unlink(str(root / "three.flac"))
        m.rescan()
        assert paragraphs(m.read("status/duplicates").decode()) == [
            [paths[0], paths[2]]]

        done = analysis(m)["done"]
        old = os.stat(str(root / "two.mp3"))
        to_mp3(sounds["click"], str(root / "two.mp3"), "Two", "A", "A")
        # a new mtime, whatever the clock's grain
        os.utime(str(root / "two.mp3"),
                 ns=(old.st_atime_ns, old.st_mtime_ns + 2 * 10 ** 9))
        m.rescan()
        wait_for(lambda: analysis(m)["done"], 60, "analysis of the change",
                 until=lambda d: d != done, mount=m, interval=0.1)
        wait_analysed(m)
        assert m.read("status/duplicates") == b""
        bpm = attr(m.file("library/music/albums/A (A)/Two.mp3"), "bpm")
        assert abs(float(bpm) - 120) <= 1
    finally:
        unmount(m.path, m.proc)


def test_disabled_analyses_nothing(sounds, tmp_path):
    root = tmp_path / "music"
    add_tracks(sounds, root, 2, "a")
    conf = tmp_path / "c.conf"
    conf.write_text("[music]\nroot = %s\n[analysis]\nenabled = no\n" % root)
    m = start(tmp_path, "config=" + str(conf))
    try:
        # the decision made, and no worker to analyse anything
        wait_for(lambda: b"analysis: switched off in [analysis]" in
                 m.read("log"), 30, "the analysis switched off, in the log",
                 mount=m, interval=0.1)
        assert "mm-analysis" not in threads(m.proc.pid).values()
        a = analysis(m)
        assert not a["enabled"] and a["threads"] == 0
        assert (a["analysed"], a["failed"], a["done"]) == (0, 0, 0)
        assert a["queued"] == 2
        assert "\nmediamon_analysis_enabled 0\n" in m.read(
            "metrics/prometheus").decode()
        assert b"off" in m.read("control/pause")
        track = m.file("library/music/albums/a (Artist)/a 0.flac")
        assert attr(track, "bpm") is None
        assert attr(track, "title") == "a 0"
    finally:
        unmount(m.path, m.proc)
    # the same wait sees an enabled daemon begin on the same tracks
    on = tmp_path / "enabled"
    on.mkdir()
    m = start(on, "music=" + str(root))
    try:
        wait_for(lambda: analysis(m), 30, "the workers begun", mount=m,
                 until=lambda now: started(now, a), interval=0.1)
    finally:
        unmount(m.path, m.proc)
