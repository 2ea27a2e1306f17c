# SPDX-License-Identifier: GPL-3.0-or-later
"""Each hand-off followed in the real download client (clients.py starts
qBittorrent, Transmission and NZBGet on 127.0.0.1): a .torrent whose
content is already in the save path completes (the client's check of
the files finds it whole: no network) and is imported, an NZB completes
from NZBGet's own news server and is imported, a magnet with no peer
stays on its way, a link qBittorrent answered "Ok." to but never lists
fails after the grace and the next release goes at once, NZBGet's
failed fetch fails, a download removed by the user fails, a client that
goes away changes nothing, a completed download outside every save
path is not imported until that is fixed; a magnet completes from a
seeder on loopback (qBittorrent: the peer given through its API;
Transmission, with a .torrent too: the two met through opentracker) and
is imported; a name taken in the series folder is never replaced."""

import base64
import json
import pathlib
import re
import subprocess
from datetime import datetime


import pytest

from clients import Torrent, clients, files, relays  # noqa: F401
from conftest import wait_for
from test_http import PASSWORD, htpasswd
from test_clients import (CONTENT, NZB, catalog, conf, health, seeded,
                          torrent_release, usenet_conf)
from test_handoff import AUTO, SEND, checks_csv, downloads
from test_monitor import Monitor, monitored, release  # noqa: F401

SAB_KEY = "sabKEY0123456789abcdef0123456789"

POLL = "poll_interval = 1\n"


def torrents():
    """A (volume 2, sent as a magnet nobody seeds), B (volume 4, a
    .torrent whose file the test puts in the save path), C (volume 10,
    Prowlarr's, the next release after the catalog's 404)."""
    return (Torrent("Saga 01 T02.cbz", CONTENT + b"A" * 40000),
            Torrent("Saga 01 T04.cbz", CONTENT + b"B" * 40000),
            Torrent("Saga 01 T10.cbz", CONTENT + b"C" * 40000))


def releases(a, b_url, c_url):
    """A for volume 2, B for volumes 4 and 6 (the second time a
    duplicate the client has already), C for volume 10."""
    r2 = release("a02", "Saga 01 T02 FRENCH", seeders=30)
    r2["guid"] = r2["magnetUrl"] = a.magnet
    r2["downloadUrl"] = None
    found = [r2]
    for guid, title, url in (("b04", "Saga 01 T04 FRENCH", b_url),
                             ("b06", "Saga 01 T06 FRENCH", b_url),
                             ("c10", "Saga 01 T10 FRENCH", c_url)):
        r = release(guid, title, seeders=30)
        r["downloadUrl"] = url
        r["magnetUrl"] = None
        found.append(r)
    return {"saga 01": found}


def state_of(mon, volume):
    d = downloads(mon).get(volume)
    return d and d["state"]


def figures(mon, volume):
    """downloads.json's bytes done, in all and per second for volume."""
    d = {e["volume"]: e for e in mon.m.json("status/downloads.json")}[volume]
    return d["bytes_done"], d["bytes_total"], d["bytes_per_s"]


def assert_figures(got, total=None, speed=True):
    """Bytes done within a total above 0 (total when given), a speed of
    0 or more (speed False: null, the client tells none)."""
    done, shown, rate = got
    assert isinstance(shown, int) and shown > 0, got
    assert total is None or shown == total, got
    assert isinstance(done, int) and 0 <= done <= shown, got
    if speed:
        assert isinstance(rate, int) and rate >= 0, got
    else:
        assert rate is None, got


def assert_average(mon, volume):
    """downloads.json's average speed of a finished volume: its size over
    the seconds from sent to when it reached the end, which the file
    shows to the second."""
    d = {e["volume"]: e for e in mon.m.json("status/downloads.json")}[volume]
    times = [datetime.fromisoformat(d["times"][k].replace("Z", "+00:00"))
             for k in ("sent_at", "progress_at")]
    secs = (times[1] - times[0]).total_seconds()
    avg = d["average_bytes_per_s"]
    assert isinstance(avg, (int, float)) and avg > 0, d
    assert avg >= d["bytes_total"] / (secs + 1), d
    if secs > 1:
        assert avg <= d["bytes_total"] / (secs - 1), d


def start_tracked(monitored, files, tmp_path, kind, url, rpc="", more=""):
    a, b, c = torrents()
    save = tmp_path / "saves"
    save.mkdir()
    (save / b.name).write_bytes(b.content)
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=conf(kind, url, save, rpc=rpc) + POLL + more,
                    releases=releases(a, files.put("/b.torrent", b.data),
                                      files.put("/c.torrent", c.data)))
    catalog(mon, files.url + "/gone.torrent")
    return mon, (a, b, c)


def home_page(mon):
    """The page at / as root gets it from the listener of http_door()."""
    port = wait_for(lambda: re.search(
        r"http: listening on \S+ \(port (\d+)\)",
        pathlib.Path(mon.m.proc.log_path).read_text()), 30,
        "the listener's port", mount=mon.m).group(1)
    r = subprocess.run(["curl", "-sS", "--max-time", "60", "-u",
                        "root:" + PASSWORD, "http://127.0.0.1:%s/" % port],
                       capture_output=True, timeout=90)
    assert r.returncode == 0, r.stderr
    return r.stdout.decode()


def http_door(tmp_path):
    """An [http] section on a port from the kernel, for root."""
    htpasswd(tmp_path / "htpasswd", "root")
    return "[http]\nlisten = 127.0.0.1:0\nhtpasswd = %s\n" % (
        tmp_path / "htpasswd")


