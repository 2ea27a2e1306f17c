# SPDX-License-Identifier: GPL-3.0-or-later
"""The manga library over a real mount: series are folders, volumes are
files or folders of images named as French and English libraries name
them, and /status/missing follows the library as the watcher sees it."""

import json
import os
import subprocess

import pytest

from conftest import unmount, is_mounted, start, wait_for

SERIES = {
    "One Piece": ["One Piece T01.cbz", "One Piece T02.cbz",
                  "One Piece T04.cbz", "One Piece Chapter 1050.cbz",
                  "One Piece T03.5.cbz"],
    "Berserk": ["Berserk Tomes 01-03.cbz",
                "Berserk T05 (2023) [Digital].cbz", "Berserk HS.cbz"],
    "Mob Psycho 100": ["Mob Psycho 100 T02.cbz"],
    "Empty": [],
    "Notes": ["readme.txt", "Notes sans numero.cbz"],
}


def make_library(root):
    for series, names in SERIES.items():
        os.makedirs(os.path.join(root, series), exist_ok=True)
        for name in names:
            with open(os.path.join(root, series, name), "wb") as f:
                f.write(b"not really an archive")
    # a folder of images is one volume
    folder = os.path.join(root, "Mob Psycho 100", "Mob Psycho 100 v03")
    os.makedirs(folder)
    for i in range(3):
        with open(os.path.join(folder, "%03d.jpg" % i), "wb") as f:
            f.write(b"\xff\xd8\xff")


@pytest.fixture
def manga(tmp_path):
    root = tmp_path / "manga"
    make_library(str(root))
    conf = tmp_path / "m.conf"
    conf.write_text("[general]\nwatch_debounce = 100ms\n[manga]\nroot = %s\n"
                    % root)
    m = start(tmp_path, "config=" + str(conf))
    m.root = str(root)
    yield m
    unmount(m.path, m.proc)
    assert not is_mounted(m.path)


def lines(m, rel):
    return m.read(rel).decode().splitlines()


def missing_lines(m):
    return lines(m, "status/missing")


def unparsed_lines(m):
    return lines(m, "status/unparsed")


def wait_lines(m, rel, want, timeout=15):
    wait_for(lambda: lines(m, rel), timeout, "%s %r" % (rel, want),
             until=lambda got: got == want, mount=m)


def wait_missing(m, want):
    wait_lines(m, "status/missing", want)


EXPECTED = ["Berserk\t4", "Mob Psycho 100\t1", "One Piece\t3"]


def test_missing_text(manga):
    # chapters, specials, decimals and names without a number never fill
    # or open a gap; the series' own number (100) is not a volume
    assert missing_lines(manga) == EXPECTED


def test_missing_json(manga):
    doc = json.loads(manga.read("status/missing.json"))
    assert doc == [
        {"series": "Berserk", "volume": 4,
         "series_path": os.path.join(manga.root, "Berserk")},
        {"series": "Mob Psycho 100", "volume": 1,
         "series_path": os.path.join(manga.root, "Mob Psycho 100")},
        {"series": "One Piece", "volume": 3,
         "series_path": os.path.join(manga.root, "One Piece")},
    ]


def test_summary_counts(manga):
    c = manga.json("status/summary.json")["counts"]
    # One Piece 1, 2, 4, 3.5; Berserk 1-3, 5; Mob Psycho 2, folder 3
    assert (c["series"], c["volumes"], c["missing"]) == (5, 8, 3)
    assert c["tracks"] == 0


def test_missing_follows_the_watcher(manga):
    os.unlink(os.path.join(manga.root, "One Piece", "One Piece T02.cbz"))
    wait_missing(manga, ["Berserk\t4", "Mob Psycho 100\t1",
                         "One Piece\t2", "One Piece\t3"])
    for name in ["Berserk T04.cbz", "Mob Psycho 100 T01.cbz"]:
        series = name.rsplit(" T", 1)[0]
        with open(os.path.join(manga.root, series, name), "wb") as f:
            f.write(b"x")
    wait_missing(manga, ["One Piece\t2", "One Piece\t3"])
    # a new series folder arrives with a gap of its own
    subprocess.run(["mkdir", "-p", os.path.join(manga.root, "Billy Bat")],
                   check=True)
    with open(os.path.join(manga.root, "Billy Bat", "Billy Bat 3.cbz"),
              "wb") as f:
        f.write(b"x")
    wait_missing(manga, ["Billy Bat\t1", "Billy Bat\t2", "One Piece\t2",
                         "One Piece\t3"])
    # and goes away with its folder
    subprocess.run(["rm", "-r", os.path.join(manga.root, "Billy Bat")],
                   check=True)
    wait_missing(manga, ["One Piece\t2", "One Piece\t3"])


