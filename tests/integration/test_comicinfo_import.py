# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 68: [import] comicinfo = yes. A .cbz imported without a
ComicInfo.xml gets one (Series, Title, Number, Volume, and the Summary,
Writer, Genre, Web and LanguageISO of what the series' source said;
escaped XML) with
every other entry's content unchanged; one that has its own is left byte
for byte; one that does not read as a zip is imported as it is, with a
warning. Downloads from the real qBittorrent (their files already in the
save path: no network)."""

import io
import os
import re
import xml.etree.ElementTree as ET
import zipfile

from clients import Torrent, clients, files  # noqa: F401
from conftest import wait_for
from test_clients import catalog, conf, health
from test_handoff import AUTO, SEND, downloads
from test_monitor import monitored, release  # noqa: F401

POLL = "poll_interval = 1\n"
PAGES = {"01.jpg": b"\xff\xd8" + b"\x11" * 30000 + b"\xff\xd9",
         "02.png": b"\x89PNG\r\n\x1a\n" + b"\x22" * 20000,
         "notes/read me.txt": b"text & <more>\n" * 100}
MANGA = "0a1b2c3d-0000-4000-8000-0000000c0b1e"
OWN_INFO = b"<ComicInfo><Series>Own</Series><Volume>6</Volume></ComicInfo>"


def cbz(entries):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for i, (name, data) in enumerate(entries.items()):
            z.writestr(name, data, zipfile.ZIP_DEFLATED if i % 2
                       else zipfile.ZIP_STORED)
    return out.getvalue()


def deflated(entries):
    """A .cbz whose every entry is deflated."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return out.getvalue()


def test_comicinfo_written_into_imported_cbz(monitored, clients, files,
                                             tmp_path):
    qbit = clients("qbittorrent")
    save = tmp_path / "saves"
    save.mkdir()
    vols = {4: cbz(PAGES),
            6: cbz(dict(PAGES, **{"ComicInfo.xml": OWN_INFO})),
            10: b"not a zip at all" * 100}
    found = []
    for v, content in vols.items():
        t = Torrent("Saga 01 T%02d.cbz" % v, content)
        (save / t.name).write_bytes(content)
        r = release("v%02d" % v, "Saga 01 T%02d FRENCH" % v, seeders=30)
        r["downloadUrl"] = files.put("/%d.torrent" % v, t.data)
        r["magnetUrl"] = None
        found.append(r)
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=conf("qbittorrent", qbit.url, save) + POLL +
                    "[import]\ncomicinfo = yes\n",
                    releases={"saga 01": found}, mangadex={"Saga 01": {
                        "id": MANGA, "volumes": {"fr": 3},
                        "description": "**Saga** & its <i>sequel</i>."
                                       "<br>\n\nSecond part.",
                        "authors": ["Ann Author", "Bob Artist"],
                        "genres": ["Drama", "Sci-Fi"]}})
    catalog(mon, files.url + "/gone.torrent")
    # the new-volume check keeps what MangaDex said of the series (issue
    # 68): the ComicInfo.xml of its imports carries it
    mon.check("new")
    mon.check("missing")
    for v in vols:
        wait_for(lambda: downloads(mon).get(v), 90, "volume %d imported" % v,
                 until=lambda d: d and d["state"] == "imported",
                 mount=mon.m)
    folder = mon.root / "Saga 01"

    with zipfile.ZipFile(folder / "Saga 01 T04.cbz") as z:
        assert z.testzip() is None
        names = z.namelist()
        assert sorted(names) == sorted(list(PAGES) + ["ComicInfo.xml"])
        for name, data in PAGES.items():
            assert z.read(name) == data, name
        info = ET.fromstring(z.read("ComicInfo.xml"))
    assert info.tag == "ComicInfo"
    assert info.findtext("Series") == "Saga 01"
    assert info.findtext("Number") == "4"
    assert info.findtext("Volume") == "4"
    assert info.findtext("Title") == "Volume 4"
    assert info.findtext("Summary") == "Saga & its sequel.\n\nSecond part."
    assert info.findtext("Writer") == "Ann Author, Bob Artist"
    assert info.findtext("Genre") == "Drama, Sci-Fi"
    assert info.findtext("Web") == "https://mangadex.org/title/" + MANGA
    assert info.findtext("LanguageISO") == "fr"
    # the download's own file is as it was (hardlink mode: a new file)
    assert (save / "Saga 01 T04.cbz").read_bytes() == vols[4]

    assert (folder / "Saga 01 T06.cbz").read_bytes() == vols[6]
    assert (folder / "Saga 01 T10.cbz").read_bytes() == vols[10]
    log = mon.m.read("log").decode()
    assert "import: Saga 01: no ComicInfo.xml added to Saga 01 T10.cbz" \
        in log
    assert "no ComicInfo.xml added to Saga 01 T04.cbz" not in log
    assert "no ComicInfo.xml added to Saga 01 T06.cbz" not in log
    # written anew, the volume is a copy, not a link to the download
    assert re.search(r"import: Saga 01: \S.* as Saga 01 T04\.cbz \(copy\)",
                     log), log
    assert not re.search(r"as Saga 01 T04\.cbz \(hardlink\)", log), log


