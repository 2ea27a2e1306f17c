# SPDX-License-Identifier: GPL-3.0-or-later
"""/opds, the manga library as an OPDS 1.2 catalog (issue 51): every feed
validates against the test's own RELAX NG schema of OPDS 1.2 and Atom
(tests/data/opds.rng, written from the OPDS 1.2 specification and RFC
4287) with xmllint, and parses as Atom with feedparser; served by
`python3 -m http.server` over the mount, every link of every feed
answers 200, each acquisition link with the bytes of the volume file; a
series another user may not list leaves no trace in that user's feeds;
names that XML must escape come out as they went in; an empty library
gives valid empty feeds."""

import errno
import json
import os
import shutil
import subprocess
import tempfile
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
import zipfile

import pytest

from clients import free_port, need
from conftest import is_mounted, start, unmount, wait_for

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
SCHEMA = os.path.join(REPO, "tests", "data", "opds.rng")
ATOM = "{http://www.w3.org/2005/Atom}"
ACQUISITION = "http://opds-spec.org/acquisition"
IMAGE = "http://opds-spec.org/image"
THUMBNAIL = "http://opds-spec.org/image/thumbnail"
STREAM = "http://vaemendis.net/opds-pse/stream"
PSE_COUNT = "{http://vaemendis.net/opds-pse/ns}count"
TOP = ["catalog.xml", "series.xml", "recent.xml", "updated.xml"]

ODD = 'Tom & Jerry <"Ünïcode"> l\'été'
SERIES = {
    "Berserk": ["Berserk T01.cbz", "Berserk T02.cbr", "Berserk T03.cb7",
                "Berserk T04.pdf", "Berserk T05.epub"],
    ODD: ["Tom T01.cbz"],
    "Line\nBreak": ["Line T01.cbz"],
    "Mob Psycho 100": ["Mob Psycho 100 T02.cbz"],
    "Empty": [],
}
TYPES = {".cbz": "application/vnd.comicbook+zip",
         ".cbr": "application/vnd.comicbook-rar",
         ".cb7": "application/x-cb7-compressed",
         ".pdf": "application/pdf",
         ".epub": "application/epub+zip"}


# The pages of the archives made real, in the order they are written:
# before the cover, a path out of the archive, a link and a page past
# the size limit, each first in natural order and none of them taken.
COVER = b"\xff\xd8\xff\xe0 the cover of Berserk 1"
PAGES = {
    "Berserk T01.cbz": [("../0.jpg", b"\xff\xd8 out of the archive"),
                        ("0a.jpg", None),
                        ("1.jpg", b"\0" * (33 << 20)),
                        ("10.jpg", b"\xff\xd8\xff\xe0 page ten"),
                        ("2.jpg", COVER)],
    "Mob Psycho 100 T02.cbz": [("p/001.PNG", b"\x89PNG\r\n\x1a\n mob"),
                               ("p/002.png", b"\x89PNG\r\n\x1a\n two")],
    "Secret Stash T01.cbz": [("1.jpg", b"\xff\xd8 a secret cover")],
}


def make_archive(path, pages):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in pages:
            if data is None:
                link = zipfile.ZipInfo(name)
                link.create_system = 3
                link.external_attr = (0o120777 << 16)
                z.writestr(link, "2.jpg")
            else:
                z.writestr(zipfile.ZipInfo(name), data)


def make_library(root, series):
    for name, files in series.items():
        os.makedirs(os.path.join(root, name), exist_ok=True)
        for f in files:
            path = os.path.join(root, name, f)
            if f in PAGES:
                make_archive(path, PAGES[f])
                continue
            with open(path, "wb") as out:
                out.write(("the bytes of %s/%s" % (name, f)).encode())


def mount_manga(tmp_path, series):
    root = tmp_path / "manga"
    root.mkdir()
    make_library(str(root), series)
    m = start(tmp_path, "manga=" + str(root))
    m.root = str(root)
    return m


@pytest.fixture
def manga(tmp_path):
    m = mount_manga(tmp_path, SERIES)
    # a folder of images is a volume too
    folder = os.path.join(m.root, "Mob Psycho 100", "Mob Psycho 100 v03")
    os.makedirs(folder)
    with open(os.path.join(folder, "001.jpg"), "wb") as f:
        f.write(b"\xff\xd8\xff")
    m.rescan()
    yield m
    unmount(m.path, m.proc)
    assert not is_mounted(m.path)


