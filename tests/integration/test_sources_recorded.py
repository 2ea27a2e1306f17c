# SPDX-License-Identifier: GPL-3.0-or-later
"""The new-volume check over answers MangaUpdates, MangaDex and AniList
really gave (tests/data/mangaupdates, tests/data/mangadex,
tests/data/anilist; where each came from: tests/data/SOURCES.md),
replayed by recorded_fake.py: a manhwa whose status opens with its
chapters, titles MangaUpdates tells apart with their author, a
plain-title namesake of another kind, a one-shot, an English edition
with a chapter filed under a far volume, a re-edition ranked first, a
series with no volume yet, a prologue numbered in chapters 0.01-0.16
(Berserk), a part of a longer series whose aggregate numbers on into the
later parts (JoJo Part 3), AniList's searches, a record asked by id, and
the 429s and 403 these services sent."""

import calendar
import json
import os
import shutil
import time
import xml.etree.ElementTree as ET

import pytest

from conftest import REPO, wait_for
from test_monitor import Monitor, mounted
from test_opds import ATOM

DATA = os.path.join(REPO, "tests", "data")


@pytest.fixture
def replayed(tmp_path, fake):
    """make(source, series, monitor, answer, then, folder): a mount whose
    source (mangaupdates, mangadex or anilist) is the replay of its
    recordings (of folder, when given; answer: AniList's recorded answer
    to every request, or with [answer, "once"] to the first only), the
    only source the check asks but then, asked after it (mangadex: its
    replay too)."""
    def build(source, series, monitor="", answer=None, then=None,
              folder=None):
        args = [answer] if isinstance(answer, str) else list(answer or [])
        rec = fake("recorded_fake.py", folder or os.path.join(DATA, source),
                   *args)
        extra = ""
        if source in ("mangaupdates", "anilist"):
            extra = "[%s]\nurl = %s\nrequests_per_minute = 600\n" \
                % (source, rec.url)
        mon = Monitor(tmp_path, fake, series, extra=extra,
                      monitor="new_sources = %s\n%s" % (
                          ", ".join([source] + ([then] if then else [])),
                          monitor))
        mon.rec = rec
        if then == "mangadex" or source == "mangadex":
            mon.md = rec if source == "mangadex" else fake(
                "recorded_fake.py", os.path.join(DATA, "mangadex"))
            mon.conf.write_text(mon.conf.read_text().replace(
                mon.mangadex.url, mon.md.url))
        return mon
    yield from mounted(build)


def calls(mon):
    return [(c["method"], c["path"]) for c in mon.rec.call("/_requests")]


def published(mon, series):
    return mon.m.json("manga/%s/status.json" % series)["published"]


def test_mangaupdates_recorded(replayed):
    """Look Back and Wind Breaker are found under their author-told
    titles (Wind Breaker's plain title is a manhwa: not the Japanese
    edition), Look Back is a one-shot of one volume, and Solo Leveling's
    volume line stands after its chapters."""
    names = ["Look Back", "Wind Breaker", "Solo Leveling"]
    mon = replayed("mangaupdates", names, "edition = ja\n")
    mon.m.write("manga/Solo Leveling/edition", "ko\n")
    assert mon.check("new")["errors"] == 0
    want = {"Look Back": (62512335978, 1, "ja", "1 Volume (Complete)"),
            "Wind Breaker": (25370933222, 26, "ja", "26 Volumes (Ongoing)"),
            "Solo Leveling": (15180124327, 15, "ko",
                              "15 Volumes (Complete)")}
    for name, (sid, volumes, edition, line) in want.items():
        assert mon.found(name) == ["mangaupdates:%d" % sid]
        assert published(mon, name)["volumes"] == volumes, name
        assert published(mon, name)["source"] == "mangaupdates"
        assert published(mon, name)["edition"] == edition
        # the record and the status line that gave the count (issue 61)
        assert published(mon, name)["record"] == "mangaupdates:%d" % sid
        assert published(mon, name)["line"] == line
    # one search and the one record chosen per series, nothing else
    assert sorted(calls(mon)) == sorted(
        [("POST", "/v1/series/search")] * 3 +
        [("GET", "/v1/series/%d" % w[0]) for w in want.values()])
    health = mon.m.read("status/health").decode()
    assert not [line for line in health.splitlines()
                if "mangaupdates" in line]
    # Wind Breaker's 26 volumes out, of which 1-11 odd are owned
    new = [e["volume"] for e in mon.m.json("status/new.json")
           if e["series"] == "Wind Breaker"]
    assert new == list(range(12, 27))
    # what the record that gave the count said (issue 68): titles in
    # other scripts, the author credited twice named once; the recording
    # has no genres and no description
    meta = mon.m.json("manga/Wind Breaker/status.json")["metadata"]
    assert meta["title"] == "Wind Breaker (NII Satoru)"
    assert meta["alt_titles"] == ["WIND BREAKER -윈드 브레이커-",
                                  "Windbreaker", "Ветролом",
                                  "ウィンドブレイカー"]
    assert meta["authors"] == ["NII Satoru"]
    assert meta["status"] == "26 Volumes (Ongoing)"
    assert meta["genres"] == [] and meta["summary"] is None
    assert meta["original"] == "ja"
    assert meta["source"] == "mangaupdates:25370933222"
    assert meta["at"][:10] == \
        published(mon, "Wind Breaker")["checked_at"][:10]


