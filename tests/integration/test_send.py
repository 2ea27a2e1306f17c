# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 68: a release picked by hand. With auto_download = no, a check
finds releases and sends none; `echo ID > control/send` sends the one of
that id (found.json's) to the real qBittorrent, and the tracker follows
and imports it like one the monitor chose. An id of the wrong shape, one
no release has, a blocklisted one and one whose volume went already are
refused with EINVAL, each with its reason in the log, and send nothing."""

import errno

import pytest

from clients import clients, files  # noqa: F401
from conftest import wait_for
from test_clients import catalog, conf, seeded
from test_handoff import SEND, downloads
from test_monitor import monitored, release  # noqa: F401

MANUAL = "auto_download = no\n"
POLL = "poll_interval = 1\n"


def found_ids(mon, volume):
    """The ids found.json gives volume's releases, by title."""
    for e in mon.m.json("status/found.json"):
        if e["series"] == "Saga 01" and e["volume"] == volume:
            return {r["title"]: r["id"] for r in e["releases"]}
    return {}


def refused(mon, text, reason):
    with pytest.raises(OSError) as e:
        mon.m.write("control/send", text)
    assert e.value.errno == errno.EINVAL, text
    log = wait_for(lambda: mon.m.read("log").decode(), 30,
                   "the refusal of %r logged" % text,
                   until=lambda log: reason in log, mount=mon.m)
    # once, in the indexer's words: no second line says it is not a
    # command the file takes (issue 81)
    assert "control: /control/send refused" not in log, log


def test_release_sent_by_hand_followed_and_imported(monitored, clients,
                                                    files, tmp_path):
    qbit = clients("qbittorrent")
    b, save, b04 = seeded(tmp_path, files)
    other = release("o04", "Saga 01 T04 OTHER", seeders=3)
    mon = monitored(["Saga 01"], monitor=MANUAL, general=SEND,
                    extra=conf("qbittorrent", qbit.url, save) + POLL,
                    releases={"saga 01": [b04, other]})
    catalog(mon, files.url + "/gone.torrent")
    mon.check("missing")
    ids = found_ids(mon, 4)
    assert set(ids) == {"Saga 01 T04 FRENCH", "Saga 01 T04 OTHER"}, ids
    # auto_download = no: nothing went
    assert not downloads(mon).get(4)
    assert qbit.torrents() == []

    refused(mon, "not an id\n", 'send: "not an id" is not a release id')
    refused(mon, "0123456789abcdef\n",
            "send: no release found has id 0123456789abcdef")
    mon.m.write("control/blocklist", ids["Saga 01 T04 OTHER"] + "\n")
    refused(mon, ids["Saga 01 T04 OTHER"] + "\n",
            "send: release %s is on the blocklist" %
            ids["Saga 01 T04 OTHER"])

    mon.m.write("control/send", ids["Saga 01 T04 FRENCH"] + "\n")
    wait_for(lambda: downloads(mon).get(4), 90, "volume 4 imported",
             until=lambda d: d and d["state"] == "imported", mount=mon.m)
    assert (mon.root / "Saga 01" / "Saga 01 T04.cbz").read_bytes() == \
        b.content
    shown = {d["volume"]: d for d in mon.m.json("status/downloads.json")}
    assert shown[4]["client"] == "qbittorrent"
    assert shown[4]["client_id"] == b.hash
    assert shown[4]["title"] == "Saga 01 T04 FRENCH"
    assert "send: release %s for Saga 01 volume 4, asked by hand" % (
        ids["Saga 01 T04 FRENCH"]) in mon.m.read("log").decode()
    # sent once: again is refused, and qBittorrent has it once
    refused(mon, ids["Saga 01 T04 FRENCH"] + "\n",
            "send: volume 4 of Saga 01 was handed over already")
    assert [t["hash"] for t in qbit.torrents()] == [b.hash]
