# SPDX-License-Identifier: GPL-3.0-or-later
"""Which releases go, over a real mount with the fakes of Prowlarr and
qBittorrent (test_monitor.py's): the [release] preferences, the
blocklist written through control/blocklist and kept across a restart,
and a release a client refused blocklisted on its own."""

import errno

import pytest

from conftest import wait_for
from test_handoff import AUTO, MAGNET, adds, magnet_only, states
from test_monitor import by_volume, monitored, qbit_conf, saga  # noqa


def adds(qbit):
    return [u for a in qbit.call("/_adds") for u in a["urls"]]


def test_preferences_choose_the_language(monitored, fake):
    qbit = fake("qbittorrent_fake.py")
    mon = monitored([saga(1)], monitor=AUTO, general="dry_run = no\n",
                    extra=qbit_conf(qbit) + "[release]\nlanguages = fr\n"
                    "blocked_groups = BadTeam\n",
                    releases={"saga 01": [
                        magnet_only("en", "Saga 01 v02 (Digital) (LuCaZ)",
                                    200),
                        magnet_only("bad", "Saga 01 T02 FRENCH [BadTeam]",
                                    100),
                        magnet_only("none", "Saga 01 T02", 90),
                        magnet_only("fr", "[FR] Saga 01 T02 [cbz]", 5)]})
    mon.check("missing")
    entry = by_volume(mon.m.json("status/found.json"), "Saga 01")[2]
    # the English pack and the blocked group are never shown nor sent;
    # the French one goes before the one that says no language
    assert [r["title"] for r in entry["releases"]] == [
        "[FR] Saga 01 T02 [cbz]", "Saga 01 T02"]
    assert states(entry) == ["sent", None]
    assert MAGNET % "fr" in adds(qbit)
    assert MAGNET % "en" not in adds(qbit)
    assert MAGNET % "bad" not in adds(qbit)
    # what they dropped, and why, is in found.json (issue 62), not only
    # in the log
    assert [dict(d, id=None) for d in entry["dropped"]] == [
        {"title": "Saga 01 v02 (Digital) (LuCaZ)", "source": "prowlarr",
         "reason": "language en not wanted", "id": None},
        {"title": "Saga 01 T02 FRENCH [BadTeam]", "source": "prowlarr",
         "reason": "group BadTeam blocked", "id": None}]
    # a volume whose releases all went through drops none
    assert by_volume(mon.m.json("status/found.json"), "Saga 01")[4][
        "dropped"] == []


def test_dropped_release_sent_by_hand(monitored, fake):
    """A release the language preferences dropped has its id in
    found.json (but not its links), and control/send sends it anyway, as
    Kapowarr lets its users do (issue 81)."""
    qbit = fake("qbittorrent_fake.py")
    mon = monitored([saga(1)], monitor="auto_download = no\n",
                    general="dry_run = no\n",
                    extra=qbit_conf(qbit) + "[release]\nlanguages = fr\n",
                    releases={"saga 01": [
                        magnet_only("en", "Saga 01 v02 (Digital) (LuCaZ)",
                                    200)]})
    mon.check("missing")
    entry = by_volume(mon.m.json("status/found.json"), "Saga 01")[2]
    assert entry["releases"] == []
    [dropped] = entry["dropped"]
    assert sorted(dropped) == ["id", "reason", "source", "title"]
    assert dropped["reason"] == "language en not wanted"
    assert len(dropped["id"]) == 16
    assert "magnet:" not in mon.m.read("status/found.json").decode()
    mon.m.write("control/send", dropped["id"] + "\n")
    wait_for(lambda: adds(qbit), 60, "the dropped release sent",
             until=lambda added: MAGNET % "en" in added, mount=mon.m)
    assert "send: release %s for Saga 01 volume 2, asked by hand" % \
        dropped["id"] in mon.m.read("log").decode()