def test_qbittorrent_followed(monitored, clients, files, tmp_path):
    qbit = clients("qbittorrent")
    mon, (a, b, c) = start_tracked(monitored, files, tmp_path, "qbittorrent",
                                   qbit.url, more=http_door(tmp_path))
    mon.check("missing")
    d = downloads(mon)
    # identities: the magnet's and the torrent's info hash; the web link
    # a tag of its own
    assert d[2]["client_id"] == a.hash and d[4]["client_id"] == b.hash
    assert d[10]["client_id"].startswith("mediamon-")
    # B's file was there: qBittorrent's check finds it whole, and it is
    # imported into the series folder, where the watcher sees it
    wait_for(lambda: state_of(mon, 4), 60, "volume 4 imported",
             until=lambda s: s == "imported", mount=mon.m)
    assert downloads(mon)[4]["progress"] == 1.0
    assert (mon.root / "Saga 01" / "Saga 01 T04.cbz").read_bytes() == \
        b.content
    shown = {d["volume"]: d for d in mon.m.json("status/downloads.json")}
    assert shown[4]["state"] == "imported" and shown[4]["progress"] == 1.0
    assert shown[4]["client"] == "qbittorrent"
    assert shown[4]["client_id"] == b.hash
    assert shown[4]["title"] == "Saga 01 T04 FRENCH"
    assert shown[4]["times"]["sent_at"] and shown[4]["reason"] is None
    # its bytes as qBittorrent said (completed, size, dlspeed): all of
    # the one file
    assert_figures(figures(mon, 4), total=len(b.content))
    assert figures(mon, 4)[0] == len(b.content)
    assert_average(mon, 4)
    wait_for(lambda: mon.m.read("status/missing").decode(), 30,
             "volume 4 no more missing",
             until=lambda t: "Saga 01\t2\n" in t
             and "Saga 01\t4\n" not in t, mount=mon.m)
    # the 404 link: qBittorrent answered "Ok." and never lists it; after
    # the grace it failed, its release is blocklisted, and C went at once
    wait_for(lambda: downloads(mon)[10], 90, "volume 10's next release",
             until=lambda d: d["title"] == "Saga 01 T10 FRENCH"
             and d["state"] in ("sent", "queued", "downloading"),
             mount=mon.m)
    shown = {d["volume"]: d for d in mon.m.json("status/downloads.json")}
    assert shown[4]["state"] == "imported"
    # one still on its way has no average yet
    assert shown[10]["average_bytes_per_s"] is None
    blocked = mon.m.read("control/blocklist").decode()
    assert "Saga 01 T10" in blocked and "never listed it" in blocked
    assert c.hash in [t["hash"] for t in qbit.torrents()]
    # metrics/checks.csv counts them against the newest missing check:
    # B for volume 4 completed and imported; B for volume 6 (it holds
    # volume 4) and the 404 failed
    rows = checks_csv(mon)
    assert tuple(sum(int(r[k]) for r in rows) for k in (
        "completed", "imported", "download_failed")) == (1, 1, 2)
    # A has no peer: on its way, fetching its metadata; its size is not
    # known yet (qBittorrent says 0): null, and nothing comes
    assert state_of(mon, 2) == "downloading"
    done, total, speed = figures(mon, 2)
    assert (done, total) == (None, None) and speed == 0
    # the owner's page shows it on its way, with its progress (issue 79),
    # and not the one imported
    page = home_page(mon)
    now = re.search(r'<ul id="now-downloads">(.*?)</ul>', page, re.S)
    assert now, page
    assert re.search(r'<li>Saga 01 volume 2: <span class="state">'
                     r'downloading</span> <progress max="100" value="0">',
                     now.group(1)), now.group(1)
    assert "volume 4:" not in now.group(1)
    # volume 6 got B again, which qBittorrent had: adopted, followed by
    # B's hash, completed; but B holds volume 4, not 6: never to be
    # imported, it failed, and the reason says so
    d6 = downloads(mon)[6]
    assert d6["client_id"] == b.hash and d6["state"] == "failed"
    assert d6["reason"].startswith("import: ")
    assert "holds no wanted volume" in d6["reason"]
    assert not (mon.root / "Saga 01" / "Saga 01 T06.cbz").exists()
    # the user removes A in qBittorrent: failed, blocklisted
    qbit.post("/api/v2/torrents/delete", {"hashes": a.hash,
                                          "deleteFiles": "false"})
    wait_for(lambda: downloads(mon)[2], 30, "volume 2 failed",
             until=lambda d: d["state"] == "failed"
             and "removed from the download client" in d["reason"],
             mount=mon.m)


def test_year_folder_searched_and_named_by_its_name(fake, clients, files,
                                                   tmp_path):
    """A series folder "Dune (2020)" holding "Dune T01.cbz"...: Prowlarr
    is asked for "Dune" (indexers matching every word never give "Dune
    T02" for "Dune (2020)"), its release matches, and the volume is
    imported as "Dune T02.cbz", like its neighbours (issue 62 point 1)."""
    qbit = clients("qbittorrent")
    t, save, r = seeded(tmp_path, files, "Dune T02.cbz", "d02", b"D")
    mon = Monitor(tmp_path, fake, ["Dune (2020)"], monitor=AUTO,
                  general=SEND, extra=conf("qbittorrent", qbit.url, save)
                  + POLL, releases={"dune": [r]})
    folder = mon.root / "Dune (2020)"
    for f in list(folder.iterdir()):
        f.rename(folder / f.name.replace("Dune (2020)", "Dune"))
    mon.mount()
    try:
        mon.check("missing")
        queries = [q["args"]["query"][0] for q in mon.searches()]
        assert "Dune" in queries and not any("2020" in q for q in queries)
        wait_for(lambda: downloads(mon, "Dune (2020)").get(2), 60,
                 "volume 2 imported", until=lambda d: d and
                 d["state"] == "imported", mount=mon.m)
        assert (folder / "Dune T02.cbz").read_bytes() == t.content
        assert not (folder / "Dune (2020) T02.cbz").exists()
    finally:
        mon.unmount()