def mu_tie(name, one, other):
    return "no record taken: mangaupdates:%d and mangaupdates:%d both" \
        " bear this title" % (one, other)


def test_mangaupdates_recorded_same_titles(replayed):
    """MangaUpdates' own searches of six titles: Kingdom and Berserk of
    Gluttony found under their plain or English title (not the
    "(Webtoon)" re-edition of the second), Tower of God's manhwa record
    opening with its 652 chapters before its 18 volumes. Three titles
    name more than one Japanese series: "Jigokuraku" is a one-volume
    series of 2005 as well as "Jigokuraku (Oohashi)" and "Jigokuraku
    (KAKU Yuuji)"; "Tensei Kizoku no Isekai Boukenroku" is a spin-off's
    alternative title and the head of the series' own; "Fly Me to the
    Moon" is four manga (one of them "Fly Me to the Moon!") besides the
    manhwa of that plain title, which the Korean edition takes: none of
    them is taken, status.json and health name the first two, and no
    record of them is asked."""
    names = ["Kingdom", "Berserk of Gluttony", "Tower of God",
             "Jigokuraku", "Tensei Kizoku no Isekai Boukenroku",
             "Fly Me to the Moon"]
    mon = replayed("mangaupdates", names, "edition = ja\n")
    mon.m.write("manga/Tower of God/edition", "ko\n")
    mon.check("new")
    want = {"Kingdom": (4324727424, 80, "80 Volumes (Ongoing)"),
            "Berserk of Gluttony": (74072114866, 15,
                                    "15 Volumes (Ongoing)"),
            "Tower of God": (13015731700, 18, "18 Volumes (Ongoing)")}
    for name, (sid, volumes, line) in want.items():
        assert mon.found(name) == ["mangaupdates:%d" % sid]
        assert published(mon, name)["volumes"] == volumes, name
        assert published(mon, name)["record"] == "mangaupdates:%d" % sid
        assert published(mon, name)["line"] == line
        assert mon.m.json("manga/%s/status.json" % name)["status"] == \
            "ongoing"
    ties = {"Jigokuraku": (10294535868, 76554797640),
            "Tensei Kizoku no Isekai Boukenroku": (6665493020,
                                                   46692009496),
            "Fly Me to the Moon": (60739271901, 66862616473)}
    health = mon.m.read("status/health").decode()
    for name, (one, other) in ties.items():
        status = mon.m.json("manga/%s/status.json" % name)
        assert status["published"] is None, name
        assert status["status"] == mu_tie(name, one, other)
        assert mon.m.read("manga/%s/source" % name) == b""
        assert "warn: %s: %s; write the one to follow into" \
            " /manga/%s/source\n" % (name, mu_tie(name, one, other),
                                     name) in health
    assert sorted(calls(mon)) == sorted(
        [("POST", "/v1/series/search")] * 6 +
        [("GET", "/v1/series/%d" % w[0]) for w in want.values()])

    # the Korean edition of "Fly Me to the Moon" is the manhwa, whose
    # record names 90 chapters and no volume: none out yet
    mon.m.write("manga/Fly Me to the Moon/edition", "ko\n")
    mon.check("new")
    assert mon.found("Fly Me to the Moon") == ["mangaupdates:47897284496"]
    status = mon.m.json("manga/Fly Me to the Moon/status.json")
    assert status["published"] is None
    assert status["status"] == "no volume yet"
    assert not [line for line in mon.m.read("status/health").decode()
                .splitlines() if "Fly Me to the Moon" in line]
    # the user chose the series over its spin-off: its record is asked
    name = "Tensei Kizoku no Isekai Boukenroku"
    mon.m.write("manga/%s/source" % name, "mangaupdates:46692009496\n")
    mon.check("new")
    assert published(mon, name)["volumes"] == 15
    assert published(mon, name)["line"] == "15 Volumes (Ongoing)"
    assert not [line for line in mon.m.read("status/health").decode()
                .splitlines() if name in line]