def test_hostile_names(manga):
    """A series folder named with invalid UTF-8 and a tab, an absurd
    volume number: the files stay readable and the JSON valid."""
    bad = os.path.join(os.fsencode(manga.root), b"Bad\xff\tName")
    os.mkdir(bad)
    for name in [b"Bad T02.cbz", b"Bad T99999999.cbz"]:
        with open(os.path.join(bad, name), "wb") as f:
            f.write(b"x")
    wait_for(lambda: missing_lines(manga), 15, "Bad in status/missing",
             until=lambda lines: any(line.startswith("Bad")
                                     for line in lines), mount=manga)
    assert "Bad\ufffd Name\t1" in manga.read("status/missing").decode(
        "utf-8", "replace").splitlines()
    doc = json.loads(manga.read("status/missing.json"))
    bad_items = [d for d in doc if d["series"].startswith("Bad")]
    assert [d["volume"] for d in bad_items] == [1]
    assert bad_items[0]["series"] == "Bad\ufffd\tName"


def test_unparsed(manga):
    """A volume file whose name gives no sure volume is listed with the
    reason, so that it can be renamed; it never counts as a volume, and
    the rename takes it off the list."""
    berserk = os.path.join(manga.root, "Berserk")
    notes = os.path.join(manga.root, "Notes", "Notes sans numero.cbz")
    assert unparsed_lines(manga) == [notes + "\tno volume number"]
    for name in ["Berserk 12 13.cbz", "Berserk Part 4.cbz", "12 13.cbz",
                 "Berserk\tLost 4.cbz", "\ubca0\ub974\uc138\ub974\ud06c 4\ub144.cbz"]:
        with open(os.path.join(berserk, name), "wb") as f:
            f.write(b"x")
    # in path order (a tab sorts first), the tab shown as a space
    wait_lines(manga, "status/unparsed", [
        berserk + "/12 13.cbz\ttwo numbers, no marker",
        berserk + "/Berserk Lost 4.cbz\ta word between the series name"
        " and the number",
        berserk + "/Berserk 12 13.cbz\tseveral numbers after the series"
        " name",
        berserk + "/Berserk Part 4.cbz\ta word between the series name"
        " and the number",
        berserk + "/\ubca0\ub974\uc138\ub974\ud06c 4\ub144.cbz\ta number"
        " glued to a word that is no marker",
        notes + "\tno volume number"])
    # none of them fills volume 4 or opens a gap up to 13
    assert missing_lines(manga) == EXPECTED
    os.rename(os.path.join(berserk, "Berserk Part 4.cbz"),
              os.path.join(berserk, "Berserk T04.cbz"))
    wait_missing(manga, EXPECTED[1:])
    # while the rename's scan runs the list may still be the one before it
    wait_for(lambda: unparsed_lines(manga), 15, "four lines of Berserk",
             until=lambda got: len(got) == 5, mount=manga)


# in path order ("2.5" sorts before "2.cbz")
CHAPTERS = ["Vinland Saga Vol.1 Ch.1.cbz", "Vinland Saga Vol.1 Ch.2.5.cbz",
            "Vinland Saga Vol.1 Ch.2.cbz", "Vinland Saga Vol.1 Ch.3v.2.cbz", "Vinland Saga Vol.2 Ch.4.cbz",
            "Vinland Saga Vol.2 Ch.6.cbz", "Vinland Saga T03.cbz"]


