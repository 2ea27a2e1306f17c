# SPDX-License-Identifier: GPL-3.0-or-later
"""What the source that gave a series' count said of it (issue 68 point
4): a check with the MangaDex fake keeps the record's title, summary
(its Markdown and HTML set aside), authors, genres, cover and page, with
its source and date; manga/SERIES/status.json shows them, the series'
OPDS entry carries its summary, authors, a category per genre, the
language of its edition and a link to its page; a series another user
may not list shows none of it."""

import datetime
import json
import os
import pathlib
import xml.etree.ElementTree as ET

from test_monitor import Monitor, saga
from test_opds import ATOM, DC, WALK, validate, world  # noqa: F401

ID = "0a1b2c3d-0000-4000-8000-00000000a001"
SAID = {"id": ID, "volumes": {"en": 12},
        "description": "**Saga** is a story.<br>\n\n"
                       "[More](https://more.example/saga)",
        "authors": ["Ann Author"], "genres": ["Drama", "Romance"],
        "themes": ["Space"], "cover": "c0ffee.jpg"}


def seconds(when):
    """The Unix time of an RFC 3339 UTC time of the mount."""
    return int(datetime.datetime.strptime(
        when, "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc).timestamp())


def entry(feed, title):
    """The entry of feed (bytes) whose title is title."""
    for e in ET.fromstring(feed).iter(ATOM + "entry"):
        if e.findtext(ATOM + "title") == title:
            return e
    raise AssertionError("no entry " + title)


def test_metadata_kept_and_shown(tmp_path, fake):
    mon = Monitor(tmp_path, fake, [saga(1), saga(2)],
                  monitor="edition = en\n",
                  mangadex={"Saga 01": SAID,
                            "Saga 02": {"id": ID[:-1] + "2",
                                        "fails": [500, "down"]}})
    mon.mount()
    try:
        assert mon.check("new")["errors"] == 1
        status = mon.m.json("manga/Saga 01/status.json")
        meta = status["metadata"]
        assert meta["title"] == "Saga 01"
        assert meta["summary"] == "Saga is a story.\n\nMore"
        assert meta["authors"] == ["Ann Author"]
        # the tags of the group "genre" only
        assert meta["genres"] == ["Drama", "Romance"]
        assert meta["cover"] == "https://uploads.mangadex.org/covers/%s/" \
            "c0ffee.jpg" % ID
        assert meta["url"] == "https://mangadex.org/title/" + ID
        assert meta["original"] == "ja"
        assert meta["source"] == "mangadex:" + ID
        assert seconds(meta["at"]) - seconds(
            status["published"]["checked_at"]) in (-1, 0, 1)
        # no count, no metadata: the series whose aggregate failed
        assert mon.m.json("manga/Saga 02/status.json")["metadata"] is None
        search = [c for c in mon.mangadex_calls() if c["path"] == "/manga"]
        assert search and all(c["query"]["includes[]"] == [
            "author", "artist", "cover_art"] for c in search)

        feed = mon.m.read("opds/series.xml")
        path = tmp_path / "series.xml"
        path.write_bytes(feed)
        validate(str(path))
        e = entry(feed, "Saga 01")
        assert e.findtext(ATOM + "summary") == "Saga is a story.\n\nMore"
        assert [a.findtext(ATOM + "name")
                for a in e.findall(ATOM + "author")] == ["Ann Author"]
        assert [(c.get("term"), c.get("label"))
                for c in e.findall(ATOM + "category")] == [
            ("Drama", "Drama"), ("Romance", "Romance")]
        assert e.findtext(DC + "language") == "en"
        assert [(ln.get("href"), ln.get("type"))
                for ln in e.findall(ATOM + "link")
                if ln.get("rel") == "alternate"] == [
            ("https://mangadex.org/title/" + ID, "text/html")]
        other = entry(feed, "Saga 02")
        assert other.find(ATOM + "summary") is None
        assert other.find(ATOM + "category") is None

        # kept across a check that answers from the cache, and a restart
        mon.check("new")
        mon.unmount()
        mon.mount()
        assert mon.m.json("manga/Saga 01/status.json")["metadata"][
            "summary"] == "Saga is a story.\n\nMore"
    finally:
        mon.unmount()


def test_metadata_of_a_series_another_user_may_not_list(world, fake):
    """A series folder 0700 of root: the other user's OPDS feeds have
    none of what its source said, and its status.json is refused; the
    series it may list shows its own."""
    from access_users import drop_user, make_user

    tmp = pathlib.Path(world)
    said = dict(SAID, description="Secret plans of the Hidden Hoard",
                authors=["Hidden Hand"], genres=["Clandestine"])
    mon = Monitor(tmp, fake, [saga(1), "Hidden Hoard"],
                  monitor="edition = en\n",
                  mangadex={"Saga 01": dict(SAID, id=ID[:-1] + "3"),
                            "Hidden Hoard": said})
    os.chmod(str(mon.root / "Hidden Hoard"), 0o700)
    user = make_user()
    mon.mount("allow_other")
    try:
        mon.check("new")
        assert mon.m.json("manga/Hidden Hoard/status.json")["metadata"][
            "summary"] == "Secret plans of the Hidden Hoard"
        out = user.run("/usr/bin/python3", "-c", WALK, mon.m.file("opds"))
        assert out.returncode == 0, out
        seen = json.loads(out.stdout)
        for rel, got in seen.items():
            if rel == "series":
                continue
            text, _ = got
            for trace in ["Secret plans", "Hidden Hand", "Clandestine"]:
                assert trace not in text, (rel, trace)
        assert "Saga is a story." in seen["series.xml"][0]
        out = user.run("/usr/bin/python3", "-c",
                       "import sys; open(sys.argv[1]).read()",
                       mon.m.file("manga/Hidden Hoard/status.json"))
        assert out.returncode != 0
        assert b"Secret plans" not in out.stdout + out.stderr
    finally:
        mon.unmount()
        drop_user(user)
