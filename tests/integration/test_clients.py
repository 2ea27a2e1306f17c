# SPDX-License-Identifier: GPL-3.0-or-later
"""The hand-off to the real download clients Debian ships (clients.py
starts them on 127.0.0.1 with throw-away profiles): a magnet and a
torrent reach qBittorrent and Transmission with their category or label
and save path, a torrent the client has already is adopted, a link that
answers 404 is recorded as the client takes it, NZBGet takes an NZB
link; and a refused password is tried once, not at every check, until
the owner asks for a retry or the configuration is reloaded."""

import json
import signal

from clients import PASSWORD, USER, Torrent, clients, files, relays  # noqa
from conftest import wait_for
from test_handoff import AUTO, SEND, downloads
from test_monitor import monitored, release  # noqa

CONTENT = b"PK\x05\x06" + b"\0" * 18
# A download the client took: "sent" until the tracker's first poll of
# the client, which may come at any moment after, then what it saw there
TAKEN = ("sent", "queued", "downloading")


def torrents():
    """Two torrents of small files: A (sent as a magnet) and B (sent as
    a .torrent, twice)."""
    return (Torrent("Saga 01 T02.cbz", CONTENT + b"A" * 40000),
            Torrent("Saga 01 T04.cbz", CONTENT + b"B" * 40000))


def releases(a, b_url):
    """Saga 01's releases in Prowlarr: volume 2 as A's magnet, volumes 4
    and 6 as the same .torrent B (Prowlarr's proxy link fetches it from
    the loopback server)."""
    r2 = release("a02", "Saga 01 T02 FRENCH", seeders=30)
    r2["guid"] = r2["magnetUrl"] = a.magnet
    r2["downloadUrl"] = None
    found = [r2]
    for v in (4, 6):
        found.append(torrent_release("b%02d" % v, "Saga 01 T%02d FRENCH" % v,
                                     b_url))
    return {"saga 01": found}


def torrent_release(guid, title, link, seeders=30):
    """A release in Prowlarr whose download is the .torrent at link."""
    r = release(guid, title, seeders=seeders)
    r["downloadUrl"] = link
    r["magnetUrl"] = None
    return r


def seeded(tmp_path, files, name="Saga 01 T04.cbz", guid="b04", fill=b"B"):
    """A torrent of one file, name, whose data lies in tmp_path/saves
    already (a client finds it complete at once), and its release in
    Prowlarr, served by files: (torrent, save folder, release)."""
    t = Torrent(name, CONTENT + fill * 40000)
    save = tmp_path / "saves"
    save.mkdir()
    (save / t.name).write_bytes(t.content)
    title = name.rsplit(".", 1)[0] + " FRENCH"
    return t, save, torrent_release(guid, title,
                                    files.put("/%s.torrent" % guid, t.data))


def catalog(mon, link):
    """The catalog's one release, volume 10, at link."""
    mon.catalog.write_text(json.dumps(
        {"title": "Saga 01 T10", "link": link, "size": 1000,
         "source": "EBDZ"}) + "\n")


def conf(kind, url, save, password=PASSWORD, rpc=""):
    return ("[download]\nclient = %s\nurl = %s%s\nusername = %s\n"
            "password = %s\ncategory = manga\nsave_path = %s\n"
            % (kind, url, rpc, USER, password, save))


def finished(mon):
    return mon.m.read("log").decode().count("missing check finished")


def retry(mon):
    """Ask for a retry of refused clients through the mount, and wait for
    the check it queues to end."""
    before = finished(mon)
    mon.m.write("control/check-missing", "retry-client\n")
    wait_for(lambda: finished(mon), 60, "the retry's check",
             until=lambda n: n > before, mount=mon.m)


def health(mon):
    return mon.m.read("status/health").decode()


