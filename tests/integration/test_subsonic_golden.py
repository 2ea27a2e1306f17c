# SPDX-License-Identifier: GPL-3.0-or-later
"""The OpenSubsonic methods against their table and their golden answers
(issue 82). The table (fs/subsonic/subsonic_methods.def, whose rows
tools/mediamon-docs subsonic-methods prints) holds every method of the
specification's schemas (tests/data/opensubsonic/openapi/openapi.json)
and no other, a schema for each method it serves, and a golden answer
in JSON and in XML (tests/data/subsonic-golden/METHOD.json and .xml) for
each it serves but those answering a file's bytes, and none for another.
Each served method is asked, in both encodings, of a fixed small
library made here with ffmpeg (fixed tags, bit-exact files), after a
fixed history of stars and plays, and its answer must equal its golden
file once what must vary is masked: the times (created, starred,
played, lastModified, changed, minutesAgo), serverVersion, a scan's
count and whether one runs, and the order of the random lists. The ids
are not masked: a song's is its file's number, stable for the same
files scanned alike (by one scan worker).
After a deliberate change of an answer, run this file with --write
(MEDIAMON_BINARY and MEDIAMON_DOCS_TOOL set as for make test) to
rewrite the golden files, and read their diff."""

import json
import os
import re
import sys
import urllib.parse
import urllib.request

import opensubsonic_schema
from conftest import run
from subsonic_calls import call, ok, walked
from test_docs_drift import REPO, docs_tool
from test_http import PASSWORD, Web

GOLDEN = os.path.join(REPO, "tests", "data", "subsonic-golden")
SPEC = os.path.join(REPO, "tests", "data", "opensubsonic", "openapi")
# The members whose values vary from run to run, and what they become.
MASKED = ("created", "starred", "played", "lastModified", "changed",
          "minutesAgo", "serverVersion", "count", "scanning")
MASK = "*"
# The library: (file, title, artist, album, track, genre, year, tone).
LIBRARY = (
    ("Band/Tones/01.flac", "First", "Band", "Tones", 1, "Rock", 2001, 440),
    ("Band/Tones/02.flac", "Second", "Band", "Tones", 2, "Rock", 2001,
     550),
    ("Zed/Solo/01.flac", "Only", "Zed", "Solo", 1, "Jazz", 1999, 660),
)
# The lyrics: First's in its tags (a Vorbis comment LYRICS), Second's in
# an .lrc beside it, synced.
LYRICS = {"Band/Tones/01.flac": "Line one\nLine two"}
LRC = {"Band/Tones/02.lrc": "[ar:Band]\n[ti:Second]\n[00:00.50]Half"
       "\n[00:00.10][00:00.90]Both ends\n"}
# What each method asked here is given, "{First}" a song's id, "{Band}"
# an artist's, "{Tones}" an album's, "{playlist}" the first of
# getPlaylists, by title or name; and the list a random method's answer
# has sorted by id ("member.key").
ASKED = {
    "getIndexes": {}, "getMusicDirectory": {"id": "{Band}"},
    "getArtist": {"id": "{Band}"}, "getAlbum": {"id": "{Tones}"},
    "getSong": {"id": "{First}"}, "getSimilarSongs": {"id": "{First}"},
    "getSimilarSongs2": {"id": "{First}"}, "getTopSongs": {"artist": "Band"},
    "getSonicSimilarTracks": {"id": "{First}"},
    "getAlbumList": {"type": "alphabeticalByName"},
    "getAlbumList2": {"type": "alphabeticalByName"},
    "getSongsByGenre": {"genre": "Rock"}, "search2": {"query": "o"},
    "search3": {"query": "o"}, "getPlaylist": {"id": "{playlist}"},
    "star": {"id": "{Second}"}, "unstar": {"id": "{Second}"},
    "scrobble": {"id": "{Second}", "submission": "false"},
    "getUser": {"username": "root"},
    # each asked twice, in JSON then in XML: the second answer is made
    # after the first's change (a second playlist, "Mine" gone)
    "createPlaylist": {"name": "Made", "songId": "{Second}"},
    "updatePlaylist": {"playlistId": "{mine}", "name": "Renamed",
                       "songIdToAdd": "{Only}"},
    "deletePlaylist": {"id": "{mine}"},
    "setRating": {"id": "{Tones}", "rating": "4"},
    "createBookmark": {"id": "{First}", "position": "5000"},
    "deleteBookmark": {"id": "{Only}"},
    "savePlayQueue": {"id": "{Second}", "current": "{Second}",
                      "position": "0"},
    "savePlayQueueByIndex": {"id": "{Second}", "currentIndex": "0",
                             "position": "0"},
    "getLyricsBySongId": {"id": "{Second}"},
    "getLyrics": {"artist": "Band", "title": "First"},
    "getArtistInfo": {"id": "{Band}"}, "getArtistInfo2": {"id": "{Band}"},
    "getAlbumInfo": {"id": "{Tones}"}, "getAlbumInfo2": {"id": "{First}"},
}
RANDOM = {"getRandomSongs": "randomSongs.song"}


