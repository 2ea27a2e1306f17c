# SPDX-License-Identifier: GPL-3.0-or-later
"""/rest's user and system methods (issue 77): getUser and getUsers
tell an account about itself only, its admin and scanning roles only
the owner's; getScanStatus for anyone, startScan for the owner only
(error 50 to another account)."""

import pytest

from conftest import wait_for
from subsonic_calls import call, ok, failed
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