def test_mangaupdates_recorded_other_titles(replayed):
    """A series found by a title that is not its record's: Attack on
    Titan is the alternative title of "Shingeki no Kyojin", whose
    titles in other scripts stand in its metadata; the long title of
    "Isekai de Cheat Skill ..." is its record's before the subtitle
    "~Level Up wa Jinsei wo Kaeta~", and the "Girls Side" spin-off that
    continues it otherwise is not taken; "Look Back by Fujimoto Tatsuki"
    is "Look Back (FUJIMOTO Tatsuki)"."""
    cheat = "Isekai de Cheat Skill wo Te ni Shita Ore wa, Genjitsu" \
        " Sekai wo mo Musou Suru"
    look = "Look Back by Fujimoto Tatsuki"
    mon = replayed("mangaupdates", ["Attack on Titan", cheat, look],
                   "edition = ja\n")
    assert mon.check("new")["errors"] == 0
    for name, sid, volumes in (("Attack on Titan", 23393951235, 34),
                               (cheat, 15495823031, 7),
                               (look, 62512335978, 1)):
        assert mon.found(name) == ["mangaupdates:%d" % sid]
        assert published(mon, name)["volumes"] == volumes, name
    meta = mon.m.json("manga/Attack on Titan/status.json")["metadata"]
    assert meta["title"] == "Shingeki no Kyojin"
    assert "進撃の巨人" in meta["alt_titles"]
    assert "진격의 거인" in meta["alt_titles"]
    assert ("GET", "/v1/series/29636936743") not in calls(mon)


def test_mangaupdates_recorded_parts(replayed):
    """Chainsaw Man's record gives its 24 volumes before the 11 and 13
    of its two parts; Omniscient Reader's (a manhwa asked by the id the
    user wrote) its 311 chapters and a hiatus before its 20 volumes,
    still ongoing."""
    mon = replayed("mangaupdates", ["Chainsaw Man", "Omniscient Reader"],
                   "edition = ja\n")
    mon.m.write("manga/Omniscient Reader/edition", "ko\n")
    mon.m.write("manga/Omniscient Reader/source",
                "mangaupdates:50369844984\n")
    assert mon.check("new")["errors"] == 0
    for name, volumes, line, state in (
            ("Chainsaw Man", 24, "24 Volumes (Complete)", "completed"),
            ("Omniscient Reader", 20, "20 Volumes (Ongoing)", "ongoing")):
        assert published(mon, name)["volumes"] == volumes, name
        assert published(mon, name)["line"] == line
        assert mon.m.json("manga/%s/status.json" % name)["status"] == \
            state
    assert mon.found("Chainsaw Man") == ["mangaupdates:75336092483"]


def test_mangaupdates_recorded_other_kind(replayed):
    """Solo Leveling's Japanese edition: of MangaUpdates' search only the
    manhwa bears the title, which is not that edition's record: no count,
    and its id is not written into the series' source as if the user had
    chosen it."""
    mon = replayed("mangaupdates", ["Solo Leveling"], "edition = ja\n")
    mon.check("new")
    assert calls(mon) == [("POST", "/v1/series/search")]
    assert mon.m.read("manga/Solo Leveling/source") == b""
    assert mon.m.json("manga/Solo Leveling/status.json")["published"] \
        is None


def test_mangaupdates_recorded_edition_change(replayed):
    """A new edition searches again (issue 81): Wind Breaker's 26
    volumes in ja are the manga's ("Wind Breaker (NII Satoru)"); its
    edition written ko, the search cached for ja is not reused, and the
    manhwa of the plain title gives its 29 volumes; back to ja, the
    manga's search is the cache's again."""
    mon = replayed("mangaupdates", ["Wind Breaker"], "edition = ja\n")
    assert mon.check("new")["errors"] == 0
    assert published(mon, "Wind Breaker")["volumes"] == 26
    mon.m.write("manga/Wind Breaker/edition", "ko\n")
    assert mon.check("new")["errors"] == 0
    got = published(mon, "Wind Breaker")
    assert (got["volumes"], got["edition"], got["record"]) == \
        (29, "ko", "mangaupdates:18602075756")
    assert got["line"] == "29 Volumes (Discontinued)"
    # the manhwa's run was stopped: not "ongoing"
    assert mon.m.json("manga/Wind Breaker/status.json")["status"] == \
        "cancelled"
    assert mon.found("Wind Breaker") == ["mangaupdates:18602075756"]
    new = [e["volume"] for e in mon.m.json("status/new.json")
           if e["series"] == "Wind Breaker"]
    assert new == list(range(12, 30))
    searches = [c for c in calls(mon) if c[1] == "/v1/series/search"]
    assert len(searches) == 2
    mon.m.write("manga/Wind Breaker/edition", "ja\n")
    assert mon.check("new")["errors"] == 0
    got = published(mon, "Wind Breaker")
    assert (got["volumes"], got["edition"], got["record"]) == \
        (26, "ja", "mangaupdates:25370933222")
    assert len([c for c in calls(mon) if c[1] == "/v1/series/search"]) == 2


def test_mangaupdates_recorded_editions(replayed):
    """Records that list several editions, asked by the id the user
    wrote: Monster's 18 volumes, not its kanzenban's 9; "Watashi o Tsuki
    Made Tsuretette!"'s 6, not the 4, 2, 4 and 6 of its four later
    editions; both completed, as their lines say. Nothing is
    searched."""
    names = {"Monster": (72274276213, 18, "18 Volumes (Complete)"),
             "Watashi o Tsuki Made Tsuretette!": (
                 26758815700, 6, "6 Volumes (Complete)")}
    mon = replayed("mangaupdates", list(names), "edition = ja\n")
    for name, (sid, _, _) in names.items():
        mon.m.write("manga/%s/source" % name, "mangaupdates:%d\n" % sid)
    assert mon.check("new")["errors"] == 0
    for name, (sid, volumes, line) in names.items():
        assert published(mon, name)["volumes"] == volumes, name
        assert published(mon, name)["line"] == line
        assert published(mon, name)["record"] == "mangaupdates:%d" % sid
        # the line says "(Complete)"; the records have no flag
        assert mon.m.json("manga/%s/status.json" % name)["status"] == \
            "completed"
    assert sorted(calls(mon)) == sorted(
        ("GET", "/v1/series/%d" % w[0]) for w in names.values())


