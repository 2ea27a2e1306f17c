# SPDX-License-Identifier: GPL-3.0-or-later
"""The manga loop as people run it (issue 62): a hand-off that failed
while the real Transmission could not be reached goes again within a poll
of its coming back; what a first start without network leaves in
health."""

from clients import clients, files, relays  # noqa: F401
import json
import re

from conftest import wait_for
from test_clients import conf, health, seeded
from test_handoff import AUTO, SEND, downloads
from test_monitor import Monitor, monitored, saga  # noqa: F401


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
    """The line a new check ends with counts the MangaUpdates and AniList
    requests too, as it counts Prowlarr's, Nautiljon's and MangaDex's
    (point 6): a Japanese edition asks MangaUpdates (a search, then the
    record) and, as it does not know the series, AniList."""
    known = tmp_path / "mangaupdates.json"
    known.write_text(json.dumps({"Saga 01": {"id": 55099564912,
                                             "type": "Manga",
                                             "volumes": 15}}))
    updates = fake("mangaupdates_fake.py", known)
    known = tmp_path / "anilist.json"
    known.write_text(json.dumps({}))
    anilist = fake("anilist_fake.py", known)
    mon = Monitor(tmp_path, fake, [saga(1), saga(2)],
                  monitor="edition = ja\n",
                  extra="[mangaupdates]\nurl = %s\nrequests_per_minute = 120"
                  "\n[anilist]\nurl = %s\nrequests_per_minute = 120\n"
                  % (updates.url, anilist.url))
    mon.mount()
    try:
        mon.check("new")
        line = wait_for(lambda: [x for x in mon.m.read("log").decode()
                                 .splitlines()
                                 if "new check finished" in x], 30,
                        "the check's line", mount=mon.m)[-1]
        got = re.search(r"(\d+) MangaDex, (\d+) MangaUpdates and (\d+)"
                        r" AniList requests", line)
        assert got, line
        # Saga 01: a search and its record; Saga 02: a search that finds
        # nothing; then AniList for Saga 02, at least once
        assert int(got.group(2)) >= 3, line
        assert int(got.group(3)) >= 1, line
    finally:
        mon.unmount()
