"""The manga library over a real mount: series are folders, volumes are
files or folders of images named as French and English libraries name
them, and /status/missing follows the library as the watcher sees it."""

import json
import os
import subprocess
import time

import pytest

from conftest import unmount, is_mounted, start

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


def missing_lines(m):
    return m.read("status/missing").decode().splitlines()


def wait_missing(m, want, timeout=15):
    deadline = time.time() + timeout
    while missing_lines(m) != want:
        assert m.proc.poll() is None, "mediamon exited"
        assert time.time() < deadline, missing_lines(m)
        time.sleep(0.05)


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
    deadline = time.time() + 15
    while not any(line.startswith("Bad") for line in missing_lines(manga)):
        assert time.time() < deadline, missing_lines(manga)
        time.sleep(0.05)
    assert "Bad\ufffd Name\t1" in manga.read("status/missing").decode(
        "utf-8", "replace").splitlines()
    doc = json.loads(manga.read("status/missing.json"))
    bad_items = [d for d in doc if d["series"].startswith("Bad")]
    assert [d["volume"] for d in bad_items] == [1]
    assert bad_items[0]["series"] == "Bad\ufffd\tName"