def test_mangadex_recorded(replayed):
    """Chainsaw Man's English edition has volumes 1-11 and one chapter
    filed under volume 24: 11 volumes out, not 24; its colour re-edition
    and the doujinshi of the search are not taken. Tower of God's
    "Book Version" ranks first and the main record bears the same title
    among its alternative ones: the main record is taken, the re-edition
    not, and has no volume yet (its aggregate answers "volumes": [])."""
    names = ["Chainsaw Man", "Tower of God"]
    mon = replayed("mangadex", names, "edition = en\n")
    assert mon.check("new")["errors"] == 0
    chainsaw = "a77742b1-befd-49a4-bff5-1ad4e6b0ef7b"
    assert mon.found("Chainsaw Man") == ["mangadex:" + chainsaw]
    assert published(mon, "Chainsaw Man")["volumes"] == 11
    assert published(mon, "Chainsaw Man")["record"] == \
        "mangadex:" + chainsaw
    assert published(mon, "Chainsaw Man")["line"] is None
    new = [e["volume"] for e in mon.m.json("status/new.json")
           if e["series"] == "Chainsaw Man"]
    assert new == []
    # the metadata of the record that gave the count (issue 68)
    meta = mon.m.json("manga/Chainsaw Man/status.json")["metadata"]
    assert meta["title"] == "Chainsaw Man"
    assert "Человек-бензопила" in meta["alt_titles"]
    assert meta["genres"] == ["Action", "Comedy", "Horror"]
    assert meta["cover"] == "https://uploads.mangadex.org/covers/%s/" \
        "6e518bd1-5f60-446b-8832-bfe6bf74834b.jpg" % chainsaw
    assert meta["url"] == "https://mangadex.org/title/" + chainsaw
    assert meta["source"] == "mangadex:" + chainsaw
    assert meta["status"] == "completed"
    search = [c for c in mon.rec.call("/_requests")
              if c["path"] == "/manga"][0]
    assert search["query"]["includes[]"] == ["author", "artist",
                                             "cover_art"]

    book, main = ("c31927b3-8666-4e1f-a44d-319f3cec77df",
                  "c0ee660b-f9f2-45c3-8068-5123ff53f84a")
    assert mon.found("Tower of God") == ["mangadex:" + main]
    status = mon.m.json("manga/Tower of God/status.json")
    assert status["status"] == "no volume yet"
    assert status["published"] is None
    assert not [line for line in mon.m.read("status/health").decode()
                .splitlines() if "Tower of God" in line]
    assert ("GET", "/manga/%s/aggregate" % main) in calls(mon)
    assert ("GET", "/manga/%s/aggregate" % book) not in calls(mon)


def test_mangadex_recorded_main_over_webtoon(replayed):
    """Of "Jigokuraku" and its "Jigokuraku (WEBTOON)" re-edition, the
    main record is taken; the spin-offs and the guidebook are not. (Its
    aggregate was not recorded: the replay answers 599, a server error,
    and no count is stored.)"""
    mon = replayed("mangadex", ["Jigokuraku"], "edition = en\n")
    assert mon.check("new")["errors"] == 1
    main = "cb77e4a6-3921-43b9-9d64-7d78cd3205ce"
    assert mon.found("Jigokuraku") == ["mangadex:" + main]
    assert calls(mon) == [("GET", "/manga"),
                          ("GET", "/manga/%s/aggregate" % main)]
    assert mon.m.json("manga/Jigokuraku/status.json")["published"] is None


def test_mangadex_recorded_berserk(replayed):
    """Berserk's main record is taken, not the doujinshi the search
    gives with it, and its English edition has 43 volumes: the first five
    hold the prologue's chapters numbered 0.01-0.16 and 1-6, volume 14 a
    chapter 99.5, and the chapters filed under no volume are no volume.
    Of the owned 1-11 odd, 12-43 are new."""
    mon = replayed("mangadex", ["Berserk"], "edition = en\n")
    assert mon.check("new")["errors"] == 0
    main = "801513ba-a712-498c-8f57-cae55b38cc92"
    assert mon.found("Berserk") == ["mangadex:" + main]
    assert calls(mon) == [("GET", "/manga"),
                          ("GET", "/manga/%s/aggregate" % main)]
    status = mon.m.json("manga/Berserk/status.json")
    assert status["published"]["volumes"] == 43
    assert status["published"]["edition"] == "en"
    assert status["status"] == "ongoing"
    new = [e["volume"] for e in mon.m.json("status/new.json")
           if e["series"] == "Berserk"]
    assert new == list(range(12, 44))
    assert not [line for line in mon.m.read("status/health").decode()
                .splitlines() if "Berserk" in line]


