# SPDX-License-Identifier: GPL-3.0-or-later
"""The hand-off to aria2 (aria2c's JSON-RPC; clients.py starts the real
aria2c on 127.0.0.1 with a secret and a throw-away folder): a catalog
release's web link, served by a loopback HTTP server, is added with its
save path (or none: aria2's own folder, asked of it), downloaded by
aria2, followed and imported into the series folder; a link that
answers 404 is aria2's error status, the hand-off fails with aria2's
words and the release is blocklisted; a wrong secret is refused once,
said in health, and nothing is added; aria2 down is said in health and
changes no hand-off. The secret is never in the log nor in the
mount."""

from clients import PASSWORD, clients, files  # noqa: F401 (fixtures)
from conftest import wait_for
from test_clients import CONTENT, catalog, health
from test_handoff import AUTO, SEND, downloads
from test_monitor import monitored  # noqa: F401 (fixture)

POLL = "poll_interval = 1\n"
VOLUME = CONTENT + b"T" * 40000


def conf(url, save, secret=PASSWORD):
    """[download] for aria2 at url, saving in save (None: its own
    folder)."""
    return ("[download]\nclient = aria2\nurl = %s\npassword = %s\n"
            % (url, secret) +
            ("save_path = %s\n" % save if save else "") + POLL)


def start(monitored, files, a2, save, secret=PASSWORD, link=None):
    """A monitored Saga 01 whose catalog has volume 10 at link (the
    .cbz the file server holds, by default), aria2 its client."""
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=conf(a2.url, save, secret),
                    releases={"saga 01": []})
    catalog(mon, link or files.put("/Saga%2001%20T10.cbz", VOLUME,
                                   "application/vnd.comicbook+zip"))
    return mon


def no_secret(mon, secret):
    for path in ("log", "status/health", "status/found.json",
                 "status/downloads.json"):
        assert secret.encode() not in mon.m.read(path), path


def test_aria2_downloads_and_imports(monitored, clients, files, tmp_path):
    a2 = clients("aria2")
    save = tmp_path / "saves"
    save.mkdir()
    mon = start(monitored, files, a2, save)
    mon.check("missing")
    gid = downloads(mon)[10]["client_id"]
    assert len(gid) == 16 and int(gid, 16) >= 0, gid
    got = {d["gid"]: d for d in a2.downloads()}
    assert list(got) == [gid] and got[gid]["dir"] == str(save)
    wait_for(lambda: downloads(mon).get(10), 60, "volume 10 imported",
             until=lambda d: d is None or d["state"] == "imported",
             mount=mon.m)
    assert (mon.root / "Saga 01" / "Saga 01 T10.cbz").read_bytes() == VOLUME
    assert "/Saga%2001%20T10.cbz" in files.requests
    no_secret(mon, PASSWORD)


def test_aria2_imports_from_its_own_folder(monitored, clients, files):
    """No save_path: aria2 saves in its own --dir, which mediamon asks
    it (getGlobalOption), and the download is imported from there."""
    a2 = clients("aria2")
    mon = start(monitored, files, a2, None)
    mon.check("missing")
    wait_for(lambda: downloads(mon).get(10), 60, "volume 10 imported",
             until=lambda d: d is None or d["state"] == "imported",
             mount=mon.m)
    assert (mon.root / "Saga 01" / "Saga 01 T10.cbz").read_bytes() == VOLUME
    assert (a2.save / "Saga 01 T10.cbz").read_bytes() == VOLUME
    assert "import: aria2 saves in %s by default" % a2.save in \
        mon.m.read("log").decode()


def test_aria2_error_status_fails_the_handoff(monitored, clients, files,
                                              tmp_path):
    """aria2 takes a link that answers 404 (it fetches it later) and
    lists it stopped with status error, errorCode 3."""
    a2 = clients("aria2")
    mon = start(monitored, files, a2, tmp_path,
                link=files.url + "/gone.cbz")
    mon.check("missing")
    assert downloads(mon)[10]["client_id"]
    d = wait_for(lambda: downloads(mon)[10], 60, "volume 10 failed",
                 until=lambda d: d["state"] == "failed", mount=mon.m)
    assert d["reason"] == "aria2: Resource not found (error code 3)", d
    blocklist = mon.m.read("control/blocklist").decode()
    assert "aria2: Resource not found" in blocklist
    assert [x["status"] for x in a2.downloads()] == ["error"]


def test_aria2_wrong_secret_asked_once(monitored, clients, files, tmp_path):
    a2 = clients("aria2")
    mon = start(monitored, files, a2, tmp_path, secret="wrong-Secret-42")
    mon.check("missing")
    mon.check("missing")
    text = health(mon)
    assert "the RPC secret was refused: [download] password must be" \
        " aria2c's --rpc-secret" in text, text
    assert "not asked again" in text, text
    assert a2.downloads() == []
    assert 10 not in downloads(mon) or \
        downloads(mon)[10]["state"] != "sent"
    no_secret(mon, "wrong-Secret-42")


def test_aria2_down_said_in_health(monitored, clients, files, tmp_path):
    """aria2 took the release and went away: the hand-off keeps its
    state, and health says aria2 cannot be asked."""
    a2 = clients("aria2")
    gone = files.url + "/slow.cbz"
    mon = start(monitored, files, a2, tmp_path, link=gone)
    a2.stop()
    mon.check("missing")
    text = wait_for(lambda: health(mon), 30, "health naming aria2",
                    until=lambda t: "aria2" in t, mount=mon.m)
    line = next(x for x in text.splitlines() if "aria2" in x)
    assert "aria2: aria2" not in line, line
    assert 10 not in downloads(mon) or \
        downloads(mon)[10]["state"] != "imported"
    no_secret(mon, PASSWORD)
