# SPDX-License-Identifier: GPL-3.0-or-later
"""The manga loop as people run it (issue 62): a hand-off that failed
while the real Transmission could not be reached goes again within a poll
of its coming back; what a first start without network leaves in
health."""

from clients import clients, files, relays  # noqa: F401
import errno
import json
import pytest
import re

from conftest import wait_for
from test_clients import conf, health, seeded
from test_handoff import AUTO, SEND, downloads
from test_monitor import Monitor, monitored, release, saga  # noqa: F401


def test_failed_handoff_goes_again_when_the_client_answers(
        monitored, clients, files, relays, tmp_path):  # noqa: F811
    """Transmission behind a relay that answers 500 to everything: the
    hand-off fails and health names the client. Once it answers again,
    the next poll of the tracker sees it, and the volume goes at once,
    not at the next scheduled check (none is scheduled here) (point 2)."""
    tr = clients("transmission")
    relay = relays(tr.url)
    relay.refuse = b"/"
    t, save, r = seeded(tmp_path, files)
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=conf("transmission", relay.url, save,
                                    rpc="/transmission/rpc")
                    + "poll_interval = 1\n", releases={"saga 01": [r]})
    mon.check("missing")
    assert downloads(mon)[4]["state"] == "failed", downloads(mon)[4]
    wait_for(lambda: health(mon), 30, "health naming transmission",
             until=lambda h: "transmission: " in h, mount=mon.m)
    relay.refuse = None
    wait_for(lambda: downloads(mon)[4], 60, "volume 4 sent again",
             until=lambda d: d["state"] in ("sent", "queued", "downloading",
                                            "completed", "imported"),
             mount=mon.m)
    wait_for(lambda: health(mon), 30, "health clear of transmission",
             until=lambda h: "transmission: " not in h, mount=mon.m)


def test_unreachable_source_is_a_warning(fake, tmp_path):
    """A source out of reach (no network at a first start) is a warning
    naming the cause, never an error left in health: the next check asks
    again (point 8)."""
    mon = Monitor(tmp_path, fake, [saga(1)])
    mon.mount()
    try:
        mon.nautiljon.stop()
        mon.mangadex.stop()
        mon.check("new")
        health = wait_for(lambda: mon.m.read("status/health").decode(),
                          30, "health naming nautiljon",
                          until=lambda h: "nautiljon" in h, mount=mon.m)
        mine = [x for x in health.splitlines()
                if x.split(": ")[1:2] in (["nautiljon"], ["mangadex"])]
        assert mine, health
        for line in mine:
            assert line.startswith("warn: "), health
            assert "unreachable" in line, health
    finally:
        mon.unmount()


def test_check_line_counts_every_source(fake, tmp_path):
    """The line a new check ends with counts the MangaUpdates, AniList
    and Kitsu requests too, as it counts Prowlarr's, Nautiljon's and
    MangaDex's (point 6): a Japanese edition asks MangaUpdates (a search,
    then the record) and, as it does not know the series, AniList, then
    MangaDex and Kitsu."""
    known = tmp_path / "mangaupdates.json"
    known.write_text(json.dumps({"Saga 01": {"id": 55099564912,
                                             "type": "Manga",
                                             "volumes": 15}}))
    updates = fake("mangaupdates_fake.py", known)
    known = tmp_path / "anilist.json"
    known.write_text(json.dumps({}))
    anilist = fake("anilist_fake.py", known)
    kitsu = fake("kitsu_fake.py", known)
    mon = Monitor(tmp_path, fake, [saga(1), saga(2)],
                  monitor="edition = ja\n",
                  extra="[mangaupdates]\nurl = %s\nrequests_per_minute = 120"
                  "\n[anilist]\nurl = %s\nrequests_per_minute = 120\n"
                  "[kitsu]\nurl = %s\nrequests_per_minute = 120\n"
                  % (updates.url, anilist.url, kitsu.url))
    mon.mount()
    try:
        mon.check("new")
        line = wait_for(lambda: [x for x in mon.m.read("log").decode()
                                 .splitlines()
                                 if "new check finished" in x], 30,
                        "the check's line", mount=mon.m)[-1]
        got = re.search(r"(\d+) MangaDex, (\d+) MangaUpdates, (\d+)"
                        r" AniList and (\d+) Kitsu requests", line)
        assert got, line
        # Saga 01: a search and its record; Saga 02: a search that finds
        # nothing; then AniList and Kitsu for Saga 02, at least once
        assert int(got.group(2)) >= 3, line
        assert int(got.group(3)) >= 1, line
        assert int(got.group(4)) >= 1, line
        assert [c["path"] for c in kitsu.call("/_requests")][:1] == [
            "/manga?filter%5Btext%5D=Saga%2002&page%5Blimit%5D=20"]
        # checks.csv and monitor.json count them as the line does
        row = checks_by(mon, "control")[-1].split(",")
        head = mon.m.read("metrics/checks.csv").decode().split("\n")[0]
        head = head.split(",")
        assert [row[head.index(k)] for k in
                ("mangadex", "mangaupdates", "anilist", "kitsu")] == \
            list(got.groups()), (head, row, line)
        requests = mon.last("new")["requests"]
        assert [requests[k] for k in ("mangadex", "mangaupdates",
                                      "anilist", "kitsu")] == \
            [int(x) for x in got.groups()], requests
    finally:
        mon.unmount()