def feed_paths(m):
    """Every feed of /opds, relative to the mount."""
    return ["opds/" + n for n in TOP] + [
        "opds/series/" + n for n in sorted(os.listdir(m.file("opds/series")))]


def validate(path):
    """xmllint's verdict on the feed at path, against the schema."""
    out = subprocess.run([need("xmllint"), "--noout", "--relaxng", SCHEMA,
                          path], capture_output=True, timeout=30)
    assert out.returncode == 0, (path, out.stderr.decode())


def parse(data):
    import feedparser
    doc = feedparser.parse(data)
    assert not doc.bozo, doc.bozo_exception
    return doc


def links(data, rel=None):
    """(rel, href, type, length) of every link of the entries."""
    root = ET.fromstring(data)
    return [(ln.get("rel"), ln.get("href"), ln.get("type"),
             ln.get("length"))
            for e in root.iter(ATOM + "entry") for ln in e.iter(ATOM + "link")
            if rel is None or ln.get("rel") == rel]


def test_every_feed_validates_and_parses(manga):
    paths = feed_paths(manga)
    assert len(paths) == len(TOP) + 5
    for rel in paths:
        validate(manga.file(rel))
        data = manga.read(rel)
        parse(data)
        # what stat() shows is what a read gives
        assert os.stat(manga.file(rel)).st_size == len(data), rel
        with open(manga.file(rel), "rb") as f:
            assert os.fstat(f.fileno()).st_size == len(f.read()), rel
    catalog = parse(manga.read("opds/catalog.xml"))
    assert [e.title for e in catalog.entries] == [
        "All series", "Recently added volumes", "Series with new volumes"]
    series = parse(manga.read("opds/series.xml"))
    assert [e.title for e in series.entries] == \
        sorted(os.listdir(manga.file("library/manga")))
    assert "Line Break" in [e.title for e in series.entries]


def test_acquisition_links_and_types(manga):
    data = manga.read("opds/series/Berserk.xml")
    doc = parse(data)
    assert [e.title for e in doc.entries] == [
        "Berserk, volume %d" % v for v in range(1, 6)]
    got = links(data, ACQUISITION)
    assert len(got) == 5
    for (_, href, kind, length), ext in zip(got, sorted(
            TYPES, key=lambda e: ["cbz", "cbr", "cb7", "pdf", "epub"].index(
                e[1:]))):
        # the name a reader saves the book under carries the series
        assert href.startswith("../files/Berserk/Berserk%20Volume%20")
        assert href.endswith(ext) and kind == TYPES[ext]
        path = manga.file(os.path.normpath(os.path.join(
            "opds/series", urllib.parse.unquote(href))))
        assert int(length) == os.path.getsize(path)
        same = manga.file("library/manga/Berserk/" + os.path.basename(
            urllib.parse.unquote(href))[len("Berserk "):])
        with open(path, "rb") as a, open(same, "rb") as b:
            assert a.read() == b.read()
    # a folder of images is a generated .cbz (test_opds_folders.py)
    mob = links(manga.read("opds/series/Mob Psycho 100.xml"), ACQUISITION)
    assert [h for _, h, _, _ in mob] == [
        "../files/Mob%20Psycho%20100/Mob%20Psycho%20100%20Volume%20002.cbz",
        "../files/Mob%20Psycho%20100/Mob%20Psycho%20100%20Volume%20003.cbz"]
    # no other name is there: not the library's, not another series'
    for rel in ("Berserk/Volume 001.cbz", "Berserk/Berserk Volume 099.cbz",
                "Berserk/Mob Psycho 100 Volume 002.cbz", "Nobody",
                "Berserk/Berserk Volume 001.cbz/x"):
        assert not os.path.exists(manga.file("opds/files/" + rel)), rel
    assert os.listdir(manga.file("opds/files")) == []
    recent = parse(manga.read("opds/recent.xml"))
    assert len(recent.entries) == 9