def start_chapters(tmp_path, fill):
    root = tmp_path / "manga"
    os.makedirs(str(root / "Vinland Saga"), exist_ok=True)
    for name in CHAPTERS:
        (root / "Vinland Saga" / name).write_bytes(b"x")
    conf = tmp_path / "m.conf"
    conf.write_text("[manga]\nroot = %s\nvolume_from_chapters = %s\n"
                    % (root, fill))
    m = start(tmp_path, "config=" + str(conf))
    m.root = str(root)
    return m


def test_chapters_keep_their_volume(tmp_path):
    """A name with a volume and a chapter is a chapter of that volume: it
    fills no gap, says its volume in status.json, and status/unparsed
    says why its volume is missing; with volume_from_chapters, a volume
    whose chapters run without a hole counts (volume 1: chapters 1 to
    3), one with a hole does not (volume 2: 4 and 6)."""
    m = start_chapters(tmp_path, "no")
    try:
        assert missing_lines(m) == ["Vinland Saga\t1", "Vinland Saga\t2"]
        doc = json.loads(read_series(m, "Vinland Saga", "status.json"))
        assert [(c["number"], c["volume"]) for c in doc["chapters"]] == [
            (1, 1), (2, 1), (2.5, 1), (3, 1), (4, 2), (6, 2)]
        assert doc["volumes"] == [3]
        folder = os.path.join(m.root, "Vinland Saga")
        assert unparsed_lines(m) == [
            os.path.join(folder, name) + "\tchapter %s of volume %s, which"
            " is missing: a chapter does not fill it" % (ch, vol)
            for name, ch, vol in zip(CHAPTERS[:6],
                                     ["1", "2.5", "2", "3", "4", "6"],
                                     ["1", "1", "1", "1", "2", "2"])]
    finally:
        unmount(m.path, m.proc)
    m = start_chapters(tmp_path, "yes")
    try:
        assert missing_lines(m) == ["Vinland Saga\t2"]
        assert read_series(m, "Vinland Saga", "volumes") == "1\n3\n"
        assert [line.split("\t")[0] for line in unparsed_lines(m)] == [
            os.path.join(m.root, "Vinland Saga", name)
            for name in CHAPTERS[4:6]]
        # the chapter that closes the hole completes volume 2
        with open(os.path.join(m.root, "Vinland Saga",
                               "Vinland Saga Vol.2 Ch.5.cbz"), "wb") as f:
            f.write(b"x")
        wait_missing(m, [])
        assert unparsed_lines(m) == []
    finally:
        unmount(m.path, m.proc)


def series_file(m, series, name):
    return os.path.join(m.path, "manga", series, name)


def read_series(m, series, name):
    with open(series_file(m, series, name), "rb") as f:
        return f.read().decode()


def write_series(m, series, name, data):
    fd = os.open(series_file(m, series, name), os.O_WRONLY | os.O_TRUNC)
    try:
        return os.write(fd, data if isinstance(data, bytes) else
                        data.encode())
    finally:
        os.close(fd)


def test_manga_folders(manga):
    assert os.listdir(os.path.join(manga.path, "manga")) == [
        "Berserk", "Empty", "Mob Psycho 100", "Notes", "One Piece"]
    assert sorted(os.listdir(os.path.join(manga.path, "manga", "Berserk"))) \
        == ["edition", "latest", "missing", "monitored", "preferences",
            "results.json", "source", "status.json", "volumes"]
    assert read_series(manga, "Berserk", "volumes") == "1\n2\n3\n5\n"
    assert read_series(manga, "One Piece", "volumes") == "1\n2\n3.5\n4\n"
    assert read_series(manga, "Mob Psycho 100", "volumes") == "2\n3\n"
    assert read_series(manga, "One Piece", "missing") == "3\n"
    assert read_series(manga, "Empty", "volumes") == ""
    assert read_series(manga, "Berserk", "monitored") == "1\n"
    assert read_series(manga, "Berserk", "latest") == ""
    assert read_series(manga, "Berserk", "source") == ""
    assert not os.path.exists(series_file(manga, "Nope", "volumes"))
    assert not os.path.exists(series_file(manga, "Berserk", "nope"))