def test_transmission_followed_and_client_gone(monitored, clients, files,
                                               tmp_path):
    tr = clients("transmission")
    mon, (a, b, c) = start_tracked(monitored, files, tmp_path, "transmission",
                           tr.url, rpc="/transmission/rpc")
    mon.check("missing")
    d = downloads(mon)
    assert d[2]["client_id"] == a.hash and d[4]["client_id"] == b.hash
    # the 404 link fails at the add (Transmission fetches it then): C
    # went in the same check
    assert d[10]["title"] == "Saga 01 T10 FRENCH"
    wait_for(lambda: state_of(mon, 4), 60, "volume 4 imported",
             until=lambda s: s == "imported", mount=mon.m)
    assert (mon.root / "Saga 01" / "Saga 01 T04.cbz").is_file()
    assert state_of(mon, 2) in ("queued", "downloading")
    # sizeWhenDone less leftUntilDone of sizeWhenDone, rateDownload; the
    # magnet without its metadata has no size yet
    assert_figures(figures(mon, 4), total=len(b.content))
    assert figures(mon, 4)[0] == len(b.content)
    done, total, speed = figures(mon, 2)
    assert (done, total) == (None, None) and speed == 0
    # Transmission goes away: the downloads keep their states, health
    # says why; each listed first (the pass that imported volume 4 may
    # not have stored volume 10's state yet)
    wait_for(lambda: state_of(mon, 10), 60, "volume 10 listed",
             until=lambda s: s != "sent", mount=mon.m)
    before = downloads(mon)
    tr.stop()
    text = wait_for(lambda: health(mon), 30, "health naming transmission",
                    until=lambda t: "transmission" in t, mount=mon.m)
    # its name once, then the reason (issue 62)
    line = next(x for x in text.splitlines() if "transmission" in x)
    assert "transmission: transmission" not in line, line
    after = downloads(mon)
    # volume 4, imported, leaves the wanted ones once the watcher sees it
    kept = [v for v in (2, 4, 10) if v in before and v in after]
    assert 2 in kept and 10 in kept, (before, after)
    assert {v: after[v]["state"] for v in kept} == {
        v: before[v]["state"] for v in kept}


def test_found_json_shows_the_state(monitored, clients, files, tmp_path):
    """found.json's download object carries the tracker's state, the id
    in the client and the progress, for every wanted volume."""
    qbit = clients("qbittorrent")
    mon, (a, _, _) = start_tracked(monitored, files, tmp_path, "qbittorrent",
                           qbit.url)
    mon.check("missing")
    wait_for(lambda: state_of(mon, 2), 30, "volume 2 listed",
             until=lambda s: s == "downloading", mount=mon.m)
    found = json.loads(mon.m.read("status/found.json"))
    entry = [e for e in found if e["volume"] == 2][0]
    assert entry["download"]["client_id"] == a.hash
    assert 0 <= entry["download"]["progress"] < 1


def test_nzbget_failed_fetch(monitored, clients, files):
    """NZBGet takes a link that answers 404 (its NZBID), fetches it, and
    keeps it in its history as FAILURE/FETCH: the hand-off fails with
    that reason, and the release is blocklisted."""
    nz = clients("nzbget")
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=usenet_conf(nz.url) + "[download]\n" + POLL,
                    releases={"saga 01": []})
    catalog(mon, files.url + "/gone.nzb")
    mon.check("missing")
    assert downloads(mon)[10]["client_id"].isdigit()
    wait_for(lambda: downloads(mon)[10], 60, "volume 10 failed",
             until=lambda d: d["state"] == "failed"
             and "FAILURE/FETCH" in d["reason"], mount=mon.m)
    assert "FAILURE/FETCH" in mon.m.read("control/blocklist").decode()


@pytest.mark.parametrize("kind,rpc", [("qbittorrent", ""),
                                      ("transmission", "/transmission/rpc")])
def test_imported_from_the_clients_own_folder(monitored, clients, files,
                                              kind, rpc):
    """The README's minimal configuration: no save_path. The client
    saves in its own default folder (qBittorrent's default save path,
    Transmission's download-dir), which mediamon asks it: the download
    completes and is imported from there, and nothing is moved."""
    client = clients(kind)
    _, b, _ = torrents()
    (client.save / b.name).write_bytes(b.content)
    r = torrent_release("b04", "Saga 01 T04 FRENCH",
                        files.put("/b.torrent", b.data))
    extra = conf(kind, client.url, "x", rpc=rpc).replace(
        "save_path = x\n", "") + POLL
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND, extra=extra,
                    releases={"saga 01": [r]})
    mon.check("missing")
    wait_for(lambda: state_of(mon, 4), 60, "volume 4 imported",
             until=lambda s: s == "imported", mount=mon.m)
    assert (mon.root / "Saga 01" / "Saga 01 T04.cbz").read_bytes() == \
        b.content
    assert (client.save / b.name).read_bytes() == b.content
    assert ("import: %s saves in %s by default" % (kind, client.save)) in \
        mon.m.read("log").decode()