def table():
    """[(name, {flag words}, since)] of the methods' table, in order."""
    rows = []
    for line in docs_tool("subsonic-methods").splitlines():
        name, flags, since, _ = line.split("\t")
        rows.append((name, set(filter(None, flags.split(", "))), since))
    return rows


def answered(rows):
    """The served methods that answer a subsonic-response."""
    return [n for n, f, _ in rows
            if not f & {"not yet", "never", "a file"}]


def flac(top, rel, title, artist, album, track, genre, year, freq):
    path = os.path.join(top, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    run("ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
        "sine=frequency=%d:duration=1:sample_rate=44100" % freq,
        "-fflags", "+bitexact", "-flags:a", "+bitexact",
        "-metadata", "title=" + title, "-metadata", "artist=" + artist,
        "-metadata", "album_artist=" + artist, "-metadata", "album=" + album,
        "-metadata", "track=%d" % track, "-metadata", "genre=" + genre,
        "-metadata", "date=%d" % year,
        *(["-metadata", "lyrics=" + LYRICS[rel]] if rel in LYRICS else []),
        path)


def ask(w, method, f, params):
    """The raw body of /rest/METHOD in encoding f (a JSON one checked
    against the method's schema)."""
    q = {"u": "root", "p": PASSWORD, "v": "1.16.1", "c": "golden", "f": f}
    q.update(params)
    url = "%s/rest/%s?%s" % (w.base, method, urllib.parse.urlencode(q))
    with urllib.request.urlopen(url, timeout=120) as r:
        body = r.read().decode()
    if f == "json":
        opensubsonic_schema.check(method, json.loads(body))
    return body


def mask(value):
    """value with the members of MASKED masked, wherever they are."""
    if isinstance(value, dict):
        return {k: MASK if k in MASKED else mask(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [mask(v) for v in value]
    return value


def sort_by_id(resp, where):
    member, key = where.split(".")
    resp.get(member, {}).get(key, []).sort(key=lambda x: x["id"])


def normal_json(method, body):
    resp = json.loads(body)["subsonic-response"]
    if method in RANDOM:
        sort_by_id(resp, RANDOM[method])
    return json.dumps(mask(resp), indent=1, ensure_ascii=False) + "\n"


def xml_blocks(lines, key):
    """[(first, last)] of the lines of each element key, its children
    in."""
    blocks, i = [], 0
    while i < len(lines):
        if lines[i].startswith("<%s " % key):
            first = i
            if not lines[i].endswith("/>"):
                while lines[i] != "</%s>" % key:
                    i += 1
            blocks.append((first, i))
        i += 1
    return blocks


def normal_xml(method, body):
    """The XML as it came, one element a line, its masked attributes
    masked, a random list's elements in the order of their ids."""
    text = re.sub(r' (%s)="[^"]*"' % "|".join(MASKED),
                  r' \1="%s"' % MASK, body)
    lines = re.sub(r"(?<=>)(?=<)", "\n", text).split("\n")
    if method in RANDOM:
        blocks = xml_blocks(lines, RANDOM[method].split(".")[1])
        parts = sorted((lines[a:b + 1] for a, b in blocks),
                       key=lambda x: re.search(' id="([^"]*)"', x[0])[1])
        if blocks:
            lines[blocks[0][0]:blocks[-1][1] + 1] = sum(parts, [])
    return "\n".join(lines)


def params(method, ids):
    return {k: v.format(**ids) for k, v in ASKED.get(method, {}).items()}


def history(w):
    """The library's ids by title or name, after a fixed history: First
    starred and played once, Only now playing, the account's playlist
    Mine of First, a bookmark in Only, a queue of First."""
    songs = walked(w)
    ids = {t: v[0] for t, v in songs.items()}
    ids.update({"Band": songs["First"][1], "Zed": songs["Only"][1],
                "Tones": songs["First"][2], "Solo": songs["Only"][2]})
    ok(call(w, "star", id=ids["First"])[2])
    ok(call(w, "scrobble", id=ids["First"], time="1700000000000")[2])
    ok(call(w, "scrobble", id=ids["Only"], submission="false")[2])
    lists = ok(call(w, "getPlaylists")[2])["playlists"]["playlist"]
    ids["playlist"] = lists[0]["id"]
    ids["mine"] = ok(call(w, "createPlaylist", name="Mine",
                          songId=ids["First"])[2])["playlist"]["id"]
    ok(call(w, "createBookmark", id=ids["Only"], position="1000")[2])
    ok(call(w, "savePlayQueue", id=ids["First"], current=ids["First"],
            position="0")[2])
    return ids


def answers(tmp_path):
    """{"METHOD.json" and "METHOD.xml": normalised answer} of every
    method the table says answers a subsonic-response."""
    top = tmp_path / "music"
    for row in LIBRARY:
        flac(str(top), *row)
    for rel, text in LRC.items():
        (top / rel).write_text(text, encoding="utf-8")
    w = Web(tmp_path, conf_extra="[general]\nthreads = 1\n", music=top)
    try:
        ids = history(w)
        got = {}
        for method in answered(table()):
            for f, normal in (("json", normal_json), ("xml", normal_xml)):
                body = ask(w, method, f, params(method, ids))
                got["%s.%s" % (method, f)] = normal(method, body)
        return got
    finally:
        w.stop()


def golden_files():
    return sorted(os.listdir(GOLDEN)) if os.path.isdir(GOLDEN) else []


def test_answers_are_golden(tmp_path):
    """Each served method's answer, in JSON and in XML, is its golden
    file's."""
    got = answers(tmp_path)
    assert sorted(got) == golden_files(), "run this file with --write"
    for name, text in got.items():
        with open(os.path.join(GOLDEN, name), encoding="utf-8") as f:
            assert text == f.read(), name


def spec_methods():
    """The methods of the specification's openapi.json: /rest/NAME (one
    with a suffix, hls.m3u8, by its name)."""
    with open(os.path.join(SPEC, "openapi.json"), encoding="utf-8") as f:
        paths = json.load(f)["paths"]
    return sorted(p[len("/rest/"):].split(".")[0] for p in paths)


def test_table_is_the_specification():
    """The table holds each method of the specification once, and no
    other; each row says since which version, and what a served method
    does or how one not served is answered."""
    rows = table()
    names = [n for n, _, _ in rows]
    assert len(set(names)) == len(names)
    assert sorted(names) == spec_methods()
    for name, flags, since in rows:
        assert re.fullmatch(r"1\.\d+\.\d+|OpenSubsonic", since), name
        unserved = flags & {"not yet", "never"}
        assert len(unserved) <= 1 and not (unserved and flags - unserved)
        assert flags - unserved <= {"reads", "writes", "a file"}


def test_every_served_method_has_its_schema_and_golden_files():
    """A served method has its schema (endpoints/METHOD.json); one that
    answers a subsonic-response its two golden files; no golden file is
    another's."""
    rows = table()
    for name, flags, _ in rows:
        if not flags & {"not yet", "never"}:
            assert os.path.exists(os.path.join(SPEC, "endpoints",
                                               name + ".json")), name
    want = sorted(m + e for m in answered(rows) for e in (".json", ".xml"))
    assert golden_files() == want, "run this file with --write"


def test_masks_and_sorts():
    """What varies is masked, deep in JSON as in XML attributes, and a
    random list sorted; the rest is kept as it came."""
    body = json.dumps({"subsonic-response": {
        "serverVersion": "1.2", "randomSongs": {"song": [
            {"id": "so2", "created": "x", "title": "b"},
            {"id": "so1", "played": "y"}]}}})
    made = json.loads(normal_json("getRandomSongs", body))
    assert made == {"serverVersion": "*", "randomSongs": {"song": [
        {"id": "so1", "played": "*"},
        {"id": "so2", "created": "*", "title": "b"}]}}
    xml = ('<r serverVersion="1.2"><randomSongs><song id="so2" '
           'created="x"><genres name="a"/></song><song id="so1" '
           'title="t"/></randomSongs></r>\n')
    assert normal_xml("getRandomSongs", xml).split("\n") == [
        '<r serverVersion="*">', "<randomSongs>",
        '<song id="so1" title="t"/>', '<song id="so2" created="*">',
        '<genres name="a"/>', "</song>", "</randomSongs>", "</r>", ""]
    assert normal_xml("getSong", xml).split("\n")[2] == \
        '<song id="so2" created="*">'


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    import pathlib
    import tempfile
    with tempfile.TemporaryDirectory(prefix="golden-") as where:
        made = answers(pathlib.Path(where))
    os.makedirs(GOLDEN, exist_ok=True)
    for old in golden_files():
        if old not in made:
            os.unlink(os.path.join(GOLDEN, old))
    for name, text in made.items():
        with open(os.path.join(GOLDEN, name), "w", encoding="utf-8") as f:
            f.write(text)