def test_status_json(manga):
    doc = json.loads(read_series(manga, "One Piece", "status.json"))
    assert doc["series"] == "One Piece" and doc["monitored"] is True
    assert doc["path"] == os.path.join(manga.root, "One Piece")
    assert doc["volumes"] == [1, 2, 3.5, 4] and doc["missing"] == [3]
    assert doc["latest"] is None and doc["source"] == ""
    # the missing-volume check at start may have set last_checked
    assert doc["status"] is None
    assert doc["last_checked"] is None or \
        doc["last_checked"].endswith("Z")
    assert doc["chapters"] == [
        {"number": 1050, "volume": None,
         "file": "One Piece/One Piece Chapter 1050.cbz"}]
    doc = json.loads(read_series(manga, "Berserk", "status.json"))
    assert doc["specials"] == [{"number": None,
                                "file": "Berserk/Berserk HS.cbz"}]
    doc = json.loads(read_series(manga, "Notes", "status.json"))
    assert doc["unparsed"] == [{"number": None,
                                "file": "Notes/Notes sans numero.cbz",
                                "reason": "no volume number"}]


def test_settings(manga):
    write_series(manga, "Berserk", "monitored", "0\n")
    assert read_series(manga, "Berserk", "monitored") == "0\n"
    assert missing_lines(manga) == ["Mob Psycho 100\t1", "One Piece\t3"]
    write_series(manga, "Berserk", "monitored", "1")
    write_series(manga, "Berserk", "latest", "8\n")
    assert read_series(manga, "Berserk", "latest") == "8\n"
    assert read_series(manga, "Berserk", "missing") == "4\n6\n7\n8\n"
    write_series(manga, "Berserk", "source", "berserk\n")
    assert read_series(manga, "Berserk", "source") == "berserk\n"
    assert manga.json("status/summary.json")["counts"]["missing"] == 6

    # what the user set survives the watcher's refresh and a restart
    with open(os.path.join(manga.root, "Berserk", "Berserk T06.cbz"),
              "wb") as f:
        f.write(b"x")
    wait_for(lambda: read_series(manga, "Berserk", "missing"), 15,
             "Berserk missing 4, 7, 8", until=lambda v: v == "4\n7\n8\n",
             mount=manga)
    assert read_series(manga, "Berserk", "source") == "berserk\n"

    write_series(manga, "Berserk", "latest", "\n")
    assert read_series(manga, "Berserk", "latest") == ""
    # `echo > source` clears it; a write of nothing is no write at all
    write_series(manga, "Berserk", "source", "\n")
    assert read_series(manga, "Berserk", "source") == ""


BAD_WRITES = [
    ("monitored", "2"), ("monitored", "yes"), ("monitored", "\n"),
    ("monitored", "1 1"), ("monitored", "1\n1"),
    ("latest", "abc"), ("latest", "0"), ("latest", "10000"),
    ("latest", "-1"), ("latest", "3.5"), ("latest", "+5"),
    ("source", "a\tb"), ("source", b"bad\xffbytes"), ("source", "x" * 201),
]


@pytest.mark.parametrize("name,data", BAD_WRITES)
def test_bad_settings_are_einval(manga, name, data):
    before = read_series(manga, "Berserk", name)
    with pytest.raises(OSError) as e:
        write_series(manga, "Berserk", name, data)
    assert e.value.errno == 22
    assert read_series(manga, "Berserk", name) == before


def test_read_only_files(manga):
    for name in ["volumes", "missing", "status.json"]:
        with pytest.raises(OSError) as e:
            write_series(manga, "Berserk", name, "1")
        assert e.value.errno in (13, 1)


def test_same_name_in_two_roots(tmp_path):
    roots = [tmp_path / "a", tmp_path / "b"]
    for i, root in enumerate(roots):
        os.makedirs(str(root / "Naruto"))
        with open(str(root / "Naruto" / ("Naruto T0%d.cbz" % (i + 2))),
                  "wb") as f:
            f.write(b"x")
    conf = tmp_path / "two.conf"
    conf.write_text("[manga]\nroot = %s\nroot = %s\n" % tuple(roots))
    m = start(tmp_path, "config=" + str(conf))
    try:
        assert os.listdir(os.path.join(m.path, "manga")) == [
            "Naruto", "Naruto (2)"]
        assert read_series(m, "Naruto", "volumes") == "2\n"
        assert read_series(m, "Naruto (2)", "volumes") == "3\n"
        write_series(m, "Naruto (2)", "monitored", "0")
        assert read_series(m, "Naruto", "monitored") == "1\n"
    finally:
        unmount(m.path, m.proc)