def test_covers_are_first_pages(manga):
    """A volume archive's cover is its first page in natural order, of
    the pages that stay inside it, are no link and are within the size
    limit; a volume with no page has no cover link."""
    data = manga.read("opds/series/Berserk.xml")
    validate(manga.file("opds/series/Berserk.xml"))
    images = links(data, IMAGE)
    assert len(images) == 1
    assert [ln[1:] for ln in links(data, THUMBNAIL)] == [images[0][1:]]
    (_, href, kind, _), = images
    assert kind == "image/jpeg" and href.startswith("../covers/")
    path = manga.file("opds/series/" + href)
    with open(path, "rb") as f:
        assert f.read() == COVER
        assert os.fstat(f.fileno()).st_size == len(COVER)
    assert os.stat(path).st_size == len(COVER)
    # the folder of images' cover is its first image
    (_, href, kind, _), (_, first, _, _) = links(
        manga.read("opds/series/Mob Psycho 100.xml"), IMAGE)
    assert manga.read("opds/series/" + first) == b"\xff\xd8\xff"
    assert kind == "image/png" and href.endswith(".png")
    assert manga.read("opds/series/" + href).endswith(b" mob")
    # a name its feed does not give finds nothing
    for name in [href.rsplit("/", 1)[1].replace(".png", ".jpg"),
                 "0.jpg", "999999.jpg", "x.jpg"]:
        with pytest.raises(FileNotFoundError):
            manga.read("opds/covers/" + name)
    assert os.listdir(manga.file("opds/covers")) == []


def test_page_past_the_limit_is_never_read(tmp_path):
    """An archive whose one page is past the size limit has no cover,
    and its volume is in its feed all the same."""
    m = mount_manga(tmp_path, {"Big": ["Big T01.cbz"]})
    try:
        make_archive(os.path.join(m.root, "Big", "Big T01.cbz"),
                     [("001.jpg", b"\0" * (33 << 20))])
        m.rescan()
        data = m.read("opds/series/Big.xml")
        assert len(links(data, ACQUISITION)) == 1
        assert links(data, IMAGE) == []
    finally:
        unmount(m.path, m.proc)


def test_odd_names_are_escaped(manga):
    """&, <, quotes and accents reach the reader as they are; a newline
    is a space, as in the mount's names."""
    names = os.listdir(manga.file("opds/series"))
    assert ODD + ".xml" in names and "Line Break.xml" in names
    raw = manga.read("opds/series.xml")
    assert b"Tom &amp; Jerry &lt;" in raw
    titles = [e.title for e in parse(raw).entries]
    assert ODD in titles
    data = manga.read("opds/series/" + ODD + ".xml")
    validate(manga.file("opds/series/" + ODD + ".xml"))
    doc = parse(data)
    assert doc.feed.title == ODD
    (_, href, _, _), = links(data, ACQUISITION)
    assert urllib.parse.unquote(href) == \
        "../files/%s/%s Volume 001.cbz" % (ODD, ODD)
    assert os.path.isfile(manga.file(os.path.normpath(os.path.join(
        "opds/series", urllib.parse.unquote(href)))))
    assert "%26" in href and "%3C" in href and "%22" in href


def test_character_xml_has_no_place_for(tmp_path):
    """U+FFFF may be in a folder's name but not in XML: the feeds say
    U+FFFD instead, and link to the folder as it is named."""
    odd = "Odd\uffffName"
    m = mount_manga(tmp_path, {odd: ["Odd T01.cbz"]})
    try:
        feed = "opds/series/%s.xml" % odd
        for rel in ["opds/series.xml", "opds/recent.xml", feed]:
            validate(m.file(rel))
        doc = parse(m.read(feed))
        assert doc.feed.title == "Odd\ufffdName"
        (_, href, _, _), = links(m.read(feed), ACQUISITION)
        assert "Odd%EF%BF%BFName" in href
        assert os.path.exists(m.file(os.path.normpath(os.path.join(
            "opds/series", urllib.parse.unquote(href)))))
    finally:
        unmount(m.path, m.proc)


def fetch(url, with_type=False):
    with urllib.request.urlopen(url, timeout=30) as r:
        assert r.status == 200, url
        body = r.read()
        return (body, r.headers["Content-Type"]) if with_type else body