def test_clients_own_folder_not_learnt(monitored, clients, files, relays):
    """Transmission answers its torrents but not where it saves (a relay
    in front of it answers 500 to a session-get of download-dir): the
    completed download is not imported, the reason and health say why
    and what to do, nothing is moved; once Transmission answers, it is
    imported by itself and health clears."""
    tr = clients("transmission")
    relay = relays(tr.url)
    relay.refuse = b'"download-dir"'
    _, b, _ = torrents()
    (tr.save / b.name).write_bytes(b.content)
    r = torrent_release("b04", "Saga 01 T04 FRENCH",
                        files.put("/b.torrent", b.data))
    extra = conf("transmission", relay.url, "x",
                 rpc="/transmission/rpc").replace("save_path = x\n", "") \
        + POLL
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND, extra=extra,
                    releases={"saga 01": [r]})
    mon.check("missing")
    d = wait_for(lambda: downloads(mon)[4], 60, "volume 4 completed",
                 until=lambda d: d["state"] == "completed" and d["reason"],
                 mount=mon.m)
    assert d["reason"].startswith("import: cannot learn where transmission"
                                  " saves"), d
    assert "name its folder as [download] save_path" in d["reason"]
    assert not (mon.root / "Saga 01" / "Saga 01 T04.cbz").exists()
    assert (tr.save / b.name).read_bytes() == b.content
    wait_for(lambda: health(mon), 30, "health naming the import",
             until=lambda t: "warn: Saga 01 volume 4 not imported: cannot"
             " learn where transmission saves" in t, mount=mon.m)
    # Transmission answers again: imported by itself, health clears
    relay.refuse = None
    wait_for(lambda: state_of(mon, 4), 120, "volume 4 imported",
             until=lambda s: s == "imported", mount=mon.m)
    assert (mon.root / "Saga 01" / "Saga 01 T04.cbz").read_bytes() == \
        b.content
    assert "volume 4 not imported" not in health(mon)


@pytest.mark.parametrize("inside", [True, False])
def test_series_save_path(monitored, clients, files, tmp_path, inside):
    """A series' own save_path (manga/SERIES/preferences): the torrent
    goes there, not to [download] save_path, and is imported from there
    when it lies under [download] save_path. Whoever may write the
    series' preferences names it: anywhere else it is no trusted folder,
    and the download stays in the client, its reason saying why."""
    tr = clients("transmission")
    _, b, _ = torrents()
    save = tmp_path / "saves"
    save.mkdir()
    own = (save if inside else tmp_path) / "saga-saves"
    own.mkdir()
    (own / b.name).write_bytes(b.content)
    r = torrent_release("b04", "Saga 01 T04 FRENCH",
                        files.put("/b.torrent", b.data))
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=conf("transmission", tr.url, save,
                               rpc="/transmission/rpc") + POLL,
                    releases={"saga 01": [r]})
    text = "save_path = %s\n" % own
    assert mon.m.write("manga/Saga 01/preferences", text) == len(text)
    assert mon.m.read("manga/Saga 01/preferences").decode() == text
    mon.check("missing")
    assert [t["downloadDir"] for t in tr.torrents()] == [str(own)]
    cbz = mon.root / "Saga 01" / "Saga 01 T04.cbz"
    if inside:
        wait_for(lambda: state_of(mon, 4), 60, "volume 4 imported",
                 until=lambda s: s == "imported", mount=mon.m)
        assert cbz.read_bytes() == b.content
        return
    why = "import: the series' save_path %s lies under no [download]" \
        " or [usenet] save_path" % own
    wait_for(lambda: downloads(mon).get(4), 60, "the import refused",
             mount=mon.m, until=lambda d: d and d["reason"] == why)
    assert state_of(mon, 4) == "completed"
    assert not cbz.exists()


@pytest.mark.parametrize("named", [True, False])
def test_nzbget_completes_and_imports(monitored, clients, files, named):
    """NZBGet downloads an NZB from its own news server on loopback
    (nzbget --nserv): the hand-off, followed by its NZBID, completes in
    the category's DestDir ([usenet] save_path, or, unnamed, learnt
    from NZBGet's configuration) and is imported."""
    content = CONTENT + b"N" * 50000
    ns = clients("nserv", files={"Saga 01 T10.cbz": content})
    nz = clients("nzbget", news_port=ns.port)
    save = "save_path = %s\n" % (nz.save / "manga") if named else ""
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=usenet_conf(nz.url) + save + "[download]\n" +
                    POLL, releases={"saga 01": []})
    catalog(mon, files.put("/s01-10.nzb", ns.nzb("Saga 01 T10.cbz"),
                           "application/x-nzb"))
    mon.check("missing")
    wait_for(lambda: downloads(mon).get(10), 90, "volume 10 imported",
             until=lambda d: d is None or d["state"] == "imported",
             mount=mon.m)
    assert (mon.root / "Saga 01" / "Saga 01 T10.cbz").read_bytes() == \
        content
    shown = {d["volume"]: d for d in mon.m.json("status/downloads.json")}
    assert shown[10]["state"] == "imported"
    assert shown[10]["client"] == "nzbget"
    assert_average(mon, 10)
    assert named or ("import: nzbget saves in %s by default" % (
        nz.save / "manga")) in mon.m.read("log").decode()
    # FileSizeLo/Hi, all of it there once in the history (its articles'
    # bytes: yEnc makes them more than the file's); the history tells
    # no speed
    done, total, speed = figures(mon, 10)
    assert done == total and total >= len(content) and speed is None