COMICINFO = """<?xml version="1.0" encoding="utf-8"?>
<ComicInfo><Series>{series}</Series><Volume>{volume}</Volume></ComicInfo>
"""


def make_cbz(path, comicinfo=None, folder=""):
    """A .cbz made by Python's zipfile, with a page and, if given, a
    ComicInfo.xml (in folder inside the archive)."""
    import zipfile
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("001.jpg", b"\xff\xd8\xff\xe0")
        if comicinfo is not None:
            z.writestr(folder + "ComicInfo.xml", comicinfo)


def test_comicinfo_wins_over_the_name(tmp_path):
    root = tmp_path / "manga"
    series = root / "One Piece"
    os.makedirs(str(series))
    make_cbz(str(series / "One Piece T01.cbz"))
    # no number in the name: ComicInfo says volume 3
    make_cbz(str(series / "One Piece edition collector.cbz"),
             COMICINFO.format(series="One Piece", volume=3))
    # a misleading name: ComicInfo says 5, not 9
    make_cbz(str(series / "One Piece T09.cbz"),
             COMICINFO.format(series="ONE PIECE", volume=5))
    # a Volume without a Series is not enough; a year is not a volume
    make_cbz(str(series / "One Piece T06.cbz"),
             "<ComicInfo><Volume>7</Volume></ComicInfo>")
    make_cbz(str(series / "One Piece T07.cbz"),
             COMICINFO.format(series="One Piece", volume=2019))
    # damaged XML and an archive that is not one change nothing
    make_cbz(str(series / "One Piece T08.cbz"), "<ComicInfo><Series>One")
    with open(str(series / "One Piece T10.cbz"), "wb") as f:
        f.write(b"this is no zip")
    conf = tmp_path / "ci.conf"
    conf.write_text("[general]\nwatch_debounce = 100ms\n[manga]\nroot = %s\n"
                    % root)
    m = start(tmp_path, "config=" + str(conf))
    try:
        assert read_series(m, "One Piece", "volumes") == \
            "1\n3\n5\n6\n7\n8\n10\n"
        assert read_series(m, "One Piece", "missing") == "2\n4\n9\n"
        assert m.json("metrics/scan.json")["last"]["io_errors"] == 0
        # a name ComicInfo.xml gives a volume to is not one to rename
        assert unparsed_lines(m) == []

        # the watcher reads the ComicInfo.xml of a new archive too
        make_cbz(str(series / "tmp.cbz"),
                 COMICINFO.format(series="One Piece", volume=2))
        os.rename(str(series / "tmp.cbz"), str(series / "bonus.cbz"))
        wait_for(lambda: read_series(m, "One Piece", "missing"), 15,
                 "One Piece missing 4, 9", until=lambda v: v == "4\n9\n",
                 mount=m)
    finally:
        unmount(m.path, m.proc)


def test_change_rebuilds_only_its_series(tmp_path):
    root = tmp_path / "manga"
    make_library(str(root))
    conf = tmp_path / "m.conf"
    conf.write_text("[general]\nwatch_debounce = 100ms\nlog_level = debug\n"
                    "[manga]\nroot = %s\n" % root)
    m = start(tmp_path, "config=" + str(conf))
    try:
        assert "manga: rebuilding every series of root" in \
            m.read("log").decode()
        with open(str(root / "One Piece" / "One Piece T03.cbz"), "wb") as f:
            f.write(b"not really an archive")
        wait_missing(m, ["Berserk\t4", "Mob Psycho 100\t1"])
        log = m.read("log").decode()
        last = log[log.rindex("manga: rebuilding"):].splitlines()[0]
        assert last.startswith('manga: rebuilding the series "One Piece"')
        assert log.count("manga: rebuilding every series") == 1
    finally:
        unmount(m.path, m.proc)