def test_mangadex_recorded_jojo_part(replayed):
    """JoJo Part 3 is a record of its own, of 16 volumes: its colour
    edition, ranked first and bearing the searched title among its
    altTitles, is not taken, and the aggregate of the main record, which
    numbers on into the later parts up to volume 28 (chapters 153-265),
    does not make it 28: the completed record's own last volume (16)
    bounds the count. (The aggregate was recorded without a language;
    the replay answers it for English.)"""
    name = "JoJo no Kimyou na Bouken Part 3: Stardust Crusaders"
    mon = replayed("mangadex", [name], "edition = en\n")
    assert mon.check("new")["errors"] == 0
    main, colour = ("0d545e62-d4cd-4e65-a65c-a5c46b794918",
                    "51f7d9fc-256e-4160-add1-ab9652f32ae1")
    assert mon.found(name) == ["mangadex:" + main]
    assert calls(mon) == [("GET", "/manga"),
                          ("GET", "/manga/%s/aggregate" % main)]
    assert ("GET", "/manga/%s/aggregate" % colour) not in calls(mon)
    status = mon.m.json("manga/%s/status.json" % name)
    assert status["published"]["volumes"] == 16
    assert status["status"] == "completed, 16 volumes in all"
    new = [e["volume"] for e in mon.m.json("status/new.json")
           if e["series"] == name]
    assert new == list(range(12, 17))
    assert not [line for line in mon.m.read("status/health").decode()
                .splitlines() if name in line]


BERSERK = "801513ba-a712-498c-8f57-cae55b38cc92"
GUTS = "Guts, known as the Black Swordsman, seeks sanctuary"


def berserk_entry(mon):
    """Berserk's entry of the OPDS series feed."""
    for e in ET.fromstring(mon.m.read("opds/series.xml")).iter(
            ATOM + "entry"):
        if e.findtext(ATOM + "title") == "Berserk":
            return e
    raise AssertionError("no entry Berserk")


def test_mangadex_record_by_id(replayed):
    """A series whose source names its MangaDex id is not searched: its
    record (GET /manga/ID, as MangaDex gave it for Berserk) gives the
    title, status, summary, authors, genres and cover the aggregate does
    not, in status.json and the OPDS entry; read once by the check, and
    not again while the cache keeps it."""
    mon = replayed("mangadex", ["Berserk"], "edition = en\n")
    mon.m.write("manga/Berserk/source", "mangadex:%s\n" % BERSERK)
    assert mon.check("new")["errors"] == 0
    assert calls(mon) == [("GET", "/manga/%s/aggregate" % BERSERK),
                          ("GET", "/manga/" + BERSERK)]
    record = [c for c in mon.rec.call("/_requests")][-1]
    assert record["query"]["includes[]"] == ["author", "artist",
                                             "cover_art"]
    status = mon.m.json("manga/Berserk/status.json")
    assert status["published"]["volumes"] == 43
    assert status["status"] == "ongoing"
    meta = status["metadata"]
    assert meta["title"] == "Berserk"
    assert meta["status"] == "ongoing"
    assert meta["summary"].startswith(GUTS)
    assert "Studio Gaga." in meta["summary"]
    assert meta["authors"] == ["Miura Kentarou", "Mori Kouji",
                               "Studio Gaga"]
    assert meta["genres"] == ["Action", "Psychological", "Adventure",
                              "Philosophical", "Drama", "Horror",
                              "Fantasy"]
    assert meta["cover"] == "https://uploads.mangadex.org/covers/%s/" \
        "81e1c82d-6672-400c-8c58-4ff9bfb89031.jpg" % BERSERK
    assert meta["source"] == "mangadex:" + BERSERK
    e = berserk_entry(mon)
    assert e.findtext(ATOM + "summary").startswith(GUTS)
    assert [a.findtext(ATOM + "name") for a in e.findall(
        ATOM + "author")] == ["Miura Kentarou", "Mori Kouji",
                              "Studio Gaga"]
    # the next check, a second later at least, answers from the cache: no
    # request, and the record read is the first reading's, its time too
    read = calendar.timegm(time.strptime(meta["at"], "%Y-%m-%dT%H:%M:%SZ"))
    wait_for(lambda: time.time() >= read + 1, 5, "the next second")
    mon.check("new")
    assert len(calls(mon)) == 2
    assert mon.m.json("manga/Berserk/status.json")["metadata"] == meta


