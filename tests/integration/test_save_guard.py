# SPDX-License-Identifier: GPL-3.0-or-later
"""A download save folder that goes away is not a folder with nothing to
import (issue 45): the real Transmission completes a download in its
folder, which this machine sees through [download] path_map as a share;
the share dropped (an empty folder bind-mounted over it, or renamed
away), the import does not act on it: health says the save folder is
unavailable, one root_unavailable notification goes out and no
import_failed, nothing is moved or deleted; the share back, the download
is imported by itself and the health line ends, as it ends when a
reload no longer names the share."""

import os
import signal

import pytest

from clients import Torrent, clients, files  # noqa: F401
from conftest import wait_for
from test_clients import CONTENT, conf, health
from test_handoff import AUTO, SEND, downloads
from test_monitor import monitored, release  # noqa: F401
from test_root_guard import bind, unbind
from test_tracker import POLL, state_of


def hook_events(hooks, event):
    return [p["body"] for p in hooks.call("/_posts")
            if p["body"]["event"] == event]


def dropped_share(monitored, clients, files, fake, tmp_path):
    """Volume 4 sent to the real Transmission, which has its data in its
    own folder; this machine sees that folder as tmp_path/share through
    path_map, moved from on import. Transmission, the torrent, the share,
    the webhook fake and the Monitor, the check not run yet."""
    tr = clients("transmission")
    b = Torrent("Saga 01 T04.cbz", CONTENT + b"B" * 40000)
    (tr.save / b.name).write_bytes(b.content)
    share = tmp_path / "share"
    share.mkdir()
    (share / b.name).write_bytes(b.content)
    r = release("b04", "Saga 01 T04 FRENCH", seeders=30)
    r["downloadUrl"] = files.put("/b.torrent", b.data)
    r["magnetUrl"] = None
    hooks = fake("webhook_fake.py")
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=conf("transmission", tr.url, tr.save,
                               rpc="/transmission/rpc") + POLL +
                    "path_map = %s:%s\n" % (tr.save, share) +
                    "[import]\nmode = move\n"
                    "[notify]\nwebhook = %s/hook\nevents = import_failed,"
                    " imported, root_unavailable\n" % hooks.url,
                    releases={"saga 01": [r]})
    return tr, b, share, hooks, mon


def waiting(mon, share, how):
    """Wait for health to name the save folder share unavailable (how),
    volume 4 completed and waiting for it."""
    line = "warn: download save folder %s is unavailable (%s):" \
        " imports from it wait" % (share, how)
    wait_for(lambda: health(mon), 60, "health naming the save folder",
             until=lambda t: line in t, mount=mon.m)
    # the health line is set as the tracker's pass begins, the
    # download's state stored as it ends: awaited too
    d = wait_for(lambda: downloads(mon)[4], 60, "volume 4 completed",
                 until=lambda d: d["state"] == "completed" and d["reason"],
                 mount=mon.m)
    assert d["reason"] == "import: the save folder %s is unavailable" \
        " (%s): the import waits for it" % (share, how)


@pytest.mark.parametrize("how", ["empty", "gone"])
def test_save_folder_dropped_then_back(monitored, clients, files, fake,
                                       tmp_path, how):
    if how == "empty" and os.geteuid():
        pytest.skip("a bind mount needs root")
    tr, b, share, hooks, mon = dropped_share(monitored, clients, files,
                                             fake, tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    away = tmp_path / "share.away"
    if how == "empty":
        bind(empty, share)
    else:
        os.rename(str(share), str(away))
    try:
        mon.check("missing")
        waiting(mon, share, how)
        told = wait_for(lambda: hook_events(hooks, "root_unavailable"), 30,
                        "a root_unavailable notification", until=len,
                        mount=mon.m)
        assert told[0]["details"] == {"kind": "save", "root": str(share),
                                      "reason": how}
        assert not (mon.root / "Saga 01" / b.name).exists()
    finally:
        if how == "empty":
            unbind(share)
        else:
            os.rename(str(away), str(share))
    wait_for(lambda: state_of(mon, 4), 60, "volume 4 imported",
             until=lambda s: s == "imported", mount=mon.m)
    assert (mon.root / "Saga 01" / b.name).read_bytes() == b.content
    # moved from the share, as configured, once it was back
    assert not (share / b.name).exists()
    assert "download save folder" not in health(mon)
    assert "not imported" not in health(mon)
    assert len(hook_events(hooks, "root_unavailable")) == 1
    assert hook_events(hooks, "import_failed") == []
    log = mon.m.read("log").decode()
    assert "download save folder %s is back" % share in log
    assert "not imported, tried again" not in log



def test_save_folder_dropped_from_the_configuration(monitored, clients,
                                                    files, fake, tmp_path):
    """The share gone for good: a reload whose configuration no longer
    maps it ends the health line, and the download is imported from
    the client's own folder, as the configuration now says."""
    tr, b, share, hooks, mon = dropped_share(monitored, clients, files,
                                             fake, tmp_path)
    os.rename(str(share), str(tmp_path / "share.away"))
    mon.check("missing")
    waiting(mon, share, "gone")
    mon.conf.write_text(mon.conf.read_text().replace(
        "path_map = %s:%s\n" % (tr.save, share), ""))
    mon.m.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: state_of(mon, 4), 60, "volume 4 imported",
             until=lambda s: s == "imported", mount=mon.m)
    assert (mon.root / "Saga 01" / b.name).read_bytes() == b.content
    assert "download save folder" not in health(mon)
    assert hook_events(hooks, "import_failed") == []