def test_qbittorrent_magnet_from_a_seeder(monitored, clients, tmp_path):
    """A magnet completes from a second client seeding it over loopback
    (Transmission, given as a peer through qBittorrent's API): its
    metadata, then its file, then imported."""
    qbit = clients("qbittorrent")
    seeder = clients("transmission")
    a, _, _ = torrents()
    seed = tmp_path / "seed"
    seed.mkdir()
    (seed / a.name).write_bytes(a.content)
    seeder.rpc("torrent-add", metainfo=base64.b64encode(a.data).decode(),
               **{"download-dir": str(seed)})
    wait_for(lambda: seeder.rpc("torrent-get", fields=["percentDone"])
             ["torrents"], 30, "the seeder's check of A",
             until=lambda t: t and t[0]["percentDone"] == 1)
    r2 = release("a02", "Saga 01 T02 FRENCH", seeders=30)
    r2["guid"] = r2["magnetUrl"] = a.magnet
    r2["downloadUrl"] = None
    save = tmp_path / "saves"
    save.mkdir()
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=conf("qbittorrent", qbit.url, save) + POLL,
                    releases={"saga 01": [r2]})
    mon.check("missing")
    qbit.api("/api/v2/torrents/addPeers", {
        "hashes": a.hash, "peers": "127.0.0.1:%d" % seeder.peer_port})
    wait_for(lambda: state_of(mon, 2), 90, "volume 2 imported",
             until=lambda s: s == "imported", mount=mon.m)
    assert (mon.root / "Saga 01" / "Saga 01 T02.cbz").read_bytes() == \
        a.content


def test_transmission_downloads_from_a_seeder(monitored, clients, files,
                                              tmp_path):
    """Transmission downloads a magnet (its metadata, then its file) and
    a .torrent link from qBittorrent seeding both on loopback, the two
    meeting through opentracker (the magnet's tr=, the torrent's
    announce); both are imported. Transmission 3.00 never connects to a
    loopback peer itself (clients.Tracker says why): qBittorrent, told
    of it by the tracker, connects to it."""
    content = (CONTENT + b"M" * 40000, CONTENT + b"T" * 40000)
    probe = [Torrent("Saga 01 T0%d.cbz" % v, c)
             for v, c in zip((2, 4), content)]
    tracker = clients("opentracker", hashes=[t.hash for t in probe])
    a, b = [Torrent(t.name, t.content, tracker.announce) for t in probe]
    assert (a.hash, b.hash) == (probe[0].hash, probe[1].hash)
    tr = clients("transmission")
    seeder = clients("qbittorrent")
    r2 = release("a02", "Saga 01 T02 FRENCH", seeders=30)
    r2["guid"] = r2["magnetUrl"] = a.magnet
    r2["downloadUrl"] = None
    r4 = torrent_release("b04", "Saga 01 T04 FRENCH",
                         files.put("/b.torrent", b.data))
    save = tmp_path / "saves"
    save.mkdir()
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=conf("transmission", tr.url, save,
                               rpc="/transmission/rpc") + POLL,
                    releases={"saga 01": [r2, r4]})
    mon.check("missing")
    assert {v: downloads(mon)[v]["client_id"] for v in (2, 4)} == {
        2: a.hash, 4: b.hash}
    # Transmission announced both (it is in the tracker's swarms) ...
    wait_for(lambda: tr.rpc("torrent-get", fields=["trackerStats"])
             ["torrents"], 60, "Transmission's announces",
             until=lambda ts: len(ts) == 2 and all(
                 s["lastAnnounceSucceeded"] for t in ts
                 for s in t["trackerStats"]))
    # ... and nothing comes before a seeder does
    assert {state_of(mon, 2), state_of(mon, 4)} <= {"sent", "queued",
                                                    "downloading"}
    seed = tmp_path / "seed"
    seed.mkdir()
    for t in (a, b):
        (seed / t.name).write_bytes(t.content)
    seeder.api("/api/v2/torrents/add", {
        "urls": "\n".join(files.put("/seed-%s.torrent" % t.hash, t.data)
                          for t in (a, b)),
        "savepath": str(seed)})
    wait_for(seeder.torrents, 60, "the seeder's check of both",
             until=lambda ts: len(ts) == 2
             and all(t["progress"] == 1 for t in ts))
    # the seeder's first announce may have come before its check ended
    seeder.api("/api/v2/torrents/reannounce", {"hashes": "all"})
    # Transmission drops a connection from an address it is already
    # shaking hands with (tr_peerMgrAddIncoming()): the second torrent's
    # waits for libtorrent's next try, about a minute later
    for v, t in ((2, a), (4, b)):
        wait_for(lambda: state_of(mon, v), 180, "volume %d imported" % v,
                 until=lambda s: s == "imported", mount=mon.m)
        assert (mon.root / "Saga 01" / ("Saga 01 T0%d.cbz" % v)
                ).read_bytes() == t.content
    shown = {d["volume"]: d for d in mon.m.json("status/downloads.json")}
    assert shown[2]["state"] == shown[4]["state"] == "imported"
    assert shown[2]["client"] == "transmission"
    assert_average(mon, 2)
    assert_average(mon, 4)


def b04_mounted(monitored, clients, files, tmp_path, extra="",
                general=SEND):
    """Volume 4 of Saga 01 wanted, its release a .torrent served by files
    for the real Transmission, its save folder tmp_path/saves, the
    configuration given extra and general: Transmission, the torrent,
    the save folder and the Monitor."""
    tr = clients("transmission")
    _, b, _ = torrents()
    r = torrent_release("b04", "Saga 01 T04 FRENCH",
                        files.put("/b.torrent", b.data))
    save = tmp_path / "saves"
    save.mkdir()
    mon = monitored(["Saga 01"], monitor=AUTO, general=general,
                    extra=conf("transmission", tr.url, save,
                               rpc="/transmission/rpc") + POLL + extra,
                    releases={"saga 01": [r]})
    return tr, b, save, mon


