# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 68: the debrid account's torrents listed in the mount, so a lost
account can be rebuilt: /status/debrid-torrents.json and a magnet link per
torrent in /status/debrid-magnets, the daemon user's alone, with what the
account said that is odd (no hash, a bad one, a secret in a name) shown
safely. Over the Real-Debrid fake, as test_repair's cases."""

import os
import stat
import urllib.parse

from test_repair import rd_mount, setup  # noqa: F401
from realdebrid_fake import BUILTIN, TOKEN, make_hash, torrent

ODD = "Odd & Name 100% [x]"


def account():
    """The built-in account, a torrent with a name that needs encoding,
    one whose name holds the token, one with no hash and one with a
    hash that is not one."""
    odd = torrent(ODD, [("/odd.mkv", 10, 1)], added="2023-05-01T00:00:00")
    planted = torrent("Leak." + TOKEN, [("/leak.mkv", 10, 1)],
                      added="2023-05-02T00:00:00")
    nohash = torrent("No.Hash", [("/n.mkv", 10, 1)],
                     added="2023-05-03T00:00:00")
    nohash["hash"] = ""
    badhash = torrent("Bad.Hash", [("/b.mkv", 10, 1)],
                      added="2023-05-04T00:00:00")
    badhash["hash"] = "zz" * 20
    return [odd, planted, nohash, badhash] + BUILTIN["torrents"]


def test_account_torrents_and_magnets_listed(setup):
    torrents = account()
    s = setup(dry_run=True, account=torrents)
    s.command("scan")
    listed = s.wait(lambda: s.m.json("status/debrid-torrents.json"),
                    "the account's torrents listed")
    assert sorted(t["id"] for t in listed) == sorted(
        t["id"] for t in torrents)
    # the oldest added first
    assert listed[0]["name"] == ODD
    by_id = {t["id"]: t for t in listed}
    for t in torrents:
        shown = by_id[t["id"]]
        assert shown["hash"] == t["hash"]
        assert shown["status"] == t["status"]
        assert shown["bytes"] == t["bytes"]
    text = s.m.read("status/debrid-torrents.json").decode()
    assert TOKEN not in text

    magnets = s.m.read("status/debrid-magnets").decode()
    assert TOKEN not in magnets
    lines = magnets.splitlines()
    good = [t for t in torrents
            if len(t["hash"]) == 40 and t["hash"] != "zz" * 20]
    assert len(lines) == len(good)
    for line in lines:
        assert line.startswith("magnet:?xt=urn:btih:")
        query = urllib.parse.parse_qs(line[len("magnet:?"):])
        assert set(query) == {"xt", "dn"}
    first = urllib.parse.parse_qs(lines[0][len("magnet:?"):])
    assert first["xt"] == ["urn:btih:" + make_hash(ODD)]
    assert first["dn"] == [ODD]

    for name in ("debrid-torrents.json", "debrid-magnets"):
        path = os.path.join(s.m.path, "status", name)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o400, name