def test_mangadex_record_changed_then_gone(replayed, tmp_path):
    """With no cache, each check reads the record once: a record that
    changed (here: the series completed in 42 volumes, a new summary)
    refreshes the metadata and bounds the count; a record MangaDex no
    longer has (404) is a warning naming the series, and the metadata
    and count kept are those of before."""
    folder = tmp_path / "mangadex"
    shutil.copytree(os.path.join(DATA, "mangadex"), str(folder))
    mon = replayed("mangadex", ["Berserk"], "edition = en\n"
                   "cache_ttl = 0\n", folder=str(folder))
    mon.m.write("manga/Berserk/source", "mangadex:%s\n" % BERSERK)
    assert mon.check("new")["errors"] == 0
    assert mon.m.json("manga/Berserk/status.json")["metadata"][
        "status"] == "ongoing"

    path = folder / ("record.%s.json" % BERSERK)
    said = json.loads(path.read_text())
    attrs = said["data"]["attributes"]
    attrs.update(status="completed", lastVolume="42")
    attrs["description"]["en"] = "The story of Guts, ended."
    path.write_text(json.dumps(said))
    assert mon.check("new")["errors"] == 0
    assert calls(mon).count(("GET", "/manga/" + BERSERK)) == 2
    status = mon.m.json("manga/Berserk/status.json")
    assert status["metadata"]["status"] == "completed"
    assert status["metadata"]["summary"] == "The story of Guts, ended."
    assert status["published"]["volumes"] == 42
    assert status["status"] == "completed, 42 volumes in all"
    assert berserk_entry(mon).findtext(ATOM + "summary") == \
        "The story of Guts, ended."
    kept = status["metadata"]

    mon.rec.call("/_remove", {"id": BERSERK})
    mon.check("new")
    status = mon.m.json("manga/Berserk/status.json")
    assert status["metadata"] == kept
    assert status["published"]["volumes"] == 42
    warning = "warn: mangadex: Berserk: record %s not found (HTTP 404);" \
        " its metadata is kept" % BERSERK
    assert warning in mon.m.read("status/health").decode()
    assert "monitor: mangadex: Berserk: record %s not found" % BERSERK \
        in mon.m.read("log").decode()
    assert berserk_entry(mon).findtext(ATOM + "summary") == \
        "The story of Guts, ended."


def test_anilist_documented_rate_limit(replayed):
    """AniList's documentation's 429, headers and body as it gives them:
    Retry-After 30 and an X-RateLimit-Reset of 2017. The check waits the
    30 s Retry-After asks (not the long-past reset, which would mean no
    wait at all), asks once more, and on a second 429 leaves AniList
    paused for another 30 s, the refusal counted in the budget."""
    mon = replayed("anilist", ["Look Back"], "edition = ja\n",
                   answer="ratelimited.json")
    mon.check("new", timeout=300)
    asked = [c for c in mon.rec.call("/_requests") if c["method"] == "POST"]
    assert len(asked) == 2
    assert asked[0]["body"]["variables"] == {"search": "Look Back"}
    assert asked[1]["time"] - asked[0]["time"] >= 29
    budget = mon.m.json("metrics/requests.json")["anilist"]
    assert budget["http_429"] == 2 and budget["requests"] == 2
    assert budget["last_refusal"]["status"] == 429
    assert asked[1]["time"] + 20 < budget["paused_until_s"] < \
        time.time() + 31
    assert mon.m.json("manga/Look Back/status.json")["published"] is None
    assert mon.m.read("manga/Look Back/source") == b""


def test_anilist_disabled_403(replayed):
    """The 403 AniList gave while its API was switched off (recorded by
    users in public issues): the check fails that series, AniList is
    paused at once and named in health, and a second check right after
    sends AniList nothing."""
    mon = replayed("anilist", ["Look Back"], "edition = ja\n",
                   answer="disabled.json")
    mon.check("new")
    assert len(mon.rec.call("/_requests")) == 1
    budget = mon.m.json("metrics/requests.json")["anilist"]
    assert budget["last_refusal"]["status"] == 403
    assert budget["paused_until_s"] > time.time()
    health = mon.m.read("status/health").decode()
    assert "anilist: paused until" in health
    # AniList's reason is logged: its outage, not a bad setting
    assert "anilist: refused with: The AniList API has been temporarily" \
        " disabled due to severe stability issues." in \
        mon.m.read("log").decode()
    mon.check("new")
    assert len(mon.rec.call("/_requests")) == 1
    assert mon.m.read("manga/Look Back/source") == b""


def test_anilist_not_found_404(replayed):
    """AniList's 404 to a Media query it has no record for (recorded by
    Ravencentric/pyanilist, with its X-RateLimit headers): the series
    is not found there, no count and no source written; it is not a
    refusal, so AniList is not paused; the "not found" is kept, and the
    next check does not ask AniList again."""
    mon = replayed("anilist", ["Look Back"], "edition = ja\n",
                   answer="not-found.json")
    mon.check("new")
    asked = [c for c in mon.rec.call("/_requests") if c["method"] == "POST"]
    assert len(asked) == 1
    assert asked[0]["body"]["variables"] == {"search": "Look Back"}
    budget = mon.m.json("metrics/requests.json")["anilist"]
    assert not budget["paused_until_s"] and not budget["last_refusal"]
    assert mon.m.json("manga/Look Back/status.json")["published"] is None
    assert mon.m.read("manga/Look Back/source") == b""
    assert "anilist: paused" not in mon.m.read("status/health").decode()
    assert "monitor: Look Back: no source gives the count" in \
        mon.m.read("log").decode()
    mon.check("new")
    assert len([c for c in mon.rec.call("/_requests")
                if c["method"] == "POST"]) == 1


