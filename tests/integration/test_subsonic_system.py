# SPDX-License-Identifier: GPL-3.0-or-later
"""/rest's user and system methods (issue 77): getUser and getUsers
tell an account about itself only, its admin and scanning roles only
the owner's; getScanStatus for anyone, startScan for the owner only
(error 50 to another account); getNowPlaying what scrobble with
submission=false said, as the account may read it."""

import pytest

from conftest import wait_for
from subsonic_calls import call, ok, failed, private_root
from access_users import world  # noqa: F401
from test_http import PASSWORD, Web

OTHER = {"u": "daemon", "p": PASSWORD}


@pytest.fixture
def web(tmp_path):
    w = Web(tmp_path, names=("root", "daemon"))
    yield w
    w.stop()


def test_user_is_the_account_itself(web):
    user = ok(call(web, "getUser", username="root")[2])["user"]
    assert user["username"] == "root"
    assert user["adminRole"] is True and user["scanningRole"] is True
    assert user["streamRole"] is True and user["uploadRole"] is False
    assert user["folder"] == [1]
    other = ok(call(web, "getUser", auth=OTHER,
                    username="daemon")[2])["user"]
    assert other["username"] == "daemon"
    assert other["adminRole"] is False and other["scanningRole"] is False
    assert other["settingsRole"] is False and other["streamRole"] is True
    # another account's record is refused, even to the owner
    failed(call(web, "getUser", auth=OTHER, username="root")[2], 50)
    failed(call(web, "getUser", username="daemon")[2], 50)
    failed(call(web, "getUser")[2], 10)
    users = ok(call(web, "getUsers", auth=OTHER)[2])["users"]["user"]
    assert [u["username"] for u in users] == ["daemon"]
    root = call(web, "getUsers", f="xml")[2]
    got = [(e.get("username"), e.get("adminRole"))
           for e in root.iter("{http://subsonic.org/restapi}user")]
    assert got == [("root", "true")]


def test_scan_status_and_start(web):
    def idle():
        st = ok(call(web, "getScanStatus", auth=OTHER)[2])["scanStatus"]
        return st if st["scanning"] is False else None

    st = wait_for(idle, 60, "the first scan's end", mount=web.m)
    assert st["count"] == 0
    failed(call(web, "startScan", auth=OTHER)[2], 50)
    scans = web.m.json("metrics/scans.json")["scans"]
    assert not [s for s in scans if s.get("trigger") == "subsonic"]
    st = ok(call(web, "startScan")[2])["scanStatus"]
    assert isinstance(st["scanning"], bool)
    wait_for(idle, 60, "the asked scan's end", mount=web.m)
    scans = web.m.json("metrics/scans.json")["scans"]
    assert [s for s in scans if s.get("trigger") == "subsonic"], scans


def now(w, **auth):
    got = ok(call(w, "getNowPlaying", **auth)[2])["nowPlaying"]
    return sorted((e["username"], e["title"], e.get("playerName"))
                  for e in got["entry"])


def test_now_playing_as_each_account_may_read(world):  # noqa: F811
    with private_root(world) as (w, mine, ids, top):
        user = mine["auth"]["u"]
        pub, priv = ids["Pub"][0], ids["Priv"][0]
        assert now(w) == [] and now(w, **mine) == []
        # a submission counts a play and is not playing now
        ok(call(w, "scrobble", id=pub)[2])
        assert now(w) == []
        ok(call(w, "scrobble", id=priv, submission="false")[2])
        ok(call(w, "scrobble", id=pub, submission="false", **mine)[2])
        assert now(w) == sorted([("root", "Priv", "mediamon-test"),
                                 (user, "Pub", "mediamon-test")])
        # root's song is in a folder the account may not enter
        assert now(w, **mine) == [(user, "Pub", "mediamon-test")]
        # the next song of the same player replaces the last
        ok(call(w, "scrobble", id=pub, submission="false")[2])
        assert now(w) == sorted([("root", "Pub", "mediamon-test"),
                                 (user, "Pub", "mediamon-test")])
        entry = ok(call(w, "getNowPlaying")[2])["nowPlaying"]["entry"]
        assert [e["id"] for e in entry] == [pub, pub]
        assert entry[0]["minutesAgo"] == 0
        assert len({e["playerId"] for e in entry}) == 2
        # refused: what the account may not read is not playing for it
        failed(call(w, "scrobble", id=priv, submission="false",
                    **mine)[2], 70)
        assert now(w, **mine) == now(w)