def b04_downloading(monitored, clients, files, tmp_path, extra=""):
    """b04_mounted()'s volume 4 sent and downloading."""
    tr, b, save, mon = b04_mounted(monitored, clients, files, tmp_path,
                                   extra)
    mon.check("missing")
    wait_for(lambda: state_of(mon, 4), 30, "volume 4 on its way",
             until=lambda s: s == "downloading", mount=mon.m)
    return tr, b, save, mon


def test_name_clash_on_import(monitored, clients, files, tmp_path):
    """The volume's name in the series folder is taken by the time the
    download completes (another file, put there meanwhile): the import
    fails with the reason, the file there keeps its bytes, and the
    download stays where Transmission put it."""
    tr, b, save, mon = b04_downloading(monitored, clients, files,
                                       tmp_path)
    there = mon.root / "Saga 01" / "Saga 01 T04.cbz"
    theirs = CONTENT + b"the user's own" * 1000
    there.write_bytes(theirs)
    (save / b.name).write_bytes(b.content)
    tr.rpc("torrent-verify", ids=[b.hash])
    shown = wait_for(lambda: {d["volume"]: d for d in mon.m.json(
        "status/downloads.json")}[4], 60, "volume 4's import refused",
        until=lambda d: d["reason"], mount=mon.m)
    assert shown["state"] == "completed"
    assert shown["reason"].startswith("import: ")
    assert "%s exists already" % there in shown["reason"]
    assert there.read_bytes() == theirs
    assert (save / b.name).read_bytes() == b.content
    assert sorted(p.name for p in there.parent.iterdir()
                  if "T04" in p.name or p.name.startswith(".")) == [
        "Saga 01 T04.cbz"]


def test_import_failed_told_and_tried_again(monitored, clients, files,
                                            fake, tmp_path):
    """A failed import (the volume's name taken in the series folder) is
    a health line and one import_failed notification naming the series
    and the volume, with the reason and what to do; the cause gone (the
    file moved away), it is imported by itself, without a check, and the
    health line ends."""
    hooks = fake("webhook_fake.py")
    tr, b, save, mon = b04_downloading(
        monitored, clients, files, tmp_path,
        "[notify]\nwebhook = %s/hook\nevents = import_failed, imported\n"
        % hooks.url)
    there = mon.root / "Saga 01" / "Saga 01 T04.cbz"
    there.write_bytes(CONTENT + b"the user's own" * 1000)
    (save / b.name).write_bytes(b.content)
    tr.rpc("torrent-verify", ids=[b.hash])

    def told(event):
        return [p["body"] for p in hooks.call("/_posts")
                if p["body"]["event"] == event]
    failed = wait_for(lambda: told("import_failed"), 60,
                      "an import_failed notification", until=len,
                      mount=mon.m)
    assert failed[0]["subject"] == "Saga 01 volume 4"
    assert "exists already" in failed[0]["message"]
    assert "move away the file in the series folder" in \
        failed[0]["message"]
    line = "warn: Saga 01 volume 4 not imported: "
    text = wait_for(lambda: health(mon), 30, "health naming the import",
                    until=lambda t: line in t, mount=mon.m)
    assert "exists already (move away the file" in text
    # tried again by itself, and told once only
    tries = mon.m.read("log").decode().count("not imported, tried again")
    wait_for(lambda: mon.m.read("log").decode().count(
        "not imported, tried again"), 30, "another try",
        until=lambda n: n > tries, mount=mon.m)
    assert len(told("import_failed")) == 1
    # the cause gone: imported, with no check asked for
    there.unlink()
    wait_for(lambda: state_of(mon, 4), 120, "volume 4 imported",
             until=lambda s: s == "imported", mount=mon.m)
    assert there.read_bytes() == b.content
    assert line not in health(mon)
    wait_for(lambda: told("imported"), 30, "an imported notification",
             until=len, mount=mon.m)


def test_import_failed_then_download_removed(monitored, clients, files,
                                             tmp_path):
    """A failed import whose download the user removes in the client: it
    failed (its release blocklisted), and the health line ends."""
    tr, b, save, mon = b04_downloading(monitored, clients, files,
                                       tmp_path)
    there = mon.root / "Saga 01" / "Saga 01 T04.cbz"
    there.write_bytes(CONTENT + b"the user's own" * 1000)
    (save / b.name).write_bytes(b.content)
    tr.rpc("torrent-verify", ids=[b.hash])
    line = "warn: Saga 01 volume 4 not imported: "
    wait_for(lambda: health(mon), 60, "health naming the import",
             until=lambda t: line in t, mount=mon.m)
    tr.rpc("torrent-remove", ids=[b.hash])
    d = wait_for(lambda: {d["volume"]: d for d in mon.m.json(
        "status/downloads.json")}.get(4), 60, "volume 4 failed",
        until=lambda d: d and d["state"] == "failed", mount=mon.m)
    assert d["reason"] == "removed from the download client before its" \
        " import"
    assert line not in health(mon)
    assert "Saga 01 T04 FRENCH" in mon.m.read("control/blocklist").decode()
    assert (save / b.name).read_bytes() == b.content