def anilist_asked(mon):
    return [c for c in mon.rec.call("/_requests") if c["method"] == "POST"]


def test_anilist_recorded_search(replayed):
    """AniList's search, replayed from what it answered to a search of
    "fate" (its search is fuzzy: "FAKE", "Face" and "인연" were among
    them). Fate/Apocrypha's light novel is passed over for the manga's
    16 volumes; Face is a series of one volume, not the one-shot "FACE";
    Fate/strange Fake's manga runs with no volume yet; three series are
    titled "Fake" and two manhwa "인연": neither is taken, status.json
    and one health warning name the first two until the user writes
    one into source."""
    names = ["Fate Apocrypha", "Face", "Fate strange Fake", "Fake", "인연"]
    mon = replayed("anilist", names, "edition = ja\n")
    mon.m.write("manga/인연/edition", "ko\n")
    mon.check("new")
    asked = anilist_asked(mon)
    assert sorted(c["body"]["variables"]["search"] for c in asked) == \
        sorted(names)
    assert all("Page(perPage: 50)" in c["body"]["query"] and
               "format_not: NOVEL" in c["body"]["query"] for c in asked)
    for name, (record, volumes) in {"Fate Apocrypha": (87251, 16),
                                    "Face": (102876, 1)}.items():
        assert mon.found(name) == ["anilist:%d" % record]
        assert published(mon, name)["volumes"] == volumes, name
        assert published(mon, name)["record"] == "anilist:%d" % record
    status = mon.m.json("manga/Fate strange Fake/status.json")
    assert status["status"] == "no volume yet"
    assert status["published"] is None
    assert mon.found("Fate strange Fake") == ["anilist:86753"]
    ties = {"Fake": (30314, 176957), "인연": (38764, 147359)}
    for name, (one, other) in ties.items():
        status = mon.m.json("manga/%s/status.json" % name)
        assert status["published"] is None and status["metadata"] is None
        assert status["status"] == "no record taken: anilist:%d and" \
            " anilist:%d both bear this title" % (one, other)
        assert mon.m.read("manga/%s/source" % name) == b""
    # one line a series, whatever AniList answered after
    assert [line for line in mon.m.read("status/health").decode()
            .splitlines() if "anilist" in line] == [
        tie_line(name, *ids) for name, ids in sorted(ties.items())]
    # the user chose: asked by id, not searched again
    mon.m.write("manga/Fake/source", "anilist:30314\n")
    mon.check("new")
    again = anilist_asked(mon)[len(asked):]
    assert [c["body"]["variables"] for c in again
            if "search" not in c["body"]["variables"]] == [{"id": 30314}]


def tie_line(name, one, other):
    return "warn: %s: no record taken: anilist:%d and anilist:%d both" \
        " bear this title; write the one to follow into /manga/%s/source" \
        % (name, one, other, name)


def test_anilist_recorded_edition_kind(replayed):
    """AniList's search of "fate" holds four records of the English
    title "Fate": three Korean series and a Japanese one-shot. The
    Japanese edition takes the one-shot, which has no volume count, and
    names no manhwa, in its source or in health."""
    mon = replayed("anilist", ["Fate"], "edition = ja\n")
    mon.check("new")
    assert mon.found("Fate") == ["anilist:133235"]
    status = mon.m.json("manga/Fate/status.json")
    assert status["published"] is None
    assert "both bear this title" not in (status["status"] or "")
    assert not [line for line in mon.m.read("status/health").decode()
                .splitlines() if "Fate" in line]


def test_anilist_recorded_tie_in_health(replayed):
    """Three series AniList titles "Fake" (recorded in its answer to a
    search of "fate"): none taken, one health warning names the first
    two, and stays while AniList answers other series; once the user
    writes one into source, the warning goes, before any check."""
    mon = replayed("anilist", ["Fake", "Fate Apocrypha"], "edition = ja\n")
    mon.check("new")
    assert [line for line in mon.m.read("status/health").decode()
            .splitlines() if "anilist" in line] == [
        tie_line("Fake", 30314, 176957)]
    assert published(mon, "Fate Apocrypha")["volumes"] == 16
    assert mon.m.json("manga/Fake/status.json")["published"] is None
    mon.m.write("manga/Fake/source", "anilist:30314\n")
    assert "both bear this title" not in \
        mon.m.read("status/health").decode()