def test_qbittorrent_takes_magnet_torrent_and_duplicate(monitored, clients,
                                                         files, tmp_path):
    qbit = clients("qbittorrent")
    a, b = torrents()
    save = tmp_path / "saves"
    save.mkdir()
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=conf("qbittorrent", qbit.url, save),
                    releases=releases(a, files.put("/b.torrent", b.data)))
    catalog(mon, files.url + "/gone.torrent")
    last = mon.check("missing")
    d = downloads(mon)
    # volume 6 is B again: qBittorrent answers "Fails.", and has it: it
    # is adopted, not failed
    assert all(d[v] and d[v]["state"] in TAKEN for v in (2, 4, 6)), d
    assert "was there already: adopted" in mon.m.read("log").decode()
    got = {t["hash"]: t for t in qbit.torrents()}
    # the magnet and the .torrent, in the category and the save path
    assert sorted(got) == sorted([a.hash, b.hash])
    for t in got.values():
        assert t["category"] == "manga"
        assert t["save_path"].rstrip("/") == str(save)
    # the 404 link: qBittorrent answers "Ok." and fetches it later,
    # itself; the fetch fails in qBittorrent, which lists nothing of it
    assert d[10]["state"] in TAKEN
    wait_for(lambda: "/gone.torrent" in files.requests, 30,
             "qBittorrent fetching the catalog's link")
    assert len(qbit.torrents()) == 2
    assert last["failed"] == 0 and qbit.logins() == (2, 0)


def test_qbittorrent_wrong_password_asked_once(monitored, clients, files,
                                               tmp_path):
    qbit = clients("qbittorrent")
    a, b = torrents()
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=conf("qbittorrent", qbit.url, tmp_path,
                               password="wrong"),
                    releases=releases(a, files.put("/b.torrent", b.data)))
    catalog(mon, files.url + "/gone.torrent")
    mon.check("missing")
    assert qbit.logins() == (0, 1)
    text = health(mon)
    assert "check the user name and password" in text
    assert "not asked again" in text and "retry-client" in text
    # a second check asks nothing: qBittorrent bans after five failures
    mon.check("missing")
    assert qbit.logins() == (0, 1)
    assert downloads(mon)[2]["state"] == "failed"
    # the owner asks for a retry: one more login, refused again
    assert "retry-client" in mon.m.read("control/check-missing").decode()
    retry(mon)
    assert qbit.logins() == (0, 2)
    # the right password and a reload: it goes
    mon.conf.write_text(mon.conf.read_text().replace(
        "password = wrong", "password = " + PASSWORD))
    mon.m.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: b"reload: done" in mon.m.read("log"), 30,
             "reload: done in the log", mount=mon.m, interval=0.1)
    mon.check("missing")
    assert qbit.logins()[0] == 1
    assert downloads(mon)[2]["state"] in TAKEN
    assert a.hash in [t["hash"] for t in qbit.torrents()]


def test_client_health_follows_retry_and_reload(monitored, clients,
                                                tmp_path):
    """With nothing to send (issue 45): a start asks the client once, and
    health says it refused; "retry-client" asks it again at once; a
    reload with the right password asks it again, and the line goes
    without waiting for a check."""
    qbit = clients("qbittorrent")
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=conf("qbittorrent", qbit.url, tmp_path,
                               password="wrong"),
                    releases={"saga 01": []})
    wait_for(lambda: health(mon), 30, "health naming qbittorrent",
             until=lambda t: "qbittorrent" in t, mount=mon.m)
    assert "check the user name and password" in health(mon)
    assert qbit.logins() == (0, 1)
    retry(mon)
    assert qbit.logins() == (0, 2)
    assert "qbittorrent" in health(mon)
    mon.conf.write_text(mon.conf.read_text().replace(
        "password = wrong", "password = " + PASSWORD))
    mon.m.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: health(mon), 30, "health without qbittorrent",
             until=lambda t: "qbittorrent" not in t, mount=mon.m)
    assert qbit.logins() == (1, 2)


def test_qbittorrent_origin_refused(monitored, clients, relays, tmp_path):
    """Behind a reverse proxy that hands qBittorrent its own Host but
    keeps the browser's Origin and Referer, its CSRF check answers 401:
    said as such, once."""
    qbit = clients("qbittorrent")
    proxy = relays(qbit.url)
    a, _ = torrents()
    r = {"saga 01": [dict(release("a02", "Saga 01 T02 FRENCH"),
                          guid=a.magnet, magnetUrl=a.magnet,
                          downloadUrl=None)]}
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=conf("qbittorrent", proxy.url, tmp_path),
                    releases=r)
    mon.check("missing")
    mon.check("missing")
    text = health(mon)
    assert "qBittorrent refused the request's origin" in text
    assert "check the user name" not in text
    assert proxy.count(401, "/api/v2/auth/login") == 1
    assert qbit.logins() == (0, 0)


