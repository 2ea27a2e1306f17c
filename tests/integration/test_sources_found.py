# SPDX-License-Identifier: GPL-3.0-or-later
"""An id a source found by a search is not written as the user's (issue
61): it is kept apart, shown in status.json's "found" and not in
/manga/SERIES/source, asked by id at the next check with no second
search, and forgotten when the user writes the series' source or
edition, or [monitor] edition changes for a series that follows it.
Over the answers MangaDex, MangaUpdates and AniList really gave
(tests/data/SOURCES.md), with no cache, so that each check asks."""

from test_sources_recorded import (  # noqa: F401
    BERSERK, anilist_asked, calls, published, replayed)

LOOK_BACK = 62512335978


def status(mon, series):
    return mon.m.json("manga/%s/status.json" % series)


def test_mangadex_found_then_asked_by_id(replayed):
    """Berserk is found by a search: its source reads empty, status.json
    names the id; the next check asks that record and its volumes, and
    searches nothing; writing the series' edition forgets the id, and the
    check after searches again."""
    mon = replayed("mangadex", ["Berserk"], "edition = en\n"
                   "cache_ttl = 0\n")
    assert mon.check("new")["errors"] == 0
    assert calls(mon) == [("GET", "/manga"),
                          ("GET", "/manga/%s/aggregate" % BERSERK)]
    assert mon.found("Berserk") == ["mangadex:" + BERSERK]
    assert published(mon, "Berserk")["volumes"] == 43

    assert mon.check("new")["errors"] == 0
    assert calls(mon)[2:] == [("GET", "/manga/%s/aggregate" % BERSERK),
                              ("GET", "/manga/" + BERSERK)]
    assert published(mon, "Berserk")["volumes"] == 43

    mon.m.write("manga/Berserk/edition", "en\n")
    assert status(mon, "Berserk")["found"] == []
    assert mon.check("new")["errors"] == 0
    assert calls(mon)[4:] == [("GET", "/manga"),
                              ("GET", "/manga/%s/aggregate" % BERSERK)]
    assert mon.found("Berserk") == ["mangadex:" + BERSERK]


def test_mangaupdates_found_then_the_user_writes_source(replayed):
    """Look Back is found by a search, then asked by id alone; the user
    writes another record into source: it is the one asked, the id found
    is forgotten, and source reads what the user wrote."""
    mon = replayed("mangaupdates", ["Look Back"], "edition = ja\n"
                   "cache_ttl = 0\n")
    assert mon.check("new")["errors"] == 0
    assert calls(mon) == [("POST", "/v1/series/search"),
                          ("GET", "/v1/series/%d" % LOOK_BACK)]
    assert mon.found("Look Back") == ["mangaupdates:%d" % LOOK_BACK]

    assert mon.check("new")["errors"] == 0
    assert calls(mon)[2:] == [("GET", "/v1/series/%d" % LOOK_BACK)]

    mon.m.write("manga/Look Back/source", "mangaupdates:46692009496\n")
    assert mon.m.read("manga/Look Back/source") == \
        b"mangaupdates:46692009496\n"
    assert status(mon, "Look Back")["found"] == []
    mon.check("new")
    assert calls(mon)[3:] == [("GET", "/v1/series/46692009496")]
    assert published(mon, "Look Back")["record"] == \
        "mangaupdates:46692009496"
    assert status(mon, "Look Back")["found"] == []


def test_anilist_found_then_asked_by_id(replayed):
    """Face is found by AniList's search; the next check asks its record
    by id (Media(id: 102876)), not the search."""
    mon = replayed("anilist", ["Face"], "edition = ja\ncache_ttl = 0\n")
    mon.check("new")
    first = anilist_asked(mon)
    assert [c["body"]["variables"] for c in first] == [{"search": "Face"}]
    assert mon.found("Face") == ["anilist:102876"]
    mon.check("new")
    assert [c["body"]["variables"] for c in anilist_asked(mon)[1:]] == [
        {"id": 102876}]


def test_edition_of_the_configuration_changed(replayed):
    """A restart with another [monitor] edition forgets the ids found for
    the series that follow it (Look Back), not those of a series with an
    edition of its own (Wind Breaker)."""
    mon = replayed("mangaupdates", ["Look Back", "Wind Breaker"],
                   "edition = ja\n")
    mon.m.write("manga/Wind Breaker/edition", "ja\n")
    assert mon.check("new")["errors"] == 0
    assert mon.found("Look Back") == ["mangaupdates:%d" % LOOK_BACK]
    assert mon.found("Wind Breaker") == ["mangaupdates:25370933222"]
    mon.unmount()
    mon.mount()
    assert mon.found("Look Back") == ["mangaupdates:%d" % LOOK_BACK]
    mon.unmount()
    mon.conf.write_text(mon.conf.read_text().replace(
        "edition = ja\n", "edition = ko\n"))
    mon.mount()
    assert status(mon, "Look Back")["found"] == []
    assert mon.found("Wind Breaker") == ["mangaupdates:25370933222"]
