# SPDX-License-Identifier: GPL-3.0-or-later
"""The audio analysis of the formats FFmpeg decodes for it (Ogg Vorbis,
Opus, MP4 AAC and ALAC, WavPack, Monkey's Audio, WAV, AIFF), in the
confined child: one recording in every format (and as the first stream
of a chained Ogg file) is one group of duplicates with its FLAC, the
lossless ones with its loudness, and a click track's tempo is found
whatever its format."""

import hashlib
import os

from conftest import REPO, run, start, unmount
from test_analysis import (attr, paragraphs, to_flac, wait_analysed)
from test_analysis import sounds  # noqa: F401 (a fixture)


def encode(wav, path):
    """wav encoded by the format's own encoder (ffmpeg for MP4)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    ext = path.rsplit(".", 1)[1]
    if ext == "ogg":
        run("oggenc", "-Q", "-o", path, wav)
    elif ext == "opus":
        run("opusenc", "--quiet", wav, path)
    elif ext in ("m4a", "m4b"):
        codec = "alac" if ext == "m4b" else "aac"
        run("ffmpeg", "-v", "quiet", "-i", wav, "-c:a", codec, path)
    elif ext == "wv":
        run("wavpack", "-q", "-y", wav, "-o", path)
    elif ext == "aiff":
        run("sox", "-D", wav, path)
    elif ext == "ape":
        run("/usr/bin/python3",
            os.path.join(REPO, "tests/data/make-monkeys.py"), wav, path)
    else:
        run("cp", wav, path)


def loudness_of(m, folder, names):
    """The loudness the mount shows of each of the files names in folder,
    its track found in the mount's album views by its bytes."""
    def digest(path):
        with open(path, "rb") as f:
            return hashlib.sha1(f.read()).hexdigest()
    wanted = {digest(os.path.join(folder, n)): n for n in names}
    found = {}
    for parent, _, files in os.walk(m.file("library/music/albums")):
        for f in files:
            path = os.path.join(parent, f)
            name = wanted.get(digest(path)) if not f.startswith(
                "cover.") else None
            if name:
                found[name] = float(attr(path, "loudness_lufs"))
    return found


def test_every_format_analysed_confined(sounds, tmp_path):  # noqa: F811
    root = tmp_path / "music"
    to_flac(sounds["melody"], str(root / "m" / "melody.flac"), "Tune",
            "Melodist", "melody")
    formats = ("ogg", "opus", "m4a", "m4b", "wv", "ape", "wav", "aiff")
    for ext in formats:
        encode(sounds["melody"], str(root / "m" / ("melody." + ext)))
    encode(sounds["click"], str(root / "c" / "click.opus"))
    # chained: the melody, then a stream of another rate and channels,
    # which ends the track (mutagen's length is the first stream's)
    first, second = str(tmp_path / "a.ogg"), str(tmp_path / "b.ogg")
    mono = str(tmp_path / "mono.wav")
    run("sox", sounds["other"], "-r", "48000", "-c", "1", mono)
    encode(sounds["melody"], first)
    encode(mono, second)
    with open(str(root / "m" / "melody-chained.ogg"), "wb") as f:
        for part in (first, second):
            with open(part, "rb") as p:
                f.write(p.read())
    encode(sounds["other"], str(root / "o" / "other.m4a"))
    conf = tmp_path / "c.conf"
    conf.write_text("[music]\nroot = %s\n[analysis]\nuser = daemon\n" %
                    root)
    m = start(tmp_path, "config=" + str(conf))
    try:
        a = wait_analysed(m, timeout=180)
        assert (a["analysed"], a["failed"]) == (len(formats) + 4, 0), a
        groups = paragraphs(m.read("status/duplicates").decode())
        assert groups == [sorted(
            [str(root / "m" / "melody.flac"),
             str(root / "m" / "melody-chained.ogg")] +
            [str(root / "m" / ("melody." + ext)) for ext in formats])]
        track = m.file("search/click/click.opus")
        assert abs(float(attr(track, "bpm")) - 120) <= 1
        # the lossless formats decode to the FLAC's samples
        lossless = ["melody." + ext
                    for ext in ("flac", "m4b", "wv", "ape", "wav", "aiff")]
        loudness = loudness_of(m, str(root / "m"), lossless)
        assert sorted(loudness) == sorted(lossless)
        assert max(loudness.values()) - min(loudness.values()) < 0.01, \
            loudness
    finally:
        unmount(m.path, m.proc)