def checks_by(mon, trigger):
    rows = mon.m.read("metrics/checks.csv").decode().splitlines()
    head = rows[0].split(",")
    return [r for r in rows[1:]
            if r.split(",")[head.index("trigger")] == trigger]


def test_written_latest_starts_a_check(monitored):
    """A number written to latest starts the check of new volumes at once,
    which finds the volumes beyond the highest owned (point 6); a write
    refused, or an empty one that forgets the number, starts none."""
    mon = monitored([saga(1), saga(2)])
    last = mon.latest(saga(1), "13\n")
    assert last["trigger"] == "latest", last
    assert mon.m.read("status/new").decode().splitlines() == [
        "Saga 01\t12", "Saga 01\t13"]
    assert [r["args"]["query"][0] for r in mon.searches()] == ["Saga 01"]
    for bad in ("thirteen\n", "-1\n", "13 14\n"):
        with pytest.raises(OSError) as e:
            mon.m.write("manga/%s/latest" % saga(2), bad)
        assert e.value.errno == errno.EINVAL, bad
    mon.m.write("manga/%s/latest" % saga(1), "\n")
    # none of them queued a check: the next one is the control file's
    assert mon.check("new")["trigger"] == "control"
    assert len(checks_by(mon, "latest")) == 1


def test_written_latest_with_new_volumes_off(monitored):
    """With new_volumes = no the number is kept and no check starts."""
    mon = monitored([saga(1)], monitor="new_volumes = no\n")
    mon.m.write("manga/%s/latest" % saga(1), "13\n")
    assert mon.m.read("manga/%s/latest" % saga(1)) == b"13\n"
    mon.check("missing")
    assert checks_by(mon, "latest") == []


def test_year_breaks_ties_among_releases(fake, tmp_path):
    """A "Dune (2020)" folder: its year is no word of the search, but
    among releases of one volume it ranks one naming 2020 first, one
    naming no year next and one naming another year last, whatever
    their seeders; a better preference (a single volume before a pack)
    still comes first (point 1)."""
    rels = [release("d84", "Dune (1984) T02 FRENCH", seeders=90),
            release("d20", "Dune (2020) T02 FRENCH", seeders=5),
            release("d00", "Dune T02 FRENCH", seeders=30),
            release("dp", "Dune (2020) T01-T03 FRENCH", seeders=99)]
    mon = Monitor(tmp_path, fake, ["Dune (2020)"], releases={"dune": rels})
    mon.mount()
    try:
        mon.check("missing")
        found = [e for e in mon.m.json("status/found.json")
                 if e["volume"] == 2]
        assert found, mon.m.json("status/found.json")
        titles = [r["title"] for r in found[0]["releases"]]
        assert titles == ["Dune (2020) T02 FRENCH", "Dune T02 FRENCH",
                          "Dune (1984) T02 FRENCH",
                          "Dune (2020) T01-T03 FRENCH"], found
    finally:
        mon.unmount()