def test_blocklisted_never_sent_across_restart(monitored, fake):
    qbit = fake("qbittorrent_fake.py")
    mon = monitored([saga(1)], monitor=AUTO, extra=qbit_conf(qbit),
                    releases={"saga 01": [
                        magnet_only("wrong", "Saga 01 T02 FRENCH CBZ", 90),
                        magnet_only("right", "Saga 01 T02 VF", 10)]})
    # dry-run: found, nothing sent
    mon.check("missing")
    entry = by_volume(mon.m.json("status/found.json"), "Saga 01")[2]
    wrong = entry["releases"][0]
    assert wrong["title"] == "Saga 01 T02 FRENCH CBZ"
    assert len(wrong["id"]) == 16
    assert mon.m.write("control/blocklist", wrong["id"] + "\n") == 17
    listing = mon.m.read("control/blocklist").decode()
    assert "%s\tSaga 01 T02 FRENCH CBZ\tblocklisted by the user\n" % \
        wrong["id"] in listing
    assert "remove ID" in listing
    # bad input: EINVAL, nothing changes
    for bad in ["nonsense\n", wrong["id"].upper() + "\n",
                "remove 0123456789abcdef\n", "remove\n", "\n"]:
        with pytest.raises(OSError) as e:
            mon.m.write("control/blocklist", bad)
        assert e.value.errno == errno.EINVAL, bad
    assert mon.m.read("control/blocklist").decode() == listing
    mon.unmount()
    mon.mount()
    assert mon.m.read("control/blocklist").decode() == listing
    assert mon.m.write("control/dry-run", "0\n") == 2
    mon.check("missing")
    entry = by_volume(mon.m.json("status/found.json"), "Saga 01")[2]
    assert [r["title"] for r in entry["releases"]] == ["Saga 01 T02 VF"]
    assert entry["download"]["state"] == "sent"
    assert MAGNET % "right" in adds(qbit)
    assert MAGNET % "wrong" not in adds(qbit)
    # taken off, it is found again
    assert mon.m.write("control/blocklist", "remove %s\n" % wrong["id"])
    assert wrong["id"] not in mon.m.read("control/blocklist").decode()


def test_refused_release_is_blocklisted(monitored, fake):
    qbit = fake("qbittorrent_fake.py")
    mon = monitored([saga(1)], monitor=AUTO, general="dry_run = no\n",
                    extra=qbit_conf(qbit), releases={"saga 01": [
                        magnet_only("fails-me", "Saga 01 T02 HQ", 90)]})
    mon.check("missing")
    listing = mon.m.read("control/blocklist").decode()
    assert "\tSaga 01 T02 HQ\tqbittorrent: the torrent was refused" \
        " (Fails.)\n" in listing
    before = adds(qbit)
    mon.check("missing")
    entry = by_volume(mon.m.json("status/found.json"), "Saga 01")[2]
    assert entry["releases"] == []
    assert adds(qbit) == before


def test_series_preferences_file(monitored, fake):
    mon = monitored([saga(1), saga(2)],
                    extra="[release]\nlanguages = fr\n",
                    releases={s.lower(): [
                        magnet_only(s + "en", s + " v02 (Digital) (LuCaZ)",
                                    90),
                        magnet_only(s + "fr", s + " T02 VF", 10)]
                        for s in (saga(1), saga(2))})
    prefs = "manga/Saga 01/preferences"
    assert mon.m.read(prefs) == b""
    text = "languages = en, fr ;packs=never\nblocked_groups = A, B\n"
    assert mon.m.write(prefs, text) == len(text)
    shown = "languages = en, fr\nblocked_groups = A, B\npacks = never\n"
    assert mon.m.read(prefs).decode() == shown
    for bad in ["colour = red\n", "languages = klingon\n",
                "min_seeders = -1\n", "packs = sometimes\n", "languages\n",
                "formats = cbz,\n", "languages = fr; nonsense\n",
                "a = b\0\n", "x" * 2000]:
        with pytest.raises(OSError) as e:
            mon.m.write(prefs, bad)
        assert e.value.errno == errno.EINVAL, bad
        assert mon.m.read(prefs).decode() == shown
    mon.check("missing")
    found = mon.m.json("status/found.json")
    # Saga 01 wants English first, Saga 02 French only (the global key)
    assert [r["title"] for r in by_volume(found, saga(1))[2]["releases"]] \
        == ["Saga 01 v02 (Digital) (LuCaZ)", "Saga 01 T02 VF"]
    assert [r["title"] for r in by_volume(found, saga(2))[2]["releases"]] \
        == ["Saga 02 T02 VF"]
    assert by_volume(found, saga(1))[2]["dropped"] == []
    assert [dict(d, id=None) for d in by_volume(found, saga(2))[2][
        "dropped"]] == [
        {"title": "Saga 02 v02 (Digital) (LuCaZ)", "source": "prowlarr",
         "reason": "language en not wanted", "id": None}]
    # kept across a restart; an empty write forgets them
    mon.unmount()
    mon.mount()
    assert mon.m.read(prefs).decode() == shown
    assert mon.m.write(prefs, "\n") == 1
    assert mon.m.read(prefs) == b""
