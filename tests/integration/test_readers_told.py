# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 68: the servers that show the library told after an import, so
a new volume is seen at once, not at their next scheduled scan: Komga
(a scan of the library whose root holds the series folder), Kavita (a
scan of the series folder), Plex (a scan of the folder in the section
that holds it) and Jellyfin (the folder as Modified), each once per
import; a server that refuses or fails is logged, the import
stands, and it is not asked again in a loop. The volume comes from the
real qBittorrent (its file already in the save path: no network); the
servers are fakes (tests/fakes/readers_fake.py, plex_fake.py,
jellyfin_fake.py)."""

import json
import os
import sys

import pytest

from clients import clients, files  # noqa: F401
from conftest import REPO, wait_for
from test_clients import catalog, conf, seeded
from test_handoff import AUTO, SEND, downloads
from test_client_listener import spy  # noqa: F401
from test_monitor import monitored  # noqa: F401

sys.path.insert(0, os.path.join(REPO, "tests", "fakes"))
from readers_fake import KEYS  # noqa: E402

POLL = "poll_interval = 1\n"
JELLY_KEY = "jellyKEY-test"
PLEX_TOKEN = "plexTOKEN-test"


def servers(fake, tmp_path, manga_root):
    text = open(os.path.join(REPO, "tests", "data",
                             "komga-libraries.json")).read()
    libs = tmp_path / "komga-libraries.json"
    libs.write_text(text.replace("@MANGA@", str(manga_root)))
    return (fake("readers_fake.py", "komga", str(libs)),
            fake("readers_fake.py", "kavita"),
            fake("jellyfin_fake.py", "jellyfin"))


def imported(mon):
    wait_for(lambda: downloads(mon).get(4), 90, "volume 4 imported",
             until=lambda d: d and d["state"] == "imported", mount=mon.m)


def test_servers_told_after_an_import(monitored, clients, files, fake,
                                      tmp_path):
    qbit = clients("qbittorrent")
    b, save, b04 = seeded(tmp_path, files)
    root = tmp_path / "manga"
    komga, kavita, jelly = servers(fake, tmp_path, root)
    sections = tmp_path / "plex-sections.json"
    sections.write_text(json.dumps([
        {"key": "7", "type": "artist", "title": "Music",
         "paths": [str(tmp_path / "music")]},
        {"key": "8", "type": "photo", "title": "Manga",
         "paths": [str(root)]}]))
    plex = fake("plex_fake.py", str(sections))
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=conf("qbittorrent", qbit.url, save) + POLL +
                    "[komga]\nurl = %s\napi_key = %s\n"
                    "[kavita]\nurl = %s\napi_key = %s\n"
                    "[plex]\nurl = %s\ntoken = %s\n"
                    "[jellyfin]\nurl = %s\napi_key = %s\n" % (
                        komga.url, KEYS["komga"], kavita.url,
                        KEYS["kavita"], plex.url, PLEX_TOKEN, jelly.url,
                        JELLY_KEY),
                    releases={"saga 01": [b04]})
    assert str(mon.root) == str(root)
    catalog(mon, files.url + "/gone.torrent")
    mon.check("missing")
    imported(mon)
    folder = str(root / "Saga 01")
    told_all = "tracker: servers told of %s: 4 asked, 0 failed" % folder
    wait_for(lambda: mon.m.read("log").decode(), 30, "the servers told",
             until=lambda log: told_all in log, mount=mon.m)
    scans = [r for r in komga.call("/_requests") if r["method"] == "POST"]
    assert [(r["path"], r["key"]) for r in scans] == [
        ("/api/v1/libraries/0B8QGW3K5D1RA/scan", "ok")]
    told = kavita.call("/_requests")
    assert [(r["body"]["folderPath"], r["key"]) for r in told] == [
        (folder, "ok")]
    assert jelly.call("/_updates") == [
        {"Path": folder, "UpdateType": "Modified"}]
    assert plex.call("/_refreshes") == [{"section": "8", "path": folder}]
    log = mon.m.read("log").decode()
    for key in list(KEYS.values()) + [JELLY_KEY, PLEX_TOKEN]:
        assert key not in log


def test_servers_that_fail_leave_the_import_alone(monitored, clients,
                                                  files, fake, tmp_path):
    """Komga given a wrong key (401), Kavita down (500): the volume is
    imported all the same, each failure logged with its cause, each
    server asked once."""
    qbit = clients("qbittorrent")
    b, save, b04 = seeded(tmp_path, files)
    komga, kavita, _ = servers(fake, tmp_path, tmp_path / "elsewhere")
    kavita.call("/_down", {"status": 500})
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=conf("qbittorrent", qbit.url, save) + POLL +
                    "[komga]\nurl = %s\napi_key = wrong-key\n"
                    "[kavita]\nurl = %s\napi_key = %s\n" % (
                        komga.url, kavita.url, KEYS["kavita"]),
                    releases={"saga 01": [b04]})
    catalog(mon, files.url + "/gone.torrent")
    mon.check("missing")
    imported(mon)
    assert (mon.root / "Saga 01" / "Saga 01 T04.cbz").read_bytes() == \
        b.content
    wait_for(lambda: mon.m.read("log").decode(), 30, "the failures logged",
             until=lambda log: "kavita: POST: HTTP 500" in log
             and "komga: GET: HTTP 401, the token was refused" in log,
             mount=mon.m)
    # the next check and poll come and go: no server asked again
    mon.check("missing")
    assert len(kavita.call("/_requests")) == 1
    assert [r["path"] for r in komga.call("/_requests")] == [
        "/api/v1/libraries"]
    assert "wrong-key" not in mon.m.read("log").decode()


@pytest.mark.skipif(os.geteuid() != 0 or not os.path.exists(
    "/usr/sbin/useradd"), reason="needs root and useradd")
def test_readers_at_another_users_listener_are_not_told(monitored, clients,
                                                        files, tmp_path,
                                                        spy):
    """Komga and Kavita at the port another local user listens on (issue
    60): the volume is imported, neither key is sent, the log names that
    user and [komga] / [kavita] user."""
    user, url, seen = spy
    qbit = clients("qbittorrent")
    b, save, b04 = seeded(tmp_path, files)
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=conf("qbittorrent", qbit.url, save) + POLL +
                    "[komga]\nurl = %s\napi_key = %s\n"
                    "[kavita]\nurl = %s\napi_key = %s\n" % (
                        url, KEYS["komga"], url, KEYS["kavita"]),
                    releases={"saga 01": [b04]})
    catalog(mon, files.url + "/gone.torrent")
    mon.check("missing")
    imported(mon)
    said = ["%s: its port on this machine is user %s's, not %s's" % (
        s, user.name, s) for s in ("komga", "kavita")]
    log = wait_for(lambda: mon.m.read("log").decode(), 30,
                   "the refusals logged", mount=mon.m,
                   until=lambda log: all(s in log for s in said))
    assert "as user in [komga]" in log and "as user in [kavita]" in log
    got = seen.read_bytes() if seen.exists() else b""
    for key in (KEYS["komga"], KEYS["kavita"]):
        assert key.encode() not in got
        assert key not in log