def test_transmission_takes_magnet_torrent_and_labels(monitored, clients,
                                                      files, tmp_path):
    tr = clients("transmission")
    a, b = torrents()
    save = tmp_path / "saves"
    save.mkdir()
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=conf("transmission", tr.url, save,
                               rpc="/transmission/rpc"),
                    releases=releases(a, files.put("/b.torrent", b.data)))
    catalog(mon, files.url + "/gone.torrent")
    mon.check("missing")
    got = {t["hashString"]: t for t in tr.torrents()}
    assert sorted(got) == sorted([a.hash, b.hash])
    # Transmission 3 ignores labels in torrent-add: torrent-set put them
    for t in got.values():
        assert t["labels"] == ["manga"]
        assert t["downloadDir"] == str(save)
    d = downloads(mon)
    assert all(d[v]["state"] in TAKEN for v in (2, 4, 6)), d
    # the 404 link: Transmission fetches it during the add, and says so
    assert d[10]["state"] == "failed"
    assert "404" in d[10]["reason"]
    assert "/gone.torrent" in files.requests


def test_transmission_wrong_password_asked_once(monitored, clients,
                                                relays, files, tmp_path):
    tr = clients("transmission")
    proxy = relays(tr.url)
    a, b = torrents()
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=conf("transmission", proxy.url, tmp_path,
                               password="wrong", rpc="/transmission/rpc"),
                    releases=releases(a, files.put("/b.torrent", b.data)))
    catalog(mon, files.url + "/gone.torrent")
    mon.check("missing")
    mon.check("missing")
    # one refusal, not one per check (Transmission locks its RPC for
    # everyone after 100)
    assert proxy.count(401) == 1
    text = health(mon)
    assert "password was refused (HTTP 401)" in text
    assert "not asked again" in text
    retry(mon)
    assert proxy.count(401) == 2
    assert tr.torrents() == []


NZB = ('<?xml version="1.0" encoding="UTF-8"?>\n'
       '<!DOCTYPE nzb PUBLIC "-//newzBin//DTD NZB 1.1//EN"'
       ' "http://www.newzbin.com/DTD/nzb/nzb-1.1.dtd">\n'
       '<nzb xmlns="http://www.newzbin.com/DTD/2003/nzb">\n'
       ' <file poster="p@example" date="1700000000"'
       ' subject="Saga 01 T10.cbz (1/1)">\n'
       '  <groups><group>alt.binaries.test</group></groups>\n'
       '  <segments><segment bytes="1000" number="1">'
       'part1@example</segment></segments>\n'
       ' </file>\n</nzb>\n').encode()


def usenet_conf(url, password=PASSWORD):
    return ("[usenet]\nclient = nzbget\nurl = %s\nusername = %s\n"
            "password = %s\ncategory = manga\n" % (url, USER, password))


def test_nzbget_takes_an_nzb_link(monitored, clients, files):
    nz = clients("nzbget")
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=usenet_conf(nz.url), releases={"saga 01": []})
    catalog(mon, files.put("/s01-10.nzb", NZB, "application/x-nzb"))
    mon.check("missing")
    d = downloads(mon)[10]
    assert d["state"] in TAKEN and d["client"] == "nzbget"
    # NZBGet fetches the link itself, after answering, and queues it in
    # the category
    wait_for(lambda: "/s01-10.nzb" in files.requests, 30,
             "NZBGet fetching the NZB link")
    groups = wait_for(lambda: nz.call("listgroups", 0), 30,
                      "the NZB in NZBGet's queue")
    assert [g["Category"] for g in groups] == ["manga"]


def test_nzbget_wrong_password_asked_once(monitored, clients, relays,
                                          files):
    nz = clients("nzbget")
    proxy = relays(nz.url)
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=usenet_conf(proxy.url, password="wrong"),
                    releases={"saga 01": []})
    catalog(mon, files.put("/s01-10.nzb", NZB, "application/x-nzb"))
    mon.check("missing")
    mon.check("missing")
    assert proxy.count(401) == 1
    assert "not asked again" in health(mon)
    assert nz.call("listgroups", 0) == []