def test_dry_run_after_restart_imports_nothing(monitored, clients, files,
                                               tmp_path):
    """Sent, then the daemon restarted with dry_run on (issue 45): the
    download completes in Transmission, and is not imported but shown as
    one that would be, in downloads.json; dry-run off, it is imported."""
    tr, b, save, mon = b04_downloading(monitored, clients, files,
                                       tmp_path)
    mon.unmount()
    mon.conf.write_text(mon.conf.read_text().replace(
        "dry_run = no", "dry_run = yes"))
    mon.mount()
    (save / b.name).write_bytes(b.content)
    tr.rpc("torrent-verify", ids=[b.hash])
    shown = wait_for(lambda: {d["volume"]: d for d in mon.m.json(
        "status/downloads.json")}[4], 60, "volume 4 kept by dry-run",
        until=lambda d: d["reason"], mount=mon.m)
    folder = mon.root / "Saga 01"
    assert shown["state"] == "completed"
    assert shown["reason"] == "dry-run: would import into %s" % folder
    assert not (folder / "Saga 01 T04.cbz").exists()
    assert (save / b.name).read_bytes() == b.content
    assert "Saga 01\t4\n" in mon.m.read("status/missing").decode()
    # dry-run off: the next poll imports it
    mon.m.write("control/dry-run", "0\n")
    wait_for(lambda: state_of(mon, 4), 30, "volume 4 imported",
             until=lambda s: s == "imported", mount=mon.m)
    assert (folder / "Saga 01 T04.cbz").read_bytes() == b.content


def test_apply_then_the_daemon_imports_under_dry_run(monitored, clients,
                                                     files, tmp_path):
    """mediamon --check --apply sends volume 4 to the real Transmission
    (issue 62); the daemon started then, whose configuration keeps the
    default dry_run = yes, imports it when it completes: the user applied
    that hand-off. Its own hand-offs stay held (the test above)."""
    tr, b, save, mon = b04_mounted(monitored, clients, files, tmp_path,
                                   general="")
    mon.unmount()
    assert "dry_run" not in mon.conf.read_text()
    done = mon.check_once("--apply")
    assert 'release: Saga 01 volume 4: sent "Saga 01 T04 FRENCH"' in \
        done.stdout.splitlines(), done.stdout + done.stderr
    mon.mount()
    assert mon.m.json("status/summary.json")["dry_run"]
    (save / b.name).write_bytes(b.content)
    tr.rpc("torrent-verify", ids=[b.hash])
    wait_for(lambda: state_of(mon, 4), 60, "volume 4 imported",
             until=lambda s: s == "imported", mount=mon.m)
    folder = mon.root / "Saga 01"
    assert (folder / "Saga 01 T04.cbz").read_bytes() == b.content


def test_each_volume_imported_is_told(monitored, clients, files, fake,
                                      tmp_path):
    """Two volumes of one series imported: two imported notifications,
    each naming the series and its volume (issue 45), not one for the
    series."""
    hooks = fake("webhook_fake.py")
    tr = clients("transmission")
    save = tmp_path / "saves"
    save.mkdir()
    found = []
    for v in (4, 6):
        t = Torrent("Saga 01 T%02d.cbz" % v, CONTENT + b"%d" % v * 40000)
        (save / t.name).write_bytes(t.content)
        r = release("v%02d" % v, "Saga 01 T%02d FRENCH" % v, seeders=30)
        r["downloadUrl"] = files.put("/%d.torrent" % v, t.data)
        r["magnetUrl"] = None
        found.append(r)
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=conf("transmission", tr.url, save,
                               rpc="/transmission/rpc") + POLL +
                    "[notify]\nwebhook = %s/hook\nevents = imported\n"
                    % hooks.url,
                    releases={"saga 01": found})
    mon.check("missing")

    def imported():
        return sorted((p["body"]["event"], p["body"]["subject"])
                      for p in hooks.call("/_posts"))
    told = wait_for(imported, 60, "two imported notifications",
                    until=lambda got: len(got) >= 2, mount=mon.m)
    assert told == [("imported", "Saga 01 volume 4"),
                    ("imported", "Saga 01 volume 6")]
    assert state_of(mon, 4) == state_of(mon, 6) == "imported"


def sab_conf(sab, complete):
    """SABnzbd's settings; complete None: no save_path, SABnzbd's own
    complete folder learnt."""
    save = "save_path = %s\n" % complete if complete else ""
    return ("[usenet]\nclient = sabnzbd\nurl = %s\napi_key = %s\n"
            "category = manga\n%s[download]\n" % (sab.url, SAB_KEY, save)
            + POLL)