def test_anilist_live_rate_limit(replayed):
    """The 429 AniList gave live (ratelimited-live.json: Retry-After 60,
    no X-RateLimit header), to the first request of a check: health
    names AniList and when it resumes, the series is asked again after
    the pause and takes its count, MangaDex is still asked for a series
    of its own, and the line is gone once the pause ends, with no
    reload."""
    mon = replayed("anilist", ["Fate Apocrypha", "Chainsaw Man"],
                   "edition = ja\n", answer=["ratelimited-live.json",
                                             "once"], then="mangadex")
    mon.m.write("manga/Chainsaw Man/edition", "en\n")
    before, resumes, seen = paused(mon, "anilist")
    first = anilist_asked(mon)[0]["time"]
    # 60 s from the 429, which came between the request and the line
    assert first + 59 <= resumes <= seen + 61
    check_ended(mon, before)
    asked = anilist_asked(mon)
    assert len(asked) == 2 and asked[1]["time"] - first >= 59
    assert published(mon, "Fate Apocrypha")["volumes"] == 16
    assert published(mon, "Chainsaw Man")["volumes"] == 11
    assert published(mon, "Chainsaw Man")["source"] == "mangadex"
    budget = mon.m.json("metrics/requests.json")["anilist"]
    assert budget["http_429"] == 1 and budget["requests"] == 2
    health_clear(mon, "anilist")


def paused(mon, source):
    """Start a check of new volumes and wait for source's pause after a
    429 in health: (the last check before, when the line says source
    resumes, when the line was seen)."""
    before = mon.last("new")
    mon.m.write("control/check-new", "1\n")
    line = wait_for(
        lambda: [x for x in mon.m.read("status/health").decode()
                 .splitlines() if x.startswith("warn: %s: paused" % source)],
        120, "%s's pause in health" % source, mount=mon.m)
    seen = time.time()
    assert line[0].endswith("(429 too many requests)")
    until = line[0].split("paused until ")[1].split(" ")[0]
    return before, calendar.timegm(time.strptime(
        until, "%Y-%m-%dT%H:%M:%SZ")), seen


def check_ended(mon, before):
    wait_for(lambda: mon.last("new"), 400, "the end of the check",
             until=lambda last: last and last["finished_at_s"] and
             last["finished_at_s"] != (before and before["finished_at_s"]),
             mount=mon.m)


def health_clear(mon, source):
    wait_for(lambda: not [x for x in mon.m.read("status/health").decode()
                          .splitlines() if source in x],
             60, "%s's line gone from health" % source, mount=mon.m)


def test_anilist_recorded_by_id(replayed):
    """A series whose source names its AniList record is asked by id,
    not searched, and AniList's answer to a Media(id: 101415) of type
    MANGA (recorded by Ravencentric/pyanilist: "Sora Yori Mo Tooi
    Basho", finished in 3 volumes) gives its count and metadata."""
    name = "Sora Yori Mo Tooi Basho"
    mon = replayed("anilist", [name], "edition = ja\n")
    mon.m.write("manga/%s/source" % name, "anilist:101415\n")
    assert mon.check("new")["errors"] == 0
    asked = anilist_asked(mon)
    assert [c["body"]["variables"] for c in asked] == [{"id": 101415}]
    assert "type: MANGA" in asked[0]["body"]["query"]
    assert published(mon, name)["volumes"] == 3
    assert published(mon, name)["record"] == "anilist:101415"
    assert published(mon, name)["source"] == "anilist"
    assert published(mon, name)["edition"] == "ja"
    meta = mon.m.json("manga/%s/status.json" % name)["metadata"]
    assert meta["title"] == "Sora Yori Mo Tooi Basho"
    assert "宇宙よりも遠い場所" in meta["alt_titles"]
    assert meta["genres"] == ["Adventure", "Comedy", "Slice of Life"]
    assert meta["summary"].startswith("Mari Tamaki is in her second year")
    assert meta["source"] == "anilist:101415"
    # volumes 1-11 odd are owned: a series of 3 has none new
    assert not [e for e in mon.m.json("status/new.json")
                if e["series"] == name]
    assert mon.m.read("manga/%s/source" % name) == b"anilist:101415\n"
    # an id the user wrote is not found again
    assert mon.m.json("manga/%s/status.json" % name)["found"] == []


def test_mangadex_live_rate_limit(replayed):
    """The 429 MangaDex gave live (ratelimited-live.json: its
    X-RateLimit-Retry-After a Unix time 42 s ahead, the body not
    recorded), to the first request of a check: health names MangaDex
    and when it resumes, both series are asked after the pause and take
    their counts in the same check, and the line is gone once the pause
    ends, with no reload."""
    mon = replayed("mangadex", ["Chainsaw Man", "Berserk"],
                   "edition = en\n", answer=["ratelimited-live.json",
                                             "once"])
    before, resumes, seen = paused(mon, "mangadex")
    first = mon.rec.call("/_requests")[0]["time"]
    # the Unix time the header gave: 42 s from the 429
    assert first + 40 <= resumes <= seen + 43
    check_ended(mon, before)
    asked = mon.rec.call("/_requests")
    assert asked[1]["time"] - first >= 40
    assert published(mon, "Chainsaw Man")["volumes"] == 11
    assert published(mon, "Berserk")["volumes"] == 43
    budget = mon.m.json("metrics/requests.json")["mangadex"]
    assert budget["http_429"] == 1
    health_clear(mon, "mangadex")