@pytest.fixture
def served(manga):
    """python3 -m http.server serving the mount on 127.0.0.1."""
    port = free_port()
    server = subprocess.Popen(
        ["/usr/bin/python3", "-m", "http.server", str(port), "--bind",
         "127.0.0.1", "--directory", manga.path],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = "http://127.0.0.1:%d/" % port

    def up():
        try:
            return fetch(base + "README") is not None
        except OSError:
            return False
    try:
        wait_for(up, 15, "http.server on port %d" % port)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_http_server_serves_every_link(manga, served):
    """From the root feed, every feed and every file linked answers 200;
    each acquisition link gives the bytes of the volume file, each cover
    and thumbnail link the bytes of its image, with the type the feed
    says (http.server's, by the extension, which knows no comic
    archive's), each page of a stream link's template the bytes of the
    page."""
    todo, seen = [served + "opds/catalog.xml"], set()
    acquired = images = pages = 0
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        data = fetch(url)
        root = ET.fromstring(data)
        for ln in root.iter(ATOM + "link"):
            target = urllib.parse.urljoin(url, ln.get("href"))
            rel = urllib.parse.unquote(urllib.parse.urlparse(target).path)
            if ln.get("rel") in (ACQUISITION, IMAGE, THUMBNAIL):
                with open(manga.file(rel.lstrip("/")), "rb") as f:
                    body, kind = fetch(target, with_type=True)
                    assert body == f.read(), target
                # http.server knows the image types, not the comic ones
                if ln.get("rel") != ACQUISITION:
                    assert kind == ln.get("type"), target
                acquired += ln.get("rel") == ACQUISITION
                images += ln.get("rel") != ACQUISITION
            elif ln.get("rel") == STREAM:
                # each page as the mount gives it (http.server knows no
                # type of a name without an extension)
                for n in range(int(ln.get(PSE_COUNT))):
                    page = target.replace("{pageNumber}", str(n)).replace(
                        "{maxWidth}", "600")
                    path = urllib.parse.urlparse(page).path
                    with open(manga.file(path.lstrip("/")), "rb") as f:
                        assert fetch(page) == f.read(), page
                    pages += 1
            else:
                todo.append(target)
    assert served + "opds/series/Berserk.xml" in seen
    assert acquired >= 8
    assert images >= 4
    assert pages >= 4


def test_empty_library_gives_empty_feeds(tmp_path):
    m = mount_manga(tmp_path, {})
    try:
        assert os.listdir(m.file("opds/series")) == []
        for rel in feed_paths(m)[1:]:
            validate(m.file(rel))
            assert parse(m.read(rel)).entries == []
        validate(m.file("opds/catalog.xml"))
    finally:
        unmount(m.path, m.proc)


def test_no_such_feed(manga):
    for rel in ["opds/series/Nothing.xml", "opds/series/Berserk",
                "opds/nothing.xml"]:
        with pytest.raises(FileNotFoundError):
            manga.read(rel)


# What another user's process reads of /opds: every feed, by name, and
# the names of /opds/series; an errno for what it may not.
WALK = """
import json, os, sys
opds = sys.argv[1]
out = {"series": sorted(os.listdir(os.path.join(opds, "series")))}
for rel in ["catalog.xml", "series.xml", "recent.xml", "updated.xml"] + [
        "series/" + n for n in out["series"]] + sys.argv[2:]:
    try:
        with open(os.path.join(opds, rel), "rb") as f:
            data = f.read()
            size = os.fstat(f.fileno()).st_size
        out[rel] = [data.decode(), size]
    except OSError as e:
        out[rel] = e.errno
print(json.dumps(out))
"""


@pytest.fixture
def world():
    """A folder every user may enter, for the library, the store and the
    mount point; unmounted and removed at the end."""
    if os.geteuid() != 0 or not shutil.which("useradd") or \
            not shutil.which("setpriv"):
        pytest.skip("needs root, useradd and setpriv to act as another"
                    " user")
    d = tempfile.mkdtemp(prefix="mediamon-opds.")
    os.chmod(d, 0o755)
    yield d
    with open("/proc/mounts") as f:
        for line in f:
            if line.split()[1].startswith(d + "/"):
                subprocess.run(["fusermount3", "-u", "-z", line.split()[1]])
    shutil.rmtree(d, ignore_errors=True)


def test_series_another_user_may_not_list_is_in_no_feed(world):
    """A series folder 0700 of root: the other user's feeds, its listing
    of /opds/series and its lookups (the series' feed, its cover) show
    nothing of it (nor of its pages), while its own feeds validate and the owner sees both
    series."""
    from access_users import drop_user, make_user
    import pathlib

    root = os.path.join(world, "manga")
    make_library(root, {"Open Shelf": ["Open Shelf T01.cbz"],
                        "Secret Stash": ["Secret Stash T01.cbz",
                                         "Secret Stash T02.pdf"]})
    os.chmod(os.path.join(root, "Secret Stash"), 0o700)
    user = make_user()
    m = start(pathlib.Path(world), "allow_other", "manga=" + root)
    try:
        owner = m.read("opds/series.xml").decode()
        assert "Secret Stash" in owner and "Open Shelf" in owner
        secret_id = [e.id for e in parse(owner).entries
                     if e.title == "Secret Stash"][0]
        (_, cover, _, _), = links(m.read("opds/series/Secret Stash.xml"),
                                  IMAGE)
        cover = cover.replace("../", "")
        assert m.read("opds/" + cover).endswith(b"a secret cover")
        page = "pages/%s/0" % cover.split("/")[1].split(".")[0]
        assert m.read("opds/" + page).endswith(b"a secret cover")
        book = "files/Secret Stash/Secret Stash Volume 001.cbz"
        assert os.path.getsize(m.file("opds/" + book)) > 0
        out = user.run("/usr/bin/python3", "-c", WALK, m.file("opds"),
                       "series/Secret Stash.xml", cover, page, book,
                       "files/Secret Stash")
        assert out.returncode == 0, out
        seen = json.loads(out.stdout)
        assert seen["series"] == ["Open Shelf.xml"]
        for rel in ["series/Secret Stash.xml", cover, page, book,
                    "files/Secret Stash"]:
            assert seen.pop(rel) == errno.ENOENT, rel
        for rel, got in seen.items():
            if rel == "series":
                continue
            text, size = got
            assert size == len(text.encode()), rel
            for trace in ["Secret", "Stash", secret_id]:
                assert trace not in text, (rel, trace)
            path = os.path.join(world, "feed.xml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            validate(path)
        assert "Open Shelf" in seen["series.xml"][0]
        assert len(parse(seen["recent.xml"][0].encode()).entries) == 1
    finally:
        unmount(m.path, m.proc)
        drop_user(user)


DC = "{http://purl.org/dc/terms/}"


def test_comicinfo_reaches_the_entry(tmp_path):
    """A volume's ComicInfo Summary, Writer and date are its entry's
    summary, author and dc:issued (as far as the date's parts are valid);
    a volume whose ComicInfo says none of them, or has none, carries
    none; the feed still validates, markup in a summary is text."""
    root = tmp_path / "manga"
    (root / "Saga").mkdir(parents=True)
    infos = {
        "Saga T01.cbz": "<ComicInfo><Summary>  Alana &amp; Marko"
        " &lt;flee&gt;.  </Summary><Writer>Brian K. Vaughan</Writer>"
        "<Year>2012</Year><Month>10</Month><Day>10</Day></ComicInfo>",
        "Saga T02.cbz": "<ComicInfo><Summary> </Summary><Year>20x2</Year>"
        "<Month>4</Month></ComicInfo>",
        "Saga T03.cbz": "<ComicInfo><Year>2013</Year><Month>14</Month>"
        "</ComicInfo>",
        "Saga T04.cbz": None,
    }
    for name, info in infos.items():
        with zipfile.ZipFile(str(root / "Saga" / name), "w") as z:
            if info:
                z.writestr("ComicInfo.xml", info)
            z.writestr("p1.jpg", b"\xff\xd8 page")
    m = start(tmp_path, "manga=" + str(root))
    try:
        feed = "opds/series/Saga.xml"
        data = wait_for(lambda: m.read(feed), 60, "four volumes in the feed",
                        mount=m, until=lambda d: d.count(b"<entry>") == 4)
        validate(m.file(feed))
        entries = ET.fromstring(data).findall(ATOM + "entry")
        got = [(e.findtext(ATOM + "title"), e.findtext(ATOM + "summary"),
                e.findtext(ATOM + "author/" + ATOM + "name"),
                e.findtext(DC + "issued")) for e in entries]
        assert got == [
            ("Saga, volume 1", "Alana & Marko <flee>.", "Brian K. Vaughan",
             "2012-10-10"),
            ("Saga, volume 2", None, None, None),
            ("Saga, volume 3", None, None, "2013"),
            ("Saga, volume 4", None, None, None)], got
        validate(m.file("opds/recent.xml"))
        assert b"Brian K. Vaughan" in m.read("opds/recent.xml")
    finally:
        unmount(m.path, m.proc)


def test_specials_are_in_their_series_feed(tmp_path):
    """A special ("Hors-Serie", "Extra") is an acquisition entry of its
    series' feed after the volumes, titled with the series and its own
    name, saved under a name carrying the series (its own when it has
    it), with its ComicInfo; the file behind the link is the special's,
    its length true; a chapter stays out; a name no special has is not
    there."""
    root = tmp_path / "manga"
    (root / "Berserk").mkdir(parents=True)
    files = {
        "Berserk T01.cbz": b"volume one",
        "Berserk Hors-Serie.cbz": b"the hors-serie",
        "Extra Guts.cbz": b"an extra",
        "Berserk Chapitre 300.cbz": b"a chapter",
    }
    for name, page in files.items():
        with zipfile.ZipFile(str(root / "Berserk" / name), "w") as z:
            if name == "Extra Guts.cbz":
                z.writestr("ComicInfo.xml", "<ComicInfo><Summary>Guts"
                           " alone</Summary><Writer>Kentaro Miura"
                           "</Writer></ComicInfo>")
            z.writestr("p1.jpg", b"\xff\xd8 " + page)
    m = start(tmp_path, "manga=" + str(root))
    try:
        feed = "opds/series/Berserk.xml"
        data = wait_for(lambda: m.read(feed), 60, "three entries in the feed",
                        mount=m, until=lambda d: d.count(b"<entry>") == 3)
        validate(m.file(feed))
        doc = parse(data)
        assert [e.title for e in doc.entries] == [
            "Berserk, volume 1", "Berserk, special: Berserk Hors-Serie",
            "Berserk, special: Extra Guts"], [e.title for e in doc.entries]
        entries = ET.fromstring(data).findall(ATOM + "entry")
        assert entries[2].findtext(ATOM + "summary") == "Guts alone"
        assert entries[2].findtext(ATOM + "author/" + ATOM + "name") == \
            "Kentaro Miura"
        got = links(data, ACQUISITION)
        assert [h for _, h, _, _ in got] == [
            "../files/Berserk/Berserk%20Volume%20001.cbz",
            "../files/Berserk/Berserk%20Hors-Serie.cbz",
            "../files/Berserk/Berserk%20Extra%20Guts.cbz"], got
        for (_, href, kind, length), name in zip(got[1:], [
                "Berserk Hors-Serie.cbz", "Extra Guts.cbz"]):
            path = m.file(os.path.normpath(os.path.join(
                "opds/series", urllib.parse.unquote(href))))
            assert kind == TYPES[".cbz"]
            with open(path, "rb") as f:
                body = f.read()
            assert body == (root / "Berserk" / name).read_bytes()
            assert int(length) == len(body) == os.path.getsize(path)
            with zipfile.ZipFile(path) as z:
                assert z.testzip() is None
            out = subprocess.run([need("unzip"), "-t", path],
                                 capture_output=True, timeout=60)
            assert out.returncode == 0, out
        # a special's first page is its cover and its first streamed page
        covers = [h for _, h, _, _ in links(data, IMAGE)]
        assert len(covers) == 3 and len(links(data, STREAM)) == 3
        cover = covers[2].replace("../", "")
        assert m.read("opds/" + cover) == b"\xff\xd8 an extra"
        page = "pages/%s/0" % cover.split("/")[1].split(".")[0]
        assert m.read("opds/" + page) == b"\xff\xd8 an extra"
        assert len(parse(m.read("opds/recent.xml")).entries) == 3
        series = parse(m.read("opds/series.xml"))
        assert [e.summary for e in series.entries] == ["3 volumes"]
        for rel in ("Berserk Extra Guts.cbz/x", "Extra Guts.cbz",
                    "Berserk Berserk Hors-Serie.cbz",
                    "Berserk Chapitre 300.cbz"):
            assert not os.path.exists(m.file("opds/files/Berserk/" + rel)), \
                rel
    finally:
        unmount(m.path, m.proc)