@pytest.mark.parametrize("named", [True, False])
def test_sabnzbd_followed(monitored, fake, files, tmp_path, named):
    """SABnzbd's hand-offs followed by their nzo_id (SABnzbd is not in
    Debian: its fake answers mode=queue and mode=history as 3.7 does):
    volume 4 through queued, downloading, completed (its file in
    SABnzbd's complete folder, named as save_path or learnt from
    SABnzbd's get_config) and imported; the catalog's 404 link for
    volume 10 fails in SABnzbd's history ("URL Fetching failed"), with
    that reason, and the next release goes."""
    complete = tmp_path / "complete"
    complete.mkdir()
    sab = fake("sabnzbd_fake.py", complete)
    content = CONTENT + b"S" * 50000
    sab.call("/_deliver", {"nzbname": "Saga 01 T04 FRENCH", "files": {
        "Saga 01 T04.cbz": base64.b64encode(content).decode()}})
    found = []
    for guid, title in (("u04", "Saga 01 T04 FRENCH"),
                        ("u10", "Saga 01 T10 FRENCH")):
        r = release(guid, title, protocol="usenet")
        r["downloadUrl"] = files.put("/%s.nzb" % guid, NZB,
                                     "application/x-nzb")
        found.append(r)
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=sab_conf(sab, named and complete / "manga"),
                    releases={"saga 01": found})
    catalog(mon, files.url + "/gone.nzb")
    mon.check("missing")
    d = downloads(mon)
    assert d[4]["client"] == "sabnzbd"
    assert d[4]["client_id"].startswith("SABnzbd_nzo_")
    nzo = d[4]["client_id"]
    wait_for(lambda: downloads(mon)[4], 30, "volume 4 queued",
             until=lambda d: d["state"] == "queued", mount=mon.m)
    assert sab.call("/_advance", {"nzo_id": nzo}) == {
        "status": "Downloading"}
    # half of it left, in MiB with two decimals as SABnzbd gives them
    wait_for(lambda: downloads(mon)[4], 30, "volume 4 downloading",
             until=lambda d: d["state"] == "downloading"
             and 0.4 < d["progress"] < 0.7, mount=mon.m)
    # mb and mbleft: the bytes, to SABnzbd's hundredths of a MiB; a
    # slot tells no speed (its queue's kbpersec is all of SABnzbd's)
    mib = 1 << 20
    assert_figures(figures(mon, 4), speed=False,
                   total=round(round(len(content) / mib, 2) * mib))
    assert sab.call("/_advance", {"nzo_id": nzo}) == {"status": "Completed"}
    wait_for(lambda: state_of(mon, 4), 30, "volume 4 imported",
             until=lambda s: s in (None, "imported"), mount=mon.m)
    assert (mon.root / "Saga 01" / "Saga 01 T04.cbz").read_bytes() == \
        content
    # imported by a link: SABnzbd's copy stays where it was
    assert (complete / "manga" / "Saga 01 T04 FRENCH" /
            "Saga 01 T04.cbz").read_bytes() == content
    shown = {d["volume"]: d for d in mon.m.json("status/downloads.json")}
    assert shown[4]["state"] == "imported" and shown[4]["progress"] == 1
    # the history slot's bytes
    assert figures(mon, 4) == (len(content), len(content), None)
    assert shown[4]["client"] == "sabnzbd" and shown[4]["client_id"] == nzo
    # the catalog's 404: failed in SABnzbd's words, blocklisted, and
    # Prowlarr's release of volume 10 sent (its hand-off in the place of
    # the failed one)
    blocked = [line for line in mon.m.read("control/blocklist").decode()
               .splitlines() if "Saga 01 T10" in line]
    assert len(blocked) == 1 and blocked[0].endswith(
        "sabnzbd: URL Fetching failed; File not on server")
    assert "for Saga 01 volume 10 failed in sabnzbd: sabnzbd: URL Fetching" \
        " failed; File not on server" in mon.m.read("log").decode()
    # completed on its way to imported (the import follows at once in
    # the same poll), and the 404 failed
    rows = checks_csv(mon)
    assert tuple(sum(int(r[k]) for r in rows) for k in (
        "completed", "imported", "download_failed")) == (1, 1, 1)
    d10 = wait_for(lambda: downloads(mon)[10], 30, "volume 10's next release",
                   until=lambda d: d["title"] == "Saga 01 T10 FRENCH",
                   mount=mon.m)
    assert d10["client"] == "sabnzbd" and d10["state"] in ("sent", "queued")


def test_completed_with_another_volume_fails(monitored, clients, files,
                                             tmp_path):
    """A release for volume 6 whose download holds volume 4: it
    completes, and cannot ever be imported as volume 6, so it fails with
    the import's reason, its release is blocklisted, and the next
    release of volume 6 goes and is imported."""
    tr = clients("transmission")
    wrong = Torrent("Saga 01 T04.cbz", CONTENT + b"W" * 40000)
    right = Torrent("Saga 01 T06.cbz", CONTENT + b"R" * 40000)
    save = tmp_path / "saves"
    save.mkdir()
    for t in (wrong, right):
        (save / t.name).write_bytes(t.content)
    found = []
    for guid, title, t, seeders in (
            ("w06", "Saga 01 T06 FRENCH", wrong, 90),
            ("r06", "Saga 01 T06 FRENCH REPACK", right, 10)):
        r = release(guid, title, seeders=seeders)
        r["downloadUrl"] = files.put("/%s.torrent" % guid, t.data)
        r["magnetUrl"] = None
        found.append(r)
    mon = monitored(["Saga 01"], monitor=AUTO, general=SEND,
                    extra=conf("transmission", tr.url, save,
                               rpc="/transmission/rpc") + POLL,
                    releases={"saga 01": found})
    mon.check("missing")
    assert downloads(mon)[6]["client_id"] == wrong.hash
    wait_for(lambda: downloads(mon).get(6), 60, "volume 6 imported",
             until=lambda d: d is None or d["state"] == "imported",
             mount=mon.m)
    assert (mon.root / "Saga 01" / "Saga 01 T06.cbz").read_bytes() == \
        right.content
    assert not (mon.root / "Saga 01" / "Saga 01 T04.cbz").exists()
    blocked = [line for line in mon.m.read("control/blocklist").decode()
               .splitlines() if "Saga 01 T06 FRENCH" in line]
    assert len(blocked) == 1 and "REPACK" not in blocked[0]
    assert "holds no wanted volume of Saga 01" in blocked[0]
    log = mon.m.read("log").decode()
    assert "\"Saga 01 T06 FRENCH\" for Saga 01 volume 6 failed in" \
        " transmission: import: " in log
    shown = {d["volume"]: d for d in mon.m.json("status/downloads.json")}
    assert shown[6]["title"] == "Saga 01 T06 FRENCH REPACK"
    assert shown[6]["state"] == "imported"