def test_comicinfo_keeps_size_and_refuses_bomb(monitored, clients, files,
                                               tmp_path):
    """Issue 76: a page that inflates far (zeros, deflated) stays as it
    came, the ComicInfo.xml added after the pages (nothing inflated); a
    release whose pages inflate past 20 times its size is refused before
    it reaches the folder, the reason in health, its volume still
    wanted."""
    qbit = clients("qbittorrent")
    save = tmp_path / "saves"
    save.mkdir()
    pages = {"01.jpg": b"\xff\xd8" + os.urandom(200000) + b"\xff\xd9",
             "02.png": b"\x89PNG\r\n\x1a\n" + bytes(2 << 20)}
    bomb = {"01.jpg": b"\xff\xd8" + os.urandom(20000) + b"\xff\xd9",
            "02.png": b"\x89PNG\r\n\x1a\n" + bytes(64 << 20)}
    vols = {4: deflated(pages), 6: deflated(bomb)}
    found = []
    for v, content in vols.items():
        t = Torrent("Saga 01 T%02d.cbz" % v, content)
        (save / t.name).write_bytes(content)
        r = release("v%02d" % v, "Saga 01 T%02d FRENCH" % v, seeders=30)
        r["downloadUrl"] = files.put("/%d.torrent" % v, t.data)
        r["magnetUrl"] = None
        found.append(r)
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=conf("qbittorrent", qbit.url, save) + POLL +
                    "[import]\ncomicinfo = yes\n",
                    releases={"saga 01": found})
    catalog(mon, files.url + "/gone.torrent")
    mon.check("missing")
    wait_for(lambda: downloads(mon).get(4), 90, "volume 4 imported",
             until=lambda d: d and d["state"] == "imported", mount=mon.m)
    text = wait_for(lambda: health(mon), 90, "health naming the bomb",
                    until=lambda t: "zip bomb" in t, mount=mon.m)
    folder = mon.root / "Saga 01"
    got = folder / "Saga 01 T04.cbz"
    with zipfile.ZipFile(got) as z:
        assert z.testzip() is None
        for name, data in pages.items():
            assert z.read(name) == data, name
        info = z.read("ComicInfo.xml")
    # every byte downloaded before the zip's directory as it came (the
    # page of zeros still deflated), the ComicInfo.xml stored after them
    # with its two headers (30 and 46 bytes and its name twice)
    data = got.read_bytes()
    head = vols[4].find(b"PK\x01\x02")
    assert data[:head] == vols[4][:head]
    assert len(data) == len(vols[4]) + len(info) + 30 + 46 + 2 * 13, \
        (len(data), len(vols[4]))
    line = next(x for x in text.splitlines() if "zip bomb" in x)
    assert "Saga 01 T06.cbz refused: its pages inflate to more than 20" \
        " times its size" in line, line
    assert not (folder / "Saga 01 T06.cbz").exists()
    assert downloads(mon)[6]["state"] != "imported"
    assert "Saga 01\t6\n" in mon.m.read("status/missing").decode()
