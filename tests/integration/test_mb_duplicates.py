# SPDX-License-Identifier: GPL-3.0-or-later
"""Duplicates by their MusicBrainz recording ids (issue 53, point 9): a
FLAC and an MP3 file tagged with one recording id and of one length are
shown in /status/duplicates and /status/duplicates.json, reason
"musicbrainz", before any audio analysis; other lengths, ids that are no
UUID and files without an id are not. Once the analysis finds the same
pair, it is shown once, reason "audio". The ids are tagged as Picard
writes them (https://picard.musicbrainz.org/docs/mappings/): FLAC's
MUSICBRAINZ_TRACKID, ID3v2's UFID of http://musicbrainz.org."""

import os
import sqlite3

from mutagen.id3 import ID3, TIT2, UFID

from conftest import run, start, unmount, wait_for
from test_analysis import melody, paragraphs, wait_analysed

RECORDING = "5f0b4b1e-7c1a-4c2b-9e3d-0a1b2c3d4e5f"
OTHER = "0d9c8b7a-6f5e-4d3c-8b2a-190817263544"


def flac(wav, path, mbid):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    run("flac", "-s", "-f", "-o", path, wav)
    run("metaflac", "--set-tag=TITLE=" + os.path.basename(path),
        "--set-tag=MUSICBRAINZ_TRACKID=" + mbid, path)


def mp3(wav, path, mbid):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    run("lame", "--quiet", "-b", "192", wav, path)
    tag = ID3()
    tag.add(TIT2(encoding=3, text=os.path.basename(path)))
    tag.add(UFID(owner="http://musicbrainz.org", data=mbid.encode()))
    tag.save(path)


def library(tmp_path):
    """The pair, one of the recording twice as long, a pair whose id is
    no UUID, and a pair of another recording in upper case (kept in
    lower case, so one)."""
    root = tmp_path / "music"
    short, long = str(tmp_path / "short.wav"), str(tmp_path / "long.wav")
    melody(short, 1, seconds=6)
    melody(long, 1, seconds=12)
    flac(short, str(root / "a" / "one.flac"), RECORDING)
    mp3(short, str(root / "b" / "one.mp3"), RECORDING)
    flac(long, str(root / "c" / "long.flac"), RECORDING)
    flac(short, str(root / "d" / "bad.flac"), "not-a-uuid")
    mp3(short, str(root / "d" / "bad.mp3"), "not-a-uuid")
    flac(long, str(root / "e" / "upper.flac"), OTHER.upper())
    mp3(long, str(root / "e" / "lower.mp3"), OTHER)
    return root


def ids(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
    try:
        return dict(con.execute(
            "SELECT CAST(f.name AS TEXT), t.mb_track_id FROM files f"
            " JOIN tracks t ON t.file_id = f.id").fetchall())
    finally:
        con.close()


def attrs(m):
    """The user.mediamon.mb_track_id of every track file of the views,
    counted."""
    seen = {}
    for folder, _, files in os.walk(m.file("library/music/albums")):
        for f in files:
            try:
                v = os.getxattr(os.path.join(folder, f),
                                "user.mediamon.mb_track_id").decode()
            except OSError:
                v = None
            seen[v] = seen.get(v, 0) + 1
    return seen


def test_same_recording_is_a_duplicate_before_analysis(tmp_path):
    root = library(tmp_path)
    conf = tmp_path / "c.conf"
    conf.write_text("[general]\nlog_level = debug\n[music]\nroot = %s\n"
                    "[analysis]\nenabled = no\n" % root)
    m = start(tmp_path, "config=" + str(conf))
    try:
        assert m.json("metrics/analysis.json")["analysed"] == 0
        stored = ids(m.db)
        assert stored["one.flac"] == stored["one.mp3"] == RECORDING
        assert stored["bad.flac"] is None and stored["bad.mp3"] is None
        assert stored["upper.flac"] == OTHER
        assert attrs(m) == {RECORDING: 3, OTHER: 2, None: 2}
        log = m.read("log").decode()
        assert "vorbis: a musicbrainz id that is no uuid ignored" in log
        assert "id3v2: a musicbrainz id that is no uuid ignored" in log
        pair = sorted([str(root / "a" / "one.flac"),
                       str(root / "b" / "one.mp3")])
        other = sorted([str(root / "e" / "lower.mp3"),
                        str(root / "e" / "upper.flac")])
        assert paragraphs(m.read("status/duplicates").decode()) == [
            pair, other]
        assert m.json("status/duplicates.json") == [
            {"reason": "musicbrainz", "paths": pair},
            {"reason": "musicbrainz", "paths": other}]
    finally:
        unmount(m.path, m.proc)


def test_analysis_finding_the_pair_shows_it_once(tmp_path):
    root = library(tmp_path)
    m = start(tmp_path, "music=" + str(root))
    try:
        wait_analysed(m)
        groups = wait_for(lambda: m.json("status/duplicates.json"), 30,
                          "the pair found by its audio",
                          until=lambda g: any(x["reason"] == "audio"
                                              for x in g))
        pair = sorted([str(root / "a" / "one.flac"),
                       str(root / "b" / "one.mp3")])
        mine = [g for g in groups if str(root / "a" / "one.flac")
                in g["paths"]]
        assert len(mine) == 1 and mine[0]["reason"] == "audio", groups
        assert set(pair) <= set(mine[0]["paths"])
        listed = m.read("status/duplicates").decode().splitlines()
        assert listed.count(str(root / "a" / "one.flac")) == 1
    finally:
        unmount(m.path, m.proc)
